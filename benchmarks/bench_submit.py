"""Benchmark: submit N payments (10,000 and 50,000 by default) through a sandbox that runs
in its own process, shaped like the stand-in of the API measured: 100 requests/minute per
key (bursts to 200, 429 with Retry-After), 150 ms latency, one job worker at 2 ms per
record, jobs that name their record by `data.document_number` only (no record_index),
company on QuickBooks, batch 200. The engine runs in a process of its own too, so its
peak memory (ru_maxrss) is its own and the server's work never counts as the client's.

For each run it prints the wall time of `Submitter.submit`, the requests by kind (as the
sandbox counted them), the 429s, the client process's peak memory, and two floors, both
computed from the server's configuration, never from a measured busy time:

- needed floor: what any client must wait for: the bulk writes and one read of each
  write's jobs (2·⌈N/200⌉ requests) at the rate limit once the burst is spent, or the
  worker's processing (N × 2 ms) plus two round trips, whichever is longer;
- protocol floor: the same with this client's own protocol: plus two lookup passes
  (chunks as `chunk_for_lookup` cuts these numbers) and the reference reads (one
  `platform_id[in]` list per kind and chunk).

Runs are repeated (--repeat, default 3; --repeat-large for the largest N, default 1) and
the median is printed with every run. The machine's load average is printed before and
after each run, and the time the server's job worker was busy (from its own database:
whether the server kept its configured time per record, which no client can beat). The naive way (one synchronous request per row, as a VBA loop does) is
measured on --naive-rows rows and extrapolated with the rate limit's own arithmetic.

    nice -n 10 python benchmarks/bench_submit.py [--rows 10000 50000] [--repeat 3] [--naive-rows 300]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import math
import multiprocessing as mp
import os
import resource
import secrets
import statistics
import tempfile
import time
from pathlib import Path

import httpx

COMPANY = 1001  # QuickBooks in the sandbox: accepts part payments of any open invoice
RATE_PER_MINUTE = 100
BURST = 2 * RATE_PER_MINUTE
LATENCY_MS = 150
JOB_DELAY_MS = 2
BATCH = 200
JOB_SHAPE = "by-number"


# ---------------------------------------------------------------- the server's process


def _serve(config: dict, conn) -> None:
    from rootfi_excel.sandbox.server import SandboxConfig, start_in_thread

    sandbox = start_in_thread(SandboxConfig(**config))
    conn.send(sandbox.base_url)
    conn.recv()  # told to stop
    sandbox.stop()
    conn.send("stopped")


class ServerProcess:
    def __init__(self, db_path: Path, key: str) -> None:
        self.config = dict(db_path=str(db_path), api_keys=[key], rate_limit_per_minute=RATE_PER_MINUTE,
                           latency_ms=LATENCY_MS, job_delay_ms=JOB_DELAY_MS, job_shape=JOB_SHAPE)
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(self.config, child), daemon=True)
        self._process.start()
        self.base_url: str = self._conn.recv()

    def stats(self) -> dict:
        return httpx.get(f"{self.base_url.removesuffix('/v4')}/_sandbox/stats").json()

    def stop(self) -> None:
        self._conn.send("stop")
        self._conn.recv()
        self._process.join(timeout=30)


# ---------------------------------------------------------------- the engine's process


def payment_table(client, rows: int, prefix: str):
    from rootfi_excel.sheets.layout import PAYMENTS, RESULT_COLUMNS
    from rootfi_excel.sheets.port import Table

    invoices = [i["platform_id"] for i in client.iter_records(COMPANY, "invoices", {"amount_due": ("gt", 100)},
                                                                 limit=1000)]
    headers = [c.name for c in PAYMENTS.columns] + list(RESULT_COLUMNS)
    data = []
    for n in range(rows):
        values = {"document_number": f"{prefix}-{n:06d}", "invoice_id": invoices[n % len(invoices)],
                  "amount": 0.01, "payment_date": dt.datetime(2026, 3, 31), "payment_mode": "Bank Transfer"}
        data.append([values.get(h) for h in headers])
    return Table(headers, data)


def _units(client, rows: int, prefix: str):
    from rootfi_excel.fields.integrations import RequirementBook
    from rootfi_excel.sheets.settings import WorkbookSettings
    from rootfi_excel.validation.validate import validate_payments

    return validate_payments(payment_table(client, rows, prefix), WorkbookSettings(integration="QUICKBOOKS"),
                             RequirementBook()).ready


def _engine(base_url: str, key: str, rows: int, journal_path: str, conn) -> None:
    from rootfi_excel.api.client import RootFiClient
    from rootfi_excel.submission.engine import SubmitOptions, Submitter
    from rootfi_excel.submission.journal import Journal

    with RootFiClient(key, base_url=base_url) as client:
        units = _units(client, rows, "BULK")
        bodies = [u.request.to_api() for u in units]
        protocol = protocol_requests(bodies, client.lookup_budget)
    conn.send("ready")  # the server's counts are read now: the table's own reads are not the run's
    conn.recv()
    # A new client, as a new Submit would have: it knows nothing of the key's budget yet.
    with RootFiClient(key, base_url=base_url) as client, Journal(Path(journal_path)) as journal:
        start = time.perf_counter()
        engine = Submitter(client, journal, base_url=base_url, company_id=COMPANY, integration="QUICKBOOKS",
                           options=SubmitOptions(batch_size=BATCH))
        report = engine.submit("invoice_payments", units)
        wall = time.perf_counter() - start
        statuses: dict[str, int] = {}
        messages: dict[str, int] = {}
        for outcome in report.outcomes.values():
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
            messages[outcome.message[:60]] = messages.get(outcome.message[:60], 0) + 1
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send(dict(wall=wall, statuses=statuses, messages=messages, peak_mib=peak_mib, protocol=protocol,
                   requests_sent=client.requests_sent))


def protocol_requests(bodies: list[dict], budget: int) -> int:
    """Requests this client's protocol needs for these records when nothing goes wrong:
    bulk writes and their jobs, two lookup passes, one reference list per kind and chunk
    (chunks as long as the client asks them of this server: `budget`)."""
    from rootfi_excel.api.client import chunk_for_lookup

    batches = math.ceil(len(bodies) / BATCH)
    lookups = len(list(chunk_for_lookup((b["document_number"] for b in bodies), budget)))
    references = sum(len(list(chunk_for_lookup(sorted({str(b[field]) for b in bodies if b.get(field)}), budget)))
                     for field in ("invoice_id", "contact_id", "account_id"))
    return 2 * batches + 2 * lookups + references


def needed_floor(rows: int, requests: int) -> float:
    """Seconds the server's configuration needs for `requests` and `rows` records."""
    paced = max(0, requests - BURST) * 60.0 / RATE_PER_MINUTE
    processing = rows * JOB_DELAY_MS / 1000 + 2 * LATENCY_MS / 1000
    return max(paced, processing)


def worker_busy(db_path: Path) -> float:
    """Seconds the server's job worker spent on the bulk writes (one after another: each from
    when it was made or the one before ended, to its end), from the server's own database:
    shows whether the server kept its configured time per record (no client can beat it)."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(db_path)) as db:
        syncs = db.execute("SELECT created_at, end_time FROM syncs WHERE end_time IS NOT NULL "
                           "ORDER BY created_at").fetchall()
    busy, free_at = 0.0, None
    for created, ended in syncs:
        start, end = (dt.datetime.fromisoformat(t.replace("Z", "+00:00")) for t in (created, ended))
        start = max(start, free_at) if free_at else start
        busy += max(0.0, (end - start).total_seconds())
        free_at = end
    return busy


def one_run(rows: int, work: Path, label: str) -> dict:
    key = "rk_bench_" + secrets.token_urlsafe(18)
    server = ServerProcess(work / f"{label}.sqlite3", key)
    try:
        load_before = os.getloadavg()[0]
        ctx = mp.get_context("spawn")
        conn, child = ctx.Pipe()
        engine = ctx.Process(target=_engine, args=(server.base_url, key, rows, str(work / f"j-{label}.sqlite3"),
                                                   child))
        engine.start()
        conn.recv()  # ready: the rows are validated
        before = server.stats()["requests"]
        conn.send("go")
        result = conn.recv()
        engine.join()
        stats = server.stats()
        load_after = os.getloadavg()[0]
    finally:
        server.stop()
    after = stats["requests"]
    kinds = {name.removeprefix("kind:"): after.get(name, 0) - before.get(name, 0)
             for name in after if name.startswith("kind:")}
    kinds = {k: v for k, v in kinds.items() if v}
    result.update(rows=rows, kinds=kinds, requests=sum(kinds.values()),
                  rate_limited=after.get("rate_limited", 0) - before.get("rate_limited", 0),
                  created=stats["records"].get(str(COMPANY), {}).get("invoice_payments", 0),
                  load=(load_before, load_after), worker=worker_busy(work / f"{label}.sqlite3"))
    result["needed_floor"] = needed_floor(rows, 2 * math.ceil(rows / BATCH))
    result["protocol_floor"] = needed_floor(rows, result["protocol"])
    return result


def _naive(base_url: str, key: str, rows: int, conn) -> None:
    from rootfi_excel.api.client import RootFiClient
    from rootfi_excel.errors import RootFiError

    with RootFiClient(key, base_url=base_url) as client:
        bodies = [u.request.to_api() for u in _units(client, rows, "NAIVE")]
        before = client.requests_sent
        start = time.perf_counter()
        created = 0
        for body in bodies:
            try:
                client.create(COMPANY, "invoice_payments", body)
                created += 1
            except RootFiError:
                pass
        conn.send((time.perf_counter() - start, client.requests_sent - before, created))


def naive_run(rows: int, work: Path) -> tuple[float, int, int]:
    key = "rk_bench_" + secrets.token_urlsafe(18)
    server = ServerProcess(work / "naive.sqlite3", key)
    try:
        ctx = mp.get_context("spawn")
        conn, child = ctx.Pipe()
        process = ctx.Process(target=_naive, args=(server.base_url, key, rows, child))
        process.start()
        result = conn.recv()
        process.join()
        return result
    finally:
        server.stop()


def extrapolate(seconds: float, measured_rows: int, rows: int) -> float:
    """Naive wall time for `rows`: its requests cannot beat the rate limit after the burst."""
    per_request = seconds / measured_rows
    limited = max(0, rows - BURST) * 60.0 / RATE_PER_MINUTE
    return max(per_request * rows, limited)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repeat-large", type=int, default=1, help="runs of the largest --rows (they take minutes)")
    parser.add_argument("--naive-rows", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rootfi-bench-"))
    print(f"Sandbox in its own process: {RATE_PER_MINUTE} requests/minute per key (bursts to {BURST}), "
          f"{LATENCY_MS} ms latency, {JOB_DELAY_MS} ms per record, jobs shaped '{JOB_SHAPE}', batch {BATCH}; "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at the start")
    largest = max(args.rows)
    for rows in args.rows:
        repeat = args.repeat_large if rows == largest and len(args.rows) > 1 else args.repeat
        runs = []
        for n in range(repeat):
            run = one_run(rows, work, f"r{rows}-{n}")
            runs.append(run)
            print(f"  {rows:>6} rows, run {n + 1}: wall {run['wall']:.1f} s, requests {run['requests']} "
                  f"{run['kinds']}, 429s {run['rate_limited']}, created {run['created']}, "
                  f"peak {run['peak_mib']:.0f} MiB, load {run['load'][0]:.2f} -> {run['load'][1]:.2f}, "
                  f"server's worker busy {run['worker']:.1f} s (configured {rows * JOB_DELAY_MS / 1000:.1f} s), "
                  f"outcomes {run['statuses']}, messages {run['messages']}", flush=True)
        wall = statistics.median(r["wall"] for r in runs)
        first = runs[0]
        bound = 2 * math.ceil(rows / 200) + 2 * math.ceil(rows / 500) + 10
        print(f"{rows:>6} rows, median of {len(runs)}: wall {wall:.1f} s; needed floor {first['needed_floor']:.1f} s "
              f"(wall/floor {wall / first['needed_floor']:.2f}); protocol floor {first['protocol_floor']:.1f} s "
              f"({first['protocol']} requests; wall/protocol floor {wall / first['protocol_floor']:.2f}); "
              f"requests {statistics.median(r['requests'] for r in runs):.0f} (bound {bound}); "
              f"peak {statistics.median(r['peak_mib'] for r in runs):.0f} MiB", flush=True)
        if args.naive_rows > 0:
            print(f"         naive, extrapolated: {rows} requests at least, "
                  f"{extrapolate(*_naive_cached(args.naive_rows, work)[:1], args.naive_rows, rows) / 60:.0f} min")


_NAIVE: dict[int, tuple[float, int, int]] = {}


def _naive_cached(rows: int, work: Path) -> tuple[float, int, int]:
    if rows not in _NAIVE:
        _NAIVE[rows] = naive_run(rows, work)
        seconds, requests, created = _NAIVE[rows]
        print(f"         naive, measured: {rows} rows, {requests} requests, {created} created, {seconds:.1f} s")
    return _NAIVE[rows]


if __name__ == "__main__":
    main()
