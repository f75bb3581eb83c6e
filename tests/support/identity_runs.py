"""A Submit's run for the identity step alone (submission/identity.py): a real journal in a
temporary folder and a stand-in for the platform's lookups by rootfi_id, for the tests of what
rows that look like records made before are held for, and what they then say."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from rootfi_excel.submission.context import Run
from rootfi_excel.submission.journal import Journal

BASE, MODEL, PLATFORM = "https://api.example/v4", "invoice_payments", "QuickBooks Online"


def make_run(tmp_path, platform, workbook_id="wb-1") -> Run:
    """A run of workbook `workbook_id` (its file named after it) whose client is `platform`."""
    submitter = SimpleNamespace(
        client=platform, journal=Journal(tmp_path / "j.sqlite3"), base_url=BASE, company_id=1, platform=PLATFORM,
        options=None, sleep=lambda s: None, clock=lambda: 0.0,
        now=lambda: dt.datetime(2026, 3, 31, tzinfo=dt.timezone.utc), deadline=1e12,
        progress=lambda *args: None, workbook=f"{workbook_id}.xlsx", workbook_id=workbook_id)
    run = Run(submitter, MODEL)
    run.sheet = "payments"
    return run


def body(number, n=0):
    """A payment's values: n tells payments apart (another invoice and amount)."""
    return {"document_number": number, "invoice_id": f"INV-{n}", "amount": 100.0 + n}
