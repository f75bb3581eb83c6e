"""The line that ends the Submit message when the rows not yet created have no amount that
can be read (a payment typed without its amount): it is said, not a crash of the summary."""

from __future__ import annotations

from decimal import Decimal

from rootfi_excel.sheets.layout import Status
from rootfi_excel.sheets.totals import Line, control_totals
from rootfi_excel.sheets.totals_view import submit_line


def test_rows_not_yet_created_without_an_amount_are_counted_in_the_line():
    lines = [Line("payments", 2, "USD", None, Status.INVALID)]
    assert submit_line(control_totals(lines), lines, "XERO") == (
        "1 payment, USD 0.00, is not yet: see the Totals sheet")
    lines.append(Line("payments", 3, "USD", Decimal("5"), Status.FAILED))
    assert submit_line(control_totals(lines), lines, "XERO") == (
        "2 payments, USD 5.00, are not yet: see the Totals sheet")
