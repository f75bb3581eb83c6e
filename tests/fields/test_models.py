"""The unified field models: every documented example parses without losing a field."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import ValidationError

from rootfi_excel.fields.models import (
    CreditNoteLineRequest,
    InvoiceCreditNote,
    InvoiceCreditNoteRequest,
    InvoicePayment,
    InvoicePaymentRequest,
)
from tests.support.paths import FIXTURES

EXAMPLES = FIXTURES / "api_examples"


def load(name: str):
    return json.loads((EXAMPLES / name).read_text())


def _equal(original, parsed) -> bool:
    """Values are the same after parsing (timestamps compared as instants, numbers as numbers)."""
    if isinstance(original, dict):
        return all(_equal(v, parsed[_key(k, parsed)]) for k, v in original.items())
    if isinstance(original, list):
        return len(original) == len(parsed) and all(_equal(a, b) for a, b in zip(original, parsed))
    if isinstance(parsed, dt.datetime) and isinstance(original, str):
        return parsed == dt.datetime.fromisoformat(original.replace("Z", "+00:00"))
    if isinstance(parsed, float) and isinstance(original, str):
        return parsed == float(original)
    return original == parsed


def _key(key: str, parsed: dict) -> str:
    # v3 called the line discount total_discount; v4 calls it discount_amount.
    return "discount_amount" if key == "total_discount" and key not in parsed else key


ANSWERS = [
    ("v4_create_invoice_payment_answer.json", InvoicePayment, lambda d: [d["data"]]),
    ("v4_invoice_payment_model_example.json", InvoicePayment, lambda d: [d]),
    ("v3_create_invoice_payments_answer.json", InvoicePayment, lambda d: [d["data"]]),
    ("v3_list_invoice_payments_answer.json", InvoicePayment, lambda d: d["data"]),
    ("v4_create_invoice_credit_note_answer.json", InvoiceCreditNote, lambda d: [d["data"]]),
    ("v3_create_invoice_credit_note_answer.json", InvoiceCreditNote, lambda d: [d["data"]]),
    ("v3_list_invoice_credit_notes_answer.json", InvoiceCreditNote, lambda d: d["data"]),
]


@pytest.mark.parametrize("name,model,records", ANSWERS, ids=[a[0] for a in ANSWERS])
def test_every_documented_answer_parses_without_losing_a_field(name, model, records):
    for record in records(load(name)):
        parsed = model.model_validate(record)
        dumped = parsed.model_dump()
        assert _equal(record, dumped), f"{name}: a field was lost or changed"


def test_currency_rate_given_as_a_string_becomes_a_number():
    payment = InvoicePayment.model_validate(load("v4_create_invoice_payment_answer.json")["data"])
    assert payment.currency_rate == 123456.0
    assert InvoicePayment.model_validate({"currency_rate": "not a rate"}).currency_rate == "not a rate"


def test_rootfi_deleted_at_null_and_timestamps_are_parsed():
    payment = InvoicePayment.model_validate(load("v4_create_invoice_payment_answer.json")["data"])
    assert payment.rootfi_deleted_at is None
    assert payment.rootfi_created_at == dt.datetime(2024, 1, 22, 5, 7, 31, 465000, tzinfo=dt.timezone.utc)


def test_line_discount_accepts_the_old_and_new_names():
    assert CreditNoteLineRequest.model_validate({"total_discount": 5}).discount_amount == 5
    assert CreditNoteLineRequest.model_validate({"discount_amount": 7}).discount_amount == 7
    v3 = InvoiceCreditNote.model_validate(load("v3_create_invoice_credit_note_answer.json")["data"])
    assert v3.line_items[0].discount_amount == 100


def test_unknown_answer_fields_are_kept():
    payment = InvoicePayment.model_validate({"rootfi_id": 1, "a_new_field": {"x": 1}})
    assert payment.model_dump()["a_new_field"] == {"x": 1}


def test_documented_requests_are_accepted_and_round_trip():
    payment = load("v4_create_invoice_payment_request.json")["data"]
    assert InvoicePaymentRequest.model_validate(payment).to_api() == {**payment, "payment_date": "2021-09-28T15:00:00.000Z"}
    note = load("v4_create_invoice_credit_note_request.json")["data"]
    body = InvoiceCreditNoteRequest.model_validate(note).to_api()
    assert body["line_items"][0] == note["line_items"][0]
    assert body["currency_id"] == "GBP"


def test_requests_refuse_fields_the_api_does_not_take():
    with pytest.raises(ValidationError):
        InvoicePaymentRequest(amout=5)  # a typo must never vanish silently
    with pytest.raises(ValidationError):
        InvoicePaymentRequest(rootfi_id=5)  # read-only fields are not sent


def test_request_dates_are_sent_as_iso_dates_and_blanks_are_left_out():
    body = InvoicePaymentRequest(invoice_id="1", amount=10.5, payment_date=dt.date(2026, 3, 4)).to_api()
    assert body == {"invoice_id": "1", "amount": 10.5, "payment_date": "2026-03-04"}
