"""Benchmark: Submit's look-alike step (identity.hold_lookalikes) when a workbook's N created
rows were deleted (their records off their rows) and N new rows pasted, against a baseline in
the same run where the N created rows are still in the sheet (no records off their rows).

Cases: `unlike` (next month's payments: other dates, other numbers), `alike` (the same
payments pasted back with new hidden keys: each looks like a deleted row's record). Then
another workbook's N records against N new rows here, unlike them or like them but their
numbers (each held); and the batch deleted in the platform and typed again with corrected
numbers: Submits until no row is held (one: the records are asked about in lists). Prints
wall time, peak Python memory (tracemalloc) and the platform lookup requests by rootfi_id.

    nice -n 10 python benchmarks/bench_offrows.py [--rows 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

from rootfi_excel.submission import identity
from rootfi_excel.submission.context import Item, Run, Work
from rootfi_excel.submission.journal import CREATED, PLACED_ROW, Journal, fingerprint

BASE, MODEL = "https://api.example/v4", "invoice_payments"


class Platform:
    def __init__(self, deleted: bool = False) -> None:
        self.asked = 0
        self.deleted = deleted  # every record deleted there (the batch was deleted in QuickBooks)

    def iter_records(self, company_id, what, filters, model=None, include_deleted=False):
        self.asked += 1  # requests: a list of rootfi_ids (`in`) or one (`eq`)
        operator, wanted = filters["rootfi_id"]
        gone = {"rootfi_deleted_at": "2026-04-01T00:00:00Z"} if self.deleted else {}
        return [{"rootfi_id": rootfi_id, **gone} for rootfi_id in ([wanted] if operator == "eq" else wanted)]


def body(n: int, month: int) -> dict:
    return {"document_number": f"P-{month}-{n}", "invoice_id": f"INV-{n % 997}", "amount": 10.0 + n % 50,
            "payment_date": f"2026-{month:02d}-28", "memo": f"rent {n}"}


def setup(folder: Path, rows: int, workbook_id: str = "wb-1") -> Journal:
    journal = Journal(folder / "j.sqlite3")
    olds = [body(n, 3) for n in range(rows)]
    _, ids, _ = journal.begin(BASE, 1, MODEL, [(fingerprint(BASE, 1, MODEL, b), b["document_number"], b) for b in olds],
                              workbook_id=workbook_id, sheet="payments", keys=[(f"old-{n}",) for n in range(rows)])
    journal.settle({i: (CREATED, {"rootfi_id": f"R{i}"}) for i in ids})
    journal.place(ids, PLACED_ROW)
    return journal


def measure(journal: Journal, rows: int, deleted: bool, alike: bool,
            platform: Platform | None = None, present_old: int | None = None) -> tuple[float, float, int, int]:
    platform = platform or Platform()
    submitter = SimpleNamespace(client=platform, journal=journal, base_url=BASE, company_id=1, platform="QBO",
                                options=None, sleep=lambda s: None, clock=lambda: 0.0,
                                now=lambda: dt.datetime(2026, 4, 30, tzinfo=dt.timezone.utc), deadline=1e12,
                                progress=lambda *a: None, workbook="book.xlsx", workbook_id="wb-1")
    run = Run(submitter, MODEL)
    run.sheet = "payments"
    bodies = [body(n, 3 if alike else 4) for n in range(rows)]
    if alike == "corrected":  # the batch typed again with its numbers corrected
        bodies = [dict(b, document_number=b["document_number"] + "c") for b in bodies]
    items = [Item(n, b, fingerprint(BASE, 1, MODEL, b), keys=(f"new-{n}",), new_key=True) for n, b in enumerate(bodies)]
    work = Work()
    work.fresh = list(items)
    run.present_keys = {f"new-{n}" for n in range(rows)} | (
        set() if deleted else {f"old-{n}" for n in range(present_old or rows)})
    tracemalloc.start()
    start = time.perf_counter()
    identity.hold_lookalikes(run, items, work, [])
    took = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    held = sum(1 for i in items if i.outcome is not None)
    return took, peak / 2**20, platform.asked, held


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--history", type=int, nargs="*", default=[],
                        help="also: this many created rows deleted (months of them) and --rows new ones")
    args = parser.parse_args()
    rows = args.rows
    for history in args.history:  # a year of month-ends: old records off their rows, this month's new rows
        with tempfile.TemporaryDirectory() as folder:
            journal = setup(Path(folder), history)
            base = measure(journal, rows, deleted=False, alike=False, present_old=history)
            off = measure(journal, rows, deleted=True, alike=False, present_old=history)
            print(f"{history} records off their rows, {rows} new rows: {off[0]:.2f} s, peak {off[1]:.1f} MiB; "
                  f"rows kept: {base[0]:.2f} s, peak {base[1]:.1f} MiB; ratio {off[0] / base[0]:.1f}x")
    with tempfile.TemporaryDirectory() as folder:
        journal = setup(Path(folder), rows)
        for alike in (False, True):
            base = measure(journal, rows, deleted=False, alike=alike)
            off = measure(journal, rows, deleted=True, alike=alike)
            name = "alike" if alike else "unlike"
            for label, (took, peak, asked, held) in (("baseline (rows kept)", base), ("rows deleted", off)):
                print(f"{name:6} {label:22} {rows} new rows: {took:7.2f} s, peak {peak:7.1f} MiB, "
                      f"{asked} lookups, {held} held")
            print(f"{name:6} ratio deleted/baseline: time {off[0] / base[0]:.2f}x, memory {off[1] / max(base[1], 1e-9):.2f}x")
    # Another workbook's N records (its rows still there) and N new rows here: unlike (next month),
    # or like them but their numbers (copied here, numbers corrected: each held).
    with tempfile.TemporaryDirectory() as folder:
        journal = setup(Path(folder), rows, workbook_id="wb-2")
        base = measure(journal, rows, deleted=True, alike=False)
        like = measure(journal, rows, deleted=True, alike="corrected")
        for label, (took, peak, asked, held) in (("unlike (next month)", base), ("alike but the number", like)):
            print(f"other workbook's {rows} records, {rows} new rows {label:22}: {took:7.2f} s, peak {peak:7.1f} MiB, "
                  f"{asked} lookup requests, {held} held")
        print(f"other workbook ratio alike/unlike: time {like[0] / base[0]:.2f}x, memory "
              f"{like[1] / max(base[1], 1e-9):.2f}x")
    # The batch deleted in the platform too, and typed again with corrected numbers: how many
    # Submits until no row is held by a record the platform shows deleted?
    with tempfile.TemporaryDirectory() as folder:
        journal = setup(Path(folder), rows)
        presses, held = 0, rows
        while held and presses < 200:
            presses += 1
            took, _, asked, held = measure(journal, rows, deleted=True, alike="corrected",
                                           platform=Platform(deleted=True))
            print(f"  Submit {presses}: {took:.2f} s, {asked} lookup requests, {held} held")
        print(f"records deleted in the platform, {rows} rows typed again with corrected numbers: "
              f"{presses} Submits until none is held (held after the last: {held})")


if __name__ == "__main__":
    main()
