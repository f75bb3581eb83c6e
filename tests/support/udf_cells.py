"""Cells that call a worksheet function: what xlwings passes as `caller`, in a workbook
of its own with these Settings rows."""

from __future__ import annotations

import itertools

from rootfi_excel.sheets.layout import SETTINGS_SHEET, SETTINGS_TABLE
from tests.support.fake_xlwings import FakeBook


BOOK_NUMBERS = itertools.count(1)


def cell_of(settings: dict, below: list | None = None):
    """A cell (what xlwings passes as `caller`) of a workbook with these Settings rows."""
    book = FakeBook(fullname=f"C:\\Users\\me\\Book{next(BOOK_NUMBERS)}.xlsx")  # Excel never opens two of one name
    settings_sheet = book.add_sheet(SETTINGS_SHEET)
    table = settings_sheet.add_table(SETTINGS_TABLE, 1, 1, ["setting", "value"], [[k, v] for k, v in settings.items()])
    if below:
        settings_sheet.put(table.top + table.count + 1, 1, [below])  # typed under the table
    return book.add_sheet("Mine").range((2, 3))


def sandbox_cell(sandbox, company_id, **more):
    return cell_of({"environment": "sandbox", "base_url": sandbox.base_url, "company_id": company_id, **more})
