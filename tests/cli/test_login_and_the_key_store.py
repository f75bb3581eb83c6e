"""login, logout, doctor and uninstall with the key store as people have it: a key typed with
spaces or pasted with curly quotes, a locked keyring, no keyring on a server, a key store
whose errors repeat the key, ROOTFI_API_KEY left set. Each says what is true and what to
do, and the key never reaches the screen or the log."""

from __future__ import annotations

import pytest
from keyring.errors import KeyringLocked

from tests.support.cli_runs import book_for, run
from tests.support.memory_keyring import MemoryKeyring
from tests.support.sandbox_api import XERO


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


@pytest.mark.reads_sandbox
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


@pytest.mark.reads_sandbox
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
