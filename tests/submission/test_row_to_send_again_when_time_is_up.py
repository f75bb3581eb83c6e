"""A row whose answer was lost, looked up and not found (so it is to be sent again), when
Submit's time limit is reached before it goes out again, says it was not sent this time
(Skipped, the time limit named): not "answer lost" (Unknown), which would send the
accountant looking for a record that was never made."""

from __future__ import annotations

from rootfi_excel.errors import OutcomeUnknownError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.journal import Journal
from rootfi_excel.submission.sending import TIME_LIMIT
from tests.support.fake_api import FakeApi, engine, pay, payments

MODEL = "invoice_payments"


class LosesTheFirstWriteThenLooksUpSlowly(FakeApi):
    """The first create never reaches the platform and its answer is lost; every lookup
    after it takes 100 s (past the run's time limit)."""

    def create(self, company_id, model, body):
        if not self.creates:
            self.creates += 1
            raise OutcomeUnknownError("ReadTimeout (simulated)")
        return super().create(company_id, model, body)

    def find_by_document_numbers(self, company_id, model, numbers):
        if self.creates:
            self.clock.sleep(100.0)
        return super().find_by_document_numbers(company_id, model, numbers)


def test_a_row_to_send_again_when_the_time_is_up_says_it_was_not_sent(tmp_path):
    api, journal = LosesTheFirstWriteThenLooksUpSlowly(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal, check_twins=False, resend_after=0, time_limit=50.0).submit(
        MODEL, payments([pay("CHQ-1", "INV-1", 100.0)]))
    assert api.creates == 1 and not api.records, "sent once, never created"
    outcome = report.outcomes[0]
    assert (outcome.status, outcome.message) == (Status.SKIPPED, TIME_LIMIT), outcome
