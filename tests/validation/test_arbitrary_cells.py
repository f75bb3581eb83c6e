"""Property-based tests: arbitrary cell values thrown at the parser and validation.

Whatever a sheet holds, validation never raises, every row gets a result, and every
cell that cannot be read gets a message naming its column.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rootfi_excel.errors import CellError
from rootfi_excel.fields.integrations import RequirementBook
from rootfi_excel.sheets.cells import EXCEL_ERRORS, READERS, CellFormat
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, RESULT_COLUMNS, Status
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.validation.validate import validate_credit_notes, validate_payments
from rootfi_excel.sheets.port import Table
from tests.support.examples import examples

cell_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["", "  ", "1,234.50", "1.234,50", "03/04/2026", "2026-03-04", "1.23457E+15", "(100)",
                     "$5", "$", "( )", "€", "-", "INV-1, INV-2", "=SUM(A1)", "TRUE", "31/02/2026", *sorted(EXCEL_ERRORS)]),
    st.integers(min_value=-10**18, max_value=10**18),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1)),
)

FORMATS = st.sampled_from([CellFormat("DMY", "."), CellFormat("MDY", ","), CellFormat("YMD", ".")])


def _table(layout, data, headers_extra=()):
    headers = [c.name for c in layout.columns] + list(RESULT_COLUMNS) + list(headers_extra)
    rows = [list(r[: len(layout.columns)]) + [None] * (len(headers) - len(layout.columns)) for r in data]
    return headers, Table(headers, rows)


def _check_every_bad_cell_is_reported(layout, sheet, table, fmt):
    kinds = {c.name: c.kind for c in layout.columns}
    for index, cells in enumerate(table.rows):
        result = sheet.results.get(index)
        if result is None:  # a blank row: every input cell must be blank
            assert all(v is None or (isinstance(v, str) and not v.strip()) for v in cells[: len(kinds)])
            continue
        for name, value in zip(kinds, cells):
            try:
                READERS[kinds[name]](value, fmt)
            except CellError:
                assert result.status == Status.INVALID
                assert f"{name}: " in result.message


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell_values, min_size=len(PAYMENTS.columns), max_size=len(PAYMENTS.columns)),
                max_size=6), FORMATS)
def test_payments_parser_never_raises_and_reports_every_bad_cell(data, fmt):
    _, table = _table(PAYMENTS, data)
    book_settings = WorkbookSettings(date_order=fmt.date_order, decimal_separator=fmt.decimal_separator,
                                     integration="NETSUITE")
    sheet = validate_payments(table, book_settings, RequirementBook())
    _check_every_bad_cell_is_reported(PAYMENTS, sheet, table, fmt)
    for unit in sheet.ready:
        assert unit.request is not None
        unit.request.to_api()  # always serialisable


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell_values, min_size=len(CREDIT_NOTE_LINES.columns), max_size=len(CREDIT_NOTE_LINES.columns)),
                max_size=6), FORMATS)
def test_credit_note_parser_never_raises_and_reports_every_bad_cell(data, fmt):
    _, table = _table(CREDIT_NOTE_LINES, data)
    book_settings = WorkbookSettings(date_order=fmt.date_order, decimal_separator=fmt.decimal_separator)
    sheet = validate_credit_notes(table, book_settings, RequirementBook())
    _check_every_bad_cell_is_reported(CREDIT_NOTE_LINES, sheet, table, fmt)
    for unit in sheet.ready:
        body = unit.request.to_api()
        assert body["line_items"], "a ready credit note always has lines"


@settings(max_examples=examples(200), deadline=None)
@given(cell_values, FORMATS)
def test_each_reader_either_reads_or_raises_a_cell_error(value, fmt):
    for reader in READERS.values():
        try:
            reader(value, fmt)
        except CellError as error:
            assert str(error), "a cell error always says something"


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12), st.integers(), st.floats()), max_size=12))
def test_arbitrary_headers_never_crash_the_column_finder(headers):
    from rootfi_excel.errors import HeaderError

    table = Table(list(headers), [[None] * len(headers)])
    try:
        validate_payments(table, WorkbookSettings(), RequirementBook())
    except HeaderError as error:
        assert "column" in str(error)
