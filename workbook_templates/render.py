"""Render workbooks to PNG with LibreOffice headless, so a person can look at every sheet.

    .venv/bin/python workbook_templates/render.py                 # the shipped template
    .venv/bin/python workbook_templates/render.py --demo          # + a fresh demo workbook
    .venv/bin/python workbook_templates/render.py BOOK.xlsx ...   # any workbooks, e.g. rootfi-demo.xlsx

Needs LibreOffice (`soffice`) and poppler (`pdftoppm`); Carlito has Calibri's metrics, so
text is as wide as in Excel:
    apt-get install -y libreoffice-calc poppler-utils fonts-crosextra-carlito

Each workbook is rendered twice, into OUT/<name>/ (default out/render/):

- printed/  the file as it is, with its own print settings: what File > Print gives.
- screen/   a copy whose every sheet prints all its columns (result columns too) at the
            template's column widths, with the data sheets cut to their first rows: what
            a person sees on screen. Look here for clipped messages and ids run together.

The PNG names say the page number; the PDF beside them has the same pages.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "workbook_templates" / "RootFi-Invoice-Import.xlsx"
SCREEN_ROWS = 40  # data rows of each sheet shown in the screen view
DEFAULT_WIDTH = 8.43  # characters, of a column whose width was never set


def missing_tools() -> list[str]:
    """The programs this script needs that are not installed."""
    return [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]


def screen_copy(book: Path, target: Path, rows: int = SCREEN_ROWS) -> Path:
    """A copy of `book` whose sheets print every column, one page wide, first `rows` rows."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    wb = load_workbook(book)
    for ws in wb.worksheets:
        last_row = min(ws.max_row, rows + 1)
        # Text in the last column runs on into the empty columns beside it, as on screen:
        # print enough of them to show the longest.
        last = ws.max_column
        width = ws.column_dimensions[get_column_letter(last)].width or DEFAULT_WIDTH
        column = next(ws.iter_cols(min_col=last, max_col=last, max_row=last_row))
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=0)
        spill = max(0, math.ceil((longest - width) / DEFAULT_WIDTH))
        ws.print_area = f"A1:{get_column_letter(last + spill)}{last_row}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A3
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(target)
    return target


def to_pngs(book: Path, out: Path, *, resolution: int = 110, timeout: float = 300) -> list[Path]:
    """`book` -> out/<stem>.pdf -> out/<stem>-<page>.png; returns the PNGs in page order."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rootfi-render-") as profile:
        # A private LibreOffice profile: runs side by side with any other soffice.
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(out), str(book)],
            check=True, capture_output=True, timeout=timeout,
        )
    pdf = out / f"{book.stem}.pdf"
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice wrote no PDF for {book}")
    for old in out.glob(f"{book.stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", str(resolution), str(pdf), str(out / book.stem)],
                   check=True, capture_output=True, timeout=timeout)
    return sorted(out.glob(f"{book.stem}-*.png"))


def render(book: Path, out: Path) -> dict[str, list[Path]]:
    """Both views of one workbook: {"printed": [...], "screen": [...]}."""
    folder = out / book.stem
    with tempfile.TemporaryDirectory(prefix="rootfi-render-") as work:
        screen = screen_copy(book, Path(work) / book.name)
        return {"printed": to_pngs(book, folder / "printed"),
                "screen": to_pngs(screen, folder / "screen", resolution=200)}  # A3: zoom in to read


def make_demo(target: Path) -> Path:
    """A demo workbook (sandbox, validate, submit) as `rootfi-excel demo` makes it."""
    target.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rootfi-render-") as scratch:  # the demo's sandbox and journal
        subprocess.run([sys.executable, "-m", "rootfi_excel", "demo", "--out", str(target), "--payments", "60",
                        "--credit-notes", "12", "--rate-limit", "0", "--latency-ms", "0"],
                       check=True, capture_output=True, timeout=600, env={**os.environ, "TMPDIR": scratch})
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("books", nargs="*", type=Path, help="workbooks to render (default: the shipped template)")
    parser.add_argument("--demo", action="store_true", help="also make and render a demo workbook")
    parser.add_argument("--out", type=Path, default=REPO / "out" / "render", help="where the PDFs and PNGs go")
    args = parser.parse_args(argv)
    if missing_tools():
        print(f"Needs {' and '.join(missing_tools())}: apt-get install -y libreoffice-calc poppler-utils",
              file=sys.stderr)
        return 2
    books = list(args.books) or [TEMPLATE]
    if args.demo:
        books.append(make_demo(args.out / "rootfi-demo.xlsx"))
    for book in books:
        for view, pngs in render(book, args.out).items():
            print(f"{book.name} ({view}): {len(pngs)} pages")
            for png in pngs:
                print(f"  {png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
