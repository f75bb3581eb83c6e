"""Where every installed thing goes, per operating system.

A Layout is computed from a home folder, an OS name and the Python environment, so the
tests can simulate the Windows and macOS folders under a temporary home. Nothing here
touches the disk.

- Windows: the add-in goes to XLSTART (%APPDATA%\\Microsoft\\Excel\\XLSTART), which
  Excel opens at start; its settings file is %USERPROFILE%\\.<project>\\<project>.conf,
  where xlwings' custom-add-in VBA module looks (GetConfigFilePath).
- macOS: the add-in goes to Excel's startup folder in the Office group container; the
  settings file is in Excel's sandbox (~/Library/Containers/com.microsoft.Excel/Data,
  the "home folder" Excel's VBA sees); RunPython needs xlwings-<version>.applescript in
  ~/Library/Application Scripts/com.microsoft.Excel (what `xlwings runpython install` does).
- Linux: no Excel. Only the command line and the templates.
- Linux and macOS: a link ~/.local/bin/rootfi-excel to the environment's command, so
  `rootfi-excel` runs from a new terminal where that folder is on PATH.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from rootfi_excel.excel_addin.build import ADDIN_FILE
from rootfi_excel.excel_addin.addin_settings import user_config_path
from rootfi_excel.folders import data_dir

WINDOWS, MACOS, LINUX = "windows", "macos", "linux"
SYSTEMS = (WINDOWS, MACOS, LINUX)

MAC_STARTUP = ("Library", "Group Containers", "UBF8T346G9.Office", "User Content.localized",
               "Startup.localized", "Excel")
MAC_SCRIPTS = ("Library", "Application Scripts", "com.microsoft.Excel")


def current_system() -> str:
    if sys.platform.startswith("win"):
        return WINDOWS
    if sys.platform == "darwin":
        return MACOS
    return LINUX


def default_data_dir() -> Path:
    """The product's data folder (journal, install manifest); ROOTFI_EXCEL_HOME overrides it."""
    return data_dir()


@dataclass(frozen=True)
class Layout:
    system: str
    home: Path
    env_prefix: Path  # the isolated Python environment the add-in must use
    data_dir: Path
    appdata: Path | None = None  # Windows %APPDATA%

    @classmethod
    def for_system(cls, system: str, home: Path, *, env_prefix: Path | None = None,
                   appdata: Path | None = None, data_dir: Path | None = None) -> Layout:
        if system not in SYSTEMS:
            raise ValueError(f"unknown system {system!r}; one of {', '.join(SYSTEMS)}")
        home = Path(home)
        if system == WINDOWS and appdata is None:
            appdata = home / "AppData" / "Roaming"
        return cls(system=system, home=home, env_prefix=Path(env_prefix or sys.prefix),
                   data_dir=Path(data_dir) if data_dir else default_data_dir(), appdata=appdata)

    @classmethod
    def current(cls) -> Layout:
        system = current_system()
        appdata = Path(os.environ["APPDATA"]) if system == WINDOWS and os.environ.get("APPDATA") else None
        return cls.for_system(system, Path.home(), appdata=appdata)

    @property
    def has_excel(self) -> bool:
        return self.system != LINUX

    @property
    def startup_dir(self) -> Path | None:
        """The folder Excel loads add-ins from at start."""
        if self.system == WINDOWS:
            return self.appdata / "Microsoft" / "Excel" / "XLSTART"
        if self.system == MACOS:
            return self.home.joinpath(*MAC_STARTUP)
        return None

    @property
    def addin_path(self) -> Path | None:
        return self.startup_dir / ADDIN_FILE if self.startup_dir else None

    @property
    def settings_path(self) -> Path | None:
        """The add-in's user settings file (xlwings' GetConfigFilePath for PROJECT_NAME)."""
        if not self.has_excel:
            return None
        return user_config_path("win32" if self.system == WINDOWS else "darwin", self.home)

    @property
    def interpreter_key(self) -> str | None:
        return {WINDOWS: "INTERPRETER_WIN", MACOS: "INTERPRETER_MAC"}.get(self.system)

    @property
    def interpreter(self) -> Path:
        """The environment's interpreter as Excel must start it (pythonw.exe: no console window)."""
        if self.system == WINDOWS:
            scripts = self.env_prefix / "Scripts"
            # A venv has Scripts\pythonw.exe; the embeddable build keeps it beside python.exe.
            return scripts / "pythonw.exe" if scripts.is_dir() else self.env_prefix / "pythonw.exe"
        return self.env_prefix / "bin" / "python"

    @property
    def xlwings_dlls(self) -> list[Path]:
        """xlwings' DLLs (xlwings64-<version>.dll, xlwings32-...) that Excel loads on Windows.
        xlwings' Windows wheel installs them as data files at the environment's root (beside
        python.exe in a plain install; the venv's root, which its VBA also tries, in a venv)."""
        if self.system != WINDOWS or not self.env_prefix.is_dir():
            return []
        return sorted(self.env_prefix.glob("xlwings??-*.dll"))

    def applescript_path(self, xlwings_version: str) -> Path | None:
        if self.system != MACOS:
            return None
        return self.home.joinpath(*MAC_SCRIPTS) / f"xlwings-{xlwings_version}.applescript"

    @property
    def command(self) -> Path:
        """The environment's `rootfi-excel` command."""
        if self.system == WINDOWS:
            return self.env_prefix / "Scripts" / "rootfi-excel.exe"
        return self.env_prefix / "bin" / "rootfi-excel"

    @property
    def bin_dir(self) -> Path | None:
        """Where a link to the command goes on Linux and macOS (on PATH in most shells); none on Windows."""
        return None if self.system == WINDOWS else self.home / ".local" / "bin"

    @property
    def command_link(self) -> Path | None:
        return self.bin_dir / "rootfi-excel" if self.bin_dir else None

    @property
    def default_templates_dir(self) -> Path:
        return self.home / "Documents" / "RootFi"

    @property
    def manifest_path(self) -> Path:
        return self.data_dir / "install-manifest.json"

    @property
    def journal_path(self) -> Path:
        return self.data_dir / "journal.sqlite3"
