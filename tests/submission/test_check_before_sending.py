"""The check before sending returns only the records still to send: a record already in
the platform (Created) and one whose number the platform has with other values (Failed)
have their outcome and are not among them, so nothing downstream can send them."""

from __future__ import annotations

from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.context import Item, Run
from rootfi_excel.submission.journal import Journal
from rootfi_excel.submission.platform_check import before_sending
from tests.support.fake_api import FakeApi, engine

BASE = "https://api.example/v4"
MODEL = "invoice_payments"


def _body(number: str, amount: float) -> dict:
    return {"document_number": number, "invoice_id": f"INV-{number}", "amount": amount, "payment_date": "2026-03-03"}


def test_only_records_without_an_outcome_are_left_to_send(tmp_path):
    api, journal = FakeApi(), Journal(tmp_path / "j.sqlite3")
    api.records += [api._make(_body("CHQ-1", 100.0)), api._make(_body("CHQ-2", 999.0))]
    items = [Item(0, _body("CHQ-1", 100.0), "fp0"), Item(1, _body("CHQ-2", 200.0), "fp1"),
             Item(2, _body("CHQ-3", 300.0), "fp2")]
    run = Run(engine(api, journal, base_url=BASE), MODEL)
    remaining = before_sending(run, items)
    assert [item.position for item in remaining] == [2]
    assert [item.outcome.status if item.outcome else None for item in items] == [Status.CREATED, Status.FAILED, None]
