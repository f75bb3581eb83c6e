"""A row a person marked `send anyway`, checked like every other row against the platform's
records by document number and against the journal's records of its very values: what it is
sent for, held for, and what its message and the summary say. Over HTTP against the sandbox,
through the fake Excel (the real adapter)."""

from __future__ import annotations

from rootfi_excel.sheets.layout import ROW_KEY, Status
from tests.support.buttons import mid_run, press
from tests.support.submitting import fast_client
from tests.support.excel_payments import add_rows, column, inputs, set_cell, table_of

COMPANY = 1001
MODEL = "invoice_payments"


def platform_numbers(sandbox, api_key) -> list[str]:
    return sorted(str(r.get("document_number")) for r in records(sandbox, api_key, include_deleted=True))


def records(sandbox, api_key, include_deleted=False) -> list[dict]:
    client = fast_client(sandbox, api_key)
    try:
        return list(client.iter_records(COMPANY, "list", {}, model=MODEL, include_deleted=include_deleted))
    finally:
        client.close()


def colleague_creates(sandbox, api_key, values: dict) -> dict:
    """A record made on another computer: this journal cannot know it."""
    client = fast_client(sandbox, api_key)
    try:
        return client.create(COMPANY, MODEL, {"document_number": values["document_number"],
                                              "invoice_id": values["invoice_id"], "amount": values["amount"],
                                              "payment_date": values["payment_date"].date().isoformat()})
    finally:
        client.close()


def test_a_send_anyway_row_sharing_a_colleagues_number_and_invoice_with_another_amount_fails_as_any_row_would(
        excel, sandbox, api_key):
    """Another amount under the number and invoice of a colleague's record (one this journal does
    not know, so no hold named it): `send anyway` covers the records a row's hold named, not a
    number clash it never showed, so the row fails as any row would, naming the record and the
    way out (its own document_number), and nothing is created. Given its own number, it is sent once."""
    book = excel(2)
    press("submit", book)
    values = {**inputs(book, 1), "document_number": "X-009"}
    theirs = colleague_creates(sandbox, api_key, {**values, "amount": 0.5})
    add_rows(book, values)
    set_cell(book, 2, "status", "send anyway")
    press("submit", book)
    message = column(book, "message")[2]
    assert column(book, "status")[2] == Status.FAILED, message
    assert f"rootfi_id {theirs['rootfi_id']}" in message and "give this row its own document_number" in message
    assert platform_numbers(sandbox, api_key) == ["X-000", "X-001", "X-009"]
    set_cell(book, 2, "document_number", "X-010")
    press("submit", book)
    assert column(book, "status")[2] == Status.CREATED, column(book, "message")[2]
    assert platform_numbers(sandbox, api_key) == ["X-000", "X-001", "X-009", "X-010"]


def test_two_identical_new_send_anyway_rows_are_neither_sent_and_each_names_the_other(excel, sandbox, api_key):
    """Two new rows with the very same values (a row pasted twice), both marked `send anyway`:
    `send anyway` never covers a record made from a row's very values, and Validate's check for
    the same payment twice in the sheet still runs: neither is sent, each names the other row."""
    book = excel(2)
    press("submit", book)
    values = {**inputs(book, 1), "document_number": "X-010"}
    add_rows(book, values, values)
    set_cell(book, 2, "status", "send anyway")
    set_cell(book, 3, "status", "send anyway")
    press("submit", book)
    statuses, messages = column(book, "status"), column(book, "message")
    assert platform_numbers(sandbox, api_key) == ["X-000", "X-001"]
    assert statuses[2:] == [Status.INVALID, Status.INVALID], messages
    assert all(m.startswith("document_number: the same payment (X-010 for invoice") for m in messages[2:]), messages


def test_a_pasted_copy_of_a_created_row_marked_send_anyway_is_not_sent(excel, sandbox, api_key):
    """A created row's values pasted below it (a new row, no key) and marked `send anyway`: the
    record with its very values is on the sheet already; it is not created twice."""
    book = excel(2)
    press("submit", book)
    add_rows(book, inputs(book, 1))
    set_cell(book, 2, "status", "send anyway")
    press("submit", book)
    statuses, messages = column(book, "status"), column(book, "message")
    assert platform_numbers(sandbox, api_key) == ["X-000", "X-001"], (statuses, messages)
    assert statuses == [Status.CREATED, Status.CREATED, Status.INVALID], messages
    assert messages[2].startswith("document_number: the same payment (X-001 for invoice") and "delete the extra row" \
        in messages[2], messages[2]


def held_by_a_colleagues_identical_record(excel, sandbox, api_key):
    book = excel(2)
    press("submit", book)
    values = {**inputs(book, 1), "document_number": "X-009"}
    theirs = colleague_creates(sandbox, api_key, values)
    add_rows(book, values)
    set_cell(book, 2, "status", "send anyway")
    press("submit", book)
    assert column(book, "status")[2] == Status.SKIPPED and sandbox.count_records(COMPANY, MODEL) == 3
    return book, theirs


def test_the_summary_says_why_a_send_anyway_row_held_by_a_platform_record_was_not_sent(excel, sandbox, api_key):
    """As when the journal's record holds it (identity.py's warning): the summary says a row marked
    `send anyway` was not sent, and why, not only "1 skipped"."""
    book, theirs = held_by_a_colleagues_identical_record(excel, sandbox, api_key)
    summary = book.app.alerts[-1][0]
    assert "1 row was not sent although marked send anyway" in summary, summary


def test_typing_the_colleagues_rootfi_id_into_the_held_row_makes_it_that_record(excel, sandbox, api_key):
    book, theirs = held_by_a_colleagues_identical_record(excel, sandbox, api_key)
    set_cell(book, 2, "rootfi_id", theirs["rootfi_id"])
    press("submit", book)
    assert column(book, "status")[2] == Status.CREATED, column(book, "message")[2]
    assert str(column(book, "rootfi_id")[2]) == str(theirs["rootfi_id"]) and sandbox.count_records(COMPANY, MODEL) == 3


def held_like_a_record_of_a_deleted_row(excel, amount):
    """Row 2 has X-001's number and invoice (amount `amount`); X-001's row was deleted while the
    Submit that created it ran: held as a look-alike of X-001's record, then marked `send anyway`."""
    book = excel(3)
    deleted = inputs(book, 1)
    mid_run(book, lambda: table_of(book).delete_row(1))
    press("submit", book)
    add_rows(book, {**deleted, "amount": amount})
    press("submit", book)
    assert column(book, "status")[2] == Status.SKIPPED and "looks like payment X-001 " in column(book, "message")[2]
    set_cell(book, 2, "status", "send anyway")  # the person's word, given to a message naming X-001 of amount 1.01
    return book


def test_a_send_anyway_row_is_held_when_the_record_it_was_held_for_was_edited_to_its_very_values(excel, sandbox,
                                                                                               api_key):
    """The person agreed to a new payment beside X-001 of another amount; a colleague then
    corrected X-001 in the platform to this row's amount (the row was that payment all along).
    `send anyway` does not cover a record with the very same values: not sent, that record named."""
    book = held_like_a_record_of_a_deleted_row(excel, 7.5)
    [record] = [r for r in records(sandbox, api_key) if r["document_number"] == "X-001"]
    sandbox.change_record(COMPANY, MODEL, record["platform_id"], amount=7.5)
    press("submit", book)
    assert platform_numbers(sandbox, api_key) == ["X-000", "X-001", "X-002"], column(book, "message")[2]
    assert column(book, "status")[2] == Status.SKIPPED and f"(rootfi_id {record['rootfi_id']})" in \
        column(book, "message")[2]


def test_a_send_anyway_row_whose_identical_record_was_deleted_in_the_platform_is_sent_once(excel, sandbox, api_key):
    """The record made from the row's very values (its result lost) deleted in the platform:
    nothing holds the row any more; it is sent, once."""
    book = held_like_a_record_of_a_deleted_row(excel, 7.5)
    mid_run(book, lambda: set_cell(book, 2, ROW_KEY, None))  # the result never reaches the row
    press("submit", book)
    assert sandbox.count_records(COMPANY, MODEL) == 4 and column(book, "rootfi_id")[2] is None
    press("submit", book)
    assert column(book, "status")[2] == Status.SKIPPED and sandbox.count_records(COMPANY, MODEL) == 4
    [lost] = [r for r in records(sandbox, api_key)
              if r["document_number"] == "X-001" and abs(float(r["amount"]) - 7.5) < 0.001]
    sandbox.change_record(COMPANY, MODEL, lost["platform_id"], delete=True)
    set_cell(book, 2, "status", "send anyway")
    press("submit", book)
    assert column(book, "status")[2] == Status.CREATED, column(book, "message")[2]
    press("submit", book)
    assert sorted(r["document_number"] for r in records(sandbox, api_key)) == ["X-000", "X-001", "X-001", "X-002"]


def test_a_send_anyway_row_like_a_colleagues_record_but_its_payment_date_is_held_saying_what_matched(
        excel, sandbox, api_key):
    """An instalment: the number, invoice and amount of a colleague's payment, another payment
    date. The platform's record matches the row as the check compares records (number, invoice,
    amount), so the row is held (fail closed), and its message says what matched, never "this
    row's values"; given its own number, it is sent once."""
    book = excel(2)
    press("submit", book)
    values = {**inputs(book, 1), "document_number": "X-009"}
    theirs = colleague_creates(sandbox, api_key, {**values, "payment_date": values["payment_date"].replace(month=2)})
    add_rows(book, values)
    set_cell(book, 2, "status", "send anyway")
    press("submit", book)
    message = column(book, "message")[2]
    assert column(book, "status")[2] == Status.SKIPPED, message
    assert f"rootfi_id {theirs['rootfi_id']}" in message and "document number and invoice and amount" in message
    assert "this row's values" not in message and "give it its own document_number" in message
    assert platform_numbers(sandbox, api_key) == ["X-000", "X-001", "X-009"]
    set_cell(book, 2, "document_number", "X-010")
    set_cell(book, 2, "status", "send anyway")
    press("submit", book)
    assert column(book, "status")[2] == Status.CREATED, column(book, "message")[2]
    assert platform_numbers(sandbox, api_key) == ["X-000", "X-001", "X-009", "X-010"]
