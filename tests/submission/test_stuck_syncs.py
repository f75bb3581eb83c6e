"""A bulk write that never finishes must not keep Submit (and Excel) busy for its whole
time limit: the wait ends once nothing has moved for the bound (Settings:
stuck_after_minutes), its rows are Pending ("still running at RootFi: press Submit
later"), the results are written and the run ends. Against the sandbox's stuck syncs
(`stuck_syncs=True`: accepted, never worked on)."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from rootfi_excel.api.answers import Sync
from rootfi_excel.api.polling import WaitState, poll_syncs
from rootfi_excel.sheets.layout import Status
from rootfi_excel.sheets.settings import DEFAULT_STUCK_AFTER_MINUTES, read_settings
from rootfi_excel.submission.engine import TIME_LIMIT_BASE, TIME_PER_RECORD, SubmitOptions, scaled_time_limit
from rootfi_excel.submission.journal import PENDING
from rootfi_excel.app.submit import options_for
from tests.support.sandbox_api import NETSUITE, QUICKBOOKS
from tests.support.submitting import fast_client, payment_units, submitter

MODEL = "invoice_payments"


def statuses(report) -> Counter:
    return Counter(outcome.status for outcome in report.outcomes.values())


def test_a_stuck_bulk_write_ends_the_run_within_the_no_progress_bound(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(stuck_syncs=True)
    client = fast_client(sandbox, api_key)
    units = payment_units(client, NETSUITE, 12, "NETSUITE")
    progress: list[str] = []
    engine, journal = submitter(client, tmp_path / "j.sqlite3", sandbox, NETSUITE, "NETSUITE", batch_size=6,
                                stall_after=2.0, sync_timeout=900.0, time_limit=1800.0)
    engine.progress = lambda done, total, text: progress.append(text)
    started = time.monotonic()
    report = engine.submit(MODEL, units)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0 + 6.0, f"the run took {elapsed:.1f} s with a 2 s bound on no progress"
    assert statuses(report) == {Status.PENDING: 12}
    assert all(o.message.startswith("still running at RootFi: nothing moved for") and "submit again later" in
               o.message and o.sync_id for o in report.outcomes.values())  # words that work in Excel and a terminal
    assert len(journal.attempts(PENDING)) == 12  # the journal keeps them for the next Submit to collect
    waiting = [text for text in progress if "waiting for 2 bulk writes of yours to finish at RootFi" in text]
    assert waiting and "0 of 12 records done" in waiting[-1]
    assert "stops waiting once nothing has moved for 2 seconds" in waiting[-1]
    assert sandbox.count_records(NETSUITE, MODEL) == 0


def test_a_bulk_write_that_keeps_moving_is_waited_for_past_the_bound(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(job_delay_ms=150)  # 12 records: about 1.8 s of work, each record a move
    client = fast_client(sandbox, api_key)
    units = payment_units(client, QUICKBOOKS, 12, "QUICKBOOKS")
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS", batch_size=12,
                          stall_after=0.8)
    report = engine.submit(MODEL, units)
    assert statuses(report) == {Status.CREATED: 12}  # 1.8 s of work, never 0.8 s without a record done


def test_a_colleagues_stuck_bulk_write_holds_the_rows_only_for_the_bound(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(stuck_syncs=True)
    client = fast_client(sandbox, api_key)
    units = payment_units(client, QUICKBOOKS, 10, "QUICKBOOKS")
    client.create_async(QUICKBOOKS, MODEL, [units[0].request.to_api()])  # someone else's, stuck
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS", stall_after=1.5,
                          running_wait=600.0)
    started = time.monotonic()
    report = engine.submit(MODEL, units)
    assert time.monotonic() - started < 1.5 + 5.0
    assert statuses(report) == {Status.SKIPPED: 10}  # held, never sent while it may hold these records


def test_progress_is_counts_or_status_moving_not_time_passing():
    answers = iter([{"a": {"status": "RUNNING", "success_count": 0, "total_count": 5}},
                    {"a": {"status": "RUNNING", "success_count": 2, "total_count": 5}},  # moved
                    {"a": {"status": "RUNNING", "success_count": 2, "total_count": 5}}] + [
                   {"a": {"status": "RUNNING", "success_count": 2, "total_count": 5}}] * 50)
    now = [0.0]
    states: list[WaitState] = []

    def read(ids):
        return {i: Sync(sync_id=i, **a) for i, a in next(answers).items()}

    def sleep(seconds):
        now[0] += seconds
    poll = poll_syncs(None, ["a"], until=1000, clock=lambda: now[0], sleep=sleep, read_round=read,
                      first_poll=1.0, growth=1.0, stall_after=10.0, on_wait=states.append)
    assert poll.stalled and "a" in poll.running
    assert 10.0 <= now[0] <= 12.0  # moved at 1 s, then nothing for 10 s
    assert (states[-1].done, states[-1].total) == (2, 5)


def test_minutes_read_as_a_person_says_them():
    from rootfi_excel.messages import minutes_text

    assert [minutes_text(s) for s in (120, 90, 60, 2, 1)] == ["2 minutes", "1.5 minutes", "1 minute", "2 seconds",
                                                             "1 second"]


def test_the_setting_and_the_scaled_limit():
    assert read_settings({}).stuck_after_minutes == DEFAULT_STUCK_AFTER_MINUTES == 2
    assert options_for(read_settings({"stuck_after_minutes": 0.5})).stall_after == 30.0
    for bad in ("0", "-1", "61", "soon", "nan"):
        settings = read_settings({"stuck_after_minutes": bad})
        assert settings.stuck_after_minutes == 2
        assert any(p.startswith("Settings: stuck_after_minutes must be a number of minutes") for p in settings.problems)
    assert SubmitOptions().time_limit is None  # scaled with the work unless given
    assert scaled_time_limit(12) == TIME_LIMIT_BASE + 12 * TIME_PER_RECORD < scaled_time_limit(10_000)


@pytest.mark.reads_sandbox
@pytest.mark.parametrize("records, limit", [(0, TIME_LIMIT_BASE), (12, TIME_LIMIT_BASE + 12)])
def test_the_engine_takes_the_scaled_limit(sandbox, api_key, tmp_path, records, limit):
    from rootfi_excel.submission.engine import Submitter
    from rootfi_excel.submission.journal import Journal

    engine = Submitter(fast_client(sandbox, api_key), Journal(tmp_path / "j.sqlite3"), base_url=sandbox.base_url,
                       company_id=QUICKBOOKS, records=records, clock=lambda: 100.0)
    assert engine.time_limit == limit and engine.deadline == 100.0 + limit
