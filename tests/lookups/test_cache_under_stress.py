"""The lookup cache under stress and odd data: two refreshes at once (in one process or two),
a refresh stopped half way, names in another Unicode form, a cache written by an older
version, lookups of another address, a vendor named as a customer, a date sent as a number.
Validate and `lookups` still answer right. Over HTTP against the sandbox."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.cache_keys import key
from tests.support.cli_runs import book_for, first, live_table, run
from tests.support.sandbox_api import XERO, client


@pytest.mark.reads_sandbox
def test_a_cache_another_refresh_is_writing_is_not_called_damaged(sandbox, api_key, tmp_path):
    """Two refreshes at once (two windows, the ribbon and the command line): the second one
    waited 5 s for the lock, then said "cannot be used; delete that file"."""
    import sqlite3

    from rootfi_excel.lookups.cache import LookupCache, default_path

    book = book_for(tmp_path / "book.xlsx", XERO, sandbox.base_url)
    LookupCache().close()
    writer = sqlite3.connect(default_path(), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of storing its refresh
    try:
        result = run(["lookups", book], key=api_key)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 2
    assert "delete that file" not in result.stderr and "try again in a minute" in result.stderr
    assert run(["lookups", book], key=api_key).exit_code == 0  # and once it is done, it works


def test_a_name_typed_with_a_composed_accent_finds_the_platforms_decomposed_one(sandbox, api_key, tmp_path):
    """The platform stored "Café" as e + combining accent (NFD: macOS, some imports); typed in
    Excel it is one character (NFC). Case and spaces were forgiven, this was "not a known contact"."""
    import unicodedata

    from rootfi_excel.lookups.cache import LookupCache
    from rootfi_excel.lookups.resolve import resolve

    api = client(sandbox, api_key)
    customer = first(api, XERO, "shared/contacts", **{"contact_type[eq]": "CUSTOMER"})
    sandbox.change_record(XERO, "contacts", customer["platform_id"],
                          name=unicodedata.normalize("NFD", "Café Ünal Ltd"))
    book = book_for(tmp_path / "book.xlsx", XERO, sandbox.base_url)
    assert run(["lookups", book], key=api_key).exit_code == 0
    with LookupCache() as cache:
        found = resolve(cache.company(key(sandbox.base_url, XERO)), "contacts",
                        unicodedata.normalize("NFC", "café  ünal LTD"))
    assert found.found and found.platform_id == customer["platform_id"], found.problem()


def test_a_cache_written_before_names_were_normalised_is_rekeyed_when_opened(tmp_path):
    """An existing cache keeps its stored keys until a full refresh: they are recomputed once."""
    import sqlite3
    import unicodedata

    from rootfi_excel.lookups.cache import ListChanges, LookupCache, utc_now
    from rootfi_excel.lookups.resolve import resolve

    path = tmp_path / "lookups.sqlite3"
    decomposed = unicodedata.normalize("NFD", "Café Ltd")
    with LookupCache(path) as cache:
        cache.apply(key("https://api.example/v4", 7), [ListChanges("contacts", [{"platform_id": "c1", "name": decomposed}],
                                                              [], True, None)], utc_now())
    old = sqlite3.connect(path, isolation_level=None)  # as the previous version stored it
    old.execute("UPDATE records SET label_key = ?", (decomposed.casefold(),))
    old.execute("PRAGMA user_version = 0")
    old.close()
    with LookupCache(path) as cache:
        found = resolve(cache.company(key("https://api.example/v4", 7)), "contacts", "Café Ltd")
    assert found.platform_id == "c1", found.problem()


def test_a_customer_picked_from_the_dropdown_is_not_refused_for_a_vendor_of_that_name(sandbox, api_key, tmp_path):
    """The Lookups sheet offers customers only, yet Validate refused the name picked from it:
    "matches 2 contact records", the other being a vendor no payment can be made for."""
    from rootfi_excel.sheets.layout import PAYMENTS, Status
    from rootfi_excel.validation.workbook_validation import validate_workbook
    from rootfi_excel.workbook.xlsx import XlsxWorkbook
    from tests.support.books import PAYMENT_HEADERS, row_of, write_book

    api = client(sandbox, api_key)
    customer = first(api, XERO, "shared/contacts", **{"contact_type[eq]": "CUSTOMER"})
    vendor = first(api, XERO, "shared/contacts", **{"contact_type[eq]": "VENDOR"})
    sandbox.change_record(XERO, "contacts", vendor["platform_id"], name=customer["name"])
    invoice = first(api, XERO, "shared/invoices", **{"contact_id[eq]": customer["platform_id"],
                                                      "status[eq]": "SUBMITTED"})
    row = row_of(PAYMENT_HEADERS, document_number="RCPT-1", invoice_id=invoice["platform_id"], amount=0.01,
                 payment_date=dt.datetime(2026, 3, 31), contact_id=customer["name"], account_id="Business Checking")
    book = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, [row]),
                      settings={"company_id": XERO, "integration": "XERO", "environment": "sandbox",
                                "base_url": sandbox.base_url})
    assert run(["lookups", book], key=api_key).exit_code == 0
    offered = [r["name"] for r in live_table(book, "Lookups", "LiveContacts")]
    assert offered.count(customer["name"]) == 1  # the dropdown shows the name once: the customer
    report = validate_workbook(XlsxWorkbook.open(book))
    result = report.sheets[PAYMENTS.key].results[0]
    assert result.status == Status.VALID, result.message
    assert report.sheets[PAYMENTS.key].units[0].request.contact_id == customer["platform_id"]


@pytest.mark.reads_sandbox
def test_two_processes_refreshing_one_cache_at_once_both_finish_and_agree(sandbox, api_key, tmp_path):
    """Two windows (or the ribbon and a scheduled task) refreshing the same company at once."""
    import os
    import shutil
    import subprocess
    import sys

    from rootfi_excel.lookups.cache import KINDS, LookupCache

    books = [book_for(tmp_path / "a.xlsx", XERO, sandbox.base_url)]
    books.append(shutil.copy(books[0], tmp_path / "b.xlsx"))
    env = {**os.environ, "ROOTFI_API_KEY": api_key}  # ROOTFI_EXCEL_HOME: this test's, from conftest
    started = [subprocess.Popen([sys.executable, "-m", "rootfi_excel", "lookups", str(book), "--full"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for book in books]
    done = [(p.wait(timeout=120), *p.communicate()) for p in started]
    for code, out, err in done:
        assert code == 0 and "Traceback" not in out + err, out + err
    with LookupCache() as cache:
        view = cache.company(key(sandbox.base_url, XERO))
        assert {kind: view.count(kind) for kind in KINDS} == {
            "contacts": 34, "invoices": 615, "accounts": 13, "currencies": 10, "tax_rates": 4, "items": 12}
    assert live_table(books[0], "Lookups", "LiveInvoices") == live_table(books[1], "Lookups", "LiveInvoices")


def test_a_refresh_stopped_half_way_leaves_the_cache_as_it_was(sandbox, api_key, tmp_path):
    """Ctrl+C after some lists were read: nothing of them is stored, the marks stay, and the
    next refresh is still incremental from where the last whole one ended."""
    from rootfi_excel.lookups.cache import LookupCache
    from rootfi_excel.lookups.refresh import refresh
    from tests.support.submitting import fast_client

    api = client(sandbox, api_key)
    with LookupCache() as cache:
        assert refresh(fast_client(sandbox, api_key), cache, key(sandbox.base_url, XERO)).ok
        marks = cache.marks(key(sandbox.base_url, XERO))
        customer = first(api, XERO, "shared/contacts", **{"contact_type[eq]": "CUSTOMER"})
        sandbox.change_record(XERO, "contacts", customer["platform_id"], name="Renamed Ltd")

        def stop_at_accounts(text: str) -> None:
            if text.startswith("Reading accounts"):
                raise KeyboardInterrupt  # contacts and invoices are read by now

        with pytest.raises(KeyboardInterrupt):
            refresh(fast_client(sandbox, api_key), cache, key(sandbox.base_url, XERO), full=True,
                    progress=stop_at_accounts)
        view = cache.company(key(sandbox.base_url, XERO))
        assert view.get("contacts", customer["platform_id"])["name"] == customer["name"]
        assert cache.marks(key(sandbox.base_url, XERO)) == marks
        again = refresh(fast_client(sandbox, api_key), cache, key(sandbox.base_url, XERO))
        assert again.ok and again.full == [] and again.changed["contacts"] == 1
        assert cache.company(key(sandbox.base_url, XERO)).get("contacts", customer["platform_id"])["name"] == "Renamed Ltd"


def test_lookups_of_one_sandbox_are_never_used_for_another_address(make_sandbox, api_key, tmp_path, monkeypatch):
    """The same company id at another base URL (a sandbox, then production) has its own lists."""
    from rootfi_excel.sheets.layout import PAYMENTS
    from rootfi_excel.validation.workbook_validation import validate_workbook
    from rootfi_excel.workbook.xlsx import XlsxWorkbook
    from tests.support.books import PAYMENT_HEADERS, row_of, write_book

    one, other = make_sandbox(), make_sandbox()
    monkeypatch.setenv("ROOTFI_BASE_URL", one.base_url)  # the address ROOTFI_API_KEY is for (api/trust.py)
    assert run(["lookups", book_for(tmp_path / "one.xlsx", XERO, one.base_url)], key=api_key).exit_code == 0
    row = row_of(PAYMENT_HEADERS, document_number="RCPT-1", invoice_id="INV-NOT-THERE", amount=1.0,
                 payment_date=dt.datetime(2026, 3, 31))
    book = write_book(tmp_path / "other.xlsx", payments=(PAYMENT_HEADERS, [row]),
                      settings={"company_id": XERO, "integration": "XERO", "environment": "sandbox",
                                "base_url": other.base_url})
    report = validate_workbook(XlsxWorkbook.open(book))
    note = next(n for n in report.notes if f"no lookups of company {XERO} at {other.base_url}" in n)
    assert f"this computer has them for {one.base_url}, key profile 'default'" in note  # said where they are
    assert "not a known invoice" not in report.sheets[PAYMENTS.key].results[0].message
    assert report.sheets[PAYMENTS.key].results[0].message.startswith("not checked (invoice_id)")


def test_validate_reads_a_cached_invoice_whose_date_is_a_number(sandbox, api_key, tmp_path):
    """An invoice whose posted_date came as epoch milliseconds (a number): describing it for a
    row's message sliced the number (TypeError) and Validate ended in "an unexpected problem"."""
    from tests.support.books import PAYMENT_HEADERS, row_of, write_book

    api = client(sandbox, api_key)
    invoice = first(api, XERO, "shared/invoices", **{"status[eq]": "SUBMITTED"})
    sandbox.change_record(XERO, "invoices", invoice["platform_id"], posted_date=1_767_225_600_000)
    other = api.get(f"/core/companies/{XERO}/shared/contacts", params={"limit": 50}).json()["data"]
    stranger = next(c for c in other if c["platform_id"] != invoice["contact_id"] and c["contact_type"] == "CUSTOMER")
    row = row_of(PAYMENT_HEADERS, document_number="RCPT-1", invoice_id=invoice["document_number"], amount=0.01,
                 payment_date=dt.datetime(2026, 3, 31), contact_id=stranger["platform_id"],
                 account_id="Business Checking")
    book = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, [row]),
                      settings={"company_id": XERO, "integration": "XERO", "environment": "sandbox",
                                "base_url": sandbox.base_url})
    assert run(["lookups", book], key=api_key).exit_code == 0
    result = run(["validate", book])
    assert result.exit_code == 1, result.output  # the row is invalid (another customer), and said so
    assert "is not the customer of invoice" in result.output
