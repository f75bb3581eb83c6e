"""The guard of the shared sandbox (tests/conftest.py, reads_sandbox): its fingerprint stays
the same while the sandbox is only read, and moves with any change to its data."""

from __future__ import annotations

from tests.support.sandbox_api import QUICKBOOKS, client, lookup
from tests.support.shared_sandbox import fingerprint


def test_reads_keep_the_fingerprint_and_any_change_moves_it(make_sandbox, api_key):
    sandbox = make_sandbox()
    before = fingerprint(sandbox.db_path)
    api = client(sandbox, api_key)
    customer = lookup(api, QUICKBOOKS, "shared/contacts", **{"contact_type[eq]": "CUSTOMER"})
    assert api.get(f"/core/companies/{QUICKBOOKS}/shared/invoices", params={"limit": 50}).status_code == 200
    assert api.get(f"/core/companies/{QUICKBOOKS}", headers={"api_key": "rk_test_wrong"}).status_code == 401
    assert fingerprint(sandbox.db_path) == before
    sandbox.change_record(QUICKBOOKS, "contacts", customer["platform_id"], name=customer["name"] + " Ltd")
    changed = fingerprint(sandbox.db_path)
    assert changed != before
    sandbox.add_record(QUICKBOOKS, "contacts", name="A new customer", contact_type="CUSTOMER")
    assert fingerprint(sandbox.db_path) != changed
