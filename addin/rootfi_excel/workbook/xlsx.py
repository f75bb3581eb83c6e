"""The workbook port for .xlsx/.xlsm files, through openpyxl (headless CLI, CI, Linux).

The file is opened once as it is (formulas, formats, validations, conditional
formatting, other sheets and extra columns all survive saving); cached formula
values are read from a second, values-only load, made only when a table holds a
formula. Only result cells are ever written, and saving is atomic.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

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
    UncalculatedFormula,
    WorkbookError,
    records_from,
    result_positions,
    settings_from,
)

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_CELL_TEXT = 32767  # Excel's limit for one cell
MACRO_SUFFIXES = (".xlsm", ".xltm")  # files whose VBA project must survive a save


class XlsxWorkbook:
    def __init__(self, path: Path, book: Workbook) -> None:
        self.path = path
        self.book = book
        self._values: Workbook | None = None  # the values-only load, made when needed
        self.formula_without_value: list[str] = []  # cells whose formula was never calculated

    @classmethod
    def open(cls, path: str | Path) -> "XlsxWorkbook":
        path = Path(path)
        return cls(path, _load(path, data_only=False))

    # ------------------------------------------------------------------ reads

    def read_table(self, layout: TableLayout) -> Table:
        sheet = self._sheet(layout.sheet)
        return self._read(sheet, layout.table)

    def read_settings(self) -> dict[str, Any]:
        if SETTINGS_SHEET not in self.book.sheetnames:
            return {}
        return settings_from(self._read(self.book[SETTINGS_SHEET], SETTINGS_TABLE))

    def read_integration_fields(self) -> list[dict[str, Any]]:
        if INTEGRATION_FIELDS_SHEET not in self.book.sheetnames:
            return []
        return records_from(self._read(self.book[INTEGRATION_FIELDS_SHEET], INTEGRATION_FIELDS_TABLE))

    # ----------------------------------------------------------------- writes

    def write_results(self, layout: TableLayout, update: ResultUpdate) -> None:
        if not update.values:
            return
        sheet = self._sheet(layout.sheet)
        left, top, right, bottom = self._bounds(sheet, layout.table)
        headers = [sheet.cell(top, column).value for column in range(left, right + 1)]
        positions = {name: left + offset for name, offset in result_positions(layout, headers).items()}
        rows = bottom - top
        for index, values in update.values.items():
            if not 0 <= index < rows:
                raise WorkbookError(f"Sheet '{layout.sheet}': row {top + 1 + index} is outside the table")
            for name, value in values.items():
                if name not in positions:
                    raise WorkbookError(f"Sheet '{layout.sheet}' has no '{name}' column; add it to the table")
                _put(sheet.cell(top + 1 + index, positions[name]), value)

    def write_lookup_table(self, table: LookupTable) -> None:
        """A live list on the Lookups sheet, as an Excel table with defined names (see xlsx_lookups)."""
        from rootfi_excel.workbook.xlsx_lookups import write_lookup_table

        write_lookup_table(self.book, table)

    def save(self, path: str | Path | None = None) -> None:
        """Write to a temporary file beside the target, then replace it: a crash never
        leaves half a workbook."""
        target = Path(path) if path else self.path
        temporary = target.with_name(f".{target.stem}.saving{target.suffix}")
        try:
            self.book.save(temporary)
            os.replace(temporary, target)
        except PermissionError:
            raise WorkbookError(f"{target.name} is open in another program (Excel?): close it and try again") from None
        finally:
            temporary.unlink(missing_ok=True)  # left only when the save failed

    # ---------------------------------------------------------------- helpers

    def _sheet(self, name: str) -> Worksheet:
        if name not in self.book.sheetnames:
            raise WorkbookError(f"The workbook has no sheet named '{name}'")
        return self.book[name]

    def _bounds(self, sheet: Worksheet, table_name: str) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) of the table's header and data rows; without an
        Excel table, of the used range from its first non-empty row."""
        if table_name in sheet.tables:
            table = sheet.tables[table_name]
            left, top, right, bottom = range_boundaries(table.ref)
            bottom -= table.totalsRowCount or 0
            return left, top, right, bottom
        top = next((row[0].row for row in sheet.iter_rows() if any(c.value not in (None, "") for c in row)), None)
        if top is None:
            return 1, 1, 1, 1
        return sheet.min_column, top, sheet.max_column, sheet.max_row

    def _read(self, sheet: Worksheet, table_name: str) -> Table:
        left, top, right, bottom = self._bounds(sheet, table_name)
        cells = sheet.iter_rows(min_row=top, max_row=bottom, min_col=left, max_col=right, values_only=True)
        headers = list(next(cells, ()))
        rows = [list(row) for row in cells]
        for index, row in enumerate(rows):
            for offset, value in enumerate(row):
                if isinstance(value, str) and value.startswith("=") or _is_array_formula(value):
                    row[offset] = self._formula_value(sheet, top + 1 + index, left + offset)
        return Table(headers, rows, top + 1, table_name)

    def _formula_value(self, sheet: Worksheet, row: int, column: int) -> Any:
        cell = sheet.cell(row, column)
        if cell.data_type != "f" and not _is_array_formula(cell.value):
            return cell.value  # text that merely starts with "="
        if self._values is None:
            self._values = _load(self.path, data_only=True)
        value = self._values[sheet.title].cell(row, column).value
        if value is None:
            self.formula_without_value.append(f"{sheet.title}!{cell.coordinate}")
            return UncalculatedFormula(str(getattr(cell.value, "text", cell.value)))
        return value


def _load(path: Path, *, data_only: bool) -> Workbook:
    try:
        return load_workbook(path, data_only=data_only, keep_vba=path.suffix.lower() in MACRO_SUFFIXES)
    except PermissionError:
        raise WorkbookError(f"{path.name} is open in another program (Excel?): close it and try again") from None
    except (InvalidFileException, BadZipFile, KeyError, OSError) as error:
        raise WorkbookError(f"{path.name} is not an Excel workbook that can be read ({type(error).__name__})") from None


def _is_array_formula(value: Any) -> bool:
    return type(value).__name__ in ("ArrayFormula", "DataTableFormula")


def _put(cell: Any, value: Any) -> None:
    """Write one result cell: text stays text, datetimes get a date format, no time zones."""
    if isinstance(value, dt.datetime):
        cell.value = value.replace(tzinfo=None)
        cell.number_format = DATETIME_FORMAT
        return
    if isinstance(value, str):
        # API text may hold control characters (openpyxl refuses them) or be longer
        # than a cell can hold: clean it rather than fail the whole write.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_TEXT]
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # never a formula: API text such as "=cmd" stays text
