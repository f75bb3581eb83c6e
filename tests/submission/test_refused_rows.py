"""A row the platform refused keeps its reason, and is not sent again until it changes."""

from __future__ import annotations

import re
import sqlite3

import openpyxl
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.sheets.layout import PAYMENTS, Status
from rootfi_excel.submission.engine import was_refused
from rootfi_excel.submission.journal import CREATED, FAILED, Attempt, refused_before
from tests.support.cli_books import NETSUITE, demo_book, table_rows


def _attempts(tmp_path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "rootfi-home" / "journal.sqlite3") as db:
        return db.execute("SELECT document_number, state FROM attempts ORDER BY id").fetchall()


def _edit(path, row: int, **values) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    headers = [c.value for c in ws[1]]
    for name, value in values.items():
        ws.cell(row=row, column=headers.index(name) + 1, value=value)
    wb.save(path)


def _failed(path) -> dict[str, dict]:
    return {r["document_number"]: r for r in table_rows(path, PAYMENTS.sheet) if r["status"] == Status.FAILED}


def test_a_refused_row_keeps_its_reason_and_is_sent_again_only_once_changed(sandbox, api_key, tmp_path,
                                                                            monkeypatch):
    from tests.support.sandbox_api import client, lookup

    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=10, notes=0)
    # Accounts no payment can go into: only the platform says so (an unknown invoice or an amount
    # above what is due is caught before sending, by reading the invoice: submission/references.py).
    api = client(sandbox, api_key)
    for row, name in ((2, "Accounts Payable"), (3, "Accounts Receivable")):
        _edit(path, row, account_id=lookup(api, NETSUITE, "accounts", **{"name[eq]": name})["platform_id"])
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    first = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert first.exit_code == 1, first.output
    refused = _failed(path)
    assert refused, "the demo data holds rows the platform refuses"
    reasons = {number: row["message"] for number, row in refused.items()}

    # Validate after Submit: still Failed, with the platform's reason (not "Valid" and blank).
    validated = CliRunner().invoke(cli, ["validate", str(path)])
    after = _failed(path)
    assert set(after) == set(refused), validated.output
    for number, row in after.items():
        reason = re.split(r"\. Correct|; fix", reasons[number].split("refused this row: ")[1])[0]  # its words
        assert reason in row["message"] and "not sent again until you change the row" in row["message"]
        assert re.search(r"\(refused on \d{4}-\d{2}-\d{2}; ", row["message"]), row["message"]  # and when
        assert row["sync_id"] == refused[number]["sync_id"] or not refused[number]["sync_id"]
    assert "refused by the platform" in validated.output

    # Submit again, unchanged: nothing of them is sent, and they still say why.
    sent_before = _attempts(tmp_path)
    again = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert "refused before are unchanged" in again.output, again.output
    assert _attempts(tmp_path) == sent_before
    assert set(_failed(path)) == set(refused)

    # Asked for: sent again (and refused again).
    forced = CliRunner().invoke(cli, ["submit", str(path), "--yes", "--resend-rejected"])
    assert len(_attempts(tmp_path)) == len(sent_before) + len(refused), forced.output
    # ...and the plan shown before sending counted them as the send did, with the command's options
    new = {int(n) for n in re.findall(r"(\d+) new payments? to send", forced.output)}
    assert new == {len(refused)}, forced.output
    assert "refused before are unchanged" not in forced.output, forced.output

    # Changed: sent again without being asked.
    _edit(path, 3, amount=1.0)
    changed = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert len(_attempts(tmp_path)) == len(sent_before) + len(refused) + 1, changed.output
    assert sandbox.count_records(NETSUITE, "invoice_payments") >= 1


def _attempt(**fields) -> Attempt:
    base = dict(id=1, fingerprint="f", base_url="u", company_id=1, model="invoice_payments", document_number="D",
                payload={}, state=FAILED, batch_id=None, sync_id=None, rootfi_id=None, platform_id=None,
                message="RootFi rejected the record: amount too high", error_code="platform-denied",
                sent_at="2026-11-01T10:00:00+00:00", updated_at="", server_sent_at=None, bulk=False)
    base.update(fields)
    return Attempt(**{k: v for k, v in base.items() if k in Attempt.__dataclass_fields__})


def test_which_failures_count_as_refused_by_the_platform():
    assert was_refused(_attempt())  # a 4xx to a one-by-one write
    assert was_refused(_attempt(bulk=True, sync_id="s-1"))  # a failed job of a bulk write
    assert not was_refused(_attempt(bulk=True))  # a 4xx to a whole batch: perhaps another record's fault
    assert not was_refused(_attempt(message="not sent: Could not reach RootFi", error_code="NetworkError"))
    assert not was_refused(_attempt(message="not sent: RootFi is busy (429)", error_code="429"))
    assert not was_refused(_attempt(state=CREATED))


def test_a_refused_row_says_why_and_on_which_day_it_was_refused():
    assert refused_before(_attempt()) == (
        "RootFi rejected the record: amount too high (refused on 2026-11-01; not sent again until you change the "
        "row, or run submit --resend-rejected)")
    assert refused_before(_attempt(message=None)).startswith("no reason given (refused on 2026-11-01; ")
