"""A row marked `send anyway` (a person said: a new record, although it looks like another)
is sent even when a colleague's workbook of the same company journals a look-alike of it at
the same moment, in the gap between this Submit's look-alike check and its send: the guard
against two Submits sending one payment at once is for rows nobody has looked at, and must
not take back the person's decision. Whole workbooks in live Excel (the fake of xlwings, the
real adapter and the real Submit), the colleague's Submit run in the gap, against an
in-memory API."""

from __future__ import annotations

from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import engine as submit_engine
from tests.support.lookalike_books import Workbook, moved, payment


def test_a_row_marked_send_anyway_is_sent_while_another_workbook_sends_a_like_one(tmp_path, monkeypatch):
    journal = tmp_path / "journal.sqlite3"
    # A second, ordinary new row: the look-alike check (and so the guard) runs for this Submit.
    first = Workbook([payment("CHQ-1"), payment("CHQ-2", invoice="INV-2", amount=55.0)], monkeypatch)
    second = moved(first, "CHQ-1A", monkeypatch)
    first.set(0, "status", "Send anyway")
    check = submit_engine.identity.hold_lookalikes
    gap = []

    def checked_then_other_submits(run, items, work, others):
        check(run, items, work, others)
        if run.workbook_id is not None and not gap and work.fresh and not isinstance(run.journal, submit_engine.ReadOnlyJournal):
            gap.append(run.workbook_id)
            second.submit(journal)  # the colleague's Submit, between this one's check and its send
    monkeypatch.setattr(submit_engine.identity, "hold_lookalikes", checked_then_other_submits)
    first.submit(journal)
    assert gap, "the colleague's Submit never ran in the first one's gap"
    assert second.cell(0, "status") == Status.CREATED, second.cell(0, "message")
    assert first.cell(0, "status") == Status.CREATED, first.cell(0, "message")
    assert first.cell(1, "status") == Status.CREATED, first.cell(1, "message")
    assert sorted(r["document_number"] for r in first.api.records) == ["CHQ-1", "CHQ-1A", "CHQ-2"]
