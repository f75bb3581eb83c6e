"""Whatever stops a run, every row Submit was asked to send gets a Submit outcome: after a
401 mid-run no row keeps Validate's "Valid" (sheets not reached say Skipped, why, and what
to do); and a bulk write stuck at RootFi ends the run from the ribbon too, the status bar
saying what it waits for. Through the fake Excel and the sandbox over HTTP."""

from __future__ import annotations

import datetime as dt
import itertools
import time

import pytest

from rootfi_excel import ribbon
from rootfi_excel.api.credentials import store_api_key
from rootfi_excel.app import account
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, RESULT_COLUMNS, Status
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.workbook.excel_ui import ExcelUI
from tests.support.sandbox_api import QUICKBOOKS
from tests.support.books import LINE_HEADERS, PAYMENT_HEADERS, row_of
from tests.support.submitting import fast_client, fast_client_options
from tests.support.excel_books import GOOD, column, fake_book

LINE = dict(contact_id="C-1", posted_date=dt.datetime(2026, 3, 1), description="Refund", quantity=1,
            unit_amount=10, account_id="400")


def line_column(book, name: str) -> list:
    sheet = book.sheets[CREDIT_NOTE_LINES.sheet]
    table = sheet.tables[0]
    position = (LINE_HEADERS + list(RESULT_COLUMNS)).index(name)
    return [sheet.cells.get((r, table.left + position)) for r in range(table.top + 1, table.top + 1 + table.count)]


def book_for(sandbox, api_key, company: int, payments: int, notes: int, **settings):
    client = fast_client(sandbox, api_key)
    invoices = [i["platform_id"] for i in itertools.islice(
        client.iter_records(company, "invoices", {"amount_due": ("gt", 100)}), 20)]
    # Ids the sandbox has: without lookups, Validate reads every id from the platform.
    customer = next(client.iter_records(company, "contacts", {"contact_type": ("eq", "CUSTOMER")}))
    returns = next(client.iter_records(company, "accounts", {"name": ("eq", "Sales Returns and Allowances")}))
    client.close()
    rows = [row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": f"X-{i:03d}", "invoice_id": invoices[i],
                                       "amount": 1 + i / 100}) for i in range(payments)]
    line = {**LINE, "contact_id": customer["platform_id"], "account_id": returns["platform_id"]}
    lines = [row_of(LINE_HEADERS, document_number=f"CN-{n}", **line) for n in range(notes)]
    return fake_book(rows, lines=lines, settings={"company_id": company, "environment": "sandbox",
                                                  "base_url": sandbox.base_url, **settings})


@pytest.fixture
def keyed(api_key, monkeypatch):
    store_api_key("default", api_key)
    monkeypatch.setattr(account, "CLIENT_OPTIONS", fast_client_options())


def press(tag: str, book) -> None:
    ribbon.press(tag, ExcelWorkbook(book), ExcelUI(book.app, clock=time.monotonic, min_interval=0.0))


def test_after_the_key_is_refused_mid_run_every_row_has_a_submit_outcome(make_sandbox, api_key, keyed):
    sandbox = make_sandbox()
    book = book_for(sandbox, api_key, QUICKBOOKS, payments=5, notes=2)
    press("validate", book)
    assert set(column(book, "status")) == set(line_column(book, "status")) == {Status.VALID}
    sandbox.stop()
    # The same data, a sandbox that refuses the key after the company check and the checks before sending
    # (running bulk writes, the document numbers, the invoices the rows name).
    revoked = make_sandbox(db_path=sandbox.db_path, port=sandbox.port, revoke_key_after=4)
    press("submit", book)
    payments, lines = column(book, "status"), line_column(book, "status")
    assert Status.VALID not in payments + lines, (payments, lines)
    assert set(lines) == {Status.SKIPPED}  # the credit notes were never reached
    for message in line_column(book, "message"):
        assert message.startswith("Not sent: Submit stopped before this row was sent (RootFi refused the API key")
        assert "Store a valid key (Set API key on the RootFi tab" in message
    assert all(m for m in column(book, "message"))  # each payment row says what became of it
    assert "Stopped early" in book.app.alerts[-1][0]
    assert revoked.count_records(QUICKBOOKS, "invoice_payments") == 0


def test_a_stuck_bulk_write_ends_the_ribbons_submit_and_the_status_bar_says_what_it_waits_for(
        make_sandbox, api_key, keyed):
    sandbox = make_sandbox(stuck_syncs=True)
    book = book_for(sandbox, api_key, QUICKBOOKS, payments=12, notes=0, stuck_after_minutes=0.05, batch_size=6)
    seen: list[str] = []
    book.app.on_status.append(lambda value: seen.append(str(value)))
    started = time.monotonic()
    press("submit", book)
    elapsed = time.monotonic() - started
    assert elapsed < 3 + 8, f"Submit kept Excel for {elapsed:.0f} s with a 3-second bound on no progress"
    assert column(book, "status") == [Status.PENDING] * 12
    assert all(m.startswith("still running at RootFi") for m in column(book, "message"))
    assert all(column(book, "sync_id"))
    assert any("waiting for 2 bulk writes of yours to finish at RootFi: 0 of 12 records done" in s for s in seen), seen
    assert "12 pending" in book.app.alerts[-1][0]
