"""UDFs answer from the lookup cache and the journal, with no API call per cell."""

from __future__ import annotations

import pytest

from rootfi_excel import udfs
from rootfi_excel.lookups.cache import LookupCache
from rootfi_excel.lookups.refresh import refresh
from rootfi_excel.submission.journal import CREATED, FAILED, Journal
from tests.sandbox_helpers import NETSUITE, XERO
from tests.support.submitting import fast_client


@pytest.fixture
def cached(sandbox, api_key):
    with LookupCache() as cache:
        client = fast_client(sandbox, api_key)
        refresh(client, cache, sandbox.base_url, NETSUITE)
        refresh(client, cache, sandbox.base_url, XERO)  # XERO is now the latest
        yield cache.company(sandbox.base_url, XERO), cache.company(sandbox.base_url, NETSUITE)


def test_contact_and_invoice_fields_come_from_the_cache(sandbox, cached):
    xero, netsuite = cached
    invoice = xero.with_label("invoices", "INV-10002")[0]
    customer = xero.get("contacts", invoice["contact_id"])
    before = sandbox.requests_seen()
    assert udfs.ROOTFI_INVOICE("INV-10002") == invoice["amount_due"]
    assert udfs.ROOTFI_INVOICE(invoice["platform_id"], "document_number") == "INV-10002"
    assert udfs.ROOTFI_INVOICE("inv-10002", "contact_id") == invoice["contact_id"]
    assert udfs.ROOTFI_CONTACT(invoice["contact_id"]) == customer["name"]
    assert udfs.ROOTFI_CONTACT(customer["name"], "id") == customer["platform_id"]
    assert sandbox.requests_seen() == before  # no API call per cell

    other = netsuite.with_label("invoices", "INV-10002")[0]  # numeric ids on NetSuite
    assert udfs.ROOTFI_INVOICE("INV-10002", "platform_id", NETSUITE) == other["platform_id"]
    assert udfs.ROOTFI_INVOICE(float(other["platform_id"]), "document_number", NETSUITE) == "INV-10002"
    assert udfs.ROOTFI_INVOICE("INV-10002", "amount_due", 4242).startswith("#NO LOOKUPS")
    assert udfs.ROOTFI_INVOICE("INV-99999").startswith("#N/A")
    assert udfs.ROOTFI_INVOICE("INV-10002", "colour").startswith("#FIELD?")
    assert udfs.ROOTFI_CONTACT(None) == ""


def test_twin_names_are_ambiguous(sandbox, api_key, cached):
    xero, _ = cached
    first, second = [c for c in xero.records("contacts") if c["contact_type"] == "CUSTOMER"][:2]
    sandbox.change_record(XERO, "contacts", second["platform_id"], name=first["name"])
    with LookupCache() as cache:
        refresh(fast_client(sandbox, api_key), cache, sandbox.base_url, XERO)
    answer = udfs.ROOTFI_CONTACT(first["name"], "id")
    assert answer.startswith("#AMBIGUOUS") and first["platform_id"] in answer and second["platform_id"] in answer


def test_status_comes_from_the_journal(sandbox, cached):
    with Journal() as journal:
        _, (created,), _ = journal.begin(sandbox.base_url, XERO, "invoice_payments",
                                         [("fp-1", "RCPT-1", {"invoice_id": "x"})])
        journal.update([created], CREATED, rootfi_id="4711", platform_id="P-1")
        _, (failed,), _ = journal.begin(sandbox.base_url, XERO, "invoice_credit_notes",
                                        [("fp-2", "CN-9", {"contact_id": "y"})])
        journal.update([failed], FAILED, message="contact_id: unknown")
    assert udfs.ROOTFI_STATUS("RCPT-1") == "Created"
    assert udfs.ROOTFI_STATUS("RCPT-1", "rootfi_id") == "4711"
    assert udfs.ROOTFI_STATUS("CN-9") == "Failed"
    assert udfs.ROOTFI_STATUS("CN-9", "message") == "contact_id: unknown"
    assert udfs.ROOTFI_STATUS("RCPT-2") == "#NOT SENT"
