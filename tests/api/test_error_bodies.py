"""Error bodies of both documented shapes, and bodies that are not JSON at all."""

from __future__ import annotations

import httpx
import pytest

from rootfi_excel.api.error_answers import error_from_response
from rootfi_excel.errors import (
    ApiValidationError,
    AuthError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitedError,
    ServerError,
)

REQUEST = httpx.Request("POST", "https://api.example/v4/core/companies/1/invoice_payments")


def answer(status: int, **kwargs) -> httpx.Response:
    return httpx.Response(status, request=REQUEST, **kwargs)


def test_validation_body_with_platform_error():
    body = {"error": {"code": "invalid-params", "message": "Invoice 'X' not found", "platform_error": None}}
    error = error_from_response(answer(400, json=body))
    assert isinstance(error, ApiValidationError)
    assert (error.status, error.code, error.message) == (400, "invalid-params", "Invoice 'X' not found")
    assert str(error) == "RootFi rejected the record (invalid-params): Invoice 'X' not found"
    assert error.path == "/v4/core/companies/1/invoice_payments"


def test_a_refused_read_names_what_was_read():
    body = {"error": {"code": "invalid-params", "message": "Bad filter"}}
    reads = {"/v4/core/companies/1003/shared/contacts": "the customers of company 1003",
             "/v4/core/companies/1003/invoice_credit_notes": "the credit notes of company 1003",
             "/v4/core/syncs/s-1/jobs": "the records of bulk write s-1"}
    for path, what in reads.items():
        error = error_from_response(httpx.Response(400, request=httpx.Request("GET", "https://api.example" + path),
                                                   json=body))
        assert isinstance(error, ApiValidationError)  # still caught where a 400 is
        assert str(error) == f"RootFi refused to read {what} (invalid-params): Bad filter"
    # A write keeps its words: the record was rejected.
    assert str(error_from_response(answer(400, json=body))).startswith("RootFi rejected the record (")


def test_platform_error_is_shown_briefly():
    body = {"error": {"code": "platform-denied", "message": "Xero refused", "platform_error": {"Detail": "x" * 500}}}
    error = error_from_response(answer(400, json=body))
    assert error.platform_error == {"Detail": "x" * 500}
    assert "platform said" in str(error) and len(str(error)) < 400


def test_auth_body_with_field():
    body = {"error": {"message": "Invalid API key", "code": "unauthorized", "field": "api_key"}}
    error = error_from_response(answer(401, json=body))
    assert isinstance(error, AuthError)
    assert error.field == "api_key"
    assert str(error) == "RootFi refused the API key (unauthorized): Invalid API key [field: api_key]"


@pytest.mark.parametrize(
    ("status", "kind"),
    [(403, AuthError), (404, NotFoundError), (429, RateLimitedError), (500, ServerError), (503, ServerError),
     (422, ApiValidationError)],
)
def test_status_to_type(status, kind):
    assert type(error_from_response(answer(status, json={"error": {"message": "m"}}))) is kind


def test_non_json_body():
    error = error_from_response(answer(502, text="<html><body>Bad gateway</body></html>"))
    assert isinstance(error, ServerError)
    assert error.code is None and "Bad gateway" in error.message
    assert str(error).startswith("RootFi had a server error (502)")


def test_empty_and_odd_bodies():
    assert error_from_response(answer(500, content=b"")).message == "Internal Server Error"
    assert error_from_response(answer(400, json=["a", "list"])).message == '["a", "list"]'
    assert error_from_response(answer(400, json={"error": "plain words"})).message == "plain words"
    assert error_from_response(answer(400, json={"message": "top level"})).message == "top level"
    assert error_from_response(answer(400, content=b"\xff\xfe\x00junk")).status == 400


def test_secret_is_redacted_from_server_text():
    body = {"error": {"message": "bad key rk_live_SECRET", "platform_error": "echo rk_live_SECRET"}}
    error = error_from_response(answer(401, json=body), secret="rk_live_SECRET")
    assert "rk_live_SECRET" not in str(error) + repr(error)
    body = {"error": {"message": "m", "platform_error": {"k": "rk_live_SECRET"}}}
    error = error_from_response(answer(400, json=body), secret="rk_live_SECRET")
    assert "rk_live_SECRET" not in str(error) + repr(error)


def test_outcome_unknown_says_what_to_do():
    error = OutcomeUnknownError("the connection failed after sending (ReadTimeout)")
    assert "look it up before sending again" in str(error)
    assert "OutcomeUnknownError" in repr(error)
