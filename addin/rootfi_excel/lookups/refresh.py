"""Refresh a company's lookup lists from the API into the cache.

The first refresh of a list reads it whole, with the largest page the API accepts. Later
refreshes ask only for records changed since (`rootfi_updated_at[gt]=<mark>`, deleted ones
included), so a second refresh of a company with tens of thousands of invoices costs one
request per list. Everything is read first and stored in one transaction: a refresh that
fails halfway keeps the previous cache and says so.

The mark is the newest `rootfi_updated_at` seen, but never later than this refresh's start
minus CLOCK_MARGIN: a record changed while the pages were being read (after its page
went by) is then read again next time, and a few minutes of clock difference between
this machine and the server cannot hide a change. Reading a few records twice is cheap.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rootfi_excel.api.client import BULK_PAGE_SIZE
from rootfi_excel.errors import AuthError, NetworkError, RootFiError
from rootfi_excel.lookups.cache import KINDS, CacheKey, ListChanges, LookupCache, utc_now
from rootfi_excel.messages import key_refused, plural, unreachable

# list name -> the PATHS entry it is read from
LIST_PATHS = {kind: kind for kind in KINDS}
CHANGED_FIELD = "rootfi_updated_at"
CLOCK_MARGIN = dt.timedelta(minutes=5)

Progress = Callable[[str], None]


@dataclass
class RefreshReport:
    company_id: int
    requests: int = 0
    seconds: float = 0.0
    full: list[str] = field(default_factory=list)         # lists read whole
    changed: dict[str, int] = field(default_factory=dict)  # list -> records read (new, changed or deleted)
    counts: dict[str, int] = field(default_factory=dict)   # list -> records in the cache afterwards
    error: str | None = None                               # set when the refresh failed
    kept: str | None = None                                # then: what the cache still holds

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> str:
        if not self.ok:
            return f"Refresh failed: {self.error}. " + (self.kept or "There is no earlier copy of the lists.")
        lists = ", ".join(f"{self.counts[k]} {k.replace('_', ' ')}" for k in KINDS if k in self.counts)
        how = "full" if len(self.full) == len(KINDS) else "incremental" if not self.full else "partly full"
        return (f"Lookups of company {self.company_id} refreshed ({how}, {plural(self.requests, 'request')}, "
                f"{self.seconds:.1f} s): {lists}.")


def refresh(client: Any, cache: LookupCache, key: CacheKey, *, full: bool = False,
            progress: Progress | None = None, now: Callable[[], dt.datetime] = utc_now) -> RefreshReport:
    """Bring the cache of `key` (its client reads with that key profile's key at that
    address) up to date; never raises for an API failure (see report.error)."""
    say = progress or (lambda text: None)
    started, clock = now(), time.monotonic()
    before = client.requests_sent
    company_id = key.company_id
    report = RefreshReport(company_id)
    marks = {} if full else cache.marks(key)
    changes: list[ListChanges] = []
    try:
        for kind in KINDS:
            changes.append(_read_list(client, company_id, kind, marks.get(kind), started, say))
        cache.apply(key, changes, now())
    except RootFiError as error:
        report.error = _failure(error, key.base_url, key.company_id, key.key_profile)
        cache.record_failure(key, report.error, now())
        previous = cache.company(key)
        if previous is not None:
            report.kept = f"The previous lookups are kept ({previous.describe_age()})."
    report.requests = client.requests_sent - before
    report.seconds = time.monotonic() - clock
    if report.ok:
        view = cache.company(key)
        report.full = [c.kind for c in changes if c.full]
        report.changed = {c.kind: len(c.records) + len(c.deleted) for c in changes}
        report.counts = {kind: view.count(kind) for kind in KINDS}
    return report  # the caller says report.summary() once, where it belongs (a line, a message box)


def _failure(error: RootFiError, base_url: str, company_id: int, key_profile: str | None) -> str:
    """Why the refresh failed, in words that say what to do (the address, the key)."""
    if isinstance(error, NetworkError):
        return unreachable(base_url, error).rstrip(".")
    if isinstance(error, AuthError):
        return key_refused(base_url, key_profile, company_id).rstrip(".")
    return str(error)


def _read_list(client: Any, company_id: int, kind: str, mark: str | None, started: dt.datetime,
               say: Progress) -> ListChanges:
    full = mark is None
    filters = None if full else {CHANGED_FIELD: ("gt", mark)}
    live: list[dict[str, Any]] = []
    deleted: list[str] = []
    newest = mark
    what = kind.replace("_", " ")
    say(f"Reading {what}{'' if full else ' changed since the last refresh'}...")
    for count, record in enumerate(client.iter_records(company_id, LIST_PATHS[kind], filters, limit=BULK_PAGE_SIZE,
                                                       include_deleted=not full), start=1):
        stamp = record.get(CHANGED_FIELD)
        if isinstance(stamp, str) and (newest is None or stamp > newest):
            newest = stamp
        if record.get("rootfi_deleted_at"):
            deleted.append(str(record.get("platform_id")))
        else:
            live.append(record)
        if count % BULK_PAGE_SIZE == 0:
            say(f"Reading {what}: {count} so far...")
    return ListChanges(kind, live, deleted, full, _next_mark(newest, started))


def _next_mark(newest: str | None, started: dt.datetime) -> str:
    """The newest stamp seen, capped at the start of this refresh minus the clock margin."""
    cap = _stamp(started - CLOCK_MARGIN)
    return cap if newest is None or newest > cap else newest


def _stamp(when: dt.datetime) -> str:
    """The API's own format, 2024-01-22T05:07:31.465Z, so stamps compare as text."""
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
