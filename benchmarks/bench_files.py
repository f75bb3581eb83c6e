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

Then the same 50,000 rows in a workbook with a picture and a chart (drawn by XlsxWriter,
as another program would, and put on the Instructions sheet), twice: as the template formats its result columns, and as a script fills a
book (no cell styles, so `submitted_at` has no date format). For each, `validate` and a
Submit's write (every row's six result columns, as Submit writes them, then the save:
no server involved) run with today's adapter (--today, extracted from git in this run)
and this checkout; it prints their load and save times, the ratio today/new, and
whether the picture and the chart are still in the file afterwards.

    python benchmarks/bench_files.py [--payments 50000] [--repeat 2] [--old cf06395] [--today c3aa586]
                                     [--only pictures|plain]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
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
if sys.argv[2:] == ["submit"]:  # a Submit's write: every row's results, then the save
    import datetime as dt
    from rootfi_excel.sheets.layout import PAYMENTS
    from rootfi_excel.sheets.port import ResultUpdate
    workbook = XlsxWorkbook.open(sys.argv[1])
    rows = len(workbook.read_table(PAYMENTS).rows)
    update = ResultUpdate()
    stamp = dt.datetime(2026, 3, 31, 12, 0)
    for index in range(rows):
        update.set(index, status="Created", message=None, rootfi_id=str(700000 + index), platform_id=f"PL-{index}",
                   sync_id="SYNC7", submitted_at=stamp)
    workbook.write_results(PAYMENTS, update)
    workbook.save()
    spent["exit"] = 0
else:
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


def run(name: str, code: Path, book: Path, work: Path, check: bool, mode: str = "validate",
        pictures: bool = False) -> dict[str, float]:
    copy = work / "run.xlsx"
    shutil.copyfile(book, copy)
    env = dict(os.environ, PYTHONPATH=str(code), ROOTFI_EXCEL_HOME=str(work / "home"))
    done = subprocess.run([sys.executable, "-c", CHILD, str(copy), *([mode] if mode != "validate" else [])], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        return {"failed": (done.stderr or done.stdout).strip().splitlines()[-1]}
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["exit"] not in (0, 1):
        raise SystemExit(f"validate ended with exit code {figures['exit']}:\n{done.stdout}")
    if check:
        print(f"  {name} {mode}: {statuses(copy)}" + (f"; {kept(copy)}" if pictures else ""), flush=True)
    return figures


def kept(path: Path) -> str:
    """Whether the picture and the chart are still in the file."""
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
    picture = any(n.startswith("xl/media/") for n in names)
    chart = any(n.startswith("xl/charts/") for n in names)
    return f"picture {'kept' if picture else 'LOST'}, chart {'kept' if chart else 'LOST'}"


def add_picture_and_chart(path: Path, unstyled: bool) -> None:
    """Put a picture and a bar chart (drawn by XlsxWriter, as another program would) on the
    Instructions sheet of the workbook at `path`. unstyled: no cell styles on the payments
    sheet, as a book a script filled (the result cells have no date format)."""
    sys.path.insert(0, str(ROOT))
    import xlsxwriter

    from tests.support.corpus import png

    drawn = io.BytesIO()
    other = xlsxwriter.Workbook(drawn, {"in_memory": True})
    sheet = other.add_worksheet()
    sheet.write_column(0, 0, [1, 2, 3, 4, 5])
    chart = other.add_chart({"type": "bar"})
    chart.add_series({"values": "=Sheet1!$A$1:$A$5"})
    sheet.insert_chart("E9", chart)
    sheet.insert_image("B9", "red.png", {"image_data": io.BytesIO(png())})
    other.close()
    with zipfile.ZipFile(drawn) as package:
        drawing = {name: package.read(name) for name in package.namelist()
                   if name.startswith(("xl/drawings/", "xl/charts/", "xl/media/"))}
    with zipfile.ZipFile(path) as package:
        infos = package.infolist()
        parts = {info.filename: package.read(info) for info in infos}
    parts.update(drawing)
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats'
        b'.org/package/2006/relationships"><Relationship Id="rIdD1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/drawing" Target="../drawings/drawing1.xml"/></Relationships>')
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</worksheet>", b'<drawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        b'r:id="rIdD1"/></worksheet>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="png" ContentType="image/png"/>'
        b'<Override PartName="/xl/drawings/drawing1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'drawing+xml"/><Override PartName="/xl/charts/chart1.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.drawingml.chart+xml"/></Types>')
    if unstyled:
        payments = "xl/worksheets/sheet2.xml"  # the template's second sheet: Invoice Payments
        parts[payments] = re.sub(rb' (s|style)="\d+"', b"", parts[payments])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in infos:
            out.writestr(info, parts.pop(info.filename))
        for name, data in parts.items():
            out.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def pictures_and_chart(args: argparse.Namespace, work: Path, book: Path) -> None:
    """Validate and a Submit's write on the workbook with a picture and a chart: today's adapter and this one."""
    versions = {"today": old_code(args.today, work), "new": ROOT / "addin"}
    for unstyled in (False, True):
        copy = work / "pictures.xlsx"
        shutil.copyfile(book, copy)
        add_picture_and_chart(copy, unstyled)
        form = "as a script fills it (no date format)" if unstyled else "as the template formats it"
        print(f"\nWith a picture and a chart, {form}: best of {args.repeat} runs; save s, load s")
        best: dict[tuple[str, str], dict] = {}
        for mode in ("validate", "submit"):
            for name, code in versions.items():
                runs = [run(name, code, copy, work, check=not attempt, mode=mode, pictures=True)
                        for attempt in range(args.repeat)]
                best[name, mode] = runs[0] if "failed" in runs[0] else \
                    {key: min(r[key] for r in runs) for key in runs[0]}
        print(f"{'':<9} {'today save':>10} {'new save':>9} {'today/new':>9} {'today load':>10} {'new load':>9}")
        for mode in ("validate", "submit"):
            today, new = best["today", mode], best["new", mode]
            if "failed" in today or "failed" in new:
                print(f"{mode:<9} failed: {today.get('failed') or new.get('failed')}")
                continue
            print(f"{mode:<9} {today['save']:>10.2f} {new['save']:>9.2f} {today['save'] / new['save']:>9.2f} "
                  f"{today['load']:>10.2f} {new['load']:>9.2f}")


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
    parser.add_argument("--today", default="c3aa586", help="the adapter before the workbook was only patched")
    parser.add_argument("--only", choices=("plain", "pictures"), help="run one of the two parts")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # only build the workbook there
    args = parser.parse_args()
    if args.build:
        return build_book(args.build, args.payments)
    work = Path(tempfile.mkdtemp(prefix="rootfi-bench-files-"))
    try:
        book = work / "book.xlsx"
        subprocess.run([sys.executable, __file__, "--build", str(book), "--payments", str(args.payments)], check=True)
        print(f"{args.payments} payment rows, {book.stat().st_size / 2**20:.1f} MiB file; best of {args.repeat} runs")
        if args.only != "plain":
            pictures_and_chart(args, work, book)
        if args.only == "pictures":
            return
        print("\nThe plain template; rows marked by each version's first run:")
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
