"""Validate: check every row, write status and message, say what to fix."""

from __future__ import annotations

from typing import Any

from rootfi_excel.app.account import open_client
from rootfi_excel.app.selection import Selection, narrow
from rootfi_excel.app.totals import refresh_totals
from rootfi_excel.errors import JournalError
from rootfi_excel.sheets.layout import WORKBOOK_ID
from rootfi_excel.sheets.settings import Overrides
from rootfi_excel.submission import row_keys
from rootfi_excel.submission.journal import Journal, default_path
from rootfi_excel.validation.workbook_validation import WorkbookValidation, validate_workbook, write_validation
from rootfi_excel.sheets.port import WorkbookPort


def validate(port: WorkbookPort, selection: Selection | None = None, overrides: Overrides | None = None, *,
             client: Any = None) -> WorkbookValidation:
    """Validate the whole workbook and write the results of every row (or only of the
    selected rows and their credit notes). Every row gets its key and the workbook its id
    the first time (submission/row_keys.py). Raises WorkbookError when it cannot be used.

    overrides: the command line's --base-url/--company/--profile. Without lookups of the
    company on this computer, the rows' ids are read from RootFi with the key of the key
    profile (only then is the key store read). client: read them with this one instead (the demo's sandbox)."""
    full = validate_workbook(port, overrides, client=client, connect=open_client)
    keying = _give_keys(full)
    if keying.workbook_id:
        port.write_setting(WORKBOOK_ID, keying.workbook_id)  # (a workbook without Settings: Submit says so)
    report = narrow(full, selection)
    write_validation(port, report, keying.rows)
    report.totals = refresh_totals(port, full.settings.cell_format)  # the whole workbook's, not the selection's
    return report


def _give_keys(report: WorkbookValidation) -> row_keys.Keying:
    """Keys for the rows; the journal (when this computer has one) tells rows that share a key apart."""
    path = default_path()
    if not path.exists():
        return row_keys.assign(report)
    try:
        with Journal(path) as journal:
            return row_keys.assign(report, journal)
    except JournalError:
        return row_keys.assign(report)  # Submit says what is wrong with the journal


def summary(report: WorkbookValidation) -> str:
    """The end-of-run message for a message box."""
    return "\n".join([*report.problems, *report.summary_lines(), report.verdict()])
