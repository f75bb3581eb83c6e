"""The workbook port for live Excel, through xlwings (classic, open-source engine).

Thin on purpose: every decision lives in the core. Each call into Excel costs
milliseconds, so a table is read in one call (header row, data body) and results are
written one column block at a time: the number of Excel calls never grows with the
number of rows.

Rows can move while a long Submit runs (the person sorts, filters, inserts or deletes
rows). So results are never written blindly by position: just before writing, the table
is read again (one call) and each row is found by its key (the hidden row_key cell,
sheets/layout.ROW_KEY), and written only when its input columns still hold what was
read at the start. A row not found by its key exactly once, or changed meanwhile, is not
written; its result stays in the journal and `unplaced` counts it, so the run can say
"press Submit again" (the next Submit finds the row by its key). Only rows that had no
key as read (a table before keys: the write that gives them keys) are found by what
their input columns hold. A table without a row_key column gets one, hidden, at its
right edge, the first time keys are written.
Hidden and filtered rows are read and written like the others (Range.value ignores
filters). A value merged over several input rows (a credit note's number over its lines)
is read into each row it covers; merged cells over a column the add-in writes are
refused, as in the .xlsx adapter. Looking for merged cells costs one call when there are
none. Every text written passes through `safe_text.xml_safe` (as in the .xlsx adapter).

Rows typed or pasted directly below a table (outside its range) are read with one more
call (the block between the table and the end of the sheet's used range) and the table
is resized over them, as Excel itself does when a row is typed right under a table;
`notices` says so.

Only a small part of xlwings is used; XLWINGS_SURFACE lists it, a test checks every
name exists on the real xlwings classes, and tests/support/fake_xlwings.py imitates it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from rootfi_excel.errors import WorkbookError
from rootfi_excel.messages import NO_SHEET, words
from rootfi_excel.sheets.layout import (
    INTEGRATION_FIELDS_SHEET,
    INTEGRATION_FIELDS_TABLE,
    OWNED_COLUMNS,
    PLATFORM_ID,
    ROOTFI_ID,
    ROW_KEY,
    ROW_KEY_HEADER,
    SETTINGS_SHEET,
    SETTINGS_TABLE,
    SYNC_ID,
    TABLES,
    TableLayout,
    normalize_header,
)
from rootfi_excel.safe_text import xml_safe
from rootfi_excel.sheets.port import (
    looks_like_a_row,
    merged_message,
    owned_positions,
    stray_rows_message,
    FORMULA_STARTS,
    LIVE_PLACEHOLDER,
    LookupTable,
    ResultUpdate,
    Table,
    lookup_area,
    records_from,
    refuse_overwriting,
    result_positions,
    rows_text,
    settings_from,
    title_cell_free,
    total_row,
    total_row_notice,
)

# Every xlwings attribute the Excel side uses (this module, excel_ui.py, ribbon.py, udfs.py).
XLWINGS_SURFACE: dict[str, tuple[str, ...]] = {
    "App": ("alert", "books", "calculation", "enable_events", "screen_updating", "status_bar"),
    "Apps": ("active",),  # xw.apps.active: only when no workbook is open
    "Book": ("app", "caller", "close", "fullname", "name", "names", "selection", "sheets"),  # close: ribbon scratch
    "Sheets": ("add",),  # write_lookup_table: the Lookups sheet when the workbook has none
    "Names": ("add",),
    "Tables": ("add",),
    "Books": ("open",),
    "Sheet": ("activate", "book", "name", "range", "tables", "used_range"),  # book: a UDF's caller.sheet.book
    "Table": ("data_body_range", "header_row_range", "name", "range", "resize", "show_totals"),
    "Range": ("address", "clear", "clear_contents", "column", "column_width", "columns", "formula", "last_cell",
              "merge_area", "merge_cells", "options", "row", "shape", "sheet", "value"),
}

# Owned columns that hold ids: always written as text (a long id must not become 1.2E+15).
ID_COLUMNS = frozenset({ROOTFI_ID, PLATFORM_ID, SYNC_ID, ROW_KEY})
MAX_ROWS_BELOW = 100_000  # rows below a table read in one call when looking for typed rows


class ExcelWorkbook:
    def __init__(self, book: Any, *, read_only: bool = False) -> None:
        self.book = book
        # A worksheet function (udfs.py) may read but not change the workbook: rows typed
        # below a table are read with it, and the table is left as it is.
        self.read_only = read_only
        self.unplaced: dict[str, int] = {}  # sheet -> rows whose results could not be placed
        self.missed: dict[str, set[int]] = {}  # sheet -> those rows' indexes (as read at the start)
        self._as_read: dict[str, Table] = {}  # table key -> the table as read, to find rows again
        self.notices: list[str] = []  # what the adapter did on its own, to tell the person

    @classmethod
    def caller(cls) -> "ExcelWorkbook":
        """The workbook whose button ran the macro (Windows and macOS only)."""
        import xlwings as xw  # only inside Excel: tests give the adapter a fake book

        return cls(xw.Book.caller())

    # ------------------------------------------------------------------ reads

    @property
    def file_name(self) -> str | None:
        fullname = self.book.fullname  # a path, or a web address for a workbook on OneDrive/SharePoint
        return str(fullname).replace("\\", "/").rsplit("/", 1)[-1] if fullname else None

    def read_table(self, layout: TableLayout) -> Table:
        table = self._read(layout.sheet, layout.table, required=True)
        sheet = self._sheet(layout.sheet)
        self._merged(sheet, layout, table.headers, table.rows, table.first_row)
        self._as_read[layout.key] = table
        return table

    def read_settings(self) -> dict[str, Any]:
        return settings_from(self._read(SETTINGS_SHEET, SETTINGS_TABLE, required=False))

    def read_integration_fields(self) -> list[dict[str, Any]]:
        return records_from(self._read(INTEGRATION_FIELDS_SHEET, INTEGRATION_FIELDS_TABLE, required=False))

    def selected_rows(self) -> dict[str, set[int]] | None:
        """The selected rows of a data table as {table key: row indexes}; None when the
        selection is not on a table's data rows. A few calls, whatever the selection.

        Rows typed directly below the table count as its rows: reading the table takes
        them in (as the full Validate does), so their indexes follow the table's. Rows
        further down, after a blank row, are refused by that read, naming them."""
        selection = self.book.selection
        if selection is None:
            return None
        sheet_name = selection.sheet.name
        layout = next((t for t in TABLES.values() if t.sheet == sheet_name), None)
        if layout is None:
            return None
        sheet = self._sheet(sheet_name)
        table = self._table(sheet, layout.table)
        if table is None:
            return None
        body = table.data_body_range
        top = body.row if body is not None else table.header_row_range.row + 1
        bottom = top + (body.shape[0] if body is not None else 0) - 1
        if not table.show_totals:  # below a total row nothing is taken in
            bottom = max(bottom, sheet.used_range.last_cell.row)
        rows: set[int] = set()
        for first, last in row_spans(selection.address):
            rows.update(range(max(first, top) - top, min(last, bottom) - top + 1))
        return {layout.key: rows} if rows else None

    # ----------------------------------------------------------------- writes

    def write_results(self, layout: TableLayout, update: ResultUpdate) -> None:
        """Read the table again (two calls), find each row, write one block per result column."""
        if not update.values:
            return
        sheet = self._sheet(layout.sheet)
        table = self._table(sheet, layout.table)
        if table is None:
            raise WorkbookError(f"Sheet '{layout.sheet}' has no Excel table '{layout.table}' to write results into")
        headers = _row(table.header_row_range.options(ndim=2, err_to_str=True).value)
        positions = owned_positions(layout, headers)  # only the columns the add-in owns are ever written
        columns = sorted({column for values in update.values.values() for column in values})
        if ROW_KEY in columns and ROW_KEY not in positions:
            positions[ROW_KEY] = self._add_key_column(sheet, table, len(headers))
            headers = [*headers, ROW_KEY_HEADER]
        for column in columns:
            if column not in positions:
                raise WorkbookError(f"Sheet '{layout.sheet}' has no '{column}' column; add it to the table")
        body = table.data_body_range
        current = body.options(ndim=2, err_to_str=True).value if body is not None else []
        if body is not None:  # read as read_table read it: merged values spread over their rows
            self._merged(sheet, layout, headers, current, body.row)
        targets = self._find_rows(layout, Table(headers, current), update)
        missed = set(update.values) - set(targets)
        if missed:
            self.unplaced[layout.sheet] = self.unplaced.get(layout.sheet, 0) + len(missed)
            self.missed.setdefault(layout.sheet, set()).update(missed)
        if not targets:
            return
        for column in columns:
            position = positions[column]
            values = [[_cell(column, row[position])] for row in current]
            for index, changes in update.values.items():
                if column in changes and index in targets:
                    values[targets[index]] = [_cell(column, changes[column])]
            body.columns[position].options(ndim=2).value = values
        if ROW_KEY in columns:
            self._remember_keys(layout, update, targets)

    def write_setting(self, name: str, value: Any) -> bool:
        """A Settings value (the workbook id): one cell, or a new row below the Settings table
        (or below its rows, on a sheet without an Excel table). A few calls, whatever the value."""
        if SETTINGS_SHEET not in [s.name for s in self.book.sheets]:
            return False
        sheet = self.book.sheets[SETTINGS_SHEET]
        table = self._table(sheet, SETTINGS_TABLE)
        if table is not None:
            header = table.header_row_range
            body = table.data_body_range
            rows = [] if body is None else body.options(ndim=2).value
            top, left = header.row, header.column
        else:
            read = self._read_used_range(sheet, SETTINGS_TABLE)
            rows, top, left = read.rows, read.first_row - 1, sheet.used_range.column
        text = "'" + str(value)  # kept as text, whatever it reads like
        for offset, row in enumerate(rows):
            if str(row[0] or "").strip().lower() == name:
                sheet.range((top + 1 + offset, left + 1)).value = text
                return True
        below = top + 1 + len(rows)
        if any(v not in (None, "") for v in _row(sheet.range((below, left), (below, left + 1)).options(ndim=2).value)):
            return False  # something typed right below the settings
        sheet.range((below, left)).options(ndim=2).value = [[name, text]]
        if table is not None:
            width = max(len(rows[0]) if rows else 2, 2)
            table.resize(sheet.range((top, left), (below, left + width - 1)))
        return True

    def checkpoint(self) -> None:
        """Nothing to do: what was written is in the open workbook (the person saves it)."""

    def write_lookup_table(self, table: LookupTable) -> None:
        """A whole table (a live list, the Posted report) in a fixed number of Excel calls: clear the old
        table, write headers and rows as one block, make or resize the Excel table over it,
        and point its defined names at its columns' data cells (Names.Add redefines a name).
        Placed as workbook/xlsx_lookups.py places it; text stays text (an id "00123" or a date
        "2026-03-31" is not turned into a number by Excel). A table that grew over cells
        someone filled stops first, naming the cell, with nothing written (the .xlsx rule)."""
        from openpyxl.utils import get_column_letter  # slow to load: only when lookups are written

        if table.sheet in [s.name for s in self.book.sheets]:
            sheet = self.book.sheets[table.sheet]
        else:
            sheet = self.book.sheets.add(table.sheet, after=self.book.sheets[len(self.book.sheets) - 1])
        existing = self._table(sheet, table.name)
        old = None
        if existing is not None:
            top, left = existing.range.row, existing.range.column
            rows, columns = existing.range.shape
            old = (left, top, left + columns - 1, top + rows - 1)
        else:
            top, left = (2 if table.title else 1), _free_column(sheet)  # a title goes in the row above
        area = lookup_area(table, left, top)
        now = sheet.range((top, left), (area[3], area[2])).options(ndim=2).value  # one call
        refuse_overwriting(sheet.name, table, area, now, old)  # before anything is cleared or written
        if existing is not None:
            existing.range.clear_contents()
        width, height = len(table.headers), max(len(table.rows), 1)
        # Excel hides one leading apostrophe and keeps the rest as text, whatever it reads like.
        block = [[xml_safe(str(h)) for h in table.headers]] + [["'" + xml_safe(v) if isinstance(v, str) else v
                                                                 for v in row] for row in table.rows]
        if not table.rows:
            block.append([None] * width)  # an Excel table needs one data row
        sheet.range((top, left)).options(ndim=2).value = block
        target = sheet.range((top, left), (top + height, left + width - 1))
        if existing is not None:
            existing.resize(target)
        else:
            sheet.tables.add(source=target, name=table.name, table_style_name="TableStyleLight1")
        for defined, header in table.names.items():
            letter = get_column_letter(left + table.headers.index(header))
            self.book.names.add(defined, f"='{table.sheet}'!${letter}${top + 1}:${letter}${top + height}")
        if table.title and top > 1:
            title = sheet.range((top - 1, left))
            if title_cell_free(title.value, table):
                title.value = table.title

    def save(self) -> None:
        """The workbook stays open in Excel; the person saves it. Results are already
        in the journal, so nothing is lost if Excel closes before that."""

    def status(self, text: str | None) -> None:
        """Show progress in Excel's status bar (None gives it back to Excel)."""
        self.book.app.status_bar = text if text else False

    # ---------------------------------------------------------------- helpers

    def _merged(self, sheet: Any, layout: TableLayout, headers: list[Any], rows: list[list[Any]], first: int) -> None:
        """Merged cells among the table's rows (sheet rows first..): refused over a column the
        add-in writes; over an input column, the value spread to each row it covers. One
        call when the table has none, one more per column that has some."""
        if not rows:
            return
        table = self._table(sheet, layout.table)
        left = table.header_row_range.column if table is not None else sheet.used_range.column  # no table: the used range
        last = first + len(rows) - 1
        if sheet.range((first, left), (last, left + len(headers) - 1)).merge_cells is False:
            return
        owned = {p: name for name, p in owned_positions(layout, headers).items()}
        for position in range(len(headers)):
            column = left + position
            if sheet.range((first, column), (last, column)).merge_cells is False:
                continue
            if position in owned:
                area = _first_merged(sheet, column, first, last)
                where = area.address.replace("$", "") if area is not None else f"in column {position + 1}"
                raise WorkbookError(merged_message(sheet.name, where, owned[position]))
            for index in range(len(rows) - 1):
                value = rows[index][position] if position < len(rows[index]) else None
                if value is None or rows[index + 1][position] is not None:
                    continue
                spans = row_spans(sheet.range((first + index, column)).merge_area.address)
                end = spans[0][1] if spans else first + index
                for row in range(first + index + 1, min(end, last) + 1):
                    rows[row - first][position] = value

    def _find_rows(self, layout: TableLayout, now: Table, update: ResultUpdate) -> dict[int, int]:
        """Row index as read at the start -> row index now, for the rows in `update`.

        A row that had a key is found by its key, and only when its input columns (matched
        by header name, so an inserted column does not matter) still hold what was read.
        A row that had none (the write that gives keys) is found by its input values:
        identical rows are placed only when they get identical results. Anything not found
        exactly once is left out.
        """
        before = self._as_read.get(layout.key)
        if before is None:  # not read through this adapter: positions are all we know
            return {i: i for i in update.values if i < len(now.rows)}
        names = _input_names(layout, before.headers) & _input_names(layout, now.headers)
        old = _fingerprints(layout, before, names)
        new = _fingerprints(layout, now, names)
        old_keys, new_keys = _keys(layout, before), _keys(layout, now)
        if old == new and old_keys == new_keys:
            return {i: i for i in update.values if i < len(new)}
        key_at: dict[Any, list[int]] = defaultdict(list)
        for index, key in enumerate(new_keys):
            if key not in (None, ""):
                key_at[key].append(index)
        old_at: dict[tuple, list[int]] = defaultdict(list)
        new_at: dict[tuple, list[int]] = defaultdict(list)
        for index, key in enumerate(old):
            old_at[key].append(index)
        for index, key in enumerate(new):
            new_at[key].append(index)
        targets: dict[int, int] = {}
        for index, changes in update.values.items():
            if index >= len(old):
                continue
            if old_keys[index] not in (None, ""):  # by its key only, never by what it looks like
                places = key_at.get(old_keys[index], [])
                if len(places) == 1 and new[places[0]] == old[index]:
                    targets[index] = places[0]
                continue
            twins, places = old_at[old[index]], new_at.get(old[index], [])
            if len(places) != len(twins):
                continue
            if len(twins) == 1 or all(update.values.get(t) == changes for t in twins):
                targets[index] = places[twins.index(index)]
        return targets

    def _add_key_column(self, sheet: Any, table: Any, width: int) -> int:
        """The table's hidden row_key column at its right edge (a table made before keys
        has none), in a fixed number of calls; refused when that column holds something."""
        header = table.header_row_range
        body = table.data_body_range
        bottom = header.row + (body.shape[0] if body is not None else 0)
        column = header.column + width
        cells = sheet.range((header.row, column), (bottom, column)).options(ndim=2).value
        taken = next((offset for offset, row in enumerate(cells) if row[0] not in (None, "")), None)
        if taken is not None:
            raise WorkbookError(
                f"Sheet '{sheet.name}': the cell in column {column}, row {header.row + taken} holds "
                f"'{str(cells[taken][0])[:40]}', where the table's hidden {ROW_KEY} column goes (each row's identity "
                "for Submit): move it one column to the right, then run again")
        sheet.range((header.row, column)).value = ROW_KEY_HEADER
        table.resize(sheet.range((header.row, header.column), (bottom, column)))
        sheet.range((header.row, column), (bottom, column)).column_width = 0  # hidden (Excel: width 0)
        as_read = next((t for key, t in self._as_read.items() if TABLES[key].table == table.name), None)
        if as_read is not None and len(as_read.headers) == width:
            as_read.headers = [*as_read.headers, ROW_KEY_HEADER]
            as_read.rows = [[*row, None] for row in as_read.rows]
        self.notices.append(f"{sheet.name}: a hidden '{ROW_KEY_HEADER}' column was added at the table's right edge "
                            "(each row's identity for Submit)")
        return width

    def _remember_keys(self, layout: TableLayout, update: ResultUpdate, targets: dict[int, int]) -> None:
        """The keys just written are the rows' keys as read: later writes find the rows by them."""
        as_read = self._as_read.get(layout.key)
        if as_read is None:
            return
        position = result_positions(layout, as_read.headers).get(ROW_KEY)
        if position is None:
            return
        for index in targets:
            if ROW_KEY in update.values[index]:
                row = as_read.rows[index]
                row.extend([None] * (position + 1 - len(row)))  # (nothing when the row is long enough)
                row[position] = update.values[index][ROW_KEY]

    def _sheet(self, name: str) -> Any:
        names = [s.name for s in self.book.sheets]
        if name not in names:
            raise WorkbookError(words(NO_SHEET, sheet=name))
        return self.book.sheets[name]

    @staticmethod
    def _table(sheet: Any, name: str) -> Any | None:
        for table in sheet.tables:
            if table.name == name:
                return table
        return None

    def _read(self, sheet_name: str, table_name: str, *, required: bool) -> Table:
        """The Excel table (or, without one, the used range) in two or three calls."""
        try:
            sheet = self._sheet(sheet_name)
        except WorkbookError:
            if required:
                raise
            return Table([], [], 2, table_name)
        table = self._table(sheet, table_name)
        if table is None:
            return self._read_used_range(sheet, table_name)
        header = table.header_row_range
        headers = _row(header.options(ndim=2, err_to_str=True).value)
        body = table.data_body_range
        rows = [] if body is None else body.options(ndim=2, err_to_str=True).value
        rows = rows + self._take_rows_below(sheet, table, header, len(headers), len(rows))
        return Table(headers, rows, header.row + 1, table_name)

    def _take_rows_below(self, sheet: Any, table: Any, header: Any, width: int, count: int) -> list[list[Any]]:
        """Rows filled in directly below the table: the table is resized over them."""
        last = header.row + count + (1 if table.show_totals else 0)
        end = sheet.used_range.last_cell.row
        if end <= last:
            return []
        stop = min(end, last + MAX_ROWS_BELOW)
        block = sheet.range((last + 1, header.column), (stop, header.column + width - 1))
        below = block.options(ndim=2, err_to_str=True).value or []
        totals = {} if table.show_totals else self._totals(sheet, block, below, header.column, last + 1)
        taken = 0
        for i, row in enumerate(below):
            if i in totals or not any(v is not None and (not isinstance(v, str) or v.strip()) for v in row):
                break
            taken += 1
        stray = [last + 1 + i for i, row in enumerate(below) if i > taken and looks_like_a_row(row) and i not in totals]
        if stray:
            raise WorkbookError(stray_rows_message(sheet.name, stray))
        if not taken:
            return []
        if table.show_totals or (taken == len(below) and stop < end):
            where = "below the table's total row" if table.show_totals else "below the table, more than can be read"
            raise WorkbookError(f"Sheet '{sheet.name}': {rows_text(last + 1, last + taken)} are {where}: "
                                "resize the table over them (Table Design > Resize Table), then run again")
        if self.read_only:
            return below[:taken]
        table.resize(sheet.range((header.row, header.column), (last + taken, header.column + width - 1)))
        self.notices.append(f"{sheet.name}: the table was extended over {rows_text(last + 1, last + taken)} typed below it")
        return below[:taken]

    def _totals(self, sheet: Any, block: Any, below: list[list[Any]], left: int, top: int) -> dict[int, str]:
        """Rows of `below` that are totals (port.total_row): index -> as said; each said once
        in notices. Their formulas come in one more call, made only when something is below."""
        if not below:
            return {}
        formulas = block.formula
        if isinstance(formulas, str):  # a one-cell block gives its formula alone
            formulas = ((formulas,),)
        found = {}
        for i, (row, texts) in enumerate(zip(below, formulas)):
            cells = [(value, text if isinstance(text, str) and text.startswith("=") else None)
                     for value, text in zip(row, texts)]
            said = total_row(cells, left, top + i)
            if said:
                found[i] = said
                notice = total_row_notice(sheet.name, top + i, said)
                if notice not in self.notices:
                    self.notices.append(notice)
        return found

    @staticmethod
    def _read_used_range(sheet: Any, name: str) -> Table:
        block = sheet.used_range
        values = block.options(ndim=2, err_to_str=True).value or [[]]
        start = 0
        while start < len(values) and not any(v not in (None, "") for v in values[start]):
            start += 1
        if start == len(values):
            return Table([], [], block.row + 1, name)
        return Table(values[start], values[start + 1:], block.row + start + 1, name)


_AREA = re.compile(r"^\$?[A-Z]*\$?(\d*)(?::\$?[A-Z]*\$?(\d*))?$")


def row_spans(address: str) -> list[tuple[int, int]]:
    """'$B$4:$H$10,$B$15' -> [(4, 10), (15, 15)]; whole columns ('$A:$C') -> every row."""
    spans = []
    for area in address.replace(" ", "").split(","):
        area = area.split("!")[-1]
        match = _AREA.match(area.upper())
        if not match:
            continue
        first, last = match.group(1), match.group(2)
        if not first:  # whole columns
            spans.append((1, 1_048_576))
        else:
            end = int(last) if last else int(first)
            spans.append((min(int(first), end), max(int(first), end)))
    return spans


def _keys(layout: TableLayout, table: Table) -> list[Any]:
    """Each row's key cell (None without a row_key column)."""
    position = result_positions(layout, table.headers).get(ROW_KEY)
    if position is None:
        return [None] * len(table.rows)
    return [row[position] if position < len(row) else None for row in table.rows]


def _input_names(layout: TableLayout, headers: list[Any]) -> set[str]:
    results = {p for name, p in result_positions(layout, headers).items() if name in OWNED_COLUMNS}
    return {normalize_header(h) for p, h in enumerate(headers) if p not in results and normalize_header(h)}


def _fingerprints(layout: TableLayout, table: Table, names: set[str]) -> list[tuple]:
    """Each row's input values, in a fixed column order (by header name)."""
    where: dict[str, int] = {}
    for position, header in enumerate(table.headers):
        where.setdefault(normalize_header(header), position)
    order = [where[name] for name in sorted(names)]
    return [tuple(row[p] if p < len(row) else None for p in order) for row in table.rows]


def _row(values: list[list[Any]] | None) -> list[Any]:
    return list(values[0]) if values else []


def _free_column(sheet: Any) -> int:
    """Where a new table goes: the template's empty grey placeholder columns are removed
    first, then one empty column after everything left on the sheet (its tables included)."""
    used = sheet.used_range
    values = used.options(ndim=2).value
    values = values if isinstance(values, list) else [[values]]
    filled = {(used.row + r, used.column + c) for r, row in enumerate(values) for c, value in enumerate(row)
              if value not in (None, "")}
    with_data_below = {column for row, column in filled if row > 1}
    for row, column in sorted(filled):
        header = values[row - used.row][column - used.column]
        if row == 1 and column not in with_data_below and isinstance(header, str) and LIVE_PLACEHOLDER.match(header):
            sheet.range((1, column)).clear()  # its value and the grey fill
            filled.discard((1, column))
    right = max((column for _, column in filled), default=0)
    for other in sheet.tables:  # an empty table still owns its columns
        right = max(right, other.range.column + other.range.columns.count - 1)
    return right + 2 if right else 1


def _first_merged(sheet: Any, column: int, first: int, last: int) -> Any | None:
    """The merged range holding the first merged cell among rows first..last of one column
    (halving the rows: a few calls however many rows), or None."""
    if sheet.range((first, column), (last, column)).merge_cells is False:
        return None
    if first == last:
        return sheet.range((first, column)).merge_area
    middle = (first + last) // 2
    return _first_merged(sheet, column, first, middle) or _first_merged(sheet, column, middle + 1, last)


def _cell(column: str, value: Any) -> Any:
    """A value as Excel should hold it. A leading apostrophe makes Excel keep text as
    text, unseen: ids (so 00123 or a 16-digit id stays exact) and text that Excel would
    take for a formula. Excel has no time zones: datetimes arrive naive, in the user's zone."""
    if column in ID_COLUMNS and value is not None and value != "":
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        return "'" + xml_safe(text)
    if isinstance(value, str):
        value = xml_safe(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone().replace(tzinfo=None)
    return value
