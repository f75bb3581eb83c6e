"""rootfi-excel template [OUT] — write a blank copy of the workbook template."""

from __future__ import annotations

from pathlib import Path

import click

from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import say, stop


def check_workbook_name(out: Path) -> None:
    """The file written is an .xlsx workbook: refuse another name rather than mislabel it."""
    if out.suffix.lower() != ".xlsx":
        stop(f"{out.name}: the workbook is an Excel .xlsx file; give a name ending in .xlsx "
             f"(e.g. {out.stem or 'book'}.xlsx). The template holds no macros, so not .xlsm: the add-in carries them.")


@click.command(cls=GuardedCommand, doing="write the template {file}", short_help="Write a blank workbook (the template).")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), default=Path("RootFi-Invoice-Import.xlsx"))
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def template(out: Path, force: bool) -> None:
    """Write a blank RootFi invoice-import workbook to OUT.

    \b
    OUT defaults to RootFi-Invoice-Import.xlsx in this folder.
    """
    from rootfi_excel.workbook.template import build_template

    check_workbook_name(out)
    if out.exists() and not force:
        stop(f"{out} exists; pass --force to overwrite it")
    build_template(out)
    say(f"Wrote {out}: fill in Settings, then the Invoice Payments and Credit Note Lines sheets.")
