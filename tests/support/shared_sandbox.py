"""What a shared sandbox must keep: a fingerprint of everything in its database (records,
companies, syncs, jobs, keys), taken before and after each test that shares it."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path


def fingerprint(db_path: Path) -> str:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            digest.update(table.encode())
            for row in db.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                digest.update(repr(row).encode())
        return digest.hexdigest()
    finally:
        db.close()
