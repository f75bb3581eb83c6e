"""Pointing a workbook at the local sandbox: the sandbox says what to put
in Settings, `--configure BOOK.xlsx` does it, and it keeps its key with its database."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time

import httpx
import openpyxl
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.cli.sandbox_setup import SANDBOX_PROFILE, configure
from rootfi_excel.sandbox.server import SandboxConfig, start_in_thread
from rootfi_excel.sheets.layout import PAYMENTS, Status
from rootfi_excel.sheets.settings import read_settings
from rootfi_excel.workbook.template import build_template
from tests.support.cli_books import demo_book, table_rows
from tests.support.terminal_processes import python_code

NETSUITE = 1003


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _key_works(base_url: str, key: str) -> bool:
    return httpx.get(f"{base_url}/core/companies/1001", headers={"api_key": key}).status_code == 200


def test_the_sandbox_keeps_its_key_with_its_database(tmp_path):
    db = tmp_path / "kept.sqlite3"
    first = start_in_thread(SandboxConfig(db_path=db))
    try:
        key = first.config.api_keys[0]
        assert key.startswith("rk_sandbox_") and _key_works(first.base_url, key)
    finally:
        first.stop()
    again = start_in_thread(SandboxConfig(db_path=db))  # restarted on the same database
    try:
        assert again.config.api_keys == [key] and _key_works(again.base_url, key)
        assert not _key_works(again.base_url, "rk_sandbox_another")
    finally:
        again.stop()
    other = start_in_thread(SandboxConfig(db_path=tmp_path / "other.sqlite3"))  # another database: another key
    try:
        assert other.config.api_keys != [key]
    finally:
        other.stop()


def _start_up_text(args: list[str], env: dict[str, str]) -> str:
    """What `rootfi-excel sandbox ARGS` prints until it serves; then Ctrl+C."""
    port = args[args.index("--port") + 1]
    code = f"from rootfi_excel.cli.sandbox_cmd import sandbox; sandbox({args!r})"
    process = subprocess.Popen(python_code(code), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/v4/core/companies/1001")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None, process.stderr.read()
                time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    return out + err


def _subprocess_env(tmp_path) -> dict[str, str]:
    # Never the real key store: a subprocess cannot see the tests' in-memory one, so it gets none.
    return {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "ROOTFI_EXCEL_HOME": str(tmp_path / "home"), "COLUMNS": "80"}


def test_the_start_up_text_says_exactly_what_to_put_in_settings(tmp_path):
    port, db = _free_port(), tmp_path / "sb.sqlite3"
    env = _subprocess_env(tmp_path)
    env.pop("ROOTFI_API_KEY", None)
    said = _start_up_text(["--port", str(port), "--db", str(db), "--rate-limit", "0"], env)
    key = re.search(r"API key: (rk_sandbox_\S+) \(kept with the database\)", said).group(1)
    url = f"http://127.0.0.1:{port}/v4"
    for line in ("  environment  sandbox", f"  base_url     {url}", "  company_id   1003",
                 "  integration  NETSUITE   (NetSuite)", "  key_profile  sandbox"):
        assert line in said.splitlines(), (line, said)
    assert f"rootfi-excel login --base-url {url} --profile sandbox" in " ".join(said.split())
    assert f"rootfi-excel sandbox --db {db} --port {port} --configure BOOK.xlsx" in said
    # The settings it names work: read back, they are a valid sandbox workbook's.
    settings = read_settings({"environment": "sandbox", "base_url": url, "company_id": 1003,
                              "integration": "NETSUITE", "key_profile": "sandbox"})
    assert not settings.problems and settings.base_url == url
    again = _start_up_text(["--port", str(port), "--db", str(db), "--rate-limit", "0"], env)
    assert f"API key: {key} (kept with the database)" in again  # restarted on the same --db: the same key


def test_configure_writes_the_settings_and_the_key_and_submit_then_works(sandbox, api_key, tmp_path,
                                                                         memory_keyring):
    book = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=3, notes=0)
    wb = openpyxl.load_workbook(book)  # a workbook once pointed elsewhere, with a note of the team's own
    settings = {row[0].value: row for row in wb["Settings"].iter_rows(min_row=2) if row[0].value}
    settings["base_url"][1].value = "https://api.integrations.commenda.io/v4"
    settings["environment"][1].value = "production"
    settings["company_id"][1].value = 4242
    wb["Settings"]["H20"] = "our note"
    wb.save(book)

    values, not_stored = configure(book, sandbox.base_url, api_key)
    assert not_stored is None
    assert values == {"environment": "sandbox", "base_url": sandbox.base_url, "company_id": NETSUITE,
                      "integration": "NETSUITE", "key_profile": SANDBOX_PROFILE}
    from rootfi_excel.api.trust import service_for

    assert memory_keyring.get_password(service_for(sandbox.base_url), SANDBOX_PROFILE) == api_key  # for its address
    wb = openpyxl.load_workbook(book)
    assert wb["Settings"]["H20"].value == "our note"  # only the value cells of those settings changed
    read = {row[0]: row[1] for row in wb["Settings"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert {name: read[name] for name in values} == values

    result = CliRunner().invoke(cli, ["submit", str(book), "--yes"])  # no --base-url, no ROOTFI_API_KEY
    assert result.exit_code == 0, result.output
    assert {r["status"] for r in table_rows(book, PAYMENTS.sheet)} == {Status.CREATED}
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 3


def test_configure_from_the_command_line_without_a_key_store_says_how_to_give_the_key(tmp_path):
    book = build_template(tmp_path / "book.xlsx")
    port = _free_port()
    said = _start_up_text(["--port", str(port), "--db", str(tmp_path / "sb.sqlite3"), "--configure", str(book)],
                          _subprocess_env(tmp_path))
    assert "book.xlsx: its Settings now point at this sandbox" in " ".join(said.split())
    assert "ROOTFI_API_KEY" in said and "Traceback" not in said
    assert read_settings(dict(openpyxl.load_workbook(book)["Settings"].iter_rows(
        min_row=2, max_col=2, values_only=True))).base_url == f"http://127.0.0.1:{port}/v4"


def test_a_workbook_set_to_the_sandbox_with_a_blank_base_url_uses_its_usual_address():
    settings = read_settings({"environment": "sandbox", "base_url": None})
    assert not settings.problems and settings.base_url == "http://127.0.0.1:8765/v4"
    assert read_settings({"environment": "custom"}).problems  # custom still needs its address
