"""Records created but never written to a row ("unplaced"), matched to rows before sending.

A row changed while Submit ran (its document_number corrected, the file saved over) is
not written back, and its record is known to the journal only under its old values.
The next Submit knows the row by its new values, so the fingerprint and the lookup by
document number both miss that record. Before anything is sent, every unplaced attempt
of this workbook, model and place (`Journal.unplaced`) is matched to the rows:

- a row equal to it in everything but document_number is that record: Created, with its
  rootfi_id, and the row says the platform has it under the old number;
- a row that is only related to it (a payment of the same invoice or customer, a credit
  note of the same customer or invoice) could be the same record edited: it is held
  (Skipped, not sent) while the attempt stays unplaced, and its message names the old
  document number and rootfi_id, and the way out:
    * type that rootfi_id into the row that is the record: the row is Created, and the
      attempt is placed (a row of the workbook shows it);
    * or delete the record in the platform: once a lookup by its rootfi_id (deleted
      records included) says it is deleted, or not there at all, the attempt is released;
    * or correct it in the platform to the row's values: the lookup finds it, and the
      row is Created with it.
  An attempt still open (its answer lost, its bulk write running) is settled first, and
  the related row is held until the next Submit.

An attempt is placed once its Created result is written to a row (run.mark_placed, after
the workbook is saved), once a row shows its rootfi_id, or once the platform shows it
deleted. Attempts of another workbook are left alone: a workbook is known by its file name.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from rootfi_excel.api.answers import records_of
from rootfi_excel.api.errors import AuthError, RootFiError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import matching
from rootfi_excel.submission.context import Item, Outcome, Run, Work, describe, flag_of, ghost, text
from rootfi_excel.submission.journal import CREATED, PENDING, PLACED_GONE, PLACED_SHOWN, Attempt, fingerprint
from rootfi_excel.validation.validate import Unit

GONE, THERE, UNSURE = "gone", "there", "unsure"


def place_unplaced(run: Run, items: list[Item], work: Work, others: Iterable[Unit]) -> None:
    """Match the unplaced attempts of this workbook to the fresh items (work.fresh).

    others: the sheet's units not in this run. The rootfi_ids they show are placed, and an
    attempt of one of them (same fingerprint) is that row's own business."""
    attempts = run.journal.unplaced(run.base_url, run.company_id, run.model, run.workbook)
    if not attempts:
        return
    others = list(others)
    shown = {text(unit.rootfi_id) for unit in others if unit.rootfi_id}
    placed = [a.id for a in attempts if a.state == CREATED and a.rootfi_id in shown]
    run.journal.place(placed, PLACED_SHOWN)
    own = {item.fingerprint for item in items}
    waiting = [a for a in attempts
               if a.id not in placed and a.fingerprint not in own and a.id not in work.seen_attempts]
    if not waiting or not work.fresh:
        return
    theirs = {fingerprint(run.base_url, run.company_id, run.model, unit.request.to_api()) for unit in others
              if unit.request is not None and not unit.rootfi_id}  # only now: a sheet may have 50,000 rows
    waiting = [a for a in waiting if a.fingerprint not in theirs]
    if not waiting:
        return
    _Placer(run, work, waiting).match()


class _Placer:
    def __init__(self, run: Run, work: Work, waiting: list[Attempt]) -> None:
        self.run, self.work = run, work
        self.waiting = waiting  # unclaimed attempts; an attempt leaves when a row takes it or it is released
        self.settling: list[Attempt] = []  # open ones being settled this run: they hold related rows all the same
        self.found: dict[int, tuple[str, dict[str, Any] | None]] = {}  # attempt id -> what the platform says
        self.renamed = self.held = 0  # rows Created under an old number, rows held: for the summary

    def match(self) -> None:
        fresh = self.work.fresh
        for item in fresh:  # rows equal but for the number first: they take their attempt
            twin = next((a for a in self.waiting if same_but_number(a.payload, item.body)), None)
            if twin is not None:
                self._take(item, twin)
        for item in fresh:
            if item.outcome is None:
                self._hold_if_related(item)
        self.work.fresh = [item for item in fresh if item.outcome is None]
        self._tell()

    def _tell(self) -> None:
        """A line in the summary: the rows say the rest."""
        if self.renamed:
            self.run.warnings.append(f"{_rows(self.renamed)} created by an earlier Submit under another "
                                     "document_number (changed while it ran); the message says which, to correct it "
                                     f"in {self.run.platform}")
        if self.held:
            self.run.warnings.append(f"{_rows(self.held)} not sent: each may be a record created by an earlier "
                                     "Submit for a row changed while it ran; the message says what to do")

    def _take(self, item: Item, attempt: Attempt) -> None:
        run = self.run
        old = attempt.document_number
        if _created(attempt):
            self.waiting.remove(attempt)
            flag = flag_of(attempt)  # a twin found when it was created is still said
            item.outcome = Outcome(
                Status.CREATED,
                f"created by an earlier Submit as document_number {old} (rootfi_id {attempt.rootfi_id}), before "
                f"this row's number was changed; {run.platform} has it under {old}: correct the number there. "
                "Not sent again" + (f". {attempt.message}" if flag else ""),
                attempt.rootfi_id, attempt.platform_id, attempt.sync_id, attempt.sent_at, flag=flag,
                attempt_id=attempt.id)
            run.tick(item, "created before, under another number")
            self.renamed += 1
            return
        self._settle(attempt)
        self._hold(item, f"Not sent: an earlier Submit of {describe(run.model, attempt.payload)} (this row before "
                         "its document_number was changed) has no answer yet; it is checked first, so submit "
                         "again (nothing is sent twice)")

    def _hold_if_related(self, item: Item) -> None:
        run = self.run
        for attempt in [a for a in self.settling + self.waiting if related(run.model, a.payload, item.body)]:
            if not _created(attempt):
                if attempt in self.waiting:
                    self._settle(attempt)
                self._hold(item, f"Not sent: an earlier Submit of {describe(run.model, attempt.payload)} has no "
                                 "answer yet, and this row may be the same record changed; it is checked first, so "
                                 "submit again (nothing is sent twice)")
                return
            state, record = self._in_platform(attempt)
            if state == GONE:
                self.waiting.remove(attempt)
                run.journal.place([attempt.id], PLACED_GONE)
                continue
            if state == THERE and record is not None and matching.same_record(run.model, item.body, record):
                self.waiting.remove(attempt)  # corrected in the platform to this row's values: it is this row
                item.outcome = Outcome(Status.CREATED, f"already in {run.platform} (rootfi_id {attempt.rootfi_id}, "
                                       f"first created as document_number {attempt.document_number}); not sent again",
                                       attempt.rootfi_id, text(record.get("platform_id")) or attempt.platform_id,
                                       attempt.sync_id, attempt.sent_at, attempt_id=attempt.id)
                run.tick(item, "already in the platform")
                return
            unsure = (f" (RootFi could not be asked whether it is still there: {record})"
                      if state == UNSURE and record else "")
            flag = flag_of(attempt)  # a twin found when it was created: said on the row that holds it
            self._hold(item, held_message(run, attempt) + unsure + (f". {attempt.message}" if flag else ""), flag)
            return

    def _in_platform(self, attempt: Attempt) -> tuple[str, Any]:
        """GONE (deleted, or not there), THERE (with the record) or UNSURE (with the reason); asked once."""
        if attempt.id not in self.found:
            self.found[attempt.id] = find_by_rootfi_id(self.run, attempt.rootfi_id)
        return self.found[attempt.id]

    def _settle(self, attempt: Attempt) -> None:
        """Collect or reconcile an open attempt whose row is gone or changed (a ghost)."""
        self.waiting.remove(attempt)
        self.settling.append(attempt)
        self.work.seen_attempts.add(attempt.id)
        item = ghost(self.run, attempt)
        if attempt.state == PENDING and attempt.sync_id:
            self.work.add_pending(item)
        else:
            self.work.lost.append(item)

    def _hold(self, item: Item, message: str, flag: str | None = None) -> None:
        item.outcome = Outcome(Status.SKIPPED, message, flag=flag)
        self.run.tick(item, "held: may be a record created before")
        self.held += 1


def held_message(run: Run, attempt: Attempt) -> str:
    what = describe(run.model, attempt.payload)
    return (f"Not sent: {what} (rootfi_id {attempt.rootfi_id}) was created by an earlier Submit of this workbook "
            "but never written to a row (its row was changed or deleted while Submit ran), and this row may be "
            f"that record changed. If it is, type {attempt.rootfi_id} into this row's rootfi_id column (and correct "
            f"the record in {run.platform}); if it is not, delete rootfi_id {attempt.rootfi_id} in {run.platform}, "
            "or type it into the row that is that record. Then submit again")


def find_by_rootfi_id(run: Run, rootfi_id: str | None) -> tuple[str, Any]:
    """Is the record still in the platform? GONE when a lookup by its rootfi_id (deleted
    records included) shows it deleted or not at all; THERE with the record; UNSURE with
    the reason when the lookup cannot run (the attempt then keeps holding its rows)."""
    iter_records = getattr(run.client, "iter_records", None)
    if not rootfi_id or iter_records is None:
        return UNSURE, None
    try:
        records = records_of(iter_records(run.company_id, "list", {"rootfi_id": ("eq", rootfi_id)}, model=run.model,
                                          include_deleted=True), run.model)
    except AuthError:
        raise
    except RootFiError as error:
        return UNSURE, str(error)
    record = next((r for r in records if text(r.get("rootfi_id")) == text(rootfi_id)), None)
    if record is None or record.get("rootfi_deleted_at"):
        return GONE, record
    return THERE, record


def same_but_number(body: dict[str, Any], other: dict[str, Any]) -> bool:
    """The same record but for its document_number: every other value equal."""
    return _canonical(body) == _canonical(other)


def related(model: str, body: dict[str, Any], other: dict[str, Any]) -> bool:
    """Could `other` be `body` edited? A payment of the same invoice or customer; a credit
    note of the same customer or one of the same invoices."""
    def same(name: str) -> bool:
        return bool(body.get(name)) and str(body.get(name)) == str(other.get(name) or "")

    if model == "invoice_payments":
        return same("invoice_id") or same("contact_id")
    return same("contact_id") or bool(set(body.get("invoice_ids") or []) & set(other.get("invoice_ids") or []))


def _rows(count: int) -> str:
    return "1 row was" if count == 1 else f"{count} rows were"


def _created(attempt: Attempt) -> bool:
    return attempt.state == CREATED and bool(attempt.rootfi_id)


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in body.items() if k != "document_number"}, sort_keys=True, default=str)
