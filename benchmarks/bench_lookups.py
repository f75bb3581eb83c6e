"""Benchmark: refresh the lookups of a company with 20,000 invoices and 2,000 customers
through the sandbox at the real rate limit (100 requests/minute per key, bursts to 200,
150 ms added latency): a first (full) refresh, then a second (incremental) one after a
handful of changes on the platform. Baseline in the same run: reading the same lists
whole with the API's default page size (100), as a naive importer would on every refresh.

Then Validate's online checks on --rows payment rows that name their invoice by number
(resolved to ids through the cache), against the offline validation of the same rows.

    python benchmarks/bench_lookups.py [--invoices 20000] [--contacts 2000] [--latency-ms 150] [--rows 10000]
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from itertools import islice
from pathlib import Path

import datetime as dt

from rootfi_excel.api.client import RootFiClient
from rootfi_excel.fields.integrations import RequirementBook
from rootfi_excel.lookups.cache import CacheKey, KINDS, LookupCache
from rootfi_excel.lookups.refresh import refresh
from rootfi_excel.sandbox.seed import VOLUME_COMPANY
from rootfi_excel.sandbox.server import SandboxConfig, start_in_thread
from rootfi_excel.sheets.layout import PAYMENTS, RESULT_COLUMNS
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.validation.online import check_sheet
from rootfi_excel.validation.validate import validate_payments
from rootfi_excel.sheets.port import Table

COMPANY = VOLUME_COMPANY[0]
RATE_PER_MINUTE = 100


def timed_refresh(sandbox, key: str, cache: LookupCache, label: str) -> tuple[int, float]:
    with RootFiClient(key, base_url=sandbox.base_url) as client:
        seen = sandbox.requests_seen()
        report = refresh(client, cache, CacheKey(sandbox.base_url, COMPANY, "default"))
        assert report.ok, report.error
        requests = sandbox.requests_seen() - seen
    changed = ", ".join(f"{k} {n}" for k, n in report.changed.items() if n)
    print(f"{label:<28} {requests:>5} requests {report.seconds:>7.1f} s   read: {changed or 'nothing'}")
    return requests, report.seconds


def naive_full_read(sandbox, key: str) -> tuple[int, float]:
    # 20,000 invoices at 100 a page are 200 pages: past the client's page cap, raised for this read
    with RootFiClient(key, base_url=sandbox.base_url, max_pages=1000) as client:
        seen, start = sandbox.requests_seen(), time.perf_counter()
        records = sum(1 for kind in KINDS for _ in client.iter_records(COMPANY, kind, limit=100))
        requests, seconds = sandbox.requests_seen() - seen, time.perf_counter() - start
    print(f"{'baseline: whole, 100/page':<28} {requests:>5} requests {seconds:>7.1f} s   read: {records} records")
    return requests, seconds


def online_checks(cache: LookupCache, base_url: str, rows: int) -> None:
    lookups = cache.company(CacheKey(base_url, COMPANY, "default"))
    open_invoices = [i for i in lookups.records("invoices") if i["amount_due"] > 1]
    headers = [c.name for c in PAYMENTS.columns] + list(RESULT_COLUMNS)
    data = []
    for n in range(rows):
        invoice = open_invoices[n % len(open_invoices)]
        values = {"document_number": f"RCPT-{n:06d}", "invoice_id": invoice["document_number"], "amount": 0.01,
                  "payment_date": dt.datetime(2026, 3, 31), "currency_id": invoice["currency_id"]}
        data.append([values.get(h) for h in headers])
    start = time.perf_counter()
    sheet = validate_payments(Table(headers, data), WorkbookSettings(integration="QUICKBOOKS"), RequirementBook())
    offline = time.perf_counter() - start
    start = time.perf_counter()
    check_sheet(sheet, cache.company(CacheKey(base_url, COMPANY, "default")))  # a fresh view: nothing remembered yet
    online = time.perf_counter() - start
    assert len(sheet.ready) == rows and sheet.ready[0].request.invoice_id == open_invoices[0]["platform_id"]
    print(f"\nValidate {rows} payment rows naming invoices by number: offline {offline:.2f} s, "
          f"online checks {online:.2f} s more ({online / offline:.2f}x the offline time)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=20000)
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--rows", type=int, default=10000)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="rootfi-bench-lookups-"))
    keys = ["rk_bench_" + secrets.token_urlsafe(16) for _ in range(2)]  # the baseline gets its own rate limit
    start = time.perf_counter()
    sandbox = start_in_thread(SandboxConfig(db_path=folder / "sandbox.sqlite3", api_keys=keys,
                                            rate_limit_per_minute=RATE_PER_MINUTE, latency_ms=args.latency_ms,
                                            volume=(args.invoices, args.contacts), seed_demo_data=False))
    print(f"Sandbox: company {COMPANY} with {args.invoices} invoices and {args.contacts} customers "
          f"(seeded in {time.perf_counter() - start:.1f} s); {RATE_PER_MINUTE} requests/minute, "
          f"{args.latency_ms} ms latency\n")
    try:
        with LookupCache(folder / "lookups.sqlite3") as cache:
            first_requests, first_seconds = timed_refresh(sandbox, keys[0], cache, "first refresh (full)")
            with RootFiClient(keys[0], base_url=sandbox.base_url) as client:
                paid = list(islice(client.iter_records(COMPANY, "invoices", {"amount_due": ("gt", 0)}, limit=5), 5))
            time.sleep(0.01)
            for invoice in paid:  # a few things happen on the platform between two refreshes
                sandbox.change_record(COMPANY, "invoices", invoice["platform_id"], amount_due=0.0, status="PAID")
            sandbox.change_record(COMPANY, "contacts", cache.company(CacheKey(sandbox.base_url, COMPANY, "default"))
                                  .records("contacts")[0]["platform_id"], delete=True)
            second_requests, second_seconds = timed_refresh(sandbox, keys[0], cache, "second refresh (incremental)")
            size = (folder / "lookups.sqlite3").stat().st_size
            online_checks(cache, sandbox.base_url, args.rows)
        naive_requests, naive_seconds = naive_full_read(sandbox, keys[1])
    finally:
        sandbox.stop()
    print(f"\nSecond refresh vs first: {second_requests / first_requests:.2f}x the requests, "
          f"{second_seconds / first_seconds:.2f}x the time.")
    print(f"First refresh vs baseline: {first_requests / naive_requests:.2f}x the requests, "
          f"{first_seconds / naive_seconds:.2f}x the time; "
          f"second refresh vs baseline: {second_seconds / naive_seconds:.3f}x the time.")
    print(f"Cache file: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
