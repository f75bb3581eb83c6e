"""A batch created, deleted in the platform (the accountant removed it there), its rows deleted
and typed again with their numbers corrected: every record it looked like is gone, so one Submit
sends every row, however many (the records are asked about in lists by rootfi_id, not 20 a
Submit). Over HTTP against the sandbox, through the Excel adapter (the fake of xlwings)."""

from __future__ import annotations

from rootfi_excel.sheets.layout import PAYMENTS, PLATFORM_ID, RESULT_COLUMNS, ROW_KEY, Status
from tests.support.books import PAYMENT_HEADERS
from tests.support.buttons import press

COMPANY = 1001
MODEL = "invoice_payments"
NAMES = PAYMENT_HEADERS + list(RESULT_COLUMNS) + [ROW_KEY]
COUNT = 30  # more than the 20 records a Submit used to ask about


def column(book, name: str) -> list:
    table = book.sheets[PAYMENTS.sheet].tables[0]
    return [table.sheet.cells.get((r, table.left + NAMES.index(name)))
            for r in range(table.top + 1, table.top + 1 + table.count)]


def test_rows_typed_again_for_records_deleted_in_the_platform_are_all_sent_by_one_submit(excel, sandbox):
    book = excel(COUNT)
    press("submit", book)
    assert column(book, "status") == [Status.CREATED] * COUNT
    for platform_id in column(book, PLATFORM_ID):  # the batch deleted in QuickBooks
        sandbox.change_record(COMPANY, MODEL, str(platform_id), delete=True)
    table = book.sheets[PAYMENTS.sheet].tables[0]
    typed = [row[:len(PAYMENT_HEADERS)] for row in table.body_rows()]
    for _ in range(COUNT):  # ... and its rows deleted, then typed again with their numbers corrected
        table.delete_row(0)
    press("submit", book)
    for n, values in enumerate(typed):
        values = list(values)
        values[PAYMENT_HEADERS.index("document_number")] += "c"
        table.insert_row(n, values + [None] * (len(NAMES) - len(values)))
    before = sandbox.requests_by_kind()
    press("submit", book)
    after = sandbox.requests_by_kind()
    held = [m for s, m in zip(column(book, "status"), column(book, "message")) if s != Status.CREATED]
    assert not held, f"{len(held)} rows not sent: {held[0]}"
    assert sandbox.count_records(COMPANY, MODEL) == 2 * COUNT  # the deleted batch and the rows typed again
    # The records asked about in one list (and the numbers before sending): not one request per record.
    assert after.get("lookup", 0) - before.get("lookup", 0) <= 3, (before, after)
