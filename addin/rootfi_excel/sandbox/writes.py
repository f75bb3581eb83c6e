"""Creating invoice payments and invoice credit notes (used by sync writes and the job worker).

Checks and insert run in one transaction, so two concurrent writes cannot both pass a
duplicate check, and a payment and its invoice's new amount_due commit together.
"""

from __future__ import annotations

from rootfi_excel.sandbox import platform_rules
from rootfi_excel.sandbox.db import Database
from rootfi_excel.sandbox.seed import platform_id

# New platform ids on numeric-id platforms start here, far above the seeded ones.
FIRST_NEW_NUMBER = 200000


def create(db: Database, company: dict, model: str, data: object) -> dict:
    with db.transaction():
        if model == "invoice_payments":
            return _create_payment(db, company, data)
        return _create_credit_note(db, company, data)


def new_record(db: Database, company_id: int, model: str, fields: dict) -> dict:
    """A record the platform made itself (an invoice issued, a customer added: a test and
    benchmark helper), with a new platform id and stamps of now; returned as stored."""
    company = db.company(company_id)
    if company is None:
        raise ValueError(f"no company {company_id} in the sandbox")
    stamp = db.now_iso()
    pid = _new_platform_id(db, company)
    fields = {k: v for k, v in fields.items() if k not in ("rootfi_id", "platform_id", "platform_unique_id")}
    return db.insert_record(company_id, model, {**_base(company, pid, stamp), **fields, "updated_at": stamp})


def _new_platform_id(db: Database, company: dict) -> str:
    return platform_id(company["integration"], db.next_number("platform_number", FIRST_NEW_NUMBER))


def _base(company: dict, pid: str, stamp: str) -> dict:
    return {
        "rootfi_created_at": stamp,
        "rootfi_updated_at": stamp,
        "rootfi_deleted_at": None,
        "rootfi_company_id": company["rootfi_id"],
        "platform_id": pid,
        "platform_unique_id": pid,
    }


def _create_payment(db: Database, company: dict, data: object) -> dict:
    fields, invoice = platform_rules.check_payment(db, company, data)
    stamp = db.now_iso()
    pid = _new_platform_id(db, company)
    record = {
        **_base(company, pid, stamp),
        "payment_id": pid,
        "invoice_id": fields["invoice_id"],
        "account_id": fields.get("account_id"),
        "credit_note_id": fields.get("credit_note_id"),
        # Like a platform, fill the contact and currency from the invoice when not given.
        "contact_id": fields.get("contact_id") or invoice["contact_id"],
        "currency_id": fields.get("currency_id") or invoice["currency_id"],
        "amount": fields["amount"],
        "currency_rate": float(fields["currency_rate"]) if fields.get("currency_rate") is not None else None,
        "payment_date": fields.get("payment_date") or stamp,
        "payment_mode": fields.get("payment_mode"),
        "memo": fields.get("memo"),
        "document_number": fields.get("document_number"),
        "raw_data": fields["raw_data"],
        "updated_at": stamp,
    }
    created = db.insert_record(company["rootfi_id"], "invoice_payments", record)

    due = round(max(0.0, float(invoice["amount_due"]) - fields["amount"]), 2)
    invoice.update(amount_due=due, status="PAID" if due == 0 else "PARTIALLY_PAID",
                   rootfi_updated_at=stamp, updated_at=stamp)
    db.update_record(invoice["rootfi_id"], invoice)
    return created


def _create_credit_note(db: Database, company: dict, data: object) -> dict:
    fields = platform_rules.check_credit_note(db, company, data)
    stamp = db.now_iso()
    pid = _new_platform_id(db, company)
    lines = []
    for line in fields["line_items"]:
        sub_total = round(line["quantity"] * line["unit_amount"] - line["discount_amount"], 2)
        tax_amount = round(sub_total * line.get("_tax_rate", 0.0) / 100, 2)
        line_pid = f"{pid}_{len(lines) + 1}"
        lines.append({
            "rootfi_id": db.next_number("line_item_id", 1),
            "platform_id": line_pid,
            "line_item_type": "INVOICE_CREDIT_NOTES",
            "line_item_type_id": pid,
            "tracking_category_ids": line.get("tracking_category_ids") or [],
            "project_id": line.get("project_id"),
            "item_id": line.get("item_id"),
            "tax_id": line.get("tax_id"),
            "account_id": line.get("account_id"),
            "description": line.get("description"),
            "quantity": line["quantity"],
            "unit_amount": line["unit_amount"],
            "total_amount": round(sub_total + tax_amount, 2),
            "sub_total": sub_total,
            "tax_amount": tax_amount,
            "discount_amount": line["discount_amount"],
            "updated_at": stamp,
        })
    total = round(sum(line["total_amount"] for line in lines), 2)
    raw = fields["raw_data"]
    rate = fields.get("currency_rate", raw.get("currency_rate"))
    record = {
        **_base(company, pid, stamp),
        "contact_id": fields["contact_id"],
        "document_number": fields.get("document_number"),
        "total_amount": total,
        "remaining_credit": total,
        "posted_date": fields.get("posted_date") or stamp,
        "currency_id": fields.get("currency_id") or fields["_contact"]["currency_id"],
        "currency_rate": float(rate) if rate is not None else None,
        "memo": fields.get("memo"),
        "status": "SUBMITTED",
        "invoice_ids": fields.get("invoice_ids") or [],
        "updated_at": stamp,
        "tax_amount": round(sum(line["tax_amount"] for line in lines), 2),
        "line_items": lines,
        "raw_data": raw,
    }
    return db.insert_record(company["rootfi_id"], "invoice_credit_notes", record)


def public(record: dict) -> dict:
    """A record as the API answers it: raw_data is kept in the store but not echoed."""
    return {k: v for k, v in record.items() if k != "raw_data"}
