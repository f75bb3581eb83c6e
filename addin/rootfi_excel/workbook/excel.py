"""The workbook port for live Excel, through xlwings (classic, open-source engine).

Thin on purpose: every decision lives in the core. Each call into Excel costs
milliseconds, so a table is read in one call (header row, data body) and results are
written one column block at a time: the number of Excel calls never grows with the
number of rows.

Only a small part of xlwings is used (Book.sheets, Sheet.tables, Table.header_row_range
/ data_body_range, Range.options(ndim=2).value, Range.columns, Range.row, Sheet.used_range,
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
    LookupTable,
    ResultUpdate,
    Table,
    WorkbookError,
    records_from,
    result_positions,
    settings_from,
)



class ExcelWorkbook:
    def __init__(self, book: Any) -> None:
        self.book = book

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

    def write_lookup_table(self, table: LookupTable) -> None:
        """A whole table (a live list, the Posted report) in a fixed number of Excel calls: clear the old
        table, write headers and rows as one block, make or resize the Excel table over it,
        and point its defined names at its columns' data cells (Names.Add redefines a name)."""
        from openpyxl.utils import get_column_letter

        if table.sheet in [s.name for s in self.book.sheets]:
            sheet = self.book.sheets[table.sheet]
        else:
            sheet = self.book.sheets.add(table.sheet, after=self.book.sheets[len(self.book.sheets) - 1])
        existing = self._table(sheet, table.name)
        if existing is not None:
            top, left = existing.range.row, existing.range.column
            existing.range.clear_contents()
        else:  # new tables go to the right of everything on the sheet, after one empty column
            used = sheet.used_range
            empty = used.columns.count == 1 and used.row == 1 and used.column == 1 and used.value is None
            top, left = 1, 1 if empty else used.column + used.columns.count + 1
        width, height = len(table.headers), max(len(table.rows), 1)
        block = [list(table.headers)] + [[_cell(v) for v in row] for row in table.rows]
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
        headers = _row(table.header_row_range.options(ndim=2, err_to_str=True).value)
        body = table.data_body_range
        if body is None:
            return Table(headers, [], table.header_row_range.row + 1, table_name)
        return Table(headers, body.options(ndim=2, err_to_str=True).value, body.row, table_name)

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
