"""Benchmark: validate 50,000 payment rows and 20,000 credit-note lines from in-memory tables.

Two more rows for the row keys (issue 15), against the first in the same run: the same
payments with their hidden row_key column filled (every later Validate), and the
payments of a table without keys validated and given a key each (the first Validate:
validation plus submission/row_keys.assign, no journal).

Prints rows per second (best and median of --repeat runs, wall clock; and by this
process's CPU time, which other programs on a shared machine disturb less), seconds
per 10,000 rows and the peak memory of one validation, next to a floor measured in
the same run: only reading the cells, every cell of every row once, which any parser
must do at least. The ratio validation/floor is what to compare between machines.
The clock stops when validation returns its report (freeing the report later is not
counted). Figures, not assertions: these machines are shared and noisy.

    python benchmarks/bench_validate.py [--payments 50000] [--lines 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import statistics
import time
import tracemalloc

from rootfi_excel.fields.integrations import RequirementBook
from rootfi_excel.sheets.ids import new_key
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, RESULT_COLUMNS, ROW_KEY_HEADER
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.submission.row_keys import assign
from rootfi_excel.validation.workbook_validation import WorkbookValidation
from rootfi_excel.validation.validate import validate_credit_notes, validate_payments
from rootfi_excel.sheets.port import Table


def payment_table(count: int, rng: random.Random, keys: bool = False) -> Table:
    headers = [c.name for c in PAYMENTS.columns] + ["arr_account_id", *RESULT_COLUMNS] + ([ROW_KEY_HEADER] if keys else [])
    rows = []
    for i in range(count):
        amount = round(rng.uniform(1, 20000), 2)
        rows.append([
            f"PAY-{i:06d}", f"{100000 + i}" if i % 3 else float(100000 + i), f"C-{i % 300}", "1010",
            amount if i % 4 else f"{amount:,.2f}",  # some amounts typed as text
            dt.datetime(2026, 3, 1) + dt.timedelta(days=i % 30) if i % 5 else "15/03/2026",
            "Bank Transfer", "USD", None, f"Payment {i}", None, None, "1200",
            *([None] * len(RESULT_COLUMNS)), *([new_key()] if keys else []),
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


def read_every_cell(table: Table) -> int:
    """The floor: every cell of every row read once (and counted, so the loop does something)."""
    filled = 0
    for row in table.rows:
        for value in row:
            if value is not None:
                filled += 1
    return filled


def timed(function, *args) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one call."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    del result
    return wall, cpu


def peak_memory(function, *args) -> float:
    """MiB allocated at the peak of one call, on top of what existed before it."""
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
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each; the best and the median are shown")
    args = parser.parse_args()
    rng = random.Random(7)
    settings = WorkbookSettings(integration="NETSUITE")
    book = RequirementBook()
    def validate_and_give_keys(table, settings, book):
        sheet = validate_payments(table, settings, book)
        assign(WorkbookValidation(settings, {"payments": sheet}))
        settings.workbook_id = None  # (the next run gives one again, as a first Validate does)
        return sheet

    cases = [
        ("payments", payment_table(args.payments, rng), validate_payments),
        ("credit-note lines", line_table(args.lines, rng), validate_credit_notes),
        ("payments, keyed", payment_table(args.payments, random.Random(7), keys=True), validate_payments),
        ("payments +keys", payment_table(args.payments, random.Random(7)), validate_and_give_keys),
    ]
    print(f"{'table':<18} {'rows':>6} {'best s':>7} {'rows/s':>8} {'median':>8} {'cpu r/s':>8} {'s/10k':>6} "
          f"{'peak MiB':>8} {'floor s':>8} {'x floor':>7}")
    best_of: dict[str, float] = {}
    for name, table, validate in cases:
        runs = [timed(validate, table, settings, book) for _ in range(args.repeat)]
        floor = min(timed(read_every_cell, table)[0] for _ in range(args.repeat))
        memory = peak_memory(validate, table, settings, book)
        rows, best, cpu = len(table.rows), min(w for w, _ in runs), min(c for _, c in runs)
        median = statistics.median(w for w, _ in runs)
        print(f"{name:<18} {rows:>6} {best:>7.3f} {rows / best:>8,.0f} {rows / median:>8,.0f} {rows / cpu:>8,.0f} "
              f"{best * 10_000 / rows:>6.3f} {memory:>8.1f} {floor:>8.4f} {best / floor:>7.1f}")
        best_of[name] = (best, cpu)
    for name in ("payments, keyed", "payments +keys"):
        wall, cpu = (100 * (best_of[name][i] / best_of["payments"][i] - 1) for i in (0, 1))
        print(f"{name}: {wall:+.1f} % wall, {cpu:+.1f} % CPU against payments without keys (best of each, this run)")
    result = validate_payments(cases[0][1], settings, book)
    print(f"(check: {len(result.ready)} payments ready, {result.count('Invalid')} invalid)")


if __name__ == "__main__":
    main()
