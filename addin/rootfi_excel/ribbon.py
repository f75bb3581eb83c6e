"""Entry points of the Excel ribbon buttons (xlwings RunPython).

The add-in's only VBA callback passes the button's tag here:

    RunPython "import rootfi_excel.ribbon as r; r.dispatch('validate')"

so a new button is ribbon XML plus a function in BUTTONS. Each function is a few lines:
get the calling workbook, call the core, write the results, tell the person.
"""

from __future__ import annotations

from typing import Any, Callable

from rootfi_excel.sheets.layout import Status
from rootfi_excel.validation.run import validate_workbook, write_validation
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.workbook.port import WorkbookError

TITLE = "RootFi"


def validate(workbook: ExcelWorkbook | None = None) -> str:
    workbook = workbook or ExcelWorkbook.caller()
    try:
        report = validate_workbook(workbook)
        write_validation(workbook, report)
    except WorkbookError as error:
        return _tell(workbook, f"This workbook cannot be used as it is: {error}")
    lines = [*report.problems, *report.summary_lines()]
    lines.append("All rows are valid." if report.all_valid else
                 "Fix the rows marked Invalid (the message column says how), then Validate again.")
    return _tell(workbook, "\n".join(lines))


def submit(workbook: ExcelWorkbook | None = None, *, client: Any = None, journal_path: Any = None) -> str:
    from rootfi_excel.api.client import RootFiClient
    from rootfi_excel.api.credentials import CredentialsError, get_api_key
    from rootfi_excel.api.errors import RootFiError
    from rootfi_excel.submission.engine import SubmitAborted
    from rootfi_excel.submission.journal import Journal
    from rootfi_excel.submission.run import (
        Overrides,
        plan_submission,
        read_settings_for_submit,
        send_planned,
        write_submission,
    )

    workbook = workbook or ExcelWorkbook.caller()
    own_client = client is None
    try:
        settings, requirements, problems = read_settings_for_submit(workbook, Overrides())
        if problems:
            return _tell(workbook, "Fix the Settings sheet first:\n" + "\n".join(problems))
        if own_client:
            client = RootFiClient(get_api_key(settings.key_profile), base_url=settings.base_url)
        submission = plan_submission(client, workbook, settings, requirements, problems)
        count = sum(submission.plan.to_send.values())
        if count and not _ask(workbook, f"Send {count} records to {submission.plan.company.name or ''} "
                                        f"({submission.plan.company.integration})?"):
            return _tell(workbook, "Nothing was sent.")
        with Journal(journal_path) as journal:
            send_planned(submission, client, journal, progress=lambda done, total, text:
                         workbook.status(f"RootFi: {text} ({done}/{total})"))
        write_submission(workbook, submission)
    except (CredentialsError, SubmitAborted, WorkbookError) as error:
        return _tell(workbook, str(error))
    except RootFiError as error:
        return _tell(workbook, f"Could not reach RootFi: {error}. Nothing was sent.")
    finally:
        workbook.status(None)
        if own_client and client is not None:
            client.close()
    counts = ", ".join(f"{submission.count(s)} {s.lower()}" for s in Status.ALL if submission.count(s))
    notes = [f"{submission.possible_duplicates} possible duplicates: see their rows"] \
        if submission.possible_duplicates else []
    notes += submission.warnings
    notes += [f"Stopped early: {submission.aborted}"] if submission.aborted else []
    extra = "".join(f"\n{note}" for note in notes)
    return _tell(workbook, f"Submitted: {counts}. Each row's status column says what became of it.{extra}")


BUTTONS: dict[str, Callable[..., str]] = {"validate": validate, "submit": submit}


def dispatch(tag: str) -> str:
    """The one VBA callback lands here with the ribbon button's tag."""
    return BUTTONS[tag]()


def _tell(workbook: ExcelWorkbook, text: str) -> str:
    workbook.book.app.alert(text, title=TITLE)
    return text


def _ask(workbook: ExcelWorkbook, text: str) -> bool:
    return workbook.book.app.alert(text, title=TITLE, buttons="yes_no") == "yes"
