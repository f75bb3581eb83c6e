"""Validation: a sheet's table -> units to send and one result per row.

A *unit* is what becomes one API record: one payment row, or all the line rows of
one credit note (grouped by document_number). Everything here is pure: tables in,
results out; nothing touches Excel or the network.

Checks, in order: cells that cannot be read (sheets.cells), the template's rules
(fields.rules), the integration's required raw_data fields (fields.integrations),
credit-note header fields that disagree between lines, and duplicates in the sheet.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

from pydantic import ValidationError

from rootfi_excel.fields import rules
from rootfi_excel.fields.integrations import RequirementBook
from rootfi_excel.fields.models import InvoiceCreditNoteRequest, InvoicePaymentRequest
from rootfi_excel.messages import required_by
from rootfi_excel.sheets.layout import (
    CREDIT_NOTE_HEADER_FIELDS,
    CREDIT_NOTE_LINE_FIELDS,
    CREDIT_NOTE_LINES,
    MESSAGE,
    PAYMENTS,
    SEND_ANYWAY,
    STATUS,
    Status,
    TableLayout,
)
from rootfi_excel.sheets.records import ColumnMap, ParsedRow, map_columns, parse_rows
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.sheets.port import Table

# Rows in these states were already sent: validation leaves their result columns alone.
SENT_STATUSES = frozenset({Status.CREATED, Status.PENDING, Status.UNKNOWN})

_PAYMENT_RULES = rules.RuleChecker(rules.PAYMENT_RULES)
_CREDIT_NOTE_RULES = rules.RuleChecker(rules.CREDIT_NOTE_RULES)
_LINE_RULES = rules.RuleChecker(rules.CREDIT_NOTE_LINE_RULES)


@dataclass
class Unit:
    """One record to send: a payment (one row) or a credit note (its line rows)."""

    model: str  # "invoice_payments" | "invoice_credit_notes"
    rows: list[ParsedRow]
    request: InvoicePaymentRequest | InvoiceCreditNoteRequest | None = None
    messages: dict[int, list[str]] = field(default_factory=dict)  # row index -> messages
    held_back: frozenset[int] = frozenset()  # good lines of a credit note with a bad line
    # The amount-due problem (validation/online.py), when it is the unit's only one: the
    # cached amount due may already count this very payment (a colleague's Submit), so
    # Submit still looks the record up, and refuses it with this message if it is new.
    over_due: str | None = None
    # (kind, platform id) -> the record a reference resolved to in Validate's online checks
    # (the lookup cache, or the platform read by id): Submit compares it with the platform
    # just before sending (submission/references.py).
    known: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    @property
    def document_number(self) -> str | None:
        return self.rows[0].values.get("document_number")

    @property
    def rootfi_id(self) -> str | None:
        return next((r.rootfi_id for r in self.rows if r.rootfi_id), None)

    @property
    def keys(self) -> tuple[str, ...]:
        """The row keys of its rows (a credit note's first line's key first): its identity."""
        return tuple(r.key for r in self.rows if r.key)

    @property
    def send_anyway(self) -> bool:
        """A person typed `send anyway` into its status: send it even if it looks like a record made before."""
        return any(marked_send_anyway(r.results.get(STATUS)) for r in self.rows)

    @property
    def already_sent(self) -> bool:
        return self.rootfi_id is not None

    @property
    def valid(self) -> bool:
        return self.request is not None and not any(self.messages.values())

    @property
    def only_over_due(self) -> bool:
        """Invalid for the amount due alone (see over_due), and never sent."""
        return (self.request is not None and self.over_due is not None and not self.already_sent
                and all(m == self.over_due for messages in self.messages.values() for m in messages))

    def add(self, row: ParsedRow, message: str) -> None:
        self.messages.setdefault(row.index, []).append(message)

    @property
    def row_numbers(self) -> list[int]:
        return [r.row_number for r in self.rows]


@dataclass
class RowResult:
    status: str
    message: str = ""
    row_number: int = 0  # the sheet's row number, for summaries
    # The row shows a refused attempt (status Failed, its submitted_at and sync_id): once it
    # is valid or invalid again, those cells are that old attempt's and are cleared.
    shows_refused_attempt: bool = False


@dataclass
class SheetValidation:
    layout: TableLayout
    units: list[Unit]
    results: dict[int, RowResult]  # row index -> result, for every non-blank row
    columns: ColumnMap | None = None
    problems: list[str] = field(default_factory=list)  # about the sheet as a whole
    emptied: list[int] = field(default_factory=list)  # blank rows still holding results: cleared when written

    def count(self, status: str) -> int:
        return sum(1 for r in self.results.values() if r.status == status)

    @property
    def ready(self) -> list[Unit]:
        """Units that are valid and were never sent."""
        return [u for u in self.units if u.valid and not u.already_sent]


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a sheet is validated.

    Validation keeps a few small objects per row (parsed row, unit, request, result)
    and none of them refers back to another in a cycle, so reference counting alone
    frees them all. Left on, the collector scans the growing heap over and over as it
    grows, for nothing: close to half the time of a 50,000-row sheet. It is restored
    as it was (left off if the caller had turned it off), whatever happens.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# ----------------------------------------------------------------- payments


@_cyclic_gc_paused()
def validate_payments(table: Table, settings: WorkbookSettings, book: RequirementBook) -> SheetValidation:
    model = "invoice_payments"
    raw_fields = book.raw_data_fields(model)
    columns = map_columns(table, PAYMENTS, raw_fields, rules.required_fields(rules.PAYMENT_RULES))
    emptied: list[int] = []
    rows = parse_rows(table, PAYMENTS, columns, settings.cell_format, emptied)
    required = book.required(model, settings.integration)
    units: list[Unit] = []
    for row in rows:
        unit = Unit(model, [row])
        for message in row.errors:
            unit.add(row, message)
        for name, problem in _PAYMENT_RULES.broken(row.values, row.unreadable):
            unit.add(row, f"{columns.label(name)}: {problem}")
        _check_requirements(unit, row, row.raw_data, required, columns, settings.integration)
        units.append(unit)
    copies = _flag_copies([unit.rows[0] for unit in units], {id(u.rows[0]): u for u in units}, "payment")
    _flag_duplicate_payments([u for u in units if id(u) not in copies], columns)
    for unit in units:
        if not any(unit.messages.values()):
            row = unit.rows[0]
            unit.request = _build(unit, row, InvoicePaymentRequest, {**row.values, "raw_data": row.raw_data or None})
    return _finish(PAYMENTS, units, columns, emptied)


def _flag_duplicate_payments(units: list[Unit], columns: ColumnMap) -> None:
    """One reference may pay several invoices, but one invoice twice with one
    reference is the same payment entered twice."""
    first: dict[tuple[str, str], Unit] = {}
    repeated: dict[tuple[str, str], list[Unit]] = {}  # only the payments entered more than once
    for unit in units:
        values = unit.rows[0].values
        if values.get("document_number") and values.get("invoice_id"):
            key = (values["document_number"].casefold(), values["invoice_id"])
            earlier = first.setdefault(key, unit)
            if earlier is not unit:
                repeated.setdefault(key, [earlier]).append(unit)
    for (_, invoice), group in repeated.items():
        for unit in group:
            others = ", ".join(str(u.rows[0].row_number) for u in group if u is not unit)
            unit.add(
                unit.rows[0],
                f"{columns.label('document_number')}: the same payment ({unit.document_number} for invoice "
                f"{invoice}) is also on row {others}; delete the extra row, or give each payment its own reference",
            )


# ------------------------------------------------------------- credit notes


@_cyclic_gc_paused()
def validate_credit_notes(table: Table, settings: WorkbookSettings, book: RequirementBook) -> SheetValidation:
    model = "invoice_credit_notes"
    raw_fields = book.raw_data_fields(model)
    needed = rules.required_fields(rules.CREDIT_NOTE_RULES) + rules.required_fields(rules.CREDIT_NOTE_LINE_RULES)
    columns = map_columns(table, CREDIT_NOTE_LINES, raw_fields, needed)
    emptied: list[int] = []
    rows = parse_rows(table, CREDIT_NOTE_LINES, columns, settings.cell_format, emptied)
    required = book.required(model, settings.integration)

    groups: dict[str, list[ParsedRow]] = {}
    units: list[Unit] = []
    for row in rows:
        number = row.values.get("document_number")
        if number is None:
            unit = Unit(model, [row])  # cannot be grouped: its own unit, invalid
            units.append(unit)
        else:
            groups.setdefault(number, []).append(row)
    units.extend(Unit(model, group_rows) for group_rows in groups.values())
    units.sort(key=lambda u: u.rows[0].index)

    for unit in units:
        _check_credit_note(unit, columns, required, settings.integration)
        if not any(unit.messages.values()):
            unit.request = _build(unit, unit.rows[0], InvoiceCreditNoteRequest, _credit_note_body(unit))
    return _finish(CREDIT_NOTE_LINES, units, columns, emptied)


def _check_credit_note(unit: Unit, columns: ColumnMap, required: list, integration: str | None) -> None:
    first = unit.rows[0]
    for row in unit.rows:
        for message in row.errors:
            unit.add(row, message)
    header = _merge_header(unit, columns)
    raw_data = _merge_raw_data(unit, columns)
    unreadable = set().union(*(r.unreadable for r in unit.rows))
    for name, problem in _CREDIT_NOTE_RULES.broken(header, unreadable):
        unit.add(first, f"{columns.label(name)}: {problem}")
    for row in unit.rows:
        for name, problem in _LINE_RULES.broken(row.values, row.unreadable):
            unit.add(row, f"{columns.label(name)}: {problem}")
        if not any(row.values.get(n) or n in row.unreadable for n in rules.CREDIT_NOTE_LINE_NEEDS_ONE_OF):
            names = " or ".join(columns.label(n) for n in rules.CREDIT_NOTE_LINE_NEEDS_ONE_OF)
            unit.add(row, f"{names}: a line needs an income account or an item, so the platform knows where to post it")
    _check_requirements(unit, first, raw_data, required, columns, integration)
    _flag_copied_lines(unit)

    if unit.already_sent:
        for row in unit.rows:
            if not row.rootfi_id:
                unit.add(row, f"credit note {unit.document_number} was already created (rootfi_id {unit.rootfi_id}); "
                              "a line added now is not sent: create a new credit note for it")
    # A credit note is sent whole: one bad line holds back every line of it.
    bad_rows = [r.row_number for r in unit.rows if unit.messages.get(r.index)]
    if bad_rows and len(unit.rows) > 1:
        listed = ", ".join(map(str, bad_rows))
        for row in unit.rows:
            if not unit.messages.get(row.index):
                unit.add(row, f"not sent: credit note {unit.document_number} has a problem on row {listed}")
                unit.held_back |= {row.index}


def _flag_copies(rows: list[ParsedRow], unit_of: dict[int, Unit], what: str) -> set[int]:
    """A row pasted twice carries its hidden row key twice: with the same values, the later one
    is a copy of the first (a row typed again would have a key of its own). Only the copy is
    flagged: the first keeps its identity (and its record). Returns the ids of the units flagged.
    Values are compared only for rows that share a key: most rows cost one dictionary look-up."""
    first: dict[str, list[ParsedRow]] = {}
    flagged: set[int] = set()
    for row in rows:
        key = row.key
        if not key:
            continue
        earlier = first.get(key)
        if earlier is None:
            first[key] = [row]
            continue
        original = next((r for r in earlier if _same_inputs(r, row)), None)
        if original is None:
            earlier.append(row)
            continue
        unit = unit_of[id(row)]
        unit.add(row, f"this {what} is a copy of row {original.row_number} (the same values and the same hidden "
                      f"row_key: pasted twice?); delete it, or change it if it is another {what}")
        flagged.add(id(unit))
    return flagged


def _same_inputs(row: ParsedRow, other: ParsedRow) -> bool:
    return row.values == other.values and row.raw_data == other.raw_data and row.errors == other.errors


def _flag_copied_lines(unit: Unit) -> None:
    """Lines of one credit note pasted twice (see _flag_copies)."""
    _flag_copies(unit.rows, {id(row): unit for row in unit.rows}, "line")


def _merge_header(unit: Unit, columns: ColumnMap) -> dict[str, Any]:
    """The credit note's header values: the first non-blank value of each header field.
    A later line with another non-blank value is an error on that line."""
    header: dict[str, Any] = {}
    where: dict[str, int] = {}
    for row in unit.rows:
        for name in CREDIT_NOTE_HEADER_FIELDS:
            value = row.values.get(name)
            if value is None:
                continue
            if name not in header:
                header[name], where[name] = value, row.row_number
            elif value != header[name]:
                unit.add(row, _disagreement(unit, columns.label(name), name, value, header[name], where[name]))
    return header


def _merge_raw_data(unit: Unit, columns: ColumnMap) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    where: dict[str, int] = {}
    for row in unit.rows:
        for key, value in row.raw_data.items():
            if key not in merged:
                merged[key], where[key] = value, row.row_number
            elif value != merged[key]:
                unit.add(row, _disagreement(unit, columns.label(key), key, value, merged[key], where[key]))
    return merged


def _disagreement(unit: Unit, label: str, name: str, value: Any, first: Any, first_row: int) -> str:
    if name == "contact_id":
        return (f"{label}: document_number {unit.document_number} is used for two customers ({_show(first)} on row "
                f"{first_row}, {_show(value)} here); give each credit note its own number")
    return (f"{label}: {_show(value)} differs from {_show(first)} on row {first_row}; every line of credit note "
            f"{unit.document_number} must have the same {label} (or leave it blank after the first line)")


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "'" + ", ".join(value) + "'"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return f"'{value}'" if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


def _credit_note_body(unit: Unit) -> dict[str, Any]:
    header: dict[str, Any] = {}
    raw_data: dict[str, Any] = {}
    for row in unit.rows:
        for name in CREDIT_NOTE_HEADER_FIELDS:
            if header.get(name) is None:
                header[name] = row.values.get(name)
        for key, value in row.raw_data.items():
            raw_data.setdefault(key, value)
    # Lines go in as plain dicts: the credit note's model checks them with itself, in one call.
    lines = [{n: row.values[n] for n in CREDIT_NOTE_LINE_FIELDS if n in row.values} for row in unit.rows]
    return {**header, "line_items": lines, "raw_data": raw_data or None}


# ------------------------------------------------------------------ shared


def _check_requirements(unit: Unit, row: ParsedRow, raw_data: dict[str, Any], required: list,
                        columns: ColumnMap, integration: str | None) -> None:
    for requirement in required:
        if raw_data.get(requirement.field) is not None:
            continue
        present = requirement.field in columns.raw_data
        label = columns.label(requirement.field) if present else requirement.field
        unit.add(row, required_by(label, integration, requirement.model, requirement.description, present))


def _build(unit: Unit, row: ParsedRow, model: type, body: dict[str, Any]) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as error:  # a bug guard: the readers should have caught it
        for item in error.errors():
            unit.add(row, f"{'.'.join(map(str, item['loc']))}: {item['msg']}")
        return None


def _finish(layout: TableLayout, units: list[Unit], columns: ColumnMap, emptied: list[int]) -> SheetValidation:
    results: dict[int, RowResult] = {}
    for unit in units:
        for row in unit.rows:
            messages = unit.messages.get(row.index)
            if row.rootfi_id:  # created by an earlier Submit (so its unit counts as sent)
                # Its message stays while it was Created already (a flag Submit wrote); a rootfi_id typed
                # into a held row, the way out its message gave, ends that message: it is not "Not sent" now.
                kept = _previous_message(row) if row.results.get(STATUS) == Status.CREATED else ""
                result = RowResult(Status.CREATED, kept, row.row_number)
            elif not messages and str(row.results.get(STATUS) or "") in SENT_STATUSES:
                result = RowResult(str(row.results[STATUS]), _previous_message(row), row.row_number)
            elif not messages and row.results.get(STATUS) is not None and unit.send_anyway:  # kept until sent
                result = RowResult(Status.SEND_ANYWAY, SEND_ANYWAY_NOTE, row.row_number)
            elif row.index in unit.held_back:
                result = RowResult(Status.SKIPPED, "; ".join(messages), row.row_number)
            elif messages:
                result = RowResult(Status.INVALID, "; ".join(dict.fromkeys(messages)), row.row_number)
            else:
                result = RowResult(Status.VALID, "", row.row_number)
            result.shows_refused_attempt = str(row.results.get(STATUS) or "") == Status.FAILED and not row.rootfi_id
            results[row.index] = result
    return SheetValidation(layout, units, results, columns, emptied=emptied)


SEND_ANYWAY_NOTE = ("marked 'send anyway': the next Submit sends it as a new record, even though it looks like one "
                    "created before")


def marked_send_anyway(value: Any) -> bool:
    """Does a status cell say `send anyway` (any case, any spacing)?"""
    return isinstance(value, str) and " ".join(value.split()).casefold() == SEND_ANYWAY


def _previous_message(row: ParsedRow) -> str:
    return str(row.results.get(MESSAGE) or "")


def validate_table(layout: TableLayout, table: Table, settings: WorkbookSettings,
                   book: RequirementBook) -> SheetValidation:
    if layout.key == PAYMENTS.key:
        return validate_payments(table, settings, book)
    return validate_credit_notes(table, settings, book)

