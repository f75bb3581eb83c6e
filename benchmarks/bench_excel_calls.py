"""Benchmark: cross-application (Excel) calls of Validate and Submit for 10 and 10,000 rows.

Runs the real ribbon buttons through the counting fake of xlwings
(tests/support/fake_xlwings.py) against the local sandbox over HTTP, and prints the
number of Excel calls each makes. The counts must not grow with the rows: each table is
read in one call and written one column block at a time, and the status bar is updated
at most a few times a second (ExcelUI.min_interval), whatever the number of rows.

Two clocks: a still clock (the count that depends only on the code: what the test
asserts) and the real clock (what a person's run costs: a few status-bar updates per
second of the run). The baseline, in the same run, shows every progress report in the
status bar, as the add-in did before the throttle (one call per row).

    python benchmarks/bench_excel_calls.py [--rows 10 10000] [--no-baseline]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support: the counting fake of xlwings

from rootfi_excel.api.client import RootFiClient  # noqa: E402
from rootfi_excel.api.trust import store_key  # noqa: E402
from rootfi_excel.sandbox.server import SandboxConfig, start_in_thread  # noqa: E402
from tests.support.excel_calls import count_calls  # noqa: E402
from tests.support.memory_keyring import MemoryKeyring  # noqa: E402


def main() -> None:
    import os

    import keyring

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10, 10_000])
    parser.add_argument("--no-baseline", action="store_true", help="skip the unthrottled run of the largest size")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rootfi-bench-excel-"))
    os.environ["ROOTFI_EXCEL_HOME"] = str(work / "home")  # a private journal and log
    keyring.set_keyring(MemoryKeyring())  # never the person's real key store
    key = secrets.token_urlsafe(24)
    sandbox = start_in_thread(SandboxConfig(db_path=work / "sandbox.sqlite3", api_keys=[key]))
    # The key is stored for the sandbox's own address, as a person does for a sandbox they
    # started: the workbooks name that address, and a key is only sent where it is stored.
    store_key("default", key, sandbox.base_url)
    try:
        with RootFiClient(key, base_url=sandbox.base_url) as client:
            invoices = [i["platform_id"] for i in client.iter_records(1001, "invoices", {"amount_due": ("gt", 100)},
                                                                       limit=1000)]
        print(f"{'rows':>7} {'status bar':>22} {'validate calls':>15} {'submit calls':>13} {'seconds':>8}")
        runs = [(rows, mode) for rows in args.rows for mode in ("throttled, still clock", "throttled, real clock")]
        if not args.no_baseline:
            runs.append((max(args.rows), "every report (baseline)"))
        submit_calls = {}
        for rows, mode in runs:
            start = time.perf_counter()
            counts = count_calls(rows, sandbox.base_url, invoices, prefix=f"B{len(submit_calls)}",
                                 clock=(lambda: 0.0) if "still" in mode else time.monotonic,
                                 min_interval=0.0 if "baseline" in mode else 0.25)
            submit_calls[rows, mode] = counts["submit"]
            print(f"{rows:>7} {mode:>22} {counts['validate']:>15} {counts['submit']:>13} "
                  f"{time.perf_counter() - start:>8.1f}", flush=True)
        largest = max(args.rows)
        if not args.no_baseline:
            ratio = submit_calls[largest, "every report (baseline)"] / submit_calls[largest, "throttled, real clock"]
            print(f"Submit of {largest} rows: the throttle makes {ratio:.0f}x fewer Excel calls than the baseline")
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
