"""rootfi-excel validate BOOK.xlsx — check every row and write status/message back."""

from __future__ import annotations

from pathlib import Path

import click

from rootfi_excel.app.validate import validate as validate_and_mark
from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import EXIT_INVALID, EXIT_OK, print_notices, print_validation


@click.command(cls=GuardedCommand, short_help="Check BOOK's rows and mark what is wrong.",
               stopped="Stopped (Ctrl+C): {file} is never saved half-written; validate it again.")
@click.argument("book", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(book: Path) -> None:
    """Validate both sheets of BOOK and write status and message into its result columns.

    Exit code 0 when there are rows and every one is valid (ready to submit), 1 when
    something must be fixed first (invalid rows, a Settings problem, no rows at all),
    2 when the workbook cannot be used (a missing sheet or column, a damaged or
    read-only file).
    """
    from rootfi_excel.workbook.xlsx import XlsxWorkbook

    with XlsxWorkbook.open(book) as workbook:
        report = validate_and_mark(workbook)
        workbook.save()
    print_notices(workbook)
    print_validation(report, book.name)
    raise SystemExit(EXIT_OK if report.all_valid else EXIT_INVALID)
