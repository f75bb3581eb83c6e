"""A synchronous RootFi client (httpx), for Excel macros and the CLI.

Every request goes through one method, `_send`, which paces it (RateLimiter),
retries what is safe to retry (RetryPolicy) and turns failures into typed errors.
Reads are retried on 429, 5xx and network errors. Writes have no idempotency key,
so they are retried only when the server certainly did not process them; otherwise
they raise OutcomeUnknownError and the caller looks the record up before resending.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from rootfi_excel import __version__
from rootfi_excel.api.errors import (
    NetworkError,
    OutcomeUnknownError,
    RootFiError,
    ServerError,
    SyncTimeoutError,
    error_from_response,
)
from rootfi_excel.api.paths import DEFAULT_BASE_URL, path
from rootfi_excel.api.ratelimit import RateLimiter
from rootfi_excel.api.retry import (
    RetryPolicy,
    is_retryable_status,
    parse_retry_after,
    write_may_be_retried,
)

log = logging.getLogger("rootfi_excel.api")

RUNNING_STATUSES = frozenset({"RUNNING", "CREATED", "PENDING", "QUEUED"})
FILTER_OPERATORS = frozenset(
    {"eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "is_null", "not_null", "contains", "not_contains"}
)
# Budget for the encoded document numbers of one `document_number[in]` lookup: the
# whole URL stays below the common 8 kB limit of servers and proxies, while a month's
# references need few requests (the rate limit is the scarce resource).
LOOKUP_QUERY_BUDGET = 6000
# Page size for the lists we read in bulk (jobs of a sync, lookups); the API's maximum is
# undocumented, so a server that gives fewer per page is followed with its cursors.
BULK_PAGE_SIZE = 1000

Filters = Mapping[str, Any]


@dataclass(frozen=True)
class Company:
    rootfi_id: int | None
    name: str | None
    integration: str | None
    connection_status: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Company:
        """Accept the v4 names (integration, connectionStatus) and the v3 `connections` list."""
        connections = data.get("connections") or []
        first = connections[0] if connections and isinstance(connections[0], Mapping) else {}
        return cls(
            rootfi_id=data.get("rootfi_id", data.get("id")),
            name=data.get("name"),
            integration=data.get("integration")
            or data.get("integration_type")
            or first.get("integration_type")
            or first.get("integration"),
            connection_status=data.get("connectionStatus")
            or data.get("connection_status")
            or first.get("connection_status")
            or first.get("connectionStatus"),
            raw=dict(data),
        )


class RootFiClient:
    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 30.0,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy = RetryPolicy(),
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("an API key is required")
        self._api_key = api_key
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self.retry = retry
        self.limiter = limiter or RateLimiter(clock=clock, sleep=sleep)
        self.requests_sent = 0
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"api_key": api_key, "User-Agent": f"rootfi-excel/{__version__}"},
            timeout=httpx.Timeout(timeout),
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"RootFiClient(base_url={str(self._http.base_url)!r})"

    def __enter__(self) -> RootFiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- companies -------------------------------------------------------------

    def get_company(self, company_id: int) -> Company:
        return Company.from_api(self._get_data(path("company", company_id=company_id)))

    # -- writes ----------------------------------------------------------------

    def create(self, company_id: int, model: str, record: Mapping[str, Any]) -> dict[str, Any]:
        """Synchronous single write; returns the created record (rootfi_id, platform_id, ...)."""
        body = self._send("POST", path("write", company_id=company_id, model=model), json={"data": record})
        data = body.get("data")
        if not isinstance(data, dict):
            raise OutcomeUnknownError("the answer did not contain the created record", status=200)
        return data

    def create_async(self, company_id: int, model: str, records: list[Mapping[str, Any]]) -> str:
        """Bulk write (?run_async=true); returns the sync_id to follow with wait_for_sync."""
        body = self._send(
            "POST",
            path("write", company_id=company_id, model=model),
            params={"run_async": "true"},
            json={"data": list(records)},
        )
        data = body.get("data")
        sync_id = body.get("sync_id") or (data.get("sync_id") if isinstance(data, dict) else None)
        if not sync_id:
            raise OutcomeUnknownError("the answer did not contain a sync_id", status=200)
        return str(sync_id)

    # -- syncs and jobs ----------------------------------------------------------

    def get_sync(self, sync_id: str) -> dict[str, Any]:
        return self._get_data(path("sync", sync_id=sync_id))

    def list_sync_jobs(self, sync_id: str) -> list[dict[str, Any]]:
        return list(self._paginate(path("sync_jobs", sync_id=sync_id), {"limit": str(BULK_PAGE_SIZE)}))

    def get_job(self, job_id: str) -> dict[str, Any]:
        return self._get_data(path("job", job_id=job_id))

    def list_company_syncs(self, company_id: int, job_type: str = "PUSH") -> list[dict[str, Any]]:
        return list(self._paginate(path("company_syncs", company_id=company_id), {"jobType": job_type}))

    def wait_for_sync(
        self,
        sync_id: str,
        *,
        timeout: float = 600.0,
        first_poll: float = 1.0,
        max_interval: float = 15.0,
        growth: float = 1.5,
    ) -> dict[str, Any]:
        """Poll until the sync leaves RUNNING/CREATED/PENDING; the interval grows to spare the rate limit."""
        deadline = self._clock() + timeout
        interval = first_poll
        while True:
            sync = self.get_sync(sync_id)
            status = str(sync.get("status") or "").upper()
            if status not in RUNNING_STATUSES:
                return sync
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise SyncTimeoutError(
                    f"sync {sync_id} is still {status} after {timeout:.0f} s; check it again later",
                    code=status,
                )
            self._sleep(min(interval, remaining))
            interval = min(max_interval, interval * growth)

    # -- lists -------------------------------------------------------------------

    def iter_records(
        self,
        company_id: int,
        name: str,
        filters: Filters | None = None,
        *,
        model: str | None = None,
        limit: int = 100,
        include_deleted: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Records of the list `name` (a key of PATHS: "list" needs model=...), across all pages.

        filters: {"amount": ("gt", 0), "document_number": ("in", ["A", "B"]), "status": "PAID"}
        """
        params_for_path: dict[str, object] = {"company_id": company_id}
        if model is not None:
            params_for_path["model"] = model
        query = {"limit": str(limit), **encode_filters(filters or {})}
        if include_deleted:
            query["include_deleted_records"] = "true"
        yield from self._paginate(path(name, **params_for_path), query)

    def find_by_document_numbers(
        self, company_id: int, model: str, numbers: Iterable[str], *, include_deleted: bool = False
    ) -> list[dict[str, Any]]:
        """Records of `model` whose document_number is one of `numbers` (chunked lookups)."""
        found: list[dict[str, Any]] = []
        for chunk in chunk_for_lookup(numbers):
            if len(chunk) == 1:  # also the road for a number that contains a comma
                filters: Filters = {"document_number": ("eq", chunk[0])}
            else:
                filters = {"document_number": ("in", chunk)}
            found.extend(
                self.iter_records(company_id, "list", filters, model=model, include_deleted=include_deleted,
                                  limit=BULK_PAGE_SIZE)
            )
        return found

    # -- plumbing ------------------------------------------------------------------

    def _get_data(self, url: str) -> dict[str, Any]:
        body = self._send("GET", url)
        data = body.get("data", body)
        return data if isinstance(data, dict) else {"data": data}

    def _paginate(self, url: str, query: dict[str, str]) -> Iterator[dict[str, Any]]:
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            params = dict(query)
            if cursor:
                params["next"] = cursor
            body = self._send("GET", url, params=params)
            yield from body.get("data") or []
            cursor = _cursor(body.get("next"))
            if not cursor or cursor in seen:  # a repeated cursor would loop forever
                return
            seen.add(cursor)

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> dict[str, Any]:
        """One API call with pacing, retries and typed errors; returns the JSON body."""
        is_write = method != "GET"
        attempt = 0
        while True:
            attempt += 1
            self.limiter.acquire()
            try:
                response = self._http.request(method, url, params=params, json=json)
            except httpx.TransportError as exc:
                never_sent = write_may_be_retried(error=exc)
                if not never_sent:
                    self.requests_sent += 1
                if attempt < self.retry.max_attempts and (not is_write or never_sent):
                    self._wait_before_retry(method, url, attempt, type(exc).__name__)
                    continue
                # httpx errors carry the request (and its headers): never chained to ours.
                raise _transport_error(exc, url, is_write) from None
            self.requests_sent += 1
            self.limiter.observe(response.headers)
            if response.is_success:
                return self._json_body(response, url, is_write)
            status = response.status_code
            retryable = is_retryable_status(status) and (not is_write or write_may_be_retried(status=status))
            if retryable and attempt < self.retry.max_attempts:
                retry_after = parse_retry_after(response.headers.get("retry-after"), time.time())
                if status == 429:
                    delay = self.retry.delay(attempt, retry_after, self._rng)
                    self.limiter.pause(delay)  # every later request waits too, not just this one
                    log.info("%s %s answered 429; waiting %.1f s (attempt %d/%d)",
                             method, url, delay, attempt, self.retry.max_attempts)
                    continue
                self._wait_before_retry(method, url, attempt, str(status), retry_after)
                continue
            error = error_from_response(response, secret=self._api_key)
            if is_write and status >= 500:
                raise OutcomeUnknownError(
                    f"the server answered {status} ({error.message})",
                    status=status,
                    code=error.code,
                    platform_error=error.platform_error,
                    path=url,
                )
            raise error

    def _wait_before_retry(
        self, method: str, url: str, attempt: int, reason: str, retry_after: float | None = None
    ) -> None:
        delay = self.retry.delay(attempt, retry_after, self._rng)
        log.info("%s %s failed (%s); retrying in %.2f s (attempt %d/%d)",
                 method, url, reason, delay, attempt, self.retry.max_attempts)
        self._sleep(delay)

    def _json_body(self, response: httpx.Response, url: str, is_write: bool) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            return body
        message = f"the answer to {url} was not the expected JSON object"
        if is_write:  # accepted, but we cannot tell what was created
            raise OutcomeUnknownError(message, status=response.status_code, path=url)
        raise ServerError(message, status=response.status_code, path=url)


def encode_filters(filters: Filters) -> dict[str, str]:
    """{"document_number": ("in", ["A","B"])} -> {"document_number[in]": "A,B"}; a bare value means eq."""
    query: dict[str, str] = {}
    for name, condition in filters.items():
        operator, value = condition if isinstance(condition, tuple) else ("eq", condition)
        if operator not in FILTER_OPERATORS:
            raise ValueError(f"unknown filter operator {operator!r} for {name!r}")
        query[f"{name}[{operator}]"] = _filter_value(operator, value)
    return query


def chunk_for_lookup(numbers: Iterable[str], budget: int = LOOKUP_QUERY_BUDGET) -> Iterator[list[str]]:
    """Distinct numbers in chunks whose encoded `in` list fits the budget; a number with a comma goes alone."""
    chunk: list[str] = []
    size = 0
    for number in dict.fromkeys(str(n) for n in numbers):
        if "," in number:
            yield [number]
            continue
        cost = len(quote(number, safe="")) + 3  # + an encoded comma
        if chunk and size + cost > budget:
            yield chunk
            chunk, size = [], 0
        chunk.append(number)
        size += cost
    if chunk:
        yield chunk


def _filter_value(operator: str, value: Any) -> str:
    if operator in ("in", "nin"):
        values = [value] if isinstance(value, (str, bytes)) or not isinstance(value, Iterable) else value
        parts = [_scalar(v) for v in values]
        if any("," in part for part in parts):
            raise ValueError("values of an 'in' filter cannot contain commas; look them up one by one")
        return ",".join(parts)
    if operator in ("is_null", "not_null") and value is None:
        return "true"
    return _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _cursor(value: Any) -> str | None:
    """The `next` cursor; v3 sometimes sends a whole URL with ?next=... instead."""
    if not value:
        return None
    text = str(value)
    if text.startswith(("http://", "https://")):
        found = parse_qs(urlsplit(text).query).get("next")
        return found[0] if found else None
    return text


def _transport_error(exc: httpx.TransportError, url: str, is_write: bool) -> RootFiError:
    # Only the class name and httpx's own short text: never the request or its headers.
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if is_write and not write_may_be_retried(error=exc):
        return OutcomeUnknownError(f"the connection failed after sending ({detail})", path=url)
    return NetworkError(detail, path=url)
