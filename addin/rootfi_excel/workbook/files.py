"""The workbook file on disk, shared by a team and by programs (Excel, sync tools).

- A file is opened through any symbolic link; a folder, a missing file or a read-only
  file is refused with a message that says what to do.
- One run at a time: a lock per file, in this computer's data folder (never beside the
  workbook, where it would clutter a shared folder), held from open to save. Another
  process that holds it is not waited for: the run is refused at once.
- Saving is atomic: a temporary file beside the workbook, flushed to disk, given the
  workbook's permission bits and group, then renamed over it.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

from filelock import FileLock, Timeout

from rootfi_excel.errors import WorkbookError
from rootfi_excel.folders import data_dir


def writable_file(path: Path) -> Path:
    """The file behind `path` (through links), refused unless it is a workbook we may write."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, a link to nowhere, a loop of links
        where = " (the link points to nothing)" if path.is_symlink() else ""
        raise WorkbookError(f"{path.name} was not found{where}: check the file's name and folder") from None
    if target.is_dir():
        raise WorkbookError(f"{path.name} is a folder, not a workbook: give the path of the .xlsx file")
    if read_only(target):
        raise WorkbookError(f"{path.name} is read-only, so its results could not be written into it: make it "
                            "writable (Properties: untick Read-only; or chmod u+w), then run again")
    return target


def read_only(target: Path) -> bool:
    """No write permission bit (a read-only file on Windows too), or not writable by this user."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False  # reported by whatever reads it next
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK)


def lock_file(target: Path, name: str) -> FileLock:
    """This computer's lock on one workbook file; another run that holds it is not waited for."""
    digest = hashlib.sha256(str(target).encode("utf-8")).hexdigest()[:32]
    try:
        folder = data_dir() / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        # One lock object per file in this process (re-entrant): only another process is kept out.
        lock = FileLock(folder / f"{digest}.lock", blocking=False, is_singleton=True, thread_local=False)
        lock.acquire()
    except Timeout:
        raise WorkbookError(f"{name} is in use by another rootfi-excel run on this computer (validate or submit): "
                            "wait for it to finish, then run again") from None
    except OSError as error:
        raise WorkbookError(f"{name} could not be locked for this run: {error.strerror or error} "
                            f"({folder}); set ROOTFI_EXCEL_HOME to a folder you can write") from error
    return lock


def read_file(target: Path, name: str) -> bytes:
    try:
        return target.read_bytes()
    except PermissionError:
        raise WorkbookError(f"{name} is open in another program (Excel?): close it and try again") from None
    except FileNotFoundError:
        raise WorkbookError(f"{name} was moved or deleted while this run was working: its results were not "
                            "written; put it back and run again") from None
    except OSError as error:
        raise WorkbookError(f"{name} could not be read: {error.strerror or error}") from error


def replace_file(target: Path, data: bytes, name: str) -> bytes:
    """Write `data` to a temporary file beside `target`, give it target's permission bits
    (and group), then rename it over target: a crash never leaves half a workbook, and a
    link to target stays a link. A target not there yet gets the bits a new file would
    have (mkstemp's own are 0600). Returns the digest of what was written."""
    temporary = None
    try:
        mode = _existing_mode(target)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".saving")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())  # on disk before it replaces the workbook
        os.chmod(temporary, stat.S_IMODE(mode.st_mode) if mode else _new_file_mode())
        if mode and hasattr(os, "chown"):
            try:
                os.chown(temporary, -1, mode.st_gid)  # the team's group keeps its access
            except OSError:
                pass
        os.replace(temporary, target)
        return hashlib.sha256(data).digest()
    except PermissionError:
        raise WorkbookError(f"{name} is open in another program (Excel?): close it and try again") from None
    except OSError as error:
        raise WorkbookError(f"{name} could not be saved: {error.strerror or error}") from error
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)  # left only when the save failed


def _existing_mode(target: Path) -> os.stat_result | None:
    try:
        return target.stat()
    except FileNotFoundError:
        return None


def _new_file_mode() -> int:
    """0666 less the umask: the bits open() would give a new file."""
    umask = os.umask(0o022)  # the only way to read it is to set it: put it straight back
    os.umask(umask)
    return 0o666 & ~umask
