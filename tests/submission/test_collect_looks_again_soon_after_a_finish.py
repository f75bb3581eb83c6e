"""While no finish can be forecast yet (no rate known), collecting looks at the bulk writes
on a growing interval, but a look that finds one finished starts the interval again from
its first step: the next is likely close behind (one worker at RootFi runs them in turn)."""

from __future__ import annotations

from rootfi_excel.api.answers import Sync
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.collecting import COLLECT_POLL
from rootfi_excel.submission.journal import Journal
from tests.support.fake_api import FakeApi, engine, pay, payments


class InTurn(FakeApi):
    """S1 has finished at the first look; S2 finishes 5 s later. No start or end times, so
    nothing can be forecast from RootFi's own clock."""

    def __init__(self) -> None:
        super().__init__()
        self.looks: list[float] = []

    def get_sync(self, sync_id):
        if sync_id == "S2":
            self.looks.append(self.clock.now)
        done = sync_id == "S1" or self.clock.now >= 5.0
        return Sync(sync_id=sync_id, status="SUCCESS" if done else "RUNNING")


def test_after_a_look_that_found_a_bulk_write_finished_the_interval_starts_again(tmp_path):
    api = InTurn()
    report = engine(api, Journal(tmp_path / "j.sqlite3"), sync_threshold=0, batch_size=1, check_twins=False).submit(
        "invoice_payments", payments([pay(f"CHQ-{i}", f"INV-{i}", 10.0 + i) for i in range(2)]))
    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * 2
    gaps = [later - earlier for earlier, later in zip(api.looks, api.looks[1:])]
    assert gaps[0] == gaps[1] == COLLECT_POLL, f"the interval grew after a finish: looks at {api.looks}"
    assert gaps[2] > gaps[1], "with nothing finishing, the interval grows"
