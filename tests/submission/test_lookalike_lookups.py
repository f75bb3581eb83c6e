"""What the platform is asked about records new rows look like, and what a held row then says:
the records are asked about together (lists by rootfi_id, one request here), those it shows
deleted are journalled in one transaction and hold nothing; past the per-Submit cap a record is
said to be looked up by the next Submit (a deletion there is then seen, so it is offered); a
lookup that fails says a deletion would not be seen, and offers none. A record of another
workbook still waiting for its answer holds a row like it until it is settled."""

from __future__ import annotations

from rootfi_excel.errors import NetworkError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import identity
from rootfi_excel.submission.context import Item, Work
from rootfi_excel.submission.journal import CREATED, PLACED_GONE, PLACED_ROW, UNKNOWN, fingerprint
from tests.support.identity_runs import BASE, MODEL, PLATFORM, body, make_run


class Platform:
    """Answers lookups by rootfi_id (eq or in), deleted records included; counts requests."""

    def __init__(self, records=(), error=None) -> None:
        self.records, self.error, self.requests = list(records), error, 0

    def iter_records(self, company_id, what, filters, model=None, include_deleted=False):
        assert include_deleted
        self.requests += 1
        if self.error is not None:
            raise self.error
        operator, wanted = filters["rootfi_id"]
        wanted = {wanted} if operator == "eq" else set(wanted)
        return [r for r in self.records if str(r["rootfi_id"]) in wanted]


def journalled(run, values, key, rootfi_id, workbook_id=None, state=CREATED):
    _, (attempt_id,), _ = run.journal.begin(
        BASE, 1, MODEL, [(fingerprint(BASE, 1, MODEL, values), values["document_number"], values)],
        workbook=f"{workbook_id or run.workbook_id}.xlsx", workbook_id=workbook_id or run.workbook_id,
        sheet=run.sheet, keys=[(key,)])
    run.journal.update([attempt_id], state, **({"rootfi_id": rootfi_id} if state == CREATED else {}))
    run.journal.place([attempt_id], PLACED_ROW)
    return attempt_id


def new_rows(run, count, corrected="c"):
    items = [Item(n, body(f"CHQ-{n}{corrected}", n), fingerprint(BASE, 1, MODEL, body(f"CHQ-{n}{corrected}", n)),
                  keys=(f"new-{n}",), new_key=True) for n in range(count)]
    work = Work()
    work.fresh = list(items)
    run.present_keys = {f"new-{n}" for n in range(count)}
    return items, work


def test_records_shown_deleted_are_asked_about_together_and_journalled_in_one_transaction(tmp_path):
    count = 40
    platform = Platform([{"rootfi_id": f"R{n}", "rootfi_deleted_at": "2026-03-30T00:00:00Z"} for n in range(count)])
    run = make_run(tmp_path, platform)
    ids = [journalled(run, body(f"CHQ-{n}", n), f"gone-{n}", f"R{n}") for n in range(count)]
    items, work = new_rows(run, count)
    commits = run.journal.commits
    identity.hold_lookalikes(run, items, work, [])
    assert all(item.outcome is None for item in items) and len(work.fresh) == count
    assert platform.requests == 1 and run.journal.commits - commits == 1
    assert {a.placed for a in run.journal.attempts() if a.id in ids} == {PLACED_GONE}


def test_records_past_the_cap_are_said_to_be_looked_up_next_time_and_their_deletion_is_offered(tmp_path,
                                                                                             monkeypatch):
    monkeypatch.setattr(identity, "MAX_ID_LOOKUPS", 2)
    platform = Platform([{"rootfi_id": f"R{n}"} for n in range(4)])  # all still there
    run = make_run(tmp_path, platform)
    for n in range(4):
        journalled(run, body(f"CHQ-{n}", n), f"gone-{n}", f"R{n}")
    items, work = new_rows(run, 4)
    identity.hold_lookalikes(run, items, work, [])
    messages = [item.outcome.message for item in items]
    assert all(item.outcome.status == Status.SKIPPED for item in items) and platform.requests == 1
    for asked in messages[:2]:
        assert "not looked up" not in asked and "would not be seen" not in asked
    for later, n in zip(messages[2:], (2, 3)):
        assert (f"rootfi_id R{n} not looked up in {PLATFORM} in this Submit: more than 2 records to look up; "
                "the next Submit looks it up") in later, later
        assert f"delete rootfi_id R{n} in {PLATFORM}" in later and "would not be seen" not in later


def test_a_failed_lookup_says_a_deletion_would_not_be_seen_and_offers_none(tmp_path):
    run = make_run(tmp_path, Platform(error=NetworkError("the platform is down")))
    journalled(run, body("CHQ-0"), "gone-0", "R0")
    items, work = new_rows(run, 1)
    identity.hold_lookalikes(run, items, work, [])
    message = items[0].outcome.message
    assert items[0].outcome.status == Status.SKIPPED
    assert (f"{PLATFORM} could not be asked whether it is still there (Could not reach RootFi: the platform is "
            "down), so deleting it there would not be seen now") in message, message
    assert "delete rootfi_id" not in message


def test_a_record_of_another_workbook_still_waiting_for_its_answer_holds_a_row_like_it(tmp_path):
    run = make_run(tmp_path, Platform())
    attempt_id = journalled(run, body("CHQ-0"), "theirs", None, workbook_id="wb-2", state=UNKNOWN)
    items, work = new_rows(run, 1)
    identity.hold_lookalikes(run, items, work, [])
    assert items[0].outcome is not None and "has no answer yet" in items[0].outcome.message
    assert attempt_id in work.seen_attempts and [g.attempt_id for g in work.lost] == [attempt_id]  # settled first


def test_a_row_like_records_of_this_workbook_and_of_another_names_which_is_whose(tmp_path):
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1"}, {"rootfi_id": "R2"}]))
    journalled(run, body("CHQ-A"), "gone-here", "R1")
    journalled(run, body("CHQ-B"), "theirs", "R2", workbook_id="wb-2")
    items, work = new_rows(run, 1)
    identity.hold_lookalikes(run, items, work, [])
    message = items[0].outcome.message
    assert "(rootfi_id R1) and " in message and "(rootfi_id R2, of another workbook (wb-2.xlsx))" in message, message
    assert ("each created by an earlier Submit of this workbook, for a row that is no longer in it (or whose hidden "
            "row_key was cleared), or of the other workbook named.") in message, message
