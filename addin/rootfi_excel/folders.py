"""Where this computer keeps RootFi for Excel's own files: the journal, workbook locks and
the log. Never inside a workbook, and never a key.

ROOTFI_EXCEL_HOME moves all of them (tests point it at a temporary folder);
ROOTFI_EXCEL_LOG_DIR moves only the log.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import platformdirs

APP = "rootfi-excel"


def data_dir() -> Path:
    home = os.environ.get("ROOTFI_EXCEL_HOME")
    return Path(home) if home else Path(platformdirs.user_data_dir(APP, appauthor=False))


def log_dir() -> Path:
    chosen = os.environ.get("ROOTFI_EXCEL_LOG_DIR")
    if chosen:
        return Path(chosen)
    home = os.environ.get("ROOTFI_EXCEL_HOME")
    if home:
        return Path(home) / "logs"
    return Path(platformdirs.user_log_dir(APP, appauthor=False))


@contextlib.contextmanager
def private_files() -> Iterator[None]:
    """Files and folders created inside this block are the user's alone (0600/0700 on POSIX).

    The journal and the lookup cache hold customers and invoices; a umask also covers the
    side files SQLite makes itself (-wal, -shm, -journal). On Windows the umask has no
    such effect and the user's profile folder already keeps others out: nothing is done.
    """
    if os.name != "posix":
        yield
        return
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def make_private_folder(path: Path) -> None:
    """Create `path` and any missing parents, readable only by the user (POSIX)."""
    with private_files():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
