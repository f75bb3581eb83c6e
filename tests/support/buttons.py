"""Pressing a ribbon button of a fake Excel book, as Excel's callback would; acting while it runs."""

from __future__ import annotations

from rootfi_excel import ribbon
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.workbook.excel_ui import ExcelUI
from tests.support.fake_xlwings import FakeBook


def press(tag: str, book: FakeBook, *, secret: str | None = None, **options) -> ExcelUI:
    ui = ExcelUI(book.app, clock=lambda: 0.0, ask_secret=lambda prompt: secret)
    ribbon.press(tag, ExcelWorkbook(book), ui, **options)
    return ui


def mid_run(book, action) -> None:
    """Run `action` while the next Submit runs (at its first progress report)."""
    def hook(value) -> None:
        if value and book.app.on_status:
            book.app.on_status.clear()
            action()
    book.app.on_status.append(hook)
