"""Checks of the command line's arguments that more than one command makes."""

from __future__ import annotations

from pathlib import Path

import click

from rootfi_excel.cli.output import stop
from rootfi_excel.safe_text import printable
from rootfi_excel.sandbox.faults import parse_fault


def parse_faults(text: str) -> dict[str, float]:
    """'429=0.2,500=0.1,drop@writes=0.1' -> {"429": 0.2, "500": 0.1, "drop@writes": 0.1}."""
    faults: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        name = name.strip()
        try:
            parse_fault(name)
        except ValueError as error:
            raise click.BadParameter(printable(str(error)), param_hint="--faults") from None
        try:
            faults[name] = float(value)
        except ValueError:
            raise click.BadParameter(f"'{printable(part)}' needs a probability, e.g. {printable(name)}=0.1",
                                     param_hint="--faults") from None
    return faults


def check_workbook_name(out: Path) -> None:
    """The file written is an .xlsx workbook: refuse another name rather than mislabel it."""
    if out.suffix.lower() != ".xlsx":
        stop(f"{out.name}: the workbook is an Excel .xlsx file; give a name ending in .xlsx "
             f"(e.g. {out.stem or 'book'}.xlsx). The template holds no macros, so not .xlsm: the add-in carries them.")
