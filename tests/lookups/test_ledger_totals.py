"""Against the ledger, pure: the platform's period by currency, split by identity into
"from this workbook" and "from elsewhere", and the difference to the workbook's Created rows
named record by record and row by row (duplicates, deleted records, rounding)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rootfi_excel.app.totals import WorkbookTotals, ledger_ending
from rootfi_excel.lookups.ledger_totals import BEHIND, DIFFERENCE, ledger_table, ledger_totals, record_amount
from rootfi_excel.messages import LEDGER_DIFFERS, LEDGER_TIES
from rootfi_excel.sheets.layout import Status
from rootfi_excel.sheets.totals import Line

D = Decimal
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
DAY = dt.date(2026, 3, 15)


def pay(row, rootfi_id, amount, currency="USD", date=DAY, status=Status.CREATED, number=None):
    return Line("payments", row, currency, D(amount), status, rootfi_id, number, date)


def record(rootfi_id, amount, currency="USD", number=None, **more):
    return {"rootfi_id": rootfi_id, "amount": amount, "currency_id": currency, "document_number": number, **more}


def test_identity_not_likeness_decides_from_this_workbook():
    lines = [pay(2, "11", "100.10", number="R-1"), pay(3, "12", "5")]
    found = {"invoice_payments": [record(11, 100.10, number="R-1"), record(12, 5),
                                  record(13, 100.10, number="R-1")]}  # looks like row 2, is not it
    twins = {"invoice_payments": {"11": "same document number and invoice as rootfi_id 13",
                                  "13": "same document number and invoice as rootfi_id 11"}}
    (usd,) = ledger_totals(found, lines, *MARCH, twins)
    assert (usd.platform.count, usd.platform.amount) == (3, D("205.20"))
    assert (usd.from_workbook.count, usd.from_workbook.amount) == (2, D("105.10"))
    assert (usd.elsewhere.count, usd.elsewhere.amount) == (1, D("100.10"))
    assert (usd.created.count, usd.created.amount) == (2, D("105.10"))
    assert (usd.difference.count, usd.difference.amount) == (1, D("100.10"))
    assert usd.behind == ["rootfi_id 13 (R-1) 100.10: possible duplicate of rootfi_id 11, Invoice Payments row 2"]


def test_a_created_row_missing_from_the_platform_and_a_changed_amount_are_named():
    lines = [pay(2, "11", "10"), pay(3, "12", "20"), pay(4, "14", "7", date=dt.date(2026, 4, 1)),
             pay(5, None, "3", status=Status.FAILED)]
    found = {"invoice_payments": [record(12, 20.01), record(14, 7)]}
    (usd,) = ledger_totals(found, lines, *MARCH)
    assert (usd.created.count, usd.created.amount) == (2, D("30"))  # row 4 is dated in April; row 5 failed
    assert (usd.difference.count, usd.difference.amount) == (0, D("-2.99"))
    assert usd.behind == [
        "Invoice Payments row 2 (rootfi_id 11): Created, but not in the platform's list for the period (deleted "
        "there, or its date changed)",
        "Invoice Payments row 3 (rootfi_id 12): 20.00 here, 20.01 in the platform (rounding or a change there)",
        "Invoice Payments row 4 (rootfi_id 14): in the platform's period, but the row's date or status says otherwise"]


def test_credit_notes_are_compared_before_tax_and_by_record_not_by_line():
    lines = [Line("credit_note_lines", 2, "GBP", D("30.999"), Status.CREATED, "21", "CN-1", DAY),
             Line("credit_note_lines", 3, "GBP", D("5"), Status.CREATED, "21", "CN-1", DAY)]
    note = {"rootfi_id": 21, "total_amount": 43.2, "tax_amount": 7.2, "currency_id": "GBP", "document_number": "CN-1"}
    assert record_amount("invoice_credit_notes", note) == D("36.0")
    (gbp,) = ledger_totals({"invoice_credit_notes": [note]}, lines, *MARCH)
    assert (gbp.platform.count, gbp.created.count, gbp.created.amount) == (1, 1, D("35.999"))
    assert gbp.behind == [] and gbp.difference.count == 0  # 35.999 is 36.00 in pence: no difference shown
    rows = ledger_table([gbp], *MARCH).rows
    assert ["Credit notes", "GBP", DIFFERENCE, "0.00", 0, None] in rows
    assert not [r for r in rows if r[2] == BEHIND]
    assert ledger_ending(WorkbookTotals(ledger=[gbp])) == f"\n{LEDGER_TIES}"
    gbp.behind.append("Credit Note Lines row 9 (rootfi_id 30): ...")  # a row behind it: never said to tie
    assert ledger_ending(WorkbookTotals(ledger=[gbp])) == f"\n{LEDGER_DIFFERS.format(count=1)}"
