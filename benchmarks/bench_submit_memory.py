"""Benchmark: peak memory of the whole `rootfi-excel submit` of a 50,000-row .xlsx.

A sandbox runs in a process of its own (unthrottled: no latency, no rate limit worth
the name, no delay per record, since memory, not time, is measured here; jobs named by
document number only, as the measured stand-in answers). The book is the template
with N payment rows of company 1001 (QuickBooks), built in another process. Then, each
in a fresh Python process, and the peak resident memory of that process (VmHWM,
imports included) printed for each:

- baseline: openpyxl's load of the same book (`load_workbook`, the whole workbook),
- `rootfi-excel validate BOOK` (reading and checking, no sending),
- `rootfi-excel submit BOOK --yes` against the sandbox: validate, send every row, collect,
  write every row's results and save.

The submit's ratio to the openpyxl load is printed. Figures, not assertions.

    nice -n 10 python benchmarks/bench_submit_memory.py [--rows 50000]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPANY = 1001

# Runs in the child process: one command, then its own peak memory.
CHILD = r"""
import json, sys, time
mode, book = sys.argv[1], sys.argv[2]
start = time.perf_counter()
code = 0
if mode == "openpyxl":
    import openpyxl
    openpyxl.load_workbook(book)
else:
    import keyring
    from rootfi_excel.api.trust import store_key
    from rootfi_excel.cli.main import cli
    from tests.support.memory_keyring import MemoryKeyring
    keyring.set_keyring(MemoryKeyring())  # never the person's real key store
    base_url, key = sys.argv[3], sys.argv[4]
    store_key("default", key, base_url)
    args = ["validate", book] if mode == "validate" else ["submit", book, "--base-url", base_url, "--yes"]
    try:
        cli.main(args, standalone_mode=False)
    except SystemExit as stop:
        code = stop.code
seconds = time.perf_counter() - start
with open("/proc/self/status") as status:
    peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "exit": code}))
"""


def _serve(config: dict, conn) -> None:
    from rootfi_excel.sandbox.server import SandboxConfig, start_in_thread

    sandbox = start_in_thread(SandboxConfig(**config))
    conn.send(sandbox.base_url)
    conn.recv()
    sandbox.stop()
    conn.send("stopped")


def _build(path: str, rows: int, base_url: str, key: str) -> None:
    """The template with `rows` payments of open invoices (its own process: much memory)."""
    import datetime as dt

    from rootfi_excel.api.client import RootFiClient
    from rootfi_excel.workbook.template import build_template

    with RootFiClient(key, base_url=base_url) as client:
        invoices = [i["platform_id"] for i in client.iter_records(COMPANY, "invoices", {"amount_due": ("gt", 100)},
                                                                     limit=1000)]
    payments = [{"document_number": f"MEM-{n:06d}", "invoice_id": invoices[n % len(invoices)], "amount": 0.01,
                 "payment_date": dt.datetime(2026, 3, 31), "payment_mode": "Bank Transfer"} for n in range(rows)]
    build_template(path, payments=payments, settings={"company_id": COMPANY, "integration": "QUICKBOOKS",
                                                      "base_url": base_url})


def child(mode: str, book: Path, work: Path, *extra: str) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "addin"), str(ROOT)]),
               ROOTFI_EXCEL_HOME=str(work / "home"))
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(book), *extra], env=env, capture_output=True,
                          text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rootfi-bench-memory-"))
    key = "rk_bench_" + secrets.token_urlsafe(18)
    ctx = mp.get_context("spawn")
    conn, server_end = ctx.Pipe()
    server = ctx.Process(target=_serve, daemon=True, args=(dict(
        db_path=str(work / "sandbox.sqlite3"), api_keys=[key], rate_limit_per_minute=1_000_000, latency_ms=0,
        job_delay_ms=0, job_shape="by-number"), server_end))
    server.start()
    base_url = conn.recv()
    try:
        book = work / "payments.xlsx"
        builder = ctx.Process(target=_build, args=(str(book), args.rows, base_url, key))
        builder.start()
        builder.join()
        print(f"{args.rows} payment rows, {book.stat().st_size / 2**20:.1f} MiB file; {os.cpu_count()} cores, "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
        figures = {}
        for mode in ("openpyxl", "validate", "submit"):
            started = time.perf_counter()
            figures[mode] = child(mode, book, work, base_url, key) if mode != "openpyxl" else child(mode, book, work)
            print(f"  {mode:>8}: peak {figures[mode]['peak_mib']:.0f} MiB, {figures[mode]['seconds']:.1f} s "
                  f"(exit {figures[mode]['exit']}; {time.perf_counter() - started:.0f} s with start-up), "
                  f"load {os.getloadavg()[0]:.2f}", flush=True)
        print(f"submit's peak / openpyxl load's peak: {figures['submit']['peak_mib'] / figures['openpyxl']['peak_mib']:.2f}")
    finally:
        conn.send("stop")
        conn.recv()
        server.join(timeout=30)


if __name__ == "__main__":
    main()
