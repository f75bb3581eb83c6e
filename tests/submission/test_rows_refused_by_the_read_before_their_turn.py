"""A row whose reference is read again just before its turn (the earlier read too old) and
found unusable is refused, never sent, and the rows after it still go out: one by one (a
short run) as in bulk writes, where a batch left with no row is no bulk write at all."""

from __future__ import annotations

from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.journal import Journal
from tests.support.fake_api import FakeApi, engine, pay, payments

MODEL = "invoice_payments"
VOID_INV_2 = {"INV-2": {"rootfi_id": 9, "platform_id": "INV-2", "status": "VOID", "document_number": "2",
                        "amount_due": 0}}


class VoidsDuringTheFirstCreate(FakeApi):
    """Each create takes 42 s; while the first is sent, someone voids INV-2."""

    def create(self, company_id, model, body):
        if not self.creates:
            self.references["invoices"] = dict(VOID_INV_2)
        self.clock.sleep(42.0)
        return super().create(company_id, model, body)


class VoidsDuringTheFirstBulkWrite(FakeApi):
    """Each bulk write takes 42 s; while the first is sent, someone voids INV-2."""

    def create_async(self, company_id, model, bodies):
        if not self.syncs:
            self.references["invoices"] = dict(VOID_INV_2)
        self.clock.sleep(42.0)
        return super().create_async(company_id, model, bodies)


def _rows(invoices: list[str]):
    return payments([pay(f"P-{n}", invoice, 1.0) for n, invoice in enumerate(invoices)])


def test_a_row_refused_by_the_read_before_its_turn_is_not_sent_and_the_next_rows_are(tmp_path):
    # Creates at 0 and 42 s; the read before the third row (84 s: the first read is too old)
    # finds INV-2 void; the fourth row still goes out.
    api, journal = VoidsDuringTheFirstCreate(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal, sync_threshold=10, check_twins=False).submit(
        MODEL, _rows(["INV-1", "INV-1", "INV-2", "INV-1"]))
    assert report.aborted is None, report.aborted
    statuses = [report.outcomes[n].status for n in range(4)]
    assert statuses == [Status.CREATED, Status.CREATED, Status.INVALID, Status.CREATED], statuses
    assert report.outcomes[2].message.startswith("invoice_id: invoice 2 (id INV-2) is void")
    assert api.creates == 3 and len(journal.attempts()) == 3


def test_a_batch_whose_rows_were_all_refused_by_the_read_before_it_is_no_bulk_write(tmp_path):
    # Bulk writes at 0 and 42 s; the read before the third batch (84 s) finds INV-2 void:
    # both its rows are refused, and the fourth batch goes out.
    api, journal = VoidsDuringTheFirstBulkWrite(), Journal(tmp_path / "j.sqlite3")
    report = engine(api, journal, batch_size=2, sync_threshold=1, check_twins=False).submit(
        MODEL, _rows(["INV-1"] * 4 + ["INV-2"] * 2 + ["INV-1"] * 2))
    assert report.aborted is None, report.aborted
    statuses = [report.outcomes[n].status for n in range(8)]
    assert statuses == [Status.CREATED] * 4 + [Status.INVALID] * 2 + [Status.CREATED] * 2, statuses
    assert len(api.syncs) == 3 and len(journal.attempts()) == 6
