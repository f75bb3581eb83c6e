"""Answers carrying characters XML 1.0 forbids (U+FFFE, U+FFFF, an unpaired surrogate, a
control character), over HTTP from the sandbox (odd_text): the rows get their results,
cleaned; the workbook stays well-formed; the journal never keeps what it could not write
back, and a journal that did (written before) is repaired when read, so the rows it was
holding get their results. Nothing is created twice."""

from __future__ import annotations

import os
import re
import sqlite3
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner

from rootfi_excel.app import submit as submitting
from rootfi_excel.cli.main import cli
from rootfi_excel.sandbox.shapes import ODD_TEXT
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, Status
from rootfi_excel.submission import journal as journal_module
from rootfi_excel.submission.journal import CREATED, Journal
from tests.support.cli_books import NETSUITE, demo_book, table_rows

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def well_formed(path: Path) -> None:
    """Every XML part parses, and none holds a character XML 1.0 forbids."""
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                data = package.read(name)
                ElementTree.fromstring(data)
                assert not FORBIDDEN.search(data.decode("utf-8")), name
    openpyxl.load_workbook(path)


def platform_ids(sandbox, model: str) -> set[str]:
    return {row["platform_id"] for row in sandbox._db.query(
        "SELECT platform_id FROM records WHERE company_id = ? AND model = ?", (NETSUITE, model))}


@pytest.fixture
def odd_sandbox(make_sandbox):
    return make_sandbox(odd_text=True)


@pytest.mark.parametrize("payments", [2, 6])  # one by one (ids at once), and as a bulk write (job results)
def test_odd_answers_reach_the_rows_clean_and_the_file_stays_well_formed(odd_sandbox, api_key, tmp_path,
                                                                        monkeypatch, payments):
    path = demo_book(tmp_path / "book.xlsx", odd_sandbox, api_key, payments=payments, notes=1)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    well_formed(path)
    rows = table_rows(path, PAYMENTS.sheet)
    assert {r["status"] for r in rows} == {Status.CREATED}
    assert {r["platform_id"] for r in rows} <= platform_ids(odd_sandbox, "invoice_payments")  # the ids, cleaned
    lines = table_rows(path, CREDIT_NOTE_LINES.sheet)
    assert {r["status"] for r in lines} == {Status.CREATED} and all(r["platform_id"] for r in lines)
    with Journal() as journal:
        kept = [a.platform_id for a in journal.attempts(CREATED)]
    assert kept and not any(FORBIDDEN.search(text) for text in kept)
    again = CliRunner().invoke(cli, ["validate", str(path)])  # the next command reads it
    assert again.exit_code == 0, again.output


def test_an_odd_refusal_message_is_written_clean(odd_sandbox, api_key, tmp_path, monkeypatch):
    path = demo_book(tmp_path / "book.xlsx", odd_sandbox, api_key, payments=2, notes=0)
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    from tests.support.sandbox_api import client as http, lookup

    payable = lookup(http(odd_sandbox, api_key), 1003, "accounts", **{"name[eq]": "Accounts Payable"})
    account = [c.value for c in ws[1]].index("account_id") + 1
    ws.cell(2, account).value = payable["platform_id"]  # only the platform refuses this, with a message
    wb.save(path)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert result.exit_code == 1, result.output
    well_formed(path)
    refused = table_rows(path, PAYMENTS.sheet)[0]
    assert refused["status"] == Status.FAILED and "refused" in refused["message"].lower()
    assert "\ud800" not in result.output  # the terminal gets no unpaired surrogate either


def test_a_journal_wedged_by_an_unpaired_surrogate_is_no_longer_wedged(odd_sandbox, api_key, tmp_path, monkeypatch):
    """Before: the journal could not store the surrogate (UnicodeEncodeError), every later
    Submit ended the same way and the rows never got their rootfi_id. The journal as it was
    is this one without its cleaning; the next Submit, with it, writes every row's result
    and sends nothing twice."""
    path = demo_book(tmp_path / "book.xlsx", odd_sandbox, api_key, payments=5, notes=0)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    monkeypatch.setattr(journal_module, "_storable", lambda name, value: None if value is None else str(value))
    first = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert first.exit_code == 2 and "UnicodeEncodeError" in first.output, first.output
    assert odd_sandbox.count_records(NETSUITE, "invoice_payments") == 5
    assert not any(r["rootfi_id"] for r in table_rows(path, PAYMENTS.sheet))  # created, but not on their rows
    wedged = CliRunner().invoke(cli, ["submit", str(path), "--yes"])  # as it was: every later Submit the same
    assert wedged.exit_code == 2 and "UnicodeEncodeError" in wedged.output, wedged.output

    monkeypatch.undo()
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    again = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert again.exit_code == 0, again.output
    well_formed(path)
    rows = table_rows(path, PAYMENTS.sheet)
    assert {r["status"] for r in rows} == {Status.CREATED} and all(r["rootfi_id"] for r in rows)
    assert {r["platform_id"] for r in rows} == platform_ids(odd_sandbox, "invoice_payments")
    assert odd_sandbox.count_records(NETSUITE, "invoice_payments") == 5  # nothing sent twice


def test_a_journal_holding_odd_text_from_before_is_repaired_when_read(odd_sandbox, api_key, tmp_path, monkeypatch):
    """A journal of the version before kept U+FFFE/U+FFFF as the platform sent them (SQLite
    can), and its workbook never got them. The next Submit writes those rows from the
    journal, cleaned, without sending."""
    path = demo_book(tmp_path / "book.xlsx", odd_sandbox, api_key, payments=6, notes=0)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    monkeypatch.setattr(journal_module, "_storable",
                        lambda name, value: None if value is None else str(value).replace("\ud800", ""))
    real = submitting.send_planned

    def send_then_lose_the_file(*args, **kwargs):
        outcome = real(*args, **kwargs)
        os.chmod(path, 0o444)  # the results cannot be written: they stay in the journal
        return outcome

    monkeypatch.setattr(submitting, "send_planned", send_then_lose_the_file)
    first = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert first.exit_code == 2 and "safe in this computer's journal" in first.output, first.output
    database = sqlite3.connect(Path(os.environ["ROOTFI_EXCEL_HOME"]) / "journal.sqlite3")
    stored = [row[0] for row in database.execute("SELECT platform_id FROM attempts WHERE state = 'CREATED'")]
    database.close()
    assert len(stored) == 6 and all(text.endswith(ODD_TEXT.replace("\ud800", "")) for text in stored)

    monkeypatch.undo()
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    os.chmod(path, 0o644)
    requests = odd_sandbox.requests_seen()
    again = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert again.exit_code == 0, again.output
    well_formed(path)
    rows = table_rows(path, PAYMENTS.sheet)
    assert {r["status"] for r in rows} == {Status.CREATED}
    assert {r["platform_id"] for r in rows} == platform_ids(odd_sandbox, "invoice_payments")
    assert odd_sandbox.count_records(NETSUITE, "invoice_payments") == 6
    assert odd_sandbox.requests_seen() - requests < 6  # the company check and lookups, never a write per row


def test_live_excel_gets_the_same_clean_text(tmp_path):
    """The xlwings adapter passes every text it writes through the same cleaning: results,
    ids, and the cells of a lookup list."""
    from rootfi_excel.workbook.excel import ExcelWorkbook
    from rootfi_excel.sheets.port import LookupTable, ResultUpdate
    from tests.support.books import PAYMENT_HEADERS, row_of
    from tests.support.broken_books import GOOD
    from tests.support.excel_books import column, fake_book

    book = fake_book([row_of(PAYMENT_HEADERS, **GOOD)])
    workbook = ExcelWorkbook(book)
    workbook.read_table(PAYMENTS)
    update = ResultUpdate()
    update.set(0, status="Created", message="said: \ufffeno\ud800", platform_id="PL\uffff-7\x01", rootfi_id="12\ud800")
    workbook.write_results(PAYMENTS, update)
    assert (column(book, "message"), column(book, "platform_id"), column(book, "rootfi_id")) == \
        (["said: no"], ["PL-7"], ["12"])
    workbook.write_lookup_table(LookupTable("LiveThings", ["name\uffff", "id"], [["Acme\ud800", "7\ufffe"]],
                                            {"LiveThingsIds": "id"}))
    cells = book.sheets["Lookups"].cells
    assert not any(FORBIDDEN.search(str(value)) for value in cells.values())
    assert {"name", "Acme", "7"} <= {str(value) for value in cells.values()}
