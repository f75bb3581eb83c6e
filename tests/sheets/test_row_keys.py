"""Every row knows its own records: a hidden row key and a workbook id.

Over HTTP against the sandbox, through the Excel adapter (the fake of xlwings: edits
while Submit runs) and the .xlsx path (the file saved over by a colleague, renamed,
copied). QuickBooks (1001) accepts duplicates, so a record created twice would show."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import sqlite3

import openpyxl
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.errors import WorkbookError
from rootfi_excel.sheets.layout import (
    PAYMENTS,
    RESULT_COLUMNS,
    ROW_KEY,
    ROW_KEY_HEADER,
    SETTINGS_SHEET,
    WORKBOOK_ID,
    Status,
)
from rootfi_excel.submission.journal import CREATED, PLACED_GONE, PLACED_SHOWN, Journal
from tests.support.books import PAYMENT_HEADERS, row_of, write_book
from tests.support.submitting import fast_client
from tests.support.buttons import mid_run, press
from tests.support.cli_books import demo_book, table_rows
from tests.support.excel_payments import NAMES, add_row, column, inputs, set_cell, table_of

COMPANY = 1001
MODEL = "invoice_payments"


# ------------------------------------------------------------------ helpers (Excel)

def attempt_of(number: str):
    with Journal() as journal:
        return next(a for a in journal.attempts(CREATED) if a.document_number == number)


def records(sandbox, api_key) -> dict[str, dict]:
    """The platform's payments by rootfi_id (deleted ones included)."""
    client = fast_client(sandbox, api_key)
    try:
        return {str(r["rootfi_id"]): r for r in client.iter_records(COMPANY, "list", {}, model=MODEL, include_deleted=True)}
    finally:
        client.close()


def summary(book) -> str:
    return book.app.alerts[-1][0]


# ------------------------------------------------------------------ 1. row keys, 2. workbook id

def test_validate_gives_an_old_workbook_a_hidden_key_column_and_an_id_and_keeps_them(tmp_path):
    rows = [row_of(PAYMENT_HEADERS, document_number=f"P-{i}", invoice_id="1", amount=5 + i,
                   payment_date=dt.datetime(2026, 3, 1)) for i in range(3)]
    path = write_book(tmp_path / "old.xlsx", payments=(PAYMENT_HEADERS, rows), keys=False)
    first = CliRunner().invoke(cli, ["validate", str(path)])
    assert first.exit_code == 0, first.output
    assert "hidden 'row_key (RootFi: do not edit)' column was added" in first.output
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    headers = [c.value for c in ws[1]]
    assert headers[-1] == ROW_KEY_HEADER
    letter = openpyxl.utils.get_column_letter(len(headers))
    assert ws.column_dimensions[letter].hidden and ws.tables[PAYMENTS.table].ref == f"A1:{letter}4"
    keys = [r[ROW_KEY_HEADER] for r in table_rows(path, PAYMENTS.sheet)]
    assert len(set(keys)) == 3 and all(len(k) == 20 for k in keys)
    settings = {r[0].value: r[1].value for r in wb[SETTINGS_SHEET].iter_rows(min_row=2)}
    assert len(settings[WORKBOOK_ID]) == 24
    again = CliRunner().invoke(cli, ["validate", str(path)])
    assert again.exit_code == 0 and "column was added" not in again.output
    assert [r[ROW_KEY_HEADER] for r in table_rows(path, PAYMENTS.sheet)] == keys
    assert {r[0].value: r[1].value for r in openpyxl.load_workbook(path)[SETTINGS_SHEET].iter_rows(min_row=2)}[
        WORKBOOK_ID] == settings[WORKBOOK_ID]


def test_excel_gives_keys_in_one_block_hides_the_column_and_results_follow_their_rows_when_sorted(excel, sandbox,
                                                                                                   api_key):
    book = excel(4)
    press("validate", book)
    table = table_of(book)
    keys = column(book, ROW_KEY)
    assert len(set(keys)) == 4 and table.width == len(NAMES)
    assert table.sheet.column_widths[table.left + NAMES.index(ROW_KEY)] == 0  # hidden
    assert table.sheet.cells[(table.top, table.left + NAMES.index(ROW_KEY))] == ROW_KEY_HEADER
    # While Submit runs: sorted by amount (largest first), a row inserted at the top, the first rows filtered out.
    def reshuffle():
        table.sort(PAYMENT_HEADERS.index("amount"), reverse=True)
        table.insert_row(0)
        table.hide_rows(0, 1)
    mid_run(book, reshuffle)
    press("submit", book)
    found = records(sandbox, api_key)
    numbers = column(book, "document_number")
    for number, rootfi_id in zip(numbers, column(book, "rootfi_id")):
        if number is None:
            assert rootfi_id is None  # the inserted row got nothing
            continue
        assert found[str(rootfi_id)]["document_number"] == number  # each result on the row it came from
    assert sorted(k for k in column(book, ROW_KEY) if k) == sorted(keys)


def _key(sandbox) -> str:
    return sandbox.config.api_keys[0]


def test_a_credit_note_is_known_by_its_first_lines_key_and_each_line_keeps_its_own(excel, sandbox):
    from tests.support.books import LINE_HEADERS
    from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES

    line = dict(document_number="CN-1", contact_id="C-1", posted_date=dt.datetime(2026, 3, 31), account_id="4000",
                quantity=1, unit_amount=10.0)
    client = fast_client(sandbox, _key(sandbox))
    contact = next(iter(client.iter_records(COMPANY, "contacts", {})))["platform_id"]
    account = next(iter(client.iter_records(COMPANY, "accounts", {})))["platform_id"]
    client.close()
    lines = [row_of(LINE_HEADERS, **{**line, "contact_id": contact, "account_id": account, "description": f"line {i}",
                                     "quantity": i + 1})
             for i in range(3)]
    book = excel(0, lines=lines)
    press("validate", book)
    sheet = book.sheets[CREDIT_NOTE_LINES.sheet]
    table = sheet.tables[0]
    names = LINE_HEADERS + list(RESULT_COLUMNS) + [ROW_KEY]

    def cells(name: str) -> list:
        return [sheet.cells.get((r, table.left + names.index(name))) for r in range(table.top + 1, table.top + 4)]

    keys = cells(ROW_KEY)
    assert len(set(keys)) == 3  # each line its own key
    mid_run(book, lambda: table.sort(names.index("quantity"), reverse=True))  # the first line is another one now
    press("submit", book)
    attempt = attempt_of("CN-1")
    assert attempt.row_key == keys[0] and attempt.line_keys == tuple(keys[1:]) and attempt.sheet == "credit_note_lines"
    assert cells("rootfi_id") == [attempt.rootfi_id] * 3 and cells(ROW_KEY) == keys[::-1]
    assert cells("description") == ["line 2", "line 1", "line 0"]


# ------------------------------------------------------------------ 3. placing by key only: the cases

def saved_over_mid_run(monkeypatch, path, edited) -> None:
    """A colleague saves `edited` over `path` while submit sends: the results cannot be saved."""
    import rootfi_excel.app.submit as app_submit

    real = app_submit.send_planned

    def and_saved_over(*args, **kwargs):
        result = real(*args, **kwargs)
        shutil.copy(edited, path)
        monkeypatch.setattr(app_submit, "send_planned", real)  # once
        return result

    monkeypatch.setattr(app_submit, "send_planned", and_saved_over)


def edit_file(path, edits: dict[int, dict], new_rows: list[dict] = ()) -> None:
    """Change cells of data rows (0-based) by header, and type rows below the table, as a colleague would."""
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    headers = [c.value for c in ws[1]]
    for index, values in edits.items():
        for name, value in values.items():
            ws.cell(row=2 + index, column=headers.index(name) + 1).value = value
    last = ws.max_row
    for offset, values in enumerate(new_rows, start=1):
        for name, value in values.items():
            ws.cell(row=last + offset, column=headers.index(name) + 1).value = value
    wb.save(path)


def half_the_amount(path) -> None:
    """The first row pays at most half of what it paid: the invoice has room for a second payment
    of the same amount (references are read just before sending, and a payment above what is
    due is refused)."""
    amount = float(table_rows(path, PAYMENTS.sheet)[0]["amount"])
    edit_file(path, {0: {"amount": math.floor(amount * 50) / 100}})


def test_a_second_instalment_of_the_same_invoice_amount_and_day_is_sent_not_taken_for_the_first(
        make_sandbox, api_key, tmp_path, monkeypatch):
    """A colleague saves the shared file while Submit runs,
    with a second payment of the same invoice, amount and day under a new reference. The first
    payment's answer never reached its row. Before: the second row was shown Created with the
    first payment's rootfi_id and never sent. Now: each row gets its own record."""
    sandbox = make_sandbox()
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    path = demo_book(tmp_path / "payments.xlsx", sandbox, api_key, payments=1, notes=0, company=COMPANY)
    half_the_amount(path)  # two instalments: the invoice has room for both
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code == 0  # keys in the file
    first = table_rows(path, PAYMENTS.sheet)[0]
    colleague = tmp_path / "colleague.xlsx"
    shutil.copy(path, colleague)
    second = {name: first[name] for name in PAYMENT_HEADERS}
    edit_file(colleague, {}, [{**second, "document_number": f"{first['document_number']}-2"}])
    saved_over_mid_run(monkeypatch, path, colleague)
    run = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert run.exit_code != 0 and "changed" in run.output, run.output
    assert sandbox.count_records(COMPANY, MODEL) == 1
    again = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    rows = table_rows(path, PAYMENTS.sheet)
    assert [r["status"] for r in rows] == [Status.CREATED] * 2, (again.output, [r["message"] for r in rows])
    assert sandbox.count_records(COMPANY, MODEL) == 2  # the second instalment was sent
    found = records(sandbox, api_key)
    for row in rows:  # each row shows the record made from it
        assert found[str(row["rootfi_id"])]["document_number"] == row["document_number"]
    assert rows[0]["rootfi_id"] != rows[1]["rootfi_id"]


def test_a_number_corrected_mid_run_then_the_workbook_renamed_creates_nothing_twice(
        make_sandbox, api_key, tmp_path, monkeypatch):
    """The issue's second case: renumbered mid-run, then saved as "payments final.xlsx"."""
    sandbox = make_sandbox()
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    path = demo_book(tmp_path / "payments.xlsx", sandbox, api_key, payments=3, notes=0, company=COMPANY)
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code == 0
    old = table_rows(path, PAYMENTS.sheet)[1]["document_number"]
    edited = tmp_path / "edited.xlsx"
    shutil.copy(path, edited)
    edit_file(edited, {1: {"document_number": f"{old}-corrected"}})
    saved_over_mid_run(monkeypatch, path, edited)
    assert CliRunner().invoke(cli, ["submit", str(path), "--yes"]).exit_code != 0
    assert sandbox.count_records(COMPANY, MODEL) == 3
    final = tmp_path / "elsewhere" / "payments final.xlsx"
    final.parent.mkdir()
    path.rename(final)
    again = CliRunner().invoke(cli, ["submit", str(final), "--yes"])
    rows = table_rows(final, PAYMENTS.sheet)
    assert [r["status"] for r in rows] == [Status.CREATED, Status.SKIPPED, Status.CREATED], again.output
    assert sandbox.count_records(COMPANY, MODEL) == 3  # nothing sent twice
    record = attempt_of(old)
    message = rows[1]["message"]
    assert f"this row was sent as payment {old} " in message and f"rootfi_id {record.rootfi_id}" in message
    assert f"document_number {old}" in message  # what the platform has that the row has not
    assert "1 row was not sent: each was created by an earlier Submit and then changed" in again.output
    assert again.exit_code == 1
    edit_file(final, {1: {"rootfi_id": record.rootfi_id}})  # "it is that record" (and correct it in the platform)
    third = CliRunner().invoke(cli, ["submit", str(final), "--yes"])
    assert [r["status"] for r in table_rows(final, PAYMENTS.sheet)] == [Status.CREATED] * 3, third.output
    assert sandbox.count_records(COMPANY, MODEL) == 3 and attempt_of(old).placed == PLACED_SHOWN


def test_two_workbooks_of_one_name_in_two_folders_are_two_workbooks(make_sandbox, api_key, tmp_path, monkeypatch):
    """The issue's third case: the old journal knew a workbook by its file name, so another
    folder's 'payments.xlsx' took this one's record and this one sent it again."""
    sandbox = make_sandbox()
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    (tmp_path / "march").mkdir()
    (tmp_path / "april").mkdir()
    march = demo_book(tmp_path / "march" / "payments.xlsx", sandbox, api_key, payments=1, notes=0, company=COMPANY)
    half_the_amount(march)  # the invoice has room for April's payment too
    assert CliRunner().invoke(cli, ["validate", str(march)]).exit_code == 0
    row = table_rows(march, PAYMENTS.sheet)[0]
    edited = tmp_path / "edited.xlsx"
    shutil.copy(march, edited)
    edit_file(edited, {0: {"document_number": f"{row['document_number']}-b"}})
    saved_over_mid_run(monkeypatch, march, edited)  # March's record reaches no row
    assert CliRunner().invoke(cli, ["submit", str(march), "--yes"]).exit_code != 0
    # April: another workbook of the same name, a payment of the same invoice, amount and day.
    april = tmp_path / "april" / "payments.xlsx"
    write_book(april, payments=(PAYMENT_HEADERS, [[row[h] for h in PAYMENT_HEADERS]]),
               settings={"company_id": COMPANY, "environment": "sandbox", "base_url": sandbox.base_url,
                         "integration": "QUICKBOOKS"})
    edit_file(april, {0: {"document_number": "APRIL-1"}})
    result = CliRunner().invoke(cli, ["submit", str(april), "--yes"])
    april_row = table_rows(april, PAYMENTS.sheet)[0]
    # March's record with another number: held (it may be March's row moved here), never given it.
    assert april_row["status"] == Status.SKIPPED and "of another workbook (payments.xlsx)" in april_row["message"], (
        result.output, april_row["message"])
    assert sandbox.count_records(COMPANY, MODEL) == 1
    edit_file(april, {0: {"status": "send anyway"}})  # another payment: the way out its message gives
    result = CliRunner().invoke(cli, ["submit", str(april), "--yes"])
    april_row = table_rows(april, PAYMENTS.sheet)[0]
    assert april_row["status"] == Status.CREATED, (result.output, april_row["message"])
    assert sandbox.count_records(COMPANY, MODEL) == 2
    again = CliRunner().invoke(cli, ["submit", str(march), "--yes"])
    march_row = table_rows(march, PAYMENTS.sheet)[0]
    record = attempt_of(row["document_number"])
    assert march_row["status"] == Status.SKIPPED and f"rootfi_id {record.rootfi_id}" in march_row["message"], \
        again.output
    assert sandbox.count_records(COMPANY, MODEL) == 2  # March's record was not sent again, not taken by April
    edit_file(march, {0: {"rootfi_id": record.rootfi_id}})
    CliRunner().invoke(cli, ["submit", str(march), "--yes"])
    march_row = table_rows(march, PAYMENTS.sheet)[0]
    assert march_row["status"] == Status.CREATED and sandbox.count_records(COMPANY, MODEL) == 2
    found = records(sandbox, api_key)
    assert found[str(april_row["rootfi_id"])]["document_number"] == "APRIL-1"
    assert found[str(march_row["rootfi_id"])]["document_number"] == row["document_number"]


# ------------------------------------------------------------------ 3. a held row and its ways out

def held_row(excel):
    """Three payments; while Submit runs, the accountant deletes row 2 (X-001): its record reaches
    no row. Then they type a payment of the same invoice, amount and day under a new number:
    it looks like that record (renumbered?), so it is held."""
    book = excel(3)
    deleted = inputs(book, 1)
    mid_run(book, lambda: table_of(book).delete_row(1))
    press("submit", book)
    assert column(book, "document_number") == ["X-000", "X-002"]
    add_row(book, **{**deleted, "document_number": "X-001b"})
    press("submit", book)
    assert column(book, "status")[2] == Status.SKIPPED
    return book, attempt_of("X-001")


def test_a_row_like_a_record_whose_row_was_deleted_mid_run_is_held_and_the_record_is_named(excel, sandbox):
    book, old = held_row(excel)
    message = column(book, "message")[2]
    assert "looks like payment X-001" in message and f"rootfi_id {old.rootfi_id}" in message
    assert "no longer in it" in message
    assert f"type {old.rootfi_id} into its rootfi_id column" in message and "send anyway" in message
    assert f"delete rootfi_id {old.rootfi_id}" in message  # the platform answers lookups by id: offered
    assert sandbox.count_records(COMPANY, MODEL) == 3
    assert "1 record created by an earlier Submit of this workbook is on no row" in summary(book)
    assert f"payment X-001 for invoice {old.payload['invoice_id']} (rootfi_id {old.rootfi_id})" in summary(book)
    press("submit", book)  # held as long as nothing is done
    assert column(book, "status")[2] == Status.SKIPPED and sandbox.count_records(COMPANY, MODEL) == 3


def test_way_out_typing_the_rootfi_id_into_the_held_row(excel, sandbox):
    book, old = held_row(excel)
    set_cell(book, 2, "rootfi_id", old.rootfi_id)  # "this row is that record" (renumbered: correct it there)
    press("submit", book)
    assert column(book, "status")[2] == Status.CREATED and sandbox.count_records(COMPANY, MODEL) == 3
    assert attempt_of("X-001").placed == PLACED_SHOWN
    assert "on no row" not in summary(book)


def test_way_out_deleting_the_record_in_the_platform(excel, sandbox):
    book, old = held_row(excel)
    sandbox.change_record(COMPANY, MODEL, old.platform_id, delete=True)
    press("submit", book)
    assert column(book, "status")[2] == Status.CREATED and column(book, "rootfi_id")[2] != old.rootfi_id
    assert sandbox.count_records(COMPANY, MODEL) == 4  # the deleted one is still counted
    assert attempt_of("X-001").placed == PLACED_GONE


def test_way_out_send_anyway_in_the_status_cell(excel, sandbox, api_key):
    book, old = held_row(excel)
    set_cell(book, 2, "status", "Send anyway")
    press("validate", book)  # Validate keeps the mark
    assert column(book, "status")[2] == Status.SEND_ANYWAY
    press("submit", book)
    assert column(book, "status")[2] == Status.CREATED and sandbox.count_records(COMPANY, MODEL) == 4
    assert records(sandbox, api_key)[str(column(book, "rootfi_id")[2])]["document_number"] == "X-001b"
    press("submit", book)
    assert sandbox.count_records(COMPANY, MODEL) == 4  # and never again


def test_when_the_platform_refuses_lookups_by_id_a_deletion_is_not_offered_and_the_other_ways_work(excel, sandbox):
    """The issue's 'held forever': the message advised deleting the record, which the next
    Submit could not see. Now only ways out that work are offered."""
    sandbox.refuse_filters("rootfi_id")
    book, old = held_row(excel)
    message = column(book, "message")[2]
    assert "delete rootfi_id" not in message and "could not be asked" in message, message
    assert "send anyway" in message and f"type {old.rootfi_id}" in message
    assert "a deletion there cannot be seen" in summary(book)
    sandbox.change_record(COMPANY, MODEL, old.platform_id, delete=True)  # done anyway: it cannot be seen
    press("submit", book)
    assert column(book, "status")[2] == Status.SKIPPED and "delete rootfi_id" not in column(book, "message")[2]
    set_cell(book, 2, "status", "send anyway")
    press("submit", book)
    assert column(book, "status")[2] == Status.CREATED and sandbox.count_records(COMPANY, MODEL) == 4


def test_with_lookups_by_id_refused_typing_the_rootfi_id_still_works(excel, sandbox):
    sandbox.refuse_filters("rootfi_id")
    book, old = held_row(excel)
    set_cell(book, 2, "rootfi_id", old.rootfi_id)
    press("submit", book)
    assert column(book, "status")[2] == Status.CREATED and sandbox.count_records(COMPANY, MODEL) == 3


def test_a_row_whose_key_was_cleared_mid_run_never_inherits_its_record(excel, sandbox):
    book = excel(2)
    press("validate", book)
    mid_run(book, lambda: set_cell(book, 1, ROW_KEY, None))  # the hidden key cell cleared while Submit runs
    press("submit", book)
    assert column(book, "rootfi_id")[1] is None  # not found by its key: not written
    record = attempt_of("X-001")
    press("submit", book)
    assert column(book, "status")[1] == Status.SKIPPED and not column(book, "rootfi_id")[1]
    assert f"looks like payment X-001 for invoice {record.payload['invoice_id']} (rootfi_id {record.rootfi_id})" \
        in column(book, "message")[1]
    assert sandbox.count_records(COMPANY, MODEL) == 2
    set_cell(book, 1, "rootfi_id", record.rootfi_id)
    press("submit", book)
    assert column(book, "status") == [Status.CREATED] * 2 and sandbox.count_records(COMPANY, MODEL) == 2


def test_a_number_corrected_in_excel_mid_run_is_held_by_its_own_record_never_sent_again(excel, sandbox, api_key):
    book = excel(3)
    mid_run(book, lambda: set_cell(book, 1, "document_number", "X-001-corrected"))
    press("submit", book)
    assert column(book, "rootfi_id")[1] is None and sandbox.count_records(COMPANY, MODEL) == 3
    requests = sandbox.requests_seen()
    press("submit", book)
    record = attempt_of("X-001")
    assert column(book, "status") == [Status.CREATED, Status.SKIPPED, Status.CREATED]
    assert f"sent as payment X-001 for invoice {record.payload['invoice_id']} (rootfi_id {record.rootfi_id})" in \
        column(book, "message")[1]
    assert sandbox.requests_seen() - requests <= 3  # no write: only the company check (and no lookups)
    # Another payment after all: `send anyway` gives it a new identity; the first record is then on no row.
    set_cell(book, 1, "status", "send anyway")
    press("submit", book)
    assert column(book, "status") == [Status.CREATED] * 3 and sandbox.count_records(COMPANY, MODEL) == 4
    assert records(sandbox, api_key)[str(column(book, "rootfi_id")[1])]["document_number"] == "X-001-corrected"
    assert f"(rootfi_id {record.rootfi_id})" in summary(book) and "on no row" in summary(book)


# ------------------------------------------------------------------ 4. pasted copies

def paste_over_new_row(book, source: int, **changes) -> None:
    """Copy row `source` (its inputs and its hidden key, not its results) into a new row below."""
    table = table_of(book)
    row = table.body_rows()[source]
    values = [None] * table.width
    for name in (*PAYMENT_HEADERS, ROW_KEY):
        values[NAMES.index(name)] = changes.get(name, row[NAMES.index(name)])
    table.sheet.put(table.top + table.count + 1, table.left, [values])


def test_a_row_pasted_from_another_row_is_a_new_row_and_the_original_keeps_its_key(excel, sandbox, api_key):
    book = excel(2)
    press("submit", book)
    key = column(book, ROW_KEY)[0]
    paste_over_new_row(book, 0, document_number="X-000-copy", amount=42.0)
    press("submit", book)
    assert column(book, "status") == [Status.CREATED] * 3 and sandbox.count_records(COMPANY, MODEL) == 3
    keys = column(book, ROW_KEY)
    assert keys[0] == key and keys[2] != key and len(set(keys)) == 3
    found = records(sandbox, api_key)
    assert [found[str(i)]["document_number"] for i in column(book, "rootfi_id")] == ["X-000", "X-001", "X-000-copy"]


def test_of_two_rows_sharing_a_key_the_one_the_journal_sent_keeps_it_wherever_it_is(excel, sandbox):
    book = excel(1)
    press("submit", book)
    key, sent = column(book, ROW_KEY)[0], attempt_of("X-000")
    assert sent.row_key == key
    for name in RESULT_COLUMNS:  # its results lost (say, Excel closed without saving them) ...
        set_cell(book, 0, name, None)
    table = table_of(book)
    original = table.body_rows()[0]
    # ... and the row copied above itself (its hidden key with it), the copy edited.
    table.insert_row(0, [*original[:len(PAYMENT_HEADERS)], *([None] * len(RESULT_COLUMNS)), key])
    set_cell(book, 0, "document_number", "X-PASTED")
    press("submit", book)
    assert column(book, "document_number") == ["X-PASTED", "X-000"]
    keys = column(book, ROW_KEY)
    assert keys[1] == key and keys[0] != key  # the row the journal sent keeps it, though it comes second
    assert column(book, "rootfi_id")[1] == sent.rootfi_id  # its own record, written back
    assert column(book, "status") == [Status.CREATED] * 2 and sandbox.count_records(COMPANY, MODEL) == 2


def test_a_copy_with_the_same_values_is_flagged_as_the_duplicate_and_sent_once(excel, sandbox):
    book = excel(2)
    press("validate", book)
    paste_over_new_row(book, 1)
    press("submit", book)
    assert column(book, "status") == [Status.CREATED, Status.CREATED, Status.INVALID]
    assert "this payment is a copy of row 5" in column(book, "message")[2]  # (the table starts at sheet row 3)
    assert sandbox.count_records(COMPANY, MODEL) == 2  # the first keeps its identity; the copy is not sent
    assert column(book, ROW_KEY)[1] == column(book, ROW_KEY)[2]
    # A copy typed with its own key (not pasted): the same payment twice, both flagged as before.
    set_cell(book, 2, ROW_KEY, "typed-by-hand")
    press("validate", book)
    assert "also on row 5" in column(book, "message")[2]


def test_rows_pasted_from_another_workbook_bring_keys_that_name_nothing_here(excel, sandbox, api_key):
    march = excel(2)
    press("submit", march)
    april = excel(1)
    set_cell(april, 0, "document_number", "APRIL-0")
    press("validate", april)  # April's own key column and id
    row_a, row_b = table_of(march).body_rows()
    # Row A pasted with its hidden key and changed (a new payment); row B pasted as it is, without its results.
    pasted = [[*row[:len(PAYMENT_HEADERS)], *([None] * len(RESULT_COLUMNS)), row[NAMES.index(ROW_KEY)]]
              for row in (row_a, row_b)]
    pasted[0][PAYMENT_HEADERS.index("document_number")] = "APRIL-1"
    table = table_of(april)
    table.sheet.put(table.top + table.count + 1, table.left, pasted)
    press("submit", april)
    status, message = column(april, "status"), column(april, "message")
    # April's first two rows have March's payments' values but their numbers: held (they may be
    # March's rows moved here), naming March's records; `send anyway` says they are new payments.
    assert status[:2] == [Status.SKIPPED] * 2 and sandbox.count_records(COMPANY, MODEL) == 2, message
    assert all("of another workbook" in m and "send anyway" in m for m in message[:2]), message
    for row in (0, 1):
        set_cell(april, row, "status", "send anyway")
    press("submit", april)
    status, message = column(april, "status"), column(april, "message")
    assert status[:2] == [Status.CREATED] * 2, message
    assert column(april, "rootfi_id")[1] != column(march, "rootfi_id")[0]
    assert records(sandbox, api_key)[str(column(april, "rootfi_id")[1])]["document_number"] == "APRIL-1"
    assert status[2] == Status.SKIPPED and "of another workbook" in message[2]  # not given March's record
    assert sandbox.count_records(COMPANY, MODEL) == 4  # March's two, April's two


def test_a_credit_note_line_pasted_twice_is_flagged_as_a_copy(tmp_path):
    from tests.support.books import LINE_HEADERS
    from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES

    line = row_of(LINE_HEADERS, document_number="CN-1", contact_id="C-1", posted_date=dt.datetime(2026, 3, 31),
                  account_id="4000", quantity=1, unit_amount=10.0, description="widget")
    path = write_book(tmp_path / "b.xlsx", credit_notes=(LINE_HEADERS, [line]))
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code == 0
    wb = openpyxl.load_workbook(path)
    ws = wb[CREDIT_NOTE_LINES.sheet]
    for column_number in range(1, ws.max_column + 1):  # the whole row pasted below, its key with it
        ws.cell(row=3, column=column_number).value = ws.cell(row=2, column=column_number).value
    wb.save(path)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    rows = table_rows(path, CREDIT_NOTE_LINES.sheet)
    assert rows[1]["status"] == Status.INVALID and "this line is a copy of row 2" in rows[1]["message"], result.output


# ------------------------------------------------------------------ 5. a row emptied takes its results with it

def test_a_row_emptied_of_its_inputs_loses_its_results_and_the_summary_agrees(tmp_path):
    row = row_of(PAYMENT_HEADERS, document_number="P-1", invoice_id="1", amount=5, payment_date=dt.datetime(2026, 3, 1))
    path = write_book(tmp_path / "b.xlsx", payments=(PAYMENT_HEADERS, [row, list(row)]))
    CliRunner().invoke(cli, ["validate", str(path)])
    assert "also on row 2" in table_rows(path, PAYMENTS.sheet)[1]["message"]
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    for column_number in range(1, len(PAYMENT_HEADERS) + 1):  # the duplicate's cells cleared
        ws.cell(row=3, column=column_number).value = None
    wb.save(path)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert "Invoice Payments: 1 row (1 valid)" in result.output
    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    headers = [c.value for c in ws[1]]
    assert all(ws.cell(row=3, column=headers.index(name) + 1).value is None
               for name in ("status", "message", ROW_KEY_HEADER))
    assert ws.cell(row=2, column=headers.index("status") + 1).value == Status.VALID


# ------------------------------------------------------------------ 6. the question counts what will be sent

def test_the_question_counts_new_rows_answers_to_collect_and_rows_already_created(make_sandbox, api_key, tmp_path,
                                                                               monkeypatch):
    from rootfi_excel.app.submit import submit_with_settings
    from rootfi_excel.submission.engine import SubmitOptions
    from rootfi_excel.sheets.settings import Overrides
    from rootfi_excel.sheets.workbook_settings import read_workbook_settings as read_settings_for_submit
    from rootfi_excel.workbook.xlsx import XlsxWorkbook

    sandbox = make_sandbox(job_delay_ms=400)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    path = demo_book(tmp_path / "b.xlsx", sandbox, api_key, payments=5, notes=0, company=COMPANY)

    class Answers:
        def __init__(self):
            self.asked: list[str] = []

        def confirm(self, question, details=()):
            self.asked.append(question)
            return True

        def __getattr__(self, name):
            return lambda *args, **kwargs: _Nothing()

    def submit(ui, **options):
        with XlsxWorkbook.open(path) as book:
            settings, requirements, problems = read_settings_for_submit(book, Overrides())
            return submit_with_settings(book, ui, settings, requirements, problems, name="b.xlsx",
                                        options=SubmitOptions(**{"resend_after": 0.2, "max_rounds": 1, **options}))

    first = Answers()
    submit(first, sync_timeout=0.1)  # a bulk write of 5 still running at the end: Pending
    assert first.asked[0].startswith("Send 5 new payments to")
    assert [r["status"] for r in table_rows(path, PAYMENTS.sheet)] == [Status.PENDING] * 5
    second = Answers()
    submit(second, sync_timeout=0.1, check_platform=False)
    assert second.asked[0].startswith("Collect 5 answers from earlier runs from"), second.asked
    assert "Nothing new is sent" in second.asked[0]


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_the_question_says_rows_already_created_and_sends_only_the_new_one(make_sandbox, api_key, tmp_path,
                                                                        monkeypatch):
    import rootfi_excel.workbook.xlsx as xlsx

    sandbox = make_sandbox()
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    path = demo_book(tmp_path / "b.xlsx", sandbox, api_key, payments=2, notes=0, company=COMPANY)
    real = xlsx.XlsxWorkbook.save

    def locked(self):
        self.close()
        raise WorkbookError("the file is open in Excel")

    monkeypatch.setattr(xlsx.XlsxWorkbook, "save", locked)
    assert CliRunner().invoke(cli, ["submit", str(path), "--yes"]).exit_code == 2
    monkeypatch.setattr(xlsx.XlsxWorkbook, "save", real)
    row = table_rows(path, PAYMENTS.sheet)[0]
    edit_file(path, {}, [{**{name: row[name] for name in PAYMENT_HEADERS}, "document_number": "NEW-1",
                          "amount": 1.5}])
    result = CliRunner().invoke(cli, ["submit", str(path)], input="y\n")
    assert "Send 1 new payment to" in result.output and "(2 rows are already created)" in result.output, result.output
    assert sandbox.count_records(COMPANY, MODEL) == 3
    assert [r["status"] for r in table_rows(path, PAYMENTS.sheet)] == [Status.CREATED] * 3


# ------------------------------------------------------------------ 7. old workbooks and journals

def test_an_old_workbook_gets_its_keys_and_id_on_its_first_submit(make_sandbox, api_key, tmp_path, monkeypatch):
    sandbox = make_sandbox()
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    client = fast_client(sandbox, api_key)
    invoice = next(iter(client.iter_records(COMPANY, "invoices", {"amount_due": ("gt", 100)})))["platform_id"]
    client.close()
    rows = [row_of(PAYMENT_HEADERS, document_number=f"OLD-{i}", invoice_id=invoice, amount=1 + i,
                   payment_date=dt.datetime(2026, 3, 1)) for i in range(2)]
    path = write_book(tmp_path / "old.xlsx", payments=(PAYMENT_HEADERS, rows), keys=False,
                      settings={"company_id": COMPANY, "environment": "sandbox", "base_url": sandbox.base_url})
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    table = table_rows(path, PAYMENTS.sheet)
    assert [r["status"] for r in table] == [Status.CREATED] * 2 and all(r[ROW_KEY_HEADER] for r in table)
    wb = openpyxl.load_workbook(path)
    settings = {r[0].value: r[1].value for r in wb[SETTINGS_SHEET].iter_rows(min_row=2)}
    assert settings[WORKBOOK_ID] and wb[SETTINGS_SHEET].tables["Settings"].ref.endswith(str(len(settings) + 1))
    assert attempt_of("OLD-0").row_key == table[0][ROW_KEY_HEADER]
    assert attempt_of("OLD-0").workbook_id == settings[WORKBOOK_ID]
    again = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert again.exit_code == 0 and sandbox.count_records(COMPANY, MODEL) == 2


def test_an_old_journal_is_matched_once_by_fingerprint_then_keyed(make_sandbox, api_key, tmp_path, monkeypatch):
    """Attempts journalled before keys existed (no key columns), results never written back:
    the first Submit with keys writes them back by fingerprint and keys them to their rows."""
    from rootfi_excel.folders import data_dir
    from rootfi_excel.submission.journal import default_path
    from rootfi_excel.validation.workbook_validation import validate_workbook
    from rootfi_excel.workbook.xlsx import XlsxWorkbook
    from tests.support.submitting import submitter

    sandbox = make_sandbox()
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    client = fast_client(sandbox, api_key)
    invoice = next(iter(client.iter_records(COMPANY, "invoices", {"amount_due": ("gt", 100)})))["platform_id"]
    rows = [row_of(PAYMENT_HEADERS, document_number=f"LEGACY-{i}", invoice_id=invoice, amount=2 + i,
                   payment_date=dt.datetime(2026, 3, 2)) for i in range(2)]
    path = write_book(tmp_path / "old.xlsx", payments=(PAYMENT_HEADERS, rows), keys=False,
                      settings={"company_id": COMPANY, "environment": "sandbox", "base_url": sandbox.base_url})
    with XlsxWorkbook.open(path) as book:
        units = validate_workbook(book).sheets["payments"].ready
    data_dir().mkdir(parents=True, exist_ok=True)
    engine, journal = submitter(client, default_path(), sandbox, COMPANY, "QUICKBOOKS")
    report = engine.submit(MODEL, units)  # as an older version sent them (no keys); results never written
    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * 2
    journal.close()
    client.close()
    db = sqlite3.connect(default_path())  # the journal as the older version left it
    db.execute("DROP INDEX attempts_row_key")
    for name in ("line_keys", "row_key", "sheet", "workbook_id"):
        db.execute(f"ALTER TABLE attempts DROP COLUMN {name}")
    db.commit()
    db.close()
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    table = table_rows(path, PAYMENTS.sheet)
    assert [r["status"] for r in table] == [Status.CREATED] * 2, result.output
    assert sandbox.count_records(COMPANY, MODEL) == 2
    for row in table:
        attempt = attempt_of(row["document_number"])
        assert attempt.row_key == row[ROW_KEY_HEADER] and attempt.rootfi_id == str(row["rootfi_id"])


def test_an_older_journal_counts_its_attempts_as_placed(tmp_path):
    path = tmp_path / "old.sqlite3"
    journal = Journal(path)
    journal.begin("https://api.example/v4", 1, MODEL, [("f", "CHQ-1", {"document_number": "CHQ-1"})])
    journal.close()
    db = sqlite3.connect(path)  # as a journal written before the placed, workbook and key columns
    db.execute("DROP INDEX attempts_unplaced")
    db.execute("DROP INDEX attempts_row_key")
    for name in ("placed", "workbook", "line_keys", "row_key", "sheet", "workbook_id"):
        db.execute(f"ALTER TABLE attempts DROP COLUMN {name}")
    db.commit()
    db.close()
    with Journal(path) as reopened:
        assert [a.placed for a in reopened.attempts()] == ["legacy"]
        assert [a.row_key for a in reopened.attempts()] == [None]
        assert reopened.unplaced("https://api.example/v4", 1, MODEL, "wb", "payments", None) == []


def test_a_workbook_without_a_settings_sheet_is_refused_before_anything_is_sent(make_sandbox, api_key, tmp_path,
                                                                               monkeypatch):
    """The workbook id has nowhere to go: nothing is sent (a run could never find its rows again)."""
    sandbox = make_sandbox()
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    path = demo_book(tmp_path / "b.xlsx", sandbox, api_key, payments=1, notes=0, company=COMPANY)
    wb = openpyxl.load_workbook(path)
    del wb[SETTINGS_SHEET]
    wb.save(path)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes", "--company", str(COMPANY),
                                      "--base-url", sandbox.base_url])
    assert sandbox.count_records(COMPANY, MODEL) == 0
    assert result.exit_code == 2 and "Nothing was sent" in result.output and WORKBOOK_ID in result.output, result.output


def test_a_settings_sheet_without_an_excel_table_keeps_the_id_below_its_rows(tmp_path):
    path = write_book(tmp_path / "b.xlsx")
    wb = openpyxl.load_workbook(path)
    del wb[SETTINGS_SHEET].tables["Settings"]
    wb.save(path)
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code == 1  # (no rows: nothing to validate)
    first = {r[0].value: r[1].value for r in openpyxl.load_workbook(path)[SETTINGS_SHEET].iter_rows(min_row=2)}
    CliRunner().invoke(cli, ["validate", str(path)])
    second = {r[0].value: r[1].value for r in openpyxl.load_workbook(path)[SETTINGS_SHEET].iter_rows(min_row=2)}
    assert first[WORKBOOK_ID] and second[WORKBOOK_ID] == first[WORKBOOK_ID]


def test_clearing_a_created_rows_rootfi_id_gives_it_a_new_identity_sent_once_the_record_is_deleted(excel, sandbox):
    book = excel(2)
    press("submit", book)
    old = [attempt_of("X-000"), attempt_of("X-001")]
    book.app.answers = ["yes", "yes"]  # clear the results, rootfi_id too ("deleted in the platform")
    press("clear_results", book)
    assert column(book, ROW_KEY) == [None, None] and column(book, "rootfi_id") == [None, None]
    press("submit", book)  # not deleted yet: held, as they look like those records
    assert column(book, "status") == [Status.SKIPPED] * 2 and sandbox.count_records(COMPANY, MODEL) == 2
    for attempt in old:
        sandbox.change_record(COMPANY, MODEL, attempt.platform_id, delete=True)
    press("submit", book)
    assert column(book, "status") == [Status.CREATED] * 2 and sandbox.count_records(COMPANY, MODEL) == 4
    assert not set(column(book, "rootfi_id")) & {a.rootfi_id for a in old}
