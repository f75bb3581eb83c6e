"""What Submit looks up before it sends: a row Invalid only for its amount due is looked for
on the platform but never sent; a row whose answer was lost, naming its invoice by number,
is settled with the same body the first run sent."""

from __future__ import annotations

from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.sheets.layout import PAYMENTS, Status
from tests.support.cache_keys import key
from tests.support.cli_books import demo_book, table_rows
from tests.support.sandbox_api import QUICKBOOKS


def test_a_row_over_the_amount_due_is_looked_up_but_never_sent(make_sandbox, api_key, tmp_path, monkeypatch):
    """Submit looks for rows Invalid for their amount due alone (the platform may have them), but one that is
    not there stays Invalid, with the message naming the column, and is not sent."""
    import openpyxl

    sandbox = make_sandbox()
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=3, notes=0, company=QUICKBOOKS)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    assert CliRunner().invoke(cli, ["lookups", str(path)]).exit_code == 0
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    headers = [c.value for c in ws[1]]
    ws.cell(row=3, column=headers.index("amount") + 1, value=10_000_000)
    wb.save(path)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    rows = table_rows(path, PAYMENTS.sheet)
    assert [r["status"] for r in rows] == [Status.CREATED, Status.INVALID, Status.CREATED], result.output
    assert rows[1]["message"].startswith("amount: 10,000,000.00 exceeds the amount due of invoice")
    assert not rows[1]["rootfi_id"] and sandbox.count_records(QUICKBOOKS, "invoice_payments") == 2


def test_a_lost_answer_of_a_row_naming_its_invoice_by_number_is_settled_not_failed(make_sandbox, api_key, tmp_path,
                                                                                  monkeypatch):
    """Online checks resolve an invoice number to its id and that id is sent; an answer lost leaves the row
    Unknown. The next Submit must send (or look up) the same body, not the raw number."""
    import openpyxl

    from rootfi_excel.lookups.cache import LookupCache

    db = tmp_path / "sandbox.sqlite3"
    setup = make_sandbox(db_path=db)
    path = demo_book(tmp_path / "book.xlsx", setup, api_key, payments=2, notes=0, company=QUICKBOOKS)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    assert CliRunner().invoke(cli, ["lookups", str(path)]).exit_code == 0
    with LookupCache() as cache:
        view = cache.company(key(setup.base_url, QUICKBOOKS))
        wb = openpyxl.load_workbook(path)
        ws = wb[PAYMENTS.sheet]
        headers = [c.value for c in ws[1]]
        column_of = headers.index("invoice_id") + 1
        for row in range(2, 4):
            cell = ws.cell(row=row, column=column_of)
            cell.value = view.get("invoices", cell.value)["document_number"]  # typed as INV-10xxx
        wb.save(path)
    port = setup.port
    setup.stop()
    lossy = make_sandbox(db_path=db, port=port, faults={"drop@writes": 1.0})
    first = CliRunner().invoke(cli, ["submit", str(path), "--yes", "--lost-answer-wait", "86400"])
    assert [r["status"] for r in table_rows(path, PAYMENTS.sheet)] == [Status.UNKNOWN] * 2, first.output
    created = lossy.count_records(QUICKBOOKS, "invoice_payments")
    lossy.stop()
    fresh = make_sandbox(db_path=db, port=port)
    second = CliRunner().invoke(cli, ["submit", str(path), "--yes", "--lost-answer-wait", "0"])
    rows = table_rows(path, PAYMENTS.sheet)
    assert [r["status"] for r in rows] == [Status.CREATED] * 2, (second.output, [r["message"] for r in rows])
    assert created == 2 and fresh.count_records(QUICKBOOKS, "invoice_payments") == 2
