"""Backoff policy, Retry-After parsing and which failures allow resending a write."""

from __future__ import annotations

import random
from email.utils import formatdate

import httpx
import pytest

from rootfi_excel.api.retry import RetryPolicy, is_retryable_status, parse_retry_after, write_may_be_retried


def test_backoff_is_full_jitter_capped():
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    rng = random.Random(42)
    for n, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, 8.0)]:
        samples = [policy.backoff(n, rng) for _ in range(200)]
        assert all(0.0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling * 0.8  # really spread over the whole range


def test_retry_after_wins_but_is_capped():
    policy = RetryPolicy(max_retry_after=60)
    assert policy.delay(1, retry_after=3.0) == 3.0
    assert policy.delay(1, retry_after=3600.0) == 60.0
    assert policy.delay(1, retry_after=-5) == 0.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("soon", None), ("7", 7.0), ("1.5", 1.5), ("-3", 0.0)],
)
def test_parse_retry_after_seconds(value, expected):
    assert parse_retry_after(value, now=1_700_000_000.0) == expected


def test_parse_retry_after_http_date():
    now = 1_700_000_000.0
    assert parse_retry_after(formatdate(now + 20, usegmt=True), now) == pytest.approx(20)
    assert parse_retry_after(formatdate(now - 20, usegmt=True), now) == 0.0


def test_retryable_statuses():
    assert is_retryable_status(429)
    assert is_retryable_status(500) and is_retryable_status(503)
    assert not is_retryable_status(400) and not is_retryable_status(404)


def test_writes_resent_only_when_certainly_not_processed():
    assert write_may_be_retried(status=429)
    for status in (500, 502, 503, 504, 400, 409):
        assert not write_may_be_retried(status=status)
    assert write_may_be_retried(error=httpx.ConnectError("refused"))
    assert write_may_be_retried(error=httpx.ConnectTimeout("slow connect"))
    for error in (
        httpx.ReadTimeout("late"),
        httpx.WriteTimeout("late"),
        httpx.ReadError("reset"),
        httpx.WriteError("broken pipe"),
        httpx.RemoteProtocolError("closed mid-answer"),
    ):
        assert not write_may_be_retried(error=error)
