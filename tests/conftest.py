"""Fixtures shared by every test.

- Every test gets an in-memory keyring and a private data directory (journal, caches),
  so no test reads or writes the user's real keyring or files.
- `make_sandbox` starts the local API sandbox on 127.0.0.1 in a background thread; tests
  talk to it over real HTTP. Its address is trusted as a person trusts a sandbox they
  started (api/trust.py): its key is stored for its address, and ROOTFI_BASE_URL names it
  for ROOTFI_API_KEY. `make_sandbox(trusted=False)` leaves it a stranger's address.
"""

from __future__ import annotations

import os
import secrets

import keyring
import pytest
from hypothesis import settings

from tests.support.examples import CI_EXAMPLES
from tests.support.memory_keyring import MemoryKeyring

# The property tests' example counts (tests/support/examples.py): "ci" is the default, what CI
# runs; `pytest --hypothesis-profile=quick` or `=deep` scales every count at once.
settings.register_profile("ci", max_examples=CI_EXAMPLES)
settings.register_profile("quick", max_examples=CI_EXAMPLES // 10)
settings.register_profile("deep", max_examples=CI_EXAMPLES * 10)
settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path, monkeypatch):
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    monkeypatch.delenv("ROOTFI_API_KEY", raising=False)
    # Directly, not by monkeypatch: a test's monkeypatch.undo() must not bring back another
    # test's address (make_sandbox sets it directly too).
    os.environ.pop("ROOTFI_BASE_URL", None)
    monkeypatch.setenv("ROOTFI_EXCEL_HOME", str(tmp_path / "rootfi-home"))
    yield memory
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _no_whole_workbook_save(monkeypatch):
    """openpyxl's whole-workbook save fails the test when Validate, Submit, Refresh lookups
    or Posted (or the .xlsx adapter) call it: see tests/support/whole_save.py."""
    from tests.support.whole_save import guard

    refused = guard(monkeypatch)
    yield refused
    if refused:
        pytest.fail(f"openpyxl's whole-workbook save was called inside {refused[0]}", pytrace=False)


@pytest.fixture
def memory_keyring(_isolated_environment) -> MemoryKeyring:
    return _isolated_environment


@pytest.fixture
def api_key(request) -> str:
    """A fresh random key per test: no key is ever written into a fixture file. A test marked
    reads_sandbox gets the key of the sandbox it shares (random too, one per test module)."""
    if request.node.get_closest_marker("reads_sandbox"):
        return request.getfixturevalue("_shared_sandbox")[1]
    return "rk_test_" + secrets.token_urlsafe(24)


def _trust(handle, key: str) -> None:
    """As a person trusts a sandbox they started: its key stored for its address under the key
    profile 'default', and ROOTFI_BASE_URL naming it (set directly: make_sandbox restores it)."""
    from rootfi_excel.errors import CredentialsError
    from rootfi_excel.api.trust import BASE_URL_ENV_VAR, store_key

    os.environ[BASE_URL_ENV_VAR] = handle.base_url
    try:
        store_key("default", key, handle.base_url)
    except CredentialsError:  # a test without a key store (keyring's fail backend)
        pass


@pytest.fixture
def make_sandbox(tmp_path, api_key):
    """Factory: make_sandbox(trusted=True, **SandboxConfig fields) -> RunningSandbox (stopped
    after the test). trusted: its first key is stored for its address under the key profile
    'default' (as `rootfi-excel login --base-url` does), and ROOTFI_BASE_URL names its address
    (the address ROOTFI_API_KEY is for); False: neither, a stranger's address."""
    from rootfi_excel.api.trust import BASE_URL_ENV_VAR
    from rootfi_excel.sandbox.server import SandboxConfig, start_in_thread

    running = []
    before = os.environ.get(BASE_URL_ENV_VAR)  # set directly, not by monkeypatch: a test's undo() keeps it

    def factory(trusted: bool = True, **overrides):
        overrides.setdefault("db_path", tmp_path / f"sandbox-{len(running)}.sqlite3")
        overrides.setdefault("api_keys", [api_key])
        handle = start_in_thread(SandboxConfig(**overrides))
        running.append(handle)
        if trusted:
            _trust(handle, overrides["api_keys"][0])
        return handle

    yield factory
    for handle in running:
        handle.stop()
    if before is None:
        os.environ.pop(BASE_URL_ENV_VAR, None)
    else:
        os.environ[BASE_URL_ENV_VAR] = before


@pytest.fixture
def sandbox(request, make_sandbox):
    """A sandbox with seeded demo data, no faults and no rate limit, trusted (make_sandbox).

    Its own, fresh, for every test; but a test marked reads_sandbox shares one with the other
    such tests of its module (starting one costs about half a second), and fails if it
    changed anything in it."""
    if not request.node.get_closest_marker("reads_sandbox"):
        yield make_sandbox()
        return
    from tests.support.shared_sandbox import fingerprint

    shared, key = request.getfixturevalue("_shared_sandbox")
    _trust(shared, key)
    before = fingerprint(shared.db_path)
    yield shared
    if fingerprint(shared.db_path) != before:
        pytest.fail("marked reads_sandbox, yet the test changed the shared sandbox's data: "
                    "give it a sandbox of its own (remove the mark)", pytrace=False)


@pytest.fixture(scope="module")
def _shared_sandbox(tmp_path_factory):
    """The sandbox tests marked reads_sandbox share, and its key: one per test module, so no
    sandbox thread runs on under the tests of other modules (a garbage-cycle count, a timing)."""
    from rootfi_excel.sandbox.server import SandboxConfig, start_in_thread

    key = "rk_test_" + secrets.token_urlsafe(24)
    handle = start_in_thread(SandboxConfig(db_path=tmp_path_factory.mktemp("shared-sandbox") / "sandbox.sqlite3",
                                           api_keys=[key]))
    yield handle, key
    handle.stop()


def pytest_sessionfinish(session):
    """The kit of the installer runs is shared by the xdist workers (tests/support/unprivileged.py):
    removed once, by the process that started them, when all are done."""
    if not hasattr(session.config, "workerinput"):
        from tests.support.unprivileged import remove_kit

        remove_kit(session.config)


@pytest.fixture
def stub_server():
    """Factory: stub_server(Stub) -> the base URL of a stand-in server giving every request
    that answer (tests/support/odd_answers.py); stopped after the test."""
    from tests.support.odd_answers import serve

    servers = []

    def start(answer) -> str:
        server, url = serve(answer)
        servers.append(server)
        return url

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def excel(sandbox, api_key, monkeypatch):
    """The key in the (test) key store and a fast client; returns a factory of fake Excel
    workbooks (tests/support/excel_books.py) of QuickBooks payments the sandbox can take."""
    import itertools

    from rootfi_excel.api.credentials import store_api_key
    from rootfi_excel.app import account
    from tests.support.books import PAYMENT_HEADERS, row_of
    from tests.support.excel_books import GOOD, fake_book
    from tests.support.sandbox_api import QUICKBOOKS
    from tests.support.submitting import fast_client, fast_client_options

    store_api_key("default", api_key)
    monkeypatch.setattr(account, "CLIENT_OPTIONS", fast_client_options())
    fast = fast_client(sandbox, api_key)
    invoices = [i["platform_id"] for i in itertools.islice(
        fast.iter_records(QUICKBOOKS, "invoices", {"amount_due": ("gt", 100)}), 40)]
    fast.close()

    def make(count: int = 5, *, bad: int = 0, lines: list[list] | None = None, **settings):
        rows = [row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": f"X-{i:03d}",
                                            "invoice_id": invoices[i % len(invoices)], "amount": 1 + i / 100})
                for i in range(count)]
        rows += [row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": f"BAD-{i}", "amount": -1}) for i in range(bad)]
        return fake_book(rows, lines=lines, settings={"company_id": QUICKBOOKS, "environment": "sandbox",
                                                      "base_url": sandbox.base_url, **settings})
    make.invoices = invoices  # ids the sandbox has: Validate reads them by id (no lookups here)
    return make


@pytest.fixture
def xlwings_udfs(monkeypatch):
    """xlwings/udfs.py, imported on Linux with inert stand-ins for pywin32."""
    import importlib
    import sys
    import types

    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda *args: pytest.fail("Dispatch called")
    stand_ins = {"pythoncom": types.ModuleType("pythoncom"), "pywintypes": types.ModuleType("pywintypes"),
                 "win32com": types.ModuleType("win32com"), "win32com.client": client}
    stand_ins["pythoncom"].CoInitialize = lambda: None
    stand_ins["pywintypes"].com_error = OSError
    stand_ins["win32com"].client = client
    for name, module in stand_ins.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    yield importlib.import_module("xlwings.udfs")
    sys.modules.pop("xlwings.udfs", None)


def pytest_collection_modifyitems(items):
    """The long runs (marked slow) first, in their order, then the rest in theirs: spread over
    the xdist workers from the start, they do not leave one worker running alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
