"""The sandbox serves what a lookups refresh needs: v4 list paths, big pages, an
incremental filter on rootfi_updated_at, deleted records on request, and a volume company."""

from __future__ import annotations

import time

from tests.support.sandbox_api import XERO, client


def test_volume_company_pages_and_incremental_filter(make_sandbox, api_key):
    sandbox = make_sandbox(volume=(2500, 300))
    assert sandbox.count_records(1008, "invoices") == 2500
    assert sandbox.count_records(1008, "contacts") == 300
    api = client(sandbox, api_key)
    first = api.get("/core/companies/1008/shared/invoices", params={"limit": 1000, "return_count": "true"}).json()
    assert len(first["data"]) == 1000 and first["total_count"] == 2500 and first["next"]
    second = api.get("/core/companies/1008/shared/invoices", params={"limit": 1000, "next": first["next"]}).json()
    assert second["data"][0]["rootfi_id"] > first["data"][-1]["rootfi_id"]

    mark = max(r["rootfi_updated_at"] for r in first["data"])
    time.sleep(0.01)  # stamps have millisecond resolution
    target = first["data"][5]
    sandbox.change_record(1008, "invoices", target["platform_id"], amount_due=1.0)
    gone = first["data"][6]
    sandbox.change_record(1008, "invoices", gone["platform_id"], delete=True)

    params = {"limit": 1000, "rootfi_updated_at[gt]": mark}
    changed = api.get("/core/companies/1008/shared/invoices", params=params).json()["data"]
    assert [r["platform_id"] for r in changed] == [target["platform_id"]]  # deleted ones hidden by default
    params["include_deleted_records"] = "true"
    changed = api.get("/core/companies/1008/shared/invoices", params=params).json()["data"]
    by_id = {r["platform_id"]: r for r in changed}
    assert set(by_id) == {target["platform_id"], gone["platform_id"]}
    assert by_id[target["platform_id"]]["amount_due"] == 1.0
    assert by_id[gone["platform_id"]]["rootfi_deleted_at"] is not None


def test_volume_company_has_twin_customer_names(make_sandbox, api_key):
    sandbox = make_sandbox(volume=(10, 1000))
    api = client(sandbox, api_key)
    names = [c["name"] for c in api.get("/core/companies/1008/shared/contacts", params={"limit": 1000}).json()["data"]]
    assert len(names) == 1000
    assert len(set(names)) == 998  # two twin pairs, the rest unique


def test_demo_companies_unchanged_without_volume(sandbox, api_key):
    api = client(sandbox, api_key)
    assert api.get("/core/companies/1008").status_code == 404
    assert sandbox.count_records(XERO, "invoices") == 618
