"""`lookups`, `posted` and `doctor` end in a message, never a traceback, under every fault
of the sandbox and every odd answer of a stand-in server (tests/support/odd_answers.py)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.sandbox.faults import FAULT_KINDS
from tests.support.cli_runs import book_for, run
from tests.support.odd_answers import KEY as SWEEP_KEY  # the stand-ins echo this key
from tests.support.odd_answers import ODD_ANSWERS, Stub, check
from tests.support.sandbox_api import XERO


@pytest.mark.slow
@pytest.mark.usefixtures("quick_command_client")
@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_lookups_posted_and_doctor_end_in_a_message_under_every_fault(kind, make_sandbox, api_key, tmp_path):
    sandbox = make_sandbox(faults={kind: 1.0}, fault_seed=3, slow_ms=50)
    book = book_for(tmp_path / "book.xlsx", XERO, sandbox.base_url)
    refreshed = run(["lookups", book], key=api_key)
    assert refreshed.exit_code in (0, 1), refreshed.output
    assert refreshed.output.strip().splitlines()[-1].startswith(("Refresh failed", "Wrote the live lists"))
    posted = run(["posted", book, "--from", "2026-03-01", "--to", "2026-03-31"], key=api_key)
    assert posted.exit_code in (0, 2) and posted.output.strip(), posted.output
    doctor = run(["doctor", book], key=api_key)
    assert doctor.exit_code in (0, 1) and doctor.output.strip().splitlines()[-1], doctor.output
    if kind in ("500", "502", "503", "drop"):  # the API cannot be used: said, not "ok"
        assert refreshed.exit_code == 1 and posted.exit_code == 2 and doctor.exit_code == 1


STUBS = [a for a in ODD_ANSWERS if isinstance(a, Stub)]


@pytest.mark.usefixtures("quick_command_client")
@pytest.mark.parametrize("answer", STUBS, ids=[a.name for a in STUBS])
def test_lookups_posted_and_doctor_end_in_a_message_whatever_the_api_answers(answer, stub_server, tmp_path):
    url = stub_server(answer)
    book = book_for(tmp_path / "book.xlsx", 1003, url)
    env = {"ROOTFI_API_KEY": SWEEP_KEY}
    for args, codes in ((["lookups", book], {0, 1, 2}),
                        (["posted", book, "--from", "2026-03-01", "--to", "2026-03-31"], {0, 2}),
                        (["doctor", book], {0, 1})):
        result = CliRunner().invoke(cli, [str(a) for a in args], env=env)
        check(result, codes, key=SWEEP_KEY)
        assert result.output.strip(), "a command says what happened"
