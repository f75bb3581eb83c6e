"""Phase 3 adversarial review of the parts nobody else changes now: install / uninstall /
doctor, `lookups` and `posted` with their cache, `login` / `logout` and the keyring.

Each test shows one way a careless accountant, an odd or hostile API or a colleague's
shared workbook broke a command (fixed since), or pins one not fixed yet (strict xfail,
with the reason). Over HTTP against the sandbox where the API is involved.
"""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import socketserver
import threading

import openpyxl
import pytest
from click.testing import CliRunner
from keyring.errors import KeyringLocked

from rootfi_excel.cli.main import cli
from rootfi_excel.sandbox.faults import FAULT_KINDS
from rootfi_excel.workbook.template import build_template
from tests.support.sandbox_api import XERO, client
from tests.support.cli_runs import book_for, first, live_table, run
from tests.support.memory_keyring import MemoryKeyring
from tests.support.cache_keys import key


# ----------------------------------------------------- lookups: what the API may answer


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


# ---------------------------------------------------- the key and the base URL in Settings


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers nothing useful; remembers the api_key header of every request it was sent."""

    seen: list[str | None]

    def do_GET(self):  # noqa: N802 - the http.server name
        self.seen.append(self.headers.get("api_key"))
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def plain_http_elsewhere():
    """A base URL that is plain http to a host called by another name than localhost (this
    machine's own name, so the test needs no network), and what that server was sent."""
    name = socket.gethostname()
    try:
        address = socket.gethostbyname(name)
    except OSError:
        pytest.skip("this machine's name does not resolve")
    if name.lower().rstrip(".") == "localhost":
        pytest.skip("this machine is called localhost")
    seen: list[str | None] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = socketserver.ThreadingTCPServer((address, 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{name}:{server.server_address[1]}/v4", seen
    server.shutdown()
    server.server_close()


def test_a_shared_workbooks_plain_http_base_url_never_gets_the_key(plain_http_elsewhere, api_key, tmp_path,
                                                                     memory_keyring):
    """Settings said "base_url must start with https://", yet `lookups`, `posted` and `doctor`
    only printed that as a warning and sent the key there, in clear text, anyway."""
    base_url, seen = plain_http_elsewhere
    book = book_for(tmp_path / "book.xlsx", XERO, base_url)
    memory_keyring.set_password("rootfi-excel", "default", api_key)
    refreshed = run(["lookups", book])
    posted = run(["posted", book, "--from", "2026-03-01", "--to", "2026-03-31"])
    doctor = run(["doctor", book])
    assert seen == [], "the key went over plain http to another computer"
    assert refreshed.exit_code == posted.exit_code == 2
    assert "https" in refreshed.stderr and "https" in posted.stderr
    assert doctor.exit_code == 1 and "[FAIL] The API key was not sent" in doctor.output
    assert api_key not in refreshed.output + posted.output + doctor.output


@pytest.mark.parametrize("url, allowed", [
    ("https://api.rootfi.dev/v4", True),
    ("http://127.0.0.1:8765/v4", True),
    ("http://localhost:8765/v4", True),
    ("http://[::1]:8765/v4", True),
    ("http://localhost.attacker.example/v4", False),  # passes a startswith("http://localhost") check
    ("http://127.0.0.1.attacker.example/v4", False),
    ("http://api.rootfi.dev/v4", False),
    ("api.rootfi.dev/v4", False),
    ("ftp://api.rootfi.dev/v4", False),
])
def test_the_client_sends_the_key_only_over_https_or_to_this_computer(url, allowed, api_key):
    from rootfi_excel.api.client import RootFiClient
    from rootfi_excel.api.credentials import CredentialsError

    if allowed:
        RootFiClient(api_key, url).close()
    else:
        with pytest.raises(CredentialsError, match="was not sent") as refused:
            RootFiClient(api_key, url)
        assert api_key not in str(refused.value)


def test_settings_flag_a_base_url_that_only_starts_like_localhost():
    from rootfi_excel.sheets.settings import read_settings

    settings = read_settings({"company_id": 1, "environment": "custom",
                              "base_url": "http://localhost.attacker.example/v4"})
    assert any("https" in p for p in settings.problems)
    local = read_settings({"company_id": 1, "environment": "custom", "base_url": "http://127.0.0.1:8765/v4"})
    assert not any("base_url" in p for p in local.problems)


def test_login_hides_the_key_as_stored_even_when_typed_with_spaces(tmp_path, api_key):
    """store_api_key trims the key; login hid it untrimmed, so a key store whose error repeats
    the (trimmed) key put it on the screen and in the log."""
    import keyring

    from rootfi_excel.failures import log_file

    class Chatty(MemoryKeyring):
        def set_password(self, service, username, password):
            raise RuntimeError(f"could not store {password} for {username}")

    keyring.set_keyring(Chatty())
    result = run(["login"], input=f"  {api_key}  \n")
    assert result.exit_code == 2 and api_key not in result.output
    assert api_key not in log_file().read_text(encoding="utf-8")


# -------------------------------------------------------------- a locked keyring


class LockedKeyring(MemoryKeyring):
    """A Secret Service / Keychain that holds the key but is locked: every use is refused."""

    def get_password(self, service, username):
        raise KeyringLocked("the collection is locked")

    def set_password(self, service, username, password):
        raise KeyringLocked("the collection is locked")

    def delete_password(self, service, username):
        raise KeyringLocked("the collection is locked")


def test_uninstall_remove_key_with_a_locked_keyring_does_not_say_there_was_no_key(tmp_path, monkeypatch, api_key):
    """It said "no API key stored for profile 'default'", ended with 0, and the key stayed."""
    import keyring

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert run(["install", "--templates-dir", tmp_path / "share", "--no-key"]).exit_code == 0
    locked = LockedKeyring()
    locked.store[("rootfi-excel", "default")] = api_key
    keyring.set_keyring(locked)
    result = run(["uninstall", "--remove-key"])
    assert "no API key stored" not in result.output
    assert result.exit_code == 2 and "may still be in the keyring" in result.output
    assert "KeyringLocked" in result.output
    assert not (tmp_path / "share" / "RootFi-Invoice-Import.xlsx").exists(), "the rest is still removed"


def test_doctor_with_a_locked_keyring_says_unlock_not_login(tmp_path, monkeypatch):
    """It said "No API key is stored" and "run rootfi-excel login", which fails just the same."""
    import keyring

    from rootfi_excel.install.doctor import FAIL, check_stored_key

    keyring.set_keyring(LockedKeyring())
    check = check_stored_key("default")
    assert check.status == FAIL
    assert "No API key is stored" not in check.what and "Unlock" in check.todo


# ---------------------------------------------------------------------------- install


def test_install_takes_a_typed_home_folder_and_records_absolute_paths(tmp_path, monkeypatch):
    """"~/Team/RootFi" typed at the prompt made a folder named "~" in the current folder, and a
    relative --templates-dir was recorded as relative: uninstall from elsewhere left it."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    assert run(["install", "--no-key"], input="~/Team/RootFi\n").exit_code == 0
    assert (home / "Team" / "RootFi" / "RootFi-Invoice-Import.xlsx").is_file()
    assert not (tmp_path / "here" / "~").exists()
    assert run(["install", "--templates-dir", "relative", "--no-key"]).exit_code == 0
    assert (tmp_path / "here" / "relative" / "RootFi-Invoice-Import.xlsx").is_file()
    monkeypatch.chdir(tmp_path)
    assert run(["uninstall"]).exit_code == 0
    assert not (tmp_path / "here" / "relative" / "RootFi-Invoice-Import.xlsx").exists()
    assert not (home / "Team" / "RootFi" / "RootFi-Invoice-Import.xlsx").exists()


# ------------------------------------------------- every sandbox fault against these commands


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_lookups_posted_and_doctor_end_in_a_message_under_every_fault(kind, make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(faults={kind: 1.0}, fault_seed=3, slow_ms=50)
    book = book_for(tmp_path / "book.xlsx", XERO, sandbox.base_url)
    refreshed = run(["lookups", book], key=api_key)
    assert refreshed.exit_code in (0, 1), refreshed.output
    assert refreshed.output.strip().splitlines()[-1].startswith(("Refresh failed", "Wrote the live lists"))
    posted = run(["posted", book, "--from", "2026-03-01", "--to", "2026-03-31"], key=api_key)
    assert posted.exit_code in (0, 2) and posted.output.strip(), posted.output
    doctor = run(["doctor", book], key=api_key)
    assert doctor.exit_code in (0, 1) and doctor.output.strip().splitlines()[-1], doctor.output
    if kind in ("500", "502", "503", "drop"):  # the API cannot be used: said, not "ok"
        assert refreshed.exit_code == 1 and posted.exit_code == 2 and doctor.exit_code == 1


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


# ------------------------------------------------------------------- names in the cache


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


def test_a_damaged_install_record_is_not_a_dead_end(tmp_path, monkeypatch):
    """Every command said "the install record is damaged; run `rootfi-excel install` again",
    and install refused it the same way: nothing could be installed, upgraded or removed."""
    from rootfi_excel.install.layout import Layout

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    record = Layout.current().manifest_path
    record.parent.mkdir(parents=True)
    record.write_text('{"system": "linux", "files": [', encoding="utf-8")  # cut off (a sync tool, a bad disk)
    refused = run(["uninstall"])
    assert refused.exit_code == 2 and "run `rootfi-excel install` again" in refused.output
    installed = run(["install", "--templates-dir", tmp_path / "share", "--no-key"])
    assert installed.exit_code == 0, installed.output
    assert "set it aside" in installed.output and record.with_name(record.name + ".damaged").is_file()
    removed = run(["uninstall"])
    assert removed.exit_code == 0 and not (tmp_path / "share" / "RootFi-Invoice-Import.xlsx").exists()


def test_a_customer_picked_from_the_dropdown_is_not_refused_for_a_vendor_of_that_name(sandbox, api_key, tmp_path):
    """The Lookups sheet offers customers only, yet Validate refused the name picked from it:
    "matches 2 contact records", the other being a vendor no payment can be made for."""
    from rootfi_excel.sheets.layout import PAYMENTS, Status
    from rootfi_excel.validation.run import validate_workbook
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


# ------------------------------------------------------------ the cache under stress


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
    from rootfi_excel.validation.run import validate_workbook
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


# ------------------------------------------------- odd answers (tests/test_no_traceback.py's stubs)

from tests.support.odd_answers import KEY as SWEEP_KEY  # noqa: E402 - the stubs echo this key
from tests.support.odd_answers import ODD_ANSWERS, Stub, check  # noqa: E402

STUBS = [a for a in ODD_ANSWERS if isinstance(a, Stub)]


@pytest.mark.parametrize("answer", STUBS, ids=[a.name for a in STUBS])
def test_lookups_posted_and_doctor_end_in_a_message_whatever_the_api_answers(answer, stub_server, tmp_path):
    url = stub_server(answer)
    book = book_for(tmp_path / "book.xlsx", 1003, url)
    env = {"ROOTFI_API_KEY": SWEEP_KEY}
    for args, codes in ((["lookups", book], {0, 1, 2}),
                        (["posted", book, "--from", "2026-03-01", "--to", "2026-03-31"], {0, 2}),
                        (["doctor", book], {0, 1})):
        result = CliRunner().invoke(cli, [str(a) for a in args], env=env)
        check(result, codes, key=SWEEP_KEY)
        assert result.output.strip(), "a command says what happened"


def test_login_and_logout_say_when_rootfi_api_key_overrides_the_stored_key(memory_keyring, api_key):
    """A ROOTFI_API_KEY left from a scheduled task wins over the key just stored (or removed):
    login said "Saved" and every command went on with the old key, without a word."""
    old = "rk_old_" + api_key[-12:]
    stored = run(["login"], key=old, input=f"{api_key}\n")
    assert stored.exit_code == 0 and "ROOTFI_API_KEY is set" in stored.output
    assert memory_keyring.get_password("rootfi-excel", "default") == api_key
    removed = run(["logout"], key=old)
    assert removed.exit_code == 0 and "ROOTFI_API_KEY is set" in removed.output
    assert "ROOTFI_API_KEY" not in run(["login"], input=f"{api_key}\n").output  # not said when it is not set


def test_uninstall_keeps_a_journal_with_unfinished_submissions(tmp_path, monkeypatch):
    """--remove-journal deleted a journal whose attempts had no known outcome (Unknown: the
    answer was lost): the next Submit, without it, could create those records twice."""
    from rootfi_excel.install.layout import Layout
    from rootfi_excel.submission.journal import CREATED, UNKNOWN, Journal

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    journal_path = Layout.current().journal_path
    with Journal(journal_path) as journal:
        _, (lost, done), _ = journal.begin("https://api.example/v4", 1003, "invoice_payments",
                                           [("fp1", "RCPT-1", {"amount": 1}), ("fp2", "RCPT-2", {"amount": 2})])
        journal.update([lost], UNKNOWN, message="the connection dropped")
        journal.update([done], CREATED, rootfi_id="77")
    preview = run(["uninstall", "--remove-journal", "--dry-run"])
    assert preview.exit_code == 0 and "a real run would end with: The journal was kept" in preview.output
    assert "Everything else was removed" not in preview.output  # a dry run removes nothing
    kept = run(["uninstall", "--remove-journal"])
    assert kept.exit_code == 2 and journal_path.exists()
    assert "1 submitted record(s) have no known outcome" in kept.output
    with Journal(journal_path) as journal:  # Submit settles it (here: by hand)
        journal.update([lost], CREATED, rootfi_id="78")
    removed = run(["uninstall", "--remove-journal"])
    assert removed.exit_code == 0 and not journal_path.exists(), removed.output


def test_doctor_names_the_problems_of_the_workbooks_settings(tmp_path):
    """doctor BOOK read base_url, company_id and key_profile from Settings and said nothing of
    what was wrong there: a company_id "12a" came out as "no company id (give --company...)"."""
    book = build_template(tmp_path / "book.xlsx", settings={"company_id": "12a", "environment": "nowhere"})
    result = run(["doctor", book])
    assert result.exit_code == 1
    assert "[FAIL] book.xlsx: Settings: company_id" in result.output and "environment 'nowhere'" in result.output


def test_a_key_pasted_with_curly_quotes_is_refused_in_words_not_as_an_encoding_error(sandbox, api_key, tmp_path,
                                                                                     memory_keyring):
    """Copied from an e-mail, the key came with “curly quotes”: login stored it, and then every
    command ended in "an unexpected problem (UnicodeEncodeError ...). Run it again"."""
    quoted = f"“{api_key}”"
    refused = run(["login"], input=f"{quoted}\n")
    assert refused.exit_code == 2 and "not a RootFi API key" in refused.stderr and api_key not in refused.output
    assert ("rootfi-excel", "default") not in memory_keyring.store
    from rootfi_excel.api.trust import service_for

    # stored for the sandbox's address by an older version, or by hand
    memory_keyring.set_password(service_for(sandbox.base_url), "default", quoted)
    book = book_for(tmp_path / "book.xlsx", XERO, sandbox.base_url)
    for args in (["lookups", book], ["posted", book, "--from", "2026-03-01", "--to", "2026-03-31"],
                 ["submit", book, "--yes"]):
        result = run(args)
        assert result.exit_code == 2 and "UnicodeEncodeError" not in result.output, result.output
        assert f"rootfi-excel login --base-url {sandbox.base_url}" in result.stderr
    doctor = run(["doctor", book])
    assert doctor.exit_code == 1 and "UnicodeEncodeError" not in doctor.output
    assert "[FAIL] The key stored for profile 'default' is not a RootFi API key" in doctor.output
    spaced = run(["lookups", book], key=f"{api_key[:8]} {api_key[8:]}")  # ROOTFI_API_KEY with a space inside
    assert spaced.exit_code == 2 and "ROOTFI_API_KEY is not a RootFi API key" in spaced.stderr


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


def test_a_key_read_from_the_keyring_is_hidden_from_every_message_and_the_log(sandbox, api_key, tmp_path,
                                                                             memory_keyring, monkeypatch):
    """Only Submit and the ribbon hid the stored key (open_client): `lookups` and `posted` read
    it themselves, so an unexpected error that carried it went to the screen and the log."""
    from rootfi_excel.failures import log_file

    memory_keyring.set_password("rootfi-excel", "default", api_key)
    book = book_for(tmp_path / "book.xlsx", XERO, sandbox.base_url)

    def broken_refresh(client, *args, **kwargs):  # a failure nobody planned for, repeating the key
        raise RuntimeError(f"connection pool broke while sending api_key {client._api_key}")

    monkeypatch.setattr("rootfi_excel.lookups.workbook.refresh", broken_refresh)
    result = run(["lookups", book])
    assert result.exit_code == 2 and "connection pool broke" in result.stderr
    assert api_key not in result.output and api_key not in log_file().read_text(encoding="utf-8")


# ------------------------------------------------------------------ the installer scripts


def test_install_sh_never_deletes_a_folder_that_is_not_a_python_environment(tmp_path):
    """`bash install.sh --env-dir ~` (a careless "install it in my home") ran `rm -rf ~`: the
    folder had no Python in it, so the script cleared it to make the environment."""
    import os
    import subprocess
    import sys

    from tests.support.paths import REPO

    script = REPO / "installer" / "install.sh"
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    precious = home / "Documents" / "month-end.xlsx"
    precious.write_bytes(b"the accountant's work")
    env = {**os.environ, "HOME": str(home), "ROOTFI_EXCEL_HOME": str(tmp_path / "data")}
    refused = subprocess.run(["bash", str(script), "--python", sys.executable, "--env-dir", str(home),
                              "--package", str(tmp_path / "no-such.whl")],
                             capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300)
    assert precious.read_bytes() == b"the accountant's work"
    assert refused.returncode == 1 and "cannot be the environment" in refused.stderr
    assert "Nothing was changed" in refused.stderr
    removed = subprocess.run(["bash", str(script), "--uninstall", "--env-dir", str(home)],
                             capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300)
    assert removed.returncode == 1 and precious.is_file() and "Nothing was changed" in removed.stderr
    assert sorted(p.name for p in home.rglob("*")) == ["Documents", "month-end.xlsx"]


def test_install_ps1_removes_nothing():
    """The same in the Windows script (no PowerShell here to run it): it removes nothing at all,
    the environment included; `rootfi-excel uninstall` does, after proving the installer made it
    (tests/test_installer_scripts.py reads every command of the script from its syntax tree)."""
    from tests.support.paths import REPO

    text = (REPO / "installer" / "install.ps1").read_text(encoding="utf-8")
    assert "Remove-Item" not in text


def test_doctor_on_a_server_with_rootfi_api_key_and_no_keyring_does_not_fail(sandbox, api_key, tmp_path):
    """A scheduled task's health check (`doctor`, exit 0 when nothing failed) failed forever on
    a server: "No system keyring", though ROOTFI_API_KEY is what such runs use."""
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    keyring.set_keyring(NoKeyring())
    result = run(["doctor", book_for(tmp_path / "book.xlsx", XERO, sandbox.base_url)], key=api_key)
    assert result.exit_code == 0, result.output
    assert "[WARN] No system keyring is available" in result.output and "ROOTFI_API_KEY" in result.output
    assert f"[ok  ] Company {XERO}" in result.output
    assert run(["doctor", "--company", XERO, "--base-url", sandbox.base_url]).exit_code == 1  # no key at all: fails


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
