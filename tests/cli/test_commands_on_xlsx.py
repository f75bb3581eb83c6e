"""The command line on real .xlsx files: validate, submit (also killed halfway), demo."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.errors import WorkbookError
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, Status
from rootfi_excel.workbook.template import build_template
from tests.support.books import PAYMENT_HEADERS, row_of, write_book
from tests.support.cli_books import NETSUITE, demo_book, journal_attempts, table_rows
from tests.support.sandbox_api import assert_no_duplicates_in_sandbox_db
from tests.support.paths import SHIPPED_TEMPLATE

# --------------------------------------------------------------------- validate

def test_validate_writes_status_and_keeps_everything_else(tmp_path):
    good = row_of(PAYMENT_HEADERS, document_number="P-1", invoice_id="1", amount=5, payment_date=dt.datetime(2026, 3, 1))
    bad = row_of(PAYMENT_HEADERS, document_number="P-2", invoice_id="2", amount=-5, payment_date="31/02/2026")
    path = write_book(tmp_path / "b.xlsx", payments=([*PAYMENT_HEADERS, "team notes"], [good + ["keep"], bad + ["me"]]))
    wb = openpyxl.load_workbook(path)
    wb["Invoice Payments"]["Z1"] = "=1+1"
    wb.create_sheet("Our own sheet")["A1"] = "untouched"
    wb.save(path)

    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "Invoice Payments: 2 rows (1 valid, 1 invalid)" in result.output
    assert "row 3" in result.output and "amount: must be above zero" in result.output
    rows = table_rows(path, "Invoice Payments")
    assert [r["status"] for r in rows] == [Status.VALID, Status.INVALID]
    assert "payment_date: '31/02/2026' is not a real date" in rows[1]["message"]
    assert [r["team notes"] for r in rows] == ["keep", "me"]
    wb = openpyxl.load_workbook(path)
    assert wb["Invoice Payments"]["Z1"].value == "=1+1"
    assert wb["Our own sheet"]["A1"].value == "untouched"
    assert wb["Invoice Payments"].tables["InvoicePayments"].ref == "A1:T3"


def test_validate_exit_codes(tmp_path):
    good = row_of(PAYMENT_HEADERS, document_number="P-1", invoice_id="1", amount=5, payment_date=dt.datetime(2026, 3, 1))
    path = write_book(tmp_path / "ok.xlsx", payments=(PAYMENT_HEADERS, [good]))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "All rows are valid" in result.output
    broken = write_book(tmp_path / "broken.xlsx", payments=([h for h in PAYMENT_HEADERS if h != "amount"], [good[:-1]]))
    result = CliRunner().invoke(cli, ["validate", str(broken)])
    assert result.exit_code == 2 and "no column for amount" in result.output
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "empty.xlsx")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "empty.xlsx")])
    assert result.exit_code == 2 and "Invoice Payments" in result.output


def test_the_empty_template_is_not_reported_valid():
    template = SHIPPED_TEMPLATE
    copy = Path(os.environ["ROOTFI_EXCEL_HOME"]) / "t.xlsx"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(template.read_bytes())
    result = CliRunner().invoke(cli, ["validate", str(copy)])
    assert result.exit_code == 1, result.output  # nothing to fix in a row, but nothing ready either
    assert "company_id is blank" in result.output and "No rows to validate" in result.output
    assert "valid." not in result.output


# ----------------------------------------------------------------------- submit

def test_submit_creates_every_valid_row_and_writes_ids(sandbox, api_key, tmp_path, monkeypatch):
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=30, notes=6)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    payments = table_rows(path, PAYMENTS.sheet)
    lines = table_rows(path, CREDIT_NOTE_LINES.sheet)
    assert {r["status"] for r in payments + lines} == {Status.CREATED}
    assert all(isinstance(r["rootfi_id"], str) and r["rootfi_id"].isdigit() and r["platform_id"] and r["submitted_at"] for r in payments + lines)
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 30
    assert sandbox.count_records(NETSUITE, "invoice_credit_notes") == 6
    # Lines of one credit note share its ids.
    by_note: dict[str, set] = {}
    current = None
    for line in lines:
        current = line["document_number"] or current
        by_note.setdefault(current, set()).add(line["rootfi_id"])
    assert all(len(ids) == 1 for ids in by_note.values())
    # Submitting again sends nothing and changes nothing.
    again = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert again.exit_code == 0, again.output
    assert "0 new payments to send" in again.output
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 30


def test_submit_asks_before_sending_and_overrides_settings(sandbox, api_key, tmp_path, monkeypatch):
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=5, notes=0)
    wb = openpyxl.load_workbook(path)
    settings = wb["Settings"]
    for row in settings.iter_rows(min_row=2):
        if row[0].value == "base_url":
            row[1].value = "https://api.example.invalid/v4"
    wb.save(path)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    answer_no = CliRunner().invoke(cli, ["submit", str(path), "--base-url", sandbox.base_url], input="n\n")
    assert "Send 5 new payments to" in answer_no.output and "Nothing was sent" in answer_no.output
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 0
    answer_yes = CliRunner().invoke(cli, ["submit", str(path), "--base-url", sandbox.base_url], input="y\n")
    assert answer_yes.exit_code == 0, answer_yes.output
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 5


def test_submit_without_a_terminal_and_without_yes_exits_2_with_the_yes_hint(sandbox, api_key, tmp_path,
                                                                              monkeypatch):
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=3, notes=0)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["submit", str(path), "--base-url", sandbox.base_url], input="")
    assert result.exit_code == 2, result.output
    assert "--yes" in result.output and "Nothing was sent" in result.output
    assert "Aborted" not in result.output
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 0


def test_submit_without_a_key_store_says_what_to_do(sandbox, api_key, tmp_path):
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=2, notes=0)
    keyring.set_keyring(NoKeyring())
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert result.exit_code == 2
    assert "ROOTFI_API_KEY" in result.output and "keyring" in result.output.lower()
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 0


def test_submit_refuses_a_company_on_another_integration(sandbox, api_key, tmp_path, monkeypatch):
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=2, notes=0)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes", "--company", "1002"])
    assert result.exit_code == 2
    assert "connected to Xero" in result.output
    disconnected = CliRunner().invoke(cli, ["submit", str(path), "--yes", "--company", "1007"])
    assert disconnected.exit_code == 2 and "DISCONNECTED" in disconnected.output


def test_results_that_never_reached_the_workbook_are_written_back_from_the_journal(sandbox, api_key, tmp_path,
                                                                                 monkeypatch):
    from rootfi_excel.workbook import xlsx

    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=12, notes=2)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    real_save = xlsx.XlsxWorkbook.save

    def locked(self, *args, **kwargs):
        raise WorkbookError("the file is open in Excel")

    monkeypatch.setattr(xlsx.XlsxWorkbook, "save", locked)
    first = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert first.exit_code == 2 and "safe in this computer's journal" in first.output
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 12
    assert {r["status"] for r in table_rows(path, PAYMENTS.sheet)} == {None}  # nothing reached the file

    monkeypatch.setattr(xlsx.XlsxWorkbook, "save", real_save)
    seen = sandbox.requests_seen()
    second = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert second.exit_code == 0, second.output
    rows = table_rows(path, PAYMENTS.sheet)
    assert {r["status"] for r in rows} == {Status.CREATED} and all(r["rootfi_id"] for r in rows)
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 12
    assert sandbox.requests_seen() - seen <= 3, "only the company check and lookups, no writes"


@pytest.mark.slow
def test_a_submit_killed_halfway_loses_nothing_and_duplicates_nothing(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(latency_ms=40)
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=300, notes=30)
    home = tmp_path / "home"
    env = {**os.environ, "ROOTFI_API_KEY": api_key, "ROOTFI_EXCEL_HOME": str(home)}
    command = [sys.executable, "-m", "rootfi_excel", "submit", str(path), "--yes", "--batch-size", "20",
               "--lost-answer-wait", "0.5"]

    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    journal = home / "journal.sqlite3"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal.exists() and journal_attempts(journal) >= 100:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # mid-run: some batches sent, some answers unread, nothing saved
    process.wait()
    sent_before_kill = journal_attempts(journal)
    assert 0 < sent_before_kill < 330, "the kill came halfway"
    assert {r["status"] for r in table_rows(path, PAYMENTS.sheet)} == {None}, "the workbook was not saved before"

    for _ in range(4):
        finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        if finished.returncode == 0:
            break
    assert finished.returncode == 0, finished.stdout + finished.stderr
    rows = table_rows(path, PAYMENTS.sheet) + table_rows(path, CREDIT_NOTE_LINES.sheet)
    assert {r["status"] for r in rows} == {Status.CREATED} and all(r["rootfi_id"] for r in rows)
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 300
    assert sandbox.count_records(NETSUITE, "invoice_credit_notes") == 30
    assert_no_duplicates_in_sandbox_db(sandbox.db_path, NETSUITE)


# ------------------------------------------------------------------------- demo

@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path):
    out = tmp_path / "demo.xlsx"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--payments", "60", "--credit-notes", "8",
                                      "--latency-ms", "0"])
    assert result.exit_code == 0, result.output
    rows = table_rows(out, PAYMENTS.sheet)
    statuses = [r["status"] for r in rows]
    assert statuses.count(Status.CREATED) >= 50
    assert Status.INVALID in statuses  # the deliberate mistakes
    # An invoice id the platform does not know is caught before sending: read by id (no lookups).
    unknown = next(r for r in rows if r["invoice_id"] == "99999999")
    assert unknown["status"] == Status.INVALID, unknown
    assert unknown["message"].startswith("invoice_id: NetSuite has no invoice with the id '99999999'"), unknown
    assert "refresh the lookups" in unknown["message"]
    assert all(r["rootfi_id"] for r in rows if r["status"] == Status.CREATED)
    assert all(r["message"] for r in rows if r["status"] in (Status.INVALID, Status.FAILED))
    assert "The sandbox now holds" in result.output


@pytest.mark.slow
def test_submit_again_until_nothing_is_left_under_mixed_faults(make_sandbox, api_key, tmp_path, monkeypatch):
    sandbox = make_sandbox(faults={"429": 0.04, "500": 0.04, "502": 0.03, "503": 0.03, "slow": 0.03, "drop": 0.05},
                           fault_seed=5, slow_ms=500, burst_429_length=2)
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=500, notes=100)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    runs = []
    for _ in range(6):
        result = CliRunner().invoke(cli, ["submit", str(path), "--yes", "--lost-answer-wait", "0.5"])
        runs.append(result.exit_code)
        if result.exit_code == 0:
            break
    assert runs[-1] == 0, f"exit codes {runs}: {result.output[-2000:]}"
    rows = table_rows(path, PAYMENTS.sheet) + table_rows(path, CREDIT_NOTE_LINES.sheet)
    assert {r["status"] for r in rows} == {Status.CREATED} and all(r["rootfi_id"] for r in rows)
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 500
    assert sandbox.count_records(NETSUITE, "invoice_credit_notes") == 100
    assert_no_duplicates_in_sandbox_db(sandbox.db_path, NETSUITE)


def test_demo_leaves_no_temporary_folder_and_never_overwrites_without_force(tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = tmp_path / "demo.xlsx"
    args = ["demo", "--out", str(out), "--payments", "20", "--credit-notes", "2", "--latency-ms", "0"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert list(scratch.iterdir()) == []  # the sandbox's database and the journal went with the demo
    # The numbers asked for, exactly: 20 payment rows (one a pasted duplicate), 2 credit notes.
    assert len(table_rows(out, PAYMENTS.sheet)) == 20
    assert len({r["document_number"] for r in table_rows(out, CREDIT_NOTE_LINES.sheet)}) == 2
    assert "20 payments" in first.output and "(2 credit notes)" in first.output
    made = out.stat().st_mtime_ns
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 2 and "--force" in again.output
    assert out.stat().st_mtime_ns == made
    assert CliRunner().invoke(cli, [*args, "--force"]).exit_code == 0
    assert list(scratch.iterdir()) == []


def test_a_demo_that_could_not_send_says_so_and_exits_2(tmp_path):
    # Submit's check for records already in RootFi cannot run (every read of the payments and
    # credit notes is refused): every row is held back (Skipped) and nothing is sent.
    out = tmp_path / "demo.xlsx"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--payments", "12", "--credit-notes", "2",
                                      "--latency-ms", "0", "--faults", "400@lookups=1"])
    assert result.exit_code == 2, result.output
    assert "The sandbox now holds 0 payments and 0 credit notes" in result.output
    assert "The demo did not finish its job" in result.stderr and "Skipped" in result.stderr
    assert "without them" in result.stderr  # the faults asked for are why
    statuses = {r["status"] for r in table_rows(out, PAYMENTS.sheet) + table_rows(out, CREDIT_NOTE_LINES.sheet)}
    assert Status.SKIPPED in statuses and Status.CREATED not in statuses


def test_submit_that_held_every_row_back_exits_1_and_the_rows_say_why(make_sandbox, api_key, tmp_path, monkeypatch):
    sandbox = make_sandbox(faults={"400@lookups": 1.0})  # the check before sending cannot run
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=5, notes=1)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert result.exit_code == 1, result.output  # rows to look at (held, not sent), not a job that could not start
    rows = table_rows(path, PAYMENTS.sheet) + table_rows(path, CREDIT_NOTE_LINES.sheet)
    assert {r["status"] for r in rows} == {Status.SKIPPED}
    assert all("could not check RootFi for records already there" in r["message"] for r in rows)
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 0


def _set_setting(path: Path, name: str, value) -> None:
    wb = openpyxl.load_workbook(path)
    for row in wb["Settings"].iter_rows(min_row=2):
        if row[0].value == name:
            row[1].value = value
    wb.save(path)


def test_a_misspelled_time_zone_is_refused_by_validate_and_before_submit_sends(sandbox, api_key, tmp_path,
                                                                               monkeypatch):
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=3, notes=0)
    _set_setting(path, "time_zone", "Europe/Londn")
    said = "Settings: time_zone 'Europe/Londn' is not a time zone name: did you mean Europe/London"
    validated = CliRunner().invoke(cli, ["validate", str(path)])
    assert validated.exit_code == 1 and said in validated.output, validated.output
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    submitted = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert submitted.exit_code == 2 and said in submitted.output, submitted.output
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 0
    _set_setting(path, "time_zone", "europe/london")  # the zone's name in another case is the zone
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code == 0


def test_demo_refuses_more_payments_than_it_can_make_before_it_starts_anything(tmp_path, monkeypatch):
    from rootfi_excel.sandbox import server

    def no_sandbox(*args, **kwargs):
        raise AssertionError("the sandbox was started before the options were checked")

    monkeypatch.setattr(server, "start_in_thread", no_sandbox)
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "d.xlsx"), "--payments", "2000",
                                      "--latency-ms", "0"])
    assert result.exit_code == 2, result.output
    assert "--payments" in result.output and "2000 is more than the demo can make" in result.output
    assert "Ask for 600 or fewer" in result.output  # the real limit: each sandbox company's open invoices
    assert not (tmp_path / "d.xlsx").exists()
    bad_faults = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "d.xlsx"), "--faults", "bogus=1"])
    assert bad_faults.exit_code == 2 and "--faults" in bad_faults.output
    negative = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "d.xlsx"), "--latency-ms", "-5"])
    assert negative.exit_code == 2 and "--latency-ms" in negative.output
    assert not (tmp_path / "d.xlsx").exists()


def test_template_and_demo_refuse_a_name_that_is_not_xlsx(tmp_path):
    for args in (["template", str(tmp_path / "notes.csv")], ["demo", "--out", str(tmp_path / "notes.csv")]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2 and ".xlsx" in result.output, result.output
        assert not (tmp_path / "notes.csv").exists()


def test_a_demo_workbook_whose_sandbox_is_gone_says_so(tmp_path, monkeypatch):
    import socket

    with socket.socket() as probe:  # a local port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = build_template(tmp_path / "old-demo.xlsx", payments=[], settings={
        "company_id": NETSUITE, "integration": "NETSUITE", "base_url": f"http://127.0.0.1:{port}/v4"})
    monkeypatch.setenv("ROOTFI_API_KEY", "a-key-for-a-gone-sandbox")
    monkeypatch.setenv("ROOTFI_BASE_URL", f"http://127.0.0.1:{port}/v4")  # the sandbox's key was for it
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert result.exit_code == 2
    assert f"127.0.0.1:{port}" in result.output and "no local sandbox is running there" in result.output
    assert "went with it" not in result.output  # a sandbox started with --db keeps its records
    assert f"rootfi-excel sandbox --port {port}" in result.output and "same --db" in result.output
    assert result.output.count("Nothing was sent") == 1
    assert "ConnectError" not in result.output and "Errno" not in result.output


def test_command_list_help_is_never_cut():
    result = CliRunner().invoke(cli, ["--help"], terminal_width=80)
    commands = result.output.split("Commands:")[1]
    assert "..." not in commands, commands
