"""A straightforward reference of Validate, to check the fast one against.

This is how validation read a sheet before it was made fast: every cell of
every row through `_read`, a fresh error list and unreadable set per row, every result
cell read, one pydantic model per credit-note line, the collector left on. It is kept
deliberately plain and is used only by tests: whatever a table holds, the product's
`validate_payments` / `validate_credit_notes` must give the same statuses, the same
messages (naming the same columns) and the same requests as this does.

It shares only what the fast path did not change: the cell readers (sheets.cells), the
column finder (records.map_columns), the rules table and its checks, the requirement
book, the pydantic request models and the Unit container (validate.Unit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from rootfi_excel.errors import CellError
from rootfi_excel.fields import rules
from rootfi_excel.fields.integrations import RequirementBook
from rootfi_excel.messages import required_by
from rootfi_excel.fields.models import CreditNoteLineRequest, InvoiceCreditNoteRequest, InvoicePaymentRequest
from rootfi_excel.sheets.cells import READERS, CellFormat, read_id, read_text
from rootfi_excel.sheets.layout import (
    CREDIT_NOTE_HEADER_FIELDS,
    CREDIT_NOTE_LINE_FIELDS,
    CREDIT_NOTE_LINES,
    MESSAGE,
    PAYMENTS,
    ROOTFI_ID,
    STATUS,
    Status,
    TableLayout,
)
from rootfi_excel.sheets.records import ColumnMap, map_columns
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.validation.validate import Unit
from rootfi_excel.sheets.port import Table, UncalculatedFormula

SENT_STATUSES = frozenset({Status.CREATED, Status.PENDING, Status.UNKNOWN})


@dataclass
class Row:
    index: int
    row_number: int
    values: dict[str, Any]
    raw_data: dict[str, Any]
    errors: list[str]
    results: dict[str, Any]
    unreadable: set[str] = field(default_factory=set)

    @property
    def rootfi_id(self) -> str | None:
        return self.results.get(ROOTFI_ID)


@dataclass
class Outcome:
    units: list[Unit]
    results: dict[int, tuple[str, str, int]]  # row index -> (status, message, row number)


# ------------------------------------------------------------------ parsing


def parse_rows(table: Table, layout: TableLayout, columns: ColumnMap, fmt: CellFormat) -> list[Row]:
    kinds = {c.name: c.kind for c in layout.columns}
    width = len(table.headers)
    parsed = []
    for index, cells in enumerate(table.rows):
        cells = list(cells) + [None] * (width - len(cells))
        inputs = [cells[p] for p in columns.fields.values()] + [cells[p] for p, _ in columns.raw_data.values()]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in inputs):
            continue
        row = Row(index, table.row_number(index), {}, {}, [], {})
        for name, position in columns.fields.items():
            row.values[name] = _read(row, name, columns.label(name), READERS[kinds[name]], cells[position], fmt)
        for key, (position, kind) in columns.raw_data.items():
            value = _read(row, key, columns.label(key), READERS.get(kind, read_text), cells[position], fmt)
            if value is not None:
                row.raw_data[key] = value
        for name, position in columns.results.items():
            row.results[name] = _read_result(name, cells[position])
        parsed.append(row)
    return parsed


def _read(row: Row, name: str, label: str, reader: Any, value: Any, fmt: CellFormat) -> Any:
    if isinstance(value, UncalculatedFormula):
        row.errors.append(f"{label}: holds the formula {value.formula} but no calculated value; open the workbook "
                          "in Excel and save it, or type the value")
        row.unreadable.add(name)
        return None
    try:
        return reader(value, fmt)
    except CellError as error:
        row.errors.append(f"{label}: {error}")
        row.unreadable.add(name)
        return None


def _read_result(name: str, value: Any) -> Any:
    try:
        if name == ROOTFI_ID:
            return read_id(value, CellFormat())
        return read_text(value, CellFormat()) if not hasattr(value, "isoformat") else value
    except CellError:
        return None


# ----------------------------------------------------------------- payments


def validate_payments(table: Table, settings: WorkbookSettings, book: RequirementBook) -> Outcome:
    model = "invoice_payments"
    columns = map_columns(table, PAYMENTS, book.raw_data_fields(model), rules.required_fields(rules.PAYMENT_RULES))
    required = book.required(model, settings.integration)
    units = []
    for row in parse_rows(table, PAYMENTS, columns, settings.cell_format):
        unit = Unit(model, [row])
        for message in row.errors:
            unit.add(row, message)
        for name, problem in broken_rules(rules.PAYMENT_RULES, row.values, row.unreadable):
            unit.add(row, f"{columns.label(name)}: {problem}")
        _check_requirements(unit, row, row.raw_data, required, columns, settings.integration)
        units.append(unit)
    seen: dict[tuple[str, str], list[Unit]] = {}
    for unit in units:
        values = unit.rows[0].values
        if values.get("document_number") and values.get("invoice_id"):
            seen.setdefault((values["document_number"].casefold(), values["invoice_id"]), []).append(unit)
    for (_, invoice), group in seen.items():
        for unit in group if len(group) > 1 else ():
            others = ", ".join(str(u.rows[0].row_number) for u in group if u is not unit)
            unit.add(unit.rows[0], f"{columns.label('document_number')}: the same payment ({unit.document_number} "
                                   f"for invoice {invoice}) is also on row {others}; delete the extra row, or give "
                                   "each payment its own reference")
    for unit in units:
        if not any(unit.messages.values()):
            row = unit.rows[0]
            unit.request = _build(unit, row, InvoicePaymentRequest, {**row.values, "raw_data": row.raw_data or None})
    return _finish(units)


# ------------------------------------------------------------- credit notes


def validate_credit_notes(table: Table, settings: WorkbookSettings, book: RequirementBook) -> Outcome:
    model = "invoice_credit_notes"
    needed = rules.required_fields(rules.CREDIT_NOTE_RULES) + rules.required_fields(rules.CREDIT_NOTE_LINE_RULES)
    columns = map_columns(table, CREDIT_NOTE_LINES, book.raw_data_fields(model), needed)
    required = book.required(model, settings.integration)
    groups: dict[str, list[Row]] = {}
    units = []
    for row in parse_rows(table, CREDIT_NOTE_LINES, columns, settings.cell_format):
        number = row.values.get("document_number")
        if number is None:
            units.append(Unit(model, [row]))
        else:
            groups.setdefault(number, []).append(row)
    units.extend(Unit(model, group) for group in groups.values())
    units.sort(key=lambda u: u.rows[0].index)
    for unit in units:
        _check_credit_note(unit, columns, required, settings.integration)
        if not any(unit.messages.values()):
            unit.request = _build(unit, unit.rows[0], InvoiceCreditNoteRequest, _credit_note_body(unit))
    return _finish(units)


def _check_credit_note(unit: Unit, columns: ColumnMap, required: list, integration: str | None) -> None:
    first = unit.rows[0]
    for row in unit.rows:
        for message in row.errors:
            unit.add(row, message)
    header = _merge(unit, columns, lambda row: {n: row.values.get(n) for n in CREDIT_NOTE_HEADER_FIELDS})
    raw_data = _merge(unit, columns, lambda row: row.raw_data)
    unreadable = set().union(*(r.unreadable for r in unit.rows))
    for name, problem in broken_rules(rules.CREDIT_NOTE_RULES, header, unreadable):
        unit.add(first, f"{columns.label(name)}: {problem}")
    for row in unit.rows:
        for name, problem in broken_rules(rules.CREDIT_NOTE_LINE_RULES, row.values, row.unreadable):
            unit.add(row, f"{columns.label(name)}: {problem}")
        if not any(row.values.get(n) or n in row.unreadable for n in rules.CREDIT_NOTE_LINE_NEEDS_ONE_OF):
            names = " or ".join(columns.label(n) for n in rules.CREDIT_NOTE_LINE_NEEDS_ONE_OF)
            unit.add(row, f"{names}: a line needs an income account or an item, so the platform knows where to post it")
    _check_requirements(unit, first, raw_data, required, columns, integration)
    if unit.already_sent:
        for row in unit.rows:
            if not row.rootfi_id:
                unit.add(row, f"credit note {unit.document_number} was already created (rootfi_id {unit.rootfi_id}); "
                              "a line added now is not sent: create a new credit note for it")
    bad_rows = [r.row_number for r in unit.rows if unit.messages.get(r.index)]
    if bad_rows and len(unit.rows) > 1:
        listed = ", ".join(map(str, bad_rows))
        for row in unit.rows:
            if not unit.messages.get(row.index):
                unit.add(row, f"not sent: credit note {unit.document_number} has a problem on row {listed}")
                unit.held_back |= {row.index}


def _merge(unit: Unit, columns: ColumnMap, values_of: Any) -> dict[str, Any]:
    """First non-blank value of each field over the lines; a later different one is an error."""
    merged: dict[str, Any] = {}
    where: dict[str, int] = {}
    for row in unit.rows:
        for name, value in values_of(row).items():
            if value is None:
                continue
            if name not in merged:
                merged[name], where[name] = value, row.row_number
            elif value != merged[name]:
                label = columns.label(name)
                if name == "contact_id":
                    message = (f"{label}: document_number {unit.document_number} is used for two customers "
                               f"({_show(merged[name])} on row {where[name]}, {_show(value)} here); give each "
                               "credit note its own number")
                else:
                    message = (f"{label}: {_show(value)} differs from {_show(merged[name])} on row {where[name]}; "
                               f"every line of credit note {unit.document_number} must have the same {label} "
                               "(or leave it blank after the first line)")
                unit.add(row, message)
    return merged


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
    lines = [CreditNoteLineRequest(**{n: row.values.get(n) for n in CREDIT_NOTE_LINE_FIELDS if n in row.values})
             for row in unit.rows]
    return {**header, "line_items": lines, "raw_data": raw_data or None}


# ------------------------------------------------------------------ shared


def broken_rules(table: tuple[rules.Rule, ...], values: dict[str, Any], skip: set[str]) -> list[tuple[str, str]]:
    broken = []
    for rule in table:
        if rule.field not in skip:
            problem = rules.CHECKS[rule.check](values.get(rule.field))
            if problem:
                broken.append((rule.field, f"{problem} — {rule.why}"))
    return broken


def _check_requirements(unit: Unit, row: Row, raw_data: dict[str, Any], required: list, columns: ColumnMap,
                        integration: str | None) -> None:
    for requirement in required:  # the words are shared (messages.required_by), the check is the reference's
        if raw_data.get(requirement.field) is not None:
            continue
        present = requirement.field in columns.raw_data
        label = columns.label(requirement.field) if present else requirement.field
        unit.add(row, required_by(label, integration, requirement.model, requirement.description, present))


def _build(unit: Unit, row: Row, model: type, body: dict[str, Any]) -> Any:
    try:
        return model(**body)
    except ValidationError as error:
        for item in error.errors():
            unit.add(row, f"{'.'.join(map(str, item['loc']))}: {item['msg']}")
        return None


def _finish(units: list[Unit]) -> Outcome:
    results: dict[int, tuple[str, str, int]] = {}
    for unit in units:
        for row in unit.rows:
            messages = unit.messages.get(row.index) or []
            previous = str(row.results.get(MESSAGE) or "")
            if unit.already_sent and row.rootfi_id:  # a message of a row that was not Created yet is over
                result = (Status.CREATED, previous if row.results.get(STATUS) == Status.CREATED else "")
            elif not messages and str(row.results.get(STATUS) or "") in SENT_STATUSES:
                result = (str(row.results[STATUS]), previous)
            elif row.index in unit.held_back:
                result = (Status.SKIPPED, "; ".join(messages))
            elif messages:
                result = (Status.INVALID, "; ".join(dict.fromkeys(messages)))
            else:
                result = (Status.VALID, "")
            results[row.index] = (*result, row.row_number)
    return Outcome(units, results)
