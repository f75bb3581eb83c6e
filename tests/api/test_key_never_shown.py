"""The API key must never appear in a log line, an error's str/repr or a traceback.

A sentinel key is planted, every logger is turned to DEBUG (httpx and httpcore too),
and the client is driven through successes, retries and every error type.
"""

from __future__ import annotations

import logging
import secrets
import socket
import traceback
from collections.abc import Callable

import httpx
import keyring
import pytest
from keyring.backends import fail

from rootfi_excel.api import (
    RateLimiter,
    RetryPolicy,
    RootFiClient,
    get_api_key,
    store_api_key,
)
from rootfi_excel.errors import (
    ApiValidationError,
    AuthError,
    CredentialsError,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    RootFiError,
    ServerError,
    SyncTimeoutError,
)

FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, max_retry_after=0.05)


@pytest.fixture
def sentinel() -> str:
    return "rk_SENTINEL_" + secrets.token_hex(16)


@pytest.fixture
def debug_logs(caplog):
    for name in (None, "httpx", "httpcore", "rootfi_excel"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def texts_of(error: BaseException) -> list[str]:
    return [str(error), repr(error), "".join(traceback.format_exception(error))]


def expect(kind: type[BaseException], action: Callable[[], object], seen: list[str]) -> BaseException:
    with pytest.raises(kind) as caught:
        action()
    seen.extend(texts_of(caught.value))
    return caught.value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def client_for(base_url: str, key: str, **kwargs) -> RootFiClient:
    kwargs.setdefault("retry", FAST)
    kwargs.setdefault("limiter", RateLimiter(per_minute=60_000, burst=1000))
    return RootFiClient(key, base_url, **kwargs)


def test_sentinel_key_never_leaks(make_sandbox, sentinel, debug_logs, monkeypatch):
    seen: list[str] = []
    kinds: set[type] = set()

    def check(kind, action):
        kinds.add(type(expect(kind, action, seen)))

    # Successes and validation/not-found errors over real HTTP.
    good = make_sandbox(api_keys=[sentinel])
    with client_for(good.base_url, sentinel) as client:
        assert client.get_company(1001).integration == "QUICKBOOKS"
        assert list(client.iter_records(1001, "contacts", limit=5))[:1]
        check(NotFoundError, lambda: client.get_company(987654))
        check(ApiValidationError, lambda: client.create(1001, "invoice_payments", {"invoice_id": "no-such"}))
    # Refused key.
    other = make_sandbox(api_keys=["rk_someone_else"])
    with client_for(other.base_url, sentinel) as client:
        check(AuthError, lambda: client.get_company(1001))
    # Retries that end in success, then in failure, for each fault kind.
    faulty = make_sandbox(api_keys=[sentinel], faults={"500": 1.0})
    with client_for(faulty.base_url, sentinel) as client:
        check(ServerError, lambda: client.get_company(1001))
        check(OutcomeUnknownError, lambda: client.create(1001, "invoice_payments", {"amount": 1}))
    limited = make_sandbox(api_keys=[sentinel], faults={"429": 1.0}, retry_after_header=True)
    with client_for(limited.base_url, sentinel) as client:
        check(RateLimitedError, lambda: client.get_company(1001))
    dropping = make_sandbox(api_keys=[sentinel], faults={"drop": 1.0})
    with client_for(dropping.base_url, sentinel) as client:
        check(NetworkError, lambda: client.get_company(1001))
        check(OutcomeUnknownError, lambda: client.create(1001, "invoice_payments", {"amount": 1}))
    # Nobody listening: a real ConnectError through httpcore.
    with client_for(f"http://127.0.0.1:{free_port()}/v4", sentinel) as client:
        check(NetworkError, lambda: client.get_company(1001))
        check(NetworkError, lambda: client.create(1001, "invoice_payments", {"amount": 1}))
    # A server that echoes the key in its error text, and a sync that never ends.
    echo = httpx.MockTransport(
        lambda request: httpx.Response(401, json={"error": {"message": f"bad key {request.headers['api_key']}"}})
    )
    with client_for("https://api.example/v4", sentinel, transport=echo) as client:
        check(AuthError, lambda: client.get_company(1))
    running = httpx.MockTransport(lambda request: httpx.Response(200, json={"data": {"status": "RUNNING"}}))
    with client_for("https://api.example/v4", sentinel, transport=running) as client:
        check(SyncTimeoutError, lambda: client.wait_for_sync("s", timeout=0.01, first_poll=0.001))
    # Credentials: an env key and a keyring without backend.
    monkeypatch.setenv("ROOTFI_API_KEY", sentinel)
    assert get_api_key() == sentinel
    monkeypatch.delenv("ROOTFI_API_KEY")
    keyring.set_keyring(fail.Keyring())
    check(CredentialsError, lambda: get_api_key())
    check(CredentialsError, lambda: store_api_key("default", sentinel))

    assert kinds >= {NotFoundError, ApiValidationError, AuthError, ServerError, OutcomeUnknownError,
                     RateLimitedError, NetworkError, SyncTimeoutError, CredentialsError}
    assert all(issubclass(kind, RootFiError) for kind in kinds)
    assert any(r.name.startswith("httpcore") for r in debug_logs.records), "DEBUG logging was not captured"
    assert any(r.name == "rootfi_excel.api" for r in debug_logs.records), "no retry was logged"
    for record in debug_logs.records:
        assert sentinel not in record.getMessage(), record.name
        assert sentinel not in repr(record.args)
    assert sentinel not in debug_logs.text
    for text in seen:
        assert sentinel not in text
