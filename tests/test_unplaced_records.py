"""A record created for a row that changed while Submit ran is never created a second time
(submission/placing.py). Over HTTP against the sandbox, through the Excel adapter (a
document_number corrected in Excel mid-run) and the .xlsx path (the file saved over)."""

from __future__ import annotations

import shutil

import openpyxl
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.sheets.layout import PAYMENTS, Status
from rootfi_excel.submission.journal import CREATED, PLACED_GONE, PLACED_ROW, PLACED_SHOWN, Journal
from tests.support.books import PAYMENT_HEADERS
from tests.test_cli import demo_book, table_rows
from tests.test_excel_adapter import column
from tests import test_ribbon_buttons  # noqa: E402
from tests.test_ribbon_buttons import press  # noqa: E402

excel = test_ribbon_buttons.excel  # the fixture: pytest finds it by its name

COMPANY = 1001
PAYMENTS_MODEL = "invoice_payments"


def change_mid_run(book, row: int, **values) -> None:
    """While the first Submit runs (at its first progress), the accountant edits row `row` (0-based)."""
    table = book.sheets[PAYMENTS.sheet].tables[0]

    def hook(value) -> None:
        if value and book.app.on_status:
            book.app.on_status.clear()
            for name, value in values.items():
                table.sheet.cells[(table.top + 1 + row, table.left + PAYMENT_HEADERS.index(name))] = value
    book.app.on_status.append(hook)


def set_cell(book, row: int, name: str, value) -> None:
    from rootfi_excel.sheets.layout import RESULT_COLUMNS

    table = book.sheets[PAYMENTS.sheet].tables[0]
    table.sheet.cells[(table.top + 1 + row, table.left + (PAYMENT_HEADERS + list(RESULT_COLUMNS)).index(name))] = value


def held_row(excel):
    """A workbook whose row 2 had its number and amount corrected mid-run, held by the next Submit;
    and the attempt that holds it."""
    book = excel(3)
    change_mid_run(book, 1, document_number="X-001-corrected", amount=7.5)
    press("submit", book)
    press("submit", book)
    assert column(book, "status")[1] == Status.SKIPPED
    return book, the_attempt("X-001")


def the_attempt(number: str):
    with Journal() as journal:
        return next(a for a in journal.attempts(CREATED) if a.document_number == number)


def test_a_number_corrected_mid_run_is_written_back_created_and_nothing_is_sent(excel, sandbox):
    book = excel(3)
    change_mid_run(book, 1, document_number="X-001-corrected")
    press("submit", book)
    assert column(book, "status")[1] is None and sandbox.count_records(COMPANY, PAYMENTS_MODEL) == 3
    assert any("press Submit again" in alert[0] for alert in book.app.alerts)
    old = the_attempt("X-001")
    assert old.placed is None and the_attempt("X-000").placed == PLACED_ROW  # written rows are placed
    requests = sandbox.requests_seen()
    press("submit", book)
    assert sandbox.count_records(COMPANY, PAYMENTS_MODEL) == 3
    assert column(book, "status") == [Status.CREATED] * 3
    assert column(book, "rootfi_id")[1] == old.rootfi_id
    message = column(book, "message")[1]
    assert "as document_number X-001" in message and "correct the number there" in message
    assert the_attempt("X-001").placed == PLACED_ROW
    # No write went out: the second Submit only read (company, and no lookups of fresh rows).
    assert sandbox.requests_seen() - requests <= 3
    press("submit", book)
    assert sandbox.count_records(COMPANY, PAYMENTS_MODEL) == 3 and column(book, "status") == [Status.CREATED] * 3


def test_a_number_and_amount_corrected_mid_run_are_held_not_sent(excel, sandbox):
    book = excel(3)
    change_mid_run(book, 1, document_number="X-001-corrected", amount=7.5)
    press("submit", book)
    old = the_attempt("X-001")
    for _ in range(2):  # held as long as the record is in no row
        press("submit", book)
        assert sandbox.count_records(COMPANY, PAYMENTS_MODEL) == 3
        status, message = column(book, "status")[1], column(book, "message")[1]
        assert status == Status.SKIPPED and not column(book, "rootfi_id")[1]
        assert "X-001" in message and f"type {old.rootfi_id} into this row's rootfi_id column" in message
        assert f"delete rootfi_id {old.rootfi_id}" in message


def test_typing_the_rootfi_id_into_the_held_row_places_the_record(excel, sandbox):
    book, old = held_row(excel)
    set_cell(book, 1, "rootfi_id", old.rootfi_id)  # "this row is that record" (the amount is corrected there)
    press("submit", book)
    assert column(book, "status")[1] == Status.CREATED and sandbox.count_records(COMPANY, PAYMENTS_MODEL) == 3
    assert the_attempt("X-001").placed == PLACED_SHOWN
    # A second payment of the same invoice is no longer held: it is sent.
    table = book.sheets[PAYMENTS.sheet].tables[0]
    first = table.body_rows()[1]
    again = list(first[:len(PAYMENT_HEADERS)])
    again[PAYMENT_HEADERS.index("document_number")] = "X-001-second"
    again[PAYMENT_HEADERS.index("amount")] = 0.5
    table.sheet.put(table.top + table.count + 1, table.left, [again])
    press("submit", book)
    assert column(book, "status")[3] == Status.CREATED and sandbox.count_records(COMPANY, PAYMENTS_MODEL) == 4


def test_deleting_the_record_in_the_platform_releases_the_held_row(excel, sandbox):
    book, old = held_row(excel)
    sandbox.change_record(COMPANY, PAYMENTS_MODEL, old.platform_id, delete=True)
    press("submit", book)
    assert column(book, "status")[1] == Status.CREATED and column(book, "rootfi_id")[1] != old.rootfi_id
    assert sandbox.count_records(COMPANY, PAYMENTS_MODEL) == 4  # the deleted one is still counted
    assert the_attempt("X-001").placed == PLACED_GONE


def test_correcting_the_record_in_the_platform_gives_the_row_its_rootfi_id(excel, sandbox):
    book = excel(3)
    change_mid_run(book, 1, document_number="X-001-corrected", amount=7.5)
    press("submit", book)
    old = the_attempt("X-001")
    sandbox.change_record(COMPANY, PAYMENTS_MODEL, old.platform_id, document_number="X-001-corrected", amount=7.5)
    press("submit", book)
    assert column(book, "status")[1] == Status.CREATED and column(book, "rootfi_id")[1] == old.rootfi_id
    assert sandbox.count_records(COMPANY, PAYMENTS_MODEL) == 3


def test_an_xlsx_saved_over_mid_run_with_a_corrected_number_is_not_sent_twice(make_sandbox, api_key, tmp_path,
                                                                             monkeypatch):
    """The file is saved over (by Excel, a colleague) while `submit` runs: the results cannot be saved into
    it, and its new version has a corrected number. The next submit writes the row back Created."""
    import rootfi_excel.app.submit as app_submit

    sandbox = make_sandbox()
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=4, notes=0, company=COMPANY)
    edited = tmp_path / "edited.xlsx"
    shutil.copy(path, edited)
    wb = openpyxl.load_workbook(edited)
    ws = wb[PAYMENTS.sheet]
    number = [c.value for c in ws[1]].index("document_number") + 1
    old_number = ws.cell(row=3, column=number).value
    ws.cell(row=3, column=number, value=f"{old_number}-corrected")
    wb.save(edited)
    real = app_submit.send_planned

    def and_saved_over(*args, **kwargs):
        result = real(*args, **kwargs)
        shutil.copy(edited, path)  # saved over while the results were on their way
        return result

    monkeypatch.setattr(app_submit, "send_planned", and_saved_over)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    first = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert first.exit_code != 0 and "changed" in first.output, first.output
    assert sandbox.count_records(COMPANY, PAYMENTS_MODEL) == 4
    monkeypatch.setattr(app_submit, "send_planned", real)
    second = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    rows = table_rows(path, PAYMENTS.sheet)
    assert [r["status"] for r in rows] == [Status.CREATED] * 4, (second.output, [r["message"] for r in rows])
    assert f"as document_number {old_number}" in rows[1]["message"]
    # The summary says it too, and a person must look (exit code 1): the platform has the old number.
    assert "1 row was created by an earlier Submit under another document_number" in second.output
    assert second.exit_code == 1
    assert sandbox.count_records(COMPANY, PAYMENTS_MODEL) == 4


# ------------------------------------------------------------ engine scenarios (in memory)

from rootfi_excel.submission.engine import Submitter  # noqa: E402
from tests.support.fake_api import FakeApi, credit_notes, engine, pay, payments  # noqa: E402


def book_engine(api, journal, workbook: str) -> Submitter:
    submitter = engine(api, journal)
    submitter.workbook = workbook
    return submitter


def test_a_row_whose_answer_was_lost_and_number_corrected_is_settled_first_then_written_back(tmp_path):
    from tests.test_engine_scenarios import LookupDown

    api, journal = LookupDown(), Journal(tmp_path / "j.sqlite3")
    api.lose_next_create = True
    first = book_engine(api, journal, "march.xlsx").submit("invoice_payments", payments([pay("CHQ-1", "INV-1", 50.0)]))
    assert first.outcomes[0].status == Status.UNKNOWN  # and the row shows it; then its number is corrected
    api.down = False
    corrected = payments([pay("CHQ-1b", "INV-1", 50.0)])
    second = book_engine(api, journal, "march.xlsx").submit("invoice_payments", corrected)
    assert second.outcomes[0].status == Status.SKIPPED and "no answer yet" in second.outcomes[0].message
    third = book_engine(api, journal, "march.xlsx").submit("invoice_payments", corrected)
    assert third.outcomes[0].status == Status.CREATED and "as document_number CHQ-1" in third.outcomes[0].message
    assert api.creates == 1


def test_a_record_never_placed_in_another_workbook_holds_nothing_here(tmp_path):
    api, journal = FakeApi(), Journal(tmp_path / "j.sqlite3")
    book_engine(api, journal, "march.xlsx").submit("invoice_payments", payments([pay("CHQ-1", "INV-1", 50.0)]))
    # (March's result never reached its row.) April pays the rest of the same invoice.
    april = book_engine(api, journal, "april.xlsx").submit("invoice_payments", payments([pay("CHQ-9", "INV-1", 20.0)]))
    assert april.outcomes[0].status == Status.CREATED and api.creates == 2
    # In March itself, a second payment of that invoice is held while the first is in no row.
    march = book_engine(api, journal, "march.xlsx").submit("invoice_payments", payments([pay("CHQ-2", "INV-1", 5.0)]))
    assert march.outcomes[0].status == Status.SKIPPED and "CHQ-1" in march.outcomes[0].message
    assert api.creates == 2


def test_a_row_showing_the_rootfi_id_places_the_record_and_frees_its_invoice(tmp_path):
    api, journal = FakeApi(), Journal(tmp_path / "j.sqlite3")
    created = book_engine(api, journal, "march.xlsx").submit("invoice_payments",
                                                            payments([pay("CHQ-1", "INV-1", 50.0)]))
    shown = payments([{**pay("CHQ-1", "INV-1", 50.0), "rootfi_id": created.outcomes[0].rootfi_id}])
    assert not shown  # a row with a rootfi_id is never sent: it is one of the others
    from rootfi_excel.validation.validate import validate_payments
    from tests.support.fake_api import PAYMENTS as LAYOUT, RESULT_COLUMNS, RequirementBook, Table, WorkbookSettings

    headers = [c.name for c in LAYOUT.columns] + list(RESULT_COLUMNS)
    row = {**pay("CHQ-1", "INV-1", 50.0), "rootfi_id": created.outcomes[0].rootfi_id}
    others = validate_payments(Table(headers, [[row.get(h) for h in headers]]), WorkbookSettings(),
                               RequirementBook()).units
    report = book_engine(api, journal, "march.xlsx").submit("invoice_payments",
                                                           payments([pay("CHQ-2", "INV-1", 5.0)]), others)
    assert report.outcomes[0].status == Status.CREATED and api.creates == 2
    assert journal.attempts(CREATED)[0].placed == PLACED_SHOWN


def test_a_credit_note_whose_number_was_corrected_is_found_by_its_lines(tmp_path):
    api, journal = FakeApi(), Journal(tmp_path / "j.sqlite3")
    line = {"document_number": "CN-1", "contact_id": "C1", "posted_date": "2026-03-31", "account_id": "4000",
            "quantity": 1, "unit_amount": 100.0}
    book_engine(api, journal, "march.xlsx").submit("invoice_credit_notes",
                                                   credit_notes([line, {**line, "quantity": 2}]))
    same = book_engine(api, journal, "march.xlsx").submit(
        "invoice_credit_notes", credit_notes([{**line, "document_number": "CN-1b"},
                                              {**line, "document_number": "CN-1b", "quantity": 2}]))
    assert same.outcomes[0].status == Status.CREATED and "as document_number CN-1" in same.outcomes[0].message
    another = credit_notes([{**line, "document_number": "CN-2"}])  # the same customer, other lines
    held = book_engine(api, journal, "march.xlsx").submit("invoice_credit_notes", another)
    assert held.outcomes[0].status == Status.SKIPPED and "CN-1" in held.outcomes[0].message
    journal.place([same.outcomes[0].attempt_id], PLACED_ROW)  # CN-1b's result reached its rows (run.mark_placed)
    sent = book_engine(api, journal, "march.xlsx").submit("invoice_credit_notes", another)
    assert sent.outcomes[0].status == Status.CREATED and api.creates == 2


def test_an_older_journal_counts_its_attempts_as_placed(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite3"
    journal = Journal(path)
    journal.begin("https://api.example/v4", 1, "invoice_payments",
                  [("f", "CHQ-1", {"document_number": "CHQ-1", "invoice_id": "INV-1"})])
    journal.close()
    db = sqlite3.connect(path)  # as a journal written before the workbook and placed columns
    db.execute("DROP INDEX attempts_unplaced")
    db.execute("ALTER TABLE attempts DROP COLUMN placed")
    db.execute("ALTER TABLE attempts DROP COLUMN workbook")
    db.commit()
    db.close()
    with Journal(path) as reopened:
        assert [a.placed for a in reopened.attempts()] == ["legacy"]
        assert reopened.unplaced("https://api.example/v4", 1, "invoice_payments", None) == []


def test_every_row_related_to_a_record_still_being_settled_is_held(tmp_path):
    from tests.test_engine_scenarios import LookupDown

    api, journal = LookupDown(), Journal(tmp_path / "j.sqlite3")
    api.lose_next_create = True
    book_engine(api, journal, "march.xlsx").submit("invoice_payments", payments([pay("CHQ-1", "INV-1", 50.0)]))
    # The row is corrected to two payments of the same invoice, neither equal to the one sent.
    rows = payments([pay("CHQ-1b", "INV-1", 30.0), pay("CHQ-1c", "INV-1", 20.0)])
    report = book_engine(api, journal, "march.xlsx").submit("invoice_payments", rows)
    assert [o.status for o in report.outcomes.values()] == [Status.SKIPPED] * 2 and api.creates == 1


def test_a_record_whose_row_is_in_the_sheet_but_not_submitted_now_is_not_taken_by_another_row(tmp_path):
    """Submit selected rows: the row of an unplaced record is in the sheet, only not selected. A selected row
    equal to it but for the number is another payment (two cheques of the same amount): it is sent."""
    api, journal = FakeApi(), Journal(tmp_path / "j.sqlite3")
    first = payments([pay("CHQ-1", "INV-1", 50.0)])
    book_engine(api, journal, "march.xlsx").submit("invoice_payments", first)  # (its result never reached the row)
    report = book_engine(api, journal, "march.xlsx").submit("invoice_payments", payments([pay("CHQ-2", "INV-1", 50.0)]),
                                                           first)
    assert report.outcomes[0].status == Status.CREATED and "earlier Submit" not in report.outcomes[0].message
    assert api.creates == 2
