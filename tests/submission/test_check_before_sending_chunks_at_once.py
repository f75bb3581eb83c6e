"""The check before sending asks its lookup chunks several at a time, and no row is sent
before every chunk of it answered, even when one chunk answers last and slowly."""

from __future__ import annotations

import threading
import time

from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.journal import Journal
from rootfi_excel.submission.lookups import CHECK_THREADS
from tests.support.fake_api import FakeApi, engine, pay, payments

MODEL = "invoice_payments"


class SlowChunks(FakeApi):
    """Lookups that take a while (the first chunk longest); records when each ended and
    how many were asked at once."""

    def __init__(self) -> None:
        super().__init__()
        self.lookup_budget = 30  # three numbers per chunk
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_at_once = 0
        self.lookups_ended: list[float] = []
        self.first_write: float | None = None

    def find_by_document_numbers(self, company_id, model, numbers):
        with self.lock:
            self.in_flight += 1
            self.most_at_once = max(self.most_at_once, self.in_flight)
            sent = self.creates > 0
        time.sleep(0.3 if "CHQ-000" in numbers else 0.05)
        try:
            return super().find_by_document_numbers(company_id, model, numbers)
        finally:
            with self.lock:
                self.in_flight -= 1
                if not sent:
                    self.lookups_ended.append(time.monotonic())

    def create_async(self, company_id, model, bodies):
        if self.first_write is None:
            self.first_write = time.monotonic()
        return super().create_async(company_id, model, bodies)


def test_no_bulk_write_goes_before_every_chunk_of_the_check_answered(tmp_path):
    api = SlowChunks()
    rows = [pay(f"CHQ-{n:03d}", "INV-1", 1.0) for n in range(30)]  # 10 chunks
    report = engine(api, Journal(tmp_path / "j.sqlite3"), batch_size=5, check_twins=False).submit(
        MODEL, payments(rows))

    assert [o.status for o in report.outcomes.values()].count(Status.CREATED) == 30
    assert len(api.lookups_ended) == 10
    assert api.most_at_once == min(10, CHECK_THREADS) > 4, "the check's chunks were not asked at once"
    assert api.first_write is not None and api.first_write >= max(api.lookups_ended), (
        "a bulk write went before the check's slowest chunk answered")
