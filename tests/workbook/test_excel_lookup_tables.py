"""ExcelWorkbook.write_lookup_table through a small recording stand-in for the part of
xlwings it uses (sheets.add, used_range, range().options().value, tables.add, Table.resize,
names.add). The shared fake (tests/support/fake_xlwings.py) has no tables.add yet."""

from __future__ import annotations

from typing import Any

from rootfi_excel.sheets.layout import LOOKUPS_SHEET
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.sheets.port import LookupTable


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

    @property
    def shape(self) -> tuple[int, int]:
        return self.bottom - self.row + 1, self.right - self.column + 1


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


# ---- the same tables on the template's Lookups sheet, live Excel (fake xlwings) and .xlsx

def _template_lookups(tmp_path):
    from rootfi_excel.workbook.template import build_template

    return build_template(tmp_path / "template.xlsx")


def _grey(cell) -> bool:
    return cell.fill is not None and cell.fill.fill_type == "solid" and str(cell.fill.start_color.rgb).endswith("7F7F7F")


def test_live_excel_and_xlsx_place_the_tables_alike_and_both_drop_the_grey_placeholders(tmp_path):
    from openpyxl.utils.cell import range_boundaries

    import openpyxl

    from rootfi_excel.sheets.port import LIVE_PLACEHOLDER
    from rootfi_excel.workbook.xlsx import XlsxWorkbook
    from tests.support.fake_xlwings import FakeBook

    path = _template_lookups(tmp_path)
    template_sheet = openpyxl.load_workbook(path)[LOOKUPS_SHEET]
    placeholders = [c.column for c in template_sheet[1] if isinstance(c.value, str) and LIVE_PLACEHOLDER.match(c.value)]
    assert len(placeholders) == 10 and all(_grey(template_sheet.cell(1, c)) for c in placeholders)

    book = FakeBook()  # the same sheet in (fake) Excel: values and the grey fills
    live_sheet = book.add_sheet(LOOKUPS_SHEET)
    for row in template_sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                live_sheet.cells[(cell.row, cell.column)] = cell.value
            if _grey(cell):
                live_sheet.fills[(cell.row, cell.column)] = "7F7F7F"

    tables = [  # each labelled above its header row (a title), as lookups/sheet.py makes them
        LookupTable("LiveContacts", ["name", "id", "type"], [["Acme Ltd", "00123", "CUSTOMER"], ["=Bad", "7", None]],
                    {"LiveContactsNames": "name", "LiveContactsIds": "id"}, title="Contacts (customers)"),
        LookupTable("LiveInvoices", ["number", "id", "amount due", "date"],
                    [["INV-1", "1234567890123456789", 12.5, "2026-03-31"]], {"LiveInvoicesIds": "id"},
                    title="Invoices (open)"),
        LookupTable("LiveItems", ["name", "id"], [], {"LiveItemsIds": "id"}, title="Items"),
    ]
    workbook = ExcelWorkbook(book)
    xlsx = XlsxWorkbook.open(path)
    for table in tables:
        workbook.write_lookup_table(table)
        xlsx.write_lookup_table(table)
    workbook.write_lookup_table(tables[0])  # a second refresh rewrites in place, in both
    xlsx.write_lookup_table(tables[0])
    xlsx.save()
    template_sheet = openpyxl.load_workbook(path)[LOOKUPS_SHEET]

    for table in tables:
        live = next(t for t in live_sheet.tables if t.name == table.name)
        left, top, right, bottom = range_boundaries(template_sheet.tables[table.name].ref)
        assert (live.range.column, live.range.row, live.range.right, live.range.bottom) == (left, top, right, bottom)
    assert left == placeholders[0] + 3 + 1 + 4 + 1  # Items after Contacts (3 columns) and Invoices (4), a gap each
    assert range_boundaries(template_sheet.tables["LiveContacts"].ref)[0] == placeholders[0]  # where they were

    # every cell alike, text kept as text (a leading-zero id, a 19-digit id, a date, a formula-like name)
    last_row = max(r for r, _ in live_sheet.cells)
    last_col = max(max(c for _, c in live_sheet.cells), template_sheet.max_column)
    for r in range(1, last_row + 1):
        for c in range(1, last_col + 1):
            assert live_sheet.cells.get((r, c)) == template_sheet.cell(r, c).value, (r, c)
    assert live_sheet.cells[(1, placeholders[0])] == "Contacts (customers)"  # the block's label, in both
    assert live_sheet.cells[(3, placeholders[0] + 1)] == "00123"
    assert live_sheet.cells[(4, placeholders[0])] == "=Bad"  # text, not a formula
    # no placeholder header and no grey fill left in row 1, in either
    assert not any(isinstance(v, str) and LIVE_PLACEHOLDER.match(v) for (r, _), v in live_sheet.cells.items() if r == 1)
    assert not any(LIVE_PLACEHOLDER.match(str(c.value or "")) or _grey(c) for c in template_sheet[1])
    assert not live_sheet.fills


def test_a_grown_list_stops_before_overwriting_what_was_typed_below_it_in_excel_and_xlsx(tmp_path):
    """Live Excel refuses like the .xlsx writer (one shared rule): the cell is named and
    nothing is cleared or written, in the table, its names or the note."""
    import copy

    import openpyxl
    import pytest

    from rootfi_excel.errors import WorkbookError
    from rootfi_excel.workbook.xlsx import XlsxWorkbook
    from tests.support.fake_xlwings import FakeBook

    two = LookupTable("LiveContacts", ["name", "id"], [["Acme", "1"], ["Bolt", "2"]], {"LiveContactsIds": "id"})
    five = LookupTable("LiveContacts", ["name", "id"], [[f"C{n}", str(n)] for n in range(5)], {"LiveContactsIds": "id"})
    book = FakeBook()
    sheet = book.add_sheet(LOOKUPS_SHEET)
    workbook = ExcelWorkbook(book)
    workbook.write_lookup_table(two)  # A1:B3
    sheet.put(5, 2, [["ask Sam about Bolt"]])  # B5: a note two rows below the table
    path = tmp_path / "book.xlsx"
    blank = openpyxl.Workbook()
    blank.active.title = LOOKUPS_SHEET
    blank.save(path)  # the test's own file, made before any command runs
    with XlsxWorkbook.open(path) as xlsx:
        xlsx.write_lookup_table(two)
        xlsx.save()
    edited = openpyxl.load_workbook(path)
    edited[LOOKUPS_SHEET]["B5"] = "ask Sam about Bolt"
    edited.save(path)  # a person types a note below the list, in Excel
    before = path.read_bytes()

    workbook.write_lookup_table(two)  # the same size again: the note is not in the way
    cells, names, table = dict(sheet.cells), copy.deepcopy(book.names.refers_to), sheet.tables[0]
    with pytest.raises(WorkbookError) as live:
        workbook.write_lookup_table(five)
    assert "cell B5 holds 'ask Sam about Bolt'" in str(live.value) and "LiveContacts" in str(live.value)
    assert sheet.cells == cells and book.names.refers_to == names  # nothing written
    assert (table.top, table.count) == (1, 2) and sheet.tables == [table]
    with XlsxWorkbook.open(path) as xlsx, pytest.raises(WorkbookError) as file:
        xlsx.write_lookup_table(five)
    assert str(file.value) == str(live.value)
    assert path.read_bytes() == before

    sheet.put(5, 2, [[None]])  # the note moved away: the list grows
    workbook.write_lookup_table(five)
    assert sheet.tables[0].count == 5 and sheet.cells[(6, 1)] == "C4"
