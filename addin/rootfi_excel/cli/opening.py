"""Open a workbook for a command that talks to RootFi: its settings, the command line's
overrides, the key for their address; stop, saying why, before anything connects."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rootfi_excel.api.trust import ChosenKey
from rootfi_excel.app.account import choose_key
from rootfi_excel.cli.output import say, stop
from rootfi_excel.errors import CredentialsError, WorkbookError
from rootfi_excel.sheets.settings import Overrides, WorkbookSettings, apply_overrides
from rootfi_excel.sheets.workbook_settings import read_workbook_settings

if TYPE_CHECKING:  # the type only: openpyxl loads when a command runs, not for --help
    from rootfi_excel.workbook.xlsx import XlsxWorkbook


def open_for_company(book: Path, base_url: str | None, company_id: int | None, key_profile: str | None,
                     own_company_only: bool = False,
                     ) -> tuple["XlsxWorkbook", WorkbookSettings, ChosenKey]:
    """The workbook, its settings (with the command line's overrides) and the key chosen for
    their address (app.account.choose_key); stops with a message when the workbook, its
    company_id or a key for that address is missing, before anything connects. Used by `lookups` and `posted`.

    own_company_only: refuse a --company other than the one the workbook's Settings name
    (lists written into the workbook must be its own company's: Validate checks against them)."""
    from rootfi_excel.workbook.xlsx import XlsxWorkbook  # openpyxl: loaded when the command runs, not for --help

    try:
        workbook = XlsxWorkbook.open(book)
        settings, _, problems = read_workbook_settings(workbook)
    except WorkbookError as error:
        stop(f"Cannot use {book.name}: {error}")
    for problem in problems:
        say(f"  ! {problem}", fg="yellow")
    named = settings.company_id
    if own_company_only and company_id is not None and named is not None and company_id != named:
        stop(f"{book.name} is company {named}'s workbook (Settings: company_id), so company {company_id}'s lists "
             f"were not written into it: Validate would check its rows against another company. Run without "
             f"--company, or change company_id on its Settings sheet to {company_id} first.")
    apply_overrides(settings, Overrides(base_url=base_url, company_id=company_id, key_profile=key_profile))
    if settings.company_id is None:
        stop("Settings: company_id is empty; fill in your RootFi company id (or pass --company).")
    try:
        chosen = choose_key(settings)
    except CredentialsError as error:
        stop(str(error))
    return workbook, settings, chosen
