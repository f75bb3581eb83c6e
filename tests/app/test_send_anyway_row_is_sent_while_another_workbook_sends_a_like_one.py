"""A row marked `send anyway` (a person said: a new record, although it looks like another)
is sent even when a colleague's workbook of the same company journals a look-alike of it at
the same moment, in the gap between this Submit's look-alike check and its send: the guard
against two Submits sending one payment at once is for rows nobody has looked at, and must
not take back the person's decision. Whole workbooks in live Excel (the fake of xlwings, the
real adapter and the real Submit), the colleague's Submit run in the gap, against an
in-memory API."""

from __future__ import annotations

from rootfi_excel.sheets.layout import Status
from tests.support.lookalike_books import Workbook, moved, payment, submit_in_the_gap


def test_a_row_marked_send_anyway_is_sent_while_another_workbook_sends_a_like_one(tmp_path, monkeypatch):
    journal = tmp_path / "journal.sqlite3"
    # A second, ordinary new row: the look-alike check (and so the guard) runs for this Submit.
    first = Workbook([payment("CHQ-1"), payment("CHQ-2", invoice="INV-2", amount=55.0)], monkeypatch)
    second = moved(first, "CHQ-1A", monkeypatch)
    first.set(0, "status", "Send anyway")
    gap = submit_in_the_gap(monkeypatch, second, journal)
    first.submit(journal)
    assert gap, "the colleague's Submit never ran in the first one's gap"
    assert second.cell(0, "status") == Status.CREATED, second.cell(0, "message")
    assert first.cell(0, "status") == Status.CREATED, first.cell(0, "message")
    assert first.cell(1, "status") == Status.CREATED, first.cell(1, "message")
    assert sorted(r["document_number"] for r in first.api.records) == ["CHQ-1", "CHQ-1A", "CHQ-2"]
