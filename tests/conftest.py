"""Fixtures shared by every test.

- Every test gets an in-memory keyring and a private data directory (journal, caches),
  so no test reads or writes the user's real keyring or files.
- `make_sandbox` starts the local API sandbox on 127.0.0.1 in a background thread; tests
  talk to it over real HTTP.
"""

from __future__ import annotations

import secrets

import keyring
import pytest

from tests.support.memory_keyring import MemoryKeyring


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path, monkeypatch):
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    monkeypatch.delenv("ROOTFI_API_KEY", raising=False)
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
def api_key() -> str:
    """A fresh random key per test: no key is ever written into a fixture file."""
    return "rk_test_" + secrets.token_urlsafe(24)


@pytest.fixture
def make_sandbox(tmp_path, api_key):
    """Factory: make_sandbox(**SandboxConfig fields) -> RunningSandbox (stopped after the test)."""
    from rootfi_excel.sandbox.server import SandboxConfig, start_in_thread

    running = []

    def factory(**overrides):
        overrides.setdefault("db_path", tmp_path / f"sandbox-{len(running)}.sqlite3")
        overrides.setdefault("api_keys", [api_key])
        handle = start_in_thread(SandboxConfig(**overrides))
        running.append(handle)
        return handle

    yield factory
    for handle in running:
        handle.stop()


@pytest.fixture
def sandbox(make_sandbox):
    """A sandbox with seeded demo data, no faults and no rate limit."""
    return make_sandbox()
