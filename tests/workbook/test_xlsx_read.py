"""Reading sheets as values (workbook/xlsx_read.py) gives what openpyxl's whole load gives:
the same values of the same types, formula cells, merged ranges, tables, used range."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from rootfi_excel.sheets.layout import PAYMENTS
from rootfi_excel.workbook.template import build_template
from rootfi_excel.workbook.xlsx import XlsxWorkbook
from rootfi_excel.workbook.xlsx_read import read_sheet
from tests.support.broken_books import odd_values
from tests.support.paths import FIXTURES


def varied_book(tmp_path):
    """The template with rows, and cells of every kind beside and in its tables."""
    payments = [dict(document_number=f"P-{i}", invoice_id=f"{i}" if i % 2 else float(i), amount=100 + i / 3,
                     payment_date=dt.datetime(2026, 3, 4) if i % 3 else dt.date(2026, 3, 5), memo=" spaced ")
                for i in range(9)]
    path = build_template(tmp_path / "varied.xlsx", payments=payments, settings={"company_id": 1001})
    book = openpyxl.load_workbook(path)
    ws = book[PAYMENTS.sheet]
    ws["Z1"], ws["Z2"], ws["Z3"], ws["Z4"] = "=SUM(E:E)", True, dt.time(10, 30), -0.5
    ws["AA5"] = ArrayFormula("AA5:AA6", "=E2:E3*2")
    ws.merge_cells("AC2:AD3")
    ws["AC2"] = "merged"
    ws.cell(60, 1, "far below")
    book.save(path)
    return path


def shown(value):
    """A value with its type, comparable (an array formula by its range and text)."""
    if isinstance(value, ArrayFormula):
        return ArrayFormula, value.ref, value.text
    return type(value), repr(value)


def libreoffice_book(tmp_path):
    """Shared strings, calculated formula values, empty cells left out (tests/fixtures/workbooks)."""
    path = tmp_path / "libreoffice.xlsx"
    path.write_bytes((FIXTURES / "workbooks" / "saved-by-libreoffice.xlsx").read_bytes())
    return path


@pytest.mark.filterwarnings("ignore:Print area cannot be set")  # openpyxl on LibreOffice's print areas
@pytest.mark.parametrize("make", [varied_book, odd_values, libreoffice_book])
def test_every_sheet_reads_as_the_whole_load_does(tmp_path, make):
    path = make(tmp_path)
    whole = openpyxl.load_workbook(path)
    reader = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    for ws in whole.worksheets:
        sheet = read_sheet(reader, ws.title)
        cells = [c for row in ws.iter_rows() for c in row]
        expected = {(c.row, c.column): c.value for c in cells if c.value is not None}
        got = {(r, c): v for r, values in sheet.rows.items() for c, v in values.items()}
        assert {k: shown(v) for k, v in got.items()} == {k: shown(v) for k, v in expected.items()}
        assert sheet.formulas == {(c.row, c.column) for c in cells if c.data_type == "f"}
        assert sorted(r.coord for r in sheet.merged) == sorted(r.coord for r in ws.merged_cells.ranges)
        assert {n: t.ref for n, t in sheet.tables.items()} == {n: ws.tables[n].ref for n in ws.tables}
        assert (sheet.min_column, sheet.max_column, sheet.max_row) == (ws.min_column, ws.max_column, ws.max_row)


def test_a_table_reads_the_same_through_the_adapter_as_the_sheet_holds_it(tmp_path):
    path = varied_book(tmp_path)
    table = XlsxWorkbook.open(path).read_table(PAYMENTS)
    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    width = len(table.headers)
    assert table.headers == [c.value for c in ws[1][:width]]
    assert table.rows == [[c.value for c in row[:width]] for row in ws.iter_rows(min_row=2, max_row=10)]
