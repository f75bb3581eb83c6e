"""The sandbox produces each hostile case on purpose: scoped faults, a revoked key, a
clock set off, odd reset headers, unknown statuses, wrapped lists, endless cursors,
odd ids and a key echoed in errors (docs/sandbox.md, "Producing a case on purpose")."""

from __future__ import annotations

import datetime as dt
import time
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import httpx
import pytest

from rootfi_excel.sandbox.faults import FaultPlan, scopes_of
from tests.support.sandbox_api import XERO, bank_account, client, open_invoice, wait_for_sync

COMPANY = f"/core/companies/{XERO}"
PAYMENTS = f"{COMPANY}/invoice_payments"


def payment(api, number: str = "C-1", skip: int = 0) -> dict:
    return {"invoice_id": open_invoice(api, XERO, skip)["platform_id"], "account_id": bank_account(api, XERO)["platform_id"],
            "amount": 1, "document_number": number}


def test_scopes_of_requests():
    assert scopes_of("POST", "/v4/core/companies/1/invoice_payments") == {"all", "writes"}
    assert {"lookups", "lists"} <= scopes_of("GET", "/v4/core/companies/1/invoice_credit_notes")
    assert "lookups" not in scopes_of("GET", "/v4/core/companies/1/shared/invoices")
    assert {"syncs", "lists"} <= scopes_of("GET", "/v4/core/companies/1/syncs")
    assert {"syncs", "lists"} <= scopes_of("GET", "/v4/core/syncs/abc/jobs")
    assert "lists" not in scopes_of("GET", "/v4/core/syncs/abc")
    assert scopes_of("GET", "/v4/core/companies/1") == {"all", "reads"}


def test_fault_specs_are_checked():
    with pytest.raises(ValueError, match="unknown fault kind"):
        FaultPlan({"teapot": 0.1}, None, 1)
    with pytest.raises(ValueError, match="unknown fault scope"):
        FaultPlan({"503@everywhere": 0.1}, None, 1)
    with pytest.raises(ValueError, match="add up to more than 1"):
        FaultPlan({"503@lookups": 0.7, "500": 0.5}, None, 1)
    with pytest.raises(ValueError, match="can never hit"):
        FaultPlan({"no-list@writes": 1.0}, None, 1)
    FaultPlan({"503@lookups": 1.0, "drop@writes": 1.0}, None, 1)  # never both on one request


@pytest.mark.parametrize(("fault", "status"), [("503", 503), ("400", 400), ("no-list", 200)])
def test_lookup_faults_hit_lookups_only(make_sandbox, api_key, fault, status):
    sandbox = make_sandbox(faults={f"{fault}@lookups": 1.0})
    with client(sandbox, api_key) as api:
        lookup = api.get(PAYMENTS, params={"document_number[eq]": "X"})
        assert lookup.status_code == status
        if fault == "no-list":
            assert not isinstance(lookup.json()["data"], list)
        assert api.get(COMPANY).status_code == 200
        assert api.get(f"{COMPANY}/shared/invoices", params={"limit": 1}).status_code == 200
        assert api.post(PAYMENTS, json={"data": payment(api)}).status_code == 200


def test_no_id_fault_processes_the_write_but_names_no_record(make_sandbox, api_key):
    sandbox = make_sandbox(faults={"no-id": 1.0})
    with client(sandbox, api_key) as api:
        created = api.post(PAYMENTS, json={"data": payment(api)})
        assert created.status_code == 200 and "rootfi_id" not in created.json()["data"]
        assert created.json()["data"]["document_number"] == "C-1"
        bulk = api.post(PAYMENTS, params={"run_async": "true"}, json={"data": [payment(api, "C-2", skip=1)]})
        assert bulk.status_code == 200 and "sync_id" not in bulk.json()
    deadline = time.monotonic() + 5
    while sandbox.count_records(XERO, "invoice_payments") < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sandbox.count_records(XERO, "invoice_payments") == 2


def test_key_revoked_after_n_requests(make_sandbox, api_key):
    sandbox = make_sandbox(revoke_key_after=3)
    with client(sandbox, api_key) as api:
        codes = [api.get(COMPANY).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 401, 401]


def test_clock_offset_shifts_the_date_header_and_every_time_written(make_sandbox, api_key):
    sandbox = make_sandbox(clock_offset_s=-3 * 3600, job_delay_ms=1)
    real = dt.datetime.now(dt.timezone.utc)
    with client(sandbox, api_key) as api:
        answer = api.post(PAYMENTS, json={"data": payment(api)})
        sync_id = api.post(PAYMENTS, params={"run_async": "true"},
                           json={"data": [payment(api, "C-2", skip=1)]}).json()["sync_id"]
        sync = wait_for_sync(api, sync_id)
    server = parsedate_to_datetime(answer.headers["date"])
    assert abs((server - real).total_seconds() + 3 * 3600) < 60
    created = dt.datetime.fromisoformat(answer.json()["data"]["rootfi_created_at"].replace("Z", "+00:00"))
    started = dt.datetime.fromisoformat(sync["start_time"].replace("Z", "+00:00"))
    for moment in (created, started):
        assert abs((moment - real).total_seconds() + 3 * 3600) < 60


@pytest.mark.parametrize("form", ["milliseconds", "epoch", "epoch-ms"])
def test_rate_limit_reset_forms(make_sandbox, api_key, form):
    sandbox = make_sandbox(rate_limit_per_minute=5, rate_limit_reset=form)  # a token every 12 s
    with client(sandbox, api_key) as api:
        answers = [api.get(COMPANY) for _ in range(11)]
    reset = int(answers[-1].headers["x-ratelimit-reset"])
    now = time.time()
    seconds = {"milliseconds": reset / 1000, "epoch": reset - now, "epoch-ms": reset / 1000 - now}[form]
    assert answers[-1].status_code == 429 and 0 < seconds <= 13
    assert int(answers[-1].headers["retry-after"]) <= 12  # Retry-After stays in seconds


def test_running_status_is_reported_as_configured(make_sandbox, api_key):
    sandbox = make_sandbox(running_status="SLEEPING", job_delay_ms=200)
    with client(sandbox, api_key) as api:
        sync_id = api.post(PAYMENTS, params={"run_async": "true"},
                           json={"data": [payment(api, f"C-{i}", skip=i) for i in range(3)]}).json()["sync_id"]
        assert api.get(f"/core/syncs/{sync_id}").json()["data"]["status"] == "SLEEPING"
        jobs = api.get(f"/core/syncs/{sync_id}/jobs").json()["data"]
        assert {job["status"] for job in jobs} == {"SLEEPING"}
        listed = api.get(f"{COMPANY}/syncs", params={"jobType": "PUSH"}).json()["data"]
        assert [s["status"] for s in listed if s["sync_id"] == sync_id] == ["SLEEPING"]
        deadline = time.monotonic() + 10
        while api.get(f"/core/syncs/{sync_id}").json()["data"]["status"] == "SLEEPING":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert api.get(f"/core/syncs/{sync_id}").json()["data"]["status"] == "SUCCESS"


def test_nested_lists(make_sandbox, api_key):
    sandbox = make_sandbox(list_shape="nested")
    with client(sandbox, api_key) as api:
        page = api.get(f"{COMPANY}/shared/invoices", params={"limit": 2}).json()
        assert set(page) == {"data"} and len(page["data"]["data"]) == 2 and page["data"]["next"]
        syncs = api.get(f"{COMPANY}/syncs", params={"jobType": "PUSH"}).json()
        assert syncs["data"]["data"] == []


def test_endless_cursor_never_repeats(make_sandbox, api_key):
    sandbox = make_sandbox(endless_cursor=True)
    cursors = []
    with client(sandbox, api_key) as api:
        params = {"limit": 1000, "document_number[eq]": "NOPE"}
        for _ in range(4):
            page = api.get(PAYMENTS, params=params).json()
            assert page["data"] == [] and page["next"]
            cursors.append(page["next"])
            params = {**params, "next": page["next"]}
    assert len(set(cursors)) == 4


def test_odd_ids_are_served_when_quoted(make_sandbox, api_key):
    sandbox = make_sandbox(odd_ids=True)
    with client(sandbox, api_key) as api:
        sync_id = api.post(PAYMENTS, params={"run_async": "true"}, json={"data": [payment(api)]}).json()["sync_id"]
        assert "/" in sync_id and "\x07" in sync_id and "?" in sync_id
        segment = quote(sync_id, safe="")
        assert api.get(f"/core/syncs/{segment}").json()["data"]["sync_id"] == sync_id
        jobs = api.get(f"/core/syncs/{segment}/jobs").json()["data"]
        assert len(jobs) == 1
        job = api.get(f"/core/syncs/jobs/{quote(jobs[0]['job_id'], safe='')}").json()["data"]
        assert job["job_id"] == jobs[0]["job_id"]
        with pytest.raises(httpx.InvalidURL):  # what an unquoted id does to a client
            api.get(f"/core/syncs/{sync_id}")


def test_echo_key_repeats_the_key_in_every_error(make_sandbox, api_key):
    sandbox = make_sandbox(echo_key=True, job_delay_ms=1)
    with client(sandbox, api_key) as api:
        refused = api.post(PAYMENTS, json={"data": {"invoice_id": "no-such", "amount": 1}}).json()["error"]
        assert all(api_key in refused[part] for part in ("message", "field", "code"))
        sync_id = api.post(PAYMENTS, params={"run_async": "true"},
                           json={"data": [{"invoice_id": "no-such", "amount": 1}]}).json()["sync_id"]
        wait_for_sync(api, sync_id)
        job = api.get(f"/core/syncs/{sync_id}/jobs").json()["data"][0]
        assert job["status"] == "FAILED" and api_key in job["error"]["message"]
        assert api_key not in str(api.get(COMPANY).json())  # answers without an error are untouched
