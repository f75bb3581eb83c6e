"""Property-based test of the engine's promise, on the in-memory API: whatever answers
are lost, whatever lookups fail, whatever rows the accountant edits or deletes between
runs, no record is ever created twice, and a row shown Created points at a record
that is really its own."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rootfi_excel.api.errors import NetworkError, OutcomeUnknownError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import matching
from rootfi_excel.submission.journal import Journal
from tests.support.fake_api import FakeApi, engine, pay, payments

# More examples for a deeper hunt: ENGINE_EXAMPLES=1000 pytest tests/test_engine_properties.py
EXAMPLES = int(os.environ.get("ENGINE_EXAMPLES", "60"))
FAULTS = ["ok", "ok", "ok", "lost-after-commit", "lost-before-commit", "not-sent"]


class FlakyApi(FakeApi):
    """Accepts duplicates (as QuickBooks does), so a double creation would show."""

    def __init__(self, faults: list[str], lookups_fail: list[bool]) -> None:
        super().__init__()
        self.faults = list(faults)
        self.lookups_fail = list(lookups_fail)

    def _fault(self) -> str:
        return self.faults.pop(0) if self.faults else "ok"

    def create(self, company_id, model, body):
        fault = self._fault()
        if fault == "not-sent":
            raise NetworkError("ConnectError (simulated)")
        if fault == "lost-before-commit":
            raise OutcomeUnknownError("502 before commit (simulated)")
        record = super().create(company_id, model, body)
        if fault == "lost-after-commit":
            raise OutcomeUnknownError("connection dropped after commit (simulated)")
        return record

    def create_async(self, company_id, model, bodies):
        fault = self._fault()
        if fault == "not-sent":
            raise NetworkError("ConnectError (simulated)")
        if fault == "lost-before-commit":
            raise OutcomeUnknownError("502 before commit (simulated)")
        sync_id = super().create_async(company_id, model, bodies)
        if fault == "lost-after-commit":
            raise OutcomeUnknownError("connection dropped after commit (simulated)")
        return sync_id

    def find_by_document_numbers(self, company_id, model, numbers):
        if self.lookups_fail and self.lookups_fail.pop(0):
            raise NetworkError("lookup failed (simulated)")
        return super().find_by_document_numbers(company_id, model, numbers)


run_plan = st.fixed_dictionaries({
    "rows": st.lists(st.integers(0, 7), min_size=1, max_size=8, unique=True),  # which rows are in the sheet
    "edits": st.lists(st.integers(0, 7), max_size=2),  # rows whose amount the accountant changes
})


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs=st.lists(run_plan, min_size=1, max_size=4),
       faults=st.lists(st.sampled_from(FAULTS), max_size=12),
       lookups_fail=st.lists(st.booleans(), max_size=8),
       threshold=st.sampled_from([0, 3, 10]))
def test_no_record_is_ever_created_twice(runs, faults, lookups_fail, threshold):
    api = FlakyApi(faults, lookups_fail)
    amounts = {i: 100.0 + i for i in range(8)}
    with tempfile.TemporaryDirectory() as folder:
        journal = Journal(Path(folder) / "journal.sqlite3")
        created_rows: set[int] = set()  # rows the sheet shows Created (so never sent again)
        last: dict[int, object] = {}

        def submit(present: list[int]) -> None:
            rows = [i for i in present if i not in created_rows]
            units = payments([pay(f"CHQ-{i}", f"INV-{i}", amounts[i]) for i in rows])
            report = engine(api, journal, sync_threshold=threshold, batch_size=3).submit("invoice_payments", units)
            for position, outcome in report.outcomes.items():
                last[rows[position]] = outcome
                if outcome.status == Status.CREATED:
                    created_rows.add(rows[position])

        for run in runs:
            for row in run["edits"]:
                if row not in created_rows:
                    amounts[row] += 0.5
            submit(sorted(run["rows"]))
        api.faults, api.lookups_fail = [], []
        for _ in range(4):  # then Submit again, all rows present, until nothing is left
            submit(list(range(8)))
        journal.close()

    keys = Counter((r["document_number"], r["invoice_id"]) for r in api.records)
    assert all(count == 1 for count in keys.values()), f"created twice: {keys}"
    by_id = {str(r["rootfi_id"]): r for r in api.records}
    for row, outcome in last.items():
        if outcome.status == Status.CREATED:
            record = by_id[outcome.rootfi_id]
            body = {"document_number": f"CHQ-{row}", "invoice_id": f"INV-{row}"}
            assert matching.lookup_key("invoice_payments", body) == matching.lookup_key("invoice_payments", record)
        else:
            # The only way not to end Created: the row was edited after an earlier version
            # of it was created, and the engine says so instead of sending it again.
            assert outcome.status == Status.FAILED and "other values" in outcome.message, (row, outcome)
