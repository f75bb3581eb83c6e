"""Synchronous writes and the platform-like checks the sandbox makes."""

from __future__ import annotations

import pytest

from tests.support.sandbox_api import (
    DYNAMICS, FRESHBOOKS, NETSUITE, QUICKBOOKS, SAGE, XERO, ZOHO,
    bank_account, client, credit_note_body, customer, lookup, open_invoice,
)

PAYMENTS = "/core/companies/{}/invoice_payments"
CREDIT_NOTES = "/core/companies/{}/invoice_credit_notes"
# What each integration needs in raw_data (the documented "additional required fields").
PAYMENT_RAW = {DYNAMICS: {"payment_journal_id": "PJ-1"}, NETSUITE: {"arr_account_id": "119"}}
CREDIT_RAW = {SAGE: {"currency_rate": 1.0}, FRESHBOOKS: {"currency_rate": "1.0"}}


@pytest.fixture
def api(sandbox, api_key):
    with client(sandbox, api_key) as api:
        yield api


def payment(api, company, **fields):
    invoice = fields.pop("invoice", None) or open_invoice(api, company)
    record = {"invoice_id": invoice["platform_id"], "account_id": bank_account(api, company)["platform_id"],
              "amount": 25.5, "payment_date": "2024-07-01T00:00:00.000Z", "document_number": "CHQ-100",
              "memo": "July cheque", "payment_mode": "Cheque"}
    if company in PAYMENT_RAW:
        record["raw_data"] = PAYMENT_RAW[company]
    record.update(fields)
    return {"data": record}


def error(answer, status=400):
    assert answer.status_code == status, answer.text
    return answer.json()["error"]


@pytest.mark.parametrize("company", [QUICKBOOKS, XERO, NETSUITE, DYNAMICS, SAGE, FRESHBOOKS])
def test_payment_is_created_in_the_documented_shape(sandbox, api, company):
    invoice = open_invoice(api, company)
    answer = api.post(PAYMENTS.format(company), json=payment(api, company, invoice=invoice))
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert isinstance(data["rootfi_id"], int) and isinstance(data["platform_id"], str)
    assert data["rootfi_company_id"] == company and data["rootfi_deleted_at"] is None
    for field in ("rootfi_created_at", "rootfi_updated_at", "platform_unique_id", "updated_at"):
        assert data[field]
    assert data["invoice_id"] == invoice["platform_id"] and data["amount"] == 25.5
    assert data["document_number"] == "CHQ-100" and data["payment_mode"] == "Cheque"
    assert data["contact_id"] == invoice["contact_id"] and data["currency_id"] == invoice["currency_id"]
    assert "raw_data" not in data
    assert sandbox.count_records(company, "invoice_payments") == 1
    # The payment lowers the invoice's amount due.
    after = lookup(api, company, "shared/invoices", **{"platform_id[eq]": invoice["platform_id"]})
    assert after["amount_due"] == round(invoice["amount_due"] - 25.5, 2)
    assert after["status"] == "PARTIALLY_PAID"
    listed = api.get(PAYMENTS.format(company)).json()["data"]
    assert [p["rootfi_id"] for p in listed] == [data["rootfi_id"]]


def test_credit_note_is_created_with_lines_and_totals(api):
    tax = lookup(api, XERO, "tax_rates", **{"effective_tax_rate[eq]": "20"})
    item = lookup(api, XERO, "items")
    invoice = open_invoice(api, XERO)
    body = credit_note_body(api, XERO, invoice_ids=[invoice["platform_id"]], memo="Damaged goods")
    body["data"]["line_items"][0].update(tax_id=tax["platform_id"], item_id=item["platform_id"], discount_amount=10)
    answer = api.post(CREDIT_NOTES.format(XERO), json=body)
    assert answer.status_code == 200, answer.text
    note = answer.json()["data"]
    assert note["status"] == "SUBMITTED" and note["invoice_ids"] == [invoice["platform_id"]]
    assert note["total_amount"] == 108.0 and note["remaining_credit"] == 108.0 and note["tax_amount"] == 18.0
    [line] = note["line_items"]
    assert line["line_item_type"] == "INVOICE_CREDIT_NOTES"
    assert isinstance(line["rootfi_id"], int) and isinstance(line["platform_id"], str)
    assert (line["sub_total"], line["tax_amount"], line["total_amount"], line["discount_amount"]) == (90, 18, 108, 10)
    listed = api.get(CREDIT_NOTES.format(XERO)).json()["data"]
    assert listed[0]["line_items"] == note["line_items"]


def test_array_without_run_async_is_invalid(api):
    body = payment(api, XERO)
    answer = api.post(PAYMENTS.format(XERO), json={"data": [body["data"], body["data"]]})
    assert error(answer)["code"] == "invalid-params"
    assert "run_async" in error(answer)["message"]
    answer = api.post(PAYMENTS.format(XERO), json={"data": [body["data"]]})
    assert error(answer)["code"] == "invalid-params"


def test_error_body_has_code_message_and_platform_error(api):
    answer = api.post(PAYMENTS.format(XERO), json={})
    body = answer.json()
    assert answer.status_code == 400 and set(body["error"]) == {"code", "message", "platform_error"}
    assert body["error"]["code"] == "missing-params"
    assert error(api.post(PAYMENTS.format(XERO), content=b"not json"))["code"] == "invalid-params"


@pytest.mark.parametrize("change, code, named", [
    ({"invoice_id": None}, "missing-params", "invoice_id"),
    ({"amount": None}, "missing-params", "amount"),
    ({"amount": 0}, "invalid-params", "amount"),
    ({"amount": -5}, "invalid-params", "amount"),
    ({"amount": "12"}, "invalid-params", "amount"),
    ({"invoice_id": "nope-1"}, "invalid-params", "nope-1"),
    ({"contact_id": "nope-2"}, "invalid-params", "contact_id"),
    ({"account_id": "nope-3"}, "invalid-params", "account_id"),
    ({"currency_id": "XXX"}, "invalid-params", "currency_id"),
    ({"credit_note_id": "nope-4"}, "invalid-params", "credit_note_id"),
    ({"invoice_id": 123}, "invalid-params", "invoice_id"),
    ({"payment_date": "yesterday"}, "invalid-params", "payment_date"),
    ({"colour": "red"}, "invalid-params", "colour"),
])
def test_payment_checks(sandbox, api, change, code, named):
    answer = api.post(PAYMENTS.format(XERO), json=payment(api, XERO, **change))
    found = error(answer)
    assert found["code"] == code and named in found["message"]
    assert sandbox.count_records(XERO, "invoice_payments") == 0


def test_referenced_ids_must_belong_to_the_company(api):
    other = open_invoice(api, QUICKBOOKS)
    found = error(api.post(PAYMENTS.format(XERO), json=payment(api, XERO, invoice=other)))
    assert found["code"] == "invalid-params" and other["platform_id"] in found["message"]


def test_archived_or_non_bank_account_is_platform_denied(api):
    for name in ("Old Operating Account", "Sales"):
        account = lookup(api, XERO, "accounts", **{"name[eq]": name})
        found = error(api.post(PAYMENTS.format(XERO), json=payment(api, XERO, account_id=account["platform_id"])))
        assert found["code"] == "platform-denied" and "account_id" in found["message"]
    funds = lookup(api, XERO, "accounts", **{"name[eq]": "Undeposited Funds"})
    assert api.post(PAYMENTS.format(XERO), json=payment(api, XERO, account_id=funds["platform_id"])).status_code == 200


@pytest.mark.parametrize("company", [XERO, NETSUITE, DYNAMICS, SAGE, FRESHBOOKS])
def test_overpayment_is_platform_denied(api, company):
    invoice = open_invoice(api, company)
    found = error(api.post(PAYMENTS.format(company),
                           json=payment(api, company, invoice=invoice, amount=invoice["amount_due"] + 1)))
    assert found["code"] == "platform-denied" and "amount due" in found["message"]
    exact = payment(api, company, invoice=invoice, amount=invoice["amount_due"])
    assert api.post(PAYMENTS.format(company), json=exact).status_code == 200
    after = lookup(api, company, "shared/invoices", **{"platform_id[eq]": invoice["platform_id"]})
    assert after["amount_due"] == 0 and after["status"] == "PAID"


def test_quickbooks_accepts_overpayment_and_duplicates(sandbox, api):
    invoice = open_invoice(api, QUICKBOOKS)
    body = payment(api, QUICKBOOKS, invoice=invoice, amount=invoice["amount_due"] + 100)
    assert api.post(PAYMENTS.format(QUICKBOOKS), json=body).status_code == 200
    body["data"]["amount"] = 1
    assert api.post(PAYMENTS.format(QUICKBOOKS), json=body).status_code == 200
    assert sandbox.count_records(QUICKBOOKS, "invoice_payments") == 2
    note = credit_note_body(api, QUICKBOOKS)
    assert api.post(CREDIT_NOTES.format(QUICKBOOKS), json=note).status_code == 200
    assert api.post(CREDIT_NOTES.format(QUICKBOOKS), json=note).status_code == 200


def test_duplicate_payment_key_is_document_number_and_invoice(sandbox, api):
    first, second = open_invoice(api, XERO), open_invoice(api, XERO, skip=1)
    assert api.post(PAYMENTS.format(XERO), json=payment(api, XERO, invoice=first)).status_code == 200
    found = error(api.post(PAYMENTS.format(XERO), json=payment(api, XERO, invoice=first)))
    assert found["code"] == "record-already-exists" and "CHQ-100" in found["message"]
    # One cheque may pay several invoices.
    assert api.post(PAYMENTS.format(XERO), json=payment(api, XERO, invoice=second)).status_code == 200
    assert sandbox.count_records(XERO, "invoice_payments") == 2


def test_duplicate_credit_note_number_is_refused(sandbox, api):
    assert api.post(CREDIT_NOTES.format(XERO), json=credit_note_body(api, XERO)).status_code == 200
    found = error(api.post(CREDIT_NOTES.format(XERO), json=credit_note_body(api, XERO)))
    assert found["code"] == "record-already-exists" and "CN-1" in found["message"]
    assert sandbox.count_records(XERO, "invoice_credit_notes") == 1


@pytest.mark.parametrize("company, field", [(DYNAMICS, "payment_journal_id"), (NETSUITE, "arr_account_id")])
def test_payment_raw_data_requirements(api, company, field):
    found = error(api.post(PAYMENTS.format(company), json=payment(api, company, raw_data={})))
    assert found["code"] == "missing-params" and f"raw_data.{field}" in found["message"]
    # Other platforms do not need it.
    assert api.post(PAYMENTS.format(XERO), json=payment(api, XERO)).status_code == 200


@pytest.mark.parametrize("company", [SAGE, FRESHBOOKS])
def test_credit_note_raw_data_requirements(api, company):
    found = error(api.post(CREDIT_NOTES.format(company), json=credit_note_body(api, company)))
    assert found["code"] == "missing-params" and "raw_data.currency_rate" in found["message"]
    body = credit_note_body(api, company, raw_data=CREDIT_RAW[company])
    answer = api.post(CREDIT_NOTES.format(company), json=body)
    assert answer.status_code == 200 and answer.json()["data"]["currency_rate"] == 1.0


@pytest.mark.parametrize("change, code, named", [
    ({"line_items": []}, "missing-params", "line_items"),
    ({"line_items": None}, "missing-params", "line_items"),
    ({"contact_id": None}, "missing-params", "contact_id"),
    ({"contact_id": "nope"}, "invalid-params", "contact_id"),
    ({"invoice_ids": ["nope"]}, "invalid-params", "invoice_ids[0]"),
    ({"currency_id": "XXX"}, "invalid-params", "currency_id"),
    ({"line_items": [{"account_id": "nope", "unit_amount": 1}]}, "invalid-params", "line_items[0].account_id"),
    ({"line_items": [{"item_id": "nope", "unit_amount": 1}]}, "invalid-params", "line_items[0].item_id"),
    ({"line_items": [{"description": "no account", "unit_amount": 1}]}, "missing-params", "line_items[0].account_id"),
    ({"line_items": [{"total_discount": 1}]}, "invalid-params", "discount_amount"),
])
def test_credit_note_checks(sandbox, api, change, code, named):
    found = error(api.post(CREDIT_NOTES.format(XERO), json=credit_note_body(api, XERO, **change)))
    assert found["code"] == code and named in found["message"]
    assert sandbox.count_records(XERO, "invoice_credit_notes") == 0


def test_credit_note_line_tax_id_must_exist(api):
    body = credit_note_body(api, XERO)
    body["data"]["line_items"][0]["tax_id"] = "nope"
    found = error(api.post(CREDIT_NOTES.format(XERO), json=body))
    assert found["code"] == "invalid-params" and "line_items[0].tax_id" in found["message"]


def test_disconnected_company_refuses_writes(sandbox, api):
    contact = customer(api, ZOHO)
    assert contact  # reads still work
    for path, body in ((PAYMENTS, payment(api, ZOHO)), (CREDIT_NOTES, credit_note_body(api, ZOHO))):
        found = error(api.post(path.format(ZOHO), json=body))
        assert found["code"] == "platform-denied" and "DISCONNECTED" in found["message"]
        found = error(api.post(path.format(ZOHO), params={"run_async": "true"}, json=body))
        assert found["code"] == "platform-denied"
    assert sandbox.count_records(ZOHO, "invoice_payments") == 0


def test_writes_to_unknown_company_or_read_only_model(api):
    assert error(api.post(PAYMENTS.format(999), json={"data": {}}), 404)["field"] == "company_id"
    found = error(api.post(f"/core/companies/{XERO}/accounts", json={"data": {"name": "x"}}))
    assert found["code"] == "operation-denied"
