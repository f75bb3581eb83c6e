"""Benchmark: submit 10,000 payments through the sandbox with the real rate limit, and
compare with the naive way (one synchronous request per row, as a VBA loop would do).

The sandbox runs with 100 requests/minute per key (bursts to 200) and 150 ms added
latency. The engine's run is measured in full. The naive run is measured on
--naive-rows rows (default 300) and extrapolated to the whole workload with the rate
limit's own arithmetic, because at 100 requests a minute the full naive run takes
over 90 minutes; pass --naive-rows 10000 to measure it whole.

    python benchmarks/bench_submit.py [--rows 10000] [--naive-rows 300]
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import tempfile
import time
from pathlib import Path

from rootfi_excel.api.client import RootFiClient
from rootfi_excel.api.errors import RootFiError
from rootfi_excel.fields.integrations import RequirementBook
from rootfi_excel.sandbox.server import SandboxConfig, start_in_thread
from rootfi_excel.sheets.layout import PAYMENTS, RESULT_COLUMNS, Status
from rootfi_excel.sheets.settings import DEFAULT_BATCH_SIZE, WorkbookSettings
from rootfi_excel.submission.engine import SubmitOptions, Submitter
from rootfi_excel.submission.journal import Journal
from rootfi_excel.validation.validate import validate_payments
from rootfi_excel.workbook.port import Table

COMPANY = 1001  # QuickBooks in the sandbox: accepts part payments of any open invoice
RATE_PER_MINUTE = 100
BURST = 2 * RATE_PER_MINUTE
LATENCY_MS = 150


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


def engine_run(sandbox, key: str, rows: int, journal_path: Path) -> tuple[float, int, dict[str, int]]:
    with RootFiClient(key, base_url=sandbox.base_url) as client:
        units = validate_payments(payment_table(client, rows, "BULK"), WorkbookSettings(integration="QUICKBOOKS"),
                                  RequirementBook()).ready
        before = client.requests_sent
        start = time.perf_counter()
        with Journal(journal_path) as journal:
            engine = Submitter(client, journal, base_url=sandbox.base_url, company_id=COMPANY, integration="QUICKBOOKS",
                               options=SubmitOptions(batch_size=DEFAULT_BATCH_SIZE))
            report = engine.submit("invoice_payments", units)
        seconds = time.perf_counter() - start
        statuses: dict[str, int] = {}
        for outcome in report.outcomes.values():
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
        return seconds, client.requests_sent - before, statuses


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

    bulk = sandbox("bulk")
    try:
        seconds, requests, statuses = engine_run(bulk, key, args.rows, work / "journal.sqlite3")
        created = bulk.count_records(COMPANY, "invoice_payments")
    finally:
        bulk.stop()
    naive = sandbox("naive")  # a fresh key budget, as a fair start
    try:
        naive_seconds, naive_requests, naive_created = naive_run(naive, key, args.naive_rows)
    finally:
        naive.stop()

    scale = args.rows / args.naive_rows
    naive_total_seconds = extrapolate(naive_seconds, args.naive_rows, args.rows)
    naive_total_requests = round(naive_requests * scale)
    print(f"Sandbox: {RATE_PER_MINUTE} requests/minute per key (bursts to {BURST}), {LATENCY_MS} ms latency")
    print(f"{'method':<34} {'rows':>6} {'created':>7} {'wall s':>8} {'requests':>8}")
    print(f"{'engine (bulk async, batch ' + str(DEFAULT_BATCH_SIZE) + ')':<34} {args.rows:>6} {created:>7} "
          f"{seconds:>8.1f} {requests:>8}")
    print(f"{'naive, measured':<34} {args.naive_rows:>6} {naive_created:>7} {naive_seconds:>8.1f} {naive_requests:>8}")
    label = "naive, extrapolated" if scale != 1 else "naive"
    print(f"{label:<34} {args.rows:>6} {'':>7} {naive_total_seconds:>8.1f} {naive_total_requests:>8}")
    print(f"engine outcomes: {statuses}")
    print(f"requests: {naive_total_requests / requests:.0f}x fewer; wall time: {naive_total_seconds / seconds:.0f}x "
          f"shorter; all {args.rows} rows {'submitted' if statuses.get(Status.CREATED) == args.rows else 'NOT all submitted'} "
          f"in {seconds / 60:.1f} minutes")


if __name__ == "__main__":
    main()
