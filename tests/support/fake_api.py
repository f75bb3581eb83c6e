"""An in-memory stand-in for the API client, for engine scenarios a real server cannot be
made to produce on cue (a lookup failing at one exact moment, a bulk write outliving its
wait, a record that lands after its answer was lost). Everything else is tested against
the sandbox over HTTP."""

from __future__ import annotations

import datetime as dt
import itertools

from rootfi_excel.api.answers import Job, Sync
from rootfi_excel.errors import OutcomeUnknownError
from rootfi_excel.fields.integrations import RequirementBook
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, RESULT_COLUMNS
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.submission.engine import SubmitOptions, Submitter
from rootfi_excel.validation.validate import validate_credit_notes, validate_payments
from rootfi_excel.sheets.port import Table


class FakeApi:
    def __init__(self) -> None:
        self.records: list[dict] = []  # what list endpoints show
        self.ids = itertools.count(1000)
        self.lose_next_create = False
        self.syncs: dict[str, list[dict]] = {}
        self.creates = 0
        self.clock = FakeClock()
        # Records the rows refer to (kind -> platform id -> record), as Submit reads them by id
        # just before sending; an id not set here is an open invoice / an active record.
        self.references: dict[str, dict[str, dict]] = {}
        self.reference_reads = 0

    def _make(self, body: dict) -> dict:
        record = dict(body, rootfi_id=next(self.ids))
        record["platform_id"] = f"P{record['rootfi_id']}"
        return record

    def create(self, company_id, model, body):
        self.creates += 1
        record = self._make(body)
        self.records.append(record)
        if self.lose_next_create:
            self.lose_next_create = False
            raise OutcomeUnknownError("ReadTimeout (simulated)")
        return record

    def create_async(self, company_id, model, bodies):
        self.creates += len(bodies)
        sync_id = f"S{len(self.syncs) + 1}"
        jobs = []
        for index, body in enumerate(bodies):
            record = self._make(body)
            self.records.append(record)
            jobs.append({"status": "SUCCESS", "data": {"rootfi_id": record["rootfi_id"], "platform_id": record["platform_id"]},
                         "variables": {"record_index": index, "document_number": body.get("document_number")}})
        self.syncs[sync_id] = jobs
        return sync_id

    def get_sync(self, sync_id):
        return Sync(sync_id=sync_id, status="SUCCESS")

    def list_sync_jobs(self, sync_id):
        return [Job.model_validate(job) for job in self.syncs[sync_id]]

    def list_company_syncs(self, company_id, job_type="PUSH"):
        return []

    def server_now(self):
        return self.clock.server_now()

    def find_by_document_numbers(self, company_id, model, numbers):
        wanted = set(numbers)
        return [r for r in self.records if r.get("document_number") in wanted]

    def find_by_platform_ids(self, company_id, name, ids):
        """Referenced records read by id just before sending (submission/references.py)."""
        self.reference_reads += 1
        default = {"status": "SUBMITTED", "amount_due": 1e9} if name == "invoices" else {"status": "ACTIVE"}
        return [self.references.get(name, {}).get(pid) or {"rootfi_id": 1, "platform_id": pid, **default}
                for pid in ids]


def payments(rows: list[dict]):
    headers = [c.name for c in PAYMENTS.columns] + list(RESULT_COLUMNS)
    table = Table(headers, [[r.get(h) for h in headers] for r in rows])
    return validate_payments(table, WorkbookSettings(), RequirementBook()).ready


def credit_notes(rows: list[dict]):
    headers = [c.name for c in CREDIT_NOTE_LINES.columns] + list(RESULT_COLUMNS)
    table = Table(headers, [[r.get(h) for h in headers] for r in rows])
    return validate_credit_notes(table, WorkbookSettings(), RequirementBook()).ready


class FakeClock:
    """Time that passes only when the engine sleeps: waits cost nothing, deadlines still hold."""

    def __init__(self) -> None:
        self.now = 0.0
        self.start = dt.datetime(2026, 3, 31, 9, 0, tzinfo=dt.timezone.utc)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def server_now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.now)

    def local_now(self) -> dt.datetime:
        return self.server_now()


def engine(api, journal, base_url="https://api.example/v4", **options) -> Submitter:
    clock = getattr(api, "clock", None) or FakeClock()
    return Submitter(api, journal, base_url=base_url, company_id=1, integration="QUICKBOOKS",
                     options=SubmitOptions(**{"resend_after": 0, **options}), sleep=clock.sleep,
                     clock=clock.monotonic, now=clock.local_now)


def pay(number: str, invoice: str, amount: float) -> dict:
    return {"document_number": number, "invoice_id": invoice, "amount": amount, "payment_date": dt.date(2026, 3, 3)}
