"""Online checks in Validate: each row's references against the company's lookup cache.

Runs after the offline validation (validate.py) on its parsed units and results. The
cache is the one of the workbook's Settings (with the command line's options), found
through lookups/place.py. Without one, the references are read from the platform by id
when Validate was given a client (an API key, and the network); otherwise each row says
which columns were not checked. Submit checks every reference again, in the platform,
just before it sends (submission/references.py).

- every invoice, contact, account, item, tax rate and currency must be known;
- a name or number typed instead of an id (a customer name, an invoice number) is
  resolved to the id that will be sent, and the row says so, when it is exactly a
  record's (lookups/names.py); an ambiguous one is refused with the candidates named, one
  that is only like a record's with "did you mean ...?";
- a void or deleted invoice, a deleted or archived customer, account or item is refused;
- a payment's contact and currency must be its invoice's; payments of this sheet to one
  invoice together must not exceed its amount due; its account must be active and not an
  income or expense account;
- a credit note's invoices must belong to its customer;
- a cache older than the Settings' lookups_max_age_hours is a note (a warning), not an error.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

from rootfi_excel.errors import AuthError, CacheNotReadable, CredentialsError, RootFiError
from rootfi_excel.lookups.cache import CompanyLookups
from rootfi_excel.lookups.live import LiveLookups, problem_of, read_by_ids
from rootfi_excel.lookups.place import cache_key, elsewhere, open_lookups
from rootfi_excel.lookups.resolve import NOUNS, Resolution, describe, resolve
from rootfi_excel.messages import (
    CHECKED_BY_ID_NOTE,
    ID_NOT_IN_PLATFORM,
    LOOKUPS_CACHE_UNREADABLE,
    LOOKUPS_OLD,
    NOT_CHECKED,
    NOT_CHECKED_NOTE,
    SUBMIT_READS_IDS_NOTE,
    words,
)
from rootfi_excel.sheets.layout import PAYMENTS, Status
from rootfi_excel.sheets.records import ParsedRow
from rootfi_excel.validation.validate import SheetValidation, Unit
from rootfi_excel.fields.integrations import display_name

CENT = 0.005  # amounts within half a cent are equal
HELD_BACK = "not sent: credit note"  # how validate.py starts the message of a line held back

# payment column -> list it refers to
PAYMENT_REFERENCES = {"invoice_id": "invoices", "contact_id": "contacts", "account_id": "accounts",
                      "currency_id": "currencies"}
NOTE_REFERENCES = {"contact_id": "contacts", "currency_id": "currencies"}
LINE_REFERENCES = {"account_id": "accounts", "item_id": "items", "tax_id": "tax_rates"}
# Account categories a payment can never be deposited into (platforms name the others differently).
PAYMENT_ACCOUNT_REFUSED = frozenset({"INCOME", "EXPENSE"})


def check_online(report: Any, *, cache_path: Path | None = None, now: dt.datetime | None = None,
                 client: Any = None, connect: Callable[[Any], Any] | None = None, sending: bool = False) -> None:
    """Check every sheet of a WorkbookValidation against the cache; notes go to report.notes.

    Without a cache: by id in the platform through `client`, or one `connect(settings)`
    opens (and this closes; only then is the key read); without either, or when the reads
    fail, each row names the columns not checked and a note says why. sending: Submit's own
    validation, which leaves the reads to the check just before sending (only what is sent)."""
    settings = report.settings
    max_age = settings.lookups_max_age
    key = cache_key(settings)
    if key is None:
        return
    try:
        cache, lookups = open_lookups(key, cache_path)
    except CacheNotReadable as error:  # a damaged or locked cache must not stop Validate or Submit
        report.notes.append(words(LOOKUPS_CACHE_UNREADABLE, path=error.path, error=error))
        cache, lookups = None, None
    try:
        if lookups is None:
            place = key.describe() + elsewhere(cache, key)
            if sending:
                report.notes.append(words(SUBMIT_READS_IDS_NOTE, place=place))
                for sheet in report.sheets.values():
                    _mark_not_checked(sheet)
            else:
                _without_cache(report, place, client, connect)
            return
        age = lookups.age(now)
        report.notes.append(f"References checked against the lookups of company {settings.company_id} "
                            f"({lookups.describe_age(now)}).")
        if age > max_age:
            report.notes.append(words(LOOKUPS_OLD, age=_hours(max_age)))
        for sheet in report.sheets.values():
            check_sheet(sheet, lookups)
    finally:
        if cache is not None:
            cache.close()


def _without_cache(report: Any, place: str, client: Any, connect: Callable[[Any], Any] | None) -> None:
    """No lookups: read the rows' references from the platform by id, or say on each row
    which columns were not checked (never a silent Valid)."""
    own = None
    offline = "Validate was not asked to"
    if client is None and connect is not None:
        try:
            client = own = connect(report.settings)
        except CredentialsError as error:  # no key, or an address no key may go to
            offline = str(error).rstrip(".")
    try:
        _read_or_mark(report, place, client, offline)
    finally:
        if own is not None:
            own.close()


def _read_or_mark(report: Any, place: str, client: Any, offline: str) -> None:
    sheets = list(report.sheets.values())
    if client is not None:
        wanted: dict[str, set[str]] = defaultdict(set)
        for sheet in sheets:
            for unit in sheet.units:
                if not unit.already_sent:
                    for _, kind, value in _references(unit, sheet):
                        wanted[kind].add(value)
        try:
            live = read_by_ids(client, report.settings.company_id, wanted)
        except AuthError as error:
            offline = f"RootFi refused the key of the key profile '{report.settings.key_profile}': {error}"
        except RootFiError as error:
            offline = str(error)
        else:
            report.notes.append(words(CHECKED_BY_ID_NOTE, place=place))
            view = LiveLookups(live, report.settings.integration)
            for sheet in sheets:
                check_sheet(sheet, view)
            return
    report.notes.append(words(NOT_CHECKED_NOTE, place=place, why=offline))
    for sheet in sheets:
        _mark_not_checked(sheet)


def _references(unit: Unit, sheet: SheetValidation) -> list[tuple[ParsedRow, str, str]]:
    """(row, kind, value) of every reference a unit's rows give (readable ones)."""
    found = []
    names = PAYMENT_REFERENCES if sheet.layout.key == PAYMENTS.key else {**NOTE_REFERENCES, **LINE_REFERENCES}
    for row in unit.rows:
        for name, kind in names.items():
            value = row.values.get(name)
            if value not in (None, "") and name not in row.unreadable:
                found.append((row, kind, str(value).strip()))
        if sheet.layout.key != PAYMENTS.key and "invoice_ids" not in row.unreadable:
            found += [(row, "invoices", str(v).strip()) for v in row.values.get("invoice_ids") or [] if v]
    return found


def _mark_not_checked(sheet: SheetValidation) -> None:
    notes: dict[int, list[str]] = defaultdict(list)
    units = [u for u in sheet.units if _to_check(u, sheet)]
    names = PAYMENT_REFERENCES if sheet.layout.key == PAYMENTS.key else {**NOTE_REFERENCES, **LINE_REFERENCES,
                                                                          "invoice_ids": "invoices"}
    for unit in units:
        for row in unit.rows:
            columns = [_label(sheet, name) for name in names
                       if row.values.get(name) not in (None, "", []) and name not in row.unreadable]
            if columns:
                notes[row.index].append(NOT_CHECKED.format(columns=", ".join(columns)))
    for unit in units:
        _update_results(unit, sheet, notes)


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
                unit.add(row, f"{_label(sheet, 'invoice_ids')}: {_unknown(resolution, lookups)}")
                continue
            invoice = resolution.record
            unit.known[("invoices", str(invoice["platform_id"]))] = invoice
            ids.append(resolution.platform_id)
            state = problem_of("invoices", invoice)
            if state:
                unit.add(row, f"{_label(sheet, 'invoice_ids')}: invoice {describe('invoices', invoice)} {state}")
                continue
            if resolution.by_label:
                notes[row.index].append(resolution.note())
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
        unit.add(row, f"{_label(sheet, name)}: {_unknown(resolution, lookups)}")
        return None
    record = resolution.record
    unit.known[(kind, str(record["platform_id"]))] = record
    state = problem_of(kind, record)
    # A payment's account has its own words (_check_deposit_account) for a status.
    if state and not (kind == "accounts" and sheet.layout.key == PAYMENTS.key and state.startswith("is ")):
        unit.add(row, f"{_label(sheet, name)}: {NOUNS[kind]} {describe(kind, record)} {state}")
        return None
    if resolution.by_label:
        notes[row.index].append(resolution.note())
        _use_id(unit, resolution, name, line)
    return record


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


def _unknown(resolution: Resolution, lookups: CompanyLookups | LiveLookups) -> str:
    """Why a value is not used: read by id from the platform, or from the cache (then with its age)."""
    if isinstance(lookups, LiveLookups):
        platform = display_name(lookups.platform) if lookups.platform != "the platform" else "the platform"
        return ID_NOT_IN_PLATFORM.format(value=resolution.value, noun=NOUNS[resolution.kind], platform=platform)
    return resolution.problem() + _hint(resolution, lookups)


def _hint(resolution: Resolution, lookups: CompanyLookups) -> str:
    """An unknown value may be newer than the cache: say how old it is."""
    return "" if resolution.ambiguous else f" (lookups {lookups.describe_age()}: refresh them if it is new)"


def _label(sheet: SheetValidation, name: str) -> str:
    return sheet.columns.label(name) if sheet.columns is not None else name


def _hours(age: dt.timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours:g} h" if hours < 48 else f"{hours / 24:g} days"


