"""A client-side token bucket, so that 429s stay rare.

RootFi allows ~100 requests a minute per key, with bursts to 200. The bucket refills
at the sustained rate and starts with a modest burst: the server's burst may already
be spent by another process on the same key, and a 429 costs more than a short wait.
The bucket also learns from the answers (X-RateLimit-Remaining / -Reset, Retry-After).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping

DEFAULT_PER_MINUTE = 100
DEFAULT_BURST = 20

# How X-RateLimit-Reset is read (undocumented): above EPOCH_MS_THRESHOLD a Unix time in
# milliseconds, above EPOCH_THRESHOLD a Unix time in seconds, above MAX_RESET (a
# per-minute window never resets later than that) milliseconds from now, else seconds.
EPOCH_MS_THRESHOLD = 1e11
EPOCH_THRESHOLD = 1e9
MAX_RESET = 60.0
# No header may make the limiter hold requests longer than this at a time.
MAX_PAUSE = 120.0


class RateLimiter:
    def __init__(
        self,
        per_minute: float = DEFAULT_PER_MINUTE,
        burst: int = DEFAULT_BURST,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("per_minute must be > 0 and burst >= 1")
        self.rate = per_minute / 60.0  # tokens per second
        self.capacity = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._updated = clock()
        self._blocked_until = 0.0  # clock() time before which nothing is sent

    def acquire(self) -> float:
        """Block until a request may be sent; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._refill(now)
                wait = self._blocked_until - now
                if wait <= 0 and self._tokens >= 1:
                    self._tokens -= 1
                    return waited
                if wait <= 0:
                    wait = (1 - self._tokens) / self.rate
            self._sleep(wait)
            waited += wait

    def pause(self, seconds: float) -> None:
        """Send nothing for `seconds` (after a 429 or a Retry-After), at most MAX_PAUSE."""
        seconds = min(max(0.0, seconds), MAX_PAUSE) if math.isfinite(seconds) else MAX_PAUSE
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn from X-RateLimit-Remaining and X-RateLimit-Reset, when the server sends them."""
        remaining = _number(headers.get("x-ratelimit-remaining"))
        if remaining is None:
            return
        with self._lock:
            self._refill(self._clock())
            # The server's count wins when it is the stricter one (another client may share the key).
            self._tokens = min(self._tokens, max(0.0, remaining))
        if remaining <= 0:
            reset = reset_delay(headers.get("x-ratelimit-reset"), self._wall_clock())
            # Without a reset time, one token's worth of waiting is the best guess.
            self.pause(reset if reset is not None else 1 / self.rate)

    @property
    def tokens(self) -> float:
        with self._lock:
            self._refill(self._clock())
            return self._tokens

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now


def reset_delay(value: str | None, now_wall: float) -> float | None:
    """Seconds until X-RateLimit-Reset (see the thresholds above), never more than MAX_RESET."""
    number = _number(value)
    if number is None:
        return None
    if number > EPOCH_MS_THRESHOLD:
        delay = number / 1000 - now_wall
    elif number > EPOCH_THRESHOLD:
        delay = number - now_wall
    elif number > MAX_RESET:
        delay = number / 1000
    else:
        delay = number
    return min(max(0.0, delay), MAX_RESET)


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None
