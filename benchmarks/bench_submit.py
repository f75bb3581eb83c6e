"""Benchmark: submit 10,000 payments through the sandbox with the real rate limit; how
close the engine comes to the sandbox's own floor, and how it compares with the naive
way (one synchronous request per row, as a VBA loop would do).

The sandbox runs with 100 requests/minute per key (bursts to 200) and 150 ms added
latency; its job worker takes 2 ms per record. Each engine run gets a fresh sandbox
(a fresh key budget) and prints:

- wall: the engine's submit(), from the first request to the last outcome;
- requests: what the client sent (and how many the sandbox answered 429);
- floor: what the sandbox alone needs for this workload, whatever the client does. The
  sandbox's busy time: the time its job worker spent on the records (from its DB: the
  union of each sync's first job start to last job end). For a key whose burst is
  already spent, the rate limit sets the floor instead when it is longer: the bulk
  writes plus one read of each write's jobs, at 100 requests a minute;
- ratio: wall / floor (1.0 would be a client that is never what the user waits for).

Runs: batch 200, the default batch size (if it differs), and a key whose burst another
client has just spent. Each is run twice, each time on a fresh sandbox: with the check
of every reference just before sending (submission/references.py: the invoices, and
whatever else the rows name, read by id) and without it (`check_references=False`, the
code as it was before that check), and the cost of the check is printed as ratios of
requests and wall time. The naive run is measured on --naive-rows rows (default 300; 0
skips it) and extrapolated to the whole workload with the rate limit's own arithmetic,
because at 100 requests a minute the full naive run takes over 90 minutes.

    python benchmarks/bench_submit.py [--rows 10000] [--naive-rows 300]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import secrets
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from rootfi_excel.api.client import RootFiClient
from rootfi_excel.api.errors import RootFiError
from rootfi_excel.fields.integrations import RequirementBook
from rootfi_excel.sandbox.server import SandboxConfig, start_in_thread
from rootfi_excel.sheets.layout import PAYMENTS, RESULT_COLUMNS, Status
from rootfi_excel.sheets.settings import DEFAULT_BATCH_SIZE, WorkbookSettings
from rootfi_excel.submission.engine import SubmitOptions, Submitter
from rootfi_excel.submission.journal import Journal
from rootfi_excel.validation.validate import validate_payments
from rootfi_excel.sheets.port import Table

COMPANY = 1001  # QuickBooks in the sandbox: accepts part payments of any open invoice
RATE_PER_MINUTE = 100
BURST = 2 * RATE_PER_MINUTE
LATENCY_MS = 150


@dataclass
class EngineRun:
    label: str
    rows: int
    created: int
    wall: float
    requests: int
    rate_limited: int
    busy: float  # the sandbox's job worker, busy on these records
    floor: float
    commits: int  # journal transactions (each one an fsync)
    statuses: dict[str, int]
    references_checked: bool = True

    @property
    def ratio(self) -> float:
        return self.wall / self.floor if self.floor else math.inf


def payment_table(client: RootFiClient, rows: int, prefix: str) -> Table:
    invoices = [i["platform_id"] for i in client.iter_records(COMPANY, "invoices", {"amount_due": ("gt", 100)},
                                                                 limit=1000)]
    headers = [c.name for c in PAYMENTS.columns] + list(RESULT_COLUMNS)
    data = []
    for n in range(rows):
        values = {"document_number": f"{prefix}-{n:06d}", "invoice_id": invoices[n % len(invoices)],
                  "amount": 0.01, "payment_date": dt.datetime(2026, 3, 31), "payment_mode": "Bank Transfer"}
        data.append([values.get(h) for h in headers])
    return Table(headers, data)


def busy_seconds(db_path: Path) -> float:
    """The job worker's busy time: the union of each sync's [first job start, last job end]."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        spans = db.execute("SELECT MIN(start_time), MAX(end_time) FROM jobs GROUP BY sync_id ORDER BY 1").fetchall()
    total, last_end = 0.0, None
    for start, end in spans:
        if not start or not end:
            continue
        begin, finish = _moment(start), _moment(end)
        if last_end is not None and begin < last_end:
            begin = last_end
        if finish > begin:
            total += (finish - begin).total_seconds()
            last_end = finish
    return total


def _moment(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def spend_burst(sandbox, key: str) -> int:
    """Another client (another person, another process) spends the key's burst first:
    requests until the server says none is left. Returns how many it sent."""
    sent = 0
    with httpx.Client(base_url=sandbox.base_url, headers={"api_key": key}) as other:
        while sent < 10 * BURST:
            sent += 1
            remaining = other.get(f"/core/companies/{COMPANY}").headers.get("x-ratelimit-remaining")
            if remaining is not None and float(remaining) <= 1:
                break
    return sent


def engine_run(make_sandbox, key: str, rows: int, batch: int, label: str, work: Path, *,
               spent: bool = False, check_references: bool = True) -> EngineRun:
    sandbox = make_sandbox(label)
    try:
        with RootFiClient(key, base_url=sandbox.base_url) as client:
            units = validate_payments(payment_table(client, rows, "BULK"), WorkbookSettings(integration="QUICKBOOKS"),
                                      RequirementBook()).ready
        if spent:
            spend_burst(sandbox, key)
        limited_before = _rate_limited(sandbox)
        # A new client, as a new Submit would have: it knows nothing of the key's budget yet.
        with RootFiClient(key, base_url=sandbox.base_url) as client, \
                Journal(work / f"journal-{label}.sqlite3") as journal:
            start = time.perf_counter()
            engine = Submitter(client, journal, base_url=sandbox.base_url, company_id=COMPANY,
                               integration="QUICKBOOKS",
                               options=SubmitOptions(batch_size=batch, check_references=check_references))
            report = engine.submit("invoice_payments", units)
            wall = time.perf_counter() - start
            requests, commits = client.requests_sent, getattr(journal, "commits", -1)
        created = sandbox.count_records(COMPANY, "invoice_payments")
        rate_limited = _rate_limited(sandbox) - limited_before
    finally:
        sandbox.stop()
    busy = busy_seconds(work / f"{label}.sqlite3")
    floor = busy
    if spent:  # each bulk write, and one read of its jobs, at the sustained rate
        floor = max(busy, 2 * math.ceil(rows / batch) * 60.0 / RATE_PER_MINUTE)
    statuses: dict[str, int] = {}
    for outcome in report.outcomes.values():
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    return EngineRun(label, rows, created, wall, requests, rate_limited, busy, floor, commits, statuses,
                     check_references)


def _rate_limited(sandbox) -> int:
    return httpx.get(f"{sandbox.base_url.split('/v4')[0]}/_sandbox/stats").json()["requests"].get("rate_limited", 0)


def naive_run(sandbox, key: str, rows: int) -> tuple[float, int, int]:
    """One synchronous POST per row, in a loop, waiting out 429s: what a VBA macro does."""
    with RootFiClient(key, base_url=sandbox.base_url) as client:
        table = payment_table(client, rows, "NAIVE")
        bodies = [u.request.to_api() for u in validate_payments(table, WorkbookSettings(), RequirementBook()).ready]
        before = client.requests_sent
        start = time.perf_counter()
        created = 0
        for body in bodies:
            try:
                client.create(COMPANY, "invoice_payments", body)
                created += 1
            except RootFiError:
                pass
        return time.perf_counter() - start, client.requests_sent - before, created


def extrapolate(seconds: float, measured_rows: int, rows: int) -> float:
    """Naive wall time for `rows`: its requests cannot beat the rate limit after the burst."""
    per_request = seconds / measured_rows
    limited = max(0, rows - BURST) * 60.0 / RATE_PER_MINUTE
    return max(per_request * rows, limited)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--naive-rows", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rootfi-bench-"))
    key = secrets.token_urlsafe(24)

    def sandbox(name: str):
        return start_in_thread(SandboxConfig(db_path=work / f"{name}.sqlite3", api_keys=[key],
                                             rate_limit_per_minute=RATE_PER_MINUTE, latency_ms=LATENCY_MS))

    plans = [("batch-200", 200, False)]
    if DEFAULT_BATCH_SIZE != 200:
        plans.append((f"batch-{DEFAULT_BATCH_SIZE}", DEFAULT_BATCH_SIZE, False))
    plans.append(("burst-spent", DEFAULT_BATCH_SIZE, True))
    runs, before = [], []
    for name, batch, spent in plans:
        runs.append(engine_run(sandbox, key, args.rows, batch, name, work, spent=spent))
        before.append(engine_run(sandbox, key, args.rows, batch, f"{name}-unchecked", work, spent=spent,
                                 check_references=False))

    print(f"Sandbox: {RATE_PER_MINUTE} requests/minute per key (bursts to {BURST}), {LATENCY_MS} ms latency; "
          f"default batch size {DEFAULT_BATCH_SIZE}")
    print(f"{'engine run':<34} {'rows':>6} {'created':>7} {'wall s':>7} {'requests':>8} {'429s':>5} "
          f"{'busy s':>7} {'floor s':>7} {'wall/floor':>10} {'commits':>7}")
    for run in runs:
        label = {"burst-spent": f"burst already spent, batch {DEFAULT_BATCH_SIZE}"}.get(
            run.label, run.label.replace("-", " ") + (" (default)" if run.label == f"batch-{DEFAULT_BATCH_SIZE}"
                                                      else ""))
        print(f"{label:<34} {run.rows:>6} {run.created:>7} {run.wall:>7.1f} {run.requests:>8} {run.rate_limited:>5} "
              f"{run.busy:>7.1f} {run.floor:>7.1f} {run.ratio:>10.2f} {run.commits:>7}")
    for run in before:
        label = run.label.removesuffix("-unchecked").replace("-", " ") + ", no reference check"
        print(f"{label:<34} {run.rows:>6} {run.created:>7} {run.wall:>7.1f} "
              f"{run.requests:>8} {run.rate_limited:>5} {run.busy:>7.1f} {run.floor:>7.1f} {run.ratio:>10.2f} "
              f"{run.commits:>7}")
    for run in runs + before:
        print(f"{run.label} outcomes: {run.statuses}")
    print("The check of every reference just before sending, against the same code without it (same run):")
    for run, old in zip(runs, before):
        print(f"  {run.label:<16} requests {run.requests} vs {old.requests} ({run.requests / old.requests:.3f}x), "
              f"wall {run.wall:.1f} s vs {old.wall:.1f} s ({run.wall / old.wall:.3f}x), "
              f"wall/floor {run.ratio:.2f} vs {old.ratio:.2f}")

    if args.naive_rows <= 0:
        return
    naive = sandbox("naive")  # a fresh key budget, as a fair start
    try:
        naive_seconds, naive_requests, naive_created = naive_run(naive, key, args.naive_rows)
    finally:
        naive.stop()
    scale = args.rows / args.naive_rows
    naive_total_seconds = extrapolate(naive_seconds, args.naive_rows, args.rows)
    naive_total_requests = round(naive_requests * scale)
    label = "naive, extrapolated" if scale != 1 else "naive"
    print(f"{'naive, measured':<34} {args.naive_rows:>6} {naive_created:>7} {naive_seconds:>7.1f} {naive_requests:>8}")
    print(f"{label:<34} {args.rows:>6} {'':>7} {naive_total_seconds:>7.1f} {naive_total_requests:>8}")
    first = runs[0]
    print(f"engine (batch 200) against naive: {naive_total_requests / first.requests:.0f}x fewer requests, "
          f"{naive_total_seconds / first.wall:.0f}x shorter; all {args.rows} rows "
          f"{'submitted' if first.statuses.get(Status.CREATED) == args.rows else 'NOT all submitted'} "
          f"in {first.wall / 60:.1f} minutes")


if __name__ == "__main__":
    main()
