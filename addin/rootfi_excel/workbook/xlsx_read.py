"""Read a sheet of an .xlsx file as values, without openpyxl's whole-workbook model.

openpyxl's full load makes an object for every cell of every sheet: for 50,000 rows
most of a Validate's time and nearly all of its memory. The adapter needs much less:
values, which cells hold formulas, merged ranges and the Excel tables. So the workbook
is opened read-only (openpyxl reads the workbook part, styles and shared strings, not
the sheets) and a sheet is parsed only when it is read, by openpyxl's own sheet parser:
the values and their types are exactly what a full load gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.table import Table
from openpyxl.xml.functions import fromstring


@dataclass
class ValuesSheet:
    """A sheet's values as {row: {column: value}} (empty cells left out), and what else
    the adapter reads: formula cells, merged ranges, Excel tables by name. The used
    range counts every cell the file has, empty or not, as openpyxl's does."""

    title: str
    rows: dict[int, dict[int, Any]] = field(default_factory=dict)
    formulas: set[tuple[int, int]] = field(default_factory=set)
    merged: list[CellRange] = field(default_factory=list)
    tables: dict[str, Table] = field(default_factory=dict)
    min_column: int = 1
    max_column: int = 1
    max_row: int = 1

    def value(self, row: int, column: int) -> Any:
        return self.rows.get(row, {}).get(column)

    def iter_rows(self, min_row: int, max_row: int, min_col: int, max_col: int) -> Iterator[tuple[Any, ...]]:
        """The values of rows min_row..max_row, columns min_col..max_col, as tuples."""
        columns = range(min_col, max_col + 1)
        for number in range(min_row, max_row + 1):
            cells = self.rows.get(number)
            yield tuple(cells.get(c) for c in columns) if cells else (None,) * len(columns)

    def set(self, row: int, column: int, value: Any) -> None:
        """A value written by the adapter (a result), so later reads see it."""
        self.formulas.discard((row, column))
        if value is None:
            self.rows.get(row, {}).pop(column, None)
        else:
            self.rows.setdefault(row, {})[column] = value


def read_sheet(book: Workbook, title: str, *, data_only: bool = False) -> ValuesSheet:
    """Parse sheet `title` of `book` (opened with read_only=True). With data_only, a
    formula cell holds its cached value (None when it was never calculated)."""
    worksheet = book[title]
    sheet = ValuesSheet(title)
    first_column = last_column = last_row = None
    styles, top_style = len(book._cell_styles), 0
    # As openpyxl's ReadOnlyWorksheet parses a sheet (openpyxl < 4 keeps these names).
    with worksheet._get_source() as source:
        parser = WorkSheetParser(source, worksheet._shared_strings, data_only=data_only, epoch=book.epoch,
                                 date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        for number, cells in parser.parse():
            if not cells:
                continue
            values = {}
            for cell in cells:
                column = cell["column"]
                if cell["value"] is not None:
                    values[column] = cell["value"]
                if cell["data_type"] == "f":
                    sheet.formulas.add((number, column))
                if cell["style_id"] > top_style:
                    top_style = cell["style_id"]
            if values:
                sheet.rows[number] = values
            if top_style >= styles:  # a damaged file: its values' formats (dates) are unknown
                raise IndexError(f"row {number} of sheet '{title}' names a cell style the workbook does not have")
            first, last = min(c["column"] for c in cells), max(c["column"] for c in cells)
            first_column = first if first_column is None else min(first_column, first)
            last_column = last if last_column is None else max(last_column, last)
            last_row = number if last_row is None else max(last_row, number)
    if parser.merged_cells:
        sheet.merged = [CellRange(merged.ref) for merged in parser.merged_cells.mergeCell]
    for merged in sheet.merged:  # openpyxl's model has a cell for every cell of a merged range
        first_column = min(first_column or merged.min_col, merged.min_col)
        last_column = max(last_column or 0, merged.max_col)
        last_row = max(last_row or 0, merged.max_row)
    sheet.min_column, sheet.max_column, sheet.max_row = first_column or 1, last_column or 1, last_row or 1
    sheet.tables = _tables(book, worksheet._worksheet_path, parser)
    return sheet


def _tables(book: Workbook, path: str, parser: WorkSheetParser) -> dict[str, Table]:
    """The sheet's Excel tables by name, from the table parts its relationships name."""
    parts = parser.tables.tablePart
    if not parts:
        return {}
    relationships = get_dependents(book._archive, get_rels_path(path))
    tables = [Table.from_tree(fromstring(book._archive.read(relationships.get(part.id).Target))) for part in parts]
    return {table.displayName: table for table in tables}
