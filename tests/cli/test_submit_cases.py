"""Never twice, never lost, through `rootfi-excel submit` on a real .xlsx file: a twin made by a
colleague at the same moment (summary and exit code), a key refused in the middle of
a run (what was done is written, never "Valid"), and a server that echoes the key."""

from __future__ import annotations

import secrets
import time

import httpx
import openpyxl
import pytest
from click.testing import CliRunner

from rootfi_excel.api.client import RootFiClient
from rootfi_excel.cli.main import cli
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, Status
from tests.support.sandbox_api import client, lookup
from tests.support.cli_books import demo_book, table_rows
from tests.support.file_search import files_text
from tests.support.sandbox_api import assert_no_duplicates_in_sandbox_db

QUICKBOOKS, NETSUITE = 1001, 1003


def test_5_a_twin_made_at_the_same_moment_is_on_its_row_in_the_summary_and_the_exit_code(
        make_sandbox, api_key, tmp_path, monkeypatch):
    sandbox = make_sandbox()
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=6, notes=0, company=QUICKBOOKS)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    real_create_async = RootFiClient.create_async
    colleague = httpx.Client(base_url=sandbox.base_url, headers={"api_key": api_key})

    def at_the_same_moment(self, company_id, model, records):
        # Between our check and our send, a colleague's Submit of the same rows lands.
        for record in records[:2]:
            assert colleague.post(f"/core/companies/{company_id}/{model}", json={"data": record}).status_code == 200
        return real_create_async(self, company_id, model, records)

    monkeypatch.setattr(RootFiClient, "create_async", at_the_same_moment)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert result.exit_code == 1, result.output
    assert "2 possible duplicates" in result.output
    rows = table_rows(path, PAYMENTS.sheet)
    twins = [r for r in rows if str(r["message"]).startswith("Possible duplicate: rootfi_id")]
    assert len(twins) == 2 and all(str(r["rootfi_id"]) in r["message"] for r in twins)
    assert all(r["status"] == Status.CREATED and r["rootfi_id"] for r in rows)
    assert sandbox.count_records(QUICKBOOKS, "invoice_payments") == 8
    monkeypatch.setattr(RootFiClient, "create_async", real_create_async)
    again = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert "0 new payments to send" in again.output  # a flagged row has its rootfi_id: never sent again
    assert sandbox.count_records(QUICKBOOKS, "invoice_payments") == 8
    colleague.close()


@pytest.mark.parametrize(("payments", "good_requests"), [
    # The company check, the check before sending (running bulk writes, the document numbers),
    # the references read by id (invoices, customers, accounts, currencies: no lookups here), then:
    (3, 8),  # one by one: one payment; the second is refused
    (30, 10),  # in bulk: three bulk writes; reading jobs is refused
])
def test_7_a_key_refused_mid_run_keeps_and_writes_what_was_done(make_sandbox, api_key, tmp_path, monkeypatch,
                                                                 payments, good_requests):
    db = tmp_path / "sandbox.sqlite3"
    setup = make_sandbox(db_path=db)
    path = demo_book(tmp_path / "book.xlsx", setup, api_key, payments=payments, notes=4)
    port = setup.port
    setup.stop()
    sandbox = make_sandbox(db_path=db, port=port, revoke_key_after=good_requests)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes", "--batch-size", "10"])
    assert result.exit_code == 2, result.output
    assert "Stopped early" in result.output and "refused the API key" in result.output
    rows = table_rows(path, PAYMENTS.sheet)
    created = [r for r in rows if r["status"] == Status.CREATED]
    pending = [r for r in rows if r["status"] == Status.PENDING]
    deadline = time.monotonic() + 20  # the bulk writes sent before the stop finish their work
    while sandbox.count_records(NETSUITE, "invoice_payments") < len(created) + len(pending):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    in_sandbox = sandbox.count_records(NETSUITE, "invoice_payments")
    # Every record RootFi has is on its row: Created with its id, or Pending with its bulk write.
    assert in_sandbox >= 1 and len(created) + len(pending) == in_sandbox
    assert all(r["rootfi_id"] for r in created) and all(r["sync_id"] for r in pending)
    assert Status.VALID not in {r["status"] for r in rows}, "a row handled before the stop must never read Valid"
    sandbox.stop()
    # The key works again: the next Submit settles the rest and sends nothing twice.
    make_sandbox(db_path=db, port=port)
    again = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert again.exit_code == 0, again.output
    rows = table_rows(path, PAYMENTS.sheet) + table_rows(path, CREDIT_NOTE_LINES.sheet)
    assert {r["status"] for r in rows} == {Status.CREATED}
    assert_no_duplicates_in_sandbox_db(db, NETSUITE)


def test_7_an_unexpected_error_inside_the_engine_still_writes_what_was_done(sandbox, api_key, tmp_path,
                                                                          monkeypatch):
    from rootfi_excel.submission import job_results as jobs

    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=30, notes=0)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    real_match_jobs, calls = jobs.match_jobs, []

    def breaks_on_the_second_bulk_write(*args):
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("a bug in the engine")
        return real_match_jobs(*args)

    monkeypatch.setattr(jobs, "match_jobs", breaks_on_the_second_bulk_write)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes", "--batch-size", "10"])
    # Reported once the results are saved: one line naming the file, the detail in the log.
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Cannot submit book.xlsx: an unexpected problem (RuntimeError" in result.stderr
    rows = table_rows(path, PAYMENTS.sheet)
    assert {r["status"] for r in rows} <= {Status.CREATED, Status.PENDING}
    assert len([r for r in rows if r["status"] == Status.CREATED and r["rootfi_id"]]) >= 10


def test_12_a_server_that_echoes_the_key_never_gets_it_into_the_book_the_journal_or_the_console(
        make_sandbox, tmp_path, monkeypatch):
    key = "rk_SENTINEL_" + secrets.token_hex(12)
    sandbox = make_sandbox(api_keys=[key], echo_key=True, db_path=tmp_path / "sandbox.sqlite3")
    path = demo_book(tmp_path / "book.xlsx", sandbox, key, payments=8, notes=2)
    wb = openpyxl.load_workbook(path)
    sheet = wb[PAYMENTS.sheet]
    column = [c.value for c in sheet[1]].index("invoice_id") + 1
    # An account no payment can go into (an unknown invoice would be caught before sending now)
    payable = lookup(client(sandbox, key), NETSUITE, "accounts", **{"name[eq]": "Accounts Payable"})["platform_id"]
    column = [c.value for c in sheet[1]].index("account_id") + 1
    sheet.cell(row=2, column=column).value = payable  # rejected in the bulk write: a job's error
    wb.save(path)
    single = demo_book(tmp_path / "single.xlsx", sandbox, key, payments=1, notes=0)
    wb = openpyxl.load_workbook(single)
    wb[PAYMENTS.sheet].cell(row=2, column=column).value = payable  # rejected at once: a 400 with field and code
    wb.save(single)
    monkeypatch.setenv("ROOTFI_API_KEY", key)
    monkeypatch.setenv("ROOTFI_EXCEL_HOME", str(tmp_path / "home"))
    outputs = [CliRunner().invoke(cli, ["submit", str(book), "--yes"]) for book in (path, single)]
    assert [r.exit_code for r in outputs] == [1, 1], [r.output for r in outputs]
    messages = [r["message"] for r in table_rows(path, PAYMENTS.sheet) + table_rows(single, PAYMENTS.sheet)
                if r["status"] == Status.FAILED]
    assert len(messages) == 2 and all("***" in m for m in messages)  # the server did echo it
    for result in outputs:
        assert key not in result.output
    for name, content in files_text(tmp_path).items():
        assert key.encode() not in content, name
