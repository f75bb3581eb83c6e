"""Validation of real .xlsx workbooks written by openpyxl: rules, coercions, grouping,
integration requirements, duplicates. Every message must name its column."""

from __future__ import annotations

import datetime as dt

import pytest

from rootfi_excel.errors import HeaderError
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, Status
from rootfi_excel.validation.workbook_validation import validate_workbook
from rootfi_excel.workbook.xlsx import XlsxWorkbook
from tests.support.books import LINE_HEADERS, PAYMENT_HEADERS, row_of, write_book

GOOD_PAYMENT = dict(document_number="P-1", invoice_id="INV-1", contact_id="C-1", account_id="ACC-1",
                    amount=100.0, payment_date=dt.datetime(2026, 3, 4), payment_mode="Cash")


def payments(tmp_path, rows, headers=PAYMENT_HEADERS, **book):
    path = write_book(tmp_path / "book.xlsx", payments=(headers, rows), **book)
    return validate_workbook(XlsxWorkbook.open(path)).sheets[PAYMENTS.key]


def credit_notes(tmp_path, rows, headers=LINE_HEADERS, **book):
    path = write_book(tmp_path / "book.xlsx", credit_notes=(headers, rows), **book)
    return validate_workbook(XlsxWorkbook.open(path)).sheets[CREDIT_NOTE_LINES.key]


def messages(sheet) -> dict[int, str]:
    return {r.row_number: r.message for r in sheet.results.values()}


def statuses(sheet) -> list[str]:
    return [r.status for r in sheet.results.values()]


# ------------------------------------------------------------------ payments

def test_a_good_payment_is_valid_and_becomes_a_request(tmp_path):
    sheet = payments(tmp_path, [row_of(PAYMENT_HEADERS, **GOOD_PAYMENT)])
    assert statuses(sheet) == [Status.VALID]
    assert sheet.ready[0].request.to_api() == {
        "document_number": "P-1", "invoice_id": "INV-1", "contact_id": "C-1", "account_id": "ACC-1",
        "amount": 100.0, "payment_date": "2026-03-04", "payment_mode": "Cash",
    }


def test_columns_are_found_by_name_in_any_order_case_and_spacing(tmp_path):
    headers = ["  Payment Date", "AMOUNT", "My own notes", "Reference", "Invoice", "status", "Message",
               "rootfi_id", "Platform ID", "sync_id", "submitted_at"]
    rows = [[dt.datetime(2026, 3, 4), "1,234.50", "keep me", "P-9", 123456.0]]
    sheet = payments(tmp_path, rows, headers=headers)
    assert statuses(sheet) == [Status.VALID]
    body = sheet.ready[0].request.to_api()
    assert body == {"payment_date": "2026-03-04", "amount": 1234.5, "document_number": "P-9", "invoice_id": "123456"}


def test_a_missing_required_column_makes_the_workbook_unusable(tmp_path):
    headers = [h for h in PAYMENT_HEADERS if h != "invoice_id"]
    with pytest.raises(HeaderError, match="invoice_id"):
        payments(tmp_path, [["P-1"]], headers=headers)


def test_two_columns_meaning_the_same_field_are_refused(tmp_path):
    headers = [*PAYMENT_HEADERS, "Invoice"]
    with pytest.raises(HeaderError, match="both mean invoice_id"):
        payments(tmp_path, [["P-1"]], headers=headers)


@pytest.mark.parametrize("change,column,fragment", [
    (dict(invoice_id=None), "invoice_id", "is required"),
    (dict(amount=0), "amount", "must be above zero"),
    (dict(amount=-5), "amount", "must be above zero"),
    (dict(amount=None), "amount", "is required"),
    (dict(payment_date=None), "payment_date", "is required"),
    (dict(payment_date="2206-03-04"), "payment_date", "check the year"),
    (dict(document_number=None), "document_number", "never recorded twice"),
    (dict(currency_rate=0), "currency_rate", "above zero"),
    (dict(amount="12,5O"), "amount", "not a number"),
    (dict(amount="#N/A"), "amount", "Excel error #N/A"),
    (dict(invoice_id=1.23457e15), "invoice_id", "16 or more digits"),
    (dict(invoice_id="1.23457E+15"), "invoice_id", "Excel shortened"),
    (dict(payment_date="12/25/2026"), "payment_date", "date order is DMY"),
    (dict(payment_date=True), "payment_date", "TRUE/FALSE"),
    (dict(document_number=dt.datetime(2026, 3, 1)), "document_number", "is a date"),  # Excel made "3-1" a date
    (dict(document_number=1234567890123456.0), "document_number", "16 or more digits"),
])
def test_each_rule_and_bad_cell_is_a_message_naming_the_column(tmp_path, change, column, fragment):
    sheet = payments(tmp_path, [row_of(PAYMENT_HEADERS, **{**GOOD_PAYMENT, **change})])
    [result] = sheet.results.values()
    assert result.status == Status.INVALID
    assert f"{column}: " in result.message and fragment in result.message
    assert not sheet.ready


def test_an_unreadable_cell_is_not_also_reported_as_missing(tmp_path):
    sheet = payments(tmp_path, [row_of(PAYMENT_HEADERS, **{**GOOD_PAYMENT, "amount": "abc"})])
    [result] = sheet.results.values()
    assert "not a number" in result.message and "is required" not in result.message


def test_blank_rows_are_skipped_and_rows_keep_their_sheet_numbers(tmp_path):
    rows = [row_of(PAYMENT_HEADERS, **GOOD_PAYMENT), [None] * len(PAYMENT_HEADERS), ["  "] * 3,
            row_of(PAYMENT_HEADERS, **{**GOOD_PAYMENT, "document_number": "P-2", "amount": -1})]
    sheet = payments(tmp_path, rows)
    assert {r.row_number: r.status for r in sheet.results.values()} == {2: Status.VALID, 5: Status.INVALID}


def test_settings_declare_the_date_order_and_decimal_separator(tmp_path):
    rows = [row_of(PAYMENT_HEADERS, **{**GOOD_PAYMENT, "payment_date": "03/04/2026", "amount": "1.234,50"})]
    sheet = payments(tmp_path, rows, settings={"date_order": "MDY", "decimal_separator": ","})
    body = sheet.ready[0].request.to_api()
    assert body["payment_date"] == "2026-03-04" and body["amount"] == 1234.5


def test_the_same_payment_twice_is_flagged_on_both_rows(tmp_path):
    rows = [row_of(PAYMENT_HEADERS, **GOOD_PAYMENT), row_of(PAYMENT_HEADERS, **{**GOOD_PAYMENT, "document_number": "p-1"}),
            row_of(PAYMENT_HEADERS, **{**GOOD_PAYMENT, "invoice_id": "INV-2"})]  # one cheque, two invoices: fine
    sheet = payments(tmp_path, rows)
    got = messages(sheet)
    assert "also on row 3" in got[2] and "also on row 2" in got[3]
    assert "also on row" not in got[4]  # valid: only its references were not checked (no lookups here)
    assert got[4].startswith("not checked (invoice_id, contact_id, account_id): refresh the lookups")


def test_integration_required_raw_data_fields(tmp_path):
    headers = [*PAYMENT_HEADERS, "arr_account_id"]
    rows = [row_of(headers, **GOOD_PAYMENT, arr_account_id=4567.0),
            row_of(headers, **{**GOOD_PAYMENT, "document_number": "P-2"})]
    sheet = payments(tmp_path, rows, headers=headers, settings={"integration": "NetSuite"})
    assert sheet.ready[0].request.to_api()["raw_data"] == {"arr_account_id": "4567"}
    assert messages(sheet)[3] == ("arr_account_id: NetSuite needs this on every payment: type the id of the account "
                                  "to which the payment is applied")  # not the API page's "The ID of ..."


def test_a_required_raw_data_column_that_is_missing_says_to_add_it(tmp_path):
    sheet = payments(tmp_path, [row_of(PAYMENT_HEADERS, **GOOD_PAYMENT)], settings={"integration": "MS_DYNAMICS_365_FO"})
    assert "add a column named payment_journal_id" in messages(sheet)[2]


def test_a_finance_team_adds_a_requirement_in_the_workbook(tmp_path):
    headers = [*PAYMENT_HEADERS, "bank_code"]
    extra = [{"model": "invoice_payments", "integration": "xero", "field": "bank_code", "type": "text"}]
    rows = [row_of(headers, **GOOD_PAYMENT, bank_code="BC1"), row_of(headers, **{**GOOD_PAYMENT, "document_number": "P-2"})]
    sheet = payments(tmp_path, rows, headers=headers, settings={"integration": "XERO"}, integration_fields=extra)
    assert sheet.ready[0].request.to_api()["raw_data"] == {"bank_code": "BC1"}
    assert "bank_code: Xero needs this on every payment: type its value" in messages(sheet)[3]


def test_raw_data_prefix_columns_go_into_raw_data(tmp_path):
    headers = [*PAYMENT_HEADERS, "raw_data.CustomRef"]
    sheet = payments(tmp_path, [row_of(headers, **GOOD_PAYMENT, **{"raw_data.CustomRef": "X1"})], headers=headers)
    assert sheet.ready[0].request.to_api()["raw_data"] == {"CustomRef": "X1"}


def test_rows_already_created_keep_their_results_and_are_not_ready(tmp_path):
    headers = [*PAYMENT_HEADERS, "status", "message", "rootfi_id"]
    rows = [row_of(headers, **GOOD_PAYMENT, status="Created", message="ok", rootfi_id=157)]
    sheet = payments(tmp_path, rows, headers=headers)
    [result] = sheet.results.values()
    assert (result.status, result.message) == (Status.CREATED, "ok")
    assert sheet.ready == []



def test_a_rootfi_id_typed_into_a_held_row_ends_its_not_sent_message(tmp_path):
    """The way out a held row offers is to type the record's rootfi_id: the row is then Created,
    and its message no longer says "Not sent: ... type 1000 into its rootfi_id column"."""
    headers = [*PAYMENT_HEADERS, "status", "message", "rootfi_id"]
    held = "Not sent: this row looks like payment D-0 (rootfi_id 1000) ... type 1000 into its rootfi_id column"
    rows = [row_of(headers, **GOOD_PAYMENT, status="Skipped", message=held, rootfi_id=1000)]
    sheet = payments(tmp_path, rows, headers=headers)
    [result] = sheet.results.values()
    assert (result.status, result.message) == (Status.CREATED, "")


# -------------------------------------------------------------- credit notes

LINE = dict(document_number="CN-1", contact_id="C-1", posted_date=dt.datetime(2026, 3, 31), currency_id="GBP",
            description="Returned goods", account_id="4000", quantity=1, unit_amount=100)


def test_lines_are_grouped_into_credit_notes_by_document_number(tmp_path):
    rows = [row_of(LINE_HEADERS, **LINE, invoice_ids="INV-1, INV-2"),
            row_of(LINE_HEADERS, document_number="CN-1", description="Restocking", item_id="IT-1", quantity=2,
                   unit_amount="12.50", discount_amount=5),
            row_of(LINE_HEADERS, **{**LINE, "document_number": "CN-2", "contact_id": "C-2"})]
    sheet = credit_notes(tmp_path, rows)
    assert statuses(sheet) == [Status.VALID] * 3
    assert [u.document_number for u in sheet.ready] == ["CN-1", "CN-2"]
    body = sheet.ready[0].request.to_api()
    assert body["invoice_ids"] == ["INV-1", "INV-2"] and body["posted_date"] == "2026-03-31"
    assert body["line_items"] == [
        {"description": "Returned goods", "account_id": "4000", "quantity": 1.0, "unit_amount": 100.0},
        {"description": "Restocking", "item_id": "IT-1", "quantity": 2.0, "unit_amount": 12.5, "discount_amount": 5.0},
    ]


def test_one_document_number_for_two_customers_is_an_error(tmp_path):
    rows = [row_of(LINE_HEADERS, **LINE), row_of(LINE_HEADERS, **{**LINE, "contact_id": "C-2"})]
    sheet = credit_notes(tmp_path, rows)
    got = messages(sheet)
    assert "used for two customers ('C-1' on row 2, 'C-2' here)" in got[3]
    assert "not sent: credit note CN-1 has a problem on row 3" in got[2]
    assert {r.row_number: r.status for r in sheet.results.values()} == {2: Status.SKIPPED, 3: Status.INVALID}
    assert sheet.ready == []


def test_header_fields_that_disagree_are_errors_on_the_rows_concerned(tmp_path):
    rows = [row_of(LINE_HEADERS, **LINE), row_of(LINE_HEADERS, **{**LINE, "currency_id": "EUR"}),
            row_of(LINE_HEADERS, **{**LINE, "posted_date": dt.datetime(2026, 3, 31)})]
    got = messages(credit_notes(tmp_path, rows))
    assert "currency_id: 'EUR' differs from 'GBP' on row 2" in got[3]
    assert got[4].startswith("not sent") and got[2].startswith("not sent")


@pytest.mark.parametrize("change,column,fragment", [
    (dict(contact_id=None), "contact_id", "is required"),
    (dict(posted_date=None), "posted_date", "is required"),
    (dict(quantity=None), "quantity", "is required"),
    (dict(quantity=0), "quantity", "above zero"),
    (dict(unit_amount=None), "unit_amount", "is required"),
    (dict(unit_amount=-3), "unit_amount", "must not be negative"),
    (dict(discount_amount=-1), "discount_amount", "must not be negative"),
    (dict(account_id=None), "account_id or item_id", "income account or an item"),
    (dict(quantity="two"), "quantity", "not a number"),
    (dict(document_number=None), "document_number", "make one credit note"),
])
def test_credit_note_rules(tmp_path, change, column, fragment):
    sheet = credit_notes(tmp_path, [row_of(LINE_HEADERS, **{**LINE, **change})])
    [result] = sheet.results.values()
    assert result.status == Status.INVALID
    assert f"{column}: " in result.message and fragment in result.message


def test_currency_rate_travels_in_raw_data_where_the_integration_needs_it(tmp_path):
    headers = [*LINE_HEADERS, "currency_rate"]
    rows = [row_of(headers, **LINE, currency_rate="1.17"), row_of(headers, **{**LINE, "description": "b"}),
            row_of(headers, **{**LINE, "document_number": "CN-2"})]
    sheet = credit_notes(tmp_path, rows, headers=headers, settings={"integration": "FRESHBOOKS"})
    assert sheet.ready[0].request.to_api()["raw_data"] == {"currency_rate": 1.17}
    assert "currency_rate: FreshBooks needs this on every credit note: type the exchange rate" in messages(sheet)[4]


def test_a_line_added_to_a_created_credit_note_is_not_sent(tmp_path):
    headers = [*LINE_HEADERS, "status", "rootfi_id"]
    rows = [row_of(headers, **LINE, status="Created", rootfi_id=77), row_of(headers, **{**LINE, "description": "new"})]
    sheet = credit_notes(tmp_path, rows, headers=headers)
    got = {r.row_number: (r.status, r.message) for r in sheet.results.values()}
    assert got[2][0] == Status.CREATED
    assert got[3][0] == Status.INVALID and "already created (rootfi_id 77)" in got[3][1]
    assert sheet.ready == []
