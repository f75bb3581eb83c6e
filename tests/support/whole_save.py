"""The accountant's file is sacred: Validate, Submit, Refresh lookups and Posted never
save a workbook through openpyxl's whole-workbook writer, which drops what it does not
know (pictures without Pillow, text boxes, form buttons, header images).

`guard` (autouse, every test of the suite) makes that writer fail the test when it is
called from inside one of those commands, or from the .xlsx adapter at all. Tests and
the template builder (`template`, New workbook, the demo's fresh file) may still use it
to make a new file: the check looks at who is calling.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from types import CodeType

import pytest
from openpyxl.writer.excel import ExcelWriter

PACKAGE = Path(__file__).resolve().parents[2] / "addin" / "rootfi_excel"
# Modules that must never call it: the .xlsx adapter and what writes into a workbook for it.
ADAPTER_FILES = {str(PACKAGE / "workbook" / name) for name in
                 ("xlsx.py", "xlsx_package.py", "xlsx_patch.py", "xlsx_styles.py", "xlsx_lookups.py", "xlsx_read.py")}


def command_codes() -> set[CodeType]:
    """The code of each way into the four commands: the app functions and the CLI commands."""
    from rootfi_excel.app import posted, submit, validate
    from rootfi_excel.cli import lookups_cmd, posted_cmd, submit_cmd, validate_cmd
    from rootfi_excel.lookups import workbook

    functions = [validate.validate, submit.submit, submit.submit_with_settings, posted.posted,
                 workbook.refresh_workbook, validate_cmd.validate.callback, submit_cmd.submit.callback,
                 lookups_cmd.lookups.callback, posted_cmd.posted.callback]
    return {getattr(function, "__wrapped__", function).__code__ for function in functions}


class WholeWorkbookSave(AssertionError):
    pass


_elsewhere = [0]


@contextlib.contextmanager
def another_program():
    """A test's own save in the middle of a command (a colleague saving in Excel): allowed."""
    _elsewhere[0] += 1
    try:
        yield
    finally:
        _elsewhere[0] -= 1


def caller_inside_a_command(codes: set[CodeType]) -> str | None:
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code in codes or frame.f_code.co_filename in ADAPTER_FILES:
            return f"{frame.f_code.co_filename}:{frame.f_lineno} ({frame.f_code.co_name})"
        frame = frame.f_back
    return None


def guard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Refuse the whole-workbook writer inside the commands. Returns the list of refusals:
    the fixture fails the test with it afterwards too, so a command's own error handling
    (which turns any error into one line) cannot hide one."""
    codes = command_codes()
    real = ExcelWriter.save
    refused: list[str] = []

    def save(self: ExcelWriter) -> None:
        inside = None if _elsewhere[0] else caller_inside_a_command(codes)
        if inside:
            refused.append(inside)
            raise WholeWorkbookSave(f"openpyxl saved a whole workbook inside {inside}: only owned parts may change")
        real(self)

    monkeypatch.setattr(ExcelWriter, "save", save)
    return refused
