"""A journal that cannot be opened lets go of its file at once: while the error is still
on screen (the caller holds it), the accountant can move, repair or delete the file, and
an empty write costs no transaction (each one is an fsync)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rootfi_excel.errors import JournalError
from rootfi_excel.submission.journal import Journal

PROC_FDS = Path("/proc/self/fd")


def files_open_on(path: Path) -> list[str]:
    """This process's open descriptors on `path` (Linux: /proc/self/fd)."""
    target = os.path.realpath(path)
    held = []
    for fd in os.listdir(PROC_FDS):
        try:
            if os.readlink(PROC_FDS / fd) == target:
                held.append(fd)
        except OSError:  # the descriptor closed while being listed
            pass
    return held


@pytest.mark.skipif(not PROC_FDS.is_dir(), reason="open descriptors are read from /proc/self/fd (Linux)")
def test_a_journal_that_is_not_a_database_is_closed_before_its_error_is_raised(tmp_path):
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(b"this is not an SQLite database\n" * 200)
    with pytest.raises(JournalError) as raised:
        Journal(path)
    # The error (and, through its traceback, the half-made Journal) is still held here.
    assert raised.value.__traceback__ is not None
    assert files_open_on(path) == [], "the failed journal still holds its file open"


def test_marking_no_records_gone_writes_nothing(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    before = journal.commits
    journal.mark_gone([])
    assert journal.commits == before, "an empty mark_gone still committed a transaction"
