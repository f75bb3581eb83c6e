"""The local journal: attempts survive the process, fingerprints are stable."""

from __future__ import annotations

import subprocess
import sys

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
