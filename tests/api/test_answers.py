"""The typed boundary (api/answers.py): the documented and plausible shapes are read, and
anything else is one typed error, never "nothing found". Examples are the vendor's own
(tests/fixtures/api_examples)."""

from __future__ import annotations

import json

import httpx
import pytest

from rootfi_excel.api import answers
from rootfi_excel.api.answers import FINISHED_STATUSES, Job, Sync
from rootfi_excel.api.error_answers import error_from_response
from rootfi_excel.api.paths import path, segment
from rootfi_excel.api.polling import from_list, one_by_one, poll_syncs
from rootfi_excel.api.ratelimit import MAX_RESET, RateLimiter, reset_delay
from rootfi_excel.api.redact_answers import redact
from rootfi_excel.api.retry import RetryPolicy, parse_retry_after
from rootfi_excel.errors import UnexpectedAnswerError
from tests.support.paths import FIXTURES

EXAMPLES = FIXTURES / "api_examples"


def example(name: str):
    return json.loads((EXAMPLES / name).read_text())


def test_the_vendors_examples_are_read():
    sync = answers.sync_of(example("v3_get_sync_answer.json"), "hjmm4d2HDHB60a2")
    assert sync.finished and sync.start_time.year == 2024
    items, cursor = answers.page_of(example("v3_get_sync_jobs_answer.json"), limit=1000)
    job = answers.parse(Job, items[0], "job")
    assert job.finished and job.error == {} and job.ids is None and cursor
    records, _ = answers.page_of(example("v3_list_invoice_payments_answer.json"), limit=1000)
    assert answers.records_of(records, "payments")[0]["rootfi_id"] == 157
    assert answers.created_record(example("v4_create_invoice_payment_answer.json"))["rootfi_id"] == 157


@pytest.mark.parametrize("body", [
    [{"rootfi_id": 1}],
    {"data": [{"rootfi_id": 1}], "next": "c"},
    {"data": {"data": [{"rootfi_id": 1}], "next": "c"}},
    {"data": {"items": [{"rootfi_id": 1}]}, "next": "c"},
    {"results": [{"rootfi_id": 1}], "next": "https://api.example/v4/x?next=c"},
])
def test_plausible_list_shapes(body):
    items, cursor = answers.page_of(body, limit=10)
    assert items == [{"rootfi_id": 1}] and cursor in (None, "c")


@pytest.mark.parametrize("body", [
    None, "text", 5, {}, {"data": None}, {"data": {"message": "ok"}}, {"data": "x"}, {"data": [1, 2]},
    {"data": [{"a": 1}], "next": {"page": 2}}, [{"a": 1}] * 10,  # a bare list filling the page: no way on
])
def test_anything_else_is_one_typed_error(body):
    with pytest.raises(UnexpectedAnswerError):
        answers.page_of(body, limit=10)


def test_a_lookup_record_without_an_id_and_a_write_without_one_are_unexpected():
    with pytest.raises(UnexpectedAnswerError):
        answers.records_of([{"document_number": "A"}], "payments")
    for body in ({"data": {"document_number": "A"}}, {"data": {"rootfi_id": {"x": 1}}}, {"data": []}, {}):
        with pytest.raises(UnexpectedAnswerError):
            answers.created_record(body)
    with pytest.raises(UnexpectedAnswerError):
        answers.sync_id_of_write({"data": {"status": "accepted"}})
    assert answers.sync_id_of_write({"data": {"sync_id": "s1"}}) == "s1"


def test_only_final_statuses_mean_finished():
    assert FINISHED_STATUSES == {"SUCCESS", "FAILED", "PARTIAL_SUCCESS"}
    for status in ("SLEEPING", "RUNNING", "QUEUED", "", None, 7, "Done"):
        assert not Sync(sync_id="s", status=status).finished
        assert not Job(status=status).finished
    assert Sync(sync_id="s", status="success").finished


def test_a_sync_answer_about_another_sync_is_unexpected():
    with pytest.raises(UnexpectedAnswerError, match="went astray|answer was about"):
        answers.sync_of({"data": {"sync_id": "other", "status": "SUCCESS"}}, "mine")
    with pytest.raises(UnexpectedAnswerError):
        answers.parse(Sync, {"status": "RUNNING"}, "sync")  # a listed sync without an id cannot be followed


def test_odd_job_fields_are_tolerated():
    job = Job.model_validate({"status": "failed", "error": "plain words", "variables": [1], "data": "x"})
    assert (job.status, job.error, job.variables, job.data) == ("FAILED", {"message": "plain words"}, {}, None)


def test_path_parameters_are_one_segment():
    assert path("sync", sync_id="a/../b?c#d\x07") == "/core/syncs/a%2F..%2Fb%3Fc%23d%07"
    assert segment("..") == "%2E%2E" and segment(".") == "%2E"
    assert path("sync_jobs", sync_id="x y%") == "/core/syncs/x%20y%25/jobs"


def test_the_key_is_taken_out_of_every_string_and_every_error_part():
    key = "rk_live_SECRET/+="
    body = {"data": [{"error": {"message": f"bad {key}", "code": key, "field": key}}],
            f"k{key}": ["x", {"y": f"%{key}"}], "encoded": "rk_live_SECRET%2F%2B%3D"}
    assert key not in json.dumps(redact(body, key)) and "SECRET" not in json.dumps(redact(body, key))
    answer = httpx.Response(400, json={"error": {"message": key, "code": key, "field": key,
                                                 "platform_error": {"deep": [key]}}},
                            request=httpx.Request("POST", "https://api.example/v4/x"))
    error = error_from_response(answer, secret=key)
    assert key not in str(error) + repr(error) + json.dumps(error.platform_error)
    assert error.field == "***" and error.code == "***"


def test_header_driven_sleeps_are_capped():
    now = 1_700_000_000.0
    assert reset_delay(str(int((now + 30) * 1000)), now) == pytest.approx(30)  # Unix milliseconds
    assert reset_delay("12000", now) == pytest.approx(12)  # milliseconds from now
    assert reset_delay(str(now + 10**9), now) == MAX_RESET
    for odd in ("nan", "inf", "-inf", "1e400"):
        assert reset_delay(odd, now) is None
    assert parse_retry_after("-5", now) == 0 and parse_retry_after("nan", now) is None
    assert parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now) > 0
    assert RetryPolicy(max_retry_after=120).delay(1, 10**12) == 120
    slept = []
    limiter = RateLimiter(clock=lambda: 0.0 + sum(slept), sleep=slept.append)
    limiter.pause(float("inf"))
    limiter.pause(10**15)
    limiter.acquire()
    assert sum(slept) <= 120


def test_polling_from_a_list_falls_back_to_one_by_one_for_what_it_lacks():
    read_one = []

    def get_sync(sync_id):
        read_one.append(sync_id)
        return Sync(sync_id=sync_id, status="SUCCESS")

    listed = [Sync(sync_id="a", status="SUCCESS"), Sync(sync_id="b", status="RUNNING")]
    reader = from_list(lambda: listed, one_by_one(get_sync, until=10, clock=lambda: 0))
    poll = poll_syncs(get_sync, ["a", "b", "c"], until=0, clock=lambda: 0, sleep=lambda s: None,
                      read_round=reader)
    assert set(poll.finished) == {"a", "c"} and set(poll.running) == {"b"} and read_one == ["c"]
