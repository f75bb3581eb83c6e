"""ExcelWorkbook.write_lookup_table through a small recording stand-in for the part of
xlwings it uses (sheets.add, used_range, range().options().value, tables.add, Table.resize,
names.add). The shared fake (tests/support/fake_xlwings.py) has no tables.add yet."""

from __future__ import annotations

from typing import Any

from rootfi_excel.sheets.layout import LOOKUPS_SHEET
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.workbook.port import LookupTable


class Cells:
    def __init__(self) -> None:
        self.values: dict[tuple[int, int], Any] = {}
        self.calls = 0


class Range:
    def __init__(self, sheet: "Sheet", top: int, left: int, bottom: int | None = None, right: int | None = None):
        self.sheet, self.row, self.column = sheet, top, left
        self.bottom, self.right = bottom or top, right or left

    def options(self, **_: Any) -> "Range":
        return self

    @property
    def value(self) -> Any:
        if self.row == self.bottom and self.column == self.right:
            return self.sheet.cells.values.get((self.row, self.column))
        return [[self.sheet.cells.values.get((r, c)) for c in range(self.column, self.right + 1)]
                for r in range(self.row, self.bottom + 1)]

    @value.setter
    def value(self, block: list[list[Any]]) -> None:
        self.sheet.cells.calls += 1
        for r, row in enumerate(block):
            for c, value in enumerate(row):
                self.sheet.cells.values[(self.row + r, self.column + c)] = value

    def clear_contents(self) -> None:
        self.sheet.cells.calls += 1
        for r in range(self.row, self.bottom + 1):
            for c in range(self.column, self.right + 1):
                self.sheet.cells.values.pop((r, c), None)

    @property
    def columns(self) -> Any:
        return type("Columns", (), {"count": self.right - self.column + 1})()


class Table:
    def __init__(self, name: str, source: Range):
        self.name, self.range = name, source

    def resize(self, target: Range) -> None:
        self.range = target


class Tables(list):
    def add(self, source: Range, name: str, **_: Any) -> Table:
        self.append(Table(name, source))
        return self[-1]


class Sheet:
    def __init__(self, name: str):
        self.name, self.cells, self.tables = name, Cells(), Tables()

    def range(self, first: tuple[int, int], last: tuple[int, int] | None = None) -> Range:
        return Range(self, *first, *(last or (None, None)))

    @property
    def used_range(self) -> Range:
        keys = [k for k, v in self.cells.values.items() if v is not None] or [(1, 1)]
        return Range(self, min(k[0] for k in keys), min(k[1] for k in keys), max(k[0] for k in keys),
                     max(k[1] for k in keys))


class Sheets(list):
    def __getitem__(self, key: Any) -> Sheet:
        return next(s for s in self if s.name == key) if isinstance(key, str) else list.__getitem__(self, key)

    def add(self, name: str, after: Sheet | None = None) -> Sheet:
        self.append(Sheet(name))
        return self[-1]


class Names(dict):
    def add(self, name: str, refers_to: str) -> None:
        self[name] = refers_to


class Book:
    def __init__(self):
        self.sheets, self.names = Sheets([Sheet("Settings")]), Names()


def test_live_table_written_in_a_few_calls_then_rewritten_in_place():
    book = Book()
    workbook = ExcelWorkbook(book)
    rows = [[f"INV-{n}", str(n), "=cmd"] for n in range(500)]
    workbook.write_lookup_table(LookupTable("LiveInvoices", ["number", "id", "memo"], rows,
                                            {"LiveInvoicesNames": "number", "LiveInvoicesIds": "id"}))
    sheet = book.sheets[LOOKUPS_SHEET]
    assert sheet.cells.calls == 1  # one block write, whatever the number of rows
    table = sheet.tables[0]
    assert (table.name, table.range.row, table.range.bottom) == ("LiveInvoices", 1, 501)
    left = table.range.column
    assert book.names["LiveInvoicesIds"] == f"='{LOOKUPS_SHEET}'!$B$2:$B$501" and left == 1  # an empty sheet
    assert sheet.cells.values[(2, left + 2)] == "'=cmd"  # text, never a formula

    workbook.write_lookup_table(LookupTable("LiveInvoices", ["number", "id", "memo"], rows[:2],
                                            {"LiveInvoicesIds": "id"}))
    assert len(sheet.tables) == 1 and sheet.tables[0].range.bottom == 3
    assert sheet.cells.values.get((4, left)) is None  # old rows cleared
    assert book.names["LiveInvoicesIds"] == f"='{LOOKUPS_SHEET}'!$B$2:$B$3"

    workbook.write_lookup_table(LookupTable("LiveItems", ["name", "id"], [], {"LiveItemsIds": "id"}))
    items = sheet.tables[1]
    assert items.range.column == table.range.right + 2 and items.range.bottom == 2  # one empty data row
