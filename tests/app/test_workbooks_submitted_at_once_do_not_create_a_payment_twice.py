"""Two workbooks of one company submitted at once on one computer (two Submits, one journal),
each with the same payment but its number (a row copied into a colleague's workbook, its number
corrected, before either was submitted): submitted one after the other, the second is held as
a look-alike of the first; submitted at once, the check must still see the other's attempt, so
the payment is not created twice. Whole workbooks in live Excel (the fake of xlwings, the real
adapter and the real Submit), one Submit run in the other's gap between its look-alike check
and its send, against an in-memory API."""

from __future__ import annotations

from rootfi_excel.sheets.layout import Status
from tests.support.lookalike_books import Workbook, moved, payment, submit_in_the_gap


def test_two_workbooks_submitted_at_once_do_not_both_create_the_same_payment(tmp_path, monkeypatch):
    journal = tmp_path / "journal.sqlite3"
    first = Workbook([payment("CHQ-1")], monkeypatch)
    second = moved(first, "CHQ-1A", monkeypatch)
    gap = submit_in_the_gap(monkeypatch, second, journal)
    first.submit(journal)
    assert gap, "the second Submit never ran in the first one's gap"
    statuses = (first.cell(0, "status"), second.cell(0, "status"))
    assert len(first.api.records) == 1, (
        f"the payment was created twice: {statuses}, {first.cell(0, 'message')} / {second.cell(0, 'message')}")
    first.submit(journal)  # the next Submit holds it as a look-alike of the colleague's record, named
    message = str(first.cell(0, "message"))
    assert first.cell(0, "status") == Status.SKIPPED and "of another workbook (april.xlsx)" in message.lower(), message
    assert len(first.api.records) == 1
