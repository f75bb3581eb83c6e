"""Adversarial review of the merged product (seams between app, engine, adapter, journal)."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, Status
from tests.support.cli_books import demo_book, table_rows
from tests.support.cache_keys import key

QUICKBOOKS, NETSUITE = 1001, 1003


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


def test_a_row_over_the_amount_due_is_looked_up_but_never_sent(make_sandbox, api_key, tmp_path, monkeypatch):
    """Submit looks for rows Invalid for their amount due alone (the platform may have them), but one that is
    not there stays Invalid, with the message naming the column, and is not sent."""
    import openpyxl

    sandbox = make_sandbox()
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=3, notes=0, company=QUICKBOOKS)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    assert CliRunner().invoke(cli, ["lookups", str(path)]).exit_code == 0
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    headers = [c.value for c in ws[1]]
    ws.cell(row=3, column=headers.index("amount") + 1, value=10_000_000)
    wb.save(path)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    rows = table_rows(path, PAYMENTS.sheet)
    assert [r["status"] for r in rows] == [Status.CREATED, Status.INVALID, Status.CREATED], result.output
    assert rows[1]["message"].startswith("amount: 10,000,000.00 exceeds the amount due of invoice")
    assert not rows[1]["rootfi_id"] and sandbox.count_records(QUICKBOOKS, "invoice_payments") == 2


# ------------------------------------------------------------------ Excel side

from tests.support.buttons import press  # noqa: E402
from tests.support.excel_books import column  # noqa: E402
from tests.support.books import PAYMENT_HEADERS  # noqa: E402


def test_rows_typed_below_the_table_are_submitted_once_and_get_their_results(excel, sandbox):
    book = excel(4)
    sheet = book.sheets[PAYMENTS.sheet]
    table = sheet.tables[0]
    first = table.body_rows()[0]
    below = [list(first[:len(PAYMENT_HEADERS)]) for _ in range(2)]
    position = PAYMENT_HEADERS.index("document_number")
    for i, row in enumerate(below):
        row[position] = f"BELOW-{i}"
    sheet.put(table.top + table.count + 1, table.left, below)
    press("submit", book)
    statuses = column(book, "status")
    assert len(statuses) == 6 and statuses == [Status.CREATED] * 6, book.app.alerts
    assert all(column(book, "rootfi_id"))
    before = sandbox.count_records(1001, "invoice_payments")
    press("submit", book)
    assert sandbox.count_records(1001, "invoice_payments") == before


# ---------------------------------------------------------------- hostile API

from tests.support.sandbox_api import assert_no_duplicates_in_sandbox_db  # noqa: E402


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


# ------------------------------------------------------------------ secrets

def test_set_api_key_in_excel_keeps_a_key_store_error_that_repeats_the_key_out_of_the_log(excel, memory_keyring,
                                                                                        monkeypatch):
    """`rootfi-excel login` hides the typed key before storing it; the Set API key button must too:
    a key store's own error (not a KeyringError: e.g. a D-Bus or Windows error) may repeat it."""
    from rootfi_excel.failures import log_file

    typed = "rk_live_" + "s3cr3t" * 6

    def careless(service, username, password):
        raise RuntimeError(f"could not store {password!r} for {username}")

    monkeypatch.setattr(memory_keyring, "set_password", careless)
    book = excel(1)
    press("set_api_key", book, secret=typed)
    shown = " ".join(alert[0] for alert in book.app.alerts)
    assert "RootFi stopped" in shown and typed not in shown
    assert log_file().exists() and typed not in log_file().read_text()


# ---------------------------------------------------------- rows left out

def test_rows_below_a_blank_row_under_the_table_are_not_silently_left_out(tmp_path):
    import datetime as dt

    import openpyxl

    from tests.support.books import PAYMENT_HEADERS, row_of, write_book

    good = dict(invoice_id="1", amount=5, payment_date=dt.datetime(2026, 3, 1))
    path = write_book(tmp_path / "b.xlsx", payments=(PAYMENT_HEADERS, [row_of(PAYMENT_HEADERS, document_number="P-1",
                                                                               **good)]),
                      settings={"company_id": 1001})
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    # Row 3 is left blank; row 4 holds a payment typed after it.
    for position, value in enumerate(row_of(PAYMENT_HEADERS, document_number="P-2", **good), start=1):
        ws.cell(row=4, column=position, value=value)
    wb.save(path)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert "All rows are valid" not in result.output, result.output
    assert result.exit_code == 2 and "row 4 below the table, after a blank row, would be left out" in result.stderr


def test_rows_below_a_blank_row_under_a_table_in_excel_are_refused_too():
    from rootfi_excel.workbook.excel import ExcelWorkbook
    from rootfi_excel.workbook.port import WorkbookError
    from tests.support.excel_books import excel_book

    book, _ = excel_book(rows=1, below=0)
    sheet = book.sheets[PAYMENTS.sheet]
    table = sheet.tables[0]
    sheet.put(table.top + table.count + 2, table.left, [["P-2", "1", None, None, 5]])  # after one blank row
    with pytest.raises(WorkbookError, match="after a blank row, would be left out"):
        ExcelWorkbook(book).read_table(PAYMENTS)
    sheet.cells = {k: v for k, v in sheet.cells.items() if k[0] != table.top + table.count + 2}
    sheet.put(table.top + table.count + 2, table.left, [["a note, one cell"]])
    assert len(ExcelWorkbook(book).read_table(PAYMENTS).rows) == 1  # a one-cell note is not a row


def test_a_document_number_corrected_mid_run_is_not_sent_a_second_time(excel, sandbox):
    book = excel(3)
    table = book.sheets[PAYMENTS.sheet].tables[0]
    number = table.left + PAYMENT_HEADERS.index("document_number")

    def hook(value) -> None:
        if value and book.app.on_status:
            book.app.on_status.clear()
            table.sheet.cells[(table.top + 2, number)] = "X-001-corrected"
    book.app.on_status.append(hook)
    press("submit", book)
    assert column(book, "status")[1] is None  # not written blindly; the warning says to press Submit again
    assert sandbox.count_records(1001, "invoice_payments") == 3
    press("submit", book)  # as the warning says
    assert sandbox.count_records(1001, "invoice_payments") == 3, column(book, "message")


def test_a_lost_answer_of_a_row_naming_its_invoice_by_number_is_settled_not_failed(make_sandbox, api_key, tmp_path,
                                                                                  monkeypatch):
    """Online checks resolve an invoice number to its id and that id is sent; an answer lost leaves the row
    Unknown. The next Submit must send (or look up) the same body, not the raw number."""
    import openpyxl

    from rootfi_excel.lookups.cache import LookupCache

    db = tmp_path / "sandbox.sqlite3"
    setup = make_sandbox(db_path=db)
    path = demo_book(tmp_path / "book.xlsx", setup, api_key, payments=2, notes=0, company=QUICKBOOKS)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    assert CliRunner().invoke(cli, ["lookups", str(path)]).exit_code == 0
    with LookupCache() as cache:
        view = cache.company(key(setup.base_url, QUICKBOOKS))
        wb = openpyxl.load_workbook(path)
        ws = wb[PAYMENTS.sheet]
        headers = [c.value for c in ws[1]]
        column_of = headers.index("invoice_id") + 1
        for row in range(2, 4):
            cell = ws.cell(row=row, column=column_of)
            cell.value = view.get("invoices", cell.value)["document_number"]  # typed as INV-10xxx
        wb.save(path)
    port = setup.port
    setup.stop()
    lossy = make_sandbox(db_path=db, port=port, faults={"drop@writes": 1.0})
    first = CliRunner().invoke(cli, ["submit", str(path), "--yes", "--lost-answer-wait", "86400"])
    assert [r["status"] for r in table_rows(path, PAYMENTS.sheet)] == [Status.UNKNOWN] * 2, first.output
    created = lossy.count_records(QUICKBOOKS, "invoice_payments")
    lossy.stop()
    fresh = make_sandbox(db_path=db, port=port)
    second = CliRunner().invoke(cli, ["submit", str(path), "--yes", "--lost-answer-wait", "0"])
    rows = table_rows(path, PAYMENTS.sheet)
    assert [r["status"] for r in rows] == [Status.CREATED] * 2, (second.output, [r["message"] for r in rows])
    assert created == 2 and fresh.count_records(QUICKBOOKS, "invoice_payments") == 2


# ------------------------------------------------------------ exit codes

def test_install_and_addin_build_that_cannot_write_end_with_exit_code_2(tmp_path):
    """README: every command ends with 2 when it could not do its job (click's own default is 1)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    built = CliRunner().invoke(cli, ["addin", "build", "--out", str(blocker / "dist"), "--no-interpreter"])
    assert built.exit_code == 2, built.output
    assert "Cannot write" in built.output and "Traceback" not in built.output
    installed = CliRunner().invoke(cli, ["install", "--yes", "--no-key", "--templates-dir", str(blocker / "t")])
    assert installed.exit_code == 2, installed.output
    assert "Could not change" in installed.output and "Traceback" not in installed.output
