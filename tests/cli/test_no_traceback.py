"""No command ends in a traceback, whatever the workbook and whatever the API answers.

Every rootfi-excel command runs against every broken workbook (tests/support/broken_books.py)
and every odd answer (ODD_ANSWERS below), through click's runner and, for a few, as a real
process; a run fails the test when its output holds "Traceback", a terminal escape or the
key, or when its exit code is not the documented one:

    validate, submit   0 all good, 1 some rows invalid or failed, 2 could not be done
    every command      2 when it could not be done (one line saying why), 130 after Ctrl+C

Every fault kind of the sandbox (FAULT_KINDS) is swept on its own, on every request. To
sweep another kind of API trouble, add one entry to ODD_ANSWERS: a sandbox set-up
(`Fault`, with any SandboxConfig fields), or a fixed answer from a stand-in server
(`Stub`) for shapes the sandbox does not produce.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from tests.support.broken_books import BROKEN, ODD, good_book
from tests.support.cli_books import NETSUITE, demo_book, journal_attempts, table_rows
from tests.support.odd_answers import KEY, ODD_ANSWERS, Fault, Stub, check
from tests.support.terminal_processes import rootfi_excel

DOCUMENTED = {"validate": {0, 1, 2}, "submit": {0, 1, 2}}
def invoke(args: list[str], *, input: str | None = None, key: str = KEY):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, env={"ROOTFI_API_KEY": key})


# --------------------------------------------------------------------- broken workbooks


@pytest.fixture(scope="module")
def clean_sandbox(tmp_path_factory):
    from rootfi_excel.sandbox.server import SandboxConfig, start_in_thread

    handle = start_in_thread(SandboxConfig(db_path=tmp_path_factory.mktemp("sweep") / "sandbox.sqlite3",
                                           api_keys=[KEY]))
    yield handle
    handle.stop()


@pytest.mark.parametrize("case", BROKEN, ids=[c.name for c in BROKEN])
def test_every_command_refuses_a_broken_workbook_in_one_line(case, clean_sandbox, tmp_path):
    path = case.make(tmp_path)
    before = clean_sandbox.count_records(1001, "invoice_payments")
    for command in (["validate", path], ["submit", path, "--yes", "--base-url", clean_sandbox.base_url]):
        result = invoke(command)
        check(result, {2})
        if case.by_click:
            assert "Error:" in result.stderr
        else:
            [line] = result.stderr.strip().splitlines()  # one readable line...
            assert path.name in line  # ...naming the file
    assert clean_sandbox.count_records(1001, "invoice_payments") == before, "nothing was sent"


@pytest.mark.usefixtures("quick_command_client")
@pytest.mark.parametrize("case", ODD, ids=[c.name for c in ODD])
def test_every_command_reads_an_odd_workbook(case, clean_sandbox, tmp_path):
    path = case.make(tmp_path)
    check(invoke(["validate", path]), {0, 1})
    check(invoke(["submit", path, "--yes", "--base-url", clean_sandbox.base_url]), {0, 1})


OTHER_COMMANDS = [  # (name, arguments (tmp_path -> list), input, exit codes)
    ("template over a file", lambda t: ["template", good_book(t)], None, {2}),
    ("template into a new folder", lambda t: ["template", t / "missing" / "t.xlsx"], None, {0}),
    ("template under a file", lambda t: ["template", good_book(t) / "t.xlsx", "--force"], None, {2}),
    ("template onto a folder", lambda t: ["template", t], None, {2}),
    ("template with odd characters", lambda t: ["template", t / "a\x1b[31mb.xlsx"], None, {0}),
    ("login without an answer", lambda t: ["login"], "", {2}),
    ("login with a blank key", lambda t: ["login"], "   \n", {2}),
    ("logout of an unknown profile", lambda t: ["logout", "--profile", "\x1b]0;x\x07"], None, {0}),
    ("demo with unknown faults", lambda t: ["demo", "--faults", "bogus=1"], None, {2}),
    ("demo onto a folder", lambda t: ["demo", "--out", t], None, {2}),
    ("demo into a new folder",
     lambda t: ["demo", "--out", t / "no" / "d.xlsx", "--payments", "2", "--credit-notes", "0"], None, {0}),
    ("demo for an unknown company",
     lambda t: ["demo", "--out", t / "d.xlsx", "--company", "4242", "--payments", "2"], None, {2}),
    ("sandbox with unknown faults", lambda t: ["sandbox", "--faults", "bogus=1"], None, {2}),
    ("sandbox with a fault without odds", lambda t: ["sandbox", "--faults", "500=x"], None, {2}),
    ("sandbox with odds above 1", lambda t: ["sandbox", "--faults", "500=2"], None, {2}),
    ("sandbox on no port", lambda t: ["sandbox", "--port", "99999"], None, {2}),
    ("sandbox with a negative latency", lambda t: ["sandbox", "--latency-ms", "-1"], None, {2}),
    ("sandbox on a damaged database", lambda t: ["sandbox", "--db", _garbage(t / "s.db"), "--port", "0"], None, {2}),
    ("validate without a book", lambda t: ["validate"], None, {2}),
    ("submit a missing book", lambda t: ["submit", t / "missing.xlsx"], None, {2}),
    ("submit with odd options", lambda t: ["submit", good_book(t), "--batch-size", "0"], None, {2}),
    ("a command that does not exist", lambda t: ["nonsense"], None, {2}),
]


def _garbage(path: Path) -> Path:
    path.write_bytes(b"not a database" * 100)
    return path


@pytest.mark.parametrize("name, arguments, given, codes", OTHER_COMMANDS, ids=[c[0] for c in OTHER_COMMANDS])
def test_every_other_command_ends_in_a_message(name, arguments, given, codes, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check(invoke(arguments(tmp_path), input=given), codes)


def test_login_and_logout_without_a_key_store(tmp_path):
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    keyring.set_keyring(NoKeyring())
    for command in (["login"], ["logout"]):
        result = invoke(command, input="a-key\n", key="")  # nothing to use instead: the job cannot be done
        check(result, {2})
        assert "ROOTFI_API_KEY" in result.output
        result = invoke(command, input="a-key\n")  # ROOTFI_API_KEY is the key in use: said, and no failure
        check(result, {0})
        assert "ROOTFI_API_KEY is set" in result.output or "comes from the environment variable" in result.output


# ------------------------------------------------------------------------- odd answers


@pytest.fixture(scope="module")
def real_book(clean_sandbox, tmp_path_factory):
    """A workbook of real records of the seeded sandbox data (the same in every sandbox)."""
    return demo_book(tmp_path_factory.mktemp("book") / "book.xlsx", clean_sandbox, KEY, payments=6, notes=2)


@pytest.mark.usefixtures("quick_command_client")
@pytest.mark.parametrize("answer", ODD_ANSWERS, ids=[a.name for a in ODD_ANSWERS])
def test_submit_ends_in_a_message_whatever_the_api_answers(answer, real_book, make_sandbox, stub_server, tmp_path):
    path = tmp_path / "book.xlsx"
    shutil.copy(real_book, path)
    if isinstance(answer, Fault):
        url = make_sandbox(api_keys=[KEY], faults=answer.faults, fault_seed=11, **answer.config).base_url
    else:
        url = stub_server(answer)
    result = invoke(["submit", path, "--yes", "--base-url", url, "--lost-answer-wait", "0"])
    check(result, DOCUMENTED["submit"])
    if result.exit_code == 2:
        assert result.stderr.strip(), "a refusal says why"


# ----------------------------------------------------------- as a real process, and Ctrl+C


def _run(args: list, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rootfi_excel", *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=120, **kwargs)


@pytest.mark.slow
def test_as_a_real_process_a_broken_workbook_is_one_line_on_stderr(tmp_path, stub_server):
    from tests.support.broken_books import damaged_sheet_xml, not_a_zip, odd_values

    env = {**os.environ, "ROOTFI_API_KEY": KEY}
    for path in (damaged_sheet_xml(tmp_path), not_a_zip(tmp_path)):
        for args in (["validate", path], ["submit", path, "--yes"]):
            done = _run(args, env)
            assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
            assert len(done.stderr.strip().splitlines()) == 1 and path.name in done.stderr
    done = _run(["validate", odd_values(tmp_path)], env)  # openpyxl's warnings go to the log, not the screen
    assert done.returncode == 1 and "Warning" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    url = stub_server(Stub("html", 200, b"<html>no</html>", "text/html"))
    done = _run(["submit", good_book(tmp_path, company_id=1003), "--yes", "--base-url", url], env)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.slow
def test_ctrl_c_during_submit_says_stopped_and_the_next_submit_finishes_the_job(make_sandbox, tmp_path):
    from tests.support.sandbox_api import assert_no_duplicates_in_sandbox_db

    sandbox = make_sandbox(api_keys=[KEY], latency_ms=150, job_delay_ms=20)  # slow enough to be stopped mid-run
    path = demo_book(tmp_path / "book.xlsx", sandbox, KEY, payments=120, notes=10)
    home = tmp_path / "home"
    env = {**os.environ, "ROOTFI_API_KEY": KEY, "ROOTFI_EXCEL_HOME": str(home)}
    command = rootfi_excel("submit", str(path), "--yes", "--batch-size", "10", "--lost-answer-wait", "0.5")
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    journal = home / "journal.sqlite3"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and journal_attempts(journal) < 30:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)  # what Ctrl+C does
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, out + err
    assert "Stopped (Ctrl+C): nothing more is sent" in err
    assert "Traceback" not in out + err and "Aborted" not in out + err

    for _ in range(3):
        finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        if finished.returncode == 0:
            break
    assert finished.returncode == 0, finished.stdout + finished.stderr
    rows = table_rows(path, "Invoice Payments")
    assert len(rows) == 120 and {r["status"] for r in rows} == {"Created"}
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 120
    assert_no_duplicates_in_sandbox_db(sandbox.db_path, NETSUITE)
