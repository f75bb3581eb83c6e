"""The Python environment the installer scripts make, and its removal.

install.sh / install.ps1 make the environment's folder themselves, and only where no
folder was before; the first thing they put in it is MARKER, with a random id and the
folders they had to create above it. `rootfi-excel install` copies that id into the
install record. `rootfi-excel uninstall` removes an environment only when its marker
holds the id the record names: an environment someone else made (a project's
`python3 -m venv .`, a home folder made into a venv) has no marker, or not that one,
and is only reported.

How the environment removes itself: uninstall runs from inside it.
- Linux and macOS: as its last step, in the same process (everything it needs is
  imported by then; a running program's files may be deleted there). Everything but the
  marker goes first, then the marker, then the folder: an interrupted removal leaves a
  proven environment that the next uninstall finishes.
- Windows: a running program's files cannot be deleted, so uninstall copies this file to
  the temporary folder and starts the base Python on it (`--after-exit`); it waits until
  the environment can be renamed (nothing of it runs any more), checks the marker again,
  and removes it.

Standard library only: on Windows this file runs without the environment.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

MARKER = "made-by-rootfi-installer.txt"
_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Marker:
    id: str
    parents: tuple[Path, ...]  # folders the script created above the environment, outermost first


def read_marker(env: Path) -> Marker | None:
    """The installer's marker in `env`; None when `env` is not a real folder (a link is not
    followed) or holds no valid marker."""
    try:
        if not stat.S_ISDIR(os.lstat(env).st_mode):
            return None
        text = _read_regular_file(Path(env) / MARKER)
    except OSError:
        return None
    if text is None:
        return None
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            found.setdefault(key.strip(), []).append(value.strip())
    ids = found.get("id", [])
    if len(ids) != 1 or not _ID.match(ids[0]):
        return None
    env = Path(os.path.abspath(env))
    # Only folders above this environment count: a marker cannot name any other folder.
    parents = tuple(Path(p) for p in found.get("parent", []) if Path(p).is_absolute() and Path(p) in env.parents)
    return Marker(ids[0], parents)


def _read_regular_file(path: Path, limit: int = 65536) -> str | None:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        handle = os.open(path, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        return os.read(handle, limit).decode("utf-8", "replace")
    finally:
        os.close(handle)


def refusal(path: Path, home: Path) -> str | None:
    """Why the folder `path` must never be removed as a whole; None when nothing forbids it."""
    for candidate, own_home in ((Path(os.path.abspath(path)), Path(os.path.abspath(home))),
                                (Path(os.path.realpath(path)), Path(os.path.realpath(home)))):
        if candidate == Path(candidate.anchor):
            return "it is the top folder of the disk"
        if candidate == own_home:
            return "it is your home folder"
        if candidate in own_home.parents:
            return "it holds your home folder"
    return None


def unproven(env: Path, recorded_id: str | None, home: Path) -> str | None:
    """Why `env` may not be removed (None when it is proven to be the installer's own)."""
    if os.path.islink(env):
        return "it is a symbolic link"
    why = refusal(env, home)
    if why:
        return why
    if not os.path.isdir(env):
        return "it is not a folder"
    marker = read_marker(env)
    if marker is None:
        return "the RootFi installer did not make it (it has no installer marker)"
    if recorded_id is None:
        return "no install record names it"
    if marker.id != recorded_id:
        return "its installer marker is not the one the install record names"
    return None


def remove_environment(env: Path) -> None:
    """Remove a proven environment: everything but the marker, then the marker, then the folder.
    Links inside are removed, never followed (shutil.rmtree does not follow them)."""
    env = Path(env)
    with os.scandir(env) as entries:
        children = [entry for entry in entries if entry.name != MARKER]
    for entry in children:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    (env / MARKER).unlink(missing_ok=True)
    env.rmdir()


def remove_empty_parents(marker: Marker, home: Path) -> list[Path]:
    """The folders the script made above the environment, now empty, deepest first; removed."""
    removed = []
    for parent in reversed(marker.parents):
        if os.path.islink(parent) or not parent.is_dir() or refusal(parent, home) or any(parent.iterdir()):
            break
        parent.rmdir()
        removed.append(parent)
    return removed


# ------------------------------------------------------------------ Windows: after the command ends


def schedule_removal_after_exit(env: Path, marker_id: str, home: Path) -> None:
    """Start the base Python on a copy of this file, which removes `env` once nothing runs from it."""
    scratch = Path(tempfile.mkdtemp(prefix="rootfi-remove-"))
    copy = scratch / "remove_rootfi_environment.py"
    shutil.copyfile(__file__, copy)
    base = Path(getattr(sys, "_base_executable", sys.executable))
    windowless = base.with_name("pythonw.exe")
    python = windowless if windowless.exists() else base
    flags = 0
    for name in ("DETACHED_PROCESS", "CREATE_NEW_PROCESS_GROUP", "CREATE_NO_WINDOW"):
        flags |= getattr(subprocess, name, 0)
    subprocess.Popen([str(python), "-I", str(copy), "--after-exit", str(env), marker_id, str(home)],
                     creationflags=flags, close_fds=True, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=str(scratch.parent))


def remove_after_exit(env: Path, marker_id: str, home: Path, *, wait: float = 300.0, pause: float = 0.5) -> str:
    """What the copy does: prove, wait until the folder can be renamed (no program of it runs),
    prove again, remove. Returns what happened, for the log beside the copy."""
    why = unproven(env, marker_id, home)
    if why:
        return f"kept {env}: {why}"
    marker = read_marker(env)
    assert marker is not None
    moving = env.with_name(f"{env.name}.removing-{marker_id[:12]}")
    deadline = time.monotonic() + wait
    while True:
        try:
            os.rename(env, moving)  # fails while a file of it is in use (Windows)
            break
        except OSError:
            if time.monotonic() > deadline:
                return f"kept {env}: it was still in use after {wait:.0f} s"
            time.sleep(pause)
    why = unproven(moving, marker_id, home)
    if why:  # never expected: put it back rather than remove what is not proven
        os.rename(moving, env)
        return f"kept {env}: {why}"
    remove_environment(moving)
    removed = remove_empty_parents(marker, home)
    return f"removed {env}" + "".join(f"; removed {p}" for p in removed)


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[0] == "--after-exit":
        said = remove_after_exit(Path(argv[1]), argv[2], Path(argv[3]))
        (Path(__file__).with_name("result.txt")).write_text(said + "\n", encoding="utf-8")
        return 0 if said.startswith("removed") else 1
    print("usage: --after-exit ENV ID HOME", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
