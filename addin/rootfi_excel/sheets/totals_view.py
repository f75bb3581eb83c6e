"""Control totals shown: the Totals sheet's table, the terminal's table and the one line
that ends the Submit message. Pure: totals in, cells and text out.

Amounts are shown as text with the currency's decimals and thousands separators
("1,204,331.50"): exactly the Decimal that was summed, never a float, and the same on
every computer whatever its number formats.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from rootfi_excel.messages import (
    SEE_TOTALS,
    TOTALS_ALL_IN,
    TOTALS_NOT_ACCOUNTED,
    TOTALS_NOT_YET,
    TOTALS_NOTES,
    platform,
    plural,
)
from rootfi_excel.sheets.layout import TABLES, Status
from rootfi_excel.sheets.money import format_amount
from rootfi_excel.sheets.totals import (
    CHECK,
    ENTERED,
    NO_AMOUNT,
    NOT_YET,
    NOT_YET_CREATED,
    CurrencyTotals,
    Line,
    Tally,
)
from rootfi_excel.sheets.port import LookupTable

TOTALS_SHEET = "Totals"
TOTALS_TABLE = "ControlTotals"
TOTALS_TITLE = "Control totals: entered = created + not yet created (refreshed by Validate, Submit and Posted)"
# The amount (text, left-aligned) before the count (a number, right-aligned), and the rows
# said as "row 8": no two values of neighbouring columns print run together ("3 82.55").
HEADERS = ["sheet", "currency", "line", "amount", "count", "rows"]
# Outcomes whose rows are listed: the ones a person acts on (Created and Valid rows are many and fine).
_LISTED = {Status.FAILED, Status.PENDING, Status.UNKNOWN, Status.SKIPPED, Status.INVALID, Status.SEND_ANYWAY}
MAX_ROWS_SHOWN = 40


def rows_text(rows: Iterable[int], limit: int = MAX_ROWS_SHOWN) -> str:
    """[3, 4, 5, 9] -> '3-5, 9'; after `limit` runs, 'and 12 more rows'."""
    ordered = sorted(set(rows))
    runs: list[tuple[int, int]] = []
    for row in ordered:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    shown = [str(a) if a == b else f"{a}-{b}" for a, b in runs[:limit]]
    left = sum(b - a + 1 for a, b in runs[limit:])
    return ", ".join(shown) + (f" and {plural(left, 'more row')}" if left else "")


def rows_named(rows: Iterable[int], limit: int = MAX_ROWS_SHOWN) -> str:
    """'row 7' or 'rows 3-5, 9'."""
    rows = list(rows)
    return f"{'row' if len(set(rows)) == 1 else 'rows'} {rows_text(rows, limit)}"


def totals_lines(totals: CurrencyTotals) -> list[tuple[str, Tally, bool]]:
    """(line, tally, whether its rows are shown) in reading order: Entered, Created, each outcome
    not yet created that has rows, Not yet created, the check line; Amount not read when any."""
    lines = [(ENTERED, totals.entered, False), (Status.CREATED, totals.created, False)]
    lines += [(outcome, totals.outcomes[outcome], outcome in _LISTED) for outcome in NOT_YET
              if totals.outcomes[outcome].count]
    lines += [(NOT_YET_CREATED, totals.not_yet_created, False), (CHECK, totals.check, True)]
    if totals.no_amount.count:
        lines.append((NO_AMOUNT, totals.no_amount, True))
    return lines


def totals_table(totals: list[CurrencyTotals], separator: str = ".") -> LookupTable:
    """The Totals sheet's table: one row per line of each sheet and currency, then the notes."""
    rows: list[list[object]] = []
    for group in totals:
        sheet = TABLES[group.sheet].sheet if group.sheet in TABLES else group.sheet
        for line, tally, listed in totals_lines(group):
            amount = None if line == NO_AMOUNT else format_amount(tally.amount, group.currency, separator)
            rows.append([sheet, group.currency, line, amount, tally.count,
                         rows_named(tally.rows) if listed and tally.rows else None])
    for topic, note in TOTALS_NOTES:
        rows.append(["Note", None, topic, None, None, note])  # in the rows column: room to read it
    return LookupTable(TOTALS_TABLE, HEADERS, rows, sheet=TOTALS_SHEET, title=TOTALS_TITLE, one_page=True)


def totals_text(totals: list[CurrencyTotals], separator: str = ".") -> list[str]:
    """The terminal's table: one block per sheet and currency, amounts right-aligned."""
    body: list[tuple[str, str, str, str]] = []
    for group in totals:
        sheet = TABLES[group.sheet].sheet if group.sheet in TABLES else group.sheet
        body.append((f"{sheet}, {group.currency}", "", "", ""))
        for line, tally, listed in totals_lines(group):
            amount = "" if line == NO_AMOUNT else format_amount(tally.amount, group.currency, separator)
            body.append((f"  {line}", str(tally.count), amount, rows_named(tally.rows, 12)
                         if listed and tally.rows else ""))
    if not body:
        return []
    width = [max(len(r[i]) for r in body) for i in range(3)]
    return ["Control totals (the Totals sheet):"] + [
        f"{a:<{width[0]}}  {b:>{width[1]}}  {c:>{width[2]}}  {d}".rstrip() for a, b, c, d in body]


def _records(group_lines: list[Line], key: str) -> int:
    """How many records the lines make: a payment per row, a credit note per document number."""
    if key != "credit_note_lines":
        return len(group_lines)
    return len({line.document or f"row {line.row}" for line in group_lines})


def submit_line(totals: list[CurrencyTotals], lines: list[Line], integration: str | None,
                separator: str = ".") -> str:
    """The one line that ends the Submit message: 'All 812 payments, USD 1,204,331.50, are in
    NetSuite', or '3 payments, USD 4,210.00, are not yet: see the Totals sheet'."""
    by_row = {(line.sheet, line.row): line for line in lines}
    said: list[str] = []
    pointed = False  # 'see the Totals sheet' is said once, after the first part that needs it
    for key in TABLES:
        groups = [t for t in totals if t.sheet == key]
        if not groups:
            continue
        one, many = ("credit note", "credit notes") if key == "credit_note_lines" else ("payment", "payments")
        unaccounted = [by_row[key, r] for g in groups for r in g.check.rows]
        if unaccounted:
            said.append(TOTALS_NOT_ACCOUNTED.format(count=plural(len(unaccounted), "row"), sheet=TABLES[key].sheet,
                                                    are="is" if len(unaccounted) == 1 else "are")
                        + ("" if pointed else SEE_TOTALS))
            pointed = True
            continue
        waiting = {g.currency: [by_row[key, r] for r in g.not_yet_created.rows] for g in groups}
        waiting = {c: ls for c, ls in waiting.items() if ls}
        if waiting:
            count = sum(_records(ls, key) for ls in waiting.values())
            # Decimal(0): rows whose amount cannot be read add nothing (an int 0 cannot be formatted)
            amounts = _amounts({c: sum((line.amount or Decimal(0) for line in ls), Decimal(0))
                                for c, ls in waiting.items()}, separator)
            said.append(TOTALS_NOT_YET.format(count=count, records=one if count == 1 else many, amounts=amounts,
                                              are="is" if count == 1 else "are") + ("" if pointed else SEE_TOTALS))
            pointed = True
        else:
            created = [by_row[key, r] for g in groups for r in g.created.rows]
            count = _records(created, key)
            amounts = _amounts({g.currency: g.created.amount for g in groups}, separator)
            said.append(TOTALS_ALL_IN.format(all="All " if count > 1 else "", count=count,
                                             records=one if count == 1 else many, amounts=amounts,
                                             are="is" if count == 1 else "are", platform=platform(integration)))
    return "; ".join(said)


def _amounts(by_currency: dict, separator: str) -> str:
    parts = [f"{currency} {format_amount(amount, currency, separator)}"
             for currency, amount in sorted(by_currency.items())]
    return " and ".join(parts)

