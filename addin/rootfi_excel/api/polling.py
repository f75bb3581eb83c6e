"""Waiting for several syncs at once, within one time bound.

Each round reads every sync that is not finished yet, then sleeps once; the interval
grows to spare the rate limit. Five stuck syncs cost one wait, not five.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from rootfi_excel.api.answers import Sync
from rootfi_excel.api.errors import AuthError, NotFoundError, RootFiError

FIRST_POLL = 1.0  # seconds before the second look
MAX_INTERVAL = 15.0
GROWTH = 1.5


@dataclass
class SyncPoll:
    finished: dict[str, Sync] = field(default_factory=dict)
    running: dict[str, Sync | None] = field(default_factory=dict)  # last answer seen (None: none could be read)
    missing: dict[str, NotFoundError] = field(default_factory=dict)  # RootFi does not know them
    errors: dict[str, RootFiError] = field(default_factory=dict)  # the last read of a running one failed


def poll_syncs(
    get_sync: Callable[[str], Sync],
    sync_ids: Iterable[str],
    *,
    until: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    known: Mapping[str, Sync] | None = None,
    on_wait: Callable[[int, float], None] | None = None,
    first_poll: float = FIRST_POLL,
    max_interval: float = MAX_INTERVAL,
    growth: float = GROWTH,
) -> SyncPoll:
    """Read the syncs until each is finished or `until` (a `clock()` time) has passed.

    `known`: answers just read elsewhere (e.g. a list of syncs), used for the first round.
    An AuthError stops at once; any other failed read is tried again next round.
    `on_wait(still running, seconds waited so far)` is called before each sleep."""
    poll = SyncPoll(running={sync_id: None for sync_id in dict.fromkeys(sync_ids)})
    started = clock()
    interval = first_poll
    first = dict(known or {})
    while True:
        for sync_id in list(poll.running):
            try:
                sync = first.pop(sync_id) if sync_id in first else get_sync(sync_id)
            except AuthError:
                raise
            except NotFoundError as error:
                poll.missing[sync_id] = error
                del poll.running[sync_id]
                continue
            except RootFiError as error:
                poll.errors[sync_id] = error
                continue
            poll.errors.pop(sync_id, None)
            if sync.finished:
                poll.finished[sync_id] = sync
                del poll.running[sync_id]
            else:
                poll.running[sync_id] = sync
        remaining = until - clock()
        if not poll.running or remaining <= 0:
            return poll
        if on_wait is not None:
            on_wait(len(poll.running), clock() - started)
        sleep(min(interval, remaining))
        interval = min(max_interval, interval * growth)
