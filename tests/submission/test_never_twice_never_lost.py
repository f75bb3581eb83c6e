"""Never twice, never lost: each case that once created a record twice or
lost a result, produced on purpose by the sandbox and submitted over HTTP.

QuickBooks (company 1001) accepts a second record with the same document number, so
a double creation shows in the sandbox's database instead of being refused.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from rootfi_excel.api.ratelimit import RateLimiter
from rootfi_excel.errors import RateLimitedError, RootFiError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.journal import CREATED, UNKNOWN, Journal, fingerprint
from tests.support.submitting import fast_client, payment_units, submitter
from tests.support.sandbox_api import assert_no_duplicates_in_sandbox_db

QUICKBOOKS, XERO, NETSUITE = 1001, 1002, 1003
PAYMENTS = "invoice_payments"
# Written out rather than imported, so that this file also runs against the engine as it
# was before these cases were fixed (each test must fail there): submission.platform_check.CANNOT_CHECK
# and submission.engine.POSSIBLE_DUPLICATE.
CANNOT_CHECK = "Not sent: could not check RootFi for records already there; submit again"
POSSIBLE_DUPLICATE = "possible-duplicate"


def statuses(report) -> Counter:
    return Counter(outcome.status for outcome in report.outcomes.values())


def bodies(units) -> list[dict]:
    return [unit.request.to_api() for unit in units]


def post_bulk(client, company: int, records: list[dict]) -> str:
    """A colleague's bulk write of the same rows, sent straight to the API."""
    return client.create_async(company, PAYMENTS, records)


def wait_until_idle(client, sync_id: str) -> None:
    client.wait_for_sync(sync_id, timeout=60, first_poll=0.05, max_interval=0.2)


# ------------------------------------------------------ 1. the check before sending fails


@pytest.mark.parametrize("fault", ["503", "400", "no-list"])
def test_1_rows_are_not_sent_when_the_check_for_records_already_there_fails(make_sandbox, api_key, tmp_path,
                                                                               fault):
    sandbox = make_sandbox(faults={f"{fault}@lookups": 1.0})
    client = fast_client(sandbox, api_key)
    units = payment_units(client, QUICKBOOKS, 6, "QUICKBOOKS")
    for body in bodies(units):  # a colleague already submitted the same workbook
        client.create(QUICKBOOKS, PAYMENTS, body)
    engine, journal = submitter(client, tmp_path / "j.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS")
    report = engine.submit(PAYMENTS, units)
    assert statuses(report) == {Status.SKIPPED: 6}
    assert all(o.message == CANNOT_CHECK and not o.rootfi_id for o in report.outcomes.values())
    assert getattr(report, "warnings", None) and "could not check RootFi" in report.warnings[0]
    assert journal.attempts() == []  # nothing was sent, so nothing to reconcile
    assert sandbox.count_records(QUICKBOOKS, PAYMENTS) == 6


@pytest.mark.parametrize("fault", ["no-list", "503"])
def test_1_a_lost_answer_is_never_resent_when_its_lookup_fails(make_sandbox, api_key, tmp_path, fault):
    sandbox = make_sandbox(faults={f"{fault}@lookups": 1.0})
    client = fast_client(sandbox, api_key)
    units = payment_units(client, QUICKBOOKS, 5, "QUICKBOOKS")
    journal = Journal(tmp_path / "j.sqlite3")
    # An earlier Submit sent these in one bulk write; RootFi created them, the answer was lost.
    journal.begin(sandbox.base_url, QUICKBOOKS, PAYMENTS,
                  [(fingerprint(sandbox.base_url, QUICKBOOKS, PAYMENTS, b), b["document_number"], b)
                   for b in bodies(units)])
    journal.update([a.id for a in journal.attempts()], UNKNOWN, message="ReadTimeout")
    wait_until_idle(client, post_bulk(client, QUICKBOOKS, bodies(units)))
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS")
    report = engine.submit(PAYMENTS, units)
    assert statuses(report) == {Status.UNKNOWN: 5}
    assert sandbox.count_records(QUICKBOOKS, PAYMENTS) == 5
    assert {a.state for a in journal.attempts()} == {UNKNOWN}


# ------------------------------------------------------------- 2. unknown statuses


def test_2_a_sync_status_the_client_does_not_know_means_still_running(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(running_status="SLEEPING", job_delay_ms=25)
    client = fast_client(sandbox, api_key)
    units = payment_units(client, QUICKBOOKS, 60, "QUICKBOOKS")
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS", batch_size=20)
    report = engine.submit(PAYMENTS, units)
    assert statuses(report) == {Status.CREATED: 60}
    assert sandbox.count_records(QUICKBOOKS, PAYMENTS) == 60
    assert_no_duplicates_in_sandbox_db(sandbox.db_path, QUICKBOOKS)


# ------------------------------------------------------------------ 3. the clock


@pytest.mark.parametrize("hours", [-3, 3])
def test_3_a_clock_hours_off_still_protects_a_lost_bulk_write(make_sandbox, api_key, tmp_path, hours):
    # Every write's answer is lost after it was processed, and the bulk write takes its time.
    sandbox = make_sandbox(clock_offset_s=hours * 3600, faults={"drop@writes": 1.0}, job_delay_ms=40)
    client = fast_client(sandbox, api_key)
    units = payment_units(client, QUICKBOOKS, 40, "QUICKBOOKS")
    engine, journal = submitter(client, tmp_path / "j.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS", batch_size=20)
    report = engine.submit(PAYMENTS, units)
    assert statuses(report) == {Status.CREATED: 40}
    assert sandbox.count_records(QUICKBOOKS, PAYMENTS) == 40
    assert_no_duplicates_in_sandbox_db(sandbox.db_path, QUICKBOOKS)
    assert all(a.server_sent_at for a in journal.attempts())  # RootFi's time of each send is kept


def test_3_a_lost_bulk_write_of_one_record_is_waited_for_like_any_bulk_write(make_sandbox, api_key, tmp_path):
    # Found by the property test: a batch of one record was taken for a synchronous write.
    sandbox = make_sandbox(faults={"drop@writes": 1.0}, job_delay_ms=300)
    client = fast_client(sandbox, api_key)
    units = payment_units(client, QUICKBOOKS, 3, "QUICKBOOKS")
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS", sync_threshold=0,
                          batch_size=1)
    report = engine.submit(PAYMENTS, units)
    assert statuses(report) == {Status.CREATED: 3}
    assert sandbox.count_records(QUICKBOOKS, PAYMENTS) == 3
    assert_no_duplicates_in_sandbox_db(sandbox.db_path, QUICKBOOKS)


# ----------------------------------------------- 4. a colleague's bulk write is running


def test_4_a_colleagues_running_bulk_write_is_waited_for_before_sending(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(job_delay_ms=50)
    client = fast_client(sandbox, api_key)
    units = payment_units(client, QUICKBOOKS, 30, "QUICKBOOKS")
    post_bulk(client, QUICKBOOKS, bodies(units))  # 1.5 s of work, still running when we press Submit
    progress: list[str] = []
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS")
    engine.progress = lambda done, total, text: progress.append(text)
    report = engine.submit(PAYMENTS, units)
    assert statuses(report) == {Status.CREATED: 30}
    assert all("already in QuickBooks" in o.message for o in report.outcomes.values())
    assert any("waiting for 1 bulk write already running" in text for text in progress)
    assert sandbox.count_records(QUICKBOOKS, PAYMENTS) == 30


def test_4_rows_are_held_when_the_colleagues_bulk_write_outlasts_the_wait(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(job_delay_ms=100)
    client = fast_client(sandbox, api_key)
    units = payment_units(client, QUICKBOOKS, 30, "QUICKBOOKS")
    sync_id = post_bulk(client, QUICKBOOKS, bodies(units))  # 3 s of work
    engine, journal = submitter(client, tmp_path / "j.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS", running_wait=0.5)
    report = engine.submit(PAYMENTS, units)
    assert statuses(report) == {Status.SKIPPED: 30}
    assert all(sync_id in o.message and "Not sent" in o.message for o in report.outcomes.values())
    assert journal.attempts() == []
    wait_until_idle(client, sync_id)
    again, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS")
    assert statuses(again.submit(PAYMENTS, units)) == {Status.CREATED: 30}
    assert sandbox.count_records(QUICKBOOKS, PAYMENTS) == 30


# ------------------------------------------------ 5. two people submit at the same moment


class SendsTogether:
    """A client whose first write waits until the other submitter is about to write too."""

    def __init__(self, client, barrier: threading.Barrier) -> None:
        self._client, self._barrier, self._waited = client, barrier, False

    def _together(self) -> None:
        if not self._waited:
            self._waited = True
            self._barrier.wait(timeout=60)

    def create(self, *args):
        self._together()
        return self._client.create(*args)

    def create_async(self, *args):
        self._together()
        return self._client.create_async(*args)

    def __getattr__(self, name):
        return getattr(self._client, name)


@pytest.mark.parametrize("rows", [2, 8])  # one by one, and in bulk
def test_5_two_submitters_at_the_same_moment_see_every_twin_on_its_row(make_sandbox, api_key, tmp_path, rows):
    sandbox = make_sandbox()
    units = payment_units(fast_client(sandbox, api_key), QUICKBOOKS, rows, "QUICKBOOKS")
    barrier = threading.Barrier(2)
    reports = {}

    def person(name: str) -> None:
        client = SendsTogether(fast_client(sandbox, api_key), barrier)
        engine, _ = submitter(client, tmp_path / f"{name}.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS")
        reports[name] = engine.submit(PAYMENTS, units)

    people = [threading.Thread(target=person, args=(name,)) for name in ("ann", "bob")]
    for thread in people:
        thread.start()
    for thread in people:
        thread.join(timeout=120)
    assert sandbox.count_records(QUICKBOOKS, PAYMENTS) == 2 * rows  # no client can prevent this
    flagged = [o for report in reports.values() for o in report.outcomes.values()
               if getattr(o, "flag", None) == POSSIBLE_DUPLICATE]
    for position in range(rows):
        ids = {reports[name].outcomes[position].rootfi_id for name in reports}
        assert len(ids) == 2
        assert any(o.message.startswith("Possible duplicate") and all(i in o.message for i in ids) for o in flagged
                   if o.rootfi_id in ids), f"twin of row {position} not reported"
    for report in reports.values():
        assert statuses(report) == {Status.CREATED: rows}


class BeginsTogether(Journal):
    """The same journal file opened by two Submits on one computer, both past their
    reading of it when they start to write."""

    def __init__(self, path, barrier: threading.Barrier) -> None:
        super().__init__(path)
        self._barrier = barrier

    def begin(self, *args, **kwargs):
        self._barrier.wait(timeout=60)
        return super().begin(*args, **kwargs)


def test_5_two_submits_on_one_computer_never_send_the_same_row_twice(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox()
    units = payment_units(fast_client(sandbox, api_key), QUICKBOOKS, 2, "QUICKBOOKS")[:1]
    barrier = threading.Barrier(2)
    reports = []

    def press_submit() -> None:
        client = fast_client(sandbox, api_key)
        journal = BeginsTogether(tmp_path / "journal.sqlite3", barrier)
        engine, _ = submitter(client, tmp_path / "unused.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS")
        engine.journal = journal
        reports.append(engine.submit(PAYMENTS, units))

    clicks = [threading.Thread(target=press_submit) for _ in range(2)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join(timeout=120)
    assert sandbox.count_records(QUICKBOOKS, PAYMENTS) == 1
    assert sorted(r.outcomes[0].status for r in reports) == [Status.CREATED, Status.SKIPPED]
    assert any("another Submit on this computer" in r.outcomes[0].message for r in reports)


# ---------------------------------------------------------- 6. odd answer shapes


def test_6_lists_wrapped_in_an_object_are_read(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(list_shape="nested")
    client = fast_client(sandbox, api_key)
    units = payment_units(client, NETSUITE, 40, "NETSUITE")
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, NETSUITE, "NETSUITE", batch_size=20)
    assert statuses(engine.submit(PAYMENTS, units)) == {Status.CREATED: 40}
    again, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, NETSUITE, "NETSUITE")
    assert statuses(again.submit(PAYMENTS, units)) == {Status.CREATED: 40}  # and a later run too
    assert sandbox.count_records(NETSUITE, PAYMENTS) == 40


def test_6_a_jobs_list_that_is_not_a_list_is_settled_by_lookup(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(faults={"no-list@syncs": 1.0})
    client = fast_client(sandbox, api_key)
    units = payment_units(client, NETSUITE, 20, "NETSUITE")
    # Without the check before sending (it lists the company's syncs, and would hold the rows).
    engine, journal = submitter(client, tmp_path / "j.sqlite3", sandbox, NETSUITE, "NETSUITE", check_platform=False)
    report = engine.submit(PAYMENTS, units)
    assert statuses(report) == {Status.CREATED: 20}
    assert sandbox.count_records(NETSUITE, PAYMENTS) == 20
    checked, _ = submitter(client, tmp_path / "k.sqlite3", sandbox, NETSUITE, "NETSUITE")
    held = checked.submit(PAYMENTS, payment_units(client, NETSUITE, 3, "NETSUITE", prefix="NEW"))
    assert statuses(held) == {Status.SKIPPED: 3}  # the check cannot run: fail closed


# ------------------------------------------------------------- 8. 200 without an id


def test_8_a_created_answer_without_rootfi_id_is_settled_by_lookup(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(faults={"no-id@writes": 1.0})
    client = fast_client(sandbox, api_key)
    units = payment_units(client, XERO, 2, "XERO")
    engine, journal = submitter(client, tmp_path / "j.sqlite3", sandbox, XERO, "XERO")
    report = engine.submit(PAYMENTS, units)
    assert statuses(report) == {Status.CREATED: 2}
    listed = {str(r["rootfi_id"]) for r in client.find_by_document_numbers(XERO, PAYMENTS, [u.document_number
                                                                                          for u in units])}
    assert {o.rootfi_id for o in report.outcomes.values()} == listed and len(listed) == 2
    assert all(a.rootfi_id for a in journal.attempts(CREATED))
    assert sandbox.count_records(XERO, PAYMENTS) == 2


def test_8_a_record_journalled_created_without_an_id_is_looked_up(sandbox, api_key, tmp_path):
    client = fast_client(sandbox, api_key)
    units = payment_units(client, XERO, 2, "XERO")
    journal = Journal(tmp_path / "j.sqlite3")
    # What an earlier version wrote after a 200 that named no record: CREATED, no id.
    for body in bodies(units):
        client.create(XERO, PAYMENTS, body)
        _, ids, _ = journal.begin(sandbox.base_url, XERO, PAYMENTS,
                                  [(fingerprint(sandbox.base_url, XERO, PAYMENTS, body), body["document_number"], body)])
        journal.update(ids, CREATED)
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, XERO, "XERO")
    report = engine.submit(PAYMENTS, units)
    assert statuses(report) == {Status.CREATED: 2} and all(o.rootfi_id for o in report.outcomes.values())
    assert all(a.rootfi_id for a in journal.attempts(CREATED))
    assert sandbox.count_records(XERO, PAYMENTS) == 2


# ------------------------------------------------------------------ 9. bounded waits


def test_9_several_running_syncs_are_polled_together_within_one_bound(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(job_delay_ms=1000)  # each bulk write takes 10 s: none ends during the test
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    client = fast_client(sandbox, api_key, sleep=sleep)
    units = payment_units(client, NETSUITE, 30, "NETSUITE")
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, NETSUITE, "NETSUITE", batch_size=10,
                          sync_timeout=2.0)
    engine.sleep = sleep
    report = engine.submit(PAYMENTS, units)
    assert statuses(report) == {Status.PENDING: 30}
    assert sum(slept) <= 2.5, f"waited {sum(slept):.1f} s for three syncs with a 2 s bound"


def test_9_a_run_ends_at_its_deadline(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(job_delay_ms=1000)
    client = fast_client(sandbox, api_key)
    units = payment_units(client, QUICKBOOKS, 10, "QUICKBOOKS")
    post_bulk(client, QUICKBOOKS, bodies(units))  # a colleague's bulk write: 10 s
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS", running_wait=600,
                          time_limit=2.0)
    started = time.monotonic()
    report = engine.submit(PAYMENTS, units)
    assert time.monotonic() - started < 10
    assert statuses(report) == {Status.SKIPPED: 10}


def test_9_a_cursor_that_never_repeats_stops_at_the_page_cap(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(endless_cursor=True)
    client = fast_client(sandbox, api_key)  # the default cap: 100 pages
    outcome: list[BaseException] = []

    def look() -> None:
        try:
            client.find_by_document_numbers(XERO, PAYMENTS, ["NOPE-1", "NOPE-2"])
        except BaseException as error:  # noqa: BLE001 - the thread reports whatever ended it
            outcome.append(error)

    thread = threading.Thread(target=look, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "paging never ended"
    assert isinstance(outcome[0], RootFiError) and "100 pages" in str(outcome[0])  # UnexpectedAnswerError
    assert sandbox.requests_seen() == 100


@pytest.mark.parametrize("form", ["epoch-ms", "milliseconds"])
def test_9_a_reset_header_in_milliseconds_never_means_a_long_sleep(make_sandbox, api_key, form):
    sandbox = make_sandbox(rate_limit_per_minute=5, rate_limit_reset=form)  # a burst of 10, then a token per 12 s
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:  # no real waiting: the sleeps asked for are what counts
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(per_minute=6000, burst=100, clock=lambda: now[0], sleep=sleep)
    client = fast_client(sandbox, api_key, limiter=limiter, sleep=sleep, clock=lambda: now[0])
    with pytest.raises(RateLimitedError):
        for _ in range(12):
            client.get_company(XERO)
    assert slept and max(slept) <= 120, f"asked to sleep {max(slept):.0f} s"


# ------------------------------------------------------ 10. ids used in URL paths


def test_10_odd_sync_and_job_ids_reach_their_own_resource(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(odd_ids=True)
    client = fast_client(sandbox, api_key)
    units = payment_units(client, NETSUITE, 12, "NETSUITE")
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, NETSUITE, "NETSUITE", batch_size=6)
    report = engine.submit(PAYMENTS, units)
    assert statuses(report) == {Status.CREATED: 12}
    sync_ids = {o.sync_id for o in report.outcomes.values()}
    assert len(sync_ids) == 2 and all("/" in s and "\x07" in s for s in sync_ids)
    for sync_id in sync_ids:
        assert client.get_sync(sync_id).sync_id == sync_id
        jobs = client.list_sync_jobs(sync_id)
        assert len(jobs) == 6 and client.get_job(jobs[0].job_id).job_id == jobs[0].job_id
    assert sandbox.count_records(NETSUITE, PAYMENTS) == 12
