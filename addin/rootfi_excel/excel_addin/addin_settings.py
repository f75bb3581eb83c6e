"""The add-in's own settings: which Python runs the buttons, and what is on its path.

xlwings' VBA module in a custom add-in (PROJECT_NAME "rootfi") reads each setting from
the first of these places that has it (`GetConfig` in xlwings_custom_addin.bas, as the
build leaves it):

1. the sheet `rootfi.conf` inside rootfi.xlam, written by `rootfi-excel addin build`;
2. the user's file: `%USERPROFILE%\\.rootfi\\rootfi.conf` on Windows,
   `~/Library/Containers/com.microsoft.Excel/Data/rootfi.conf` on macOS.

xlwings would also read a `rootfi.conf` sheet of the active workbook (before 1) and a
`rootfi.conf` file beside it (before 2): the build removes both (vba.without_workbook_config),
since a shared workbook or folder must not choose the Python that runs.

A key present in the add-in's sheet hides the user's file, even when its value is blank,
so the build writes only keys that have a value. Two ways to give a computer its
interpreter, both without editing anything by hand:

- build the add-in on that computer: `build_addin(out, AddinSettings.for_this_python())`
  (what `rootfi-excel addin build` does on Windows and macOS by default), or
- build it with no interpreter (`AddinSettings()`) and write the user's file with
  `write_user_config(...)` (what an installer can do).

Values may use environment variables (`%USERPROFILE%`, `$HOME`): xlwings expands them.
"""

from __future__ import annotations

import locale
import os
import secrets
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from rootfi_excel.errors import SettingsError

PROJECT_NAME = "rootfi"  # xlwings' PROJECT_NAME: names the config sheet and files
CONFIG_SHEET = f"{PROJECT_NAME}.conf"

# Keys as xlwings' VBA looks them up (the sheet's keys are upper-cased when read).
INTERPRETER_WIN = "INTERPRETER_WIN"
INTERPRETER_MAC = "INTERPRETER_MAC"
PYTHONPATH = "PYTHONPATH"
ADD_WORKBOOK_TO_PYTHONPATH = "ADD_WORKBOOK_TO_PYTHONPATH"

# What Python needs is installed (rootfi_excel is a package in the interpreter's
# environment), so the workbook's folder is not put on sys.path: that keeps a stray
# .py file beside a workbook from shadowing the add-in, and avoids xlwings turning a
# OneDrive/SharePoint URL into a local path. Written as text: xlwings compares it as text.
FIXED_ROWS = ((ADD_WORKBOOK_TO_PYTHONPATH, "false"),)
# Only in the add-in's own sheet (not the user's file): UDF MODULES names the module of
# the worksheet functions. The build writes their VBA into the add-in already; with this
# setting, xlwings' own ImportPythonUDFsToAddin macro rebuilds the same module in Excel.
UDF_MODULES = "UDF MODULES"
UDF_MODULE_NAME = "rootfi_excel.udfs"
ADDIN_ONLY_ROWS = ((UDF_MODULES, UDF_MODULE_NAME),)

_FORBIDDEN = re.compile(r'["\x00-\x1f\x7f]')  # VBA's Write #/Input # cannot hold these
MAX_VALUE_LENGTH = 32767  # characters in one Excel cell


@dataclass(frozen=True)
class AddinSettings:
    interpreter_win: str | None = None  # full path of pythonw.exe (python.exe shows a console window)
    interpreter_mac: str | None = None  # full path of python
    pythonpath: str | None = None  # extra folders for sys.path, ';'-separated

    def rows(self) -> list[tuple[str, str]]:
        """(key, value) pairs for the add-in's config sheet, in order, only those with a value."""
        rows = [
            (key, value)
            for key, value in ((INTERPRETER_WIN, self.interpreter_win), (INTERPRETER_MAC, self.interpreter_mac),
                               (PYTHONPATH, self.pythonpath))
            if value
        ]
        rows.extend(FIXED_ROWS)
        for key, value in rows:
            _check_value(key, value)
        return rows

    def sheet_rows(self) -> list[tuple[str, str]]:
        """rows() and the add-in's own fixed settings: the add-in's rootfi.conf sheet."""
        return [*self.rows(), *ADDIN_ONLY_ROWS]

    @classmethod
    def for_this_python(cls, platform: str = sys.platform, executable: str = sys.executable) -> "AddinSettings":
        """The interpreter running now, for the OS it runs on (none on Linux: no Excel there)."""
        if platform.startswith("win"):
            console = Path(executable)
            windowless = console.with_name("pythonw.exe")
            return cls(interpreter_win=str(windowless if windowless.exists() else console))
        if platform == "darwin":
            return cls(interpreter_mac=executable)
        return cls()


def _check_value(key: str, value: str) -> None:
    if _FORBIDDEN.search(value):
        raise SettingsError(f"{key}: the value may not contain quotes, line breaks or control characters")
    if len(value) > MAX_VALUE_LENGTH:
        raise SettingsError(f"{key}: the value is longer than an Excel cell can hold")


# ----------------------------------------------------------------- user's config file


def user_config_path(platform: str = sys.platform, home: Path | None = None) -> Path:
    """Where xlwings' VBA looks for the user's settings of the add-in (GetConfigFilePath)."""
    home = home if home is not None else Path.home()
    if platform == "darwin":
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / CONFIG_SHEET
    return home / f".{PROJECT_NAME}" / CONFIG_SHEET


def read_user_config(path: Path) -> dict[str, str]:
    """The file's "KEY","value" lines (as xlwings writes them), keys upper-cased."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding=_file_encoding(), errors="replace").splitlines():
        quoted = re.findall(r'"([^"]*)"', line)
        if len(quoted) >= 2:
            values[quoted[0].upper()] = quoted[1]
    return values


def write_user_config(settings: AddinSettings, path: Path | None = None) -> Path:
    """Set the settings' keys in the user's file, keeping every other key in it.

    For an installer. Written in the format and encoding xlwings itself uses for its
    own file (`xlwings config create`): one `"KEY","value"` line per key, in the
    system's code page, which is what VBA's `Input #` reads. Replaced atomically.
    """
    path = path if path is not None else user_config_path()
    values = read_user_config(path)
    values.update(settings.rows())
    text = "".join(f'"{key}","{value}"\n' for key, value in values.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: two installers writing at once must not write into one file
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
    try:
        with open(partial, "x", encoding=_file_encoding()) as handle:  # newline: the OS's own
            handle.write(text)
        os.replace(partial, path)
    except UnicodeEncodeError:
        raise SettingsError(f"{path}: a value has characters this computer's code page cannot hold; "
                            "write the path with %USERPROFILE% or $HOME instead") from None
    finally:
        partial.unlink(missing_ok=True)
    return path


def _file_encoding() -> str:
    return locale.getpreferredencoding(False)
