"""The person's settings file of the add-in (rootfi.conf), read and rewritten for uninstall.

Setting values goes through the add-in package's own writer (addin_file.write_addin_settings
-> excel_addin.write_user_config). Removing a key, which that writer does not do, is
here, in the same format and encoding: one `"KEY","value"` line per key in the system's
code page, which is what VBA's `Input #` reads (and what xlwings writes for its own file).
"""

from __future__ import annotations

import locale
import os
import secrets
from pathlib import Path

from rootfi_excel.excel_addin.addin_settings import read_user_config


def read_settings(path: Path) -> dict[str, str]:
    """KEY -> value (keys upper-cased, as the VBA compares them); {} when there is no file."""
    return read_user_config(path)


def write_settings(path: Path, settings: dict[str, str]) -> None:
    """Replace the whole file with `settings` (atomically)."""
    for key, value in settings.items():
        if '"' in key + value or "\n" in value or "\r" in value:
            raise ValueError(f"setting {key} cannot hold quotes or line breaks")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f'"{key}","{value}"\n' for key, value in settings.items())
    data = text.replace("\n", os.linesep).encode(locale.getpreferredencoding(False))
    # a new file of its own (never through a link, never someone else's), then renamed over the file
    partial = path.with_name(f".{path.name}.{secrets.token_hex(6)}.partial")
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(partial, path)
    except BaseException:
        os.unlink(partial)
        raise
