"""Latency, the rate limit (headers and 429s) and each injected fault kind."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.sandbox_api import XERO, admin_url, bank_account, client, open_invoice

COMPANY = f"/core/companies/{XERO}"
PAYMENTS = f"/core/companies/{XERO}/invoice_payments"


def payment(api) -> dict:
    return {"data": {"invoice_id": open_invoice(api, XERO)["platform_id"],
                     "account_id": bank_account(api, XERO)["platform_id"], "amount": 1, "document_number": "F-1"}}


def test_rate_limit_headers_and_429(make_sandbox, api_key):
    sandbox = make_sandbox(rate_limit_per_minute=5)  # burst of 10
    with client(sandbox, api_key) as api:
        answers = [api.get(COMPANY) for _ in range(12)]
    assert [a.status_code for a in answers] == [200] * 10 + [429] * 2
    assert [int(a.headers["X-RateLimit-Remaining"]) for a in answers[:10]] == list(range(9, -1, -1))
    assert all(a.headers["X-RateLimit-Limit"] == "5" for a in answers)
    assert answers[0].headers["X-RateLimit-Reset"] == "0"
    limited = answers[-1]
    assert limited.json()["error"]["code"] == "rate-limit-exceeded" and limited.json()["error"]["message"]
    assert 1 <= int(limited.headers["Retry-After"]) <= 12  # one token every 12 s at 5/min
    assert int(limited.headers["X-RateLimit-Reset"]) == int(limited.headers["Retry-After"])
    assert sandbox.requests_seen() == 12
    # Admin routes are never limited.
    assert httpx.get(admin_url(sandbox)).status_code == 200
    assert httpx.get(admin_url(sandbox)).json()["requests"]["rate_limited"] == 2


def test_rate_limit_is_per_key_and_refills(make_sandbox, api_key):
    sandbox = make_sandbox(rate_limit_per_minute=60, api_keys=[api_key, "rk_other"])  # a token a second
    with client(sandbox, api_key) as api, client(sandbox, "rk_other") as other:
        codes = [api.get(COMPANY).status_code for _ in range(125)]
        assert codes[:120] == [200] * 120 and codes[-1] == 429
        assert other.get(COMPANY).status_code == 200
        time.sleep(1.05)
        assert api.get(COMPANY).status_code == 200


def test_no_retry_after_when_switched_off(make_sandbox, api_key):
    sandbox = make_sandbox(rate_limit_per_minute=1, retry_after_header=False)
    with client(sandbox, api_key) as api:
        answers = [api.get(COMPANY) for _ in range(3)]
    assert answers[-1].status_code == 429 and "Retry-After" not in answers[-1].headers


@pytest.mark.reads_sandbox
def test_no_rate_limit_headers_when_off(sandbox, api_key):
    with client(sandbox, api_key) as api:
        assert "X-RateLimit-Limit" not in api.get(COMPANY).headers


def test_latency_is_added(make_sandbox, api_key):
    sandbox = make_sandbox(latency_ms=600)
    with client(sandbox, api_key) as api:
        started = time.monotonic()
        assert api.get(COMPANY).status_code == 200
        assert time.monotonic() - started >= 0.6
    started = time.monotonic()
    httpx.get(admin_url(sandbox))
    assert time.monotonic() - started < 0.5  # admin routes get no latency (a wide margin for busy machines)


def test_429_fault_comes_in_bursts(make_sandbox, api_key):
    sandbox = make_sandbox(faults={"429": 1.0}, burst_429_length=3)
    with client(sandbox, api_key) as api:
        answer = api.get(COMPANY)
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "1"
    assert answer.json()["error"]["code"] == "rate-limit-exceeded"


def test_burst_length_counts_following_requests(make_sandbox, api_key):
    # Find a seed whose first roll is a 429 and second roll is not, then check the burst.
    sandbox = make_sandbox(faults={"429": 0.3}, fault_seed=7, burst_429_length=3)
    with client(sandbox, api_key) as api:
        codes = [api.get(COMPANY).status_code for _ in range(40)]
    first = codes.index(429)
    assert codes[first:first + 3] == [429, 429, 429]


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_error_faults_process_nothing(make_sandbox, api_key, kind):
    clean = make_sandbox()
    with client(clean, api_key) as api:
        body = payment(api)
    sandbox = make_sandbox(faults={kind: 1.0})
    with client(sandbox, api_key) as api:
        answer = api.post(PAYMENTS, json=body)
    assert answer.status_code == int(kind)
    if kind == "500":
        assert answer.json()["error"]["code"] == "internal-error"
    if kind == "502":
        assert answer.headers["content-type"].startswith("text/html")
    if kind == "503":
        assert answer.json()["error"]["code"] == "service-unavailable"
    assert sandbox.count_records(XERO, "invoice_payments") == 0
    assert httpx.get(admin_url(sandbox)).json()["requests"][f"fault_{kind}"] == 1


def test_slow_fault_answers_late_but_commits(make_sandbox, api_key):
    clean = make_sandbox()
    with client(clean, api_key) as api:
        body = payment(api)
    sandbox = make_sandbox(faults={"slow": 1.0}, slow_ms=300)
    with client(sandbox, api_key) as api:
        started = time.monotonic()
        answer = api.post(PAYMENTS, json=body)
        assert time.monotonic() - started >= 0.3
        assert answer.status_code == 200
    assert sandbox.count_records(XERO, "invoice_payments") == 1
    # A client that gives up early still leaves the record behind.
    with client(sandbox, api_key) as api:
        body["data"]["document_number"] = "F-2"
        with pytest.raises(httpx.ReadTimeout):
            api.post(PAYMENTS, json=body, timeout=0.1)
    time.sleep(0.3)
    assert sandbox.count_records(XERO, "invoice_payments") == 2


def test_drop_fault_commits_then_breaks_the_connection(make_sandbox, api_key):
    clean = make_sandbox()
    with client(clean, api_key) as api:
        body = payment(api)
    sandbox = make_sandbox(faults={"drop": 1.0})
    with client(sandbox, api_key) as api:
        with pytest.raises(httpx.RemoteProtocolError):
            api.post(PAYMENTS, json=body)
    assert sandbox.count_records(XERO, "invoice_payments") == 1
    assert sandbox.requests_seen() == 1


def test_async_writes_under_drop_still_create_records(make_sandbox, api_key):
    clean = make_sandbox()
    with client(clean, api_key) as api:
        body = payment(api)
    sandbox = make_sandbox(faults={"drop": 1.0})
    with client(sandbox, api_key) as api:
        with pytest.raises(httpx.RemoteProtocolError):
            api.post(PAYMENTS, params={"run_async": "true"}, json={"data": [body["data"]]})
    deadline = time.monotonic() + 5
    while sandbox.count_records(XERO, "invoice_payments") < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sandbox.count_records(XERO, "invoice_payments") == 1


def test_faults_are_reproducible_with_a_seed(make_sandbox, api_key):
    faults = {"500": 0.2, "502": 0.1, "503": 0.1}

    def run():
        sandbox = make_sandbox(faults=faults, fault_seed=42)
        with client(sandbox, api_key) as api:
            codes = [api.get(COMPANY).status_code for _ in range(30)]
        sandbox.stop()
        return codes

    first, second = run(), run()
    assert first == second and set(first) == {200, 500, 502, 503}


def test_admin_routes_are_never_faulted(make_sandbox, api_key):
    sandbox = make_sandbox(faults={"500": 1.0})
    for _ in range(5):
        assert httpx.get(admin_url(sandbox)).status_code == 200
    assert sandbox.requests_seen() == 0


def test_faulted_sync_status_reads(make_sandbox, api_key):
    # With a 50% 503 rate a client retrying reads still sees the sync finish.
    sandbox = make_sandbox(faults={"503": 0.5}, fault_seed=3)
    with client(sandbox, api_key) as api:
        for _ in range(20):
            answer = api.post(PAYMENTS, params={"run_async": "true"}, json={"data": [{"amount": 1}]})
            if answer.status_code == 200:
                break
        sync_id = answer.json()["sync_id"]
        for _ in range(50):
            answer = api.get(f"/core/syncs/{sync_id}")
            if answer.status_code == 200 and answer.json()["data"]["status"] != "RUNNING":
                break
            time.sleep(0.02)
        assert answer.json()["data"]["status"] == "FAILED"
