"""Row identity's decisions, one at a time, on inputs built directly (a journal, a Run, the
items) rather than whole workbooks: which earlier attempts are a row's own, when a row is
carried on, held by its own record, or held because it looks like a record of another row,
and what the summary says of records on no row. Each test fails when one small change is
made to the line that decides (submission/identity.py)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from rootfi_excel.errors import AuthError, NetworkError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import identity
from rootfi_excel.submission.context import POSSIBLE_DUPLICATE, Item, Run, Work
from rootfi_excel.submission.journal import (
    CREATED,
    FAILED,
    PENDING,
    PLACED_GONE,
    PLACED_ROW,
    PLACED_SHOWN,
    UNKNOWN,
    Journal,
    fingerprint,
)

BASE = "https://api.example/v4"
MODEL = "invoice_payments"
PLATFORM = "QuickBooks Online"


class Platform:
    """The client's lookup by rootfi_id (deleted records included): all identity asks of it."""

    def __init__(self, records=(), error: Exception | None = None) -> None:
        self.records = list(records)
        self.error = error
        self.asked: list[str] = []

    def iter_records(self, company_id, what, filters, model=None, include_deleted=False):
        assert include_deleted, "a deleted record must be seen as deleted, not as missing"
        operator, wanted = filters["rootfi_id"]
        wanted = [wanted] if operator == "eq" else list(wanted)  # "in": a list of them
        self.asked.extend(wanted)
        self.requests = getattr(self, "requests", 0) + 1
        if self.error is not None:
            raise self.error
        return [r for r in self.records if str(r["rootfi_id"]) in wanted]


def make_run(tmp_path, platform=None, workbook_id="wb-1", model=MODEL) -> Run:
    submitter = SimpleNamespace(
        client=platform if platform is not None else Platform(), journal=Journal(tmp_path / "j.sqlite3"),
        base_url=BASE, company_id=1, platform=PLATFORM, options=None, sleep=lambda s: None, clock=lambda: 0.0,
        now=lambda: dt.datetime(2026, 3, 31, tzinfo=dt.timezone.utc), deadline=1e12,
        progress=lambda *args: None, workbook="book.xlsx", workbook_id=workbook_id)
    run = Run(submitter, model)
    run.sheet = "payments"
    return run


def body(number="CHQ-1", invoice="INV-1", amount=100.0) -> dict:
    return {"document_number": number, "invoice_id": invoice, "amount": amount}


def fp(values: dict) -> str:
    return fingerprint(BASE, 1, MODEL, values)


def journalled(run: Run, values: dict, key: str | None, state=CREATED, rootfi_id="R1", workbook_id=None,
               placed=None, workbook=None, **fields):
    """An earlier attempt of `values` from the row with `key`, ended in `state`."""
    _, (attempt_id,), _ = run.journal.begin(
        BASE, 1, MODEL, [(fp(values), values["document_number"], values)], workbook=workbook,
        workbook_id=workbook_id or run.workbook_id, sheet=run.sheet, keys=[(key,)] if key else None)
    if rootfi_id and state == CREATED:
        fields["rootfi_id"] = rootfi_id
    run.journal.update([attempt_id], state, **fields)
    if placed:
        run.journal.place([attempt_id], placed)
    return next(a for a in run.journal.attempts() if a.id == attempt_id)


def item(values: dict, key: str | None = "k1", position=0, **more) -> Item:
    return Item(position, values, fp(values), keys=(key,) if key else (), **more)


def resumed_with(run, it, mine, work=None):
    calls = []
    decided = identity.carry_on(run, it, mine, work or Work(), lambda r, i, a, w: calls.append(a))
    return decided, calls


# ------------------------------------------------------------------ a row's own attempts


def test_own_attempts_are_found_by_row_key_within_this_workbook_and_sheet(tmp_path):
    run = make_run(tmp_path)
    first = journalled(run, body(), "k1", rootfi_id="R1")
    journalled(run, body("CHQ-9"), "k1", workbook_id="wb-other", rootfi_id="R9")  # another workbook's row k1
    second = journalled(run, body(amount=5.0), "k1", rootfi_id="R2")
    journalled(run, body("CHQ-2"), "k2", rootfi_id="R3")
    a, b = item(body(), "k1"), item(body("CHQ-5"), "k5")
    found = identity.own_attempts(run, [a, b])
    assert [x.id for x in found[id(a)]] == [first.id, second.id]  # its own, oldest first
    assert id(b) not in found


def test_own_attempts_need_a_workbook_id_and_a_sheet(tmp_path):
    run = make_run(tmp_path, workbook_id=None)
    journalled(run, body(), "k1", workbook_id="wb-1")
    assert identity.own_attempts(run, [item(body(), "k1")]) == {}
    run = make_run(tmp_path)
    run.sheet = None
    assert identity.own_attempts(run, [item(body(), "k1")]) == {}


def test_the_first_row_with_a_key_owns_its_attempts(tmp_path):
    run = make_run(tmp_path)
    journalled(run, body(), "k1")
    a, copy = item(body(), "k1", position=0), item(body(), "k1", position=1)  # a row pasted with its key
    found = identity.own_attempts(run, [a, copy])
    assert id(a) in found and id(copy) not in found


def test_a_row_with_its_sent_values_is_carried_on_with_its_newest_such_attempt(tmp_path):
    run = make_run(tmp_path)
    older = journalled(run, body(), "k1", state=UNKNOWN)
    newer = journalled(run, body(), "k1", state=PENDING, sync_id="S1")
    it = item(body())
    decided, calls = resumed_with(run, it, [older, newer])
    assert decided and [a.id for a in calls] == [newer.id]
    assert it.new_key is False and it.outcome is None


def test_a_failed_attempt_with_the_same_values_is_not_carried_on(tmp_path):
    run = make_run(tmp_path)
    failed = journalled(run, body(), "k1", state=FAILED, message="refused")
    it = item(body())
    decided, calls = resumed_with(run, it, [failed])
    assert decided is False and calls == [] and it.outcome is None
    assert it.new_key is True, "every attempt failed: checked as a new row is"


def test_a_row_changed_after_its_record_was_created_is_held_naming_the_record_and_what_changed(tmp_path):
    run = make_run(tmp_path)
    earlier = journalled(run, body(), "k1", rootfi_id="R7")
    later = journalled(run, body(), "k1", rootfi_id="R8")
    it = item(body(amount=150.0))
    decided, calls = resumed_with(run, it, [earlier, later])
    assert decided and calls == []
    assert it.outcome.status == Status.SKIPPED and it.own_record.id == later.id
    message = it.outcome.message
    assert "changed before the result reached it" in message and "rootfi_id R8" in message
    assert f"{PLATFORM} has amount 100.0" in message and "type R8 into its rootfi_id column" in message
    assert it.outcome.flag is None and run.tally == {"changed": 1}
    assert run.counts["skipped"] == 1


def test_a_row_whose_shown_record_was_removed_and_the_row_changed_says_so(tmp_path):
    run = make_run(tmp_path)
    shown = journalled(run, body(), "k1", rootfi_id="R7", placed=PLACED_ROW)
    it = item(body(amount=1.0))
    resumed_with(run, it, [shown])
    assert "then its rootfi_id was removed and the row changed" in it.outcome.message
    assert "before the result reached it" not in it.outcome.message


def test_a_held_row_keeps_its_records_possible_duplicate_flag(tmp_path):
    run = make_run(tmp_path)
    flagged = journalled(run, body(), "k1", rootfi_id="R7", error_code=POSSIBLE_DUPLICATE,
                         message="Possible duplicate: rootfi_id R7 and R6")
    it = item(body(amount=1.0))
    resumed_with(run, it, [flagged])
    assert it.outcome.flag == POSSIBLE_DUPLICATE
    assert it.outcome.message.endswith(". Possible duplicate: rootfi_id R7 and R6")


def test_a_created_attempt_without_a_rootfi_id_does_not_hold_the_row_as_created(tmp_path):
    run = make_run(tmp_path)
    nameless = journalled(run, body(), "k1", rootfi_id=None)  # created, its id never learnt
    it = item(body(amount=1.0))
    work = Work()
    decided, _ = resumed_with(run, it, [nameless], work)
    assert decided and it.outcome.status == Status.UNKNOWN, "waits: its record is settled first"
    assert work.lost and work.lost[0].attempt_id == nameless.id


def test_a_changed_row_waits_for_its_open_attempts_which_are_settled_first_once(tmp_path):
    run = make_run(tmp_path)
    pending = journalled(run, body(), "k1", state=PENDING, sync_id="S1")
    unknown = journalled(run, body(amount=2.0), "k1", state=UNKNOWN)
    seen = journalled(run, body(amount=3.0), "k1", state=UNKNOWN)
    work = Work()
    work.seen_attempts.add(seen.id)
    it = item(body(amount=4.0))
    decided, calls = resumed_with(run, it, [pending, unknown, seen], work)
    assert decided and calls == []
    assert it.outcome.status == Status.UNKNOWN
    assert "has no answer yet" in it.outcome.message and "amount" not in it.outcome.message
    assert [i.attempt_id for i in work.pending["S1"]] == [pending.id]  # a bulk write's: collected
    assert [i.attempt_id for i in work.lost] == [unknown.id]  # a lost answer's: reconciled
    assert {pending.id, unknown.id, seen.id} <= work.seen_attempts
    assert run.counts["unknown"] == 1


# ------------------------------------------------------------------ rows that look like a record


def fresh(run: Run, *items: Item) -> Work:
    work = Work()
    work.fresh = list(items)
    run.present_keys = {k for i in items for k in i.keys}
    return work


def test_a_new_row_with_the_values_of_a_record_of_a_deleted_row_is_held_until_a_person_says(tmp_path):
    platform = Platform([{"rootfi_id": "R1", **body()}])
    run = make_run(tmp_path, platform)
    journalled(run, body(), "gone-row", rootfi_id="R1")
    it = item(body(), "new-row")
    work = fresh(run, it)
    identity.hold_lookalikes(run, [it], work, [])
    assert it.outcome.status == Status.SKIPPED
    message = it.outcome.message
    assert "looks like payment CHQ-1 for invoice INV-1 (rootfi_id R1)" in message
    assert "for a row that is no longer in it" in message
    assert "type R1 into its rootfi_id column" in message and "delete rootfi_id R1 in" in message
    assert work.fresh == [], "a held row is not sent"
    assert run.counts["skipped"] == 1
    assert any(w.startswith("1 row was not sent: each looks like") for w in run.warnings)
    assert any("1 record created by an earlier Submit of this workbook is on no row" in w for w in run.warnings)


def test_a_row_with_send_anyway_or_its_own_key_is_not_held(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **body()}]))
    journalled(run, body(), "gone-row", rootfi_id="R1")
    anyway = item(body(number="CHQ-1-b"), "a", send_anyway=True)  # like R1 but its number: another payment
    known = item(body(), "b", new_key=False)
    work = fresh(run, anyway, known)
    identity.hold_lookalikes(run, [anyway, known], work, [])
    assert anyway.outcome is None and known.outcome is None
    assert work.fresh == [anyway, known]


def test_send_anyway_does_not_cover_a_record_with_the_rows_very_values(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **body()}]))
    journalled(run, body(), "lost-key", rootfi_id="R1")  # its result never reached the row
    anyway = item(body(), "a", send_anyway=True)
    work = fresh(run, anyway)
    identity.hold_lookalikes(run, [anyway], work, [])
    assert anyway.outcome.status == Status.SKIPPED and work.fresh == []
    assert anyway.outcome.message.startswith("Not sent, although marked send anyway: payment CHQ-1 for invoice "
                                             "INV-1 (rootfi_id R1)"), anyway.outcome.message
    assert "type R1 into its rootfi_id column" in anyway.outcome.message
    assert any("1 row was not sent although marked send anyway" in w for w in run.warnings)


def test_send_anyway_is_not_held_by_a_record_with_its_values_the_platform_shows_deleted(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", "rootfi_deleted_at": "2026-03-30T00:00:00Z", **body()}]))
    journalled(run, body(), "lost-key", rootfi_id="R1")
    anyway = item(body(), "a", send_anyway=True)
    work = fresh(run, anyway)
    identity.hold_lookalikes(run, [anyway], work, [])
    assert anyway.outcome is None and work.fresh == [anyway]


def test_send_anyway_waits_for_an_attempt_with_its_values_still_without_an_answer(tmp_path):
    run = make_run(tmp_path, Platform([]))
    open_attempt = journalled(run, body(), "lost-key", state=UNKNOWN, rootfi_id=None)
    anyway = item(body(), "a", send_anyway=True)
    work = fresh(run, anyway)
    identity.hold_lookalikes(run, [anyway], work, [])
    assert anyway.outcome.status == Status.SKIPPED and "has no answer yet" in anyway.outcome.message
    assert open_attempt.id in work.seen_attempts and [g.attempt_id for g in work.lost] == [open_attempt.id]


def test_a_record_the_platform_shows_deleted_holds_nothing_and_is_marked_gone(tmp_path):
    platform = Platform([{"rootfi_id": "R1", "rootfi_deleted_at": "2026-03-30T00:00:00Z", **body()}])
    run = make_run(tmp_path, platform)
    record = journalled(run, body(), "gone-row", rootfi_id="R1")
    it = item(body(), "new-row")
    work = fresh(run, it)
    identity.hold_lookalikes(run, [it], work, [])
    assert it.outcome is None and work.fresh == [it]
    assert next(a for a in run.journal.attempts() if a.id == record.id).placed == PLACED_GONE
    assert not run.warnings


def test_a_record_on_no_row_the_platform_no_longer_has_is_marked_gone_and_not_named(tmp_path):
    run = make_run(tmp_path, Platform([]))
    record = journalled(run, body(), "gone-row", rootfi_id="R1")
    identity.hold_lookalikes(run, [], fresh(run), [])
    assert next(a for a in run.journal.attempts() if a.id == record.id).placed == PLACED_GONE
    assert run.warnings == []


def test_records_on_no_row_are_named_and_deletion_offered_only_when_it_can_be_seen(tmp_path):
    run = make_run(tmp_path, Platform(error=NetworkError("lookup failed")))
    for n in range(7):
        journalled(run, body(f"CHQ-{n}", f"INV-{n}"), f"gone-{n}", rootfi_id=f"R{n}")
    identity.hold_lookalikes(run, [], fresh(run), [])
    (warning,) = run.warnings
    assert warning.startswith("7 records created by an earlier Submit of this workbook are on no row")
    assert "(rootfi_id R4)" in warning and "(rootfi_id R5)" not in warning and " and 2 more." in warning
    assert "could not be asked whether they are still there" in warning and "delete the record" not in warning


def test_one_record_on_no_row_that_is_there_offers_deleting_it(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **body()}]))
    journalled(run, body(), "gone-row", rootfi_id="R1")
    identity.hold_lookalikes(run, [], fresh(run), [])
    (warning,) = run.warnings
    assert warning.startswith("1 record created by an earlier Submit of this workbook is on no row")
    assert "more" not in warning and f"delete the record in {PLATFORM}" in warning


def test_a_record_shown_on_some_row_is_placed_and_not_named_on_no_row(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **body()}]))
    record = journalled(run, body(), "gone-row", rootfi_id="R1")
    other = journalled(run, body("CHQ-2", "INV-2"), "gone-row-2", rootfi_id="R2", state=FAILED)
    typed = SimpleNamespace(rootfi_id="R1", valid=True, already_sent=True, keys=("other",), request=None)
    identity.hold_lookalikes(run, [], fresh(run), [typed])
    assert run.warnings == []
    placed = {a.id: a.placed for a in run.journal.attempts()}
    assert placed[record.id] == PLACED_SHOWN and placed[other.id] is None


def test_a_row_of_the_sheet_does_not_orphan_its_own_record(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **body()}]))
    journalled(run, body(), "still-here", rootfi_id="R1")
    work = fresh(run)
    run.present_keys.add("still-here")  # its row is in the sheet (not sent in this run)
    identity.hold_lookalikes(run, [], work, [])
    assert run.warnings == []


def test_an_open_attempt_of_a_row_that_went_is_settled_and_a_lookalike_waits_for_it(tmp_path):
    run = make_run(tmp_path)
    pending = journalled(run, body(), "gone-row", state=PENDING, sync_id="S1")
    it = item(body(), "new-row")
    work = fresh(run, it)
    identity.hold_lookalikes(run, [it], work, [])
    assert [i.attempt_id for i in work.pending["S1"]] == [pending.id]
    assert it.outcome.status == Status.SKIPPED and "has no answer yet" in it.outcome.message
    assert run.counts["skipped"] == 1


def test_a_row_like_a_record_of_another_workbook_is_held_saying_so(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **body()}]))
    journalled(run, body(), "their-row", rootfi_id="R1", workbook_id="wb-other")
    it = item(body(), "new-row")
    work = fresh(run, it)
    identity.hold_lookalikes(run, [it], work, [])
    assert it.outcome.status == Status.SKIPPED and "of another workbook" in it.outcome.message


def test_a_row_with_the_number_of_a_record_of_a_row_still_here_is_held_as_another_rows(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **body()}]))
    journalled(run, body(amount=50.0), "renumbered-row", rootfi_id="R1")
    it = item(body(), "new-row")  # same number and invoice, other amount
    work = fresh(run, it)
    run.present_keys.add("renumbered-row")
    identity.hold_lookalikes(run, [it], work, [])
    assert it.outcome.status == Status.SKIPPED
    assert "of this workbook, for another row (changed since)" in it.outcome.message


def test_a_gone_record_of_a_row_still_here_does_not_hold_a_row_with_its_number(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **body()}]))
    journalled(run, body(amount=50.0), "renumbered-row", rootfi_id="R1", placed=PLACED_GONE)
    it = item(body(), "new-row")
    work = fresh(run, it)
    run.present_keys.add("renumbered-row")
    identity.hold_lookalikes(run, [it], work, [])
    assert it.outcome is None


def test_a_row_differing_only_by_number_from_a_record_on_no_row_is_held(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **body()}]))
    journalled(run, body("CHQ-1"), "gone-row", rootfi_id="R1")
    it = item(body("CHQ-1b"), "new-row")
    work = fresh(run, it)
    identity.hold_lookalikes(run, [it], work, [])
    assert it.outcome.status == Status.SKIPPED and "(rootfi_id R1)" in it.outcome.message


def test_a_row_unlike_every_record_is_not_held(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **body()}]))
    journalled(run, body("CHQ-1"), "gone-row", rootfi_id="R1")
    it = item(body("CHQ-2", amount=7.0), "new-row")
    work = fresh(run, it)
    identity.hold_lookalikes(run, [it], work, [])
    assert it.outcome is None and work.fresh == [it]


def test_a_row_held_by_its_own_record_also_names_other_records_it_looks_like(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **body()}, {"rootfi_id": "R2", **body()}]))
    own = journalled(run, body(amount=9.0), "k1", rootfi_id="R2")
    journalled(run, body(), "gone-row", rootfi_id="R1")
    it = item(body(), "k1")
    resumed_with(run, it, [own])
    assert it.own_record is not None
    identity.hold_lookalikes(run, [it], fresh(run, it), [])
    assert "It also looks like payment CHQ-1 for invoice INV-1 (rootfi_id R1)" in it.outcome.message
    assert "rootfi_id R2)" not in it.outcome.message.split("It also looks like")[1]
    assert any(w.startswith("1 row was not sent: each was created by an earlier Submit and then changed")
               for w in run.warnings)


def test_a_flagged_lookalike_passes_its_flag_to_the_held_row(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **body()}]))
    journalled(run, body(), "gone-row", rootfi_id="R1", error_code=POSSIBLE_DUPLICATE, message="Possible duplicate")
    it = item(body(), "new-row")
    identity.hold_lookalikes(run, [it], fresh(run, it), [])
    assert it.outcome.flag == POSSIBLE_DUPLICATE and it.outcome.message.endswith(". Possible duplicate")


def test_records_waiting_for_their_invalid_row_are_named_in_the_summary(tmp_path):
    run = make_run(tmp_path)
    journalled(run, body(), "bad-row", rootfi_id="R1")
    invalid = SimpleNamespace(rootfi_id=None, valid=False, already_sent=False, keys=("bad-row",), request=None,
                              rows=[SimpleNamespace(row_number=12)])
    run.present_keys = {"bad-row"}
    identity.hold_lookalikes(run, [], Work(), [invalid])
    (warning,) = run.warnings
    assert warning.startswith("1 record created by an earlier Submit waits for its row, invalid now: "
                              "payment CHQ-1 for invoice INV-1 (rootfi_id R1) for row 12")


def test_a_record_is_not_said_to_wait_for_a_row_that_already_shows_a_record(tmp_path):
    """An invalid row that shows a rootfi_id is never sent again (already sent), valid or not:
    a record made under its key will not reach it once the row is corrected, so the summary
    must not say it waits for that row."""
    run = make_run(tmp_path)
    journalled(run, body(), "shown-row", rootfi_id="R1")
    showing = SimpleNamespace(rootfi_id="R9", valid=False, already_sent=True, keys=("shown-row",), request=None,
                              rows=[SimpleNamespace(row_number=12)])
    run.present_keys = {"shown-row"}
    identity.hold_lookalikes(run, [], Work(), [showing])
    assert not [w for w in run.warnings if "wait" in w], run.warnings


def test_many_records_waiting_for_invalid_rows_are_counted_past_the_first_five(tmp_path):
    run = make_run(tmp_path)
    others = []
    for n in range(7):
        journalled(run, body(f"CHQ-{n}", f"INV-{n}"), f"bad-{n}", rootfi_id=f"R{n}")
        others.append(SimpleNamespace(rootfi_id=None, valid=False, already_sent=False, keys=(f"bad-{n}",),
                                      request=None, rows=[SimpleNamespace(row_number=10 + n)]))
    run.present_keys = {f"bad-{n}" for n in range(7)}
    identity.hold_lookalikes(run, [], Work(), others)
    (warning,) = run.warnings
    assert warning.startswith("7 records created by an earlier Submit wait for their rows, invalid now: ")
    assert "for row 14" in warning and "for row 15" not in warning
    assert "for row 14 and 2 more. Correct the row" in warning


def test_a_record_from_before_keys_whose_row_is_in_the_sheet_is_not_on_no_row(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **body()}, {"rootfi_id": "R2", **body("CHQ-2")}]))
    journalled(run, body(), None, rootfi_id="R1", workbook="book.xlsx")  # journalled before rows had keys
    journalled(run, body("CHQ-2"), None, rootfi_id="R2", workbook="book.xlsx")
    not_sent_now = SimpleNamespace(rootfi_id=None, valid=True, already_sent=False, keys=("k1",),
                                   request=SimpleNamespace(to_api=lambda: body()))
    identity.hold_lookalikes(run, [], fresh(run), [not_sent_now])
    (warning,) = run.warnings  # its row is still here (not sent now): only the other one is on no row
    assert warning.startswith("1 record created by an earlier Submit of this workbook is on no row")
    assert "(rootfi_id R2)" in warning and "(rootfi_id R1)" not in warning


def test_at_most_so_many_lookups_by_rootfi_id_in_one_run(tmp_path, monkeypatch):
    monkeypatch.setattr(identity, "MAX_ID_LOOKUPS", 2)
    platform = Platform([{"rootfi_id": f"R{n}", **body(f"CHQ-{n}", f"INV-{n}")} for n in range(4)])
    run = make_run(tmp_path, platform)
    for n in range(4):
        journalled(run, body(f"CHQ-{n}", f"INV-{n}"), f"gone-{n}", rootfi_id=f"R{n}")
    identity.hold_lookalikes(run, [], fresh(run), [])
    assert len(platform.asked) == 2 and platform.requests == 1  # asked together, in one list
    # The other two were not asked about in this Submit: the next one asks, so a deletion there is seen.
    assert "2 of them were not looked up in QuickBooks Online in this Submit" in run.warnings[0]
    assert "could not be asked" not in run.warnings[0] and "delete the record" in run.warnings[0]


# ------------------------------------------------------------------ the message and the lookup


def attempt_like(rootfi_id, workbook_id="wb-1", keys=("k",), values=None):
    return SimpleNamespace(rootfi_id=rootfi_id, workbook_id=workbook_id, keys=keys, payload=values or body())


@pytest.mark.parametrize("alike, where", [
    ([attempt_like("R1", keys=("gone",))], "for a row that is no longer in it"),
    ([attempt_like("R1", keys=("here",))], "for another row (changed since)"),
    ([attempt_like("R1", keys=("gone",)), attempt_like("R2", keys=("here",))], "of this workbook. If"),
    ([attempt_like("R1", keys=())], "of this workbook. If"),
    ([attempt_like("R1", workbook_id="wb-2"), attempt_like("R2", keys=("gone",))], "of this workbook, for a row"),
])
def test_held_message_says_where_the_records_came_from(tmp_path, alike, where):
    run = make_run(tmp_path)
    run.present_keys = {"here"}
    message = identity.held_message(run, [(a, identity.THERE, None) for a in alike])
    assert where in message


def test_held_message_for_several_unsure_records(tmp_path):
    run = make_run(tmp_path, model="invoice_credit_notes")
    alike = [(attempt_like("R1"), identity.UNSURE, "lookup failed"), (attempt_like("R2"), identity.THERE, None)]
    message = identity.held_message(run, alike)
    assert "each created by an earlier Submit" in message
    assert "If this row is one of them, type that record's rootfi_id" in message
    assert "if it is another credit note" in message
    assert "could not be asked whether they are still there (lookup failed)" in message
    assert "delete" not in message


def test_held_message_for_one_record_there_offers_its_deletion(tmp_path):
    run = make_run(tmp_path)
    message = identity.held_message(run, [(attempt_like("R1"), identity.THERE, None)])
    assert "type R1 into its rootfi_id column; if it is another payment" in message
    assert f"; or, if it should not exist, delete rootfi_id R1 in {PLATFORM}" in message


def test_find_by_rootfi_id(tmp_path):
    record = {"rootfi_id": 7, **body()}
    run = make_run(tmp_path, Platform([record]))
    assert identity.find_by_rootfi_id(run, "7") == (identity.THERE, record)
    assert identity.find_by_rootfi_id(run, None) == (identity.UNSURE, None)
    assert identity.find_by_rootfi_id(run, "8") == (identity.GONE, None)
    run.client = SimpleNamespace()  # a client that cannot look up by rootfi_id
    assert identity.find_by_rootfi_id(run, "7") == (identity.UNSURE, None)
    run.client = Platform(error=NetworkError("down"))
    state, detail = identity.find_by_rootfi_id(run, "7")
    assert state == identity.UNSURE and "down" in detail
    run.client = Platform(error=AuthError("key refused"))
    with pytest.raises(AuthError):
        identity.find_by_rootfi_id(run, "7")


def test_same_but_number_and_the_difference_shown():
    assert identity.same_but_number(body("A"), body("B"))
    assert not identity.same_but_number(body("A"), body("B", amount=1.0))
    assert identity._difference(MODEL, body(amount=5.0), body(amount=6.0)) == "amount 5.0"
    assert identity._difference(MODEL, {**body(), "raw_data": 1}, body()) == "other values"
    lines = {**body(), "lines": [{"amount": 1}]}
    assert identity._difference("invoice_credit_notes", lines, body()) == "lines"
    assert identity._difference(MODEL, lines, body()) == "other values"
    assert identity._difference(MODEL, {**lines, "amount": 2.0}, body()) == "amount 2.0, other values"
    assert identity._rows(1) == "1 row was" and identity._rows(3) == "3 rows were"


def test_a_new_row_like_a_record_still_there_is_held_though_it_also_looks_like_three_deleted_ones(tmp_path):
    """Four payments like each other but for their numbers, each created and its row deleted;
    three of them deleted in the platform since (duplicates removed there), the fourth still
    there. A new row like them all but for its number may be that fourth one."""
    deleted = {"rootfi_deleted_at": "2026-03-30T00:00:00Z"}
    records = [{"rootfi_id": f"R{n}", **body(f"CHQ-{n}"), **(deleted if n < 3 else {})} for n in range(4)]
    run = make_run(tmp_path, Platform(records))
    for n in range(4):
        journalled(run, body(f"CHQ-{n}"), f"gone-{n}", rootfi_id=f"R{n}", placed=PLACED_ROW)
    it = item(body("CHQ-9"), "new-row")
    it.new_key = True
    work = fresh(run, it)
    identity.hold_lookalikes(run, [it], work, [])
    assert it.outcome is not None and "(rootfi_id R3)" in it.outcome.message, (
        "sent: it looked only at the first three records it is like, all deleted")


def test_a_new_row_without_a_number_is_not_tied_to_a_record_by_its_invoice_alone(tmp_path):
    """Number and invoice together say "the same record"; with no number, the invoice alone is
    every payment of that invoice: a new part payment of it is not held by an earlier one."""
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **body("", amount=100.0)}]))
    journalled(run, body("", amount=100.0), "gone-row", rootfi_id="R1", placed=PLACED_ROW)
    it = item(body("", amount=250.0), "new-row")
    it.new_key = True
    work = fresh(run, it)
    identity.hold_lookalikes(run, [it], work, [])
    assert it.outcome is None and work.fresh == [it]


def test_rows_typed_again_for_records_the_platform_shows_deleted_are_all_released_in_one_submit(tmp_path):
    """A batch created, its rows deleted, deleted in the platform too, and typed again with its
    numbers corrected: every record is gone, so no row is held by one. The lookups by rootfi_id
    are capped per Submit (MAX_ID_LOOKUPS), so the rows past the cap are held as unsure, and each
    Submit releases only so many: a batch of 10,000 needs 500 Submits (benchmarks/bench_offrows.py)."""
    count = 25  # more than the 20 lookups by rootfi_id a Submit had
    records = [{"rootfi_id": f"R{n}", "rootfi_deleted_at": "2026-03-30T00:00:00Z", **body(f"CHQ-{n}", f"INV-{n}")}
               for n in range(count)]
    run = make_run(tmp_path, Platform(records))
    for n in range(count):
        journalled(run, body(f"CHQ-{n}", f"INV-{n}"), f"gone-{n}", rootfi_id=f"R{n}", placed=PLACED_ROW)
    items = [item(body(f"CHQ-{n}c", f"INV-{n}"), f"new-{n}", position=n) for n in range(count)]
    for it in items:
        it.new_key = True
    work = fresh(run, *items)
    identity.hold_lookalikes(run, items, work, [])
    held = [it.outcome.message for it in items if it.outcome is not None]
    assert not held, f"{len(held)} rows held by records the platform shows deleted: {held[0]}"
    assert run.client.requests == 1 and sorted(run.client.asked) == sorted(f"R{n}" for n in range(count))


def test_send_anyway_waits_for_another_workbooks_attempt_with_its_values_still_without_an_answer(tmp_path):
    """Another workbook's attempt of the row's very values, still without an answer (not an
    orphan of this workbook, so nothing else settles it): the row is held and that attempt is
    settled in this run (collected or looked up), so the next Submit knows whether it was made."""
    run = make_run(tmp_path, Platform([]))
    theirs = journalled(run, body(), "their-key", state=UNKNOWN, rootfi_id=None, workbook_id="wb-2",
                        workbook="april.xlsx")
    anyway = item(body(), "a", send_anyway=True)
    work = fresh(run, anyway)
    identity.hold_lookalikes(run, [anyway], work, [])
    assert anyway.outcome.status == Status.SKIPPED and "has no answer yet" in anyway.outcome.message
    assert [g.attempt_id for g in work.lost] == [theirs.id], "the open attempt was not settled in this run"
