"""rootfi-excel lookups BOOK.xlsx — refresh the company's lists and the Lookups sheet."""

from __future__ import annotations

from pathlib import Path

import click

from rootfi_excel.app.account import client_for
from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.opening import open_for_company
from rootfi_excel.app.lookups import refresh_lookups
from rootfi_excel.cli.output import EXIT_INVALID, EXIT_OK, EXIT_UNUSABLE, say, stop
from rootfi_excel.cli.terminal_ui import TerminalUI
from rootfi_excel.errors import WorkbookError


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
    workbook, settings, chosen = open_for_company(book, base_url, company_id, key_profile, own_company_only=True)
    with client_for(chosen) as client:
        report = refresh_lookups(workbook, TerminalUI(), settings, client=client, full=full,
                                 progress=lambda text: say(f"  {text}"))
    if report is None:
        raise SystemExit(EXIT_UNUSABLE)
    try:
        workbook.save()
    except WorkbookError as error:
        stop(f"The lists are cached, but {book.name} could not be saved: {error}")
    if not report.ok:  # said once, above: the progress lines never repeat it
        raise SystemExit(EXIT_INVALID)
    say(f"Wrote the live lists onto the Lookups sheet of {book.name}.")
    raise SystemExit(EXIT_OK)
