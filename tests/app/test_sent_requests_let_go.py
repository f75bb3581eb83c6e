"""After sending, Submit lets go of the requests validation built (the run's peak of memory
is the save that follows): over HTTP, on an .xlsx with payments and credit notes, Valid
and Invalid rows, every row still gets its outcome in the file, the records are made once,
and the next Submit sends nothing again."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext

import openpyxl

from rootfi_excel.app import submit as submitting
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, Status
from rootfi_excel.workbook.template import build_template
from rootfi_excel.workbook.xlsx import XlsxWorkbook
from tests.support.sandbox_api import QUICKBOOKS, client, customer, lookup, open_invoice

DAY = dt.datetime(2026, 3, 31)


class SaysYes:
    """A front end that answers yes and keeps what it was told."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def confirm(self, question, details=()):
        return True

    def tell(self, text):
        self.said.append(text)

    note = warn = error = tell

    def progress(self, done, total, text):
        pass

    def working(self, title):
        return nullcontext()


def statuses(path, layout) -> list[tuple]:
    sheet = openpyxl.load_workbook(path)[layout.sheet]
    rows = [[cell.value for cell in row] for row in sheet[sheet.tables[layout.table].ref]]
    headers = rows[0]
    return [(r[headers.index("document_number")], r[headers.index("status")], r[headers.index("rootfi_id")])
            for r in rows[1:]]


def test_submit_lets_go_of_its_requests_and_still_writes_every_outcome_once(sandbox, api_key, tmp_path,
                                                                             monkeypatch):
    api = client(sandbox, api_key)
    invoices = [open_invoice(api, QUICKBOOKS, skip) for skip in range(3)]
    buyer = customer(api, QUICKBOOKS)
    sales = lookup(api, QUICKBOOKS, "accounts", **{"name[eq]": "Sales Returns and Allowances"})
    payments = [{"document_number": f"LET-{n}", "invoice_id": invoice["platform_id"], "amount": 1.25,
                 "payment_date": DAY, "currency_id": invoice["currency_id"]} for n, invoice in enumerate(invoices)]
    payments.append({"document_number": "LET-BAD", "invoice_id": invoices[0]["platform_id"], "amount": -1,
                     "payment_date": DAY})  # Invalid: not above zero
    lines = [{"document_number": "LET-CN", "contact_id": buyer["platform_id"], "posted_date": DAY,
              "currency_id": buyer["currency_id"], "account_id": sales["platform_id"], "description": "Refund",
              "quantity": 1, "unit_amount": amount} for amount in (3, 4.5)]
    path = build_template(tmp_path / "book.xlsx", payments=payments, credit_note_lines=lines,
                          settings={"company_id": QUICKBOOKS, "integration": "QUICKBOOKS",
                                    "environment": "sandbox", "base_url": sandbox.base_url})
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    paid = sandbox.count_records(QUICKBOOKS, "invoice_payments")
    credited = sandbox.count_records(QUICKBOOKS, "invoice_credit_notes")

    run = submitting.submit(XlsxWorkbook.open(path), SaysYes())

    assert run.ended == submitting.DONE
    units = [unit for sheet_units in run.submission.all_units.values() for unit in sheet_units]
    assert len(units) == 5 and all(unit.request is None for unit in units)  # let go once sent
    payment_rows = statuses(path, PAYMENTS)
    assert [(number, status) for number, status, _ in payment_rows] == [
        ("LET-0", Status.CREATED), ("LET-1", Status.CREATED), ("LET-2", Status.CREATED), ("LET-BAD", Status.INVALID)]
    assert all(rootfi_id for _, status, rootfi_id in payment_rows if status == Status.CREATED)
    note_rows = statuses(path, CREDIT_NOTE_LINES)
    assert [status for _, status, _ in note_rows] == [Status.CREATED, Status.CREATED]
    assert note_rows[0][2] and note_rows[0][2] == note_rows[1][2]  # one credit note, both lines
    assert sandbox.count_records(QUICKBOOKS, "invoice_payments") == paid + 3
    assert sandbox.count_records(QUICKBOOKS, "invoice_credit_notes") == credited + 1

    again = submitting.submit(XlsxWorkbook.open(path), SaysYes())

    assert again.ended == submitting.DONE
    assert sandbox.count_records(QUICKBOOKS, "invoice_payments") == paid + 3  # nothing sent twice
    assert sandbox.count_records(QUICKBOOKS, "invoice_credit_notes") == credited + 1
    assert statuses(path, PAYMENTS) == payment_rows and statuses(path, CREDIT_NOTE_LINES) == note_rows
