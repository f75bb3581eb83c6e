"""Count the Excel calls of the Validate and Submit buttons on a workbook of N payments
(shared by tests/workbook/test_excel_call_counts.py and benchmarks/bench_excel_calls.py)."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from rootfi_excel import ribbon
from rootfi_excel.sheets.layout import (
    CREDIT_NOTE_LINES,
    PAYMENTS,
    RESULT_COLUMNS,
    SETTINGS_SHEET,
    SETTINGS_TABLE,
)
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.workbook.excel_ui import ExcelUI
from tests.support.books import LINE_HEADERS, PAYMENT_HEADERS, row_of
from tests.support.fake_xlwings import FakeBook


def payments_book(rows: int, base_url: str, invoices: list[str], prefix: str) -> FakeBook:
    book = FakeBook()
    headers = PAYMENT_HEADERS + list(RESULT_COLUMNS)
    data = [row_of(headers, document_number=f"{prefix}-{n:06d}", invoice_id=invoices[n % len(invoices)],
                   amount=0.01, payment_date=dt.datetime(2026, 3, 31), payment_mode="Bank Transfer",
                   memo=f"batch {prefix}")  # each workbook's own payments: not held as like another's
            for n in range(rows)]
    book.add_sheet(PAYMENTS.sheet).add_table(PAYMENTS.table, 1, 1, headers, data)
    book.add_sheet(CREDIT_NOTE_LINES.sheet).add_table(CREDIT_NOTE_LINES.table, 1, 1,
                                                      LINE_HEADERS + list(RESULT_COLUMNS), [])
    settings = {"company_id": 1001, "integration": "QUICKBOOKS", "environment": "sandbox", "base_url": base_url}
    book.add_sheet(SETTINGS_SHEET).add_table(SETTINGS_TABLE, 1, 1, ["setting", "value"],
                                             [[k, v] for k, v in settings.items()])
    return book


def count_calls(rows: int, base_url: str, invoices: list[str], *, prefix: str,
                clock: Callable[[], float], min_interval: float = 0.25) -> dict[str, int]:
    """{'validate': calls, 'submit': calls}; raises if Submit did not create every row.
    min_interval=0 shows every progress report (the status bar before the throttle)."""
    book = payments_book(rows, base_url, invoices, prefix)
    counts = {}
    for tag in ("validate", "submit"):
        before = book.app.calls
        ribbon.press(tag, ExcelWorkbook(book), ExcelUI(book.app, clock=clock, min_interval=min_interval))
        counts[tag] = book.app.calls - before
    table = book.sheets[PAYMENTS.sheet].tables[0]
    status = table.left + len(PAYMENT_HEADERS)
    created = sum(table.sheet.cells.get((r, status)) == "Created" for r in range(2, 2 + rows))
    if created != rows:
        raise AssertionError(f"{created} of {rows} rows created; last message: {book.app.alerts[-1][0]}")
    return counts
