"""`rootfi-excel lookups BOOK.xlsx` over HTTP: the cache and the Lookups sheet's live
tables and defined names, a second (incremental) run, and a failed run that keeps both."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils.cell import range_boundaries

from rootfi_excel.cli.main import cli
from rootfi_excel.lookups.cache import KINDS, LookupCache
from rootfi_excel.sheets.layout import LOOKUPS_SHEET
from rootfi_excel.sheets.port import LookupTable
from rootfi_excel.workbook.template import build_template
from rootfi_excel.workbook.xlsx import XlsxWorkbook
from tests.support.sandbox_api import QUICKBOOKS, XERO
from tests.support.cache_keys import key


def template_for(path, sandbox, company=XERO):
    return build_template(path, settings={"company_id": company, "integration": "XERO", "environment": "sandbox",
                                          "base_url": sandbox.base_url})


def defined_range(book, name):
    target = book.defined_names[name].attr_text
    sheet, cells = target.split("!")
    return sheet.strip("'"), cells.replace("$", "")


def column_values(book, name):
    sheet, cells = defined_range(book, name)
    return [c[0].value for c in book[sheet][cells]]


def test_lookups_command_fills_cache_and_live_tables(sandbox, api_key, tmp_path, monkeypatch):
    path = template_for(tmp_path / "book.xlsx", sandbox)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    before = sandbox.requests_seen()
    result = CliRunner().invoke(cli, ["lookups", str(path)])
    assert result.exit_code == 0, result.output
    assert sandbox.requests_seen() - before == len(KINDS)
    assert "refreshed (full" in result.output

    with LookupCache() as cache:  # the user's data folder (ROOTFI_EXCEL_HOME in tests)
        lookups = cache.company(key(sandbox.base_url, XERO))
        assert lookups is not None and lookups.count("invoices") == 615

    book = openpyxl.load_workbook(path)
    sheet = book[LOOKUPS_SHEET]
    assert {"LiveContacts", "LiveInvoices", "LiveAccounts", "LiveCurrencies", "LiveTaxRates", "LiveItems"} <= set(
        sheet.tables)
    # The template's reserved names now cover exactly the data cells of the id columns.
    invoice_ids = column_values(book, "LiveInvoicesIds")
    numbers = column_values(book, "LiveInvoicesNames")
    assert len(invoice_ids) == len(numbers) == 600  # open invoices only (amount due above 0)
    assert numbers[0] == "INV-10001" and all(invoice_ids)
    customers = column_values(book, "LiveContactsNames")
    assert len(customers) == 30 and all(customers)  # customers only: no vendors, no deleted ones
    left, top, right, bottom = range_boundaries(sheet.tables["LiveInvoices"].ref)
    assert bottom - top == 600
    headers = [sheet.cell(top, c).value for c in range(left, right + 1)]
    assert headers[:7] == ["number", "id", "customer", "customer id", "currency", "total", "amount due"]
    for name in ("LiveAccountsIds", "LiveTaxRatesIds", "LiveItemsIds", "LiveCurrenciesIds"):
        assert all(column_values(book, name))
    # Each block is labelled above its header row: which list it is, not only "name / id / ...".
    for table, title in (("LiveContacts", "Contacts (customers)"), ("LiveInvoices", "Invoices (open)"),
                         ("LiveAccounts", "Accounts"), ("LiveCurrencies", "Currencies"), ("LiveTaxRates", "Tax rates"),
                         ("LiveItems", "Items")):
        left, top, _, _ = range_boundaries(sheet.tables[table].ref)
        assert top == 2 and sheet.cell(top - 1, left).value == title, table
    # The template's empty grey placeholders are gone; its fixed lists are untouched.
    assert not any(isinstance(c.value, str) and c.value.endswith(": id") for c in sheet[1])
    assert column_values(book, "PaymentModeList")[0] == "Cash"

    # A second run asks only for changes and rewrites the tables in place.
    before = sandbox.requests_seen()
    again = CliRunner().invoke(cli, ["lookups", str(path)])
    assert again.exit_code == 0, again.output
    assert sandbox.requests_seen() - before == len(KINDS)
    assert "incremental" in again.output
    book = openpyxl.load_workbook(path)
    assert book[LOOKUPS_SHEET].tables["LiveInvoices"].ref == sheet.tables["LiveInvoices"].ref
    assert len(column_values(book, "LiveInvoicesIds")) == 600


@pytest.mark.reads_sandbox
def test_a_failed_refresh_keeps_the_lists_and_says_so(sandbox, api_key, tmp_path, monkeypatch):
    path = template_for(tmp_path / "book.xlsx", sandbox)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    assert CliRunner().invoke(cli, ["lookups", str(path)]).exit_code == 0
    monkeypatch.setenv("ROOTFI_API_KEY", "rk_test_not_this_one")
    result = CliRunner().invoke(cli, ["lookups", str(path)])
    assert result.exit_code == 1
    assert "previous lookups are kept" in result.output and "rk_test_not_this_one" not in result.output
    book = openpyxl.load_workbook(path)
    assert len(column_values(book, "LiveInvoicesIds")) == 600


@pytest.mark.reads_sandbox
def test_lookups_command_needs_a_company(tmp_path, monkeypatch, sandbox, api_key):
    path = build_template(tmp_path / "book.xlsx")
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["lookups", str(path)])
    assert result.exit_code == 2 and "company_id" in result.output


def test_write_lookup_table_moves_a_grown_table_instead_of_overwriting_its_neighbour(tmp_path):
    path = build_template(tmp_path / "book.xlsx")
    workbook = XlsxWorkbook.open(path)
    workbook.write_lookup_table(LookupTable("LiveA", ["name", "id"], [["x", "1"]], {"LiveANames": "name"}))
    workbook.write_lookup_table(LookupTable("LiveB", ["name", "id"], [["y", "2"]], {"LiveBNames": "name"}))
    workbook.write_lookup_table(LookupTable("LiveA", ["name", "id", "more", "extra"], [["=z", "3", 4, 0], ["w", "5", 6, 0]],
                                            {"LiveANames": "name"}))
    workbook.save()
    book = openpyxl.load_workbook(path)
    assert column_values(book, "LiveBNames") == ["y"]
    assert column_values(book, "LiveANames") == ["=z", "w"]  # text, never a formula
    sheet = book[LOOKUPS_SHEET]
    a, b = (range_boundaries(sheet.tables[n].ref) for n in ("LiveA", "LiveB"))
    assert a[0] > b[2]  # moved to the right of B


def test_empty_list_still_makes_a_valid_table(tmp_path):
    path = build_template(tmp_path / "book.xlsx")
    workbook = XlsxWorkbook.open(path)
    workbook.write_lookup_table(LookupTable("LiveEmpty", ["name", "id"], [], {"LiveEmptyIds": "id"}))
    workbook.save()
    book = openpyxl.load_workbook(path)
    assert column_values(book, "LiveEmptyIds") == [None]


@pytest.mark.reads_sandbox
def test_a_damaged_cache_is_reported_without_a_traceback(sandbox, api_key, tmp_path, monkeypatch):
    from rootfi_excel.lookups.cache import default_path

    path = template_for(tmp_path / "book.xlsx", sandbox)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    default_path().parent.mkdir(parents=True, exist_ok=True)
    default_path().write_bytes(b"not sqlite" * 200)
    result = CliRunner().invoke(cli, ["lookups", str(path)])
    assert result.exit_code == 2 and "delete that file" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_lookups_refuses_another_company_than_the_workbooks(sandbox, api_key, tmp_path, monkeypatch):
    """--company other than Settings' company_id would write that company's lists into the
    workbook, and Validate would then check its rows against a cache it does not name."""
    path = template_for(tmp_path / "book.xlsx", sandbox)  # XERO's workbook
    before_bytes = path.read_bytes()
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    before = sandbox.requests_seen()
    result = CliRunner().invoke(cli, ["lookups", str(path), "--company", str(QUICKBOOKS)])
    assert result.exit_code == 2, result.output
    assert f"company {XERO}'s workbook" in result.output and f"company {QUICKBOOKS}'s lists" in result.output
    assert sandbox.requests_seen() == before and path.read_bytes() == before_bytes
    with LookupCache() as cache:
        assert cache.company(key(sandbox.base_url, QUICKBOOKS)) is None

    same = CliRunner().invoke(cli, ["lookups", str(path), "--company", str(XERO)])  # its own company: fine
    assert same.exit_code == 0, same.output
    with LookupCache() as cache:
        assert cache.company(key(sandbox.base_url, XERO)) is not None
