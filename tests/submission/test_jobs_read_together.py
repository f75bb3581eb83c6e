"""The bulk writes one look finds finished have their jobs read together (a few at a time,
the rate limiter still pacing them), then each is settled on its own: every record from
its own job, one jobs list per bulk write, and a jobs list that cannot be read still
leaves its records to a lookup, never to a guess. Over HTTP against the sandbox."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from rootfi_excel.errors import ServerError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import collecting
from tests.support.submitting import VOLUME, fast_client, payment_units, submitter


def test_bulk_writes_finished_at_one_look_are_read_together_and_each_record_settled_by_its_job(
        make_sandbox, api_key, tmp_path, monkeypatch):
    sandbox = make_sandbox(job_shape="by-number", job_delay_ms=0, volume=(1400, 150))
    client = fast_client(sandbox, api_key)
    units = payment_units(client, VOLUME, 700, "QUICKBOOKS")
    engine, _ = submitter(client, tmp_path / "journal.sqlite3", sandbox, VOLUME, "QUICKBOOKS", batch_size=100)
    rounds: list[list[str]] = []
    threads: set[int] = set()
    read_jobs = collecting._read_jobs

    def spy(run, sync_id):
        threads.add(threading.get_ident())
        return read_jobs(run, sync_id)

    real = collecting._read_all_jobs
    monkeypatch.setattr(collecting, "_read_jobs", spy)
    monkeypatch.setattr(collecting, "_read_all_jobs", lambda run, ids: rounds.append(list(ids)) or real(run, ids))
    before = sandbox.requests_by_kind()
    report = engine.submit("invoice_payments", units)
    used = {kind: count - before.get(kind, 0) for kind, count in sandbox.requests_by_kind().items()}

    assert [o.status for o in report.outcomes.values()] == [Status.CREATED] * len(units)
    assert all(o.message == "" for o in report.outcomes.values())  # each learnt from its own job
    assert sandbox.count_records(VOLUME, "invoice_payments") == len(units)
    writes = used["write"]
    assert writes == 7 and used["jobs"] == writes  # one jobs list per bulk write, none read twice
    assert sorted(i for r in rounds for i in r) == sorted(set(i for r in rounds for i in r))
    assert len([i for r in rounds for i in r]) == writes
    assert any(len(r) > 1 for r in rounds) and len(threads) > 1  # several read at once, on several threads
    assert max(map(len, rounds)) <= collecting.LOOKUP_THREADS  # only a few syncs' jobs in memory at once


def test_a_jobs_list_that_cannot_be_read_among_several_leaves_its_records_to_a_lookup(
        make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(job_shape="by-number", job_delay_ms=0, volume=(1400, 150))
    client = fast_client(sandbox, api_key)
    units = payment_units(client, VOLUME, 500, "QUICKBOOKS")
    engine, _ = submitter(client, tmp_path / "journal.sqlite3", sandbox, VOLUME, "QUICKBOOKS", batch_size=100)
    asked: list[str] = []
    refused: list[str] = []
    lock = threading.Lock()
    list_jobs = client.list_sync_jobs

    def every_other(sync_id):  # what a server failing that one read would answer, after retries
        with lock:
            asked.append(sync_id)
            if len(asked) % 2 and len(refused) < 2:
                refused.append(sync_id)
                raise ServerError("the jobs could not be listed", status=503, path=f"/core/syncs/{sync_id}/jobs")
        return list_jobs(sync_id)

    client.list_sync_jobs = every_other
    report = engine.submit("invoice_payments", units)

    outcomes = list(report.outcomes.values())
    assert [o.status for o in outcomes] == [Status.CREATED] * len(units)
    assert sandbox.count_records(VOLUME, "invoice_payments") == len(units)  # nothing sent twice
    looked_up = [o for o in outcomes if o.message]
    assert len(refused) == 2 and len(looked_up) == 200  # the two bulk writes whose jobs were refused
    assert all(o.message.startswith(collecting.NOT_READ) for o in looked_up)
    assert all("lost" not in o.message for o in outcomes)


def test_the_jobs_of_two_bulk_writes_are_read_at_once(make_sandbox, api_key):
    """Two finished bulk writes: both jobs lists are being read at the same moment (each read
    waits at a barrier for the other), so RootFi's latency is paid once, not once a sync."""
    sandbox = make_sandbox(job_shape="by-number", job_delay_ms=0, volume=(40, 10))
    client = fast_client(sandbox, api_key)
    units = payment_units(client, VOLUME, 2, "QUICKBOOKS")
    sync_ids = [client.create_async(VOLUME, "invoice_payments", [unit.request.to_api()]) for unit in units]
    for sync_id in sync_ids:
        client.wait_for_sync(sync_id)
    both = threading.Barrier(2, timeout=10)
    list_jobs = client.list_sync_jobs

    def together(sync_id):
        both.wait()  # broken (an error) if the other read does not start while this one waits
        return list_jobs(sync_id)

    client.list_sync_jobs = together
    read = collecting._read_all_jobs(SimpleNamespace(client=client), sync_ids)
    assert list(read) == sync_ids
    assert all(len(jobs) == 1 and jobs[0].sync_id == sync_id for sync_id, jobs in read.items())
