"""A totals row below a table (a label and a formula summing the column above) is not data:
left where it is, said once, never a payment nor an error."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from rootfi_excel.cli.main import cli
from rootfi_excel.sheets.layout import PAYMENTS, RESULT_COLUMNS, Status
from rootfi_excel.validation.workbook_validation import validate_workbook
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.sheets.port import total_row
from rootfi_excel.workbook.template import build_template
from tests.support.books import PAYMENT_HEADERS, row_of
from tests.support.fake_xlwings import FakeBook, Formula

PAYMENTS_ROWS = [{"document_number": f"R-{n}", "invoice_id": "101", "amount": 10.0 * n,
                  "payment_date": dt.date(2026, 3, n), "currency_id": "USD"} for n in (1, 2, 3)]


def book_with_total(tmp_path, *, gap: bool, typed_below: bool = False, formula: str | None = None):
    """The template with three payments, and under them (after a blank row, or directly)
    a row holding 'Total' and =SUM over the amount column above."""
    path = build_template(tmp_path / "book.xlsx", payments=PAYMENTS_ROWS, settings={"company_id": 1003})
    wb = load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    headers = [c.value for c in ws[1]]
    amount = get_column_letter(headers.index("amount") + 1)
    last = 4  # header row 1, payments on rows 2-4
    if typed_below:
        last += 1
        for name, value in (("document_number", "R-9"), ("invoice_id", "101"), ("amount", 99),
                            ("payment_date", "2026-03-09")):
            ws.cell(last, headers.index(name) + 1, value)
    row = last + (2 if gap else 1)
    ws.cell(row, 1, "Total")
    ws.cell(row, headers.index("amount") + 1, formula or f"=SUM({amount}2:{amount}{last})")
    wb.save(path)
    return path, row


def test_which_rows_are_totals():
    assert total_row([("Total", None), (None, None), ("=SUM(C2:C9)", "=SUM(C2:C9)")], 1, 10) == "Total =SUM(C2:C9)"
    assert total_row([(None, None), ("=SUBTOTAL(109,B2:B9)", "=SUBTOTAL(109,B2:B9)")], 1, 10)
    assert total_row([("Total", None), ("=SUM(T[amount])", "=SUM(T[amount])")], 1, 10)  # a table's column
    assert total_row([("Total", None), ("=SUM(C2:C9)", "=SUM(C2:C9)")], 1, 10) is None  # not its own column
    assert total_row([("Total", None), ("=SUM(B12:B20)", "=SUM(B12:B20)")], 1, 10) is None  # not above it
    assert total_row([("Total", None), ("=B2*2", "=B2*2")], 1, 10) is None  # not a sum
    assert total_row([("Total", None), ("note", None), ("=SUM(C2:C9)", "=SUM(C2:C9)")], 1, 10) is None  # 2 labels
    assert total_row([("R-1", None), (12.5, None)], 1, 10) is None  # a row of data
    assert total_row([("Total", None)], 1, 10) is None  # a label alone is a note, not a total


def test_a_total_after_a_blank_row_is_left_alone_and_said_once(tmp_path):
    path, row = book_with_total(tmp_path, gap=True)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output  # every payment valid: the total is no "stray row"
    said = [line for line in result.output.splitlines() if "total" in line.lower() and "below the table" in line]
    assert said == [f"  ! Invoice Payments: row {row} below the table is a total (Total =SUM(E2:E4)): left as it "
                    "is, not read as a row"]
    assert "move them" not in result.output
    ws = load_workbook(path)[PAYMENTS.sheet]
    assert ws.tables[PAYMENTS.table].ref.endswith("4")  # the table was not stretched over it
    assert ws.cell(row, 1).value == "Total" and ws.cell(row, 5).value == "=SUM(E2:E4)"  # and it is untouched


def test_a_total_directly_under_the_table_is_not_taken_in_as_a_payment(tmp_path):
    path, row = book_with_total(tmp_path, gap=False)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "Invoice Payments: 3 rows (3 valid)" in result.output
    assert "extended" not in result.output and f"row {row} below the table is a total" in result.output
    ws = load_workbook(path)[PAYMENTS.sheet]
    status = [c.value for c in ws[1]].index("status") + 1
    assert [ws.cell(r, status).value for r in range(2, row + 1)] == [Status.VALID] * 3 + [None]


def test_rows_typed_below_are_taken_in_up_to_the_total(tmp_path):
    path, row = book_with_total(tmp_path, gap=False, typed_below=True)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "Invoice Payments: 4 rows (4 valid)" in result.output
    assert "extended over row 5" in result.output and f"row {row} below the table is a total" in result.output
    assert load_workbook(path)[PAYMENTS.sheet].tables[PAYMENTS.table].ref.endswith("5")


def test_a_sum_of_another_column_is_not_a_total_and_is_still_refused(tmp_path):
    path, row = book_with_total(tmp_path, gap=True, formula="=SUM(A2:A4)")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2 and f"{row} below the table" in result.output


def test_the_excel_adapter_leaves_a_total_below_the_table_alone():
    book = FakeBook()
    sheet = book.add_sheet(PAYMENTS.sheet)
    headers = PAYMENT_HEADERS + list(RESULT_COLUMNS)
    good = dict(invoice_id="INV-1", amount=100, payment_date=dt.datetime(2026, 3, 4))
    rows = [row_of(headers, document_number=f"P-{n}", **good) for n in (1, 2)]
    sheet.add_table(PAYMENTS.table, 1, 1, headers, rows)
    amount = headers.index("amount") + 1
    letter = get_column_letter(amount)
    sheet.put(4, 1, [["Total"]])  # directly under the table (rows 2-3)
    sheet.cells[(4, amount)] = Formula(f"=SUM({letter}2:{letter}3)")
    book.add_sheet("Credit Note Lines")
    workbook = ExcelWorkbook(book)
    table = workbook.read_table(PAYMENTS)
    assert len(table.rows) == 2  # not taken in
    assert workbook.notices == [f"Invoice Payments: row 4 below the table is a total (Total =SUM({letter}2:{letter}3)): "
                                "left as it is, not read as a row"]
    workbook.read_table(PAYMENTS)
    assert len(workbook.notices) == 1  # said once, however often the table is read
    assert sheet.tables[0].count == 2  # the Excel table was not resized over it


def test_validate_in_excel_is_not_stopped_by_a_total_after_a_blank_row():
    book = FakeBook()
    sheet = book.add_sheet(PAYMENTS.sheet)
    headers = PAYMENT_HEADERS + list(RESULT_COLUMNS)
    sheet.add_table(PAYMENTS.table, 1, 1, headers, [row_of(headers, document_number="P-1", invoice_id="INV-1",
                                                            amount=100, payment_date=dt.datetime(2026, 3, 4))])
    amount = headers.index("amount") + 1
    sheet.put(4, 1, [["Total"]])
    sheet.cells[(4, amount)] = Formula(f"=SUM({get_column_letter(amount)}2:{get_column_letter(amount)}2)")
    from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, SETTINGS_SHEET, SETTINGS_TABLE
    from tests.support.books import LINE_HEADERS

    book.add_sheet(CREDIT_NOTE_LINES.sheet).add_table(CREDIT_NOTE_LINES.table, 1, 1,
                                                      LINE_HEADERS + list(RESULT_COLUMNS), [])
    book.add_sheet(SETTINGS_SHEET).add_table(SETTINGS_TABLE, 1, 1, ["setting", "value"], [["company_id", 1001]])
    report = validate_workbook(ExcelWorkbook(book))
    assert report.sheets[PAYMENTS.key].count(Status.VALID) == 1 and report.sheets[PAYMENTS.key].count(Status.INVALID) == 0
