"""Small helpers for the sandbox tests: an httpx client and lookups of seeded ids."""

from __future__ import annotations

import sqlite3
import time

import httpx

QUICKBOOKS, XERO, NETSUITE, DYNAMICS, SAGE, FRESHBOOKS, ZOHO = 1001, 1002, 1003, 1004, 1005, 1006, 1007


def client(sandbox, api_key: str, **kwargs) -> httpx.Client:
    return httpx.Client(base_url=sandbox.base_url, headers={"api_key": api_key}, timeout=10, **kwargs)


def admin_url(sandbox) -> str:
    return sandbox.base_url.removesuffix("/v4") + "/_sandbox/stats"


def lookup(api: httpx.Client, company: int, path: str, **filters: str) -> dict:
    """The first record of a list under the company, e.g. lookup(api, 1002, "accounts", **{"name[eq]": "Sales"})."""
    answer = api.get(f"/core/companies/{company}/{path}", params={"limit": 1, **filters})
    assert answer.status_code == 200, answer.text
    return answer.json()["data"][0]


def open_invoice(api: httpx.Client, company: int, skip: int = 0) -> dict:
    answer = api.get(f"/core/companies/{company}/shared/invoices",
                     params={"limit": skip + 1, "status[eq]": "SUBMITTED"})
    return answer.json()["data"][skip]


def bank_account(api: httpx.Client, company: int) -> dict:
    return lookup(api, company, "accounts", **{"name[eq]": "Business Checking"})


def customer(api: httpx.Client, company: int) -> dict:
    return lookup(api, company, "shared/contacts", **{"contact_type[eq]": "CUSTOMER"})


def credit_note_body(api: httpx.Client, company: int, **fields) -> dict:
    sales = lookup(api, company, "accounts", **{"name[eq]": "Sales Returns and Allowances"})
    record = {
        "contact_id": customer(api, company)["platform_id"],
        "document_number": "CN-1",
        "line_items": [{"account_id": sales["platform_id"], "quantity": 2, "unit_amount": 50, "description": "Refund"}],
    }
    record.update(fields)
    return {"data": record}


def wait_for_sync(api: httpx.Client, sync_id: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        sync = api.get(f"/core/syncs/{sync_id}").json()["data"]
        if sync["status"] != "RUNNING" or time.monotonic() > deadline:
            return sync
        time.sleep(0.02)


def assert_no_duplicates_in_sandbox_db(db_path, company_id):
    """Count straight in the sandbox's SQLite file: one record per document number (and invoice)."""
    db = sqlite3.connect(db_path)
    twice = db.execute(
        "SELECT model, json_extract(data, '$.document_number'), json_extract(data, '$.invoice_id'), COUNT(*) "
        "FROM records WHERE company_id = ? AND model IN ('invoice_payments', 'invoice_credit_notes') "
        "GROUP BY 1, 2, 3 HAVING COUNT(*) > 1", (company_id,)).fetchall()
    db.close()
    assert twice == [], f"created more than once: {twice[:5]}"
