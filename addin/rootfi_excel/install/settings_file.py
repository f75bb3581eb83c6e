"""The add-in's user settings file, in the format xlwings' VBA reads.

One `"KEY","VALUE"` line per setting (VBA's `Input #` reads them; xlwings' own
`update_user_config` writes the same). No blank lines: blank config lines are a known
cause of "Could not activate Python COM server".
"""

from __future__ import annotations

import csv
import io
from pathlib import Path


def read_settings(path: Path) -> dict[str, str]:
    """KEY -> value (keys upper-cased, as the VBA compares them); {} when there is no file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}
    settings: dict[str, str] = {}
    for row in csv.reader(io.StringIO(text)):
        if row and row[0].strip():
            settings[row[0].strip().upper()] = row[1] if len(row) > 1 else ""
    return settings


def render_settings(settings: dict[str, str]) -> str:
    # CRLF: the file is read by VBA on Windows; macOS VBA accepts it too.
    return "".join(f'"{key}","{value}"\r\n' for key, value in settings.items())


def write_settings(path: Path, settings: dict[str, str]) -> None:
    for key, value in settings.items():
        if '"' in key or '"' in value or "\n" in value:
            raise ValueError(f"setting {key} cannot hold quotes or line breaks")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_settings(settings).encode("utf-8"))
