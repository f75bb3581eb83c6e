"""Which key may go to which address (api/trust.py, api/addresses.py): a key is stored for
an address; RootFi's own addresses by default, any other only on the person's word here."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from rootfi_excel.api.addresses import canonical, is_rootfi_address, rootfi_addresses
from rootfi_excel.api.credentials import SERVICE
from rootfi_excel.api.paths import KNOWN_BASE_URLS
from rootfi_excel.api.trust import (
    FROM_ENVIRONMENT,
    FROM_KEY_STORE,
    choose_key,
    delete_key,
    service_for,
    store_key,
)
from rootfi_excel.cli.main import cli
from rootfi_excel.errors import AddressError, CredentialsError, UntrustedAddressError
from rootfi_excel.sheets.settings import read_settings

SANDBOX = "http://127.0.0.1:8765/v4"
ELSEWHERE = "https://collector.example/v4"


# ------------------------------------------------------------------ addresses

@pytest.mark.parametrize("text, expected", [
    ("https://API.RootFi.dev/v4/", "https://api.rootfi.dev/v4"),
    ("https://api.rootfi.dev:443/v4", "https://api.rootfi.dev/v4"),
    (" https://api.rootfi.dev/v4 ", "https://api.rootfi.dev/v4"),
    ("https://api.rootfi.dev./v4", "https://api.rootfi.dev/v4"),
    ("http://127.0.0.1:8765/v4", SANDBOX),
    ("http://localhost:8765/v4/", "http://localhost:8765/v4"),
    ("http://[::1]:8765/v4", "http://[::1]:8765/v4"),
])
def test_an_address_has_one_spelling(text, expected):
    assert canonical(text) == expected


@pytest.mark.parametrize("text, why", [
    ("https://api.rootfi.dev@collector.example/v4", "user name"),  # the host is collector.example
    ("https://api.rootfi.dev:x@collector.example/v4", "user name"),
    ("https://api.rootfi.dev\\@collector.example/v4", "backslashes"),
    ("https://api.rootfi.dev/v4?next=https://collector.example", "query"),
    ("https://api.rootfi.dev/v4#x", "fragment"),
    ("https://api.rootfi.dev /v4", "spaces"),
    ("https://api.rootfi.dev/v4\n", None),  # trimmed: a trailing newline is only a cell's end
    ("https://xn--bcher-kva.example/v4", None),  # an international name in its xn-- form: accepted
    ("https://rootfí.dev/v4", "plain letters"),
    ("http://collector.example/v4", "plain http to another computer"),
    ("http://127.0.0.1.nip.io/v4", "plain http to another computer"),
    ("http://0.0.0.0:8765/v4", "plain http to another computer"),
    ("ftp://api.rootfi.dev/v4", "https://"),
    ("api.rootfi.dev/v4", "https://"),
    ("https://api.rootfi.dev:99999/v4", "not a web address"),
    ("", "no address"),
])
def test_an_address_that_could_be_read_two_ways_is_refused(text, why):
    if why is None:
        canonical(text)
        return
    with pytest.raises(AddressError) as caught:
        canonical(text)
    assert why in str(caught.value)


def test_rootfi_addresses_are_the_environments_of_settings_and_nothing_like_them():
    assert rootfi_addresses() == {canonical(url) for url in KNOWN_BASE_URLS.values()}
    for url in KNOWN_BASE_URLS.values():
        host = url.split("/")[2]
        assert is_rootfi_address(url) and is_rootfi_address(url.replace(host, host.upper()) + "/")
    for lookalike in ("https://api.rootfi.dev.collector.example/v4", "https://collector.example/api.rootfi.dev/v4",
                      "https://api.rootfi.dev@collector.example/v4", "http://api.rootfi.dev/v4",
                      "https://api.rootfi.dev:8443/v4", "https://api.rootfi.dev/v5"):
        assert not is_rootfi_address(lookalike), lookalike


def test_settings_say_when_base_url_cannot_be_an_address():
    settings = read_settings({"company_id": 1, "base_url": "https://api.rootfi.dev@collector.example/v4"})
    assert any("base_url cannot be used" in p and "user name" in p for p in settings.problems)
    plain = read_settings({"company_id": 1, "base_url": "http://collector.example/v4"})
    assert "Settings: base_url must start with https:// (plain http only for a local sandbox)" in plain.problems
    assert read_settings({"company_id": 1, "base_url": ELSEWHERE}).problems == []  # an address, not yet a key's


# ------------------------------------------------------------------ the key for an address

def test_a_key_stored_before_addresses_were_known_keeps_working_for_rootfi_only(memory_keyring, api_key):
    memory_keyring.set_password(SERVICE, "default", api_key)  # as every earlier version stored it
    for url in KNOWN_BASE_URLS.values():
        chosen = choose_key(url)
        assert (chosen.key, chosen.source, chosen.base_url) == (api_key, FROM_KEY_STORE, canonical(url))
    for other in (ELSEWHERE, SANDBOX):
        with pytest.raises(UntrustedAddressError) as caught:
            choose_key(other)
        message = str(caught.value)
        assert message.startswith(f"The API key was not sent: {other} (base_url in the workbook's Settings) is not "
                                  "one of RootFi's addresses")
        assert message.endswith(f"Run: rootfi-excel login --base-url {other}") and "Nothing was sent" in message
        assert api_key not in message and api_key not in repr(caught.value)


def test_a_key_stored_for_an_address_goes_there_and_nowhere_else(memory_keyring, api_key):
    assert store_key("acme", api_key, "http://127.0.0.1:8765/v4/") == SANDBOX
    assert memory_keyring.store == {(f"{SERVICE} {SANDBOX}", "acme"): api_key}
    assert choose_key("HTTP://127.0.0.1:8765/v4", "acme").key == api_key
    for elsewhere in ("http://127.0.0.1:8766/v4", "http://localhost:8765/v4", "http://127.0.0.1:8765/v5",
                      KNOWN_BASE_URLS["production"]):
        with pytest.raises(CredentialsError):
            choose_key(elsewhere, "acme")
    with pytest.raises(UntrustedAddressError) as caught:
        choose_key(SANDBOX, "default")  # another profile's key is not this one's
    assert "(key profile 'default')" in str(caught.value)
    assert delete_key("acme", SANDBOX) and not delete_key("acme", SANDBOX)
    assert memory_keyring.store == {}


def test_store_key_for_a_rootfi_address_is_the_profiles_entry(memory_keyring, api_key):
    assert store_key("default", api_key, "https://API.rootfi.dev/v4") is None
    assert memory_keyring.store == {(SERVICE, "default"): api_key}
    assert service_for(None) == service_for(canonical(KNOWN_BASE_URLS["saudi"])) == SERVICE
    with pytest.raises(AddressError):
        store_key("default", api_key, "http://collector.example/v4")
    assert memory_keyring.store == {(SERVICE, "default"): api_key}


def test_rootfi_api_key_is_for_rootfi_unless_rootfi_base_url_or_the_command_line_names_another(monkeypatch,
                                                                                                  api_key):
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    assert choose_key(KNOWN_BASE_URLS["production"]).source == FROM_ENVIRONMENT
    with pytest.raises(UntrustedAddressError) as caught:
        choose_key(ELSEWHERE)
    assert (f"ROOTFI_API_KEY is for RootFi's own addresses, and {ELSEWHERE} (base_url in the workbook's Settings) "
            "is not") in str(caught.value)
    assert f"ROOTFI_BASE_URL={ELSEWHERE}" in str(caught.value) and f"--base-url {ELSEWHERE}" in str(caught.value)
    assert choose_key(ELSEWHERE, named_on_command_line=True).key == api_key  # typed here, with the key
    monkeypatch.setenv("ROOTFI_BASE_URL", SANDBOX + "/")
    assert choose_key(SANDBOX).key == api_key
    for not_it in (ELSEWHERE, KNOWN_BASE_URLS["production"]):  # ROOTFI_BASE_URL names the one address
        with pytest.raises(UntrustedAddressError) as caught:
            choose_key(not_it)
        assert f"ROOTFI_API_KEY is for {SANDBOX} (ROOTFI_BASE_URL)" in str(caught.value)
    monkeypatch.setenv("ROOTFI_BASE_URL", "http://collector.example/v4")
    with pytest.raises(UntrustedAddressError) as caught:
        choose_key(SANDBOX)
    assert "ROOTFI_BASE_URL is not an address the key may go to" in str(caught.value)


def test_a_stored_key_needs_storing_for_the_address_even_when_the_command_line_names_it(memory_keyring, api_key):
    store_key("default", api_key)
    with pytest.raises(UntrustedAddressError) as caught:
        choose_key(SANDBOX, named_on_command_line=True)
    assert f"{SANDBOX} (--base-url) is not one of RootFi's addresses" in str(caught.value)


def test_an_address_that_is_no_address_is_refused_before_the_key_store_is_read(memory_keyring, api_key):
    store_key("default", api_key)
    with pytest.raises(UntrustedAddressError) as caught:
        choose_key("https://api.rootfi.dev@collector.example/v4")
    assert "user name" in str(caught.value) and "Nothing was sent" in str(caught.value)


# ------------------------------------------------------------------ login and logout

def test_login_and_logout_with_base_url_keep_a_key_for_that_address_alone(memory_keyring, api_key):
    runner = CliRunner()
    result = runner.invoke(cli, ["login", "--base-url", SANDBOX + "/", "--profile", "sandbox"],
                           input=f"{api_key}\n")
    assert result.exit_code == 0, result.output
    assert f"{SANDBOX} is not one of RootFi's addresses" in result.output
    assert f"sent only to {SANDBOX}" in result.output and api_key not in result.output
    assert memory_keyring.store == {(f"{SERVICE} {SANDBOX}", "sandbox"): api_key}
    own = runner.invoke(cli, ["login", "--base-url", KNOWN_BASE_URLS["rootfi"]], input=f"{api_key}\n")
    assert own.exit_code == 0 and "sent only to RootFi's own addresses" in own.output
    assert memory_keyring.store[(SERVICE, "default")] == api_key
    out = runner.invoke(cli, ["logout", "--base-url", SANDBOX, "--profile", "sandbox"])
    assert out.exit_code == 0 and f"Removed the API key for profile 'sandbox' for {SANDBOX}." in out.output
    assert (f"{SERVICE} {SANDBOX}", "sandbox") not in memory_keyring.store
    assert memory_keyring.store[(SERVICE, "default")] == api_key  # the RootFi key stays


def test_login_refuses_an_address_the_key_may_never_go_to(memory_keyring, api_key):
    result = CliRunner().invoke(cli, ["login", "--base-url", "http://collector.example/v4"], input=f"{api_key}\n")
    assert result.exit_code == 2 and "plain http to another computer" in result.output
    assert "API key for profile" not in result.output  # not asked for a key it would not keep
    assert memory_keyring.store == {}


def test_submit_with_base_url_takes_the_key_stored_for_it(make_sandbox, api_key, tmp_path, monkeypatch):
    """The sandbox a person started, not yet trusted: submit --base-url refuses, names it and
    how to trust it; after `login --base-url` the same command sends."""
    from tests.support.cli_books import demo_book

    sandbox = make_sandbox(trusted=False)
    book = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=2, notes=0)
    store_key("default", api_key)  # the person's key for RootFi
    before = sandbox.requests_seen()
    refused = CliRunner().invoke(cli, ["submit", str(book), "--yes", "--base-url", sandbox.base_url])
    assert refused.exit_code == 2 and f"rootfi-excel login --base-url {sandbox.base_url}" in refused.output
    assert sandbox.requests_seen() == before  # nothing connected
    trusted = CliRunner().invoke(cli, ["login", "--base-url", sandbox.base_url], input=f"{api_key}\n")
    assert trusted.exit_code == 0
    sent = CliRunner().invoke(cli, ["submit", str(book), "--yes", "--base-url", sandbox.base_url])
    assert sent.exit_code == 0, sent.output
    assert sandbox.count_records(1003, "invoice_payments") == 2


def test_the_sandbox_says_how_to_trust_its_address(monkeypatch):
    def ctrl_c(config, ready=None):  # the sandbox is ready (its text said), then Ctrl+C
        class Running:
            base_url = f"http://127.0.0.1:{config.port}/v4"

        Running.config = config
        config.api_keys = config.api_keys or ["rk_sandbox_test"]
        ready(Running())
        raise KeyboardInterrupt

    monkeypatch.setattr("rootfi_excel.sandbox.server.run", ctrl_c)
    result = CliRunner().invoke(cli, ["sandbox", "--port", "8799"])
    assert result.exit_code == 0, result.output
    assert "rootfi-excel login --base-url http://127.0.0.1:8799/v4" in result.output
    assert "ROOTFI_BASE_URL=http://127.0.0.1:8799/v4" in result.output
