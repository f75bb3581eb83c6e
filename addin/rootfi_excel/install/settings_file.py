"""The person's settings file of the add-in (rootfi.conf), read and rewritten for uninstall.

Setting values goes through the add-in package's own writer (addin_file.write_addin_settings
-> excel_addin.write_user_config). Removing a key, which that writer does not do, is
here, in the same format and encoding: one `"KEY","value"` line per key in the system's
code page, which is what VBA's `Input #` reads (and what xlwings writes for its own file).
"""

from __future__ import annotations

import locale
import os
from pathlib import Path

from rootfi_excel.excel_addin.settings import read_user_config


def read_settings(path: Path) -> dict[str, str]:
    """KEY -> value (keys upper-cased, as the VBA compares them); {} when there is no file."""
    return read_user_config(path)


def write_settings(path: Path, settings: dict[str, str]) -> None:
    """Replace the whole file with `settings` (atomically)."""
    for key, value in settings.items():
        if '"' in key + value or "\n" in value or "\r" in value:
            raise ValueError(f"setting {key} cannot hold quotes or line breaks")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "w", encoding=locale.getpreferredencoding(False)) as handle:
            handle.write("".join(f'"{key}","{value}"\n' for key, value in settings.items()))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
