"""`rootfi-excel posted`: the period's payments and credit notes on the Posted sheet, the
workbook rows they came from, and twins sharing a document number flagged."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.lookups.posted_sheet import HEADERS, POSTED_SHEET, POSTED_TABLE
from rootfi_excel.sheets.layout import PAYMENTS
from tests.support.sandbox_api import QUICKBOOKS, client
from tests.support.books import PAYMENT_HEADERS, row_of, write_book


def sheet_rows(path, sheet):
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_posted_sheet_marks_workbook_rows_and_twins(sandbox, api_key, tmp_path, monkeypatch):
    api = client(sandbox, api_key)
    invoices = api.get(f"/core/companies/{QUICKBOOKS}/shared/invoices",
                       params={"limit": 3, "status[eq]": "SUBMITTED"}).json()["data"]
    day = dt.datetime(2026, 3, 31)
    rows = [row_of(PAYMENT_HEADERS, document_number=f"RCPT-{n}", invoice_id=inv["platform_id"], amount=5.0,
                   payment_date=day) for n, inv in enumerate(invoices)]
    settings = {"company_id": QUICKBOOKS, "integration": "QUICKBOOKS", "environment": "sandbox",
                "base_url": sandbox.base_url, "posted_from": dt.datetime(2026, 3, 1)}  # for the run without --from
    path = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, rows), settings=settings)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    submitted = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert submitted.exit_code == 0, submitted.output
    # Someone enters RCPT-0 again by hand (QuickBooks accepts it), and a payment outside the period.
    twin = api.post(f"/core/companies/{QUICKBOOKS}/invoice_payments", json={"data": {
        "document_number": "RCPT-0", "invoice_id": invoices[0]["platform_id"], "amount": 5.0,
        "payment_date": "2026-03-31T10:00:00Z"}}).json()["data"]
    api.post(f"/core/companies/{QUICKBOOKS}/invoice_payments", json={"data": {
        "document_number": "RCPT-LATER", "invoice_id": invoices[1]["platform_id"], "amount": 1.0,
        "payment_date": "2026-04-01T00:00:00Z"}})

    result = CliRunner().invoke(cli, ["lookups", str(path)])  # names instead of ids on the Posted sheet
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["posted", str(path), "--from", "2026-03-01", "--to", "2026-03-31"])
    assert result.exit_code == 0, result.output
    assert "4 payments and credit notes" in result.output and "3 from this workbook" in result.output
    assert "2 possible duplicates" in result.output

    again = CliRunner().invoke(cli, ["posted", str(path)])  # the Settings' period: March (posted_to blank)
    assert again.exit_code == 0, again.output
    assert "Period: 2026-03-01 to 2026-03-31." in again.output and "4 payments and credit notes" in again.output
    assert CliRunner().invoke(cli, ["posted", str(path), "--to", "2026-03-31"]).exit_code == 2

    posted = {r["rootfi_id"]: r for r in sheet_rows(path, POSTED_SHEET)}
    assert list(sheet_rows(path, POSTED_SHEET)[0]) == HEADERS
    book_rows = sheet_rows(path, PAYMENTS.sheet)
    assert len(posted) == 4
    for number, row in enumerate(book_rows, start=2):
        entry = posted[row["rootfi_id"]]
        assert entry["from this workbook"] == f"{PAYMENTS.sheet} row {number}"
        assert entry["invoice"] == invoices[number - 2]["document_number"]  # the number, from the cache
    assert posted[str(twin["rootfi_id"])]["from this workbook"] is None
    assert f"rootfi_id {book_rows[0]['rootfi_id']}" in posted[str(twin["rootfi_id"])]["possible duplicate"]
    assert f"rootfi_id {twin['rootfi_id']}" in posted[book_rows[0]["rootfi_id"]]["possible duplicate"]
    assert posted[book_rows[1]["rootfi_id"]]["possible duplicate"] is None
    assert POSTED_TABLE in openpyxl.load_workbook(path)[POSTED_SHEET].tables


@pytest.mark.reads_sandbox
def test_posted_refuses_a_reversed_period(tmp_path, sandbox, api_key, monkeypatch):
    path = write_book(tmp_path / "book.xlsx", settings={"company_id": QUICKBOOKS, "base_url": sandbox.base_url,
                                                         "environment": "sandbox"})
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["posted", str(path), "--from", "2026-03-31", "--to", "2026-03-01"])
    assert result.exit_code == 2 and "before" in result.output


def test_the_posted_period_from_settings_defaults_to_this_month():
    from rootfi_excel.sheets.settings import read_settings

    assert read_settings({}).posted_period(dt.date(2028, 2, 17)) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert read_settings({}).posted_period(dt.date(2026, 12, 31)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    only_from = read_settings({"posted_from": "15/03/2026"})  # DMY, the template's default order
    assert only_from.posted_period() == (dt.date(2026, 3, 15), dt.date(2026, 3, 31))
    both = read_settings({"posted_from": dt.datetime(2026, 1, 1), "posted_to": 46112})  # a date cell, a serial
    assert both.posted_period() == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    wrong = read_settings({"posted_from": "2026-03-31", "posted_to": "2026-03-01", "company_id": 1})
    assert wrong.posted_problems == ["Settings: posted_to is before posted_from"]
    assert wrong.problems == []  # a wrong period never stops Validate or Submit


def test_posted_sends_both_ends_of_the_period_so_an_old_period_is_not_read_to_today(sandbox, api_key, tmp_path,
                                                                                     monkeypatch):
    """With list reads capped at max_pages pages, asking only for date >= from read every
    later record too: an old period of a big company failed every time. Both bounds go to
    the API now; a period too long to read says to choose a shorter one."""
    import pytest

    from rootfi_excel.errors import ListTooLongError
    from rootfi_excel.lookups import posted_sheet as posted_module
    from rootfi_excel.workbook.xlsx import XlsxWorkbook
    from tests.support.submitting import fast_client

    api = client(sandbox, api_key)
    invoice = api.get(f"/core/companies/{QUICKBOOKS}/shared/invoices",
                      params={"limit": 1, "status[eq]": "SUBMITTED"}).json()["data"][0]

    def pay(number, when):
        answer = api.post(f"/core/companies/{QUICKBOOKS}/invoice_payments", json={"data": {
            "document_number": number, "invoice_id": invoice["platform_id"], "amount": 1.0, "payment_date": when}})
        assert answer.status_code < 300, answer.text

    pay("OLD-1", "2020-01-31T23:00:00Z")  # the last day, with a time: still in the period
    for month in range(2, 9):  # later records: more pages than the client reads
        pay(f"LATER-{month}", f"2020-{month:02d}-01T00:00:00Z")
    monkeypatch.setattr(posted_module, "BULK_PAGE_SIZE", 2)
    book = XlsxWorkbook.open(write_book(tmp_path / "book.xlsx", settings={"company_id": QUICKBOOKS}))
    with fast_client(sandbox, api_key, max_pages=3) as api_client:
        report = posted_module.posted_report(api_client, book, QUICKBOOKS, dt.date(2020, 1, 1),
                                             dt.date(2020, 1, 31))
        assert [row[1] for row in report.table.rows] == ["OLD-1"]

        with pytest.raises(ListTooLongError) as too_long:
            posted_module.posted_report(api_client, book, QUICKBOOKS, dt.date(2020, 1, 1), dt.date(2030, 12, 31))
    assert "shorter period" in str(too_long.value) and "posted_from" in str(too_long.value)
