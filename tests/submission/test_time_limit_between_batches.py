"""How sending cuts rows into bulk writes: the time limit stops new batches only once it
is reached (a batch due with half a second left still goes out; nothing after it), and a
batch size below one (a settings typo) means one record a bulk write, never none."""

from __future__ import annotations

from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.journal import Journal
from rootfi_excel.submission.sending import TIME_LIMIT
from tests.support.fake_api import FakeApi, engine, pay, payments

MODEL = "invoice_payments"


class BulkTakes100s(FakeApi):
    def create_async(self, company_id, model, bodies):
        self.clock.sleep(100.0)
        return super().create_async(company_id, model, bodies)


def _rows(count: int):
    return payments([pay(f"CHQ-{i}", f"INV-{i}", 100.0 + i) for i in range(count)])


def test_a_batch_due_with_half_a_second_left_is_still_sent(tmp_path):
    api, journal = BulkTakes100s(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal, sync_threshold=0, batch_size=2, time_limit=100.5,
                    check_twins=False).submit(MODEL, _rows(6))
    assert api.creates == 4, "the second batch was due with 0.5 s left: it goes out; the third does not"
    assert len(journal.attempts()) == 4
    assert [report.outcomes[p].status for p in (4, 5)] == [Status.SKIPPED, Status.SKIPPED]
    assert {report.outcomes[p].message for p in (4, 5)} == {TIME_LIMIT}


def test_a_batch_size_below_one_sends_one_record_a_bulk_write(tmp_path):
    api, journal = FakeApi(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal, sync_threshold=0, batch_size=0, check_twins=False).submit(MODEL, _rows(3))
    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * 3
    assert len(api.syncs) == 3 and len({a.sync_id for a in journal.attempts()}) == 3
