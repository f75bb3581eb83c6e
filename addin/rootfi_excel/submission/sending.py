"""Sending: a few records one by one (synchronous, ids at once), many as bulk async
writes in batches. Each attempt is in the journal before its request goes out."""

from __future__ import annotations

from rootfi_excel.errors import ApiValidationError, OutcomeUnknownError, RootFiError
from rootfi_excel.submission import references
from rootfi_excel.submission.context import ALREADY_EXISTS, Item, Run, Work
from rootfi_excel.submission.journal import PENDING, UNKNOWN
from rootfi_excel.submission.lookups import settle_existing

TIME_LIMIT = "Not sent: Submit's time limit was reached before this row was sent; submit again"
SENT_ELSEWHERE = ("Not sent: another Submit on this computer is sending this row right now; submit again "
                  "when it has finished")


def send(run: Run, items: list[Item], work: Work) -> None:
    items = references.confirmed(run, items)  # every reference read from the platform now
    if len(items) <= run.options.sync_threshold:
        batches = [[item] for item in items]
    else:
        size = max(1, run.options.batch_size)
        batches = [items[start:start + size] for start in range(0, len(items), size)]
    for number, batch in enumerate(batches):
        if run.time_left() <= 0:  # nothing new goes out after the deadline
            run.skip([i for rest in batches[number:] for i in rest if i.outcome is None], TIME_LIMIT,
                     "not sent: time is up")
            return
        if references.stale(run, batch):  # read again (with the batches that fit in the same reads)
            references.confirmed(run, references.read_ahead(run, batches[number:]))
        batch = [item for item in batch if item.outcome is None]
        if not batch:
            continue
        if len(items) <= run.options.sync_threshold:
            _send_one(run, batch[0], work)
        else:
            _send_batch(run, batch, work)


def _begin(run: Run, items: list[Item], *, bulk: bool) -> list[Item]:
    """Journal the attempts; returns the items claimed (another process on this computer
    may have started sending some of them since this run read the journal)."""
    server_now = run.server_now()
    server_sent_at = server_now.isoformat() if server_now is not None else None
    batch_id, ids, sent_at = run.journal.begin(
        run.base_url, run.company_id, run.model, [(item.fingerprint, item.number, item.body) for item in items],
        server_sent_at=server_sent_at, bulk=bulk, basis=[item.basis for item in items], workbook=run.workbook,
        workbook_id=run.workbook_id, sheet=run.sheet, keys=[item.keys for item in items],
        alike_since=[run.alike_checked_at if item.new_key and not item.send_anyway else None for item in items])
    claimed = []
    for item, attempt_id in zip(items, ids):
        if attempt_id is None:
            run.skip([item], SENT_ELSEWHERE, "sent by another Submit")
            continue
        item.attempt_id, item.batch_id, item.sent_at, item.sync_id = attempt_id, batch_id, sent_at, None
        item.server_sent_at = server_sent_at
        item.looked_up_because = ""  # a new request: how its answer comes is yet to be seen
        item.bulk = bulk  # a bulk write of one record may land late all the same
        claimed.append(item)
    return claimed


def _send_one(run: Run, item: Item, work: Work) -> None:
    """Synchronous write of one record."""
    if not _begin(run, [item], bulk=False):
        return
    try:
        record = run.client.create(run.company_id, run.model, item.body)
    except OutcomeUnknownError as error:
        run.journal.update([item.attempt_id], UNKNOWN, message=str(error))
        work.lost.append(item)
        return
    except ApiValidationError as error:
        if error.code == ALREADY_EXISTS:
            settle_existing(run, [item], str(error))
        else:
            run.fail([item], error)
        return
    except RootFiError as error:  # auth, network, rate limit: the write was not processed
        run.not_sent([item], error)
        return
    run.created(item, record, message="")
    run.tick(item, "created")


def _send_batch(run: Run, batch: list[Item], work: Work) -> None:
    """One bulk async write."""
    batch = _begin(run, batch, bulk=True)
    if not batch:
        return
    ids = [item.attempt_id for item in batch]
    try:
        sync_id = run.client.create_async(run.company_id, run.model, [item.body for item in batch])
    except OutcomeUnknownError as error:
        run.journal.update(ids, UNKNOWN, message=str(error))
        work.lost += batch
        return
    except ApiValidationError as error:
        run.fail(batch, error)
        return
    except RootFiError as error:  # auth, network, rate limit: the write was not processed
        run.not_sent(batch, error)
        return
    run.journal.update(ids, PENDING, sync_id=sync_id)
    for item in batch:
        item.sync_id = sync_id
        work.add_pending(item)
    run.sent_bulk(len(batch))
