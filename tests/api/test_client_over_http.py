"""The client over real HTTP against the local sandbox of the API."""

from __future__ import annotations

import secrets
import time
from itertools import islice

import pytest

from rootfi_excel.api import (
    INVOICE_PAYMENTS,
    RateLimiter,
    RetryPolicy,
    RootFiClient,
)
from rootfi_excel.errors import (
    ApiValidationError,
    AuthError,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    ServerError,
)

COMPANY = 1001  # QuickBooks: an invoice payment needs no raw_data there
FAST = RetryPolicy(max_attempts=6, base_delay=0.01, max_delay=0.05)


class FakeTime:
    """A clock that moves only when slept on: waits are recorded, not spent."""

    def __init__(self) -> None:
        self.now = 0.0
        self.asked: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.asked.append(seconds)
        self.now += seconds

    def limiter(self) -> RateLimiter:
        return RateLimiter(60_000, 1000, clock=self.clock, sleep=self.sleep)


def client_for(sandbox, key: str, **kwargs) -> RootFiClient:
    kwargs.setdefault("retry", FAST)
    kwargs.setdefault("limiter", RateLimiter(per_minute=60_000, burst=1000))
    return RootFiClient(key, sandbox.base_url, **kwargs)


@pytest.fixture
def client(sandbox, api_key):
    with client_for(sandbox, api_key) as client:
        yield client


@pytest.fixture
def payments(client):
    """A factory of valid, distinct invoice payments for company 1001 (same seed in every sandbox)."""
    invoices = list(islice(client.iter_records(COMPANY, "invoices", {"amount_due": ("gt", 10)}, limit=20), 20))
    bank = next(client.iter_records(COMPANY, "accounts", {"category": "BANK", "status": "ACTIVE"}))
    used = iter(invoices)

    def make() -> dict:
        invoice = next(used)
        return {
            "invoice_id": invoice["platform_id"],
            "contact_id": invoice["contact_id"],
            "account_id": bank["platform_id"],
            "amount": 1.0,
            "payment_date": "2024-06-15T00:00:00.000Z",
            "payment_mode": "Bank Transfer",
            "document_number": "PAY-" + secrets.token_hex(4),
        }

    return make


@pytest.mark.reads_sandbox
def test_refused_key(sandbox):
    with client_for(sandbox, "rk_not_a_key") as client, pytest.raises(AuthError) as caught:
        client.get_company(COMPANY)
    assert caught.value.status == 401
    assert client.requests_sent == 1  # never retried


def test_company_lookup(client):
    company = client.get_company(COMPANY)
    assert (company.rootfi_id, company.integration, company.connection_status) == (1001, "QUICKBOOKS", "HEALTHY")
    assert client.get_company(1007).connection_status == "DISCONNECTED"
    with pytest.raises(NotFoundError) as caught:
        client.get_company(424242)
    assert caught.value.status == 404


def test_sync_write_and_lookup(client, sandbox, payments):
    before = sandbox.count_records(COMPANY, INVOICE_PAYMENTS)
    record = payments()
    created = client.create(COMPANY, INVOICE_PAYMENTS, record)
    assert created["rootfi_id"] and created["document_number"] == record["document_number"]
    assert sandbox.count_records(COMPANY, INVOICE_PAYMENTS) == before + 1
    found = client.find_by_document_numbers(COMPANY, INVOICE_PAYMENTS, [record["document_number"], "NOPE-1"])
    assert [r["rootfi_id"] for r in found] == [created["rootfi_id"]]


def test_rejected_write(client, sandbox, payments):
    record = {**payments(), "invoice_id": "no-such-invoice"}
    sent = client.requests_sent
    with pytest.raises(ApiValidationError) as caught:
        client.create(COMPANY, INVOICE_PAYMENTS, record)
    assert caught.value.status == 400 and caught.value.code
    assert str(caught.value).startswith("RootFi rejected the record (")
    assert client.requests_sent == sent + 1


def test_async_write_wait_and_jobs(make_sandbox, api_key):
    sandbox = make_sandbox(job_delay_ms=50)
    with client_for(sandbox, api_key) as client:
        before = sandbox.count_records(COMPANY, INVOICE_PAYMENTS)
        records = [_payment(client, i) for i in range(3)]
        sync_id = client.create_async(COMPANY, INVOICE_PAYMENTS, records)
        sync = client.wait_for_sync(sync_id, timeout=30, first_poll=0.05, max_interval=0.2)
        assert sync.status == "SUCCESS" and sync.finished and sync.start_time is not None
        jobs = client.list_sync_jobs(sync_id)
        assert len(jobs) == 3 and {job.status for job in jobs} == {"SUCCESS"} and all(job.ids for job in jobs)
        assert client.get_job(jobs[0].job_id).status == "SUCCESS"
        assert sync_id in [s.sync_id for s in client.list_company_syncs(COMPANY)]
        assert sandbox.count_records(COMPANY, INVOICE_PAYMENTS) == before + 3


def _payment(client: RootFiClient, index: int) -> dict:
    invoice = list(islice(client.iter_records(COMPANY, "invoices", {"amount_due": ("gt", 10)}, limit=10), 10))[index]
    bank = next(client.iter_records(COMPANY, "accounts", {"category": "BANK", "status": "ACTIVE"}))
    return {
        "invoice_id": invoice["platform_id"], "contact_id": invoice["contact_id"],
        "account_id": bank["platform_id"], "amount": 1.0, "payment_date": "2024-06-15T00:00:00.000Z",
        "document_number": "ASYNC-" + secrets.token_hex(4),
    }


def test_paging_and_filters(client):
    paged = list(client.iter_records(COMPANY, "invoices", limit=50))
    whole = list(client.iter_records(COMPANY, "invoices", limit=1000))
    assert client.requests_sent > len(paged) // 50  # every page was followed
    assert len(paged) == len(whole) > 7
    assert [r["rootfi_id"] for r in paged] == [r["rootfi_id"] for r in whole]
    numbers = [whole[0]["document_number"], whole[5]["document_number"]]
    found = list(client.iter_records(COMPANY, "invoices", {"document_number": ("in", numbers)}))
    assert sorted(r["document_number"] for r in found) == sorted(numbers)
    assert all(r["amount_due"] > 100 for r in client.iter_records(COMPANY, "invoices", {"amount_due": ("gt", 100)}))
    deleted = list(client.iter_records(COMPANY, "invoices", {"rootfi_deleted_at": ("not_null", "true")},
                                       include_deleted=True))
    assert deleted and len(whole) + len(deleted) == len(list(client.iter_records(
        COMPANY, "invoices", limit=500, include_deleted=True)))


@pytest.mark.parametrize("retry_after_header", [True, False])
def test_429_bursts_are_waited_out(make_sandbox, api_key, retry_after_header):
    sandbox = make_sandbox(faults={"429": 0.3}, burst_429_length=2, fault_seed=1,
                           retry_after_header=retry_after_header)
    fake = FakeTime()  # the sandbox's 429 bursts count requests, not seconds
    retry = RetryPolicy(max_attempts=10, base_delay=0.05, max_delay=0.2)
    with client_for(sandbox, api_key, sleep=fake.sleep, limiter=fake.limiter(), retry=retry) as client:
        for _ in range(10):
            assert client.get_company(COMPANY).integration == "QUICKBOOKS"
    assert client.requests_sent == sandbox.requests_seen() > 10  # some were answered 429, then resent
    assert len(fake.asked) == client.requests_sent - 10  # one wait before each resend
    if retry_after_header:
        assert set(fake.asked) == {1.0}  # the sandbox's Retry-After: 1
    else:
        assert all(0 <= s <= 0.2 for s in fake.asked)  # jittered backoff


def test_429_gives_up_after_max_attempts(make_sandbox, api_key):
    sandbox = make_sandbox(faults={"429": 1.0}, burst_429_length=50)
    with client_for(sandbox, api_key, retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_retry_after=0.01)) as c:
        with pytest.raises(RateLimitedError) as caught:
            c.get_company(COMPANY)
    assert caught.value.status == 429 and c.requests_sent == 3


def test_write_is_resent_after_429(make_sandbox, api_key, payments):
    record = payments()
    sandbox = make_sandbox(faults={"429": 0.5}, burst_429_length=1, fault_seed=3)
    with client_for(sandbox, api_key, retry=RetryPolicy(max_attempts=6, base_delay=0.01, max_retry_after=0.05)) as c:
        before = sandbox.count_records(COMPANY, INVOICE_PAYMENTS)
        c.create(COMPANY, INVOICE_PAYMENTS, record)
    assert sandbox.count_records(COMPANY, INVOICE_PAYMENTS) == before + 1  # once, not twice


@pytest.mark.parametrize("retry_after_header", [True, False])
def test_server_rate_limit_headers_pace_the_client(make_sandbox, api_key, retry_after_header):
    # The sandbox allows a burst of 2 x 3, then answers 429 with X-RateLimit-Remaining: 0.
    sandbox = make_sandbox(rate_limit_per_minute=3, retry_after_header=retry_after_header)
    fake = FakeTime()  # asked to wait ~20 s, the test does not
    with client_for(sandbox, api_key, sleep=fake.sleep, limiter=fake.limiter(),
                    retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_retry_after=0.01)) as client:
        for _ in range(6):
            client.get_company(COMPANY)
        assert fake.asked == []
        with pytest.raises(RateLimitedError):  # the server's window has not really passed
            client.get_company(COMPANY)
    # Remaining: 0 (on the 6th answer, then on the 429) made the limiter wait for X-RateLimit-Reset.
    assert len([s for s in fake.asked if s > 10]) == 2


def test_the_client_uses_the_burst_the_server_says_is_left(make_sandbox, api_key):
    # 100 a minute with bursts to 200: the default limiter starts cautious (20), then
    # follows X-RateLimit-Remaining, so 150 requests in a row wait for nothing.
    sandbox = make_sandbox(rate_limit_per_minute=100)
    fake = FakeTime()
    limiter = RateLimiter(clock=fake.clock, sleep=fake.sleep)
    with client_for(sandbox, api_key, sleep=fake.sleep, clock=fake.clock, limiter=limiter) as client:
        for _ in range(150):
            client.get_company(COMPANY)
    assert fake.asked == []
    assert sandbox.requests_seen() == 150  # and no 429 on the way


def test_a_key_spent_elsewhere_is_paced_by_the_servers_count(make_sandbox, api_key):
    # A slow refill (12 a minute, burst 24: one token per 5 s), so that a loaded machine's
    # slowness cannot refill the bucket between the requests this test counts.
    sandbox = make_sandbox(rate_limit_per_minute=12)
    with client_for(sandbox, api_key) as other:  # another process spends the key's burst
        for _ in range(22):
            other.get_company(COMPANY)
    fake = FakeTime()
    limiter = RateLimiter(clock=fake.clock, sleep=fake.sleep)
    with client_for(sandbox, api_key, sleep=fake.sleep, clock=fake.clock, limiter=limiter) as client:
        client.get_company(COMPANY)
        left = limiter.tokens
        assert left < 10  # the server's count, not our cautious 20
        for _ in range(int(left)):
            client.get_company(COMPANY)
        assert fake.asked == []  # what is left is used at once
        assert limiter.tokens < 1  # and the next request waits for the server's refill, not a 429
    assert sandbox.requests_seen() == 23 + int(left)


@pytest.mark.parametrize("fault", ["500", "502", "503", "drop", "slow"])
def test_reads_survive_faults(make_sandbox, api_key, fault):
    sandbox = make_sandbox(faults={fault: 0.5}, fault_seed=7, slow_ms=400)
    with client_for(sandbox, api_key, timeout=0.2, retry=RetryPolicy(max_attempts=10, base_delay=0.01,
                                                                      max_delay=0.02)) as client:
        for _ in range(5):
            assert client.get_company(COMPANY).name


@pytest.mark.parametrize(("fault", "committed"), [("500", False), ("502", False), ("503", False),
                                                  ("drop", True), ("slow", True)])
def test_writes_with_unknown_outcome(make_sandbox, api_key, payments, fault, committed):
    record = payments()
    sandbox = make_sandbox(faults={fault: 1.0}, slow_ms=600)
    before = sandbox.count_records(COMPANY, INVOICE_PAYMENTS)
    with client_for(sandbox, api_key, timeout=0.2) as client:
        with pytest.raises(OutcomeUnknownError) as caught:
            client.create(COMPANY, INVOICE_PAYMENTS, record)
        assert client.requests_sent == 1  # never resent
    assert "look it up before sending again" in str(caught.value)
    time.sleep(0.7 if fault == "slow" else 0)  # let the slow answer's commit land
    assert sandbox.count_records(COMPANY, INVOICE_PAYMENTS) == before + (1 if committed else 0)


def test_async_write_with_unknown_outcome(make_sandbox, api_key, payments):
    records = [payments(), payments()]
    sandbox = make_sandbox(faults={"drop": 1.0})
    with client_for(sandbox, api_key) as client, pytest.raises(OutcomeUnknownError):
        client.create_async(COMPANY, INVOICE_PAYMENTS, records)


def test_unreachable_server_is_a_network_error(api_key):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with RootFiClient(api_key, f"http://127.0.0.1:{port}/v4", retry=FAST) as client:
        with pytest.raises(NetworkError) as caught:
            client.create(COMPANY, INVOICE_PAYMENTS, {"amount": 1})
    assert not isinstance(caught.value, OutcomeUnknownError)  # nothing was sent: safe to resend
    assert client.requests_sent == 0


def test_server_error_on_reads_after_retries(make_sandbox, api_key):
    sandbox = make_sandbox(faults={"503": 1.0})
    with client_for(sandbox, api_key, retry=RetryPolicy(max_attempts=3, base_delay=0.01)) as client:
        with pytest.raises(ServerError) as caught:
            client.get_company(COMPANY)
    assert caught.value.status == 503 and client.requests_sent == 3
