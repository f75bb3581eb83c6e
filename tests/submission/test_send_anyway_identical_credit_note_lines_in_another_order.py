"""`send anyway` never covers a record made from a row's very values: for a credit note, its
lines in another order are the same values (the journal's likeness already sorts them; a
person sorting the sheet reorders a credit note's lines without changing the record). Inputs
built directly (a journal, a Run, the items), as in the identity decision tests."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import identity
from rootfi_excel.submission.context import Item, Run, Work
from rootfi_excel.submission.journal import CREATED, Journal, fingerprint

BASE = "https://api.example/v4"
MODEL = "invoice_credit_notes"
LINE_A = {"description": "Widgets returned", "quantity": 2.0, "unit_amount": 10.0}
LINE_B = {"description": "Freight refund", "quantity": 1.0, "unit_amount": 5.0}


class Platform:
    """The client's lookup by rootfi_id (deleted records included)."""

    def __init__(self, records) -> None:
        self.records = list(records)

    def iter_records(self, company_id, what, filters, model=None, include_deleted=False):
        operator, wanted = filters["rootfi_id"]
        wanted = [wanted] if operator == "eq" else list(wanted)
        return [r for r in self.records if str(r["rootfi_id"]) in wanted]


def make_run(tmp_path, platform) -> Run:
    submitter = SimpleNamespace(
        client=platform, journal=Journal(tmp_path / "j.sqlite3"), base_url=BASE, company_id=1,
        platform="QuickBooks Online", options=None, sleep=lambda s: None, clock=lambda: 0.0,
        now=lambda: dt.datetime(2026, 3, 31, tzinfo=dt.timezone.utc), deadline=1e12,
        progress=lambda *args: None, workbook="book.xlsx", workbook_id="wb-1")
    run = Run(submitter, MODEL)
    run.sheet = "credit_note_lines"
    return run


def credit_note(*lines) -> dict:
    return {"document_number": "CN-1", "contact_id": "C-1", "posted_date": "2026-03-01",
            "line_items": [dict(line) for line in lines]}


def test_a_send_anyway_credit_note_with_an_earlier_records_lines_in_another_order_is_held(tmp_path):
    created = credit_note(LINE_A, LINE_B)
    run = make_run(tmp_path, Platform([{"rootfi_id": "R1", **created}]))
    _, (attempt_id,), _ = run.journal.begin(BASE, 1, MODEL, [(fingerprint(BASE, 1, MODEL, created), "CN-1", created)],
                                            workbook="book.xlsx", workbook_id="wb-1", sheet=run.sheet,
                                            keys=[("lost-key",)])
    run.journal.update([attempt_id], CREATED, rootfi_id="R1")  # its result never reached the row
    resorted = credit_note(LINE_B, LINE_A)  # the same credit note, the sheet sorted since
    anyway = Item(0, resorted, fingerprint(BASE, 1, MODEL, resorted), keys=("a",), send_anyway=True)
    work = Work()
    work.fresh = [anyway]
    run.present_keys = {"a"}
    identity.hold_lookalikes(run, [anyway], work, [])
    assert anyway.outcome is not None and anyway.outcome.status == Status.SKIPPED, \
        "sent again: a second credit note CN-1 identical to R1, which the person never saw"
    assert "(rootfi_id R1)" in anyway.outcome.message and work.fresh == []
