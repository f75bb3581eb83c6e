"""The API's error answers (rootfi_excel.errors.ApiError), raised anywhere and turned into JSON by the app."""

from __future__ import annotations

from rootfi_excel.errors import ApiError

# The documented 400 codes.
MISSING_PARAMS = "missing-params"
INVALID_PARAMS = "invalid-params"
ALREADY_EXISTS = "record-already-exists"
OPERATION_DENIED = "operation-denied"
PLATFORM_DENIED = "platform-denied"
UNKNOWN_ERROR = "unknown-error"


def bad_request(code: str, message: str, field: str | None = None) -> ApiError:
    return ApiError(400, code, message, field)


def not_found(message: str, field: str) -> ApiError:
    return ApiError(404, "not-found", message, field)
