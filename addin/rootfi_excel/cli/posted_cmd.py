"""rootfi-excel posted BOOK.xlsx [--from DATE] [--to DATE] — the Posted sheet for a period
(without them, the Settings' posted_from/posted_to, as the Posted button; blank: this month)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import click

from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import EXIT_OK, say, stop
from rootfi_excel.messages import key_refused, unreachable


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
    from rootfi_excel.api.errors import AuthError, NetworkError, RootFiError
    from rootfi_excel.app.totals import refresh_totals
    from rootfi_excel.cli.totals_output import print_totals
    from rootfi_excel.app.account import client_for
    from rootfi_excel.cli.lookups_cmd import open_for_company
    from rootfi_excel.lookups.place import cache_key
    from rootfi_excel.lookups.posted import POSTED_SHEET, posted_with_cached_names
    from rootfi_excel.sheets.settings import month_end
    from rootfi_excel.workbook.port import WorkbookError

    workbook, settings, chosen = open_for_company(book, base_url, company_id, key_profile)
    if start is None:
        if end is not None:
            stop("--to needs --from.")
        if settings.posted_problems:
            stop(" ".join(settings.posted_problems) + " (or give --from and --to).")
        start_day, end_day = settings.posted_period()
    else:
        start_day = start.date()
        end_day = end.date() if end is not None else month_end(start_day)
    if end_day < start_day:
        stop(f"The period ends ({end_day}) before it starts ({start_day}).")
    say(f"Period: {start_day} to {end_day}.")
    try:
        with client_for(chosen) as client:
            report = posted_with_cached_names(client, workbook, cache_key(settings), start_day, end_day)
    except NetworkError as error:
        stop(f"{unreachable(settings.base_url, error)} {book.name} was not changed.")
    except AuthError:
        stop(f"{key_refused(settings.base_url, settings.key_profile, settings.company_id)} {book.name} was not "
             "changed.")
    except (RootFiError, sqlite3.Error) as error:
        stop(f"Could not read the company's records: {error}. {book.name} was not changed.")
    try:
        workbook.write_lookup_table(report.table)
        totals = refresh_totals(workbook, settings.cell_format, report)
        workbook.save()
    except WorkbookError as error:
        stop(f"Cannot write the {POSTED_SHEET} sheet of {book.name}: {error}")
    say(report.summary())
    say(f"Wrote them onto the {POSTED_SHEET} sheet of {book.name}.")
    print_totals(totals)
    raise SystemExit(EXIT_OK)

