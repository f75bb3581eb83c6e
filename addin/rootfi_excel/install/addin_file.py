"""The one door between the installer and the add-in builder (package excel_addin).

The installer never builds an .xlam itself: it asks `rootfi_excel.excel_addin` (the
"addin build" command's package) to build one from the installed xlwings. Reading an
add-in back (its xlwings version, its settings sheet) is done here with pyOpenVBA,
the library the builder writes with.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from rootfi_excel.install.layout import PROJECT_NAME

_VERSION = re.compile(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', re.IGNORECASE)


class AddinError(Exception):
    """The add-in cannot be built or read; the message says what to do."""


def build_addin_into(path: Path, interpreter: Path) -> None:
    """Build rootfi.xlam at `path`, set to start `interpreter`.

    Assumed API of the builder (package rootfi_excel.excel_addin, being written):
    `build_addin(out: Path, *, interpreter: Path | None = None) -> Path`.
    """
    try:
        from rootfi_excel.excel_addin import build_addin
    except ImportError as exc:
        raise AddinError(
            "This copy of RootFi for Excel has no add-in builder (rootfi_excel.excel_addin). "
            "Install a newer version, then run `rootfi-excel install` again."
        ) from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    built = Path(build_addin(path, interpreter=interpreter))
    if built != path and built.exists():
        built.replace(path)


def addin_modules(path: Path) -> dict[str, str]:
    """Module name -> VBA source of an add-in file."""
    from pyopenvba import ExcelFile
    from pyopenvba.exceptions import PyOpenVBAError

    try:
        with ExcelFile(str(path)) as book:
            return dict(book.vba_modules())
    except (PyOpenVBAError, OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise AddinError(f"{path} is not a readable Excel add-in ({type(exc).__name__}).") from exc


def addin_xlwings_version(path: Path) -> str | None:
    """The XLWINGS_VERSION constant of the add-in's VBA, or None when no module has one."""
    for source in addin_modules(path).values():
        found = _VERSION.search(source)
        if found:
            return found.group(1)
    return None


def addin_sheet_settings(path: Path) -> dict[str, str]:
    """The add-in's own `<project>.conf` sheet (it overrides the settings file), KEY -> value."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(_as_workbook_package(path), read_only=True, data_only=True)
    except Exception as exc:  # any unreadable package: the caller reports it
        raise AddinError(f"{path} is not a readable Excel add-in ({type(exc).__name__}).") from exc
    try:
        name = next((n for n in book.sheetnames if n.lower() == f"{PROJECT_NAME}.conf"), None)
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
