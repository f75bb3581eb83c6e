"""The API key never enters a workbook, a log, an error message, the journal or the output.

A sentinel key is planted in the key store, the whole job runs (login, validate,
submit with faults so that retries and errors happen, a refused key), and every output
is searched for it.
"""

from __future__ import annotations

import logging
import secrets

import pytest
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from tests.support.cli_books import demo_book
from tests.support.file_search import files_text


@pytest.mark.slow
@pytest.mark.usefixtures("quick_command_client")
def test_the_key_appears_in_no_output(make_sandbox, tmp_path, caplog, monkeypatch):
    sentinel = "rk_SENTINEL_" + secrets.token_hex(12)
    sandbox = make_sandbox(api_keys=[sentinel], faults={"500": 0.1, "drop": 0.1, "429": 0.1}, fault_seed=3,
                           db_path=tmp_path / "sandbox.sqlite3")
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "rootfi_excel", "uvicorn", ""):
        logging.getLogger(name).setLevel(logging.DEBUG)
    book = demo_book(tmp_path / "book.xlsx", sandbox, sentinel, payments=40, notes=5)
    runner = CliRunner()
    outputs = []

    login = runner.invoke(cli, ["login", "--profile", "default"], input=sentinel + "\n")
    outputs.append(login.output)
    assert login.exit_code == 0, login.output
    outputs.append(runner.invoke(cli, ["validate", str(book)]).output)
    submitted = runner.invoke(cli, ["submit", str(book), "--yes", "--lost-answer-wait", "0.5"])
    outputs.append(submitted.output)
    assert submitted.exit_code in (0, 1), submitted.output
    outputs.append(runner.invoke(cli, ["submit", str(book), "--yes", "--lost-answer-wait", "0.5"]).output)

    # A key the API refuses: the error says so without repeating it.
    wrong = "rk_SENTINEL_WRONG_" + secrets.token_hex(8)
    monkeypatch.setenv("ROOTFI_API_KEY", wrong)
    refused = runner.invoke(cli, ["submit", str(book), "--yes"])
    outputs.append(refused.output)
    assert refused.exit_code == 2 and "refused" in refused.output.lower()

    everything = "\n".join(outputs) + caplog.text + "".join(
        f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "RootFi" in everything  # we did capture real output
    for key in (sentinel, wrong):
        assert key not in everything
        for name, content in files_text(tmp_path).items():
            assert key.encode() not in content, f"the key is in {name}"
    assert any(name.endswith("journal.sqlite3") for name in files_text(tmp_path)), "the journal was searched"
