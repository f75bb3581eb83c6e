"""What the terminal shows after Submit: new problems first, and how many are not listed."""

from __future__ import annotations

from types import SimpleNamespace

from click.testing import CliRunner
import click

from rootfi_excel.cli.output import MAX_ROWS_SHOWN, print_submission
from rootfi_excel.sheets.layout import PAYMENTS, Status
from rootfi_excel.submission.context import Outcome
from rootfi_excel.submission.workbook_submission import WorkbookSubmission
from rootfi_excel.validation.workbook_validation import WorkbookValidation


def _submission(invalid: int, failed: int) -> WorkbookSubmission:
    results = {}
    outcomes = {}
    for index in range(invalid + failed):
        status = Status.INVALID if index < invalid else Status.VALID
        results[index] = SimpleNamespace(status=status, row_number=index + 2,
                                         message=f"amount: must be above zero (row {index + 2})"
                                         if status == Status.INVALID else "")
        if index >= invalid:
            outcomes[index] = Outcome(Status.FAILED, f"the platform refused row {index + 2}")
    sheet = SimpleNamespace(layout=PAYMENTS, results=results)
    settings = SimpleNamespace(integration="NETSUITE")
    return WorkbookSubmission(WorkbookValidation(settings, {"payments": sheet}), outcomes={"payments": outcomes},
                              requests_used=3)


def _printed(submission: WorkbookSubmission) -> list[str]:
    @click.command()
    def show() -> None:
        print_submission(submission, "book.xlsx")

    return CliRunner().invoke(show).output.splitlines()


def test_the_submit_summary_lists_new_failures_first_and_says_how_many_more():
    lines = _printed(_submission(invalid=7, failed=5))
    rows = [line for line in lines if " row " in line]
    assert len(rows) == MAX_ROWS_SHOWN
    assert all("Failed" in line for line in rows[:5]), rows  # not seen before: first
    assert all("Invalid" in line for line in rows[5:]), rows  # shown at Validate already: after
    assert any("and 4 more" in line for line in lines), lines  # 12 rows to look at, 8 shown


def test_the_submit_summary_says_nothing_more_when_every_row_is_listed():
    lines = _printed(_submission(invalid=2, failed=1))
    assert len([line for line in lines if " row " in line]) == 3
    assert not any("more" in line for line in lines)


def test_long_messages_wrap_between_words_at_the_terminal_width():
    from rootfi_excel.cli.output import wrapped

    text = ("  Invoice Payments row 8 Failed: amount 26890.69 is more than the amount due 11614.03 on invoice "
            "INV-10461 (invoice_id '525'); correct the amount and submit again")
    lines = wrapped(text, 80).splitlines()
    assert len(lines) > 1 and all(len(line) < 80 for line in lines)
    assert " ".join(line.strip() for line in lines) == " ".join(text.split())  # no word cut or lost
    assert all(line.startswith("    ") for line in lines[1:])  # continuation indented under the text
