"""Realistic month-end data for the demo, built from a company's live lists.

Payments pay open invoices (partly or in full) into a bank account; credit notes have
several lines each, with the header fields on the first line only, as people type
them. `with_mistakes` sprinkles the errors real sheets have: each kind once or twice,
so the demo shows what Validate and Submit say about them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

PAYMENT_MODES = ("Bank Transfer", "Cheque", "ACH", "Credit Card", "Wire", "Cash")
CREDIT_REASONS = ("Returned goods", "Pricing correction", "Damaged in transit", "Service credit",
                  "Volume rebate", "Duplicate billing")


@dataclass
class Lookups:
    invoices: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    bank_accounts: list[dict[str, Any]]
    income_accounts: list[dict[str, Any]]
    receivable_accounts: list[dict[str, Any]]
    items: list[dict[str, Any]]
    tax_rates: list[dict[str, Any]]


def fetch_lookups(client: Any, company_id: int) -> Lookups:
    """The lists a person would pick from, read through the API (a handful of requests)."""
    def listing(name: str, filters: dict | None = None) -> list[dict[str, Any]]:
        return list(client.iter_records(company_id, name, filters, limit=1000))

    accounts = [a for a in listing("accounts") if a.get("status", "ACTIVE") == "ACTIVE"]
    return Lookups(
        invoices=listing("invoices", {"amount_due": ("gt", 0)}),
        contacts=listing("contacts"),
        bank_accounts=[a for a in accounts if a.get("category") == "BANK"],
        income_accounts=[a for a in accounts if a.get("category") == "INCOME"],
        receivable_accounts=[a for a in accounts if a.get("sub_category") == "ACCOUNTS_RECEIVABLE"],
        items=[i for i in listing("items") if i.get("is_invoice_item", True)],
        tax_rates=listing("tax_rates"),
    )


def month_end_dates(rng: random.Random, year: int, month: int) -> dt.datetime:
    day = rng.randint(1, 28)
    return dt.datetime(year, month, day)


def payment_rows(lookups: Lookups, count: int, *, integration: str | None, seed: int = 1,
                 with_mistakes: bool = True, prefix: str = "RCPT") -> list[dict[str, Any]]:
    rng = random.Random(seed)
    invoices = rng.sample(lookups.invoices, min(count, len(lookups.invoices)))
    today = dt.date.today()
    rows = []
    for n, invoice in enumerate(invoices, start=1):
        due = float(invoice.get("amount_due") or invoice.get("total_amount") or 0)
        amount = due if rng.random() < 0.6 else round(due * rng.uniform(0.2, 0.9), 2)
        row: dict[str, Any] = {
            "document_number": f"{prefix}-{n:05d}",
            "invoice_id": invoice["platform_id"],
            "contact_id": invoice.get("contact_id"),
            "account_id": rng.choice(lookups.bank_accounts)["platform_id"] if lookups.bank_accounts else None,
            "amount": amount,
            "payment_date": month_end_dates(rng, today.year, today.month),
            "payment_mode": rng.choice(PAYMENT_MODES),
            "currency_id": invoice.get("currency_id"),
            "memo": f"Payment for {invoice.get('document_number')}",
        }
        _add_payment_raw_data(row, lookups, integration, rng)
        rows.append(row)
    if with_mistakes and len(rows) >= 20:
        _payment_mistakes(rows, rng)
    return rows


def _add_payment_raw_data(row: dict[str, Any], lookups: Lookups, integration: str | None, rng: random.Random) -> None:
    if integration == "NETSUITE" and lookups.receivable_accounts:
        row["arr_account_id"] = lookups.receivable_accounts[0]["platform_id"]
    if integration == "MS_DYNAMICS_365":
        row["payment_journal_id"] = f"CRJ-{rng.randint(1, 3):03d}"


def _payment_mistakes(rows: list[dict[str, Any]], rng: random.Random) -> None:
    """Each kind of mistake once, at spread-out rows; every one is caught and explained."""
    picks = iter(rng.sample(range(len(rows)), 9))
    rows[next(picks)]["amount"] = -rows[0]["amount"]  # a refund typed as a payment
    rows[next(picks)]["invoice_id"] = None  # forgot the invoice
    rows[next(picks)]["payment_date"] = "31/02/" + str(dt.date.today().year)  # no such day
    rows[next(picks)]["invoice_id"] = "1.23457E+15"  # a long id Excel shortened
    rows[next(picks)]["amount"] = f"{rows[1]['amount']:,.2f}"  # typed as text: still fine
    rows[next(picks)]["invoice_id"] = "99999999"  # an invoice the platform does not know
    overpaid = rows[next(picks)]
    overpaid["amount"] = round(float(overpaid["amount"]) * 3 + 1000, 2)  # more than is due
    duplicate = dict(rows[next(picks)])
    rows[next(picks)] = duplicate  # the same payment pasted twice, over another: as many rows as asked for


def credit_note_rows(lookups: Lookups, count: int, *, integration: str | None, seed: int = 2,
                     with_mistakes: bool = True, prefix: str = "CN") -> list[dict[str, Any]]:
    rng = random.Random(seed)
    today = dt.date.today()
    rows: list[dict[str, Any]] = []
    notes: list[list[dict[str, Any]]] = []
    for n in range(1, count + 1):
        contact = rng.choice(lookups.contacts)
        their_invoices = [i for i in lookups.invoices if i.get("contact_id") == contact["platform_id"]]
        lines = []
        for line_number in range(rng.randint(2, 5)):
            item = rng.choice(lookups.items) if lookups.items and rng.random() < 0.7 else None
            price = (item or {}).get("invoice_item", {}) or {}
            line: dict[str, Any] = {
                "description": f"{rng.choice(CREDIT_REASONS)}: {(item or {}).get('name', 'adjustment')}",
                "item_id": item["platform_id"] if item else None,
                "account_id": price.get("account_id") or (rng.choice(lookups.income_accounts)["platform_id"]
                                                          if lookups.income_accounts else None),
                "tax_id": rng.choice(lookups.tax_rates)["platform_id"] if lookups.tax_rates and rng.random() < 0.5 else None,
                "quantity": float(rng.randint(1, 4)),
                "unit_amount": float(price.get("unit_price") or round(rng.uniform(20, 400), 2)),
                "discount_amount": 5.0 if rng.random() < 0.15 else None,
            }
            if line_number == 0:  # header fields on the first line only, as people type them
                line.update({
                    "document_number": f"{prefix}-{n:04d}",
                    "contact_id": contact["platform_id"],
                    "posted_date": month_end_dates(rng, today.year, today.month),
                    "currency_id": contact.get("currency_id") or "USD",
                    "invoice_ids": their_invoices[0]["platform_id"] if their_invoices and rng.random() < 0.5 else None,
                    "memo": "Month-end credit",
                })
                if integration in ("SAGE_CLOUD_ACCOUNTING", "FRESH_BOOKS"):
                    line["currency_rate"] = 1.0
            else:
                line["document_number"] = f"{prefix}-{n:04d}"
            lines.append(line)
        notes.append(lines)
    if with_mistakes and len(notes) >= 6:
        notes[1][1]["quantity"] = None  # a line without a quantity
        notes[3][-1]["contact_id"] = _other_contact(lookups, notes[3][0]["contact_id"])  # two customers, one number
        notes[4][0]["posted_date"] = "13/13/" + str(today.year)  # no 13th month
    for lines in notes:
        rows.extend(lines)
    return rows


def _other_contact(lookups: Lookups, contact_id: str) -> str:
    return next(c["platform_id"] for c in lookups.contacts if c["platform_id"] != contact_id)
