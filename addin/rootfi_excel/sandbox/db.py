"""The sandbox's SQLite store: schema and queries.

One connection shared by the request handlers and the job worker, guarded by one
re-entrant lock: writes are short, and a single writer is what SQLite wants anyway.
Records of every model live in one table as JSON documents (rootfi_id is the row id),
so lists, filters and paging work the same for all models.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS companies (rootfi_id INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    rootfi_id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL,
    model TEXT NOT NULL,
    platform_id TEXT NOT NULL,
    deleted_at TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_platform_id ON records (company_id, model, platform_id);
CREATE INDEX IF NOT EXISTS records_by_page ON records (company_id, model, rootfi_id);
CREATE TABLE IF NOT EXISTS syncs (
    rootfi_id INTEGER PRIMARY KEY AUTOINCREMENT,
    sync_id TEXT NOT NULL UNIQUE,
    company_id INTEGER NOT NULL,
    model TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    end_time TEXT
);
CREATE TABLE IF NOT EXISTS jobs (
    rootfi_id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL UNIQUE,
    sync_id TEXT NOT NULL,
    company_id INTEGER NOT NULL,
    record_index INTEGER NOT NULL,
    status TEXT NOT NULL,
    payload TEXT NOT NULL,
    variables TEXT NOT NULL,
    error TEXT,
    result TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    start_time TEXT,
    end_time TEXT
);
CREATE INDEX IF NOT EXISTS jobs_by_sync ON jobs (sync_id, rootfi_id);
CREATE TABLE IF NOT EXISTS api_keys (api_key TEXT PRIMARY KEY, created_at TEXT NOT NULL);
"""


def now_iso(offset_s: float = 0.0) -> str:
    """ISO 8601 in UTC with milliseconds, as the API writes it: 2024-01-22T05:07:31.465Z.
    offset_s sets the server's clock off from the real time (on purpose, for tests)."""
    moment = datetime.now(timezone.utc) + timedelta(seconds=offset_s)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Database:
    def __init__(self, path: Path | str, clock_offset_s: float = 0.0):
        self.path = Path(path)
        self.clock_offset_s = clock_offset_s
        self._lock = threading.RLock()
        self._depth = 0  # nesting of transaction(); only touched while holding the lock
        # isolation_level=None: we issue BEGIN/COMMIT ourselves.
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing block; nested calls join the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def now_iso(self) -> str:
        """The server's time now (with its clock offset)."""
        return now_iso(self.clock_offset_s)

    def query(self, sql: str, params: tuple | list = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def next_number(self, key: str, start: int) -> int:
        """A persistent counter (platform ids, line item ids)."""
        with self.transaction() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            value = row["value"] if row else start
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value + 1))
            return value

    # -- the sandbox's own key, kept with its records ------------------------------

    def api_key(self, make: Callable[[], str]) -> str:
        """The key this database's sandbox accepts: the one made (by `make`) the first time
        it was used, so a sandbox started again on the same database keeps its key."""
        with self.transaction() as conn:
            row = conn.execute("SELECT api_key FROM api_keys ORDER BY created_at LIMIT 1").fetchone()
            if row is not None:
                return row["api_key"]
            key = make()
            conn.execute("INSERT INTO api_keys (api_key, created_at) VALUES (?, ?)", (key, self.now_iso()))
            return key

    # -- companies ---------------------------------------------------------------

    def is_empty(self) -> bool:
        return not self.query("SELECT 1 FROM companies LIMIT 1")

    def insert_company(self, company: dict) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO companies (rootfi_id, data) VALUES (?, ?)",
                (company["rootfi_id"], json.dumps(company)),
            )

    def company(self, company_id: int) -> dict | None:
        rows = self.query("SELECT data FROM companies WHERE rootfi_id = ?", (company_id,))
        return json.loads(rows[0]["data"]) if rows else None

    def company_ids(self) -> list[int]:
        return [r["rootfi_id"] for r in self.query("SELECT rootfi_id FROM companies ORDER BY rootfi_id")]

    # -- records -----------------------------------------------------------------

    def insert_record(self, company_id: int, model: str, record: dict) -> dict:
        """Store a record (without rootfi_id); returns it with rootfi_id first."""
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO records (company_id, model, platform_id, deleted_at, data) VALUES (?, ?, ?, ?, ?)",
                (company_id, model, record["platform_id"], record.get("rootfi_deleted_at"), json.dumps(record)),
            )
            return {"rootfi_id": cursor.lastrowid, **record}

    def update_record(self, rootfi_id: int, record: dict) -> None:
        body = {k: v for k, v in record.items() if k != "rootfi_id"}
        with self.transaction() as conn:
            conn.execute("UPDATE records SET data = ? WHERE rootfi_id = ?", (json.dumps(body), rootfi_id))

    def find_record(self, company_id: int, model: str, platform_id: str) -> dict | None:
        """The live (not deleted) record with this platform id."""
        rows = self.query(
            "SELECT rootfi_id, data FROM records WHERE company_id = ? AND model = ? AND platform_id = ?"
            " AND deleted_at IS NULL LIMIT 1",
            (company_id, model, platform_id),
        )
        return record_from_row(rows[0]) if rows else None

    def find_by_fields(self, company_id: int, model: str, **fields: Any) -> dict | None:
        """The first live record whose JSON fields equal these values (duplicate checks)."""
        where = " AND ".join(f"json_extract(data, '$.{name}') = ?" for name in fields)
        rows = self.query(
            f"SELECT rootfi_id, data FROM records WHERE company_id = ? AND model = ? AND deleted_at IS NULL"
            f" AND {where} LIMIT 1",
            (company_id, model, *fields.values()),
        )
        return record_from_row(rows[0]) if rows else None

    def change_record(self, company_id: int, model: str, platform_id: str, *, delete: bool = False,
                      **fields: Any) -> dict | None:
        """Edit or delete a live record as the platform would (a test and benchmark helper):
        rootfi_updated_at and updated_at move to now, so incremental lists see it."""
        with self.transaction():
            record = self.find_record(company_id, model, platform_id)
            if record is None:
                return None
            stamp = now_iso()
            record.update(fields, rootfi_updated_at=stamp, updated_at=stamp)
            if delete:
                record["rootfi_deleted_at"] = stamp
                self.query("UPDATE records SET deleted_at = ? WHERE rootfi_id = ?", (stamp, record["rootfi_id"]))
            self.update_record(record["rootfi_id"], record)
            return record

    def count_records(self, company_id: int, model: str) -> int:
        rows = self.query(
            "SELECT COUNT(*) AS n FROM records WHERE company_id = ? AND model = ?", (company_id, model)
        )
        return rows[0]["n"]

    def record_counts(self) -> dict[str, dict[str, int]]:
        rows = self.query(
            "SELECT company_id, model, COUNT(*) AS n FROM records GROUP BY company_id, model ORDER BY company_id"
        )
        counts: dict[str, dict[str, int]] = {str(cid): {} for cid in self.company_ids()}
        for row in rows:
            counts.setdefault(str(row["company_id"]), {})[row["model"]] = row["n"]
        return counts

    # -- syncs and jobs --------------------------------------------------------------

    def create_sync(self, sync_id: str, company_id: int, model: str, jobs: list[dict]) -> None:
        """A PUSH sync and its jobs (each job: job_id, payload, variables), all CREATED."""
        stamp = self.now_iso()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO syncs (sync_id, company_id, model, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                (sync_id, company_id, model, stamp, stamp),
            )
            conn.executemany(
                "INSERT INTO jobs (job_id, sync_id, company_id, record_index, status, payload, variables,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, 'CREATED', ?, ?, ?, ?)",
                [
                    (job["job_id"], sync_id, company_id, index, json.dumps(job["payload"]),
                     json.dumps(job["variables"]), stamp, stamp)
                    for index, job in enumerate(jobs)
                ],
            )

    def sync(self, sync_id: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM syncs WHERE sync_id = ?", (sync_id,))
        return rows[0] if rows else None

    def job_counts(self, sync_id: str) -> dict[str, int]:
        rows = self.query("SELECT status, COUNT(*) AS n FROM jobs WHERE sync_id = ? GROUP BY status", (sync_id,))
        return {row["status"]: row["n"] for row in rows}

    def job(self, job_id: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM jobs WHERE job_id = ?", (job_id,))
        return rows[0] if rows else None

    def open_jobs(self, sync_id: str) -> list[sqlite3.Row]:
        return self.query(
            "SELECT * FROM jobs WHERE sync_id = ? AND status IN ('CREATED', 'RUNNING') ORDER BY rootfi_id",
            (sync_id,),
        )

    def unfinished_sync_ids(self) -> list[str]:
        rows = self.query(
            "SELECT DISTINCT sync_id FROM jobs WHERE status IN ('CREATED', 'RUNNING') ORDER BY rootfi_id"
        )
        return [row["sync_id"] for row in rows]

    def set_job(self, job_id: str, status: str, *, error: dict | None = None, result: dict | None = None) -> None:
        stamp = self.now_iso()
        with self.transaction() as conn:
            if status == "RUNNING":
                conn.execute(
                    "UPDATE jobs SET status = ?, start_time = ?, updated_at = ? WHERE job_id = ?",
                    (status, stamp, stamp, job_id),
                )
            else:
                conn.execute(
                    "UPDATE jobs SET status = ?, error = ?, result = ?, end_time = ?, updated_at = ? WHERE job_id = ?",
                    (status, json.dumps(error) if error else None, json.dumps(result) if result else None,
                     stamp, stamp, job_id),
                )

    def finish_sync(self, sync_id: str) -> None:
        stamp = self.now_iso()
        with self.transaction() as conn:
            conn.execute(
                "UPDATE syncs SET end_time = ?, updated_at = ? WHERE sync_id = ?", (stamp, stamp, sync_id)
            )

    def sync_stats(self) -> dict[str, int]:
        rows = self.query("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")
        return {"syncs": self.query("SELECT COUNT(*) AS n FROM syncs")[0]["n"],
                **{f"jobs_{row['status'].lower()}": row["n"] for row in rows}}


def record_from_row(row: sqlite3.Row) -> dict:
    return {"rootfi_id": row["rootfi_id"], **json.loads(row["data"])}
