"""A bulk write whose answer was lost may still be creating its records: before they are
looked up (and the ones not found sent again) the company's bulk writes started since are
waited for, so a record that lands late is found, never created twice."""

from __future__ import annotations

import datetime as dt

from rootfi_excel.api.answers import Sync
from rootfi_excel.errors import OutcomeUnknownError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.journal import CREATED, Journal
from tests.support.fake_api import FakeApi, engine, pay, payments

MODEL = "invoice_payments"
TAKES = 30.0  # seconds the lost bulk write runs at RootFi before its records land


class LateLandingLostBulk(FakeApi):
    """The first bulk write's answer is lost; RootFi runs it for TAKES seconds, and its
    records appear (in lookups) only when it has finished."""

    def __init__(self) -> None:
        super().__init__()
        self.landing: list[dict] = []
        self.lost_at: dt.datetime | None = None

    def create_async(self, company_id, model, bodies):
        if self.lost_at is not None:
            return super().create_async(company_id, model, bodies)
        self.creates += len(bodies)
        self.landing = [self._make(body) for body in bodies]
        self.lost_at = self.clock.server_now()
        raise OutcomeUnknownError("ReadTimeout on the bulk write (simulated)")

    def _lost(self) -> Sync:
        done = self.clock.server_now() >= self.lost_at + dt.timedelta(seconds=TAKES)
        if done and self.landing:
            self.records += self.landing
            self.landing = []
        return Sync.model_validate({"sync_id": "S-lost", "status": "SUCCESS" if done else "RUNNING",
                                    "job_type": "PUSH", "start_time": self.lost_at.isoformat()})

    def list_company_syncs(self, company_id, job_type="PUSH"):
        return [self._lost()] if self.lost_at is not None else []

    def get_sync(self, sync_id):
        return self._lost() if sync_id == "S-lost" else super().get_sync(sync_id)


def test_records_of_a_lost_bulk_write_that_land_late_are_found_not_sent_again(tmp_path):
    api, journal = LateLandingLostBulk(), Journal(tmp_path / "j.sqlite3")
    units = payments([pay(f"CHQ-{i}", f"INV-{i}", 10.0 + i) for i in range(3)])
    report = engine(api, journal, sync_threshold=0, check_twins=False).submit(MODEL, units)
    assert api.creates == 3, "a record of the lost bulk write was sent again before it landed"
    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * 3
    assert [a.state for a in journal.attempts()] == [CREATED] * 3
    assert api.clock.now >= TAKES
