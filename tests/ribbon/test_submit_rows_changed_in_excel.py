"""Submit from the ribbon when the rows change under it: rows typed below the table are
submitted once and get their results; a document number corrected while the run is on is
not sent a second time."""

from __future__ import annotations

from rootfi_excel.sheets.layout import PAYMENTS, Status
from tests.support.books import PAYMENT_HEADERS
from tests.support.buttons import press
from tests.support.excel_books import column


def test_rows_typed_below_the_table_are_submitted_once_and_get_their_results(excel, sandbox):
    book = excel(4)
    sheet = book.sheets[PAYMENTS.sheet]
    table = sheet.tables[0]
    first = table.body_rows()[0]
    below = [list(first[:len(PAYMENT_HEADERS)]) for _ in range(2)]
    position = PAYMENT_HEADERS.index("document_number")
    for i, row in enumerate(below):
        row[position] = f"BELOW-{i}"
    sheet.put(table.top + table.count + 1, table.left, below)
    press("submit", book)
    statuses = column(book, "status")
    assert len(statuses) == 6 and statuses == [Status.CREATED] * 6, book.app.alerts
    assert all(column(book, "rootfi_id"))
    before = sandbox.count_records(1001, "invoice_payments")
    press("submit", book)
    assert sandbox.count_records(1001, "invoice_payments") == before


def test_a_document_number_corrected_mid_run_is_not_sent_a_second_time(excel, sandbox):
    book = excel(3)
    table = book.sheets[PAYMENTS.sheet].tables[0]
    number = table.left + PAYMENT_HEADERS.index("document_number")

    def hook(value) -> None:
        if value and book.app.on_status:
            book.app.on_status.clear()
            table.sheet.cells[(table.top + 2, number)] = "X-001-corrected"
    book.app.on_status.append(hook)
    press("submit", book)
    assert column(book, "status")[1] is None  # not written blindly; the warning says to press Submit again
    assert sandbox.count_records(1001, "invoice_payments") == 3
    press("submit", book)  # as the warning says
    assert sandbox.count_records(1001, "invoice_payments") == 3, column(book, "message")
