"""What the steps of one Submit share: the records being sent (items), what is left to
do (work), and one `Run` with the helpers every step uses to record an outcome.

The steps live in their own modules: platform_check (before sending, and the twin
check after), sending, collecting (bulk writes), reconciling (lost answers), lookups.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from rootfi_excel.errors import AuthError, RootFiError, SubmitAborted
from rootfi_excel.messages import NOTHING_MORE_SENT, key_refused, platform_refused, plural, refused_id_hint
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.journal import CREATED, FAILED, Attempt, Journal
from rootfi_excel.messages import STILL_RUNNING, minutes_text

ALREADY_EXISTS = "record-already-exists"
# Flags on a Created row that a person must look at (Outcome.flag, and the journal's error_code).
POSSIBLE_DUPLICATE = "possible-duplicate"  # another record with the same number and values exists
TWIN_CHECK_FAILED = "twin-check-failed"  # the check for such a record could not run
_LABELS = {"invoice_payments": "payments", "invoice_credit_notes": "credit notes"}


@dataclass(slots=True)  # one per row: no per-instance dict (50,000 rows in one Submit)
class Outcome:
    status: str  # Status.CREATED / FAILED / PENDING / UNKNOWN / SKIPPED
    message: str = ""
    rootfi_id: str | None = None
    platform_id: str | None = None
    sync_id: str | None = None
    submitted_at: str | None = None  # UTC ISO time of the attempt
    flag: str | None = None  # POSSIBLE_DUPLICATE or TWIN_CHECK_FAILED
    attempt_id: int | None = None  # the journal's attempt of a Created record: placed once written to its row


@dataclass(slots=True)  # one per row: no per-instance dict
class Item:
    """One record of this run: a unit to send, or a "ghost" (an attempt whose row is gone)."""

    position: int  # the unit's position in submit()'s list; -1 for a ghost
    body: dict[str, Any]
    fingerprint: str
    attempt_id: int | None = None
    batch_id: str | None = None
    sent_at: str | None = None
    server_sent_at: str | None = None
    sync_id: str | None = None
    bulk: bool = False  # sent in a bulk (async) write: a lost answer may still become records
    outcome: Outcome | None = None
    basis: int | None = None  # the newest attempt of this record when it was decided to send it
    # Looked up, never sent: the row is Invalid for its amount due alone (Unit.over_due), which
    # may be because the platform already has this very record. Found -> Created; else Invalid.
    refuse_if_new: str | None = None
    keys: tuple[str, ...] = ()  # the row keys of its rows (its identity; identity.py), its own first
    send_anyway: bool = False  # a person said: a new record, even if it looks like one made before
    new_key: bool = True  # no record is its own by its keys (never sent, keyless, or every attempt failed)
    own_record: Any = None  # held: its own earlier record has other values (identity.py names look-alikes too)
    # What Validate saw of the records the body refers to ((kind, platform id) -> record),
    # and when (clock()) they were last read from the platform (submission/references.py).
    known: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    references_read_at: float | None = None
    # Why this run had to look the record up although its write was answered (collecting.py:
    # its bulk write's jobs did not name it, or could not be read); "" = its answer was lost.
    looked_up_because: str = ""

    @property
    def ghost(self) -> bool:
        return self.position < 0

    @property
    def number(self) -> str | None:
        return self.body.get("document_number")


@dataclass
class Work:
    """What one run still has to do, by kind."""

    pending: dict[str, list[Item]] = field(default_factory=lambda: defaultdict(list))  # sync_id -> items
    lost: list[Item] = field(default_factory=list)
    fresh: list[Item] = field(default_factory=list)
    unsettled: list[Item] = field(default_factory=list)  # lost answers this run cannot settle any more
    seen_attempts: set[int] = field(default_factory=set)

    def add_pending(self, item: Item) -> None:
        self.pending[item.sync_id].append(item)

    @property
    def open(self) -> bool:
        return bool(self.pending or self.lost)


class Submitting(Protocol):
    """What a Run takes from the engine's Submitter (engine.py), named here so that this
    module, which every step imports, imports none of them."""

    client: Any  # engine.Client
    journal: Journal
    base_url: str
    company_id: int
    platform: str
    options: Any  # engine.SubmitOptions
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    now: Callable[[], dt.datetime]
    deadline: float
    progress: Callable[[int, int, str], None]
    workbook: str | None
    workbook_id: str | None


class Run:
    """One submit() of one model, and the helpers its steps share."""

    def __init__(self, submitter: Submitting, model: str) -> None:
        self.client = submitter.client
        self.journal = submitter.journal
        self.base_url = submitter.base_url
        self.company_id = submitter.company_id
        self.platform = submitter.platform
        self.options = submitter.options
        self.sleep = submitter.sleep
        self.clock = submitter.clock
        self.now = submitter.now
        self.deadline = submitter.deadline
        self._progress = submitter.progress
        self.model = model
        self.workbook = submitter.workbook  # the workbook's file name (attempts journalled before keys)
        self.workbook_id = submitter.workbook_id  # the id inside the workbook: attempts are keyed by it
        self.sheet: str | None = None  # the table's key, set by submit()
        self.present_keys: set[str] = set()  # the keys of every row of the sheet, this run's or not
        # The journal's newest attempt when new rows were checked against other workbooks' records
        # (identity.hold_lookalikes): one journalled since by another Submit is checked again at send.
        self.alike_checked_at: int | None = None
        self.tally: dict[str, int] = {}  # rows decided by their own earlier attempts, by kind (identity.py)
        self.done = 0
        self.total = 0
        self.counts: Counter[str] = Counter()  # outcome status -> records with it (what progress shows)
        self._counted: dict[int, str] = {}  # id(item) -> the status it is counted under
        self.sent_in_bulk = 0  # records sent in bulk writes so far (their answers come later)
        self.bulk_writes = 0
        self.activity = ""  # what is happening now, beside the counts
        self.created_now: list[Item] = []  # records this run created or found after sending them
        # ... of which those twin-checked while bulk writes still ran are taken off
        # (platform_check.check_twins_while_waiting); True: no more of those early checks.
        self.early_twins_off = False
        self.warnings: list[str] = []  # said once in the summary, beside the rows' own messages

    # -- progress and time -------------------------------------------------------

    @property
    def label(self) -> str:
        return _LABELS.get(self.model, self.model)

    def tick(self, item: Item, text: str) -> None:
        """The item has its outcome (`text` says how it came, for the reader of the code)."""
        if not item.ghost:
            self._count(item)
            self.report()

    def _count(self, item: Item) -> None:
        status = item.outcome.status.lower() if item.outcome else "answered"
        before = self._counted.get(id(item))
        if before is None:
            self.done += 1
        else:
            self.counts[before] -= 1
        self._counted[id(item)] = status
        self.counts[status] += 1

    def sent_bulk(self, count: int) -> None:
        """`count` records went in one bulk write; their answers are collected later."""
        self.sent_in_bulk += count
        self.bulk_writes += 1
        self.report()

    def finish(self, items: list[Item]) -> None:
        """Every item has its outcome now (the run ended or stopped): the phase's last word."""
        if not self.total:
            return
        for item in items:
            if not item.ghost and item.outcome is not None and \
                    self._counted.get(id(item)) != item.outcome.status.lower():
                self._count(item)
        self.activity = ""
        self.report()

    def report(self, activity: str | None = None) -> None:
        """'payments: 120 created, 2 failed; 150 sent in 3 bulk writes' (phase: counts; activity)."""
        if activity is not None:
            self.activity = activity
        counts = ", ".join(f"{self.counts[s.lower()]} {s.lower()}" for s in Status.ALL if self.counts[s.lower()])
        if self.counts["answered"]:
            counts += (", " if counts else "") + f"{self.counts['answered']} answered"
        sent = ""
        if self.sent_in_bulk and self.done < self.total:  # sent, answers still to come
            sent = f"{self.sent_in_bulk} sent in {plural(self.bulk_writes, 'bulk write')}"
        said = "; ".join(part for part in (counts, sent, self.activity) if part) or "starting"
        self._progress(min(self.done, self.total), self.total, f"{self.label}: {said}")

    def time_left(self) -> float:
        return self.deadline - self.clock()

    def until(self, seconds: float) -> float:
        """A clock() time `seconds` from now, never past the run's deadline."""
        return min(self.deadline, self.clock() + seconds)

    def server_now(self) -> dt.datetime | None:
        """RootFi's clock now (from its Date headers); None when the client cannot tell."""
        server_now = getattr(self.client, "server_now", None)
        return server_now() if server_now is not None else None

    def age(self, item: Item) -> float | None:
        """Seconds since the item was sent, the smaller of RootFi's clock against RootFi's
        clock and this computer's against its own (either may jump; the smaller age means
        the longer wait); None when neither can tell (a clock that went back)."""
        ages = []
        server_now = self.server_now()
        if item.server_sent_at and server_now is not None:
            ages.append((server_now - moment(item.server_sent_at)).total_seconds())
        if item.sent_at:
            ages.append((self.now() - moment(item.sent_at)).total_seconds())
        return min(ages) if ages and min(ages) >= 0 else None

    # -- outcomes ----------------------------------------------------------------

    def created(self, item: Item, record: dict[str, Any], message: str, *, sent_now: bool = True) -> None:
        self.created_all([(item, record)], message, sent_now=sent_now)

    def created_all(self, found: list[tuple[Item, dict[str, Any]]], message: str | Callable[[Item], str], *,
                    sent_now: bool = True, also: dict[int, tuple[str, dict[str, Any]]] | None = None) -> None:
        """Records that exist, journalled in one transaction (with `also`: other updates
        from the same answer) before any outcome is set: one fsync per answer, not per record.
        `message` may be a function of the item (each row says how its record was learned)."""
        entries = dict(also or {})
        words = {id(item): message(item) if callable(message) else message for item, _ in found}
        for item, record in found:
            entries[item.attempt_id] = (CREATED, {"rootfi_id": text(record.get("rootfi_id")),
                                                  "platform_id": text(record.get("platform_id")),
                                                  "sync_id": item.sync_id, "message": words[id(item)] or None})
        self.journal.settle(entries)
        for item, record in found:
            item.outcome = Outcome(Status.CREATED, words[id(item)], text(record.get("rootfi_id")),
                                   text(record.get("platform_id")), item.sync_id, item.sent_at,
                                   attempt_id=item.attempt_id)
            if sent_now:
                self.created_now.append(item)

    def fail(self, items: list[Item], error: RootFiError | str, code: str | None = None) -> None:
        # The platform's own words (error.message), not "RootFi rejected the record (code)":
        # the code is kept in the journal's error_code.
        reason = (error.message if isinstance(error, RootFiError) and error.message else str(error)).rstrip(".")
        self.journal.update([i.attempt_id for i in items], FAILED, message=reason,
                            error_code=code or getattr(error, "code", None))
        self.failed(items, reason, field=getattr(error, "field", None))

    def failed(self, items: list[Item], reason: str, field: str | None = None) -> None:
        """The outcome of records the API refused (journalled already), in the platform's words
        (a refused id says the lookups may be out of date)."""
        message = refused_id_hint(platform_refused(self.platform, reason), reason, field, self.platform)
        for item in items:
            item.outcome = Outcome(Status.FAILED, message, sync_id=item.sync_id, submitted_at=item.sent_at)
            self.tick(item, "failed")

    def not_sent(self, items: list[Item], error: RootFiError) -> None:
        """The request certainly did not reach RootFi: nothing was created."""
        self.journal.update([i.attempt_id for i in items], FAILED, message=f"not sent: {error}",
                            error_code=error.code or type(error).__name__)
        for item in items:
            item.outcome = Outcome(Status.FAILED, f"not sent, nothing was created: {error}; submit again",
                                   submitted_at=item.sent_at)
            self.tick(item, "not sent")
        if isinstance(error, AuthError):
            raise SubmitAborted(f"{key_refused(self.base_url, company=self.company_id)} {NOTHING_MORE_SENT}",
                                key_refused=True)

    def still_running(self, items: list[Item], idle: float) -> None:
        """Sent in a bulk write in which nothing moved for the run's bound: Pending now (the
        journal keeps them PENDING with their sync id), collected by a later Submit."""
        for item in items:
            item.outcome = Outcome(Status.PENDING, STILL_RUNNING.format(minutes=minutes_text(idle)),
                                   sync_id=item.sync_id, submitted_at=item.sent_at)
            self.tick(item, "still running at RootFi")

    def skip(self, items: list[Item], message: str, progress: str) -> None:
        """Not sent this time, and nothing in the journal: the next Submit tries again."""
        for item in items:
            item.outcome = Outcome(Status.SKIPPED, message)
            self.tick(item, progress)


def ghost(run: Run, attempt: Attempt) -> Item:
    """An item for an attempt whose row is no longer in the workbook: settled all the same."""
    return Item(-1, attempt.payload, attempt.fingerprint, attempt_id=attempt.id, batch_id=attempt.batch_id,
                sent_at=attempt.sent_at, server_sent_at=attempt.server_sent_at, sync_id=attempt.sync_id,
                bulk=was_bulk(attempt))


def flag_of(attempt: Attempt) -> str | None:
    """The flag a created record carries in the journal (a possible duplicate, ...), if any."""
    return attempt.error_code if attempt.error_code in (POSSIBLE_DUPLICATE, TWIN_CHECK_FAILED) else None


def was_bulk(attempt: Attempt) -> bool:
    """Sent as a bulk write (its records may land long after the answer was lost)? An
    attempt from an older journal that did not record it counts as bulk: the safe side."""
    return attempt.bulk is not False


def describe(model: str, body: dict[str, Any]) -> str:
    if model == "invoice_payments":
        return f"payment {body.get('document_number')} for invoice {body.get('invoice_id')}"
    return f"credit note {body.get('document_number')}"


def moment(stamp: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
