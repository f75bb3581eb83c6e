"""Waiting for several syncs at once, within one time bound.

Each round reads every sync that is not finished yet, then sleeps once; the interval
grows to spare the rate limit. Five stuck syncs cost one wait, not five. A round reads
the syncs one by one (`get_sync`), or all at once from one list (`read_round`), which
is cheaper when many are running.

Besides its time bound, a wait may be bound by progress (`stall_after`): it ends when
no sync has moved for that long. A sync moves when it finishes, or when its answer
changes what it says of its work (status, its counts of records done, its update time):
a bulk write RootFi is working through keeps the wait going, one that is stuck ends it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from rootfi_excel.api.answers import Sync
from rootfi_excel.api.forecast import FinishForecast
from rootfi_excel.errors import AuthError, NotFoundError, RootFiError

FIRST_POLL = 1.0  # seconds before the second look
# A long wait between looks tells on_wait at least this often (seconds), with what the last
# look saw and the time waited: the status line keeps moving, and no request is made for it.
TELL_EVERY = 2.0
MAX_INTERVAL = 15.0
GROWTH = 1.5

# Reads the syncs of one round: {sync_id: Sync, or the error reading it}.
RoundReader = Callable[[list[str]], Mapping[str, "Sync | RootFiError"]]


# What a sync's answer may say of its progress (v3 documents the status and counts; the
# sandbox answers these names). Any of them changing is a move.
PROGRESS_FIELDS = ("status", "success_count", "failed_count", "running_count", "pending_count", "total_count",
                   "rootfi_updated_at", "end_time")


@dataclass
class SyncPoll:
    finished: dict[str, Sync] = field(default_factory=dict)
    running: dict[str, Sync | None] = field(default_factory=dict)  # last answer seen (None: none could be read)
    missing: dict[str, NotFoundError] = field(default_factory=dict)  # RootFi does not know them
    errors: dict[str, RootFiError] = field(default_factory=dict)  # the last read of a running one failed
    stalled: bool = False  # the wait ended because no sync moved for `stall_after`
    idle: float = 0.0  # seconds since a sync last moved, when the wait ended


@dataclass(frozen=True)
class WaitState:
    """What a wait is waiting for, for a status line (on_wait)."""

    running: int  # syncs not finished yet
    waited: float  # seconds since the wait began
    idle: float  # seconds since a sync last moved
    done: int | None  # records the running syncs say are done (None: they do not say)
    total: int | None  # records in them, when they say


def progress_mark(sync: Sync) -> tuple:
    """What a sync's answer says of its work: two different marks mean it moved."""
    extra = sync.model_extra or {}
    return tuple(str(extra.get(name, getattr(sync, name, None))) for name in PROGRESS_FIELDS)


def record_counts(syncs: Iterable[Sync | None]) -> tuple[int | None, int | None]:
    """(records done, records) over syncs that give counts; (None, None) when none does."""
    done = total = 0
    counted = False
    for sync in syncs:
        extra = (sync.model_extra or {}) if sync is not None else {}
        try:
            finished = int(extra.get("success_count") or 0) + int(extra.get("failed_count") or 0)
            count = int(extra["total_count"])
        except (KeyError, TypeError, ValueError):
            continue
        counted, done, total = True, done + finished, total + count
    return (done, total) if counted else (None, None)


def one_by_one(get_sync: Callable[[str], Sync], until: float, clock: Callable[[], float]) -> RoundReader:
    """A round that reads each sync on its own, and stops early when time is up."""
    def read(sync_ids: list[str]) -> dict[str, Sync | RootFiError]:
        found: dict[str, Sync | RootFiError] = {}
        for sync_id in sync_ids:
            if found and clock() >= until:
                break  # the rest stay as they were
            try:
                found[sync_id] = get_sync(sync_id)
            except AuthError:
                raise
            except RootFiError as error:
                found[sync_id] = error
        return found
    return read


def from_list(list_syncs: Callable[[], list[Sync]], one_by_one_reader: RoundReader) -> RoundReader:
    """A round that reads every sync from one list; those the list cannot tell about (the
    list failed, or does not hold them) are read one by one. The list only saves requests."""
    def read(sync_ids: list[str]) -> dict[str, Sync | RootFiError]:
        try:
            listed = {sync.sync_id: sync for sync in list_syncs()}
        except AuthError:
            raise
        except RootFiError:
            listed = {}
        found: dict[str, Sync | RootFiError] = {i: listed[i] for i in sync_ids if i in listed}
        rest = [i for i in sync_ids if i not in listed]
        return {**found, **(one_by_one_reader(rest) if rest else {})}
    return read


def poll_syncs(
    get_sync: Callable[[str], Sync],
    sync_ids: Iterable[str],
    *,
    until: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    known: Mapping[str, Sync] | None = None,
    read_round: RoundReader | None = None,
    on_wait: Callable[[WaitState], None] | None = None,
    on_finished: Callable[[str, Sync], None] | None = None,
    before_finished: Callable[[list[str]], None] | None = None,
    restart_on_finish: bool = False,
    first_poll: float = FIRST_POLL,
    max_interval: float = MAX_INTERVAL,
    growth: float = GROWTH,
    stall_after: float | None = None,
    forecast: FinishForecast | None = None,
) -> SyncPoll:
    """Read the syncs until each is finished, `until` (a `clock()` time) has passed, or
    (with `stall_after`) no sync has moved for `stall_after` seconds (poll.stalled).

    `known`: answers just read elsewhere (e.g. a list of syncs), used for the first round.
    An AuthError stops at once; any other failed read is tried again next round.
    `on_wait(WaitState)` is called before each sleep;
    `on_finished(sync_id, sync)` as soon as a sync is seen finished (its results can be
    read while the others still run); `before_finished(sync_ids)` first, with all the syncs a
    round saw finished (their results can be read together). restart_on_finish: after a round in which a sync
    finished, the interval starts again from first_poll (the next is likely close behind,
    as when one worker runs them in turn); it grows only while nothing finishes.
    forecast: fed each round's answers; once it has a rate, the next round waits for
    the finish it predicts (forecast.py) instead of the interval."""
    poll = SyncPoll(running={sync_id: None for sync_id in dict.fromkeys(sync_ids)})
    read = read_round or one_by_one(get_sync, until, clock)
    started = clock()
    moved_at = started
    marks: dict[str, tuple] = {}
    interval = first_poll
    answers: Mapping[str, Sync | RootFiError] = dict(known or {})
    announced: set[str] = set()

    def tell() -> None:  # between two looks: what the last one saw, and the time waited
        at = clock()
        on_wait(WaitState(len(poll.running), at - started, at - moved_at, *record_counts(poll.running.values())))

    while True:
        looked_at = clock()
        if not answers:
            answers = read(list(poll.running))
        moved = False
        for sync_id, answer in answers.items():
            if sync_id in poll.running and isinstance(answer, Sync):
                mark = progress_mark(answer)
                moved |= answer.finished or (sync_id in marks and marks[sync_id] != mark)
                marks[sync_id] = mark
            if sync_id not in poll.running:
                continue
            if isinstance(answer, NotFoundError):
                poll.missing[sync_id] = answer
                del poll.running[sync_id]
            elif isinstance(answer, RootFiError):
                poll.errors[sync_id] = answer
            elif answer.finished:
                poll.errors.pop(sync_id, None)
                poll.finished[sync_id] = answer
                del poll.running[sync_id]
            else:
                poll.errors.pop(sync_id, None)
                poll.running[sync_id] = answer
        answers = {}
        if forecast is not None:
            forecast.observe(looked_at, poll.finished, poll.running)
        finished_now = [sync_id for sync_id in list(poll.finished) if sync_id not in announced]
        if finished_now and before_finished is not None:
            before_finished(finished_now)
        for sync_id in finished_now:
            announced.add(sync_id)
            if on_finished is not None:
                on_finished(sync_id, poll.finished[sync_id])
        now = clock()
        if moved:
            moved_at = now
        poll.idle = now - moved_at
        remaining = until - now
        if stall_after is not None and poll.running:
            if poll.idle >= stall_after:
                poll.stalled = True
                return poll
            remaining = min(remaining, stall_after - poll.idle)  # wake up when the bound is reached
        if not poll.running or remaining <= 0:
            return poll
        if on_wait is not None:
            on_wait(WaitState(len(poll.running), now - started, poll.idle, *record_counts(poll.running.values())))
        if forecast is not None:
            forecast.read(now - looked_at, len(finished_now))
        predicted = forecast.wait(now) if forecast is not None else None
        if predicted is not None:
            _sleep_telling(min(predicted, remaining), sleep, tell if on_wait is not None else None)
            continue
        _sleep_telling(min(interval, remaining), sleep, tell if on_wait is not None else None)
        interval = first_poll if restart_on_finish and finished_now else min(max_interval, interval * growth)


def _sleep_telling(seconds: float, sleep: Callable[[float], None], tell: Callable[[], None] | None) -> None:
    """sleep(seconds), in steps of at most TELL_EVERY, tell() between two steps (counted by
    the steps slept, not by a clock: a clock that does not move cannot keep it waiting);
    in one step when nobody is told (tell is None)."""
    left = seconds
    while left > 0:
        step = min(left, TELL_EVERY) if tell is not None else left
        sleep(step)
        left -= step
        if left > 0 and tell is not None:
            tell()
