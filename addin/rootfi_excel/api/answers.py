"""The API's answers, read at the client's boundary into typed models.

Where the docs are silent or old (v3), several shapes are plausible; these models
accept the documented one and the plausible variants (v3 names, a list wrapped in an
object), and anything else raises UnexpectedAnswerError. Nothing past the client sees
a raw body, and no caller ever reads "I did not understand" as "nothing there".

Statuses: only those known to be final mean a sync or job is finished. Any other
value (SLEEPING, a new word, none at all) means it may still be running.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from rootfi_excel.errors import UnexpectedAnswerError

# The one definition of "finished" for syncs and jobs (v3 SyncStatus and JobStatus, plus
# PARTIAL_SUCCESS from the sync examples). Everything else is still running.
FINISHED_STATUSES = frozenset({"SUCCESS", "FAILED", "PARTIAL_SUCCESS"})

# Where a list may sit inside an object: {"data": [...]}, {"data": {"data": [...]}}, ...
LIST_KEYS = ("data", "items", "results", "records", "jobs", "syncs")


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=True)


class Company(_Answer):
    rootfi_id: int | str | None = None
    name: str | None = None
    integration: str | None = None
    connection_status: str | None = None

    @model_validator(mode="before")
    @classmethod
    def v3_names(cls, data: Any) -> Any:
        """Accept the v4 names (integration, connectionStatus) and the v3 `connections` list."""
        if not isinstance(data, Mapping):
            return data
        connections = data.get("connections") or []
        first = connections[0] if isinstance(connections, list) and connections and \
            isinstance(connections[0], Mapping) else {}
        return {
            **data,
            "rootfi_id": data.get("rootfi_id", data.get("id")),
            "integration": data.get("integration") or data.get("integration_type")
            or first.get("integration_type") or first.get("integration"),
            "connection_status": data.get("connectionStatus") or data.get("connection_status")
            or first.get("connection_status") or first.get("connectionStatus"),
        }

    @classmethod
    def from_api(cls, data: Any) -> Company:
        return parse(cls, data, "company")


class _Running(_Answer):
    """Something RootFi works on (a sync, a job): finished only in a final status."""

    status: str = ""  # upper case; "" when the answer had none (= still running)

    @field_validator("status", mode="before")
    @classmethod
    def read_status(cls, value: Any) -> str:
        return "" if value is None else str(value).strip().upper()

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class Sync(_Running):
    sync_id: str
    start_time: dt.datetime | None = None  # the server's clock
    end_time: dt.datetime | None = None
    job_type: str | None = None
    data_model: str | None = None
    sync_data_models: list[str] = []

    @field_validator("sync_id", mode="before")
    @classmethod
    def read_id(cls, value: Any) -> str:
        return _id(value)

    @field_validator("start_time", "end_time", mode="before")
    @classmethod
    def read_time(cls, value: Any) -> dt.datetime | None:
        return _moment(value)

    @field_validator("sync_data_models", mode="before")
    @classmethod
    def read_models(cls, value: Any) -> list[str]:
        return _names(value)

    @model_validator(mode="before")
    @classmethod
    def v3_start(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and not data.get("start_time") and data.get("rootfi_created_at"):
            return {**data, "start_time": data["rootfi_created_at"]}
        return data

    def models(self) -> set[str]:
        """The data models this sync writes (upper case), when it says."""
        return {m.upper() for m in [*self.sync_data_models, self.data_model or ""] if m}


class Job(_Running):
    job_id: str | None = None
    variables: dict[str, Any] = {}
    error: dict[str, Any] = {}
    data: dict[str, Any] | None = None

    @field_validator("job_id", mode="before")
    @classmethod
    def read_id(cls, value: Any) -> str | None:
        return None if value in (None, "") else _id(value)

    @field_validator("variables", mode="before")
    @classmethod
    def read_variables(cls, value: Any) -> Any:
        return value if isinstance(value, Mapping) else {}

    @field_validator("error", mode="before")
    @classmethod
    def read_error(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return value
        return {"message": str(value)} if value not in (None, "") else {}

    @field_validator("data", mode="before")
    @classmethod
    def read_data(cls, value: Any) -> Any:
        return value if isinstance(value, Mapping) else None

    @property
    def ids(self) -> dict[str, Any] | None:
        """{rootfi_id, platform_id} of the created record, when the job carries them."""
        return self.data if self.data and is_id(self.data.get("rootfi_id")) else None


# ------------------------------------------------------------------ parsing


def parse(kind: type[_Answer], data: Any, what: str) -> Any:
    if not isinstance(data, Mapping):
        raise UnexpectedAnswerError(f"the {what} was {_kind_of(data)}, not an object")
    try:
        return kind.model_validate(data)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or what
        raise UnexpectedAnswerError(f"the {what} could not be read ({where}: {problem['msg']})") from None


def object_of(body: Any, what: str) -> Mapping[str, Any]:
    """The object of a one-object answer: {"data": {...}}, or the object itself."""
    data = body.get("data", body) if isinstance(body, Mapping) else body
    if not isinstance(data, Mapping):
        raise UnexpectedAnswerError(f"the {what} was {_kind_of(data)}, not an object")
    return data


def sync_of(body: Any, sync_id: str) -> Sync:
    data = dict(object_of(body, f"sync {sync_id}"))
    data.setdefault("sync_id", sync_id)
    sync = parse(Sync, data, f"sync {sync_id}")
    if sync.sync_id != sync_id:  # an answer about another sync: the request went astray
        raise UnexpectedAnswerError(f"asked for sync {sync_id!r}, the answer was about {sync.sync_id!r}")
    return sync


def created_record(body: Any) -> dict[str, Any]:
    """The record a synchronous write created; it must carry a rootfi_id."""
    data = body.get("data", body) if isinstance(body, Mapping) else body
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, Mapping) or not is_id(data.get("rootfi_id")):
        raise UnexpectedAnswerError("the answer did not name the created record (no rootfi_id)")
    return dict(data)


def sync_id_of_write(body: Any) -> str:
    data = body.get("data") if isinstance(body, Mapping) else None
    found = (body.get("sync_id") if isinstance(body, Mapping) else None) or \
        (data.get("sync_id") if isinstance(data, Mapping) else None)
    if is_id(found):
        return str(found)
    raise UnexpectedAnswerError("the answer did not contain a sync_id")


def page_of(body: Any, *, limit: int | None) -> tuple[list[dict[str, Any]], str | None]:
    """(items, next cursor) of one page of a list, in any of the accepted shapes:
    [...], {"data": [...], "next": c}, {"data": {"data": [...], "next": c}}, {"items": [...]}, ..."""
    if isinstance(body, list):
        if limit is not None and len(body) >= limit:  # a full page with no way to the next one
            raise UnexpectedAnswerError("a list answer filled the page but gave no cursor to the next page")
        return _objects(body), None
    if not isinstance(body, Mapping):
        raise UnexpectedAnswerError(f"a list answer was {_kind_of(body)}")
    for holder in (body, body.get("data")):
        if not isinstance(holder, Mapping):
            continue
        for key in LIST_KEYS:
            if isinstance(holder.get(key), list):
                cursor = holder.get("next") if holder is not body and holder.get("next") else body.get("next")
                return _objects(holder[key]), cursor_of(cursor)
    raise UnexpectedAnswerError(f"a list answer held no list (data was {_kind_of(body.get('data'))})")


def records_of(items: Iterable[Mapping[str, Any]], what: str) -> list[dict[str, Any]]:
    """Records from a lookup: each must carry a rootfi_id, or it cannot be told apart from another."""
    records = [dict(item) for item in items]
    if not all(is_id(record.get("rootfi_id")) for record in records):
        raise UnexpectedAnswerError(f"a record in the {what} list had no rootfi_id")
    return records


def cursor_of(value: Any) -> str | None:
    """The `next` cursor; v3 sometimes sends a whole URL with ?next=... instead."""
    if value is None or value == "" or value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise UnexpectedAnswerError(f"the next-page cursor was {_kind_of(value)}")
    text = str(value)
    if text.startswith(("http://", "https://")):
        found = parse_qs(urlsplit(text).query).get("next")
        return found[0] if found else None
    return text


def _objects(items: list[Any]) -> list[dict[str, Any]]:
    if not all(isinstance(item, Mapping) for item in items):
        odd = next(item for item in items if not isinstance(item, Mapping))
        raise UnexpectedAnswerError(f"a list answer held {_kind_of(odd)} where records belong")
    return [dict(item) for item in items]


def is_id(value: Any) -> bool:
    """An id is text or a whole number, never empty (and never an object, a list or a bool)."""
    return isinstance(value, (str, int)) and not isinstance(value, bool) and bool(str(value).strip())


def _id(value: Any) -> str:
    if not is_id(value):
        raise ValueError("must be a non-empty id")
    return str(value)


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def _moment(value: Any) -> dt.datetime | None:
    """A time the server wrote (ISO 8601; Z or an offset; none = UTC). Unreadable = unknown."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _kind_of(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):  # before int: a bool is an int to Python
        return "true or false"
    if isinstance(value, (int, float)):  # JSON has one kind of number
        return "a number"
    return f"a {type(value).__name__}"
