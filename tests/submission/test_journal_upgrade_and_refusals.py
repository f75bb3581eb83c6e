"""The journal's smaller decisions, one at a time: an older journal opened by this version
gets the columns it lacks and its attempts are marked placed (it cannot say which rows got
them); which failed attempts count as the platform's refusal of the record; an attempt
journalled before keys is keyed to its row once and never re-keyed; an answer's text is
kept as a cell can hold it, a sync id as RootFi gave it."""

from __future__ import annotations

import sqlite3

from rootfi_excel.submission.journal import (
    CREATED,
    FAILED,
    LOST_ANSWER,
    NOT_SENT,
    PLACED_LEGACY,
    Journal,
    was_refused,
)

BASE = "https://api.example/v4"
MODEL = "invoice_payments"
OLD_SCHEMA = """CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, fingerprint TEXT NOT NULL,
 base_url TEXT NOT NULL, company_id INTEGER NOT NULL, model TEXT NOT NULL, document_number TEXT,
 payload TEXT NOT NULL, state TEXT NOT NULL, batch_id TEXT, sync_id TEXT, rootfi_id TEXT, platform_id TEXT,
 message TEXT, error_code TEXT, sent_at TEXT NOT NULL, updated_at TEXT NOT NULL)"""


def one(journal: Journal, number="N1", **kwargs) -> int:
    return journal.begin(BASE, 1, MODEL, [(f"fp-{number}", number, {"document_number": number})], **kwargs)[1][0]


def test_an_older_journal_gets_the_new_columns_and_its_attempts_count_as_placed(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute(OLD_SCHEMA)
    db.execute("INSERT INTO attempts (fingerprint, base_url, company_id, model, document_number, payload, state,"
               " rootfi_id, sent_at, updated_at) VALUES ('fp', ?, 1, ?, 'N0', '{\"document_number\": \"N0\"}', ?,"
               " 'R0', '2026-01-01', '2026-01-01')", (BASE, MODEL, CREATED))
    db.commit()
    db.close()
    journal = Journal(path)
    (old,) = journal.attempts()
    assert old.placed == PLACED_LEGACY and old.keys == () and old.bulk is None
    new = one(journal, keys=[("k1", "k2")], workbook_id="wb", sheet="credit_note_lines")
    attempt = next(a for a in journal.attempts() if a.id == new)
    assert attempt.placed is None and attempt.keys == ("k1", "k2") and attempt.line_keys == ("k2",)
    journal.close()
    again = Journal(path)  # opened again: nothing marked placed a second time
    assert next(a for a in again.attempts() if a.id == new).placed is None
    again.close()


def test_a_new_journal_marks_nothing_placed(tmp_path):
    journal = Journal(tmp_path / "new.sqlite3")
    one(journal)
    journal.close()
    journal = Journal(tmp_path / "new.sqlite3")
    assert [a.placed for a in journal.attempts()] == [None]


def attempt_with(journal: Journal, state: str, number: str, bulk=None, **fields):
    attempt_id = one(journal, number, bulk=bulk)
    journal.update([attempt_id], state, **fields)
    return next(a for a in journal.attempts() if a.id == attempt_id)


def test_which_failures_are_the_platforms_refusal_of_the_record(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    assert was_refused(attempt_with(journal, FAILED, "N1", bulk=False, message="amount is wrong"))
    assert was_refused(attempt_with(journal, FAILED, "N2", bulk=True, sync_id="S1", message="job failed"))
    assert not was_refused(attempt_with(journal, FAILED, "N3", bulk=True, message="the whole bulk write: 422"))
    assert not was_refused(attempt_with(journal, FAILED, "N4", bulk=None, message="older journal"))
    assert not was_refused(attempt_with(journal, FAILED, "N5", bulk=False, message=NOT_SENT + "network"))
    assert not was_refused(attempt_with(journal, FAILED, "N6", bulk=False, error_code=LOST_ANSWER))
    assert not was_refused(attempt_with(journal, CREATED, "N7", bulk=False, rootfi_id="R7"))
    assert was_refused(attempt_with(journal, FAILED, "N8", bulk=False))  # no message: still a refusal


def test_an_attempt_is_keyed_to_its_row_once_and_never_re_keyed(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    keyless = one(journal, "N1")
    journal.adopt([keyless], "wb", "payments", ())  # no key to give: nothing changes
    assert next(a for a in journal.attempts() if a.id == keyless).keys == ()
    journal.adopt([keyless], "wb", "payments", ("k1",))
    journal.adopt([keyless], "wb", "payments", ("k2",))
    attempt = next(a for a in journal.attempts() if a.id == keyless)
    assert (attempt.workbook_id, attempt.sheet, attempt.keys) == ("wb", "payments", ("k1",))


def test_answers_are_kept_as_a_cell_can_hold_them_and_a_sync_id_as_given(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    attempt = attempt_with(journal, FAILED, "N1", message="bad\x01value", sync_id="S\x01 1")
    assert attempt.message == "badvalue"
    assert attempt.sync_id == "S\x01 1", "a sync id is asked for again as RootFi gave it"
    assert attempt_with(journal, CREATED, "N2", rootfi_id=None).rootfi_id is None
