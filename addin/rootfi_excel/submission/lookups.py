"""Finding records in the platform by document number, and settling items with what is found.

A lookup that fails (any error, any answer that is not a list of records) decides
nothing: the items stay as they are and are looked at again. Never "nothing found".
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rootfi_excel.api.client import LOOKUP_QUERY_BUDGET, chunk_for_lookup

from rootfi_excel.errors import AuthError, RootFiError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import matching
from rootfi_excel.submission.context import ALREADY_EXISTS, Item, Outcome, Run
from rootfi_excel.submission.journal import FAILED, LOST_ANSWER, UNKNOWN

Records = dict[str, list[dict[str, Any]]]  # document number -> records
# The chunks of a long lookup go out this many at a time: the rate limiter still paces
# them, but the server's latency is paid once per round, not once per chunk.
LOOKUP_THREADS = 4
# The check before sending (every fresh row's number, nothing sent until it answered) goes
# out this many chunks at a time (10,000 rows of 10-character numbers in one round): its
# answers are kept whole anyway, and the run's first bulk write (the start of RootFi's
# work on the records) waits for its last round. The rate limiter still paces them.
CHECK_THREADS = 12


def lookup(run: Run, numbers: list[str | None], threads: int = LOOKUP_THREADS) -> Records:
    """Records of the platform by document number, `threads` chunks at a time. Raises the
    client's error when the lookup fails."""
    wanted = sorted({n for n in numbers if n})
    found: Records = defaultdict(list)
    if not wanted:
        return found
    chunks = list(chunk_for_lookup(wanted, lookup_budget(run)))

    def look(numbers: list[str]) -> list[dict[str, Any]]:
        return run.client.find_by_document_numbers(run.company_id, run.model, numbers)

    if len(chunks) <= 1:
        answers = [look(wanted)]
    else:  # every chunk must answer: the first error is raised, as if they went one by one
        with ThreadPoolExecutor(max_workers=threads) as pool:
            answers = list(pool.map(look, chunks))
    for records in answers:
        for record in records:
            found[str(record.get("document_number") or "")].append(record)
    return found


def lookup_budget(run: Run) -> int:
    """How long a lookup's list may be for this run's client (api/client.py: long where the server takes it)."""
    return getattr(run.client, "lookup_budget", LOOKUP_QUERY_BUDGET)


def try_lookup(run: Run, numbers: list[str | None]) -> Records | None:
    """lookup(), or None when it failed (an AuthError still stops the run)."""
    try:
        return lookup(run, numbers)
    except AuthError:
        raise
    except RootFiError:
        return None


def claimed_ids(run: Run, records: Records) -> set[str]:
    """rootfi_ids that earlier attempts of ours already own: never match them to another row."""
    claimed: set[str] = set()
    for number in records:
        for attempt in run.journal.with_number(run.base_url, run.company_id, run.model, number):
            if attempt.rootfi_id:
                claimed.add(attempt.rootfi_id)
    return claimed


def settle_existing(run: Run, items: list[Item], reason: str) -> None:
    """The platform says the document number exists: ours (from a lost answer or a
    colleague) becomes Created; anyone else's is a clear Failed, never a retry loop."""
    records = try_lookup(run, [i.number for i in items])
    if records is None:  # the lookup failed: the next Submit looks again before sending
        run.journal.update([i.attempt_id for i in items], UNKNOWN, message=reason, error_code=ALREADY_EXISTS)
        for item in items:
            item.outcome = Outcome(Status.UNKNOWN, f"{run.platform} says this record already exists; the next "
                                   "Submit checks which record it is", sync_id=item.sync_id, submitted_at=item.sent_at)
        return
    claimed = claimed_ids(run, records)
    found: list[tuple[Item, dict[str, Any]]] = []
    refused: list[tuple[Item, str]] = []
    for item in items:
        candidates = records.get(item.number, [])
        match = matching.find_match(run.model, item.body, candidates, claimed)
        if match is None:
            other = candidates[0].get("rootfi_id") if candidates else "unknown"
            refused.append((item, f"{run.platform} already has a record with document_number {item.number} "
                                  f"(rootfi_id {other}) and refused a second one; give this row its own "
                                  "document_number"))
            continue
        claimed.add(str(match.get("rootfi_id")))
        found.append((item, match))
    # One journal transaction for all of them, before any outcome is set.
    run.created_all(found, message=f"already in {run.platform}: not sent again",
                    also={item.attempt_id: (FAILED, {"message": message, "error_code": ALREADY_EXISTS})
                          for item, message in refused})
    for item, message in refused:
        run.failed([item], message)
    for item, _ in found:
        run.tick(item, "already exists")


LOST_AND_FOUND = "the answer was lost, but the record was found in RootFi: not sent again"


def found_message(item: Item) -> str:
    """How a record found by a lookup was learned: the answer was lost only when it was."""
    if item.looked_up_because:
        return f"{item.looked_up_because}; the record was found in RootFi by its document number: not sent again"
    return LOST_AND_FOUND


def resolve_by_lookup(run: Run, items: list[Item], *, close_missing: bool) -> tuple[list[Item], list[Item]]:
    """Look the items up by document number; found ones become Created.

    Returns (to send again, still unknown). A missing item goes to "send again" only
    when close_missing and it has a document number (its attempt is then closed in
    the journal); if the lookup fails, every item stays unknown: never resend blindly."""
    records = try_lookup(run, [i.number for i in items])
    if records is None:
        run.journal.update([i.attempt_id for i in items], UNKNOWN)
        return [], items
    claimed = claimed_ids(run, records)
    found: list[tuple[Item, dict[str, Any]]] = []
    again: list[Item] = []
    unknown: list[Item] = []
    for item in items:
        match = matching.find_match(run.model, item.body, records.get(item.number, []), claimed)
        if match is not None:
            claimed.add(str(match.get("rootfi_id")))
            found.append((item, match))
        elif close_missing and item.number:
            again.append(item)
        else:
            unknown.append(item)
    # One journal transaction for the whole lookup, before any outcome is set.
    closed = {item.attempt_id: (FAILED, {"message": "not found after a lost answer: sent again",
                                         "error_code": LOST_ANSWER}) for item in again}
    run.created_all(found, message=found_message,
                    also={**closed, **{item.attempt_id: (UNKNOWN, {}) for item in unknown}})
    for item, _ in found:
        run.tick(item, "found by a lookup")
    for item in again:
        item.outcome, item.basis = None, item.attempt_id
    return again, unknown
