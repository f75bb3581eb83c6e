"""Refresh the Totals sheet: read both input tables as they now stand (results written),
total them (sheets/totals.py) and write the ControlTotals table through the port.

Called at the end of Validate, Submit and Posted, before the workbook is saved. The
totals are a view of what the rows say: a sheet that cannot be read is left out, and a
Totals sheet that cannot be written never undoes or hides the run's results (the reason
is returned for the caller to tell).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rootfi_excel.errors import WorkbookError
from rootfi_excel.failures import record
from rootfi_excel.lookups.ledger_totals import ledger_table, ledger_totals
from rootfi_excel.messages import LEDGER_DIFFERS, LEDGER_TIES, TOTALS_NOT_WRITTEN, TOTALS_UNEXPECTED
from rootfi_excel.sheets.cells import CellFormat
from rootfi_excel.sheets.layout import TABLES
from rootfi_excel.sheets.money import minor_units
from rootfi_excel.sheets.totals import CurrencyTotals, Line, control_totals, lines_of
from rootfi_excel.sheets.totals_view import submit_line, totals_table
from rootfi_excel.sheets.port import LookupTable, WorkbookPort


@dataclass
class WorkbookTotals:
    totals: list[CurrencyTotals] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    problem: str | None = None  # why the Totals sheet was not refreshed
    ledger: list[Any] = field(default_factory=list)  # lookups/ledger_totals.LedgerGroup, after Posted
    separator: str = "."  # the workbook's decimal separator (Settings), for amounts shown


def read_totals(port: WorkbookPort, fmt: CellFormat | None = None) -> WorkbookTotals:
    """The control totals of the workbook's rows as they stand now."""
    lines: list[Line] = []
    for layout in TABLES.values():
        try:
            table = port.read_table(layout)
        except WorkbookError:  # a workbook without that sheet has no rows on it
            continue
        lines += lines_of(table, layout, fmt or CellFormat())
    return WorkbookTotals(control_totals(lines), lines, separator=(fmt or CellFormat()).decimal_separator)


def refresh_totals(port: WorkbookPort, fmt: CellFormat | None = None, posted: Any = None) -> WorkbookTotals:
    """read_totals, then the Totals sheet rewritten; with `posted` (a lookups/posted.PostedReport),
    the ledger's table beside it. Never raises: it runs after a Submit's results are written
    and before they are saved, and nothing here may stop that save (an unexpected error is
    logged and said)."""
    try:
        return _refresh(port, fmt, posted)
    except Exception as error:  # noqa: BLE001 (a view must never cost the results)
        record(error, doing="refresh the Totals sheet")
        return WorkbookTotals(problem=TOTALS_NOT_WRITTEN.format(error=TOTALS_UNEXPECTED))


def _refresh(port: WorkbookPort, fmt: CellFormat | None, posted: Any) -> WorkbookTotals:
    found = read_totals(port, fmt)
    tables: list[LookupTable] = [totals_table(found.totals, found.separator)]
    if posted is not None and posted.period is not None:
        start, end = posted.period
        found.ledger = ledger_totals(posted.found, found.lines, start, end, posted.twins, found.separator)
        tables.append(ledger_table(found.ledger, start, end, found.separator))
    try:
        for table in tables:
            port.write_lookup_table(table)
    except WorkbookError as error:
        found.problem = TOTALS_NOT_WRITTEN.format(error=error)
    return found


def totals_ending(found: WorkbookTotals | None, integration: str | None) -> str:
    """The line that ends the Submit message ('All 812 payments, USD 1,204,331.50, are in NetSuite'),
    after a newline; and why the Totals sheet was not refreshed, when it was not."""
    if found is None:
        return ""
    said = [found.problem] if found.problem else []
    line = submit_line(found.totals, found.lines, integration, found.separator)
    return "".join(f"\n{text}" for text in [*said, line] if text)


def ledger_ending(found: WorkbookTotals) -> str:
    """The Posted message's last line: whether the platform's period ties to the workbook's Created rows."""
    differing = [g for g in found.ledger  # less than the currency's smallest unit is no difference
                 if g.difference.count or minor_units(g.difference.amount, g.currency) or g.behind]
    said = [found.problem] if found.problem else []
    if found.ledger:
        said.append(LEDGER_DIFFERS.format(count=len(differing)) if differing else LEDGER_TIES)
    return "".join(f"\n{text}" for text in said)
