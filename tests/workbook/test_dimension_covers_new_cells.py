"""The sheet's <dimension> (the used range it declares) is widened over cells the add-in
adds, from the range's own top-left corner: a table that does not start at A1 (here at B3)
keeps its first column inside the range when Validate adds the hidden key column at its
right edge. On real .xlsx bytes: the saved range is the one openpyxl computes from the cells."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
from click.testing import CliRunner
from openpyxl.utils import get_column_letter, range_boundaries

from rootfi_excel.cli.main import cli
from rootfi_excel.sheets.layout import PAYMENTS, ROW_KEY_HEADER
from rootfi_excel.workbook.xlsx_package import Package
from tests.support.books import PAYMENT_HEADERS, row_of, write_book


def declared_dimension(path) -> str:
    part = Package(path.read_bytes()).sheets[PAYMENTS.sheet]
    with zipfile.ZipFile(path) as package:
        return re.search(rb'<dimension ref="([^"]+)"', package.read(part)).group(1).decode()


def test_a_table_away_from_a1_stays_inside_the_dimension_when_a_column_is_added(tmp_path):
    rows = [row_of(PAYMENT_HEADERS, document_number=f"P-{i}", invoice_id="1", amount=5 + i,
                   payment_date=dt.datetime(2026, 3, 1)) for i in range(3)]
    path = write_book(tmp_path / "old.xlsx", payments=(PAYMENT_HEADERS, rows), keys=False)  # no key column yet
    book = openpyxl.load_workbook(path)
    ws = book[PAYMENTS.sheet]
    table = ws.tables[PAYMENTS.table]
    left, top, right, bottom = range_boundaries(table.ref)
    ws.move_range(table.ref, rows=2, cols=1)  # the table at B3: a title could go above it
    table.ref = table.autoFilter.ref = f"B3:{get_column_letter(right + 1)}{bottom + 2}"
    book.save(path)
    assert declared_dimension(path) == table.ref

    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    assert ws.cell(3, right + 2).value == ROW_KEY_HEADER  # the new column, right of the old edge
    assert ws["B4"].value == "P-0"
    assert declared_dimension(path) == ws.calculate_dimension() == f"B3:{get_column_letter(right + 2)}{bottom + 2}"
