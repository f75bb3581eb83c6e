"""The RootFi API: HTTP client, credentials, rate limiting and retries.

    from rootfi_excel.api import RootFiClient, get_api_key

    with RootFiClient(get_api_key(profile)) as client:
        company = client.get_company(1001)
"""

from rootfi_excel.api.client import Company, RootFiClient, encode_filters
from rootfi_excel.api.credentials import (
    CredentialsError,
    delete_api_key,
    get_api_key,
    has_api_key,
    store_api_key,
)
from rootfi_excel.api.errors import (
    ApiValidationError,
    AuthError,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    RootFiError,
    ServerError,
    SyncTimeoutError,
)
from rootfi_excel.api.paths import DEFAULT_BASE_URL, INVOICE_CREDIT_NOTES, INVOICE_PAYMENTS, PATHS, path
from rootfi_excel.api.ratelimit import RateLimiter
from rootfi_excel.api.retry import RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "INVOICE_CREDIT_NOTES",
    "INVOICE_PAYMENTS",
    "PATHS",
    "ApiValidationError",
    "AuthError",
    "Company",
    "CredentialsError",
    "NetworkError",
    "NotFoundError",
    "OutcomeUnknownError",
    "RateLimitedError",
    "RateLimiter",
    "RetryPolicy",
    "RootFiClient",
    "RootFiError",
    "ServerError",
    "SyncTimeoutError",
    "delete_api_key",
    "encode_filters",
    "get_api_key",
    "has_api_key",
    "path",
    "store_api_key",
]
