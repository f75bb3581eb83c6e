"""Every reference a record names, read from the platform just before it is sent.

The lookup cache may be hours old: an invoice voided and re-issued under its number, paid
by a colleague, moved to another customer, or a customer or account deleted since the
last Refresh lookups would otherwise receive the payment. So before a batch goes out,
its records' invoices, customers and accounts are read by id (lookups/live.py: one list
request per kind for the whole send, `platform_id[in]=...`), and so are the items, tax
rates and currencies Validate did not confirm (no lookups, and not read by id then).

A row whose reference is gone, deleted, void, paid (a payment's invoice, or payments of
this send that together exceed what is left to pay), no longer the payment's or credit
note's customer's, or not active is Invalid with the reason naming the column, and is
not sent. If the references cannot be read, nothing is sent (Skipped: fail closed).

The reads are made once for everything `send()` is about to send; a batch that goes out
more than FRESH_FOR seconds after its records' read (a long run, waits on the rate
limit) is read again first, together with the batches after it whose references fit in
the same requests (`read_ahead`): a long send reads again once per full request, not
once per batch.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rootfi_excel.api.client import chunk_for_lookup
from rootfi_excel.errors import AuthError, RootFiError
from rootfi_excel.lookups.live import HALF_CENT, Live, number_or_none, problem_of, read_by_ids
from rootfi_excel.lookups.resolve import NOUNS, describe
from rootfi_excel.messages import (
    REFERENCE_CHECK_FAILED,
    REFERENCE_GONE,
    REFERENCE_MOVED,
    REFERENCE_OVER_DUE,
    REFERENCE_STATE,
)
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.context import Item, Outcome, Run
from rootfi_excel.fields.integrations import display_name

PAYMENTS = "invoice_payments"
# Read every time: their state changes under a row (void, paid, re-assigned, deleted).
ALWAYS_READ = ("invoices", "contacts", "accounts")
FRESH_FOR = 60.0  # seconds a read stays good for the batches sent after it

PAYMENT_FIELDS = {"invoice_id": "invoices", "contact_id": "contacts", "account_id": "accounts",
                  "currency_id": "currencies"}
NOTE_FIELDS = {"contact_id": "contacts", "currency_id": "currencies"}
LINE_FIELDS = {"account_id": "accounts", "item_id": "items", "tax_id": "tax_rates"}

Reference = tuple[str, str, str]  # (column as the row names it, kind, platform id)


def stale(run: Run, items: list[Item]) -> bool:
    """Does any of the items need its references read (again) before it is sent?"""
    if not getattr(run.options, "check_references", True):
        return False
    now = run.clock()
    return any(i.references_read_at is None or now - i.references_read_at > FRESH_FOR for i in items)


def read_ahead(run: Run, batches: list[list[Item]]) -> list[Item]:
    """The first batch, and the batches after it whose references fit in the reads the
    first one needs anyway (as many requests per kind): a read again before a late batch
    then serves the next ones too, at no extra request."""
    window = list(batches[0])
    wanted = _wanted(run, window)
    cost = {kind: _requests(ids) for kind, ids in wanted.items()}
    for later in batches[1:]:
        more = _wanted(run, later)
        if any(_requests(wanted.get(kind, set()) | ids) > cost.get(kind, 0) for kind, ids in more.items()):
            break
        for kind, ids in more.items():
            wanted[kind] |= ids
        window += later
    return window


def _wanted(run: Run, items: list[Item]) -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for item in items:
        for _, kind, value in to_read(run.model, item):
            wanted[kind].add(value)
    return wanted


def _requests(ids: set[str]) -> int:
    return len(list(chunk_for_lookup(sorted(ids))))


def confirmed(run: Run, items: list[Item]) -> list[Item]:
    """The items whose references were read within FRESH_FOR seconds and are fine; every
    other item gets its outcome here (Invalid, or Skipped when the read failed)."""
    if not getattr(run.options, "check_references", True) or not items:
        return items
    now = run.clock()
    stale = [i for i in items if i.references_read_at is None or now - i.references_read_at > FRESH_FOR]
    if not stale:
        return items
    wanted: dict[str, set[str]] = defaultdict(set)
    for item in stale:
        for _, kind, value in to_read(run.model, item):
            wanted[kind].add(value)
    if wanted:
        try:
            live = read_by_ids(run.client, run.company_id, wanted)
        except AuthError:
            raise
        except RootFiError as error:
            run.skip(stale, REFERENCE_CHECK_FAILED, "not sent: the references could not be read")
            run.warnings.append(f"the invoices, customers and accounts named by {len(stale)} rows could not be read "
                                f"from RootFi just before sending ({error}); they were not sent")
            return [i for i in items if i.outcome is None]
        _name_new_owners(run, stale, live)
    else:
        live = {}
    read_at = run.clock()
    problems = judge(run, stale, live)
    for item in stale:
        if problems.get(id(item)):
            item.outcome = Outcome(Status.INVALID, "; ".join(dict.fromkeys(problems[id(item)])))
            run.tick(item, "invalid: a record it names changed")
        else:
            item.references_read_at = read_at
    return [i for i in items if i.outcome is None]


def references_of(model: str, body: dict[str, Any]) -> list[Reference]:
    """(column, kind, id) of every reference in a request body, lines included."""
    found: list[Reference] = []
    fields = PAYMENT_FIELDS if model == PAYMENTS else NOTE_FIELDS
    for name, kind in fields.items():
        if body.get(name) not in (None, ""):
            found.append((name, kind, str(body[name])))
    if model != PAYMENTS:
        found += [("invoice_ids", "invoices", str(value)) for value in body.get("invoice_ids") or [] if value]
        for number, line in enumerate(body.get("line_items") or [], start=1):
            for name, kind in LINE_FIELDS.items():
                if isinstance(line, dict) and line.get(name) not in (None, ""):
                    found.append((f"line {number} {name}", kind, str(line[name])))
    return found


def to_read(model: str, item: Item) -> list[Reference]:
    """The references to read for an item: invoices, contacts and accounts always; the rest
    only when Validate did not confirm them (a record of the lookups, or read by id)."""
    return [ref for ref in references_of(model, item.body)
            if ref[1] in ALWAYS_READ or (ref[1], ref[2]) not in item.known]


def judge(run: Run, items: list[Item], live: Live) -> dict[int, list[str]]:
    """id(item) -> why it must not be sent (nothing for an item that may be)."""
    platform = _platform(run)
    problems: dict[int, list[str]] = defaultdict(list)
    for item in items:
        for column, kind, value in to_read(run.model, item):
            record = live.get(kind, {}).get(value)
            if record is None:
                problems[id(item)].append(REFERENCE_GONE.format(column=column, noun=NOUNS[kind], value=value,
                                                                platform=platform))
                continue
            paying = run.model == PAYMENTS and kind == "invoices"
            state = problem_of(kind, record, paying=paying)
            if state:
                problems[id(item)].append(REFERENCE_STATE.format(column=column, noun=NOUNS[kind],
                                                                 what=describe(kind, record), state=state,
                                                                 platform=platform))
        problems[id(item)] += _moved(run.model, item, live)
    if run.model == PAYMENTS:
        _over_due(items, live, problems)
    return {key: value for key, value in problems.items() if value}


def _moved(model: str, item: Item, live: Live) -> list[str]:
    """An invoice that no longer belongs to the customer the row (or Validate) had for it."""
    body = item.body
    invoices = live.get("invoices", {})
    contacts = live.get("contacts", {})
    found = []
    if model == PAYMENTS:
        pairs = [("invoice_id", body.get("invoice_id"))]
    else:
        pairs = [("invoice_ids", value) for value in body.get("invoice_ids") or []]
    for column, invoice_id in pairs:
        invoice = invoices.get(str(invoice_id)) if invoice_id not in (None, "") else None
        if invoice is None or invoice.get("contact_id") in (None, ""):
            continue
        expected = body.get("contact_id")
        if expected in (None, ""):  # a payment without a customer: the one Validate saw on its invoice
            seen = item.known.get(("invoices", str(invoice_id)))
            expected = seen.get("contact_id") if seen else None
        if expected in (None, "") or str(expected) == str(invoice["contact_id"]):
            continue
        owner, was = contacts.get(str(invoice["contact_id"])), _known_contact(item, live, str(expected))
        found.append(REFERENCE_MOVED.format(
            column=column, what=describe("invoices", invoice),
            owner=describe("contacts", owner) if owner else f"customer {invoice['contact_id']}",
            expected=describe("contacts", was) if was else f"customer {expected}"))
    return found


def _owners(model: str, item: Item, live: Live) -> set[str]:
    """Customers of the item's invoices now and as the row or Validate had them, where they differ."""
    body = item.body
    ids = [body.get("invoice_id")] if model == PAYMENTS else list(body.get("invoice_ids") or [])
    found = set()
    for invoice_id in ids:
        invoice = live.get("invoices", {}).get(str(invoice_id))
        seen = item.known.get(("invoices", str(invoice_id))) or {}
        expected = body.get("contact_id") or seen.get("contact_id")
        if invoice and invoice.get("contact_id") and expected and str(expected) != str(invoice["contact_id"]):
            found |= {str(expected), str(invoice["contact_id"])}
    return found


def _name_new_owners(run: Run, items: list[Item], live: Live) -> None:
    """An invoice moved to another customer is rare: only then are the customers read (one
    request), so that the row names them; if that read fails, their ids are named instead."""
    missing = set().union(*(_owners(run.model, item, live) for item in items)) - set(live.get("contacts", {}))
    if not missing:
        return
    try:
        live.setdefault("contacts", {}).update(read_by_ids(run.client, run.company_id, {"contacts": missing})
                                               .get("contacts", {}))
    except AuthError:
        raise
    except RootFiError:
        pass


def _known_contact(item: Item, live: Live, contact_id: str) -> dict[str, Any] | None:
    return live.get("contacts", {}).get(contact_id) or item.known.get(("contacts", contact_id))


def _over_due(items: list[Item], live: Live, problems: dict[int, list[str]]) -> None:
    """Payments of this send to one invoice must together fit what it has left to pay now."""
    paying: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        if not problems.get(id(item)) and item.body.get("invoice_id") not in (None, ""):
            paying[str(item.body["invoice_id"])].append(item)
    for invoice_id, group in paying.items():
        invoice = live.get("invoices", {}).get(invoice_id)
        due = number_or_none(invoice.get("amount_due")) if invoice else None
        total = sum(number_or_none(i.body.get("amount")) or 0.0 for i in group)
        if due is None or total <= due + HALF_CENT:
            continue
        message = REFERENCE_OVER_DUE.format(total=f"{total:,.2f}", number=invoice.get("document_number") or invoice_id,
                                            due=f"{due:,.2f}")
        for item in group:
            problems[id(item)].append(message)


def _platform(run: Run) -> str:
    return display_name(run.platform) if run.platform and run.platform != "the platform" else "the platform"

