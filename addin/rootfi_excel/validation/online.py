"""Online checks in Validate: each row's references against the company's lookup cache.

Runs after the offline validation (validate.py) on its parsed units and results, only
when a cache of the workbook's company exists; without one, Validate notes that the
references were checked offline only. Nothing here calls the API.

- every invoice, contact, account, item, tax rate and currency must be known;
- a name or number typed instead of an id (a customer name, an invoice number) is
  resolved to the id that will be sent, and the row says so; an ambiguous one is refused
  with the candidates named;
- a payment's contact and currency must be its invoice's; payments of this sheet to one
  invoice together must not exceed its amount due; its account must be active and not an
  income or expense account;
- a credit note's invoices must belong to its customer;
- a cache older than the Settings' lookups_max_age_hours is a note (a warning), not an error.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

from rootfi_excel.lookups.cache import CompanyLookups, LookupCache, default_path
from rootfi_excel.lookups.resolve import Resolution, describe, resolve
from rootfi_excel.messages import LOOKUPS_CACHE_UNREADABLE, LOOKUPS_OLD, NO_LOOKUPS, words
from rootfi_excel.sheets.layout import PAYMENTS, Status
from rootfi_excel.sheets.records import ParsedRow
from rootfi_excel.validation.validate import SheetValidation, Unit

CENT = 0.005  # amounts within half a cent are equal
HELD_BACK = "not sent: credit note"  # how validate.py starts the message of a line held back

# payment column -> list it refers to
PAYMENT_REFERENCES = {"invoice_id": "invoices", "contact_id": "contacts", "account_id": "accounts",
                      "currency_id": "currencies"}
NOTE_REFERENCES = {"contact_id": "contacts", "currency_id": "currencies"}
LINE_REFERENCES = {"account_id": "accounts", "item_id": "items", "tax_id": "tax_rates"}
# Account categories a payment can never be deposited into (platforms name the others differently).
PAYMENT_ACCOUNT_REFUSED = frozenset({"INCOME", "EXPENSE"})


def check_online(report: Any, *, cache_path: Path | None = None, now: dt.datetime | None = None) -> None:
    """Check every sheet of a WorkbookValidation against the cache; notes go to report.notes."""
    settings = report.settings
    max_age = settings.lookups_max_age
    if settings.company_id is None:
        return
    path = cache_path or default_path()
    lookups = None
    try:
        cache = LookupCache(path) if path.exists() else None
        if cache is not None:
            lookups = cache.company(settings.base_url, settings.company_id)
    except sqlite3.Error as error:  # a damaged or locked cache must not stop Validate or Submit
        report.notes.append(words(LOOKUPS_CACHE_UNREADABLE, path=path, error=error))
        return
    if lookups is None:
        if cache is not None:
            cache.close()
        report.notes.append(words(NO_LOOKUPS, company=settings.company_id))
        return
    try:
        age = lookups.age(now)
        report.notes.append(f"References checked against the lookups of company {settings.company_id} "
                            f"({lookups.describe_age(now)}).")
        if age > max_age:
            report.notes.append(words(LOOKUPS_OLD, age=_hours(max_age)))
        for sheet in report.sheets.values():
            check_sheet(sheet, lookups)
    finally:
        cache.close()


def check_sheet(sheet: SheetValidation, lookups: CompanyLookups) -> None:
    units = [u for u in sheet.units if _to_check(u, sheet)]
    checked = {id(u) for u in units}
    for unit in sheet.units:
        if id(unit) not in checked and not unit.already_sent:
            _use_ids_only(unit, sheet, lookups)
    notes: dict[int, list[str]] = defaultdict(list)  # row index -> what its names and numbers resolved to
    if sheet.layout.key == PAYMENTS.key:
        invoices = {id(u): _check_payment(u, sheet, lookups, notes) for u in units}
        _check_totals(units, invoices, sheet)
    else:
        for unit in units:
            _check_credit_note(unit, sheet, lookups, notes)
    for unit in units:
        _update_results(unit, sheet, notes)


# ------------------------------------------------------------------ payments


def _check_payment(unit: Unit, sheet: SheetValidation, lookups: CompanyLookups,
                   notes: dict[int, list[str]]) -> dict[str, Any] | None:
    row = unit.rows[0]
    found = {name: _resolved(unit, row, sheet, lookups, name, kind, notes) for name, kind in PAYMENT_REFERENCES.items()}
    account = found["account_id"]
    if account is not None:
        _check_deposit_account(unit, row, sheet, account)
    invoice = found["invoice_id"]
    if invoice is None:
        return None
    invoice_name = describe("invoices", invoice)
    contact = found["contact_id"]
    if contact is not None and str(contact["platform_id"]) != str(invoice.get("contact_id")):
        owner = lookups.get("contacts", invoice.get("contact_id"))
        unit.add(row, f"{_label(sheet, 'contact_id')}: {describe('contacts', contact)} is not the customer of "
                      f"invoice {invoice_name}, which is "
                      f"{describe('contacts', owner) if owner else invoice.get('contact_id')}")
    currency = found["currency_id"]
    if currency is not None and invoice.get("currency_id") and str(currency["platform_id"]) != str(invoice["currency_id"]):
        unit.add(row, f"{_label(sheet, 'currency_id')}: {currency['platform_id']} differs from the currency of "
                      f"invoice {invoice_name}, {invoice['currency_id']}")
    return invoice


def _check_deposit_account(unit: Unit, row: ParsedRow, sheet: SheetValidation, account: dict[str, Any]) -> None:
    """Money received goes into an active bank or deposit account, never an income or expense one."""
    status = str(account.get("status") or "ACTIVE").upper()
    category = str(account.get("category") or "").upper()
    if status != "ACTIVE":
        unit.add(row, f"{_label(sheet, 'account_id')}: {describe('accounts', account)} is {status.lower()}; "
                      "pick an active bank or deposit account")
    elif category in PAYMENT_ACCOUNT_REFUSED:
        unit.add(row, f"{_label(sheet, 'account_id')}: {describe('accounts', account)} is an {category.lower()} "
                      "account; a payment goes into a bank or deposit account (e.g. Undeposited Funds)")


def _check_totals(units: list[Unit], invoices: dict[int, dict[str, Any] | None], sheet: SheetValidation) -> None:
    """Payments of this sheet to one invoice must together fit its amount due."""
    paying: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        invoice = invoices[id(unit)]
        if invoice is not None and isinstance(unit.rows[0].values.get("amount"), (int, float)):
            paying[str(invoice["platform_id"])].append(unit)
    for group in paying.values():
        invoice = invoices[id(group[0])]
        due = invoice.get("amount_due")
        if not isinstance(due, (int, float)):
            continue
        total = sum(u.rows[0].values["amount"] for u in group)
        if total <= due + CENT:
            continue
        number = invoice.get("document_number") or invoice["platform_id"]
        if len(group) == 1:
            message = f"{total:,.2f} exceeds the amount due of invoice {number}, {due:,.2f}"
        else:
            rows = ", ".join(str(u.rows[0].row_number) for u in group)
            message = f"the payments on rows {rows} together ({total:,.2f}) exceed the amount due of invoice " \
                      f"{number}, {due:,.2f}"
        for unit in group:
            unit.over_due = f"{_label(sheet, 'amount')}: {message}"
            unit.add(unit.rows[0], unit.over_due)


# -------------------------------------------------------------- credit notes


def _check_credit_note(unit: Unit, sheet: SheetValidation, lookups: CompanyLookups,
                       notes: dict[int, list[str]]) -> None:
    contact = None
    for row in unit.rows:
        for name, kind in NOTE_REFERENCES.items():
            record = _resolved(unit, row, sheet, lookups, name, kind, notes)
            if name == "contact_id" and record is not None and contact is None:
                contact = record
    for line, row in enumerate(unit.rows):
        for name, kind in LINE_REFERENCES.items():
            _resolved(unit, row, sheet, lookups, name, kind, notes, line=line)
    for row in unit.rows:
        given = row.values.get("invoice_ids") or []
        ids = []
        for value in given:
            resolution = resolve(lookups, "invoices", value)
            if not resolution.found:
                unit.add(row, f"{_label(sheet, 'invoice_ids')}: {resolution.problem()}{_hint(resolution, lookups)}")
                continue
            ids.append(resolution.platform_id)
            if resolution.by_label:
                notes[row.index].append(resolution.note())
            invoice = resolution.record
            if contact is not None and str(invoice.get("contact_id")) != str(contact["platform_id"]):
                owner = lookups.get("contacts", invoice.get("contact_id"))
                unit.add(row, f"{_label(sheet, 'invoice_ids')}: invoice {describe('invoices', invoice)} belongs to "
                              f"{describe('contacts', owner) if owner else invoice.get('contact_id')}, not to "
                              f"{describe('contacts', contact)}")
        if given and len(ids) == len(given) and unit.request is not None and unit.request.invoice_ids == list(given):
            unit.request.invoice_ids = ids


# -------------------------------------------------------------------- shared


def _resolved(unit: Unit, row: ParsedRow, sheet: SheetValidation, lookups: CompanyLookups, name: str, kind: str,
              notes: dict[int, list[str]], line: int | None = None) -> dict[str, Any] | None:
    """The record a row's reference names; a problem is added to the row, and a name or
    number becomes the id in the request to send."""
    value = row.values.get(name)
    if value is None or name in row.unreadable:
        return None
    resolution = resolve(lookups, kind, value)
    if not resolution.found:
        unit.add(row, f"{_label(sheet, name)}: {resolution.problem()}{_hint(resolution, lookups)}")
        return None
    if resolution.by_label:
        notes[row.index].append(resolution.note())
        _use_id(unit, resolution, name, line)
    return resolution.record


def _use_id(unit: Unit, resolution: Resolution, name: str, line: int | None) -> None:
    request = unit.request
    if request is None:
        return
    if line is not None:
        target = request.line_items[line] if line < len(request.line_items or []) else None
    else:
        target = request
    if target is not None and getattr(target, name, None) == resolution.value:
        setattr(target, name, resolution.platform_id)


def _use_ids_only(unit: Unit, sheet: SheetValidation, lookups: CompanyLookups) -> None:
    """A unit sent before whose answer is not settled (Pending, Unknown; no rootfi_id yet): its rows get no new
    problems, but its names and numbers become ids as when it was sent, so that Submit finds that attempt in
    the journal (same body, same fingerprint) instead of sending the raw name and failing."""
    if unit.request is None:
        return
    kept = {index: list(messages) for index, messages in unit.messages.items()}
    if sheet.layout.key == PAYMENTS.key:
        _check_payment(unit, sheet, lookups, defaultdict(list))
    else:
        _check_credit_note(unit, sheet, lookups, defaultdict(list))
    unit.messages = kept


def _to_check(unit: Unit, sheet: SheetValidation) -> bool:
    """Units still to be sent: never sent, every row Valid, Invalid or Skipped (not Created/Pending/...)."""
    if unit.already_sent:
        return False
    return all(sheet.results[r.index].status in (Status.VALID, Status.INVALID, Status.SKIPPED) for r in unit.rows
               if r.index in sheet.results)


def _update_results(unit: Unit, sheet: SheetValidation, notes: dict[int, list[str]]) -> None:
    """Status and message of the unit's rows again, now with the online problems: a
    credit note is sent whole, so one bad line holds back the others."""
    own = {r.index: [m for m in unit.messages.get(r.index) or [] if not m.startswith(HELD_BACK)] for r in unit.rows}
    bad_rows = [r.row_number for r in unit.rows if own[r.index]]
    for row in unit.rows:
        result = sheet.results.get(row.index)
        if result is None:
            continue
        if own[row.index]:
            unit.held_back = unit.held_back - {row.index}
            result.status, result.message = Status.INVALID, "; ".join(dict.fromkeys(own[row.index]))
        elif bad_rows and len(unit.rows) > 1:
            listed = ", ".join(map(str, bad_rows))
            unit.held_back = unit.held_back | {row.index}
            result.status, result.message = Status.SKIPPED, f"{HELD_BACK} {unit.document_number} has a problem on row {listed}"
        elif notes.get(row.index):
            result.message = "; ".join(dict.fromkeys(notes[row.index]))


def _hint(resolution: Resolution, lookups: CompanyLookups) -> str:
    """An unknown value may be newer than the cache: say how old it is."""
    return "" if resolution.ambiguous else f" (lookups {lookups.describe_age()}: refresh them if it is new)"


def _label(sheet: SheetValidation, name: str) -> str:
    return sheet.columns.label(name) if sheet.columns is not None else name


def _hours(age: dt.timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours:g} h" if hours < 48 else f"{hours / 24:g} days"


