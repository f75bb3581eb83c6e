"""How sending cuts rows into bulk writes: the time limit stops new batches only once it
is reached (a batch due with half a second left still goes out; nothing after it; a row
already refused by the read before an earlier batch keeps its reason), and a batch size
below one (a settings typo) means one record a bulk write, never none."""

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


class VoidsDuringTheFirstWrite(FakeApi):
    """Each bulk write takes 42 s; while the first is sent, someone voids INV-2."""

    def create_async(self, company_id, model, bodies):
        if not self.syncs:
            self.references["invoices"] = {"INV-2": {"rootfi_id": 9, "platform_id": "INV-2", "status": "VOID",
                                                     "document_number": "2", "amount_due": 0}}
        self.clock.sleep(42.0)
        return super().create_async(company_id, model, bodies)


def test_the_time_limit_leaves_rows_already_refused_by_a_read_ahead_as_they_are(tmp_path):
    # Writes at 0, 42, 84 s; the read before the third (84 s) also serves the fourth batch and
    # finds INV-2 void; the limit (120 s) comes before the fourth batch goes out.
    api, journal = VoidsDuringTheFirstWrite(), Journal(tmp_path / "j.sqlite3")
    units = payments([pay(f"P-{n}", f"INV-{n % 2 + 1}", 1.0) for n in range(10)])
    report = engine(api, journal, batch_size=2, sync_threshold=1, check_twins=False,
                    time_limit=120.0).submit(MODEL, units)
    statuses = [report.outcomes[i].status for i in range(10)]
    # Sent (the time was up before their answers): rows 0-4; refused at the read of 84 s, which
    # saw INV-2 void: rows 5, 7 and 9; never sent, the limit reached: rows 6 and 8.
    assert statuses == [Status.PENDING] * 5 + [Status.INVALID, Status.SKIPPED] * 2 + [Status.INVALID], statuses
    assert all(report.outcomes[n].message.startswith("invoice_id: invoice 2 (id INV-2) is void") for n in (5, 7, 9))
    assert {report.outcomes[n].message for n in (6, 8)} == {TIME_LIMIT}
