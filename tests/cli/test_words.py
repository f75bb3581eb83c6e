"""What a person reads at a command line: next steps that are
commands, platform names, counts in good grammar, connection failures said once with the
address and what to do, a refused key with its fix, one line after Ctrl+C."""

from __future__ import annotations

import datetime as dt
import socket

import openpyxl
import pytest
from click.testing import CliRunner

from rootfi_excel.api.credentials import SERVICE
from rootfi_excel.cli.main import cli
from rootfi_excel.demo.data import fetch_lookups, payment_rows
from rootfi_excel.sheets.layout import PAYMENTS, Status
from rootfi_excel.workbook.template import build_template
from tests.support.books import PAYMENT_HEADERS, row_of, write_book
from tests.support.submitting import fast_client
from tests.support.cli_books import demo_book, table_rows

NETSUITE = 1003
RIBBON_WORDS = ("press ", "Refresh lookups", "Set API key")


def _said(result) -> str:
    return " ".join(result.output.split())  # stdout and stderr as a terminal shows them


def _no_ribbon_words(text: str) -> None:
    for words in RIBBON_WORDS:
        assert words.lower() not in text.lower(), words


def test_validate_at_a_terminal_names_the_command_and_the_platform(tmp_path):
    row = row_of(PAYMENT_HEADERS, document_number="P-1", invoice_id="1", amount="USD 793.56",
                 payment_date=dt.datetime(2026, 3, 1))
    path = write_book(tmp_path / "my book.xlsx", payments=(PAYMENT_HEADERS, [row]),
                      settings={"company_id": NETSUITE, "integration": "NETSUITE"})
    result = CliRunner().invoke(cli, ["validate", str(path)])
    said = _said(result)
    assert result.exit_code == 1, said
    assert "for NetSuite" in said and "NETSUITE" not in said
    assert f'Run rootfi-excel lookups "{path}" to check them against the platform' in said
    _no_ribbon_words(said)
    # An amount typed with its currency: that is the trouble, not the decimal separator.
    assert "holds the currency USD with the amount: type the amount alone (793.56)" in said
    assert "decimal_separator" not in said
    assert "1 more invalid rows" not in said


def test_a_workbook_without_the_sheet_says_what_to_do(tmp_path):
    path = write_book(tmp_path / "b.xlsx")
    wb = openpyxl.load_workbook(path)
    wb[PAYMENTS.sheet].title = "Payments March"
    wb.save(path)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    said = _said(result)
    assert result.exit_code == 2
    assert "no sheet named 'Invoice Payments'" in said and "Rename the sheet back to 'Invoice Payments'" in said
    assert "run rootfi-excel template NEW.xlsx for a fresh copy of the template" in said


def test_submit_speaks_in_platform_names_commands_and_counts_that_agree(sandbox, api_key, tmp_path, monkeypatch):
    client = fast_client(sandbox, api_key)
    lookups = fetch_lookups(client, NETSUITE)
    rows = payment_rows(lookups, 24, integration="NETSUITE")  # with the demo's mistakes: Invalid and Failed rows
    path = build_template(tmp_path / "book.xlsx", payments=rows, settings={
        "company_id": NETSUITE, "integration": "NETSUITE", "environment": "sandbox", "base_url": sandbox.base_url})
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    said = _said(result)
    assert result.exit_code == 1, said
    assert "on NetSuite" in said and "NETSUITE" not in said
    _no_ribbon_words(said)
    # The demo's wrong ids are caught just before sending, named by platform, in neutral words.
    assert "NetSuite has no invoice with the id" in said and "then validate again" in said
    # The progress is one plain line per phase (no terminal here), with its counts.
    assert "payments: " in said and " answered: " in said
    created = sum(r["status"] == Status.CREATED for r in table_rows(path, PAYMENTS.sheet))
    assert f"{created} Created" in said and f"{created} created" in said  # the summary and the progress agree


def test_identical_outcomes_are_one_line(sandbox, api_key, tmp_path, monkeypatch):
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=6, notes=0)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    from rootfi_excel.api.client import RootFiClient

    def refused(self, *args, **kwargs):
        from rootfi_excel.errors import ServerError

        raise ServerError("busy", status=503)

    monkeypatch.setattr(RootFiClient, "list_records", refused, raising=False)
    monkeypatch.setattr(RootFiClient, "iter_records", refused)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    lines = [line for line in result.output.splitlines() if "Skipped:" in line]
    assert len(lines) == 1 and "Invoice Payments rows 2-7 Skipped" in lines[0], result.output


def test_a_refused_key_says_which_key_and_how_to_replace_it(sandbox, api_key, tmp_path, monkeypatch, memory_keyring):
    from rootfi_excel.api.trust import store_key

    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=2, notes=0)
    store_key("default", "rk_test_not_this_one", sandbox.base_url)  # stored for the sandbox's address
    stored = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    said = _said(stored)
    assert stored.exit_code == 2
    assert f"RootFi ({sandbox.base_url}) refused the API key of the key profile 'default'" in said
    assert "run rootfi-excel login and paste a key of company 1003, then try again. Nothing was sent." in said
    monkeypatch.setenv("ROOTFI_API_KEY", "rk_test_not_this_one_either")
    monkeypatch.setenv("ROOTFI_BASE_URL", sandbox.base_url)  # the one address that variable's key is for
    from_env = _said(CliRunner().invoke(cli, ["submit", str(path), "--yes"]))
    assert ("refused the API key in the environment variable ROOTFI_API_KEY. Set that variable to a key of company "
            "1003") in from_env
    assert "login" not in from_env
    doctor = _said(CliRunner().invoke(cli, ["doctor", str(path)]))
    assert "[FAIL] RootFi refused the API key in the environment variable ROOTFI_API_KEY." in doctor
    assert "-> Set the environment variable ROOTFI_API_KEY to a valid key" in doctor
    assert "problem(s)" not in doctor and "1 problem to fix" in doctor
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 0


def _gone_sandbox_book(tmp_path):
    with socket.socket() as probe:  # a local port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v4"
    return build_template(tmp_path / "old.xlsx", settings={"company_id": NETSUITE, "integration": "NETSUITE",
                                                           "base_url": url}), url, port


@pytest.mark.parametrize("command", ["lookups", "posted", "submit"])
def test_a_stopped_sandbox_is_said_once_with_its_address_and_what_to_do(command, tmp_path, monkeypatch):
    path, url, port = _gone_sandbox_book(tmp_path)
    monkeypatch.setenv("ROOTFI_API_KEY", "rk_test_for_a_gone_sandbox")
    monkeypatch.setenv("ROOTFI_BASE_URL", url)
    result = CliRunner().invoke(cli, [command, str(path), *(["--yes"] if command == "submit" else [])])
    said = _said(result)
    assert result.exit_code in (1, 2), said
    assert said.count(f"Nothing answers at {url}") == 1, said
    assert f"rootfi-excel sandbox --port {port}" in said and "went with it" not in said
    assert "Errno" not in said and "ConnectError" not in said and "Could not reach RootFi" not in said


def test_login_and_logout_with_the_variable_set_say_so_and_go_on(monkeypatch, memory_keyring):
    monkeypatch.setenv("ROOTFI_API_KEY", "rk_test_from_the_environment")
    login = CliRunner().invoke(cli, ["login"], input="rk_test_stored\n")
    assert login.exit_code == 0, login.output
    assert _said(login).count("ROOTFI_API_KEY is set, so every command uses its key") == 1
    assert memory_keyring.get_password(SERVICE, "default") == "rk_test_stored"
    logout = CliRunner().invoke(cli, ["logout"])
    assert logout.exit_code == 0 and "ROOTFI_API_KEY is set" in _said(logout)

    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    keyring.set_keyring(NoKeyring())  # a server: no key store, the variable is how the key comes
    login = CliRunner().invoke(cli, ["login"])
    said = _said(login)
    assert login.exit_code == 0, said
    assert "ROOTFI_API_KEY is set, and every command uses its key" in said
    assert "set the environment variable ROOTFI_API_KEY instead" not in said  # it is set
    logout = CliRunner().invoke(cli, ["logout"])
    assert logout.exit_code == 0 and "remove that variable to stop using it" in _said(logout)


def test_after_ctrl_c_one_line_and_rows_that_say_it_once(sandbox, api_key, tmp_path, monkeypatch):
    from rootfi_excel.api.client import RootFiClient

    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=12, notes=0)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    real = RootFiClient.create_async
    calls = []

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(RootFiClient, "create_async", interrupted)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes", "--batch-size", "4"])
    said = _said(result)
    assert result.exit_code == 130, said
    assert said.count("Stopped") == 1 and "Stopped early" not in said
    messages = {r["message"] for r in table_rows(path, PAYMENTS.sheet) if r["status"] == Status.SKIPPED}
    assert messages == {"Not sent: Submit was stopped (Ctrl+C) before this row was sent. Submit again: nothing is "
                        "sent twice."}
