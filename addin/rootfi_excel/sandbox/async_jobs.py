"""Async writes: PUSH syncs with one job per record, run by one background thread.

A job's record and its SUCCESS status commit in the same transaction, so a restart
never creates a record twice; unfinished jobs resume when the sandbox starts again.
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
import time

from rootfi_excel.errors import ApiError
from rootfi_excel.sandbox import writes
from rootfi_excel.sandbox.db import Database
from rootfi_excel.sandbox.errors import UNKNOWN_ERROR
from rootfi_excel.sandbox.models import DATA_MODEL
from rootfi_excel.sandbox.shapes import Shapes

log = logging.getLogger(__name__)


def create_sync(db: Database, company_id: int, model: str, records: list, shapes: Shapes) -> str:
    sync_id = shapes.new_id()
    jobs = []
    for index, record in enumerate(records):
        document = record.get("document_number") if isinstance(record, dict) else None
        jobs.append({"job_id": shapes.new_id(), "payload": record,
                     "variables": {"record_index": index, "document_number": document}})
    db.create_sync(sync_id, company_id, model, jobs)
    return sync_id


class JobWorker:
    def __init__(self, db: Database, job_delay_ms: int, *, stuck: bool = False):
        self.db = db
        self.stuck = stuck  # a RootFi whose bulk writes never move: syncs stay RUNNING, their counts unchanged
        self.delay = job_delay_ms / 1000
        self._queue: queue.Queue[str] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sandbox-jobs", daemon=True)

    def start(self) -> None:
        for sync_id in self.db.unfinished_sync_ids():
            self.submit(sync_id)
        self._thread.start()

    def submit(self, sync_id: str) -> None:
        if not self.stuck:
            self._queue.put(sync_id)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sync_id = self._queue.get(timeout=0.05)
            except queue.Empty:
                continue
            try:
                self._process(sync_id)
            except sqlite3.ProgrammingError:
                return  # the database was closed under us: the sandbox is stopping
            except Exception:  # keep the worker alive whatever one sync does
                log.exception("sandbox job worker failed on a sync")

    def _process(self, sync_id: str) -> None:
        sync = self.db.sync(sync_id)
        company = self.db.company(sync["company_id"])
        # Each job is due `delay` after the one before, counted from the sync's start: the worker
        # waits only for what is left of that, so its own writes (about half a millisecond a job)
        # are inside the configured time per record, not added to it (a platform configured at
        # 2 ms a record takes 2 ms a record; it took 2.5 ms, and 10,000 rows 25 s instead of 20).
        due = time.monotonic()
        for job in self.db.open_jobs(sync_id):
            self.db.set_job(job["job_id"], "RUNNING")
            due += self.delay
            if self._stop.wait(max(0.0, due - time.monotonic())):
                return  # stopping: the job resumes on the next start
            self._run_job(company, sync["model"], job)
        self.db.finish_sync(sync_id)

    def _run_job(self, company: dict, model: str, job: sqlite3.Row) -> None:
        payload = json.loads(job["payload"])
        try:
            with self.db.transaction():
                created = writes.create(self.db, company, model, payload)
                result = {"rootfi_id": created["rootfi_id"], "platform_id": created["platform_id"]}
                self.db.set_job(job["job_id"], "SUCCESS", result=result)
        except ApiError as error:
            self.db.set_job(job["job_id"], "FAILED", error=error.job_error())
        except sqlite3.ProgrammingError:
            raise
        except Exception as error:  # a sandbox bug must still end the job
            log.exception("sandbox job failed")
            self.db.set_job(job["job_id"], "FAILED", error={"code": UNKNOWN_ERROR, "message": str(error)})


# -- answers ----------------------------------------------------------------------


def sync_view(db: Database, row: sqlite3.Row, shapes: Shapes) -> dict:
    counts = db.job_counts(row["sync_id"])
    success, failed = counts.get("SUCCESS", 0), counts.get("FAILED", 0)
    running, pending = counts.get("RUNNING", 0), counts.get("CREATED", 0)
    total = success + failed + running + pending
    if running or pending:
        status = "RUNNING"
    elif failed == 0:
        status = "SUCCESS"
    elif success == 0:
        status = "FAILED"
    else:
        status = "PARTIAL_SUCCESS"
    company = db.company(row["company_id"])
    return {
        "rootfi_id": row["rootfi_id"],
        "rootfi_created_at": row["created_at"],
        "rootfi_updated_at": row["updated_at"],
        "rootfi_company_id": row["company_id"],
        "sync_id": row["sync_id"],
        "integration_type": company["integration"],
        "job_type": "PUSH",
        "sync_type": "MANUAL",
        "config_mode": "CREATE",
        "full_sync": False,
        "data_model": DATA_MODEL[row["model"]],
        "sync_data_models": [DATA_MODEL[row["model"]]],
        "status": shapes.status(status),
        "total_count": total,
        "success_count": success,
        "failed_count": failed,
        "running_count": running,
        "pending_count": pending,
        "start_time": row["created_at"],
        "end_time": _end_time(db, row) if status != "RUNNING" else None,
    }


def _end_time(db: Database, row: sqlite3.Row) -> str | None:
    """The worker stamps the sync's end a moment after its last job; in between, the last
    job's end is the sync's end (a finished sync never answers end_time null)."""
    if row["end_time"]:
        return row["end_time"]
    found = db.query("SELECT MAX(end_time) AS end_time FROM jobs WHERE sync_id = ?", (row["sync_id"],))
    return found[0]["end_time"] if found else None


def job_view(db: Database, row: sqlite3.Row, integration: str, model: str, shapes: Shapes) -> dict:
    return {
        "rootfi_id": row["rootfi_id"],
        "rootfi_created_at": row["created_at"],
        "rootfi_updated_at": row["updated_at"],
        "rootfi_company_id": row["company_id"],
        "job_id": row["job_id"],
        "sync_id": row["sync_id"],
        "parent_job_id": None,
        "integration_type": integration,
        "job_type": "PUSH",
        "config_mode": "CREATE",
        "data_model": DATA_MODEL[model],
        "status": shapes.status(row["status"]),
        "start_time": row["start_time"],
        "end_time": row["end_time"],
        "retry_count": 0,
        "priority": 0,
        "error": json.loads(row["error"]) if row["error"] else None,
        # Sandbox choice (undocumented in v4): where the created record's ids are reported,
        # and how the job names its record (Shapes.job_shape).
        **shapes.job_identity(json.loads(row["variables"]), json.loads(row["payload"]),
                              json.loads(row["result"]) if row["result"] else None),
    }
