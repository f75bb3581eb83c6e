"""The lookup cache: one SQLite file in the user's data folder, keyed by base URL and
company, holding each list's records as the API gave them and the time of each refresh.

A refresh is applied in one transaction, so a failed or interrupted refresh leaves the
previous cache exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rootfi_excel.folders import make_private_folder, private_files
from rootfi_excel.submission.journal import default_path as journal_path

# list name -> the field people recognise a record by (shown in dropdowns, typed in rows)
LABEL_FIELDS = {
    "contacts": "name",
    "invoices": "document_number",
    "accounts": "name",
    "currencies": "code",
    "tax_rates": "name",
    "items": "name",
}
KINDS = tuple(LABEL_FIELDS)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS companies (
    id INTEGER PRIMARY KEY,
    base_url TEXT NOT NULL,
    company_id INTEGER NOT NULL,
    refreshed_at TEXT,          -- UTC, ISO 8601: end of the last successful refresh
    failed_at TEXT,             -- UTC: the last refresh that failed (cache kept as it was)
    failure TEXT,
    UNIQUE (base_url, company_id)
);
CREATE TABLE IF NOT EXISTS lists (
    company INTEGER NOT NULL REFERENCES companies (id),
    kind TEXT NOT NULL,
    refreshed_at TEXT NOT NULL,
    mark TEXT,                  -- the next incremental refresh asks for rootfi_updated_at > mark
    PRIMARY KEY (company, kind)
);
CREATE TABLE IF NOT EXISTS records (
    company INTEGER NOT NULL REFERENCES companies (id),
    kind TEXT NOT NULL,
    platform_id TEXT NOT NULL,
    label TEXT,                 -- LABEL_FIELDS value, as the platform spells it
    label_key TEXT,             -- the same, trimmed and case-folded, for lookups
    data TEXT NOT NULL,         -- the record as the API answered it (JSON)
    PRIMARY KEY (company, kind, platform_id)
);
CREATE INDEX IF NOT EXISTS records_by_label ON records (company, kind, label_key);
"""


def default_path() -> Path:
    """lookups.sqlite3 beside the journal: ROOTFI_EXCEL_HOME, else the user's data folder."""
    return journal_path().with_name("lookups.sqlite3")


def label_key(value: Any) -> str:
    """Trimmed, spaces collapsed, case-folded and Unicode-normalised (NFKC): "Café" typed
    on one keyboard is the "Café" a platform stored with a combining accent."""
    return " ".join(unicodedata.normalize("NFKC", str(value)).split()).casefold() if value is not None else ""


# PRAGMA user_version of a cache whose label_key values are those of label_key() above;
# an older cache has them recomputed when it is opened.
LABEL_KEYS_VERSION = 1


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class ListChanges:
    """What one refresh learnt about one list."""

    kind: str
    records: list[dict[str, Any]]  # live records (new or changed)
    deleted: list[str]             # platform ids deleted on the platform
    full: bool                     # True: `records` is the whole list (replace it)
    mark: str | None               # the next incremental refresh starts after this stamp


class LookupCache:
    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else default_path()
        make_private_folder(self.path.parent)
        with private_files():  # the cache and its -wal/-shm files: the user's alone
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        if self._db.execute("PRAGMA user_version").fetchone()[0] < LABEL_KEYS_VERSION:
            self._rekey_labels()

    def _rekey_labels(self) -> None:
        """Recompute every label_key with today's label_key() (once per cache file)."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            rows = db.execute("SELECT rowid, label FROM records").fetchall()
            db.executemany("UPDATE records SET label_key = ? WHERE rowid = ?",
                           [(label_key(r["label"]), r["rowid"]) for r in rows])
            db.execute(f"PRAGMA user_version = {LABEL_KEYS_VERSION}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> LookupCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reads

    def company(self, base_url: str, company_id: int) -> CompanyLookups | None:
        """The cached lists of a company, or None if it was never refreshed."""
        row = self._company_row(base_url, company_id)
        if row is None or row["refreshed_at"] is None:
            return None
        return CompanyLookups(self._db, row)

    def marks(self, base_url: str, company_id: int) -> dict[str, str | None]:
        """kind -> mark of every list refreshed before (a list not in it needs a full refresh)."""
        row = self._company_row(base_url, company_id)
        if row is None:
            return {}
        return {r["kind"]: r["mark"] for r in self._db.execute("SELECT kind, mark FROM lists WHERE company = ?",
                                                               (row["id"],))}

    def failure(self, base_url: str, company_id: int) -> tuple[str, str] | None:
        row = self._company_row(base_url, company_id)
        return (row["failed_at"], row["failure"]) if row is not None and row["failure"] else None

    # ----------------------------------------------------------------- writes

    def apply(self, base_url: str, company_id: int, changes: Iterable[ListChanges], when: dt.datetime) -> None:
        """Store one refresh, all lists or none."""
        stamp = when.isoformat(timespec="milliseconds")
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            company = self._ensure_company(base_url, company_id)
            for change in changes:
                if change.full:
                    db.execute("DELETE FROM records WHERE company = ? AND kind = ?", (company, change.kind))
                field = LABEL_FIELDS[change.kind]
                db.executemany(
                    "INSERT OR REPLACE INTO records (company, kind, platform_id, label, label_key, data)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [(company, change.kind, str(r["platform_id"]), _text(r.get(field)), label_key(r.get(field)),
                      json.dumps(r, ensure_ascii=False)) for r in change.records if r.get("platform_id") is not None],
                )
                db.executemany("DELETE FROM records WHERE company = ? AND kind = ? AND platform_id = ?",
                               [(company, change.kind, pid) for pid in change.deleted])
                db.execute("INSERT OR REPLACE INTO lists (company, kind, refreshed_at, mark) VALUES (?, ?, ?, ?)",
                           (company, change.kind, stamp, change.mark))
            db.execute("UPDATE companies SET refreshed_at = ?, failed_at = NULL, failure = NULL WHERE id = ?",
                       (stamp, company))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def record_failure(self, base_url: str, company_id: int, message: str, when: dt.datetime) -> None:
        """Remember that a refresh failed; the cached lists stay as they were."""
        company = self._ensure_company(base_url, company_id)
        self._db.execute("UPDATE companies SET failed_at = ?, failure = ? WHERE id = ?",
                         (when.isoformat(timespec="seconds"), message, company))

    # ---------------------------------------------------------------- helpers

    def _company_row(self, base_url: str, company_id: int) -> sqlite3.Row | None:
        return self._db.execute("SELECT * FROM companies WHERE base_url = ? AND company_id = ?",
                                (_base(base_url), int(company_id))).fetchone()

    def _ensure_company(self, base_url: str, company_id: int) -> int:
        self._db.execute("INSERT OR IGNORE INTO companies (base_url, company_id) VALUES (?, ?)",
                         (_base(base_url), int(company_id)))
        return self._company_row(base_url, company_id)["id"]


class CompanyLookups:
    """Read-only view of one company's cached lists."""

    def __init__(self, db: sqlite3.Connection, row: sqlite3.Row) -> None:
        self._db = db
        self._id = row["id"]
        self.base_url: str = row["base_url"]
        self.company_id: int = row["company_id"]
        self.refreshed_at = dt.datetime.fromisoformat(row["refreshed_at"])
        # A view is short-lived (one Validate, one cell): answers are remembered, so a
        # sheet that names one invoice a thousand times asks SQLite once.
        self._by_id: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._by_label: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def age(self, now: dt.datetime | None = None) -> dt.timedelta:
        return (now or utc_now()) - self.refreshed_at

    def get(self, kind: str, platform_id: Any) -> dict[str, Any] | None:
        key = (kind, str(platform_id))
        if key not in self._by_id:
            row = self._db.execute("SELECT data FROM records WHERE company = ? AND kind = ? AND platform_id = ?",
                                   (self._id, *key)).fetchone()
            self._by_id[key] = json.loads(row["data"]) if row else None
        return self._by_id[key]

    def with_label(self, kind: str, value: Any) -> list[dict[str, Any]]:
        """Records whose label (name, document number, code) equals value, ignoring case and spaces."""
        key = (kind, label_key(value))
        if key not in self._by_label:
            # No ORDER BY in SQL: it would make SQLite walk the primary key instead of the label index.
            rows = self._db.execute("SELECT platform_id, data FROM records WHERE company = ? AND kind = ?"
                                    " AND label_key = ?", (self._id, *key)).fetchall()
            self._by_label[key] = [json.loads(r["data"]) for r in sorted(rows, key=lambda r: r["platform_id"])]
        return self._by_label[key]

    def records(self, kind: str) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT data FROM records WHERE company = ? AND kind = ? ORDER BY rowid",
                                (self._id, kind))
        return [json.loads(r["data"]) for r in rows]

    def count(self, kind: str) -> int:
        return self._db.execute("SELECT COUNT(*) FROM records WHERE company = ? AND kind = ?",
                                (self._id, kind)).fetchone()[0]

    def describe_age(self, now: dt.datetime | None = None) -> str:
        """'refreshed 2026-11-22 06:00 UTC, 3 h ago' for notes in messages."""
        return f"refreshed {self.refreshed_at:%Y-%m-%d %H:%M} UTC, {_ago(self.age(now))}"


def _ago(age: dt.timedelta) -> str:
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // (24 * 60)} days ago"


def _base(base_url: str) -> str:
    return base_url.rstrip("/")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)

