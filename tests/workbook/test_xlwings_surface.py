"""The fake of xlwings cannot drift from the real one: every xlwings attribute the Excel
side uses (declared in workbook/excel.py's XLWINGS_SURFACE) exists on the real xlwings
classes (the package is installed, even on Linux), the fake has it too, and the code
uses no xlwings attribute the declaration leaves out."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import xlwings.main as real

from rootfi_excel import ribbon, udfs
from rootfi_excel.workbook import excel, excel_ui
from rootfi_excel.workbook.excel import XLWINGS_SURFACE
from tests.support import fake_xlwings as fake

FAKES = {"App": fake.FakeApp, "Book": fake.FakeBook, "Books": fake.FakeBooks, "Sheet": fake.FakeSheet,
         "Table": fake.FakeTable, "Range": fake.FakeRange}
# Attribute names of our own objects that happen to match an xlwings name (TableLayout.table,
# Path.parent, ...), so the scan below does not take them for xlwings calls.
OURS = {"table", "parent", "count", "columns", "name", "sheet", "values", "api", "path", "load", "json", "copy",
        "clear", "update", "index", "delete", "close", "quit", "visible",
        "book", "rows", "group"}  # ExcelWorkbook.book, Table.rows (sheets.port), re.Match.group


def test_every_declared_attribute_exists_on_the_real_xlwings_classes():
    for cls, names in XLWINGS_SURFACE.items():
        for name in names:
            assert hasattr(getattr(real, cls), name), f"xlwings {cls} has no '{name}'"
    # The arguments the Excel side passes to a message box exist too.
    assert {"prompt", "title", "buttons", "mode"} <= set(inspect.signature(real.App.alert).parameters)


def test_the_fake_implements_every_declared_attribute():
    for cls, names in XLWINGS_SURFACE.items():
        if cls not in FAKES:  # xw.apps.active: only when no workbook is open; not faked
            continue
        if cls == "Book" and "caller" in names:
            names = tuple(n for n in names if n != "caller")  # tests replace ExcelWorkbook.caller
        for name in names:
            instance_attrs = _instance_attributes(FAKES[cls])
            assert hasattr(FAKES[cls], name) or name in instance_attrs, f"the fake {cls} has no '{name}'"


def test_the_excel_side_uses_no_undeclared_xlwings_attribute():
    xlwings_names = set()
    for cls in ("App", "Apps", "Book", "Books", "Sheet", "Sheets", "Table", "Range", "RangeColumns"):
        xlwings_names |= {n for n in dir(getattr(real, cls)) if not n.startswith("_")}
    declared = {n for names in XLWINGS_SURFACE.values() for n in names}
    used = set()
    for module in (excel, excel_ui, ribbon, udfs):  # udfs: the calling cell (caller)
        tree = ast.parse(Path(module.__file__).read_text())
        used |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    undeclared = (used & xlwings_names) - declared - OURS
    assert not undeclared, f"add these to XLWINGS_SURFACE (and the fake): {sorted(undeclared)}"


def _instance_attributes(cls: type) -> set[str]:
    source = inspect.getsource(cls.__init__)
    return {node.attr for node in ast.walk(ast.parse(source.strip() if source.startswith(" ") else source))
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"}
