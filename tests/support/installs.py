"""Helpers for the install/doctor tests: a simulated home per OS, a tree snapshot (links not
followed, modes kept), and a way to make an add-in look as if an older xlwings had built it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import xlwings

from rootfi_excel.install.environment import MARKER
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


def make_env(root: Path, system: str, *, marker_id: str | None = None) -> Path:
    """A Python environment's folder with the interpreter Excel must start and the command;
    with `marker_id`, marked as the installer scripts mark the environments they make."""
    prefix = root / "env"
    if system == WINDOWS:
        (prefix / "Scripts").mkdir(parents=True)
        (prefix / "Scripts" / "pythonw.exe").write_bytes(b"MZ")
        (prefix / "Scripts" / "python.exe").write_bytes(b"MZ")
        (prefix / "Scripts" / "rootfi-excel.exe").write_bytes(b"MZ")
    else:
        (prefix / "bin").mkdir(parents=True)
        (prefix / "bin" / "python").write_bytes(b"#!")
        (prefix / "bin" / "rootfi-excel").write_bytes(b"#!")
    (prefix / "pyvenv.cfg").write_text("home = /usr/bin\n")
    if marker_id:
        (prefix / MARKER).write_text(f"# made by the RootFi for Excel installer\nid = {marker_id}\n")
    return prefix


def make_layout(tmp_path: Path, system: str, *, marker_id: str | None = None) -> Layout:
    home = tmp_path / "home"
    home.mkdir(parents=True, exist_ok=True)
    appdata = home / "AppData" / "Roaming" if system == WINDOWS else None
    if system == MACOS:  # Excel's own folders exist once Excel has run
        (home / "Library" / "Containers" / "com.microsoft.Excel" / "Data").mkdir(parents=True)
    return Layout.for_system(system, home, env_prefix=make_env(tmp_path, system, marker_id=marker_id), appdata=appdata,
                             data_dir=tmp_path / "data")


def snapshot(*roots: Path) -> dict[str, tuple]:
    """Every file, folder and link under the roots (links are not followed) -> what it is:
    ("dir", mode), ("file", mode, bytes) or ("link", target)."""
    seen: dict[str, tuple] = {}
    for root in roots:
        if not os.path.lexists(root):
            continue
        for folder, dirs, files in os.walk(root):
            for name in [*dirs, *files]:
                path = os.path.join(folder, name)
                info = os.lstat(path)
                if stat.S_ISLNK(info.st_mode):
                    seen[path] = ("link", os.readlink(path))
                elif stat.S_ISDIR(info.st_mode):
                    seen[path] = ("dir", stat.S_IMODE(info.st_mode))
                else:
                    seen[path] = ("file", stat.S_IMODE(info.st_mode), Path(path).read_bytes())
    return seen


def files_in(tree: dict[str, tuple]) -> set[Path]:
    """The files and links of a snapshot."""
    return {Path(p) for p, what in tree.items() if what[0] != "dir"}


def changes(before: dict[str, tuple], after: dict[str, tuple]) -> set[str]:
    """Paths added, removed or changed between two snapshots."""
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
