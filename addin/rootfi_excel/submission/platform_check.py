"""The platform around our sends: what is already there before, and twins after.

Before sending fresh rows: wait for the company's bulk writes that are still running
(a colleague's records may not have landed yet), then look the rows' document numbers
up. A record that matches is taken as Created; one with other values makes the row
Failed. If either check cannot run, the rows are not sent (fail closed). A row marked
`send anyway` is checked too: a record that matches it is held, naming the record, not
taken as Created; the records the journal knows (those its hold could name) are no
conflict for it.

After sending: two people who submit the same rows at the same moment both find
nothing and both send; no client can prevent that without an idempotency key. So the
records this run created are looked up again, and a twin (same number and values,
another rootfi_id) is reported on the row.
"""

from __future__ import annotations

from rootfi_excel.api.client import LOOKUP_QUERY_BUDGET, chunk_for_lookup
from rootfi_excel.errors import AuthError, RootFiError
from rootfi_excel.sheets.layout import SEND_ANYWAY, Status
from rootfi_excel.submission import matching
from rootfi_excel.submission.context import (
    POSSIBLE_DUPLICATE,
    TWIN_CHECK_FAILED,
    Item,
    Outcome,
    Run,
    describe,
    text,
)
from rootfi_excel.submission.journal import CREATED
from rootfi_excel.submission.lookups import CHECK_THREADS, LOOKUP_THREADS, claimed_ids, lookup, lookup_budget
from rootfi_excel.submission.running_syncs import earliest_send, others_may_be_running, wait_for_bulk_writes

# Lookup chunks the twin check asks at once (in parallel, lookups.LOOKUP_THREADS), keeping
# only their records in memory: about 4,000 numbers (chunks of LOOKUP_QUERY_BUDGET; half as
# many of the long ones, api/client.LONG_LOOKUP_BUDGET).
TWIN_GROUP_CHUNKS = 2 * LOOKUP_THREADS
# A wait between two looks at our running bulk writes this long or longer is used to
# twin-check records already created (check_twins_while_waiting): one group at most.
EARLY_TWIN_WAIT = 0.6
CANNOT_CHECK = "Not sent: could not check RootFi for records already there; submit again"


def before_sending(run: Run, items: list[Item]) -> list[Item]:
    """The items still to send; the others have their outcome."""
    if not any(item.number for item in items):
        return items
    running = wait_for_bulk_writes(run, since=None, bound=run.options.running_wait, skip_stale=True,
                                   what="already running in RootFi")
    if running.error is not None:
        return _cannot_check(run, items, running.error)
    if running.running:
        names = ", ".join(running.running[:3]) + (" ..." if len(running.running) > 3 else "")
        run.skip(items, f"Not sent: a bulk write already running in RootFi (sync {names}) may hold these "
                        "records; submit again when it has finished", "held: a bulk write is running")
        run.warnings.append(f"nothing was sent while another bulk write of this company was still running in "
                            f"RootFi (sync {names}); submit again when it has finished")
        return []
    try:
        records = lookup(run, [item.number for item in items], threads=CHECK_THREADS)
    except AuthError:
        raise
    except RootFiError as error:
        return _cannot_check(run, items, error)
    claimed = claimed_ids(run, records)
    remaining = []
    held_anyway = 0
    for item in items:
        candidates = records.get(item.number, [])
        if item.send_anyway and _hold_anyway_row(run, item, candidates):
            held_anyway += 1
            continue
        if item.send_anyway:  # the records the journal knows (those its hold named): no conflict by their word
            candidates = [r for r in candidates if text(r.get("rootfi_id")) not in claimed]
        match = matching.find_match(run.model, item.body, candidates, claimed)
        if match is not None:
            claimed.add(str(match.get("rootfi_id")))
            item.outcome = Outcome(Status.CREATED, f"already in {run.platform} (rootfi_id {match.get('rootfi_id')}); "
                                   "not sent again", text(match.get("rootfi_id")), text(match.get("platform_id")))
            run.tick(item, "already in the platform")
            continue
        conflict = matching.find_conflict(run.model, item.body, candidates)
        if conflict is not None:
            item.outcome = Outcome(Status.FAILED, f"{run.platform} already has {describe(run.model, item.body)} "
                                   f"with other values (rootfi_id {conflict.get('rootfi_id')}); correct it there, "
                                   "or give this row its own document_number")
            run.tick(item, "number already used")
            continue
        remaining.append(item)
    if held_anyway:
        run.warnings.append(f"{held_anyway} row{' was' if held_anyway == 1 else 's were'} not sent although marked "
                            f"{SEND_ANYWAY}: {run.platform} already has a record with its document number and "
                            f"{matching.what_matches(run.model)}; its message says which, and what to do")
    return remaining


def _cannot_check(run: Run, items: list[Item], error: RootFiError) -> list[Item]:
    run.skip(items, CANNOT_CHECK, "not sent: the check failed")
    run.warnings.append(f"could not check RootFi for records already there ({error}); nothing was sent")
    return []


def flag_twins(run: Run) -> None:
    """Report every record this run created that has a twin in the platform."""
    items = [i for i in run.created_now if i.outcome and i.outcome.rootfi_id and i.number]
    if not items or not run.options.check_twins:
        return
    # A colleague's bulk write started meanwhile may still be landing its records.
    wait_for_bulk_writes(run, since=earliest_send(items), bound=run.options.twin_wait, skip_stale=True,
                         what="started by someone else meanwhile")
    groups = _twin_groups(items, lookup_budget(run))
    for number, group in enumerate(groups):  # the records of one group at a time in memory, not of every row
        try:
            records = lookup(run, [item.number for item in group])
        except AuthError:
            raise
        except RootFiError as error:
            rest = [item for later in groups[number:] for item in later]
            _flag(run, [(item, f"created; the check for a second record made by someone submitting the same rows "
                               f"at the same moment could not run: search {run.platform} for document_number "
                               f"{item.number}") for item in rest], TWIN_CHECK_FAILED)
            run.warnings.append(f"the check for duplicates of the records just created could not run ({error}); "
                                "their rows say what to look for")
            return
        _flag(run, _twins(run, group, records), POSSIBLE_DUPLICATE)


def check_twins_while_waiting(run: Run, seconds: float) -> None:
    """Sleep `seconds` (a wait for our bulk writes), twin-checking records already created meanwhile.

    Only whole lookup chunks go early (never the last, short one: the end's check asks the
    rest, so the early ones cost no request beyond one list of the company's bulk writes),
    and only when no bulk write of someone else that started since our first send may still
    be running (else they wait for the end's check, which waits for those writes). Each
    record checked was created already (its job or a lookup showed it), so its check lists
    after it landed, as the end's would: of two submitters sending the same row at once, the
    later still sees both. Records checked are taken off `run.created_now`; an early lookup
    that fails leaves them to the end's check (which says so on the row if it fails too)."""
    started = run.clock()
    others_checked = False
    while (seconds - (run.clock() - started) >= EARLY_TWIN_WAIT and run.options.check_twins
           and not run.early_twins_off):
        items = [i for i in run.created_now if i.outcome and i.outcome.rootfi_id and i.number]
        whole = _twin_groups(items, lookup_budget(run), whole_chunks_only=True)
        if not whole:
            break
        try:
            if not others_checked and others_may_be_running(run, since=earliest_send(items)):
                run.early_twins_off = True  # someone else's bulk write may hold twins: the end's check waits for it
                break
            others_checked = True  # once per wait: a write started since is the later one (its check sees ours)
            _check_early(run, whole[0])
        except AuthError:
            raise
        except RootFiError:
            run.early_twins_off = True  # the end's check asks again
    run.sleep(max(0.0, seconds - (run.clock() - started)))


def _check_early(run: Run, group: list[Item]) -> None:
    _flag(run, _twins(run, group, lookup(run, [item.number for item in group])), POSSIBLE_DUPLICATE)
    checked = {id(item) for item in group}
    run.created_now = [item for item in run.created_now if id(item) not in checked]


def _twins(run: Run, group: list[Item], records: dict) -> list[tuple[Item, str]]:
    flags: list[tuple[Item, str]] = []
    for item in group:
        ours = item.outcome.rootfi_id
        twins = list(dict.fromkeys(text(r.get("rootfi_id")) for r in records.get(item.number, [])
                                   if text(r.get("rootfi_id")) != ours
                                   and matching.same_record(run.model, item.body, r)))
        if twins:
            flags.append((item, f"Possible duplicate: rootfi_id {ours} and {' and '.join(map(str, twins))} — "
                                "void one in the platform"))
    return flags


def _hold_anyway_row(run: Run, item: Item, candidates: list[dict]) -> bool:
    """Hold a row marked `send anyway` that the platform shows as a record already (any record,
    the journal's too: one may have been edited there to this row's values since its hold
    named it), naming it; True when held. The person agreed to a new record although the row
    looks like the records they were shown, not to one the platform already has."""
    match = matching.find_match(run.model, item.body, candidates, set())
    if match is None:
        return False
    rootfi_id = match.get("rootfi_id")
    item.outcome = Outcome(
        Status.SKIPPED,
        f"Not sent, although marked {SEND_ANYWAY}: {run.platform} already has {describe(run.model, item.body)} "
        f"(rootfi_id {rootfi_id}) with this row's document number and {matching.what_matches(run.model)}, and "
        f"{SEND_ANYWAY} does not cover a record the platform already has. If this row is that record, type "
        f"{rootfi_id} into its rootfi_id column; if it is truly another one, give it its own document_number. "
        "Then submit again")
    run.tick(item, "held: already a record in the platform")
    return True


def _twin_groups(items: list[Item], budget: int = LOOKUP_QUERY_BUDGET, *,
                 whole_chunks_only: bool = False) -> list[list[Item]]:
    """The items in groups of whole lookup chunks (TWIN_GROUP_CHUNKS of them, asked at once),
    sorted by number: lookup() cuts each group's numbers into the very chunks it would cut
    from all of them, so grouping costs no request. whole_chunks_only: without the last
    chunk (it may be short; more records may join it later), and only groups of `size` chunks
    (an early check is worth a request only when it spares the end's check a whole round)."""
    by_number: dict[str, list[Item]] = {}
    for item in sorted(items, key=lambda item: str(item.number)):
        by_number.setdefault(str(item.number), []).append(item)
    chunks = list(chunk_for_lookup(by_number, budget))
    if whole_chunks_only:
        chunks = chunks[:-1]
    # Longer chunks, fewer: as many numbers. At least one chunk, however long the budget (the
    # client's budget is always positive: LOOKUP_QUERY_BUDGET or LONG_LOOKUP_BUDGET).
    size = max(1, TWIN_GROUP_CHUNKS * LOOKUP_QUERY_BUDGET // budget)
    starts = range(0, len(chunks), size)
    if whole_chunks_only:  # and whole groups: a part of one saves no round at the end, and costs a request
        starts = range(0, len(chunks) - size + 1, size)
    return [[item for chunk in chunks[start:start + size] for number in chunk
             for item in by_number[number]] for start in starts]


def _flag(run: Run, messages: list[tuple[Item, str]], flag: str) -> None:
    """Flag created records (one journal transaction for all), then their outcomes."""
    run.journal.settle({item.attempt_id: (CREATED, {"message": message, "error_code": flag})
                        for item, message in messages})
    for item, message in messages:
        item.outcome.message = message
        item.outcome.flag = flag
