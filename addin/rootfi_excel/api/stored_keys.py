"""Which keys this program stored for addresses other than RootFi's own.

A keyring cannot list its entries, so `uninstall --remove-key` could not find a key stored
for a sandbox or another address (service "rootfi-excel <address>", api/trust.py). Each
such (profile, address) is written here when stored and struck when removed: a list in the
data folder, never a key. Uninstall removes only what this list shows we stored.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path

from rootfi_excel.folders import data_dir, make_private_folder, private_files

FILE_NAME = "stored-keys.json"
log = logging.getLogger("rootfi_excel.api")  # as the client's: failures.py would import back into api


def record_path(folder: Path | None = None) -> Path:
    return (folder if folder is not None else data_dir()) / FILE_NAME


def recorded(folder: Path | None = None) -> list[tuple[str, str]]:
    """(profile, address) of each key stored for another address, oldest first. A record that
    cannot be read lists nothing: such keys are then left in the keyring, as before there was one."""
    try:
        entries = json.loads(record_path(folder).read_text(encoding="utf-8"))
        return [(str(e["profile"]), str(e["address"])) for e in entries]
    except (OSError, ValueError, TypeError, KeyError):
        return []


def remember(profile: str, address: str, folder: Path | None = None) -> None:
    """Note a key just stored. Never raises: the key is stored either way (an unwritable
    record only means uninstall cannot find it, as before; the log says why)."""
    entries = recorded(folder)
    if (profile, address) not in entries:
        _write([*entries, (profile, address)], folder)


def forget(profile: str, address: str, folder: Path | None = None) -> None:
    entries = recorded(folder)
    if (profile, address) in entries:
        _write([e for e in entries if e != (profile, address)], folder)


def _write(entries: list[tuple[str, str]], folder: Path | None) -> None:
    path = record_path(folder)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")
    try:
        if not entries:
            path.unlink(missing_ok=True)
            return
        make_private_folder(path.parent)
        text = json.dumps([{"profile": p, "address": a} for p, a in entries], indent=1)
        with private_files(), open(partial, "x", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(partial, path)
    except OSError as error:
        log.warning("Cannot update the list of stored keys %s: %s", path, error)
    finally:
        partial.unlink(missing_ok=True)
