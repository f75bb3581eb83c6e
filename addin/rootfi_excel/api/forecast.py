"""When to look again at running bulk writes: at predicted finishes, not on a clock.

The rate is what RootFi showed in this wait: records done (its own counts of a running
sync, or the size of a sync once it is seen finished) per second since the first look;
before a second look, the syncs already finished give it by their own start and end.
Each finished sync's jobs are read once it is seen finished, one request each, while
the others still run. So the next look is put off as long as the jobs of the syncs
finished by then can still be read before the last one is predicted to finish: few
looks, each finding many syncs finished, and a few jobs (TAIL_READS) left to read at the end. A look is
never sooner than the second next predicted finish (or the last): a look that finds one
sync finished costs as much as one that finds many.

Predictions err early: the rate is taken a quarter higher than seen, and syncs are assumed to finish in order of records left, all the
rate going to one at a time (one worker in turn, as RootFi's stand-in works; with
several in parallel each finishes later, never sooner, and the last at the same time).
No rate yet (nothing moved since the first look): None, and the caller's own interval.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import accumulate

from rootfi_excel.api.answers import Sync

# No look sooner than this after another (a prediction a little early is not re-asked at
# once); it doubles with each look in a row that finds nothing finished (a stuck sync is
# not asked about at the pace of a fast one), up to LONGEST.
SHORTEST = 0.25
LONGEST = 15.0
# Finishes are predicted at this much the rate seen so far (but the last, when one look is
# to find all done): a look a little early costs one request where one too late costs time.
RATE_MARGIN = 1.25
# Jobs that may be left to read once the last sync has finished (about half a second):
# chasing each last sync with a look of its own would cost a request per sync.
TAIL_READS = 3
# Seconds one request takes, until this wait has timed one (a round of reads).
FIRST_GUESS = 0.2


def _counts(sync: Sync | None) -> tuple[int, int] | None:
    """(records done, records) as the sync's answer says them; None when it does not."""
    extra = (sync.model_extra or {}) if sync is not None else {}
    try:
        total = int(extra["total_count"])
        done = int(extra.get("success_count") or 0) + int(extra.get("failed_count") or 0)
    except (KeyError, TypeError, ValueError):
        return None
    return (min(done, total), total) if total > 0 else None


class FinishForecast:
    """Fed each look's answers (observe) and the time its reads took (read); says how
    long to wait before the next look (wait)."""

    def __init__(self, sizes: Mapping[str, int]) -> None:
        self.sizes = dict(sizes)  # records sent in each sync (what its finish is worth)
        self.request_time = FIRST_GUESS
        self._first: tuple[float, int] | None = None  # (time, records done) at the first look
        self._look = 0.0
        self._done = 0
        self._left: list[int] = []  # records left in each running sync, at the last look
        self._misses = 0  # looks in a row that found nothing finished
        self._server_rate: float | None = None  # from RootFi's times of the syncs finished

    def observe(self, looked_at: float, finished: Mapping[str, Sync], running: Mapping[str, Sync | None]) -> None:
        done = 0
        left: list[int] = []
        for sync_id, sync in finished.items():
            counts = _counts(sync)
            done += counts[1] if counts else self.sizes.get(sync_id, 0)
        for sync_id, sync in running.items():
            counts = _counts(sync)
            size = counts[1] if counts else self.sizes.get(sync_id, 0)
            finished_part = counts[0] if counts else 0
            done += finished_part
            left.append(max(1, size - finished_part))
        if self._first is None:
            self._first = (looked_at, done)
            self._server_rate = _rate_of_finished(finished.values())
        self._look, self._done, self._left = looked_at, done, sorted(left)

    def read(self, seconds: float, found: int) -> None:
        """The last look found `found` syncs finished; it and the reads of their jobs
        (one request each) took `seconds`."""
        self._misses = 0 if found else self._misses + 1
        if seconds > 0:
            self.request_time = seconds / (found + 1)

    def rate(self) -> float | None:
        """Records per second since the first look; until something moves since, the rate
        of the syncs seen finished at the first look by RootFi's own times; else None."""
        if self._first is None:
            return None
        elapsed, moved = self._look - self._first[0], self._done - self._first[1]
        return moved / elapsed if moved > 0 and elapsed > 0 else self._server_rate

    def wait(self, now: float) -> float | None:
        """Seconds from `now` to the next look; None when there is no rate yet."""
        rate = self.rate()
        if rate is None or not self._left:
            return None
        finishes = [self._look + records / (rate * RATE_MARGIN) for records in accumulate(self._left)]
        last = finishes[-1]
        look = finishes[min(1, len(finishes) - 1)]  # when two more are predicted done (or the last)...
        found = 0
        for count, finish in enumerate(finishes, start=1):
            # ...or later, while the look and the jobs of those finished by then fit before the last finish
            if max(now, finish) + (count + 1 - TAIL_READS) * self.request_time <= last:
                look, found = max(look, finish), count
        if found >= len(finishes) - TAIL_READS:  # the few after it are not worth a look of their own:
            look = self._look + sum(self._left) / rate  # one look when all should be done, at the rate seen
        soonest = self._look + min(LONGEST, SHORTEST * 2 ** self._misses)
        return max(look, soonest) - now if max(look, soonest) > now else 0.0


def _rate_of_finished(syncs) -> float | None:
    """Records per second of these finished syncs, from the first one's start to the last
    one's end on RootFi's clock (records counted by the syncs' own total_count); None
    when fewer than two say their times and counts."""
    timed = [(sync.start_time, sync.end_time, _counts(sync)) for sync in syncs]
    timed = [(start, end, counts[1]) for start, end, counts in timed if start and end and counts]
    if len(timed) < 2:
        return None
    span = (max(end for _, end, _ in timed) - min(start for start, _, _ in timed)).total_seconds()
    return sum(records for _, _, records in timed) / span if span > 0 else None
