"""Is this record in the platform the one we meant to create?

Used to reconcile an attempt whose answer was lost, to collect the ids of a bulk
write, and to find records that are already in the platform before sending. A
document number alone is not proof (QuickBooks accepts duplicates, and one cheque may
pay several invoices), so a payment must also match its invoice and amount, and a
credit note its customer.
"""

from __future__ import annotations

from typing import Any, Iterable

AMOUNT_TOLERANCE = 0.005


def lookup_key(model: str, body: dict[str, Any]) -> tuple[str, ...]:
    """What identifies a record of `model` in the platform, besides its details."""
    number = str(body.get("document_number") or "")
    if model == "invoice_payments":
        return (number, str(body.get("invoice_id") or ""))
    return (number,)


def same_record(model: str, body: dict[str, Any], record: dict[str, Any]) -> bool:
    """True when `record` (as the API lists it) is the record `body` describes."""
    if lookup_key(model, body) != lookup_key(model, record):
        return False
    if model == "invoice_payments":
        return _close(body.get("amount"), record.get("amount"))
    if str(body.get("contact_id") or "") != str(record.get("contact_id") or ""):
        return False
    # A credit note's lines must agree too, when the platform lists them: same number of
    # lines and the same amount before tax.
    if isinstance(record.get("line_items"), list) and record["line_items"]:
        mine, theirs = body.get("line_items") or [], record["line_items"]
        return len(mine) == len(theirs) and _close(_lines_total(mine), _lines_total(theirs))
    return True


def what_matches(model: str) -> str:
    """What same_record compares besides the document number, in words (for messages)."""
    return "invoice and amount" if model == "invoice_payments" else "customer and lines (their count and total)"


def find_match(model: str, body: dict[str, Any], records: Iterable[dict[str, Any]],
               claimed: set[str]) -> dict[str, Any] | None:
    """The first record that is the same as `body` and not already claimed by another row."""
    for record in records:
        rootfi_id = str(record.get("rootfi_id"))
        if rootfi_id not in claimed and same_record(model, body, record):
            return record
    return None


def find_conflict(model: str, body: dict[str, Any], records: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """A record that uses the same key (document number, and invoice for payments)
    with other details: sending would duplicate a number or be refused."""
    key = lookup_key(model, body)
    for record in records:
        if lookup_key(model, record) == key and not same_record(model, body, record):
            return record
    return None


def _lines_total(lines: list[dict[str, Any]]) -> float:
    total = 0.0
    for line in lines:
        quantity = float(line.get("quantity") or 0)
        unit = float(line.get("unit_amount") or 0)
        discount = float(line.get("discount_amount") or line.get("total_discount") or 0)
        total += quantity * unit - discount
    return round(total, 2)


def _close(a: Any, b: Any) -> bool:
    try:
        return abs(float(a) - float(b)) <= AMOUNT_TOLERANCE
    except (TypeError, ValueError):
        return a == b
