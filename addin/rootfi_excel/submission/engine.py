"""The submission engine: send valid units, never one twice, and say what became of each.

For each unit (a payment, or a credit note with its lines) the engine:

1. looks in the journal for earlier attempts: of the same record (fingerprint) -
   created: written back without sending; a bulk write still running: collected; an
   answer that was lost: reconciled first - and of the same document number with other
   values, which must be settled before an edited row may be sent;
2. checks the platform for records that already use the unit's document number
   (a colleague's submission, a lost journal), unless told not to;
3. sends what is left: a few records one by one (synchronous, ids at once), many as
   bulk async writes in batches, each attempt written to the journal *before* it goes;
4. collects bulk writes (read the jobs, poll the sync when needed, look records up);
5. reconciles lost answers: once they are old enough for a late write to have landed,
   and no bulk write of the company is still running, it looks the record up by its
   document number; only a record certainly not there is sent again.

Attempts in the journal whose rows are no longer in the workbook (a row deleted or
edited while its answer was outstanding) are still settled, as "ghosts": their result
is kept in the journal, so no answer is ever dropped.

The API key never reaches this module: it only sees a client.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from rootfi_excel.api.errors import (
    ApiValidationError,
    AuthError,
    NotFoundError,
    OutcomeUnknownError,
    RootFiError,
    SyncTimeoutError,
)
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import jobs as job_reading
from rootfi_excel.submission import matching
from rootfi_excel.submission.journal import (
    CREATED,
    FAILED,
    OPEN_STATES,
    PENDING,
    UNKNOWN,
    Attempt,
    Journal,
    fingerprint,
)
from rootfi_excel.validation.validate import Unit

RUNNING_SYNC = frozenset({"RUNNING", "CREATED", "PENDING", "QUEUED"})
LOST_ANSWER = "lost-answer-not-found"  # error_code of an attempt closed after a lookup found nothing
ALREADY_EXISTS = "record-already-exists"
_LABELS = {"invoice_payments": "payments", "invoice_credit_notes": "credit notes"}
CLOCK_SKEW = dt.timedelta(minutes=10)  # between this computer's clock and RootFi's


class SubmitAborted(Exception):
    """The whole run must stop (the key was refused, the company is not connected, ...)."""


class Client(Protocol):  # what the engine needs of api.client.RootFiClient
    def create(self, company_id: int, model: str, record: dict[str, Any]) -> dict[str, Any]: ...
    def create_async(self, company_id: int, model: str, records: list[dict[str, Any]]) -> str: ...
    def wait_for_sync(self, sync_id: str, *, timeout: float = ...) -> dict[str, Any]: ...
    def list_sync_jobs(self, sync_id: str) -> list[dict[str, Any]]: ...
    def list_company_syncs(self, company_id: int, job_type: str = ...) -> list[dict[str, Any]]: ...
    def find_by_document_numbers(self, company_id: int, model: str, numbers: Any) -> list[dict[str, Any]]: ...


@dataclass
class SubmitOptions:
    batch_size: int = 200  # records per bulk (async) write
    sync_threshold: int = 3  # this many records or fewer go one by one, synchronously
    max_rounds: int = 3  # send / collect / reconcile rounds within one run
    sync_timeout: float = 900.0  # how long to wait for one bulk write to finish
    # A lost answer is looked up, and sent again if not found, only once it is this old:
    # long enough (3x the client's 30 s timeout) for a write the server was still
    # working on to have landed. A lookup that finds nothing sooner proves nothing.
    resend_after: float = 90.0
    check_platform: bool = True  # look for the document numbers in the platform before sending


@dataclass
class Outcome:
    status: str  # Status.CREATED / FAILED / PENDING / UNKNOWN
    message: str = ""
    rootfi_id: str | None = None
    platform_id: str | None = None
    sync_id: str | None = None
    submitted_at: str | None = None  # UTC ISO time of the attempt


@dataclass
class _Item:
    position: int  # the unit's position in submit()'s list; -1 for a ghost
    body: dict[str, Any]
    fingerprint: str
    attempt_id: int | None = None
    batch_id: str | None = None
    sent_at: str | None = None
    sync_id: str | None = None
    bulk: bool = False  # sent in a bulk (async) write: a lost answer may still become records
    outcome: Outcome | None = None

    @property
    def ghost(self) -> bool:
        return self.position < 0

    @property
    def number(self) -> str | None:
        return self.body.get("document_number")


@dataclass
class SubmitReport:
    outcomes: dict[int, Outcome] = field(default_factory=dict)  # unit position -> outcome

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes.values() if o.status == status)


Progress = Callable[[int, int, str], None]


@dataclass
class _Work:
    """What one run still has to do, by kind."""

    pending: dict[str, list[_Item]] = field(default_factory=lambda: defaultdict(list))  # sync_id -> items
    lost: list[_Item] = field(default_factory=list)
    fresh: list[_Item] = field(default_factory=list)
    parked: list[_Item] = field(default_factory=list)  # bulk writes still running after sync_timeout
    seen_attempts: set[int] = field(default_factory=set)

    def add_pending(self, item: _Item) -> None:
        self.pending[item.sync_id].append(item)

    @property
    def open(self) -> bool:
        return bool(self.pending or self.lost)


class Submitter:
    def __init__(self, client: Client, journal: Journal, *, base_url: str, company_id: int,
                 integration: str | None = None, options: SubmitOptions | None = None,
                 progress: Progress | None = None, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)) -> None:
        self.client = client
        self.journal = journal
        self.base_url = base_url.rstrip("/")
        self.company_id = company_id
        self.platform = integration or "the platform"
        self.options = options or SubmitOptions()
        self.progress = progress or (lambda done, total, text: None)
        self.sleep = sleep
        self.now = now

    # ------------------------------------------------------------------ entry

    def submit(self, model: str, units: list[Unit]) -> SubmitReport:
        """Send the units (valid, never created) of one model; an outcome for each."""
        self.model = model
        items = [self._item(position, unit) for position, unit in enumerate(units) if unit.request]
        self._done, self._total = 0, len(items)
        work = _Work()
        self._sort_by_journal(items, work)
        if work.fresh and self.options.check_platform:
            work.fresh = self._skip_existing(work.fresh)

        for _ in range(self.options.max_rounds):
            if work.pending:
                pending, work.pending = work.pending, defaultdict(list)
                self._collect(pending, work)
            if work.lost:
                lost, work.lost = work.lost, []
                self._reconcile(lost, work)
            if work.fresh:
                fresh, work.fresh = work.fresh, []
                self._send(fresh, work)
            if not work.open:
                break
        for item in work.parked + [i for group in work.pending.values() for i in group]:
            item.outcome = Outcome(Status.PENDING, "sent in a bulk write that is still running at RootFi; "
                                   "press Submit again later to collect the result",
                                   sync_id=item.sync_id, submitted_at=item.sent_at)
        for item in work.lost + work.fresh:
            if item.outcome is None or item.outcome.status != Status.UNKNOWN:
                item.outcome = Outcome(Status.UNKNOWN, "the answer from RootFi was lost; the next Submit looks the "
                                       "record up before it sends anything again", submitted_at=item.sent_at)
        return SubmitReport({item.position: item.outcome for item in items if item.outcome})

    def _item(self, position: int, unit: Unit) -> _Item:
        body = unit.request.to_api()
        return _Item(position, body, fingerprint(self.base_url, self.company_id, self.model, body))

    def _ghost(self, attempt: Attempt) -> _Item:
        return _Item(-1, attempt.payload, attempt.fingerprint, attempt.id, attempt.batch_id, attempt.sent_at,
                     attempt.sync_id, bulk=len(self.journal.batch_attempts(attempt.batch_id)) > 1)

    def _tick(self, item: _Item, text: str) -> None:
        if not item.ghost:
            self._done += 1
            self._report(text)

    def _report(self, text: str) -> None:
        self.progress(min(self._done, self._total), self._total, f"{_LABELS.get(self.model, self.model)}: {text}")

    # ------------------------------------------------------------ 1. journal

    def _sort_by_journal(self, items: list[_Item], work: _Work) -> None:
        latest = self.journal.latest(item.fingerprint for item in items)
        for item in items:
            attempt = latest.get(item.fingerprint)
            if attempt is None or attempt.state == FAILED:
                if not self._settled_elsewhere(item, work):
                    work.fresh.append(item)
                continue
            self._resume(item, attempt, work)

    def _resume(self, item: _Item, attempt: Attempt, work: _Work) -> None:
        """Carry on from an earlier attempt of the same record."""
        item.attempt_id, item.batch_id, item.sent_at, item.sync_id = (
            attempt.id, attempt.batch_id, attempt.sent_at, attempt.sync_id)
        work.seen_attempts.add(attempt.id)
        if attempt.state == CREATED:
            item.outcome = Outcome(Status.CREATED, "created by an earlier Submit (from this computer's journal); "
                                   "not sent again", attempt.rootfi_id, attempt.platform_id, attempt.sync_id,
                                   attempt.sent_at)
            self._tick(item, "already created")
        elif attempt.state == PENDING and attempt.sync_id:
            work.add_pending(item)
        else:  # SENDING or UNKNOWN: the process died or the answer was lost
            item.bulk = len(self.journal.batch_attempts(attempt.batch_id)) > 1
            work.lost.append(item)

    def _settled_elsewhere(self, item: _Item, work: _Work) -> bool:
        """Earlier attempts with this document number (and invoice) but other values.

        Created: this row is an edit of a record that exists - never send it again.
        Still open (answer lost, bulk write running): settle that attempt first, and
        hold this row until the next Submit."""
        if not item.number:
            return False
        key = matching.lookup_key(self.model, item.body)
        earlier = [a for a in self.journal.with_number(self.base_url, self.company_id, self.model, item.number,
                                                       (CREATED, *OPEN_STATES))
                   if matching.lookup_key(self.model, a.payload) == key]
        created = next((a for a in earlier if a.state == CREATED), None)
        if created is not None:
            item.outcome = Outcome(
                Status.FAILED,
                f"{_describe(self.model, item.body)} was already created (rootfi_id {created.rootfi_id}, "
                f"{created.sent_at[:10]}) with other values; RootFi cannot change it from here: correct it in "
                "the platform, or give this row a new document_number",
            )
            self._tick(item, "already created with other values")
            return True
        open_attempts = [a for a in earlier if a.id not in work.seen_attempts]
        if not open_attempts and not any(a.state in OPEN_STATES for a in earlier):
            return False
        for attempt in open_attempts:  # settle the earlier attempt, whatever became of its row
            work.seen_attempts.add(attempt.id)
            ghost = self._ghost(attempt)
            if attempt.state == PENDING and attempt.sync_id:
                work.add_pending(ghost)
            else:
                work.lost.append(ghost)
        item.outcome = Outcome(
            Status.UNKNOWN,
            f"an earlier Submit of {_describe(self.model, item.body)} with other values has no answer yet; it is "
            "checked first, so press Submit again to send this row (nothing was sent now)",
        )
        self._tick(item, "waiting for an earlier attempt")
        return True

    # ---------------------------------------------- 2. already in the platform

    def _skip_existing(self, items: list[_Item]) -> list[_Item]:
        numbers = [item.number for item in items if item.number]
        if not numbers:
            return items
        records = self._lookup(numbers)
        if records is None:
            return items  # the check could not run; our own journal still guards our own attempts
        claimed = self._claimed_ids(records)
        remaining = []
        for item in items:
            candidates = records.get(item.number, [])
            match = matching.find_match(self.model, item.body, candidates, claimed)
            if match is not None:
                claimed.add(str(match.get("rootfi_id")))
                item.outcome = Outcome(Status.CREATED, f"already in {self.platform} (rootfi_id {match.get('rootfi_id')}); "
                                       "not sent again", _text(match.get("rootfi_id")), _text(match.get("platform_id")))
                self._tick(item, "already in the platform")
                continue
            conflict = matching.find_conflict(self.model, item.body, candidates)
            if conflict is not None:
                item.outcome = Outcome(Status.FAILED, f"{self.platform} already has {_describe(self.model, item.body)} "
                                       f"with other values (rootfi_id {conflict.get('rootfi_id')}); correct it there, "
                                       "or give this row its own document_number")
                self._tick(item, "number already used")
                continue
            remaining.append(item)
        return remaining

    def _lookup(self, numbers: list[str]) -> dict[str, list[dict[str, Any]]] | None:
        """Records of the platform by document number; None when the lookup failed."""
        try:
            records = self.client.find_by_document_numbers(self.company_id, self.model, sorted(set(numbers)))
        except AuthError as error:
            raise SubmitAborted(str(error)) from None
        except RootFiError:
            return None
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in records:
            found[str(record.get("document_number") or "")].append(record)
        return found

    def _claimed_ids(self, records: dict[str, list[dict[str, Any]]]) -> set[str]:
        """rootfi_ids that earlier attempts of ours already own: never match them to another row."""
        claimed: set[str] = set()
        for number in records:
            for attempt in self.journal.with_number(self.base_url, self.company_id, self.model, number):
                if attempt.rootfi_id:
                    claimed.add(attempt.rootfi_id)
        return claimed

    # ----------------------------------------------------------------- 3. send

    def _send(self, items: list[_Item], work: _Work) -> None:
        if len(items) <= self.options.sync_threshold:
            for item in items:
                self._send_one(item, work)
            return
        size = max(1, self.options.batch_size)
        for start in range(0, len(items), size):
            self._send_batch(items[start:start + size], work)

    def _begin(self, items: list[_Item]) -> None:
        batch_id, ids, sent_at = self.journal.begin(
            self.base_url, self.company_id, self.model, [(item.fingerprint, item.number, item.body) for item in items])
        for item, attempt_id in zip(items, ids):
            item.attempt_id, item.batch_id, item.sent_at, item.sync_id = attempt_id, batch_id, sent_at, None
            item.bulk = len(items) > 1

    def _send_one(self, item: _Item, work: _Work) -> None:
        """Synchronous write of one record."""
        self._begin([item])
        try:
            record = self.client.create(self.company_id, self.model, item.body)
        except OutcomeUnknownError as error:
            self.journal.update([item.attempt_id], UNKNOWN, message=str(error))
            work.lost.append(item)
            return
        except ApiValidationError as error:
            if error.code == ALREADY_EXISTS:
                self._settle_existing([item], str(error))
            else:
                self._fail([item], error)
            return
        except RootFiError as error:  # auth, network, rate limit: the write was not processed
            self._not_sent([item], error)
            return
        self._created(item, record, message="")
        self._tick(item, "created")

    def _send_batch(self, batch: list[_Item], work: _Work) -> None:
        """One bulk async write."""
        self._begin(batch)
        ids = [item.attempt_id for item in batch]
        try:
            sync_id = self.client.create_async(self.company_id, self.model, [item.body for item in batch])
        except OutcomeUnknownError as error:
            self.journal.update(ids, UNKNOWN, message=str(error))
            work.lost += batch
            return
        except ApiValidationError as error:
            self._fail(batch, error)
            return
        except RootFiError as error:  # auth, network, rate limit: the write was not processed
            self._not_sent(batch, error)
            return
        self.journal.update(ids, PENDING, sync_id=sync_id)
        for item in batch:
            item.sync_id = sync_id
            work.add_pending(item)
        self._report(f"sent {len(batch)} in one bulk write")

    def _fail(self, items: list[_Item], error: RootFiError | str, code: str | None = None) -> None:
        text = str(error).rstrip(".")
        self.journal.update([i.attempt_id for i in items], FAILED, message=text,
                            error_code=code or getattr(error, "code", None))
        for item in items:
            item.outcome = Outcome(Status.FAILED, f"{text}; fix the row and submit again", sync_id=item.sync_id,
                                   submitted_at=item.sent_at)
            self._tick(item, "failed")

    def _not_sent(self, items: list[_Item], error: RootFiError) -> None:
        """The request certainly did not reach RootFi: nothing was created."""
        self.journal.update([i.attempt_id for i in items], FAILED, message=f"not sent: {error}",
                            error_code=error.code or type(error).__name__)
        if isinstance(error, AuthError):
            raise SubmitAborted(f"{error}. Check the key with rootfi-excel login; nothing more was sent.")
        for item in items:
            item.outcome = Outcome(Status.FAILED, f"not sent, nothing was created: {error}; press Submit again",
                                   submitted_at=item.sent_at)
            self._tick(item, "not sent")

    def _created(self, item: _Item, record: dict[str, Any], message: str) -> None:
        rootfi_id, platform_id = _text(record.get("rootfi_id")), _text(record.get("platform_id"))
        self.journal.update([item.attempt_id], CREATED, rootfi_id=rootfi_id, platform_id=platform_id,
                            sync_id=item.sync_id, message=message or None)
        item.outcome = Outcome(Status.CREATED, message, rootfi_id, platform_id, item.sync_id, item.sent_at)

    def _settle_existing(self, items: list[_Item], reason: str) -> None:
        """The platform says the document number exists: ours (from a lost answer or a
        colleague) becomes Created; anyone else's is a clear Failed, never a retry loop."""
        records = self._lookup([i.number for i in items if i.number])
        if records is None:  # the lookup failed: the next Submit looks again before sending
            self.journal.update([i.attempt_id for i in items], UNKNOWN, message=reason, error_code=ALREADY_EXISTS)
            for item in items:
                item.outcome = Outcome(Status.UNKNOWN, f"{self.platform} says this record already exists; the next "
                                       "Submit checks which record it is", sync_id=item.sync_id, submitted_at=item.sent_at)
            return
        claimed = self._claimed_ids(records)
        for item in items:
            candidates = records.get(item.number, [])
            match = matching.find_match(self.model, item.body, candidates, claimed)
            if match is not None:
                claimed.add(str(match.get("rootfi_id")))
                self._created(item, match, message=f"already in {self.platform}: not sent again")
            else:
                other = candidates[0].get("rootfi_id") if candidates else "unknown"
                self._fail([item], f"{self.platform} already has a record with document_number {item.number} "
                                   f"(rootfi_id {other}) and refused a second one; give this row its own "
                                   "document_number", code=ALREADY_EXISTS)
                continue
            self._tick(item, "already exists")

    # ------------------------------------------------------- 4. collect syncs

    def _collect(self, pending: dict[str, list[_Item]], work: _Work) -> None:
        """Settle each bulk write from its jobs; what stays unclear is looked up."""
        unclear: list[_Item] = []
        failures: dict[str, list[str]] = {}
        for sync_id, items in pending.items():
            batch = self._whole_batch(items, work)
            try:
                # Bulk writes are all sent before any is collected, so most are finished by
                # now: read the jobs first, and poll the sync only when some are not done.
                jobs = self.client.list_sync_jobs(sync_id)
                if len(jobs) < len(batch) or any(job_reading.job_status(j) not in job_reading.DONE_JOB for j in jobs):
                    self.client.wait_for_sync(sync_id, timeout=self.options.sync_timeout)
                    jobs = self.client.list_sync_jobs(sync_id)
            except SyncTimeoutError:
                work.parked += [i for i in batch if i.outcome is None]
                continue
            except NotFoundError:
                unclear += [i for i in batch if i.outcome is None]  # RootFi does not know this sync: look up
                continue
            except AuthError as error:
                raise SubmitAborted(str(error)) from None
            except RootFiError:
                for item in batch:  # a passing failure: collect it again next round
                    if item.outcome is None:
                        work.add_pending(item)
                continue
            unclear += self._settle_jobs(batch, jobs)
            for number, reasons in job_reading.unmatched_failures(jobs, job_reading.match_jobs(
                    jobs, [i.number for i in batch])).items():
                failures.setdefault(number, []).extend(reasons)
        if unclear:
            self._settle_unclear(unclear, failures, work)

    def _whole_batch(self, items: list[_Item], work: _Work) -> list[_Item]:
        """Every record of the request, in sending order: rows of this run, and ghosts for
        attempts whose rows are gone, so that job positions stay true and no result is dropped."""
        mine = {item.attempt_id: item for item in items}
        batch: list[_Item] = []
        for attempt in self.journal.batch_attempts(items[0].batch_id):
            work.seen_attempts.add(attempt.id)
            if attempt.id in mine:
                batch.append(mine[attempt.id])
            else:
                ghost = self._ghost(attempt)
                if attempt.state != PENDING:  # settled already: a placeholder that keeps positions
                    ghost.outcome = Outcome(Status.CREATED if attempt.state == CREATED else Status.FAILED)
                batch.append(ghost)
        return batch

    def _settle_jobs(self, batch: list[_Item], jobs: list[dict[str, Any]]) -> list[_Item]:
        """Settle the records whose job is clear. Returns those that still need a lookup."""
        matched = job_reading.match_jobs(jobs, [item.number for item in batch])
        unclear: list[_Item] = []
        exists: list[_Item] = []
        failures: dict[int, tuple[str, dict[str, Any]]] = {}
        for position, item in enumerate(batch):
            if item.outcome is not None:
                continue  # a placeholder for an attempt settled before
            job = matched.get(position)
            status = job_reading.job_status(job) if job else ""
            error = job_reading.job_error(job) if job else {}
            if status == "FAILED" and error.get("code") == ALREADY_EXISTS:
                exists.append(item)
            elif status == "FAILED":
                text = job_reading.describe_error(error).rstrip(".")
                failures[item.attempt_id] = (FAILED, {"message": text, "error_code": error.get("code")})
                item.outcome = Outcome(Status.FAILED, f"{text}; fix the row and submit again", sync_id=item.sync_id,
                                       submitted_at=item.sent_at)
                self._tick(item, "failed")
            elif status == "SUCCESS" and job_reading.job_ids(job):
                self._created(item, job_reading.job_ids(job), message="")
                self._tick(item, "created")
            else:
                unclear.append(item)
        if failures:
            self.journal.settle(failures)
        if exists:
            self._settle_existing(exists, "already exists")
        self._report("collected a bulk write")
        return unclear

    def _settle_unclear(self, items: list[_Item], failures: dict[str, list[str]], work: _Work) -> None:
        """Bulk-write records no job spoke clearly about: found -> Created; not found and a
        failed job of theirs unmatched -> Failed with its reason; otherwise still unknown."""
        again, unknown = self._resolve_by_lookup(items, close_missing=False)
        missing: dict[str, list[_Item]] = defaultdict(list)
        for item in unknown:
            missing[str(item.number)].append(item)
        for number, group in missing.items():
            reasons = failures.get(number, [])
            if reasons and len(reasons) >= len(group):
                text = "; ".join(dict.fromkeys(r.rstrip(".") for r in reasons))
                self._fail(group, text)
            else:
                work.lost += group
        work.lost += again

    # ------------------------------------------------------------ 5. reconcile

    def _reconcile(self, items: list[_Item], work: _Work) -> None:
        """Items whose answer was lost: find them in the platform; send again only what is
        certainly not there."""
        youngest = max((_moment(i.sent_at) for i in items if i.sent_at), default=None)
        if youngest is not None:
            wait = self.options.resend_after - (self.now() - youngest).total_seconds()
            if wait > 0:
                self._report(f"checking {len(items)} lost answers in {wait:.0f} s")
                self.sleep(wait)
        oldest = min((_moment(i.sent_at) for i in items if i.sent_at), default=None)
        if any(item.bulk for item in items) and not self._no_bulk_write_running(since=oldest):
            work.lost += items  # a lost bulk write may still be creating them: never resend now
            return
        again, unknown = self._resolve_by_lookup(items, close_missing=True)
        work.fresh += [item for item in again if not item.ghost]
        work.lost += unknown

    def _no_bulk_write_running(self, since: dt.datetime | None) -> bool:
        """Wait for the company's bulk writes that started since our lost ones were sent
        (less a margin for clock skew); False if one still runs or the check failed."""
        try:
            syncs = self.client.list_company_syncs(self.company_id, "PUSH")
        except AuthError as error:
            raise SubmitAborted(str(error)) from None
        except RootFiError:
            return False
        for sync in syncs:
            started = _started(sync)
            if since is not None and started is not None and started < since - CLOCK_SKEW:
                continue  # older than our lost writes: cannot be one of them
            if str(sync.get("status") or "").upper() in RUNNING_SYNC and sync.get("sync_id"):
                try:
                    self.client.wait_for_sync(str(sync["sync_id"]), timeout=self.options.sync_timeout)
                except RootFiError:
                    return False
        return True

    def _resolve_by_lookup(self, items: list[_Item], *, close_missing: bool) -> tuple[list[_Item], list[_Item]]:
        """Look the items up by document number; found ones become Created.

        Returns (to send again, still unknown). A missing item goes to "send again" only
        when close_missing and it has a document number (its attempt is then closed in
        the journal); if the lookup fails, every item stays unknown: never resend blindly."""
        records = self._lookup([i.number for i in items if i.number])
        if records is None:
            self.journal.update([i.attempt_id for i in items], UNKNOWN)
            return [], items
        claimed = self._claimed_ids(records)
        again: list[_Item] = []
        unknown: list[_Item] = []
        for item in items:
            match = matching.find_match(self.model, item.body, records.get(item.number, []), claimed)
            if match is not None:
                claimed.add(str(match.get("rootfi_id")))
                self._created(item, match, message="the answer was lost, but the record was found in RootFi: "
                                                   "not sent again")
                self._tick(item, "found after a lost answer")
            elif close_missing and item.number:
                self.journal.update([item.attempt_id], FAILED, message="not found after a lost answer: sent again",
                                    error_code=LOST_ANSWER)
                item.outcome = None
                again.append(item)
            else:
                self.journal.update([item.attempt_id], UNKNOWN)
                unknown.append(item)
        return again, unknown


def _describe(model: str, body: dict[str, Any]) -> str:
    if model == "invoice_payments":
        return f"payment {body.get('document_number')} for invoice {body.get('invoice_id')}"
    return f"credit note {body.get('document_number')}"


def _started(sync: dict[str, Any]) -> dt.datetime | None:
    for name in ("start_time", "rootfi_created_at"):
        try:
            return _moment(str(sync[name]).replace("Z", "+00:00"))
        except (KeyError, TypeError, ValueError):
            continue
    return None


def _moment(stamp: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
