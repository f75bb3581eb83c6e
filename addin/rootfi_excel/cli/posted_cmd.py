"""rootfi-excel posted BOOK.xlsx [--from DATE] [--to DATE] — the Posted sheet for a period
(without them, the Settings' posted_from/posted_to, as the Posted button; blank: this month)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from rootfi_excel.app.account import client_for
from rootfi_excel.app.posted import posted as show_posted
from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.opening import open_for_company
from rootfi_excel.cli.output import EXIT_OK, say, stop
from rootfi_excel.cli.terminal_ui import TerminalUI
from rootfi_excel.cli.totals_output import print_totals
from rootfi_excel.errors import WorkbookError
from rootfi_excel.lookups.posted_sheet import POSTED_SHEET
from rootfi_excel.sheets.settings import month_end


@click.command(cls=GuardedCommand, doing="list the posted records into {file}",
               short_help="List a period's posted records on BOOK.")
@click.argument("book", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="First day (without it: Settings posted_from/posted_to, blank = this month).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Last day (default: the end of --from's month).")
@click.option("--base-url", help="API address (overrides Settings), e.g. a local sandbox's URL.")
@click.option("--company", "company_id", type=int, help="RootFi company id (overrides Settings).")
@click.option("--profile", "key_profile", help="Key profile in your keyring (overrides Settings).")
def posted(book: Path, start: dt.datetime | None, end: dt.datetime | None, base_url: str | None,
           company_id: int | None, key_profile: str | None) -> None:
    """List the company's invoice payments and credit notes of a period on BOOK's Posted
    sheet: which rows of BOOK each came from, and possible duplicates (shared document numbers).
    """
    workbook, settings, chosen = open_for_company(book, base_url, company_id, key_profile)
    if start is None and end is not None:
        stop("--to needs --from.")
    period = None if start is None else (start.date(), end.date() if end is not None else month_end(start.date()))
    with client_for(chosen) as client:
        run = show_posted(workbook, TerminalUI(), settings, period=period, client=client)
    if run is None:
        stop(f"{book.name} was not changed.")
    try:
        workbook.save()
    except WorkbookError as error:
        stop(f"Cannot write the {POSTED_SHEET} sheet of {book.name}: {error}")
    say(f"Wrote them onto the {POSTED_SHEET} sheet of {book.name}.")
    print_totals(run.totals)
    raise SystemExit(EXIT_OK)
