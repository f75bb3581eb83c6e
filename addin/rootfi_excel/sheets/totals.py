"""Control totals: what an accountant ties out before closing the month.

For each input sheet and currency: the count and sum of what was entered, of each
outcome (the rows' status words), and the check line "entered − created − not yet
created", which is 0 when every row is accounted for and otherwise names the rows
behind the difference. Pure: rows in, totals out (the workbook is read and written by
app/totals.py).

A row is Created when it holds a rootfi_id (its identity in the platform), whatever its
status says; a row whose status says Created without a rootfi_id, or whose status is a
word the add-in never writes, is not accounted for. Amounts are exact decimals
(sheets/money.py). A payment counts its amount; a credit-note line counts quantity ×
unit_amount − discount_amount, before tax (the platform adds tax by the line's tax_id),
and takes its currency from the credit note (its first line that has one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from rootfi_excel.errors import CellError
from rootfi_excel.sheets.cells import CellFormat, read_amount, read_currency, read_date, read_id, read_number, read_text
from rootfi_excel.sheets.layout import (
    CREDIT_NOTE_LINES,
    PAYMENTS,
    ROOTFI_ID,
    STATUS,
    TABLES,
    Status,
    TableLayout,
    header_lookup,
    normalize_header,
)
from rootfi_excel.sheets.money import NO_CURRENCY, to_decimal
from rootfi_excel.sheets.port import Table, UncalculatedFormula

ENTERED = "Entered"
NOT_CHECKED = "Not checked"  # no status yet: neither validated nor sent
NOT_YET_CREATED = "Not yet created"
CHECK = "Check: entered - created - not yet created"
UNACCOUNTED = "Not accounted for"
NO_AMOUNT = "Amount not read"
# The outcomes that are not (yet) a record in the platform, in the order a person reads them.
NOT_YET: tuple[str, ...] = (Status.VALID, Status.SEND_ANYWAY, NOT_CHECKED, Status.PENDING, Status.UNKNOWN,
                            Status.FAILED, Status.SKIPPED, Status.INVALID)
OUTCOMES: tuple[str, ...] = (Status.CREATED, *NOT_YET)
_KNOWN = {s.casefold(): s for s in Status.ALL}
_DATE_FIELDS = {PAYMENTS.key: "payment_date", CREDIT_NOTE_LINES.key: "posted_date"}


@dataclass(frozen=True)
class Line:
    """One filled row of an input sheet as the totals see it."""

    sheet: str  # the sheet's key (TABLES)
    row: int  # the sheet's row number
    currency: str
    amount: Decimal | None  # None: the amount could not be read (blank or not a number)
    status: str | None = None  # the status cell as written
    rootfi_id: str | None = None
    document: str | None = None  # document_number: a credit note's lines share it
    date: dt.date | None = None  # payment_date / posted_date

    @property
    def outcome(self) -> str | None:
        """The row's outcome (OUTCOMES), or None when it is not accounted for."""
        if self.rootfi_id:
            return Status.CREATED
        if self.status is None or not str(self.status).strip():
            return NOT_CHECKED
        known = _KNOWN.get(str(self.status).strip().casefold())
        if known is None or known == Status.CREATED:  # Created without its identity is a claim, not a record
            return None
        return known


@dataclass
class Tally:
    count: int = 0
    amount: Decimal = Decimal(0)
    rows: list[int] = field(default_factory=list)

    def add(self, line: Line) -> None:
        self.count += 1
        self.amount += line.amount or 0
        self.rows.append(line.row)

    def __iadd__(self, other: "Tally") -> "Tally":
        self.count += other.count
        self.amount += other.amount
        self.rows.extend(other.rows)
        return self


@dataclass
class CurrencyTotals:
    """One sheet, one currency: Entered, each outcome, and what is not accounted for."""

    sheet: str
    currency: str
    entered: Tally = field(default_factory=Tally)
    outcomes: dict[str, Tally] = field(default_factory=lambda: {o: Tally() for o in OUTCOMES})
    unaccounted: Tally = field(default_factory=Tally)
    no_amount: Tally = field(default_factory=Tally)  # counted, but not in any sum

    @property
    def created(self) -> Tally:
        return self.outcomes[Status.CREATED]

    @property
    def not_yet_created(self) -> Tally:
        total = Tally()
        for outcome in NOT_YET:
            total += self.outcomes[outcome]
        return total

    @property
    def check(self) -> Tally:
        """entered − created − not yet created: (0, 0) when every row is accounted for; its
        rows are the ones behind the difference."""
        created, not_yet = self.created, self.not_yet_created
        return Tally(self.entered.count - created.count - not_yet.count,
                     self.entered.amount - created.amount - not_yet.amount, sorted(self.unaccounted.rows))

    @property
    def ties(self) -> bool:
        check = self.check
        return check.count == 0 and check.amount == 0 and not check.rows


def control_totals(lines: Iterable[Line]) -> list[CurrencyTotals]:
    """Totals per (sheet, currency), sheets in template order, currencies alphabetically."""
    found: dict[tuple[str, str], CurrencyTotals] = {}
    for line in lines:
        totals = found.get((line.sheet, line.currency))
        if totals is None:
            totals = found[line.sheet, line.currency] = CurrencyTotals(line.sheet, line.currency)
        totals.entered.add(line)
        if line.amount is None:
            totals.no_amount.add(line)
        outcome = line.outcome
        if outcome is None:
            totals.unaccounted.add(line)
        else:
            totals.outcomes[outcome].add(line)
    order = list(TABLES)
    return sorted(found.values(), key=lambda t: (order.index(t.sheet) if t.sheet in order else len(order),
                                                 t.sheet, t.currency == NO_CURRENCY, t.currency))


# ------------------------------------------------------------------ reading a table


def lines_of(table: Table, layout: TableLayout, fmt: CellFormat = CellFormat()) -> list[Line]:
    """The filled rows of an input table as Lines. Never raises for a bad cell: an amount
    that cannot be read is None (counted, not summed), a bad currency is NO_CURRENCY."""
    lookup = header_lookup(layout)
    at: dict[str, int] = {}
    for position, header in enumerate(table.headers):
        name = lookup.get(normalize_header(header))
        if name is not None:
            at.setdefault(name, position)
    inputs = [p for name, p in at.items() if name in {c.name for c in layout.columns}]

    def cell(row: list[Any], name: str) -> Any:
        position = at.get(name)
        return row[position] if position is not None and position < len(row) else None

    def read(reader: Any, value: Any) -> Any:
        if isinstance(value, UncalculatedFormula):  # no value to read (validation says so on the row)
            return None
        try:
            return reader(value, fmt)
        except (CellError, TypeError, ValueError):
            return None

    lines: list[Line] = []
    for index, row in enumerate(table.rows):
        if all(_blank(row[p]) for p in inputs if p < len(row)):
            continue
        rootfi_id = read(read_id, cell(row, ROOTFI_ID))
        status = read(read_text, cell(row, STATUS))
        document = read(read_id, cell(row, "document_number"))
        when = read(read_date, cell(row, _DATE_FIELDS.get(layout.key, "")))
        currency = read(read_currency, cell(row, "currency_id"))
        if layout.key == CREDIT_NOTE_LINES.key:
            amount = _line_amount(read(read_number, cell(row, "quantity")), read(read_amount, cell(row, "unit_amount")),
                                  read(read_amount, cell(row, "discount_amount")),
                                  _blank(cell(row, "quantity")), _blank(cell(row, "discount_amount")))
        else:
            amount = to_decimal(read(read_amount, cell(row, "amount")))
        lines.append(Line(layout.key, table.row_number(index), currency or "", amount, status, rootfi_id,
                          document, when))
    return _credit_note_currencies(lines) if layout.key == CREDIT_NOTE_LINES.key else _named(lines)


def _line_amount(quantity: Any, unit: Any, discount: Any, no_quantity: bool, no_discount: bool) -> Decimal | None:
    """quantity × unit_amount − discount_amount, exactly; a blank quantity is 1 and a blank discount 0
    (as the API takes them); an unreadable one leaves the line without an amount."""
    quantity = Decimal(1) if no_quantity else to_decimal(quantity)
    discount = Decimal(0) if no_discount else to_decimal(discount)
    unit = to_decimal(unit)
    if quantity is None or discount is None or unit is None:
        return None
    return quantity * unit - discount


def _credit_note_currencies(lines: list[Line]) -> list[Line]:
    """Every line of a credit note in the credit note's currency (its first line that has one)."""
    currency: dict[str, str] = {}
    for line in lines:
        if line.document and line.currency:
            currency.setdefault(line.document, line.currency)
    return _named([_with_currency(line, currency.get(line.document or "", "")) if not line.currency else line
                   for line in lines])


def _with_currency(line: Line, currency: str) -> Line:
    return Line(line.sheet, line.row, currency, line.amount, line.status, line.rootfi_id, line.document, line.date)


def _named(lines: list[Line]) -> list[Line]:
    return [line if line.currency else _with_currency(line, NO_CURRENCY) for line in lines]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
