"""Bulk writes running at the company that may still create records like ours.

Asked before sending fresh rows (a colleague's bulk write may hold them), before a
lost answer is looked up (our own lost bulk write may still be creating it), and
before the twin check. One list of the company's PUSH syncs, then the ones that matter
are polled together within one bound. Times are compared on RootFi's clock only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rootfi_excel.api.answers import Sync
from rootfi_excel.api.polling import RoundReader, WaitState, from_list, one_by_one, poll_syncs
from rootfi_excel.errors import AuthError, RootFiError
from rootfi_excel.submission.context import Run, moment
from rootfi_excel.messages import minutes_text

# How much earlier than our send (on RootFi's clock) a sync may have started and still
# hold our records: the Date header counts whole seconds, and a request takes time.
MARGIN = dt.timedelta(minutes=2)
# A sync still "running" after this long is stuck: it is not waited for before sending.
STALE_AFTER = dt.timedelta(hours=24)
# More syncs than this running at once are polled from one list of the company's syncs
# per round (usually one request) instead of one request each.
POLL_ONE_BY_ONE = 3


@dataclass
class RunningCheck:
    running: list[str] = field(default_factory=list)  # may still create records: still running, or unreadable
    error: RootFiError | None = None  # the company's syncs could not be listed

    @property
    def clear(self) -> bool:
        return self.error is None and not self.running


def wait_for_bulk_writes(run: Run, *, since: dt.datetime | None, bound: float, what: str,
                         skip_stale: bool) -> RunningCheck:
    """Wait (at most `bound` seconds, never past the deadline) for the company's bulk
    writes of this model that started since `since` (RootFi's clock; None = any time).
    Our own known bulk writes are left out: the journal follows those."""
    try:
        syncs = run.client.list_company_syncs(run.company_id, "PUSH")
    except AuthError:
        raise
    except RootFiError as error:
        return RunningCheck(error=error)
    ours = run.journal.sync_ids(run.base_url, run.company_id)
    server_now = run.server_now()
    oldest = server_now - STALE_AFTER if skip_stale and server_now is not None else None
    candidates = {s.sync_id: s for s in syncs if _may_hold_records(run, s, ours, since, oldest)}
    if not candidates:
        return RunningCheck()
    poll = poll_syncs(run.client.get_sync, candidates, until=run.until(bound), clock=run.clock, sleep=run.sleep,
                      known=candidates, read_round=round_reader(run, len(candidates), bound),
                      stall_after=run.options.stall_after,
                      on_wait=lambda state: run.report(waiting_text(state, what, run.options.stall_after)))
    return RunningCheck(running=sorted(poll.running) + sorted(poll.missing))


def others_may_be_running(run: Run, *, since: dt.datetime | None) -> bool:
    """Without waiting: may a bulk write of this model, not ours, that started since `since`
    (RootFi's clock) still be running? True too when the company's syncs cannot be listed."""
    try:
        syncs = run.client.list_company_syncs(run.company_id, "PUSH")
    except AuthError:
        raise
    except RootFiError:
        return True
    ours = run.journal.sync_ids(run.base_url, run.company_id)
    server_now = run.server_now()
    oldest = server_now - STALE_AFTER if server_now is not None else None
    return any(_may_hold_records(run, s, ours, since, oldest) for s in syncs)


def waiting_text(state: WaitState, what: str, stall_after: float | None) -> str:
    """The status line of a wait: what it waits for, how far it is, when it gives up.
    'waiting for 2 bulk writes of yours to finish at RootFi: 150 of 400 records done
    (35 s; stops waiting once nothing has moved for 2 minutes)'"""
    writes = f"{state.running} bulk write{'' if state.running == 1 else 's'}"
    done = f": {state.done} of {state.total} records done" if state.total else ""
    limit = f"; stops waiting once nothing has moved for {minutes_text(stall_after)}" if stall_after else ""
    return f"waiting for {writes} {what}{done} ({state.waited:.0f} s{limit})"


def round_reader(run: Run, count: int, bound: float) -> RoundReader | None:
    """How to read `count` running syncs each round: one by one (None: the default) when
    few, else from one list of the company's syncs (and one by one what it lacks)."""
    if count <= POLL_ONE_BY_ONE:
        return None
    return from_list(lambda: run.client.list_company_syncs(run.company_id, "PUSH"),
                     one_by_one(run.client.get_sync, run.until(bound), run.clock))


def earliest_send(items: list) -> dt.datetime | None:
    """The earliest RootFi time at which these items were sent, less the margin; None if
    any is unknown (then every running bulk write counts)."""
    stamps = [item.server_sent_at for item in items]
    if not stamps or any(stamp is None for stamp in stamps):
        return None
    return min(moment(stamp) for stamp in stamps) - MARGIN


def _may_hold_records(run: Run, sync: Sync, ours: set[str], since: dt.datetime | None,
                      oldest: dt.datetime | None) -> bool:
    if sync.finished or sync.sync_id in ours:
        return False
    if sync.job_type and sync.job_type.upper() != "PUSH":
        return False
    models = sync.models()
    if models and run.model.upper() not in models:
        return False
    if sync.start_time is not None:
        if since is not None and sync.start_time < since:
            return False  # started before the records in question were sent
        if oldest is not None and sync.start_time < oldest:
            return False  # stuck for a day: not waited for
    return True
