"""A record asked about in a list (`rootfi_id[in]`) and left out of the answer is not known
to be deleted: a server (or a proxy) that answers only part of a long list, silently, must not
release the rows held by the records it left out, nor mark those records deleted in the
journal (which would stop them holding any row again). Fail closed: a record missing from a
list's answer is asked about alone before it is taken for gone; until then it holds."""

from __future__ import annotations

from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import identity
from rootfi_excel.submission.context import Item, Work
from rootfi_excel.submission.journal import CREATED, PLACED_GONE, PLACED_ROW, fingerprint
from tests.support.identity_runs import BASE, MODEL, body, make_run


class CappedPlatform:
    """Every record is still there; a list (`in`) is answered for its first `cap` ids only,
    without a word (as an API that caps `in` lists silently does); one id (`eq`) is answered."""

    def __init__(self, ids, cap) -> None:
        self.records, self.cap, self.requests = [{"rootfi_id": i} for i in ids], cap, []

    def iter_records(self, company_id, what, filters, model=None, include_deleted=False):
        operator, wanted = filters["rootfi_id"]
        self.requests.append((operator, wanted))
        wanted = {wanted} if operator == "eq" else set(list(wanted)[:self.cap])
        return [r for r in self.records if str(r["rootfi_id"]) in wanted]


def test_records_of_another_workbook_left_out_of_a_list_answer_still_hold_the_rows_like_them(tmp_path):
    count = 5
    ids = [f"R{n}" for n in range(count)]
    platform = CappedPlatform(ids, cap=2)
    run = make_run(tmp_path, platform)
    theirs = []
    for n in range(count):  # another workbook's records, on their rows there, all still in the platform
        values = body(f"CHQ-{n}", n)
        _, (attempt_id,), _ = run.journal.begin(BASE, 1, MODEL, [(fingerprint(BASE, 1, MODEL, values), values[
            "document_number"], values)], workbook="march.xlsx", workbook_id="wb-2", sheet="payments",
            keys=[(f"theirs-{n}",)])
        run.journal.update([attempt_id], CREATED, rootfi_id=ids[n])
        run.journal.place([attempt_id], PLACED_ROW)
        theirs.append(attempt_id)
    # The same payments copied into this workbook, their numbers corrected on the way.
    items = [Item(n, body(f"CHQ-{n}c", n), fingerprint(BASE, 1, MODEL, body(f"CHQ-{n}c", n)),
                  keys=(f"new-{n}",), new_key=True) for n in range(count)]
    work = Work()
    work.fresh = list(items)
    run.present_keys = {f"new-{n}" for n in range(count)}
    identity.hold_lookalikes(run, items, work, [])
    sent = [item.position for item in work.fresh]
    assert sent == [], f"rows {sent} would be sent as new records though their look-alikes are still there"
    assert all(item.outcome is not None and item.outcome.status == Status.SKIPPED for item in items)
    placed = {a.id: a.placed for a in run.journal.attempts() if a.id in theirs}
    assert PLACED_GONE not in placed.values(), placed  # the other workbook's records never marked deleted
