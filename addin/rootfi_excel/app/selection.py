"""Selected rows -> the whole units they belong to.

A selection is {table key: row indexes as read}. The whole workbook is always read and
validated (duplicates and credit notes need every row); a selection only narrows what
is written back and sent. A credit-note line brings in every line of its credit note,
because a credit note is sent whole.
"""

from __future__ import annotations

from rootfi_excel.messages import plural
from rootfi_excel.validation.workbook_validation import WorkbookValidation
from rootfi_excel.validation.validate import SheetValidation

Selection = dict[str, set[int]]  # layout key -> 0-based row indexes of the table


def narrow(report: WorkbookValidation, selection: Selection | None) -> WorkbookValidation:
    """The same report with only the selected rows (and the rest of their units)."""
    if selection is None:
        return report
    sheets: dict[str, SheetValidation] = {}
    for key, sheet in report.sheets.items():
        chosen = selection.get(key, set())
        units = [u for u in sheet.units if any(row.index in chosen for row in u.rows)]
        rows = chosen | {row.index for unit in units for row in unit.rows}
        results = {i: r for i, r in sheet.results.items() if i in rows}
        sheets[key] = SheetValidation(sheet.layout, units, results, sheet.columns,
                                      sheet.problems if chosen else [], [i for i in sheet.emptied if i in chosen])
    return WorkbookValidation(report.settings, sheets, report.problems)


def describe(report: WorkbookValidation) -> str:
    """'12 selected rows on Invoice Payments' (for messages)."""
    parts = [f"{plural(len(s.results), 'row')} on {s.layout.sheet}" for s in report.sheets.values() if s.results]
    return " and ".join(parts) or "no filled-in rows"
