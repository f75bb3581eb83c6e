"""`send anyway` means "a new record, although this row looks like the records I was shown":
it never covers a record made from the row's very values (document number included), which
the person may never have seen. Over HTTP against the sandbox, through the fake Excel.

The story: a row held as a look-alike of a record (its message naming that record) is marked
`send anyway`; the Submit that sends it creates a record whose result never reaches the row
(its hidden key cleared while Submit ran). The row still says `send anyway`: the next Submit
must not create the record a second time.
"""

from __future__ import annotations

from rootfi_excel.sheets.layout import ROW_KEY, Status
from rootfi_excel.submission.journal import CREATED, Journal
from tests.support.buttons import mid_run, press
from tests.support.submitting import fast_client
from tests.support.excel_payments import add_row, column, inputs, set_cell, table_of

COMPANY = 1001
MODEL = "invoice_payments"


def created(number: str):
    with Journal() as journal:
        return [a for a in journal.attempts(CREATED) if a.document_number == number]


def numbers_in_platform(sandbox, api_key) -> list[str]:
    client = fast_client(sandbox, api_key)
    try:
        return sorted(str(r.get("document_number"))
                      for r in client.iter_records(COMPANY, "list", {}, model=MODEL, include_deleted=True))
    finally:
        client.close()


def sent_anyway_and_lost(excel, sandbox):
    """Row 3 (X-001b) held as a look-alike of X-001's record (its row deleted while Submit ran),
    marked `send anyway`; the Submit that sends it loses the row's key meanwhile, so the record
    it creates (X-001b) never reaches the row, which still says `send anyway`."""
    book = excel(3)
    deleted = inputs(book, 1)
    mid_run(book, lambda: table_of(book).delete_row(1))
    press("submit", book)
    add_row(book, **{**deleted, "document_number": "X-001b"})
    press("submit", book)
    assert column(book, "status")[2] == Status.SKIPPED and "looks like payment X-001 " in column(book, "message")[2]
    set_cell(book, 2, "status", "send anyway")  # the person's word, given to a message naming X-001
    mid_run(book, lambda: set_cell(book, 2, ROW_KEY, None))
    press("submit", book)
    assert sandbox.count_records(COMPANY, MODEL) == 4
    [record] = created("X-001b")
    assert column(book, "rootfi_id")[2] is None and column(book, "status")[2].lower() == "send anyway"  # never reached it
    return book, record


def test_a_send_anyway_row_identical_to_a_record_made_from_it_is_held_naming_that_record(excel, sandbox, api_key):
    book, record = sent_anyway_and_lost(excel, sandbox)
    press("submit", book)
    assert sandbox.count_records(COMPANY, MODEL) == 4, numbers_in_platform(sandbox, api_key)  # not sent again
    message = column(book, "message")[2]
    assert column(book, "status")[2] == Status.SKIPPED and not column(book, "rootfi_id")[2]
    assert message.startswith("Not sent, although marked send anyway"), message
    assert f"payment X-001b for invoice {record.payload['invoice_id']} (rootfi_id {record.rootfi_id})" in message
    assert "exactly this row's values, document number included" in message and "of this workbook" in message
    assert f"type {record.rootfi_id} into its rootfi_id column" in message
    assert "give it its own document_number" in message
    assert "1 row was not sent although marked send anyway" in book.app.alerts[-1][0]
    press("submit", book)  # held as long as nothing is done
    assert column(book, "status")[2] == Status.SKIPPED and sandbox.count_records(COMPANY, MODEL) == 4


def test_typing_the_rootfi_id_into_it_makes_it_that_record(excel, sandbox, api_key):
    book, record = sent_anyway_and_lost(excel, sandbox)
    press("submit", book)
    set_cell(book, 2, "rootfi_id", record.rootfi_id)
    press("submit", book)
    assert column(book, "status") == [Status.CREATED] * 3 and str(column(book, "rootfi_id")[2]) == record.rootfi_id
    assert sandbox.count_records(COMPANY, MODEL) == 4
    assert numbers_in_platform(sandbox, api_key) == ["X-000", "X-001", "X-001b", "X-002"]


def test_given_its_own_number_and_send_anyway_it_is_sent_once(excel, sandbox, api_key):
    book, record = sent_anyway_and_lost(excel, sandbox)
    press("submit", book)
    set_cell(book, 2, "document_number", "X-001c")  # truly another payment: its own number
    set_cell(book, 2, "status", "send anyway")
    press("submit", book)
    assert column(book, "status")[2] == Status.CREATED and str(column(book, "rootfi_id")[2]) != record.rootfi_id
    assert numbers_in_platform(sandbox, api_key) == ["X-000", "X-001", "X-001b", "X-001c", "X-002"]
    press("submit", book)
    assert sandbox.count_records(COMPANY, MODEL) == 5  # and never again


# ------------------------------------------------------------ the platform's check by document number

def test_a_send_anyway_row_identical_to_a_record_made_on_another_computer_is_held_naming_it(excel, sandbox, api_key):
    """The journal cannot know a colleague's record made on their computer: the check by document
    number still runs for a `send anyway` row, and a record with its very values holds it."""
    book = excel(2)
    press("submit", book)
    values = {**inputs(book, 1), "document_number": "X-009"}
    colleague = fast_client(sandbox, api_key)
    try:
        theirs = colleague.create(COMPANY, MODEL, {"document_number": "X-009", "invoice_id": values["invoice_id"],
                                                   "amount": values["amount"],
                                                   "payment_date": values["payment_date"].date().isoformat()})
    finally:
        colleague.close()
    add_row(book, **values)
    set_cell(book, 2, "status", "send anyway")
    press("submit", book)
    message = column(book, "message")[2]
    assert column(book, "status")[2] == Status.SKIPPED and sandbox.count_records(COMPANY, MODEL) == 3, (column(book, "status"), column(book, "message"))
    assert message.startswith("Not sent, although marked send anyway: QuickBooks Online already has payment X-009")
    assert f"(rootfi_id {theirs['rootfi_id']})" in message and "give it its own document_number" in message


def test_a_send_anyway_row_with_the_number_of_the_record_its_hold_named_is_sent_once(excel, sandbox, api_key):
    """Same number and invoice as a record whose row was deleted while Submit ran, another amount:
    held naming that record; `send anyway` sends it (the record it was held for is no conflict
    by the person's word), once."""
    book = excel(3)
    deleted = inputs(book, 1)
    mid_run(book, lambda: table_of(book).delete_row(1))
    press("submit", book)
    add_row(book, **{**deleted, "amount": 7.5})
    press("submit", book)
    assert column(book, "status")[2] == Status.SKIPPED and "looks like payment X-001 " in column(book, "message")[2]
    set_cell(book, 2, "status", "send anyway")
    press("submit", book)
    assert column(book, "status")[2] == Status.CREATED, column(book, "message")[2]
    assert numbers_in_platform(sandbox, api_key) == ["X-000", "X-001", "X-001", "X-002"]
    press("submit", book)
    assert sandbox.count_records(COMPANY, MODEL) == 4
