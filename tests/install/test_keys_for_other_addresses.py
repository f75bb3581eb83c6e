"""`uninstall --remove-key` removes the keys stored for other addresses too (a local sandbox,
an address RootFi gave): the keyring cannot list them, so each is noted when stored
(api/stored_keys.py) and only what that list shows is removed."""

from __future__ import annotations

from rootfi_excel.api.credentials import SERVICE
from rootfi_excel.api.stored_keys import record_path, recorded
from tests.support.cli_runs import run

SANDBOX = "http://127.0.0.1:8765/v4"


def test_remove_key_removes_the_key_stored_for_a_sandbox_and_its_note(tmp_path, monkeypatch, memory_keyring,
                                                                       api_key):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert run(["install", "--templates-dir", tmp_path / "share", "--no-key"]).exit_code == 0
    assert run(["login", "--base-url", SANDBOX], input=f"{api_key}\n").exit_code == 0
    assert run(["login"], input=f"{api_key}\n").exit_code == 0
    assert set(memory_keyring.store) == {(f"{SERVICE} {SANDBOX}", "default"), (SERVICE, "default")}
    assert recorded() == [("default", SANDBOX)]
    assert api_key not in record_path().read_text(encoding="utf-8")  # a list of names, never a key

    preview = run(["uninstall", "--remove-key", "--dry-run"])
    assert f"would remove the API key of profile 'default' for {SANDBOX} from the keyring" in preview.output
    assert len(memory_keyring.store) == 2 and record_path().is_file()  # a dry run removes nothing

    gone = run(["uninstall", "--remove-key"])
    assert gone.exit_code == 0, gone.output
    assert memory_keyring.store == {}
    assert not record_path().exists()


def test_logout_strikes_the_note_and_only_noted_keys_are_removed(tmp_path, monkeypatch, memory_keyring, api_key):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    other = "http://127.0.0.1:9999/v4"
    assert run(["login", "--base-url", SANDBOX], input=f"{api_key}\n").exit_code == 0
    memory_keyring.store[(f"{SERVICE} {other}", "default")] = "put there by another program"
    assert run(["logout", "--base-url", SANDBOX]).exit_code == 0
    assert recorded() == [] and not record_path().exists()

    assert run(["uninstall", "--remove-key"]).exit_code == 0
    assert memory_keyring.store == {(f"{SERVICE} {other}", "default"): "put there by another program"}


def test_a_noted_key_removed_since_leaves_no_note_behind(tmp_path, monkeypatch, memory_keyring, api_key):
    """A key noted when stored but removed from the key store another way: uninstall strikes its
    note too, so the list does not keep the data folder for good."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert run(["login", "--base-url", SANDBOX], input=f"{api_key}\n").exit_code == 0
    memory_keyring.store.clear()  # removed by another program (or by hand)
    gone = run(["uninstall", "--remove-key"])
    assert gone.exit_code == 0, gone.output
    assert f"no API key stored for profile 'default' for {SANDBOX}" in gone.output
    assert not record_path().exists()


def test_a_sandbox_key_uninstall_cannot_remove_is_named_with_the_command_that_removes_it(
        tmp_path, monkeypatch, memory_keyring, api_key):
    """The key store refuses to remove the sandbox's key (locked): uninstall says which key
    stayed and gives the logout command with its --base-url (without it, logout looked at
    RootFi's own address and said no key was stored), and that command then removes it."""
    from keyring.errors import KeyringLocked

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert run(["install", "--templates-dir", tmp_path / "share", "--no-key"]).exit_code == 0
    assert run(["login", "--base-url", SANDBOX], input=f"{api_key}\n").exit_code == 0
    unlocked_delete = memory_keyring.delete_password

    def locked_for_the_sandbox(service, username):
        if service != SERVICE:
            raise KeyringLocked("the collection is locked")
        unlocked_delete(service, username)

    monkeypatch.setattr(memory_keyring, "delete_password", locked_for_the_sandbox)
    stopped = run(["uninstall", "--remove-key"])
    assert stopped.exit_code == 2
    assert f"profile 'default' for {SANDBOX} may still be in the keyring" in stopped.output
    assert f"`rootfi-excel logout --profile default --base-url {SANDBOX}`" in stopped.output
    assert recorded() == [("default", SANDBOX)]  # still noted: the next uninstall tries again

    monkeypatch.setattr(memory_keyring, "delete_password", unlocked_delete)  # unlocked
    command = f"logout --profile default --base-url {SANDBOX}".split()
    assert run(command).exit_code == 0
    assert memory_keyring.store == {}
