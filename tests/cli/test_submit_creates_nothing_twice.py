"""`rootfi-excel submit` creates nothing twice: a colleague submitting a copy of the workbook
with a journal of their own, and Submit pressed again and again through odd answers of the
API (no ids, no lists, dropped connections, 400s, 502s). Over HTTP against the sandbox."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, Status
from tests.support.cli_books import demo_book, table_rows
from tests.support.sandbox_api import QUICKBOOKS, assert_no_duplicates_in_sandbox_db


def _colleague(monkeypatch, tmp_path, name):
    monkeypatch.setenv("ROOTFI_EXCEL_HOME", str(tmp_path / name))


@pytest.mark.parametrize("lookups", [False, True])
def test_a_colleague_submitting_the_same_workbook_creates_nothing_twice(make_sandbox, api_key, tmp_path,
                                                                         monkeypatch, lookups):
    sandbox = make_sandbox()
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=8, notes=6, company=QUICKBOOKS)
    theirs = tmp_path / "theirs.xlsx"
    shutil.copy(path, theirs)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    if lookups:
        assert CliRunner().invoke(cli, ["lookups", str(path)]).exit_code == 0
    first = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert first.exit_code == 0, first.output
    payments = sandbox.count_records(QUICKBOOKS, "invoice_payments")
    notes = sandbox.count_records(QUICKBOOKS, "invoice_credit_notes")
    _colleague(monkeypatch, tmp_path, "colleague-home")
    if lookups:
        assert CliRunner().invoke(cli, ["lookups", str(theirs)]).exit_code == 0
    second = CliRunner().invoke(cli, ["submit", str(theirs), "--yes"])
    assert sandbox.count_records(QUICKBOOKS, "invoice_payments") == payments
    assert sandbox.count_records(QUICKBOOKS, "invoice_credit_notes") == notes
    for sheet in (PAYMENTS.sheet, CREDIT_NOTE_LINES.sheet):
        rows = table_rows(theirs, sheet)
        # Every record is in the platform: every row says so, with its rootfi_id (never "Invalid").
        assert all(r["status"] == Status.CREATED and r["rootfi_id"] for r in rows), \
            [(r["status"], r["message"]) for r in rows]


@pytest.mark.slow
@pytest.mark.usefixtures("quick_command_client")
@pytest.mark.parametrize("faults", [
    {"no-id@writes": 0.5}, {"no-list@lookups": 0.4}, {"drop@writes": 0.4, "no-list@syncs": 0.3},
    {"400@reads": 0.3, "drop@writes": 0.3}, {"502@all": 0.2, "no-id@writes": 0.3},
])
@pytest.mark.parametrize("payments", [3, 12])
def test_submit_again_and_again_through_odd_answers_never_creates_twice(make_sandbox, api_key, tmp_path,
                                                                          monkeypatch, faults, payments):
    db = tmp_path / "sandbox.sqlite3"
    setup = make_sandbox(db_path=db)
    path = demo_book(tmp_path / "book.xlsx", setup, api_key, payments=payments, notes=3, company=QUICKBOOKS)
    port = setup.port
    setup.stop()
    sandbox = make_sandbox(db_path=db, port=port, faults=faults, fault_seed=7, rate_limit_per_minute=0)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    outputs = []
    for _ in range(8):
        result = CliRunner().invoke(cli, ["submit", str(path), "--yes", "--lost-answer-wait", "0",
                                          "--batch-size", "5"])
        outputs.append(result.output)
        assert "Traceback" not in result.output
        if result.exit_code == 0:
            break
    assert_no_duplicates_in_sandbox_db(db, QUICKBOOKS)
    rows = table_rows(path, PAYMENTS.sheet) + table_rows(path, CREDIT_NOTE_LINES.sheet)
    assert all(r["rootfi_id"] for r in rows if r["status"] == Status.CREATED)
