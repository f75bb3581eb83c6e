"""The journal's reads and writes, one at a time: each attempt keeps the row it came from,
each query returns every attempt it is asked for (past its 500-id chunks), and the
bookkeeping (commits, retries) counts what happens and nothing else."""

from __future__ import annotations

import sqlite3

import pytest

from rootfi_excel.errors import JournalError
from rootfi_excel.submission import journal as journal_module
from rootfi_excel.submission.journal import CREATED, FAILED, PLACED_ROW, Journal

BASE = "https://api.example/v4"
MODEL = "invoice_payments"


def _begin(journal: Journal, count: int, *, keys=None, workbook=None, workbook_id="wb-1", sheet="payments",
           number=None):
    records = [(f"fp{i}", number or f"N{i}", {"document_number": number or f"N{i}"}) for i in range(count)]
    return journal.begin(BASE, 1, MODEL, records, keys=keys, workbook=workbook, workbook_id=workbook_id,
                         sheet=sheet)[1]


def test_an_attempt_keeps_the_keys_of_its_rows_and_a_keyless_one_keeps_none(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    ids = _begin(journal, 3, keys=[("k1",), ("c1", "c2", "c3"), ()])
    one, note, keyless = (next(a for a in journal.attempts() if a.id == i) for i in ids)
    assert (one.workbook_id, one.sheet, one.row_key, one.line_keys) == ("wb-1", "payments", "k1", ())
    assert (note.row_key, note.line_keys, note.keys) == ("c1", ("c2", "c3"), ("c1", "c2", "c3"))
    assert (keyless.workbook_id, keyless.sheet, keyless.row_key, keyless.line_keys) == (None, None, None, ())


def test_attempts_of_row_keys_are_found_past_the_first_chunk(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    ids = _begin(journal, 1002, keys=[(f"k{i}",) for i in range(1002)])
    found = journal.of_keys(BASE, 1, MODEL, "wb-1", "payments", [f"k{i}" for i in range(1002)])
    assert [a.id for a in found] == ids
    assert journal.of_keys(BASE, 1, MODEL, "wb-1", "credit_note_lines", ["k0"]) == []


def test_placing_attempts_places_every_one_past_the_first_chunk(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    ids = _begin(journal, 1001, keys=[(f"k{i}",) for i in range(1001)])
    journal.place(ids, PLACED_ROW)
    assert {a.placed for a in journal.attempts()} == {PLACED_ROW}


def test_created_attempts_are_found_by_rootfi_id_past_the_first_chunk(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    ids = _begin(journal, 502)
    journal.settle({attempt_id: (CREATED, {"rootfi_id": f"R{n}"}) for n, attempt_id in enumerate(ids)})
    found = journal.with_rootfi_ids(BASE, 1, MODEL, [f"R{n}" for n in range(502)])
    assert sorted(a.id for a in found.values()) == ids


def test_unplaced_attempts_are_found_by_workbook_id_and_by_file_name_for_keyless_ones(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    [keyed] = _begin(journal, 1, keys=[("k1",)])
    [legacy] = journal.begin(BASE, 1, MODEL, [("fpL", "NL", {"document_number": "NL"})], workbook="Book.xlsx")[1]
    [refused] = _begin(journal, 1, keys=[("k2",)])
    journal.update([refused], FAILED, message="refused")  # nothing created: nothing to place
    assert [a.id for a in journal.unplaced(BASE, 1, MODEL, "wb-1", "payments")] == [keyed]
    assert [a.id for a in journal.unplaced(BASE, 1, MODEL, "wb-1", "payments", workbook="Book.xlsx")] == [keyed,
                                                                                                        legacy]
    assert [a.id for a in journal.unplaced(BASE, 1, MODEL, None, None, workbook="Book.xlsx")] == [legacy]
    assert journal.unplaced(BASE, 1, MODEL, None, None) == []
    journal.place([keyed], PLACED_ROW)
    assert journal.unplaced(BASE, 1, MODEL, "wb-1", "payments") == []


def test_records_whose_row_went_after_they_reached_it_are_found_by_the_keys_no_longer_in_the_sheet(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    gone, here, note, unplaced, deleted, refused = _begin(
        journal, 6, keys=[("k1",), ("k2",), ("c1", "c2"), ("k4",), ("k5",), ("k6",)])
    _begin(journal, 1, keys=[("k7",)], workbook_id="wb-other")
    journal.settle({i: (CREATED, {"rootfi_id": f"R{i}"}) for i in (gone, here, note, unplaced, deleted)})
    journal.update([refused], FAILED, message="refused")
    journal.place([gone, here, note, deleted, refused], PLACED_ROW)
    journal.mark_gone([deleted])  # deleted in the platform: nothing to hold a row against
    present = {"k2", "c2"}  # k1's row deleted; a credit note with one of its lines still here
    found = journal.placed_off_rows(BASE, 1, MODEL, "wb-1", "payments", present)
    assert [a.id for a in found] == [gone]
    assert found[0].rootfi_id == f"R{gone}" and found[0].payload == {"document_number": "N0"}
    assert [a.id for a in journal.placed_off_rows(BASE, 1, MODEL, "wb-1", "payments", set())] == [gone, here, note]
    assert journal.placed_off_rows(BASE, 1, MODEL, "wb-1", "credit_note_lines", set()) == []
    assert journal.placed_off_rows(BASE, 1, MODEL, None, "payments", set()) == []


def test_commits_count_the_transactions_that_wrote_and_nothing_else(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    assert journal.commits == 0
    ids = _begin(journal, 2)
    assert journal.commits == 1, "one transaction for the whole batch"
    journal.settle({})
    journal.place([], PLACED_ROW)
    assert journal.commits == 1, "nothing to write: no transaction"
    journal.settle({ids[0]: (CREATED, {"rootfi_id": "R1"}), ids[1]: (FAILED, {"message": "no"})})
    assert journal.commits == 2


def test_a_damaged_journal_fails_at_once_without_waiting_for_a_lock(tmp_path, monkeypatch):
    path = tmp_path / "j.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    waits: list[float] = []
    monkeypatch.setattr(journal_module.time, "sleep", waits.append)
    with pytest.raises(JournalError, match="damaged"):
        Journal(path)
    assert waits == [], "only a locked journal is tried again"


def test_closing_a_journal_closes_its_database(tmp_path):
    with Journal(tmp_path / "j.sqlite3") as journal:
        _begin(journal, 1)
    with pytest.raises(sqlite3.ProgrammingError):
        journal._db.execute("SELECT 1")
