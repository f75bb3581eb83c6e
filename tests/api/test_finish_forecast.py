"""When collecting looks again at running bulk writes (api/forecast.py): at predicted
finishes from the rate RootFi showed, few looks each finding several finished, never
sooner than the next finish, and slower and slower at a sync that does not move."""

from __future__ import annotations

import datetime as dt

import pytest

from rootfi_excel.api.answers import Sync
from rootfi_excel.api.forecast import SHORTEST, FinishForecast

T0 = dt.datetime(2026, 3, 31, 9, 0, tzinfo=dt.timezone.utc)


def sync(sync_id: str, done: int, total: int = 200, *, start: float = 0.0, end: float | None = None) -> Sync:
    return Sync.model_validate({
        "sync_id": sync_id, "status": "SUCCESS" if done == total else "RUNNING", "total_count": total,
        "success_count": done, "failed_count": 0, "start_time": (T0 + dt.timedelta(seconds=start)).isoformat(),
        "end_time": (T0 + dt.timedelta(seconds=end)).isoformat() if end is not None else None})


def turn(done: int, count: int = 10) -> tuple[dict[str, Sync], dict[str, Sync]]:
    """`count` bulk writes of 200 run in turn by one worker, `done` records in: (finished, running)."""
    finished, running = {}, {}
    for n in range(count):
        records = max(0, min(200, done - 200 * n))
        (finished if records == 200 else running)[f"s{n}"] = sync(f"s{n}", records)
    return finished, running


def test_no_rate_before_anything_moved():
    forecast = FinishForecast({f"s{n}": 200 for n in range(10)})
    forecast.observe(0.0, *turn(0))
    forecast.read(0.2, 0)
    assert forecast.wait(0.2) is None  # the caller's own interval


def test_a_look_waits_for_several_finishes_and_the_jobs_fit_before_the_last():
    forecast = FinishForecast({f"s{n}": 200 for n in range(10)})
    forecast.observe(0.0, *turn(0))
    forecast.read(0.2, 0)
    forecast.observe(1.0, *turn(400))  # 400 records a second: a bulk write each half second
    forecast.read(0.6, 2)  # the look and two jobs lists: 0.2 s a request
    wait = forecast.wait(1.6)
    assert wait is not None
    look = 1.6 + wait
    # Not at the next finish (1.5 s at the rate) but once several more are done...
    assert look >= 1.0 + 2 * 200 / 400
    # ...and never after the last is due (1.0 + 1600 records / 400 = 5.0 s).
    assert look <= 5.0


def test_few_left_are_looked_at_once_when_all_should_be_done():
    forecast = FinishForecast({f"s{n}": 200 for n in range(10)})
    forecast.observe(0.0, *turn(1000))
    forecast.read(0.2, 5)
    forecast.observe(1.0, *turn(1400))  # 400 a second, three left: 600 records
    forecast.read(0.6, 2)
    assert forecast.wait(1.6) == pytest.approx((1.0 + 600 / 400) - 1.6)


def test_the_first_look_takes_the_rate_from_the_finished_syncs_own_times():
    forecast = FinishForecast({"a": 200, "b": 200, "c": 200})
    # Two finished in 1 s of RootFi's time (400 records a second); c has 200 to go.
    forecast.observe(0.0, {"a": sync("a", 200, start=0.0, end=0.5), "b": sync("b", 200, start=0.1, end=1.0)},
                     {"c": sync("c", 0)})
    forecast.read(0.2, 2)
    assert forecast.rate() == 400
    assert forecast.wait(0.2) == pytest.approx(200 / 400 - 0.2)  # c is due at 0.5 s


def test_a_sync_that_does_not_finish_is_looked_at_less_and_less_often():
    forecast = FinishForecast({"a": 200, "b": 200})
    forecast.observe(0.0, {}, {"a": sync("a", 0), "b": sync("b", 0)})
    forecast.read(0.1, 0)
    forecast.observe(1.0, {"a": sync("a", 200)}, {"b": sync("b", 199)})  # b stops one record short
    forecast.read(0.1, 1)
    looked, waits = 1.0, []
    for _ in range(6):
        now = looked + 0.1
        wait = forecast.wait(now)
        waits.append(wait)
        looked = now + wait
        forecast.observe(looked, {"a": sync("a", 200)}, {"b": sync("b", 199)})
        forecast.read(0.1, 0)  # found nothing finished
    assert waits[-1] >= 4 * SHORTEST
    assert all(later >= earlier for earlier, later in zip(waits[1:], waits[2:]))
