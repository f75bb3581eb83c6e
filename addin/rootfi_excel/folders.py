"""Where this computer keeps RootFi for Excel's own files: the journal, workbook locks and
the log. Never inside a workbook, and never a key.

ROOTFI_EXCEL_HOME moves all of them (tests point it at a temporary folder);
ROOTFI_EXCEL_LOG_DIR moves only the log.
"""

from __future__ import annotations

import os
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
