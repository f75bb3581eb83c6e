"""Refresh a workbook's lookups: the cache of its company (Settings), then the Lookups
sheet's live tables. Shared by `rootfi-excel lookups` and the ribbon's Refresh button."""

from __future__ import annotations

from typing import Any

from rootfi_excel.lookups.cache import LookupCache
from rootfi_excel.lookups.place import cache_key
from rootfi_excel.lookups.refresh import Progress, RefreshReport, refresh
from rootfi_excel.lookups.sheet import lookup_tables
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.sheets.port import WorkbookPort


def refresh_workbook(port: WorkbookPort, client: Any, cache: LookupCache, settings: WorkbookSettings, *,
                     full: bool = False, progress: Progress | None = None) -> RefreshReport:
    """Refresh the cache, then write the live tables, from the previous cache if the refresh failed.

    The caller saves the workbook. settings.company_id must be set.
    """
    key = cache_key(settings)
    assert key is not None, "settings.company_id must be set"
    report = refresh(client, cache, key, full=full, progress=progress)
    lookups = cache.company(key)
    if lookups is not None:
        for table in lookup_tables(lookups):
            port.write_lookup_table(table)
    return report
