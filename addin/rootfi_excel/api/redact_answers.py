"""Taking the API key out of server text, at the client's boundary.

A server may echo the key in an error message, an error's `field` or `code`, a job's
error, or any other string. Every answer body is passed through `redact` before
anything reads it, so no later layer (console, journal, workbook cell, log) can see it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

MASK = "***"


def redact_text(text: str, secret: str | None) -> str:
    """`text` with the secret (as is, and URL-encoded) replaced by ***."""
    if not secret or not text:
        return text
    for form in dict.fromkeys((secret, quote(secret, safe=""))):
        text = text.replace(form, MASK)
    return text


def redact(value: Any, secret: str | None) -> Any:
    """A copy of a decoded JSON value with the secret taken out of every string, keys included."""
    if not secret:
        return value
    if isinstance(value, str):
        return redact_text(value, secret)
    if isinstance(value, dict):
        return {redact_text(str(k), secret): redact(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, secret) for v in value]
    return value
