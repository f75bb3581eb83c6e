"""The RootFi API: HTTP client, credentials, rate limiting and retries.

    from rootfi_excel.api import RootFiClient, choose_key

    chosen = choose_key(base_url, profile)  # the key stored for that address, or an error naming it
    with RootFiClient(chosen.key, chosen.base_url) as client:
        company = client.get_company(1001)
"""

from rootfi_excel.api.answers import FINISHED_STATUSES, Company, Job, Sync
from rootfi_excel.api.client import RootFiClient, encode_filters
from rootfi_excel.api.credentials import (
    delete_api_key,
    get_api_key,
    has_api_key,
    store_api_key,
)
from rootfi_excel.api.paths import DEFAULT_BASE_URL, INVOICE_CREDIT_NOTES, INVOICE_PAYMENTS, PATHS, path
from rootfi_excel.api.ratelimit import RateLimiter
from rootfi_excel.api.retry import RetryPolicy
from rootfi_excel.api.trust import ChosenKey, choose_key, store_key

__all__ = [
    "DEFAULT_BASE_URL",
    "FINISHED_STATUSES",
    "INVOICE_CREDIT_NOTES",
    "INVOICE_PAYMENTS",
    "PATHS",
    "ChosenKey",
    "Company",
    "Job",
    "RateLimiter",
    "RetryPolicy",
    "RootFiClient",
    "Sync",
    "choose_key",
    "delete_api_key",
    "encode_filters",
    "get_api_key",
    "has_api_key",
    "path",
    "store_api_key",
    "store_key",
]
