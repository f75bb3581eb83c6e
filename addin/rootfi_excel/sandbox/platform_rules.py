"""The checks a platform makes on a write, as the sandbox plays them.

Order of checks (the first failure answers): fields known and well typed, required
fields present (missing-params), referenced ids exist for the company
(invalid-params), duplicate document numbers (record-already-exists), then the
platform's business rules (platform-denied).
"""

from __future__ import annotations

from datetime import datetime

from rootfi_excel.sandbox.db import Database
from rootfi_excel.sandbox.errors import (
    ALREADY_EXISTS,
    INVALID_PARAMS,
    MISSING_PARAMS,
    PLATFORM_DENIED,
    bad_request,
)

# The documented "additional required fields" inside raw_data.
REQUIRED_RAW_DATA = {
    "invoice_payments": {"MS_DYNAMICS_365": ["payment_journal_id"], "NETSUITE": ["arr_account_id"]},
    "invoice_credit_notes": {"SAGE_CLOUD_ACCOUNTING": ["currency_rate"], "FRESH_BOOKS": ["currency_rate"]},
}
# Platforms that refuse a payment above the invoice's amount due (QuickBooks keeps the overpayment as credit).
REFUSES_OVERPAYMENT = {"XERO", "NETSUITE", "MS_DYNAMICS_365", "SAGE_CLOUD_ACCOUNTING", "FRESH_BOOKS"}
# QuickBooks accepts duplicate document numbers; the others answer record-already-exists.
ACCEPTS_DUPLICATES = {"QUICKBOOKS"}

PAYMENT_FIELDS = {
    "payment_id", "invoice_id", "account_id", "credit_note_id", "contact_id", "currency_id", "amount",
    "currency_rate", "payment_date", "payment_mode", "memo", "document_number", "raw_data",
}
CREDIT_NOTE_FIELDS = {
    "contact_id", "document_number", "posted_date", "currency_id", "currency_rate", "invoice_ids", "memo",
    "line_items", "raw_data",
}
LINE_FIELDS = {
    "account_id", "item_id", "tax_id", "description", "quantity", "unit_amount", "discount_amount",
    "tracking_category_ids", "project_id",
}
STRING_FIELDS = {
    "payment_id", "invoice_id", "account_id", "credit_note_id", "contact_id", "currency_id", "payment_mode",
    "memo", "document_number", "item_id", "tax_id", "description", "project_id",
}
LABELS = {
    "invoices": "invoice", "contacts": "contact", "accounts": "account", "currencies": "currency",
    "tax_rates": "tax rate", "items": "item", "invoice_credit_notes": "invoice credit note",
}


def check_company_writable(company: dict) -> None:
    if company["connectionStatus"] != "HEALTHY":
        raise bad_request(
            PLATFORM_DENIED,
            f"Company {company['rootfi_id']} is {company['connectionStatus']} from {company['integration']}: "
            "reconnect it before writing.",
        )


def check_payment(db: Database, company: dict, data: object) -> tuple[dict, dict]:
    """Validate an invoice payment; returns (clean fields, the invoice it pays)."""
    fields = _object(data, "data")
    _known_fields(fields, PAYMENT_FIELDS, "")
    _types(fields, "")
    for name in ("invoice_id", "amount"):
        _required(fields, name)
    raw = _raw_data(fields, company, "invoice_payments")
    amount = _number(fields["amount"], "amount")
    if amount <= 0:
        raise bad_request(INVALID_PARAMS, f"amount must be greater than 0, got {amount}.", "amount")
    if fields.get("currency_rate") is not None:
        _positive_rate(fields["currency_rate"], "currency_rate")
    if fields.get("payment_date") is not None:
        _date(fields["payment_date"], "payment_date")

    company_id = company["rootfi_id"]
    invoice = _reference(db, company_id, "invoices", "invoice_id", fields["invoice_id"])
    account = None
    for name, model in (("contact_id", "contacts"), ("account_id", "accounts"), ("currency_id", "currencies"),
                        ("credit_note_id", "invoice_credit_notes")):
        if fields.get(name) is not None:
            found = _reference(db, company_id, model, name, fields[name])
            account = found if name == "account_id" else account

    document = fields.get("document_number")
    if document and company["integration"] not in ACCEPTS_DUPLICATES:
        twin = db.find_by_fields(company_id, "invoice_payments", document_number=document,
                                 invoice_id=fields["invoice_id"])
        if twin:
            raise bad_request(
                ALREADY_EXISTS,
                f"An invoice payment with document_number '{document}' already exists for invoice "
                f"'{fields['invoice_id']}' (platform_id {twin['platform_id']}).",
            )

    if account is not None and not _can_receive_payments(account):
        raise bad_request(
            PLATFORM_DENIED,
            f"account_id '{account['platform_id']}' ({account['name']}) cannot receive payments: "
            "use an active bank account or Undeposited Funds.",
        )
    due = float(invoice["amount_due"])
    if company["integration"] in REFUSES_OVERPAYMENT and amount > due + 0.005:
        raise bad_request(
            PLATFORM_DENIED,
            f"amount {amount:.2f} is more than the amount due {due:.2f} on invoice "
            f"{invoice['document_number']} (invoice_id '{invoice['platform_id']}').",
        )
    return {**fields, "amount": amount, "raw_data": raw}, invoice


def check_credit_note(db: Database, company: dict, data: object) -> dict:
    """Validate an invoice credit note; returns clean fields with typed line items."""
    fields = _object(data, "data")
    _known_fields(fields, CREDIT_NOTE_FIELDS, "")
    _types(fields, "")
    _required(fields, "contact_id")
    lines = fields.get("line_items")
    if lines is not None and not isinstance(lines, list):
        raise bad_request(INVALID_PARAMS, "line_items must be a list of line objects.", "line_items")
    if not lines:
        raise bad_request(MISSING_PARAMS, "line_items is required: a credit note needs at least one line.",
                          "line_items")
    raw = _raw_data(fields, company, "invoice_credit_notes")
    if "currency_rate" in raw:
        _positive_rate(raw["currency_rate"], "raw_data.currency_rate")
    if fields.get("currency_rate") is not None:
        _positive_rate(fields["currency_rate"], "currency_rate")
    if fields.get("posted_date") is not None:
        _date(fields["posted_date"], "posted_date")
    invoice_ids = fields.get("invoice_ids") or []
    if not isinstance(invoice_ids, list) or not all(isinstance(i, str) for i in invoice_ids):
        raise bad_request(INVALID_PARAMS, "invoice_ids must be a list of invoice id strings.", "invoice_ids")

    clean_lines = [_line(line, index) for index, line in enumerate(lines)]

    company_id = company["rootfi_id"]
    contact = _reference(db, company_id, "contacts", "contact_id", fields["contact_id"])
    if fields.get("currency_id") is not None:
        _reference(db, company_id, "currencies", "currency_id", fields["currency_id"])
    for index, invoice_id in enumerate(invoice_ids):
        _reference(db, company_id, "invoices", f"invoice_ids[{index}]", invoice_id)
    for index, line in enumerate(clean_lines):
        for name, model in (("account_id", "accounts"), ("item_id", "items"), ("tax_id", "tax_rates")):
            if line.get(name) is not None:
                found = _reference(db, company_id, model, f"line_items[{index}].{name}", line[name])
                if name == "tax_id":
                    line["_tax_rate"] = float(found["effective_tax_rate"])

    document = fields.get("document_number")
    if document and company["integration"] not in ACCEPTS_DUPLICATES:
        twin = db.find_by_fields(company_id, "invoice_credit_notes", document_number=document)
        if twin:
            raise bad_request(
                ALREADY_EXISTS,
                f"An invoice credit note with document_number '{document}' already exists "
                f"(platform_id {twin['platform_id']}).",
            )
    return {**fields, "raw_data": raw, "line_items": clean_lines, "_contact": contact}


# -- helpers -----------------------------------------------------------------------


def _object(value: object, name: str) -> dict:
    if not isinstance(value, dict):
        raise bad_request(INVALID_PARAMS, f"{name} must be a JSON object.", name)
    return value


def _known_fields(fields: dict, allowed: set[str], prefix: str) -> None:
    for name in fields:
        if name not in allowed:
            hint = " (the v4 name is discount_amount)" if name == "total_discount" else ""
            raise bad_request(
                INVALID_PARAMS,
                f"{prefix}{name} is not a writable field of this model{hint}.",
                prefix + name,
            )


def _types(fields: dict, prefix: str) -> None:
    # Platform ids and texts are strings: a number here is a client bug worth reporting.
    for name in STRING_FIELDS & fields.keys():
        value = fields[name]
        if value is not None and not isinstance(value, str):
            raise bad_request(INVALID_PARAMS, f"{prefix}{name} must be a string, got {value!r}.", prefix + name)


def _required(fields: dict, name: str, prefix: str = "") -> None:
    if fields.get(name) in (None, ""):
        raise bad_request(MISSING_PARAMS, f"{prefix}{name} is required.", prefix + name)


def _raw_data(fields: dict, company: dict, model: str) -> dict:
    raw = fields.get("raw_data")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise bad_request(INVALID_PARAMS, "raw_data must be a JSON object.", "raw_data")
    integration = company["integration"]
    for name in REQUIRED_RAW_DATA[model].get(integration, []):
        if raw.get(name) in (None, ""):
            raise bad_request(
                MISSING_PARAMS,
                f"raw_data.{name} is required when writing {model} to {integration}.",
                f"raw_data.{name}",
            )
    return raw


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad_request(INVALID_PARAMS, f"{name} must be a number, got {value!r}.", name)
    return float(value)


def _positive_rate(value: object, name: str) -> float:
    # currency_rate is a double on the v4 page and a string in v3: accept both spellings.
    try:
        rate = float(value) if not isinstance(value, bool) else -1.0
    except (TypeError, ValueError):
        rate = -1.0
    if rate <= 0:
        raise bad_request(INVALID_PARAMS, f"{name} must be a number greater than 0, got {value!r}.", name)
    return rate


def _date(value: object, name: str) -> None:
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(INVALID_PARAMS, f"{name} must be an ISO 8601 date, got {value!r}.", name) from None


def _reference(db: Database, company_id: int, model: str, field: str, value: str) -> dict:
    found = db.find_record(company_id, model, value)
    if found is None:
        raise bad_request(
            INVALID_PARAMS, f"{field} '{value}' does not match any {LABELS[model]} of company {company_id}.", field
        )
    return found


def _can_receive_payments(account: dict) -> bool:
    usable = account["category"] == "BANK" or account.get("sub_category") == "UNDEPOSITED_FUNDS"
    return usable and account["status"] == "ACTIVE"


def _line(line: object, index: int) -> dict:
    prefix = f"line_items[{index}]."
    fields = _object(line, f"line_items[{index}]")
    _known_fields(fields, LINE_FIELDS, prefix)
    _types(fields, prefix)
    if fields.get("account_id") in (None, "") and fields.get("item_id") in (None, ""):
        raise bad_request(MISSING_PARAMS, f"{prefix}account_id or {prefix}item_id is required.",
                          prefix + "account_id")
    _required(fields, "unit_amount", prefix)
    unit = _number(fields["unit_amount"], prefix + "unit_amount")
    quantity = _number(fields.get("quantity", 1), prefix + "quantity")
    discount = _number(fields.get("discount_amount") or 0, prefix + "discount_amount")
    if unit < 0 or quantity <= 0 or discount < 0:
        raise bad_request(
            INVALID_PARAMS,
            f"{prefix}unit_amount and discount_amount must not be negative and quantity must be above 0.",
            prefix + "unit_amount",
        )
    return {**fields, "unit_amount": unit, "quantity": quantity, "discount_amount": discount}
