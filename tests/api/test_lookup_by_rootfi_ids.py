"""Records looked up by rootfi_id (is a record a row looks like still in the platform?) are
asked in lists (`rootfi_id[in]`), deleted records included and shown deleted, so a Submit asks
about thousands of them in a few requests. Over HTTP against the sandbox."""

from __future__ import annotations

import secrets
from itertools import islice

from rootfi_excel.api import INVOICE_PAYMENTS, RateLimiter, RetryPolicy, RootFiClient

COMPANY = 1001
FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)


def test_records_are_looked_up_by_rootfi_id_in_one_list_deleted_ones_shown_deleted(make_sandbox, api_key):
    sandbox = make_sandbox()
    with RootFiClient(api_key, sandbox.base_url, retry=FAST,
                      limiter=RateLimiter(per_minute=60_000, burst=1000)) as client:
        invoices = list(islice(client.iter_records(COMPANY, "invoices", {"amount_due": ("gt", 10)}, limit=20), 3))
        tag = secrets.token_hex(3).upper()
        created = [client.create(COMPANY, INVOICE_PAYMENTS, {
            "invoice_id": invoice["platform_id"], "contact_id": invoice["contact_id"], "amount": 1.0,
            "payment_date": "2024-06-15T00:00:00.000Z", "payment_mode": "Bank Transfer",
            "document_number": f"IDS-{tag}-{n}"}) for n, invoice in enumerate(invoices)]
        sandbox.change_record(COMPANY, INVOICE_PAYMENTS, created[1]["platform_id"], delete=True)
        ids = [str(r["rootfi_id"]) for r in created] + ["999999999"]  # the last one never existed
        before = sum(sandbox.requests_by_kind().values())
        found = client.find_by_rootfi_ids(COMPANY, INVOICE_PAYMENTS, ids)
        asked = sum(sandbox.requests_by_kind().values()) - before
    by_id = {str(r["rootfi_id"]): r for r in found}
    assert sorted(by_id) == sorted(ids[:3]) and asked == 1
    assert by_id[ids[1]].get("rootfi_deleted_at") and not by_id[ids[0]].get("rootfi_deleted_at")
    assert not by_id[ids[2]].get("rootfi_deleted_at")
