"""A table (header row + value rows) -> parsed rows: typed values, raw_data, messages.

Columns are found by header name (see layout.header_lookup), never by position;
columns nobody knows are kept in the workbook and ignored here. Each cell is read by
the reader of its column's kind (cells.READERS); a cell that cannot be read becomes a
message on its row naming the column, and never stops the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from rootfi_excel.errors import CellError, HeaderError
from rootfi_excel.fields.integrations import Requirement
from rootfi_excel.sheets.cells import READERS, CellFormat, read_id, read_text
from rootfi_excel.sheets.layout import (
    OWNED_COLUMNS,
    RAW_DATA_PREFIX,
    RESULT_COLUMNS,
    ROOTFI_ID,
    ROW_KEY,
    TableLayout,
    header_lookup,
    normalize_header,
)
from rootfi_excel.sheets.port import Table, UncalculatedFormula


@dataclass
class ColumnMap:
    """Where each known field sits in the table, and the header the user sees."""

    fields: dict[str, int] = field(default_factory=dict)  # field -> position
    raw_data: dict[str, tuple[int, str]] = field(default_factory=dict)  # raw key -> (position, kind)
    results: dict[str, int] = field(default_factory=dict)  # owned column (results, row key) -> position
    headers: dict[str, str] = field(default_factory=dict)  # field or raw key -> header text

    def label(self, name: str) -> str:
        return self.headers.get(name, name)


@dataclass(slots=True)
class ParsedRow:
    index: int  # position among the table's data rows (0-based)
    row_number: int  # the sheet's row number, for messages
    values: dict[str, Any]  # field -> typed value (None when blank)
    raw_data: dict[str, Any]  # raw_data key -> typed value (blank ones left out)
    results: dict[str, Any]  # the result columns that hold something now (status, rootfi_id, ...)
    # Most rows have no bad cell: these stay the shared empty values until one is found.
    errors: tuple[str, ...] = ()  # "column: what is wrong and how to fix it"
    unreadable: frozenset[str] = frozenset()  # fields whose cell could not be read

    @property
    def rootfi_id(self) -> str | None:
        return self.results.get(ROOTFI_ID)

    @property
    def key(self) -> str | None:
        """The row's hidden identity (ROW_KEY), once Validate or Submit gave it one."""
        return self.results.get(ROW_KEY)

    def error(self, name: str, label: str, message: str) -> None:
        """The cell of `name` (headed `label`) could not be read."""
        self.errors += (f"{label}: {message}",)
        self.unreadable |= {name}


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
        elif name in OWNED_COLUMNS:
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


_Reader = Callable[[Any, CellFormat], Any]
# One column of one table, worked out once per table: (field or raw_data key, position,
# reader, the header that messages name).
_Column = tuple[str, int, _Reader, str]


def parse_rows(table: Table, layout: TableLayout, columns: ColumnMap, fmt: CellFormat,
               emptied: list[int] | None = None) -> list[ParsedRow]:
    """Every non-blank row, its cells read into typed values. Never raises for bad cells.

    Each column's position, reader and label are worked out once for the table, so a
    row costs one reader call per filled cell and nothing for a blank one. `emptied`
    receives the indexes of blank rows whose owned cells (results, row key) still hold
    something: a row emptied of its inputs takes its results with it."""
    kinds = {c.name: c.kind for c in layout.columns}
    fields = [(name, pos, READERS[kinds[name]], columns.label(name)) for name, pos in columns.fields.items()]
    raw_data = [(key, pos, READERS.get(kind, read_text), columns.label(key))
                for key, (pos, kind) in columns.raw_data.items()]
    results = [(name, pos, read_id if name == ROOTFI_ID else _read_result_text) for name, pos in columns.results.items()]
    inputs = [pos for _, pos, _, _ in fields + raw_data]
    owned = list(columns.results.values())
    width = len(table.headers)
    parsed: list[ParsedRow] = []
    for index, cells in enumerate(table.rows):
        if len(cells) < width:
            cells = list(cells) + [None] * (width - len(cells))
        if _is_blank(cells, inputs):
            if emptied is not None and not _is_blank(cells, owned):
                emptied.append(index)
            continue
        row = ParsedRow(index, table.row_number(index), {}, {}, _read_results(cells, results))
        _read_cells(row, row.values, cells, fields, fmt, keep_blank=True)
        _read_cells(row, row.raw_data, cells, raw_data, fmt, keep_blank=False)
        parsed.append(row)
    return parsed


def _read_cells(row: ParsedRow, into: dict[str, Any], cells: list[Any], columns: list[_Column],
                fmt: CellFormat, keep_blank: bool) -> None:
    """Read the row's cells of `columns` into `into` (blank ones too if keep_blank); a cell
    that cannot be read is left blank and becomes an error on the row naming its column."""
    for name, position, read, label in columns:
        value = cells[position]
        if value is not None:
            try:
                if isinstance(value, UncalculatedFormula):
                    raise CellError(f"holds the formula {value.formula} but no calculated value; open the "
                                    "workbook in Excel and save it, or type the value")
                value = read(value, fmt)
            except CellError as error:
                row.error(name, label, str(error))
                value = None
        if value is not None or keep_blank:
            into[name] = value


def _read_results(cells: list[Any], results: list[tuple[str, int, _Reader]]) -> dict[str, Any]:
    """What the result columns hold now, blank ones left out; a cell that cannot be
    read counts as blank."""
    read: dict[str, Any] = {}
    for name, position, reader in results:
        value = cells[position]
        if value is not None:
            try:
                read[name] = reader(value, _PLAIN)
            except CellError:
                pass
    return read


def _read_result_text(value: Any, fmt: CellFormat) -> Any:
    """A result cell as text; a date-time (submitted_at) is kept as it is."""
    return value if hasattr(value, "isoformat") else read_text(value, fmt)


_PLAIN = CellFormat()  # result cells are written by us, never in the workbook's own formats


def _is_blank(cells: list[Any], positions: list[int]) -> bool:
    """A row with nothing in any input column (result columns do not count)."""
    for position in positions:
        value = cells[position]
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return False
    return True
