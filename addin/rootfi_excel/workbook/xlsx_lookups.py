"""Writing whole tables (live lookup lists, the Posted report) into an .xlsx file (openpyxl).

Each live list is an Excel table on the Lookups sheet, side by side to the right of the
template's fixed lists. A table that exists is rewritten where it is; a new one goes
after the last used column (the template's empty grey placeholder columns are cleared
first). Defined names cover exactly the data cells of their column, so a dropdown shows
the whole list and no blank lines.
"""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from rootfi_excel.workbook.port import (
    FORMULA_STARTS,
    LIVE_PLACEHOLDER,
    LookupTable,
    WorkbookError,
    lookup_area,
    refuse_overwriting,
    title_cell_free,
)


def write_lookup_table(book: Workbook, table: LookupTable) -> None:
    for other in book.worksheets:
        if other.title != table.sheet and table.name in other.tables:
            raise WorkbookError(f"Sheet '{other.title}' already has a table named {table.name}; rename it")
    sheet = book[table.sheet] if table.sheet in book.sheetnames else book.create_sheet(table.sheet)
    left, top = _place(sheet, table)
    _refuse_overwriting(sheet, table, left, top)
    if table.title and top > 1 and title_cell_free(sheet.cell(top - 1, left).value, table):
        sheet.cell(top - 1, left, table.title).font = Font(bold=True, size=12)
    for offset, header in enumerate(table.headers):
        cell = sheet.cell(top, left + offset, header)
        cell.font = Font(bold=True)
        width = max([len(str(header))] + [len(str(r[offset])) for r in table.rows[:200] if r[offset] is not None])
        sheet.column_dimensions[get_column_letter(left + offset)].width = min(max(width + 3, 10), 40)
    for r, row in enumerate(table.rows, start=top + 1):
        for offset, value in enumerate(row):
            _put(sheet.cell(r, left + offset), value)
    last_row = top + max(len(table.rows), 1)  # an Excel table needs one data row, even an empty one
    ref = f"{get_column_letter(left)}{top}:{get_column_letter(left + len(table.headers) - 1)}{last_row}"
    excel_table = Table(displayName=table.name, ref=ref)
    excel_table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    sheet.add_table(excel_table)
    for defined, header in table.names.items():
        letter = get_column_letter(left + table.headers.index(header))
        target = f"{quote_sheetname(table.sheet)}!${letter}${top + 1}:${letter}${last_row}"
        book.defined_names[defined] = DefinedName(defined, attr_text=target)


def _place(sheet: Worksheet, table: LookupTable) -> tuple[int, int]:
    """(left column, header row) for the table; an old table of that name is removed first."""
    if table.name in sheet.tables:
        left, top, right, bottom = range_boundaries(sheet.tables[table.name].ref)
        _clear(sheet, left, top, right, bottom)
        del sheet.tables[table.name]
        new_right = left + len(table.headers) - 1
        if new_right <= right or not _used(sheet, right + 1, new_right):
            return left, top
    _clear_placeholders(sheet)
    used = max((c.column for row in sheet.iter_rows() for c in row if c.value not in (None, "")), default=0)
    for other in sheet.tables.values():  # an empty table still owns its columns
        used = max(used, range_boundaries(other.ref)[2])
    return (used + 2 if used else 1), 2 if table.title else 1  # a title goes in the row above


def _refuse_overwriting(sheet: Worksheet, table: LookupTable, left: int, top: int) -> None:
    """The shared rule (port.refuse_overwriting), on the cells after the old table was cleared."""
    area = lookup_area(table, left, top)
    values = [[cell.value for cell in row]
              for row in sheet.iter_rows(min_row=area[1], max_row=area[3], min_col=area[0], max_col=area[2])]
    refuse_overwriting(sheet.title, table, area, values)


def _clear(sheet: Worksheet, left: int, top: int, right: int, bottom: int) -> None:
    for row in sheet.iter_rows(min_row=top, max_row=bottom, min_col=left, max_col=right):
        for cell in row:
            cell.value = None


def _used(sheet: Worksheet, first: int, last: int) -> bool:
    return any(c.value not in (None, "") for row in sheet.iter_rows(min_col=first, max_col=last) for c in row)


def _clear_placeholders(sheet: Worksheet) -> None:
    for cell in sheet[1]:
        if isinstance(cell.value, str) and LIVE_PLACEHOLDER.match(cell.value) and not _used_below(sheet, cell.column):
            cell.value = None
            cell.fill = PatternFill(fill_type=None)  # drop the grey heading fill


def _used_below(sheet: Worksheet, column: int) -> bool:
    return any(c.value not in (None, "") for row in sheet.iter_rows(min_row=2, min_col=column, max_col=column)
               for c in row)


_NUMBER = Alignment(horizontal="right", indent=1)  # a character's margin: never touching the text beside it


def _put(cell: Any, value: Any) -> None:
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # a name such as "=Acme" stays text
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.alignment = _NUMBER  # an amount due and the date after it would read as one
