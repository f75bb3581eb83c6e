"""Which job of a bulk write is which row's: every identifier the job carries is used
(its record index; else a document number, or an echoed record, unique within that
bulk write), and only what is left is settled by a lookup. A row's message says its
record was found by a lookup only when it was, and never that an answer was lost when
none was. Over HTTP, against the sandbox answering jobs in each shape."""

from __future__ import annotations

import pytest

from rootfi_excel.api.answers import Job
from rootfi_excel.demo.data import fetch_lookups, payment_rows
from rootfi_excel.fields.integrations import RequirementBook
from rootfi_excel.sheets.layout import PAYMENTS as PAYMENT_LAYOUT
from rootfi_excel.sheets.layout import Status
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.submission.job_results import match_jobs
from rootfi_excel.validation.validate import validate_payments
from tests.support.sandbox_api import XERO, bank_account, client, open_invoice, wait_for_sync
from tests.support.submitting import fast_client, payment_units, submitter, table_of

QUICKBOOKS = 1001
PAYMENTS = "invoice_payments"


def lookups_sent(sandbox) -> int:
    return sandbox.requests_by_kind().get("lookup", 0)


def submit_units(sandbox, api_key, tmp_path, units, name):
    client = fast_client(sandbox, api_key)
    engine, journal = submitter(client, tmp_path / f"{name}.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS")
    before = lookups_sent(sandbox)
    report = engine.submit(PAYMENTS, units)
    return report, lookups_sent(sandbox) - before


@pytest.mark.parametrize("shape", ["by-number", "payload"])
def test_jobs_without_a_record_index_settle_every_row_with_no_extra_lookup_and_no_lost_answer_wording(
        make_sandbox, api_key, tmp_path, shape):
    baseline_box = make_sandbox(job_shape="indexed")
    baseline_units = payment_units(fast_client(baseline_box, api_key), QUICKBOOKS, 12, "QUICKBOOKS")
    baseline, baseline_lookups = submit_units(baseline_box, api_key, tmp_path, baseline_units, "indexed")

    sandbox = make_sandbox(job_shape=shape)
    units = payment_units(fast_client(sandbox, api_key), QUICKBOOKS, 12, "QUICKBOOKS")
    report, lookups = submit_units(sandbox, api_key, tmp_path, units, shape)

    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * 12
    assert [o.message for o in report.outcomes.values()] == [""] * 12  # learned from the job: nothing to explain
    assert sandbox.count_records(QUICKBOOKS, PAYMENTS) == 12
    # As many lists as when every job names its index: no record was settled by a list.
    assert lookups == baseline_lookups, (lookups, baseline_lookups)
    assert [o.message for o in baseline.outcomes.values()] == [""] * 12
    # Each row has the record made from its own values.
    records = {str(r["rootfi_id"]): r for r in fast_client(sandbox, api_key).iter_records(QUICKBOOKS, "list", {}, model=PAYMENTS)}
    for position, outcome in report.outcomes.items():
        body = units[position].request.to_api()
        record = records[outcome.rootfi_id]
        assert (record["document_number"], record["invoice_id"]) == (body["document_number"], body["invoice_id"])


def shared_number_units(client, count: int):
    """Payments of `count` different invoices, the first two under one document number."""
    rows = payment_rows(fetch_lookups(client, QUICKBOOKS), count, integration="QUICKBOOKS", with_mistakes=False)
    rows[1]["document_number"] = rows[0]["document_number"]
    sheet = validate_payments(table_of(PAYMENT_LAYOUT, rows, ("arr_account_id", "payment_journal_id")),
                              WorkbookSettings(integration="QUICKBOOKS"), RequirementBook())
    assert len(sheet.ready) == count, [r.message for r in sheet.results.values() if r.message][:3]
    return sheet.ready


def test_two_records_of_one_bulk_write_sharing_a_number_are_settled_by_lookup_never_by_a_guess(
        make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(job_shape="by-number")
    client = fast_client(sandbox, api_key)
    units = shared_number_units(client, 8)
    shared = units[0].request.to_api()["document_number"]
    assert units[1].request.to_api()["document_number"] == shared
    report, _ = submit_units(sandbox, api_key, tmp_path, units, "shared")

    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * 8
    assert sandbox.count_records(QUICKBOOKS, PAYMENTS) == 8
    records = {str(r["rootfi_id"]): r for r in client.iter_records(QUICKBOOKS, "list", {}, model=PAYMENTS)}
    for position, outcome in report.outcomes.items():
        body = units[position].request.to_api()
        record = records[outcome.rootfi_id]
        assert (record["document_number"], record["invoice_id"]) == (body["document_number"], body["invoice_id"])
        if body["document_number"] == shared:  # no job could name it: found by its number, and says so
            assert "did not say which record was this row's" in outcome.message
            assert "found in RootFi by its document number" in outcome.message
            assert "lost" not in outcome.message
        else:
            assert outcome.message == ""
    assert len({o.rootfi_id for o in report.outcomes.values()}) == 8


# -------------------------------------------------------------- the matching rules alone


def job(status="SUCCESS", variables=None, data=None, **extra) -> Job:
    return Job(status=status, variables=variables or {}, data=data, **extra)


BODIES = [{"document_number": "A-1", "amount": 1}, {"document_number": "A-2", "amount": 2},
          {"document_number": "a-1 ", "amount": 3}, {"document_number": "B-1", "amount": 4}]


def test_a_job_is_tied_by_index_then_by_a_unique_number_then_by_its_echoed_record():
    by_index = job(variables={"record_index": 2})
    by_number = job(data={"rootfi_id": 7, "document_number": "B-1"})
    by_payload = job(payload={"amount": 2, "document_number": "A-2"})
    assert match_jobs([by_index, by_number, by_payload], BODIES) == {2: by_index, 3: by_number, 1: by_payload}


def test_a_number_that_is_not_unique_once_tidied_ties_nothing():
    # "A-1" and "a-1 " are one number to a platform that trims and ignores case.
    assert match_jobs([job(data={"document_number": "A-1"})], BODIES) == {}
    assert match_jobs([job(variables={"document_number": "a-1"})], BODIES) == {}


def test_a_job_whose_identifiers_disagree_or_that_shares_its_record_with_another_ties_nothing():
    assert match_jobs([job(variables={"record_index": 1, "document_number": "B-1"})], BODIES) == {}
    assert match_jobs([job(data={"document_number": "B-1"}, payload={"document_number": "B-1", "amount": 9})],
                      BODIES) == {}
    assert match_jobs([job(variables={"record_index": "3"}, data={"document_number": "B-1"})], BODIES) == {}
    twice = [job(variables={"record_index": 3}), job(data={"document_number": "B-1"})]
    assert match_jobs(twice, BODIES) == {}
    kept = job(variables={"record_index": 0, "document_number": "A-1"})
    assert match_jobs([kept], BODIES) == {0: kept}


# ---------------------------------------------------------------- the sandbox's job shapes


@pytest.mark.parametrize("shape", ["by-number", "payload"])
def test_the_sandbox_answers_jobs_without_a_record_index_in_each_shape(make_sandbox, api_key, shape):
    sandbox = make_sandbox(job_shape=shape, job_delay_ms=1)
    with client(sandbox, api_key) as api:
        account = bank_account(api, XERO)["platform_id"]
        records = [{"invoice_id": open_invoice(api, XERO, skip=i)["platform_id"], "account_id": account,
                    "amount": 10.0, "document_number": f"SHAPE-{i}"} for i in range(2)]
        records.append({"invoice_id": "nope", "amount": 5, "document_number": "BAD-1"})
        sync_id = api.post(f"/core/companies/{XERO}/invoice_payments", params={"run_async": "true"},
                           json={"data": records}).json()["sync_id"]
        wait_for_sync(api, sync_id)
        jobs = api.get(f"/core/syncs/{sync_id}/jobs").json()["data"]
    assert [job["variables"] for job in jobs] == [{}, {}, {}]
    assert [job["status"] for job in jobs] == ["SUCCESS", "SUCCESS", "FAILED"]
    assert all(job["data"]["rootfi_id"] for job in jobs[:2])
    if shape == "by-number":
        assert [job["data"]["document_number"] for job in jobs] == ["SHAPE-0", "SHAPE-1", "BAD-1"]
        assert all("payload" not in job for job in jobs)
    else:
        assert [job["payload"] for job in jobs] == records
        assert jobs[2]["data"] is None
