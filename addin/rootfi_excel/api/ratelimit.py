"""A client-side token bucket that follows the server's own count, so that 429s stay rare
and the rate limit is used in full.

RootFi allows ~100 requests a minute per key, with bursts to 200. Before the server has
said anything, the bucket is cautious: a modest burst at the sustained rate (the key's
burst may already be spent by another process). Once answers carry the rate-limit
headers, the server's numbers win, up or down: X-RateLimit-Remaining is the bucket's
content (less the requests of ours still in flight, which it cannot count yet),
X-RateLimit-Limit its rate per minute, and the bucket may hold as much as the server
has shown it holds. So a run uses what the key has left, and when another person or
process spends the same key, the next answer says so. Remaining 0 waits for
X-RateLimit-Reset; a 429 (pause) holds every request of this client.
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
# A rate per minute read from X-RateLimit-Limit is believed within these bounds.
MIN_SERVER_RATE = 1.0
MAX_SERVER_RATE = 100_000.0
MIN_WAIT = 0.001  # seconds: the shortest wait for a token
_EPSILON = 1e-9  # a token short by a rounding error is a whole token


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
        self.rate = per_minute / 60.0  # tokens per second (X-RateLimit-Limit replaces it)
        self.capacity = float(burst)  # grows to what the server shows it allows
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._updated = clock()
        self._blocked_until = 0.0  # clock() time before which nothing is sent
        self._in_flight = 0  # requests let through whose answer has not been observed yet

    def acquire(self) -> float:
        """Block until a request may be sent; returns the seconds waited. Each acquire is
        followed by observe() of its answer, or release() when no answer came."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._refill(now)
                wait = self._blocked_until - now
                if wait <= 0 and self._tokens >= 1 - _EPSILON:
                    self._tokens = max(0.0, self._tokens - 1)
                    self._in_flight += 1
                    return waited
                if wait <= 0:
                    # never a wait too small to move the clock (0.99999... tokens)
                    wait = max((1 - self._tokens) / self.rate, MIN_WAIT)
            self._sleep(wait)
            waited += wait

    def release(self) -> None:
        """A request let through got no answer (a network failure): it is no longer in flight."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)

    def pause(self, seconds: float) -> None:
        """Send nothing for `seconds` (after a 429 or a Retry-After), at most MAX_PAUSE."""
        seconds = min(max(0.0, seconds), MAX_PAUSE) if math.isfinite(seconds) else MAX_PAUSE
        with self._lock:
            now = self._clock()
            self._blocked_until = max(self._blocked_until, now + seconds)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn from an answer's X-RateLimit-Remaining, -Limit and -Reset: the server's count wins."""
        remaining = _number(headers.get("x-ratelimit-remaining"))
        limit = _number(headers.get("x-ratelimit-limit"))
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if remaining is None:
                return
            self._refill(self._clock())
            if limit is not None and limit > 0:
                self.rate = min(max(limit, MIN_SERVER_RATE), MAX_SERVER_RATE) / 60.0
            remaining = max(0.0, remaining)
            # The server holds at least this much: the bucket may refill that far.
            self.capacity = max(self.capacity, remaining + 1)
            # The server has not counted our requests still in flight yet.
            self._tokens = min(self.capacity, max(0.0, remaining - self._in_flight))
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
