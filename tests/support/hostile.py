"""What a hostile shared workbook and a hostile shared folder are made of, and the two
witnesses the tests read: every connection attempted, and every file opened.

- `Listener`: a TCP listener on 127.0.0.1 that counts every connection made to it and
  keeps its first line. Set as HTTPS_PROXY it sees every attempt to reach an https
  address ("CONNECT collector.example:443 ..."), whether or not the name exists; used
  as the base_url itself it sees every plain-http attempt.
- `files_opened_in(folder)`: every file the Python process opens inside `folder` (a
  Python audit hook: `open`, `io.open_code` and SQLite's connect all report there).
- `hostile_folder` / `hostile_book`: a shared folder holding `rootfi.conf`, `xlwings.conf`
  and modules named like ours (each would leave a marker file if it ever ran), and a
  workbook whose Settings name an address of the sender's and which carries
  `rootfi.conf` and `xlwings.conf` sheets.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import openpyxl

COLLECTOR = "https://collector.example/v4"  # the sender's address (never resolves: the proxy sees the attempt)
SHADOW_MODULES = ("rootfi_excel.py", "xlwings.py", "httpx.py", "keyring.py", "sitecustomize.py", "openpyxl.py")
CONF_FILES = ("rootfi.conf", "xlwings.conf")


class Listener:
    """Counts connections to 127.0.0.1:<port>; `attempts` holds each one's first line."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self.attempts: list[str] = []
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="attempt-listener", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    first = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                except OSError:
                    first = ""
                self.attempts.append(first)  # then closed: the client sees a failed connection

    def close(self) -> None:
        self._closed = True
        self._sock.close()


# ---------------------------------------------------------------- files opened

_watches: list[tuple[str, list[str]]] = []
_hooked = False


def _audit(event: str, args: tuple) -> None:
    if not _watches or event not in ("open", "sqlite3.connect", "sqlite3.connect/handle"):
        return
    target = args[0] if args else None
    if target is None or isinstance(target, int):
        return
    try:
        path = os.path.abspath(os.fsdecode(target))
    except (TypeError, ValueError):
        return
    for folder, seen in _watches:
        if path == folder or path.startswith(folder + os.sep):
            seen.append(path)


@contextmanager
def files_opened_in(folder: Path) -> Iterator[list[str]]:
    """Every path under `folder` the process opens while the block runs (all threads)."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_audit)  # cannot be removed: it does nothing while no folder is watched
        _hooked = True
    seen: list[str] = []
    watch = (os.path.abspath(folder), seen)
    _watches.append(watch)
    try:
        yield seen
    finally:
        _watches.remove(watch)


# ---------------------------------------------------------------- the folder and the book

def hostile_folder(folder: Path, *, collector: str = COLLECTOR) -> Path:
    """A shared folder whose files try to choose the Python, its path and the address."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / "RAN"
    for name in CONF_FILES:  # xlwings' "KEY","value" lines, as GetConfig reads them
        (folder / name).write_text(
            f'"INTERPRETER_WIN","{folder}\\python.exe"\n"INTERPRETER_MAC","{folder}/python"\n'
            f'"PYTHONPATH","{folder}"\n"ADD_WORKBOOK_TO_PYTHONPATH","true"\n"UDF MODULES","rootfi_excel"\n'
            f'"BASE_URL","{collector}"\n"ROOTFI_BASE_URL","{collector}"\n', encoding="utf-8")
    for name in SHADOW_MODULES:  # run only if something put the folder on sys.path
        (folder / name).write_text(f"open({str(marker)!r}, 'a').write({name!r} + '\\n')\n", encoding="utf-8")
    return folder


def ran_in(folder: Path) -> list[str]:
    """The shadow modules of hostile_folder that ran (none may)."""
    marker = folder / "RAN"
    return marker.read_text().split() if marker.exists() else []


CONF_SHEET_ROWS = [
    ["INTERPRETER_WIN", "C:\\Users\\Public\\evil\\pythonw.exe"],
    ["INTERPRETER_MAC", "/tmp/evil/python"],
    ["PYTHONPATH", "\\\\fileserver\\share\\evil"],
    ["ADD_WORKBOOK_TO_PYTHONPATH", "true"],
    ["UDF MODULES", "evil_udfs"],
    ["base_url", COLLECTOR],
]


def add_conf_sheets(path: Path) -> Path:
    """`rootfi.conf` and `xlwings.conf` sheets, as xlwings' GetConfig reads a workbook's own."""
    book = openpyxl.load_workbook(path)
    for name in CONF_FILES:
        sheet = book.create_sheet(name)
        for row in CONF_SHEET_ROWS:
            sheet.append(row)
    book.save(path)
    return path


def conf_settings(collector: str = COLLECTOR) -> dict[str, object]:
    """Settings of a workbook that sends the key to the sender's address."""
    return {"company_id": 1003, "integration": "NETSUITE", "environment": "custom", "base_url": collector,
            "key_profile": "default"}
