"""A long send reads its references again once per full request, not once per batch:
a batch that goes out after its read went stale is read again together with the
batches after it whose references fit in the same requests (references.read_ahead),
and those batches then go out on that read while it is fresh."""

from __future__ import annotations

from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission.journal import Journal
from rootfi_excel.submission.references import FRESH_FOR
from tests.support.fake_api import FakeApi, engine, pay, payments


class SlowWrites(FakeApi):
    def create_async(self, company_id, model, bodies):
        self.clock.sleep(FRESH_FOR * 0.7)  # each bulk write takes a while (the rate limit)
        return super().create_async(company_id, model, bodies)


def test_a_stale_read_is_renewed_for_the_batches_that_fit_in_the_same_request(tmp_path):
    api = SlowWrites()
    units = payments([pay(f"P-{n}", f"INV-{n % 2 + 1}", 1.0) for n in range(16)])  # 8 batches, 2 invoices
    with Journal(tmp_path / "j.sqlite3") as journal:
        report = engine(api, journal, batch_size=2, sync_threshold=1, check_twins=False,
                        time_limit=3600).submit("invoice_payments", units)
    assert [report.outcomes[i].status for i in range(16)] == [Status.CREATED] * 16
    # Writes at 0, 0.7, 1.4, ... x FRESH_FOR: a read serves the batch that needed it and the
    # next one, so the reads are the first and one before batches 3, 5 and 7 (one per batch
    # from the third on, 7 in all, when each re-read served its own batch only).
    assert api.reference_reads == 4


def test_a_record_voided_between_reads_still_stops_only_the_batches_read_after_it(tmp_path):
    class VoidsLater(SlowWrites):
        def create_async(self, company_id, model, bodies):
            if len(self.syncs) == 3:  # while the fourth is sent, someone voids INV-2
                self.references["invoices"] = {"INV-2": {"rootfi_id": 9, "platform_id": "INV-2", "status": "VOID",
                                                         "document_number": "2", "amount_due": 0}}
            return super().create_async(company_id, model, bodies)

    api = VoidsLater()
    units = payments([pay(f"P-{n}", f"INV-{n % 2 + 1}", 1.0) for n in range(16)])
    with Journal(tmp_path / "j.sqlite3") as journal:
        report = engine(api, journal, batch_size=2, sync_threshold=1, check_twins=False,
                        time_limit=3600).submit("invoice_payments", units)
    statuses = [report.outcomes[i].status for i in range(16)]
    # Every row on INV-2 sent after the read that saw it void is Invalid; none after it is sent.
    first_invalid = statuses.index(Status.INVALID)
    assert all(status == Status.CREATED for status in statuses[:first_invalid])
    assert all(statuses[n] == (Status.INVALID if n % 2 else Status.CREATED) for n in range(first_invalid, 16))
    assert report.outcomes[first_invalid].message.startswith("invoice_id: invoice 2 (id INV-2) is void")
