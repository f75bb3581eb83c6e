"""Benchmark: the control totals of 50,000 payment rows and 20,000 credit-note lines, against
validating the same tables (the baseline, in the same run: what Validate already costs).

The totals read every row again after the results are written (app/totals.py), so their
cost is measured as a share of validation's. Figures, not assertions: these machines are
shared and noisy.

    python benchmarks/bench_totals.py [--payments 50000] [--lines 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_validate import line_table, payment_table  # noqa: E402

from rootfi_excel.fields.integrations import RequirementBook  # noqa: E402
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS  # noqa: E402
from rootfi_excel.sheets.settings import WorkbookSettings  # noqa: E402
from rootfi_excel.sheets.totals import control_totals, lines_of  # noqa: E402
from rootfi_excel.sheets.totals_view import totals_table, totals_text  # noqa: E402
from rootfi_excel.validation.validate import validate_credit_notes, validate_payments  # noqa: E402


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=50_000)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(7)
    payments, lines = payment_table(args.payments, rng), line_table(args.lines, rng)
    settings, book = WorkbookSettings(), RequirementBook()

    def validate() -> None:
        validate_payments(payments, settings, book)
        validate_credit_notes(lines, settings, book)

    def totals() -> None:
        found = control_totals(lines_of(payments, PAYMENTS) + lines_of(lines, CREDIT_NOTE_LINES))
        totals_table(found)
        totals_text(found)

    base = timed(validate, args.repeat)
    mine = timed(totals, args.repeat)
    rows = args.payments + args.lines
    print(f"{rows:,} rows ({args.payments:,} payments, {args.lines:,} credit-note lines), best of {args.repeat}:")
    print(f"  validate (baseline): {min(base):.2f} s (median {statistics.median(base):.2f} s)")
    print(f"  control totals:      {min(mine):.2f} s (median {statistics.median(mine):.2f} s), "
          f"{rows / min(mine):,.0f} rows/s")
    print(f"  totals / validate:   {min(mine) / min(base):.2f}")


if __name__ == "__main__":
    main()
