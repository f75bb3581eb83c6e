"""A Submit against a server that refuses long request lines (a proxy's 414) is the same
Submit: the lookups that were refused are asked again in short lists (several at once,
each thread its own), every row is checked before it is sent, nothing is sent twice,
every row gets its outcome, and the twin check asks short lists from the start. Over HTTP
against the sandbox."""

from __future__ import annotations

import math

from rootfi_excel.api.client import LONG_LOOKUP_BUDGET, LOOKUP_QUERY_BUDGET, chunk_for_lookup
from rootfi_excel.sheets.layout import Status
from tests.support.submitting import VOLUME, submit_volume_counting_requests


def chunks(n: int, budget: int) -> int:
    """Lists of the rows' numbers (the demo's RCPT-00001 ...) at that length."""
    return len(list(chunk_for_lookup([f"RCPT-{i:05d}" for i in range(1, n + 1)], budget)))


def test_a_submit_where_long_urls_are_refused_checks_every_row_and_sends_each_once(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(job_shape="by-number", job_delay_ms=0, volume=(2600, 200), max_url_bytes=8_000)
    n, report, used = submit_volume_counting_requests(sandbox, api_key, tmp_path / "journal.sqlite3", 2400)

    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * n
    assert all(o.message == "" for o in report.outcomes.values())
    assert sandbox.count_records(VOLUME, "invoice_payments") == n  # each row once
    refused = sandbox._stats.get("uri_too_long")
    short, long = chunks(n, LOOKUP_QUERY_BUDGET), chunks(n, LONG_LOOKUP_BUDGET)
    assert 1 <= refused <= long  # only long lists were refused, each once; then short lists only
    # Before sending: each long list asked again in short ones; the twin check: short lists.
    assert 2 * short <= used["lookup"] - refused <= 2 * short + long
    assert used["write"] == math.ceil(n / 200) and used["jobs"] == used["write"]

def test_the_same_submit_where_long_urls_are_taken_asks_half_the_lists(make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(job_shape="by-number", job_delay_ms=0, volume=(2600, 200))
    n, report, used = submit_volume_counting_requests(sandbox, api_key, tmp_path / "journal.sqlite3", 2400)

    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * n
    assert sandbox.count_records(VOLUME, "invoice_payments") == n
    assert all(o.message == "" for o in report.outcomes.values())
    assert sandbox._stats.get("uri_too_long") == 0
    assert used["lookup"] == 2 * chunks(n, LONG_LOOKUP_BUDGET) < 2 * chunks(n, LOOKUP_QUERY_BUDGET)
