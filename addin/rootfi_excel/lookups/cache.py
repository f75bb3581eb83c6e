"""The lookup cache: one SQLite file in the user's data folder, keyed by base URL, company
and key profile (CacheKey), holding each list's records as the API gave them and the time
of each refresh.

A refresh is applied in one transaction, so a failed or interrupted refresh leaves the
previous cache exactly as it was. Every command and button finds a workbook's lists
through lookups/place.py (cache_key), never by building a key of its own.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from rootfi_excel.folders import data_dir, make_private_folder, private_files
from rootfi_excel.lookups.names import name_key, near_key, same_name

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
    base_url TEXT NOT NULL,     -- CacheKey.base_url (normalised)
    company_id INTEGER NOT NULL,
    key_profile TEXT NOT NULL,  -- the key profile whose key read these lists
    refreshed_at TEXT,          -- UTC, ISO 8601: end of the last successful refresh
    failed_at TEXT,             -- UTC: the last refresh that failed (cache kept as it was)
    failure TEXT,
    UNIQUE (base_url, company_id, key_profile)
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
    label_key TEXT,             -- names.name_key(label): exact names, case aside
    near_key TEXT,              -- names.near_key(label): near matches, offered as "did you mean"
    data TEXT NOT NULL,         -- the record as the API answered it (JSON)
    PRIMARY KEY (company, kind, platform_id)
);
CREATE INDEX IF NOT EXISTS records_by_label ON records (company, kind, label_key);
CREATE INDEX IF NOT EXISTS records_by_near ON records (company, kind, near_key);
"""
# PRAGMA user_version of a cache of this schema whose keys are today's name_key/near_key.
# A cache before version 2 was not keyed by key profile: its lists are dropped when it is
# opened (nobody can tell which key read them) and the next Refresh lookups reads them again.
SCHEMA_VERSION = 2


def default_path() -> Path:
    """lookups.sqlite3 in the data folder, beside the journal: ROOTFI_EXCEL_HOME, else the user's data folder."""
    return data_dir() / "lookups.sqlite3"


@dataclass(frozen=True)
class CacheKey:
    """Whose lists: the API address, the company, and the key profile whose key read them.
    Made by lookups/place.cache_key(settings) for every command and button alike."""

    base_url: str
    company_id: int
    key_profile: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", normal_base_url(self.base_url))
        object.__setattr__(self, "company_id", int(self.company_id))

    def describe(self) -> str:
        return f"company {self.company_id} at {self.base_url} (key profile '{self.key_profile}')"


def normal_base_url(base_url: str) -> str:
    """One spelling of an address: scheme and host in lower case, no trailing slash."""
    text = str(base_url).strip().rstrip("/")
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), parts.query, ""))


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
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            if self._db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                self._upgrade()
            else:
                self._db.executescript(_SCHEMA)

    def _upgrade(self) -> None:
        """Bring an older cache file to SCHEMA_VERSION, once: lists not keyed by key profile
        are dropped; every label's keys are computed again with today's names.py."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:  # another process may have done it
                columns = {r["name"] for r in db.execute("PRAGMA table_info(companies)")}
                if columns and "key_profile" not in columns:
                    db.execute("DROP TABLE IF EXISTS records")
                    db.execute("DROP TABLE IF EXISTS lists")
                    db.execute("DROP TABLE IF EXISTS companies")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                rows = db.execute("SELECT rowid, label FROM records").fetchall()
                db.executemany("UPDATE records SET label_key = ?, near_key = ? WHERE rowid = ?",
                               [(name_key(r["label"]), near_key(r["label"]), r["rowid"]) for r in rows])
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
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

    def company(self, key: CacheKey) -> CompanyLookups | None:
        """The cached lists of a company, or None if they were never refreshed for this key."""
        row = self._company_row(key)
        if row is None or row["refreshed_at"] is None:
            return None
        return CompanyLookups(self._db, row)

    def others(self, key: CacheKey) -> list[CacheKey]:
        """The same company's lists cached for another address or key profile (to say so
        when a workbook's own are missing: a --base-url or --profile given to one command only)."""
        rows = self._db.execute("SELECT base_url, key_profile FROM companies WHERE company_id = ?"
                                " AND refreshed_at IS NOT NULL ORDER BY id", (key.company_id,)).fetchall()
        found = [CacheKey(r["base_url"], key.company_id, r["key_profile"]) for r in rows]
        return [other for other in found if other != key]

    def marks(self, key: CacheKey) -> dict[str, str | None]:
        """kind -> mark of every list refreshed before (a list not in it needs a full refresh)."""
        row = self._company_row(key)
        if row is None:
            return {}
        return {r["kind"]: r["mark"] for r in self._db.execute("SELECT kind, mark FROM lists WHERE company = ?",
                                                               (row["id"],))}

    def failure(self, key: CacheKey) -> tuple[str, str] | None:
        row = self._company_row(key)
        return (row["failed_at"], row["failure"]) if row is not None and row["failure"] else None

    # ----------------------------------------------------------------- writes

    def apply(self, key: CacheKey, changes: Iterable[ListChanges], when: dt.datetime) -> None:
        """Store one refresh, all lists or none."""
        stamp = when.isoformat(timespec="milliseconds")
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            company = self._ensure_company(key)
            for change in changes:
                if change.full:
                    db.execute("DELETE FROM records WHERE company = ? AND kind = ?", (company, change.kind))
                field = LABEL_FIELDS[change.kind]
                db.executemany(
                    "INSERT OR REPLACE INTO records (company, kind, platform_id, label, label_key, near_key, data)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(company, change.kind, str(r["platform_id"]), _text(r.get(field)), name_key(r.get(field)),
                      near_key(r.get(field)), json.dumps(r, ensure_ascii=False))
                     for r in change.records if r.get("platform_id") is not None],
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

    def record_failure(self, key: CacheKey, message: str, when: dt.datetime) -> None:
        """Remember that a refresh failed; the cached lists stay as they were."""
        company = self._ensure_company(key)
        self._db.execute("UPDATE companies SET failed_at = ?, failure = ? WHERE id = ?",
                         (when.isoformat(timespec="seconds"), message, company))

    # ---------------------------------------------------------------- helpers

    def _company_row(self, key: CacheKey) -> sqlite3.Row | None:
        return self._db.execute("SELECT * FROM companies WHERE base_url = ? AND company_id = ? AND key_profile = ?",
                                (key.base_url, key.company_id, key.key_profile)).fetchone()

    def _ensure_company(self, key: CacheKey) -> int:
        self._db.execute("INSERT OR IGNORE INTO companies (base_url, company_id, key_profile) VALUES (?, ?, ?)",
                         (key.base_url, key.company_id, key.key_profile))
        return self._company_row(key)["id"]


class CompanyLookups:
    """Read-only view of one company's cached lists."""

    def __init__(self, db: sqlite3.Connection, row: sqlite3.Row) -> None:
        self._db = db
        self._id = row["id"]
        self.key = CacheKey(row["base_url"], row["company_id"], row["key_profile"])
        self.base_url: str = row["base_url"]
        self.company_id: int = row["company_id"]
        self.refreshed_at = dt.datetime.fromisoformat(row["refreshed_at"])
        # A view is short-lived (one Validate, one cell): answers are remembered, so a
        # sheet that names one invoice a thousand times asks SQLite once.
        self._by_id: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._by_label: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._near: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._exact: dict[tuple[str, str], list[dict[str, Any]]] = {}

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
        """Records whose label (name, document number, code) is exactly value, case and white
        space aside (names.same_name: never a near match)."""
        key = (kind, str(value))
        if key not in self._exact:  # a sheet naming one invoice a thousand times compares it once
            self._exact[key] = [r for r in self._with_name_key(kind, value)
                                if same_name(value, r.get(LABEL_FIELDS[kind]))]
        return self._exact[key]

    def near(self, kind: str, value: Any) -> list[dict[str, Any]]:
        """Records whose label only looks like value (names.near_key), not exactly it: never
        resolved, only named in "did you mean ...?"."""
        key = (kind, near_key(value))
        if not key[1]:
            return []
        if key not in self._near:
            rows = self._db.execute("SELECT platform_id, data FROM records WHERE company = ? AND kind = ?"
                                    " AND near_key = ?", (self._id, *key)).fetchall()
            self._near[key] = [json.loads(r["data"]) for r in sorted(rows, key=lambda r: r["platform_id"])]
        return [r for r in self._near[key] if not same_name(value, r.get(LABEL_FIELDS[kind]))]

    def _with_name_key(self, kind: str, value: Any) -> list[dict[str, Any]]:
        key = (kind, name_key(value))
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


def _text(value: Any) -> str | None:
    return None if value is None else str(value)

