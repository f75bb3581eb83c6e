"""Entry points of the Excel ribbon buttons (xlwings RunPython).

The add-in's only VBA callback passes the button's tag here:

    RunPython "import rootfi_excel.ribbon as r; r.dispatch('validate')"

so a new button is ribbon XML plus a function in BUTTONS. Each button is a few lines
that wire the calling workbook and Excel's UserInterface to the application layer
(rootfi_excel.app). `press` runs every button inside one session (screen updating,
events, calculation and the status bar given back afterwards) and one error boundary:
an unexpected error ends in a message box that says what to do, with the traceback in
the log file, never in a Python traceback dialog.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

from rootfi_excel.app import account, lookups, new_book, results
from rootfi_excel.app import posted as posting
from rootfi_excel.app import submit as submitting
from rootfi_excel.app import validate as validating
from rootfi_excel.errors import CredentialsError, WorkbookError
from rootfi_excel.failures import logging_to_file, record
from rootfi_excel.folders import log_dir
from rootfi_excel.messages import NO_WORKBOOK, ignored_config_sheets, plural, were
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, INSTRUCTIONS_SHEET, PAYMENTS
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.workbook.excel_ui import ExcelUI, choose_save_path

SELECT_FIRST = (f"Select one or more rows in the {PAYMENTS.sheet} or {CREDIT_NOTE_LINES.sheet} table first "
                "(any cell of a row will do), then press the button again.")


# ------------------------------------------------------------------- buttons

def validate(workbook: ExcelWorkbook, ui: ExcelUI, selection: dict | None = None) -> None:
    report = validating.validate(workbook, selection)
    text = "\n".join([*workbook.notices, validating.summary(report)])
    if selection is None:
        text += "\n(Every row was checked, hidden and filtered rows included.)"
    (ui.tell if not workbook.unplaced else ui.warn)(text + _moved_rows(workbook, "Validate"))


def validate_selection(workbook: ExcelWorkbook, ui: ExcelUI) -> None:
    selection = workbook.selected_rows()
    if selection is None:
        return ui.warn(SELECT_FIRST)
    validate(workbook, ui, selection)


def submit(workbook: ExcelWorkbook, ui: ExcelUI, selection: dict | None = None) -> None:
    run = submitting.submit(workbook, ui, selection=selection)
    if run.submission is not None and isinstance(run.submission.error, Exception):
        record(run.submission.error, doing="submit (stopped early; the results known were written)")
    if run.submission is not None and run.ended in (submitting.DONE, submitting.UNWRITTEN):
        ui.tell(submitting.summary(run))


def submit_selection(workbook: ExcelWorkbook, ui: ExcelUI) -> None:
    selection = workbook.selected_rows()
    if selection is None:
        return ui.warn(SELECT_FIRST)
    submit(workbook, ui, selection)


def clear_results(workbook: ExcelWorkbook, ui: ExcelUI) -> None:
    results.clear_results(workbook, ui, workbook.selected_rows())
    if workbook.unplaced:
        ui.warn(_moved_rows(workbook, "Clear results").strip())


def new_workbook(workbook: ExcelWorkbook | None, ui: ExcelUI,
                 choose: Callable[[Path], Path | None] = choose_save_path) -> None:
    suggested = new_book.default_path()
    try:
        path = choose(suggested)
    except Exception:  # no dialog available (tkinter missing): use the suggested name
        path = suggested
    if path is None:
        return ui.tell("No workbook was made.")
    settings = workbook.read_settings() if workbook is not None else {}
    new_book.new_workbook(path, settings)
    ui.app.books.open(str(path))
    ui.tell(f"A new RootFi workbook is open: {path}\n"
            + ("Its Settings were copied from the workbook you were in. " if settings else "")
            + "Fill in the Invoice Payments and Credit Note Lines sheets, then press Validate.")


def refresh_lookups(workbook: ExcelWorkbook, ui: ExcelUI) -> None:
    lookups.refresh_lookups(workbook, ui)


def posted(workbook: ExcelWorkbook, ui: ExcelUI) -> None:
    posting.posted(workbook, ui)


def set_api_key(workbook: ExcelWorkbook, ui: ExcelUI) -> None:
    account.set_api_key(workbook, ui)


def check_connection(workbook: ExcelWorkbook, ui: ExcelUI) -> None:
    account.check_connection(workbook, ui)


def show_help(workbook: ExcelWorkbook, ui: ExcelUI) -> None:
    sheets = [s.name for s in workbook.book.sheets]
    if INSTRUCTIONS_SHEET not in sheets:
        return ui.warn("This workbook has no Instructions sheet. Press New workbook for a fresh copy of the "
                       "template: its first sheet explains every column and button.")
    workbook.book.sheets[INSTRUCTIONS_SHEET].activate()


def open_log(workbook: ExcelWorkbook | None, ui: ExcelUI, opener: Callable[[Path], None] | None = None) -> None:
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (opener or _open_folder)(folder)
    ui.tell(f"The log file is in {folder}.\nSend rootfi-excel.log to support with a few words on what you did. "
            "It holds error details, never your API key.")


BUTTONS: dict[str, Callable[..., Any]] = {
    "validate": validate,
    "validate_selection": validate_selection,
    "submit": submit,
    "submit_selection": submit_selection,
    "clear_results": clear_results,
    "refresh_lookups": refresh_lookups,
    "posted": posted,
    "new_workbook": new_workbook,
    "set_api_key": set_api_key,
    "check_connection": check_connection,
    "help": show_help,
    "open_log": open_log,
}
NEEDS_NO_WORKBOOK = frozenset({"new_workbook", "open_log"})


# --------------------------------------------------------------- the wiring

def dispatch(tag: str, scratch: bool = False) -> None:
    """The one VBA callback lands here with the ribbon button's tag.

    scratch: no workbook was active (RootFiRibbon.bas), so the callback opened a blank
    one for xlwings to start Python in; it is closed again, unsaved, once the button has
    run, and the button runs without a workbook (only NEEDS_NO_WORKBOOK buttons do)."""
    try:
        workbook: ExcelWorkbook | None = ExcelWorkbook.caller()
        app = workbook.book.app
    except Exception as error:  # no workbook is open (xlwings' caller is the active workbook)
        record(error, doing=f"find the workbook for the {tag} button")
        try:
            import xlwings as xw  # only here: tests drive the ribbon through a fake of it

            workbook, app = None, xw.apps.active
        except Exception as no_excel:  # no Excel to talk to: the log file is all there is
            record(no_excel, doing=f"reach Excel for the {tag} button")
            return
    blank = workbook.book if scratch and workbook is not None else None
    try:
        press(tag, None if scratch else workbook, ExcelUI(app))
    finally:
        if blank is not None:
            try:
                blank.close()  # xlwings closes without saving
            except Exception as error:  # a blank workbook left open is harmless
                record(error, doing="close the blank workbook opened for the button")


def press(tag: str, workbook: ExcelWorkbook | None, ui: ExcelUI, **options: Any) -> None:
    """Run one button inside the session and the error boundary (tests call this)."""
    button = BUTTONS.get(tag)
    with logging_to_file(), ui.session():
        try:
            if button is None:
                return ui.error(f"This version of RootFi has no button '{tag}'. Update the add-in "
                                "(rootfi-excel upgrade), then restart Excel.")
            if workbook is None and tag not in NEEDS_NO_WORKBOOK:
                return ui.error(NO_WORKBOOK)
            if workbook is not None:
                _note_ignored_config(workbook, ui)
            button(workbook, ui, **options)
            ui.flush_footnotes()
        except WorkbookError as error:
            ui.error(f"This workbook cannot be used as it is: {error}")
        except CredentialsError as error:  # no key, or none for the address the workbook names: it says what to do
            ui.error(str(error))
        except Exception as error:
            path = record(error, doing=f"press the {tag} button")
            ui.error(f"RootFi stopped because of an unexpected problem ({type(error).__name__}).\n\n"
                     "Anything already sent is kept in this computer's journal: the next Submit writes it "
                     "back without sending it again.\n\n"
                     f"The details are in the log file:\n{path}\n"
                     "Press Open log on the RootFi tab and send that file to support.")


def _note_ignored_config(workbook: ExcelWorkbook, ui: ExcelUI) -> None:
    """A workbook may carry an xlwings config sheet (rootfi.conf, xlwings.conf): the
    add-in never reads it (its settings come from the add-in and the user's own file),
    which the person is told in one line under the button's first message."""
    try:
        names = [sheet.name for sheet in workbook.book.sheets]
    except Exception:  # only a notice: never a reason to stop the button
        return
    notice = ignored_config_sheets(names)
    if notice:
        ui.add_footnote(notice)


def _moved_rows(workbook: ExcelWorkbook, button: str) -> str:
    count = sum(workbook.unplaced.values())
    if not count:
        return ""
    return (f"\n\n{plural(count, 'row')} {were(count)} not written because the table changed while RootFi was working (rows "
            f"sorted, edited or deleted). Press {button} again.")


def _open_folder(folder: Path) -> None:
    if sys.platform.startswith("win"):
        os.startfile(folder)  # type: ignore[attr-defined]  # Windows only
    else:
        subprocess.Popen(["open" if sys.platform == "darwin" else "xdg-open", str(folder)])
