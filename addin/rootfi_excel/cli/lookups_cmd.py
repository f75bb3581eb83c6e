"""rootfi-excel lookups BOOK.xlsx — refresh the company's lists and the Lookups sheet."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import EXIT_INVALID, EXIT_OK, say, stop


@click.command(cls=GuardedCommand, doing="refresh the lookups of {file}",
               short_help="Refresh BOOK's lookups: customers, invoices, accounts.")
@click.argument("book", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--base-url", help="API address (overrides Settings), e.g. a local sandbox's URL.")
@click.option("--company", "company_id", type=int,
              help="RootFi company id, when Settings has none; another company than Settings' is refused.")
@click.option("--profile", "key_profile", help="Key profile in your keyring (overrides Settings).")
@click.option("--full", is_flag=True, help="Read every list whole instead of only what changed.")
def lookups(book: Path, base_url: str | None, company_id: int | None, key_profile: str | None, full: bool) -> None:
    """Refresh the lookup cache of BOOK's company and write its live lists (customers, open
    invoices, accounts, currencies, tax rates, items) onto the Lookups sheet.

    Exit code 0 when refreshed, 1 when the refresh failed (the previous lists are kept),
    2 when nothing could be done (workbook, settings or key problem).
    """
    from rootfi_excel.app.account import client_for
    from rootfi_excel.lookups.cache import LookupCache, default_path
    from rootfi_excel.lookups.workbook import refresh_workbook
    from rootfi_excel.sheets.port import WorkbookError

    workbook, settings, chosen = open_for_company(book, base_url, company_id, key_profile, own_company_only=True)
    try:
        with client_for(chosen) as client, LookupCache() as cache:
            report = refresh_workbook(workbook, client, cache, settings, full=full,
                                      progress=lambda text: say(f"  {text}"))
    except sqlite3.Error as error:
        if _busy(error):  # another refresh (another window, the ribbon) is writing it: nothing is damaged
            stop(f"Another refresh of the lookups is writing the cache ({default_path()}) right now; try again in a "
                 f"minute. {book.name} was not changed.")
        stop(f"The lookups cache ({default_path()}) cannot be used ({error}); delete that file and refresh again. "
              f"{book.name} was not changed.")
    try:
        workbook.save()
    except WorkbookError as error:
        stop(f"The lists are cached, but {book.name} could not be saved: {error}")
    if not report.ok:  # said once, here: the progress lines above never repeat it
        say(report.summary(), fg="red", err=True)
        raise SystemExit(EXIT_INVALID)
    say(report.summary())
    say(f"Wrote the live lists onto the Lookups sheet of {book.name}.")
    raise SystemExit(EXIT_OK)


def _busy(error: sqlite3.Error) -> bool:
    return isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error))


def open_for_company(book: Path, base_url: str | None, company_id: int | None, key_profile: str | None,
                     own_company_only: bool = False):
    """The workbook, its settings (with the command line's overrides) and the key chosen for
    their address (app.account.choose_key); stops with a message when the workbook, its
    company_id or a key for that address is missing, before anything connects. Shared by `posted`.

    own_company_only: refuse a --company other than the one the workbook's Settings name
    (lists written into the workbook must be its own company's: Validate checks against them)."""
    from rootfi_excel.api.credentials import CredentialsError
    from rootfi_excel.app.account import choose_key
    from rootfi_excel.sheets.settings import Overrides, apply_overrides
    from rootfi_excel.validation.run import read_workbook_settings
    from rootfi_excel.sheets.port import WorkbookError
    from rootfi_excel.workbook.xlsx import XlsxWorkbook

    try:
        workbook = XlsxWorkbook.open(book)
        settings, _, problems = read_workbook_settings(workbook)
    except WorkbookError as error:
        stop(f"Cannot use {book.name}: {error}")
    for problem in problems:
        say(f"  ! {problem}", fg="yellow")
    named = settings.company_id
    if own_company_only and company_id is not None and named is not None and company_id != named:
        stop(f"{book.name} is company {named}'s workbook (Settings: company_id), so company {company_id}'s lists "
             f"were not written into it: Validate would check its rows against another company. Run without "
             f"--company, or change company_id on its Settings sheet to {company_id} first.")
    apply_overrides(settings, Overrides(base_url=base_url, company_id=company_id, key_profile=key_profile))
    if settings.company_id is None:
        stop("Settings: company_id is empty; fill in your RootFi company id (or pass --company).")
    try:
        chosen = choose_key(settings)
    except CredentialsError as error:
        stop(str(error))
    return workbook, settings, chosen

