"""Reading a bulk write's jobs: which job is about which record, and what it says.

How v4 reports each record of a bulk write is not documented. A job is tied to a
record of its own bulk write (the jobs are read per sync, so a job is about one of the
records posted in that request) by the first identifier it carries:

1. `variables.record_index`: the record's position in the posted array;
2. a document number (`variables.document_number`, else `data.document_number`) that
   exactly one record of that bulk write has;
3. an echoed record (`payload`, or `variables.payload`) equal to exactly one record of
   that bulk write.

A job whose identifiers disagree (an index whose record has another number), and a
record that two jobs claim, are tied to nothing. Numbers are compared after trimming
and case folding, and count as unique only if unique that way, so a platform that
tidies a number can never move a job onto a neighbour. What is left unmatched is
settled by looking the record up (collecting.py): never by a guess.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from rootfi_excel.api.answers import Job


def match_jobs(jobs: list[Job], bodies: list[dict[str, Any]]) -> dict[int, Job]:
    """{position in the batch: job}. `bodies` are the records of the bulk write, in order."""
    numbers = [_norm(body.get("document_number")) for body in bodies]
    by_number = _unique_positions(numbers)
    by_payload: dict[str, int] | None = None  # canonical JSON -> position, made only when a job echoes one
    claims: dict[int, list[Job]] = defaultdict(list)
    for job in jobs:
        if job.variables.get("record_index") is not None and _index(job, len(bodies)) is None:
            continue  # an index we cannot read: nothing else of this job is trusted either
        number, payload = _norm(job_number(job)), _payload(job)
        echoed = _canonical(payload) if payload is not None else None
        if echoed is not None and by_payload is None:
            by_payload = _unique_positions([_canonical(body) for body in bodies])
        position = _index(job, len(bodies))
        if position is None and number is not None:
            position = by_number.get(number)
        if position is None and echoed is not None:
            position = by_payload.get(echoed)
        if position is None:
            continue
        # Every identifier the job gives must name that same record, or none is trusted.
        if number is not None and number != numbers[position]:
            continue
        if echoed is not None and echoed != _canonical(bodies[position]):
            continue
        claims[position].append(job)
    return {position: found[0] for position, found in claims.items() if len(found) == 1}


def job_number(job: Job) -> str | None:
    """The document number a job names, if any (variables first, then its data)."""
    number = job.variables.get("document_number")
    if number in (None, "") and job.data:
        number = job.data.get("document_number")
    return None if number in (None, "") else str(number)


def unmatched_failures(jobs: list[Job], matched: dict[int, Job]) -> dict[str, list[str]]:
    """Failed jobs no record could be tied to, by document number: their reasons are kept
    for the records a lookup then does not find."""
    used = {id(job) for job in matched.values()}
    found: dict[str, list[str]] = {}
    for job in jobs:
        if id(job) in used or job.status != "FAILED":
            continue
        found.setdefault(str(job_number(job)), []).append(describe_error(job.error))
    return found


def describe_error(error: dict[str, Any]) -> str:
    """The platform's own reason for a failed job, "" when it gave none (its code stays in the
    journal's error_code). The row's message wraps it: messages.platform_refused."""
    message = error.get("message") or error.get("error")
    return str(message).strip().rstrip(".") if message else ""


def _index(job: Job, size: int) -> int | None:
    index = job.variables.get("record_index")
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < size:
        return index
    return None


def _payload(job: Job) -> dict[str, Any] | None:
    payload = (job.model_extra or {}).get("payload", job.variables.get("payload"))
    return payload if isinstance(payload, dict) else None


def _norm(number: Any) -> str | None:
    return None if number in (None, "") else str(number).strip().casefold() or None


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)


def _unique_positions(keys: list[str | None]) -> dict[str, int]:
    counts = Counter(keys)
    return {key: i for i, key in enumerate(keys) if key is not None and counts[key] == 1}
