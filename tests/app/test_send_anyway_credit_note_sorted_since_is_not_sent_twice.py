"""A credit note marked `send anyway` whose Submit created it but never wrote its result back
(its lines' hidden keys cleared while Submit ran), its lines then sorted into another order:
the same credit note, made from the very same values, so `send anyway` does not cover it and
the next Submit does not create it again. Over HTTP against the sandbox, through the fake Excel."""

from __future__ import annotations

import datetime as dt

from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, RESULT_COLUMNS, ROW_KEY, Status
from tests.support.books import LINE_HEADERS, row_of
from tests.support.buttons import mid_run, press
from tests.support.submitting import fast_client

COMPANY = 1001
MODEL = "invoice_credit_notes"
NAMES = LINE_HEADERS + list(RESULT_COLUMNS) + [ROW_KEY]


def test_a_send_anyway_credit_note_created_then_sorted_is_not_created_again(excel, sandbox, api_key):
    client = fast_client(sandbox, api_key)
    try:
        contact = next(iter(client.iter_records(COMPANY, "contacts", {})))["platform_id"]
        account = next(iter(client.iter_records(COMPANY, "accounts", {})))["platform_id"]
    finally:
        client.close()
    line = dict(document_number="CN-7", contact_id=contact, posted_date=dt.datetime(2026, 3, 31), account_id=account,
                unit_amount=10.0)
    book = excel(0, lines=[row_of(LINE_HEADERS, **line, description=f"line {i}", quantity=i + 1) for i in range(2)])
    sheet = book.sheets[CREDIT_NOTE_LINES.sheet]
    table = sheet.tables[0]

    def cells(name: str) -> list:
        return [sheet.cells.get((r, table.left + NAMES.index(name))) for r in range(table.top + 1, table.top + 3)]

    def set_all(name: str, value) -> None:
        for r in range(table.top + 1, table.top + 3):
            sheet.cells[(r, table.left + NAMES.index(name))] = value

    press("validate", book)
    set_all("status", "send anyway")  # the person's word (given to a message naming another credit note)
    mid_run(book, lambda: set_all(ROW_KEY, None))  # its result never reaches its lines
    press("submit", book)
    assert sandbox.count_records(COMPANY, MODEL) == 1 and cells("rootfi_id") == [None, None]
    assert [str(s).lower() for s in cells("status")] == ["send anyway"] * 2
    table.sort(NAMES.index("quantity"), reverse=True)  # the same lines, in another order
    press("submit", book)
    assert sandbox.count_records(COMPANY, MODEL) == 1, (cells("status"), cells("message"))
    assert cells("status")[0] == Status.SKIPPED and "Not sent, although marked send anyway" in cells("message")[0]
