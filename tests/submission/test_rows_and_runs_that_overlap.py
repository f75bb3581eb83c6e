"""The engine when rows and runs overlap: an edited row while its answer is outstanding, a
row deleted while its bulk write runs, a lost bulk write that outlives its wait, two
environments. Each once created a record twice or showed a wrong rootfi_id."""

from __future__ import annotations

from collections import Counter

from rootfi_excel.api.answers import Job, Sync
from rootfi_excel.errors import NetworkError, OutcomeUnknownError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.journal import CREATED, FAILED, Journal
from tests.support.fake_api import FakeApi, credit_notes, engine, pay, payments


class LookupDown(FakeApi):
    """The check before sending works; every lookup after it fails until `down` is cleared."""

    down = True
    lookups = 0

    def find_by_document_numbers(self, *args):
        self.lookups += 1
        if self.down and self.lookups > 1:
            raise NetworkError("ConnectError (simulated)")
        return super().find_by_document_numbers(*args)


def test_editing_a_row_whose_answer_was_lost_never_creates_a_second_record(tmp_path):
    api, journal = LookupDown(), Journal(tmp_path / "j.sqlite3")
    api.lose_next_create = True
    first = engine(api, journal).submit("invoice_payments", payments([pay("CHQ-1", "INV-1", 1000.0)]))
    assert first.outcomes[0].status == Status.UNKNOWN  # created, but neither answer nor lookup came back
    api.down = False
    edited = payments([pay("CHQ-1", "INV-1", 1000.5)])  # the accountant corrects the amount
    second = engine(api, journal).submit("invoice_payments", edited)
    assert second.outcomes[0].status == Status.UNKNOWN and "earlier Submit" in second.outcomes[0].message
    assert [a.state for a in journal.attempts()] == [CREATED]  # the earlier attempt was settled
    third = engine(api, journal).submit("invoice_payments", edited)
    assert third.outcomes[0].status == Status.FAILED and "already created (rootfi_id 1000" in third.outcomes[0].message
    assert api.creates == 1


def test_a_credit_note_with_other_lines_is_not_taken_for_the_one_in_the_platform(tmp_path):
    api, journal = LookupDown(), Journal(tmp_path / "j.sqlite3")
    line = {"document_number": "CN-9", "contact_id": "C1", "posted_date": "2026-03-31", "account_id": "4000",
            "quantity": 1, "unit_amount": 100.0}
    api.lose_next_create = True
    engine(api, journal).submit("invoice_credit_notes", credit_notes([line]))
    api.down = False
    # Another computer (no journal) has the edited credit note: the platform's CN-9 has other lines.
    other = engine(api, Journal(tmp_path / "other.sqlite3")).submit(
        "invoice_credit_notes", credit_notes([{**line, "unit_amount": 80.0}]))
    assert other.outcomes[0].status == Status.FAILED and "with other values" in other.outcomes[0].message
    assert api.creates == 1


class StillRunning(FakeApi):
    running = True
    fail_first = False

    def get_sync(self, sync_id):
        return Sync(sync_id=sync_id, status="RUNNING" if self.running else "SUCCESS")

    def list_sync_jobs(self, sync_id):
        if self.running:
            return [Job(status="RUNNING")]
        jobs = [dict(job) for job in self.syncs[sync_id]]
        if self.fail_first:
            jobs[0] = {"status": "FAILED", "error": {"code": "platform-denied", "message": "invoice INV-A is closed"},
                       "variables": jobs[0]["variables"]}
            self.records = [r for r in self.records if r["invoice_id"] != "INV-A"]
        return [Job.model_validate(job) for job in jobs]


def test_a_row_deleted_while_its_bulk_write_runs_does_not_shift_results(tmp_path):
    for fail_first in (False, True):
        api, journal = StillRunning(), Journal(tmp_path / f"j{fail_first}.sqlite3")
        api.fail_first = fail_first
        rows = [pay("CHQ-1", "INV-A", 100.0), pay("CHQ-1", "INV-B", 200.0), pay("CHQ-2", "INV-C", 300.0),
                pay("CHQ-3", "INV-D", 400.0)]
        first = engine(api, journal).submit("invoice_payments", payments(rows))
        assert {o.status for o in first.outcomes.values()} == {Status.PENDING}
        api.running = False
        second = engine(api, journal).submit("invoice_payments", payments(rows[1:]))  # the INV-A row is gone
        truth = {r["invoice_id"]: str(r["rootfi_id"]) for r in api.records}
        assert [(o.status, o.rootfi_id) for o in second.outcomes.values()] == [
            (Status.CREATED, truth["INV-B"]), (Status.CREATED, truth["INV-C"]), (Status.CREATED, truth["INV-D"])]
        ghost = journal.attempts()[0]  # the deleted row's answer is kept, not dropped
        assert ghost.state == (FAILED if fail_first else CREATED)


class LostBulkStillRunning(FakeApi):
    def __init__(self):
        super().__init__()
        self.first = True
        self.queue = []

    def create_async(self, company_id, model, bodies):
        if self.first:  # accepted, creating slowly, but the answer is lost
            self.first = False
            self.creates += len(bodies)
            made = [self._make(b) for b in bodies]
            self.records += made[:2]
            self.queue = made[2:]
            raise OutcomeUnknownError("the server answered 502 (simulated)", status=502)
        return super().create_async(company_id, model, bodies)

    def list_company_syncs(self, company_id, job_type="PUSH"):
        return [Sync(sync_id="S0", status="RUNNING")] if self.queue else []

    def get_sync(self, sync_id):
        return Sync(sync_id=sync_id, status="RUNNING" if sync_id == "S0" and self.queue else "SUCCESS")


def test_a_lost_bulk_write_still_running_is_never_sent_again(tmp_path):
    api, journal = LostBulkStillRunning(), Journal(tmp_path / "j.sqlite3")
    rows = payments([pay(f"CHQ-{i}", f"INV-{i}", 100.0 + i) for i in range(6)])
    report = engine(api, journal).submit("invoice_payments", rows)
    assert Counter(o.status for o in report.outcomes.values())[Status.CREATED] <= 2
    api.records += api.queue  # the slow bulk write finishes later
    api.queue = []
    again = engine(api, journal).submit("invoice_payments", rows)
    assert {o.status for o in again.outcomes.values()} == {Status.CREATED}
    assert set(Counter(r["document_number"] for r in api.records).values()) == {1}


def test_environments_never_see_each_others_attempts(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    engine(FakeApi(), journal, base_url="https://api.rootfi.dev/v4").submit(
        "invoice_payments", payments([pay("CHQ-1", "INV-1", 10.0)]))
    production = FakeApi()
    report = engine(production, journal).submit("invoice_payments", payments([pay("CHQ-1", "INV-1", 12.0)]))
    assert report.outcomes[0].status == Status.CREATED and production.creates == 1


def test_a_job_without_index_on_a_shared_cheque_keeps_its_reason(tmp_path):
    class NoIndex(FakeApi):
        def list_sync_jobs(self, sync_id):
            jobs = [dict(j, variables={"document_number": j["variables"]["document_number"]}) for j in self.syncs[sync_id]]
            jobs[1] = {"status": "FAILED", "error": {"code": "platform-denied", "message": "invoice INV-B is closed"},
                       "variables": {"document_number": "CHQ-1"}}
            self.records = [r for r in self.records if r["invoice_id"] != "INV-B"]
            return [Job.model_validate(job) for job in jobs]

    api = NoIndex()
    rows = payments([pay("CHQ-1", "INV-A", 1.0), pay("CHQ-1", "INV-B", 2.0), pay("CHQ-2", "INV-C", 3.0),
                     pay("CHQ-3", "INV-D", 4.0)])
    report = engine(api, Journal(tmp_path / "j.sqlite3")).submit("invoice_payments", rows)
    assert report.outcomes[1].status == Status.FAILED and "INV-B is closed" in report.outcomes[1].message
    assert [report.outcomes[i].status for i in (0, 2, 3)] == [Status.CREATED] * 3
    assert api.creates == 4


def test_an_old_stuck_bulk_write_does_not_block_reconciling_a_new_lost_one(tmp_path):
    class OldStuckSync(LostBulkStillRunning):
        def list_company_syncs(self, company_id, job_type="PUSH"):
            return [Sync(sync_id="OLD", status="RUNNING", start_time="2020-01-01T00:00:00.000Z")]

        def get_sync(self, sync_id):
            return Sync(sync_id=sync_id, status="RUNNING" if sync_id == "OLD" else "SUCCESS")

    api, journal = OldStuckSync(), Journal(tmp_path / "j.sqlite3")
    api.queue = []
    rows = payments([pay(f"CHQ-{i}", f"INV-{i}", 100.0 + i) for i in range(6)])
    report = engine(api, journal).submit("invoice_payments", rows)
    assert {o.status for o in report.outcomes.values()} == {Status.CREATED}
    assert set(Counter(r["document_number"] for r in api.records).values()) == {1}
