"""Against the ledger: after Posted, the platform's count and sum of a period's payments and
credit notes by currency, split into "from this workbook" and "from elsewhere", and the
difference to this workbook's Created rows of the same period, naming what makes it up.

"From this workbook" is decided by identity only: a record whose rootfi_id a row of this
workbook holds. A record that merely looks like a row (same document number and invoice)
is from elsewhere, and named as a possible duplicate of the record it resembles.

Credit notes are compared before tax, as the workbook sums them (sheets/totals.py): the
platform's total_amount less its tax_amount. Pure: records and lines in, rows out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, TABLES, Status
from rootfi_excel.sheets.money import NO_CURRENCY, format_amount, minor_units, to_decimal
from rootfi_excel.sheets.totals import Line
from rootfi_excel.sheets.totals_view import TOTALS_SHEET, rows_named
from rootfi_excel.workbook.port import LookupTable

LEDGER_TABLE = "LedgerTotals"
LEDGER_HEADERS = ["type", "currency", "line", "amount", "count", "records and rows"]  # as the control totals
PLATFORM = "In the platform"
FROM_WORKBOOK = "  from this workbook (by rootfi_id)"
ELSEWHERE = "  from elsewhere"
CREATED = "This workbook's Created rows"
DIFFERENCE = "Difference: platform - workbook Created"
BEHIND = "  made up of"
# model -> (label, the sheet its rows are on)
MODELS = {"invoice_payments": ("Payments", PAYMENTS.key), "invoice_credit_notes": ("Credit notes", CREDIT_NOTE_LINES.key)}
MAX_NAMED = 30


@dataclass
class Side:
    count: int = 0
    amount: Decimal = Decimal(0)
    named: list[str] = field(default_factory=list)


@dataclass
class LedgerGroup:
    model: str
    currency: str
    platform: Side = field(default_factory=Side)
    from_workbook: Side = field(default_factory=Side)
    elsewhere: Side = field(default_factory=Side)
    created: Side = field(default_factory=Side)
    behind: list[str] = field(default_factory=list)  # what makes up the difference

    @property
    def difference(self) -> Side:
        return Side(self.platform.count - self.created.count, self.platform.amount - self.created.amount, self.behind)


def record_amount(model: str, record: dict[str, Any]) -> Decimal:
    """A payment's amount; a credit note's total before tax (total_amount − tax_amount)."""
    if model == "invoice_payments":
        return to_decimal(_number(record.get("amount"))) or Decimal(0)
    total = to_decimal(_number(record.get("total_amount"))) or Decimal(0)
    return total - (to_decimal(_number(record.get("tax_amount"))) or Decimal(0))


def ledger_totals(found: dict[str, list[dict[str, Any]]], lines: list[Line], start: dt.date, end: dt.date,
                  twins: dict[str, dict[str, str]] | None = None, separator: str = ".") -> list[LedgerGroup]:
    """`found`: the period's records by model (as Posted read them); `lines`: this workbook's rows
    (sheets/totals.lines_of); `twins`: model -> {rootfi_id: 'same document number as rootfi_id 12'}."""
    groups: dict[tuple[str, str], LedgerGroup] = {}

    def group(model: str, currency: str) -> LedgerGroup:
        return groups.setdefault((model, currency), LedgerGroup(model, currency))

    for model, (_, sheet) in MODELS.items():
        rows_by_id: dict[str, list[Line]] = {}
        for line in lines:
            if line.sheet == sheet and line.rootfi_id:
                rows_by_id.setdefault(line.rootfi_id, []).append(line)
        in_platform: dict[str, dict[str, Any]] = {}
        for record in found.get(model, []):
            rootfi_id = _id(record.get("rootfi_id"))
            in_platform[rootfi_id] = record
            currency = str(record.get("currency_id") or NO_CURRENCY).upper()
            amount = record_amount(model, record)
            g = group(model, currency)
            _add(g.platform, amount)
            if rootfi_id in rows_by_id:
                _add(g.from_workbook, amount)
                continue
            _add(g.elsewhere, amount)
            twin = (twins or {}).get(model, {}).get(rootfi_id)
            name = _record_name(record, rootfi_id, format_amount(amount, currency, separator))
            if twin:
                origins = [f"rootfi_id {t}" + (f", {TABLES[sheet].sheet} {rows_named(line.row for line in rows_by_id[t])}"
                                               if t in rows_by_id else "") for t in _ids_in(twin)]
                name += f": possible duplicate of {'; '.join(origins)}"
            else:
                name += ": not from this workbook"
            g.behind.append(name)
        created: dict[str, list[Line]] = {}
        for rootfi_id, its_lines in rows_by_id.items():
            first = its_lines[0]
            if first.outcome == Status.CREATED and first.date is not None and start <= first.date <= end:
                created[rootfi_id] = its_lines
        for rootfi_id, its_lines in created.items():
            currency = its_lines[0].currency
            amount = sum((line.amount or 0 for line in its_lines), Decimal(0))
            g = group(model, currency)
            _add(g.created, amount)
            rows = f"{TABLES[sheet].sheet} {rows_named(line.row for line in its_lines)}"
            record = in_platform.get(rootfi_id)
            if record is None:
                g.behind.append(f"{rows} (rootfi_id {rootfi_id}): Created, but not in the platform's list for the "
                                "period (deleted there, or its date changed)")
                continue
            theirs = record_amount(model, record)
            if minor_units(theirs, currency) != minor_units(amount, currency):
                g.behind.append(f"{rows} (rootfi_id {rootfi_id}): {format_amount(amount, currency, separator)} here, "
                                f"{format_amount(theirs, currency, separator)} in the platform (rounding or a change there)")
        for rootfi_id, record in in_platform.items():  # from this workbook, but its rows are not Created in the period
            if rootfi_id in rows_by_id and rootfi_id not in created:
                its_lines = rows_by_id[rootfi_id]
                currency = str(record.get("currency_id") or NO_CURRENCY).upper()
                group(model, currency).behind.append(
                    f"{TABLES[sheet].sheet} {rows_named(line.row for line in its_lines)} (rootfi_id {rootfi_id}): "
                    f"in the platform's period, but the row's date or status says otherwise")
    order = list(MODELS)
    return sorted(groups.values(), key=lambda g: (order.index(g.model), g.currency))


def ledger_table(groups: list[LedgerGroup], start: dt.date, end: dt.date, separator: str = ".") -> LookupTable:
    """The ledger's table, beside the control totals on the Totals sheet."""
    rows: list[list[Any]] = []
    for g in groups:
        label = MODELS[g.model][0]
        for line, side in ((f"{PLATFORM}, {start:%d %b %Y} to {end:%d %b %Y}", g.platform),
                           (FROM_WORKBOOK, g.from_workbook), (ELSEWHERE, g.elsewhere), (CREATED, g.created),
                           (DIFFERENCE, g.difference)):
            rows.append([label, g.currency, line, format_amount(side.amount, g.currency, separator), side.count, None])
        # One row per record or row behind the difference: short lines print on one page.
        for text in g.behind[:MAX_NAMED]:
            rows.append([label, g.currency, BEHIND, None, None, text])
        if len(g.behind) > MAX_NAMED:
            rows.append([label, g.currency, BEHIND, None, None, f"and {len(g.behind) - MAX_NAMED} more"])
    return LookupTable(LEDGER_TABLE, LEDGER_HEADERS, rows, sheet=TOTALS_SHEET,
                       title="Against the ledger (refreshed by Posted; credit notes before tax)", one_page=True)


def ledger_text(groups: list[LedgerGroup], separator: str = ".") -> list[str]:
    """The terminal's lines: one per type and currency, and what makes up each difference."""
    said = ["Against the ledger (the Totals sheet):"] if groups else []
    for g in groups:
        label = MODELS[g.model][0]
        def money(amount: Decimal) -> str:
            return format_amount(amount, g.currency, separator)

        said.append(f"  {label}, {g.currency}: platform {g.platform.count} ({money(g.platform.amount)})"
                    f" = {g.from_workbook.count} from this workbook + {g.elsewhere.count} from elsewhere; "
                    f"workbook Created {g.created.count} ({money(g.created.amount)}); "
                    f"difference {g.difference.count} ({money(g.difference.amount)})")
        said += [f"    {text}" for text in g.behind[:12]]
        if len(g.behind) > 12:
            said.append(f"    ... and {len(g.behind) - 12} more: see the Totals sheet")
    return said


def _add(side: Side, amount: Decimal) -> None:
    side.count += 1
    side.amount += amount


def _record_name(record: dict[str, Any], rootfi_id: str, amount: str) -> str:
    number = record.get("document_number")
    return f"rootfi_id {rootfi_id}{f' ({number})' if number else ''} {amount}"


def _ids_in(twin: str) -> list[str]:
    """'same document number as rootfi_id 12, 15' -> ['12', '15']."""
    return [part.strip() for part in twin.rsplit("rootfi_id", 1)[-1].split(",") if part.strip()]


def _id(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return value
