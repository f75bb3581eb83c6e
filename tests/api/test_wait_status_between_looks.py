"""A long wait between two looks at running bulk writes keeps the status line moving: it
says what the last look saw and the time waited at least every TELL_EVERY seconds, and
asks RootFi nothing more for it."""

from __future__ import annotations

from rootfi_excel.api.answers import Sync
from rootfi_excel.api.polling import TELL_EVERY, WaitState, poll_syncs


def test_a_long_wait_between_looks_tells_the_time_waited_without_a_request():
    answers = iter([{"status": "RUNNING", "success_count": 2, "total_count": 10},
                    {"status": "RUNNING", "success_count": 6, "total_count": 10},
                    {"status": "SUCCESS", "success_count": 10, "total_count": 10}])
    now = [0.0]
    reads: list[float] = []
    states: list[WaitState] = []

    def read(ids):
        reads.append(now[0])
        return {i: Sync(sync_id=i, **next(answers)) for i in ids}

    def sleep(seconds):
        assert seconds <= TELL_EVERY
        now[0] += seconds

    poll = poll_syncs(None, ["a"], until=1000, clock=lambda: now[0], sleep=sleep, read_round=read,
                      first_poll=9.0, growth=1.0, on_wait=states.append)
    assert "a" in poll.finished
    assert reads == [0.0, 9.0, 18.0]  # the looks, 9 s apart as asked: no more
    waited = [round(state.waited, 6) for state in states]
    assert waited == [0.0, 2.0, 4.0, 6.0, 8.0, 9.0, 11.0, 13.0, 15.0, 17.0]
    assert [(s.done, s.total) for s in states] == [(2, 10)] * 5 + [(6, 10)] * 5  # what the last look saw


def test_a_clock_that_does_not_move_cannot_keep_the_wait_going():
    answers = iter([{"status": "RUNNING"}, {"status": "SUCCESS"}])
    slept: list[float] = []
    poll = poll_syncs(None, ["a"], until=1000, clock=lambda: 0.0, sleep=slept.append,
                      read_round=lambda ids: {i: Sync(sync_id=i, **next(answers)) for i in ids},
                      first_poll=5.0, on_wait=lambda state: None)
    assert "a" in poll.finished and slept == [2.0, 2.0, 1.0]
