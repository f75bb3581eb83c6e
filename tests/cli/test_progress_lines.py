"""Progress of a Submit: one line per phase with its counts by outcome, plain lines when
the output is not a terminal, the elapsed time never cut at 80 columns."""

from __future__ import annotations

import io
import re

from rootfi_excel.cli.output import progress_lines
from rootfi_excel.sheets.layout import Status
from tests.support.submitting import fast_client, payment_units, submitter

XERO = 1002
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_the_last_word_of_a_phase_counts_every_record_by_its_outcome(sandbox, api_key, tmp_path):
    client = fast_client(sandbox, api_key)
    units = payment_units(client, XERO, 8, "XERO")
    from tests.support.sandbox_api import client as http, lookup

    payable = lookup(http(sandbox, api_key), XERO, "accounts", **{"name[eq]": "Accounts Payable"})
    units[3].request.account_id = payable["platform_id"]  # only the platform refuses this one
    engine, _ = submitter(client, tmp_path / "j.sqlite3", sandbox, XERO, "XERO", batch_size=3)
    said: list[tuple[int, int, str]] = []
    engine.progress = lambda done, total, text: said.append((done, total, text))
    report = engine.submit("invoice_payments", units)
    created = sum(o.status == Status.CREATED for o in report.outcomes.values())
    failed = sum(o.status == Status.FAILED for o in report.outcomes.values())
    assert (created, failed) == (7, 1)
    assert said[-1] == (8, 8, "payments: 7 created, 1 failed")  # not only the last event ("failed")
    assert all(text.startswith("payments: ") for _, _, text in said)
    # While bulk writes run, it says how many records were sent, not "0 answered" alone.
    assert any(re.search(r"\b\d+ sent in \d+ bulk writes?\b", text) for _, _, text in said), said


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def _run(stream) -> str:
    with progress_lines(stream) as show:
        show(0, 295, "payments: starting")
        show(120, 295, "payments: 118 created, 2 failed; 1200 sent in 24 bulk writes, and a long account of "
                       "what else is happening right now that cannot fit")
        show(295, 295, "payments: 293 created, 2 failed")
        show(1, 2, "credit notes: 1 created")
        show(2, 2, "credit notes: 1 created, 1 failed")
    return stream.getvalue()


def test_without_a_terminal_each_phase_is_one_plain_line():
    lines = _run(_Stream(tty=False)).splitlines()
    assert [re.sub(r"\(\d+ s\)$", "(N s)", line) for line in lines] == [
        "payments: 295 of 295 answered: 293 created, 2 failed (N s)",
        "credit notes: 2 of 2 answered: 1 created, 1 failed (N s)",
    ]
    assert not any(ANSI.search(line) or "━" in line for line in lines)  # no bar, no control codes


def test_on_an_80_column_terminal_the_elapsed_time_is_never_cut(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    screen = ANSI.sub("", _run(_Stream(tty=True)))
    final = [line for line in screen.replace("\r", "\n").splitlines() if line.strip()][-2:]
    assert final[0].startswith("payments") and "293 created, 2 failed" in final[0]
    assert final[1].startswith("credit notes") and "1 created, 1 failed" in final[1]
    for line in screen.replace("\r", "\n").splitlines():
        assert len(line) <= 80, line
        if line.strip():
            assert re.search(r"\d:\d\d:\d\d\s*$", line), line  # the whole elapsed time, at the end
