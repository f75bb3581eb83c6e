"""rootfi-excel submit BOOK.xlsx — validate, show what will be sent, send, write results."""

from __future__ import annotations

from pathlib import Path

import click

from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNUSABLE,
    print_notices,
    print_submission,
    progress_bar,
    say,
    stop,
)
from rootfi_excel.failures import record
from rootfi_excel.safe_text import hide
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.engine import SubmitAborted, SubmitOptions
from rootfi_excel.submission.journal import Journal, JournalError
from rootfi_excel.submission.run import (
    Overrides,
    plan_submission,
    read_settings_for_submit,
    send_planned,
    write_submission,
)
from rootfi_excel.workbook.port import WorkbookError

STOPPED = ("Stopped (Ctrl+C): nothing more is sent. Answers already received are kept in this computer's journal; "
           "submit {file} again to write them into it (nothing is sent twice).")
NOTE = ("Nothing is sent twice: answers already received are kept in this computer's journal, and the next submit "
        "writes them into the workbook.")


@click.command(cls=GuardedCommand, stopped=STOPPED, note=NOTE)
@click.argument("book", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--base-url", help="API address (overrides Settings), e.g. a local sandbox's URL.")
@click.option("--company", "company_id", type=int, help="RootFi company id (overrides Settings).")
@click.option("--profile", "key_profile", help="Key profile in your keyring (overrides Settings).")
@click.option("--batch-size", type=click.IntRange(1, 1000), help="Records per bulk write (overrides Settings).")
@click.option("--lost-answer-wait", type=click.FloatRange(0), default=SubmitOptions.resend_after, show_default=True,
              help="Seconds a lost answer must age before it is looked up and, if not found, sent again.")
@click.option("--yes", is_flag=True, help="Do not ask before sending.")
def submit(book: Path, base_url: str | None, company_id: int | None, key_profile: str | None,
           batch_size: int | None, lost_answer_wait: float, yes: bool) -> None:
    """Validate BOOK, send its valid rows to RootFi and write status, rootfi_id and
    messages into its result columns. Rows already created are never sent again.

    Exit code 0 when every row ends Created, 1 when some did not, 2 when nothing
    could be sent (workbook, key, company or journal problem) or the results could not
    be saved (they are kept in the journal and written by the next submit).
    """
    from rootfi_excel.workbook.xlsx import XlsxWorkbook

    with XlsxWorkbook.open(book) as workbook:
        settings, requirements, problems = read_settings_for_submit(
            workbook, Overrides(base_url=base_url, company_id=company_id, key_profile=key_profile))
        if problems:
            stop(f"Fix the Settings sheet of {book.name} first:\n  " + "\n  ".join(problems))
        if batch_size:
            settings.batch_size = batch_size
        options = SubmitOptions(batch_size=settings.batch_size, resend_after=lost_answer_wait)
        code = run_submit(workbook, settings, requirements, problems, book.name, yes=yes, options=options)
    raise SystemExit(code)


def run_submit(workbook, settings, requirements, problems, name: str, *, yes: bool,
               client=None, options: SubmitOptions | None = None, journal_path=None) -> int:
    """The submit flow on an open workbook; shared with `rootfi-excel demo`."""
    from rootfi_excel.api.client import RootFiClient
    from rootfi_excel.api.credentials import CredentialsError, get_api_key
    from rootfi_excel.api.errors import RootFiError

    own_client = client is None
    journal = None
    try:
        if own_client:
            key = get_api_key(settings.key_profile)
            hide(key)  # never in the log or a message
            client = RootFiClient(key, base_url=settings.base_url)
        try:
            journal = Journal(journal_path)  # nothing is sent without a journal to record it
        except JournalError as error:
            return _refuse(name, f"{error} Nothing was sent.", error)
        submission = plan_submission(client, workbook, settings, requirements, problems)
        plan = submission.plan
        print_notices(workbook)
        say(f"Company {settings.company_id}: {plan.company.name or ''} on {plan.company.integration} "
            f"({settings.base_url})")
        for sheet, count in plan.to_send.items():
            say(f"  {sheet}: {count} to send")
        if plan.invalid_rows:
            say(f"  {plan.invalid_rows} invalid rows will not be sent (see their message)", fg="yellow")
        if plan.already_created_rows:
            say(f"  {plan.already_created_rows} rows were created before and are skipped")
        if sum(plan.to_send.values()) and not yes:
            if not click.confirm("Send them now?", default=False):
                say("Nothing was sent.")
                return EXIT_INVALID
        with progress_bar() as progress:
            send_planned(submission, client, journal, options=options, progress=progress)
        write_submission(workbook, submission)
        try:
            workbook.save()
        except WorkbookError as error:
            record(error, doing=f"save the results into {name}")
            say(f"The results could not be written into {name}: {error}\n"
                "They are safe in this computer's journal: run submit again to write them "
                "(nothing will be sent twice).", fg="red", err=True)
            return EXIT_UNUSABLE
    except (CredentialsError, SubmitAborted) as error:
        return _refuse(name, str(error), error)
    except RootFiError as error:
        return _refuse(name, f"could not check the company: {error}. Nothing was sent.", error)
    finally:
        if journal is not None:
            journal.close()
        if own_client and client is not None:
            client.close()
    print_submission(submission, name)
    if submission.aborted:
        say(f"Stopped early: {submission.aborted}", fg="red", err=True)
        return EXIT_UNUSABLE
    rows = sum(len(s.results) for s in submission.validation.sheets.values())
    return EXIT_OK if submission.count(Status.CREATED) == rows else EXIT_INVALID


def _refuse(name: str, reason: str, error: Exception) -> int:
    """One line saying why the submit stopped; the error's detail goes to the log."""
    record(error, doing=f"submit {name}")
    say(f"Cannot submit {name}: {reason}", fg="red", err=True)
    return EXIT_UNUSABLE
