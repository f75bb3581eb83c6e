"""Before the twin check, a colleague's bulk write still landing records is waited for,
but one stuck "running" for more than a day is not: it would hold every Submit for the
whole wait. Pinned where the records' own send times are not known (then every running
bulk write counts, and only the day rule leaves the stuck one out)."""

from __future__ import annotations

import datetime as dt

from rootfi_excel.api.answers import Sync
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.context import Item, Outcome, Run
from rootfi_excel.submission.journal import CREATED, Journal
from rootfi_excel.submission.platform_check import flag_twins
from tests.support.fake_api import FakeApi, engine

BASE = "https://api.example/v4"
MODEL = "invoice_payments"


class StuckColleague(FakeApi):
    """The company has one bulk write 'running' since two days ago, and one since a minute ago."""

    def __init__(self, started_ago: dt.timedelta) -> None:
        super().__init__()
        self.started_ago = started_ago
        self.polled: list[str] = []

    def list_company_syncs(self, company_id, job_type="PUSH"):
        start = self.clock.server_now() - self.started_ago
        return [Sync.model_validate({"sync_id": "COLLEAGUE", "status": "RUNNING", "job_type": "PUSH",
                                    "start_time": start.isoformat()})]

    def get_sync(self, sync_id):
        self.polled.append(sync_id)
        return Sync(sync_id=sync_id, status="SUCCESS")


def _twin_check(tmp_path, api) -> Item:
    journal = Journal(tmp_path / "j.sqlite3")
    _, (attempt_id,), _ = journal.begin(BASE, 1, MODEL, [("fp0", "CHQ-1", {"document_number": "CHQ-1"})])
    journal.update([attempt_id], CREATED, rootfi_id="R1")
    item = Item(0, {"document_number": "CHQ-1"}, "fp0", attempt_id=attempt_id)  # server_sent_at unknown
    item.outcome = Outcome(Status.CREATED, "", "R1")
    run = Run(engine(api, journal, base_url=BASE), MODEL)
    run.created_now = [item]
    flag_twins(run)
    return item


def test_the_twin_check_does_not_wait_for_a_bulk_write_stuck_for_two_days(tmp_path):
    api = StuckColleague(dt.timedelta(days=2))
    item = _twin_check(tmp_path, api)
    assert api.polled == [] and api.clock.now == 0.0, "waited for a bulk write stuck for two days"
    assert item.outcome.flag is None


def test_the_twin_check_waits_for_a_bulk_write_started_a_minute_ago(tmp_path):
    api = StuckColleague(dt.timedelta(minutes=1))
    _twin_check(tmp_path, api)
    assert api.polled == ["COLLEAGUE"]
