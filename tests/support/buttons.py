"""Pressing a ribbon button of a fake Excel book, as Excel's callback would."""

from __future__ import annotations

from rootfi_excel import ribbon
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.workbook.excel_ui import ExcelUI
from tests.support.fake_xlwings import FakeBook


def press(tag: str, book: FakeBook, *, secret: str | None = None, **options) -> ExcelUI:
    ui = ExcelUI(book.app, clock=lambda: 0.0, ask_secret=lambda prompt: secret)
    ribbon.press(tag, ExcelWorkbook(book), ui, **options)
    return ui
