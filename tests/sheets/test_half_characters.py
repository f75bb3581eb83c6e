"""Excel keeps text as UTF-16: LEFT or MID can cut an emoji in two and leave half of it (an
unpaired surrogate) in a cell. Such a text cannot be sent, journalled or fingerprinted, so
the row is Invalid with a message naming the column, never a crash of Validate or Submit;
a whole pair left in the text is one character, read as it is."""

from __future__ import annotations

import pytest

from rootfi_excel.errors import CellError
from rootfi_excel.sheets.cells import CellFormat, read_text
from rootfi_excel.sheets.layout import PAYMENTS, Status
from rootfi_excel.submission.journal import Journal, default_path
from rootfi_excel.validation.workbook_validation import validate_workbook, write_validation
from rootfi_excel.workbook.excel import ExcelWorkbook
from tests.support.books import PAYMENT_HEADERS, row_of
from tests.support.excel_books import GOOD, column, fake_book

HALF = "\ud83d"  # the first half of 😀


def test_half_a_character_in_a_text_cell_is_refused_and_a_whole_pair_is_read():
    with pytest.raises(CellError, match="half of a character"):
        read_text(f"Zoë {HALF}", CellFormat())
    with pytest.raises(CellError, match="half of a character"):
        read_text("\ude00 tail", CellFormat())
    assert read_text("smile \ud83d\ude00", CellFormat()) == "smile \U0001f600"
    assert read_text("smile \U0001f600", CellFormat()) == "smile \U0001f600"


def test_a_row_with_half_a_character_is_invalid_naming_its_column_and_the_others_are_checked():
    with Journal(default_path()):  # a journal from an earlier Submit: Validate reads past refusals in it
        pass
    book = fake_book([row_of(PAYMENT_HEADERS, **{**GOOD, "memo": f"Zoë {HALF}"}),
                      row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": "P-2", "memo": "Zoë \U0001f600"})])
    workbook = ExcelWorkbook(book)
    report = validate_workbook(workbook)
    write_validation(workbook, report)
    assert column(book, "status") == [Status.INVALID, Status.VALID]
    assert column(book, "message")[0].startswith("memo: holds half of a character")
    (valid,) = report.sheets[PAYMENTS.key].ready
    assert valid.request.to_api()["memo"] == "Zoë \U0001f600"
