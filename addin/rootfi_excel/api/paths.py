"""Every URL the product uses, in one table.

When the real API turns out to differ from the docs, this is the one file to edit.
Paths are relative to the base URL (a setting; see DEFAULT_BASE_URL).
"""

import ipaddress
from urllib.parse import quote, urlsplit

# Production v4 URL from the Create Invoice Payment page. Another v4 page names
# https://api.rootfi.dev/v4 (and https://api.sa.rootfi.dev/v4 for the Saudi region).
DEFAULT_BASE_URL = "https://api.integrations.commenda.io/v4"

LOCAL_HOSTS = ("localhost",)


def unsafe_for_key(base_url: str) -> str | None:
    """Why the API key must not be sent to `base_url` (None when it may): only https, or
    plain http to this computer (a local sandbox). Decided on the parsed host, so
    http://localhost.example.com is not taken for this computer."""
    try:
        parts = urlsplit(base_url.strip())
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return f"{base_url} is not a web address"
    if parts.scheme.lower() == "https" and host:
        return None
    if parts.scheme.lower() != "http" or not host:
        return f"{base_url} is not an https:// address"
    if host in LOCAL_HOSTS:
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return f"{base_url} is plain http to another computer, where anyone on the way could read the key"


# Where `rootfi-excel sandbox` listens unless told otherwise: the address Settings'
# environment "sandbox" stands for when base_url is blank.
SANDBOX_PORT = 8765
SANDBOX_BASE_URL = f"http://127.0.0.1:{SANDBOX_PORT}/v4"

KNOWN_BASE_URLS = {
    "production": DEFAULT_BASE_URL,
    "rootfi": "https://api.rootfi.dev/v4",
    "saudi": "https://api.sa.rootfi.dev/v4",
}

# The two models we write, by their name in the API path.
INVOICE_PAYMENTS = "invoice_payments"
INVOICE_CREDIT_NOTES = "invoice_credit_notes"

PATHS = {
    # Company: which integration it is connected to, and the connection status.
    "company": "/core/companies/{company_id}",
    # Writes (POST). {"data": {...}} is synchronous; {"data": [...]} needs ?run_async=true.
    "write": "/core/companies/{company_id}/{model}",
    # Lists (GET) of the models we write, for duplicate checks and reconciliation.
    "list": "/core/companies/{company_id}/{model}",
    # Lookups (GET), v4 names these under /shared for contacts and invoices.
    "contacts": "/core/companies/{company_id}/shared/contacts",
    "invoices": "/core/companies/{company_id}/shared/invoices",
    "accounts": "/core/companies/{company_id}/accounts",
    "currencies": "/core/companies/{company_id}/currencies",
    "tax_rates": "/core/companies/{company_id}/tax_rates",
    "items": "/core/companies/{company_id}/items",
    # Async writes become PUSH syncs; one job per record.
    "company_syncs": "/core/companies/{company_id}/syncs",  # ?jobType=PUSH
    "sync": "/core/syncs/{sync_id}",
    "sync_jobs": "/core/syncs/{sync_id}/jobs",
    "job": "/core/syncs/jobs/{job_id}",
}


def path(name: str, **params: object) -> str:
    """The path called `name`, with its parameters filled in, each quoted as one segment.

    Ids come from the API (a sync_id, a job_id): a slash, `?`, `#`, `..` or a control
    character in one must not break the request or send it somewhere else."""
    return PATHS[name].format(**{key: segment(value) for key, value in params.items()})


def segment(value: object) -> str:
    """One path segment: everything but letters, digits and `-._~` percent-encoded, and a
    segment of dots alone (`.`, `..`) encoded too, so that it is not read as a directory step."""
    text = quote(str(value), safe="")
    return text.replace(".", "%2E") if text and set(text) == {"."} else text
