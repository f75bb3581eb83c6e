"""The live-Excel adapter and the ribbon macros, on a faithful fake of xlwings."""

from __future__ import annotations

import pytest

from rootfi_excel.errors import WorkbookError
from rootfi_excel.sheets.layout import (
    CREDIT_NOTE_LINES,
    PAYMENTS,
    Status,
)
from rootfi_excel.validation.workbook_validation import validate_workbook, write_validation
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.sheets.port import ResultUpdate
from tests.support.books import PAYMENT_HEADERS, row_of
from tests.support.excel_books import GOOD, column, fake_book
from tests.support.fake_xlwings import ExcelError, Formula


def test_validate_reads_the_table_and_writes_status_and_message(monkeypatch):
    rows = [row_of(PAYMENT_HEADERS, **GOOD),
            row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": "P-2", "amount": ExcelError("#N/A")})]
    book = fake_book(rows)
    workbook = ExcelWorkbook(book)
    report = validate_workbook(workbook)
    write_validation(workbook, report)
    assert column(book, "status") == [Status.VALID, Status.INVALID]
    assert "amount: holds the Excel error #N/A" in column(book, "message")[1]
    assert report.sheets[PAYMENTS.key].results[1].row_number == 5  # the table starts at row 3


def test_excel_calls_do_not_grow_with_the_number_of_rows():
    def calls(count: int) -> int:
        rows = [row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": f"P-{i}"}) for i in range(count)]
        book = fake_book(rows)
        workbook = ExcelWorkbook(book)
        write_validation(workbook, validate_workbook(workbook))
        assert set(column(book, "status")) == {Status.VALID}
        return book.calls

    assert calls(5) == calls(2000)


def test_numbers_as_floats_become_ids_without_decimals():
    book = fake_book([row_of(PAYMENT_HEADERS, **{**GOOD, "invoice_id": 123456})])  # xlwings gives 123456.0
    report = validate_workbook(ExcelWorkbook(book))
    assert report.sheets[PAYMENTS.key].ready[0].request.invoice_id == "123456"


def test_text_that_looks_like_a_formula_is_written_as_text():
    book = fake_book([row_of(PAYMENT_HEADERS, **GOOD)])
    update = ResultUpdate()
    update.set(0, message="=HYPERLINK(\"http://evil\")", status="-1", platform_id="@x")
    ExcelWorkbook(book).write_results(PAYMENTS, update)
    assert column(book, "message") == ['=HYPERLINK("http://evil")']
    assert not any(isinstance(v, Formula) for v in column(book, "message") + column(book, "status"))


def test_ids_are_written_as_text_and_stay_exact():
    book = fake_book([row_of(PAYMENT_HEADERS, **GOOD), row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": "P-2"})])
    update = ResultUpdate()
    update.set(0, rootfi_id=1234567890123456789, platform_id="00123", sync_id="7")
    update.set(1, rootfi_id=42)
    ExcelWorkbook(book).write_results(PAYMENTS, update)
    assert column(book, "rootfi_id") == ["1234567890123456789", "42"]
    assert column(book, "platform_id") == ["00123", None]  # a General cell would have made it 123.0
    assert column(book, "sync_id") == ["7", None]


def test_a_general_cell_turns_numeric_text_into_a_number_so_the_fake_catches_it():
    book = fake_book([row_of(PAYMENT_HEADERS, **GOOD)])
    sheet = book.sheets[PAYMENTS.sheet]
    sheet.tables[0].data_body_range.columns[0].value = "00123"
    assert sheet.cells[(4, 2)] == 123.0


def test_results_follow_rows_that_moved_and_refuse_rows_that_cannot_be_found():
    rows = [row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": f"P-{i}", "amount": 10 + i}) for i in range(4)]
    book = fake_book(rows)
    workbook = ExcelWorkbook(book)
    workbook.read_table(PAYMENTS)
    table = book.sheets[PAYMENTS.sheet].tables[0]
    table.sort(PAYMENT_HEADERS.index("amount"), reverse=True)  # P-3, P-2, P-1, P-0
    table.insert_row(0)  # a blank row on top
    amount = PAYMENT_HEADERS.index("amount")
    table.sheet.cells[(table.top + 1 + 4, table.left + amount)] = 99  # P-0 edited meanwhile
    update = ResultUpdate()
    for i in range(4):
        update.set(i, status=f"S{i}")
    workbook.write_results(PAYMENTS, update)
    assert column(book, "status") == [None, "S3", "S2", "S1", None]
    assert workbook.unplaced == {PAYMENTS.sheet: 1}


def test_identical_rows_are_placed_only_when_their_results_are_identical():
    rows = [row_of(PAYMENT_HEADERS, **GOOD), row_of(PAYMENT_HEADERS, **GOOD),
            row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": "A-0"})]
    book = fake_book(rows)
    workbook = ExcelWorkbook(book)
    workbook.read_table(PAYMENTS)
    book.sheets[PAYMENTS.sheet].tables[0].sort(0)  # A-0 first
    same = ResultUpdate()
    for i in range(3):
        same.set(i, status="Invalid" if i < 2 else "Valid")
    workbook.write_results(PAYMENTS, same)
    assert column(book, "status") == ["Valid", "Invalid", "Invalid"]
    different = ResultUpdate()
    different.set(0, status="Created")
    different.set(1, status="Failed")
    workbook.write_results(PAYMENTS, different)
    assert column(book, "status") == ["Valid", "Invalid", "Invalid"]  # not guessed
    assert workbook.unplaced == {PAYMENTS.sheet: 2}


def test_a_missing_sheet_or_result_column_is_a_clear_error():
    book = fake_book([])
    book.sheets.items = [s for s in book.sheets if s.name != CREDIT_NOTE_LINES.sheet]
    with pytest.raises(WorkbookError, match="no sheet named 'Credit Note Lines'"):
        validate_workbook(ExcelWorkbook(book))
    update = ResultUpdate()
    update.set(0, not_a_column="x")
    with pytest.raises(WorkbookError, match="no 'not_a_column' column"):
        ExcelWorkbook(fake_book([row_of(PAYMENT_HEADERS, **GOOD)])).write_results(PAYMENTS, update)
