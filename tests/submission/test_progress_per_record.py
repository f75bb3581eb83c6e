"""The progress line moves one record at a time, as each row gets its outcome, whichever
way the outcome came (created now, already in the platform, refused, found by a lookup),
and says how many went out in bulk writes while their answers are awaited; not only once
at the end of the phase, when every row is counted anyway."""

from __future__ import annotations

from rootfi_excel.errors import ApiValidationError, OutcomeUnknownError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.context import ALREADY_EXISTS
from rootfi_excel.submission.journal import Journal
from tests.support.fake_api import FakeApi, engine, pay, payments

MODEL = "invoice_payments"


def _submit(tmp_path, api, rows, **options):
    calls: list[tuple[int, int, str]] = []
    report = engine(api, Journal(tmp_path / "j.sqlite3"), progress=lambda *call: calls.append(call),
                    **options).submit(MODEL, rows)
    return report, calls


def _rows(count: int, amount: float = 100.0):
    return [pay(f"CHQ-{i}", f"INV-{i}", amount + i) for i in range(count)]


def assert_counted_one_at_a_time(calls, count: int) -> None:
    done = [d for d, _, _ in calls]
    assert set(range(1, count + 1)) <= set(done), f"progress jumped: {done}"


def test_records_created_one_by_one_are_counted_one_at_a_time(tmp_path):
    report, calls = _submit(tmp_path, FakeApi(), payments(_rows(3)), check_twins=False)
    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * 3
    assert_counted_one_at_a_time(calls, 3)


def test_records_of_a_bulk_write_are_counted_as_its_jobs_are_read(tmp_path):
    report, calls = _submit(tmp_path, FakeApi(), payments(_rows(3)), sync_threshold=0, check_twins=False)
    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * 3
    assert any("3 sent in 1 bulk write" in text for _, _, text in calls), calls
    assert_counted_one_at_a_time(calls, 3)


def test_records_already_in_the_platform_are_counted_one_at_a_time(tmp_path):
    api = FakeApi()
    api.records += [api._make(row) for row in _rows(2)]
    report, calls = _submit(tmp_path, api, payments(_rows(2)), check_twins=False)
    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * 2 and api.creates == 0
    assert_counted_one_at_a_time(calls, 2)


def test_rows_whose_number_is_taken_are_counted_one_at_a_time(tmp_path):
    api = FakeApi()
    api.records += [api._make(row) for row in _rows(2, amount=900.0)]  # the same numbers, other amounts
    report, calls = _submit(tmp_path, api, payments(_rows(2)), check_twins=False)
    assert [o.status for o in report.outcomes.values()] == [Status.FAILED] * 2 and api.creates == 0
    assert_counted_one_at_a_time(calls, 2)


class HiddenUntilRefused(FakeApi):
    """The records are there, but the check before sending does not see them; each create
    is refused as existing."""

    hidden = True

    def create(self, company_id, model, body):
        self.creates += 1
        self.hidden = False
        raise ApiValidationError("document_number already exists", code=ALREADY_EXISTS)

    def find_by_document_numbers(self, company_id, model, numbers):
        return [] if self.hidden else super().find_by_document_numbers(company_id, model, numbers)


def test_records_the_platform_says_exist_are_counted_one_at_a_time(tmp_path):
    api = HiddenUntilRefused()
    api.records += [api._make(row) for row in _rows(2)]
    report, calls = _submit(tmp_path, api, payments(_rows(2)), check_twins=False)
    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * 2
    assert_counted_one_at_a_time(calls, 2)


class LosesEveryAnswer(FakeApi):
    def create(self, company_id, model, body):
        super().create(company_id, model, body)
        raise OutcomeUnknownError("ReadTimeout (simulated)")


def test_records_found_after_lost_answers_are_counted_one_at_a_time(tmp_path):
    report, calls = _submit(tmp_path, LosesEveryAnswer(), payments(_rows(2)), check_twins=False)
    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * 2
    assert_counted_one_at_a_time(calls, 2)
