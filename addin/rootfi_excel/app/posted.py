"""The Posted button: the period's records from the platform on the Posted sheet.

Without a terminal there is no --from/--to: the period is the Settings sheet's
posted_from and posted_to, and a blank one is filled with this month (see
WorkbookSettings.posted_period), so pressing Posted at month end shows the month.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from rootfi_excel.api.credentials import CredentialsError
from rootfi_excel.api.errors import AuthError, ListTooLongError, NetworkError, RootFiError
from rootfi_excel.app.account import open_client
from rootfi_excel.app.totals import ledger_ending, refresh_totals
from rootfi_excel.app.ui import UserInterface
from rootfi_excel.messages import key_refused, unreachable
from rootfi_excel.validation.run import read_workbook_settings
from rootfi_excel.workbook.port import WorkbookPort


def posted(port: WorkbookPort, ui: UserInterface, *, today: dt.date | None = None) -> Any:
    """Write the Posted sheet for the Settings' period and say what it holds; None when it could not."""
    from rootfi_excel.lookups.place import cache_key
    from rootfi_excel.lookups.posted import POSTED_SHEET, posted_with_cached_names

    settings, _, _ = read_workbook_settings(port)
    if settings.company_id is None:
        return ui.error("Fill in company_id on the Settings sheet first, then press Posted again.")
    if settings.posted_problems:
        return ui.error("\n".join([*settings.posted_problems, "Correct it on the Settings sheet (or empty both "
                                   "cells for this month), then press Posted again."]))
    start, end = settings.posted_period(today)
    if end < start:
        return ui.error(f"Settings: posted_to ({end}) is before the period's first day ({start}; a blank posted_from "
                        "is the 1st of this month). Fill in posted_from, then press Posted again.")
    try:
        with open_client(settings) as client, ui.working(f"Reading {start} to {end}"):
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
    ui.tell(f"{POSTED_SHEET} sheet: {start:%d %b %Y} to {end:%d %b %Y} (posted_from and posted_to on the "
            f"Settings sheet; blank = this month).\n{report.summary()}{ledger_ending(totals)}")
    return report
