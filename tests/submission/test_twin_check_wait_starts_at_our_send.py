"""The twin check waits only for the company's bulk writes that started after our records
were sent (on RootFi's clock, less a margin): one started well before cannot create a
twin of a record sent later, so it is not waited for, however long it runs."""

from __future__ import annotations

import datetime as dt

from rootfi_excel.api.answers import Sync
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.journal import Journal
from tests.support.fake_api import FakeApi, engine, pay, payments

MODEL = "invoice_payments"


class ColleagueStartedEarlier(FakeApi):
    """A colleague's bulk write started `started_ago` before our first create, still running;
    it is listed only once our record has been sent (before that, the company had none)."""

    def __init__(self, started_ago: dt.timedelta) -> None:
        super().__init__()
        self.started_ago = started_ago
        self.started: dt.datetime | None = None
        self.polled: list[str] = []

    def create(self, company_id, model, body):
        if self.started is None:
            self.started = self.clock.server_now() - self.started_ago
        return super().create(company_id, model, body)

    def list_company_syncs(self, company_id, job_type="PUSH"):
        if self.started is None:
            return []
        return [Sync.model_validate({"sync_id": "COLLEAGUE", "status": "RUNNING", "job_type": "PUSH",
                                     "start_time": self.started.isoformat()})]

    def get_sync(self, sync_id):
        self.polled.append(sync_id)
        return Sync(sync_id=sync_id, status="RUNNING")


def test_the_twin_check_does_not_wait_for_a_bulk_write_started_before_our_send(tmp_path):
    api = ColleagueStartedEarlier(dt.timedelta(minutes=10))
    report = engine(api, Journal(tmp_path / "j.sqlite3")).submit(MODEL, payments([pay("CHQ-1", "INV-1", 10.0)]))
    assert report.outcomes[0].status == Status.CREATED
    assert api.polled == [] and api.clock.now == 0.0, "waited for a bulk write that started before our send"


def test_the_twin_check_waits_for_a_bulk_write_started_within_the_margin(tmp_path):
    api = ColleagueStartedEarlier(dt.timedelta(seconds=30))  # within the margin: it may hold a twin
    report = engine(api, Journal(tmp_path / "j.sqlite3"), twin_wait=20.0).submit(
        MODEL, payments([pay("CHQ-1", "INV-1", 10.0)]))
    assert report.outcomes[0].status == Status.CREATED
    assert "COLLEAGUE" in api.polled
