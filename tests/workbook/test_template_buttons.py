"""The template's Instructions sheet has a line for every button of the RootFi ribbon tab,
in the ribbon's order, with the label the ribbon shows; and the Settings sheet offers
stuck_after_minutes with its note."""

from __future__ import annotations

import openpyxl

from rootfi_excel.excel_addin import customui
from rootfi_excel.sheets.layout import INSTRUCTIONS_SHEET
from rootfi_excel.sheets.settings import SETTING_NOTES
from rootfi_excel.workbook.button_help import BUTTON_STEPS
from tests.support.paths import SHIPPED_TEMPLATE

TEMPLATE = SHIPPED_TEMPLATE


def test_every_ribbon_button_has_its_step_in_ribbon_order():
    buttons = customui.buttons(customui.source())
    assert [(b["tag"], b["label"]) for b in buttons] == [(tag, label) for tag, label, _ in BUTTON_STEPS]


def test_the_shipped_templates_instructions_list_every_button():
    sheet = openpyxl.load_workbook(TEMPLATE)[INSTRUCTIONS_SHEET]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    heading = next(i for i, row in enumerate(cells) if row[0] == "The RootFi tab, button by button")
    listed = [(row[1], row[2]) for row in cells[heading + 1: heading + 1 + len(BUTTON_STEPS)]]
    assert listed == [(label, text) for _, label, text in BUTTON_STEPS]


def test_the_settings_sheet_offers_stuck_after_minutes():
    sheet = openpyxl.load_workbook(TEMPLATE)["Settings"]
    rows = {row[0].value: (row[1].value, row[2].value) for row in sheet.iter_rows(min_row=2) if row[0].value}
    assert rows["stuck_after_minutes"] == (2, SETTING_NOTES["stuck_after_minutes"])
