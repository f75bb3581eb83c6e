"""A faithful fake of the small part of xlwings that workbook/excel.py uses.

Faithful where it matters to the adapter: numbers come back as floats and dates as
datetimes (as xlwings gives them), error cells as None unless err_to_str=True, a text
written with a leading apostrophe is stored as text, a text starting with '=' becomes
a formula, a table with no rows has no data_body_range, the used range spans every cell
that was ever filled (as Excel's does), and every read or write of a range's value counts
as one cross-application call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ExcelError:
    text: str  # "#N/A", "#REF!", ...


@dataclass(frozen=True)
class Formula:
    text: str


class FakeApp:
    def __init__(self, answer: str = "yes") -> None:
        self.status_bar: Any = False
        self.alerts: list[tuple[str, str | None]] = []
        self.answer = answer

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok", **_: Any) -> str:
        self.alerts.append((prompt, buttons))
        return self.answer if buttons != "ok" else "ok"


class FakeBook:
    def __init__(self, app: FakeApp | None = None) -> None:
        self.app = app or FakeApp()
        self.sheets = FakeSheets()
        self.calls = 0

    def add_sheet(self, name: str) -> "FakeSheet":
        sheet = FakeSheet(self, name)
        self.sheets.items.append(sheet)
        return sheet


class FakeSheets:
    def __init__(self) -> None:
        self.items: list[FakeSheet] = []

    def __iter__(self):
        return iter(self.items)

    def __getitem__(self, key: str | int) -> "FakeSheet":
        if isinstance(key, int):
            return self.items[key]
        for sheet in self.items:
            if sheet.name == key:
                return sheet
        raise KeyError(key)


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book = book
        self.name = name
        self.cells: dict[tuple[int, int], Any] = {}
        self.tables: list[FakeTable] = []

    def put(self, top: int, left: int, rows: list[list[Any]]) -> None:
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.cells[(top + r, left + c)] = value

    def add_table(self, name: str, top: int, left: int, headers: list[str], rows: list[list[Any]]) -> "FakeTable":
        self.put(top, left, [headers, *rows])
        table = FakeTable(self, name, top, left, len(headers), len(rows))
        self.tables.append(table)
        return table

    def range(self, first: tuple[int, int], last: tuple[int, int] | None = None) -> "FakeRange":
        """sheet.range((row, column), (row, column)), as in xlwings."""
        last = last or first
        return FakeRange(self, first[0], first[1], last[0], last[1])

    @property
    def used_range(self) -> "FakeRange":
        rows = [r for r, _ in self.cells] or [1]
        cols = [c for _, c in self.cells] or [1]
        return FakeRange(self, min(rows), min(cols), max(rows), max(cols))


class FakeTable:
    def __init__(self, sheet: FakeSheet, name: str, top: int, left: int, width: int, count: int) -> None:
        self.sheet, self.name, self.top, self.left, self.width, self.count = sheet, name, top, left, width, count
        self.show_totals = False

    def resize(self, block: "FakeRange") -> None:
        """Table.resize(range): the range's first row is the header row."""
        if block.sheet is not self.sheet:
            raise ValueError("a table is resized within its own sheet")
        self.sheet.book.calls += 1
        self.top, self.left = block.top, block.left
        self.width, self.count = block.right - block.left + 1, block.bottom - block.top

    @property
    def header_row_range(self) -> "FakeRange":
        return FakeRange(self.sheet, self.top, self.left, self.top, self.left + self.width - 1)

    @property
    def data_body_range(self) -> "FakeRange | None":
        if self.count == 0:
            return None
        return FakeRange(self.sheet, self.top + 1, self.left, self.top + self.count, self.left + self.width - 1)


class FakeRange:
    def __init__(self, sheet: FakeSheet, top: int, left: int, bottom: int, right: int,
                 ndim: int | None = None, err_to_str: bool = False) -> None:
        self.sheet, self.top, self.left, self.bottom, self.right = sheet, top, left, bottom, right
        self.ndim, self.err_to_str = ndim, err_to_str

    @property
    def row(self) -> int:
        return self.top

    @property
    def column(self) -> int:
        return self.left

    @property
    def last_cell(self) -> "FakeRange":
        return FakeRange(self.sheet, self.bottom, self.right, self.bottom, self.right)

    def options(self, ndim: int | None = None, err_to_str: bool = False, **_: Any) -> "FakeRange":
        return FakeRange(self.sheet, self.top, self.left, self.bottom, self.right, ndim, err_to_str)

    @property
    def columns(self) -> "_Columns":
        return _Columns(self)

    @property
    def value(self) -> Any:
        self.sheet.book.calls += 1
        grid = [[self._read(self.sheet.cells.get((r, c))) for c in range(self.left, self.right + 1)]
                for r in range(self.top, self.bottom + 1)]
        if self.ndim == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        return grid[0] if len(grid) == 1 else grid

    @value.setter
    def value(self, data: Any) -> None:
        self.sheet.book.calls += 1
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [[data]]
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.sheet.cells[(self.top + r, self.left + c)] = self._write(value)

    def _read(self, value: Any) -> Any:
        if isinstance(value, ExcelError):
            return value.text if self.err_to_str else None
        if isinstance(value, bool) or value is None or isinstance(value, (str, Formula)):
            return value
        if isinstance(value, int):
            return float(value)  # xlwings gives every number as a float
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        return value

    @staticmethod
    def _write(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("'"):
            return value[1:]  # Excel keeps it as text, without the apostrophe
        if isinstance(value, str) and value.startswith("="):
            return Formula(value)
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            raise TypeError("Excel cannot hold a time zone")
        return value


class _Columns:
    def __init__(self, block: FakeRange) -> None:
        self.block = block

    def __getitem__(self, index: int) -> FakeRange:
        column = self.block.left + index
        return FakeRange(self.block.sheet, self.block.top, column, self.block.bottom, column)
