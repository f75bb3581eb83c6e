"""rootfi-excel validate BOOK.xlsx — check every row and write status/message back."""

from __future__ import annotations

from pathlib import Path

import click

from rootfi_excel.app.validate import validate as validate_and_mark
from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import EXIT_INVALID, EXIT_OK, print_notices, print_validation
from rootfi_excel.cli.totals_output import print_totals


@click.command(cls=GuardedCommand, short_help="Check BOOK's rows and mark what is wrong.",
               stopped="Stopped (Ctrl+C): {file} is never saved half-written; validate it again.")
@click.argument("book", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--base-url", help="API address (overrides Settings), e.g. a local sandbox's URL.")
@click.option("--company", "company_id", type=int, help="RootFi company id (overrides Settings).")
@click.option("--profile", "key_profile", help="Key profile in your keyring (overrides Settings).")
def validate(book: Path, base_url: str | None, company_id: int | None, key_profile: str | None) -> None:
    """Validate both sheets of BOOK and write status and message into its result columns.

    References (invoices, customers, accounts, ...) are checked against the lookups that
    `rootfi-excel lookups` cached for the same Settings and options; without them, the ids
    are read from RootFi (with the key profile's key) or the rows say they were not checked.

    Exit code 0 when there are rows and every one is valid (ready to submit), 1 when
    something must be fixed first (invalid rows, a Settings problem, no rows at all),
    2 when the workbook cannot be used (a missing sheet or column, a damaged or
    read-only file).
    """
    from rootfi_excel.submission.run import Overrides
    from rootfi_excel.workbook.xlsx import XlsxWorkbook

    overrides = Overrides(base_url=base_url, company_id=company_id, key_profile=key_profile)
    with XlsxWorkbook.open(book) as workbook:
        report = validate_and_mark(workbook, overrides=overrides)
        workbook.save()
    print_notices(workbook)
    print_validation(report, book.name)
    print_totals(report.totals)
    raise SystemExit(EXIT_OK if report.all_valid else EXIT_INVALID)
