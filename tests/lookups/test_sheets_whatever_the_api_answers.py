"""The Lookups and Posted sheets are written whatever the API says of a record: control
characters, fields of unexpected types, names longer than a cell, ids longer than a float
holds; and a longer Posted list never writes over a note the accountant left below it.
Over HTTP against the sandbox, whose records are changed to say these things.
"""

from __future__ import annotations

import openpyxl

from tests.support.cli_runs import book_for, first, live_table, run
from tests.support.sandbox_api import XERO, client


def test_lookups_sheet_is_written_when_a_name_holds_control_characters(sandbox, api_key, tmp_path):
    """A vertical tab or NUL in a customer name (legal JSON; pasted from Word into a platform)
    made openpyxl refuse the cell: `lookups` failed with "run it again", every time."""
    api = client(sandbox, api_key)
    customer = first(api, XERO, "shared/contacts", **{"contact_type[eq]": "CUSTOMER"})
    sandbox.change_record(XERO, "contacts", customer["platform_id"], name="Harbour\x0bSide\x00 Ltd")
    book = book_for(tmp_path / "book.xlsx", XERO, sandbox.base_url)
    result = run(["lookups", book], key=api_key)
    assert result.exit_code == 0, result.output
    names = {r["id"]: r["name"] for r in live_table(book, "Lookups", "LiveContacts")}
    assert names[customer["platform_id"]] == "HarbourSide Ltd"


def test_lookups_sheet_is_written_whatever_the_types_of_the_fields(sandbox, api_key, tmp_path):
    """amount_due as text, a contact_type that is a number, a document number that is a list:
    each one stopped the whole Lookups sheet (TypeError, AttributeError, ValueError)."""
    api = client(sandbox, api_key)
    invoice = first(api, XERO, "shared/invoices", **{"status[eq]": "SUBMITTED"})
    sandbox.change_record(XERO, "invoices", invoice["platform_id"], amount_due="12.50", document_number=["INV", 1])
    customer = first(api, XERO, "shared/contacts", **{"contact_type[eq]": "CUSTOMER"})
    sandbox.change_record(XERO, "contacts", customer["platform_id"], contact_type=5)
    book = book_for(tmp_path / "book.xlsx", XERO, sandbox.base_url)
    result = run(["lookups", book], key=api_key)
    assert result.exit_code == 0, result.output
    invoices = {r["id"]: r for r in live_table(book, "Lookups", "LiveInvoices")}
    assert invoices[invoice["platform_id"]]["number"] == '["INV", 1]'  # shown, as text
    assert invoices[invoice["platform_id"]]["amount due"] == "12.50"  # and still an open invoice
    assert customer["platform_id"] in {r["id"] for r in live_table(book, "Lookups", "LiveContacts")}


def test_a_name_longer_than_a_cell_is_cut_to_what_excel_can_hold(sandbox, api_key, tmp_path):
    """openpyxl writes any length; Excel cannot open a cell of more than 32,767 characters
    without "repairing" the file (and dropping the sheet's tables)."""
    api = client(sandbox, api_key)
    customer = first(api, XERO, "shared/contacts", **{"contact_type[eq]": "CUSTOMER"})
    sandbox.change_record(XERO, "contacts", customer["platform_id"], name="Ü" * 40_000)
    book = book_for(tmp_path / "book.xlsx", XERO, sandbox.base_url)
    assert run(["lookups", book], key=api_key).exit_code == 0
    names = {r["id"]: r["name"] for r in live_table(book, "Lookups", "LiveContacts")}
    assert names[customer["platform_id"]] == "Ü" * 32_767


def test_posted_sheet_is_written_whatever_the_api_says_of_a_payment(sandbox, api_key, tmp_path):
    """Two payments whose invoice and currency came back as a list and an object, and whose
    document number holds a control character: the twin check hashed the list (TypeError)
    and the cells refused the rest."""
    api = client(sandbox, api_key)
    invoice = first(api, XERO, "shared/invoices", **{"status[eq]": "SUBMITTED"})
    made = []
    for n in range(2):
        answer = api.post(f"/core/companies/{XERO}/invoice_payments", json={"data": {
            "document_number": f"RCPT-{n}", "invoice_id": invoice["platform_id"], "amount": 1.0,
            "payment_date": "2026-03-15T00:00:00Z"}})
        assert answer.status_code == 200, answer.text
        made.append(answer.json()["data"])
    for record in made:
        sandbox.change_record(XERO, "invoice_payments", record["platform_id"], document_number="R\x0bCPT-9",
                              invoice_id=[invoice["platform_id"]], currency_id={"code": "GBP"})
    book = book_for(tmp_path / "book.xlsx", XERO, sandbox.base_url)
    result = run(["posted", book, "--from", "2026-03-01", "--to", "2026-03-31"], key=api_key)
    assert result.exit_code == 0, result.output
    rows = live_table(book, "Posted", "PostedRecords")
    assert len(rows) == 2 and {r["document number"] for r in rows} == {"RCPT-9"}
    assert all(r["possible duplicate"] for r in rows), rows  # still found to be twins


def test_a_long_numeric_id_on_the_lookups_sheet_stays_exact(sandbox, api_key, tmp_path):
    """A platform sending ids as JSON numbers (19 digits, as Zoho's are): "customer id" and
    "tax number" went into the sheet as numbers, which Excel shows (and keeps) as 1.23457E+18."""
    api = client(sandbox, api_key)
    invoice = first(api, XERO, "shared/invoices", **{"status[eq]": "SUBMITTED"})
    sandbox.change_record(XERO, "invoices", invoice["platform_id"], contact_id=1234567890123456789)
    customer = first(api, XERO, "shared/contacts", **{"contact_type[eq]": "CUSTOMER"})
    sandbox.change_record(XERO, "contacts", customer["platform_id"], tax_number=9007199254740993)
    book = book_for(tmp_path / "book.xlsx", XERO, sandbox.base_url)
    assert run(["lookups", book], key=api_key).exit_code == 0
    invoices = {r["id"]: r for r in live_table(book, "Lookups", "LiveInvoices")}
    assert invoices[invoice["platform_id"]]["customer id"] == "1234567890123456789"
    contacts = {r["id"]: r for r in live_table(book, "Lookups", "LiveContacts")}
    assert contacts[customer["platform_id"]]["tax number"] == "9007199254740993"


def test_a_longer_posted_list_does_not_write_over_a_note_below_the_old_one(sandbox, api_key, tmp_path):
    """The accountant wrote "checked" under last week's Posted table; the next, longer list
    overwrote it without a word. Now the command stops, naming the cell, and saves nothing."""
    api = client(sandbox, api_key)
    invoice = first(api, XERO, "shared/invoices", **{"status[eq]": "SUBMITTED"})
    book = book_for(tmp_path / "book.xlsx", XERO, sandbox.base_url)

    def pay(number: int) -> None:
        answer = api.post(f"/core/companies/{XERO}/invoice_payments", json={"data": {
            "document_number": f"RCPT-{number}", "invoice_id": invoice["platform_id"], "amount": 1.0,
            "payment_date": "2026-03-15T00:00:00Z"}})
        assert answer.status_code == 200, answer.text

    pay(1)
    period = ["--from", "2026-03-01", "--to", "2026-03-31"]
    assert run(["posted", book, *period], key=api_key).exit_code == 0
    wb = openpyxl.load_workbook(book)
    wb["Posted"]["A4"] = "checked by JS, 31 March"
    wb.save(book)
    for number in range(2, 6):
        pay(number)
    again = run(["posted", book, *period], key=api_key)
    assert again.exit_code == 2 and "A4" in again.stderr, again.output
    assert openpyxl.load_workbook(book)["Posted"]["A4"].value == "checked by JS, 31 March"
