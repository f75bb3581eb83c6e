"""The workbook port: the small interface the core needs from a workbook.

Two adapters implement it: `xlsx.XlsxWorkbook` (an .xlsx file through openpyxl: the
headless CLI, CI, Linux) and `excel.ExcelWorkbook` (live Excel through xlwings). Both
read a whole table in one go and write a block of result columns in one go, never a
call per cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from rootfi_excel.errors import WorkbookError
from rootfi_excel.messages import TOTAL_ROW_LEFT
from rootfi_excel.sheets.layout import LOOKUPS_SHEET, TableLayout, header_lookup, normalize_header, owned_columns


# Text Excel would take for a formula. Text from the API that starts with one of these
# (a message, an id) is always written as text, never as a formula.
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class UncalculatedFormula:
    """A formula cell that holds no calculated value (a file saved by a program, not by
    Excel). The parser reports it on its row instead of guessing a value."""

    formula: str


@dataclass
class Table:
    """A table exactly as the workbook gave it: a header row and value rows.

    Values are what xlwings/openpyxl return: str, int, float, bool, datetime, date,
    None, or Excel error strings such as '#N/A'. `first_row` is the sheet row number
    of rows[0], used only to name rows in messages ("row 7").
    """

    headers: list[Any]
    rows: list[list[Any]]
    first_row: int = 2
    name: str = ""

    def row_number(self, index: int) -> int:
        return self.first_row + index


@dataclass
class ResultUpdate:
    """New values of result columns for some rows: {row index: {column: value}}.

    Columns are result column names (status, message, rootfi_id, ...); rows not
    mentioned keep what they have.
    """

    values: dict[int, dict[str, Any]] = field(default_factory=dict)

    def set(self, index: int, **columns: Any) -> None:
        self.values.setdefault(index, {}).update(columns)


def looks_like_a_row(values: Any) -> bool:
    """Two or more filled cells: a row of data, not a one-cell note."""
    return sum(1 for v in values if v is not None and (not isinstance(v, str) or v.strip())) >= 2


def stray_rows_message(sheet: str, rows: list[int]) -> str:
    """Rows below a table, after a blank row: never silently left out."""
    shown = ", ".join(map(str, rows[:8])) + (f" and {len(rows) - 8} more" if len(rows) > 8 else "")
    return (f"Sheet '{sheet}': row{'s' if len(rows) > 1 else ''} {shown} below the table, after a blank row, "
            "would be left out: move them up into the table (no blank row between), or delete them, then run again")


# A totals row someone put below a table: only a label and formulas that sum the column
# above. It is not data: both adapters leave it where it is, outside the table, and say so once.
_SUMMING = re.compile(r"^=\s*(?:_xlfn\.)?(SUM|SUBTOTAL|AGGREGATE)\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)
_AREA = re.compile(r"(?<![A-Za-z])\$?([A-Za-z]{1,3})\$?(\d+)\s*:\s*\$?([A-Za-z]{1,3})\$?(\d+)")


def total_row(cells: list[tuple[Any, str | None]], first_column: int, row: int) -> str | None:
    """Whether a row below a table is a total: besides blanks only one label (text) and
    formulas that sum the column above (SUM, SUBTOTAL or AGGREGATE over cells of their own
    column above this row, or over a table's column). `cells` are (value, formula or None)
    from `first_column` on. Returns the row as a message shows it ('Total =SUM(E2:E9)'),
    else None."""
    from openpyxl.utils import column_index_from_string  # openpyxl is slow to load: the UDF server never needs it

    label: str | None = None
    sums: list[str] = []
    for offset, (value, formula) in enumerate(cells):
        if formula:
            match = _SUMMING.match(formula)
            if not match:
                return None
            areas = _AREA.findall(match.group(2))
            column = first_column + offset
            if not areas and "[" not in match.group(2):
                return None
            for first, top, last, bottom in areas:
                if not (column_index_from_string(first.upper()) == column_index_from_string(last.upper()) == column
                        and max(int(top), int(bottom)) < row):
                    return None
            sums.append(formula.strip())
        elif value is None or (isinstance(value, str) and not value.strip()):
            continue
        elif isinstance(value, str) and label is None:
            label = value.strip()
        else:
            return None
    return " ".join(([label] if label else []) + sums) if sums else None


def total_row_notice(sheet: str, row: int, said: str) -> str:
    return TOTAL_ROW_LEFT.format(sheet=sheet, row=row, said=said)


def rows_text(first: int, last: int) -> str:
    """'row 7' or 'rows 7-9', for messages."""
    return f"row {first}" if first == last else f"rows {first}-{last}"


# The template's reserved, empty live columns on the Lookups sheet ("contacts: id",
# "tax_rates: name", ...): both adapters remove them before placing the first live table.
LIVE_PLACEHOLDER = re.compile(r"^[a-z_]+: (id|name)$")


@dataclass
class LookupTable:
    """A table the add-in writes whole: a live list on the Lookups sheet (with defined
    names over some of its columns' data cells, which the input columns' data validation
    points at), or a report such as the Posted sheet."""

    name: str                     # Excel table name, e.g. "LiveInvoices"
    headers: list[str]
    rows: list[list[Any]]
    names: dict[str, str] = field(default_factory=dict)  # defined name -> header of its column
    sheet: str = LOOKUPS_SHEET    # made (last) if the workbook has no such sheet
    title: str = ""               # said in the cell above the header row ("Contacts (customers)"), when placed
    #                               with room for it (a new table goes one row down to make it)
    one_page: bool = False        # a sheet made for it prints on one page (the Totals sheet)


Area = tuple[int, int, int, int]  # (left, top, right, bottom), 1-based sheet cells


def lookup_area(table: LookupTable, left: int, top: int) -> Area:
    """The cells a LookupTable fills when its header goes at (top, left): the header row and
    its rows (at least one: an Excel table needs a data row, even an empty one)."""
    return left, top, left + len(table.headers) - 1, top + max(len(table.rows), 1)


def title_cell_free(value: Any, table: LookupTable) -> bool:
    """Whether the cell above a table's header may take its title: empty, or its title already."""
    return value in (None, "") or value == table.title


def refuse_overwriting(sheet: str, table: LookupTable, area: Area, values: list[list[Any]],
                       old: Area | None = None) -> None:
    """A list that grew must not write over what someone typed below (or beside) its old
    rows: stop before anything is written, naming the cell. `values` are the cells of
    `area` as they are now; cells of `old` (the table being rewritten) are its own."""
    from openpyxl.utils import get_column_letter  # (the same)

    left, top = area[0], area[1]
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            at_row, at_column = top + r, left + c
            if old and old[0] <= at_column <= old[2] and old[1] <= at_row <= old[3]:
                continue
            if value not in (None, ""):
                raise WorkbookError(
                    f"Sheet '{sheet}': cell {get_column_letter(at_column)}{at_row} holds '{str(value)[:40]}', where "
                    f"the {table.name} table's {len(table.rows)} rows go: move it elsewhere, then run again")


def settings_from(table: Table) -> dict[str, Any]:
    """A Settings table (setting, value, ...) -> {setting in lower case: value}."""
    return {str(r[0]).strip().lower(): (r[1] if len(r) > 1 else None)
            for r in table.rows if r and r[0] is not None and str(r[0]).strip()}


def records_from(table: Table) -> list[dict[str, Any]]:
    """A table -> one dict per row, keyed by normalized header."""
    names = [normalize_header(h) for h in table.headers]
    return [dict(zip(names, row)) for row in table.rows]


def result_positions(layout: TableLayout, headers: list[Any]) -> dict[str, int]:
    """Result column name -> its 0-based position among `headers` (the first one wins)."""
    lookup = header_lookup(layout)
    positions: dict[str, int] = {}
    for position, header in enumerate(headers):
        name = lookup.get(normalize_header(header))
        if name is not None:
            positions.setdefault(name, position)
    return positions


def owned_positions(layout: TableLayout, headers: list[Any]) -> dict[str, int]:
    """Owned column name (layout.owned_columns) -> its 0-based position among `headers`."""
    owned = owned_columns(layout)
    return {name: p for name, p in result_positions(layout, headers).items() if name in owned}


def merged_message(sheet: str, cells: str, column: str) -> str:
    """Merged cells over a column the add-in writes one value per row into: refused."""
    return (f"Sheet '{sheet}': cells {cells} are merged over the '{column}' column, where each row gets its own "
            "result: unmerge them (Home > Merge & Center > Unmerge Cells), then run again")


class WorkbookPort(Protocol):
    """What the core needs from a workbook; both adapters (workbook/xlsx.py, workbook/excel.py) implement all of it."""

    notices: list[str]  # what the adapter did on its own (a table extended over rows below it), to tell
    # Results that could not be placed because their rows were moved or deleted while the run
    # was away (live Excel only; a file cannot change under a run): sheet -> how many, and
    # sheet -> those rows' indexes as read at the start.
    unplaced: dict[str, int]
    missed: dict[str, set[int]]

    @property
    def file_name(self) -> str | None:
        """The workbook's file name as Excel or the file system names it ('Payments.xlsx'); None
        for a workbook Excel has not named."""

    def read_table(self, layout: TableLayout) -> Table: ...

    def read_settings(self) -> dict[str, Any]: ...

    def read_integration_fields(self) -> list[dict[str, Any]]: ...

    def write_results(self, layout: TableLayout, update: ResultUpdate) -> None:
        """Write owned cells (results, row keys) of some rows. A table without a row_key
        column gets one at its right edge (hidden, headed ROW_KEY_HEADER) when keys are written."""

    def write_setting(self, name: str, value: Any) -> bool:
        """Write a Settings value (the workbook id), adding its row when absent. False when the
        workbook has no Settings table to hold it."""

    def checkpoint(self) -> None:
        """Make what was written so far last (a file: saved, still held) before anything is sent."""

    def write_lookup_table(self, table: LookupTable) -> None:
        """Replace the table `table.name` on `table.sheet` (both made if absent) and point its defined names."""

    def save(self) -> None: ...
