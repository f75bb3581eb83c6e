"""The one place a workbook's lookup cache is found: Validate, Submit, Refresh lookups,
Posted and the worksheet functions all ask here, with the workbook's Settings after the
command line's options (--base-url, --company, --profile) were applied to them, so the
same Settings and options always find the same lists.

The key is the API address (Settings base_url or environment, or --base-url), the company
(company_id, or --company) and the key profile (key_profile, or --profile): lists read with
one key at one address are never used for another. ROOTFI_API_KEY, when set, replaces the
key of every profile; the lists are still filed under the profile's name.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from rootfi_excel.errors import CacheNotReadable
from rootfi_excel.lookups.cache import CacheKey, CompanyLookups, LookupCache, default_path


def cache_key(settings: Any) -> CacheKey | None:
    """The cache key of a workbook's settings (WorkbookSettings, overrides applied); None
    without a company_id."""
    if settings.company_id is None:
        return None
    return CacheKey(settings.base_url, settings.company_id, settings.key_profile or "default")


def open_lookups(key: CacheKey, path: Path | None = None) -> tuple[LookupCache | None, CompanyLookups | None]:
    """(the cache, the company's lists) for reading; (None, None) when this computer never
    made a cache. The caller closes the cache. Raises CacheNotReadable."""
    path = path or default_path()
    if not path.exists():
        return None, None
    try:
        cache = LookupCache(path)
    except sqlite3.Error as error:
        raise CacheNotReadable(path, error) from None
    try:
        return cache, cache.company(key)
    except sqlite3.Error as error:
        cache.close()
        raise CacheNotReadable(path, error) from None


def elsewhere(cache: LookupCache | None, key: CacheKey) -> str:
    """' (this computer has them for ...: ...)' when the company's lists were refreshed with
    another address or key profile than this workbook's; '' otherwise."""
    if cache is None:
        return ""
    try:
        others = cache.others(key)
    except sqlite3.Error:
        return ""
    if not others:
        return ""
    shown = "; ".join(f"{other.base_url}, key profile '{other.key_profile}'" for other in others[:3])
    return (f" (this computer has them for {shown}: give the same --base-url and --profile to every command, "
            "or set base_url and key_profile on the Settings sheet)")
