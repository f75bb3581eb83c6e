"""The models the sandbox serves: their fields and field types (for list filters).

Field lists follow the v4 pages and, where v4 is silent, the v3 OpenAPI file.
Types: "str", "num", "bool", "list" (a JSON list of strings), "obj" (not filterable).
"""

from __future__ import annotations

BASE_FIELDS = {
    "rootfi_id": "num",
    "rootfi_created_at": "str",
    "rootfi_updated_at": "str",
    "rootfi_deleted_at": "str",
    "rootfi_company_id": "num",
    "platform_id": "str",
    "platform_unique_id": "str",
    "updated_at": "str",
}

MODEL_FIELDS: dict[str, dict[str, str]] = {
    "contacts": {
        "name": "str", "contact_name": "str", "contact_type": "str", "currency_id": "str",
        "tax_number": "str", "registration_number": "str", "status": "str",
    },
    "invoices": {
        "document_number": "str", "contact_id": "str", "currency_id": "str", "currency_rate": "num",
        "posted_date": "str", "due_date": "str", "memo": "str", "status": "str",
        "sub_total": "num", "tax_amount": "num", "total_discount": "num", "total_amount": "num",
        "amount_due": "num", "sales_order_ids": "list",
    },
    "accounts": {
        "name": "str", "description": "str", "nominal_code": "str", "current_balance": "num",
        "status": "str", "category": "str", "sub_category": "str", "currency_id": "str",
        "parent_account_id": "str",
    },
    "currencies": {
        "name": "str", "code": "str", "symbol": "str", "is_base_currency": "bool", "exchange_rate": "num",
    },
    "tax_rates": {
        "name": "str", "code": "str", "tax_type": "str", "effective_tax_rate": "num",
        "total_tax_rate": "num", "components": "obj",
    },
    "items": {
        "name": "str", "description": "str", "status": "str", "type": "str", "code": "str",
        "quantity_on_hand": "num", "is_bill_item": "bool", "is_invoice_item": "bool",
        "invoice_item": "obj", "bill_item": "obj",
    },
    "invoice_payments": {
        "payment_id": "str", "invoice_id": "str", "account_id": "str", "credit_note_id": "str",
        "contact_id": "str", "currency_id": "str", "amount": "num", "currency_rate": "num",
        "payment_date": "str", "payment_mode": "str", "memo": "str", "document_number": "str",
    },
    "invoice_credit_notes": {
        "contact_id": "str", "document_number": "str", "posted_date": "str", "currency_id": "str",
        "currency_rate": "num", "invoice_ids": "list", "memo": "str", "status": "str",
        "total_amount": "num", "remaining_credit": "num", "tax_amount": "num", "line_items": "obj",
    },
}

# data_model names used by syncs and jobs.
DATA_MODEL = {"invoice_payments": "INVOICE_PAYMENTS", "invoice_credit_notes": "INVOICE_CREDIT_NOTES"}
WRITABLE_MODELS = tuple(DATA_MODEL)


def field_types(model: str) -> dict[str, str]:
    return {**BASE_FIELDS, **MODEL_FIELDS[model]}
