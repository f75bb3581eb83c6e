"""The key goes only over https or to this computer: a shared workbook's plain-http base_url
never gets it, whichever command reads that workbook, and Settings flag an address that
only starts like localhost."""

from __future__ import annotations

import http.server
import socket
import socketserver
import threading

import pytest

from tests.support.cli_runs import book_for, run
from tests.support.sandbox_api import XERO


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers nothing useful; remembers the api_key header of every request it was sent."""

    seen: list[str | None]

    def do_GET(self):  # noqa: N802 - the http.server name
        self.seen.append(self.headers.get("api_key"))
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def plain_http_elsewhere():
    """A base URL that is plain http to a host called by another name than localhost (this
    machine's own name, so the test needs no network), and what that server was sent."""
    name = socket.gethostname()
    try:
        address = socket.gethostbyname(name)
    except OSError:
        pytest.skip("this machine's name does not resolve")
    if name.lower().rstrip(".") == "localhost":
        pytest.skip("this machine is called localhost")
    seen: list[str | None] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = socketserver.ThreadingTCPServer((address, 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{name}:{server.server_address[1]}/v4", seen
    server.shutdown()
    server.server_close()


def test_a_shared_workbooks_plain_http_base_url_never_gets_the_key(plain_http_elsewhere, api_key, tmp_path,
                                                                     memory_keyring):
    """Settings said "base_url must start with https://", yet `lookups`, `posted` and `doctor`
    only printed that as a warning and sent the key there, in clear text, anyway."""
    base_url, seen = plain_http_elsewhere
    book = book_for(tmp_path / "book.xlsx", XERO, base_url)
    memory_keyring.set_password("rootfi-excel", "default", api_key)
    refreshed = run(["lookups", book])
    posted = run(["posted", book, "--from", "2026-03-01", "--to", "2026-03-31"])
    doctor = run(["doctor", book])
    assert seen == [], "the key went over plain http to another computer"
    assert refreshed.exit_code == posted.exit_code == 2
    assert "https" in refreshed.stderr and "https" in posted.stderr
    assert doctor.exit_code == 1 and "[FAIL] The API key was not sent" in doctor.output
    assert api_key not in refreshed.output + posted.output + doctor.output


@pytest.mark.parametrize("url, allowed", [
    ("https://api.rootfi.dev/v4", True),
    ("http://127.0.0.1:8765/v4", True),
    ("http://localhost:8765/v4", True),
    ("http://[::1]:8765/v4", True),
    ("http://localhost.attacker.example/v4", False),  # passes a startswith("http://localhost") check
    ("http://127.0.0.1.attacker.example/v4", False),
    ("http://api.rootfi.dev/v4", False),
    ("api.rootfi.dev/v4", False),
    ("ftp://api.rootfi.dev/v4", False),
])
def test_the_client_sends_the_key_only_over_https_or_to_this_computer(url, allowed, api_key):
    from rootfi_excel.api.client import RootFiClient
    from rootfi_excel.errors import CredentialsError

    if allowed:
        RootFiClient(api_key, url).close()
    else:
        with pytest.raises(CredentialsError, match="was not sent") as refused:
            RootFiClient(api_key, url)
        assert api_key not in str(refused.value)


def test_settings_flag_a_base_url_that_only_starts_like_localhost():
    from rootfi_excel.sheets.settings import read_settings

    settings = read_settings({"company_id": 1, "environment": "custom",
                              "base_url": "http://localhost.attacker.example/v4"})
    assert any("https" in p for p in settings.problems)
    local = read_settings({"company_id": 1, "environment": "custom", "base_url": "http://127.0.0.1:8765/v4"})
    assert not any("base_url" in p for p in local.problems)
