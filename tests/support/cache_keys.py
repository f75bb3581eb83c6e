"""The cache key tests use: the Settings' default key profile, as a workbook without a
key_profile row (and lookups/place.cache_key) has it."""

from __future__ import annotations

from rootfi_excel.lookups.cache import CacheKey


def key(base_url: str, company_id: int, key_profile: str = "default") -> CacheKey:
    return CacheKey(base_url, company_id, key_profile)
