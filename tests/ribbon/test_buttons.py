"""Every ribbon button end to end: the fake Excel (tests/support/fake_xlwings.py), the
real application layer, and the sandbox over HTTP. The key sits in the in-memory test
keyring, as it would in the OS key store."""

from __future__ import annotations

import datetime as dt

import pytest

from rootfi_excel import ribbon
from rootfi_excel.api.credentials import SERVICE
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, INSTRUCTIONS_SHEET, PAYMENTS, Status
from rootfi_excel.workbook.excel import ExcelWorkbook
from tests.support.books import LINE_HEADERS, PAYMENT_HEADERS, row_of
from tests.support.buttons import press
from tests.support.excel_books import GOOD, column
from tests.support.fake_xlwings import FakeBook

COMPANY = 1001  # QuickBooks in the sandbox


def last_alert(book: FakeBook) -> str:
    return book.app.alerts[-1][0]


def assert_excel_given_back(book: FakeBook) -> None:
    app = book.app
    assert (app._screen_updating, app._enable_events, app._calculation) == (True, True, "automatic")
    assert app._status_bar is False


@pytest.mark.reads_sandbox
def test_validate_marks_bad_rows_and_gives_excel_back(excel):
    book = excel(3, bad=1)
    press("validate", book)
    assert column(book, "status") == [Status.VALID] * 3 + [Status.INVALID]
    assert "amount" in column(book, "message")[3]
    assert "Fix the rows marked Invalid" in last_alert(book) and "hidden and filtered rows" in last_alert(book)
    assert_excel_given_back(book)


@pytest.mark.reads_sandbox
def test_validate_selection_marks_only_the_selected_rows_and_whole_credit_notes(excel, sandbox, api_key):
    from tests.support.sandbox_api import client, customer, lookup

    api = client(sandbox, api_key)  # ids the sandbox has: Validate reads them by id (no lookups here)
    returns = lookup(api, COMPANY, "accounts", **{"name[eq]": "Sales Returns and Allowances"})
    line = dict(contact_id=customer(api, COMPANY)["platform_id"], posted_date=dt.datetime(2026, 3, 1),
                description="Refund", quantity=1, unit_amount=10, account_id=returns["platform_id"])
    lines = [row_of(LINE_HEADERS, document_number="CN-1", **line),
             row_of(LINE_HEADERS, document_number="CN-1", **{**line, "description": "Freight"}),
             row_of(LINE_HEADERS, document_number="CN-2", **line)]
    book = excel(3, lines=lines)
    book.app.select(book.sheets[PAYMENTS.sheet], 5)  # the table starts at row 3: row 5 is the second payment
    press("validate_selection", book)
    assert column(book, "status") == [None, Status.VALID, None]
    sheet = book.sheets[CREDIT_NOTE_LINES.sheet]
    book.app.select(sheet, 3)  # the second line of CN-1 brings in the first
    press("validate_selection", book)
    status_at = sheet.tables[0].left + len(LINE_HEADERS)
    assert [sheet.cells.get((r, status_at)) for r in (2, 3, 4)] == [Status.VALID, Status.VALID, None]
    book.app.select(book.sheets["Settings"], 2)
    press("validate_selection", book)
    assert last_alert(book) == ribbon.SELECT_FIRST


def test_validate_selection_takes_rows_typed_below_the_table_as_the_full_validate_does(excel):
    book = excel(2)
    sheet = book.sheets[PAYMENTS.sheet]
    table = sheet.tables[0]
    below = table.top + table.count + 1  # the first row under the table
    sheet.put(below, table.left, [row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": f"B-{i}",
                                                             "invoice_id": excel.invoices[i]}) for i in range(2)])
    book.app.select(sheet, below + 1)  # the second row typed below the table
    press("validate_selection", book)
    assert last_alert(book) != ribbon.SELECT_FIRST
    assert last_alert(book).startswith(f"{PAYMENTS.sheet}: the table was extended over rows {below}-{below + 1}")
    assert table.count == 4 and column(book, "status") == [None, None, None, Status.VALID]
    # A row further down, after a blank row, is not taken in: the alert names it.
    sheet.put(below + 3, table.left, [row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": "C-1"})])
    book.app.select(sheet, below + 3)
    press("validate_selection", book)
    assert f"row {below + 3} below the table, after a blank row, would be left out" in last_alert(book)


def test_submit_asks_what_goes_where_writes_ids_as_text_and_never_sends_twice(excel, sandbox):
    book = excel(5, bad=1)
    press("submit", book)
    question, buttons = book.app.alerts[0]
    assert buttons == "yes_no"
    assert question.startswith(f"Send 5 new payments to QuickBooks Online, company {COMPANY} (")
    assert "1 invalid row will not be sent (see its message)" in question
    assert column(book, "status") == [Status.CREATED] * 5 + [Status.INVALID]
    ids = column(book, "rootfi_id")[:5]
    assert all(isinstance(i, str) and i.isdigit() for i in ids), ids
    assert all(isinstance(v, dt.datetime) and v.tzinfo is None for v in column(book, "submitted_at")[:5])
    assert "5 created" in last_alert(book)
    assert sandbox.count_records(COMPANY, "invoice_payments") == 5
    assert_excel_given_back(book)

    alerts = len(book.app.alerts)
    press("submit", book)
    assert [a for a in book.app.alerts[alerts:] if a[1] == "yes_no"] == []  # nothing to ask about
    assert sandbox.count_records(COMPANY, "invoice_payments") == 5
    assert column(book, "rootfi_id")[:5] == ids


def test_submit_said_no_sends_nothing(excel, sandbox):
    book = excel(2)
    book.app.answer = "no"
    press("submit", book)
    assert last_alert(book) == "Nothing was sent."
    assert sandbox.count_records(COMPANY, "invoice_payments") == 0


def sort_when_sending_starts(book: FakeBook, column_name: str) -> None:
    table = book.sheets[PAYMENTS.sheet].tables[0]

    def hook(value) -> None:
        if value and "payments" in str(value).lower() and book.app.on_status:
            book.app.on_status.clear()
            table.sort(PAYMENT_HEADERS.index(column_name), reverse=True)
    book.app.on_status.append(hook)


def test_submit_after_sorting_the_table_mid_run_writes_to_the_right_rows(excel, sandbox, api_key):
    from tests.support.submitting import fast_client

    book = excel(6)
    sort_when_sending_starts(book, "document_number")
    press("submit", book)
    assert not book.app.on_status, "the table was sorted while Submit ran"
    sheet = book.sheets[PAYMENTS.sheet]
    numbers = [sheet.cells.get((r, sheet.tables[0].left)) for r in range(4, 10)]
    assert numbers == sorted(numbers, reverse=True)
    with fast_client(sandbox, api_key) as client:
        created = {str(p["rootfi_id"]): p["document_number"]
                   for p in client.iter_records(COMPANY, "list", model="invoice_payments")}
    assert len(created) == 6
    assert [created[i] for i in column(book, "rootfi_id")] == numbers  # each id on its own row
    assert column(book, "status") == [Status.CREATED] * 6


def test_a_row_edited_mid_run_is_not_written_blindly(excel, sandbox):
    book = excel(3)
    table = book.sheets[PAYMENTS.sheet].tables[0]
    memo = table.left + PAYMENT_HEADERS.index("memo")

    def hook(value) -> None:
        if value and book.app.on_status:
            book.app.on_status.clear()
            table.sheet.cells[(table.top + 2, memo)] = "changed while it ran"
    book.app.on_status.append(hook)
    press("submit", book)
    assert column(book, "status") == [Status.CREATED, None, Status.CREATED]
    warning = next(a for a, _ in book.app.alerts if "1 row was not written back" in a)
    assert "press Submit again" in warning and "journal" in warning
    assert sandbox.count_records(COMPANY, "invoice_payments") == 3


def test_submit_selection_sends_only_the_selected_rows(excel, sandbox):
    book = excel(4)
    book.app.select(book.sheets[PAYMENTS.sheet], 4, 5)
    press("submit_selection", book)
    assert column(book, "status") == [Status.CREATED, Status.CREATED, None, None]
    assert sandbox.count_records(COMPANY, "invoice_payments") == 2


def test_clear_results_clears_only_result_columns_and_guards_rootfi_id(excel, sandbox):
    book = excel(2, bad=1)
    press("submit", book)
    sheet = book.sheets[PAYMENTS.sheet]
    width = len(PAYMENT_HEADERS)
    inputs_before = [row[:width] for row in sheet.tables[0].body_rows()]

    book.app.answers = ["yes", "no"]  # clear? yes. Also the rootfi_id of created rows? no.
    press("clear_results", book)
    assert column(book, "status") == [Status.CREATED, Status.CREATED, None]
    assert column(book, "message")[2] is None
    assert all(column(book, "rootfi_id")[:2])
    assert "2 created rows were left as they are" in last_alert(book)

    book.app.answers = ["yes", "yes"]
    press("clear_results", book)
    assert column(book, "status") == [None] * 3 and column(book, "rootfi_id") == [None] * 3
    assert [row[:width] for row in sheet.tables[0].body_rows()] == inputs_before
    book.app.answers = ["no"]
    press("clear_results", book)
    assert last_alert(book) == "There are no results to clear in the workbook."
    assert_excel_given_back(book)


@pytest.mark.reads_sandbox
def test_an_unexpected_error_ends_in_a_message_box_with_the_log_file(excel, monkeypatch):
    from rootfi_excel.app import validate as validating
    from rootfi_excel.failures import log_file as log_path

    def broken(port, *args, **options):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(validating, "validate_workbook", broken)
    book = excel(1)
    press("validate", book)
    text = last_alert(book)
    assert "unexpected problem (RuntimeError)" in text and str(log_path()) in text and "Traceback" not in text
    assert book.app.alert_modes[-1] == "critical"
    assert "disk on fire" in log_path().read_text() and "Traceback" in log_path().read_text()
    assert_excel_given_back(book)


def test_a_workbook_without_its_tables_gets_a_readable_message(excel):
    book = excel(1)
    book.sheets.items = [s for s in book.sheets if s.name != CREDIT_NOTE_LINES.sheet]
    press("submit", book)
    assert "no sheet named 'Credit Note Lines'" in last_alert(book)
    assert_excel_given_back(book)


@pytest.mark.reads_sandbox
def test_set_api_key_stores_the_key_under_the_workbook_profile(excel, memory_keyring, sandbox):
    from rootfi_excel.api.trust import service_for

    book = excel(1, key_profile="acme-prod")  # Settings name the sandbox: not one of RootFi's addresses
    press("set_api_key", book, secret="  rk_live_typed_by_hand  ")
    question, buttons = book.app.alerts[0]
    assert buttons == "yes_no" and sandbox.base_url in question and "not one of RootFi's addresses" in question
    assert memory_keyring.get_password(service_for(sandbox.base_url), "acme-prod") == "rk_live_typed_by_hand"
    assert memory_keyring.get_password(SERVICE, "acme-prod") is None  # not a key for RootFi's addresses
    assert "acme-prod" in last_alert(book) and "rk_live" not in "".join(a for a, _ in book.app.alerts)
    assert f"sent only to {sandbox.base_url}" in last_alert(book)
    press("set_api_key", book, secret=None)
    assert last_alert(book) == "Nothing was stored."

    own = excel(1, key_profile="acme-prod", environment="production", base_url=None)
    alerts = len(own.app.alerts)
    press("set_api_key", own, secret="rk_live_for_rootfi")
    assert [a for a in own.app.alerts[alerts:] if a[1] == "yes_no"] == []  # RootFi's own address: nothing to ask
    assert memory_keyring.get_password(SERVICE, "acme-prod") == "rk_live_for_rootfi"
    assert "sent only to RootFi's own addresses" in last_alert(own)


@pytest.mark.reads_sandbox
def test_check_connection_reports_company_platform_health_and_profile(excel, sandbox):
    book = excel(1)
    press("check_connection", book)
    text = last_alert(book)
    assert f"Company {COMPANY}:" in text and "Platform: QuickBooks Online" in text
    assert "Connection health: HEALTHY" in text and "Key profile: default (this computer's key store)" in text
    book = excel(1, company_id=1007)
    press("check_connection", book)
    assert "DISCONNECTED" in last_alert(book) and "reconnect" in last_alert(book)
    book = excel(1, key_profile="nobody")
    press("check_connection", book)
    assert "Press Set API key on the RootFi tab" in last_alert(book)
    assert "rootfi-excel login" not in last_alert(book)


@pytest.mark.reads_sandbox
def test_new_workbook_makes_a_template_copy_with_the_settings_and_opens_it(excel, tmp_path):
    import openpyxl

    book = excel(1)
    target = tmp_path / "April.xlsx"
    press("new_workbook", book, choose=lambda suggested: target)
    assert book.app.books.opened == [str(target)]
    settings = {r[0].value: r[1].value for r in openpyxl.load_workbook(target)["Settings"].iter_rows(min_row=2)}
    assert str(settings["company_id"]) == str(COMPANY)
    press("new_workbook", book, choose=lambda suggested: None)
    assert last_alert(book) == "No workbook was made."


@pytest.mark.reads_sandbox
def test_help_opens_the_instructions_and_open_log_opens_the_log_folder(excel):
    from rootfi_excel.folders import log_dir as log_folder

    book = excel(1)
    press("help", book)
    assert book.active_sheet is book.sheets[INSTRUCTIONS_SHEET]
    opened = []
    press("open_log", book, opener=opened.append)
    assert opened == [log_folder()] and str(log_folder()) in last_alert(book)


def test_dispatch_finds_the_caller_and_an_unknown_tag_is_a_message(monkeypatch):
    book = FakeBook()
    monkeypatch.setattr(ExcelWorkbook, "caller", classmethod(lambda cls: cls(book)))
    ribbon.dispatch("no_such_button")
    assert "no button 'no_such_button'" in last_alert(book)
    assert set(ribbon.BUTTONS) == {"validate", "validate_selection", "submit", "submit_selection", "clear_results",
                                   "refresh_lookups", "posted", "new_workbook", "set_api_key", "check_connection", "help",
                                   "open_log"}


def test_refresh_lookups_fills_the_lookups_sheet_then_refreshes_only_what_changed(excel, sandbox):
    book = excel(1)
    press("refresh_lookups", book)
    assert "Refreshed" in last_alert(book) or "refreshed" in last_alert(book), last_alert(book)
    sheet = book.sheets["Lookups"]
    names = {t.name for t in sheet.tables}
    assert {"LiveContacts", "LiveInvoices", "LiveAccounts"} <= names
    assert book.names.refers_to["LiveInvoicesIds"].startswith("='Lookups'!$")
    invoices = next(t for t in sheet.tables if t.name == "LiveInvoices")
    assert invoices.count > 10  # the sandbox's open invoices, one row each
    before = sandbox.requests_seen()
    press("refresh_lookups", book)
    assert sandbox.requests_seen() - before <= 6  # one incremental request per list
    assert len([t for t in sheet.tables if t.name == "LiveInvoices"]) == 1  # rewritten in place
    assert_excel_given_back(book)


def test_posted_lists_the_settings_period_and_marks_this_workbooks_rows(excel, sandbox):
    book = excel(3, posted_from=dt.datetime(2026, 3, 1))  # posted_to blank: the end of that month
    press("submit", book)
    assert column(book, "status") == [Status.CREATED] * 3
    ids = column(book, "rootfi_id")

    press("posted", book)
    alert = last_alert(book)
    assert alert.startswith("Posted sheet: 01 Mar 2026 to 31 Mar 2026 (posted_from and posted_to"), alert
    assert "3 from this workbook" in alert
    table = next(t for t in book.sheets["Posted"].tables if t.name == "PostedRecords")
    values = table.range.value
    rows = [dict(zip(values[0], r)) for r in values[1:]]
    marked = {r["rootfi_id"]: r["from this workbook"] for r in rows if r["from this workbook"]}
    first = book.sheets[PAYMENTS.sheet].tables[0].top + 1  # the fake's table starts at row 3
    assert marked == {rootfi_id: f"{PAYMENTS.sheet} row {n}" for n, rootfi_id in enumerate(ids, start=first)}
    assert all(isinstance(r["rootfi_id"], str) for r in rows)  # ids stay text in Excel too
    assert all("2026-03-01" <= r["date"] <= "2026-03-31" for r in rows)
    assert_excel_given_back(book)


def test_posted_with_a_bad_period_says_which_setting(excel, sandbox):
    book = excel(1, posted_from="31/02/2026")
    before = sandbox.requests_seen()
    press("posted", book)
    assert last_alert(book).startswith("Settings: posted_from "), last_alert(book)
    assert "Posted" not in [s.name for s in book.sheets]
    assert sandbox.requests_seen() == before


@pytest.mark.reads_sandbox
def test_in_excel_next_steps_are_buttons_never_commands(excel, sandbox, memory_keyring):
    """The same messages that say `run rootfi-excel ...` at a terminal say which button to press here
    too: the lookups note after Validate, a refused key at Check connection."""
    book = excel(2)
    press("validate", book)
    said = last_alert(book)
    assert "Press Refresh lookups to check them against the platform" in said and "rootfi-excel" not in said
    from rootfi_excel.api.trust import store_key

    store_key("default", "rk_test_not_the_sandbox_key", sandbox.base_url)  # a wrong key, for the sandbox's address
    press("check_connection", book)
    said = last_alert(book)
    assert "refused the API key of the key profile 'default': press Set API key on the RootFi tab" in said
    assert "rootfi-excel" not in said
