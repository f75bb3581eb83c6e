"""Client behaviour a real server cannot easily be made to show (httpx.MockTransport).

Everything a server can show is tested over real HTTP in tests/api/test_client_over_http.py.
"""

from __future__ import annotations

from email.utils import formatdate
from urllib.parse import unquote

import httpx
import pytest

from rootfi_excel.api import (
    Company,
    RateLimiter,
    RetryPolicy,
    RootFiClient,
    encode_filters,
)
from rootfi_excel.api.client import LOOKUP_QUERY_BUDGET, chunk_for_lookup
from rootfi_excel.errors import NetworkError, OutcomeUnknownError, SyncTimeoutError, UnexpectedAnswerError


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def make_client(handler, fake: FakeTime | None = None, **kwargs) -> RootFiClient:
    fake = fake or FakeTime()
    kwargs.setdefault("retry", RetryPolicy(max_attempts=4, base_delay=0.1, max_delay=1.0))
    return RootFiClient(
        "rk_unit_key",
        "https://api.example/v4",
        transport=httpx.MockTransport(handler),
        sleep=fake.sleep,
        clock=fake.clock,
        **kwargs,
    )


def test_sends_the_api_key_header_and_timeouts():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": {"rootfi_id": 1, "name": "A", "integration": "XERO",
                                                  "connectionStatus": "HEALTHY"}})

    with make_client(handler, timeout=12.0) as client:
        company = client.get_company(1)
    assert seen[0].headers["api_key"] == "rk_unit_key"
    assert seen[0].extensions["timeout"]["read"] == 12.0
    assert seen[0].url.path == "/v4/core/companies/1"
    assert (company.rootfi_id, company.name, company.integration, company.connection_status) == (
        1, "A", "XERO", "HEALTHY")
    assert "rk_unit_key" not in repr(client)


def test_company_v3_shape():
    data = {"rootfi_id": 7, "name": "Old", "connections": [{"integration_type": "QUICKBOOKS",
                                                           "connection_status": "EXPIRED"}]}
    company = Company.from_api(data)
    assert (company.integration, company.connection_status) == ("QUICKBOOKS", "EXPIRED")


def test_retry_after_http_date_is_honoured():
    answers = iter([
        httpx.Response(429, headers={"Retry-After": formatdate(__import__("time").time() + 30, usegmt=True)}),
        httpx.Response(200, json={"data": {"status": "SUCCESS"}}),
    ])
    fake = FakeTime()
    with make_client(lambda request: next(answers), fake) as client:
        assert client.get_sync("s1").status == "SUCCESS"
    assert 28 <= fake.now <= 31
    assert client.requests_sent == 2


def test_write_is_resent_when_the_connection_never_opened():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) < 3:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"data": {"rootfi_id": 5}})

    with make_client(handler) as client:
        assert client.create(1, "invoice_payments", {"amount": 1}) == {"rootfi_id": 5}
    assert len(calls) == 3
    assert client.requests_sent == 1  # the refused connections sent nothing


def test_write_never_connected_gives_up_as_network_error():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    with make_client(handler) as client, pytest.raises(NetworkError) as caught:
        client.create(1, "invoice_payments", {"amount": 1})
    assert not isinstance(caught.value, OutcomeUnknownError)  # certainly not processed: safe to resend


@pytest.mark.parametrize("failure", [httpx.WriteTimeout, httpx.WriteError, httpx.ReadError])
def test_write_failing_after_sending_is_outcome_unknown(failure):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise failure("boom", request=request)

    with make_client(handler) as client, pytest.raises(OutcomeUnknownError):
        client.create(1, "invoice_payments", {"amount": 1})
    assert len(calls) == 1


def test_write_with_unreadable_success_body_is_outcome_unknown():
    with make_client(lambda request: httpx.Response(201, text="created!")) as client:
        with pytest.raises(OutcomeUnknownError):
            client.create(1, "invoice_payments", {"amount": 1})
        with pytest.raises(OutcomeUnknownError):
            client.create_async(1, "invoice_payments", [{"amount": 1}])


def test_read_with_unreadable_success_body_is_an_unexpected_answer():
    with make_client(lambda request: httpx.Response(200, text="<html>")) as client:
        with pytest.raises(UnexpectedAnswerError):
            client.get_sync("s")


def test_read_network_errors_exhaust_retries():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadError("reset by peer", request=request)

    fake = FakeTime()
    with make_client(handler, fake) as client, pytest.raises(NetworkError) as caught:
        client.get_sync("s")
    assert len(calls) == 4
    assert len(fake.slept) == 3
    assert "ReadError" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_whole_url_next_cursor_and_repeated_cursor():
    pages = {
        None: {"data": [{"job_id": "1"}], "next": "https://api.example/syncs?next=c2"},
        "c2": {"data": [{"job_id": "2"}], "next": "c3"},
        "c3": {"data": [{"job_id": "3"}], "next": None},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("next")])

    with make_client(handler) as client:
        assert [job.job_id for job in client.list_sync_jobs("s")] == ["1", "2", "3"]
        pages["c3"]["next"] = "c3"  # a server bug must not loop forever, nor pass for a whole list
        with pytest.raises(UnexpectedAnswerError, match="same next-page cursor twice"):
            client.list_sync_jobs("s")


def test_wait_for_sync_backs_off_and_times_out():
    fake = FakeTime()
    with make_client(lambda request: httpx.Response(200, json={"data": {"status": "RUNNING"}}), fake) as client:
        with pytest.raises(SyncTimeoutError):
            client.wait_for_sync("s", timeout=60, first_poll=1, max_interval=8)
    assert fake.slept[:4] == [1, 1.5, 2.25, 3.375]
    assert max(fake.slept) <= 8
    assert fake.now == pytest.approx(60)


def test_limiter_paces_requests():
    fake = FakeTime()
    limiter = RateLimiter(per_minute=60, burst=2, clock=fake.clock, sleep=fake.sleep)
    ok = lambda request: httpx.Response(200, json={"data": {}})  # noqa: E731
    with make_client(ok, fake, limiter=limiter) as client:
        for _ in range(5):
            client.get_job("j")
    assert fake.now == pytest.approx(3.0)


def test_encode_filters():
    assert encode_filters({
        "document_number": ("in", ["A", "B"]),
        "amount": ("gt", 0),
        "status": "PAID",
        "memo": ("is_null", None),
        "flag": True,
    }) == {
        "document_number[in]": "A,B",
        "amount[gt]": "0",
        "status[eq]": "PAID",
        "memo[is_null]": "true",
        "flag[eq]": "true",
    }
    with pytest.raises(ValueError):
        encode_filters({"a": ("like", "x")})
    with pytest.raises(ValueError):
        encode_filters({"a": ("in", ["x,y"])})
    # several conditions on one field (a period's two ends); a bare list is still one value
    assert encode_filters({"payment_date": [("gte", "2026-03-01"), ("lt", "2026-04-01")]}) == {
        "payment_date[gte]": "2026-03-01", "payment_date[lt]": "2026-04-01"}
    with pytest.raises(ValueError):
        encode_filters({"payment_date": [("gte", "2026-03-01"), ("before", "2026-04-01")]})


def test_lookup_chunks_stay_small_and_commas_go_alone():
    numbers = [f"INV-{i:06d}" for i in range(1000)] + ["A,B", "INV-000001"]
    chunks = list(chunk_for_lookup(numbers))
    flat = [n for chunk in chunks for n in chunk]
    assert sorted(flat) == sorted(set(numbers))
    assert ["A,B"] in chunks
    assert len(chunks) > 1 and all(len(",".join(chunk)) <= LOOKUP_QUERY_BUDGET for chunk in chunks)


def test_find_by_document_numbers_builds_short_urls():
    urls = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        wanted = unquote(request.url.params.get("document_number[in]") or request.url.params["document_number[eq]"])
        return httpx.Response(200, json={"data": [{"document_number": n, "rootfi_id": 1}
                                                  for n in wanted.split(",")[:1]]})

    numbers = [f"PAY-{'x' * 30}-{i}" for i in range(600)]
    with make_client(handler, limiter=RateLimiter(per_minute=10_000, burst=1000)) as client:
        found = client.find_by_document_numbers(1, "invoice_payments", numbers)
    # Long lists where the server takes them (tests/api/test_long_lookups.py), under the common 16 kB.
    assert len(urls) > 1 and all(len(url) < 16_000 for url in urls)
    assert len(found) == len(urls)
    assert "/v4/core/companies/1/invoice_payments?" in urls[0]
