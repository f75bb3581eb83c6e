"""A shared workbook is data, never authority (docs/security.md).

An attacker hands a colleague a workbook whose Settings name the attacker's address, and
which carries `rootfi.conf` / `xlwings.conf` sheets; or drops such files, and modules
named like ours, into the team's shared folder. Every command and every ribbon button
(the fake Excel) is run against them, with two witnesses (tests/support/hostile.py):
a listener set as the HTTPS proxy and as a plain-http address, which counts every
connection attempted, and an audit hook that lists every file opened in the folder.

Nothing connects to an address the person did not trust on this computer, no file of
the folder but the workbook is opened, no module of the folder runs, and the person is
told what happened: the address, and how to trust it if it is right. Positive controls
show the witnesses do see an attempt once the person trusts the address.
"""

from __future__ import annotations

import datetime as dt
import inspect
import socket
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from rootfi_excel import ribbon
from rootfi_excel.api.credentials import SERVICE
from rootfi_excel.api.trust import service_for, store_key
from rootfi_excel.app import account
from rootfi_excel.cli.main import COMMANDS, cli
from rootfi_excel.sheets.layout import PAYMENTS
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.workbook.excel_ui import ExcelUI
from rootfi_excel.workbook.template import build_template
from tests.support.books import PAYMENT_HEADERS, row_of
from tests.support.fake_xlwings import FakeBook, FakeSheet
from tests.support.hostile import (
    COLLECTOR,
    CONF_FILES,
    CONF_SHEET_ROWS,
    Listener,
    add_conf_sheets,
    conf_settings,
    files_opened_in,
    hostile_folder,
    ran_in,
)
from tests.support.cli_books import demo_book
from tests.support.excel_books import GOOD, fake_book

NETWORK_COMMANDS = ("submit", "lookups", "posted", "doctor")  # the commands that read a key and connect
BOOK_COMMANDS = ("validate", *NETWORK_COMMANDS)
NETWORK_BUTTONS = ("submit", "submit_selection", "refresh_lookups", "posted", "check_connection")
PERIOD = ["--from", "2026-03-01", "--to", "2026-03-31"]


@pytest.fixture
def witness(monkeypatch):
    """The HTTPS proxy listener (every https attempt) and a plain-http listener on this computer."""
    from tests.support.submitting import fast_client_options

    proxy, local = Listener(), Listener()
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("https_proxy", proxy.url)
    monkeypatch.setattr(account, "CLIENT_OPTIONS", fast_client_options())
    yield proxy, local
    proxy.close()
    local.close()


@pytest.fixture
def victim_key(memory_keyring, api_key):
    """The colleague's own key, stored for RootFi's addresses as `rootfi-excel login` does."""
    store_key("default", api_key)
    return api_key


def payment_rows(count: int = 3) -> list[dict]:
    return [{**GOOD, "document_number": f"RCPT-{i}", "invoice_id": f"INV-{i}", "amount": 10 + i,
             "payment_date": dt.datetime(2026, 3, 2)} for i in range(count)]


def hostile_book(folder: Path, address: str) -> Path:
    book = build_template(folder / "Invoices.xlsx", payments=payment_rows(), settings=conf_settings(address))
    return add_conf_sheets(book)


def invoke(args, *, input: str | None = None):
    result = CliRunner().invoke(cli, [str(a) for a in args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def opened_beyond(opened: list[str], book: Path) -> set[str]:
    """Files opened in the folder other than the workbook and its own atomic saves."""
    return {p for p in opened if p != str(book)
            and not (Path(p).name.startswith(f".{book.stem}.") and Path(p).name.endswith(".saving"))}


def addresses(witness_pair, local_address: bool) -> tuple[str, Listener]:
    proxy, local = witness_pair
    return (f"{local.url}/v4", local) if local_address else (COLLECTOR, proxy)


# ============================================================ the hostile workbook, command line

@pytest.mark.parametrize("kind", ["https address", "address on this computer", "ROOTFI_API_KEY"])
def test_a_hostile_workbook_through_every_command_connects_nowhere_and_says_why(
        kind, witness, victim_key, tmp_path, monkeypatch):
    folder = hostile_folder(tmp_path / "shared")
    address, listener = addresses(witness, kind == "address on this computer")
    book = hostile_book(folder, address)
    if kind == "ROOTFI_API_KEY":
        monkeypatch.setenv("ROOTFI_API_KEY", victim_key)
    monkeypatch.chdir(folder)
    runs = {
        "validate": invoke(["validate", book]),
        "submit": invoke(["submit", book, "--yes"]),
        "lookups": invoke(["lookups", book]),
        "posted": invoke(["posted", book, *PERIOD]),
        "doctor": invoke(["doctor", book]),
    }
    proxy, local = witness
    assert proxy.attempts == [] and local.attempts == [], "a connection was attempted"
    assert runs["validate"].exit_code in (0, 1)
    for name in NETWORK_COMMANDS:
        out = runs[name].output
        assert runs[name].exit_code == (1 if name == "doctor" else 2), out
        assert victim_key not in out
        assert "Nothing was sent" in out or name == "doctor", out
        if kind == "ROOTFI_API_KEY":
            assert f"ROOTFI_API_KEY is for RootFi's own addresses, and {address}" in out, out
            assert f"ROOTFI_BASE_URL={address}" in out and f"--base-url {address}" in out
        else:
            assert f"The API key was not sent: {address} (base_url in the workbook's Settings) is not one of " \
                   "RootFi's addresses" in out, out
            assert f"rootfi-excel login --base-url {address}" in out
    assert ran_in(folder) == []
    # The person's word on this computer is what opens the door, and the witness sees it.
    if kind == "ROOTFI_API_KEY":
        named = invoke(["lookups", book, "--base-url", address])  # typed here: ROOTFI_API_KEY may go there
    else:
        invoke(["login", "--base-url", address], input=f"{victim_key}\n")
        named = invoke(["lookups", book])
    assert named.exit_code in (1, 2) and listener.attempts, named.output
    seen = listener.attempts[0]
    assert seen.startswith("CONNECT collector.example:443") if listener is proxy else seen.startswith("GET /v4/")


def test_commands_that_take_no_workbook_cannot_be_pointed_by_one():
    """Every command is either run against the hostile workbook above, or has no workbook
    argument and no option a workbook could fill (it reads none)."""
    from rootfi_excel.cli.main import LazyGroup

    group = LazyGroup()
    for name in COMMANDS:
        command = group.get_command(click.Context(cli), name)
        commands = command.commands.values() if isinstance(command, click.Group) else [command]
        takes_book = any(isinstance(p, click.Argument) and p.name in ("book", "workbook")
                         for c in commands for p in c.params)
        assert takes_book == (name in BOOK_COMMANDS), name


# ============================================================ the hostile folder, every command

def test_a_hostile_folder_through_every_command_is_never_read_and_runs_nothing(
        witness, make_sandbox, api_key, tmp_path, monkeypatch):
    """A team workbook that is right (its Settings name a sandbox the person trusts) in a folder
    someone filled with rootfi.conf, xlwings.conf and modules named like ours, as the current
    folder of every command: the commands do their jobs, open no file of the folder but the
    workbook, run none of its modules and connect to nothing the folder names."""
    sandbox = make_sandbox()  # trusted: its key is stored for its address (conftest)
    folder = hostile_folder(tmp_path / "shared")
    book = demo_book(folder / "Invoices.xlsx", sandbox, api_key, payments=2, notes=1)  # NetSuite, company 1003
    out = tmp_path / "elsewhere"
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.chdir(folder)

    def sandbox_until_ctrl_c(config, ready=None):  # the real server, stopped as Ctrl+C stops it
        from rootfi_excel.sandbox.server import start_in_thread

        running = start_in_thread(config)
        if ready is not None:
            ready(running)  # its start-up text
        running.stop()
        raise KeyboardInterrupt

    monkeypatch.setattr("rootfi_excel.sandbox.server.run", sandbox_until_ctrl_c)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    runs = {
        "validate": (["validate", book], None, {0, 1}),
        "submit": (["submit", book, "--yes"], None, {0}),
        "lookups": (["lookups", book], None, {0}),
        "posted": (["posted", book, *PERIOD], None, {0}),
        "doctor": (["doctor", book], None, {0}),
        "login": (["login", "--profile", "other"], f"{api_key}\n", {0}),
        "logout": (["logout", "--profile", "other"], None, {0}),
        "template": (["template", out / "blank.xlsx"], None, {0}),
        "demo": (["demo", "--out", out / "demo.xlsx", "--payments", "3", "--credit-notes", "1", "--rate-limit", "0",
                  "--latency-ms", "0"], None, {0}),
        "sandbox": (["sandbox", "--port", free], None, {0}),
        "addin": (["addin", "build", "--out", out / "dist"], None, {0}),
        "install": (["install", "--templates-dir", out / "templates", "--no-key", "--yes"], None, {0}),
        "upgrade": (["upgrade"], None, {0}),
        "uninstall": (["uninstall"], None, {0}),
    }
    assert set(runs) == set(COMMANDS), "a new command must be run here too"
    with files_opened_in(folder) as opened:
        for name, (args, typed, codes) in runs.items():
            result = invoke(args, input=typed)
            assert result.exit_code in codes, f"{name}: {result.output}"
    assert opened_beyond(opened, book) == set(), "a file of the shared folder was read"
    assert str(book) in opened  # the witness did see the workbook being read
    assert ran_in(folder) == [], "a module of the shared folder ran"
    proxy, local = witness
    assert proxy.attempts == [] and local.attempts == []
    assert sandbox.count_records(1003, "invoice_payments") == 2  # the job was done, at the trusted address


# ============================================================ the ribbon, fake Excel

class ConfSheet(FakeSheet):
    """A `rootfi.conf` / `xlwings.conf` sheet that notes any read of its cells."""

    def __init__(self, book: FakeBook, name: str, reads: list[str]) -> None:
        super().__init__(book, name)
        self.reads = reads
        self.put(1, 1, CONF_SHEET_ROWS)

    def range(self, first, last=None):
        self.reads.append(f"{self.name}!range")
        return super().range(first, last)

    @property
    def used_range(self):
        self.reads.append(f"{self.name}!used_range")
        return super().used_range


def hostile_fake_book(folder: Path, address: str, reads: list[str]) -> FakeBook:
    rows = [row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": f"RCPT-{i}", "invoice_id": f"INV-{i}"})
            for i in range(3)]
    book = fake_book(rows, settings=conf_settings(address))
    book.fullname = str(folder / "Invoices.xlsx")
    for name in CONF_FILES:
        book.sheets.items.append(ConfSheet(book, name, reads))
    return book


def press(tag: str, book: FakeBook, *, secret: str | None = None, **options) -> ExcelUI:
    ui = ExcelUI(book.app, clock=lambda: 0.0, ask_secret=lambda prompt: secret)
    ribbon.press(tag, ExcelWorkbook(book), ui, **options)
    return ui


@pytest.mark.parametrize("local_address", [False, True], ids=["https address", "address on this computer"])
def test_a_hostile_workbook_through_every_ribbon_button_connects_nowhere_and_says_why(
        local_address, witness, victim_key, memory_keyring, tmp_path, monkeypatch):
    folder = hostile_folder(tmp_path / "shared")
    address, listener = addresses(witness, local_address)
    reads: list[str] = []
    book = hostile_fake_book(folder, address, reads)
    made = tmp_path / "elsewhere" / "New.xlsx"
    opened_logs: list[Path] = []
    options = {"new_workbook": {"choose": lambda suggested: made}, "open_log": {"opener": opened_logs.append}}
    told: dict[str, list[str]] = {}
    with files_opened_in(folder) as opened:
        for tag in ribbon.BUTTONS:
            if tag.endswith("_selection"):
                book.app.select(book.sheets[PAYMENTS.sheet], 4, 5)
            book.app.answers = ["no"] if tag == "set_api_key" else []  # asked to trust the address: no
            before = len(book.app.alerts)
            press(tag, book, secret="rk_typed_by_mistake", **options.get(tag, {}))
            told[tag] = [text for text, _ in book.app.alerts[before:]]
    proxy, local = witness
    assert proxy.attempts == [] and local.attempts == [], "a connection was attempted"
    assert opened == [], "a file of the shared folder was read"
    assert reads == [], "a rootfi.conf / xlwings.conf sheet was read"
    assert ran_in(folder) == []
    for tag in NETWORK_BUTTONS:
        text = told[tag][-1]
        assert f"The API key was not sent: {address}" in text and "not one of RootFi's addresses" in text, (tag, text)
        assert "store a key for it on this computer. Press Set API key on the RootFi tab" in text, (tag, text)
        assert "rootfi-excel" not in text, (tag, text)
    for tag in ribbon.BUTTONS:  # the .conf sheets are said to be ignored (a notice)
        if tag not in ("new_workbook", "open_log", "help"):
            assert any("'rootfi.conf' and 'xlwings.conf' sheet" in text and "ignored" in text
                       for text in told[tag]), (tag, told[tag])
    question = told["set_api_key"][0]
    assert address in question and "not one of RootFi's addresses" in question
    assert told["set_api_key"][-1] == "Nothing was stored."
    assert memory_keyring.get_password(service_for(address), "default") is None
    assert memory_keyring.get_password(SERVICE, "default") == victim_key  # the colleague's own key, untouched
    all_text = "".join(a for a, _ in book.app.alerts)
    assert victim_key not in all_text and "rk_typed_by_mistake" not in all_text

    # Positive control: the person says yes and pastes a key for that address; then, and only
    # then, Check connection goes there, and the witness sees it.
    book.app.answers = ["yes"]
    press("set_api_key", book, secret="rk_for_that_address")
    assert memory_keyring.get_password(service_for(address), "default") == "rk_for_that_address"
    press("check_connection", book)
    assert listener.attempts, book.app.alerts[-1]


def test_a_hostile_folder_behind_every_ribbon_button_is_never_read(excel_sandbox_book, tmp_path):
    """A right workbook (its Settings name a sandbox the person trusts) whose file sits in a
    hostile folder: every button works as usual, and no file of the folder is opened."""
    book, folder, sandbox = excel_sandbox_book
    made = tmp_path / "elsewhere" / "New.xlsx"
    options = {"new_workbook": {"choose": lambda suggested: made}, "open_log": {"opener": lambda folder: None}}
    with files_opened_in(folder) as opened:
        for tag in ribbon.BUTTONS:
            if tag.endswith("_selection"):
                book.app.select(book.sheets[PAYMENTS.sheet], 4, 4)
            press(tag, book, secret=None, **options.get(tag, {}))
    assert opened == [] and ran_in(folder) == []
    assert sandbox.count_records(1001, "invoice_payments") >= 1


@pytest.fixture
def excel_sandbox_book(make_sandbox, api_key, tmp_path, monkeypatch, witness):
    import itertools

    from tests.support.submitting import fast_client

    sandbox = make_sandbox()
    client = fast_client(sandbox, api_key)
    invoices = [i["platform_id"] for i in itertools.islice(
        client.iter_records(1001, "invoices", {"amount_due": ("gt", 100)}), 3)]
    client.close()
    folder = hostile_folder(tmp_path / "shared")
    rows = [row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": f"RCPT-{i}", "invoice_id": invoice, "amount": 1})
            for i, invoice in enumerate(invoices)]
    book = fake_book(rows, settings={"company_id": 1001, "environment": "sandbox", "base_url": sandbox.base_url})
    book.fullname = str(folder / "Invoices.xlsx")
    return book, folder, sandbox


# ============================================================ the one decision

def test_every_command_and_button_gets_its_key_from_the_one_decision():
    """No module reads a key for sending but api/trust.py, and only app/account.py makes a
    client from a key (the doctor's one probe goes through it: app.account.read_company); the
    demo makes one for the sandbox it started, with the key it made for it."""
    import rootfi_excel

    root = Path(rootfi_excel.__file__).parent
    readers, clients = set(), set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(root))
        if "get_api_key(" in text or "stored_key(" in text or "environment_key(" in text:
            readers.add(name)
        if "RootFiClient(" in text:
            clients.add(name)
    assert readers == {"api/credentials.py", "api/trust.py", "install/doctor.py"}, readers
    assert clients == {"api/client.py", "api/__init__.py", "app/account.py", "cli/demo_cmd.py"}, clients
    doctor_source = inspect.getsource(__import__("rootfi_excel.install.doctor", fromlist=["probe_api"]).probe_api)
    assert "read_company(" in doctor_source
    account_source = inspect.getsource(__import__("rootfi_excel.app.account", fromlist=["read_company"]).read_company)
    assert "choose_key(" in account_source
