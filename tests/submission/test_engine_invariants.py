"""The engine's promises, pinned one decision at a time: each test here fails when one
small change is made to the line that keeps the promise (a `continue` dropped, a
condition negated, a `claimed.add` left out). The scenarios are ones the sandbox cannot
produce on cue (a bulk write answering with fewer failure reasons than rows, a lookup
failing at one exact moment), so they run against tests/support/fake_api.py."""

from __future__ import annotations

import pytest

from rootfi_excel.errors import (
    ApiValidationError,
    AuthError,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
)
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.context import (
    ALREADY_EXISTS,
    POSSIBLE_DUPLICATE,
    TWIN_CHECK_FAILED,
    Run,
)
from rootfi_excel.submission.journal import CREATED, FAILED, LOST_ANSWER, SENDING, UNKNOWN, Journal
from rootfi_excel.submission.lookups import claimed_ids
from rootfi_excel.submission.sending import TIME_LIMIT
from tests.support.fake_api import FakeApi, engine, pay, payments

BASE = "https://api.example/v4"
MODEL = "invoice_payments"


def held_records(report) -> list[str]:
    """The rootfi_id each row shows (Created rows), in row order."""
    return [o.rootfi_id for _, o in sorted(report.outcomes.items()) if o.status == Status.CREATED and o.rootfi_id]


def assert_no_record_held_twice(report) -> None:
    held = held_records(report)
    assert len(held) == len(set(held)), f"two rows hold one record: {held}"


# ------------------------------------------------------------------ the journal


def test_begin_leaves_out_a_record_another_submit_is_sending_and_keeps_every_other_id_its_own(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    records = [(f"fp{i}", f"N{i}", {"document_number": f"N{i}"}) for i in range(3)]
    journal.begin(BASE, 1, MODEL, [records[1]])  # another Submit started sending the middle record meanwhile
    batch, ids, _ = journal.begin(BASE, 1, MODEL, records, basis=[None, None, None])
    assert len(ids) == 3 and ids[1] is None and None not in (ids[0], ids[2])
    by_id = {attempt.id: attempt for attempt in journal.attempts()}
    assert [by_id[ids[0]].fingerprint, by_id[ids[2]].fingerprint] == ["fp0", "fp2"]
    assert [a.fingerprint for a in journal.attempts() if a.batch_id == batch] == ["fp0", "fp2"]


def test_begin_sends_a_record_whose_newest_attempt_is_the_one_the_decision_rests_on(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    _, (earlier,), _ = journal.begin(BASE, 1, MODEL, [("fp", "N", {"document_number": "N"})])
    journal.update([earlier], FAILED, message="refused")
    _, ids, _ = journal.begin(BASE, 1, MODEL, [("fp", "N", {"document_number": "N"})], basis=[earlier])
    assert ids[0] is not None and ids[0] != earlier


def test_a_failed_write_to_the_journal_leaves_no_attempt_and_the_journal_usable(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    unstorable = {"document_number": "N2", "amount": {1, 2}}  # a set: json cannot write it
    with pytest.raises(TypeError):
        journal.begin(BASE, 1, MODEL, [("fp1", "N1", {"document_number": "N1"}), ("fp2", "N2", unstorable)])
    assert journal.attempts() == [], "the first record's attempt is rolled back with the second"
    _, ids, _ = journal.begin(BASE, 1, MODEL, [("fp1", "N1", {"document_number": "N1"})])
    assert [a.id for a in journal.attempts()] == ids


# ------------------------------------------------------------------ which rows may be journalled FAILED


class RefusedWithoutPositions(FakeApi):
    """A bulk write whose jobs fail without saying which record they are about: `reasons`
    failed jobs per document number, and no record created."""

    reasons = 1

    def create_async(self, company_id, model, bodies):
        self.creates += len(bodies)
        sync_id = f"S{len(self.syncs) + 1}"
        numbers = list(dict.fromkeys(body["document_number"] for body in bodies))
        self.syncs[sync_id] = [{"status": "FAILED", "error": {"code": "platform-denied", "message": "period closed"},
                                "variables": {"document_number": number}}
                               for number in numbers for _ in range(self.reasons)]
        return sync_id


def _two_rows_one_number():
    return payments([pay("CHQ-1", "INV-A", 100.0), pay("CHQ-1", "INV-B", 200.0)])


@pytest.mark.parametrize("reasons", [0, 1])
def test_rows_are_not_journalled_failed_when_the_bulk_write_gave_fewer_reasons_than_rows(tmp_path, reasons):
    api, journal = RefusedWithoutPositions(), Journal(tmp_path / "j.sqlite3")
    api.reasons = reasons
    # resend_after: the lost answers are too young to be looked up again and resent in this run
    report = engine(api, journal, sync_threshold=0, resend_after=10_000).submit(MODEL, _two_rows_one_number())
    assert [o.status for o in report.outcomes.values()] == [Status.UNKNOWN, Status.UNKNOWN]
    assert [a.state for a in journal.attempts()] == [UNKNOWN, UNKNOWN], "FAILED would let them be sent again"


def test_rows_are_journalled_failed_when_every_row_has_its_reason(tmp_path):
    api, journal = RefusedWithoutPositions(), Journal(tmp_path / "j.sqlite3")
    api.reasons = 2
    report = engine(api, journal, sync_threshold=0, resend_after=10_000).submit(MODEL, _two_rows_one_number())
    assert [o.status for o in report.outcomes.values()] == [Status.FAILED, Status.FAILED]
    assert all("period closed" in o.message for o in report.outcomes.values())
    assert [a.state for a in journal.attempts()] == [FAILED, FAILED]


# ------------------------------------------------------------------ no two rows hold one record


def test_claimed_ids_are_the_records_our_created_attempts_own(tmp_path):
    api, journal = FakeApi(), Journal(tmp_path / "j.sqlite3")
    _, ids, _ = journal.begin(BASE, 1, MODEL, [(f"fp{i}", "CHQ-1", {"document_number": "CHQ-1"}) for i in range(3)])
    journal.update([ids[0]], CREATED, rootfi_id="R1")
    journal.update([ids[1]], CREATED)  # created, its id not known (settled by lookup later)
    journal.update([ids[2]], FAILED, message="refused")
    run = Run(engine(api, journal, base_url=BASE), MODEL)
    assert claimed_ids(run, {"CHQ-1": [{"rootfi_id": "R1"}], "CHQ-2": []}) == {"R1"}


def _twin_rows():
    """Two units that both match one record (same number, invoice and amount; another memo).
    Validate refuses such rows in one sheet, but the engine holds the line on its own: it is
    handed units, and the journal's ghosts (rows deleted since) meet the sheet's rows."""
    return (payments([{**pay("CHQ-1", "INV-1", 100.0), "memo": "first"}])
            + payments([{**pay("CHQ-1", "INV-1", 100.0), "memo": "second"}]))


def test_one_record_already_in_the_platform_is_taken_by_one_row_only(tmp_path):
    api, journal = FakeApi(), Journal(tmp_path / "j.sqlite3")
    api.records.append(api._make(pay("CHQ-1", "INV-1", 100.0)))  # a colleague's record
    report = engine(api, journal, check_twins=False).submit(MODEL, _twin_rows())
    assert_no_record_held_twice(report)
    assert held_records(report)[0] == "1000"
    assert [a.bulk for a in journal.attempts()] == [False], "one record sent on its own is no bulk write"
    assert [o.status for o in report.outcomes.values()] == [Status.CREATED, Status.CREATED]


class LosesEveryAnswer(FakeApi):
    """Creates only the first record it is sent, and loses every answer."""

    def create(self, company_id, model, body):
        self.creates += 1
        if self.creates == 1:
            self.records.append(self._make(body))
        raise OutcomeUnknownError("ReadTimeout (simulated)")


def test_a_record_found_after_a_lost_answer_is_taken_by_one_row_only(tmp_path):
    api, journal = LosesEveryAnswer(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal, check_twins=False).submit(MODEL, _twin_rows())
    assert_no_record_held_twice(report)
    assert held_records(report) == ["1000"]


class AlreadyExists(FakeApi):
    """Refuses every create: the document number exists (records already there, hidden from the
    check before sending by `hidden_until_refused`)."""

    hidden_until_refused = True
    lookup_fails_after_refusal = False

    def create(self, company_id, model, body):
        self.creates += 1
        self.hidden_until_refused = False
        raise ApiValidationError("document_number already exists", code=ALREADY_EXISTS)

    def find_by_document_numbers(self, company_id, model, numbers):
        if self.hidden_until_refused:
            return []
        if self.lookup_fails_after_refusal:
            raise NetworkError("ConnectError (simulated)")
        return super().find_by_document_numbers(company_id, model, numbers)


def test_a_record_the_platform_says_exists_is_taken_by_one_row_only(tmp_path):
    api, journal = AlreadyExists(), Journal(tmp_path / "j.sqlite3")
    api.records.append(api._make(pay("CHQ-1", "INV-1", 100.0)))
    report = engine(api, journal, check_twins=False).submit(MODEL, _twin_rows())
    assert_no_record_held_twice(report)
    statuses = [o.status for _, o in sorted(report.outcomes.items())]
    assert statuses == [Status.CREATED, Status.FAILED]
    assert "refused a second one" in report.outcomes[1].message
    assert report.aborted is None


def test_when_the_lookup_after_already_exists_fails_the_rows_stay_unknown(tmp_path):
    api, journal = AlreadyExists(), Journal(tmp_path / "j.sqlite3")
    api.lookup_fails_after_refusal = True
    report = engine(api, journal, check_twins=False).submit(MODEL, payments([pay("CHQ-1", "INV-1", 100.0)]))
    assert report.outcomes[0].status == Status.UNKNOWN and "already exists" in report.outcomes[0].message
    assert report.aborted is None
    [attempt] = journal.attempts()
    assert (attempt.state, attempt.error_code) == (UNKNOWN, ALREADY_EXISTS)


# ------------------------------------------------------------------ refused bulk writes


class RefusesBulk(FakeApi):
    error: Exception = RateLimitedError("429 Too Many Requests (simulated)")

    def create_async(self, company_id, model, bodies):
        self.creates += len(bodies)
        raise self.error


def _rows(count: int):
    return payments([pay(f"CHQ-{i}", f"INV-{i}", 100.0 + i) for i in range(count)])


def test_a_bulk_write_that_was_not_processed_settles_its_attempts_as_not_sent(tmp_path):
    api, journal = RefusesBulk(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal, sync_threshold=0, batch_size=2).submit(MODEL, _rows(4))
    assert [o.status for o in report.outcomes.values()] == [Status.FAILED] * 4
    assert all("not sent, nothing was created" in o.message for o in report.outcomes.values())
    assert {a.state for a in journal.attempts()} == {FAILED}
    assert not report.key_refused and report.aborted is None


def test_a_refused_key_on_a_bulk_write_settles_its_attempts_and_stops_the_run(tmp_path):
    api, journal = RefusesBulk(), Journal(tmp_path / "j.sqlite3")
    api.error = AuthError("401 Unauthorized (simulated)")
    report = engine(api, journal, sync_threshold=0, batch_size=2).submit(MODEL, _rows(4))
    assert report.key_refused
    assert api.creates == 2, "nothing more is sent after the key is refused"
    assert [a.state for a in journal.attempts()] == [FAILED, FAILED], "never left SENDING"
    assert [o.status for _, o in sorted(report.outcomes.items())][:2] == [Status.FAILED, Status.FAILED]


def test_a_bulk_write_refused_for_its_data_fails_its_rows_with_the_reason(tmp_path):
    api, journal = RefusesBulk(), Journal(tmp_path / "j.sqlite3")
    api.error = ApiValidationError("amount must be positive", code="invalid-data")
    report = engine(api, journal, sync_threshold=0).submit(MODEL, _rows(2))
    assert [o.status for o in report.outcomes.values()] == [Status.FAILED, Status.FAILED]
    assert all("amount must be positive" in o.message for o in report.outcomes.values())
    assert [(a.state, a.error_code) for a in journal.attempts()] == [(FAILED, "invalid-data")] * 2
    assert report.aborted is None


def test_a_single_record_refused_with_a_refused_key_is_not_left_sending(tmp_path):
    class RefusesKey(FakeApi):
        def create(self, company_id, model, body):
            self.creates += 1
            raise AuthError("401 Unauthorized (simulated)")

    api, journal = RefusesKey(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal).submit(MODEL, _rows(2))
    assert report.key_refused and api.creates == 1
    assert [a.state for a in journal.attempts()] == [FAILED]


# ------------------------------------------------------------------ the time limit between batches


class SlowBulk(FakeApi):
    """Each bulk write takes 100 s of the run's time."""

    def create_async(self, company_id, model, bodies):
        self.clock.sleep(100.0)
        return super().create_async(company_id, model, bodies)


def test_no_batch_goes_out_once_the_time_limit_is_reached(tmp_path):
    api, journal = SlowBulk(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal, sync_threshold=0, batch_size=2, time_limit=150.0,
                    check_twins=False).submit(MODEL, _rows(6))
    statuses = [o.status for _, o in sorted(report.outcomes.items())]
    assert api.creates == 4, "two batches went out; the third was due after the limit"
    assert statuses[4:] == [Status.SKIPPED, Status.SKIPPED]
    assert all(report.outcomes[p].message == TIME_LIMIT for p in (4, 5))
    assert len(journal.attempts()) == 4, "nothing is journalled for rows never sent"
    assert SENDING not in {a.state for a in journal.attempts()}


# ------------------------------------------------------------------ a sync RootFi does not know


class ForgetsSyncs(FakeApi):
    """RootFi answers 404 for the jobs of every bulk write (the records were created)."""

    def list_sync_jobs(self, sync_id):
        raise NotFoundError(f"sync {sync_id} not found (simulated)")


def test_records_of_a_sync_rootfi_does_not_know_are_looked_up(tmp_path):
    api, journal = ForgetsSyncs(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal, sync_threshold=0, check_twins=False).submit(MODEL, _rows(3))
    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * 3
    assert held_records(report) == ["1000", "1001", "1002"]
    assert [a.state for a in journal.attempts()] == [CREATED] * 3


class UnknownSync(FakeApi):
    """RootFi answers 404 for the bulk write itself (its status), and has no record of it."""

    def create_async(self, company_id, model, bodies):
        self.creates += len(bodies)
        return "S-unknown"

    def get_sync(self, sync_id):
        raise NotFoundError(f"sync {sync_id} not found (simulated)")


def test_rows_of_a_sync_rootfi_does_not_know_and_whose_records_are_not_there_stay_unknown(tmp_path):
    api, journal = UnknownSync(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal, sync_threshold=0, resend_after=10_000, check_twins=False).submit(MODEL, _rows(2))
    assert [o.status for o in report.outcomes.values()] == [Status.UNKNOWN, Status.UNKNOWN]
    assert [a.state for a in journal.attempts()] == [UNKNOWN, UNKNOWN]


# ------------------------------------------------------------------ every flag reaches the journal and the row


class WithTwin(FakeApi):
    """After each create, a colleague's identical record appears (both sent at one moment)."""

    def create(self, company_id, model, body):
        record = super().create(company_id, model, body)
        self.records.append(self._make(body))
        return record


def test_a_possible_duplicate_is_flagged_in_the_journal_and_on_the_row(tmp_path):
    api, journal = WithTwin(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal).submit(MODEL, _rows(1))
    outcome = report.outcomes[0]
    assert (outcome.status, outcome.flag) == (Status.CREATED, POSSIBLE_DUPLICATE)
    assert "Possible duplicate: rootfi_id 1000 and 1001" in outcome.message
    [attempt] = journal.attempts()
    assert (attempt.state, attempt.error_code, attempt.rootfi_id) == (CREATED, POSSIBLE_DUPLICATE, "1000")
    assert attempt.message == outcome.message


class TwinCheckDown(FakeApi):
    """Lookups work until the first record is created, then fail."""

    def create(self, company_id, model, body):
        self.created_one = True
        return super().create(company_id, model, body)

    def find_by_document_numbers(self, company_id, model, numbers):
        if getattr(self, "created_one", False):
            raise NetworkError("ConnectError (simulated)")
        return super().find_by_document_numbers(company_id, model, numbers)


def test_a_twin_check_that_cannot_run_is_flagged_in_the_journal_and_on_the_row(tmp_path):
    api, journal = TwinCheckDown(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal).submit(MODEL, _rows(2))
    assert [o.flag for o in report.outcomes.values()] == [TWIN_CHECK_FAILED, TWIN_CHECK_FAILED]
    assert all("for document_number CHQ-" in o.message for o in report.outcomes.values())
    assert [(a.state, a.error_code) for a in journal.attempts()] == [(CREATED, TWIN_CHECK_FAILED)] * 2
    assert report.warnings and "could not run" in report.warnings[-1]
    assert report.aborted is None


def test_a_record_without_a_twin_is_not_flagged(tmp_path):
    api, journal = FakeApi(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal).submit(MODEL, _rows(2))
    assert [o.flag for o in report.outcomes.values()] == [None, None]
    assert [a.error_code for a in journal.attempts()] == [None, None]


def test_a_lost_answer_not_found_is_closed_as_sent_again(tmp_path):
    api, journal = FakeApi(), Journal(tmp_path / "j.sqlite3")

    class LosesFirst(FakeApi):
        def create(self, company_id, model, body):
            self.creates += 1
            if self.creates == 1:
                raise OutcomeUnknownError("ReadTimeout (simulated)")  # lost, and nothing created
            return super().create(company_id, model, body)

    api = LosesFirst()
    report = engine(api, journal, check_twins=False).submit(MODEL, _rows(1))
    assert report.outcomes[0].status == Status.CREATED
    assert [(a.state, a.error_code) for a in journal.attempts()] == [(FAILED, LOST_ANSWER), (CREATED, None)]


# ------------------------------------------------------------------ found by the mutation run (tools/mutate.py)


class ExistsInBulk(FakeApi):
    """A bulk write whose every job fails: the document number already exists."""

    def create_async(self, company_id, model, bodies):
        self.creates += len(bodies)
        sync_id = f"S{len(self.syncs) + 1}"
        self.syncs[sync_id] = [{"status": "FAILED", "error": {"code": ALREADY_EXISTS, "message": "already exists"},
                                "variables": {"record_index": index}} for index in range(len(bodies))]
        return sync_id

    def find_by_document_numbers(self, company_id, model, numbers):
        return super().find_by_document_numbers(company_id, model, numbers) if self.syncs else []


def test_one_record_the_platform_says_exists_is_taken_by_one_row_of_a_bulk_write(tmp_path):
    api, journal = ExistsInBulk(), Journal(tmp_path / "j.sqlite3")
    api.records.append(api._make(pay("CHQ-1", "INV-1", 100.0)))  # hidden from the check before sending
    report = engine(api, journal, sync_threshold=0, check_twins=False).submit(MODEL, _twin_rows())
    assert_no_record_held_twice(report)
    assert [o.status for _, o in sorted(report.outcomes.items())] == [Status.CREATED, Status.FAILED]
    assert "(rootfi_id 1000) and refused a second one" in report.outcomes[1].message
    assert [(a.state, a.rootfi_id) for a in journal.attempts()] == [(CREATED, "1000"), (FAILED, None)]


class NeverFinishes(FakeApi):
    def get_sync(self, sync_id):
        from rootfi_excel.api.answers import Sync

        return Sync(sync_id=sync_id, status="RUNNING")


def test_a_bulk_write_in_which_nothing_moves_leaves_its_rows_pending(tmp_path):
    api, journal = NeverFinishes(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal, sync_threshold=0, stall_after=30.0, check_twins=False).submit(MODEL, _rows(2))
    assert [o.status for o in report.outcomes.values()] == [Status.PENDING, Status.PENDING]
    assert all("nothing moved for" in o.message and o.sync_id == "S1" for o in report.outcomes.values())
    assert report.aborted is None


class JobsAndLookupsDown(ForgetsSyncs):
    """The jobs of a bulk write cannot be read, and every lookup after the check before sending fails."""

    lookups = 0

    def find_by_document_numbers(self, company_id, model, numbers):
        self.lookups += 1
        if self.lookups > 1:
            raise NetworkError("ConnectError (simulated)")
        return super().find_by_document_numbers(company_id, model, numbers)


def test_records_of_a_bulk_write_that_cannot_be_looked_up_are_journalled_unknown(tmp_path):
    api, journal = JobsAndLookupsDown(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal, sync_threshold=0, resend_after=10_000, check_twins=False).submit(MODEL, _rows(2))
    assert [o.status for o in report.outcomes.values()] == [Status.UNKNOWN, Status.UNKNOWN]
    assert [a.state for a in journal.attempts()] == [UNKNOWN, UNKNOWN], "looked up before anything is sent again"
    assert report.aborted is None


def test_no_twin_check_when_it_is_turned_off(tmp_path):
    api, journal = WithTwin(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal, check_twins=False).submit(MODEL, _rows(1))
    assert report.outcomes[0].flag is None and journal.attempts()[0].error_code is None


def test_a_row_whose_number_the_platform_has_with_other_values_is_not_sent(tmp_path):
    api, journal = FakeApi(), Journal(tmp_path / "j.sqlite3")
    api.records.append(api._make(pay("CHQ-1", "INV-1", 150.0)))
    report = engine(api, journal).submit(MODEL, payments([pay("CHQ-1", "INV-1", 100.0)]))
    assert report.outcomes[0].status == Status.FAILED and "with other values (rootfi_id 1000)" in report.outcomes[0].message
    assert api.creates == 0 and journal.attempts() == []


class ColleagueLandsLater(FakeApi):
    """A colleague's bulk write, started just after our send, lands an identical record once it
    finishes (the second time it is asked about)."""

    asked = 0

    def create(self, company_id, model, body):
        record = super().create(company_id, model, body)
        self.twin = self._make(body)
        return record

    def list_company_syncs(self, company_id, job_type="PUSH"):
        from rootfi_excel.api.answers import Sync

        return [Sync(sync_id="C1", status="RUNNING")] if hasattr(self, "twin") else []

    def get_sync(self, sync_id):
        from rootfi_excel.api.answers import Sync

        if sync_id != "C1":
            return super().get_sync(sync_id)
        self.asked += 1
        if self.asked < 2:
            return Sync(sync_id="C1", status="RUNNING")
        if self.twin not in self.records:
            self.records.append(self.twin)
        return Sync(sync_id="C1", status="SUCCESS")


def test_the_twin_check_waits_for_a_bulk_write_started_meanwhile(tmp_path):
    api, journal = ColleagueLandsLater(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal).submit(MODEL, _rows(1))
    assert api.asked >= 2, "waited for the colleague's bulk write"
    assert report.outcomes[0].flag == POSSIBLE_DUPLICATE
    assert journal.attempts()[0].error_code == POSSIBLE_DUPLICATE


def test_a_single_record_not_processed_is_failed_as_not_sent_and_the_run_goes_on(tmp_path):
    class Busy(FakeApi):
        def create(self, company_id, model, body):
            self.creates += 1
            raise RateLimitedError("429 Too Many Requests (simulated)")

    api, journal = Busy(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal).submit(MODEL, _rows(2))
    assert report.aborted is None and api.creates == 2
    assert all(o.status == Status.FAILED and "not sent" in o.message for o in report.outcomes.values())
    assert [a.state for a in journal.attempts()] == [FAILED, FAILED]


def test_a_lost_answer_is_journalled_unknown_at_once(tmp_path):
    api, journal = FakeApi(), Journal(tmp_path / "j.sqlite3")
    api.lose_next_create = True
    report = engine(api, journal, resend_after=10_000, check_twins=False).submit(MODEL, _rows(1))
    assert report.outcomes[0].status == Status.UNKNOWN
    [attempt] = journal.attempts()
    assert attempt.state == UNKNOWN and "ReadTimeout" in attempt.message


class RunsUntilReleased(FakeApi):
    """Bulk writes keep running until `running` is cleared."""

    running = True

    def get_sync(self, sync_id):
        from rootfi_excel.api.answers import Sync

        return Sync(sync_id=sync_id, status="RUNNING" if self.running else "SUCCESS")


def _keyed(rows: list[dict], keys: list[str]):
    from rootfi_excel.sheets.layout import ROW_KEY

    units = payments(rows)
    for unit, key in zip(units, keys):
        unit.rows[0].results[ROW_KEY] = key
    return units


def test_the_bulk_write_of_a_row_deleted_meanwhile_is_still_collected(tmp_path):
    api, journal = RunsUntilReleased(), Journal(tmp_path / "j.sqlite3")
    rows = [pay(f"CHQ-{i}", f"INV-{i}", 100.0 + i) for i in range(2)]

    def submit(present: list[int]):
        submitter = engine(api, journal, sync_threshold=0, batch_size=1, stall_after=30.0, check_twins=False)
        submitter.workbook_id = "the-workbook"
        units = _keyed([rows[i] for i in present], [f"key-{i}" for i in present])
        return submitter.submit(MODEL, units, sheet="payments")

    first = submit([0, 1])
    assert [o.status for o in first.outcomes.values()] == [Status.PENDING, Status.PENDING]
    api.running = False
    submit([0])  # row 1 was deleted while its own bulk write ran: its answer is still collected
    assert [a.state for a in journal.attempts()] == [CREATED, CREATED]
    assert api.creates == 2
