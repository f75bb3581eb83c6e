"""A lookup by document number (or platform id) asks long lists where the server takes
them (fewer requests of the rate limit), and where a server refuses a long one (a proxy's
414) asks again in short lists, keeping to them: every number is still asked, every
answer kept, and a refusal of a short list is still an error. Over HTTP against the sandbox."""

from __future__ import annotations

import secrets
from itertools import islice

import pytest

from rootfi_excel.api import INVOICE_PAYMENTS, RateLimiter, RetryPolicy, RootFiClient
from rootfi_excel.api.client import (
    BULK_PAGE_SIZE,
    LONG_LOOKUP_BUDGET,
    LOOKUP_MOST_VALUES,
    LOOKUP_QUERY_BUDGET,
    chunk_for_lookup,
)
from rootfi_excel.errors import ReadRefusedError

COMPANY = 1001
FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)


def client_for(sandbox, key: str) -> RootFiClient:
    return RootFiClient(key, sandbox.base_url, retry=FAST, limiter=RateLimiter(per_minute=60_000, burst=1000))


def created_payments(client: RootFiClient, count: int) -> list[dict]:
    """`count` payments created one by one; their numbers spread over a long list's chunks."""
    invoices = list(islice(client.iter_records(COMPANY, "invoices", {"amount_due": ("gt", 10)}, limit=20), count))
    tag = secrets.token_hex(3).upper()
    return [client.create(COMPANY, INVOICE_PAYMENTS, {
        "invoice_id": invoice["platform_id"], "contact_id": invoice["contact_id"], "amount": 1.0,
        "payment_date": "2024-06-15T00:00:00.000Z", "payment_mode": "Bank Transfer",
        "document_number": f"LONG-{tag}-{n * 700:06d}"}) for n, invoice in enumerate(invoices)]


def wanted_numbers(created: list[dict]) -> list[str]:
    tag = created[0]["document_number"].split("-")[1]
    return [f"LONG-{tag}-{n:06d}" for n in range(2_100)]


def look_up_many(sandbox, client) -> tuple[list[dict], list[str], list[dict], int]:
    """3 payments created, then 2,100 numbers looked up (theirs among them): what was created,
    the numbers, what was found, and how many lookup requests it took."""
    created = created_payments(client, 3)
    numbers = wanted_numbers(created)
    before = sandbox.requests_by_kind().get("lookup", 0)
    found = client.find_by_document_numbers(COMPANY, INVOICE_PAYMENTS, numbers)
    return created, numbers, found, sandbox.requests_by_kind()["lookup"] - before


def test_a_long_lookup_asks_long_lists_where_the_server_takes_them(make_sandbox, api_key):
    sandbox = make_sandbox()
    with client_for(sandbox, api_key) as client:
        created, numbers, found, asked = look_up_many(sandbox, client)
    assert sorted(r["rootfi_id"] for r in found) == sorted(r["rootfi_id"] for r in created)
    assert asked == len(list(chunk_for_lookup(numbers, LONG_LOOKUP_BUDGET)))
    assert asked < len(list(chunk_for_lookup(numbers, LOOKUP_QUERY_BUDGET)))  # fewer requests than short lists
    assert client.lookup_budget == LONG_LOOKUP_BUDGET


def test_a_server_that_refuses_long_urls_gets_short_lists_and_every_number_is_still_asked(make_sandbox, api_key):
    sandbox = make_sandbox(max_url_bytes=8_000)
    with client_for(sandbox, api_key) as client:
        created, numbers, found, asked = look_up_many(sandbox, client)
        assert sorted(r["rootfi_id"] for r in found) == sorted(r["rootfi_id"] for r in created)
        assert client.lookup_budget == LOOKUP_QUERY_BUDGET  # learnt once: kept for the client's life
        assert sandbox._stats.get("uri_too_long") == 1
        assert asked == 1 + len(list(chunk_for_lookup(numbers, LOOKUP_QUERY_BUDGET)))
        # The next lookup (and the references' reads by platform id) asks short lists at once.
        again = client.find_by_document_numbers(COMPANY, INVOICE_PAYMENTS, numbers)
        assert sorted(r["rootfi_id"] for r in again) == sorted(r["rootfi_id"] for r in created)
        ids = [f"INV-{n:08d}" for n in range(1_500)]
        client.find_by_platform_ids(COMPANY, "invoices", ids)
    assert sandbox._stats.get("uri_too_long") == 1


def test_a_short_list_refused_is_an_error_never_nothing_found(make_sandbox, api_key):
    sandbox = make_sandbox(max_url_bytes=2_000)  # even the short lists are too long for it
    with client_for(sandbox, api_key) as client:
        numbers = [f"SHORT-{n:06d}" for n in range(2_100)]
        with pytest.raises(ReadRefusedError) as refused:
            client.find_by_document_numbers(COMPANY, INVOICE_PAYMENTS, numbers)
    assert refused.value.status == 414
    assert sandbox._stats.get("uri_too_long") == 2  # the long list, then the first short one: no more


def test_a_platform_id_lookup_refused_long_is_asked_again_short(make_sandbox, api_key):
    sandbox = make_sandbox(max_url_bytes=8_000)
    with client_for(sandbox, api_key) as client:
        invoices = list(islice(client.iter_records(COMPANY, "invoices", limit=50), 50))
        ids = [f"NO-SUCH-{n:06d}" for n in range(1_500)] + [i["platform_id"] for i in invoices]
        found = client.find_by_platform_ids(COMPANY, "invoices", ids)
    assert sorted(r["platform_id"] for r in found) == sorted(i["platform_id"] for i in invoices)
    assert client.lookup_budget == LOOKUP_QUERY_BUDGET and sandbox._stats.get("uri_too_long") == 1


def test_a_list_of_short_numbers_stays_within_one_page_of_records():
    numbers = [f"P{n}" for n in range(5_000)]
    chunks = list(chunk_for_lookup(numbers, LONG_LOOKUP_BUDGET))
    assert max(map(len, chunks)) == LOOKUP_MOST_VALUES < BULK_PAGE_SIZE
    assert [n for chunk in chunks for n in chunk] == numbers
