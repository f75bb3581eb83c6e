"""The Posted button: the period's records from the platform on the Posted sheet.

Without a terminal there is no --from/--to: the period is the Settings sheet's
posted_from and posted_to, and a blank one is filled with this month (see
WorkbookSettings.posted_period), so pressing Posted at month end shows the month.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from rootfi_excel.app.account import open_client
from rootfi_excel.app.totals import WorkbookTotals, ledger_ending, refresh_totals
from rootfi_excel.app.ui import UserInterface
from rootfi_excel.errors import AuthError, CredentialsError, ListTooLongError, NetworkError, RootFiError
from rootfi_excel.lookups.place import cache_key
from rootfi_excel.lookups.posted_sheet import POSTED_SHEET, PostedReport, posted_with_cached_names
from rootfi_excel.messages import key_refused, unreachable, words
from rootfi_excel.sheets.workbook_settings import read_workbook_settings
from rootfi_excel.sheets.port import WorkbookPort
from rootfi_excel.sheets.settings import WorkbookSettings


@dataclass(frozen=True)
class PostedRun:
    """What Posted found (the Posted sheet's rows) and the Totals sheet's figures after it."""

    report: PostedReport
    totals: WorkbookTotals


def posted(port: WorkbookPort, ui: UserInterface, settings: WorkbookSettings | None = None, *,
           period: tuple[dt.date, dt.date] | None = None, client: Any = None,
           today: dt.date | None = None) -> PostedRun | None:
    """Write the Posted sheet for a period and say what it holds; None when it could not
    (`ui.error` said why). The caller saves the workbook.

    settings: as read from the workbook with the command line's overrides (None: read here).
    period: the command line's --from/--to (None: the Settings' posted_from/posted_to, a
    blank one filled with this month). client: one already open for the settings (None:
    one is opened with the key stored for their address)."""
    if settings is None:
        settings, _, _ = read_workbook_settings(port)
    if settings.company_id is None:
        return ui.error(words("Fill in company_id on the Settings sheet first, then {posted_again}."))
    if period is None and settings.posted_problems:
        return ui.error("\n".join([*settings.posted_problems, words("Correct it on the Settings sheet (or empty both "
                                   "cells for this month), then {posted_again}.")]))
    start, end = period or settings.posted_period(today)
    if end < start and period is None:
        return ui.error(f"Settings: posted_to ({end}) is before the period's first day ({start}; a blank posted_from "
                        "is the 1st of this month). " + words("Fill in posted_from, then {posted_again}."))
    if end < start:
        return ui.error(f"The period ends ({end}) before it starts ({start}).")
    ui.note(f"Period: {start} to {end}.")
    try:
        with (nullcontext(client) if client is not None else open_client(settings)) as client, \
                ui.working(f"Reading {start} to {end}"):
            report = posted_with_cached_names(client, port, cache_key(settings), start, end)
    except CredentialsError as error:
        return ui.error(str(error))
    except AuthError:
        return ui.error(key_refused(settings.base_url, settings.key_profile, settings.company_id))
    except NetworkError as error:
        return ui.error(unreachable(settings.base_url, error))
    except ListTooLongError as error:  # trying again would not help: a shorter period does
        return ui.error(f"Could not read the company's records ({error}). The {POSTED_SHEET} sheet was not "
                        "changed.")
    except (RootFiError, sqlite3.Error) as error:
        return ui.error(f"Could not read the company's records ({error}). The {POSTED_SHEET} sheet was not "
                        "changed; try again in a moment.")
    port.write_lookup_table(report.table)
    totals = refresh_totals(port, settings.cell_format, report)
    where = "" if period else " (posted_from and posted_to on the Settings sheet; blank = this month)"
    ui.tell(f"{POSTED_SHEET} sheet: {start:%d %b %Y} to {end:%d %b %Y}{where}.\n{report.summary()}"
            f"{ledger_ending(totals)}")
    return PostedRun(report, totals)
