"""The submission engine: send valid units, never one twice, and say what became of each.

For each unit (a payment, or a credit note with its lines) the engine:

1. looks in the journal for the row's own earlier attempts, by its row key
   (identity.py): the same values - created: written back without sending; a bulk write
   still running: collected; an answer that was lost: reconciled first - or other values
   (the row was edited since), whose record is the row's all the same. Attempts from
   before row keys existed are matched by fingerprint and document number, as they were
   then. A row whose key the journal does not know, that looks like a record made before
   for a row that is not in the sheet, is held with ways out (identity.py);
2. checks the platform (platform_check.py): waits for the company's bulk writes that
   are still running, then looks the document numbers up. If this check cannot run,
   nothing is sent (fail closed);
3. sends what is left (sending.py), each attempt written to the journal *before* it goes;
4. collects bulk writes (collecting.py), all of them polled together;
5. reconciles lost answers (reconciling.py): once they are old enough, and no bulk
   write that may hold them is still running, looks them up; only a record certainly
   not there is sent again;
6. looks the records it created up once more, and reports any twin (two people who
   submitted the same rows at the same moment); most of them while its later bulk
   writes still run (platform_check.check_twins_while_waiting), the rest at the end.

Whatever stops a run (the key refused, the deadline, an unexpected error), the
outcomes gathered so far are returned, and every answer is already in the journal.

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

from rootfi_excel.api.answers import Job, Sync
from rootfi_excel.errors import AuthError, SubmitAborted
from rootfi_excel.messages import (
    NOTHING_MORE_SENT,
    STOPPED_BY_CTRL_C,
    key_refused,
    stopped_before_sending,
)
from rootfi_excel.messages import platform as platform_name
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import matching, platform_check
from rootfi_excel.submission.collecting import collect
from rootfi_excel.submission.context import (
    ALREADY_EXISTS,
    POSSIBLE_DUPLICATE,
    TWIN_CHECK_FAILED,
    Item,
    Outcome,
    Run,
    Work,
    describe,
    flag_of,
    was_bulk,
)
from rootfi_excel.submission.journal import (
    CREATED,
    FAILED,
    OPEN_STATES,
    PENDING,
    Attempt,
    LOST_ANSWER,
    Journal,
    fingerprint,
    refused_before,
    was_refused,
)
from rootfi_excel.submission import identity
from rootfi_excel.submission.reconciling import reconcile
from rootfi_excel.submission.sending import TIME_LIMIT, send
from rootfi_excel.validation.validate import Unit


__all__ = ["ALREADY_EXISTS", "LOST_ANSWER", "POSSIBLE_DUPLICATE", "TWIN_CHECK_FAILED", "Client", "Outcome",
           "SubmitAborted", "SubmitOptions", "SubmitReport", "Submitter"]


class Client(Protocol):  # what the engine needs of api.client.RootFiClient
    def create(self, company_id: int, model: str, record: dict[str, Any]) -> dict[str, Any]: ...
    def create_async(self, company_id: int, model: str, records: list[dict[str, Any]]) -> str: ...
    def get_sync(self, sync_id: str) -> Sync: ...
    def list_sync_jobs(self, sync_id: str) -> list[Job]: ...
    def list_company_syncs(self, company_id: int, job_type: str = ...) -> list[Sync]: ...
    def find_by_document_numbers(self, company_id: int, model: str, numbers: Any) -> list[dict[str, Any]]: ...
    def find_by_platform_ids(self, company_id: int, name: str, ids: Any) -> list[dict[str, Any]]: ...
    def server_now(self) -> dt.datetime | None: ...


@dataclass
class SubmitOptions:
    batch_size: int = 200  # records per bulk (async) write
    sync_threshold: int = 3  # this many records or fewer go one by one, synchronously
    max_rounds: int = 3  # send / collect / reconcile rounds within one run
    sync_timeout: float = 900.0  # how long one wait for bulk writes to finish may last (all polled together)
    # A lost answer is looked up, and sent again if not found, only once it is this old:
    # long enough (3x the client's 30 s timeout) for a write the server was still
    # working on to have landed. A lookup that finds nothing sooner proves nothing.
    resend_after: float = 90.0
    check_platform: bool = True  # look for the document numbers in the platform before sending
    # Before sending fresh rows, wait this long at most for the company's bulk writes that
    # are still running (a colleague's records may not have landed yet); then hold the rows.
    running_wait: float = 600.0
    check_twins: bool = True  # after sending, look for a twin of each record created
    # Before that check, wait this long at most for bulk writes others started meanwhile
    # (they may be twins still landing; their sender's own check sees ours in any case).
    twin_wait: float = 120.0
    # One overall bound for the whole run (every sheet), in seconds; None: it scales with the
    # work (scaled_time_limit). Waits end sooner when nothing moves (stall_after).
    time_limit: float | None = None
    # A wait for bulk writes (ours, or a colleague's before sending) ends when none of them
    # has moved for this long: their rows are Pending / held, and the run goes on to write
    # what it knows (Settings: stuck_after_minutes). None: only the time bounds apply.
    stall_after: float | None = 120.0
    # A record the platform refused (invalid data) is sent again only once its row changed
    # (a new fingerprint); True sends unchanged refused rows again (submit --resend-rejected).
    resend_rejected: bool = False
    # Read every reference (invoices, customers, accounts; ids Validate did not confirm) from
    # the platform just before sending, and send no row whose reference is gone, void, paid
    # or re-assigned (submission/references.py). False only to measure what it costs.
    check_references: bool = True


@dataclass
class SubmitReport:
    outcomes: dict[int, Outcome] = field(default_factory=dict)  # unit position -> outcome
    aborted: str | None = None  # why the run stopped early (the outcomes so far are still here)
    key_refused: bool = False  # it stopped because RootFi refused the API key
    error: BaseException | None = None  # the unexpected error that stopped it, if one did
    warnings: list[str] = field(default_factory=list)  # for the summary: checks that could not run

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes.values() if o.status == status)

    def flagged(self, flag: str) -> int:
        return sum(1 for o in self.outcomes.values() if o.flag == flag)


Progress = Callable[[int, int, str], None]

# The overall time limit when SubmitOptions.time_limit is None: a base for the checks and
# waits every run has, and a share per record for sending and collecting (10,000 rows at
# the API's ~100 requests a minute take minutes to send; RootFi's bulk writes run longer).
TIME_LIMIT_BASE = 300.0
TIME_PER_RECORD = 1.0


def scaled_time_limit(records: int) -> float:
    """12 rows: about 5 minutes; 10,000 rows: about 3 hours (while their bulk writes move)."""
    return TIME_LIMIT_BASE + TIME_PER_RECORD * max(0, records)


class Submitter:
    """Submits the units of one workbook; one Submitter per run (its deadline starts here)."""

    def __init__(self, client: Client, journal: Journal, *, base_url: str, company_id: int,
                 integration: str | None = None, options: SubmitOptions | None = None, workbook: str | None = None,
                 workbook_id: str | None = None, progress: Progress | None = None, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
                 clock: Callable[[], float] = time.monotonic, records: int = 0) -> None:
        self.client = client
        self.journal = journal
        self.base_url = base_url.rstrip("/")
        self.company_id = company_id
        self.platform = platform_name(integration)  # what messages call it: "NetSuite", not NETSUITE
        self.workbook = workbook  # the workbook's file name: attempts journalled before keys existed have only it
        self.workbook_id = workbook_id  # the id inside the workbook: attempts are keyed by (it, sheet, row key)
        self.options = options or SubmitOptions()
        self.progress = progress or (lambda done, total, text: None)
        self.sleep = sleep
        self.now = now  # this computer's clock, only compared with itself
        self.clock = clock
        # records: how many this Submitter is to send in all (every sheet): the limit scales with them.
        limit = self.options.time_limit
        self.time_limit = limit if limit is not None else scaled_time_limit(records)
        self.deadline = clock() + self.time_limit

    # ------------------------------------------------------------------ entry

    def submit(self, model: str, units: list[Unit], others: list[Unit] = (), sheet: str | None = None) -> SubmitReport:
        """Send the units (valid, never created) of one model; an outcome for each.

        others: the sheet's other units (created, invalid, not selected): their keys, the
        rootfi_ids they show and their records are theirs (identity.py). sheet: the
        table's key, with the workbook id the journal's name for the rows' place.
        Never raises for what happens while sending: a stop (the key refused, an
        unexpected error) is in report.aborted / report.error, with every outcome so far."""
        run = Run(self, model)
        run.sheet = sheet
        run.present_keys = {key for unit in (*units, *others) for key in unit.keys}
        items: list[Item] = []
        work = Work()
        report = SubmitReport()
        try:
            items = [self._item(run, position, unit) for position, unit in enumerate(units) if unit.request]
            run.total = len(items)
            self._sort_by_journal(run, items, work)
            identity.hold_lookalikes(run, items, work, others)
            if work.fresh and self.options.check_platform:
                # A row a person marked `send anyway` is checked too, against the records its hold could not name.
                work.fresh = platform_check.before_sending(run, work.fresh)
            _refuse_new(run, items, work)
            self._rounds(run, work)
            platform_check.flag_twins(run)
        except SubmitAborted as stop:
            report.aborted, report.key_refused = str(stop), stop.key_refused
        except AuthError:
            report.aborted = f"{key_refused(self.base_url, company=self.company_id)} {NOTHING_MORE_SENT}"
            report.key_refused = True
        except KeyboardInterrupt as error:
            report.aborted, report.error = STOPPED_BY_CTRL_C, error
        except Exception as error:  # whatever it is, what is known so far is kept
            report.aborted = f"Submit stopped on an unexpected error ({type(error).__name__}: {error})"
            report.error = error
        _close_leftovers(items, work, report.aborted, report.key_refused)
        run.finish(items)  # the phase's progress ends with every record counted by its outcome
        report.outcomes = {item.position: item.outcome for item in items if item.outcome}
        report.warnings = run.warnings
        return report

    def preview(self, model: str, units: list[Unit], others: list[Unit] = (), sheet: str | None = None) -> dict[str, int]:
        """What submit() would do with the units, by the journal alone (a Submitter made with
        a ReadOnlyJournal and no client): {"new": to send, "collect": answers of earlier runs,
        "created": records the journal has for their rows, "held": looking like a record made
        before, "failed": refused before}. Nothing is written, sent or looked up."""
        run = Run(self, model)
        run.sheet = sheet
        run.present_keys = {key for unit in (*units, *others) for key in unit.keys}
        items = [self._item(run, position, unit) for position, unit in enumerate(units) if unit.request]
        work = Work()
        self._sort_by_journal(run, items, work)
        identity.hold_lookalikes(run, items, work, others)
        counts = dict.fromkeys(("new", "collect", "created", "held", "failed"), 0)
        fresh = {id(item) for item in work.fresh}
        for item in items:
            status = item.outcome.status if item.outcome else None
            kind = ("new" if id(item) in fresh else "collect" if status in (None, Status.UNKNOWN, Status.PENDING)
                    else "created" if status == Status.CREATED else "held" if status == Status.SKIPPED else "failed")
            counts[kind] += len(units[item.position].rows) if kind == "created" else 1
        return counts

    def _rounds(self, run: Run, work: Work) -> None:
        for _ in range(self.options.max_rounds):
            if work.pending:
                pending, work.pending = work.pending, defaultdict(list)
                collect(run, pending, work)
            if work.lost:
                lost, work.lost = work.lost, []
                reconcile(run, lost, work)
            _refuse_new(run, work.fresh, work)  # a lost answer not found is sent again: never these
            if work.fresh:
                fresh, work.fresh = work.fresh, []
                send(run, fresh, work)
            if not work.open or run.time_left() <= 0:
                break

    def _item(self, run: Run, position: int, unit: Unit) -> Item:
        body = unit.request.to_api()
        return Item(position, body, fingerprint(self.base_url, self.company_id, run.model, body),
                    refuse_if_new=unit.over_due if unit.only_over_due else None, keys=unit.keys,
                    send_anyway=unit.send_anyway, known=unit.known)  # read only here: not copied per row

    # ------------------------------------------------------------ 1. journal

    def _sort_by_journal(self, run: Run, items: list[Item], work: Work) -> None:
        latest = self.journal.latest(item.fingerprint for item in items)
        own = identity.own_attempts(run, items)
        adopted: list[tuple[Attempt, Item]] = []
        for item in items:
            attempt = latest.get(item.fingerprint)
            if attempt is not None and was_refused(attempt) and not self.options.resend_rejected:
                item.outcome = Outcome(Status.FAILED, refused_before(attempt), sync_id=attempt.sync_id,
                                       submitted_at=attempt.sent_at)
                run.tick(item, "refused before, unchanged: not sent again")
                continue
            item.basis = attempt.id if attempt is not None else None
            if id(item) in own and identity.carry_on(run, item, own[id(item)], work, self._resume):
                continue
            if id(item) not in own and attempt is not None and attempt.state != FAILED and not attempt.keys:
                adopted.append((attempt, item))  # journalled before row keys: this row's from now on
                self._resume(run, item, attempt, work)
                continue
            if not self._settled_elsewhere(run, item, work):
                work.fresh.append(item)
        if run.workbook_id and run.sheet:
            for attempt, item in adopted:
                if item.keys:
                    self.journal.adopt([attempt.id], run.workbook_id, run.sheet, item.keys)

    def _resume(self, run: Run, item: Item, attempt: Attempt, work: Work) -> None:
        """Carry on from an earlier attempt of the same record."""
        item.attempt_id, item.batch_id, item.sent_at, item.server_sent_at, item.sync_id = (
            attempt.id, attempt.batch_id, attempt.sent_at, attempt.server_sent_at, attempt.sync_id)
        work.seen_attempts.add(attempt.id)
        if attempt.state == CREATED and not attempt.rootfi_id:  # journalled so by an older version
            work.lost.append(item)  # which record it is, only a lookup can tell
        elif attempt.state == CREATED:
            flag = flag_of(attempt)
            message = attempt.message if flag else ("created by an earlier Submit (from this computer's journal); "
                                                    "not sent again")
            item.outcome = Outcome(Status.CREATED, message, attempt.rootfi_id, attempt.platform_id, attempt.sync_id,
                                   attempt.sent_at, flag=flag, attempt_id=attempt.id)
            run.tick(item, "already created")
        elif attempt.state == PENDING and attempt.sync_id:
            work.add_pending(item)
        else:  # SENDING or UNKNOWN: the process died or the answer was lost
            item.bulk = was_bulk(attempt)
            work.lost.append(item)

    def _settled_elsewhere(self, run: Run, item: Item, work: Work) -> bool:
        """Earlier attempts with this document number (and invoice) but other values.

        Created: this row is an edit of a record that exists - never send it again.
        Still open (answer lost, bulk write running): settle that attempt first, and
        hold this row until the next Submit."""
        if not item.number:
            return False
        key = matching.lookup_key(run.model, item.body)
        # Attempts journalled before row keys existed; keyed ones are a row's own (identity.py).
        earlier = [a for a in self.journal.with_number(self.base_url, self.company_id, run.model, item.number,
                                                       (CREATED, *OPEN_STATES))
                   if matching.lookup_key(run.model, a.payload) == key and not a.keys
                   and a.fingerprint != item.fingerprint]
        created = sorted((a for a in earlier if a.state == CREATED), key=lambda a: flag_of(a) is None)
        if created:
            first, flag = created[0], flag_of(created[0])
            item.outcome = Outcome(
                Status.FAILED,
                f"{describe(run.model, item.body)} was already created (rootfi_id {first.rootfi_id}, "
                f"{first.sent_at[:10]}) with other values; RootFi cannot change it from here: correct it in "
                "the platform, or give this row a new document_number" + (f". {first.message}" if flag else ""),
                flag=flag,
            )
            run.tick(item, "already created with other values")
            return True
        open_attempts = [a for a in earlier if a.id not in work.seen_attempts]
        if not open_attempts and not any(a.state in OPEN_STATES for a in earlier):
            return False
        for attempt in open_attempts:  # settle the earlier attempt, whatever became of its row
            identity.settle_as_ghost(run, work, attempt)
        item.outcome = Outcome(
            Status.UNKNOWN,
            f"an earlier Submit of {describe(run.model, item.body)} with other values has no answer yet; it is "
            "checked first, so submit again to send this row (nothing was sent now)",
        )
        run.tick(item, "waiting for an earlier attempt")
        return True


class ReadOnlyJournal:
    """A journal that can be read and not written: for Submitter.preview."""

    _WRITES = frozenset({"begin", "update", "settle", "place", "mark_gone", "adopt"})

    def __init__(self, journal: Journal) -> None:
        self._journal = journal

    def __getattr__(self, name: str) -> Any:
        if name in self._WRITES:
            return lambda *args, **kwargs: None
        return getattr(self._journal, name)


def _refuse_new(run: Run, items: list[Item], work: Work) -> None:
    """Rows Invalid for their amount due alone were looked for (journal, platform) and not
    found: they are refused with that message, never sent. A check that could not run
    (Skipped) changes nothing: the amount due still refuses them."""
    fresh = {id(item) for item in work.fresh if item.refuse_if_new}
    for item in items:
        if item.refuse_if_new and (id(item) in fresh or (item.outcome and item.outcome.status == Status.SKIPPED)):
            item.outcome = Outcome(Status.INVALID, item.refuse_if_new)
            run.tick(item, "invalid: exceeds the amount due")
    work.fresh = [item for item in work.fresh if not item.refuse_if_new]


def _close_leftovers(items: list[Item], work: Work, stopped: str | None, key_refused: bool = False) -> None:
    """An outcome for every item still open when the run ends (or stops), from what is
    known of it: an answer still lost is Unknown, a bulk write with a sync id Pending,
    another sent record Unknown; the rest were never sent."""
    lost = {id(item) for item in work.lost + work.unsettled}
    for item in items:
        if item.outcome is not None:
            continue
        if item.sync_id and id(item) not in lost:
            item.outcome = Outcome(Status.PENDING, "sent in a bulk write that is still running at RootFi; "
                                   "submit again later to collect the result",
                                   sync_id=item.sync_id, submitted_at=item.sent_at)
        elif item.attempt_id is not None:  # sent (now or before), answer not settled
            item.outcome = Outcome(Status.UNKNOWN, "the answer from RootFi was lost; the next Submit looks the "
                                   "record up before it sends anything again", submitted_at=item.sent_at)
        elif stopped:
            item.outcome = Outcome(Status.SKIPPED, stopped_before_sending(stopped, key_refused))
        else:
            item.outcome = Outcome(Status.SKIPPED, TIME_LIMIT)
