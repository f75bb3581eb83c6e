"""A bulk write's times are RootFi's clock, compared with other RootFi times (how old a
lost answer is): a time with an offset keeps its instant; a time without one is UTC."""

from __future__ import annotations

import datetime as dt

from rootfi_excel.api.answers import Sync

UTC = dt.timezone.utc


def test_a_time_with_an_offset_keeps_its_instant():
    sync = Sync.model_validate({"sync_id": "S1", "status": "RUNNING", "start_time": "2026-03-31T11:00:00+02:00"})
    assert sync.start_time == dt.datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    assert sync.start_time.utcoffset() == dt.timedelta(hours=2)


def test_a_time_without_an_offset_is_utc():
    sync = Sync.model_validate({"sync_id": "S1", "status": "SUCCESS", "start_time": "2026-03-31T09:00:00",
                                "end_time": "2026-03-31T09:00:05Z"})
    assert sync.start_time == dt.datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    assert sync.start_time.tzinfo is not None
    assert sync.end_time - sync.start_time == dt.timedelta(seconds=5)
