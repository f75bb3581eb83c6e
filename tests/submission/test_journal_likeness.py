"""The journal keeps each attempt's likeness (its values but its document number, a credit
note's lines in any order) so that a row of one workbook like a record of another is found
without reading every record: new attempts get it when journalled, an older journal's get it
once when it is opened; `alike_elsewhere` finds only other workbooks' records, in the states
asked, and never those the platform showed deleted."""

from __future__ import annotations

import sqlite3

from rootfi_excel.submission.journal import (
    CREATED,
    FAILED,
    PLACED_GONE,
    PLACED_ROW,
    Journal,
    likeness,
)

BASE = "https://api.example/v4"
MODEL = "invoice_payments"
OLDER_SCHEMA = """CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, fingerprint TEXT NOT NULL,
 base_url TEXT NOT NULL, company_id INTEGER NOT NULL, model TEXT NOT NULL, document_number TEXT,
 payload TEXT NOT NULL, state TEXT NOT NULL, batch_id TEXT, sync_id TEXT, rootfi_id TEXT, platform_id TEXT,
 message TEXT, error_code TEXT, sent_at TEXT NOT NULL, updated_at TEXT NOT NULL, server_sent_at TEXT,
 bulk INTEGER, workbook TEXT, placed TEXT, workbook_id TEXT, sheet TEXT, row_key TEXT, line_keys TEXT)"""


def payment(number, amount=100.0, **more):
    return {"document_number": number, "invoice_id": "INV-1", "amount": amount, **more}


def journalled(journal, body, workbook_id, key, state=CREATED, placed=None, rootfi_id="R1"):
    _, (attempt_id,), _ = journal.begin(BASE, 1, MODEL, [(f"fp-{workbook_id}-{key}", body["document_number"], body)],
                                        workbook=f"{workbook_id}.xlsx", workbook_id=workbook_id, sheet="payments",
                                        keys=[(key,)])
    journal.update([attempt_id], state, **({"rootfi_id": rootfi_id} if state == CREATED else {}))
    if placed:
        journal.place([attempt_id], placed)
    return attempt_id


def test_likeness_is_the_values_but_the_number_and_lines_in_any_order():
    assert likeness(payment("A")) == likeness(payment("B"))
    assert likeness(payment("A")) != likeness(payment("A", amount=5.0))
    lines = [{"item": "x", "amount": 1}, {"item": "y", "amount": 2}]
    assert likeness({"document_number": "C1", "line_items": lines}) == likeness(
        {"document_number": "C2", "line_items": lines[::-1]})


def test_records_of_other_workbooks_are_found_by_likeness_in_the_states_asked(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    mine = journalled(journal, payment("A"), "wb-1", "k1")
    theirs = journalled(journal, payment("B"), "wb-2", "k2", placed=PLACED_ROW)
    journalled(journal, payment("C"), "wb-3", "k3", state=FAILED)  # created nothing
    journalled(journal, payment("D"), "wb-4", "k4", placed=PLACED_GONE)  # deleted in the platform
    journalled(journal, payment("E", amount=5.0), "wb-5", "k5")  # another amount
    found = journal.alike_elsewhere(BASE, 1, MODEL, "wb-1", [likeness(payment("Z"))], (CREATED,))
    assert [a.id for a in found] == [theirs]
    everywhere = journal.alike_elsewhere(BASE, 1, MODEL, None, [likeness(payment("Z"))], (CREATED,))
    assert [a.id for a in everywhere] == [mine, theirs]
    assert journal.alike_elsewhere(BASE, 2, MODEL, "wb-1", [likeness(payment("Z"))], (CREATED,)) == []


def test_an_older_journal_gets_the_likeness_of_its_attempts_once_when_opened(tmp_path):
    path = tmp_path / "older.sqlite3"
    db = sqlite3.connect(path)
    db.execute(OLDER_SCHEMA)
    db.execute("INSERT INTO attempts (fingerprint, base_url, company_id, model, document_number, payload, state,"
               " rootfi_id, sent_at, updated_at, placed, workbook, workbook_id, sheet, row_key) VALUES"
               " ('fp', ?, 1, ?, 'A', ?, ?, 'R0', '2026-01-01', '2026-01-01', 'row', 'march.xlsx', 'wb-old',"
               " 'payments', 'k0')", (BASE, MODEL, '{"document_number": "A", "invoice_id": "INV-1", "amount": 100.0}',
                                      CREATED))
    db.commit()
    db.close()
    journal = Journal(path)
    (found,) = journal.alike_elsewhere(BASE, 1, MODEL, "wb-new", [likeness(payment("A-corrected"))], (CREATED,))
    assert found.rootfi_id == "R0" and found.placed == PLACED_ROW  # its placement kept
    journal.close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT likeness FROM attempts").fetchall() == [(likeness(payment("A")),)]
    assert "attempts_likeness" in {row[1] for row in db.execute("PRAGMA index_list(attempts)")}
    db.close()
