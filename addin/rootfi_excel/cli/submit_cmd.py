"""rootfi-excel submit BOOK.xlsx — validate, show what will be sent, send, write results."""

from __future__ import annotations

from pathlib import Path

import click

from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import stop
from rootfi_excel.cli.submitting import run_submit
from rootfi_excel.app.submit import options_for
from rootfi_excel.sheets.settings import Overrides
from rootfi_excel.sheets.workbook_settings import read_workbook_settings
from rootfi_excel.submission.engine import SubmitOptions

STOPPED = ("Stopped (Ctrl+C): nothing more is sent. Every answer already received is in this computer's journal "
           "(and in {file} when it could be saved); submit {file} again to finish (nothing is sent twice).")
NOTE = ("Nothing is sent twice: answers already received are kept in this computer's journal, and the next submit "
        "writes them into the workbook.")


@click.command(cls=GuardedCommand, stopped=STOPPED, note=NOTE,
               short_help="Send BOOK's valid rows to RootFi; write results.")
@click.argument("book", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--base-url", help="API address (overrides Settings), e.g. a local sandbox's URL.")
@click.option("--company", "company_id", type=int, help="RootFi company id (overrides Settings).")
@click.option("--profile", "key_profile", help="Key profile in your keyring (overrides Settings).")
@click.option("--batch-size", type=click.IntRange(1, 1000), help="Records per bulk write (overrides Settings).")
@click.option("--lost-answer-wait", type=click.FloatRange(0), default=SubmitOptions.resend_after, show_default=True,
              help="Seconds a lost answer must age before it is looked up and, if not found, sent again.")
@click.option("--resend-rejected", is_flag=True,
              help="Send again rows the platform refused at an earlier Submit, even if unchanged.")
@click.option("--yes", is_flag=True, help="Do not ask before sending.")
def submit(book: Path, base_url: str | None, company_id: int | None, key_profile: str | None,
           batch_size: int | None, lost_answer_wait: float, resend_rejected: bool, yes: bool) -> None:
    """Validate BOOK, send its valid rows to RootFi and write status, rootfi_id and
    messages into its result columns. Rows already created are never sent again.

    Exit code 0 when every row ends Created, 1 when some did not (Invalid, Failed, or
    held back and not sent: Skipped, Pending, Unknown; the next submit settles those) or
    a row needs a look (a possible duplicate, a check that could not run), 2 when it
    could not start (nothing was sent), the run stopped early, or the results could not
    be saved (they are kept in the journal and written by the next submit).
    """
    from rootfi_excel.workbook.xlsx import XlsxWorkbook  # openpyxl: loaded when the command runs, not for --help

    with XlsxWorkbook.open(book) as workbook:
        settings, requirements, problems = read_workbook_settings(
            workbook, Overrides(base_url=base_url, company_id=company_id, key_profile=key_profile))
        if problems:
            stop(f"Fix the Settings sheet of {book.name} first:\n  " + "\n  ".join(problems))
        if batch_size:
            settings.batch_size = batch_size
        options = options_for(settings, resend_after=lost_answer_wait, resend_rejected=resend_rejected)
        code, _ = run_submit(workbook, settings, requirements, problems, book.name, yes=yes, options=options)
    raise SystemExit(code)


