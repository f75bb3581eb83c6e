"""Why a record was looked up belongs to one request: a record sent again starts with no
reason, so a later lookup after its lost answer says "the answer was lost", not the
reason an earlier request of the same row was looked up."""

from __future__ import annotations

from rootfi_excel.errors import NotFoundError, OutcomeUnknownError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.collecting import NOT_READ
from rootfi_excel.submission.journal import CREATED, FAILED, Journal
from rootfi_excel.submission.lookups import LOST_AND_FOUND
from tests.support.fake_api import FakeApi, engine, pay, payments

MODEL = "invoice_payments"


class ForgetsThenLoses(FakeApi):
    """First bulk write: RootFi does not know it and created nothing. Second: the record
    is created but the answer is lost."""

    def create_async(self, company_id, model, bodies):
        if not self.syncs:
            self.syncs["S-unknown"] = []
            return "S-unknown"
        super().create_async(company_id, model, bodies)
        raise OutcomeUnknownError("ReadTimeout (simulated)")

    def get_sync(self, sync_id):
        if sync_id == "S-unknown":
            raise NotFoundError(f"sync {sync_id} not found (simulated)")
        return super().get_sync(sync_id)


def test_a_record_sent_again_and_found_after_a_lost_answer_says_its_answer_was_lost(tmp_path):
    api, journal = ForgetsThenLoses(), Journal(tmp_path / "j.sqlite3")
    rows = payments([pay("CHQ-1", "INV-1", 100.0)])
    report = engine(api, journal, sync_threshold=0, check_twins=False).submit(MODEL, rows)
    outcome = report.outcomes[0]
    assert outcome.status == Status.CREATED
    assert outcome.message == LOST_AND_FOUND
    assert NOT_READ not in outcome.message, "the first request's reason stuck to the second"
    assert [a.state for a in journal.attempts()] == [FAILED, CREATED]
