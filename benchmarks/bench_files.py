"""Benchmark: `rootfi-excel validate` on a workbook of 50,000 payment rows, file work included.

Builds the template with 50,000 payment rows (bench_validate's rows: some amounts and
dates typed as text, a sprinkling of bad rows), then runs the validate command on a
fresh copy of it, each run in a fresh Python process, for two versions of the code:

- old: the adapter as it was before the file work was changed (extracted from git,
  --old; openpyxl loads the whole workbook and saves the whole workbook),
- new: this checkout.

For each it prints load (opening the file and reading its tables), save, the whole
command (from the command line's start to its end, imports excluded) and the peak
memory of the process (VmHWM: its own peak resident memory, imports included), best
of --repeat runs, and the ratio old/new. The workbook is built in another process too,
so that no run inherits its memory.
Figures, not assertions: these machines are shared and noisy.

    python benchmarks/bench_files.py [--payments 50000] [--repeat 2] [--old cf06395]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs in the child process: time one `validate` of `path` with the code on sys.path.
CHILD = r"""
import json, resource, sys, time
from rootfi_excel.cli.main import cli
from rootfi_excel.workbook.xlsx import XlsxWorkbook

spent = {"load": 0.0, "save": 0.0}

def timed(kind, function):
    def run(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[kind] += time.perf_counter() - start
    return run

XlsxWorkbook.open = classmethod(timed("load", XlsxWorkbook.open.__func__))
for name in ("read_table", "read_settings", "read_integration_fields"):
    setattr(XlsxWorkbook, name, timed("load", getattr(XlsxWorkbook, name)))
XlsxWorkbook.save = timed("save", XlsxWorkbook.save)
start = time.perf_counter()
try:
    cli.main(["validate", sys.argv[1]], standalone_mode=False)
    spent["exit"] = 0
except SystemExit as stop:
    spent["exit"] = stop.code
spent["command"] = time.perf_counter() - start
try:  # this process's own peak (ru_maxrss would also count the parent's memory at the fork)
    with open("/proc/self/status") as status:
        spent["peak_mib"] = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
except OSError:
    spent["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(spent))
"""


def build_book(path: Path, count: int) -> None:
    """The template with `count` payment rows (run in its own process: it takes much memory)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import random

    from bench_validate import payment_table

    from rootfi_excel.workbook.template import build_template

    table = payment_table(count, random.Random(7))
    inputs = [h for h in table.headers if h not in ("status", "message", "rootfi_id", "platform_id", "sync_id",
                                                     "submitted_at")]
    rows = [{name: value for name, value in zip(table.headers, row) if name in inputs} for row in table.rows]
    build_template(path, payments=rows, settings={"company_id": 1001, "integration": "NETSUITE"})


def old_code(commit: str, work: Path) -> Path:
    """The add-in's package as it was at `commit`."""
    folder = work / f"old-{commit}"
    folder.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "addin"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "addin"


def run(name: str, code: Path, book: Path, work: Path, check: bool) -> dict[str, float]:
    copy = work / "run.xlsx"
    shutil.copyfile(book, copy)
    env = dict(os.environ, PYTHONPATH=str(code), ROOTFI_EXCEL_HOME=str(work / "home"))
    done = subprocess.run([sys.executable, "-c", CHILD, str(copy)], env=env, capture_output=True, text=True,
                          check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["exit"] not in (0, 1):
        raise SystemExit(f"validate ended with exit code {figures['exit']}:\n{done.stdout}")
    if check:
        print(f"  {name}: {statuses(copy)}", flush=True)
    return figures


def statuses(path: Path) -> str:
    """What the run wrote: how many rows of each status (old and new must agree)."""
    import collections

    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    rows = book["Invoice Payments"].iter_rows(values_only=True)
    column = next(rows).index("status")
    counts = collections.Counter(row[column] for row in rows if any(value is not None for value in row))
    book.close()
    return ", ".join(f"{count} {status}" for status, count in sorted(counts.items(), key=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each version; the best is shown")
    parser.add_argument("--old", default="cf06395", help="the commit whose adapter is the baseline")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # only build the workbook there
    args = parser.parse_args()
    if args.build:
        return build_book(args.build, args.payments)
    work = Path(tempfile.mkdtemp(prefix="rootfi-bench-files-"))
    try:
        book = work / "book.xlsx"
        subprocess.run([sys.executable, __file__, "--build", str(book), "--payments", str(args.payments)], check=True)
        print(f"{args.payments} payment rows, {book.stat().st_size / 2**20:.1f} MiB file; best of {args.repeat} runs")
        print("rows marked by each version's first run:")
        versions = {"old": old_code(args.old, work), "new": ROOT / "addin"}
        best = {}
        for name, code in versions.items():
            runs = [run(name, code, book, work, check=not attempt) for attempt in range(args.repeat)]
            best[name] = {key: min(r[key] for r in runs) for key in runs[0]}
        print(f"{'':<5} {'load s':>7} {'save s':>7} {'validate s':>10} {'peak MiB':>9}")
        for name, figures in best.items():
            print(f"{name:<5} {figures['load']:>7.2f} {figures['save']:>7.2f} {figures['command']:>10.2f} "
                  f"{figures['peak_mib']:>9.0f}")
        old, new = best["old"], best["new"]
        print(f"{'old/new':<5} {old['load'] / new['load']:>7.1f} {old['save'] / new['save']:>7.1f} "
              f"{old['command'] / new['command']:>10.1f} {old['peak_mib'] / new['peak_mib']:>9.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
