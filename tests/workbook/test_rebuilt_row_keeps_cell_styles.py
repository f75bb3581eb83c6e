"""A row missing one of the result cells to write is rebuilt in column order; the result
cells it already has keep their own style (the accountant's bold, fill, format), as they do
when a row is patched in place. On real .xlsx bytes, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
from openpyxl.styles import Font, PatternFill

from rootfi_excel.sheets.layout import PAYMENTS
from rootfi_excel.sheets.port import ResultUpdate
from rootfi_excel.workbook.template import build_template
from rootfi_excel.workbook.xlsx import XlsxWorkbook
from rootfi_excel.workbook.xlsx_package import Package

PAYMENT = dict(document_number="P-1", invoice_id="INV-1", contact_id="C-1", account_id="1010", amount=100,
               payment_date=dt.datetime(2026, 3, 4), currency_id="USD")


def test_a_result_cell_keeps_its_own_style_when_its_row_is_rebuilt(tmp_path):
    path = build_template(tmp_path / "book.xlsx", payments=[dict(PAYMENT, document_number=f"P-{i}") for i in range(3)],
                          settings={"company_id": 1001}, workbook_id="the-same-book")
    book = openpyxl.load_workbook(path)
    ws = book[PAYMENTS.sheet]
    column = {c.value: c.column_letter for c in ws[1] if c.value}
    ws[f"{column['rootfi_id']}2"].font = Font(bold=True, color="FFC00000")  # the accountant's own style
    ws[f"{column['rootfi_id']}2"].fill = PatternFill("solid", fgColor="FFFFFF00")
    book.save(path)
    # The row as another program may leave it: its status cell left out of the XML.
    part = Package(path.read_bytes()).sheets[PAYMENTS.sheet]
    with zipfile.ZipFile(path) as package:
        contents = {name: package.read(name) for name in package.namelist()}
    status_cell = re.compile(rb'<c r="%s2"[^>]*?(/>|>.*?</c>)' % column["status"].encode(), re.DOTALL)
    assert status_cell.search(contents[part])
    contents[part] = status_cell.sub(b"", contents[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in contents.items():
            package.writestr(name, data)

    with XlsxWorkbook.open(path) as workbook:
        workbook.read_table(PAYMENTS)
        update = ResultUpdate()
        update.set(0, status="Created", rootfi_id="123")
        workbook.write_results(PAYMENTS, update)
        workbook.save()

    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    cell = ws[f"{column['rootfi_id']}2"]
    assert (ws[f"{column['status']}2"].value, cell.value) == ("Created", "123")
    assert cell.font.b and cell.font.color.rgb == "FFC00000" and cell.fill.fgColor.rgb == "FFFFFF00"
    assert not ws[f"{column['rootfi_id']}3"].font.b  # the style is the cell's, not its column's
