"""Broken, odd and hostile workbooks, made by editing a real workbook's zip parts the way
a damaged download, another program or a careless edit would leave them.

Each maker takes a folder and returns the path it wrote. BROKEN books cannot be used at
all (every command refuses them with exit code 2); ODD books can be read (their rows are
validated, whatever they hold).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import openpyxl

from rootfi_excel.sheets.layout import PAYMENTS
from tests.support.books import PAYMENT_HEADERS, row_of, write_book

GOOD = dict(document_number="P-1", invoice_id="INV-1", amount=100, payment_date=dt.datetime(2026, 3, 4))
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def good_book(folder: Path, name: str = "good.xlsx", rows: int = 2, **settings) -> Path:
    payments = [row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": f"P-{i}"}) for i in range(1, rows + 1)]
    return write_book(folder / name, payments=(PAYMENT_HEADERS, payments), settings=settings or None)


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist()}


def write_parts(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in parts.items():
            book.writestr(name, data)
    return path


def sheet_part(parts: dict[str, bytes], sheet: str) -> str:
    """The zip part of a sheet, found as Excel finds it: workbook.xml, then its relationships."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rid = next(s.get(_REL) for s in ET.fromstring(parts["xl/workbook.xml"]).iterfind("m:sheets/m:sheet", ns)
               if s.get("name") == sheet)
    rels = ET.fromstring(parts["xl/_rels/workbook.xml.rels"])
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def edited(folder: Path, name: str, change: Callable[[dict[str, bytes]], None]) -> Path:
    parts = parts_of(good_book(folder, "source-" + name))
    change(parts)
    return write_parts(folder / name, parts)


# ------------------------------------------------------------------ books that cannot be used

def damaged_sheet_xml(folder: Path) -> Path:
    def cut(parts):
        part = sheet_part(parts, PAYMENTS.sheet)
        parts[part] = parts[part][: len(parts[part]) // 2]
    return edited(folder, "damaged-sheet.xlsx", cut)


def odd_styles(folder: Path) -> Path:
    def odd(parts):  # a number format without its code, a cell format pointing at fonts that are not there
        parts["xl/styles.xml"] = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                  b'<numFmts count="1"><numFmt numFmtId="500"/></numFmts>'
                                  b'<cellXfs count="1"><xf numFmtId="999" fontId="77"/></cellXfs></styleSheet>')
    return edited(folder, "odd-styles.xlsx", odd)


def styles_not_xml(folder: Path) -> Path:
    return edited(folder, "styles-not-xml.xlsx", lambda parts: parts.__setitem__("xl/styles.xml", b"<<<\x00 not xml"))


def missing_table_part(folder: Path) -> Path:
    def drop(parts):
        for name in [n for n in parts if n.startswith("xl/tables/table1")]:
            del parts[name]
    return edited(folder, "missing-table.xlsx", drop)


def cell_style_out_of_range(folder: Path) -> Path:
    def restyle(parts):
        part = sheet_part(parts, PAYMENTS.sheet)
        parts[part] = re.sub(rb'<c r="A2"', b'<c r="A2" s="9999"', parts[part], count=1)
    return edited(folder, "style-index.xlsx", restyle)


def zip_without_workbook(folder: Path) -> Path:
    return write_parts(folder / "just-a-zip.xlsx", {"hello.txt": b"not a workbook"})


def _file(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def not_a_zip(folder: Path) -> Path:
    return _file(folder / "text.xlsx", b"document_number,amount\nP-1,5\n")


def empty_file(folder: Path) -> Path:
    return _file(folder / "empty.xlsx", b"")


def ole_file(folder: Path) -> Path:
    """What an old .xls or a password-protected workbook looks like: an OLE compound file."""
    return _file(folder / "protected.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))


def csv_file(folder: Path) -> Path:
    return _file(folder / "payments.csv", b"document_number,invoice_id,amount\nP-1,INV-1,5\n")


def missing_sheets(folder: Path) -> Path:
    path = folder / "no-sheets.xlsx"
    openpyxl.Workbook().save(path)
    return path


def missing_column(folder: Path) -> Path:
    headers = [h for h in PAYMENT_HEADERS if h != "amount"]
    return write_book(folder / "no-amount.xlsx", payments=(headers, [row_of(headers, **GOOD)]))


def merged_result_cells(folder: Path) -> Path:
    path = good_book(folder, "merged.xlsx", rows=3)
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    status = next(c.column_letter for c in ws[1] if c.value == "status")
    ws.merge_cells(f"{status}2:{status}3")
    wb.save(path)
    return path


def read_only_file(folder: Path) -> Path:
    path = good_book(folder, "read-only.xlsx")
    os.chmod(path, 0o444)
    return path


def rows_below_a_total_row(folder: Path) -> Path:
    path = good_book(folder, "totals.xlsx", rows=2)
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    table = ws.tables[PAYMENTS.table]
    table.ref = table.ref[:-1] + "4"  # rows 2-3 data, row 4 the total row
    table.totalsRowCount = 1
    ws["A4"] = "Total"
    ws.append(row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": "P-below"}))  # row 5, outside the table
    wb.save(path)
    return path


def link_to_nowhere(folder: Path) -> Path:
    path = folder / "gone.xlsx"
    path.symlink_to(folder / "missing-target.xlsx")
    return path


def a_folder(folder: Path) -> Path:
    path = folder / "folder.xlsx"
    path.mkdir()
    return path


# ------------------------------------------------------------------ books that can be read

def link_to_a_book(folder: Path) -> Path:
    target = good_book(folder, "real.xlsx")
    path = folder / "link.xlsx"
    path.symlink_to(target)
    return path


def _set_cells(parts: dict[str, bytes], cells: dict[str, str]) -> None:
    part = sheet_part(parts, PAYMENTS.sheet)
    xml = parts[part].decode()
    for ref, cell in cells.items():
        xml, found = re.subn(rf'<c r="{ref}"(?:[^>]*?/>|[^>]*?>.*?</c>)', cell, xml, count=1)
        assert found, ref
    parts[part] = xml.encode()


def number_too_long(folder: Path) -> Path:
    """A 400-digit integer: openpyxl reads it, but no Excel number holds it (nor can it be saved back)."""
    return edited(folder, "long-number.xlsx",
                  lambda parts: _set_cells(parts, {"E2": '<c r="E2"><v>' + "9" * 400 + "</v></c>"}))


def odd_values(folder: Path) -> Path:
    """Values no person types, but a file can hold: infinity, a date serial past year
    9999, an error cell, TRUE as an amount, 40,000 characters."""
    path = edited(folder, "odd-values.xlsx", lambda parts: _set_cells(parts, {
        "E2": '<c r="E2" t="n"><v>1e400</v></c>', "F2": '<c r="F2" s="0"><v>99999999</v></c>',
        "F3": '<c r="F3" t="e"><v>#NUM!</v></c>'}))
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    ws.append(row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": "P-bool", "amount": True}))
    ws.append(row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": "P" * 40000}))
    table = ws.tables[PAYMENTS.table]
    table.ref = table.ref[:-1] + "5"
    wb.save(path)
    return path


def rows_typed_below_the_table(folder: Path) -> Path:
    path = good_book(folder, "below.xlsx", rows=2)
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    for number in (3, 4):
        ws.append(row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": f"P-{number}"}))
    wb.save(path)
    return path


def xlsx_named_csv(folder: Path) -> Path:
    path = good_book(folder, "really-xlsx.csv")
    return path


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], Path]
    by_click: bool = False  # refused by click's own argument check (its "Error:" format)


BROKEN = [
    Case("damaged sheet XML", damaged_sheet_xml),
    Case("odd styles part", odd_styles),
    Case("styles part not XML", styles_not_xml),
    Case("cell style out of range", cell_style_out_of_range),
    Case("missing table part", missing_table_part),
    Case("zip without a workbook", zip_without_workbook),
    Case("not a zip", not_a_zip),
    Case("empty file", empty_file),
    Case("old .xls or password-protected", ole_file),
    Case(".csv file", csv_file),
    Case("missing sheets", missing_sheets),
    Case("missing column", missing_column),
    Case("number longer than Excel holds", number_too_long),
    Case("merged result cells", merged_result_cells),
    Case("read-only file", read_only_file),
    Case("rows below a total row", rows_below_a_total_row),
    Case("link to nowhere", link_to_nowhere, by_click=True),
    Case("a folder", a_folder, by_click=True),
]
ODD = [
    Case("link to a workbook", link_to_a_book),
    Case("odd values", odd_values),
    Case("rows typed below the table", rows_typed_below_the_table),
    Case("xlsx named .csv", xlsx_named_csv),
]
