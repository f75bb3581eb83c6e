"""The Invoice Payments table of a workbook in the fake Excel (tests/support/fake_xlwings.py),
as the accountant sees and changes it: read a column, set a cell, type rows below the table.
For the tests that drive Validate and Submit through the real Excel adapter (the `excel`
fixture; buttons.mid_run acts while a Submit runs)."""

from __future__ import annotations

from rootfi_excel.sheets.layout import PAYMENTS, RESULT_COLUMNS, ROW_KEY
from tests.support.books import PAYMENT_HEADERS

NAMES = PAYMENT_HEADERS + list(RESULT_COLUMNS) + [ROW_KEY]  # the fake book's columns, once the key column is added


def table_of(book):
    return book.sheets[PAYMENTS.sheet].tables[0]


def column(book, name: str) -> list:
    table = table_of(book)
    return [table.sheet.cells.get((r, table.left + NAMES.index(name)))
            for r in range(table.top + 1, table.top + 1 + table.count)]


def set_cell(book, row: int, name: str, value) -> None:
    table = table_of(book)
    table.sheet.cells[(table.top + 1 + row, table.left + NAMES.index(name))] = value


def inputs(book, row: int) -> dict:
    return dict(zip(PAYMENT_HEADERS, table_of(book).body_rows()[row][:len(PAYMENT_HEADERS)]))


def add_rows(book, *rows: dict) -> None:
    """The accountant types rows directly below the table (the next Submit takes them in)."""
    table = table_of(book)
    table.sheet.put(table.top + table.count + 1, table.left,
                    [[values.get(h) for h in PAYMENT_HEADERS] for values in rows])


def add_row(book, **values) -> None:
    add_rows(book, values)
