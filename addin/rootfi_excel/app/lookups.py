"""Refresh lookups: the company's lists into this computer's cache, then the Lookups sheet's
live tables (from the cache as it was, when the refresh failed)."""

from __future__ import annotations

import sqlite3
from contextlib import nullcontext
from typing import Any, Callable

from rootfi_excel.app.account import open_client
from rootfi_excel.app.ui import UserInterface
from rootfi_excel.lookups.cache import LookupCache, default_path
from rootfi_excel.lookups.refresh import RefreshReport
from rootfi_excel.lookups.workbook import refresh_workbook
from rootfi_excel.messages import words
from rootfi_excel.sheets.port import WorkbookPort
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.sheets.workbook_settings import read_workbook_settings


def refresh_lookups(port: WorkbookPort, ui: UserInterface, settings: WorkbookSettings | None = None, *,
                    client: Any = None, full: bool = False,
                    progress: Callable[[str], None] | None = None) -> RefreshReport | None:
    """Refresh the lists of the workbook's company and write them; say how it went. None when
    nothing could be done (no company_id, the cache unusable): `ui.error` said why.

    settings: as read from the workbook with the command line's overrides (None: read here).
    client: one already open for them (None: one is opened with the key stored for their
    address). full: read every list whole. progress: one line per step (None: ui.progress)."""
    if settings is None:
        settings, _, _ = read_workbook_settings(port)
    if settings.company_id is None:
        ui.error(words("Fill in company_id on the Settings sheet first, then {refresh_lookups} again."))
        return None
    step = progress or (lambda text: ui.progress(0, 0, text))
    try:
        with (nullcontext(client) if client is not None else open_client(settings)) as client, \
                LookupCache() as cache, ui.working("Refreshing lookups"):
            report = refresh_workbook(port, client, cache, settings, full=full, progress=step)
    except sqlite3.Error as error:
        if _busy(error):  # another refresh (another window, the ribbon) is writing it: nothing is damaged
            ui.error(f"Another refresh of the lookups is writing the cache ({default_path()}) right now; try "
                     "again in a minute. The workbook was not changed.")
        else:
            ui.error(f"The lookups cache ({default_path()}) cannot be used ({error}); delete that file and "
                     "refresh again. The workbook was not changed.")
        return None
    (ui.tell if report.ok else ui.warn)(report.summary())
    return report


def _busy(error: sqlite3.Error) -> bool:
    return isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error))
