"""Mark of the Web: Windows tags downloaded files with a Zone.Identifier stream, and
Excel then blocks their macros (no ribbon, or a red "macros blocked" bar).

Removing the `<file>:Zone.Identifier` alternate data stream is what PowerShell's
Unblock-File does. On NTFS the stream opens as `<path>:Zone.Identifier`; the tests
simulate it on Linux, where that name is simply a sibling file.
"""

from __future__ import annotations

from pathlib import Path

STREAM = ":Zone.Identifier"


def zone_stream(path: Path) -> Path:
    return Path(str(path) + STREAM)


def is_blocked(path: Path) -> bool:
    try:
        return zone_stream(path).exists()
    except OSError:  # a file system without alternate streams
        return False


def unblock(path: Path) -> bool:
    """Remove the file's Mark of the Web; True when there was one."""
    try:
        zone_stream(path).unlink()
    except FileNotFoundError:
        return False
    except OSError:  # FAT/exFAT drives have no streams: nothing to remove
        return False
    return True


def blocked_files(paths: list[Path]) -> list[Path]:
    return [path for path in paths if path.is_file() and is_blocked(path)]
