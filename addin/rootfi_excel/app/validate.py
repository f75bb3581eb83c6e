"""Validate: check every row, write status and message, say what to fix."""

from __future__ import annotations

from typing import Any

from rootfi_excel.app.account import open_client
from rootfi_excel.app.selection import Selection, narrow
from rootfi_excel.validation.run import WorkbookValidation, validate_workbook, write_validation
from rootfi_excel.workbook.port import WorkbookPort


def validate(port: WorkbookPort, selection: Selection | None = None, overrides: Any = None) -> WorkbookValidation:
    """Validate the whole workbook and write the results of every row (or only of the
    selected rows and their credit notes). Raises WorkbookError when it cannot be used.

    overrides: the command line's --base-url/--company/--profile. Without lookups of the
    company on this computer, the rows' ids are read from RootFi with the key of the key
    profile (only then is the key store read)."""
    report = narrow(validate_workbook(port, overrides, connect=open_client), selection)
    write_validation(port, report)
    return report


def summary(report: WorkbookValidation) -> str:
    """The end-of-run message for a message box."""
    return "\n".join([*report.problems, *report.summary_lines(), report.verdict()])
