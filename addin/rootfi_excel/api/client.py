"""A synchronous RootFi client (httpx), for Excel macros and the CLI.

Every request goes through one method, `_send`, which paces it (RateLimiter),
retries what is safe to retry (RetryPolicy) and turns failures into typed errors.
Reads are retried on 429, 5xx and network errors. Writes have no idempotency key,
so they are retried only when the server certainly did not process them; otherwise
they raise OutcomeUnknownError and the caller looks the record up before resending.

Every answer is read into a typed model (answers.py) with the API key taken out of
its text (redact_answers.py); an answer of another shape is UnexpectedAnswerError, or
OutcomeUnknownError for a write (it may have been processed). The server's clock is
learnt from each answer's Date header (`server_now`), so that the caller can compare
the server's times with the server's times, never with this computer's clock.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx

from rootfi_excel import __version__
from rootfi_excel.api import answers
from rootfi_excel.api.answers import Company, Job, Sync
from rootfi_excel.api.error_answers import error_from_response
from rootfi_excel.api.addresses import problem as address_problem
from rootfi_excel.api.paths import DEFAULT_BASE_URL, path
from rootfi_excel.api.polling import poll_syncs
from rootfi_excel.api.ratelimit import RateLimiter
from rootfi_excel.api.redact_answers import redact_json
from rootfi_excel.api.retry import (
    RetryPolicy,
    is_retryable_status,
    parse_retry_after,
    write_may_be_retried,
)
from rootfi_excel.errors import (
    CredentialsError,
    ListTooLongError,
    NetworkError,
    OutcomeUnknownError,
    ReadRefusedError,
    RootFiError,
    SyncTimeoutError,
    UnexpectedAnswerError,
)

log = logging.getLogger("rootfi_excel.api")

FILTER_OPERATORS = frozenset(
    {"eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "is_null", "not_null", "contains", "not_contains"}
)
# Budget for the encoded document numbers of one `document_number[in]` lookup: the
# whole request line (path, the other parameters: < 300 bytes) stays below the common
# 8 kB limit of servers and proxies, while a lookup pass needs few requests (the rate
# limit is the scarce resource): about 540 numbers of 10 characters per request.
LOOKUP_QUERY_BUDGET = 7000
# Where the server takes it, a lookup asks twice as many numbers at once: many servers and
# proxies take request lines up to 16 kB (uvicorn/h11, AWS load balancers, Cloudflare), and
# every list saved is a request of the rate limit saved. A lookup this long that is refused
# with a 4xx (414 URI Too Long, 431, or a 400 from a server that cannot say which) is asked
# again in chunks of LOOKUP_QUERY_BUDGET, and the client keeps to those from then on: a
# read, so asking again is safe, and every number is still asked (or the error raised).
LONG_LOOKUP_BUDGET = 14000
# And at most this many numbers in one list, however short they are: the records of a list
# fit in one page of BULK_PAGE_SIZE (1,000), with room for a few numbers that have two.
LOOKUP_MOST_VALUES = 900
# Page size for the lists we read in bulk (jobs of a sync, lookups); the API's maximum is
# undocumented, so a server that gives fewer per page is followed with its cursors.
BULK_PAGE_SIZE = 1000
# A list is followed for at most this many pages: a cursor that never ends must not
# keep a run going forever (at BULK_PAGE_SIZE, 100,000 records).
MAX_PAGES = 100

Filters = Mapping[str, Any]

__all__ = ["Company", "Job", "RootFiClient", "Sync", "chunk_for_lookup", "encode_filters"]


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
        wall_clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        max_pages: int = MAX_PAGES,
    ) -> None:
        if not api_key:
            raise ValueError("an API key is required")
        unsafe = address_problem(base_url)
        if unsafe is not None:  # checked here, so no command or button can send the key there
            raise CredentialsError(f"The API key was not sent: {unsafe}. Correct base_url in the workbook's "
                                   "Settings (or --base-url): RootFi's addresses start with https://.")
        self._api_key = api_key
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._rng = rng or random.Random()
        self._server_offset: float | None = None  # server's clock minus ours, from the Date header
        self.retry = retry
        self.max_pages = max_pages
        self.limiter = limiter or RateLimiter(clock=clock, sleep=sleep)
        self.requests_sent = 0
        # How long a lookup's list of numbers may be (LONG_LOOKUP_BUDGET until the server refuses one).
        self.lookup_budget = LONG_LOOKUP_BUDGET
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
        return Company.from_api(answers.object_of(self._send("GET", path("company", company_id=company_id)),
                                                  f"company {company_id}"))

    # -- writes ----------------------------------------------------------------

    def create(self, company_id: int, model: str, record: Mapping[str, Any]) -> dict[str, Any]:
        """Synchronous single write; returns the created record (rootfi_id, platform_id, ...).

        An answer that does not name the created record (no rootfi_id) is OutcomeUnknownError:
        the record may well exist, and only a lookup can tell which it is."""
        url = path("write", company_id=company_id, model=model)
        body = self._send("POST", url, json={"data": record})
        try:
            return answers.created_record(body)
        except UnexpectedAnswerError as error:
            raise OutcomeUnknownError(error.message, status=200, path=url) from None

    def create_async(self, company_id: int, model: str, records: list[Mapping[str, Any]]) -> str:
        """Bulk write (?run_async=true); returns the sync_id to follow with wait_for_sync."""
        url = path("write", company_id=company_id, model=model)
        body = self._send("POST", url, params={"run_async": "true"}, json={"data": list(records)})
        try:
            return answers.sync_id_of_write(body)
        except UnexpectedAnswerError as error:
            raise OutcomeUnknownError(error.message, status=200, path=url) from None

    # -- syncs and jobs ----------------------------------------------------------

    def get_sync(self, sync_id: str) -> Sync:
        return answers.sync_of(self._send("GET", path("sync", sync_id=sync_id)), sync_id)

    def list_sync_jobs(self, sync_id: str) -> list[Job]:
        url = path("sync_jobs", sync_id=sync_id)
        return [answers.parse(Job, item, f"job of sync {sync_id}")
                for item in self._paginate(url, {"limit": str(BULK_PAGE_SIZE)})]

    def get_job(self, job_id: str) -> Job:
        return answers.parse(Job, answers.object_of(self._send("GET", path("job", job_id=job_id)), "job"), "job")

    def list_company_syncs(self, company_id: int, job_type: str = "PUSH") -> list[Sync]:
        url = path("company_syncs", company_id=company_id)
        return [answers.parse(Sync, item, "sync")
                for item in self._paginate(url, {"jobType": job_type, "limit": str(BULK_PAGE_SIZE)})]

    def wait_for_sync(
        self,
        sync_id: str,
        *,
        timeout: float = 600.0,
        first_poll: float = 1.0,
        max_interval: float = 15.0,
        growth: float = 1.5,
    ) -> Sync:
        """Poll until the sync is finished (see answers.FINISHED_STATUSES); the interval grows."""
        poll = poll_syncs(self.get_sync, [sync_id], until=self._clock() + timeout, clock=self._clock,
                          sleep=self._sleep, first_poll=first_poll, max_interval=max_interval, growth=growth)
        if sync_id in poll.finished:
            return poll.finished[sync_id]
        if sync_id in poll.missing:
            raise poll.missing[sync_id]
        if sync_id in poll.errors:
            raise poll.errors[sync_id]
        last = poll.running[sync_id]
        status = last.status if last is not None and last.status else "without a status"
        raise SyncTimeoutError(f"sync {sync_id} is still {status} after {timeout:.0f} s; check it again later",
                               code=last.status if last is not None else None)

    def server_now(self) -> dt.datetime | None:
        """The server's clock now, as learnt from its last Date header; None before any answer."""
        if self._server_offset is None:
            return None
        return dt.datetime.fromtimestamp(self._wall_clock() + self._server_offset, dt.timezone.utc)

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

        filters: {"amount": ("gt", 0), "document_number": ("in", ["A", "B"]), "status": "PAID",
                  "payment_date": [("gte", "2026-03-01"), ("lt", "2026-04-01")]}
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
        """Records of `model` whose document_number is one of `numbers` (chunked lookups).

        Each record must carry a rootfi_id; an answer that is not a list of records is
        UnexpectedAnswerError, never "nothing found"."""
        def read(chunk: list[str]) -> list[dict[str, Any]]:
            if len(chunk) == 1:  # also the road for a number that contains a comma
                filters: Filters = {"document_number": ("eq", chunk[0])}
            else:
                filters = {"document_number": ("in", chunk)}
            return answers.records_of(
                self.iter_records(company_id, "list", filters, model=model, include_deleted=include_deleted,
                                  limit=BULK_PAGE_SIZE), model)

        return self._in_chunks(numbers, read)

    def find_by_platform_ids(self, company_id: int, name: str, ids: Iterable[str]) -> list[dict[str, Any]]:
        """Records of the list `name` (contacts, invoices, accounts, ...) whose platform_id is
        one of `ids`, deleted ones included (rootfi_deleted_at set): `platform_id[in]` in
        chunks, an id with a comma alone with `eq`. An answer that is not a list of records
        is UnexpectedAnswerError, never "nothing found"."""
        def read(chunk: list[str]) -> list[dict[str, Any]]:
            condition = ("eq", chunk[0]) if len(chunk) == 1 else ("in", chunk)
            return answers.records_of(
                self.iter_records(company_id, name, {"platform_id": condition}, include_deleted=True,
                                  limit=BULK_PAGE_SIZE), name)

        return self._in_chunks(ids, read)

    def find_by_rootfi_ids(self, company_id: int, model: str, ids: Iterable[str]) -> list[dict[str, Any]]:
        """Records of `model` whose rootfi_id is one of `ids`, deleted ones included
        (rootfi_deleted_at set): `rootfi_id[in]` in chunks, as find_by_platform_ids."""
        def read(chunk: list[str]) -> list[dict[str, Any]]:
            condition = ("eq", chunk[0]) if len(chunk) == 1 else ("in", chunk)
            return answers.records_of(
                self.iter_records(company_id, "list", {"rootfi_id": condition}, model=model, include_deleted=True,
                                  limit=BULK_PAGE_SIZE), model)

        return self._in_chunks(ids, read)

    def _in_chunks(self, values: Iterable[str], read: Callable[[list[str]], list[dict[str, Any]]]
                   ) -> list[dict[str, Any]]:
        """read() of every chunk of `values` (chunk_for_lookup at lookup_budget). A long chunk
        the server refuses (a 4xx: its request line may be too long for it) is read again, with
        the chunks after it, in chunks of LOOKUP_QUERY_BUDGET, which this client keeps to from
        then on; a short one's refusal is raised, as is any other error."""
        chunks = list(chunk_for_lookup(values, self.lookup_budget))
        found: list[dict[str, Any]] = []
        for number, chunk in enumerate(chunks):
            try:
                found.extend(read(chunk))
            except ReadRefusedError:
                if _query_cost(chunk) <= LOOKUP_QUERY_BUDGET:
                    raise
                self.lookup_budget = LOOKUP_QUERY_BUDGET
                log.info("a lookup of %d values was refused; asking at most %d bytes of them at a time",
                         len(chunk), LOOKUP_QUERY_BUDGET)
                rest = [value for later in chunks[number:] for value in later]
                return found + self._in_chunks(rest, read)  # every chunk short now: no deeper
        return found

    # -- plumbing ------------------------------------------------------------------

    def _paginate(self, url: str, query: dict[str, str]) -> Iterator[dict[str, Any]]:
        """Every item of a list, page after page; a cursor seen twice, or more than
        max_pages pages, is UnexpectedAnswerError (a list cut short must not pass for whole)."""
        cursor: str | None = None
        seen: set[str] = set()
        limit = int(query["limit"]) if str(query.get("limit", "")).isdigit() else None
        for _ in range(self.max_pages):
            params = dict(query)
            if cursor:
                params["next"] = cursor
            items, cursor = answers.page_of(self._send("GET", url, params=params), limit=limit)
            yield from items
            if not cursor:
                return
            if cursor in seen:
                raise UnexpectedAnswerError(f"the list at {url} gave the same next-page cursor twice", path=url)
            seen.add(cursor)
        records = f" ({self.max_pages * limit} records)" if limit else ""
        raise ListTooLongError(f"the list at {url} went on past {self.max_pages} pages{records}; stopped reading "
                               "it. Ask for fewer records at a time (a shorter period, narrower filters).", path=url)

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> Any:
        """One API call with pacing, retries and typed errors; returns the JSON body (key redacted)."""
        is_write = method != "GET"
        attempt = 0
        while True:
            attempt += 1
            self.limiter.acquire()
            try:
                response = self._http.request(method, url, params=params, json=json)
            except httpx.RequestError as exc:  # transport failures, and an answer that cannot be decoded
                self.limiter.release()
                never_sent = write_may_be_retried(error=exc)
                if not never_sent:
                    self.requests_sent += 1
                if attempt < self.retry.max_attempts and (not is_write or never_sent):
                    self._wait_before_retry(method, url, attempt, type(exc).__name__)
                    continue
                # httpx errors carry the request (and its headers): never chained to ours.
                raise _transport_error(exc, url, is_write) from None
            self.requests_sent += 1
            self._learn_server_time(response)
            self.limiter.observe(response.headers)
            if response.is_success:
                return self._json_body(response, url, is_write)
            status = response.status_code
            retryable = is_retryable_status(status) and (not is_write or write_may_be_retried(status=status))
            if retryable and attempt < self.retry.max_attempts:
                retry_after = parse_retry_after(response.headers.get("retry-after"), self._wall_clock())
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

    def _json_body(self, response: httpx.Response, url: str, is_write: bool) -> Any:
        try:
            return redact_json(response.content, self._api_key)  # searched once, walked only if there
        except (ValueError, RecursionError):  # not JSON, or nested beyond reason
            message = f"the answer to {url} was not readable JSON"
            if is_write:  # accepted, but we cannot tell what was created
                raise OutcomeUnknownError(message, status=response.status_code, path=url) from None
            raise UnexpectedAnswerError(message, status=response.status_code, path=url) from None

    def _learn_server_time(self, response: httpx.Response) -> None:
        try:
            server = parsedate_to_datetime(response.headers.get("date", ""))
            # A Date header counts whole seconds: the middle of that second is the best guess.
            offset = server.timestamp() + 0.5 - self._wall_clock()
        except (TypeError, ValueError, IndexError, OverflowError, AttributeError):
            return
        if server.tzinfo is not None and math.isfinite(offset):
            self._server_offset = offset


def encode_filters(filters: Filters) -> dict[str, str]:
    """{"document_number": ("in", ["A","B"])} -> {"document_number[in]": "A,B"}; a bare value means eq."""
    query: dict[str, str] = {}
    for name, condition in filters.items():
        # several conditions on one field: [("gte", a), ("lt", b)]
        conditions = condition if _several(condition) else [condition]
        for each in conditions:
            operator, value = each if isinstance(each, tuple) else ("eq", each)
            if operator not in FILTER_OPERATORS:
                raise ValueError(f"unknown filter operator {operator!r} for {name!r}")
            query[f"{name}[{operator}]"] = _filter_value(operator, value)
    return query


def _several(condition: Any) -> bool:
    return isinstance(condition, list) and bool(condition) and all(isinstance(c, tuple) for c in condition)


def chunk_for_lookup(numbers: Iterable[str], budget: int = LOOKUP_QUERY_BUDGET) -> Iterator[list[str]]:
    """Distinct numbers in chunks whose encoded `in` list fits the budget (and of at most
    LOOKUP_MOST_VALUES numbers); a number with a comma goes alone."""
    chunk: list[str] = []
    size = 0
    for number in dict.fromkeys(str(n) for n in numbers):
        if "," in number:
            yield [number]
            continue
        cost = _query_cost([number])
        if chunk and (size + cost > budget or len(chunk) >= LOOKUP_MOST_VALUES):
            yield chunk
            chunk, size = [], 0
        chunk.append(number)
        size += cost
    if chunk:
        yield chunk


def _query_cost(values: list[str]) -> int:
    """Bytes of these values in an encoded `[in]` list (each with its encoded comma)."""
    return sum(len(quote(value, safe="")) + 3 for value in values)


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


def _transport_error(exc: httpx.RequestError, url: str, is_write: bool) -> RootFiError:
    # Only the class name and httpx's own short text: never the request or its headers.
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if is_write and not write_may_be_retried(error=exc):
        return OutcomeUnknownError(f"the connection failed after sending ({detail})", path=url)
    return NetworkError(detail, path=url)
