"""Benchmark: Excel calls of one recalculation of N worksheet-function cells.

Each ROOTFI_* cell reads its workbook's Settings sheet through xlwings' caller. The
counting fake of xlwings (tests/support/fake_xlwings.py) counts the calls into Excel for
N cells recalculated in one burst, with the per-recalculation cache (udfs.SettingsCache)
and, as the baseline in the same run, without it (a read per cell, as before).

    python benchmarks/bench_udf_settings.py [--cells 10 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support: the counting fake of xlwings

from rootfi_excel import udfs  # noqa: E402
from rootfi_excel.lookups.cache import CacheKey  # noqa: E402
from rootfi_excel.sheets.layout import SETTINGS_SHEET, SETTINGS_TABLE  # noqa: E402
from tests.support.fake_xlwings import FakeBook  # noqa: E402


def recalculate(cells: int, cache: udfs.SettingsCache | None) -> tuple[int, float]:
    book = FakeBook(fullname=f"C:\\Users\\me\\Bench{cells}.xlsx")
    book.add_sheet(SETTINGS_SHEET).add_table(SETTINGS_TABLE, 1, 1, ["setting", "value"],
                                             [["company_id", 1001], ["environment", "sandbox"],
                                              ["base_url", "http://127.0.0.1:1/v4"]])
    sheet = book.add_sheet("Mine")
    before = book.calls
    started = time.perf_counter()
    for row in range(cells):
        caller = sheet.range((row + 1, 3))
        settings = udfs.settings_of(caller, cache) if cache else udfs.settings_of(caller, udfs.SettingsCache(
            reuse=-1.0))  # a cache that never reuses: a read per cell, the code before
        assert udfs.company_of(settings) == CacheKey("http://127.0.0.1:1/v4", 1001, "default")
    return book.calls - before, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, nargs="+", default=[10, 1000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory():
        for cells in args.cells:
            cached_calls, cached_time = recalculate(cells, udfs.SettingsCache())
            plain_calls, plain_time = recalculate(cells, None)
            print(f"{cells:>6} cells: Excel calls {cached_calls} with the per-recalculation cache, {plain_calls} "
                  f"reading per cell ({plain_calls / max(cached_calls, 1):.0f}x); in-process time {cached_time:.3f} s "
                  f"vs {plain_time:.3f} s")


if __name__ == "__main__":
    main()
