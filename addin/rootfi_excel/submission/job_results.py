"""Reading a bulk write's jobs: which job is about which record, and what it says.

How v4 reports each record of a bulk write is not documented. The sandbox names the
record's position in the posted array (`variables.record_index`); failing that, a
document number that is unique within the whole batch identifies it. Anything else
is left unmatched and settled by looking the record up.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rootfi_excel.api.answers import Job


def match_jobs(jobs: list[Job], numbers: list[str | None]) -> dict[int, Job]:
    """{position in the batch: job}. `numbers` are the batch's document numbers, in order."""
    unique = {n for n, count in Counter(numbers).items() if n is not None and count == 1}
    position_of = {n: i for i, n in enumerate(numbers) if n in unique}
    matched: dict[int, Job] = {}
    for job in jobs:
        index = job.variables.get("record_index")
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(numbers):
            matched.setdefault(index, job)
        elif index is None and str(job.variables.get("document_number")) in position_of:
            matched.setdefault(position_of[str(job.variables["document_number"])], job)
    return matched


def unmatched_failures(jobs: list[Job], matched: dict[int, Job]) -> dict[str, list[str]]:
    """Failed jobs no record could be tied to, by document number: their reasons are kept
    for the records a lookup then does not find."""
    used = {id(job) for job in matched.values()}
    found: dict[str, list[str]] = {}
    for job in jobs:
        if id(job) in used or job.status != "FAILED":
            continue
        found.setdefault(str(job.variables.get("document_number")), []).append(describe_error(job.error))
    return found


def describe_error(error: dict[str, Any]) -> str:
    """The platform's own reason for a failed job, "" when it gave none (its code stays in the
    journal's error_code). The row's message wraps it: messages.platform_refused."""
    message = error.get("message") or error.get("error")
    return str(message).strip().rstrip(".") if message else ""
