"""Helpers for submission tests: realistic units from the sandbox's own lists, a fast
client, and an engine wired to a private journal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rootfi_excel.api.client import RootFiClient
from rootfi_excel.api.ratelimit import RateLimiter
from rootfi_excel.api.retry import RetryPolicy
from rootfi_excel.demo.data import credit_note_rows, fetch_lookups, payment_rows
from rootfi_excel.fields.integrations import RequirementBook
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, RESULT_COLUMNS
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.submission.engine import SubmitOptions, Submitter
from rootfi_excel.submission.journal import Journal
from rootfi_excel.validation.validate import Unit, validate_credit_notes, validate_payments
from rootfi_excel.sheets.port import Table

FAST_OPTIONS = dict(batch_size=100, resend_after=0.3, sync_timeout=60.0, max_rounds=3)


def fast_client_options() -> dict[str, Any]:
    """RootFiClient arguments for tests: a short timeout and quick retries; the limiter
    still works, just faster."""
    return dict(timeout=1.0, limiter=RateLimiter(per_minute=60_000, burst=500),
                # Retry-After obeyed up to 0.05 s: the sandbox's 429 bursts count requests, not
                # seconds; that it is obeyed is pinned with a fake clock (tests/api/test_client_over_http.py).
                retry=RetryPolicy(max_attempts=8, base_delay=0.02, max_delay=0.2, max_retry_after=0.05))


def fast_client(sandbox: Any, api_key: str, **overrides: Any) -> RootFiClient:
    """A client with a short timeout and quick retries; the limiter still works, just faster."""
    options = fast_client_options()
    options.update(overrides)
    return RootFiClient(api_key, base_url=sandbox.base_url, **options)


def table_of(layout, rows: list[dict[str, Any]], extra: tuple[str, ...] = ()) -> Table:
    headers = [c.name for c in layout.columns] + list(extra) + list(RESULT_COLUMNS)
    return Table(headers, [[row.get(h) for h in headers] for row in rows])


def payment_units(client: RootFiClient, company_id: int, count: int, integration: str, *, prefix: str = "RCPT",
                  seed: int = 1) -> list[Unit]:
    rows = payment_rows(fetch_lookups(client, company_id), count, integration=integration, with_mistakes=False,
                        prefix=prefix, seed=seed)
    extra = ("arr_account_id", "payment_journal_id")
    sheet = validate_payments(table_of(PAYMENTS, rows, extra), WorkbookSettings(integration=integration),
                              RequirementBook())
    assert len(sheet.ready) == len(rows), [r.message for r in sheet.results.values() if r.message][:3]
    return sheet.ready


def credit_note_units(client: RootFiClient, company_id: int, count: int, integration: str, *,
                      prefix: str = "CN", seed: int = 2) -> list[Unit]:
    rows = credit_note_rows(fetch_lookups(client, company_id), count, integration=integration,
                            with_mistakes=False, prefix=prefix, seed=seed)
    sheet = validate_credit_notes(table_of(CREDIT_NOTE_LINES, rows, ("currency_rate",)),
                                  WorkbookSettings(integration=integration), RequirementBook())
    assert len(sheet.ready) == count, [r.message for r in sheet.results.values() if r.message][:3]
    return sheet.ready


def submitter(client: RootFiClient, journal_path: Path, sandbox: Any, company_id: int,
              integration: str, **options: Any) -> tuple[Submitter, Journal]:
    journal = Journal(journal_path)
    engine = Submitter(client, journal, base_url=sandbox.base_url, company_id=company_id, integration=integration,
                       options=SubmitOptions(**{**FAST_OPTIONS, **options}))
    return engine, journal


VOLUME = 1008  # the sandbox's volume company (QuickBooks)


def submit_volume_counting_requests(sandbox: Any, api_key: str, journal_path: Path, rows: int,
                                    **client_options: Any) -> tuple[int, Any, dict[str, int]]:
    """Submit `rows` payments of the sandbox's volume company in bulk writes of 200 through the
    engine; (rows made, the engine's report, the requests the sandbox counted by kind).
    client_options: fast_client's overrides. The timeout is long by default: on a loaded machine
    an answer later than fast_client's 1 s is read again, one request more, which blurs a count."""
    client = fast_client(sandbox, api_key, **{"timeout": 30.0, **client_options})
    units = payment_units(client, VOLUME, rows, "QUICKBOOKS")
    engine, _ = submitter(client, journal_path, sandbox, VOLUME, "QUICKBOOKS", batch_size=200)
    before = sandbox.requests_by_kind()
    report = engine.submit("invoice_payments", units)
    after = sandbox.requests_by_kind()
    return len(units), report, {kind: after.get(kind, 0) - before.get(kind, 0) for kind in after}
