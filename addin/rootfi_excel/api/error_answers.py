"""An error answer of the RootFi API -> the typed error of rootfi_excel.errors, readable by an accountant.

Errors never carry request headers (the API key travels in one): they hold the
status, the API's `code`, `message`, `platform_error` and `field`, and the path.
"""

from __future__ import annotations

from typing import Any

import httpx

from rootfi_excel.api.redact_answers import redact, redact_text
from rootfi_excel.errors import (
    ApiValidationError,
    AuthError,
    NotFoundError,
    RateLimitedError,
    ReadRefusedError,
    RootFiError,
    ServerError,
    brief,
)


def parse_error_body(response: httpx.Response, secret: str | None = None) -> tuple[str | None, str, Any, str | None]:
    """(code, message, platform_error, field) from either documented error body, or from any text.

    Every piece of server text comes back with the secret (the API key) taken out."""
    try:
        body = redact(response.json(), secret)
    except (ValueError, RecursionError):  # not JSON (UnicodeDecodeError is a ValueError too)
        text = redact_text(response.text.strip(), secret)
        return None, brief(text) if text else response.reason_phrase, None, None
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, str):
        return None, error, None, None
    if not isinstance(error, dict):
        return None, brief(body), None, None
    message = error.get("message") or response.reason_phrase
    return _text_or_none(error.get("code")), str(message), error.get("platform_error"), \
        _text_or_none(error.get("field"))


def error_from_response(response: httpx.Response, *, secret: str | None = None) -> RootFiError:
    """The typed error for a non-2xx answer (429 and 5xx included; the client decides on retries)."""
    from rootfi_excel.messages import read_refused  # messages imports api.paths (so api/): not at import time

    code, message, platform_error, field = parse_error_body(response, secret)
    status = response.status_code
    kind: type[RootFiError]
    if status in (401, 403):
        kind = AuthError
    elif status == 404:
        kind = NotFoundError
    elif status == 429:
        kind = RateLimitedError
    elif status >= 500:
        kind = ServerError
    elif status >= 400:
        kind = ReadRefusedError if _method(response) == "GET" else ApiValidationError
    else:
        kind = RootFiError
    path = response.request.url.path if _has_request(response) else None
    return kind(
        message,
        status=status,
        code=code,
        platform_error=platform_error,
        field=field,
        path=path,
        # a refused read names what was being read, not a record rejected
        summary=read_refused(path) if kind is ReadRefusedError else None,
    )


def _text_or_none(value: Any) -> str | None:
    return None if value is None else brief(value, 120)


def _method(response: httpx.Response) -> str | None:
    return response.request.method if _has_request(response) else None


def _has_request(response: httpx.Response) -> bool:
    try:
        response.request
    except RuntimeError:
        return False
    return True
