"""The `rootfi-excel sandbox` command: option parsing, and a real start and Ctrl+C."""

from __future__ import annotations

import signal
import socket
import subprocess
import time

import click
import httpx
import pytest

from rootfi_excel.cli.sandbox_cmd import parse_faults
from tests.support.terminal_processes import python_code


def test_parse_faults():
    assert parse_faults("429=0.2,500=0.1,502=0.1,503=0.1,slow=0.1,drop=0.1") == {
        "429": 0.2, "500": 0.1, "502": 0.1, "503": 0.1, "slow": 0.1, "drop": 0.1}
    assert parse_faults("") == {}
    for bad in ("teapot=0.1", "500=lots"):
        with pytest.raises(click.BadParameter):
            parse_faults(bad)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_command_serves_until_ctrl_c(tmp_path):
    port = _free_port()
    db = tmp_path / "cli.sqlite3"
    code = ("from rootfi_excel.cli.sandbox_cmd import sandbox; "
            f"sandbox(['--port', '{port}', '--db', r'{db}', '--rate-limit', '0', '--api-key', 'rk_cli_key'])")
    process = subprocess.Popen(python_code(code), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/v4/core/companies/1001",
                                   headers={"api_key": "rk_cli_key"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.05)
        assert answer.status_code == 200 and answer.json()["data"]["integration"] == "QUICKBOOKS"
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    assert f"http://127.0.0.1:{port}/v4" in out and str(db) in out
    assert "rk_cli_key" not in out + err  # a key given on the command line is not printed back
    assert db.exists()
