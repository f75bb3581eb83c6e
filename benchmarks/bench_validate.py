"""Benchmark: validate 50,000 payment rows and 20,000 credit-note lines from in-memory tables.

Prints rows per second, seconds per 10,000 rows and peak memory, next to a baseline
measured in the same run: the least any parser must do (turn every row into a dict
keyed by header). Figures, not assertions: these machines are shared and noisy.

    python benchmarks/bench_validate.py [--payments 50000] [--lines 20000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import time
import tracemalloc

from rootfi_excel.fields.integrations import RequirementBook
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, RESULT_COLUMNS
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.validation.validate import validate_credit_notes, validate_payments
from rootfi_excel.workbook.port import Table


def payment_table(count: int, rng: random.Random) -> Table:
    headers = [c.name for c in PAYMENTS.columns] + ["arr_account_id", *RESULT_COLUMNS]
    rows = []
    for i in range(count):
        amount = round(rng.uniform(1, 20000), 2)
        rows.append([
            f"PAY-{i:06d}", f"{100000 + i}" if i % 3 else float(100000 + i), f"C-{i % 300}", "1010",
            amount if i % 4 else f"{amount:,.2f}",  # some amounts typed as text
            dt.datetime(2026, 3, 1) + dt.timedelta(days=i % 30) if i % 5 else "15/03/2026",
            "Bank Transfer", "USD", None, f"Payment {i}", None, None, "1200",
            *([None] * len(RESULT_COLUMNS)),
        ])
        if i % 97 == 0:  # a sprinkling of bad rows
            rows[-1][4] = -5
    return Table(headers, rows)


def line_table(count: int, rng: random.Random) -> Table:
    headers = [c.name for c in CREDIT_NOTE_LINES.columns] + ["currency_rate", *RESULT_COLUMNS]
    rows = []
    for i in range(count):
        note = i // 4  # four lines per credit note
        first = i % 4 == 0
        rows.append([
            f"CN-{note:05d}", f"C-{note % 300}" if first else None, dt.datetime(2026, 3, 31) if first else None,
            "USD" if first else None, f"INV-{note}" if first else None, "Returns" if first else None,
            f"Line {i}", "4000", f"IT-{i % 50}", "TX-1", float(rng.randint(1, 5)), round(rng.uniform(5, 500), 2),
            None, None, None, 1.0 if first else None, *([None] * len(RESULT_COLUMNS)),
        ])
    return Table(headers, rows)


def baseline(table: Table) -> int:
    """The floor: every row into a dict keyed by header."""
    headers = table.headers
    return sum(len(dict(zip(headers, row))) for row in table.rows)


def timed(function, *args) -> float:
    gc.collect()
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def peak_memory(function, *args) -> float:
    gc.collect()
    tracemalloc.start()
    function(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=50_000)
    parser.add_argument("--lines", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(7)
    settings = WorkbookSettings(integration="NETSUITE")
    book = RequirementBook()
    cases = [
        ("payments", payment_table(args.payments, rng), validate_payments),
        ("credit-note lines", line_table(args.lines, rng), validate_credit_notes),
    ]
    print(f"{'table':<18} {'rows':>7} {'seconds':>8} {'rows/s':>9} {'s/10k rows':>10} {'peak MiB':>9} "
          f"{'baseline s':>10} {'x baseline':>10}")
    for name, table, validate in cases:
        seconds = min(timed(validate, table, settings, book) for _ in range(3))
        floor = min(timed(baseline, table) for _ in range(3))
        memory = peak_memory(validate, table, settings, book)
        rows = len(table.rows)
        print(f"{name:<18} {rows:>7} {seconds:>8.3f} {rows / seconds:>9,.0f} {seconds * 10_000 / rows:>10.3f} "
              f"{memory:>9.1f} {floor:>10.3f} {seconds / floor:>10.1f}")
    result = validate_payments(cases[0][1], settings, book)
    print(f"(check: {len(result.ready)} payments ready, {result.count('Invalid')} invalid)")


if __name__ == "__main__":
    main()
