"""Reading a bulk write's jobs: which job is about which record, and what it says.

How v4 reports each record of a bulk write is not documented. The sandbox names the
record's position in the posted array (`variables.record_index`); failing that, a
document number that is unique within the whole batch identifies it. Anything else
is left unmatched and settled by looking the record up.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

DONE_JOB = frozenset({"SUCCESS", "FAILED"})


def job_status(job: dict[str, Any]) -> str:
    return str(job.get("status") or "").upper()


def job_error(job: dict[str, Any]) -> dict[str, Any]:
    error = job.get("error")
    return error if isinstance(error, dict) else {}


def job_ids(job: dict[str, Any]) -> dict[str, Any] | None:
    """{rootfi_id, platform_id} of the created record when the job carries them."""
    data = job.get("data")
    return data if isinstance(data, dict) and data.get("rootfi_id") is not None else None


def match_jobs(jobs: list[dict[str, Any]], numbers: list[str | None]) -> dict[int, dict[str, Any]]:
    """{position in the batch: job}. `numbers` are the batch's document numbers, in order."""
    unique = {n for n, count in Counter(numbers).items() if n is not None and count == 1}
    position_of = {n: i for i, n in enumerate(numbers) if n in unique}
    matched: dict[int, dict[str, Any]] = {}
    for job in jobs:
        variables = job.get("variables") if isinstance(job.get("variables"), dict) else {}
        index = variables.get("record_index")
        if isinstance(index, int) and 0 <= index < len(numbers):
            matched.setdefault(index, job)
        elif index is None and str(variables.get("document_number")) in position_of:
            matched.setdefault(position_of[str(variables["document_number"])], job)
    return matched


def unmatched_failures(jobs: list[dict[str, Any]], matched: dict[int, dict[str, Any]]) -> dict[str, list[str]]:
    """Failed jobs no record could be tied to, by document number: their reasons are kept
    for the records a lookup then does not find."""
    used = {id(job) for job in matched.values()}
    found: dict[str, list[str]] = {}
    for job in jobs:
        if id(job) in used or job_status(job) != "FAILED":
            continue
        variables = job.get("variables") if isinstance(job.get("variables"), dict) else {}
        found.setdefault(str(variables.get("document_number")), []).append(describe_error(job_error(job)))
    return found


def describe_error(error: dict[str, Any]) -> str:
    code, message = error.get("code"), error.get("message") or error.get("error")
    if message:
        return f"RootFi rejected the record ({code}): {message}" if code else f"RootFi rejected the record: {message}"
    return "RootFi rejected the record (no reason given)"
