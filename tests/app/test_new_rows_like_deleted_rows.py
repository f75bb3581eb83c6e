"""A new row (new hidden row key) that looks like a record whose row went after the record
reached it (the row deleted, or its key cleared) is held, naming that record; rows that do not
look like one are sent. Whole workbooks in live Excel (the fake of xlwings, through the real
adapter and the real Submit of the ribbon) against an in-memory API that answers lookups by
rootfi_id, as QuickBooks does; the ways out are taken from cells, as from Excel."""

from __future__ import annotations

import pytest

from rootfi_excel.sheets.layout import (
    PAYMENTS,
    RESULT_COLUMNS,
    ROW_KEY,
    Status,
)
from tests.support.books import LINE_HEADERS, PAYMENT_HEADERS
from tests.support.lookalike_books import COLUMN, NAMES, Workbook, moved, payment


def test_next_months_payments_after_last_months_rows_were_deleted_are_sent_not_held(tmp_path, monkeypatch):
    book = Workbook([payment("CHQ-1", "INV-1"), payment("CHQ-2", "INV-2")], monkeypatch)
    journal = tmp_path / "journal.sqlite3"
    book.submit(journal)
    assert [book.cell(r, "status") for r in range(2)] == [Status.CREATED] * 2
    book.table.delete_row(1)
    book.table.delete_row(0)
    # April: the same invoices paid again (instalments), other dates and cheque numbers.
    book.table.insert_row(0, payment("CHQ-3", "INV-1", date="2026-04-30"))
    book.table.insert_row(1, payment("CHQ-4", "INV-2", date="2026-04-30"))
    book.submit(journal)
    assert book.plan.to_send[PAYMENTS.sheet] == 2 and book.plan.held.get(PAYMENTS.sheet, 0) == 0
    assert [book.cell(r, "status") for r in range(2)] == [Status.CREATED] * 2, [book.cell(r, "message")
                                                                                for r in range(2)]
    assert len(book.api.records) == 4


def test_a_second_cheque_like_a_deleted_rows_record_but_its_number_is_held_and_send_anyway_sends_it_once(
        tmp_path, monkeypatch):
    book = Workbook([payment("CHQ-1")], monkeypatch)
    journal = tmp_path / "journal.sqlite3"
    book.submit(journal)
    first = str(book.cell(0, "rootfi_id"))
    book.table.delete_row(0)
    book.table.insert_row(0, payment("CHQ-2"))  # another cheque, same invoice, amount, date, memo
    book.submit(journal)
    assert book.plan.held[PAYMENTS.sheet] == 1 and book.plan.to_send.get(PAYMENTS.sheet, 0) == 0
    assert book.cell(0, "status") == Status.SKIPPED
    message = str(book.cell(0, "message"))
    assert f"(rootfi_id {first})" in message and "for a row that is no longer in it" in message, message
    assert "send anyway" in message and f"type {first} into its rootfi_id column" in message, message
    assert len(book.api.records) == 1
    book.set(0, "status", "send anyway")  # the way out, typed in Excel
    book.submit(journal)
    assert book.plan.to_send[PAYMENTS.sheet] == 1 and book.plan.held.get(PAYMENTS.sheet, 0) == 0
    assert book.cell(0, "status") == Status.CREATED, book.cell(0, "message")
    book.submit(journal)
    book.submit(journal)
    assert book.cell(0, "status") == Status.CREATED and len(book.api.records) == 2


def test_a_deleted_row_typed_again_is_held_and_its_rootfi_id_typed_in_makes_it_that_record(tmp_path, monkeypatch):
    book = Workbook([payment("CHQ-1")], monkeypatch)
    journal = tmp_path / "journal.sqlite3"
    book.submit(journal)
    first = str(book.cell(0, "rootfi_id"))
    book.table.delete_row(0)
    book.table.insert_row(0, payment("CHQ-1-corrected"))  # typed again, its number corrected
    book.submit(journal)
    assert book.cell(0, "status") == Status.SKIPPED, book.cell(0, "message")
    book.set(0, "rootfi_id", first)  # the way out, typed in Excel
    book.set(0, "status", None)
    for _ in range(3):
        book.submit(journal)
    assert str(book.cell(0, "rootfi_id")) == first and len(book.api.records) == 1, book.cell(0, "message")
    assert book.cell(0, "status") == Status.CREATED
    assert not str(book.cell(0, "message") or "").startswith("Not sent"), (
        f"the row shows its record Created, its message still says: {book.cell(0, 'message')}")
    book.table.insert_row(1, payment("CHQ-9", date="2026-04-30"))  # a later new row: the first is left alone
    book.submit(journal)
    assert str(book.cell(0, "rootfi_id")) == first and book.cell(1, "status") == Status.CREATED
    assert len(book.api.records) == 2


def test_a_created_row_moved_to_another_workbook_with_its_number_corrected_is_not_created_twice(tmp_path, monkeypatch):
    """A row created, then cut from this workbook and pasted (its inputs) into a colleague's
    workbook of the same company, its number corrected on the way: it is that payment.
    Likeness across workbooks holds only by number (identity._alike), so it is sent again."""
    book = Workbook([payment("CHQ-1", memo=None)], monkeypatch)
    journal = tmp_path / "journal.sqlite3"
    book.submit(journal)
    assert book.cell(0, "status") == Status.CREATED, book.cell(0, "message")
    row = [book.cell(0, name) if name in PAYMENT_HEADERS else None for name in NAMES]
    row[COLUMN["document_number"]] = "CHQ-1A"
    book.table.delete_row(0)
    book.submit(journal)
    other = Workbook([row], monkeypatch)
    other.api = book.api
    other.submit(journal)
    assert len(book.api.records) == 1, (
        f"the payment was created twice: {other.cell(0, 'status')} {other.cell(0, 'message')}")


def test_a_created_row_copied_into_another_workbook_with_its_number_corrected_is_held_naming_its_workbook(
        tmp_path, monkeypatch):
    """Copied, not cut: the first workbook still shows the record. The copy is held (it may be
    that payment), its message naming the record and the workbook it was created from, with the
    ways out; `send anyway` typed into its status sends it, once; the first row is left alone."""
    book = Workbook([payment("CHQ-1")], monkeypatch)
    journal = tmp_path / "journal.sqlite3"
    book.submit(journal)
    first = str(book.cell(0, "rootfi_id"))
    other = moved(book, "CHQ-1A", monkeypatch)
    other.submit(journal)
    assert other.plan.held[PAYMENTS.sheet] == 1 and other.plan.to_send.get(PAYMENTS.sheet, 0) == 0
    assert other.cell(0, "status") == Status.SKIPPED and len(book.api.records) == 1
    message = str(other.cell(0, "message"))
    assert f"payment CHQ-1 for invoice INV-1 (rootfi_id {first})" in message, message
    assert "of another workbook (march.xlsx)" in message.lower(), message
    assert f"type {first} into its rootfi_id column" in message, message
    assert "type send anyway into its status column" in message, message
    assert f"delete rootfi_id {first} in" in message, message  # the platform answers lookups by rootfi_id
    book.submit(journal)
    assert book.cell(0, "status") == Status.CREATED and str(book.cell(0, "rootfi_id")) == first
    other.set(0, "status", "send anyway")  # another payment after all: the way out, typed in Excel
    for _ in range(3):
        other.submit(journal)
    assert other.cell(0, "status") == Status.CREATED, other.cell(0, "message")
    assert str(other.cell(0, "rootfi_id")) != first and len(book.api.records) == 2


def test_a_row_moved_to_another_workbook_and_given_its_rootfi_id_there_is_that_record(tmp_path, monkeypatch):
    book = Workbook([payment("CHQ-1")], monkeypatch)
    journal = tmp_path / "journal.sqlite3"
    book.submit(journal)
    first = str(book.cell(0, "rootfi_id"))
    other = moved(book, "CHQ-1A", monkeypatch)
    book.table.delete_row(0)  # cut from the first workbook
    book.submit(journal)
    other.submit(journal)
    assert other.cell(0, "status") == Status.SKIPPED, other.cell(0, "message")
    other.set(0, "rootfi_id", first)  # the way out, typed in Excel
    other.set(0, "status", None)
    for _ in range(3):
        other.submit(journal)
    assert str(other.cell(0, "rootfi_id")) == first and len(book.api.records) == 1, other.cell(0, "message")


def test_next_months_payments_in_another_workbook_are_sent_not_held(tmp_path, monkeypatch):
    """Likeness across workbooks is the record's values but its number: another date is another payment."""
    book = Workbook([payment("CHQ-1")], monkeypatch)
    journal = tmp_path / "journal.sqlite3"
    book.submit(journal)
    other = moved(book, "CHQ-2", monkeypatch, payment_date="2026-04-30")
    other.submit(journal)
    assert other.cell(0, "status") == Status.CREATED, other.cell(0, "message")
    assert len(book.api.records) == 2


LINE_NAMES = LINE_HEADERS + list(RESULT_COLUMNS) + [ROW_KEY]


def line(number, description, amount):
    values = {"document_number": number, "contact_id": "C1", "posted_date": "2026-03-31", "account_id": "4000",
              "description": description, "quantity": 1, "unit_amount": amount}
    return [values.get(name) for name in LINE_NAMES]


@pytest.mark.parametrize("number, order", [("CN-1", -1), ("CN-1A", 1), ("CN-1A", -1)],
                         ids=["same number, other order", "number corrected, same order",
                              "number corrected, other order"])
def test_a_credit_note_whose_lines_were_deleted_and_pasted_back_is_not_created_twice(
        tmp_path, monkeypatch, number, order):
    """Its lines' rows deleted, then pasted back (inputs only: new hidden keys) after the
    sheet was sorted, so in another order; perhaps its number corrected on the way."""
    book = Workbook([], monkeypatch)
    lines = book.lines
    lines.insert_row(0, line("CN-1", "Returned chairs", 100.0))
    lines.insert_row(1, line("CN-1", "Returned desks", 40.0))
    journal = tmp_path / "journal.sqlite3"
    book.submit(journal)
    status = lambda row: lines.sheet.cells.get((lines.top + 1 + row, lines.left + LINE_NAMES.index("status")))
    message = lambda row: lines.sheet.cells.get((lines.top + 1 + row, lines.left + LINE_NAMES.index("message")))
    assert [status(0), status(1)] == [Status.CREATED] * 2, [message(0), message(1)]
    copies = [line(number, "Returned chairs", 100.0), line(number, "Returned desks", 40.0)][::order]
    lines.delete_row(1)
    lines.delete_row(0)
    lines.insert_row(0, copies[0])
    lines.insert_row(1, copies[1])
    book.submit(journal)
    assert len(book.api.records) == 1, f"the credit note was created twice: {status(0)} {message(0)}"
    assert status(0) == Status.SKIPPED, message(0)
