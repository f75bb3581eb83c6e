"""The client-side token bucket, on a fake clock: no real waiting."""

from __future__ import annotations

import pytest

from rootfi_excel.api.ratelimit import RateLimiter, reset_delay


class FakeTime:
    def __init__(self, wall: float = 1_700_000_000.0) -> None:
        self.now = 0.0
        self.wall = wall
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall_clock(self) -> float:
        return self.wall + self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def make(fake: FakeTime, per_minute: float = 60, burst: int = 3) -> RateLimiter:
    return RateLimiter(per_minute, burst, clock=fake.clock, sleep=fake.sleep, wall_clock=fake.wall_clock)


def test_burst_is_free_then_paced_at_the_sustained_rate():
    fake = FakeTime()
    limiter = make(fake, per_minute=60, burst=3)
    for _ in range(3):
        assert limiter.acquire() == 0
    assert fake.slept == []
    limiter.acquire()  # 60/min = one token a second
    assert fake.now == pytest.approx(1.0)
    for _ in range(4):
        limiter.acquire()
    assert fake.now == pytest.approx(5.0)


def test_tokens_refill_up_to_the_burst_only():
    fake = FakeTime()
    limiter = make(fake, per_minute=60, burst=3)
    for _ in range(3):
        limiter.acquire()
    fake.now += 100
    assert limiter.tokens == pytest.approx(3)


def test_default_is_conservative():
    limiter = RateLimiter()
    assert limiter.rate == pytest.approx(100 / 60)
    assert limiter.capacity < 200  # never plan on the server's whole burst


def test_pause_blocks_every_request():
    fake = FakeTime()
    limiter = make(fake)
    limiter.pause(7.5)
    limiter.acquire()
    assert fake.now == pytest.approx(7.5)


def test_remaining_zero_waits_until_reset_in_seconds():
    fake = FakeTime()
    limiter = make(fake)
    limiter.observe({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "12"})
    limiter.acquire()
    assert fake.now == pytest.approx(12)


def test_remaining_zero_waits_until_reset_as_epoch():
    fake = FakeTime(wall=1_700_000_000.0)
    limiter = make(fake)
    limiter.observe({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(1_700_000_000 + 30)})
    limiter.acquire()
    assert fake.now == pytest.approx(30)


def test_remaining_zero_without_reset_waits_one_token():
    fake = FakeTime()
    limiter = make(fake, per_minute=60)
    limiter.observe({"x-ratelimit-remaining": "0"})
    limiter.acquire()
    assert 0 < fake.now <= 2.0


def test_the_servers_remaining_wins_both_ways():
    fake = FakeTime()
    limiter = make(fake, burst=3)
    limiter.observe({"x-ratelimit-remaining": "1", "x-ratelimit-reset": "60"})
    assert limiter.tokens == pytest.approx(1)  # another client spent the key: fewer than we thought
    limiter.observe({"x-ratelimit-remaining": "150"})
    assert limiter.tokens == pytest.approx(150)  # the key has more left than our cautious start
    for _ in range(150):
        assert limiter.acquire() == 0
    assert fake.slept == []


def test_what_the_server_showed_is_refilled_at_its_own_rate():
    fake = FakeTime()
    limiter = make(fake, per_minute=60, burst=3)
    limiter.observe({"x-ratelimit-remaining": "0", "x-ratelimit-limit": "120", "x-ratelimit-reset": "0"})
    limiter.observe({"x-ratelimit-remaining": "199", "x-ratelimit-limit": "120"})
    limiter.observe({"x-ratelimit-remaining": "0", "x-ratelimit-limit": "120", "x-ratelimit-reset": "0"})
    assert limiter.rate == pytest.approx(2.0)  # X-RateLimit-Limit: 120 a minute
    fake.now += 1000
    assert limiter.tokens == pytest.approx(200)  # up to the most the server has shown, not beyond


def test_requests_in_flight_are_not_counted_twice():
    fake = FakeTime()
    limiter = make(fake, burst=10)
    for _ in range(3):
        limiter.acquire()  # three requests out, none answered yet
    limiter.observe({"x-ratelimit-remaining": "5"})  # the answer to the first: the other two are not counted
    assert limiter.tokens == pytest.approx(3)
    limiter.release()  # the second got no answer
    limiter.observe({"x-ratelimit-remaining": "4"})
    assert limiter.tokens == pytest.approx(4)


def test_headers_absent_or_garbage_change_nothing():
    fake = FakeTime()
    limiter = make(fake, burst=3)
    limiter.observe({})
    limiter.observe({"x-ratelimit-remaining": "lots", "x-ratelimit-reset": "soon"})
    assert limiter.tokens == pytest.approx(3)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("x", None), ("5", 5.0), ("0", 0.0), ("1700000060", 60.0), ("1699999990", 0.0)],
)
def test_reset_delay(value, expected):
    assert reset_delay(value, 1_700_000_000.0) == expected


def test_invalid_settings():
    with pytest.raises(ValueError):
        RateLimiter(per_minute=0)
    with pytest.raises(ValueError):
        RateLimiter(burst=0)
