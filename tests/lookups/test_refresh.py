"""Lookup cache and refresh over HTTP against the sandbox: a full first refresh, an
incremental second one (counted with the sandbox's request counter), a failed refresh
that keeps the cache, and human values resolved to ids."""

from __future__ import annotations

import datetime as dt

import pytest

from rootfi_excel.api.client import RootFiClient
from rootfi_excel.lookups.cache import KINDS, LookupCache
from rootfi_excel.lookups.refresh import refresh
from rootfi_excel.lookups.resolve import resolve
from tests.support.sandbox_api import XERO, bank_account, client, open_invoice
from tests.support.submitting import fast_client
from tests.support.cache_keys import key


@pytest.fixture
def cache(tmp_path):
    with LookupCache(tmp_path / "lookups.sqlite3") as opened:
        yield opened


def test_first_refresh_reads_every_list_once_and_fills_the_cache(sandbox, api_key, cache):
    before = sandbox.requests_seen()
    messages: list[str] = []
    report = refresh(fast_client(sandbox, api_key), cache, key(sandbox.base_url, XERO), progress=messages.append)
    assert report.ok, report.error
    assert report.full == list(KINDS)
    assert report.requests == len(KINDS) == sandbox.requests_seen() - before  # one page of 1000 per list
    assert report.counts == {"contacts": 34, "invoices": 615, "accounts": 13, "currencies": 10, "tax_rates": 4,
                             "items": 12}
    lookups = cache.company(key(sandbox.base_url, XERO))
    assert lookups is not None and lookups.age() < dt.timedelta(minutes=1)
    invoice = lookups.with_label("invoices", "inv-10001")[0]  # case does not matter
    assert invoice["document_number"] == "INV-10001" and "amount_due" in invoice
    assert any("Reading invoices" in m for m in messages) and "refreshed (full" in report.summary()
    assert not any("refreshed" in m for m in messages)  # the summary is the caller's to say, once


def test_second_refresh_asks_only_for_changes(sandbox, api_key, cache):
    api_client = fast_client(sandbox, api_key)
    refresh(api_client, cache, key(sandbox.base_url, XERO))
    api = client(sandbox, api_key)
    invoice = open_invoice(api, XERO)
    paid = api.post(f"/core/companies/{XERO}/invoice_payments", json={"data": {
        "invoice_id": invoice["platform_id"], "amount": 10.0,
        "account_id": bank_account(api, XERO)["platform_id"]}})
    assert paid.status_code == 200, paid.text
    lookups = cache.company(key(sandbox.base_url, XERO))
    contacts = lookups.records("contacts")
    sandbox.change_record(XERO, "contacts", contacts[0]["platform_id"], delete=True)
    sandbox.change_record(XERO, "contacts", contacts[1]["platform_id"], name="Renamed Customer Ltd")

    before = sandbox.requests_seen()
    report = refresh(api_client, cache, key(sandbox.base_url, XERO))
    assert report.ok and report.full == []
    assert sandbox.requests_seen() - before == report.requests == len(KINDS)
    assert report.changed["invoices"] == 1 and report.changed["contacts"] == 2
    assert report.changed["accounts"] == report.changed["items"] == 0
    lookups = cache.company(key(sandbox.base_url, XERO))
    assert lookups.get("invoices", invoice["platform_id"])["amount_due"] == pytest.approx(invoice["amount_due"] - 10)
    assert lookups.get("contacts", contacts[0]["platform_id"]) is None
    assert lookups.get("contacts", contacts[1]["platform_id"])["name"] == "Renamed Customer Ltd"
    assert report.counts["contacts"] == 33 and report.counts["invoices"] == 615


@pytest.mark.reads_sandbox
def test_failed_refresh_keeps_the_previous_cache_and_says_so(sandbox, api_key, cache):
    refresh(fast_client(sandbox, api_key), cache, key(sandbox.base_url, XERO))
    with RootFiClient("rk_test_wrong", base_url=sandbox.base_url) as wrong:
        report = refresh(wrong, cache, key(sandbox.base_url, XERO))
    assert not report.ok and "previous lookups are kept" in report.summary()
    assert "rk_test_wrong" not in report.summary()
    lookups = cache.company(key(sandbox.base_url, XERO))
    assert lookups.count("invoices") == 615
    assert cache.failure(key(sandbox.base_url, XERO)) is not None


def test_a_refused_read_says_which_list_it_was_not_that_a_record_was_rejected(make_sandbox, api_key, cache):
    sandbox = make_sandbox(faults={"400@lists": 1.0})  # every list read answered 400
    report = refresh(fast_client(sandbox, api_key), cache, key(sandbox.base_url, XERO))
    assert not report.ok
    assert report.summary().startswith(f"Refresh failed: RootFi refused to read the customers of company {XERO} (")
    assert "rejected the record" not in report.summary()


@pytest.mark.reads_sandbox
def test_refresh_of_an_unknown_company_leaves_no_cache(sandbox, api_key, cache):
    report = refresh(fast_client(sandbox, api_key), cache, key(sandbox.base_url, 4242))
    assert not report.ok and "no earlier copy" in report.summary()
    assert cache.company(key(sandbox.base_url, 4242)) is None


def test_human_values_resolve_and_twins_are_refused(make_sandbox, api_key, cache):
    sandbox = make_sandbox(volume=(50, 500))
    refresh(fast_client(sandbox, api_key), cache, key(sandbox.base_url, 1008))
    lookups = cache.company(key(sandbox.base_url, 1008))
    invoice = lookups.with_label("invoices", "INV-100007")[0]
    by_number = resolve(lookups, "invoices", "INV-100007")
    assert by_number.platform_id == invoice["platform_id"] and by_number.by_label
    assert "INV-100007" in by_number.note() and invoice["platform_id"] in by_number.note()
    by_id = resolve(lookups, "invoices", invoice["platform_id"])
    assert by_id.platform_id == invoice["platform_id"] and not by_id.by_label

    contacts = lookups.records("contacts")
    twin_name = contacts[499]["name"]
    assert contacts[498]["name"] == twin_name
    twins = resolve(lookups, "contacts", twin_name)
    assert not twins.found and twins.ambiguous
    problem = twins.problem()
    assert contacts[498]["platform_id"] in problem and contacts[499]["platform_id"] in problem
    single = resolve(lookups, "contacts", contacts[3]["name"].upper())
    assert single.platform_id == contacts[3]["platform_id"]
    unknown = resolve(lookups, "contacts", "Nobody Ltd")
    assert not unknown.found and "not a known contact" in unknown.problem()


def test_an_id_that_is_also_another_records_label_is_ambiguous(cache):
    from rootfi_excel.lookups.cache import ListChanges, utc_now

    invoices = [{"platform_id": "591", "document_number": "INV-1"},
                {"platform_id": "592", "document_number": "591"}]  # a number that is another invoice's id
    cache.apply(key("http://example.test/v4/", 7), [ListChanges("invoices", invoices, [], True, None)], utc_now())
    lookups = cache.company(key("http://example.test/v4", 7))  # the trailing slash does not matter
    clash = resolve(lookups, "invoices", "591")
    assert not clash.found and clash.ambiguous and "592" in clash.problem()
    assert resolve(lookups, "invoices", "592").platform_id == "592"
    assert resolve(lookups, "invoices", " inv-1 ").platform_id == "591"


def test_a_refresh_that_fails_halfway_stores_nothing(sandbox, api_key, cache):
    """Contacts, invoices and accounts read, then the connection drops: the cache keeps the
    old lists and marks, so the next good refresh still reads every change."""
    from rootfi_excel.errors import NetworkError

    class DropsAtCurrencies(RootFiClient):
        def iter_records(self, company_id, name, *args, **kwargs):
            if name == "currencies":
                raise NetworkError("ReadError: connection reset")
            yield from super().iter_records(company_id, name, *args, **kwargs)

    assert refresh(fast_client(sandbox, api_key), cache, key(sandbox.base_url, XERO)).ok
    lookups = cache.company(key(sandbox.base_url, XERO))
    account = lookups.records("accounts")[0]
    sandbox.change_record(XERO, "accounts", account["platform_id"], name="Renamed Account")

    with DropsAtCurrencies(api_key, base_url=sandbox.base_url) as flaky:
        failed = refresh(flaky, cache, key(sandbox.base_url, XERO))
    assert not failed.ok and failed.requests == 3
    assert f"The connection to {sandbox.base_url} broke off" in failed.summary()  # which address, what to do
    assert cache.company(key(sandbox.base_url, XERO)).get("accounts", account["platform_id"])["name"] == account["name"]

    good = refresh(fast_client(sandbox, api_key), cache, key(sandbox.base_url, XERO))
    assert good.ok and good.changed["accounts"] == 1
    assert cache.company(key(sandbox.base_url, XERO)).get("accounts", account["platform_id"])["name"] == "Renamed Account"
