"""The twin check of the records already created goes out in the waits for the later bulk
writes of the run, not all after the last: each record is looked up once after it landed
(so it still sees a twin that landed before it), never while someone else's bulk write
may still be landing twins, and an early lookup that fails is asked again at the end."""

from __future__ import annotations

import pytest

from rootfi_excel.api.answers import Job, Sync
from rootfi_excel.api.client import chunk_for_lookup
from rootfi_excel.errors import ServerError
from rootfi_excel.sheets.layout import Status
from rootfi_excel.submission import collecting, platform_check
from rootfi_excel.submission.context import POSSIBLE_DUPLICATE, TWIN_CHECK_FAILED
from rootfi_excel.submission.journal import Journal
from tests.support.fake_api import FakeApi, engine, pay, payments

MODEL = "invoice_payments"
ROWS = 41
BATCH = 4
SECONDS_PER_BATCH = 4.0  # one worker: the n-th bulk write finishes 4 s after the one before


@pytest.fixture(autouse=True)
def small_groups(monkeypatch):
    """Groups of two chunks of three numbers (the lookup budget below): an early check asks a
    whole group, so 41 rows make several (at the real sizes a group is ~4,000 numbers)."""
    monkeypatch.setattr(platform_check, "LOOKUP_QUERY_BUDGET", 30)
    monkeypatch.setattr(platform_check, "TWIN_GROUP_CHUNKS", 2)


class SlowWorker(FakeApi):
    """Bulk writes that land one after another on the fake clock; a colleague's twin of
    some rows lands just before ours. Lookups are recorded with what was landed then."""

    def __init__(self, twins: set[str] = frozenset(), colleague_running_until: float | None = None) -> None:
        super().__init__()
        self.lookup_budget = 30  # three numbers per lookup: many chunks for few rows
        self.twins = set(twins)
        self.finish_at: dict[str, float] = {}
        self.batch_records: dict[str, list[dict]] = {}
        self.landed: set[str] = set()  # document numbers of our records that landed
        self.asked: list[tuple[float, list[str], bool, set[str]]] = []  # (time, numbers, after a send?, ours still running)
        self.colleague_running_until = colleague_running_until
        self.fail_lookups_after_send = 0

    def create_async(self, company_id, model, bodies):
        before = len(self.records)
        sync_id = super().create_async(company_id, model, bodies)
        self.batch_records[sync_id] = self.records[before:]
        del self.records[before:]  # not landed yet
        last = max(self.finish_at.values(), default=self.clock.now)
        self.finish_at[sync_id] = max(last, self.clock.now) + SECONDS_PER_BATCH
        return sync_id

    def _land(self) -> None:
        for sync_id, at in self.finish_at.items():
            if at <= self.clock.now and self.batch_records.get(sync_id):
                for record in self.batch_records.pop(sync_id):
                    if record["document_number"] in self.twins:  # the colleague's landed first
                        self.records.append(self._make({k: v for k, v in record.items()
                                                        if k not in ("rootfi_id", "platform_id")}))
                    self.records.append(record)
                    self.landed.add(record["document_number"])

    def _status(self, sync_id: str) -> str:
        if sync_id == "COLLEAGUE":
            return "RUNNING" if self.clock.now < self.colleague_running_until else "SUCCESS"
        return "SUCCESS" if self.finish_at[sync_id] <= self.clock.now else "RUNNING"

    def get_sync(self, sync_id):
        self._land()
        return Sync(sync_id=sync_id, status=self._status(sync_id))

    def list_sync_jobs(self, sync_id):
        self._land()
        assert self._status(sync_id) == "SUCCESS"
        return [Job.model_validate(job) for job in self.syncs[sync_id]]

    def list_company_syncs(self, company_id, job_type="PUSH"):
        self._land()
        syncs = [Sync.model_validate({"sync_id": s, "status": self._status(s), "job_type": "PUSH"})
                 for s in self.finish_at]
        if self.colleague_running_until is not None and self.finish_at:
            syncs.append(Sync.model_validate({"sync_id": "COLLEAGUE", "status": self._status("COLLEAGUE"),
                                              "job_type": "PUSH",
                                              "start_time": self.clock.server_now().isoformat()}))
        return syncs

    def find_by_document_numbers(self, company_id, model, numbers):
        self._land()
        sent = bool(self.finish_at)
        running = {s for s in self.finish_at if self._status(s) == "RUNNING"}
        self.asked.append((self.clock.now, list(numbers), sent, running))
        if sent and self.fail_lookups_after_send > 0:
            self.fail_lookups_after_send -= 1
            raise ServerError("the server answered 503 (simulated)", status=503)
        return super().find_by_document_numbers(company_id, model, numbers)


def rows() -> list[dict]:
    return [pay(f"CHQ-{n:03d}", "INV-1", 1.0) for n in range(ROWS)]


def submit(api: SlowWorker, tmp_path):
    return engine(api, Journal(tmp_path / "j.sqlite3"), batch_size=BATCH, twin_wait=120.0).submit(MODEL, payments(rows()))


def after_send(api: SlowWorker) -> list[tuple[float, list[str], bool, set[str]]]:
    return [ask for ask in api.asked if ask[2]]


def test_records_are_twin_checked_while_later_bulk_writes_run_each_after_it_landed(tmp_path):
    api = SlowWorker(twins={"CHQ-002", "CHQ-038"})  # a twin in the first bulk write, and in the last
    report = submit(api, tmp_path)

    assert [o.status for o in report.outcomes.values()].count(Status.CREATED) == ROWS
    early = [ask for ask in after_send(api) if ask[3]]
    assert early, "no twin lookup went out while our bulk writes were still running"
    asked_after_send = [n for ask in after_send(api) for n in ask[1]]
    assert sorted(asked_after_send) == sorted(f"CHQ-{n:03d}" for n in range(ROWS)), "each record checked once"
    whole = list(chunk_for_lookup(sorted(asked_after_send), api.lookup_budget))
    assert len(after_send(api)) == len(whole), "checking early cost lookups beyond one pass over every number"
    our_sync = {f"CHQ-{n:03d}": f"S{n // BATCH + 1}" for n in range(ROWS)}
    for when, numbers, _, running in after_send(api):
        assert not {our_sync[n] for n in numbers} & running, "a record was checked before its bulk write finished"
    flagged = {o.flag for o in report.outcomes.values()}
    duplicates = sorted(o.message for o in report.outcomes.values() if o.flag == POSSIBLE_DUPLICATE)
    assert flagged == {None, POSSIBLE_DUPLICATE} and len(duplicates) == 2, duplicates


def test_no_early_check_while_someone_elses_bulk_write_may_be_landing_twins(tmp_path):
    api = SlowWorker(twins={"CHQ-002"}, colleague_running_until=60.0)  # runs past our last bulk write
    report = submit(api, tmp_path)

    assert all(not ask[3] for ask in after_send(api)), "a twin lookup went out while a colleague's write ran"
    assert min(ask[0] for ask in after_send(api)) >= 60.0, "the twin check did not wait for the colleague's write"
    assert sum(o.flag == POSSIBLE_DUPLICATE for o in report.outcomes.values()) == 1


def test_an_early_lookup_that_fails_is_asked_again_at_the_end(tmp_path):
    api = SlowWorker(twins={"CHQ-002"})
    api.fail_lookups_after_send = 1  # the first twin lookup (an early one) answers 503
    report = submit(api, tmp_path)

    assert [ask for ask in after_send(api) if ask[3]], "the failing lookup was not an early one"
    assert not any(o.flag == TWIN_CHECK_FAILED for o in report.outcomes.values())
    assert sum(o.flag == POSSIBLE_DUPLICATE for o in report.outcomes.values()) == 1
    checked = [n for ask in after_send(api)[1:] for n in ask[1]]
    assert set(checked) == {f"CHQ-{n:03d}" for n in range(ROWS)}, "a record went unchecked"


def test_no_early_check_when_the_records_so_far_make_no_whole_group(tmp_path, monkeypatch):
    """An early check asks a whole group (one round of lookups) or nothing: a part of one would
    spare the end's check no round and cost a list of the company's bulk writes. With groups
    bigger than the run, every twin lookup is the end's, after our last bulk write."""
    monkeypatch.setattr(platform_check, "TWIN_GROUP_CHUNKS", 20)  # 60 numbers a group: more than the 41 rows
    api = SlowWorker(twins={"CHQ-002"})
    lists = []
    listing = api.list_company_syncs
    api.list_company_syncs = lambda *a, **k: lists.append(api.clock.now) or listing(*a, **k)
    report = submit(api, tmp_path)

    assert after_send(api) and all(not ask[3] for ask in after_send(api)), "a twin lookup went out early"
    assert sum(o.flag == POSSIBLE_DUPLICATE for o in report.outcomes.values()) == 1
    monkeypatch.setattr(platform_check, "TWIN_GROUP_CHUNKS", 2)
    again = SlowWorker(twins={"CHQ-002"})
    more = []
    listing_again = again.list_company_syncs
    again.list_company_syncs = lambda *a, **k: more.append(again.clock.now) or listing_again(*a, **k)
    submit(again, tmp_path / "again")
    assert len(lists) < len(more), "without early checks the run should list the company's bulk writes less"


def test_someone_elses_bulk_writes_are_listed_once_a_wait_however_many_groups_it_checks(tmp_path, monkeypatch):
    """Before the first early check of a wait the company's bulk writes are listed (is someone
    else's running?); the groups checked after it in the same wait need no list of their own (a
    write started since is the later one: its own check sees ours). One list a wait, not one a group."""
    monkeypatch.setattr(platform_check, "TWIN_GROUP_CHUNKS", 1)  # groups of one chunk: several in a wait
    lists_in_wait: list[int] = []
    groups_in_wait: list[int] = []
    real_wait, real_others, real_check = (collecting.check_twins_while_waiting, platform_check.others_may_be_running,
                                          platform_check._check_early)

    def wait(run, seconds):
        lists_in_wait.append(0)
        groups_in_wait.append(0)
        real_wait(run, seconds)

    def others(run, *, since):
        lists_in_wait[-1] += 1
        return real_others(run, since=since)

    def check(run, group):
        groups_in_wait[-1] += 1
        real_check(run, group)

    monkeypatch.setattr(collecting, "check_twins_while_waiting", wait)
    monkeypatch.setattr(platform_check, "others_may_be_running", others)
    monkeypatch.setattr(platform_check, "_check_early", check)
    report = submit(SlowWorker(twins={"CHQ-002"}), tmp_path)

    assert sum(o.flag == POSSIBLE_DUPLICATE for o in report.outcomes.values()) == 1
    assert max(groups_in_wait) >= 2, "no wait checked more than one group: the test shows nothing"
    assert max(lists_in_wait) == 1, f"the company's bulk writes were listed more than once in a wait: {lists_in_wait}"


def test_no_twin_lookup_goes_out_when_the_twin_check_is_off(tmp_path):
    """check_twins=False (the option that turns the check after sending off): no lookup after the
    first send at all, early or at the end, however long the waits between looks."""
    api = SlowWorker(twins={"CHQ-002"})
    engine(api, Journal(tmp_path / "j.sqlite3"), batch_size=BATCH, twin_wait=120.0,
           check_twins=False).submit(MODEL, payments(rows()))
    assert after_send(api) == []


def test_an_early_lookup_that_fails_ends_the_early_checks_of_the_run(tmp_path):
    """A twin lookup that fails while our bulk writes run is not tried again and again in the
    waits (a server in trouble is not asked more): the rest wait for the end's check."""
    api = SlowWorker(twins={"CHQ-002"})
    api.fail_lookups_after_send = 1
    submit(api, tmp_path)
    early = [ask for ask in after_send(api) if ask[3]]
    assert len(early) == 1, f"{len(early)} twin lookups went out while our writes ran, after the first failed"


def test_a_wait_with_early_twin_checks_lasts_what_was_asked(tmp_path, monkeypatch):
    """The time the early checks take is part of the wait between looks, not added to it: a
    look at our bulk writes comes as often as without them."""
    class SlowLookups(SlowWorker):
        def find_by_document_numbers(self, company_id, model, numbers):
            self.clock.sleep(0.25)  # each lookup takes a quarter of a second
            return super().find_by_document_numbers(company_id, model, numbers)

    waits = []
    real_wait = collecting.check_twins_while_waiting

    def wait(run, seconds):
        before = run.clock()
        real_wait(run, seconds)
        waits.append((seconds, run.clock() - before))

    monkeypatch.setattr(collecting, "check_twins_while_waiting", wait)
    api = SlowLookups(twins={"CHQ-002"})
    submit(api, tmp_path)
    assert [ask for ask in after_send(api) if ask[3]], "no early check: the test shows nothing"
    assert all(abs(took - asked) < 1e-6 for asked, took in waits if asked >= 0.25), waits
