"""The one door between the installer and the add-in package (rootfi_excel.excel_addin).

The installer never builds an .xlam or formats the add-in's settings itself: it calls
the builder (`build_addin`) and the settings writer (`write_user_config`) of the package
behind `rootfi-excel addin build`. Reading an add-in back (the xlwings version its VBA
is stamped with, its own settings sheet) is done here with pyOpenVBA and openpyxl.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from rootfi_excel.errors import AddinBuildError, AddinError, SettingsError
from rootfi_excel.excel_addin import AddinSettings, build_addin, write_user_config
from rootfi_excel.excel_addin.addin_settings import CONFIG_SHEET
from rootfi_excel.excel_addin.vba import version_stamps


def build_addin_into(path: Path) -> None:
    """Build rootfi.xlam at `path` from the installed xlwings.

    No interpreter is written into the add-in itself: a key in the add-in's own sheet
    would hide the person's settings file, and that file (written by
    `write_addin_settings`) is what upgrade keeps and uninstall restores.
    """
    try:
        built = build_addin(path.parent, AddinSettings())
    except AddinBuildError as exc:
        raise AddinError(f"The RootFi add-in could not be built: {exc}") from None
    if built.path != path:
        os.replace(built.path, path)


def interpreter_settings(key: str, interpreter: str) -> AddinSettings:
    """The settings that make the add-in start `interpreter` (key INTERPRETER_WIN or _MAC)."""
    if key == "INTERPRETER_WIN":
        return AddinSettings(interpreter_win=interpreter)
    return AddinSettings(interpreter_mac=interpreter)


def write_addin_settings(settings_path: Path, settings: AddinSettings) -> None:
    try:
        write_user_config(settings, settings_path)
    except SettingsError as exc:
        raise AddinError(str(exc)) from None


def addin_modules(path: Path) -> dict[str, str]:
    """Module name -> VBA source of an add-in file."""
    from pyopenvba import ExcelFile, PyOpenVBAError  # only when an add-in file is read

    try:
        with ExcelFile(str(path)) as book:
            return dict(book.vba_modules())
    except (PyOpenVBAError, OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise AddinError(f"{path} is not a readable Excel add-in ({type(exc).__name__}).") from exc


def addin_xlwings_version(path: Path) -> str | None:
    """The xlwings version the add-in's VBA names (its constant and its DLLs); None when none.

    Several different versions in one add-in come back joined ("0.30.0, 0.37.8"), so they
    can never equal the installed one.
    """
    found: set[str] = set()
    for source in addin_modules(path).values():
        for versions in version_stamps(source).values():
            found |= versions
    return ", ".join(sorted(found)) or None


def addin_sheet_settings(path: Path) -> dict[str, str]:
    """The add-in's own `rootfi.conf` sheet (it overrides the settings file), KEY -> value."""
    import openpyxl  # slow to load: only when an add-in file is read

    try:
        book = openpyxl.load_workbook(_as_workbook_package(path), read_only=True, data_only=True)
    except Exception as exc:  # any unreadable package: the caller reports it
        raise AddinError(f"{path} is not a readable Excel add-in ({type(exc).__name__}).") from exc
    try:
        name = next((n for n in book.sheetnames if n.lower() == CONFIG_SHEET), None)
        if name is None:
            return {}
        return {str(row[0]).strip().upper(): "" if len(row) < 2 or row[1] is None else str(row[1])
                for row in book[name].iter_rows(max_col=2, values_only=True) if row and row[0]}
    finally:
        book.close()


def _as_workbook_package(path: Path) -> io.BytesIO:
    """The add-in's package with its main part typed as a macro workbook's, which openpyxl reads
    (it knows no add-in content type); only the copy in memory changes."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.ms-excel.addin.macroEnabled.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            copy.writestr(item, data)
    out.seek(0)
    return out
