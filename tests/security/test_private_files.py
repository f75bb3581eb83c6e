"""The journal and the lookup cache hold customers and invoices: on POSIX they, their
SQLite side files and the folders we make for them are readable only by the user."""

from __future__ import annotations

import os
import stat

import pytest

from rootfi_excel.lookups.cache import ListChanges, LookupCache, utc_now
from rootfi_excel.submission.journal import Journal
from tests.support.cache_keys import key

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """A umask that lets others read new files, as many users have: the fix must not rely on it."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _assert_private(folder, name):
    side = [p for p in folder.iterdir() if p.name.startswith(name + "-")]
    assert side, "expected SQLite's -wal/-shm side files while the database is open"
    for path in [folder / name, *side]:
        assert _mode(path) == 0o600, f"{path.name} is {oct(_mode(path))}"
    assert _mode(folder) == 0o700
    assert _mode(folder.parent) == 0o700  # a parent we created, too


def test_journal_and_its_folder_are_private(tmp_path, open_umask):
    folder = tmp_path / "made" / "journal"
    with Journal(folder / "journal.sqlite3") as journal:
        journal.begin("http://example.test/v4/", 7, "INVOICE_PAYMENTS", [("fp", "P-1", {"amount": 1})])
        _assert_private(folder, "journal.sqlite3")
    assert os.umask(0o022) == 0o022  # the process's umask is given back


def test_lookup_cache_and_its_folder_are_private(tmp_path, open_umask):
    folder = tmp_path / "made" / "cache"
    with LookupCache(folder / "lookups.sqlite3") as cache:
        invoices = [{"platform_id": "I-1", "document_number": "INV-1"}]
        cache.apply(key("http://example.test/v4/", 7), [ListChanges("invoices", invoices, [], True, None)], utc_now())
        _assert_private(folder, "lookups.sqlite3")
