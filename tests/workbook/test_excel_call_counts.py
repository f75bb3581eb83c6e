"""Excel calls stay constant in the number of rows: Validate and Submit make
the same number of cross-application calls for 10 and for 10,000 rows, progress
included; benchmarks/bench_excel_calls.py prints the same figures."""

from __future__ import annotations

import itertools

import pytest

from rootfi_excel.api.credentials import store_api_key
from rootfi_excel.app import account
from rootfi_excel.workbook.excel_ui import ExcelUI
from tests.support.excel_calls import count_calls
from tests.support.fake_xlwings import FakeApp

SMALL_CONSTANT = 2


@pytest.mark.slow
def test_validate_and_submit_make_as_many_excel_calls_for_10_rows_as_for_10000(make_sandbox, api_key, monkeypatch):
    from tests.support.submitting import fast_client, fast_client_options

    sandbox = make_sandbox(job_delay_ms=0)  # the bulk writes' pace is not what is counted (2 ms a record: 20 s)
    store_api_key("default", api_key)
    monkeypatch.setattr(account, "CLIENT_OPTIONS", fast_client_options())
    with fast_client(sandbox, api_key) as client:
        invoices = [i["platform_id"] for i in itertools.islice(
            client.iter_records(1001, "invoices", {"amount_due": ("gt", 100)}, limit=1000), 1000)]
    still = lambda: 0.0  # noqa: E731  - time does not pass: the count depends on the code alone
    small = count_calls(10, sandbox.base_url, invoices, prefix="S", clock=still)
    large = count_calls(10_000, sandbox.base_url, invoices, prefix="L", clock=still)
    print(f"Excel calls, 10 rows: {small}; 10,000 rows: {large}")
    assert abs(small["validate"] - large["validate"]) <= SMALL_CONSTANT, (small, large)
    assert abs(small["submit"] - large["submit"]) <= SMALL_CONSTANT, (small, large)


def test_the_status_bar_is_updated_at_most_a_few_times_a_second():
    app = FakeApp()
    now = [0.0]
    ui = ExcelUI(app, clock=lambda: now[0], min_interval=0.25)
    with ui.working("Submitting"):
        for done in range(10_000):  # 10,000 progress reports over 5 seconds
            now[0] = done * 0.0005
            ui.progress(done, 10_000, "Invoice payments: created")
    shown = [s for s in app.status_history if s and "/10000" in s]
    assert 15 <= len(shown) <= 21, len(shown)  # 4 a second, plus the first
    assert shown[0] == "RootFi: Invoice payments: created (0/10000)"
    assert app.status_history[-1] is False  # given back to Excel
