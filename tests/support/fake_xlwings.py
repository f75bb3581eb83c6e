"""A faithful fake of the small part of xlwings that workbook/excel.py uses.

Faithful where it matters to the adapter: numbers come back as floats and dates as
datetimes (as xlwings gives them), error cells as None unless err_to_str=True, a text
written with a leading apostrophe is stored as text, a text starting with '=' becomes
a formula, the used range spans every cell that was ever filled (as Excel's does), a text that reads as a number becomes a number (a General cell), a table
with no rows has no data_body_range, hidden rows are read and written like the others,
and every read or write of a range's value, of an App property, every message box and
every selection lookup counts as one cross-application call (`app.calls`).

Merged cells as Excel keeps them: the value in the first cell, the others read empty;
`merge_cells` is True when a range holds only merged cells, False when none, None when
both (Excel's Null); `merge_area` is the merged range holding a range's first cell (that
cell alone when it is not merged); writing over part of a merged range fails, as Excel's
"cannot change part of a merged cell".

Test helpers (not xlwings): FakeApp.answers (what the person clicks), FakeApp.select,
FakeApp.on_status (run code when the status bar changes, e.g. sort mid-run),
FakeTable.sort / insert_row / delete_row / hide_rows, FakeSheet.fills, FakeSheet.merge, FakeSheet.column_widths.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _letters(column: int) -> str:
    text = ""
    while column:
        column, rest = divmod(column - 1, 26)
        text = chr(65 + rest) + text
    return text


@dataclass(frozen=True)
class ExcelError:
    text: str  # "#N/A", "#REF!", ...


@dataclass(frozen=True)
class Formula:
    text: str


class FakeApp:
    def __init__(self, answer: str = "yes") -> None:
        self.calls = 0
        self._status_bar: Any = False
        self.status_history: list[Any] = []
        self.on_status: list[Callable[[Any], None]] = []
        self._screen_updating, self._enable_events, self._calculation = True, True, "automatic"
        self.alerts: list[tuple[str, str | None]] = []
        self.alert_modes: list[str | None] = []
        self.answer = answer  # the button clicked on every yes/no box ...
        self.answers: list[str] = []  # ... unless these are given, one per box, in order
        self._selection: FakeRange | None = None
        self.books = FakeBooks(self)

    def _count(self) -> None:
        self.calls += 1

    def _property(name: str) -> property:  # type: ignore[misc]
        def get(self: "FakeApp") -> Any:
            self._count()
            return getattr(self, "_" + name)

        def put(self: "FakeApp", value: Any) -> None:
            self._count()
            setattr(self, "_" + name, value)
        return property(get, put)

    screen_updating = _property("screen_updating")
    enable_events = _property("enable_events")
    calculation = _property("calculation")

    @property
    def status_bar(self) -> Any:
        self._count()
        return self._status_bar

    @status_bar.setter
    def status_bar(self, value: Any) -> None:
        self._count()
        self._status_bar = value
        self.status_history.append(value)
        for hook in list(self.on_status):
            hook(value)

    @property
    def selection(self) -> "FakeRange | None":
        self._count()
        return self._selection

    def select(self, sheet: "FakeSheet", top: int, bottom: int | None = None, left: int = 1, right: int = 1) -> None:
        """Test helper: select rows top..bottom of `sheet`."""
        self._selection = FakeRange(sheet, top, left, bottom or top, right)

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok", mode: str | None = None,
              callback: str | None = None) -> str:
        self._count()
        self.alerts.append((prompt, buttons))
        self.alert_modes.append(mode)
        if buttons == "ok":
            return "ok"
        return self.answers.pop(0) if self.answers else self.answer


class FakeBooks:
    def __init__(self, app: FakeApp) -> None:
        self.app = app
        self.opened: list[str] = []

    def open(self, fullname: str) -> "FakeBook":
        self.app._count()
        self.opened.append(fullname)
        return FakeBook(self.app)


class FakeBook:
    def __init__(self, app: FakeApp | None = None, fullname: str = "C:\\Users\\me\\March.xlsx") -> None:
        self.app = app or FakeApp()
        self.sheets = FakeSheets(self)
        self.names = FakeNames(self)
        self.fullname = fullname
        self.active_sheet: FakeSheet | None = None
        self.closed = False

    @property
    def name(self) -> str:
        return self.fullname.replace("\\", "/").rsplit("/", 1)[-1]

    def close(self) -> None:  # xlwings: closes without saving
        self.app._count()
        self.closed = True

    @property
    def calls(self) -> int:
        return self.app.calls

    @property
    def selection(self) -> "FakeRange | None":
        return self.app.selection

    def add_sheet(self, name: str) -> "FakeSheet":
        sheet = FakeSheet(self, name)
        self.sheets.items.append(sheet)
        return sheet


class FakeNames:
    """Book.names: defined names; add() (re)defines one, as Names.Add does."""

    def __init__(self, book: "FakeBook") -> None:
        self.book, self.refers_to = book, {}

    def add(self, name: str, refers_to: str) -> None:
        self.book.app._count()
        self.refers_to[name] = refers_to


class FakeSheets:
    def __init__(self, book: "FakeBook | None" = None) -> None:
        self.book = book
        self.items: list[FakeSheet] = []

    def __len__(self) -> int:
        return len(self.items)

    def add(self, name: str, after: "FakeSheet | None" = None) -> "FakeSheet":
        self.book.app._count()
        sheet = FakeSheet(self.book, name)
        self.items.insert(self.items.index(after) + 1 if after in self.items else len(self.items), sheet)
        return sheet

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
        self.tables = FakeTables(self)
        self.hidden_rows: set[int] = set()  # filtered out or hidden: still read and written
        self.column_widths: dict[int, float] = {}  # set through Range.column_width (0: hidden, as in Excel)
        self.fills: dict[tuple[int, int], str] = {}  # test helper: a cell's fill colour (Range.clear removes it)
        self.merged: list[tuple[int, int, int, int]] = []  # (top, left, bottom, right) of each merged range

    def merge(self, top: int, left: int, bottom: int, right: int) -> None:
        """Test helper: Merge Cells, as Excel does it (only the first cell's value stays)."""
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                if (r, c) != (top, left):
                    self.cells.pop((r, c), None)
        self.merged.append((top, left, bottom, right))

    def merged_area(self, row: int, column: int) -> tuple[int, int, int, int] | None:
        return next((m for m in self.merged if m[0] <= row <= m[2] and m[1] <= column <= m[3]), None)

    def activate(self) -> None:
        self.book.app._count()
        self.book.active_sheet = self

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


class FakeTables(list):
    """Sheet.tables: a list of the sheet's tables; add() makes one over a range (header row first)."""

    def __init__(self, sheet: "FakeSheet") -> None:
        super().__init__()
        self.sheet = sheet

    def add(self, source: "FakeRange", name: str, table_style_name: str = "", **_: Any) -> "FakeTable":
        self.sheet.book.app._count()
        table = FakeTable(self.sheet, name, source.top, source.left, source.right - source.left + 1,
                          source.bottom - source.top)
        self.append(table)
        return table


class FakeTable:
    def __init__(self, sheet: FakeSheet, name: str, top: int, left: int, width: int, count: int) -> None:
        self.sheet, self.name, self.top, self.left, self.width, self.count = sheet, name, top, left, width, count
        self.show_totals = False

    def resize(self, block: "FakeRange") -> None:
        """Table.resize(range): the range's first row is the header row."""
        if block.sheet is not self.sheet:
            raise ValueError("a table is resized within its own sheet")
        self.sheet.book.app._count()
        self.top, self.left = block.top, block.left
        self.width, self.count = block.right - block.left + 1, block.bottom - block.top

    @property
    def range(self) -> "FakeRange":
        """The whole table: header row and data rows."""
        return FakeRange(self.sheet, self.top, self.left, self.top + self.count, self.left + self.width - 1)

    @property
    def header_row_range(self) -> "FakeRange":
        return FakeRange(self.sheet, self.top, self.left, self.top, self.left + self.width - 1)

    @property
    def data_body_range(self) -> "FakeRange | None":
        if self.count == 0:
            return None
        return FakeRange(self.sheet, self.top + 1, self.left, self.top + self.count, self.left + self.width - 1)

    # Test helpers: what a person does to the table while a run goes on.
    def body_rows(self) -> list[list[Any]]:
        return [[self.sheet.cells.get((r, c)) for c in range(self.left, self.left + self.width)]
                for r in range(self.top + 1, self.top + 1 + self.count)]

    def _put_body(self, rows: list[list[Any]]) -> None:
        self.count = len(rows)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.sheet.cells[(self.top + 1 + r, self.left + c)] = value

    def sort(self, column: int, reverse: bool = False) -> None:
        """Sort the data rows by the column at 0-based `column` (as Data > Sort does)."""
        rows = self.body_rows()
        rows.sort(key=lambda row: (row[column] is None, str(row[column])), reverse=reverse)
        self._put_body(rows)

    def insert_row(self, at: int, values: list[Any] | None = None) -> None:
        """Insert a data row before 0-based row `at` (cells below move down)."""
        rows = self.body_rows()
        rows.insert(at, list(values or [None] * self.width))
        self._put_body(rows)

    def delete_row(self, at: int) -> None:
        """Delete data row `at` (0-based): the rows below move up, the table shrinks (Delete Table Rows)."""
        rows = self.body_rows()
        del rows[at]
        last = self.top + self.count
        for c in range(self.left, self.left + self.width):
            self.sheet.cells.pop((last, c), None)
        self._put_body(rows)

    def hide_rows(self, *indexes: int) -> None:
        self.sheet.hidden_rows.update(self.top + 1 + i for i in indexes)


class FakeRange:
    def __init__(self, sheet: FakeSheet, top: int, left: int, bottom: int, right: int,
                 ndim: int | None = None, err_to_str: bool = False) -> None:
        self.sheet, self.top, self.left, self.bottom, self.right = sheet, top, left, bottom, right
        self.ndim, self.err_to_str = ndim, err_to_str

    @property
    def row(self) -> int:
        return self.top

    @property
    def shape(self) -> tuple[int, int]:
        self.sheet.book.app._count()
        return (self.bottom - self.top + 1, self.right - self.left + 1)

    @property
    def address(self) -> str:
        self.sheet.book.app._count()
        first = f"${_letters(self.left)}${self.top}"
        last = f"${_letters(self.right)}${self.bottom}"
        return first if first == last else f"{first}:{last}"

    @property
    def column(self) -> int:
        return self.left

    @property
    def column_width(self) -> float | None:
        """The columns' width when they all have one (None otherwise), as xlwings gives it."""
        self.sheet.book.app._count()
        widths = {self.sheet.column_widths.get(c, 8.43) for c in range(self.left, self.right + 1)}
        return widths.pop() if len(widths) == 1 else None

    @column_width.setter
    def column_width(self, value: float) -> None:
        """Width of every column of the range; 0 hides them (Excel's ColumnWidth = 0)."""
        self.sheet.book.app._count()
        for column in range(self.left, self.right + 1):
            self.sheet.column_widths[column] = value

    @property
    def last_cell(self) -> "FakeRange":
        return FakeRange(self.sheet, self.bottom, self.right, self.bottom, self.right)

    def clear_contents(self) -> None:
        self.sheet.book.app._count()
        for r in range(self.top, self.bottom + 1):
            for c in range(self.left, self.right + 1):
                self.sheet.cells.pop((r, c), None)

    def clear(self) -> None:
        """Contents and formats (the fill among them), as xlwings' Range.clear."""
        self.clear_contents()
        for r in range(self.top, self.bottom + 1):
            for c in range(self.left, self.right + 1):
                self.sheet.fills.pop((r, c), None)

    def options(self, ndim: int | None = None, err_to_str: bool = False, **_: Any) -> "FakeRange":
        return FakeRange(self.sheet, self.top, self.left, self.bottom, self.right, ndim, err_to_str)

    @property
    def columns(self) -> "_Columns":
        return _Columns(self)

    @property
    def merge_cells(self) -> bool | None:
        self.sheet.book.app._count()
        merged = [self.sheet.merged_area(r, c) is not None for r in range(self.top, self.bottom + 1)
                  for c in range(self.left, self.right + 1)]
        return True if all(merged) else False if not any(merged) else None

    @property
    def merge_area(self) -> "FakeRange":
        self.sheet.book.app._count()
        area = self.sheet.merged_area(self.top, self.left)
        if area is None:
            return FakeRange(self.sheet, self.top, self.left, self.top, self.left)
        return FakeRange(self.sheet, *area[:2], *area[2:])

    @property
    def value(self) -> Any:
        self.sheet.book.app._count()
        grid = [[self._read(self.sheet.cells.get((r, c))) for c in range(self.left, self.right + 1)]
                for r in range(self.top, self.bottom + 1)]
        if self.ndim == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        return grid[0] if len(grid) == 1 else grid

    @property
    def formula(self) -> Any:
        """As xlwings gives it: a formula's text, any other cell's value as text ('' when empty);
        a tuple of row tuples for a block, the text alone for one cell."""
        self.sheet.book.app._count()

        def text(value: Any) -> str:
            if isinstance(value, Formula):
                return value.text
            if isinstance(value, ExcelError):
                return value.text
            return "" if value is None else str(value)

        grid = tuple(tuple(text(self.sheet.cells.get((r, c))) for c in range(self.left, self.right + 1))
                     for r in range(self.top, self.bottom + 1))
        return grid[0][0] if len(grid) == 1 and len(grid[0]) == 1 else grid

    @value.setter
    def value(self, data: Any) -> None:
        self.sheet.book.app._count()
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [[data]]
        bottom, right = self.top + len(rows) - 1, self.left + max(len(row) for row in rows) - 1
        for top, left, last_row, last_column in self.sheet.merged:
            inside = self.top <= top and last_row <= bottom and self.left <= left and last_column <= right
            apart = last_row < self.top or top > bottom or last_column < self.left or left > right
            if not (inside or apart):
                raise RuntimeError("We can't do that to a merged cell.")  # Excel's error 1004
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                area = self.sheet.merged_area(self.top + r, self.left + c)
                if area is None or area[:2] == (self.top + r, self.left + c):
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
        if isinstance(value, str) and _NUMBER.match(value.strip()):
            return float(value.strip())  # a General cell: Excel reads "00123" as the number 123
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            raise TypeError("Excel cannot hold a time zone")
        return value


class _Columns:
    def __init__(self, block: FakeRange) -> None:
        self.block = block

    @property
    def count(self) -> int:
        return self.block.right - self.block.left + 1

    def __getitem__(self, index: int) -> FakeRange:
        column = self.block.left + index
        return FakeRange(self.block.sheet, self.block.top, column, self.block.bottom, column)
