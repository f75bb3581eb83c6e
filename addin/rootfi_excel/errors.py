"""Every exception the package defines, in one tree (tests/project/test_error_tree.py checks
that no other module defines one and that this drawing matches the classes below).

Each line: the class, when it is raised, and what the person sees. The bases are the ones
each class always had (ValueError for a bad value), so every `except` catches what it caught
before the classes moved here. failures.py is the one boundary that turns any of them into a
line for a person (failures.is_expected: the errors whose message says what to do).

    Exception
        RootFiError            the API client: a request failed; str() is the summary, (code): message [field] (platform said ...)
            AuthError              401 or 403: the key was refused; the person is told to store a valid key
            NotFoundError          404: the record or company is not there; check the company id and base_url
            ApiValidationError     another 4xx to a write: the row's result gives RootFi's message and the field
                ReadRefusedError       a 4xx to a read: "RootFi refused to read the customers of company 1003"
            RateLimitedError       429 still after the retries: try again in a while
            ServerError            5xx still after the retries: try again in a while
            NetworkError           no answer at all: "Could not reach RootFi" with the address (messages.unreachable)
            SyncTimeoutError       a sync still running when the wait ends
            OutcomeUnknownError    a write that may or may not have been saved: the row says to look it up before resending
            UnexpectedAnswerError  a 2xx answer the client cannot read (a list that is not one): never read as "nothing"
                ListTooLongError       a list longer than the client reads whole: ask for fewer records
            CredentialsError       no usable API key (none stored, a locked keyring): str() is the message alone, what to do
                UntrustedAddressError  the key may not go to this address: the message names it and how to trust it
        WorkbookError          the workbook cannot be used as it is (a sheet, table or header missing, the file open): the action stops
            HeaderError            a table lacks a column the template needs, or has one twice
        JournalError           the journal cannot be used (locked, damaged): the message names its file and what to do
        SubmitAborted          the whole Submit stops (key refused, company not connected): every row not reached says why
        CacheNotReadable       the lookup cache file is there but unreadable: a note, references are checked offline
        Unpatchable            an .xlsx this add-in cannot change without risk: nothing is saved, the message says why
        InstallError           install, upgrade or uninstall cannot go on: the message says what to do
        AddinError             install cannot build, read or configure rootfi.xlam: the message says what to do
        AddinBuildError        rootfi.xlam could not be built: nothing was written, the message says why
        ApiError               the sandbox only: an error answer, sent to the client as the API's JSON error body
        DroppedConnection      the sandbox only: a fault that closes the connection after the answer's headers
    ValueError
        AddressError           text that cannot be an API address: said inside the message that names where it was typed
        CellError              a cell that cannot be read: its row's result says so, naming the column
        SettingsError          an add-in setting (an interpreter path, ...) it cannot hold (becomes an AddinError or AddinBuildError)
        FunctionHelpError      building: a worksheet function without its help text (becomes an AddinBuildError)
        UDFSignatureError      building: a function xlwings cannot serve as a UDF (becomes an AddinBuildError)
        VBASourceError         building: VBA breaking a rule, or xlwings' module not as expected (becomes an AddinBuildError)
        PackageError           building: xlwings' add-in template not as the build expects (becomes an AddinBuildError)

This module imports nothing from the package, so every layer may import it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any


class RootFiError(Exception):
    """Base of every error raised by the API client.

    Errors never carry request headers (the API key travels in one): they hold the
    status, the API's `code`, `message`, `platform_error` and `field`, and the path.
    `summary` replaces the kind's words where they depend on the request (ReadRefusedError).
    """

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
        summary: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.platform_error = platform_error
        self.field = field
        self.path = path
        if summary is not None:
            self.summary = summary

    def __str__(self) -> str:
        tag = self.code or (str(self.status) if self.status else None)
        text = f"{self.summary} ({tag})" if tag else self.summary
        if self.message:
            text += f": {self.message}"
        if self.field:
            text += f" [field: {self.field}]"
        if self.platform_error:
            text += f" (platform said: {brief(self.platform_error)})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, field={self.field!r}, path={self.path!r})"
        )


# The kinds of failure, one a line, each with the words an accountant reads first (str()
# adds the details); api/error_answers.error_from_response picks the kind by the answer's status.
class AuthError(RootFiError): summary = "RootFi refused the API key"  # 401, 403
class NotFoundError(RootFiError): summary = "RootFi could not find it"  # 404
class ApiValidationError(RootFiError): summary = "RootFi rejected the record"  # another 4xx, to a write
class RateLimitedError(RootFiError): summary = "RootFi rate limit still exceeded after retries"  # 429
class ServerError(RootFiError): summary = "RootFi had a server error"  # 5xx
class NetworkError(RootFiError): summary = "Could not reach RootFi"  # no answer at all
class SyncTimeoutError(RootFiError): summary = "The RootFi sync is still running"


class ReadRefusedError(ApiValidationError):
    """A 4xx answer to a read (a list or one record): nothing was written, so the words
    name what was being read (messages.read_refused, given as `summary` by
    error_from_response), not a record rejected."""

    summary = "RootFi refused to read a list"  # messages.read_refused(None), when no summary is given


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


class CredentialsError(RootFiError):
    """No usable API key; the message says what to do."""

    def __str__(self) -> str:
        return self.message


class UntrustedAddressError(CredentialsError):
    """The key may not go to this address; the message names it and how to trust it."""


class WorkbookError(Exception):
    """The workbook cannot be used as it is: a sheet, table or header is missing."""


class HeaderError(WorkbookError):
    """The table lacks a column the template needs, or has one twice."""


class JournalError(Exception):
    """The journal cannot be used; the message names its file and what to do."""


class SubmitAborted(Exception):
    """The whole run must stop (the key was refused, the company is not connected, ...)."""

    def __init__(self, message: str, *, key_refused: bool = False) -> None:
        super().__init__(message)
        self.key_refused = key_refused  # rows not reached say to store a valid key first


class CacheNotReadable(Exception):
    """The cache file exists but cannot be read (damaged, locked): said, never fatal."""

    def __init__(self, path: Path, error: sqlite3.Error) -> None:
        super().__init__(f"{error}")
        self.path = path


class Unpatchable(Exception):
    """The file cannot be changed here without risk; the message says why (for a person)."""


class InstallError(Exception):
    """Install/upgrade/uninstall cannot go on; the message says what to do."""


class AddinError(Exception):
    """The add-in cannot be built, read or configured; the message says what to do."""


class AddinBuildError(Exception):
    """The add-in could not be built; the message says why and nothing was written."""


class ApiError(Exception):
    """The sandbox's error answer: status, code and a readable message naming the field."""

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


class DroppedConnection(Exception):
    """Raised after the answer's headers went out: uvicorn then closes the connection."""


class AddressError(ValueError):
    """Text that cannot be an API address; str() says why, in words."""


class CellError(ValueError):
    """A cell that cannot be read; the message is meant for the person who typed it."""


class SettingsError(ValueError):
    """A setting that the add-in could not hold as given."""


class FunctionHelpError(ValueError):
    """A worksheet function without its description or an argument's."""


class UDFSignatureError(ValueError):
    """A function xlwings could not serve as a UDF, or not with this wrapper."""


class VBASourceError(ValueError):
    """The VBA the build would write breaks a rule, or xlwings' module is not as expected."""


class PackageError(ValueError):
    """xlwings' template is not as this build expects."""


def brief(value: Any, limit: int = 200) -> str:
    """`value` (text, or anything JSON can write) on one line of at most `limit` characters."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
