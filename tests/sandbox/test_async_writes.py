"""Async writes: ?run_async=true answers a sync_id; a worker creates the records as jobs."""

from __future__ import annotations

import pytest

from tests.support.sandbox_api import XERO, bank_account, client, credit_note_body, open_invoice, wait_for_sync

PAYMENTS = f"/core/companies/{XERO}/invoice_payments"


@pytest.fixture
def api(sandbox, api_key):
    with client(sandbox, api_key) as api:
        yield api


def payments(api, count, amount=10.0):
    account = bank_account(api, XERO)["platform_id"]
    return [{"invoice_id": open_invoice(api, XERO, skip=i)["platform_id"], "account_id": account,
             "amount": amount, "document_number": f"BATCH-{i}"} for i in range(count)]


def test_batch_becomes_a_push_sync_with_one_job_per_record(sandbox, api):
    records = payments(api, 3)
    records.insert(1, {"invoice_id": "nope", "amount": 5, "document_number": "BAD-1"})
    answer = api.post(PAYMENTS, params={"run_async": "true"}, json={"data": records})
    assert answer.status_code == 200 and set(answer.json()) == {"sync_id"}
    sync_id = answer.json()["sync_id"]

    sync = wait_for_sync(api, sync_id)
    assert sync["status"] == "PARTIAL_SUCCESS" and sync["sync_id"] == sync_id
    assert sync["data_model"] == "INVOICE_PAYMENTS" and sync["job_type"] == "PUSH"
    assert (sync["total_count"], sync["success_count"], sync["failed_count"]) == (4, 3, 1)
    assert sync["running_count"] == sync["pending_count"] == 0
    assert sync["rootfi_company_id"] == XERO and sync["start_time"] and sync["end_time"]
    assert sandbox.count_records(XERO, "invoice_payments") == 3

    jobs = api.get(f"/core/syncs/{sync_id}/jobs").json()
    assert jobs["next"] is None and len(jobs["data"]) == 4
    assert [j["variables"]["record_index"] for j in jobs["data"]] == [0, 1, 2, 3]
    assert [j["variables"]["document_number"] for j in jobs["data"]] == ["BATCH-0", "BAD-1", "BATCH-1", "BATCH-2"]
    failed = jobs["data"][1]
    assert failed["status"] == "FAILED" and failed["data"] is None
    assert failed["error"]["code"] == "invalid-params" and "nope" in failed["error"]["message"]
    done = jobs["data"][0]
    assert done["status"] == "SUCCESS" and done["error"] is None
    created = api.get(PAYMENTS, params={"rootfi_id[eq]": done["data"]["rootfi_id"]}).json()["data"][0]
    assert created["platform_id"] == done["data"]["platform_id"] and created["document_number"] == "BATCH-0"

    one = api.get(f"/core/syncs/jobs/{done['job_id']}").json()["data"]
    assert one == done


def test_single_record_async_and_credit_notes(sandbox, api):
    answer = api.post(f"/core/companies/{XERO}/invoice_credit_notes", params={"run_async": "true"},
                      json=credit_note_body(api, XERO))
    sync = wait_for_sync(api, answer.json()["sync_id"])
    assert sync["status"] == "SUCCESS" and sync["data_model"] == "INVOICE_CREDIT_NOTES"
    assert sync["total_count"] == 1
    assert sandbox.count_records(XERO, "invoice_credit_notes") == 1


def test_all_failed_is_failed_and_duplicates_inside_a_batch(api):
    record = payments(api, 1)[0]
    sync_id = api.post(PAYMENTS, params={"run_async": "true"}, json={"data": [record, record]}).json()["sync_id"]
    jobs = api.get(f"/core/syncs/{wait_for_sync(api, sync_id)['sync_id']}/jobs").json()["data"]
    assert [j["status"] for j in jobs] == ["SUCCESS", "FAILED"]
    assert jobs[1]["error"]["code"] == "record-already-exists"
    bad = [{"amount": 1}, {"invoice_id": "x", "amount": -1}, "not an object"]
    sync = wait_for_sync(api, api.post(PAYMENTS, params={"run_async": "true"}, json={"data": bad}).json()["sync_id"])
    assert sync["status"] == "FAILED" and sync["failed_count"] == 3


def test_sync_is_running_while_jobs_are_processed(make_sandbox, api_key):
    slow = make_sandbox(job_delay_ms=100)
    with client(slow, api_key) as api:
        sync_id = api.post(PAYMENTS, params={"run_async": "true"}, json={"data": payments(api, 5)}).json()["sync_id"]
        sync = api.get(f"/core/syncs/{sync_id}").json()["data"]
        assert sync["status"] == "RUNNING" and sync["end_time"] is None
        assert sync["pending_count"] + sync["running_count"] >= 4
        statuses = {j["status"] for j in api.get(f"/core/syncs/{sync_id}/jobs").json()["data"]}
        assert statuses <= {"CREATED", "RUNNING", "SUCCESS"} and "CREATED" in statuses
        assert wait_for_sync(api, sync_id)["status"] == "SUCCESS"


def test_unfinished_jobs_resume_after_a_restart(make_sandbox, api_key, tmp_path):
    db = tmp_path / "resume.sqlite3"
    first = make_sandbox(db_path=db, job_delay_ms=200)
    with client(first, api_key) as api:
        sync_id = api.post(PAYMENTS, params={"run_async": "true"}, json={"data": payments(api, 4)}).json()["sync_id"]
    first.stop()
    second = make_sandbox(db_path=db, job_delay_ms=1)
    with client(second, api_key) as api:
        assert wait_for_sync(api, sync_id)["status"] == "SUCCESS"
    assert second.count_records(XERO, "invoice_payments") == 4


def test_jobs_are_paged_like_lists(api):
    sync_id = api.post(PAYMENTS, params={"run_async": "true"}, json={"data": payments(api, 5, amount=1)}).json()["sync_id"]
    wait_for_sync(api, sync_id)
    first = api.get(f"/core/syncs/{sync_id}/jobs", params={"limit": 2, "return_count": "true"}).json()
    assert len(first["data"]) == 2 and first["total_count"] == 5 and first["next"]
    second = api.get(f"/core/syncs/{sync_id}/jobs", params={"limit": 2, "next": first["next"]}).json()
    assert second["data"][0]["variables"]["record_index"] == 2


def test_company_syncs_list_push_only_with_job_type(api):
    sync_id = api.post(PAYMENTS, params={"run_async": "true"}, json={"data": payments(api, 1)}).json()["sync_id"]
    wait_for_sync(api, sync_id)
    assert api.get(f"/core/companies/{XERO}/syncs").json()["data"] == []  # jobType defaults to PULL
    push = api.get(f"/core/companies/{XERO}/syncs", params={"jobType": "PUSH"}).json()["data"]
    assert [s["sync_id"] for s in push] == [sync_id]
    assert api.get(f"/core/companies/{XERO}/syncs", params={"jobType": "SIDEWAYS"}).status_code == 400


def test_unknown_sync_or_job_is_404(api):
    for path in ("/core/syncs/nope", "/core/syncs/nope/jobs", "/core/syncs/jobs/nope"):
        answer = api.get(path)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not-found"


@pytest.mark.parametrize("params, data", [
    ({"run_async": "true"}, []),
    ({"run_async": "perhaps"}, [{}]),
])
def test_bad_async_requests(api, params, data):
    answer = api.post(PAYMENTS, params=params, json={"data": data})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid-params"
