"""What a person reads about platforms and currencies, and what Validate says of a
workbook that is not ready (blank company_id, no rows)."""

from __future__ import annotations

import datetime as dt

import pytest

from rootfi_excel.fields.integrations import KNOWN_INTEGRATIONS, canonical_integration, display_name
from rootfi_excel.sheets.cells import CellFormat, read_currency
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, Status
from rootfi_excel.sheets.settings import BLANK_COMPANY_ID
from rootfi_excel.sheets.workbook_settings import read_workbook_settings
from rootfi_excel.validation.workbook_validation import validate_workbook
from rootfi_excel.workbook.template import build_template
from rootfi_excel.workbook.xlsx import XlsxWorkbook
from tests.support.books import LINE_HEADERS, PAYMENT_HEADERS, row_of, write_book

GOOD = dict(document_number="P-1", invoice_id="7", amount=10.0, payment_date=dt.datetime(2026, 3, 1))


# ---- Platform names ----------------------------------------------------------------------

@pytest.mark.parametrize(("spelling", "name"), [
    ("MS_DYNAMICS_365", "Microsoft Dynamics 365"),
    ("MS_DYNAMICS_365_FO", "Microsoft Dynamics 365"),  # an alias gives the same name
    ("SAGE_CLOUD_ACCOUNTING", "Sage Business Cloud Accounting"),
    ("quickbooks", "QuickBooks Online"),
    ("FRESHBOOKS", "FreshBooks"),
    ("NETSUITE", "NetSuite"),
    ("ZOHO_BOOKS", "Zoho Books"),
    ("NEW_LEDGER_PRO", "New Ledger Pro"),  # unknown: its words, not its code
    (None, ""),
    ("  ", ""),
])
def test_display_name(spelling, name):
    assert display_name(spelling) == name


def test_every_known_platform_has_a_name_and_its_name_reads_back_as_its_code():
    for code in KNOWN_INTEGRATIONS:
        name = display_name(code)
        assert name and name != code and "_" not in name, code
        assert canonical_integration(name) == code, name  # "Zoho Books" typed in Settings works too


def test_validation_messages_name_the_platform(tmp_path):
    path = write_book(tmp_path / "b.xlsx", payments=(PAYMENT_HEADERS, [row_of(PAYMENT_HEADERS, **GOOD)]),
                      settings={"integration": "MS_DYNAMICS_365"})
    [result] = validate_workbook(XlsxWorkbook.open(path)).sheets[PAYMENTS.key].results.values()
    assert "Microsoft Dynamics 365 needs this on every payment" in result.message
    assert "MS_DYNAMICS_365" not in result.message


# ---- Currency codes ----------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "read"), [
    ("usd", "USD"), (" gbp ", "GBP"), ("Eur", "EUR"), ("USD", "USD"),
    ("1", "1"),  # a platform's currency id is kept as typed
    ("a1b2c3d4-0000-4000-8000-00000000abcd", "a1b2c3d4-0000-4000-8000-00000000abcd"),
    ("usdx", "usdx"), ("", None), (None, None),
])
def test_currency_codes_are_read_in_upper_case(cell, read):
    assert read_currency(cell, CellFormat()) == read


def test_a_lowercase_currency_is_sent_as_the_api_knows_it(tmp_path):
    payment = row_of(PAYMENT_HEADERS, **GOOD, currency_id="usd")
    line = row_of(LINE_HEADERS, document_number="CN-1", contact_id="C-1", posted_date="2026-03-01",
                  currency_id="gbp", account_id="4000", quantity=1, unit_amount=5.0)
    path = write_book(tmp_path / "b.xlsx", payments=(PAYMENT_HEADERS, [payment]), credit_notes=(LINE_HEADERS, [line]))
    report = validate_workbook(XlsxWorkbook.open(path))
    assert report.sheets[PAYMENTS.key].ready[0].request.to_api()["currency_id"] == "USD"
    assert report.sheets[CREDIT_NOTE_LINES.key].ready[0].request.to_api()["currency_id"] == "GBP"


# ---- A workbook that is not ready is never "all valid" -----------------------------------

def test_the_empty_template_says_company_id_is_blank_and_there_are_no_rows(tmp_path):
    report = validate_workbook(XlsxWorkbook.open(build_template(tmp_path / "t.xlsx")))
    assert BLANK_COMPANY_ID in report.problems
    assert any(p.startswith("No rows to validate") for p in report.problems)
    assert not report.all_valid and report.rows == 0
    assert report.verdict().startswith("Nothing is ready to submit")


def test_a_blank_company_id_alone_keeps_validate_from_saying_ready(tmp_path):
    path = build_template(tmp_path / "t.xlsx", payments=[{**GOOD, "payment_date": "2026-03-01"}])
    report = validate_workbook(XlsxWorkbook.open(path))
    assert [r.status for r in report.sheets[PAYMENTS.key].results.values()] == [Status.VALID]
    assert report.problems == [BLANK_COMPANY_ID] and not report.all_valid
    # Submit reads the same settings without that problem: `submit --company ID` still works.
    assert not read_workbook_settings(XlsxWorkbook.open(path))[2]


def test_a_workbook_with_a_company_and_valid_rows_is_ready(tmp_path):
    path = build_template(tmp_path / "t.xlsx", payments=[{**GOOD, "payment_date": "2026-03-01"}],
                          settings={"company_id": 1001})
    report = validate_workbook(XlsxWorkbook.open(path))
    assert report.problems == [] and report.all_valid and report.verdict() == "All rows are valid."


def test_an_unreadable_company_id_is_reported_once(tmp_path):
    path = build_template(tmp_path / "t.xlsx", payments=[{**GOOD, "payment_date": "2026-03-01"}],
                          settings={"company_id": "Acme"})
    problems = validate_workbook(XlsxWorkbook.open(path)).problems
    assert len([p for p in problems if "company_id" in p]) == 1 and BLANK_COMPANY_ID not in problems
