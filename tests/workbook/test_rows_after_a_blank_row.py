"""Rows typed below a table after a blank row are never silently left out: the .xlsx and the
Excel adapters both refuse the table, naming the row; a one-cell note there is not a row."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.sheets.layout import PAYMENTS


def test_rows_below_a_blank_row_under_the_table_are_not_silently_left_out(tmp_path):
    import datetime as dt

    import openpyxl

    from tests.support.books import PAYMENT_HEADERS, row_of, write_book

    good = dict(invoice_id="1", amount=5, payment_date=dt.datetime(2026, 3, 1))
    path = write_book(tmp_path / "b.xlsx", payments=(PAYMENT_HEADERS, [row_of(PAYMENT_HEADERS, document_number="P-1",
                                                                               **good)]),
                      settings={"company_id": 1001})
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    # Row 3 is left blank; row 4 holds a payment typed after it.
    for position, value in enumerate(row_of(PAYMENT_HEADERS, document_number="P-2", **good), start=1):
        ws.cell(row=4, column=position, value=value)
    wb.save(path)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert "All rows are valid" not in result.output, result.output
    assert result.exit_code == 2 and "row 4 below the table, after a blank row, would be left out" in result.stderr


def test_rows_below_a_blank_row_under_a_table_in_excel_are_refused_too():
    from rootfi_excel.workbook.excel import ExcelWorkbook
    from rootfi_excel.errors import WorkbookError
    from tests.support.excel_books import excel_book

    book, _ = excel_book(rows=1, below=0)
    sheet = book.sheets[PAYMENTS.sheet]
    table = sheet.tables[0]
    sheet.put(table.top + table.count + 2, table.left, [["P-2", "1", None, None, 5]])  # after one blank row
    with pytest.raises(WorkbookError, match="after a blank row, would be left out"):
        ExcelWorkbook(book).read_table(PAYMENTS)
    sheet.cells = {k: v for k, v in sheet.cells.items() if k[0] != table.top + table.count + 2}
    sheet.put(table.top + table.count + 2, table.left, [["a note, one cell"]])
    assert len(ExcelWorkbook(book).read_table(PAYMENTS).rows) == 1  # a one-cell note is not a row
