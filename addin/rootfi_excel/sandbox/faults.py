"""The gate in front of the API: latency, auth, the rate limit and fault injection.

An ASGI middleware; only paths under /v4 pass through it, so the /_sandbox admin
routes are never delayed, limited or faulted. Order per request: count it, add the
latency, check the key (401), take a rate-limit token (429), roll the dice for a
fault, then let the app answer.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import random
import threading
import time
from collections import Counter

FAULT_KINDS = ("429", "500", "502", "503", "slow", "drop")


class DroppedConnection(Exception):
    """Raised after the answer's headers went out: uvicorn then closes the connection."""


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


class FaultPlan:
    """Chooses a fault (or none) per request from a seeded RNG."""

    def __init__(self, faults: dict[str, float], seed: int | None, burst_429_length: int):
        unknown = set(faults) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; use {', '.join(FAULT_KINDS)}")
        if any(not 0 <= p <= 1 for p in faults.values()) or sum(faults.values()) > 1 + 1e-9:
            raise ValueError("fault probabilities must be between 0 and 1 and add up to at most 1")
        self.faults = faults
        self.rng = random.Random(seed)
        self.burst_length = max(1, burst_429_length)
        self._burst_left = 0
        self._lock = threading.Lock()

    def roll(self) -> str | None:
        with self._lock:
            if self._burst_left:
                self._burst_left -= 1
                return "429"
            if not self.faults:
                return None
            draw, edge = self.rng.random(), 0.0
            for kind in FAULT_KINDS:  # fixed order, so a seed replays the same faults
                edge += self.faults.get(kind, 0.0)
                if draw < edge:
                    if kind == "429":
                        self._burst_left = self.burst_length - 1
                    return kind
            return None


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


class Gate:
    def __init__(self, app, *, api_keys: list[str], latency_ms: int, rate_limit_per_minute: int | None,
                 retry_after_header: bool, faults: FaultPlan, slow_ms: int, stats: Stats):
        self.app = app
        self.keys = [k.encode() for k in api_keys]
        self.latency = latency_ms / 1000
        self.limiter = TokenBucket(rate_limit_per_minute) if rate_limit_per_minute else None
        self.retry_after = retry_after_header
        self.faults = faults
        self.slow = slow_ms / 1000
        self.stats = stats

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not (scope["path"] == "/v4" or scope["path"].startswith("/v4/")):
            await self.app(scope, receive, send)
            return
        self.stats.add("requests")
        if self.latency:
            await asyncio.sleep(self.latency)

        key = dict(scope["headers"]).get(b"api_key", b"")
        if not any(hmac.compare_digest(key, known) for known in self.keys):
            self.stats.add("unauthorized")
            await _json(send, 401, {"error": {"message": "Missing or invalid api_key header.",
                                              "code": "unauthorized", "field": "api_key"}})
            return

        headers: list[tuple[bytes, bytes]] = []
        if self.limiter:
            allowed, remaining, wait = self.limiter.take(key.decode())
            headers = [(b"x-ratelimit-limit", str(self.limiter.per_minute).encode()),
                       (b"x-ratelimit-remaining", str(remaining).encode()),
                       (b"x-ratelimit-reset", str(wait).encode())]
            if not allowed:
                self.stats.add("rate_limited")
                await self._too_many(send, headers, wait, "Rate limit exceeded: "
                                     f"{self.limiter.per_minute} requests per minute per key.")
                return

        fault = self.faults.roll()
        if fault:
            self.stats.add(f"fault_{fault}")
        if fault == "429":
            await self._too_many(send, headers, 1, "Too many requests: the platform is rate limiting; retry later.")
        elif fault == "500":
            await _json(send, 500, {"error": {"code": "internal-error",
                                              "message": "Internal server error (sandbox fault)."}}, headers)
        elif fault == "502":
            # What a load balancer in front of the API would send: not JSON.
            await _send(send, 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                        b"text/html; charset=utf-8", headers)
        elif fault == "503":
            await _json(send, 503, {"error": {"code": "service-unavailable",
                                              "message": "Service temporarily unavailable (sandbox fault)."}},
                        headers)
        else:
            await self._answer(scope, receive, send, headers, fault)

    async def _answer(self, scope, receive, send, headers, fault: str | None) -> None:
        """Let the app process the request; hold the answer back for slow and drop."""
        held: list[dict] = []

        async def hold(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) + headers}
            if fault is None:
                await send(message)
            else:
                held.append(message)

        await self.app(scope, receive, hold)
        if fault == "slow":
            await asyncio.sleep(self.slow)
            for message in held:
                await send(message)
        elif fault == "drop":
            # The work is committed; send only the headers (with a Content-Length), then
            # fail so uvicorn closes the connection: the client sees a broken response.
            start = next(m for m in held if m["type"] == "http.response.start")
            await send(start)
            raise DroppedConnection("sandbox fault: connection dropped after the write committed")

    async def _too_many(self, send, headers, wait: int, message: str) -> None:
        extra = [(b"retry-after", str(max(1, wait)).encode())] if self.retry_after else []
        await _json(send, 429, {"error": {"code": "rate-limit-exceeded", "message": message}}, headers + extra)


async def _json(send, status: int, body: dict, headers: list | None = None) -> None:
    await _send(send, status, json.dumps(body).encode(), b"application/json", headers or [])


async def _send(send, status: int, body: bytes, content_type: bytes, headers: list) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})
