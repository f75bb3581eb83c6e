"""An older journal's likeness is filled when it is opened; if that upgrade was cut short
(the column added, the process killed or the fill refused before it ended), the next open
must finish it: an attempt left without its likeness is never found by `alike_elsewhere`, so
a row moved from that workbook into another would be sent again, a second record."""

from __future__ import annotations

import sqlite3

from rootfi_excel.submission import journal as journal_module
from rootfi_excel.submission.journal import CREATED, Journal, likeness

BASE = "https://api.example/v4"
MODEL = "invoice_payments"
# The schema after the column was added but before its values were filled (the upgrade cut short).
CUT_SHORT_SCHEMA = """CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, fingerprint TEXT NOT NULL,
 base_url TEXT NOT NULL, company_id INTEGER NOT NULL, model TEXT NOT NULL, document_number TEXT,
 payload TEXT NOT NULL, state TEXT NOT NULL, batch_id TEXT, sync_id TEXT, rootfi_id TEXT, platform_id TEXT,
 message TEXT, error_code TEXT, sent_at TEXT NOT NULL, updated_at TEXT NOT NULL, server_sent_at TEXT,
 bulk INTEGER, workbook TEXT, placed TEXT, workbook_id TEXT, sheet TEXT, row_key TEXT, line_keys TEXT,
 likeness TEXT)"""


def test_a_likeness_upgrade_cut_short_is_finished_on_the_next_open(tmp_path):
    path = tmp_path / "cut-short.sqlite3"
    db = sqlite3.connect(path)
    db.execute(CUT_SHORT_SCHEMA)
    db.execute("INSERT INTO attempts (fingerprint, base_url, company_id, model, document_number, payload, state,"
               " rootfi_id, sent_at, updated_at, placed, workbook, workbook_id, sheet, row_key) VALUES"
               " ('fp', ?, 1, ?, 'A', ?, ?, 'R0', '2026-01-01', '2026-01-01', 'row', 'march.xlsx', 'wb-old',"
               " 'payments', 'k0')", (BASE, MODEL, '{"document_number": "A", "invoice_id": "INV-1", "amount": 100.0}',
                                      CREATED))
    db.commit()
    db.close()
    journal = Journal(path)
    found = journal.alike_elsewhere(BASE, 1, MODEL, "wb-new",
                                    [likeness({"document_number": "A-2", "invoice_id": "INV-1", "amount": 100.0})],
                                    (CREATED,))
    journal.close()
    assert [a.rootfi_id for a in found] == ["R0"]


def test_the_likeness_column_and_its_values_arrive_together(tmp_path, monkeypatch):
    """A fill that fails (here: the process is stopped while computing it) leaves the journal as
    it was, so the next open adds the column and fills it again."""
    path = tmp_path / "older.sqlite3"
    db = sqlite3.connect(path)
    db.execute(CUT_SHORT_SCHEMA.replace(",\n likeness TEXT", ""))
    db.execute("INSERT INTO attempts (fingerprint, base_url, company_id, model, document_number, payload, state,"
               " rootfi_id, sent_at, updated_at, placed, workbook, workbook_id, sheet, row_key) VALUES"
               " ('fp', ?, 1, ?, 'A', ?, ?, 'R0', '2026-01-01', '2026-01-01', 'row', 'march.xlsx', 'wb-old',"
               " 'payments', 'k0')", (BASE, MODEL, '{"document_number": "A", "invoice_id": "INV-1", "amount": 100.0}',
                                      CREATED))
    db.commit()
    db.close()
    def stopped(body):
        raise KeyboardInterrupt  # Excel closed, the process killed
    monkeypatch.setattr(journal_module, "likeness", stopped)
    try:
        Journal(path)
    except KeyboardInterrupt:
        pass
    monkeypatch.undo()
    journal = Journal(path)
    found = journal.alike_elsewhere(BASE, 1, MODEL, "wb-new",
                                    [likeness({"document_number": "A-2", "invoice_id": "INV-1", "amount": 100.0})],
                                    (CREATED,))
    journal.close()
    assert [a.rootfi_id for a in found] == ["R0"]
