"""Online checks in Validate, against a lookup cache refreshed over HTTP from the sandbox:
each case flagged on its row, names and numbers resolved to ids (and what is sent uses
the id), twins refused with the candidates named, the cache's age noted."""

from __future__ import annotations

import datetime as dt

import pytest

from rootfi_excel.lookups.cache import LookupCache
from rootfi_excel.lookups.refresh import refresh
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, Status
from rootfi_excel.validation.online import check_online
from rootfi_excel.validation.workbook_validation import validate_workbook
from rootfi_excel.workbook.xlsx import XlsxWorkbook
from tests.support.sandbox_api import XERO
from tests.support.books import LINE_HEADERS, PAYMENT_HEADERS, row_of, write_book
from tests.support.submitting import fast_client
from tests.support.cache_keys import key

DATE = dt.datetime(2024, 6, 30)


@pytest.fixture
def lookups(sandbox, api_key):
    """XERO's lists in the default cache (ROOTFI_EXCEL_HOME), plus a twin customer name."""
    with LookupCache() as cache:
        refresh(fast_client(sandbox, api_key), cache, key(sandbox.base_url, XERO))
        view = cache.company(key(sandbox.base_url, XERO))
        contacts = [c for c in view.records("contacts") if c["contact_type"] == "CUSTOMER"]
        # Two customers with one name, as happens: rename one and refresh (incrementally).
        sandbox.change_record(XERO, "contacts", contacts[1]["platform_id"], name=contacts[0]["name"])
        refresh(fast_client(sandbox, api_key), cache, key(sandbox.base_url, XERO))
        view = cache.company(key(sandbox.base_url, XERO))
        yield view, contacts


def settings_for(sandbox):
    return {"company_id": XERO, "integration": "XERO", "environment": "sandbox", "base_url": sandbox.base_url}


def payment(**values):
    payment.count = getattr(payment, "count", 0) + 1
    values.setdefault("document_number", f"RCPT-{payment.count}")
    values.setdefault("amount", 10.0)
    values.setdefault("payment_date", DATE)
    return row_of(PAYMENT_HEADERS, **values)


def results(report, layout):
    return [report.sheets[layout.key].results[i] for i in sorted(report.sheets[layout.key].results)]


def invoices_of(view, contact_id, count):
    found = [i for i in view.records("invoices") if i["contact_id"] == contact_id and i["amount_due"] > 100]
    assert len(found) >= count
    return found[:count]


def test_payments_checked_and_resolved_against_the_cache(sandbox, lookups, tmp_path):
    view, contacts = lookups
    acme, other = contacts[0], contacts[2]
    first, second, third = invoices_of(view, acme["platform_id"], 3)
    foreign = next(c for c in view.records("currencies") if c["platform_id"] != first["currency_id"])
    rows = [
        payment(invoice_id=first["document_number"], account_id="Business Checking"),  # 0 resolved
        payment(invoice_id="INV-99999"),                                                 # 1 unknown invoice
        payment(invoice_id=second["platform_id"], contact_id=other["platform_id"]),     # 2 other customer
        payment(invoice_id=second["platform_id"], currency_id=foreign["platform_id"]),  # 3 other currency
        payment(invoice_id=first["platform_id"], account_id="No Such Account"),         # 4 unknown account
        payment(invoice_id=second["platform_id"], contact_id=acme["name"]),             # 5 twin name
        payment(invoice_id=first["platform_id"], currency_id="XXX"),                    # 6 unknown currency
    ]
    due = third["amount_due"]
    rows += [payment(invoice_id=third["platform_id"], amount=round(due * 0.6, 2), document_number="A"),  # 7
             payment(invoice_id=third["document_number"], amount=round(due * 0.6, 2), document_number="B")]  # 8
    rows[0][PAYMENT_HEADERS.index("amount")] = 0.01  # keep row 0 within the amount due as well
    rows[4][PAYMENT_HEADERS.index("amount")] = 0.01
    rows[6][PAYMENT_HEADERS.index("amount")] = 0.01
    path = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, rows), settings=settings_for(sandbox))
    report = validate_workbook(XlsxWorkbook.open(path))
    got = results(report, PAYMENTS)
    assert any("References checked against the lookups" in n for n in report.notes)

    checking = view.with_label("accounts", "Business Checking")[0]["platform_id"]
    assert got[0].status == Status.VALID, got[0].message
    assert f"'{first['document_number']}' is invoice {first['platform_id']}" in got[0].message
    assert f"is account {checking}" in got[0].message
    sent = report.sheets[PAYMENTS.key].units[0].request
    assert sent.invoice_id == first["platform_id"] and sent.account_id == checking  # ids are what is sent

    assert got[1].status == Status.INVALID and "'INV-99999' is not a known invoice" in got[1].message
    assert got[1].message.startswith("invoice_id")
    assert got[2].status == Status.INVALID and "is not the customer of invoice" in got[2].message
    assert got[3].status == Status.INVALID and f"differs from the currency of invoice" in got[3].message
    assert got[4].status == Status.INVALID and "'No Such Account' is not a known account" in got[4].message
    assert got[5].status == Status.INVALID and "matches 2 contact records" in got[5].message
    assert acme["platform_id"] in got[5].message and contacts[1]["platform_id"] in got[5].message
    assert got[6].status == Status.INVALID and "'XXX' is not a known currency" in got[6].message
    for row in (got[7], got[8]):
        assert row.status == Status.INVALID and "together" in row.message and "exceed the amount due" in row.message
    assert report.sheets[PAYMENTS.key].ready == [report.sheets[PAYMENTS.key].units[0]]


def test_payment_accounts_must_take_deposits(sandbox, lookups, tmp_path):
    view, contacts = lookups
    invoice = invoices_of(view, contacts[0]["platform_id"], 1)[0]
    rows = [payment(invoice_id=invoice["platform_id"], account_id=name)
            for name in ("Sales", "Old Operating Account", "Undeposited Funds")]
    path = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, rows), settings=settings_for(sandbox))
    got = results(validate_workbook(XlsxWorkbook.open(path)), PAYMENTS)
    assert got[0].status == Status.INVALID and "is an income account" in got[0].message
    assert got[1].status == Status.INVALID and "is archived" in got[1].message
    assert got[2].status == Status.VALID, got[2].message


def test_one_payment_above_the_amount_due(sandbox, lookups, tmp_path):
    view, contacts = lookups
    invoice = invoices_of(view, contacts[0]["platform_id"], 1)[0]
    rows = [payment(invoice_id=invoice["platform_id"], amount=invoice["amount_due"] + 1)]
    path = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, rows), settings=settings_for(sandbox))
    got = results(validate_workbook(XlsxWorkbook.open(path)), PAYMENTS)
    assert got[0].status == Status.INVALID and "exceeds the amount due" in got[0].message


def line(**values):
    values.setdefault("quantity", 1)
    values.setdefault("unit_amount", 10.0)
    return row_of(LINE_HEADERS, **values)


def test_credit_notes_checked_and_resolved(sandbox, lookups, tmp_path):
    view, contacts = lookups
    acme, other = contacts[0], contacts[2]
    mine = invoices_of(view, acme["platform_id"], 1)[0]
    theirs = invoices_of(view, other["platform_id"], 1)[0]
    tax = view.records("tax_rates")[0]
    rows = [
        # CN-1: fine, with names and numbers instead of ids
        line(document_number="CN-1", contact_id=other["name"], posted_date=DATE, invoice_ids=theirs["document_number"],
             account_id="Sales Returns and Allowances", tax_id=tax["name"]),
        line(document_number="CN-1", item_id="Delivery"),
        # CN-2: an invoice of another customer; its second line is held back
        line(document_number="CN-2", contact_id=other["platform_id"], posted_date=DATE,
             invoice_ids=mine["platform_id"], account_id="Sales"),
        line(document_number="CN-2", account_id="Sales"),
        # CN-3: unknown item and tax rate
        line(document_number="CN-3", contact_id=other["platform_id"], posted_date=DATE, item_id="Unicorn",
             tax_id="Nope 99%"),
    ]
    path = write_book(tmp_path / "book.xlsx", credit_notes=(LINE_HEADERS, rows), settings=settings_for(sandbox))
    report = validate_workbook(XlsxWorkbook.open(path))
    got = results(report, CREDIT_NOTE_LINES)
    assert [r.status for r in got[:2]] == [Status.VALID, Status.VALID], [r.message for r in got]
    assert f"is contact {other['platform_id']}" in got[0].message
    note = report.sheets[CREDIT_NOTE_LINES.key].units[0].request
    assert note.contact_id == other["platform_id"] and note.invoice_ids == [theirs["platform_id"]]
    assert note.line_items[0].tax_id == tax["platform_id"]
    assert note.line_items[1].item_id == view.with_label("items", "Delivery")[0]["platform_id"]

    assert got[2].status == Status.INVALID and "belongs to" in got[2].message
    assert got[3].status == Status.SKIPPED and "row" in got[3].message
    assert got[4].status == Status.INVALID
    assert "'Unicorn' is not a known item" in got[4].message and "'Nope 99%' is not a known tax rate" in got[4].message


def test_old_cache_is_a_warning_and_no_cache_means_not_checked(sandbox, lookups, tmp_path):
    view, contacts = lookups
    invoice = invoices_of(view, contacts[0]["platform_id"], 1)[0]
    rows = [payment(invoice_id=invoice["platform_id"]), payment(invoice_id="INV-99999", amount=None)]
    path = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, rows), settings=settings_for(sandbox))

    report = validate_workbook(XlsxWorkbook.open(path))  # checks with a fresh cache
    report.notes.clear()
    check_online(report, now=view.refreshed_at + dt.timedelta(hours=30))
    assert any(n.startswith("Warning: the lookups are older than 24 h") for n in report.notes)
    assert results(report, PAYMENTS)[0].status == Status.VALID  # a warning, not an error

    offline = validate_workbook(XlsxWorkbook.open(write_book(
        tmp_path / "other.xlsx", payments=(PAYMENT_HEADERS, rows), settings={**settings_for(sandbox),
                                                                             "company_id": 1003})))
    assert any(n.startswith("References were not checked: there are no lookups of company 1003") and
               "could not be read from RootFi instead (Validate was not asked to)" in n for n in offline.notes), offline.notes
    got = results(offline, PAYMENTS)
    # nothing to check it against: said on the row (Submit reads the id in the platform before sending)
    assert got[0].status == Status.VALID
    assert got[0].message == "not checked (invoice_id): refresh the lookups (or type the id)"
    assert got[1].status == Status.INVALID and "amount" in got[1].message  # offline rules still work


def test_the_age_limit_is_a_setting(sandbox, lookups, tmp_path):
    view, contacts = lookups
    invoice = invoices_of(view, contacts[0]["platform_id"], 1)[0]
    rows = [payment(invoice_id=invoice["platform_id"])]
    path = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, rows),
                      settings={**settings_for(sandbox), "lookups_max_age_hours": 36})
    report = validate_workbook(XlsxWorkbook.open(path))
    assert report.settings.lookups_max_age_hours == 36
    for hours, warned in ((30, False), (40, True)):
        report.notes.clear()
        check_online(report, now=view.refreshed_at + dt.timedelta(hours=hours))
        assert any(n.startswith("Warning: the lookups are older than 36 h (lookups_max_age_hours on the Settings "
                                "sheet)") for n in report.notes) is warned, hours

    bad = write_book(tmp_path / "bad.xlsx", payments=(PAYMENT_HEADERS, rows),
                     settings={**settings_for(sandbox), "lookups_max_age_hours": "a day"})
    report = validate_workbook(XlsxWorkbook.open(bad))
    assert ("Settings: lookups_max_age_hours must be a number of hours above 0 and up to 8784 (e.g. 24), "
            "not 'a day'") in report.problems
    assert report.settings.lookups_max_age_hours == 24  # the default still gives the warning its limit


@pytest.mark.reads_sandbox
def test_a_damaged_cache_does_not_stop_validate(sandbox, tmp_path):
    from rootfi_excel.lookups.cache import default_path

    default_path().parent.mkdir(parents=True, exist_ok=True)
    default_path().write_bytes(b"this is not a database" * 100)
    path = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, [payment(invoice_id="INV-10001")]),
                      settings=settings_for(sandbox))
    report = validate_workbook(XlsxWorkbook.open(path))
    assert any("could not be read" in n for n in report.notes)
    assert results(report, PAYMENTS)[0].status == Status.VALID
