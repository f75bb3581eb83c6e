"""Typed errors of the RootFi API, readable by an accountant.

Errors never carry request headers (the API key travels in one): they hold the
status, the API's `code`, `message`, `platform_error` and `field`, and the path.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from rootfi_excel.api.redact_answers import redact, redact_text


class RootFiError(Exception):
    """Base of every error raised by the API client."""

    summary = "RootFi request failed"

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        platform_error: Any = None,
        field: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.platform_error = platform_error
        self.field = field
        self.path = path

    def __str__(self) -> str:
        tag = self.code or (str(self.status) if self.status else None)
        text = f"{self.summary} ({tag})" if tag else self.summary
        if self.message:
            text += f": {self.message}"
        if self.field:
            text += f" [field: {self.field}]"
        if self.platform_error:
            text += f" (platform said: {_brief(self.platform_error)})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, field={self.field!r}, path={self.path!r})"
        )


# The kinds of failure, one a line, each with the words an accountant reads first (str()
# adds the details); error_from_response picks the kind by the answer's status.
class AuthError(RootFiError): summary = "RootFi refused the API key"  # 401, 403
class NotFoundError(RootFiError): summary = "RootFi could not find it"  # 404
class ApiValidationError(RootFiError): summary = "RootFi rejected the record"  # another 4xx, to a write
class RateLimitedError(RootFiError): summary = "RootFi rate limit still exceeded after retries"  # 429
class ServerError(RootFiError): summary = "RootFi had a server error"  # 5xx
class NetworkError(RootFiError): summary = "Could not reach RootFi"  # no answer at all
class SyncTimeoutError(RootFiError): summary = "The RootFi sync is still running"


class ReadRefusedError(ApiValidationError):
    """A 4xx answer to a read (a list or one record): nothing was written, so the words
    name what was being read (messages.read_refused), not a record rejected."""

    @property
    def summary(self) -> str:  # type: ignore[override]
        from rootfi_excel.messages import read_refused  # messages imports api.paths: not at import time

        return read_refused(self.path)


class OutcomeUnknownError(RootFiError):
    """A write that may or may not have been processed: look the record up before resending."""

    summary = "RootFi may or may not have saved this record (look it up before sending again)"


class UnexpectedAnswerError(RootFiError):
    """A 2xx answer whose shape the client does not understand (a list that is not a list,
    a sync without an id, paging that never ends). Never read as "nothing found"."""

    summary = "RootFi answered in a way this add-in does not understand"


class ListTooLongError(UnexpectedAnswerError):
    """A list longer than the client reads whole (max_pages pages): ask for fewer records."""

    summary = "The list is longer than this add-in reads in one go"


def parse_error_body(response: httpx.Response, secret: str | None = None) -> tuple[str | None, str, Any, str | None]:
    """(code, message, platform_error, field) from either documented error body, or from any text.

    Every piece of server text comes back with the secret (the API key) taken out."""
    try:
        body = redact(response.json(), secret)
    except (ValueError, RecursionError):  # not JSON (UnicodeDecodeError is a ValueError too)
        text = redact_text(response.text.strip(), secret)
        return None, _brief(text) if text else response.reason_phrase, None, None
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, str):
        return None, error, None, None
    if not isinstance(error, dict):
        return None, _brief(body), None, None
    message = error.get("message") or response.reason_phrase
    return _text_or_none(error.get("code")), str(message), error.get("platform_error"), \
        _text_or_none(error.get("field"))


def error_from_response(response: httpx.Response, *, secret: str | None = None) -> RootFiError:
    """The typed error for a non-2xx answer (429 and 5xx included; the client decides on retries)."""
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
    return kind(
        message,
        status=status,
        code=code,
        platform_error=platform_error,
        field=field,
        path=response.request.url.path if _has_request(response) else None,
    )


def _text_or_none(value: Any) -> str | None:
    return None if value is None else _brief(value, 120)


def _method(response: httpx.Response) -> str | None:
    return response.request.method if _has_request(response) else None


def _has_request(response: httpx.Response) -> bool:
    try:
        response.request
    except RuntimeError:
        return False
    return True


def _brief(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
