"""rootfi-excel template [OUT] — write a blank copy of the workbook template."""

from __future__ import annotations

from pathlib import Path

import click

from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.app.new_book import write_template
from rootfi_excel.cli.arguments import check_workbook_name
from rootfi_excel.cli.output import say, stop


@click.command(cls=GuardedCommand, doing="write the template {file}", short_help="Write a blank workbook (the template).")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), default=Path("RootFi-Invoice-Import.xlsx"))
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def template(out: Path, force: bool) -> None:
    """Write a blank RootFi invoice-import workbook to OUT.

    \b
    OUT defaults to RootFi-Invoice-Import.xlsx in this folder.
    """
    check_workbook_name(out)
    if out.exists() and not force:
        stop(f"{out} exists; pass --force to overwrite it")
    write_template(out)
    say(f"Wrote {out}: fill in Settings, then the Invoice Payments and Credit Note Lines sheets.")
