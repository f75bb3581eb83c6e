"""How the journal holds its database: every write reaches the disk before it returns
(synchronous=FULL: an attempt journalled before sending survives a power cut), readers
never wait for a writer (WAL), and a journal another Submit is setting up at the same
moment is tried again after a pause, not in a loop that takes a core."""

from __future__ import annotations

import sqlite3

from rootfi_excel.submission import journal as journal_module
from rootfi_excel.submission.journal import Journal

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


def test_every_write_is_synced_to_disk_before_it_returns(tmp_path):
    with Journal(tmp_path / "j.sqlite3") as journal:
        assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == FULL
        assert journal._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_journal_locked_while_being_set_up_is_tried_again_after_a_pause(tmp_path, monkeypatch):
    opened = Journal._open
    tries: list[str] = []

    def locked_twice(self) -> None:
        tries.append("open")
        if len(tries) <= 2:
            self._db = sqlite3.connect(":memory:")  # what a failed _open leaves behind: closed before the retry
            raise sqlite3.OperationalError("database is locked")
        opened(self)

    waits: list[float] = []
    monkeypatch.setattr(Journal, "_open", locked_twice)
    monkeypatch.setattr(journal_module.time, "sleep", waits.append)
    with Journal(tmp_path / "j.sqlite3") as journal:
        assert journal.attempts() == []
    assert len(tries) == 3
    assert len(waits) == 2 and all(wait > 0 for wait in waits), waits
