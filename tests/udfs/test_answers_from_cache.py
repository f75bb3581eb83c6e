"""UDFs answer from the lookup cache and the journal, with no API call per cell, for the
company of the calling cell's own workbook (its Settings sheet), never the one refreshed last."""

from __future__ import annotations

import pytest

from rootfi_excel import udfs
from rootfi_excel.lookups.cache import LookupCache
from rootfi_excel.lookups.refresh import refresh
from rootfi_excel.submission.journal import CREATED, FAILED, Journal
from rootfi_excel.sheets.layout import SETTINGS_SHEET
from tests.support.sandbox_api import NETSUITE, XERO
from tests.support.submitting import fast_client
from tests.support.cache_keys import key
from tests.support.udf_cells import cell_of, sandbox_cell


@pytest.fixture
def cached(sandbox, api_key):
    with LookupCache() as cache:
        client = fast_client(sandbox, api_key)
        refresh(client, cache, key(sandbox.base_url, NETSUITE))
        refresh(client, cache, key(sandbox.base_url, XERO))  # XERO is now the latest
        yield cache.company(key(sandbox.base_url, XERO)), cache.company(key(sandbox.base_url, NETSUITE))


def test_contact_and_invoice_fields_come_from_the_cache(sandbox, cached):
    xero, netsuite = cached
    invoice = xero.with_label("invoices", "INV-10002")[0]
    customer = xero.get("contacts", invoice["contact_id"])
    cell = sandbox_cell(sandbox, XERO)
    before = sandbox.requests_seen()
    assert udfs.ROOTFI_INVOICE("INV-10002", caller=cell) == invoice["amount_due"]
    assert udfs.ROOTFI_INVOICE(invoice["platform_id"], "document_number", caller=cell) == "INV-10002"
    assert udfs.ROOTFI_INVOICE("inv-10002", "contact_id", caller=cell) == invoice["contact_id"]
    assert udfs.ROOTFI_CONTACT(invoice["contact_id"], caller=cell) == customer["name"]
    assert udfs.ROOTFI_CONTACT(customer["name"], "id", None, cell) == customer["platform_id"]
    assert sandbox.requests_seen() == before  # no API call per cell

    other = netsuite.with_label("invoices", "INV-10002")[0]  # numeric ids on NetSuite
    assert udfs.ROOTFI_INVOICE("INV-10002", "platform_id", NETSUITE, cell) == other["platform_id"]
    assert udfs.ROOTFI_INVOICE(float(other["platform_id"]), "document_number", NETSUITE, cell) == "INV-10002"
    assert udfs.ROOTFI_INVOICE("INV-10002", "amount_due", 4242, cell).startswith("#NO LOOKUPS")
    assert udfs.ROOTFI_INVOICE("INV-99999", caller=cell).startswith("#N/A")
    assert udfs.ROOTFI_INVOICE("INV-10002", "colour", caller=cell).startswith("#FIELD?")
    assert udfs.ROOTFI_CONTACT(None, caller=cell) == ""


@pytest.mark.reads_sandbox
def test_each_workbook_answers_for_its_own_company_not_the_one_refreshed_last(sandbox, cached):
    xero, netsuite = cached  # XERO was refreshed last
    theirs = netsuite.with_label("invoices", "INV-10002")[0]
    assert theirs["platform_id"] != xero.with_label("invoices", "INV-10002")[0]["platform_id"]
    netsuite_cell = sandbox_cell(sandbox, NETSUITE)
    assert udfs.ROOTFI_INVOICE("INV-10002", "platform_id", caller=netsuite_cell) == theirs["platform_id"]
    # the same company at another address (production) has no lookups on this computer
    production = cell_of({"company_id": NETSUITE})
    assert udfs.ROOTFI_INVOICE("INV-10002", caller=production) == f"#NO LOOKUPS: refresh lookups of company {NETSUITE} first"
    # where the company cannot be known, the cell says so in words
    assert udfs.ROOTFI_INVOICE("INV-10002").startswith("#NO COMPANY: use this function in a cell")  # no caller
    assert udfs.ROOTFI_CONTACT("Acme", caller=sandbox_cell(sandbox, None)) == "#NO COMPANY: company_id is blank"
    assert udfs.ROOTFI_CONTACT("Acme", caller=sandbox_cell(sandbox, "acme")).startswith(
        "#NO COMPANY: company_id 'acme' is not a RootFi company id")
    assert udfs.ROOTFI_STATUS("X", caller=cell_of({"environment": "staging", "company_id": XERO})).startswith(
        "#SETTINGS: environment 'staging' needs a base_url")
    assert udfs.ROOTFI_INVOICE("INV-10002", caller=cell_of({"company_id": XERO, "base_url": "http://example.com"})
                               ).startswith("#SETTINGS: base_url must start with https://")


@pytest.mark.reads_sandbox
def test_a_cell_reads_settings_without_changing_the_workbook(sandbox, cached):
    xero, _ = cached
    cell = cell_of({"environment": "sandbox", "base_url": sandbox.base_url}, below=["company_id", XERO])
    settings_table = cell.sheet.book.sheets[SETTINGS_SHEET].tables[0]
    assert udfs.ROOTFI_INVOICE("INV-10002", caller=cell) == xero.with_label("invoices", "INV-10002")[0]["amount_due"]
    assert settings_table.count == 2  # a UDF may not resize the table over the row typed below it
    assert udfs.company_of(udfs.settings_of(object())).startswith("#SETTINGS? the workbook's Settings sheet cannot")


def test_twin_names_are_ambiguous(sandbox, api_key, cached):
    xero, _ = cached
    first, second = [c for c in xero.records("contacts") if c["contact_type"] == "CUSTOMER"][:2]
    sandbox.change_record(XERO, "contacts", second["platform_id"], name=first["name"])
    with LookupCache() as cache:
        refresh(fast_client(sandbox, api_key), cache, key(sandbox.base_url, XERO))
    answer = udfs.ROOTFI_CONTACT(first["name"], "id", caller=sandbox_cell(sandbox, XERO))
    assert answer.startswith("#AMBIGUOUS") and first["platform_id"] in answer and second["platform_id"] in answer


def test_status_comes_from_the_journal(sandbox, cached):
    with Journal() as journal:
        _, (created,), _ = journal.begin(sandbox.base_url, XERO, "invoice_payments",
                                         [("fp-1", "RCPT-1", {"invoice_id": "x"})])
        journal.update([created], CREATED, rootfi_id="4711", platform_id="P-1")
        _, (failed,), _ = journal.begin(sandbox.base_url, XERO, "invoice_credit_notes",
                                        [("fp-2", "CN-9", {"contact_id": "y"})])
        journal.update([failed], FAILED, message="contact_id: unknown")
    cell = sandbox_cell(sandbox, XERO)
    assert udfs.ROOTFI_STATUS("RCPT-1", caller=cell) == "Created"
    assert udfs.ROOTFI_STATUS("RCPT-1", "rootfi_id", caller=cell) == "4711"
    assert udfs.ROOTFI_STATUS("CN-9", caller=cell) == "Failed"
    assert udfs.ROOTFI_STATUS("CN-9", "message", caller=cell) == "contact_id: unknown"
    assert udfs.ROOTFI_STATUS("RCPT-2", caller=cell) == "#NOT SENT"
    assert udfs.ROOTFI_STATUS("RCPT-1", caller=sandbox_cell(sandbox, NETSUITE)) == "#NOT SENT"  # another company
