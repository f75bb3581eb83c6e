"""The API's error answers, raised anywhere and turned into JSON by the app."""

from __future__ import annotations

# The documented 400 codes.
MISSING_PARAMS = "missing-params"
INVALID_PARAMS = "invalid-params"
ALREADY_EXISTS = "record-already-exists"
OPERATION_DENIED = "operation-denied"
PLATFORM_DENIED = "platform-denied"
UNKNOWN_ERROR = "unknown-error"


class ApiError(Exception):
    """An error answer: status, code and a readable message naming the field."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def body(self) -> dict:
        if self.status == 400:
            # 400s carry platform_error (what the platform said); the sandbox is the platform.
            return {"error": {"code": self.code, "message": self.message, "platform_error": None}}
        if self.status in (401, 403, 404):
            return {"error": {"message": self.message, "code": self.code, "field": self.field}}
        return {"error": {"code": self.code, "message": self.message}}

    def job_error(self) -> dict:
        return {"code": self.code, "message": self.message}


def bad_request(code: str, message: str, field: str | None = None) -> ApiError:
    return ApiError(400, code, message, field)


def not_found(message: str, field: str) -> ApiError:
    return ApiError(404, "not-found", message, field)
