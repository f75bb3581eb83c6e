"""Reconciling lost answers: once an attempt is old enough for a late write to have
landed, and no bulk write that may hold it is still running, look it up; found ->
Created, certainly absent -> sent again, anything unsure -> Unknown for the next Submit.

An age is the smaller of the age on RootFi's clock (the journal keeps RootFi's time of
each send) and the age on this computer's clock, so neither clock jumping forward can
make a lost answer look old.
"""

from __future__ import annotations

from rootfi_excel.submission.context import Item, Run, Work
from rootfi_excel.submission.lookups import resolve_by_lookup
from rootfi_excel.submission.running_syncs import earliest_send, wait_for_bulk_writes


def reconcile(run: Run, items: list[Item], work: Work) -> None:
    if not _wait_until_old_enough(run, items):
        work.unsettled += items  # no time left in this run: the next Submit checks them
        return
    bulk = [item for item in items if item.bulk]
    if bulk:
        check = wait_for_bulk_writes(run, since=earliest_send(bulk), bound=run.options.sync_timeout,
                                     skip_stale=False, what="that may hold lost records")
        if not check.clear:  # a lost bulk write may still be creating them: never resend now
            work.unsettled += items
            return
    again, unknown = resolve_by_lookup(run, items, close_missing=True)
    work.fresh += [item for item in again if not item.ghost]
    work.lost += unknown


def _wait_until_old_enough(run: Run, items: list[Item]) -> bool:
    """Sleep until the youngest item is `resend_after` old (an age that cannot be told
    counts as zero: a full wait). False when the run's deadline comes first."""
    ages = [run.age(item) for item in items]
    youngest = min((age if age is not None else 0.0) for age in ages) if ages else 0.0
    wait = max(0.0, run.options.resend_after - youngest)
    if wait > run.time_left():
        return False
    if wait > 0:
        run.report(f"checking {len(items)} lost answers in {wait:.0f} s")
        run.sleep(wait)
    return True
