"""When a bulk write started is RootFi's `start_time`; only a sync answer without one (v3
answers may leave it out or null) starts when its record was created (`rootfi_created_at`).
The twin check and the wait for running bulk writes compare it with our send: a bulk write
started before our records were sent cannot hold them. Read from the vendor's own example,
where the two differ."""

from __future__ import annotations

import datetime as dt
import json

from rootfi_excel.api import answers
from tests.support.paths import FIXTURES

UTC = dt.timezone.utc
SYNC_ID = "hjmm4d2HDHB60a2"
STARTED = dt.datetime(2024, 6, 21, 8, 7, 5, tzinfo=UTC)  # the example's start_time
CREATED = dt.datetime(2024, 6, 21, 8, 7, 5, 750_000, tzinfo=UTC)  # its rootfi_created_at


def vendor_sync() -> dict:
    return json.loads((FIXTURES / "api_examples" / "v3_get_sync_answer.json").read_text())


def test_a_sync_that_names_its_start_keeps_it_not_its_creation_time():
    answer = vendor_sync()
    assert answer["data"]["start_time"] != answer["data"]["rootfi_created_at"]
    assert answers.sync_of(answer, SYNC_ID).start_time == STARTED


def test_a_sync_without_a_start_time_started_when_it_was_created():
    for absent in ("left out", None, ""):
        answer = vendor_sync()
        if absent == "left out":
            del answer["data"]["start_time"]
        else:
            answer["data"]["start_time"] = absent
        assert answers.sync_of(answer, SYNC_ID).start_time == CREATED, absent


def test_a_sync_with_neither_time_has_no_start():
    answer = vendor_sync()
    del answer["data"]["start_time"], answer["data"]["rootfi_created_at"]
    assert answers.sync_of(answer, SYNC_ID).start_time is None
