"""Which earlier attempts are a row's own (by its key), and which rows only look like a record made before.

Every row has a hidden key (sheets/layout.ROW_KEY) and every workbook an id (Settings
workbook_id); the journal keys each attempt by (workbook id, sheet, row key). So:

- **A row's own attempts decide.** Same values as sent: carried on (written back, collected,
  reconciled). Other values (the row was edited after it was sent, perhaps while Submit
  ran, or it is a copy that kept the key of a row deleted since): it is never sent again
  as it is, nor shown Created on a guess: held, its message naming the record and the
  ways out (its rootfi_id typed into the row: it is that record; `send anyway`: a new
  one). Still open: settled first.
- **A row never inherits another row's record.** A row whose key the journal does not know
  (new, keyless, re-keyed, pasted from another workbook) that *looks like* a record made
  before (same values, or the same but its document number, or the same document number)
  from a row that is not in the sheet, or from another workbook, is held (Skipped) with
  ways out that work now: type the record's rootfi_id into the row; type `send anyway`
  into its status; delete the record in the platform (offered only when the platform
  answers a lookup by rootfi_id: otherwise the next Submit could not see it gone).
  `send anyway` covers the records a row looks like, never one made from its very values
  (document number included): such a row is held, naming that record.
- **A record on no row is said.** A record of this workbook created for a row that went
  (deleted, emptied, its key cleared) before its result reached it is named in the
  summary with the same ways out, until a row shows it or the platform shows it deleted.

Attempts journalled before keys existed have no key: they are matched by fingerprint as
before (and then keyed to the row, `Journal.adopt`), or by document number (engine).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable

from rootfi_excel.api.answers import records_of
from rootfi_excel.api.client import chunk_for_lookup
from rootfi_excel.errors import AuthError, RootFiError
from rootfi_excel.sheets.layout import SEND_ANYWAY as _SEND_ANYWAY, Status
from rootfi_excel.submission import matching
from rootfi_excel.submission.context import Item, Outcome, Run, Work, describe, flag_of, ghost, text
from rootfi_excel.submission.journal import (
    CREATED,
    FAILED,
    OPEN_STATES,
    PENDING,
    PLACED_GONE,
    PLACED_SHOWN,
    Attempt,
    fingerprint,
    likeness,
    values_but_number,
)
from rootfi_excel.submission.lookups import lookup_budget
from rootfi_excel.validation.validate import Unit

GONE, THERE, UNSURE = "gone", "there", "unsure"
LATER = "later"  # not looked up in this run (more records than MAX_ID_LOOKUPS): the next run looks
# Records looked up by rootfi_id in one run (records on no row, records rows look like), asked in
# lists (`rootfi_id[in]`, up to 900 a list): about 20-30 requests at most.
MAX_ID_LOOKUPS = 18_000
MAX_ASKED_ALONE = 50  # records left out of a list's answer, asked about alone in one call (the rest: UNSURE)
SHOWN_IN_SUMMARY = 5  # records on no row named one by one in the summary; the rest are counted
SHOWN_IN_MESSAGE = 3  # records a held row looks like, named in its message


# ------------------------------------------------------------------ a row's own attempts

def own_attempts(run: Run, items: list[Item]) -> dict[int, list[Attempt]]:
    """{id(item): its own attempts, oldest first}: attempts of this workbook and sheet that
    carry one of its row keys (a credit note: any of its lines' keys)."""
    if not run.workbook_id or not run.sheet:
        return {}
    owner: dict[str, Item] = {}
    for item in items:
        for key in item.keys:
            owner.setdefault(key, item)
    found: dict[int, list[Attempt]] = {}
    for attempt in run.journal.of_keys(run.base_url, run.company_id, run.model, run.workbook_id, run.sheet,
                                       owner):
        item = next((owner[k] for k in attempt.keys if k in owner), None)
        if item is not None:
            found.setdefault(id(item), []).append(attempt)
    return found


def carry_on(run: Run, item: Item, mine: list[Attempt], work: Work,
             resume: Callable[[Run, Item, Attempt, Work], None]) -> bool:
    """Decide a row by its own attempts. False when they leave it to be sent (all failed): it
    is then checked as a new row is (hold_lookalikes)."""
    item.new_key = False
    same = [a for a in mine if a.fingerprint == item.fingerprint and a.state != FAILED]
    if same:
        resume(run, item, same[-1], work)
        return True
    created = [a for a in mine if a.state == CREATED and a.rootfi_id]
    if created:
        _created_before_the_change(run, item, created[-1])
        return True
    still_open = [a for a in mine if a.state in OPEN_STATES or a.state == CREATED]
    if still_open:
        for attempt in still_open:
            if attempt.id not in work.seen_attempts:
                settle_as_ghost(run, work, attempt)
        item.outcome = Outcome(
            Status.UNKNOWN,
            f"an earlier Submit of this row (as {describe(run.model, still_open[-1].payload)}) has no answer yet; "
            "it is checked first, so submit again to send this row as it is now (nothing was sent now)")
        run.tick(item, "waiting for an earlier attempt of this row")
        return True
    item.new_key = True  # every attempt under its key failed: no record is its own, so it is checked as a new row
    return False


def _created_before_the_change(run: Run, item: Item, attempt: Attempt) -> None:
    """The row's record exists, made from values the row no longer has: the row was edited
    (perhaps while Submit ran), or is a copy that took the key of a row deleted since. Which
    one, only a person can say: held, never sent and never shown Created on a guess."""
    what = describe(run.model, attempt.payload)
    changed = _difference(run.model, attempt.payload, item.body)
    if attempt.placed is None:  # its result never reached the row
        how = (f"this row was sent as {what} (rootfi_id {attempt.rootfi_id}) and changed before the result reached "
               f"it ({run.platform} has {changed})")
    else:  # it was on the row; someone removed its rootfi_id and changed the row since
        how = (f"this row was created as {what} (rootfi_id {attempt.rootfi_id}), then its rootfi_id was removed and "
               f"the row changed ({run.platform} has {changed})")
    item.outcome = Outcome(
        Status.SKIPPED,
        f"Not sent: {how}. If it is still that record, type {attempt.rootfi_id} into its rootfi_id column (and "
        f"correct the record in {run.platform}); if it is a new record, type {_SEND_ANYWAY} into its status column. "
        "Then submit again" + (f". {attempt.message}" if flag_of(attempt) else ""), flag=flag_of(attempt))
    item.own_record = attempt
    run.tick(item, "held: created before it was changed")
    run.tally["changed"] = run.tally.get("changed", 0) + 1


# ------------------------------------------------------------ rows that look like a record

def hold_lookalikes(run: Run, items: list[Item], work: Work, others: Iterable[Unit]) -> None:
    """Hold the fresh rows with new keys that look like a record made before; name the records
    of this workbook that are on no row. Runs after the journal pass, before the platform check."""
    _tell_own(run)
    others = list(others)
    shown = {text(unit.rootfi_id) for unit in others if unit.rootfi_id}
    attempts = run.journal.unplaced(run.base_url, run.company_id, run.model, run.workbook_id, run.sheet,
                                    run.workbook)
    run.journal.place([a.id for a in attempts if a.state == CREATED and a.rootfi_id in shown], PLACED_SHOWN)
    attempts = [a for a in attempts if not (a.state == CREATED and a.rootfi_id in shown)]
    own = {item.fingerprint for item in items}
    orphans = [a for a in attempts if a.id not in work.seen_attempts and not set(a.keys) & run.present_keys
               and not (not a.keys and a.fingerprint in own)]
    _tell_waiting(run, attempts, others)
    if any(not a.keys for a in orphans):  # attempts from before keys: a row not sent now may be theirs
        theirs = {fingerprint(run.base_url, run.company_id, run.model, unit.request.to_api()) for unit in others
                  if unit.request is not None and not unit.rootfi_id}
        orphans = [a for a in orphans if a.keys or a.fingerprint not in theirs]
    # Records whose row went after they reached it (deleted, or its key cleared): a new row that
    # looks like one may be that row again, typed or pasted back. Read only when there is such a row.
    # Records of other workbooks with a new row's values but its number: the row may be theirs, moved
    # (cut, or copied) into this workbook with its number corrected on the way.
    off_rows: list[Attempt] = []
    elsewhere: list[Attempt] = []
    new_rows = [item for item in work.fresh if item.new_key and not item.send_anyway]
    if new_rows:
        newest = getattr(run.journal, "newest_attempt", None)
        run.alike_checked_at = newest() if newest is not None else None
        off_rows = [a for a in run.journal.placed_off_rows(run.base_url, run.company_id, run.model, run.workbook_id,
                                                           run.sheet, run.present_keys)
                    if a.rootfi_id not in shown and a.id not in work.seen_attempts]
        elsewhere = [a for a in run.journal.alike_elsewhere(run.base_url, run.company_id, run.model, run.workbook_id,
                                                            {likeness(item.body) for item in new_rows},
                                                            (CREATED, *OPEN_STATES))
                     if a.rootfi_id not in shown and a.id not in work.seen_attempts]
    # `send anyway` covers the records a row was held for, never one made from its very values
    # (document number included): a colleague's Submit may have created it from this row since.
    anyway = {likeness(item.body) for item in work.fresh if item.send_anyway}
    identical = (run.journal.with_values(run.base_url, run.company_id, run.model, anyway, (CREATED, *OPEN_STATES))
                 if anyway else [])
    _Holder(run, work, orphans, off_rows + elsewhere, identical).hold(items)


def _tell_own(run: Run) -> None:
    """The summary's line for rows held by their own earlier record (the rows say the rest)."""
    if run.tally.get("changed"):
        run.warnings.append(f"{_rows(run.tally['changed'])} not sent: each was created by an earlier Submit and then "
                            f"changed (perhaps while it ran), so {run.platform} has other values; its message says "
                            "what to do")


def _tell_waiting(run: Run, attempts: list[Attempt], others: list[Unit]) -> None:
    """Records whose row is invalid now (a copy of it pasted, a cell made unreadable): they
    reach the row once it is valid again; until then the summary names them."""
    invalid = {key: unit for unit in others if not unit.valid and not unit.already_sent for key in unit.keys}
    waiting = [(a, invalid[k]) for a in attempts if a.state == CREATED and a.rootfi_id
               for k in a.keys[:1] if k in invalid]
    if waiting:
        named = "; ".join(f"{describe(run.model, a.payload)} (rootfi_id {a.rootfi_id}) for row "
                          f"{unit.rows[0].row_number}" for a, unit in waiting[:SHOWN_IN_SUMMARY])
        more = f" and {len(waiting) - SHOWN_IN_SUMMARY} more" if len(waiting) > SHOWN_IN_SUMMARY else ""
        run.warnings.append(f"{len(waiting)} record{'s' if len(waiting) > 1 else ''} created by an earlier Submit "
                            f"{'wait' if len(waiting) > 1 else 'waits'} for {'their rows' if len(waiting) > 1 else 'its row'}"
                            f", invalid now: {named}{more}. Correct the row (its message says how) and submit "
                            "again: the record is written back, not sent again")


class _Holder:
    def __init__(self, run: Run, work: Work, orphans: list[Attempt], off_rows: list[Attempt] = (),
                 identical: list[Attempt] = ()) -> None:
        self.run, self.work = run, work
        # (values but number, number) -> records of those very values (a credit note's lines in any order)
        self.identical: dict[tuple[str, str], list[Attempt]] = defaultdict(list)
        for attempt in identical:
            self.identical[_very_values(attempt.payload)].append(attempt)
        self.orphans = orphans  # records of this workbook on no row (created or still open)
        # records whose row went after they reached it, and records of other workbooks: only held against
        self.off_rows = list(off_rows)
        self._index: dict[tuple[str, Any], list[tuple[int, Attempt]]] | None = None  # _candidates_like
        self.found: dict[int, tuple[str, Any]] = {}  # attempt id -> what the platform says of it
        self.looked_up = 0  # records asked about in this run (MAX_ID_LOOKUPS)
        self.held = 0
        self.held_identical = 0

    def hold(self, items: list[Item]) -> None:
        run, work = self.run, self.work
        for attempt in [a for a in self.orphans if a.state != CREATED or not a.rootfi_id]:
            settle_as_ghost(run, work, attempt)  # a record still being made for a row that went
        candidates = [item for item in work.fresh if item.new_key and not item.send_anyway]
        alike = {id(item): self._alike(item) for item in candidates}
        held_by_own = [item for item in items if item.own_record is not None and item.outcome is not None]
        others = {id(item): self._others(item) for item in held_by_own}
        anyway = [item for item in work.fresh if item.send_anyway]
        # Every record the platform is asked about, asked together (lists by rootfi_id), before any decision.
        self._look_up([a for found in alike.values() if not _open(found) for a in found]
                      + [a for found in others.values() for a in found]
                      + [a for item in anyway if not _open(self.identical[_very_values(item.body)])
                         for a in self.identical[_very_values(item.body)]]
                      + [a for a in self.orphans if a.state == CREATED and a.rootfi_id])
        for item in candidates:
            self._hold_if_alike(item, alike[id(item)])
        for item in anyway:
            self._hold_if_identical(item, self.identical[_very_values(item.body)])
        for item in held_by_own:  # held by their own record: name what else they look like, so a person can tell
            self._name_others(item, others[id(item)])
        work.fresh = [item for item in work.fresh if item.outcome is None]
        self._tell()

    def _hold_if_alike(self, item: Item, alike: list[Attempt]) -> None:
        """Held while it looks like a record made before (every such record is named, so a person
        can tell which, if any, it is); a record the platform shows deleted holds nothing."""
        run = self.run
        still_open = _open(alike)
        if still_open:
            for attempt in still_open:
                if attempt.id not in self.work.seen_attempts:
                    settle_as_ghost(run, self.work, attempt)
            first = still_open[0]
            where = (f" from another workbook ({first.workbook or 'its name not noted'})"
                     if first.workbook_id and first.workbook_id != run.workbook_id else "")
            self._hold(item, f"Not sent: an earlier Submit of {describe(run.model, first.payload)}{where} has no "
                             "answer yet, and this row may be the same record; it is checked first, so submit "
                             "again (nothing is sent twice)")
            return
        there = []
        for attempt in alike:  # past records the platform shows deleted: a later one may be there
            if len(there) >= SHOWN_IN_MESSAGE:
                break
            state, detail = self._in_platform(attempt)
            if state != GONE:
                there.append((attempt, state, detail))
        if not there:
            return
        flags = [a for a, _, _ in there if flag_of(a)]
        self._hold(item, held_message(run, there) + "".join(f". {a.message}" for a in flags),
                   flag_of(flags[0]) if flags else None)

    def _hold_if_identical(self, item: Item, identical: list[Attempt]) -> None:
        """A row marked `send anyway` with the very values of a record made before (or perhaps made:
        no answer yet) is held, that record named: the person agreed to a new record although the
        row looks like the records they were shown, not to this one."""
        run = self.run
        still_open = _open(identical)
        if still_open:
            for attempt in still_open:
                if attempt.id not in self.work.seen_attempts:
                    settle_as_ghost(run, self.work, attempt)
            self._hold(item, f"Not sent, although marked {_SEND_ANYWAY}: an earlier Submit of "
                             f"{describe(run.model, still_open[0].payload)} with this row's very values (document "
                             "number included) has no answer yet; it is checked first, so submit again (nothing is "
                             "sent twice)", identical=True)
            return
        there = [a for a in identical if self._in_platform(a)[0] != GONE]
        if there:
            self._hold(item, identical_message(run, there[-1]), identical=True)

    def _others(self, item: Item) -> list[Attempt]:
        """The records a row held by its own record also looks like (the first few: they are named)."""
        others = [a for a in self._alike(item) if a.id != item.own_record.id and a.state == CREATED and a.rootfi_id]
        return others[:SHOWN_IN_MESSAGE]

    def _name_others(self, item: Item, others: list[Attempt]) -> None:
        others = [a for a in others if self._in_platform(a)[0] != GONE]
        if others:
            named = " and ".join(f"{describe(self.run.model, a.payload)} (rootfi_id {a.rootfi_id})" for a in others)
            item.outcome.message += (f". It also looks like {named}, created by an earlier Submit for a row not in this "
                                     "sheet: if it is that record, type that rootfi_id instead")

    def _alike(self, item: Item) -> list[Attempt]:
        """Records made before that this row (its key new) looks like: the same values, or the
        same document number (and invoice), of any row of any workbook; the same but the
        document number, of a record of this workbook on no row (never placed, or its row gone)."""
        run = self.run
        found = self._candidates_like(item)
        if item.number:
            key = matching.lookup_key(run.model, item.body)
            # Also a record of a row still here: this row is not that row (its key is new), yet it has that
            # record's number (the row was renumbered after it was created, and this one typed or pasted).
            found += [a for a in run.journal.with_number(run.base_url, run.company_id, run.model, item.number,
                                                         (CREATED, *OPEN_STATES))
                      if a.keys and a.placed != PLACED_GONE and matching.lookup_key(run.model, a.payload) == key]
        seen: set[int] = set()
        return [a for a in found if not (a.id in seen or seen.add(a.id))]

    def _candidates_like(self, item: Item) -> list[Attempt]:
        """The records on no row with this row's values, or the same but the number, or (with a
        number) its number and invoice: looked up by those keys, in the records' order. Indexed
        once: a sheet of new rows against a sheet of deleted ones would otherwise compare each
        with each."""
        if not self.orphans and not self.off_rows:
            return []
        if self._index is None:
            self._index = defaultdict(list)
            for position, attempt in enumerate((*self.orphans, *self.off_rows)):
                for key in (("fp", attempt.fingerprint), ("body", _canonical(attempt.payload)),
                            ("number", matching.lookup_key(self.run.model, attempt.payload))):
                    self._index[key].append((position, attempt))
        keys = [("fp", item.fingerprint), ("body", _canonical(item.body))]
        if item.number:
            keys.append(("number", matching.lookup_key(self.run.model, item.body)))
        found = dict(pair for key in keys for pair in self._index.get(key, ()))
        return [found[position] for position in sorted(found)]

    def _look_up(self, attempts: list[Attempt]) -> None:
        """Ask the platform about these records at once (lists by rootfi_id), at most MAX_ID_LOOKUPS
        in a run (the rest: LATER); those it shows deleted need no row from now on (journalled)."""
        wanted: dict[int, Attempt] = {}
        for attempt in attempts:
            if attempt.id not in self.found and attempt.rootfi_id:
                wanted.setdefault(attempt.id, attempt)
        room = max(MAX_ID_LOOKUPS - self.looked_up, 0)
        ids = list(dict.fromkeys(text(a.rootfi_id) for a in wanted.values()))
        asked, left = ids[:room], set(ids[room:])
        self.looked_up += len(asked)
        answers = find_by_rootfi_ids(self.run, asked)
        for attempt in wanted.values():
            rootfi_id = text(attempt.rootfi_id)
            if rootfi_id in left:
                self.found[attempt.id] = (LATER, f"more than {MAX_ID_LOOKUPS:,} records to look up in one Submit")
            else:
                self.found[attempt.id] = answers.get(rootfi_id, (UNSURE, None))
        self.run.journal.mark_gone([a.id for a in wanted.values() if self.found[a.id][0] == GONE])

    def _in_platform(self, attempt: Attempt) -> tuple[str, Any]:
        if attempt.id not in self.found:
            self._look_up([attempt])
        return self.found.get(attempt.id, (UNSURE, None))

    def _hold(self, item: Item, message: str, flag: str | None = None, identical: bool = False) -> None:
        item.outcome = Outcome(Status.SKIPPED, message, flag=flag)
        if identical:
            self.run.tick(item, "held: the very values of a record created before")
            self.held_identical += 1
            return
        self.run.tick(item, "held: looks like a record created before")
        self.held += 1

    def _tell(self) -> None:
        """The summary's lines: rows held, and records of this workbook that are on no row."""
        run = self.run
        if self.held:
            run.warnings.append(f"{_rows(self.held)} not sent: each looks like a record created by an earlier Submit "
                                "from a row that is not in this sheet; its message says which, and what to do")
        if self.held_identical:
            run.warnings.append(f"{_rows(self.held_identical)} not sent although marked {_SEND_ANYWAY}: each has the very "
                                "values, document number included, of a record created (or being created) by an "
                                "earlier Submit; its message says which, and what to do")
        lost = []
        for attempt in [a for a in self.orphans if a.state == CREATED and a.rootfi_id]:
            state, detail = self._in_platform(attempt)
            if state != GONE:
                lost.append((attempt, state, detail))
        if not lost:
            return
        named = "; ".join(f"{describe(run.model, a.payload)} (rootfi_id {a.rootfi_id})"
                          for a, _, _ in lost[:SHOWN_IN_SUMMARY])
        more = f" and {len(lost) - SHOWN_IN_SUMMARY} more" if len(lost) > SHOWN_IN_SUMMARY else ""
        can_see_deletion = all(state != UNSURE for _, state, _ in lost)
        later = sum(state == LATER for _, state, _ in lost)
        run.warnings.append(
            f"{len(lost)} record{'s' if len(lost) > 1 else ''} created by an earlier Submit of this workbook "
            f"{'are' if len(lost) > 1 else 'is'} on no row (the row was deleted, emptied or lost its hidden row_key "
            f"before the result reached it): {named}{more}. If a row is one of them, type its rootfi_id into that "
            "row's rootfi_id column" + (f"; if none is, delete the record in {run.platform} (the next Submit sees it "
                                        "gone)" if can_see_deletion else
                                        f"; {run.platform} could not be asked whether they are still there, so a "
                                        "deletion there cannot be seen: add a row for each with its rootfi_id "
                                        "to keep it on record")
            + (f". {later} of them {'was' if later == 1 else 'were'} not looked up in {run.platform} in this Submit "
               f"(more than {MAX_ID_LOOKUPS:,} records to look up): the next Submit looks them up"
               if later else ""))


def _very_values(body: dict[str, Any]) -> tuple[str, str]:
    """A record's very values, document number included, a credit note's lines in any order."""
    return likeness(body), str(body.get("document_number"))


def identical_message(run: Run, attempt: Attempt) -> str:
    """Why a `send anyway` row is held by a record with its very values, and the ways out."""
    if attempt.workbook_id and attempt.workbook_id != run.workbook_id:
        where = f"of another workbook ({_workbooks([(attempt, THERE, None)])})"
    elif attempt.keys and set(attempt.keys) & run.present_keys:
        where = "of this workbook, for another row of it"
    else:
        where = "of this workbook, for a row its result never reached (or that is no longer in it)"
    noun = "payment" if run.model == "invoice_payments" else "credit note"
    return (f"Not sent, although marked {_SEND_ANYWAY}: {describe(run.model, attempt.payload)} (rootfi_id "
            f"{attempt.rootfi_id}) was created by an earlier Submit {where} from exactly this row's values, "
            f"document number included, and {_SEND_ANYWAY} does not cover a record with the very same values. If "
            f"this row is that record, type {attempt.rootfi_id} into its rootfi_id column; if it is truly another "
            f"{noun}, give it its own document_number (and type {_SEND_ANYWAY} into its status column again if it "
            "is held). Then submit again")


def held_message(run: Run, alike: list[tuple[Attempt, str, Any]]) -> str:
    """Why a row is held (every record it looks like), and only the ways out that work now."""
    first = alike[0][0]
    elsewhere = [bool(a.workbook_id and a.workbook_id != run.workbook_id) for a, _, _ in alike]
    mixed = any(elsewhere) and not all(elsewhere)  # then each record of another workbook says so
    named = " and ".join(f"{describe(run.model, a.payload)} (rootfi_id {a.rootfi_id}"
                         + (f", of another workbook ({_workbooks([(a, s, d)])})" if mixed and other else "") + ")"
                         for (a, s, d), other in zip(alike, elsewhere))
    here = [a for (a, _, _), other in zip(alike, elsewhere) if not other]
    if not here:
        where = f"of another workbook ({_workbooks(alike)}), perhaps for this row before it was moved or copied here"
    elif all(a.keys and not set(a.keys) & run.present_keys for a in here):
        where = "of this workbook, for a row that is no longer in it (or whose hidden row_key was cleared)"
    elif all(a.keys and set(a.keys) & run.present_keys for a in here):
        where = "of this workbook, for another row (changed since)"
    else:
        where = "of this workbook"
    if mixed:
        where += ", or of the other workbook named"
    noun = "payment" if run.model == "invoice_payments" else "credit note"
    one = len(alike) == 1
    ways = (f"If this row is that record, type {first.rootfi_id} into its rootfi_id column" if one else
            "If this row is one of them, type that record's rootfi_id into its rootfi_id column")
    ways += f"; if it is another {noun}, type {_SEND_ANYWAY} into its status column"
    unsure = [(a, detail) for a, state, detail in alike if state == UNSURE]
    later = [a for a, state, _ in alike if state == LATER]
    if unsure:
        reason = next((f" ({detail})" for _, detail in unsure if detail), "")
        ways += (f". ({run.platform} could not be asked whether {'it is' if one else 'they are'} still there{reason}, "
                 "so deleting it there would not be seen now)")
    else:
        ways += (f"; or, if {'it' if one else 'they'} should not exist, delete "
                 + " and ".join(f"rootfi_id {a.rootfi_id}" for a, _, _ in alike) + f" in {run.platform}")
        if later:  # not asked about in this Submit (too many to ask at once): the next one asks
            ways += (f" ({' and '.join(f'rootfi_id {a.rootfi_id}' for a in later)} not looked up in {run.platform} "
                     f"in this Submit: more than {MAX_ID_LOOKUPS:,} records to look up; the next Submit looks "
                     f"{'it' if len(later) == 1 else 'them'} up)")
    created = "created by an earlier Submit" if one else "each created by an earlier Submit"
    return f"Not sent: this row looks like {named}, {created} {where}. {ways}. Then submit again"



def settle_as_ghost(run: Run, work: Work, attempt: Attempt) -> None:
    """Collect or reconcile an open attempt whose row is gone or changed: its answer is kept."""
    work.seen_attempts.add(attempt.id)
    item = ghost(run, attempt)
    if attempt.state == PENDING and attempt.sync_id:
        work.add_pending(item)
    else:
        work.lost.append(item)


def find_by_rootfi_id(run: Run, rootfi_id: str | None) -> tuple[str, Any]:
    """Is the record still in the platform? find_by_rootfi_ids for one."""
    return find_by_rootfi_ids(run, [rootfi_id] if rootfi_id else []).get(text(rootfi_id), (UNSURE, None))


def find_by_rootfi_ids(run: Run, rootfi_ids: Iterable[str]) -> dict[str, tuple[str, Any]]:
    """{rootfi_id: is the record still in the platform?}, asked in lists (deleted records
    included): GONE when the answer shows it deleted, or not at all when asked about alone;
    THERE with the record; UNSURE with the reason when the lookup cannot run or fails (then a
    deletion there cannot be seen). A record left out of a list's answer is not known deleted (a
    server may answer part of a long list): it is asked about alone, the first MAX_ASKED_ALONE."""
    wanted = list(dict.fromkeys(text(i) for i in rootfi_ids if i))
    if not wanted or (getattr(run.client, "find_by_rootfi_ids", None) is None
                      and getattr(run.client, "iter_records", None) is None):
        return {rootfi_id: (UNSURE, None) for rootfi_id in wanted}
    try:
        by_id = _records_by_id(run, wanted)
    except AuthError:
        raise
    except RootFiError as error:
        return {rootfi_id: (UNSURE, str(error)) for rootfi_id in wanted}
    found: dict[str, tuple[str, Any]] = {}
    left_out = [rootfi_id for rootfi_id in wanted if rootfi_id not in by_id] if len(wanted) > 1 else []
    for position, rootfi_id in enumerate(left_out):
        if position >= MAX_ASKED_ALONE:
            found[rootfi_id] = (UNSURE, f"left out of {run.platform}'s answer to a list of records; the next "
                                        "Submit asks again")
            continue
        try:
            by_id.update(_records_by_id(run, [rootfi_id]))
        except AuthError:
            raise
        except RootFiError as error:
            found[rootfi_id] = (UNSURE, str(error))
    for rootfi_id in wanted:
        if rootfi_id not in found:
            record = by_id.get(rootfi_id)
            found[rootfi_id] = (GONE, record) if record is None or record.get("rootfi_deleted_at") else (THERE, record)
    return found


def _records_by_id(run: Run, wanted: list[str]) -> dict[str, dict[str, Any]]:
    """The records answered for these rootfi_ids, by rootfi_id (records not asked for are left
    out). The client's own lookup where it has one (it asks again in shorter lists where a long
    one is refused); else its list of records, filtered the same way."""
    finder = getattr(run.client, "find_by_rootfi_ids", None)
    if finder is not None:
        records = finder(run.company_id, run.model, wanted)
    else:
        records = []
        for chunk in chunk_for_lookup(wanted, lookup_budget(run)):
            condition = ("eq", chunk[0]) if len(chunk) == 1 else ("in", chunk)
            records += records_of(run.client.iter_records(run.company_id, "list", {"rootfi_id": condition},
                                                          model=run.model, include_deleted=True), run.model)
    asked = set(wanted)
    by_id: dict[str, dict[str, Any]] = {}
    for record in records:  # a record answered twice, deleted and not: not known deleted (fail closed)
        rootfi_id = text(record.get("rootfi_id"))
        if rootfi_id in asked and (rootfi_id not in by_id or by_id[rootfi_id].get("rootfi_deleted_at")):
            by_id[rootfi_id] = record
    return by_id


def _open(alike: list[Attempt]) -> list[Attempt]:
    """The records of these that are still being made (no answer yet): they are settled first."""
    return [a for a in alike if a.state != CREATED or not a.rootfi_id]


def same_but_number(body: dict[str, Any], other: dict[str, Any]) -> bool:
    """The same record but for its document_number: every other value equal."""
    return _canonical(body) == _canonical(other)


def _difference(model: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    """'document_number X-1, amount 5.0' : the sent values the row no longer has."""
    names = [n for n in sorted(set(old) | set(new)) if n != "raw_data" and old.get(n) != new.get(n)]
    shown = [f"{n} {old.get(n)}" for n in names if not isinstance(old.get(n), (list, dict))]
    if any(isinstance(old.get(n), (list, dict)) for n in names):
        shown.append("lines" if model == "invoice_credit_notes" else "other values")
    return ", ".join(shown) or "other values"


def _workbooks(alike: list[tuple[Attempt, str, Any]]) -> str:
    """The file names the records were sent from, as the journal noted them."""
    names = list(dict.fromkeys(a.workbook for a, _, _ in alike if getattr(a, "workbook", None)))
    return ", ".join(names) if names else "its name not noted"


def _rows(count: int) -> str:
    return "1 row was" if count == 1 else f"{count} rows were"


def _canonical(body: dict[str, Any]) -> str:
    """Its values but the number, as the journal keeps their likeness (records across workbooks)."""
    return values_but_number(body)
