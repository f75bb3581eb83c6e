"""The log file for support: where unexpected errors are written in full.

(The smallest version, for the ribbon's error boundary; the CLI's error boundary and
log file come with issue 6 and are meant to replace this module at merge.)

One file in platformdirs' user log folder (ROOTFI_EXCEL_HOME/logs when that is set, as
in tests). It never holds an API key: only tracebacks and the button or command name.
"""

from __future__ import annotations

import datetime as dt
import os
import traceback
from pathlib import Path

import platformdirs

FILE_NAME = "rootfi-excel.log"
MAX_BYTES = 2_000_000  # start again when it grows past this


def log_folder() -> Path:
    home = os.environ.get("ROOTFI_EXCEL_HOME")
    folder = Path(home) / "logs" if home else Path(platformdirs.user_log_dir("rootfi-excel", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_path() -> Path:
    return log_folder() / FILE_NAME


def log_exception(context: str, error: BaseException) -> Path:
    """Append the error with its traceback; returns the file's path (for the message)."""
    path = log_path()
    if path.exists() and path.stat().st_size > MAX_BYTES:
        path.replace(path.with_suffix(".old.log"))
    stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    detail = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"{stamp} {context}\n{detail}\n")
    return path
