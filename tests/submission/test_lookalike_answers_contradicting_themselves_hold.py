"""An answer that says a record both deleted and still there (the same rootfi_id twice, once
with rootfi_deleted_at) does not release the rows like it: when unsure, do not send. Whichever
copy comes first, the record is taken as still there (or unsure), never as deleted."""

from __future__ import annotations

from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import identity
from rootfi_excel.submission.context import Item, Work
from rootfi_excel.submission.journal import CREATED, PLACED_ROW, fingerprint
from tests.support.identity_runs import BASE, MODEL, body, make_run


class TwoFacedPlatform:
    """Answers each rootfi_id asked with two copies of its record: one deleted, one not, in
    this order (a hostile or inconsistent server: a replica behind, a merge of two pages)."""

    def __init__(self, ids) -> None:
        self.ids = list(ids)

    def iter_records(self, company_id, what, filters, model=None, include_deleted=False):
        operator, wanted = filters["rootfi_id"]
        wanted = {wanted} if operator == "eq" else set(wanted)
        return [copy for i in self.ids if i in wanted
                for copy in ({"rootfi_id": i, "rootfi_deleted_at": "2026-03-30T00:00:00Z"}, {"rootfi_id": i})]


def test_a_record_answered_both_deleted_and_there_still_holds_the_row_like_it(tmp_path):
    run = make_run(tmp_path, TwoFacedPlatform(["R0"]))
    values = body("CHQ-0")
    _, (attempt_id,), _ = run.journal.begin(BASE, 1, MODEL, [(fingerprint(BASE, 1, MODEL, values), "CHQ-0", values)],
                                            workbook="march.xlsx", workbook_id="wb-2", sheet="payments",
                                            keys=[("theirs-0",)])
    run.journal.update([attempt_id], CREATED, rootfi_id="R0")
    run.journal.place([attempt_id], PLACED_ROW)
    item = Item(0, body("CHQ-0c"), fingerprint(BASE, 1, MODEL, body("CHQ-0c")), keys=("new-0",), new_key=True)
    work = Work()
    work.fresh = [item]
    run.present_keys = {"new-0"}
    identity.hold_lookalikes(run, [item], work, [])
    assert work.fresh == [] and item.outcome is not None and item.outcome.status == Status.SKIPPED
    assert [a.placed for a in run.journal.attempts() if a.id == attempt_id] == [PLACED_ROW]
