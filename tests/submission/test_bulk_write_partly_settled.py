"""A bulk write collected after one of its records was settled some other way (another
Submit found it by a lookup meanwhile): that record keeps what the journal says, the
others are settled by their own jobs, matched by position (the settled one still holds
its place in the request)."""

from __future__ import annotations

from rootfi_excel.api.answers import Sync
from rootfi_excel.sheets.layout import ROW_KEY, Status
from rootfi_excel.submission.journal import CREATED, FAILED, PENDING, Journal
from tests.support.fake_api import FakeApi, engine, pay, payments

MODEL = "invoice_payments"


class RunsUntilReleased(FakeApi):
    running = True

    def get_sync(self, sync_id):
        return Sync(sync_id=sync_id, status="RUNNING" if self.running else "SUCCESS")


def _submit(api, journal):
    submitter = engine(api, journal, sync_threshold=0, batch_size=3, stall_after=30.0, check_twins=False)
    submitter.workbook_id = "the-workbook"
    units = payments([pay(f"CHQ-{i}", f"INV-{i}", 100.0 + i) for i in range(3)])
    for position, unit in enumerate(units):
        unit.rows[0].results[ROW_KEY] = f"key-{position}"
    return submitter.submit(MODEL, units, sheet="payments")


def test_a_record_settled_before_its_bulk_write_is_collected_keeps_its_settlement(tmp_path):
    api, journal = RunsUntilReleased(), Journal(tmp_path / "j.sqlite3")
    first = _submit(api, journal)
    assert [o.status for o in first.outcomes.values()] == [Status.PENDING] * 3
    attempts = journal.attempts()
    assert [a.state for a in attempts] == [PENDING] * 3
    journal.update([attempts[1].id], CREATED, rootfi_id="R-found", platform_id="P-found")  # found meanwhile
    api.running = False
    second = _submit(api, journal)
    after = {a.id: a for a in journal.attempts()}
    assert [after[a.id].state for a in attempts] == [CREATED] * 3
    assert after[attempts[1].id].rootfi_id == "R-found", "an attempt settled before was settled again"
    # The others got their own records (by position), not their neighbour's.
    jobs = api.syncs[attempts[0].sync_id]
    assert [after[a.id].rootfi_id for a in (attempts[0], attempts[2])] == \
        [str(jobs[0]["data"]["rootfi_id"]), str(jobs[2]["data"]["rootfi_id"])]
    assert [second.outcomes[p].status for p in (0, 2)] == [Status.CREATED, Status.CREATED]
    assert [after[a.id].message for a in (attempts[0], attempts[2])] == [None, None], \
        "settled by a lookup: their jobs were not matched to them"
    assert api.creates == 3


def test_a_record_refused_before_its_bulk_write_is_collected_stays_refused(tmp_path):
    api, journal = RunsUntilReleased(), Journal(tmp_path / "j.sqlite3")
    _submit(api, journal)
    attempts = journal.attempts()
    journal.update([attempts[1].id], FAILED, message="refused meanwhile")
    api.running = False
    _submit(api, journal)
    after = {a.id: a for a in journal.attempts()}
    assert (after[attempts[1].id].state, after[attempts[1].id].message) == (FAILED, "refused meanwhile")
    assert [after[a.id].state for a in (attempts[0], attempts[2])] == [CREATED, CREATED]
