"""Fake Excel workbooks (tests/support/fake_xlwings.py) laid out as the template is: a
titled Invoice Payments table, the Credit Note Lines table and the Settings table."""

from __future__ import annotations

import datetime as dt

from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, RESULT_COLUMNS, SETTINGS_SHEET, SETTINGS_TABLE
from tests.support.books import LINE_HEADERS, PAYMENT_HEADERS, row_of
from tests.support.fake_xlwings import FakeBook


GOOD = dict(document_number="P-1", invoice_id="INV-1", amount=100, payment_date=dt.datetime(2026, 3, 4))


def fake_book(payments: list[list], settings: dict | None = None, lines: list[list] | None = None) -> FakeBook:
    book = FakeBook()
    book.add_sheet("Instructions").put(1, 1, [["Read me"]])
    sheet = book.add_sheet(PAYMENTS.sheet)
    sheet.put(1, 1, [["Invoice payments for March"]])  # a title above the table
    headers = PAYMENT_HEADERS + list(RESULT_COLUMNS)
    sheet.add_table(PAYMENTS.table, 3, 2, headers, [r + [None] * (len(headers) - len(r)) for r in payments])
    lines_sheet = book.add_sheet(CREDIT_NOTE_LINES.sheet)
    line_headers = LINE_HEADERS + list(RESULT_COLUMNS)
    lines_sheet.add_table(CREDIT_NOTE_LINES.table, 1, 1, line_headers,
                          [r + [None] * (len(line_headers) - len(r)) for r in (lines or [])])
    values = {"company_id": 1001, "date_order": "DMY", **(settings or {})}
    book.add_sheet(SETTINGS_SHEET).add_table(SETTINGS_TABLE, 1, 1, ["setting", "value"],
                                             [[k, v] for k, v in values.items()])
    return book


def column(book: FakeBook, name: str) -> list:
    sheet = book.sheets[PAYMENTS.sheet]
    table = sheet.tables[0]
    position = (PAYMENT_HEADERS + list(RESULT_COLUMNS)).index(name)
    return [sheet.cells.get((r, table.left + position)) for r in range(table.top + 1, table.top + 1 + table.count)]


def excel_book(rows: int, below: int, totals: bool = False):
    good = [row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": f"P-{i}"}) for i in range(rows)]
    book = fake_book(good)
    sheet = book.sheets[PAYMENTS.sheet]
    table = sheet.tables[0]
    table.show_totals = totals
    first = table.top + 1 + table.count + (1 if totals else 0)
    typed = [row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": f"B-{i}"}) for i in range(below)]
    sheet.put(first, table.left, typed)
    sheet.put(first + below + 2, table.left, [["a note two rows further down"]])
    return book, table
