"""Collecting bulk writes: poll the syncs all together (one bound for all of them),
read each one's jobs once, as soon as it is finished (while the others still run),
settle each record from its job, and look up the records no job spoke clearly about."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from rootfi_excel.api.answers import Job, Sync
from rootfi_excel.api.forecast import FinishForecast
from rootfi_excel.api.polling import poll_syncs
from rootfi_excel.errors import AuthError, NotFoundError, RootFiError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import job_results as job_reading
from rootfi_excel.submission.platform_check import check_twins_while_waiting
from rootfi_excel.submission.context import ALREADY_EXISTS, Item, Outcome, Run, Work, ghost
from rootfi_excel.submission.journal import CREATED, FAILED, PENDING
from rootfi_excel.submission.lookups import LOOKUP_THREADS, resolve_by_lookup, settle_existing
from rootfi_excel.submission.running_syncs import round_reader, waiting_text

_GONE = object()  # the jobs list answered 404: RootFi does not know this sync
# Seconds between looks at running bulk writes while they keep finishing one after another,
# until their progress gives a rate to predict finishes by (api/forecast.py).
COLLECT_POLL = 0.5
# Why a record of an answered bulk write is looked up (its row's message says it when found).
NOT_NAMED = "the bulk write's answer did not say which record was this row's"
NOT_READ = "the bulk write's answer (its jobs) could not be read"


def collect(run: Run, pending: dict[str, list[Item]], work: Work) -> None:
    """Settle each bulk write from its jobs; what stays unclear is looked up."""
    unclear: list[Item] = []
    failures: dict[str, list[str]] = {}
    batches = {sync_id: _whole_batch(run, items, work) for sync_id, items in pending.items()}
    found: list[str] = []  # the syncs the last look found finished, in their order
    read: dict[str, list[Job] | object | None] = {}  # jobs read ahead: LOOKUP_THREADS syncs' at most

    def look_found(sync_ids: list[str]) -> None:
        found[:] = sync_ids

    def finished(sync_id: str, sync: Sync) -> None:  # its jobs are read once, now (with the next few)
        if sync_id not in read:
            ahead = found[found.index(sync_id):][:LOOKUP_THREADS] if sync_id in found else [sync_id]
            read.update(_read_all_jobs(run, ahead))
        jobs = read.pop(sync_id)
        if isinstance(jobs, list):
            unclear.extend(_because(_settle(run, batches[sync_id], jobs, failures), NOT_NAMED))
        else:  # RootFi does not know it, or its jobs cannot be read: look the records up
            unclear.extend(_because(_open(batches[sync_id]), NOT_READ))

    # The waits between two looks twin-check the records created so far (platform_check.py).
    poll = poll_syncs(run.client.get_sync, batches, until=run.until(run.options.sync_timeout), clock=run.clock,
                      sleep=lambda seconds: check_twins_while_waiting(run, seconds),
                      read_round=round_reader(run, len(batches), run.options.sync_timeout),
                      on_finished=finished, before_finished=look_found, restart_on_finish=True,
                      first_poll=COLLECT_POLL,
                      stall_after=run.options.stall_after,
                      forecast=FinishForecast({sync_id: len(batch) for sync_id, batch in batches.items()}),
                      on_wait=lambda state: run.report(waiting_text(state, "of yours to finish at RootFi",
                                                                    run.options.stall_after)))
    for sync_id, batch in batches.items():
        if sync_id in poll.missing:  # RootFi does not know this sync: look the records up
            unclear += _because(_open(batch), NOT_READ)
        elif sync_id not in poll.finished:  # still running (or unreadable) when the wait ended
            if poll.stalled:  # nothing moved for the bound: Pending now, collected by the next Submit
                run.still_running(_open(batch), poll.idle)
    if unclear:
        _settle_unclear(run, unclear, failures, work)


def _read_all_jobs(run: Run, sync_ids: list[str]) -> dict[str, list[Job] | object | None]:
    """_read_jobs of each sync, all at once (LOOKUP_THREADS of them: the rate limiter still
    paces them, the server's latency is paid once, not once per sync; only their jobs in
    memory at a time). Only reads here: each sync is settled afterwards, one by one, on this thread."""
    if len(sync_ids) <= 1:
        return {sync_id: _read_jobs(run, sync_id) for sync_id in sync_ids}
    with ThreadPoolExecutor(max_workers=LOOKUP_THREADS) as pool:
        return dict(zip(sync_ids, pool.map(lambda sync_id: _read_jobs(run, sync_id), sync_ids)))


def _read_jobs(run: Run, sync_id: str) -> list[Job] | object | None:
    """The sync's jobs; _GONE when RootFi does not know the sync; None when they could not be read."""
    try:
        return run.client.list_sync_jobs(sync_id)
    except AuthError:
        raise
    except NotFoundError:
        return _GONE
    except RootFiError:
        return None


def _because(items: list[Item], why: str) -> list[Item]:
    for item in items:
        item.looked_up_because = why
    return items


def _open(batch: list[Item]) -> list[Item]:
    return [item for item in batch if item.outcome is None]


def _settle(run: Run, batch: list[Item], jobs: list[Job], failures: dict[str, list[str]]) -> list[Item]:
    matched = job_reading.match_jobs(jobs, [item.body for item in batch])
    for number, reasons in job_reading.unmatched_failures(jobs, matched).items():
        failures.setdefault(number, []).extend(reasons)
    return _settle_jobs(run, batch, matched)


def _whole_batch(run: Run, items: list[Item], work: Work) -> list[Item]:
    """Every record of the request, in sending order: rows of this run, and ghosts for
    attempts whose rows are gone, so that job positions stay true and no result is dropped."""
    mine = {item.attempt_id: item for item in items}
    batch: list[Item] = []
    for attempt in run.journal.batch_attempts(items[0].batch_id):
        if attempt.id in mine:
            batch.append(mine[attempt.id])
        else:
            item = ghost(run, attempt)
            if attempt.state != PENDING:  # settled already: a placeholder that keeps positions
                item.outcome = Outcome(Status.CREATED if attempt.state == CREATED else Status.FAILED)
            batch.append(item)
    return batch


def _settle_jobs(run: Run, batch: list[Item], matched: dict[int, Job]) -> list[Item]:
    """Settle the records whose job is clear, all in one journal transaction. Returns
    those that still need a lookup."""
    unclear: list[Item] = []
    exists: list[Item] = []
    created: list[tuple[Item, dict]] = []
    failed: list[tuple[Item, str]] = []
    failures: dict[int, tuple[str, dict]] = {}
    for position, item in enumerate(batch):
        if item.outcome is not None:
            continue  # a placeholder for an attempt settled before
        job = matched.get(position)
        status = job.status if job else ""
        if status == "FAILED" and job.error.get("code") == ALREADY_EXISTS:
            exists.append(item)
        elif status == "FAILED":
            reason = job_reading.describe_error(job.error).rstrip(".")
            failures[item.attempt_id] = (FAILED, {"message": reason, "error_code": job.error.get("code")})
            failed.append((item, reason))
        elif status == "SUCCESS" and job.ids:
            created.append((item, job.ids))
        else:
            unclear.append(item)
    run.created_all(created, message="", also=failures)  # journalled before any outcome is set
    for item, reason in failed:
        run.failed([item], reason)
    for item, _ in created:
        run.tick(item, "created")
    if exists:
        settle_existing(run, exists, "already exists")
    run.report("collected a bulk write")
    return unclear


def _settle_unclear(run: Run, items: list[Item], failures: dict[str, list[str]], work: Work) -> None:
    """Bulk-write records no job spoke clearly about: found -> Created; not found and a
    failed job of theirs unmatched -> Failed with its reason; otherwise still unknown."""
    _, unknown = resolve_by_lookup(run, items, close_missing=False)  # close_missing=False: nothing to send again
    missing: dict[str, list[Item]] = defaultdict(list)
    for item in unknown:
        missing[str(item.number)].append(item)
    for number, group in missing.items():
        reasons = failures.get(number, [])
        if reasons and len(reasons) >= len(group):
            run.fail(group, "; ".join(dict.fromkeys(r.rstrip(".") for r in reasons)))
        else:
            work.lost += group
