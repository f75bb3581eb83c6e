"""Taking the API key out of server text, at the client's boundary.

A server may echo the key in an error message, an error's `field` or `code`, a job's
error, or any other string. Every answer body is passed through `redact` before
anything reads it, so no later layer (console, journal, workbook cell, log) can see it.

`redact_json` is what the client uses for every answer: it searches the raw body once
and walks the decoded values only when the key may be in it. "May" is taken widely: the
key or its URL-encoded form in the text, or anything that could spell it in a way a
plain search misses (a JSON `\\u` escape, a body that is not UTF-8, a NUL byte of
UTF-16, or a short escape such as `\\/` when the key holds a character JSON may escape).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

MASK = "***"


def _forms(secret: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((secret, quote(secret, safe=""))))


def redact_text(text: str, secret: str | None) -> str:
    """`text` with the secret (as is, and URL-encoded) replaced by ***."""
    if not secret or not text:
        return text
    for form in _forms(secret):
        text = text.replace(form, MASK)
    return text


def redact_json(body: bytes | str, secret: str | None) -> Any:
    """The decoded JSON of an answer body, with the secret taken out of every string (keys
    included). Raises ValueError (json.JSONDecodeError) when the body is not JSON."""
    value = json.loads(body)
    if secret and may_hold(body, secret):
        return redact(value, secret)
    return value


def may_hold(body: bytes | str, secret: str) -> bool:
    """Could the decoded `body` contain the secret? False only when it certainly cannot."""
    if isinstance(body, bytes):
        if b"\x00" in body:  # UTF-16 or UTF-32: json.loads reads it, a plain search would not
            return True
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return True
    else:
        text = body
    if "\\u" in text:  # \uXXXX may spell any character of the secret
        return True
    if ("\\" in text and any(c in secret for c in '"\\/')) or any(c < " " for c in secret):
        return True  # a short escape (\", \\, \/, \n ...) may spell a character of this secret
    return any(form in text for form in _forms(secret))


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
