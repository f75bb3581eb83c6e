"""The local journal: attempts survive the process, fingerprints are stable."""

from __future__ import annotations

import subprocess
import sys

from rootfi_excel.errors import JournalError
from rootfi_excel.submission.journal import (
    CREATED,
    PENDING,
    SENDING,
    Journal,
    default_path,
    fingerprint,
)


def test_fingerprint_is_the_body_and_where_it_goes():
    body = {"amount": 5.0, "invoice_id": "1", "document_number": "P-1"}
    same = {"document_number": "P-1", "invoice_id": "1", "amount": 5.0}  # key order does not matter
    base = fingerprint("https://api.example/v4", 1, "invoice_payments", body)
    assert base == fingerprint("https://api.example/v4/", 1, "invoice_payments", same)
    assert base != fingerprint("https://api.example/v4", 2, "invoice_payments", body)
    assert base != fingerprint("https://api.example/v4", 1, "invoice_credit_notes", body)
    assert base != fingerprint("https://api.example/v4", 1, "invoice_payments", {**body, "amount": 5.01})


def test_an_attempt_is_on_disk_before_the_request_goes(tmp_path):
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    fp = fingerprint("u", 1, "invoice_payments", {"a": 1})
    batch_id, ids, _ = journal.begin("u", 1, "invoice_payments", [(fp, "P-1", {"a": 1})])
    # Another process (the next run after a crash) sees it at once.
    code = f"""
import sys
from rootfi_excel.submission.journal import Journal
attempt = Journal({str(path)!r}).latest([{fp!r}])[{fp!r}]
sys.exit(0 if attempt.state == {SENDING!r} and attempt.document_number == "P-1" else 1)
"""
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
    journal.update(ids, PENDING, sync_id="S1")
    journal.update(ids, CREATED, rootfi_id="157", platform_id="P157")
    latest = Journal(path).latest([fp])[fp]
    assert (latest.state, latest.rootfi_id, latest.sync_id, latest.batch_id) == (CREATED, "157", "S1", batch_id)


def test_latest_attempt_wins_and_batches_keep_sending_order(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    records = [(f"fp{i}", f"P-{i}", {"i": i}) for i in range(3)]
    batch, ids, _ = journal.begin("https://a/v4", 1, "invoice_payments", records)
    assert [a.id for a in journal.batch_attempts(batch)] == ids
    _, again, _ = journal.begin("https://a/v4", 1, "invoice_payments", records[:1])
    assert journal.latest(["fp0"])["fp0"].id == again[0]
    journal.update(again, CREATED, rootfi_id="9")
    assert [a.rootfi_id for a in journal.with_number("https://a/v4/", 1, "invoice_payments", "P-0")] == ["9"]
    # Another environment never sees these attempts.
    assert journal.with_number("https://b/v4", 1, "invoice_payments", "P-0") == []


def test_the_journal_lives_under_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("ROOTFI_EXCEL_HOME", str(tmp_path / "home"))
    assert default_path() == tmp_path / "home" / "journal.sqlite3"


# ---- A journal that cannot be used: a readable error naming it, and nothing is sent ----------

import sqlite3  # noqa: E402

import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from rootfi_excel.cli.main import cli  # noqa: E402
from rootfi_excel.submission import journal as journal_module  # noqa: E402


def test_a_damaged_journal_is_a_journal_error_naming_the_file(tmp_path):
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(b"this is not a database " * 200)
    with pytest.raises(JournalError, match=f"The journal {path} is damaged .*Rename it"):
        Journal(path)


def test_a_journal_damaged_after_it_was_opened_fails_readably_too(tmp_path):
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    journal.begin("u", 1, "m", [(f"fp{i}", "n", {"x": "y" * 500}) for i in range(200)])
    journal.close()
    data = bytearray(path.read_bytes())
    data[4096:len(data) - 4096] = b"\xff" * (len(data) - 8192)  # keep the header, ruin the pages
    path.write_bytes(bytes(data))
    with pytest.raises(JournalError, match="damaged"):
        Journal(path).attempts()


def test_a_journal_in_a_place_that_cannot_be_written(tmp_path):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(JournalError, match="cannot be written .*ROOTFI_EXCEL_HOME"):
        Journal(tmp_path / "a-file" / "journal.sqlite3")
    (tmp_path / "folder.sqlite3").mkdir()
    with pytest.raises(JournalError, match="cannot be written"):
        Journal(tmp_path / "folder.sqlite3")


def test_a_journal_locked_by_another_program_is_said_so(tmp_path, monkeypatch):
    monkeypatch.setattr(journal_module, "LOCK_WAIT", 0.2)
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(JournalError, match="is locked by another program"):
            Journal(path)
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.mark.parametrize("spoil, said", [
    (lambda path: path.write_bytes(b"garbage" * 500), "is damaged"),
    (lambda path: path.mkdir(), "cannot be written"),
    ("lock", "is locked by another program"),
])
def test_submit_with_a_journal_it_cannot_use_sends_nothing(spoil, said, sandbox, api_key, tmp_path, monkeypatch):
    from tests.support.cli_books import NETSUITE, demo_book

    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=4, notes=0)
    journal = default_path()
    journal.parent.mkdir(parents=True, exist_ok=True)
    other = None
    if spoil == "lock":
        monkeypatch.setattr(journal_module, "LOCK_WAIT", 0.2)
        Journal(journal).close()
        other = sqlite3.connect(journal, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
    else:
        spoil(journal)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    try:
        result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    finally:
        if other is not None:
            other.close()
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert str(journal) in line and said in line and line.endswith("Nothing was sent.")
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 0
    assert "Cannot submit book.xlsx" in (journal.parent / "logs" / "rootfi-excel.log").read_text()  # the detail
    assert "Traceback" not in result.output


def test_runs_opening_a_new_journal_at_the_same_moment_all_get_it(tmp_path):
    """SQLite's switch of a new database to WAL does not wait on another connection's lock,
    so two Submits starting together on a fresh computer could be told 'locked' (seen in
    test_engine_cases' test 5 under load; about 1 race in 20 failed before the retry)."""
    import threading

    failures = []
    for attempt in range(60):
        path = tmp_path / f"journal-{attempt}.sqlite3"
        barrier = threading.Barrier(4)

        def open_it() -> None:
            barrier.wait(timeout=30)
            try:
                Journal(path).close()
            except JournalError as error:
                failures.append(str(error))

        threads = [threading.Thread(target=open_it) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert failures == []


def test_the_journal_keeps_only_what_a_cell_can_hold_and_repairs_older_values_when_read(tmp_path):
    import sqlite3

    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    fp = fingerprint("u", 1, "invoice_payments", {"a": 1})
    _, [first], _ = journal.begin("u", 1, "invoice_payments", [(fp, "P-1", {"a": 1})])
    journal.update([first], CREATED, rootfi_id="R\ud800", platform_id="P\ufffe\uffff\x01", message="ok\ud800",
                   sync_id="s/\x07\ud800")  # SQLite cannot store an unpaired surrogate: this used to raise
    stored = sqlite3.connect(path).execute("SELECT rootfi_id, platform_id, message, sync_id FROM attempts").fetchone()
    assert stored == ("R", "P", "ok", "s/\x07")  # a sync id is how RootFi is asked again: kept but for the surrogate

    journal.close()
    with sqlite3.connect(path) as older:  # as the version before kept them: U+FFFF and all
        older.execute("UPDATE attempts SET platform_id = ?, message = ?", ("P\uffff", "m\x0b"))
    attempt = Journal(path).latest([fp])[fp]
    assert (attempt.platform_id, attempt.message, attempt.sync_id) == ("P", "m", "s/\x07")
