"""The messages a person reads, in one place so they can be reviewed together.

Each says what is wrong in the reader's words and what to do next; the technical
detail (an exception's class, an error code) goes to the log file, not here.
Messages still written where they arise are listed in tests/test_messages.py's
quoted cases as they move here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from rootfi_excel.api.paths import DEFAULT_BASE_URL

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")

# --- reaching RootFi -------------------------------------------------------------

NOT_REACHED = ("Nothing answered at {url}: check the network connection and that base_url in Settings is "
               "RootFi's address ({default}), then try again. Nothing was sent.")
LOCAL_SANDBOX_GONE = ("Nothing answers at {url}, a local sandbox address: the sandbox that made this workbook "
                      "(rootfi-excel demo or rootfi-excel sandbox) has stopped, and its records went with it. "
                      "Run rootfi-excel demo again for a new demo workbook, or start rootfi-excel sandbox and "
                      "submit with --base-url set to the address it prints. Nothing was sent.")
NAME_NOT_FOUND = ("The address {host} (base_url in Settings) was not found: check its spelling and the network "
                  "connection, then try again. Nothing was sent.")

# --- rows the platform refused -----------------------------------------------------

PLATFORM_REFUSED = "{platform} refused this row: {reason}. Correct the row, then press Submit again."
PLATFORM_REFUSED_NO_REASON = ("{platform} refused this row without saying why. Check the row against the record "
                              "in {platform}, then press Submit again.")
REFUSED_BEFORE = ("{platform} refused this row at the last Submit ({when}): {reason} "
                  "It is not sent again until you change it (or run submit --resend-rejected).")


def unreachable(base_url: str, error: object) -> str:
    """Why RootFi could not be reached, naming the address and what to do."""
    parts = urlsplit(base_url or "")
    host = parts.hostname or base_url or "(no address)"
    detail = str(error).lower()
    if host in LOCAL_HOSTS:
        return LOCAL_SANDBOX_GONE.format(url=base_url)
    if "name or service not known" in detail or "nodename nor servname" in detail or "getaddrinfo" in detail:
        return NAME_NOT_FOUND.format(host=host)
    return NOT_REACHED.format(url=base_url, default=DEFAULT_BASE_URL)


def platform_refused(platform: str | None, reason: str | None) -> str:
    """A row the accounting platform (or RootFi's checks for it) refused."""
    name = platform or "The platform"
    reason = (reason or "").strip().rstrip(".")
    if not reason:
        return PLATFORM_REFUSED_NO_REASON.format(platform=name)
    return PLATFORM_REFUSED.format(platform=name, reason=reason)
