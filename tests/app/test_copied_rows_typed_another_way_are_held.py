"""A row copied from another workbook with its number corrected is held however its values
were typed in the copy: an amount as 100, 100.00 or the text "100.00", a date as a date or as
text, a memo with a trailing space. Typed differently, the same payment is still the same
payment (the values sent are the same), so it must not be sent as a second record. Whole
workbooks in live Excel (the fake of xlwings, the real adapter and the real Submit) against an
in-memory API that answers lookups by rootfi_id."""

from __future__ import annotations

import datetime as dt

import pytest

from rootfi_excel.sheets.layout import Status
from tests.support.lookalike_books import Workbook, moved, payment


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
