"""The workbook port for live Excel, through xlwings (classic, open-source engine).

Thin on purpose: every decision lives in the core. Each call into Excel costs
milliseconds, so a table is read in one call (header row, data body) and results are
written one column block at a time: the number of Excel calls never grows with the
number of rows.

Rows typed or pasted directly below a table (outside its range) are read with one more
call (the block between the table and the end of the sheet's used range) and the table
is resized over them, as Excel itself does when a row is typed right under a table;
`notices` says so.

Only a small part of xlwings is used (Book.sheets, Sheet.tables, Sheet.range,
Sheet.used_range, Table.header_row_range / data_body_range / show_totals / resize,
Range.options(ndim=2).value, Range.columns, Range.row, Range.column, Range.last_cell,
App.status_bar); tests/support/fake_xlwings.py imitates exactly that part.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rootfi_excel.sheets.layout import (
    INTEGRATION_FIELDS_SHEET,
    INTEGRATION_FIELDS_TABLE,
    SETTINGS_SHEET,
    SETTINGS_TABLE,
    TableLayout,
)
from rootfi_excel.workbook.port import (
    FORMULA_STARTS,
    ResultUpdate,
    Table,
    WorkbookError,
    records_from,
    result_positions,
    rows_text,
    settings_from,
)

MAX_ROWS_BELOW = 100_000  # rows below a table read in one call when looking for typed rows


class ExcelWorkbook:
    def __init__(self, book: Any) -> None:
        self.book = book
        self.notices: list[str] = []  # what the adapter did on its own, to tell the person

    @classmethod
    def caller(cls) -> "ExcelWorkbook":
        """The workbook whose button ran the macro (Windows and macOS only)."""
        import xlwings as xw

        return cls(xw.Book.caller())

    # ------------------------------------------------------------------ reads

    def read_table(self, layout: TableLayout) -> Table:
        return self._read(layout.sheet, layout.table, required=True)

    def read_settings(self) -> dict[str, Any]:
        return settings_from(self._read(SETTINGS_SHEET, SETTINGS_TABLE, required=False))

    def read_integration_fields(self) -> list[dict[str, Any]]:
        return records_from(self._read(INTEGRATION_FIELDS_SHEET, INTEGRATION_FIELDS_TABLE, required=False))

    # ----------------------------------------------------------------- writes

    def write_results(self, layout: TableLayout, update: ResultUpdate) -> None:
        """One read and one write per result column that changes."""
        if not update.values:
            return
        sheet = self._sheet(layout.sheet)
        table = self._table(sheet, layout.table)
        if table is None or table.data_body_range is None:
            raise WorkbookError(f"Sheet '{layout.sheet}' has no Excel table '{layout.table}' to write results into")
        positions = result_positions(layout, _row(table.header_row_range.options(ndim=2, err_to_str=True).value))
        columns = {column for values in update.values.values() for column in values}
        body = table.data_body_range
        for column in sorted(columns):
            if column not in positions:
                raise WorkbookError(f"Sheet '{layout.sheet}' has no '{column}' column; add it to the table")
            block = body.columns[positions[column]]
            values = block.options(ndim=2).value
            for index, changes in update.values.items():
                if column in changes and index < len(values):
                    values[index] = [_cell(changes[column])]
            block.options(ndim=2).value = values

    def save(self) -> None:
        """The workbook stays open in Excel; the person saves it. Results are already
        in the journal, so nothing is lost if Excel closes before that."""

    def status(self, text: str | None) -> None:
        """Show progress in Excel's status bar (None gives it back to Excel)."""
        self.book.app.status_bar = text if text else False

    # ---------------------------------------------------------------- helpers

    def _sheet(self, name: str) -> Any:
        names = [s.name for s in self.book.sheets]
        if name not in names:
            raise WorkbookError(f"The workbook has no sheet named '{name}'")
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
        taken = 0
        for row in below:
            if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in row):
                break
            taken += 1
        if not taken:
            return []
        if table.show_totals or (taken == len(below) and stop < end):
            where = "below the table's total row" if table.show_totals else "below the table, more than can be read"
            raise WorkbookError(f"Sheet '{sheet.name}': {rows_text(last + 1, last + taken)} are {where}: "
                                "resize the table over them (Table Design > Resize Table), then run again")
        table.resize(sheet.range((header.row, header.column), (last + taken, header.column + width - 1)))
        self.notices.append(f"{sheet.name}: the table was extended over {rows_text(last + 1, last + taken)} typed below it")
        return below[:taken]

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


def _row(values: list[list[Any]] | None) -> list[Any]:
    return list(values[0]) if values else []


def _cell(value: Any) -> Any:
    """A value as Excel should hold it: text never becomes a formula (a leading
    apostrophe makes Excel keep it as text, unseen); no time zones."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value
