"""The submission engine against the sandbox over HTTP: every record exactly once."""

from __future__ import annotations

import pytest

from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.engine import LOST_ANSWER
from rootfi_excel.submission.journal import CREATED
from tests.support.sandbox_api import assert_no_duplicates_in_sandbox_db
from tests.support.submitting import credit_note_units, fast_client, payment_units, submitter

QUICKBOOKS, XERO, NETSUITE = 1001, 1002, 1003


def outcomes_by_status(report):
    found: dict[str, int] = {}
    for outcome in report.outcomes.values():
        found[outcome.status] = found.get(outcome.status, 0) + 1
    return found


def test_many_payments_go_in_bulk_and_all_are_created_once(sandbox, api_key, tmp_path):
    client = fast_client(sandbox, api_key)
    units = payment_units(client, NETSUITE, 150, "NETSUITE")
    engine, journal = submitter(client, tmp_path / "j.sqlite3", sandbox, NETSUITE, "NETSUITE", batch_size=60)
    before = client.requests_sent
    report = engine.submit("invoice_payments", units)
    assert outcomes_by_status(report) == {Status.CREATED: 150}
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 150
    ids = {o.rootfi_id for o in report.outcomes.values()}
    assert len(ids) == 150 and all(o.platform_id and o.sync_id for o in report.outcomes.values())
    assert client.requests_sent - before < 30, "bulk writes, not one request per row"
    assert len(journal.attempts(CREATED)) == 150


def test_a_few_records_go_synchronously_with_their_ids_at_once(sandbox, api_key, tmp_path):
    client = fast_client(sandbox, api_key)
    units = payment_units(client, XERO, 2, "XERO")
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, XERO, "XERO")
    report = engine.submit("invoice_payments", units)
    assert outcomes_by_status(report) == {Status.CREATED: 2}
    assert all(o.sync_id is None and o.rootfi_id for o in report.outcomes.values())


def test_a_second_submit_sends_nothing_and_writes_back_from_the_journal(sandbox, api_key, tmp_path):
    client = fast_client(sandbox, api_key)
    units = payment_units(client, NETSUITE, 20, "NETSUITE")
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, NETSUITE, "NETSUITE", check_platform=False)
    first = engine.submit("invoice_payments", units)
    before = client.requests_sent
    again = engine.submit("invoice_payments", units)  # as if the workbook was never saved
    assert client.requests_sent == before, "nothing is sent again"
    assert {p: o.rootfi_id for p, o in again.outcomes.items()} == {p: o.rootfi_id for p, o in first.outcomes.items()}
    assert all("journal" in o.message for o in again.outcomes.values())
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 20


def test_records_already_in_the_platform_are_found_and_not_sent(sandbox, api_key, tmp_path):
    client = fast_client(sandbox, api_key)
    units = payment_units(client, QUICKBOOKS, 10, "QUICKBOOKS")
    first, _ = submitter(client, tmp_path / "a.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS")
    first.submit("invoice_payments", units)
    # A colleague's computer (another journal) submits the same rows: QuickBooks would accept duplicates.
    other, _ = submitter(client, tmp_path / "b.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS")
    report = other.submit("invoice_payments", units)
    assert outcomes_by_status(report) == {Status.CREATED: 10}
    assert all("already in QuickBooks" in o.message for o in report.outcomes.values())
    assert sandbox.count_records(QUICKBOOKS, "invoice_payments") == 10


def test_rejected_records_fail_with_the_platforms_reason(sandbox, api_key, tmp_path):
    from tests.support.sandbox_api import client as http, lookup

    client = fast_client(sandbox, api_key)
    units = payment_units(client, XERO, 8, "XERO")
    units[3].request.invoice_id = "99999999"  # caught before sending: the invoice is read by id
    units[5].request.amount = 10_000_000.0  # caught before sending: more than the invoice has left to pay
    payable = lookup(http(sandbox, api_key), XERO, "accounts", **{"name[eq]": "Accounts Payable"})
    units[6].request.account_id = payable["platform_id"]  # only the platform refuses this one
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, XERO, "XERO")
    report = engine.submit("invoice_payments", units)
    assert outcomes_by_status(report) == {Status.CREATED: 5, Status.INVALID: 2, Status.FAILED: 1}
    assert report.outcomes[3].message.startswith("invoice_id: Xero has no invoice with the id '99999999'")
    assert report.outcomes[5].message.startswith("amount: 10,000,000.00 exceeds what invoice")
    assert report.outcomes[6].status == Status.FAILED and "Correct the row" in report.outcomes[6].message
    assert "cannot receive payments" in report.outcomes[6].message
    assert sandbox.count_records(XERO, "invoice_payments") == 5


def test_credit_notes_with_lines_are_created_once(sandbox, api_key, tmp_path):
    client = fast_client(sandbox, api_key)
    units = credit_note_units(client, 1006, 12, "FRESH_BOOKS")
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, 1006, "FRESH_BOOKS", batch_size=5)
    report = engine.submit("invoice_credit_notes", units)
    assert outcomes_by_status(report) == {Status.CREATED: 12}
    assert sandbox.count_records(1006, "invoice_credit_notes") == 12


FAULTS = ["429", "500", "502", "503", "slow", "drop"]


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULTS)
def test_with_a_fault_in_a_fifth_of_requests_every_record_is_created_exactly_once(make_sandbox, api_key, tmp_path, fault):
    sandbox = make_sandbox(faults={fault: 0.2}, fault_seed=11, slow_ms=1500, burst_429_length=2)
    client = fast_client(sandbox, api_key)
    payments = payment_units(client, NETSUITE, 500, "NETSUITE")
    notes = credit_note_units(client, NETSUITE, 100, "NETSUITE")
    engine, journal = submitter(client, tmp_path / "j.sqlite3", sandbox, NETSUITE, "NETSUITE")
    outcomes = {"invoice_payments": {}, "invoice_credit_notes": {}}
    for run in range(8):  # "press Submit again until nothing is left"
        for model, units in (("invoice_payments", payments), ("invoice_credit_notes", notes)):
            left = [u for i, u in enumerate(units) if outcomes[model].get(i, None) is None
                    or outcomes[model][i].status != Status.CREATED]
            index = [i for i, u in enumerate(units) if u in left]
            report = engine.submit(model, left)
            for position, outcome in report.outcomes.items():
                outcomes[model][index[position]] = outcome
        if all(len(o) == n and all(x.status == Status.CREATED for x in o.values())
               for o, n in ((outcomes["invoice_payments"], 500), (outcomes["invoice_credit_notes"], 100))):
            break
    for model, count in (("invoice_payments", 500), ("invoice_credit_notes", 100)):
        assert sorted(o.status for o in outcomes[model].values()) == [Status.CREATED] * count, model
        assert len({o.rootfi_id for o in outcomes[model].values()}) == count
        assert sandbox.count_records(NETSUITE, model) == count, f"{model}: a record was created twice"
    assert_no_duplicates_in_sandbox_db(sandbox.db_path, NETSUITE)
    # The fault really hit writes, and the path that protects against it really ran.
    attempts = journal.attempts()
    if fault in ("drop", "slow"):  # committed, answer lost: found by the lookup, not sent again
        assert any(a.state == CREATED and "answer was lost" in (a.message or "") for a in attempts)
    if fault in ("500", "502", "503"):  # nothing committed: the lookup finds nothing, it is sent again
        assert any(a.error_code == LOST_ANSWER for a in attempts)


@pytest.mark.parametrize("how_many", [2, 8])  # one by one, and in a bulk write
def test_record_already_exists_is_resolved_by_a_lookup_not_a_retry_loop(sandbox, api_key, tmp_path, how_many):
    client = fast_client(sandbox, api_key)
    units = payment_units(client, XERO, how_many, "XERO")
    first, _ = submitter(client, tmp_path / "a.sqlite3", sandbox, XERO, "XERO")
    created = first.submit("invoice_payments", units)
    # A colleague without our journal, and without the pre-check, sends the same rows;
    # one of them with a changed amount: Xero refuses both as duplicates.
    units[1].request.amount = round(units[1].request.amount / 2, 2)
    other, _ = submitter(client, tmp_path / "b.sqlite3", sandbox, XERO, "XERO", check_platform=False,
                         check_references=False)
    report = other.submit("invoice_payments", units)
    assert report.outcomes[0].status == Status.CREATED
    assert report.outcomes[0].rootfi_id == created.outcomes[0].rootfi_id
    assert report.outcomes[1].status == Status.FAILED
    assert "give this row its own document_number" in report.outcomes[1].message
    assert sandbox.count_records(XERO, "invoice_payments") == how_many
