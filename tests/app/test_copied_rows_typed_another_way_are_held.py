"""A row copied from another workbook with its number corrected is held however its values
were typed in the copy: an amount as 100, 100.00 or the text "100.00", a date as a date or as
text, a memo with a trailing space. Typed differently, the same payment is still the same
payment (the values sent are the same), so it must not be sent as a second record. Whole
workbooks in live Excel (the fake of xlwings, the real adapter and the real Submit) against an
in-memory API that answers lookups by rootfi_id."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from rootfi_excel.api.answers import Company
from rootfi_excel.app import submit as submitting
from rootfi_excel.sheets.layout import (
    CREDIT_NOTE_LINES,
    PAYMENTS,
    RESULT_COLUMNS,
    ROW_KEY,
    ROW_KEY_HEADER,
    SETTINGS_SHEET,
    SETTINGS_TABLE,
    Status,
)
from rootfi_excel.submission import workbook_submission as submission_run
from rootfi_excel.submission.engine import SubmitOptions, Submitter
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.workbook.excel_ui import ExcelUI
from tests.support.books import LINE_HEADERS, PAYMENT_HEADERS
from tests.support.fake_api import FakeApi
from tests.support.fake_xlwings import FakeBook

NAMES = PAYMENT_HEADERS + list(RESULT_COLUMNS) + [ROW_KEY]
COLUMN = {name: i for i, name in enumerate(NAMES)}


class Api(FakeApi):
    """Accepts duplicates (as QuickBooks does); answers a lookup by rootfi_id."""

    def get_company(self, company_id):
        return Company(rootfi_id=company_id, name="Test Co", integration="QUICKBOOKS", connection_status="HEALTHY")

    def iter_records(self, company_id, what, filters, model=None, include_deleted=False):
        operator, wanted = filters["rootfi_id"]
        wanted = {str(wanted)} if operator == "eq" else {str(w) for w in wanted}  # "in": a list of them
        return [r for r in self.records if str(r["rootfi_id"]) in wanted]


def payment(number, invoice="INV-1", amount=100.0, date="2026-03-31", memo="rent"):
    values = {"document_number": number, "invoice_id": invoice, "amount": amount, "payment_date": date, "memo": memo}
    return [values.get(name) for name in NAMES]


class Workbook:
    def __init__(self, rows, monkeypatch) -> None:
        self.api = Api()
        self.book = FakeBook()
        sheet = self.book.add_sheet(PAYMENTS.sheet)
        self.table = sheet.add_table(PAYMENTS.table, 1, 1, PAYMENT_HEADERS + list(RESULT_COLUMNS) + [ROW_KEY_HEADER],
                                     rows)
        self.lines = self.book.add_sheet(CREDIT_NOTE_LINES.sheet).add_table(
            CREDIT_NOTE_LINES.table, 1, 1, LINE_HEADERS + list(RESULT_COLUMNS) + [ROW_KEY_HEADER], [])
        settings = [["company_id", 1], ["base_url", "https://api.example/v4"], ["integration", "QUICKBOOKS"],
                    ["workbook_id", None]]
        self.book.add_sheet(SETTINGS_SHEET).add_table(SETTINGS_TABLE, 1, 1, ["setting", "value"], settings)
        clock = self.api.clock
        monkeypatch.setattr(submission_run, "Submitter", lambda *a, **k: Submitter(
            *a, sleep=clock.sleep, clock=clock.monotonic, now=clock.local_now, **k))
        self.summaries: list[str] = []

    def cell(self, row, name):
        return self.table.sheet.cells.get((self.table.top + 1 + row, self.table.left + COLUMN[name]))

    def set(self, row, name, value):
        self.table.sheet.cells[(self.table.top + 1 + row, self.table.left + COLUMN[name])] = value

    def submit(self, journal) -> None:
        options = SubmitOptions(resend_after=0, sync_threshold=0, batch_size=3, twin_wait=0)
        done = submitting.submit(ExcelWorkbook(self.book), ExcelUI(self.book.app, clock=lambda: 0.0),
                                 client=self.api, options=options, journal_path=journal)
        if done.submission is not None:
            self.summaries.append(submitting.summary(done))
            self.plan = done.submission.plan  # what the confirmation counted (Submitter.preview)
        self.api.clock.sleep(3600)

    def made(self) -> Counter:
        return Counter((r["document_number"], r["invoice_id"], r["amount"], str(r["payment_date"]))
                       for r in self.api.records)




def moved(book, number, monkeypatch, **changes):
    """A colleague's workbook (April.xlsx) with the inputs of `book`'s first row, its number
    corrected (and `changes`), talking to the same platform."""
    row = [book.cell(0, name) if name in PAYMENT_HEADERS else None for name in NAMES]
    row[COLUMN["document_number"]] = number
    for name, value in changes.items():
        row[COLUMN[name]] = value
    other = Workbook([row], monkeypatch)
    other.api = book.api
    other.book.fullname = "C:\\Users\\colleague\\April.xlsx"
    return other


@pytest.mark.parametrize("changes", [
    {"amount": 100},
    {"amount": "100.00"},
    {"amount": "100.0"},
    {"payment_date": dt.datetime(2026, 3, 31)},
    {"payment_date": "31/03/2026"},
    {"memo": "rent "},
    {"memo": " rent"},
], ids=lambda changes: "-".join(f"{k}={v!r}" for k, v in changes.items()))
def test_a_copied_row_typed_another_way_is_held_as_the_same_payment(tmp_path, monkeypatch, changes):
    book = Workbook([payment("CHQ-1")], monkeypatch)
    journal = tmp_path / "journal.sqlite3"
    book.submit(journal)
    assert book.cell(0, "status") == Status.CREATED, book.cell(0, "message")
    other = moved(book, "CHQ-1A", monkeypatch, **changes)
    other.submit(journal)
    sent = [r for r in book.api.records if r["document_number"] == "CHQ-1A"]
    assert not sent, (f"sent as a second record: {other.cell(0, 'status')} {other.cell(0, 'message')}; "
                      f"first {book.api.records[0]}, second {sent[0]}")
    assert other.cell(0, "status") == Status.SKIPPED, other.cell(0, "message")
    assert "looks like payment CHQ-1 " in str(other.cell(0, "message")), other.cell(0, "message")
