"""The local journal: every attempt to create a record, written down before it is sent.

The API has no idempotency key, so this journal is what guarantees a row is never
created twice: a record is identified by its *fingerprint* (the exact body we send,
plus where we send it), and every attempt moves through these states:

    SENDING  -> written and committed just before the request goes out
    PENDING  -> a bulk (async) write was accepted; its sync_id is known
    CREATED  -> the record exists; rootfi_id / platform_id known
    FAILED   -> the API said no; nothing was created, so sending again is safe
    UNKNOWN  -> the answer was lost; look the record up before sending again

A process that dies anywhere leaves SENDING/PENDING/UNKNOWN rows behind, and the next
run reconciles them before it sends anything; results that reached the journal but
not the workbook are written back from here.

Each attempt also notes the row it came from: the workbook's id (kept inside the
workbook, whatever its file is called), the sheet and the row key (a hidden cell of the
row), and whether its record reached that row (`placed`). A result goes only to the
row with its key (identity.py). Attempts journalled before keys existed have none: they
are matched by fingerprint (and document number) as before, then keyed (`adopt`). Each
attempt also keeps its `likeness` (a hash of its values but its document number), indexed,
so that a new row like a record of another workbook is found without reading every record
(`alike_elsewhere`); an older journal gets it once, when opened.

The journal keeps only what it can write back: an answer's text (message, ids) is made
fit for a cell (`safe_text.xml_safe`) before it is stored, and a journal written before
that (holding, say, U+FFFF in a platform id) is cleaned the same way when read. A sync id
is kept exactly as RootFi gave it (it is how RootFi is asked again), less what SQLite
cannot store (an unpaired surrogate); the cell it is written into cleans it.

The journal holds business data (the records) and never the API key. It lives in the
user's data folder (ROOTFI_EXCEL_HOME overrides it). A journal that cannot be opened,
read or written (damaged, locked by another program, in a folder that cannot be
written) raises JournalError, whose message names the file and what to do; it is opened
before anything is sent, so nothing is sent without it.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import hashlib
import json
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from rootfi_excel.errors import JournalError
from rootfi_excel.folders import data_dir, make_private_folder, private_files
from rootfi_excel.messages import REFUSED_BEFORE
from rootfi_excel.safe_text import without_surrogates, xml_safe

SENDING, PENDING, CREATED, FAILED, UNKNOWN = "SENDING", "PENDING", "CREATED", "FAILED", "UNKNOWN"
OPEN_STATES = (SENDING, PENDING, UNKNOWN)  # outcome not known yet: never send again blindly
# States of an attempt another workbook journalled that keeps a row like it from being sent at once
# (Journal.begin, alike_since): its record made, or perhaps being made.
_ALIKE_STATES = (CREATED, *OPEN_STATES)
_UPDATABLE = frozenset({"sync_id", "rootfi_id", "platform_id", "message", "error_code"})
LOCK_WAIT = 5.0  # seconds to wait for another program's write to the journal before giving up

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL,
    base_url TEXT NOT NULL,
    company_id INTEGER NOT NULL,
    model TEXT NOT NULL,
    document_number TEXT,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    batch_id TEXT,
    sync_id TEXT,
    rootfi_id TEXT,
    platform_id TEXT,
    message TEXT,
    error_code TEXT,
    sent_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    server_sent_at TEXT,
    bulk INTEGER,
    workbook TEXT,
    placed TEXT,
    workbook_id TEXT,
    sheet TEXT,
    row_key TEXT,
    line_keys TEXT,
    likeness TEXT
);
CREATE INDEX IF NOT EXISTS attempts_fingerprint ON attempts (fingerprint, id);
CREATE INDEX IF NOT EXISTS attempts_document ON attempts (company_id, model, document_number);
CREATE INDEX IF NOT EXISTS attempts_state ON attempts (state);
CREATE INDEX IF NOT EXISTS attempts_batch ON attempts (batch_id, id);
"""
# Columns added since the first release: (name, SQL type). Older journals get them on open.
_ADDED_COLUMNS = (("server_sent_at", "TEXT"), ("bulk", "INTEGER"), ("workbook", "TEXT"), ("placed", "TEXT"),
                  ("workbook_id", "TEXT"), ("sheet", "TEXT"), ("row_key", "TEXT"), ("line_keys", "TEXT"),
                  ("likeness", "TEXT"))
# Attempts not placed yet (see Journal.unplaced) are few: an index of them alone.
_UNPLACED_INDEX = ("CREATE INDEX IF NOT EXISTS attempts_unplaced ON attempts (company_id, model) "
                   "WHERE placed IS NULL")
# Attempts of one row: looked up by the row keys of a sheet.
_KEY_INDEX = "CREATE INDEX IF NOT EXISTS attempts_row_key ON attempts (workbook_id, sheet, row_key)"
# The attempt of a record a row shows (row_keys.py: the row shown a record is that record's row).
_ROOTFI_INDEX = "CREATE INDEX IF NOT EXISTS attempts_rootfi_id ON attempts (rootfi_id)"
# Records with a row's values but its document number (`likeness`), in any workbook: a row moved
# to another workbook with its number corrected is looked up by it (Journal.alike_elsewhere).
_LIKENESS_INDEX = "CREATE INDEX IF NOT EXISTS attempts_likeness ON attempts (company_id, model, likeness)"
# How an attempt came to be placed (its `placed` column): its record is in a row of the
# workbook, or needs no row any more. NULL: not placed yet.
PLACED_ROW = "row"  # its result was written to its row
PLACED_SHOWN = "shown"  # a row of the workbook shows its rootfi_id (typed in by a person, perhaps)
PLACED_GONE = "deleted"  # the platform says the record was deleted: nothing to place
PLACED_LEGACY = "legacy"  # journalled before this column existed


def default_path() -> Path:
    return data_dir() / "journal.sqlite3"


def journal_error(path: Path, error: BaseException) -> JournalError:
    """The readable JournalError for an sqlite3 or file-system error on the journal at `path`."""
    detail = str(error) or type(error).__name__
    text = detail.lower()
    if "locked" in text or "busy" in text:
        advice = (f"The journal {path} is locked by another program (another rootfi-excel run, or a tool that "
                  "opened it): wait for it to finish or close that program, then try again.")
    elif isinstance(error, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text
                                                       or "corrupt" in text):
        advice = (f"The journal {path} is damaged ({detail}). Rename it (keep it for support) and try again: "
                  "Submit then looks in RootFi for records already there before it sends anything.")
    elif "disk is full" in text or getattr(error, "errno", None) == errno.ENOSPC:
        advice = f"The disk holding the journal {path} is full: free some space, then try again."
    else:
        advice = (f"The journal {path} cannot be written ({detail}): make its folder writable, or set "
                  "ROOTFI_EXCEL_HOME to a folder you can write, then try again.")
    return JournalError(advice)


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _readable_errors(method: _Method) -> _Method:
    """Turn sqlite3 and file-system errors of a Journal method into a JournalError."""

    @functools.wraps(method)
    def wrapper(self: "Journal", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as error:
            raise journal_error(self.path, error) from error

    return wrapper  # type: ignore[return-value]


def fingerprint(base_url: str, company_id: int, model: str, body: dict[str, Any]) -> str:
    """The identity of one record we mean to create: same body, same place -> same record."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    text = f"{base_url.rstrip('/')}\n{company_id}\n{model}\n{canonical}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def values_but_number(body: dict[str, Any]) -> str:
    """A record's values but its document number, as text; a credit note's lines in any order
    (rows sorted before they came back): two bodies with the same are the same record but its number."""
    values = {k: v for k, v in body.items() if k != "document_number"}
    if isinstance(values.get("line_items"), list):
        values["line_items"] = sorted(values["line_items"], key=lambda line: json.dumps(line, sort_keys=True,
                                                                                          default=str))
    return json.dumps(values, sort_keys=True, default=str)


def likeness(body: dict[str, Any]) -> str:
    """values_but_number, short: how the journal finds records like a row across workbooks."""
    return hashlib.sha256(values_but_number(body).encode("ascii")).hexdigest()


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class Attempt:
    id: int
    fingerprint: str
    base_url: str
    company_id: int
    model: str
    document_number: str | None
    payload: dict[str, Any]
    state: str
    batch_id: str | None
    sync_id: str | None
    rootfi_id: str | None
    platform_id: str | None
    message: str | None
    error_code: str | None
    sent_at: str  # this computer's clock (UTC), shown in the workbook
    updated_at: str
    server_sent_at: str | None = None  # RootFi's clock at the send, as learnt from its answers; None if unknown
    bulk: bool | None = None  # sent as a bulk (async) write; None in journals older than this column
    workbook: str | None = None  # the workbook's file name when it was sent (for older attempts without keys)
    placed: str | None = None  # how its record reached a row (PLACED_*); None: not yet
    workbook_id: str | None = None  # the id inside the workbook (Settings workbook_id); None before keys existed
    sheet: str | None = None  # the table's key (payments, credit_note_lines)
    row_key: str | None = None  # the key of its row (a credit note's: its first line's); None before keys existed
    line_keys: tuple[str, ...] = ()  # a credit note's every line key

    @property
    def keys(self) -> tuple[str, ...]:
        """Every row key of the record: its own and its lines'."""
        return tuple(dict.fromkeys(k for k in (self.row_key, *self.line_keys) if k))


NOT_SENT = "not sent: "  # how context.Run.not_sent starts a journalled message (a transient failure)
LOST_ANSWER = "lost-answer-not-found"  # error_code of an attempt closed after a lookup found nothing


def was_refused(attempt: Attempt) -> bool:
    """Did the platform refuse this exact record (its data), rather than the request fail on the way?

    Refused: a 4xx answer to a one-by-one write, or a failed job of a bulk write (it has a
    sync id). Not refused, so sent again: "not sent" (network, 5xx, rate limit, key) and a
    4xx to a whole bulk write, which may be caused by another record of the batch; nor a
    lost answer that a lookup did not find (closed FAILED so that it is sent again)."""
    if attempt.state != FAILED or (attempt.message or "").startswith(NOT_SENT) or attempt.error_code == LOST_ANSWER:
        return False
    return bool(attempt.sync_id) or attempt.bulk is False


def refused_before(attempt: Attempt) -> str:
    return REFUSED_BEFORE.format(reason=(attempt.message or "no reason given").rstrip("."),
                                 when=(attempt.sent_at or "")[:10])


class Journal:
    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else default_path()
        self._db: sqlite3.Connection | None = None
        self.commits = 0  # transactions committed by this Journal (each one an fsync): for benchmarks
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                self._open()
                return
            except (sqlite3.Error, OSError) as error:
                self.close()
                # Two runs opening a new journal at once: SQLite's switch to WAL does not
                # wait on the other's lock (busy timeout), so the setup is tried again.
                if "locked" in str(error) and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                raise journal_error(self.path, error) from error

    def _open(self) -> None:
        make_private_folder(self.path.parent)
        with private_files():  # the journal and its -wal/-shm files: the user's alone
            # autocommit: every write below is one transaction, committed when it returns. One
            # thread per journal (sqlite3's default check): the lookups' threads never touch it.
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=LOCK_WAIT)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")  # an attempt must survive a power cut
            self._db.executescript(_SCHEMA)
            self._add_missing_columns()
            self._db.execute(_UNPLACED_INDEX)
            self._db.execute(_KEY_INDEX)
            self._db.execute(_ROOTFI_INDEX)
            self._db.execute(_LIKENESS_INDEX)
            # Take the write lock once: a journal that cannot record attempts fails here,
            # before anything is sent, not halfway through a run.
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("ROLLBACK")

    def _add_missing_columns(self) -> None:
        present = {row["name"] for row in self._db.execute("PRAGMA table_info(attempts)")}
        for name, kind in _ADDED_COLUMNS:
            if name not in present:
                self._db.execute(f"ALTER TABLE attempts ADD COLUMN {name} {kind}")
        if present and "placed" not in present:  # which rows got them, an older journal cannot say
            self._db.execute("UPDATE attempts SET placed = ?", (PLACED_LEGACY,))
        # Computed from the payloads it kept; looked for on every open, not only when the column is
        # new, so an upgrade cut short (the column added, the fill stopped) is finished next time.
        if present and self._db.execute("SELECT 1 FROM attempts WHERE likeness IS NULL LIMIT 1").fetchone():
            self._add_likeness()

    def _add_likeness(self) -> None:
        """Fill the likeness of every attempt of an older journal, once, in one transaction."""
        with self._transaction():
            rows = self._db.execute("SELECT id, payload FROM attempts WHERE likeness IS NULL").fetchall()
            self._db.executemany("UPDATE attempts SET likeness = ? WHERE id = ?",
                                 [(likeness(json.loads(row["payload"])), row["id"]) for row in rows])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writes

    @_readable_errors
    def begin(self, base_url: str, company_id: int, model: str,
              records: Iterable[tuple[str, str | None, dict[str, Any]]],
              server_sent_at: str | None = None, bulk: bool | None = None,
              basis: list[int | None] | None = None, workbook: str | None = None,
              workbook_id: str | None = None, sheet: str | None = None,
              keys: list[tuple[str, ...]] | None = None,
              alike_since: list[int | None] | None = None) -> tuple[str, list[int | None], str]:
        """Write SENDING attempts for one request (one batch), committed before sending.

        records: (fingerprint, document_number, body), in the order they are sent.
        server_sent_at: RootFi's clock now (ISO), when known. bulk: sent as a bulk write.
        workbook: the workbook's file name (kept for reference); workbook_id, sheet and
        keys (each record's row keys, its own first): the rows the records come from.
        basis: for each record, the newest attempt of its fingerprint that the caller's
        decision to send rests on (None: there was none). A record whose fingerprint has
        a newer attempt by now (another Submit on this computer is sending it) is left
        out, atomically: its id in the answer is None.
        alike_since: for each record, the newest attempt id when it was checked against other
        workbooks' records (None: not checked). A record like one journalled since by another
        workbook (its values but its number; created or still open) is left out the same way:
        two Submits at once must not both send it.
        Returns (batch_id, attempt ids, sent_at).
        """
        batch_id = uuid.uuid4().hex
        now = utc_now()
        ids: list[int | None] = []
        with self._transaction():  # BEGIN IMMEDIATE: one writer at a time, across processes
            for index, (fp, number, body) in enumerate(records):
                if basis is not None:
                    newest = self._db.execute("SELECT MAX(id) FROM attempts WHERE fingerprint = ?", (fp,)).fetchone()[0]
                    if newest != basis[index]:
                        ids.append(None)
                        continue
                if alike_since is not None and alike_since[index] is not None and self._db.execute(
                        "SELECT 1 FROM attempts WHERE company_id = ? AND model = ? AND likeness = ? AND id > ?"
                        " AND base_url = ? AND workbook_id IS NOT NULL AND workbook_id IS NOT ?"
                        f" AND state IN ({','.join('?' * len(_ALIKE_STATES))}) LIMIT 1",
                        (company_id, model, likeness(body), alike_since[index], base_url.rstrip("/"), workbook_id,
                         *_ALIKE_STATES)).fetchone():
                    ids.append(None)
                    continue
                row_keys = tuple(keys[index]) if keys is not None and keys[index] else ()
                cursor = self._db.execute(
                    "INSERT INTO attempts (fingerprint, base_url, company_id, model, document_number, payload,"
                    " state, batch_id, sent_at, updated_at, server_sent_at, bulk, workbook, workbook_id, sheet,"
                    " row_key, line_keys, likeness) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (fp, base_url.rstrip("/"), company_id, model, number, json.dumps(body, ensure_ascii=False),
                     SENDING, batch_id, now, now, server_sent_at, None if bulk is None else int(bulk), workbook,
                     workbook_id if row_keys else None, sheet if row_keys else None,
                     row_keys[0] if row_keys else None, _line_keys(row_keys), likeness(body)),
                )
                ids.append(int(cursor.lastrowid))
        return batch_id, ids, now

    def update(self, attempt_ids: Iterable[int], state: str, **fields: Any) -> None:
        self.settle({attempt_id: (state, fields) for attempt_id in attempt_ids})

    @_readable_errors
    def settle(self, outcomes: dict[int, tuple[str, dict[str, Any]]]) -> None:
        """Many updates in one transaction: {attempt id: (state, fields)}."""
        if not outcomes:
            return
        with self._transaction():
            for attempt_id, (state, fields) in outcomes.items():
                unknown = set(fields) - _UPDATABLE
                if unknown:
                    raise ValueError(f"unknown journal fields: {sorted(unknown)}")
                assignments = "".join(f", {name} = ?" for name in fields)
                values = [_storable(name, v) for name, v in fields.items()]
                self._db.execute(
                    f"UPDATE attempts SET state = ?, updated_at = ?{assignments} WHERE id = ?",
                    (state, utc_now(), *values, attempt_id),
                )

    @_readable_errors
    def place(self, attempt_ids: Iterable[int], how: str) -> None:
        """Mark attempts placed (PLACED_*): their record is in a row, or needs none. One transaction."""
        ids = sorted(set(attempt_ids))
        if not ids:
            return
        with self._transaction():
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                self._db.execute(f"UPDATE attempts SET placed = ? WHERE placed IS NULL AND id IN "
                                 f"({','.join('?' * len(chunk))})", (how, *chunk))

    @_readable_errors
    def mark_gone(self, attempt_ids: Iterable[int]) -> None:
        """The platform shows these records deleted: they need no row (placed or not before)."""
        ids = sorted(set(attempt_ids))
        if not ids:
            return
        with self._transaction():
            for attempt_id in ids:
                self._db.execute("UPDATE attempts SET placed = ? WHERE id = ?", (PLACED_GONE, attempt_id))

    @_readable_errors
    def adopt(self, attempt_ids: Iterable[int], workbook_id: str, sheet: str, keys: tuple[str, ...]) -> None:
        """Key attempts journalled before row keys existed to the row they were matched to
        (by fingerprint): from now on they are that row's, by key. One transaction."""
        ids = sorted(set(attempt_ids))
        if not ids or not keys:
            return
        with self._transaction():
            for attempt_id in ids:
                self._db.execute("UPDATE attempts SET workbook_id = ?, sheet = ?, row_key = ?, line_keys = ?"
                                 " WHERE id = ? AND row_key IS NULL",
                                 (workbook_id, sheet, keys[0], _line_keys(keys), attempt_id))

    # ------------------------------------------------------------------- reads

    @_readable_errors
    def unplaced(self, base_url: str, company_id: int, model: str, workbook_id: str | None, sheet: str | None,
                 workbook: str | None = None) -> list[Attempt]:
        """Attempts of one workbook (by its id) and sheet whose record may exist but reached
        no row: created, or still open, and never written back (the row changed or went
        while Submit ran, the save failed, the run was killed). Failed attempts created
        nothing, so they are left out. With `workbook` (its file name), also the attempts
        journalled before keys existed under that name."""
        rows = list(self._db.execute(
            "SELECT * FROM attempts WHERE placed IS NULL AND company_id = ? AND model = ? AND base_url = ?"
            " AND workbook_id = ? AND sheet = ? AND state != ? ORDER BY id",
            (company_id, model, base_url.rstrip("/"), workbook_id, sheet, FAILED),
        )) if workbook_id else []
        if workbook is not None:
            rows += self._db.execute(
                "SELECT * FROM attempts WHERE placed IS NULL AND company_id = ? AND model = ? AND base_url = ?"
                " AND row_key IS NULL AND workbook = ? AND state != ? ORDER BY id",
                (company_id, model, base_url.rstrip("/"), workbook, FAILED),
            )
        return sorted((_attempt(r) for r in rows), key=lambda a: a.id)

    @_readable_errors
    def placed_off_rows(self, base_url: str, company_id: int, model: str, workbook_id: str | None, sheet: str | None,
                        present_keys: set[str]) -> list[Attempt]:
        """Records of one workbook (by its id) and sheet that reached a row once, but none of
        whose row keys is in the sheet now (`present_keys`): the row that showed it was deleted
        or lost its key. Read in two steps, so that only those are parsed."""
        if not workbook_id:
            return []
        ids = [row["id"] for row in self._db.execute(
            "SELECT id, row_key, line_keys FROM attempts WHERE workbook_id = ? AND sheet = ? AND base_url = ?"
            " AND company_id = ? AND model = ? AND state = ? AND placed IS NOT NULL AND placed != ?",
            (workbook_id, sheet, base_url.rstrip("/"), company_id, model, CREATED, PLACED_GONE))
            if not {row["row_key"], *(json.loads(row["line_keys"]) if row["line_keys"] else ())} & present_keys]
        found: list[Attempt] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found += [_attempt(row) for row in self._db.execute(
                f"SELECT * FROM attempts WHERE id IN ({','.join('?' * len(chunk))})", chunk)]
        return sorted(found, key=lambda a: a.id)

    @_readable_errors
    def newest_attempt(self) -> int:
        """The id of the newest attempt (0 for none): attempts journalled later have higher ids."""
        return int(self._db.execute("SELECT COALESCE(MAX(id), 0) FROM attempts").fetchone()[0])

    @_readable_errors
    def alike_elsewhere(self, base_url: str, company_id: int, model: str, workbook_id: str | None,
                        likenesses: Iterable[str], states: tuple[str, ...]) -> list[Attempt]:
        """Attempts in `states` of rows of other workbooks (by id; not of `workbook_id`) with one
        of these likenesses (a row's values but its number), whose record the platform has not
        shown deleted: a row of this workbook like one may be that row, moved or copied here."""
        return [a for a in self.with_values(base_url, company_id, model, likenesses, states)
                if a.workbook_id is not None and a.workbook_id != workbook_id]

    @_readable_errors
    def of_keys(self, base_url: str, company_id: int, model: str, workbook_id: str, sheet: str,
                keys: Iterable[str]) -> list[Attempt]:
        """Every attempt of the rows with these keys (their own attempts), oldest first."""
        found: list[Attempt] = []
        wanted = list(dict.fromkeys(k for k in keys if k))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found += [_attempt(row) for row in self._db.execute(
                f"SELECT * FROM attempts WHERE workbook_id = ? AND sheet = ? AND row_key IN ({','.join('?' * len(chunk))})"
                " AND base_url = ? AND company_id = ? AND model = ?",
                (workbook_id, sheet, *chunk, base_url.rstrip("/"), company_id, model))]
        return sorted(found, key=lambda a: a.id)

    @_readable_errors
    def with_rootfi_ids(self, base_url: str, company_id: int, model: str, rootfi_ids: Iterable[str]) -> dict[str, Attempt]:
        """The created attempt of each of these records (rootfi_id -> attempt), where this journal has one."""
        found: dict[str, Attempt] = {}
        wanted = list(dict.fromkeys(str(i) for i in rootfi_ids if i))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for row in self._db.execute(
                    f"SELECT * FROM attempts WHERE rootfi_id IN ({','.join('?' * len(chunk))}) AND state = ?"
                    " AND base_url = ? AND company_id = ? AND model = ? ORDER BY id",
                    (*chunk, CREATED, base_url.rstrip("/"), company_id, model)):
                attempt = _attempt(row)
                found.setdefault(attempt.rootfi_id, attempt)
        return found

    @_readable_errors
    def latest(self, fingerprints: Iterable[str]) -> dict[str, Attempt]:
        """The newest attempt of each fingerprint that has one."""
        found: dict[str, Attempt] = {}
        wanted = list(dict.fromkeys(fingerprints))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT * FROM attempts WHERE id IN (SELECT MAX(id) FROM attempts WHERE fingerprint IN ({marks})"
                " GROUP BY fingerprint)", chunk,
            ):
                attempt = _attempt(row)
                found[attempt.fingerprint] = attempt
        return found

    @_readable_errors
    def with_values(self, base_url: str, company_id: int, model: str, likenesses: Iterable[str],
                    states: tuple[str, ...]) -> list[Attempt]:
        """Attempts in `states`, of any workbook, with one of these likenesses (a record's values
        but its number; a credit note's lines in any order) whose record the platform has not
        shown deleted, oldest first: the caller compares the numbers."""
        found: list[Attempt] = []
        wanted = list(dict.fromkeys(likenesses))
        marks = ",".join("?" * len(states))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found += [_attempt(row) for row in self._db.execute(
                f"SELECT * FROM attempts WHERE company_id = ? AND model = ? AND likeness IN ({','.join('?' * len(chunk))})"
                f" AND base_url = ? AND state IN ({marks}) AND placed IS NOT ?",
                (company_id, model, *chunk, base_url.rstrip("/"), *states, PLACED_GONE))]
        return sorted(found, key=lambda a: a.id)

    @_readable_errors
    def with_number(self, base_url: str, company_id: int, model: str, document_number: str,
                    states: tuple[str, ...] = (CREATED,)) -> list[Attempt]:
        """Attempts for one document number in one place (an environment never sees another's)."""
        marks = ",".join("?" * len(states))
        rows = self._db.execute(
            f"SELECT * FROM attempts WHERE base_url = ? AND company_id = ? AND model = ? AND document_number = ?"
            f" AND state IN ({marks}) ORDER BY id",
            (base_url.rstrip("/"), company_id, model, document_number, *states),
        )
        return [_attempt(r) for r in rows]

    @_readable_errors
    def sync_ids(self, base_url: str, company_id: int) -> set[str]:
        """Every sync id this journal knows for a company: bulk writes sent from here."""
        rows = self._db.execute("SELECT DISTINCT sync_id FROM attempts WHERE base_url = ? AND company_id = ?"
                                " AND sync_id IS NOT NULL", (base_url.rstrip("/"), company_id))
        return {row["sync_id"] for row in rows}

    @_readable_errors
    def batch_attempts(self, batch_id: str) -> list[Attempt]:
        """Every attempt of one request, in the order the records were sent."""
        rows = self._db.execute("SELECT * FROM attempts WHERE batch_id = ? ORDER BY id", (batch_id,))
        return [_attempt(r) for r in rows]

    @_readable_errors
    def attempts(self, state: str | None = None) -> list[Attempt]:
        query = "SELECT * FROM attempts" + (" WHERE state = ?" if state else "") + " ORDER BY id"
        return [_attempt(r) for r in self._db.execute(query, (state,) if state else ())]

    # ---------------------------------------------------------------- helpers

    def _transaction(self) -> "_Transaction":
        return _Transaction(self)


class _Transaction:
    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.db = journal._db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type:
            self.db.execute("ROLLBACK")
        else:
            self.db.execute("COMMIT")
            self.journal.commits += 1


def _storable(name: str, value: Any) -> str | None:
    """An answer's value as the journal keeps it: text a cell can hold (it is written back
    from here); a sync id as RootFi gave it, less what SQLite cannot store."""
    if value is None:
        return None
    return without_surrogates(str(value)) if name == "sync_id" else xml_safe(str(value))


def _written_back(value: str | None) -> str | None:
    """A journalled answer's text as it is written back: a journal written before answers
    were cleaned on the way in is repaired here, on the way out."""
    return None if value is None else xml_safe(value)


def _attempt(row: sqlite3.Row) -> Attempt:
    return Attempt(
        id=row["id"], fingerprint=row["fingerprint"], base_url=row["base_url"], company_id=row["company_id"],
        model=row["model"],
        document_number=row["document_number"], payload=json.loads(row["payload"]), state=row["state"],
        batch_id=row["batch_id"], sync_id=row["sync_id"], rootfi_id=_written_back(row["rootfi_id"]),
        platform_id=_written_back(row["platform_id"]), message=_written_back(row["message"]),
        error_code=_written_back(row["error_code"]),
        sent_at=row["sent_at"], updated_at=row["updated_at"], server_sent_at=row["server_sent_at"],
        bulk=None if row["bulk"] is None else bool(row["bulk"]), workbook=row["workbook"], placed=row["placed"],
        workbook_id=row["workbook_id"], sheet=row["sheet"], row_key=row["row_key"],
        line_keys=tuple(json.loads(row["line_keys"])) if row["line_keys"] else (),
    )


def _line_keys(keys: tuple[str, ...]) -> str | None:
    """The keys after the first (a credit note's other lines), as the journal keeps them."""
    return json.dumps(list(keys[1:])) if len(keys) > 1 else None
