"""The twin check looks for a second record with the same document number as one this
run created: a record with no number, or whose rootfi_id is not known, has nothing to be
compared by, so it is never flagged, not even when the check cannot run for the others
(its row would tell the accountant to search for document_number "None").

Validate requires a document number and every created answer carries an id, so the
engine's own runs never hold such a record: flag_twins is handed one directly."""

from __future__ import annotations

from rootfi_excel.errors import NetworkError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.context import TWIN_CHECK_FAILED, Item, Outcome, Run
from rootfi_excel.submission.journal import CREATED, Journal
from rootfi_excel.submission.platform_check import flag_twins
from tests.support.fake_api import FakeApi, engine

BASE = "https://api.example/v4"
MODEL = "invoice_payments"


class LookupsDown(FakeApi):
    def find_by_document_numbers(self, company_id, model, numbers):
        self.asked = [*getattr(self, "asked", []), *numbers]
        raise NetworkError("ConnectError (simulated)")


def test_only_records_with_a_number_and_an_id_are_flagged_when_the_twin_check_fails(tmp_path):
    api, journal = LookupsDown(), Journal(tmp_path / "j.sqlite3")
    bodies = [{"document_number": "CHQ-1"}, {"invoice_id": "INV-2"}, {"document_number": "CHQ-3"}]
    _, ids, _ = journal.begin(BASE, 1, MODEL, [(f"fp{i}", body.get("document_number"), body)
                                               for i, body in enumerate(bodies)])
    journal.update(ids, CREATED)
    items = [Item(position, body, f"fp{position}", attempt_id=attempt_id)
             for position, (body, attempt_id) in enumerate(zip(bodies, ids))]
    for item, rootfi_id in zip(items, ["R1", "R2", None]):
        item.outcome = Outcome(Status.CREATED, "", rootfi_id)
    run = Run(engine(api, journal, base_url=BASE), MODEL)
    run.created_now = items
    flag_twins(run)
    assert [item.outcome.flag for item in items] == [TWIN_CHECK_FAILED, None, None]
    assert api.asked == ["CHQ-1"]
    assert [a.error_code for a in journal.attempts()] == [TWIN_CHECK_FAILED, None, None]


def test_nothing_is_asked_when_no_created_record_has_a_number(tmp_path):
    api, journal = LookupsDown(), Journal(tmp_path / "j.sqlite3")
    _, (attempt_id,), _ = journal.begin(BASE, 1, MODEL, [("fp0", None, {"invoice_id": "INV-1"})])
    item = Item(0, {"invoice_id": "INV-1"}, "fp0", attempt_id=attempt_id)
    item.outcome = Outcome(Status.CREATED, "", "R1")
    run = Run(engine(api, journal, base_url=BASE), MODEL)
    run.created_now = [item]
    flag_twins(run)
    assert item.outcome.flag is None and not hasattr(api, "asked")
    assert run.warnings == []
