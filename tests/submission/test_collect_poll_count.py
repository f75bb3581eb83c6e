"""Collecting looks at the company's bulk writes at their predicted finishes, not on a
clock: while one worker at the sandbox runs the bulk writes in turn, a few looks each find
several finished (their jobs read while the rest still run). Counted by the sandbox over
HTTP (test_submit_request_count.py counts a whole Submit against its bound)."""

from __future__ import annotations

import math

from rootfi_excel.sheets.layout import Status
from tests.support.submitting import submit_volume_counting_requests


def test_collecting_looks_at_running_bulk_writes_a_few_times_not_once_a_second(make_sandbox, api_key, tmp_path):
    # 4 ms a record: each bulk write of 200 takes 0.8 s at the one worker, all of them about 5 s.
    sandbox = make_sandbox(job_shape="by-number", job_delay_ms=4, volume=(1600, 150))
    n, report, used = submit_volume_counting_requests(sandbox, api_key, tmp_path / "journal.sqlite3", 1200)
    assert n >= 1000

    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * n
    writes = math.ceil(n / 200)
    assert used["write"] == writes and used["jobs"] == writes, used
    # One list of the company's bulk writes before sending, one before the twin check, and
    # the looks while collecting: fewer than one per bulk write (looking every half second
    # to a second, as collecting did, made 10 here).
    assert used.get("company-syncs", 0) + used.get("sync", 0) <= 2 + 5, used
