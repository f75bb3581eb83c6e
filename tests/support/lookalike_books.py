"""Whole workbooks in live Excel (the fake of xlwings, through the real adapter and the real
Submit of the ribbon) against an in-memory API that accepts duplicates and answers lookups by
rootfi_id, as QuickBooks does: for the tests of rows that look like records made before (from
this workbook or another), whose ways out are taken from cells, as from Excel."""

from __future__ import annotations

from collections import Counter

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
)
from rootfi_excel.submission import engine as submit_engine
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


def submit_in_the_gap(monkeypatch, other: Workbook, journal) -> list:
    """Make the next Submit that checks new rows against look-alikes run `other`'s Submit right
    after that check, before its own send (two workbooks submitted at once on one computer).
    Returns a list that holds the gap's workbook id once the other Submit ran."""
    check = submit_engine.identity.hold_lookalikes
    gap: list = []

    def checked_then_other_submits(run, items, work, others):
        check(run, items, work, others)
        if (run.workbook_id is not None and not gap and work.fresh
                and not isinstance(run.journal, submit_engine.ReadOnlyJournal)):
            gap.append(run.workbook_id)
            other.submit(journal)  # the colleague's Submit, between this one's check and its send
    monkeypatch.setattr(submit_engine.identity, "hold_lookalikes", checked_then_other_submits)
    return gap
