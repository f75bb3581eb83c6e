"""The workbook port for .xlsx/.xlsm files (headless CLI, CI, Linux).

The file is read once into memory. A sheet is parsed only when it is read, as values
(`xlsx_read`: openpyxl's parser, without its whole-workbook model); cached formula
values come from a second, values-only parse of a sheet, made only when a table holds
a formula.

Saving never rewrites the workbook through a library's model (which drops what it does
not know: pictures, text boxes, form buttons, header images). `xlsx_package` changes
only what the add-in owns: the result cells (and any other column the layout owns), a
table's range when rows typed below it are taken in, the Lookups and Posted sheets'
tables and their defined names, and a date style where a result cell has none; every
other part and row is copied byte for byte. What cannot be changed that way is found
when the tables are read, before anything is sent: the command stops, naming the cell
or part and what to do, and writes nothing.

The file itself is handled by `files` (atomic saving through links, keeping its mode,
read-only files refused, one run at a time). A workbook that changed on disk since it
was opened (another run or program saved it) is never overwritten: the results stay in
the journal for the next run.

Rows typed directly below an Excel table (outside its range) are taken into it: the
table is extended over them, and `notices` says so. A value merged over several input
rows (a credit note's number over its lines) is read into each row it covers.

A table made before row keys existed gets its hidden row_key column at its right edge the
first time keys are written, and a Settings table without a workbook_id row gets that row:
both by patching (the header cell, the table's range and columns), like every other change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import warnings
from pathlib import Path
from typing import Any, Callable

from filelock import FileLock
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table as ExcelTable

from rootfi_excel.errors import Unpatchable, WorkbookError
from rootfi_excel.messages import NO_SHEET, words
from rootfi_excel.sheets.layout import (
    INTEGRATION_FIELDS_SHEET,
    INTEGRATION_FIELDS_TABLE,
    ROW_KEY,
    ROW_KEY_HEADER,
    SETTINGS_SHEET,
    SETTINGS_TABLE,
    TableLayout,
)
from rootfi_excel.safe_text import xml_safe
from rootfi_excel.sheets.port import (
    looks_like_a_row,
    merged_message,
    owned_positions,
    stray_rows_message,
    LookupTable,
    ResultUpdate,
    Table,
    UncalculatedFormula,
    records_from,
    rows_text,
    settings_from,
    total_row,
    total_row_notice,
)
from rootfi_excel.workbook.files import lock_file, read_file, read_only, replace_file, writable_file
from rootfi_excel.workbook.xlsx_package import Package
from rootfi_excel.workbook.xlsx_patch import MAX_CELL_TEXT, Cells
from rootfi_excel.workbook.xlsx_read import ValuesSheet, read_sheet
from rootfi_excel.workbook.xlsx_lookups import write_lookup_table

log = logging.getLogger(__name__)

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MACRO_SUFFIXES = (".xlsm", ".xltm")  # files whose VBA project must survive a save
LARGEST_NUMBER = 1.7976931348623157e308  # a cell holds a double: a longer integer is no Excel number


class XlsxWorkbook:
    def __init__(self, path: Path, source: bytes, *, lock: FileLock | None = None) -> None:
        self.path = path  # as the person named it (perhaps a link)
        self.target = path.resolve()  # the file itself: read, checked and replaced
        self.notices: list[str] = []  # what the adapter did on its own, to tell the person
        # A file cannot change under a run: every result finds its row (see WorkbookPort).
        self.unplaced: dict[str, int] = {}
        self.missed: dict[str, set[int]] = {}
        self.formula_without_value: list[str] = []  # cells whose formula was never calculated
        self._source = source  # the bytes opened: parsed sheet by sheet, patched when saved
        self._opened = hashlib.sha256(source).digest()  # to notice a change on disk before saving
        self._reader = _load(path, source, read_only=True)  # workbook, styles, strings; not the sheets
        self._package = _package(path, source)  # the parts, to change only what the add-in owns
        self._sheets: dict[str, ValuesSheet] = {}  # the sheets read so far (and sheets made by this run)
        self._cached: dict[str, ValuesSheet] = {}  # values-only parses, for formula cells' values
        self._lock = lock
        self._written: dict[str, Cells] = {}  # cells written: {sheet: {(row, column): value}}
        self._extended: dict[tuple[str, str], int] = {}  # (sheet, table) -> its new last row

    @classmethod
    def open(cls, path: str | Path) -> "XlsxWorkbook":
        """Open a workbook to read and write back; held (locked) until `save` or `close`."""
        path = Path(path)
        target = writable_file(path)
        lock = lock_file(target, path.name)
        try:
            return cls(path, read_file(target, path.name), lock=lock)
        except BaseException:
            lock.release()
            raise

    def close(self) -> None:
        """Let another run use the workbook (saving does this too)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "XlsxWorkbook":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reads

    @property
    def file_name(self) -> str | None:
        return self.path.name

    def read_table(self, layout: TableLayout) -> Table:
        """The table's rows. Refused (WorkbookError) when its owned cells could not be written:
        merged, holding a formula or a picture, or in a sheet that cannot be changed safely."""
        if layout.sheet not in self._reader.sheetnames and layout.sheet not in self._sheets:
            raise WorkbookError(words(NO_SHEET, sheet=layout.sheet))
        rich = self._changeable(layout.sheet)  # before the sheet is parsed: the two never in memory at once
        sheet = self._sheet(layout.sheet)
        table = self._read(sheet, layout.table)
        bounds = self._bounds(sheet, layout.table)
        owned = {bounds[0] + p: name for name, p in owned_positions(layout, table.headers).items()}
        _refuse_merged_owned_cells(sheet, owned, bounds)
        _spread_merged_inputs(sheet, table, bounds)
        self._refuse_unwritable(sheet, owned, bounds, rich)
        return table

    def read_settings(self) -> dict[str, Any]:
        if SETTINGS_SHEET not in self._reader.sheetnames:
            return {}
        return settings_from(self._read(self._sheet(SETTINGS_SHEET), SETTINGS_TABLE))

    def read_integration_fields(self) -> list[dict[str, Any]]:
        if INTEGRATION_FIELDS_SHEET not in self._reader.sheetnames:
            return []
        return records_from(self._read(self._sheet(INTEGRATION_FIELDS_SHEET), INTEGRATION_FIELDS_TABLE))

    # ----------------------------------------------------------------- writes

    def write_results(self, layout: TableLayout, update: ResultUpdate) -> None:
        if not update.values:
            return
        sheet = self._sheet(layout.sheet)
        left, top, right, bottom = self._bounds(sheet, layout.table)
        headers = list(next(sheet.iter_rows(top, top, left, right)))
        positions = {name: left + offset for name, offset in owned_positions(layout, headers).items()}
        _refuse_merged_owned_cells(sheet, {column: name for name, column in positions.items()},
                                   (left, top, right, bottom))
        if ROW_KEY not in positions and any(ROW_KEY in values for values in update.values.values()):
            positions[ROW_KEY] = self._add_key_column(layout, right)
        rows = bottom - top
        written = self._written.setdefault(sheet.title, {})
        for index, values in update.values.items():
            if not 0 <= index < rows:
                raise WorkbookError(f"Sheet '{layout.sheet}': row {top + 1 + index} is outside the table")
            for name, value in values.items():
                if name not in positions:  # only the columns the add-in owns are ever written
                    raise WorkbookError(f"Sheet '{layout.sheet}' has no '{name}' column; add it to the table")
                row, column = top + 1 + index, positions[name]
                written[row, column] = _stored(value)
                sheet.set(row, column, written[row, column])

    def write_setting(self, name: str, value: Any) -> bool:
        """A Settings value (the workbook id): its row's value cell, or a new row below the
        Settings table (or below its rows, on a sheet without an Excel table)."""
        if SETTINGS_SHEET not in self._reader.sheetnames:
            return False
        sheet = self._sheet(SETTINGS_SHEET)
        left, top, right, bottom = self._bounds(sheet, SETTINGS_TABLE)
        written = self._written.setdefault(sheet.title, {})
        for row in range(top + 1, bottom + 1):
            if str(sheet.value(row, left) or "").strip().lower() == name:
                written[row, left + 1] = _stored(value)
                sheet.set(row, left + 1, written[row, left + 1])
                return True
        below = next(sheet.iter_rows(bottom + 1, bottom + 1, left, max(right, left + 1)))
        if any(v not in (None, "") for v in below):
            return False  # something typed right below the settings
        for column, cell in ((left, name), (left + 1, value)):
            written[bottom + 1, column] = _stored(cell)
            sheet.set(bottom + 1, column, written[bottom + 1, column])
        if SETTINGS_TABLE in sheet.tables:
            _extend(sheet.tables[SETTINGS_TABLE], bottom + 1)
            self._extended[sheet.title, SETTINGS_TABLE] = bottom + 1
        return True

    def checkpoint(self) -> None:
        """Save what was written so far (the row keys, before anything is sent); the file stays held.
        Refused as `save` is."""
        self._write()
        for title in self._written:  # read and indexed again when saved: not held while the rows are sent
            self._package.forget(title)

    def write_settings(self, values: dict[str, Any]) -> None:
        """Set Settings values: the value cell of each named row, as a person would type it
        (nothing else on the sheet changes). A setting without its row is refused, naming it."""
        sheet = self._sheet(SETTINGS_SHEET)
        left, top, _, bottom = self._bounds(sheet, SETTINGS_TABLE)
        rows = {str(name).strip().lower(): number
                for number, (name,) in enumerate(sheet.iter_rows(top + 1, bottom, left, left), start=top + 1)
                if name is not None}
        missing = [name for name in values if name not in rows]
        if missing:
            raise WorkbookError(f"The Settings table has no row for {', '.join(missing)}: add a row with that name "
                                "in its first column, then run again")
        written = self._written.setdefault(sheet.title, {})
        for name, value in values.items():
            cell = rows[name], left + 1
            written[cell] = _stored(value)
            sheet.set(*cell, written[cell])

    def write_lookup_table(self, table: LookupTable) -> None:
        """A live list on the Lookups sheet (or the Posted report), as an Excel table with
        defined names (see xlsx_lookups). Refused, nothing written, when it cannot be placed."""
        if table.sheet not in self._reader.sheetnames and table.sheet not in self._sheets:
            self._sheets[table.sheet] = ValuesSheet(table.sheet)  # made in the file when saved
        sheet = self._sheet(table.sheet)
        try:
            write_lookup_table(self._package, sheet, table, self._written.setdefault(sheet.title, {}))
        except Unpatchable as error:
            raise WorkbookError(self._cannot_change(error)) from error

    def add_table_column(self, layout: TableLayout, header: str) -> None:
        """A column added at the table's right edge (its header cell, the table's range and
        columns): for a column the layout owns that an older workbook lacks. The cells it
        takes must be empty; refused otherwise, naming the first filled one."""
        sheet = self._sheet(layout.sheet)
        left, top, right, bottom = self._bounds(sheet, layout.table)
        bottom += sheet.tables[layout.table].totalsRowCount or 0
        for row in range(top, bottom + 1):
            if sheet.value(row, right + 1) not in (None, ""):
                raise WorkbookError(f"Sheet '{sheet.title}': cell {_coordinate(row, right + 1)} holds "
                                    f"'{str(sheet.value(row, right + 1))[:40]}', where the table's new '{header}' "
                                    "column goes: move it elsewhere, then run again")
        try:
            ref = self._package.add_table_columns(layout.table, [header])
        except Unpatchable as error:
            raise WorkbookError(self._cannot_change(error)) from error
        sheet.tables[layout.table].ref = ref
        sheet.set(top, right + 1, header)
        self._written.setdefault(sheet.title, {})[top, right + 1] = header

    def set_defined_name(self, name: str, text: str) -> None:
        """A workbook-level defined name pointed at `text` (made if missing)."""
        self._package.set_defined_name(name, text)

    def save(self) -> None:
        """Write the workbook back in place of the file it was opened from, then let it go.

        Refused (WorkbookError, the file untouched) when the file became read-only,
        disappeared or changed on disk since it was opened."""
        try:
            self._write()
        finally:
            self.close()

    def _write(self) -> None:
        name = self.path.name
        if read_only(self.target):
            raise WorkbookError(f"{name} became read-only while it was open: its results were not written. "
                                "Make it writable, then run again.")
        if hashlib.sha256(read_file(self.target, name)).digest() != self._opened:
            raise WorkbookError(f"{name} was changed by another program or run while this one was working "
                                "(saved in Excel, or by a colleague): its results were not written over those "
                                "changes. Close it in other programs and run again.")
        self._opened = replace_file(self.target, self._patched(), name)

    # ---------------------------------------------------------------- helpers

    def _patched(self) -> bytes:
        """The opened file with only what this run changed changed (see xlsx_package)."""
        package = self._package
        try:
            for title, cells in self._written.items():
                if cells:
                    package.set_cells(title, cells)
            for (title, table), _ in self._extended.items():
                package.set_table_ref(table, self._sheets[title].tables[table].ref)
            return package.save()
        except Unpatchable as error:  # found when the tables were read, normally: a safety net
            raise WorkbookError(self._cannot_change(error)) from error

    def _cannot_change(self, error: Unpatchable) -> str:
        reason = str(error)
        if "then run again" not in reason:
            reason += ": open it in Excel, save it (File > Save), then run again"
        return f"{self.path.name} cannot be changed safely ({reason}). Nothing in it was changed"

    def _changeable(self, title: str) -> bool:
        """Whether the sheet's XML is one this adapter can change (raises WorkbookError when
        not) and whether it holds rich values. Its XML and index are let go again: a big
        sheet is read again when saved, not held while its rows are validated and sent."""
        try:
            rich = self._package.check_sheet(title)
            self._package.styles()  # a date may be written: its styles part must be one we can add to
            return rich
        except Unpatchable as error:
            self._sheet(title)  # a damaged sheet is said so as when it is read (damaged XML, ...)
            raise WorkbookError(self._cannot_change(error)) from error

    def _refuse_unwritable(self, sheet: ValuesSheet, owned: dict[int, str], bounds: tuple[int, int, int, int],
                           rich: bool) -> None:
        """Before anything is sent: no owned cell of the table holds a formula or a rich
        value (a picture in a cell, a data type)."""
        _, top, _, bottom = bounds
        formulas = sorted((row, column) for row, column in sheet.formulas if column in owned and top < row <= bottom)
        if formulas:
            row, column = formulas[0]
            raise WorkbookError(f"Sheet '{sheet.title}': cell {_coordinate(row, column)} (the '{owned[column]}' "
                                "column) holds a formula, where a result is written: clear that cell (select it, "
                                "press Delete), then run again")
        if not rich:
            return
        try:
            self._package.sheet(sheet.title).refuse_formulas_and_rich_values(
                [(row, column) for column in owned for row in range(top + 1, bottom + 1)], owned)
            self._package.forget(sheet.title)
        except Unpatchable as error:
            raise WorkbookError(self._cannot_change(error)) from error

    def _add_key_column(self, layout: TableLayout, right: int) -> int:
        """The table's hidden row_key column, added at its right edge by patching (an older
        workbook's table has none); refused when that column holds something of the person's."""
        self.add_table_column(layout, ROW_KEY_HEADER)
        self._package.set_widths(layout.sheet, {right + 1: 0})  # hidden, as the template's
        self.notices.append(f"{layout.sheet}: a hidden '{ROW_KEY_HEADER}' column was added at the table's right "
                            "edge (each row's identity for Submit)")
        return right + 1

    def _sheet(self, name: str, *, cached_values: bool = False) -> ValuesSheet:
        """A sheet's values (parsed the first time it is read); with cached_values, formula
        cells hold their last calculated values."""
        if not cached_values and name in self._sheets:
            return self._sheets[name]
        if name not in self._reader.sheetnames:
            raise WorkbookError(words(NO_SHEET, sheet=name))
        sheets = self._cached if cached_values else self._sheets
        if name not in sheets:
            sheets[name] = _parsed(self.path, self._source, lambda: read_sheet(self._reader, name,
                                                                                data_only=cached_values))
        return sheets[name]

    def _bounds(self, sheet: ValuesSheet, table_name: str) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) of the table's header and data rows; without an
        Excel table, of the used range from its first non-empty row."""
        if table_name in sheet.tables:
            table = sheet.tables[table_name]
            left, top, right, bottom = range_boundaries(table.ref)
            totals = {} if table.totalsRowCount else _totals_below(sheet, left, right, bottom)
            below = _filled_rows_below(sheet, left, right, bottom)
            below = next((n - bottom - 1 for n in sorted(totals) if n <= bottom + below), below)  # up to a total
            for number, said in totals.items():  # left alone, said once
                notice = total_row_notice(sheet.title, number, said)
                if notice not in self.notices:
                    self.notices.append(notice)
            if below and table.totalsRowCount:
                raise WorkbookError(
                    f"Sheet '{sheet.title}': {rows_text(bottom + 1, bottom + below)} are below the table's total row, "
                    "outside the table: move them above the total row (or resize the table), then run again.")
            stray = [n for n in _rows_after_a_gap(sheet, left, right, bottom + below) if n not in totals]
            if stray:
                raise WorkbookError(stray_rows_message(sheet.title, stray))
            if below:
                _extend(table, bottom + below)
                self._extended[sheet.title, table_name] = bottom + below  # saved by openpyxl, with the table part
                self.notices.append(f"{sheet.title}: the table was extended over {rows_text(bottom + 1, bottom + below)} "
                                    "typed below it")
                bottom += below
            bottom -= table.totalsRowCount or 0
            return left, top, right, bottom
        top = next((number for number in sorted(sheet.rows)
                    if any(value not in (None, "") for value in sheet.rows[number].values())), None)
        if top is None:
            return 1, 1, 1, 1
        return sheet.min_column, top, sheet.max_column, sheet.max_row

    def _read(self, sheet: ValuesSheet, table_name: str) -> Table:
        left, top, right, bottom = self._bounds(sheet, table_name)
        cells = sheet.iter_rows(top, bottom, left, right)
        headers = list(next(cells, ()))
        rows = [list(row) for row in cells]
        for index, row in enumerate(rows):
            for offset, value in enumerate(row):
                if isinstance(value, str) and value.startswith("=") or _is_array_formula(value):
                    row[offset] = self._formula_value(sheet, top + 1 + index, left + offset)
                elif type(value) is int and abs(value) > LARGEST_NUMBER:  # openpyxl could not save it back
                    raise WorkbookError(f"Sheet '{sheet.title}': cell {_coordinate(top + 1 + index, left + offset)}"
                                        " holds a number longer than Excel can hold: retype it, then run again")
        return Table(headers, rows, top + 1, table_name)

    def _formula_value(self, sheet: ValuesSheet, row: int, column: int) -> Any:
        formula = sheet.value(row, column)
        if (row, column) not in sheet.formulas:
            return formula  # text that merely starts with "="
        value = self._sheet(sheet.title, cached_values=True).value(row, column)
        if value is None:
            self.formula_without_value.append(f"{sheet.title}!{_coordinate(row, column)}")
            return UncalculatedFormula(str(getattr(formula, "text", formula)))
        return value


def _parsed(path: Path, source: bytes, parse: Callable[[], Any]) -> Any:
    """What `parse` makes of the workbook's bytes. openpyxl fails in many ways on a damaged
    or foreign file (zip, XML, styles, a missing part): every one of them is "cannot be read"."""
    try:
        with warnings.catch_warnings(record=True) as noticed:
            warnings.simplefilter("always")
            parsed = parse()
    except Exception as error:
        raise WorkbookError(f"{path.name} is not an Excel workbook that can be read ({_what_is_wrong(error, source)}): "
                            "open it in Excel and save it as an .xlsx workbook, then run again") from error
    for warning in noticed:  # openpyxl's remarks (features it drops, odd cells) go to the log, not the screen
        log.info("%s: %s", path.name, warning.message)
    return parsed


def _load(path: Path, source: bytes, *, data_only: bool = False, read_only: bool = False) -> Workbook:
    """openpyxl's workbook of the bytes: the whole model, or read_only (sheets parsed when read)."""
    return _parsed(path, source, lambda: load_workbook(io.BytesIO(source), data_only=data_only, read_only=read_only,
                                                       keep_vba=path.suffix.lower() in MACRO_SUFFIXES))


def _what_is_wrong(error: Exception, source: bytes) -> str:
    if not source:
        return "the file is empty"
    if not source.startswith(b"PK"):
        return "it is not an .xlsx file: perhaps a CSV or an old .xls"
    if isinstance(error, SyntaxError):  # xml.etree's ParseError
        return "a part of it is damaged XML"
    if isinstance(error, KeyError):
        return f"a part it refers to is missing: {error}"
    return f"{type(error).__name__}: {error}"


def _package(path: Path, source: bytes) -> Package:
    """The file's package, to change part by part; refused readably when it cannot be followed."""
    try:
        package = Package(source)
    except Unpatchable as error:
        raise WorkbookError(f"{path.name} cannot be changed safely ({error}): open it in Excel, save it as an "
                            ".xlsx workbook, then run again") from error
    package.date_format = DATETIME_FORMAT
    return package


def _filled_rows_below(sheet: ValuesSheet, left: int, right: int, bottom: int) -> int:
    """How many rows directly below row `bottom` hold something between columns left..right."""
    count = 0
    for row in sheet.iter_rows(bottom + 1, max(sheet.max_row, bottom + 1), left, right):
        if not any(value is not None and (not isinstance(value, str) or value.strip()) for value in row):
            break
        count += 1
    return count


def _totals_below(sheet: ValuesSheet, left: int, right: int, bottom: int) -> dict[int, str]:
    """Rows below the table (row `bottom`) that are totals (port.total_row): row -> as said."""
    found = {}
    for number in sorted(n for n in sheet.rows if n > bottom):
        cells = [(value, value if (number, column) in sheet.formulas and isinstance(value, str) else None)
                 for column, value in enumerate(next(sheet.iter_rows(number, number, left, right)), start=left)]
        said = total_row(cells, left, number)
        if said:
            found[number] = said
    return found


def _rows_after_a_gap(sheet: ValuesSheet, left: int, right: int, last: int) -> list[int]:
    """Rows further below the table (after a blank row) that look like data: two or more
    filled cells in the table's columns. A one-cell note under a table is not a row."""
    found = []
    for number, row in enumerate(sheet.iter_rows(last + 1, max(sheet.max_row, last + 1), left, right), start=last + 1):
        if looks_like_a_row(row):
            found.append(number)
    return found


def _extend(table: ExcelTable, bottom: int) -> None:
    left, top, right, _ = range_boundaries(table.ref)
    table.ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"
    if table.autoFilter is not None and table.autoFilter.ref:
        table.autoFilter.ref = table.ref


def _refuse_merged_owned_cells(sheet: ValuesSheet, owned: dict[int, str], bounds: tuple[int, int, int, int]) -> None:
    """Each row gets its own result: merged cells over a column the add-in writes are refused."""
    _, top, _, bottom = bounds
    for merged in sheet.merged:
        if merged.max_row <= top or merged.min_row > bottom:
            continue
        hit = [name for column, name in sorted(owned.items()) if merged.min_col <= column <= merged.max_col]
        if hit:
            raise WorkbookError(merged_message(sheet.title, merged.coord, hit[0]))


def _spread_merged_inputs(sheet: ValuesSheet, table: Table, bounds: tuple[int, int, int, int]) -> None:
    """A value merged over several rows (a credit note's number over its lines) belongs to
    each row it covers: the file holds it in the first cell only."""
    left, top, right, bottom = bounds
    for merged in sheet.merged:
        if merged.min_row <= top or merged.min_row > bottom or merged.max_row == merged.min_row:
            continue
        if not left <= merged.min_col <= right:
            continue
        offset = merged.min_col - left
        value = table.rows[merged.min_row - top - 1][offset]
        for row in range(merged.min_row + 1, min(merged.max_row, bottom) + 1):
            table.rows[row - top - 1][offset] = value


def _is_array_formula(value: Any) -> bool:
    return type(value).__name__ in ("ArrayFormula", "DataTableFormula")


def _stored(value: Any) -> Any:
    """A result as a cell holds it: datetimes without time zone; text without what XML
    forbids (API text may hold any character) and no longer than a cell can hold: cleaned
    rather than fail the whole write. Text is always written as text, never a formula."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        return xml_safe(value)[:MAX_CELL_TEXT]
    return value


def _coordinate(row: int, column: int) -> str:
    return f"{get_column_letter(column)}{row}"
