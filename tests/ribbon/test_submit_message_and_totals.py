"""The ribbon's Submit message ends with the one line that matters (all in the platform, or
how many are not yet and for how much), and the Totals sheet is refreshed in Excel: the
fake Excel (tests/support/fake_xlwings.py), the real application layer and the sandbox over HTTP."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from rootfi_excel import ribbon
from rootfi_excel.api.credentials import store_api_key
from rootfi_excel.app import account
from rootfi_excel.sheets.layout import (
    CREDIT_NOTE_LINES,
    PAYMENTS,
    RESULT_COLUMNS,
    SETTINGS_SHEET,
    SETTINGS_TABLE,
    Status,
)
from rootfi_excel.sheets.money import format_amount
from rootfi_excel.sheets.totals import Line, control_totals
from rootfi_excel.sheets.totals_view import TOTALS_SHEET, TOTALS_TABLE, submit_line
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.workbook.excel_ui import ExcelUI
from tests.support.books import LINE_HEADERS, PAYMENT_HEADERS, row_of
from tests.support.fake_xlwings import FakeBook
from tests.support.submitting import fast_client, fast_client_options

COMPANY = 1001  # QuickBooks Online in the sandbox


def test_the_line_says_all_are_in_the_platform_with_their_sum():
    amounts = [Decimal("1483.17")] * 811 + [Decimal("1483.17") + Decimal("1204331.50") - Decimal("1483.17") * 812]
    lines = [Line("payments", 2 + n, "USD", amount, Status.CREATED, str(n + 1)) for n, amount in enumerate(amounts)]
    assert submit_line(control_totals(lines), lines, "NETSUITE") == \
        "All 812 payments, USD 1,204,331.50, are in NetSuite"


def test_the_line_says_how_many_are_not_yet_and_which_rows_are_not_accounted_for():
    lines = [Line("payments", 2, "USD", Decimal("4000"), Status.FAILED),
             Line("payments", 3, "USD", Decimal("200"), Status.PENDING),
             Line("payments", 4, "USD", Decimal("10"), Status.INVALID),
             Line("payments", 5, "USD", Decimal("99"), Status.CREATED, "7"),
             Line("credit_note_lines", 2, "GBP", Decimal("5"), Status.CREATED, "8", "CN-1"),
             Line("credit_note_lines", 3, "GBP", Decimal("6"), Status.CREATED, "8", "CN-1")]
    assert submit_line(control_totals(lines), lines, "XERO") == (
        "3 payments, USD 4,210.00, are not yet: see the Totals sheet; 1 credit note, GBP 11.00, is in Xero")
    odd = [*lines, Line("payments", 6, "USD", Decimal("1"), "Done!")]
    assert submit_line(control_totals(odd), odd, "XERO").startswith(
        "1 row of Invoice Payments is not accounted for (a status RootFi never writes): see the Totals sheet")


def test_the_line_points_to_the_totals_sheet_once_when_both_sheets_have_rows_not_yet_created():
    lines = [Line("payments", 2, "USD", Decimal("4000"), Status.FAILED),
             Line("credit_note_lines", 2, "GBP", Decimal("5"), Status.PENDING, None, "CN-1")]
    assert submit_line(control_totals(lines), lines, "XERO") == (
        "1 payment, USD 4,000.00, is not yet: see the Totals sheet; 1 credit note, GBP 5.00, is not yet")


def excel_book(sandbox, api_key, monkeypatch, bad: int = 0) -> FakeBook:
    store_api_key("default", api_key)
    monkeypatch.setattr(account, "CLIENT_OPTIONS", fast_client_options())
    fast = fast_client(sandbox, api_key)
    invoices = list(itertools.islice(fast.iter_records(COMPANY, "invoices", {"amount_due": ("gt", 1500)}), 40))
    fast.close()
    currency = invoices[0]["currency_id"]
    invoices = [i for i in invoices if i["currency_id"] == currency][:3]
    rows = [row_of(PAYMENT_HEADERS, document_number=f"X-{n}", invoice_id=invoice["platform_id"], amount=1000.5 + n,
                   payment_date=dt.datetime(2026, 3, 4), currency_id=currency) for n, invoice in enumerate(invoices)]
    rows += [row_of(PAYMENT_HEADERS, document_number=f"BAD-{n}", invoice_id=invoices[0]["platform_id"], amount=-1,
                    payment_date=dt.datetime(2026, 3, 4), currency_id=currency) for n in range(bad)]
    book = FakeBook()
    headers = PAYMENT_HEADERS + list(RESULT_COLUMNS)
    book.add_sheet(PAYMENTS.sheet).add_table(PAYMENTS.table, 1, 1, headers,
                                             [r + [None] * (len(headers) - len(r)) for r in rows])
    line_headers = LINE_HEADERS + list(RESULT_COLUMNS)
    book.add_sheet(CREDIT_NOTE_LINES.sheet).add_table(CREDIT_NOTE_LINES.table, 1, 1, line_headers, [])
    settings = {"company_id": COMPANY, "environment": "sandbox", "base_url": sandbox.base_url,
                "posted_from": dt.datetime(2026, 3, 1), "posted_to": dt.datetime(2026, 3, 31)}
    book.add_sheet(SETTINGS_SHEET).add_table(SETTINGS_TABLE, 1, 1, ["setting", "value"],
                                             [[k, v] for k, v in settings.items()])
    book.currency = currency
    return book


def press(tag: str, book: FakeBook) -> str:
    ui = ExcelUI(book.app, clock=lambda: 0.0, ask_secret=lambda prompt: None)
    ribbon.press(tag, ExcelWorkbook(book), ui)
    return book.app.alerts[-1][0]


def totals_cells(book: FakeBook) -> list[list]:
    sheet = book.sheets[TOTALS_SHEET]
    table = next(t for t in sheet.tables if t.name == TOTALS_TABLE)
    return [[sheet.cells.get((table.top + r, table.left + c)) for c in range(table.width)]
            for r in range(table.count + 1)]


def test_the_submit_message_ends_with_all_in_the_platform(sandbox, api_key, monkeypatch):
    book = excel_book(sandbox, api_key, monkeypatch)
    message = press("submit", book)
    total = format_amount(Decimal("1000.5") + Decimal("1001.5") + Decimal("1002.5"), book.currency)
    assert message.splitlines()[-1] == f"All 3 payments, {book.currency} {total}, are in QuickBooks Online"
    cells = totals_cells(book)
    assert cells[0] == ["sheet", "currency", "line", "amount", "count", "rows"]
    assert [PAYMENTS.sheet, book.currency, Status.CREATED, total, 3, None] in cells


def test_the_submit_message_ends_with_what_is_not_yet_in_the_platform(sandbox, api_key, monkeypatch):
    book = excel_book(sandbox, api_key, monkeypatch, bad=2)
    message = press("submit", book)
    assert message.splitlines()[-1] == f"2 payments, {book.currency} -2.00, are not yet: see the Totals sheet"
    assert [PAYMENTS.sheet, book.currency, Status.INVALID, "-2.00", 2, "rows 5-6"] in totals_cells(book)


def test_posted_ties_the_platform_to_the_workbook_and_says_so(sandbox, api_key, monkeypatch):
    from rootfi_excel.lookups.ledger_totals import LEDGER_TABLE
    from rootfi_excel.messages import LEDGER_DIFFERS, LEDGER_TIES

    book = excel_book(sandbox, api_key, monkeypatch)
    press("submit", book)
    assert press("posted", book).splitlines()[-1] == LEDGER_TIES
    sheet = book.sheets[TOTALS_SHEET]
    assert {t.name for t in sheet.tables} == {TOTALS_TABLE, LEDGER_TABLE}
    # A payment entered in the platform by hand in the same period: the difference names it.
    fast = fast_client(sandbox, api_key)
    invoice = next(fast.iter_records(COMPANY, "invoices", {"amount_due": ("gt", 1500)}))
    fast.close()
    from tests.support.sandbox_api import client

    made = client(sandbox, api_key).post(f"/core/companies/{COMPANY}/invoice_payments", json={"data": {
        "document_number": "BY-HAND", "invoice_id": invoice["platform_id"], "amount": 12.34,
        "currency_id": invoice["currency_id"], "payment_date": "2026-03-15"}}).json()["data"]
    assert press("posted", book).splitlines()[-1] == LEDGER_DIFFERS.format(count=1)
    assert f"rootfi_id {made['rootfi_id']} (BY-HAND) 12.34: not from this workbook" in sheet.cells.values()
