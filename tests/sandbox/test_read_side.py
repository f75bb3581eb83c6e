"""The sandbox's read side: auth, companies, lists (paging, filters), admin stats, restarts."""

from __future__ import annotations

import httpx
import pytest

from tests.support.sandbox_api import XERO, ZOHO, admin_url, client


@pytest.fixture
def api(sandbox, api_key):
    with client(sandbox, api_key) as api:
        yield api


@pytest.mark.reads_sandbox
def test_wrong_or_missing_key_is_401_and_never_echoed(sandbox, api_key):
    for headers in ({"api_key": "rk_wrong"}, {}):
        answer = httpx.get(sandbox.base_url + "/core/companies/1001", headers=headers)
        assert answer.status_code == 401
        assert answer.json() == {"error": {"message": "Missing or invalid api_key header.",
                                           "code": "unauthorized", "field": "api_key"}}
        assert "rk_wrong" not in answer.text and api_key not in answer.text


def test_seeded_companies(api):
    expected = {1001: "QUICKBOOKS", 1002: "XERO", 1003: "NETSUITE", 1004: "MS_DYNAMICS_365",
                1005: "SAGE_CLOUD_ACCOUNTING", 1006: "FRESH_BOOKS", 1007: "ZOHO_BOOKS"}
    for company_id, integration in expected.items():
        data = api.get(f"/core/companies/{company_id}").json()["data"]
        status = "DISCONNECTED" if company_id == ZOHO else "HEALTHY"
        assert data["rootfi_id"] == company_id and data["integration"] == integration
        assert data["connectionStatus"] == status
        assert data["connections"][0]["integration_type"] == integration
        assert data["connections"][0]["category"] == "ACCOUNTING"
        assert data["connections"][0]["connection_status"] == status
        assert data["name"] and data["rootfi_created_at"] and data["rootfi_updated_at"]


def test_unknown_company_and_route_are_404(api):
    answer = api.get("/core/companies/999")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not-found"
    assert answer.json()["error"]["field"] == "company_id"
    assert api.get("/core/companies/abc/accounts").status_code == 404
    assert api.get("/core/nothing/here").json()["error"]["code"] == "not-found"


def test_seed_is_deterministic_across_databases(make_sandbox, api_key):
    first, second = make_sandbox(), make_sandbox()
    with client(first, api_key) as a, client(second, api_key) as b:
        for path in ("shared/invoices", "shared/contacts", "accounts", "items"):
            left = a.get(f"/core/companies/{XERO}/{path}").json()["data"]
            right = b.get(f"/core/companies/{XERO}/{path}").json()["data"]
            assert [r["platform_id"] for r in left] == [r["platform_id"] for r in right]


def test_seeded_data_is_rich_enough(api):
    def count(path, **filters):
        params = {"return_count": "true", "limit": 1, **filters}
        return api.get(f"/core/companies/{XERO}/{path}", params=params).json()["total_count"]

    assert count("shared/invoices", **{"amount_due[gt]": "0"}) == 600
    assert count("shared/contacts", **{"contact_type[eq]": "CUSTOMER"}) == 30
    assert count("currencies") >= 6
    assert count("accounts", **{"category[eq]": "BANK"}) >= 2
    assert count("accounts", **{"sub_category[eq]": "ACCOUNTS_RECEIVABLE"}) == 1
    assert count("accounts", **{"category[eq]": "INCOME"}) >= 2
    assert count("tax_rates") >= 3 and count("items") >= 10
    invoice = api.get(f"/core/companies/{XERO}/shared/invoices").json()["data"][0]
    assert invoice["document_number"].startswith("INV-") and isinstance(invoice["platform_id"], str)
    for field in ("amount_due", "total_amount", "currency_id", "contact_id"):
        assert invoice[field] is not None


def test_paging_with_next_and_prev_cursors(api):
    path = f"/core/companies/{XERO}/shared/invoices"
    everything = api.get(path, params={"limit": 1000}).json()
    assert everything["next"] is None and everything["prev"] is None
    ids = [r["rootfi_id"] for r in everything["data"]]
    assert ids == sorted(ids) and len(ids) == 615  # 600 open + 15 paid; 3 deleted are hidden

    first = api.get(path, params={"limit": 250}).json()
    assert first["prev"] is None and "total_count" not in first
    second = api.get(path, params={"limit": 250, "next": first["next"]}).json()
    third = api.get(path, params={"limit": 250, "next": second["next"]}).json()
    assert third["next"] is None and len(third["data"]) == 115
    assert [r["rootfi_id"] for r in first["data"] + second["data"] + third["data"]] == ids
    back = api.get(path, params={"limit": 250, "prev": third["prev"]}).json()
    assert back["data"] == second["data"]


def test_limit_bounds_and_bad_cursors(api):
    path = f"/core/companies/{XERO}/accounts"
    assert len(api.get(path).json()["data"]) <= 100
    for params in ({"limit": 0}, {"limit": 1001}, {"limit": "ten"}, {"next": "garbage"}):
        answer = api.get(path, params=params)
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid-params"
    # A cursor only works with the filters it was made for.
    cursor = api.get(path, params={"limit": 2, "category[eq]": "BANK"}).json()["next"]
    answer = api.get(path, params={"limit": 2, "next": cursor})
    assert answer.status_code == 400


def test_filters_each_operator(api):
    path = f"/core/companies/{XERO}/shared/invoices"

    def docs(**filters):
        return {r["document_number"] for r in api.get(path, params={"limit": 1000, **filters}).json()["data"]}

    assert docs(**{"document_number[eq]": "INV-10421"}) == {"INV-10421"}
    assert "INV-10421" not in docs(**{"document_number[neq]": "INV-10421"})
    assert docs(**{"document_number[in]": "INV-10001,INV-10002"}) == {"INV-10001", "INV-10002"}
    assert len(docs(**{"document_number[nin]": "INV-10001,INV-10002"})) == 613
    assert docs(**{"document_number[contains]": "inv-1042"}) == {f"INV-1042{i}" for i in range(10)}
    assert len(docs(**{"document_number[not_contains]": "INV-1042"})) == 605
    assert len(docs(**{"amount_due[eq]": "0"})) == 15
    big = docs(**{"total_amount[gte]": "10000"})
    small = docs(**{"total_amount[lt]": "10000"})
    assert big and small and not big & small and len(big | small) == 615
    assert docs(**{"amount_due[gt]": "1", "amount_due[lte]": "500"}) <= docs(**{"amount_due[lt]": "501"})
    assert len(docs(**{"memo[not_null]": "true"})) == 615
    assert docs(**{"memo[is_null]": "true"}) == set()
    assert len(docs(**{"sales_order_ids[not_contains]": "x"})) == 615
    currencies = api.get(f"/core/companies/{XERO}/currencies", params={"is_base_currency[eq]": "true"}).json()
    assert [c["code"] for c in currencies["data"]] == ["GBP"]


@pytest.mark.parametrize("params", [
    {"colour[eq]": "red"},            # unknown field
    {"amount_due[like]": "1"},        # unknown operator
    {"amount_due[gt]": "lots"},       # not a number
    {"bogus": "1"},                   # not a filter at all
    {"include_deleted_records": "maybe"},
])
def test_bad_filters_are_invalid_params(api, params):
    answer = api.get(f"/core/companies/{XERO}/shared/invoices", params=params)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid-params"


def test_deleted_records_hidden_unless_asked(api):
    path = f"/core/companies/{XERO}/shared/contacts"
    visible = api.get(path, params={"return_count": "true"}).json()["total_count"]
    everything = api.get(path, params={"return_count": "true", "include_deleted_records": "true"}).json()
    assert everything["total_count"] == visible + 2
    deleted = [c for c in everything["data"] if c["rootfi_deleted_at"]]
    assert len(deleted) == 2


def test_every_list_endpoint_answers(api):
    for path in ("shared/contacts", "shared/invoices", "accounts", "currencies", "tax_rates", "items",
                 "invoice_payments", "invoice_credit_notes"):
        answer = api.get(f"/core/companies/{XERO}/{path}")
        assert answer.status_code == 200, path
        assert set(answer.json()) == {"data", "next", "prev"}


def test_admin_stats_needs_no_key_and_is_not_counted(sandbox, api):
    api.get(f"/core/companies/{XERO}")
    stats = httpx.get(admin_url(sandbox)).json()
    assert stats["requests"]["requests"] == 1 == sandbox.requests_seen()
    assert stats["records"][str(XERO)]["invoices"] == 618
    assert sandbox.count_records(XERO, "invoices") == 618


def test_state_survives_a_restart_and_seeds_only_once(make_sandbox, api_key, tmp_path):
    db = tmp_path / "kept.sqlite3"
    first = make_sandbox(db_path=db)
    with client(first, api_key) as api:
        invoice = api.get(f"/core/companies/{XERO}/shared/invoices").json()["data"][0]
        account = api.get(f"/core/companies/{XERO}/accounts", params={"name[eq]": "Business Checking"}).json()
        body = {"data": {"invoice_id": invoice["platform_id"], "amount": 5,
                         "account_id": account["data"][0]["platform_id"], "document_number": "KEEP-1"}}
        assert api.post(f"/core/companies/{XERO}/invoice_payments", json=body).status_code == 200
    first.stop()
    second = make_sandbox(db_path=db)
    assert second.db_path == db
    assert second.count_records(XERO, "invoice_payments") == 1
    assert second.count_records(XERO, "invoices") == 618


def test_empty_sandbox_without_seed(make_sandbox, api_key):
    bare = make_sandbox(seed_demo_data=False)
    with client(bare, api_key) as api:
        assert api.get("/core/companies/1001").status_code == 404


def test_config_is_checked(make_sandbox):
    keyless = make_sandbox(trusted=False, api_keys=[])  # no key given: the database's own, made once and kept
    assert keyless.config.api_keys and keyless.config.api_keys[0].startswith("rk_sandbox_")
    with pytest.raises(ValueError):
        make_sandbox(faults={"teapot": 0.5})
    with pytest.raises(ValueError):
        make_sandbox(faults={"500": 0.7, "502": 0.7})
