"""The API key lives in the keyring (in-memory here, see conftest) or in ROOTFI_API_KEY."""

from __future__ import annotations

import keyring
import pytest
from click.testing import CliRunner
from keyring.backends import fail

from rootfi_excel.api.credentials import (
    SERVICE,
    delete_api_key,
    get_api_key,
    has_api_key,
    store_api_key,
)
from rootfi_excel.cli.main import cli
from rootfi_excel.errors import CredentialsError


@pytest.fixture
def no_keyring():
    keyring.set_keyring(fail.Keyring())  # what this Linux machine really has (conftest restores it)


def test_store_get_delete_per_profile(memory_keyring, api_key):
    store_api_key("default", api_key)
    store_api_key("acme-xero", "rk_other")
    assert memory_keyring.store[(SERVICE, "default")] == api_key
    assert get_api_key() == api_key
    assert get_api_key("acme-xero") == "rk_other"
    assert has_api_key("acme-xero")
    assert delete_api_key("acme-xero") is True
    assert delete_api_key("acme-xero") is False
    assert not has_api_key("acme-xero")
    assert get_api_key() == api_key


def test_missing_entry_says_how_to_login():
    with pytest.raises(CredentialsError) as caught:
        get_api_key("acme")
    assert "rootfi-excel login --profile acme" in str(caught.value)


def test_environment_variable_overrides(monkeypatch, api_key):
    store_api_key("default", "rk_from_keyring")
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    assert get_api_key() == api_key
    assert get_api_key("any-profile") == api_key


def test_environment_variable_works_without_a_keyring(no_keyring, monkeypatch, api_key):
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    assert get_api_key() == api_key


def test_no_keyring_backend_is_explained(no_keyring, api_key):
    for action in (lambda: get_api_key(), lambda: store_api_key("default", api_key), lambda: delete_api_key()):
        with pytest.raises(CredentialsError) as caught:
            action()
        message = str(caught.value)
        assert "No system keyring" in message and "ROOTFI_API_KEY" in message
    assert has_api_key() is False


def test_empty_key_is_refused():
    with pytest.raises(CredentialsError):
        store_api_key("default", "   ")


def test_login_stores_without_echoing(memory_keyring, api_key):
    result = CliRunner().invoke(cli, ["login", "--profile", "acme"], input=api_key + "\n")
    assert result.exit_code == 0, result.output
    assert memory_keyring.store[(SERVICE, "acme")] == api_key
    assert api_key not in result.output
    assert "acme" in result.output


def test_logout(memory_keyring, api_key):
    store_api_key("default", api_key)
    runner = CliRunner()
    result = runner.invoke(cli, ["logout"])
    assert result.exit_code == 0 and "Removed" in result.output
    assert (SERVICE, "default") not in memory_keyring.store
    result = runner.invoke(cli, ["logout"])
    assert result.exit_code == 0 and "No API key" in result.output


@pytest.mark.parametrize("command", [["login"], ["logout", "--profile", "x"]])
def test_login_logout_without_keyring_exit_2(no_keyring, api_key, command):
    result = CliRunner().invoke(cli, command, input=api_key + "\n")
    assert result.exit_code == 2  # every command: 2 = it could not be done (the line says why)
    assert "No system keyring" in result.output
    assert "API key for profile" not in result.output  # not asked for a key it cannot keep
    assert api_key not in result.output
