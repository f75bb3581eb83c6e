"""A row held because a record like it, sent from another workbook, has no answer yet says
which workbook sent it: the accountant (in Excel, no terminal) never submitted this row, so
"an earlier Submit" alone points them at the wrong file."""

from __future__ import annotations

from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import identity
from rootfi_excel.submission.context import Item, Work
from rootfi_excel.submission.journal import UNKNOWN, fingerprint
from tests.support.identity_runs import BASE, MODEL, body, make_run


class Platform:
    def iter_records(self, company_id, what, filters, model=None, include_deleted=False):
        return []


def test_a_row_like_another_workbooks_record_still_waiting_names_that_workbook(tmp_path):
    run = make_run(tmp_path, Platform())
    values = body("CHQ-0")
    _, (attempt_id,), _ = run.journal.begin(BASE, 1, MODEL, [(fingerprint(BASE, 1, MODEL, values), "CHQ-0", values)],
                                            workbook="march.xlsx", workbook_id="wb-2", sheet="payments",
                                            keys=[("theirs-0",)])
    run.journal.update([attempt_id], UNKNOWN)
    item = Item(0, body("CHQ-0c"), fingerprint(BASE, 1, MODEL, body("CHQ-0c")), keys=("new-0",), new_key=True)
    work = Work()
    work.fresh = [item]
    run.present_keys = {"new-0"}
    identity.hold_lookalikes(run, [item], work, [])
    assert item.outcome is not None and item.outcome.status == Status.SKIPPED
    assert "march.xlsx" in item.outcome.message, item.outcome.message
