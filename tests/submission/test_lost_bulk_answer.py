"""A bulk write whose answer was lost is journalled unknown at once, with the reason: its
records may land later, so its rows are never sent again before they are looked up."""

from __future__ import annotations

from rootfi_excel.errors import OutcomeUnknownError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.journal import UNKNOWN, Journal
from tests.support.fake_api import FakeApi, engine, pay, payments


class LosesBulkAnswer(FakeApi):
    def create_async(self, company_id, model, bodies):
        super().create_async(company_id, model, bodies)
        raise OutcomeUnknownError("ReadTimeout on the bulk write (simulated)")


def test_a_lost_bulk_answer_is_journalled_unknown_at_once(tmp_path):
    api, journal = LosesBulkAnswer(), Journal(tmp_path / "j.sqlite3")
    units = payments([pay(f"CHQ-{i}", f"INV-{i}", 10.0 + i) for i in range(3)])
    report = engine(api, journal, sync_threshold=0, resend_after=10_000, check_twins=False).submit(
        "invoice_payments", units)
    assert [o.status for o in report.outcomes.values()] == [Status.UNKNOWN] * 3
    attempts = journal.attempts()
    assert len(attempts) == 3
    assert all(a.state == UNKNOWN and "ReadTimeout on the bulk write" in a.message for a in attempts)
