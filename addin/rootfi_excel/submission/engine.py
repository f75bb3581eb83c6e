"""The submission engine: send valid units, never one twice, and say what became of each.

For each unit (a payment, or a credit note with its lines) the engine:

1. looks in the journal for an earlier attempt of the same record (fingerprint):
   created -> the result is written back without sending; a bulk write still running
   -> it is collected; an answer that was lost -> it is reconciled first;
2. checks the platform for records that already use the unit's document number
   (a colleague's submission, a lost journal), unless told not to;
3. sends what is left: a few records one by one (synchronous, ids at once), many as
   bulk async writes in batches, each attempt written to the journal *before* it goes;
4. collects bulk writes (poll the sync, read its jobs, look up the created records);
5. reconciles lost answers by looking the record up by its document number, and
   sends again only what is certainly not there, for a few rounds.

The API key never reaches this module: it only sees a client.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from rootfi_excel.api.errors import (
    ApiValidationError,
    AuthError,
    OutcomeUnknownError,
    RootFiError,
    SyncTimeoutError,
)
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import matching
from rootfi_excel.submission.journal import CREATED, FAILED, PENDING, UNKNOWN, Journal, fingerprint
from rootfi_excel.validation.validate import Unit

RUNNING_SYNC = frozenset({"RUNNING", "CREATED", "PENDING", "QUEUED"})
LOST_ANSWER = "lost-answer-not-found"  # error_code of an attempt closed after a lookup found nothing
ALREADY_EXISTS = "record-already-exists"
_LABELS = {"invoice_payments": "payments", "invoice_credit_notes": "credit notes"}


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
    reconcile_grace: float = 2.0  # seconds to let a late answer land before looking it up
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
    position: int
    unit: Unit
    body: dict[str, Any]
    fingerprint: str
    attempt_id: int | None = None
    batch_id: str | None = None
    batch_index: int | None = None
    sent_at: str | None = None
    bulk: bool = False  # sent in a bulk (async) write: a lost answer may still become records
    outcome: Outcome | None = None


@dataclass
class SubmitReport:
    outcomes: dict[int, Outcome] = field(default_factory=dict)  # unit position -> outcome

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes.values() if o.status == status)


Progress = Callable[[int, int, str], None]


class Submitter:
    def __init__(self, client: Client, journal: Journal, *, base_url: str, company_id: int,
                 integration: str | None = None, options: SubmitOptions | None = None,
                 progress: Progress | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.journal = journal
        self.base_url = base_url.rstrip("/")
        self.company_id = company_id
        self.platform = integration or "the platform"
        self.options = options or SubmitOptions()
        self.progress = progress or (lambda done, total, text: None)
        self.sleep = sleep

    # ------------------------------------------------------------------ entry

    def submit(self, model: str, units: list[Unit]) -> SubmitReport:
        """Send the units (valid, never created) of one model; an outcome for each."""
        items = [self._item(position, model, unit) for position, unit in enumerate(units) if unit.request]
        self._done, self._total, self._model = 0, len(items), model
        pending: dict[str, list[_Item]] = defaultdict(list)
        lost: list[_Item] = []
        fresh: list[_Item] = []
        self._sort_by_journal(model, items, pending, lost, fresh)
        if fresh and self.options.check_platform:
            fresh = self._skip_existing(model, fresh)

        parked: list[_Item] = []  # bulk writes still running after sync_timeout
        for _ in range(self.options.max_rounds):
            if pending:
                lost_now, running = self._collect(model, pending)
                lost += lost_now
                parked += running
                pending = defaultdict(list)
            if lost:
                to_send, lost = self._reconcile(model, lost)
                fresh += to_send
            if fresh:
                sent_pending, sent_lost = self._send(model, fresh)
                fresh = []
                for sync_id, group in sent_pending.items():
                    pending[sync_id] += group
                lost += sent_lost
            if not (pending or lost):
                break
        for item in parked + [i for group in pending.values() for i in group]:
            item.outcome = Outcome(Status.PENDING, "sent in a bulk write that is still running at RootFi; "
                                   "press Submit again later to collect the result",
                                   sync_id=item.outcome.sync_id if item.outcome else None, submitted_at=item.sent_at)
        for item in lost + fresh:
            item.outcome = Outcome(Status.UNKNOWN, "the answer from RootFi was lost; the next Submit looks the record "
                                   "up before it sends anything again", submitted_at=item.sent_at)
        return SubmitReport({item.position: item.outcome for item in items if item.outcome})

    def _item(self, position: int, model: str, unit: Unit) -> _Item:
        body = unit.request.to_api()
        return _Item(position, unit, body, fingerprint(self.base_url, self.company_id, model, body))

    def _tick(self, count: int, text: str) -> None:
        self._done += count
        self._report(text)

    def _report(self, text: str) -> None:
        self.progress(min(self._done, self._total), self._total, f"{_LABELS.get(self._model, self._model)}: {text}")

    # ------------------------------------------------------------ 1. journal

    def _sort_by_journal(self, model: str, items: list[_Item], pending: dict[str, list[_Item]],
                         lost: list[_Item], fresh: list[_Item]) -> None:
        latest = self.journal.latest(item.fingerprint for item in items)
        batch_positions: dict[str, dict[int, int]] = {}
        for item in items:
            attempt = latest.get(item.fingerprint)
            if attempt is None or attempt.state == FAILED:
                if not self._conflicts_with_journal(model, item):
                    fresh.append(item)
                continue
            item.attempt_id, item.batch_id, item.sent_at = attempt.id, attempt.batch_id, attempt.sent_at
            if attempt.state == CREATED:
                item.outcome = Outcome(Status.CREATED, "created by an earlier Submit (from this computer's journal); "
                                       "not sent again", attempt.rootfi_id, attempt.platform_id, attempt.sync_id,
                                       attempt.sent_at)
                self._tick(1, "already created")
            elif attempt.state == PENDING and attempt.sync_id:
                if attempt.batch_id not in batch_positions:
                    batch_positions[attempt.batch_id] = self.journal.batch_positions(attempt.batch_id)
                item.batch_index = batch_positions[attempt.batch_id].get(attempt.id)
                item.outcome = Outcome(Status.PENDING, sync_id=attempt.sync_id, submitted_at=attempt.sent_at)
                pending[attempt.sync_id].append(item)
            else:  # SENDING or UNKNOWN: the process died or the answer was lost
                if attempt.batch_id not in batch_positions:
                    batch_positions[attempt.batch_id] = self.journal.batch_positions(attempt.batch_id)
                item.bulk = len(batch_positions[attempt.batch_id]) > 1
                lost.append(item)

    def _conflicts_with_journal(self, model: str, item: _Item) -> bool:
        number = item.body.get("document_number")
        if not number:
            return False
        for attempt in self.journal.created_with_number(self.company_id, model, number):
            if matching.lookup_key(model, attempt.payload) == matching.lookup_key(model, item.body):
                item.outcome = Outcome(
                    Status.FAILED,
                    f"{_describe(model, item.body)} was already created from this computer (rootfi_id "
                    f"{attempt.rootfi_id}, {attempt.sent_at[:10]}) with other values; RootFi cannot change it from "
                    "here: correct it in the platform, or give this row a new document_number",
                    rootfi_id=None,
                )
                self._tick(1, "conflict")
                return True
        return False

    # ---------------------------------------------- 2. already in the platform

    def _skip_existing(self, model: str, items: list[_Item]) -> list[_Item]:
        numbers = [item.body["document_number"] for item in items if item.body.get("document_number")]
        if not numbers:
            return items
        records = self._lookup(model, numbers)
        if records is None:
            return items  # the check could not run; sending is still safe from duplicates of ours
        claimed: set[str] = set()
        remaining = []
        for item in items:
            candidates = records.get(item.body.get("document_number"), [])
            match = matching.find_match(model, item.body, candidates, claimed)
            if match is not None:
                claimed.add(str(match.get("rootfi_id")))
                item.outcome = Outcome(Status.CREATED, f"already in {self.platform} (rootfi_id {match.get('rootfi_id')}); "
                                       "not sent again", _text(match.get("rootfi_id")), _text(match.get("platform_id")))
                self._tick(1, "already in the platform")
                continue
            conflict = matching.find_conflict(model, item.body, candidates)
            if conflict is not None and model == "invoice_credit_notes":
                item.outcome = Outcome(Status.FAILED, f"document_number {item.body['document_number']} is already used in "
                                       f"{self.platform} by another credit note (rootfi_id {conflict.get('rootfi_id')}, "
                                       f"contact {conflict.get('contact_id')}); give this credit note its own number")
                self._tick(1, "number already used")
                continue
            remaining.append(item)
        return remaining

    def _lookup(self, model: str, numbers: list[str]) -> dict[str, list[dict[str, Any]]] | None:
        """Records of the platform by document number; None when the lookup failed."""
        try:
            records = self.client.find_by_document_numbers(self.company_id, model, sorted(set(numbers)))
        except AuthError as error:
            raise SubmitAborted(str(error)) from None
        except RootFiError:
            return None
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in records:
            found[str(record.get("document_number") or "")].append(record)
        return found

    # ----------------------------------------------------------------- 3. send

    def _send(self, model: str, items: list[_Item]) -> tuple[dict[str, list[_Item]], list[_Item]]:
        pending: dict[str, list[_Item]] = defaultdict(list)
        lost: list[_Item] = []
        if len(items) <= self.options.sync_threshold:
            for item in items:
                if self._send_one(model, item):
                    lost.append(item)
            return pending, lost
        size = max(1, self.options.batch_size)
        for start in range(0, len(items), size):
            batch = items[start:start + size]
            sync_id, batch_lost = self._send_batch(model, batch)
            if sync_id:
                pending[sync_id] += batch
            lost += batch_lost
        return pending, lost

    def _begin(self, model: str, items: list[_Item]) -> None:
        batch_id, ids, sent_at = self.journal.begin(
            self.base_url, self.company_id, model,
            [(item.fingerprint, item.body.get("document_number"), item.body) for item in items],
        )
        for index, (item, attempt_id) in enumerate(zip(items, ids)):
            item.attempt_id, item.batch_id, item.batch_index, item.sent_at = attempt_id, batch_id, index, sent_at
            item.bulk = len(items) > 1

    def _send_one(self, model: str, item: _Item) -> bool:
        """Synchronous write of one record. True when its answer was lost."""
        self._begin(model, [item])
        try:
            record = self.client.create(self.company_id, model, item.body)
        except OutcomeUnknownError as error:
            self.journal.update([item.attempt_id], UNKNOWN, message=str(error))
            return True
        except ApiValidationError as error:
            if error.code == ALREADY_EXISTS:
                self._settle_existing(model, [item], str(error))
            else:
                self._fail([item], error)
            return False
        except RootFiError as error:  # auth, network, rate limit: the write was not processed
            self._not_sent([item], error)
            return False
        self._created(item, record, message="")
        self._tick(1, "created")
        return False

    def _send_batch(self, model: str, batch: list[_Item]) -> tuple[str | None, list[_Item]]:
        """One bulk async write. Returns (sync_id or None, items whose answer was lost)."""
        self._begin(model, batch)
        ids = [item.attempt_id for item in batch]
        try:
            sync_id = self.client.create_async(self.company_id, model, [item.body for item in batch])
        except OutcomeUnknownError as error:
            self.journal.update(ids, UNKNOWN, message=str(error))
            return None, batch
        except ApiValidationError as error:
            self._fail(batch, error)
            return None, []
        except RootFiError as error:  # auth, network, rate limit: the write was not processed
            self._not_sent(batch, error)
            return None, []
        self.journal.update(ids, PENDING, sync_id=sync_id)
        for item in batch:
            item.outcome = Outcome(Status.PENDING, sync_id=sync_id, submitted_at=item.sent_at)
        self._report(f"sent {len(batch)} in one bulk write")
        return sync_id, []

    def _fail(self, items: list[_Item], error: RootFiError) -> None:
        message = f"{str(error).rstrip('.')}; fix the row and submit again"
        self.journal.update([i.attempt_id for i in items], FAILED, message=str(error), error_code=error.code)
        for item in items:
            item.outcome = Outcome(Status.FAILED, message, submitted_at=item.sent_at)
        self._tick(len(items), "failed")

    def _not_sent(self, items: list[_Item], error: RootFiError) -> None:
        """The request certainly did not reach RootFi: nothing was created."""
        self.journal.update([i.attempt_id for i in items], FAILED, message=f"not sent: {error}",
                            error_code=error.code or type(error).__name__)
        if isinstance(error, AuthError):
            raise SubmitAborted(f"{error}. Check the key with rootfi-excel login; nothing was created.")
        for item in items:
            item.outcome = Outcome(Status.FAILED, f"not sent, nothing was created: {error}; press Submit again",
                                   submitted_at=item.sent_at)
        self._tick(len(items), "not sent")

    def _created(self, item: _Item, record: dict[str, Any], message: str, sync_id: str | None = None) -> None:
        rootfi_id, platform_id = _text(record.get("rootfi_id")), _text(record.get("platform_id"))
        self.journal.update([item.attempt_id], CREATED, rootfi_id=rootfi_id, platform_id=platform_id,
                            sync_id=sync_id, message=message or None)
        item.outcome = Outcome(Status.CREATED, message, rootfi_id, platform_id, sync_id, item.sent_at)

    # ------------------------------------------------------- 4. collect syncs

    def _collect(self, model: str, pending: dict[str, list[_Item]]) -> tuple[list[_Item], list[_Item]]:
        """Wait for each bulk write, then settle its items.

        Returns (items whose fate is still unknown, items whose bulk write is still running)."""
        unclear: list[_Item] = []
        running: list[_Item] = []
        for sync_id, items in pending.items():
            try:
                # Bulk writes are all sent before any is collected, so most are finished by
                # now: read the jobs first, and poll the sync only when some are not done.
                jobs = self.client.list_sync_jobs(sync_id)
                if not jobs or any(str(j.get("status") or "").upper() in RUNNING_SYNC for j in jobs):
                    self.client.wait_for_sync(sync_id, timeout=self.options.sync_timeout)
                    jobs = self.client.list_sync_jobs(sync_id)
            except SyncTimeoutError:
                running += items
                continue
            except AuthError as error:
                raise SubmitAborted(str(error)) from None
            except RootFiError:  # NotFound included: RootFi does not know this sync
                unclear += items
                continue
            unclear += self._settle_jobs(model, sync_id, items, jobs)
        if not unclear:
            return [], running
        _, still_unknown = self._resolve_by_lookup(model, unclear, close_missing=False)
        return still_unknown, running

    def _settle_jobs(self, model: str, sync_id: str, items: list[_Item], jobs: list[dict[str, Any]]) -> list[_Item]:
        """Match each job to its item; settle FAILED/SUCCESS ones. Returns items with no clear job."""
        by_index = {item.batch_index: item for item in items if item.batch_index is not None}
        by_number: dict[str, list[_Item]] = defaultdict(list)
        for item in items:
            by_number[str(item.body.get("document_number"))].append(item)
        settled: set[int] = set()
        failures: dict[int, tuple[str, dict[str, Any]]] = {}
        exists: list[_Item] = []
        for job in jobs:
            item = _job_item(job, by_index, by_number)
            if item is None or id(item) in settled:
                continue
            status = str(job.get("status") or "").upper()
            error = job.get("error") if isinstance(job.get("error"), dict) else {}
            if status == "FAILED" and error.get("code") == ALREADY_EXISTS:
                exists.append(item)
                settled.add(id(item))
            elif status == "FAILED":
                text = _job_error(error)
                failures[item.attempt_id] = (FAILED, {"message": text, "error_code": error.get("code")})
                item.outcome = Outcome(Status.FAILED, f"{text.rstrip('.')}; fix the row and submit again", sync_id=sync_id,
                                       submitted_at=item.sent_at)
                settled.add(id(item))
                self._done += 1
            elif status == "SUCCESS":
                data = job.get("data") if isinstance(job.get("data"), dict) else {}
                if data.get("rootfi_id") is not None:
                    self._created(item, data, message="", sync_id=sync_id)
                    settled.add(id(item))
                    self._done += 1
        if failures:
            self.journal.settle(failures)
        if exists:
            self._settle_existing(model, exists, "already exists", sync_id=sync_id)
        self._report("collected a bulk write")
        return [item for item in items if id(item) not in settled]

    def _settle_existing(self, model: str, items: list[_Item], reason: str, sync_id: str | None = None) -> None:
        """The platform says the document number exists: ours (from a lost answer or a
        colleague) becomes Created; anyone else's is a clear Failed, never a retry loop."""
        records = self._lookup(model, [i.body["document_number"] for i in items if i.body.get("document_number")])
        if records is None:  # the lookup failed: the next Submit looks again before sending
            self.journal.update([i.attempt_id for i in items], UNKNOWN, message=reason, error_code=ALREADY_EXISTS)
            for item in items:
                item.outcome = Outcome(Status.UNKNOWN, f"{self.platform} says this record already exists; the next "
                                       "Submit checks which record it is", sync_id=sync_id, submitted_at=item.sent_at)
            return
        claimed = self._claimed_ids(model, records)
        for item in items:
            candidates = records.get(item.body.get("document_number"), [])
            match = matching.find_match(model, item.body, candidates, claimed)
            if match is not None:
                claimed.add(str(match.get("rootfi_id")))
                self._created(item, match, message=f"already in {self.platform}: not sent again", sync_id=sync_id)
            else:
                other = candidates[0].get("rootfi_id") if candidates else "unknown"
                text = (f"{self.platform} already has a record with document_number {item.body.get('document_number')} "
                        f"(rootfi_id {other}) and refused a second one; give this row its own document_number")
                self.journal.update([item.attempt_id], FAILED, message=reason, error_code=ALREADY_EXISTS)
                item.outcome = Outcome(Status.FAILED, text, sync_id=sync_id, submitted_at=item.sent_at)
            self._tick(1, "already exists")

    # ------------------------------------------------------------ 5. reconcile

    def _reconcile(self, model: str, items: list[_Item]) -> tuple[list[_Item], list[_Item]]:
        """Items whose answer was lost: find them in the platform.

        Returns (items certainly not there, to send again; items still unknown)."""
        self.sleep(self.options.reconcile_grace)
        if any(item.bulk for item in items):
            self._wait_for_running_syncs()
        return self._resolve_by_lookup(model, items, close_missing=True)

    def _wait_for_running_syncs(self) -> None:
        """A bulk write whose answer was lost may still be creating records: wait for it."""
        try:
            syncs = self.client.list_company_syncs(self.company_id, "PUSH")
        except AuthError as error:
            raise SubmitAborted(str(error)) from None
        except RootFiError:
            return
        for sync in syncs:
            if str(sync.get("status") or "").upper() in RUNNING_SYNC and sync.get("sync_id"):
                try:
                    self.client.wait_for_sync(str(sync["sync_id"]), timeout=self.options.sync_timeout)
                except RootFiError:
                    continue

    def _resolve_by_lookup(self, model: str, items: list[_Item], *,
                           close_missing: bool) -> tuple[list[_Item], list[_Item]]:
        """Look the items up by document number; found ones become Created.

        Returns (to send again, still unknown). A missing item goes to "send again"
        only when close_missing (its attempt is then closed in the journal); if the
        lookup itself fails, every item stays unknown: never resend blindly."""
        numbers = [i.body["document_number"] for i in items if i.body.get("document_number")]
        records = self._lookup(model, numbers)
        if records is None:
            self.journal.update([i.attempt_id for i in items], UNKNOWN)
            return [], items
        claimed = self._claimed_ids(model, records)
        again: list[_Item] = []
        unknown: list[_Item] = []
        for item in items:
            match = matching.find_match(model, item.body, records.get(item.body.get("document_number"), []), claimed)
            if match is not None:
                claimed.add(str(match.get("rootfi_id")))
                self._created(item, match, message="the answer was lost, but the record was found in RootFi: "
                                                   "not sent again", sync_id=item.outcome.sync_id if item.outcome else None)
                self._tick(1, "found after a lost answer")
            elif close_missing and item.body.get("document_number"):
                self.journal.update([item.attempt_id], FAILED, message="not found after a lost answer: sent again",
                                    error_code=LOST_ANSWER)
                item.outcome = None
                again.append(item)
            else:
                self.journal.update([item.attempt_id], UNKNOWN)
                unknown.append(item)
        return again, unknown

    def _claimed_ids(self, model: str, records: dict[str, list[dict[str, Any]]]) -> set[str]:
        """rootfi_ids that earlier attempts of ours already own: never match them to another row."""
        claimed: set[str] = set()
        for number in records:
            for attempt in self.journal.created_with_number(self.company_id, model, number):
                if attempt.rootfi_id:
                    claimed.add(attempt.rootfi_id)
        return claimed


def _job_item(job: dict[str, Any], by_index: dict[int | None, _Item],
              by_number: dict[str, list[_Item]]) -> _Item | None:
    """Which item a job is about. The sandbox names the record's position in the posted
    array; failing that, a document number that is unique within the batch will do."""
    variables = job.get("variables") if isinstance(job.get("variables"), dict) else {}
    index = variables.get("record_index")
    if isinstance(index, int) and index in by_index:
        return by_index[index]
    number = variables.get("document_number")
    if number is not None and len(by_number.get(str(number), [])) == 1:
        return by_number[str(number)][0]
    return None


def _job_error(error: Any) -> str:
    if isinstance(error, dict):
        code, message = error.get("code"), error.get("message") or error.get("error")
        if message:
            return f"RootFi rejected the record ({code}): {message}" if code else f"RootFi rejected the record: {message}"
    return "RootFi rejected the record (no reason given)"


def _describe(model: str, body: dict[str, Any]) -> str:
    if model == "invoice_payments":
        return f"payment {body.get('document_number')} for invoice {body.get('invoice_id')}"
    return f"credit note {body.get('document_number')}"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


