"""rootfi-excel template [OUT] — write a blank copy of the workbook template."""

from __future__ import annotations

from pathlib import Path

import click

from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import say, stop


@click.command(cls=GuardedCommand, doing="write the template {file}")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), default=Path("RootFi-Invoice-Import.xlsx"))
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def template(out: Path, force: bool) -> None:
    """Write a blank RootFi invoice-import workbook to OUT."""
    from rootfi_excel.workbook.template import build_template

    if out.exists() and not force:
        stop(f"{out} exists; pass --force to overwrite it")
    build_template(out)
    say(f"Wrote {out}: fill in Settings, then the Invoice Payments and Credit Note Lines sheets.")
