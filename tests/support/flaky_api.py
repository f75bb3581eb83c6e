"""An in-memory API (tests/support/fake_api.py) that loses answers, fails lookups and
lands bulk writes late, as the property tests of the engine and of Submit draw it."""

from __future__ import annotations

from rootfi_excel.api.answers import Job, Sync
from rootfi_excel.errors import NetworkError, OutcomeUnknownError, UnexpectedAnswerError
from tests.support.fake_api import FakeApi


FAULTS = ["ok", "ok", "ok", "lost-after-commit", "lost-before-commit", "not-sent"]


READS = ["ok", "ok", "ok", "fail", "odd"]  # a lookup, a jobs list, a syncs list


class FlakyApi(FakeApi):
    """Accepts duplicates (as QuickBooks does), so a double creation would show. Bulk
    writes land their records only when their (fake) time is up."""

    def __init__(self, faults: list[str], reads: list[str], durations: list[int], running_status: str) -> None:
        super().__init__()
        self.faults, self.reads, self.durations = list(faults), list(reads), list(durations)
        self.running_status = running_status
        self.bulk: dict[str, dict] = {}
        self.before_first_write = None  # a colleague who presses Submit at the same moment

    def calm(self) -> None:
        self.faults, self.reads, self.durations = [], [], []

    def _fault(self) -> str:
        if self.before_first_write is not None:
            colleague, self.before_first_write = self.before_first_write, None
            colleague()
        return self.faults.pop(0) if self.faults else "ok"

    def _read(self, what: str) -> None:
        kind = self.reads.pop(0) if self.reads else "ok"
        if kind == "fail":
            raise NetworkError(f"{what} failed (simulated)")
        if kind == "odd":
            raise UnexpectedAnswerError(f"{what} held no list (simulated)")

    def _land(self) -> None:
        for sync in self.bulk.values():
            if not sync["landed"] and self.clock.now >= sync["done_at"]:
                self.records += sync["records"]
                sync["landed"] = True

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
        self.creates += len(bodies)
        sync_id = f"S{len(self.bulk) + 1}"
        duration = self.durations.pop(0) if self.durations else 0
        self.bulk[sync_id] = {"records": [self._make(b) for b in bodies], "done_at": self.clock.now + duration,
                              "start": self.clock.server_now(), "landed": False}
        self._land()
        if fault == "lost-after-commit":
            raise OutcomeUnknownError("connection dropped after commit (simulated)")
        return sync_id

    def get_sync(self, sync_id):
        self._land()
        sync = self.bulk[sync_id]
        return Sync(sync_id=sync_id, status="SUCCESS" if sync["landed"] else self.running_status,
                    start_time=sync["start"].isoformat())

    def list_sync_jobs(self, sync_id):
        self._read("jobs list")
        self._land()
        sync = self.bulk[sync_id]
        return [Job(status="SUCCESS", data={"rootfi_id": r["rootfi_id"], "platform_id": r["platform_id"]},
                    variables={"record_index": i, "document_number": r["document_number"]})
                if sync["landed"] else Job(status=self.running_status, variables={"record_index": i})
                for i, r in enumerate(sync["records"])]

    def list_company_syncs(self, company_id, job_type="PUSH"):
        self._read("syncs list")
        return [self.get_sync(sync_id) for sync_id in self.bulk]

    def find_by_document_numbers(self, company_id, model, numbers):
        self._read("lookup")
        self._land()
        return super().find_by_document_numbers(company_id, model, numbers)
