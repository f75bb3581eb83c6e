"""Every file under a folder as bytes, to search for what must never be written."""

from __future__ import annotations

import zipfile
from pathlib import Path


def files_text(folder: Path) -> dict[str, bytes]:
    """Every file under folder, .xlsx files unzipped (the key could hide in any part)."""
    found: dict[str, bytes] = {}
    for path in folder.rglob("*"):
        if not path.is_file() or path.name.startswith("sandbox"):
            continue  # the sandbox's database is the server's side, not ours
        if path.suffix in (".xlsx", ".xlsm"):
            with zipfile.ZipFile(path) as book:
                for part in book.namelist():
                    found[f"{path.name}:{part}"] = book.read(part)
        else:
            found[str(path)] = path.read_bytes()
    return found
