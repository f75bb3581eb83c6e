"""A bulk write of this company already running in RootFi (a colleague's, or one of ours
whose journal was lost) may hold the very records about to be sent: nothing is sent, every
row says which syncs it waits for (the first three named), and the summary says so once."""

from __future__ import annotations

import datetime as dt

import pytest

from rootfi_excel.api.answers import Sync
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.journal import Journal
from tests.support.fake_api import FakeApi, engine, pay, payments


class OthersRunning(FakeApi):
    def __init__(self, count: int) -> None:
        super().__init__()
        self.running = [f"X{n}" for n in range(1, count + 1)]

    def list_company_syncs(self, company_id, job_type="PUSH"):
        return [Sync(sync_id=s, status="RUNNING", data_model="invoice_payments") for s in self.running]

    def get_sync(self, sync_id):
        if sync_id in self.running:
            return Sync(sync_id=sync_id, status="RUNNING", data_model="invoice_payments")
        return super().get_sync(sync_id)


@pytest.mark.parametrize("count, named", [(3, "sync X1, X2, X3)"), (4, "sync X1, X2, X3 ...)")])
def test_rows_are_held_while_another_bulk_write_runs(tmp_path, count, named):
    api = OthersRunning(count)
    units = payments([pay(f"CHQ-{i}", f"INV-{i}", 10.0 + i) for i in range(2)])
    report = engine(api, Journal(tmp_path / "j.sqlite3"), running_wait=30).submit("invoice_payments", units)
    assert api.creates == 0
    assert [o.status for o in report.outcomes.values()] == [Status.SKIPPED, Status.SKIPPED]
    assert all(named in o.message and "submit again when it has finished" in o.message
               for o in report.outcomes.values())
    assert [w for w in report.warnings if w.startswith("nothing was sent while another bulk write")] == [
        f"nothing was sent while another bulk write of this company was still running in RootFi ({named[:-1]}); "
        "submit again when it has finished"]


class StuckForDays(OthersRunning):
    def list_company_syncs(self, company_id, job_type="PUSH"):
        started = (self.clock.server_now() - dt.timedelta(days=2)).isoformat()
        return [Sync(sync_id=s, status="RUNNING", data_model="invoice_payments", start_time=started)
                for s in self.running]


def test_a_bulk_write_stuck_for_days_holds_nothing(tmp_path):
    api = StuckForDays(1)
    units = payments([pay("CHQ-1", "INV-1", 10.0)])
    report = engine(api, Journal(tmp_path / "j.sqlite3"), running_wait=30).submit("invoice_payments", units)
    assert report.outcomes[0].status == Status.CREATED and api.creates == 1
