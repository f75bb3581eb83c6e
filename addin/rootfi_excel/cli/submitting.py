"""Submit from the command line: the application's Submit with a terminal, and the exit code
of what became of the rows (used by `submit` and `demo`)."""

from __future__ import annotations

from rootfi_excel.app.submit import DECLINED, DONE, SubmitRun, submit_with_settings
from rootfi_excel.app.totals import totals_ending
from rootfi_excel.cli.output import EXIT_INVALID, EXIT_OK, EXIT_UNUSABLE, print_submission, say
from rootfi_excel.cli.terminal_ui import TerminalUI
from rootfi_excel.cli.totals_output import print_totals
from rootfi_excel.messages import RESULTS_KEPT_IN_JOURNAL, words
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.engine import SubmitOptions


def run_submit(workbook, settings, requirements, problems, name: str, *, yes: bool,
               client=None, options: SubmitOptions | None = None, journal_path=None) -> tuple[int, SubmitRun]:
    """The submit flow on an open workbook (rootfi_excel.app.submit); used by `submit` and `demo`.
    Returns the exit code and the run."""
    run = submit_with_settings(
        workbook, TerminalUI(yes=yes), settings, requirements, problems, name=name, client=client,
        options=options, journal_path=journal_path, retry_hint=words(RESULTS_KEPT_IN_JOURNAL))
    return _finish(run, name), run


def _finish(run: SubmitRun, name: str) -> int:
    """Print what became of the rows; the exit code."""
    if run.ended == DECLINED:
        return EXIT_INVALID
    if run.ended != DONE:
        return EXIT_UNUSABLE
    submission = run.submission
    print_submission(submission, name)
    print_totals(run.totals)
    ending = totals_ending(run.totals, submission.plan.company.integration).strip()
    if ending:
        say(ending)
    if submission.aborted:
        if isinstance(submission.error, KeyboardInterrupt):  # the error boundary says "Stopped (Ctrl+C)": once
            raise submission.error
        say(f"Stopped early: {submission.aborted}", fg="red", err=True)
        if isinstance(submission.error, BaseException):  # the results are saved; now report the error
            raise submission.error
        return EXIT_UNUSABLE
    rows = sum(len(s.results) for s in submission.validation.sheets.values())
    if submission.needs_attention:
        return EXIT_INVALID
    return EXIT_OK if submission.count(Status.CREATED) == rows else EXIT_INVALID
