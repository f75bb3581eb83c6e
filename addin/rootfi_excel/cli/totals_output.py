"""The control totals at the end of validate, submit and posted (the Totals sheet, in the terminal)."""

from __future__ import annotations

from typing import Any

from rootfi_excel.cli.output import say


def print_totals(found: Any) -> None:
    """The totals table by sheet and currency (app/totals.WorkbookTotals), and why the
    Totals sheet was not refreshed, when it was not."""
    if found is None:
        return
    from rootfi_excel.sheets.totals_view import totals_text

    if found.problem:
        say(f"  ! {found.problem}", fg="yellow")
    for line in totals_text(found.totals, found.separator):
        say(line)
    if found.ledger:
        from rootfi_excel.lookups.ledger_totals import ledger_text

        for line in ledger_text(found.ledger, found.separator):
            say(line)
