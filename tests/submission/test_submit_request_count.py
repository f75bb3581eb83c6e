"""How many requests a clean Submit of many rows makes, counted by the sandbox over HTTP:
writes and job lists per bulk write of 200, one lookup pass before sending and one after
(long `document_number[in]` chunks), and a few more (references, the company's bulk
writes): at most 2·⌈N/200⌉ + 2·⌈N/500⌉ + 10. Jobs that name their record by document
number only (no record_index) are settled from the jobs, with no lookup pass of their own."""

from __future__ import annotations

import math

import pytest

from rootfi_excel.sheets.layout import Status
from tests.support.submitting import VOLUME, submit_volume_counting_requests


@pytest.mark.parametrize("shape", ["indexed", "by-number"])
def test_a_clean_submit_of_a_thousand_rows_stays_within_the_request_bound(make_sandbox, api_key, tmp_path, shape):
    sandbox = make_sandbox(job_shape=shape, job_delay_ms=0, volume=(1400, 150))
    n, report, used = submit_volume_counting_requests(sandbox, api_key, tmp_path / "journal.sqlite3", 1000)
    assert n >= 800

    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * n
    assert sandbox.count_records(VOLUME, "invoice_payments") == n
    assert used["write"] == math.ceil(n / 200), used
    # Each document number listed at most twice: once before sending, once for twins after.
    assert used["lookup"] <= 2 * math.ceil(n / 500), used
    assert sum(used.values()) <= 2 * math.ceil(n / 200) + 2 * math.ceil(n / 500) + 10, used
