"""The gate in front of the API: latency, auth, the rate limit and fault injection.

An ASGI middleware; only paths under /v4 pass through it, so the /_sandbox admin
routes are never delayed, limited or faulted. Order per request: count it, add the
latency, check the key (401; also once the key is "revoked"), take a rate-limit token
(429), roll the dice for a fault, then let the app answer. Every /v4 answer carries a
Date header from the sandbox's clock (which may be set off on purpose).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email.utils import formatdate

from rootfi_excel.errors import DroppedConnection
from rootfi_excel.sandbox.faults import FaultPlan, kind_of

RESET_FORMATS = ("seconds", "milliseconds", "epoch", "epoch-ms")


class _HideDrops(logging.Filter):
    # uvicorn logs every exception escaping the app; a deliberate drop is not news.
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


logging.getLogger("uvicorn.error").addFilter(_HideDrops())


class TokenBucket:
    """Per-key buckets: `per_minute` tokens a minute, holding at most 2x that (the burst)."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self.capacity = 2 * per_minute
        self.rate = per_minute / 60.0  # tokens per second
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)
        self._lock = threading.Lock()

    def take(self, key: str) -> tuple[bool, int, int]:
        """(allowed, tokens remaining, seconds until one more request is allowed)."""
        with self._lock:
            now = time.monotonic()
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            allowed = tokens >= 1
            if allowed:
                tokens -= 1
            self._buckets[key] = (tokens, now)
            wait = 0 if tokens >= 1 else math.ceil((1 - tokens) / self.rate)
            return allowed, int(tokens), wait


class Stats:
    """Request counters for requests_seen() and /_sandbox/stats."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def get(self, name: str) -> int:
        with self._lock:
            return self._counts[name]

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)


@dataclass(frozen=True)
class GateConfig:
    api_keys: list[str]
    latency_ms: int = 0
    rate_limit_per_minute: int | None = None
    retry_after_header: bool = True
    slow_ms: int = 3000
    revoke_key_after: int | None = None  # requests with a good key before the key stops working (401)
    clock_offset_s: float = 0.0  # the server's clock, set off from the real time on purpose
    rate_limit_reset: str = "seconds"  # how X-RateLimit-Reset is written: one of RESET_FORMATS
    echo_key: bool = False  # every error (and each job's error) repeats the key the request sent
    max_url_bytes: int | None = None  # a longer path and query is refused (414) before the API sees it


class Gate:
    def __init__(self, app, config: GateConfig, faults: FaultPlan, stats: Stats):
        if config.rate_limit_reset not in RESET_FORMATS:
            raise ValueError(f"rate_limit_reset must be one of {', '.join(RESET_FORMATS)}")
        self.app = app
        self.config = config
        self.keys = [k.encode() for k in config.api_keys]
        self.limiter = TokenBucket(config.rate_limit_per_minute) if config.rate_limit_per_minute else None
        self.faults = faults
        self.stats = stats
        self._good_requests = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not (scope["path"] == "/v4" or scope["path"].startswith("/v4/")):
            await self.app(scope, receive, send)
            return
        self.stats.add("requests")
        self.stats.add(f"kind:{kind_of(scope['method'], scope['path'])}")
        if self.config.latency_ms:
            await asyncio.sleep(self.config.latency_ms / 1000)
        headers: list[tuple[bytes, bytes]] = [(b"date", self._date())]
        if self.config.max_url_bytes and _url_bytes(scope) > self.config.max_url_bytes:
            self.stats.add("uri_too_long")  # what a proxy in front of the API answers: not JSON
            await _send(send, 414, b"<html><body><h1>414 Request-URI Too Large</h1></body></html>",
                        b"text/html; charset=utf-8", headers)
            return

        key = dict(scope["headers"]).get(b"api_key", b"")
        answer_json = self._json_for(key)
        if not any(hmac.compare_digest(key, known) for known in self.keys):
            self.stats.add("unauthorized")
            await answer_json(send, 401, {"error": {"message": "Missing or invalid api_key header.",
                                                    "code": "unauthorized", "field": "api_key"}}, headers)
            return
        self._good_requests += 1
        if self.config.revoke_key_after is not None and self._good_requests > self.config.revoke_key_after:
            self.stats.add("unauthorized")
            await answer_json(send, 401, {"error": {"message": "The api_key was revoked.", "code": "unauthorized",
                                                    "field": "api_key"}}, headers)
            return

        if self.limiter:
            allowed, remaining, wait = self.limiter.take(key.decode("latin-1"))
            headers += [(b"x-ratelimit-limit", str(self.limiter.per_minute).encode()),
                        (b"x-ratelimit-remaining", str(remaining).encode()),
                        (b"x-ratelimit-reset", self._reset(wait))]
            if not allowed:
                self.stats.add("rate_limited")
                await self._too_many(send, headers, wait, "Rate limit exceeded: "
                                     f"{self.limiter.per_minute} requests per minute per key.")
                return

        fault = self.faults.roll(scope["method"], scope["path"])
        if fault:
            self.stats.add(f"fault_{fault}")
        if fault == "429":
            await self._too_many(send, headers, 1, "Too many requests: the platform is rate limiting; retry later.")
        elif fault == "500":
            await answer_json(send, 500, {"error": {"code": "internal-error",
                                                    "message": "Internal server error (sandbox fault)."}}, headers)
        elif fault == "502":
            # What a load balancer in front of the API would send: not JSON.
            await _send(send, 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                        b"text/html; charset=utf-8", headers)
        elif fault == "503":
            await answer_json(send, 503, {"error": {"code": "service-unavailable",
                                                    "message": "Service temporarily unavailable (sandbox fault)."}},
                              headers)
        elif fault == "400":
            await answer_json(send, 400, {"error": {"code": "invalid-params", "platform_error": None,
                                                    "message": "The request could not be read (sandbox fault)."}},
                              headers)
        elif fault == "no-list":  # a 200 whose data is not a list; nothing is read
            await answer_json(send, 200, {"data": {"message": "No list in this answer (sandbox fault)."}}, headers)
        else:
            await self._answer(scope, receive, send, headers, fault, key)

    def _date(self) -> bytes:
        return formatdate(time.time() + self.config.clock_offset_s, usegmt=True).encode()

    def _reset(self, wait: int) -> bytes:
        """X-RateLimit-Reset in the configured form (the docs do not say which)."""
        form = self.config.rate_limit_reset
        if form == "milliseconds":
            value = wait * 1000
        elif form == "epoch":
            value = int(time.time() + self.config.clock_offset_s) + wait
        elif form == "epoch-ms":
            value = int((time.time() + self.config.clock_offset_s + wait) * 1000)
        else:
            value = wait
        return str(value).encode()

    def _json_for(self, key: bytes):
        """_json, echoing the key into error texts when echo_key is on."""
        if not self.config.echo_key:
            return _json
        return lambda send, status, body, headers=None: _json(send, status, echo_key(body, key.decode("latin-1")), headers)

    async def _answer(self, scope, receive, send, headers, fault: str | None, key: bytes) -> None:
        """Let the app process the request; hold the answer back for slow, drop, no-id and echo_key."""
        held: list[dict] = []

        async def hold(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) + headers}
            if fault is None and not self.config.echo_key:
                await send(message)
            else:
                held.append(message)

        await self.app(scope, receive, hold)
        if self.config.echo_key:
            held = _rewrite_json(held, lambda body: echo_key(body, key.decode("latin-1")))
        if fault is None:
            for message in held:
                await send(message)
        elif fault == "slow":
            await asyncio.sleep(self.config.slow_ms / 1000)
            for message in held:
                await send(message)
        elif fault == "drop":
            # The work is committed; send only the headers (with a Content-Length), then
            # fail so uvicorn closes the connection: the client sees a broken response.
            start = next(m for m in held if m["type"] == "http.response.start")
            await send(start)
            raise DroppedConnection("sandbox fault: connection dropped after the write committed")
        elif fault == "no-id":
            await _without_ids(send, held)
        else:
            for message in held:
                await send(message)

    async def _too_many(self, send, headers, wait: int, message: str) -> None:
        extra = [(b"retry-after", str(max(1, wait)).encode())] if self.config.retry_after_header else []
        await _json(send, 429, {"error": {"code": "rate-limit-exceeded", "message": message}}, headers + extra)


def _url_bytes(scope) -> int:
    query = scope.get("query_string") or b""
    return len(scope.get("raw_path") or scope["path"].encode()) + (len(query) + 1 if query else 0)


def echo_key(value, key: str):
    """A careless server: every error object repeats the key in its message, field and code."""
    if isinstance(value, list):
        return [echo_key(item, key) for item in value]
    if not isinstance(value, dict):
        return value
    out = {name: echo_key(item, key) for name, item in value.items()}
    error = out.get("error")
    if isinstance(error, dict):
        out["error"] = {**error, "message": f"{error.get('message') or 'Error'} (request sent api_key {key})",
                        "field": f"{error.get('field') or 'api_key'}:{key}", "code": f"{error.get('code') or 'error'}:{key}"}
    return out


def _rewrite_json(held: list[dict], change) -> list[dict]:
    """The held answer with its JSON body changed (and its Content-Length made right)."""
    raw = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
    try:
        body = json.dumps(change(json.loads(raw))).encode()
    except ValueError:
        return held
    start = next(m for m in held if m["type"] == "http.response.start")
    start_headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
    start_headers.append((b"content-length", str(len(body)).encode()))
    return [{**start, "headers": start_headers}, {"type": "http.response.body", "body": body}]


async def _without_ids(send, held: list[dict]) -> None:
    """The write was processed and committed; its 200 answer names no record: the created
    record comes back without rootfi_id, a bulk write's answer without sync_id."""
    start = next(m for m in held if m["type"] == "http.response.start")
    raw = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
    if start["status"] != 200:
        for message in held:
            await send(message)
        return
    body = json.loads(raw)
    if isinstance(body.get("data"), dict):
        body["data"].pop("rootfi_id", None)
    if "sync_id" in body:
        body = {"data": {"status": "accepted"}}
    kept = [(k, v) for k, v in start["headers"] if k.lower() not in (b"content-length", b"content-type")]
    await _json(send, 200, body, kept)


async def _json(send, status: int, body: dict, headers: list | None = None) -> None:
    await _send(send, status, json.dumps(body).encode(), b"application/json", headers or [])


async def _send(send, status: int, body: bytes, content_type: bytes, headers: list) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})
