"""Helpers for the install/doctor tests: a simulated home per OS, a tree snapshot, and a
way to make an add-in look as if an older xlwings had built it."""

from __future__ import annotations

from pathlib import Path

import xlwings

from rootfi_excel.install.layout import MACOS, WINDOWS, Layout

XLWINGS_DIR = Path(xlwings.__file__).parent


def set_addin_xlwings_version(path: Path, version: str) -> None:
    """Rewrite the add-in's xlwings module as if built by another xlwings (pyOpenVBA)."""
    from pyopenvba import ExcelFile

    with ExcelFile(str(path)) as book:
        modules = book.vba_modules()
        name = next(n for n, src in modules.items() if "XLWINGS_VERSION" in src)
        old = modules[name].replace(f'"{xlwings.__version__}"', f'"{version}"')
        old = old.replace(f"-{xlwings.__version__}.dll", f"-{version}.dll")
        book.set_module(name, old)
        book.save(str(path))


def make_env(root: Path, system: str) -> Path:
    """A Python environment's folder with the interpreter file Excel must start."""
    prefix = root / "env"
    if system == WINDOWS:
        (prefix / "Scripts").mkdir(parents=True)
        (prefix / "Scripts" / "pythonw.exe").write_bytes(b"MZ")
        (prefix / "Scripts" / "python.exe").write_bytes(b"MZ")
    else:
        (prefix / "bin").mkdir(parents=True)
        (prefix / "bin" / "python").write_bytes(b"#!")
    return prefix


def make_layout(tmp_path: Path, system: str) -> Layout:
    home = tmp_path / "home"
    home.mkdir(parents=True, exist_ok=True)
    appdata = home / "AppData" / "Roaming" if system == WINDOWS else None
    if system == MACOS:  # Excel's own folders exist once Excel has run
        (home / "Library" / "Containers" / "com.microsoft.Excel" / "Data").mkdir(parents=True)
    return Layout.for_system(system, home, env_prefix=make_env(tmp_path, system), appdata=appdata,
                             data_dir=tmp_path / "data")


def snapshot(*roots: Path) -> dict[str, bytes]:
    """Every file and folder under the roots -> its bytes (b'<dir>' for folders)."""
    seen: dict[str, bytes] = {}
    for root in roots:
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            seen[str(path)] = b"<dir>" if path.is_dir() else path.read_bytes()
    return seen
