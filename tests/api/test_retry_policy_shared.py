"""Every client shares the default RetryPolicy (a default argument): it cannot be changed
through one of them; and its backoff draws from the random source it is given, so a
seeded source gives one sequence, and without one the module's source is used."""

from __future__ import annotations

import dataclasses
import random

import pytest

from rootfi_excel.api.retry import RetryPolicy


def test_a_retry_policy_cannot_be_changed_once_made():
    policy = RetryPolicy()
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.max_attempts = 1
    assert policy.max_attempts == RetryPolicy().max_attempts
    assert policy.delay(1, retry_after=3.0) == 3.0  # and it still works as made


def test_backoff_draws_from_the_random_source_it_is_given():
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    first = [policy.backoff(n, random.Random(7)) for n in range(1, 6)]
    again = [policy.backoff(n, random.Random(7)) for n in range(1, 6)]
    expected = [random.Random(7).uniform(0.0, min(8.0, 2.0 ** (n - 1))) for n in range(1, 6)]
    assert first == again == expected


def test_backoff_without_a_random_source_stays_within_its_ceiling():
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    samples = [policy.backoff(3) for _ in range(100)]
    assert all(0.0 <= s <= 4.0 for s in samples) and len(set(samples)) > 1
