"""The Lookups sheet's live lists, built from the cache: one Excel table per list, with
defined names for the dropdowns (Live<List>Ids over the ids, Live<List>Names over what
people recognise: customer names, invoice numbers, account names, ...)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from rootfi_excel.lookups.cache import CompanyLookups
from rootfi_excel.sheets.port import LookupTable

EXCEL_DIGITS = 10**15
MAX_CELL_TEXT = 32767  # Excel's limit for one cell: a longer text makes Excel "repair" the file
# Characters no worksheet may hold (openpyxl refuses them, Excel cannot store them).
_NOT_IN_CELLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell_value(value: Any) -> Any:
    """A value from the API as a cell can hold it: whatever its type, the whole sheet is still
    written (one odd record must not keep every list off the sheet)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):  # Excel keeps 15 digits: a longer number (an id) would be rounded
        return value if abs(value) < EXCEL_DIGITS else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return _NOT_IN_CELLS.sub("", value)[:MAX_CELL_TEXT]


def amount(value: Any) -> float | None:
    """A number from the API, also when it came as text ("12.50"); None when it is none."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _word(value: Any, default: str) -> str:
    return str(value or default).upper()


def _id(value: Any) -> str | None:
    """Ids are text, as on the input sheets (an id sent as a number must not become 1.2E+18)."""
    return None if value is None or value == "" else str(value)


def _date(value: Any) -> str | None:
    return str(value)[:10] if value else None


def usable(kind: str, record: dict[str, Any]) -> bool:
    """Whether a record can be named on the input sheets (and is offered in their dropdowns):
    a customer, not a vendor; an active account or item, not an archived one; an invoice
    that is not void (one voided and re-issued under its number: the new one is meant)."""
    if kind == "invoices":
        return _word(record.get("status"), "") != "VOID" and not record.get("rootfi_deleted_at")
    if kind == "contacts":
        return _word(record.get("contact_type"), "CUSTOMER") != "VENDOR"
    if kind in ("accounts", "items"):
        return _word(record.get("status"), "ACTIVE") == "ACTIVE"
    return True


def lookup_tables(lookups: CompanyLookups) -> list[LookupTable]:
    contacts = lookups.records("contacts")
    contact_names = {str(c["platform_id"]): c.get("name") for c in contacts}
    customers = [c for c in contacts if usable("contacts", c)]
    open_invoices = [i for i in lookups.records("invoices")
                     if (amount(i.get("amount_due")) or 0) > 0 and usable("invoices", i)]
    accounts = [a for a in lookups.records("accounts") if usable("accounts", a)]
    return [
        _table("Contacts", "Contacts (customers)", ["name", "id", "type", "currency", "tax number"],
               [[c.get("name"), str(c["platform_id"]), c.get("contact_type"), c.get("currency_id"),
                 c.get("tax_number")] for c in customers]),
        _table("Invoices", "Invoices (open)", ["number", "id", "customer", "customer id", "currency", "total",
                                               "amount due", "date", "due date", "status"],
               [[i.get("document_number"), str(i["platform_id"]), contact_names.get(str(i.get("contact_id"))),
                 _id(i.get("contact_id")), i.get("currency_id"), i.get("total_amount"), i.get("amount_due"),
                 _date(i.get("posted_date")), _date(i.get("due_date")), i.get("status")] for i in open_invoices]),
        _table("Accounts", "Accounts", ["name", "id", "category", "sub category", "currency", "code"],
               [[a.get("name"), str(a["platform_id"]), a.get("category"), a.get("sub_category"),
                 a.get("currency_id"), a.get("nominal_code")] for a in accounts]),
        _table("Currencies", "Currencies", ["name", "id", "currency name", "base"],
               [[c.get("code"), str(c["platform_id"]), c.get("name"), bool(c.get("is_base_currency"))]
                for c in lookups.records("currencies")]),
        _table("TaxRates", "Tax rates", ["name", "id", "rate %", "code"],
               [[t.get("name"), str(t["platform_id"]), t.get("effective_tax_rate"), t.get("code")]
                for t in lookups.records("tax_rates")]),
        _table("Items", "Items", ["name", "id", "code", "type"],
               [[i.get("name"), str(i["platform_id"]), i.get("code"), i.get("type")]
                for i in lookups.records("items") if usable("items", i)]),
    ]


def _table(stem: str, title: str, headers: list[str], rows: list[list[Any]]) -> LookupTable:
    """Live<stem>: the first column holds what people recognise, the second the id; `title`
    labels the block on the Lookups sheet."""
    rows = [[cell_value(value) for value in row] for row in rows]
    return LookupTable(f"Live{stem}", headers, rows,
                       names={f"Live{stem}Names": headers[0], f"Live{stem}Ids": "id"}, title=title)
