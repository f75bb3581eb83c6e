"""Start and stop the sandbox: a real HTTP server (uvicorn, h11) on 127.0.0.1.

    handle = start_in_thread(SandboxConfig(api_keys=["rk_test_..."]))
    httpx.get(handle.base_url + "/core/companies/1001", headers={"api_key": "rk_test_..."})
    handle.stop()
"""

from __future__ import annotations

import secrets
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import uvicorn

from rootfi_excel.sandbox.app import build_app
from rootfi_excel.sandbox.db import Database
from rootfi_excel.sandbox.faults import FaultPlan
from rootfi_excel.sandbox.gate import Gate, GateConfig, Stats
from rootfi_excel.sandbox.async_jobs import JobWorker
from rootfi_excel.sandbox.seed import seed_if_empty, seed_volume_company
from rootfi_excel.sandbox.shapes import Shapes
from rootfi_excel.sandbox.writes import new_record


@dataclass
class SandboxConfig:
    db_path: Path | str | None = None      # SQLite file; None = a temp file
    host: str = "127.0.0.1"
    port: int = 0                           # 0 = pick a free port
    # Accepted keys. Empty: the database's own key (made the first time, kept with its records).
    api_keys: list[str] = field(default_factory=list)
    latency_ms: int = 0                     # added to every API request
    rate_limit_per_minute: int | None = None  # None or 0 = no limit; else token bucket per key, burst = 2x
    retry_after_header: bool = True         # send Retry-After on 429s
    faults: dict[str, float] = field(default_factory=dict)  # "kind" or "kind@scope" -> probability per request
    fault_seed: int | None = None
    burst_429_length: int = 3               # a triggered "429" fault answers this many requests in a row with 429
    slow_ms: int = 3000                     # how late a "slow" answer comes
    job_delay_ms: int = 2                   # processing time per record in async syncs
    stuck_syncs: bool = False               # async syncs are accepted and never worked on (RUNNING for ever)
    seed_demo_data: bool = True
    # (invoices, contacts) for the volume company 1008, e.g. (20000, 2000); None = no such company
    volume: tuple[int, int] | None = None
    # Cases a client must survive, on purpose (docs/sandbox.md, "Producing a case on purpose"):
    revoke_key_after: int | None = None     # the key is refused (401) after this many requests with it
    clock_offset_s: float = 0.0             # the server's clock (Date header, every time it writes) is off by this
    rate_limit_reset: str = "seconds"       # X-RateLimit-Reset as seconds, milliseconds, epoch or epoch-ms
    running_status: str = "RUNNING"         # the status of a sync or job not finished yet (e.g. SLEEPING)
    list_shape: str = "plain"               # "nested": every list as {"data": {"data": [...], "next"}}
    endless_cursor: bool = False            # every page of every list has a new next cursor
    odd_ids: bool = False                   # sync and job ids with a slash, "..", "?", "#", "%", space, \x07
    odd_text: bool = False                  # written records' platform ids and refusals end in what XML forbids
    echo_key: bool = False                  # every error text (message, field, code; job errors) repeats the key
    job_shape: str = "indexed"              # how a job names its record: indexed, by-number, payload (Shapes)
    refused_filters: tuple[str, ...] = ()   # lists filtered by one of these fields answer 400 (e.g. rootfi_id)
    max_url_bytes: int | None = None        # a longer path and query answers 414, as a proxy in front would


class RunningSandbox:
    """A started sandbox; stop() shuts the server, the job worker and the database."""

    def __init__(self, config: SandboxConfig, server: uvicorn.Server, thread: threading.Thread | None,
                 sock: socket.socket, db: Database, worker: JobWorker, stats: Stats):
        self.config = config
        self.port: int = sock.getsockname()[1]
        self.base_url = f"http://{config.host}:{self.port}/v4"
        self.db_path = db.path
        self._server, self._thread, self._sock = server, thread, sock
        self._db, self._worker, self._stats = db, worker, stats
        self._refused_filters: set[str] = set()  # shared with the app (build_app): refuse_filters changes it
        self._stopped = False
        self._scratch: str | None = None  # the temp folder of a database nobody asked to keep

    def count_records(self, company_id: int, model: str) -> int:
        return self._db.count_records(company_id, model)

    def change_record(self, company_id: int, model: str, platform_id: str, *, delete: bool = False,
                      **fields: object) -> dict | None:
        """Edit (fields) or delete a record as the platform would; its rootfi_updated_at moves to now."""
        return self._db.change_record(company_id, model, platform_id, delete=delete, **fields)

    def add_record(self, company_id: int, model: str, **fields: object) -> dict:
        """A record made in the platform (a customer added, an invoice issued): new platform id, stamps now."""
        return new_record(self._db, company_id, model, dict(fields))

    def void_and_reissue(self, company_id: int, platform_id: str, **changes: object) -> tuple[dict, dict]:
        """Void an invoice and issue a new one under the same document number, as an accountant
        correcting an invoice does: (the void one, the new one). `changes` apply to the new one."""
        old = self._db.change_record(company_id, "invoices", platform_id, status="VOID", amount_due=0.0)
        if old is None:
            raise ValueError(f"no live invoice {platform_id} of company {company_id}")
        copy = {k: v for k, v in old.items() if not k.startswith("rootfi_") and k != "updated_at"}
        copy.update(status="SUBMITTED", amount_due=old["total_amount"], **changes)
        return old, self.add_record(company_id, "invoices", **copy)

    def requests_seen(self) -> int:
        return self._stats.get("requests")

    def requests_by_kind(self) -> dict[str, int]:
        """Requests seen, by kind (write, lookup, jobs, sync, company-syncs, other-list, other)."""
        return {name.removeprefix("kind:"): count for name, count in self._stats.snapshot().items()
                if name.startswith("kind:")}

    def refuse_filters(self, *fields: str) -> None:
        """From now on, a list filtered by one of `fields` answers 400, as a platform that
        does not support that filter does (none: every filter served again)."""
        self._refused_filters.clear()
        self._refused_filters.update(fields)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
        self._close()

    def _close(self) -> None:
        self._worker.stop()
        self._sock.close()
        self._db.close()
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)


def new_key() -> str:
    return "rk_sandbox_" + secrets.token_urlsafe(24)


def _prepare(config: SandboxConfig) -> RunningSandbox:
    fault_plan = FaultPlan(config.faults, config.fault_seed, config.burst_429_length)  # validates early
    shapes = Shapes(running_status=config.running_status, list_shape=config.list_shape,
                    endless_cursor=config.endless_cursor, odd_ids=config.odd_ids,
                    odd_text=config.odd_text, job_shape=config.job_shape)
    scratch = None if config.db_path else tempfile.mkdtemp(prefix="rootfi-sandbox-")  # removed at stop
    db_path = Path(config.db_path) if config.db_path else Path(scratch) / "sandbox.sqlite3"
    db = Database(db_path, clock_offset_s=config.clock_offset_s)
    if not config.api_keys:  # the database's own key (config.api_keys says which, for the caller)
        config.api_keys = [db.api_key(new_key)]
    gate_config = GateConfig(
        api_keys=config.api_keys, latency_ms=config.latency_ms, rate_limit_per_minute=config.rate_limit_per_minute,
        retry_after_header=config.retry_after_header, slow_ms=config.slow_ms, revoke_key_after=config.revoke_key_after,
        clock_offset_s=config.clock_offset_s, rate_limit_reset=config.rate_limit_reset, echo_key=config.echo_key,
        max_url_bytes=config.max_url_bytes)
    if config.seed_demo_data:
        seed_if_empty(db)
    if config.volume:
        seed_volume_company(db, *config.volume)
    stats = Stats()
    worker = JobWorker(db, config.job_delay_ms, stuck=config.stuck_syncs)
    refused: set[str] = set(config.refused_filters)
    app = Gate(build_app(db, worker, stats, shapes, refused), gate_config, fault_plan, stats)
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say so,
    # and without it every small answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((config.host, config.port))
    # access_log off: request lines are never logged (and the key is a header anyway).
    server = uvicorn.Server(uvicorn.Config(
        app, http="h11", loop="asyncio", lifespan="off", access_log=False, log_level="warning",
        timeout_graceful_shutdown=2, date_header=False,  # the gate sends Date, from the sandbox's own clock
    ))
    worker.start()
    handle = RunningSandbox(config, server, None, sock, db, worker, stats)
    handle._refused_filters = refused
    handle._scratch = scratch
    return handle


def start_in_thread(config: SandboxConfig) -> RunningSandbox:
    """Start in a background thread; returns once the server accepts connections."""
    handle = _prepare(config)
    thread = threading.Thread(target=handle._server.run, kwargs={"sockets": [handle._sock]},
                              name="sandbox-http", daemon=True)
    handle._thread = thread
    thread.start()
    deadline = time.monotonic() + 15
    while not handle._server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            handle.stop()
            raise RuntimeError("the sandbox server did not start")
        time.sleep(0.01)
    return handle


def run(config: SandboxConfig, ready: Callable[[RunningSandbox], None] | None = None) -> None:
    """Serve in the foreground until Ctrl+C (uvicorn handles the signal); `ready` is called
    with the sandbox (its address and key known) before it serves."""
    handle = _prepare(config)
    try:
        if ready is not None:
            ready(handle)
        handle._server.run(sockets=[handle._sock])
    finally:
        handle._stopped = True
        handle._close()
