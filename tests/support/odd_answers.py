"""Odd answers from an API, to sweep every command with: the sandbox's fault kinds
(`Fault`, with any SandboxConfig fields) and fixed answers from a stand-in server (`Stub`)
for shapes the sandbox does not produce. The `stub_server` fixture (tests/conftest.py)
starts the stand-ins; `check` says a command's output is fit for a person."""

from __future__ import annotations

import http.server
import json
import secrets
import socketserver
import threading
from dataclasses import dataclass, field

from rootfi_excel.sandbox.faults import FAULT_KINDS
from tests.support.cli_books import NETSUITE


@dataclass(frozen=True)
class Fault:
    """The sandbox answering with one of its fault kinds (probability per request)."""

    name: str
    faults: dict[str, float]
    config: dict = field(default_factory=dict)


KEY = "rk_sweep_" + secrets.token_urlsafe(16)


def check(result, codes: set[int], *, key: str = KEY) -> None:
    """The output is plain text for a person, and the exit code is a documented one."""
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output, output
    assert "\x1b" not in output and "\x07" not in output, repr(output)
    assert key not in output
    assert result.exit_code in codes, f"exit code {result.exit_code}, expected {codes}: {output}"


@dataclass(frozen=True)
class Stub:
    """A stand-in server giving every request the same answer (status None: it closes the
    connection without one). past_company: the company check gets a good answer, so the
    odd one meets the lookups and writes."""

    name: str
    status: int | None
    body: bytes = b""
    content_type: str = "application/json"
    past_company: bool = False


def _json(value) -> bytes:
    return json.dumps(value).encode()


ODD_ANSWERS = [
    *(Fault(f"every request: {kind}", {kind: 1.0}, {"slow_ms": 50}) for kind in FAULT_KINDS),
    Fault("a little of every fault", {kind: 0.08 for kind in FAULT_KINDS}, {"slow_ms": 50, "burst_429_length": 1}),
    Stub("an HTML page instead of JSON", 200, b"<html><body><h1>Down for maintenance</h1></body></html>",
         "text/html"),
    Stub("a JSON list instead of an object", 200, _json([1, 2, 3])),
    Stub("an empty answer", 200, b""),
    Stub("JSON cut off halfway", 200, b'{"data": {"rootfi_id": 1'),
    Stub("a company of odd types", 200, _json({"data": {"rootfi_id": "x", "name": None, "integration": 5,
                                                        "connection_status": []}})),
    Stub("an error message with terminal escapes", 400,
         _json({"error": {"message": "bad \x1b]0;pwned\x07\x1b[2J\x9b31m thing", "code": "\x1b[31mred",
                          "field": "\x07"}})),
    Stub("an error that repeats the key", 401, _json({"error": {"message": f"api_key {KEY} is not valid",
                                                                "field": KEY, "code": KEY}})),
    Stub("a 500 with a huge body", 500, b"x" * 2_000_000, "text/plain"),
    Stub("the connection closed without an answer", None),
    Stub("after the company check: an HTML page", 200, b"<html>Bad gateway</html>", "text/html", past_company=True),
    Stub("after the company check: a JSON list", 200, _json([{"rootfi_id": 1}]), past_company=True),
    Stub("after the company check: cut-off JSON", 200, b'{"data": [', past_company=True),
    Stub("after the company check: escapes in an error", 400,
         _json({"error": {"message": "\x1b]0;pwned\x07 no", "code": "x"}}), past_company=True),
    Stub("after the company check: the connection closed", None, past_company=True),
]


COMPANY = {"data": {"rootfi_id": NETSUITE, "name": "Summit Engineering Corp.", "integration": "NETSUITE",
                    "connection_status": "HEALTHY"}}


class _StubHandler(http.server.BaseHTTPRequestHandler):
    answer: Stub

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.answer.past_company and self.command == "GET" and self.path.rstrip("/").endswith(
                f"/core/companies/{NETSUITE}"):
            self._send(200, _json(COMPANY), "application/json")
            return
        if self.answer.status is None:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self._send(self.answer.status, self.answer.body, self.answer.content_type)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _reply

    def log_message(self, *args) -> None:
        pass


class _StubServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def serve(answer: Stub) -> tuple[_StubServer, str]:
    """A stand-in server giving every request `answer`, in a thread; and its base URL."""
    handler = type("Handler", (_StubHandler,), {"answer": answer})
    server = _StubServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/v4"
