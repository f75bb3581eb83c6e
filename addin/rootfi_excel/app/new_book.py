"""New workbook: a fresh copy of the template, keeping the current workbook's settings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from rootfi_excel.workbook.template import build_template

# Settings a team sets once per company; copied into a new workbook made from a RootFi one.
CARRIED_SETTINGS = ("company_id", "integration", "environment", "base_url", "key_profile", "date_order",
                    "decimal_separator", "time_zone", "batch_size")


def default_path(folder: Path | None = None, today: dt.date | None = None) -> Path:
    """Documents/RootFi-Invoice-Import-2026-03-31.xlsx, never an existing file."""
    if folder is None:
        documents = Path.home() / "Documents"
        folder = documents if documents.is_dir() else Path.home()
    stem = f"RootFi-Invoice-Import-{(today or dt.date.today()).isoformat()}"
    path = folder / f"{stem}.xlsx"
    number = 2
    while path.exists():
        path = folder / f"{stem} ({number}).xlsx"
        number += 1
    return path


def write_template(path: Path) -> Path:
    """A blank workbook (the template) at `path`: `rootfi-excel template`."""
    return build_template(path)


def new_workbook(path: Path, current_settings: dict[str, Any] | None = None) -> Path:
    """Write the template to `path` with the settings worth carrying over (never a key)."""
    carried = {name: value for name, value in (current_settings or {}).items()
               if name in CARRIED_SETTINGS and value not in (None, "")}
    return build_template(path, settings=carried)
