"""Small sheet details: a Failed row that is valid again loses the refused
attempt's submitted_at and sync_id; a payment mode is sent in the dropdown list's spelling."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.sheets.layout import PAYMENT_MODES, PAYMENTS, RESULT_COLUMNS, Status
from rootfi_excel.validation.workbook_validation import validate_workbook
from rootfi_excel.workbook.xlsx import XlsxWorkbook
from tests.support.books import PAYMENT_HEADERS, row_of, write_book
from tests.support.cli_books import table_rows

HEADERS = PAYMENT_HEADERS + list(RESULT_COLUMNS)
GOOD = dict(invoice_id="101", amount=100, payment_date=dt.datetime(2026, 3, 4), currency_id="USD")
SENT = dt.datetime(2026, 3, 5, 9, 30)


def test_a_failed_row_that_became_valid_loses_its_old_submitted_at(tmp_path):
    rows = [
        # Refused by the platform at a Submit (no journal here: the row was changed since).
        row_of(HEADERS, document_number="P-1", **GOOD, status=Status.FAILED, sync_id="sync-1", submitted_at=SENT,
               message="Xero refused this row: amount is more than due. Correct the row, then submit again."),
        # Refused, and now wrong in another way: Invalid, and no Submit's time either.
        row_of(HEADERS, document_number="P-2", **{**GOOD, "amount": -5}, status=Status.FAILED, submitted_at=SENT),
        # Created: its Submit's time and ids stay.
        row_of(HEADERS, document_number="P-3", **GOOD, status=Status.CREATED, rootfi_id="77", sync_id="sync-2",
               submitted_at=SENT),
    ]
    path = write_book(tmp_path / "book.xlsx", payments=(HEADERS, rows))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    written = table_rows(path, PAYMENTS.sheet)
    assert [(r["status"], r["submitted_at"], r["sync_id"]) for r in written] == [
        (Status.VALID, None, None), (Status.INVALID, None, None), (Status.CREATED, SENT, "sync-2")]
    assert written[2]["rootfi_id"] == "77"


def test_a_payment_mode_is_sent_in_the_lists_spelling(tmp_path):
    modes = ["cheque", "BANK TRANSFER", " credit  card ", "Check"]
    rows = [row_of(PAYMENT_HEADERS, document_number=f"P-{n}", payment_mode=mode, **GOOD)
            for n, mode in enumerate(modes)]
    path = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, rows))
    sheet = validate_workbook(XlsxWorkbook.open(path)).sheets[PAYMENTS.key]
    sent = [unit.request.to_api().get("payment_mode") for unit in sheet.units]
    assert sent == ["Cheque", "Bank Transfer", "Credit Card", "Check"]  # another word is sent as typed
    assert {"Cheque", "Bank Transfer", "Credit Card"} <= set(PAYMENT_MODES)  # the dropdown's own spelling
