"""A table (header row + value rows) -> parsed rows: typed values, raw_data, messages.

Columns are found by header name (see layout.header_lookup), never by position;
columns nobody knows are kept in the workbook and ignored here. Each cell is read by
the reader of its column's kind (cells.READERS); a cell that cannot be read becomes a
message on its row naming the column, and never stops the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rootfi_excel.fields.integrations import Requirement
from rootfi_excel.sheets.cells import READERS, CellError, CellFormat, read_id, read_text
from rootfi_excel.sheets.layout import (
    RAW_DATA_PREFIX,
    RESULT_COLUMNS,
    ROOTFI_ID,
    TableLayout,
    header_lookup,
    normalize_header,
)
from rootfi_excel.workbook.port import Table, UncalculatedFormula, WorkbookError


class HeaderError(WorkbookError):
    """The table lacks a column the template needs, or has one twice."""


@dataclass
class ColumnMap:
    """Where each known field sits in the table, and the header the user sees."""

    fields: dict[str, int] = field(default_factory=dict)  # field -> position
    raw_data: dict[str, tuple[int, str]] = field(default_factory=dict)  # raw key -> (position, kind)
    results: dict[str, int] = field(default_factory=dict)  # result column -> position
    headers: dict[str, str] = field(default_factory=dict)  # field or raw key -> header text

    def label(self, name: str) -> str:
        return self.headers.get(name, name)


@dataclass
class ParsedRow:
    index: int  # position among the table's data rows (0-based)
    row_number: int  # the sheet's row number, for messages
    values: dict[str, Any]  # field -> typed value (None when blank)
    raw_data: dict[str, Any]  # raw_data key -> typed value (blank ones left out)
    errors: list[str]  # "column: what is wrong and how to fix it"
    results: dict[str, Any]  # what the result columns hold now (status, rootfi_id, ...)
    unreadable: set[str] = field(default_factory=set)  # fields whose cell could not be read

    @property
    def rootfi_id(self) -> str | None:
        return self.results.get(ROOTFI_ID)

    def error(self, label: str, message: str) -> None:
        self.errors.append(f"{label}: {message}")


def map_columns(
    table: Table,
    layout: TableLayout,
    raw_data_fields: dict[str, Requirement],
    required: tuple[str, ...] = (),
) -> ColumnMap:
    """Find every known column by its header. Raises HeaderError naming what is missing."""
    lookup = header_lookup(layout)
    unified = {c.name for c in layout.columns}
    mapped = ColumnMap()
    seen: dict[str, str] = {}
    for position, header in enumerate(table.headers):
        key = normalize_header(header)
        if not key:
            continue
        raw_key = None
        if key.startswith(RAW_DATA_PREFIX):
            raw_key = str(header).strip().split(".", 1)[1].strip()
        elif key in raw_data_fields and key not in unified:
            raw_key = key  # an integration-specific field, named by its raw_data key
        name = raw_key if raw_key else lookup.get(key) or lookup.get(key.replace("_", ""))
        if name is None:
            continue  # a column of the team's own: kept in the sheet, ignored here
        if name in seen:
            raise HeaderError(
                f"Sheet '{layout.sheet}': the columns '{seen[name]}' and '{header}' both mean {name}; "
                "rename or delete one of them"
            )
        seen[name] = str(header).strip()
        mapped.headers[name] = str(header).strip()
        if raw_key:
            kind = raw_data_fields[raw_key].type if raw_key in raw_data_fields else "text"
            mapped.raw_data[raw_key] = (position, "amount" if kind == "number" else kind)
        elif name in RESULT_COLUMNS:
            mapped.results[name] = position
        else:
            mapped.fields[name] = position
    missing = [n for n in required if n not in mapped.fields]
    missing += [n for n in RESULT_COLUMNS if n not in mapped.results]
    if missing:
        raise HeaderError(
            f"Sheet '{layout.sheet}' has no column for {', '.join(missing)}. "
            "Add the column(s) with these headers (the template has them), then try again."
        )
    return mapped


def parse_rows(table: Table, layout: TableLayout, columns: ColumnMap, fmt: CellFormat) -> list[ParsedRow]:
    """Every non-blank row, its cells read into typed values. Never raises for bad cells."""
    kinds = {c.name: c.kind for c in layout.columns}
    readers = [(name, pos, READERS[kinds[name]]) for name, pos in columns.fields.items()]
    raw_readers = [(key, pos, READERS.get(kind, read_text)) for key, (pos, kind) in columns.raw_data.items()]
    result_positions = list(columns.results.items())
    width = len(table.headers)
    parsed: list[ParsedRow] = []
    for index, cells in enumerate(table.rows):
        if len(cells) < width:
            cells = list(cells) + [None] * (width - len(cells))
        if _is_blank(cells, readers, raw_readers):
            continue
        row = ParsedRow(index, table.row_number(index), {}, {}, [], {})
        for name, position, reader in readers:
            row.values[name] = _read(row, name, columns.label(name), reader, cells[position], fmt)
        for key, position, reader in raw_readers:
            value = _read(row, key, columns.label(key), reader, cells[position], fmt)
            if value is not None:
                row.raw_data[key] = value
        for name, position in result_positions:
            row.results[name] = _read_result(name, cells[position])
        parsed.append(row)
    return parsed


def _read(row: ParsedRow, name: str, label: str, reader: Any, value: Any, fmt: CellFormat) -> Any:
    if isinstance(value, UncalculatedFormula):
        row.error(label, f"holds the formula {value.formula} but no calculated value; open the workbook in Excel "
                         "and save it, or type the value")
        row.unreadable.add(name)
        return None
    try:
        return reader(value, fmt)
    except CellError as error:
        row.error(label, str(error))
        row.unreadable.add(name)
        return None


def _read_result(name: str, value: Any) -> Any:
    try:
        if name == ROOTFI_ID:
            return read_id(value, CellFormat())
        return read_text(value, CellFormat()) if not hasattr(value, "isoformat") else value
    except CellError:
        return None


def _is_blank(cells: list[Any], readers: list, raw_readers: list) -> bool:
    """A row with nothing in any input column (result columns do not count)."""
    for _, position, _ in readers:
        value = cells[position]
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return False
    for _, position, _ in raw_readers:
        value = cells[position]
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return False
    return True
