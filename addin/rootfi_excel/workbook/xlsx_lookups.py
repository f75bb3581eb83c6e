"""Writing whole tables (live lookup lists, the Posted report) into an .xlsx file.

Each live list is an Excel table on the Lookups sheet, side by side to the right of the
template's fixed lists. A table that exists is rewritten where it is; a new one goes
after the last used column (the template's empty grey placeholder columns are cleared
first). Defined names cover exactly the data cells of their column, so a dropdown shows
the whole list and no blank lines.

Placement is decided on the sheet's values (`ValuesSheet`); what is written goes into the
file through `xlsx_package`: the table's cells, its table part, its defined names and
widths for columns that have none. The rest of the sheet and of the file is kept.
"""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.table import Table

from rootfi_excel.errors import WorkbookError
from rootfi_excel.safe_text import xml_safe
from rootfi_excel.sheets.port import (
    LIVE_PLACEHOLDER,
    LookupTable,
    lookup_area,
    refuse_overwriting,
    title_cell_free,
)
from rootfi_excel.workbook.xlsx_package import Package
from rootfi_excel.workbook.xlsx_patch import MAX_CELL_TEXT, UNSTYLED, Cells, Unstyled
from rootfi_excel.workbook.xlsx_read import ValuesSheet


def write_lookup_table(package: Package, sheet: ValuesSheet, table: LookupTable, cells: Cells) -> None:
    """Place `table` on `sheet` and record it in `package`, its cells in `cells` (the sheet's
    writes so far; the values are also set on `sheet`, so the next table is placed after
    this one). Refused (WorkbookError) before anything is changed."""
    known = package.tables().get(table.name.lower())
    if known is not None and known.sheet != table.sheet:
        raise WorkbookError(f"Sheet '{known.sheet}' already has a table named {table.name}; rename it")
    if table.sheet in package.sheets:
        package.sheet(table.sheet)  # a sheet that cannot be changed safely is refused now
    left, top, old, placeholders = _place(sheet, table)
    area = lookup_area(table, left, top)
    values = [list(row) for row in sheet.iter_rows(area[1], area[3], area[0], area[2])]
    for row, column in placeholders:  # cleared first: never in the way
        if area[0] <= column <= area[2] and area[1] <= row <= area[3]:
            values[row - area[1]][column - area[0]] = None
    refuse_overwriting(sheet.title, table, area, values, old)
    _refuse_merged(sheet, table, area)
    if table.sheet not in package.sheets:
        package.add_sheet(table.sheet, one_page=table.one_page)
    if old is not None:
        for row in range(old[1], old[3] + 1):
            for column in range(old[0], old[2] + 1):
                _put(sheet, cells, row, column, None)
        del sheet.tables[table.name]
    for row, column in placeholders:
        _put(sheet, cells, row, column, UNSTYLED)
    if table.title and top > 1 and title_cell_free(sheet.value(top - 1, left), table):
        _put(sheet, cells, top - 1, left, xml_safe(table.title))  # "Contacts (customers)" above its block
    widths = {}
    for offset, header in enumerate(table.headers):
        _put(sheet, cells, top, left + offset, xml_safe(str(header)))
        width = max([len(str(header))] + [len(str(r[offset])) for r in table.rows[:200] if r[offset] is not None])
        widths[left + offset] = min(max(width + 3, 10), 40)
    for r, row in enumerate(table.rows, start=top + 1):
        for offset, value in enumerate(row):
            _put(sheet, cells, r, left + offset, _value(value))
    last_row = area[3]
    ref = f"{get_column_letter(left)}{top}:{get_column_letter(area[2])}{last_row}"
    package.write_table(table.sheet, table.name, ref, [str(h) for h in table.headers])
    package.set_widths(table.sheet, widths)
    sheet.tables[table.name] = Table(displayName=table.name, ref=ref)
    for defined, header in table.names.items():
        letter = get_column_letter(left + table.headers.index(header))
        package.set_defined_name(defined, f"{quote_sheetname(table.sheet)}!${letter}${top + 1}:${letter}${last_row}")


Area = tuple[int, int, int, int]


def _place(sheet: ValuesSheet, table: LookupTable) -> tuple[int, int, Area | None, list[tuple[int, int]]]:
    """(left column, header row) for the table, the area of its old self (emptied first) and
    the placeholder cells to clear. Nothing is changed here."""
    old = None
    if table.name in sheet.tables:
        old = range_boundaries(sheet.tables[table.name].ref)
        left, top, right, bottom = old
        new_right = left + len(table.headers) - 1
        if new_right <= right or not _used(sheet, right + 1, new_right):
            return left, top, old, []
    placeholders = _placeholders(sheet)
    used = max((column for number, row in sheet.rows.items() for column, value in row.items()
                if value not in (None, "") and (number, column) not in placeholders
                and not (old and old[0] <= column <= old[2] and old[1] <= number <= old[3])), default=0)
    for name, other in sheet.tables.items():  # an empty table still owns its columns
        if name != table.name:
            used = max(used, range_boundaries(other.ref)[2])
    return (used + 2 if used else 1), 2 if table.title else 1, old, placeholders  # a title goes in the row above


def _refuse_merged(sheet: ValuesSheet, table: LookupTable, area: tuple[int, int, int, int]) -> None:
    left, top, right, bottom = area
    for merged in sheet.merged:
        if merged.min_col <= right and merged.max_col >= left and merged.min_row <= bottom and merged.max_row >= top:
            raise WorkbookError(f"Sheet '{sheet.title}': cells {merged.coord} are merged where the {table.name} "
                                "table goes: unmerge them (Home > Merge & Center > Unmerge Cells), then run again")


def _used(sheet: ValuesSheet, first: int, last: int) -> bool:
    return any(value not in (None, "") for row in sheet.rows.values() for column, value in row.items()
               if first <= column <= last)


def _placeholders(sheet: ValuesSheet) -> list[tuple[int, int]]:
    """The template's empty grey placeholder headers ("contacts: id"): they go, with their fill."""
    return [(1, column) for column, value in sheet.rows.get(1, {}).items()
            if isinstance(value, str) and LIVE_PLACEHOLDER.match(value) and not _used_below(sheet, column)]


def _used_below(sheet: ValuesSheet, column: int) -> bool:
    return any(row.get(column) not in (None, "") for number, row in sheet.rows.items() if number >= 2)


def _put(sheet: ValuesSheet, cells: Cells, row: int, column: int, value: Any) -> None:
    """A cell written; one whose old style was dropped (a placeholder) stays without it."""
    if isinstance(cells.get((row, column)), Unstyled) and not isinstance(value, Unstyled):
        value = Unstyled(value)
    cells[row, column] = value
    sheet.set(row, column, value.value if isinstance(value, Unstyled) else value)


def _value(value: Any) -> Any:
    """Text stays text (a name such as "=Acme" is never a formula: the patch writes text as text)."""
    if isinstance(value, str):
        return xml_safe(value)[:MAX_CELL_TEXT]
    return value
