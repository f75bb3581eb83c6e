"""When to retry, and how long to wait.

RootFi has no idempotency key, so a write (POST) is retried only when the server
certainly did not process it: a 429, or a connection that was never established.
Everything else that leaves a write's outcome open is the caller's to reconcile.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

# The request never reached the server: safe to resend, even a write.
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, capped; Retry-After wins when the server sends it."""

    max_attempts: int = 5  # attempts in all, the first one included
    base_delay: float = 0.5  # seconds; the n-th retry waits up to base * 2**(n-1)
    max_delay: float = 30.0  # cap of one backoff wait
    max_retry_after: float = 120.0  # never wait longer than this on a server's say-so

    def backoff(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**(n-1))] for the n-th retry (n >= 1)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(0, retry_number - 1))
        return (rng or random).uniform(0.0, ceiling)

    def delay(
        self, retry_number: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        if retry_after is not None and not math.isnan(retry_after):
            return min(max(0.0, retry_after), self.max_retry_after)
        return self.backoff(retry_number, rng)


def is_retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


def write_may_be_retried(status: int | None = None, error: Exception | None = None) -> bool:
    """True only when the server certainly did not process the write."""
    if status is not None:
        return status == 429
    return isinstance(error, NOT_SENT_ERRORS)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date (`now` is Unix time)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if not math.isnan(seconds) else None
    try:
        when = parsedate_to_datetime(value)
        return None if when is None else max(0.0, when.timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
