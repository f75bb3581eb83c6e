"""The sandbox's routes (Starlette), all under /v4 except the /_sandbox admin routes."""

from __future__ import annotations

import json
import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rootfi_excel.errors import ApiError
from rootfi_excel.sandbox import async_jobs, listing, platform_rules, writes
from rootfi_excel.sandbox.db import Database, record_from_row
from rootfi_excel.sandbox.errors import INVALID_PARAMS, MISSING_PARAMS, OPERATION_DENIED, bad_request, not_found
from rootfi_excel.sandbox.gate import Stats
from rootfi_excel.sandbox.models import WRITABLE_MODELS, field_types
from rootfi_excel.sandbox.shapes import Shapes

log = logging.getLogger(__name__)

MAX_ASYNC_RECORDS = 1000
# v4 names contacts and invoices under /shared; the other models sit right under the company.
SHARED_MODELS = ("contacts", "invoices")
COMPANY_MODELS = ("accounts", "currencies", "tax_rates", "items", *WRITABLE_MODELS)


def build_app(db: Database, worker: async_jobs.JobWorker, stats: Stats, shapes: Shapes | None = None,
              refused_filters: set[str] | None = None) -> Starlette:
    shapes = shapes or Shapes()
    refused_filters = refused_filters if refused_filters is not None else set()

    class Answer(JSONResponse):
        """An answer, with odd text in it when the shapes ask for it (Shapes.odd_text)."""

        ids = True  # the records' platform ids get it too (answers about written records)

        def render(self, content: object) -> bytes:
            return shapes.answer_text(content, ids=self.ids) or super().render(content)

    class Listing(Answer):
        ids = False  # a list of the company's other records (contacts, invoices, ...): kept as they are

    def company_or_404(request: Request) -> dict:
        raw = request.path_params["company_id"]
        company = db.company(int(raw)) if raw.isdigit() else None
        if company is None:
            raise not_found(f"Company {raw} not found.", "company_id")
        return company

    async def get_company(request: Request) -> JSONResponse:
        return JSONResponse({"data": company_or_404(request)})

    async def list_shared(request: Request) -> JSONResponse:
        return _list(request, request.path_params["model"], SHARED_MODELS)

    async def company_model(request: Request) -> JSONResponse:
        model = request.path_params["model"]
        if request.method == "POST":
            return await _write(request, model)
        # Sandbox choice: contacts and invoices also answer without /shared.
        return _list(request, model, COMPANY_MODELS + SHARED_MODELS)

    def _list(request: Request, model: str, allowed: tuple[str, ...]) -> JSONResponse:
        company = company_or_404(request)
        if model not in allowed:
            raise not_found(f"Unknown model '{model}'.", "model")
        for key, _ in request.query_params.multi_items():
            field_name = key.split("[", 1)[0]
            if field_name in refused_filters:  # a platform that does not support this filter (SandboxConfig)
                raise bad_request(INVALID_PARAMS, f"Filtering by '{field_name}' is not supported.", field_name)
        q = listing.parse(request.query_params.multi_items(), field_types(model))
        result = listing.page(db, "records", ["company_id = ?", "model = ?"], [company["rootfi_id"], model], q,
                              endless=shapes.endless_cursor)
        kind = Answer if model in WRITABLE_MODELS else Listing
        return kind(shapes.list_body([writes.public(record_from_row(r)) for r in result["rows"]], result))

    async def _write(request: Request, model: str) -> JSONResponse:
        company = company_or_404(request)
        if model not in WRITABLE_MODELS:
            raise bad_request(OPERATION_DENIED, f"The sandbox cannot create {model}; it writes "
                              f"{' and '.join(WRITABLE_MODELS)}.")
        run_async = listing.parse_bool(request.query_params.get("run_async"), "run_async")
        try:
            body = json.loads(await request.body())
        except ValueError:
            raise bad_request(INVALID_PARAMS, "The request body must be JSON.", "data") from None
        if not isinstance(body, dict) or body.get("data") is None:
            raise bad_request(MISSING_PARAMS, 'The body needs "data": a record, or a list of records with '
                              "?run_async=true.", "data")
        data = body["data"]
        platform_rules.check_company_writable(company)
        if run_async:
            records = data if isinstance(data, list) else [data]
            if not 1 <= len(records) <= MAX_ASYNC_RECORDS:
                raise bad_request(INVALID_PARAMS, f"data must hold 1 to {MAX_ASYNC_RECORDS} records, "
                                  f"got {len(records)}.", "data")
            sync_id = async_jobs.create_sync(db, company["rootfi_id"], model, records, shapes)
            worker.submit(sync_id)
            return Answer({"sync_id": sync_id})
        if isinstance(data, list):
            raise bad_request(INVALID_PARAMS, "data is a list: writing several records needs ?run_async=true "
                              "(synchronous writes take one record object).", "data")
        created = writes.create(db, company, model, data)
        return Answer({"data": writes.public(created)})

    async def company_syncs(request: Request) -> JSONResponse:
        company = company_or_404(request)
        job_type = request.query_params.get("jobType", "PULL")
        if job_type not in ("PUSH", "PULL"):
            raise bad_request(INVALID_PARAMS, f"jobType must be PUSH or PULL, got '{job_type}'.", "jobType")
        q = listing.parse(request.query_params.multi_items(), {}, extra_ok={"jobType"})
        # The sandbox only has PUSH syncs (async writes); PULL lists are always empty.
        where = ["company_id = ?", "1" if job_type == "PUSH" else "0"]
        result = listing.page(db, "syncs", where, [company["rootfi_id"]], q, endless=shapes.endless_cursor)
        return JSONResponse(shapes.list_body([async_jobs.sync_view(db, row, shapes) for row in result["rows"]], result))

    def sync_or_404(request: Request):
        row = db.sync(request.path_params["sync_id"])
        if row is None:
            raise not_found(f"Sync {request.path_params['sync_id']} not found.", "sync_id")
        return row

    async def get_sync(request: Request) -> JSONResponse:
        return JSONResponse({"data": async_jobs.sync_view(db, sync_or_404(request), shapes)})

    async def get_sync_jobs(request: Request) -> JSONResponse:
        sync = sync_or_404(request)
        integration = db.company(sync["company_id"])["integration"]
        q = listing.parse(request.query_params.multi_items(), {})
        result = listing.page(db, "jobs", ["sync_id = ?"], [sync["sync_id"]], q, endless=shapes.endless_cursor)
        return Answer(shapes.list_body([async_jobs.job_view(db, row, integration, sync["model"], shapes)
                                        for row in result["rows"]], result))

    async def get_job(request: Request) -> JSONResponse:
        row = db.job(request.path_params["job_id"])
        if row is None:
            raise not_found(f"Job {request.path_params['job_id']} not found.", "job_id")
        sync = db.sync(row["sync_id"])
        integration = db.company(sync["company_id"])["integration"]
        return Answer({"data": async_jobs.job_view(db, row, integration, sync["model"], shapes)})

    async def admin_stats(request: Request) -> JSONResponse:
        return JSONResponse({"requests": stats.snapshot(), "records": db.record_counts(), **db.sync_stats()})

    routes = [
        Route("/_sandbox/stats", admin_stats),
        Route("/v4/core/companies/{company_id}", get_company),
        Route("/v4/core/companies/{company_id}/syncs", company_syncs),
        Route("/v4/core/companies/{company_id}/shared/{model}", list_shared),
        Route("/v4/core/companies/{company_id}/{model}", company_model, methods=["GET", "POST"]),
        # Ids may hold an (encoded) slash when odd_ids is on: `path` matches them whole.
        Route("/v4/core/syncs/jobs/{job_id:path}", get_job),
        Route("/v4/core/syncs/{sync_id:path}/jobs", get_sync_jobs),
        Route("/v4/core/syncs/{sync_id:path}", get_sync),
    ]
    async def api_error(request: Request, error: ApiError) -> JSONResponse:
        return (Answer if error.status == 400 else JSONResponse)(error.body(), status_code=error.status)

    handlers = {ApiError: api_error, HTTPException: _http_error, Exception: _crash}
    return Starlette(routes=routes, exception_handlers=handlers)


async def _http_error(request: Request, error: HTTPException) -> JSONResponse:
    if error.status_code == 404:
        return JSONResponse({"error": {"message": f"No route {request.url.path}.", "code": "not-found",
                                       "field": "path"}}, status_code=404)
    return JSONResponse({"error": {"message": str(error.detail), "code": "operation-denied", "field": "method"}},
                        status_code=error.status_code)


async def _crash(request: Request, error: Exception) -> JSONResponse:
    log.exception("sandbox request failed")
    return JSONResponse({"error": {"code": "internal-error", "message": f"Internal error: {error}"}},
                        status_code=500)
