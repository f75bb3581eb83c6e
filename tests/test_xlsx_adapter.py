"""The .xlsx adapter: reads tables as openpyxl gives them, writes only result cells."""

from __future__ import annotations

import datetime as dt
import os

import openpyxl
import pytest

from rootfi_excel.sheets.layout import PAYMENTS, RESULT_COLUMNS
from rootfi_excel.validation.run import validate_workbook
from rootfi_excel.workbook.port import ResultUpdate, UncalculatedFormula, WorkbookError
from rootfi_excel.workbook.xlsx import XlsxWorkbook
from tests.support.books import PAYMENT_HEADERS, row_of, write_book

GOOD = dict(document_number="P-1", invoice_id="INV-1", amount=100, payment_date=dt.datetime(2026, 3, 4))


def book(tmp_path, rows=None, headers=PAYMENT_HEADERS):
    return write_book(tmp_path / "b.xlsx", payments=(headers, rows or [row_of(PAYMENT_HEADERS, **GOOD)]))


def test_reads_the_table_values_as_openpyxl_gives_them(tmp_path):
    table = XlsxWorkbook.open(book(tmp_path)).read_table(PAYMENTS)
    assert table.headers == PAYMENT_HEADERS + list(RESULT_COLUMNS)
    assert table.first_row == 2
    row = dict(zip(table.headers, table.rows[0]))
    assert row["amount"] == 100 and row["payment_date"] == dt.datetime(2026, 3, 4)


def test_result_text_that_looks_like_a_formula_stays_text(tmp_path):
    path = book(tmp_path)
    workbook = XlsxWorkbook.open(path)
    update = ResultUpdate()
    update.set(0, message='=HYPERLINK("http://x","y")', status="+1", platform_id="@id", sync_id="-s",
               submitted_at=dt.datetime(2026, 3, 4, 10, 30, tzinfo=dt.timezone.utc))
    workbook.write_results(PAYMENTS, update)
    workbook.save()
    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    row = {ws.cell(1, c).value: ws.cell(2, c) for c in range(1, ws.max_column + 1)}
    assert row["message"].value == '=HYPERLINK("http://x","y")' and row["message"].data_type == "s"
    assert {row[n].data_type for n in ("status", "platform_id", "sync_id")} == {"s"}
    assert row["submitted_at"].value == dt.datetime(2026, 3, 4, 10, 30)


def test_formulas_elsewhere_survive_and_formula_cells_in_a_table_are_noticed(tmp_path):
    path = book(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    ws["E2"] = "=40+60"  # the amount is a formula that Excel never calculated (no cached value)
    ws["Z5"] = "=SUM(E:E)"
    wb.save(path)
    workbook = XlsxWorkbook.open(path)
    table = workbook.read_table(PAYMENTS)
    assert dict(zip(table.headers, table.rows[0]))["amount"] == UncalculatedFormula("=40+60")
    assert workbook.formula_without_value == [f"{PAYMENTS.sheet}!E2"]
    [result] = validate_workbook(workbook).sheets[PAYMENTS.key].results.values()
    assert "amount: holds the formula =40+60 but no calculated value" in result.message
    workbook.save()
    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    assert ws["E2"].value == "=40+60" and ws["Z5"].value == "=SUM(E:E)"


def test_without_an_excel_table_the_sheet_itself_is_read(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = PAYMENTS.sheet
    ws.append([])
    ws.append(PAYMENT_HEADERS + list(RESULT_COLUMNS))
    ws.append(row_of(PAYMENT_HEADERS, **GOOD))
    wb.save(tmp_path / "plain.xlsx")
    workbook = XlsxWorkbook.open(tmp_path / "plain.xlsx")
    table = workbook.read_table(PAYMENTS)
    assert table.first_row == 3 and table.rows[0][0] == "P-1"
    update = ResultUpdate()
    update.set(0, status="Valid")
    workbook.write_results(PAYMENTS, update)
    workbook.save()
    assert openpyxl.load_workbook(tmp_path / "plain.xlsx")[PAYMENTS.sheet].cell(3, len(PAYMENT_HEADERS) + 1).value == "Valid"


def test_missing_sheet_column_or_file_problems_are_workbook_errors(tmp_path):
    workbook = XlsxWorkbook.open(book(tmp_path))
    del workbook.book[PAYMENTS.sheet]
    with pytest.raises(WorkbookError, match="no sheet named 'Invoice Payments'"):
        workbook.read_table(PAYMENTS)
    update = ResultUpdate()
    update.set(0, nonsense="x")
    with pytest.raises(WorkbookError, match="no 'nonsense' column"):
        XlsxWorkbook.open(book(tmp_path)).write_results(PAYMENTS, update)
    (tmp_path / "not.xlsx").write_text("hello")
    with pytest.raises(WorkbookError, match="not an Excel workbook"):
        XlsxWorkbook.open(tmp_path / "not.xlsx")


def test_saving_is_atomic_and_a_locked_file_says_so(tmp_path, monkeypatch):
    path = book(tmp_path)
    before = path.read_bytes()
    workbook = XlsxWorkbook.open(path)

    def locked(source, target):
        raise PermissionError(target)

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(WorkbookError, match="open in another program"):
        workbook.save()
    assert path.read_bytes() == before  # untouched
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary left behind
