"""The fast Validate against a straightforward reference (tests/support/reference_validation.py).

Random sheets — headers in any order and spelling, raw_data columns, rows of any
length, good and bad cells of every type, formulas never calculated, rows already
sent, repeated payments, credit notes whose lines disagree — must give exactly what
the reference gives: every row's status and message (so the same column is named),
the same units, and the same request bodies sent to the API.
"""

from __future__ import annotations

import datetime as dt
import gc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rootfi_excel.errors import HeaderError
from rootfi_excel.fields.integrations import RequirementBook
from rootfi_excel.sheets.cells import EXCEL_ERRORS, CellFormat
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, RESULT_COLUMNS, Status
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.validation.validate import validate_credit_notes, validate_payments
from rootfi_excel.sheets.port import Table, UncalculatedFormula
from tests.support import reference_validation as reference
from tests.support.examples import examples

anything = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["", "  ", "\u00a0", "1,234.50", "1.234,50", "(100)", "$5", "-", "03/04/2026", "12/25/2026",
                     "2026-03-04", "4 Mar 2026", "1.23457E+15", "INV-1, INV-2", "TRUE", *sorted(EXCEL_ERRORS)[:4]]),
    st.integers(min_value=-10**17, max_value=10**17),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2110, 1, 1)),
    st.builds(UncalculatedFormula, st.sampled_from(["=A1", "=SUM(B2:B9)"])),
)

# Values a person would type, drawn from small pools so that payments repeat and
# credit-note lines share (or disagree on) their header fields.
GOOD = {
    "id": st.sampled_from(["1001", 1001.0, "ACC-1", " ITEM-2 "]),
    "text": st.sampled_from(["Cash", "Bank Transfer", " note ", "Returned goods"]),
    "amount": st.sampled_from([100.0, 12.5, "1,234.50", "$99.99", 7]),
    "number": st.sampled_from([1.0, 2, "1.17", 0.5]),
    "date": st.sampled_from([dt.datetime(2026, 3, 31), dt.date(2026, 3, 4), "2026-03-04", "2026/03/15", 46085]),
    "id_list": st.sampled_from(["INV-1", "INV-1, INV-2", 1001.0, "INV-2; INV-1"]),
    "currency": st.sampled_from(["USD", "usd", " gbp ", "EUR"]),
    "payment_mode": st.sampled_from(["Cash", "cheque", " BANK transfer ", "Check"]),
}
GOOD_BY_NAME = {
    "document_number": st.sampled_from(["P-1", "p-1", "P-2", 1001.0]),
    "invoice_id": st.sampled_from(["INV-1", "INV-2"]),
    "contact_id": st.sampled_from(["C-1", "C-1", "C-2", None]),
    "currency_id": st.sampled_from(["USD", "usd", "GBP", None]),
    "posted_date": st.sampled_from([dt.datetime(2026, 3, 31), dt.datetime(2026, 3, 31), "2026-03-30", None]),
}
RESULT_VALUES = {
    "status": st.sampled_from([None, None, None, "Valid", "Invalid", Status.CREATED, Status.PENDING, Status.UNKNOWN]),
    "message": st.sampled_from([None, None, "ok", "created earlier"]),
    "rootfi_id": st.sampled_from([None] * 12 + [157, "158", 157.0, "  ", 1.5e16, UncalculatedFormula("=A1")]),
    "platform_id": st.sampled_from([None, "PL-1", 77]),
    "sync_id": st.sampled_from([None, "sync-1"]),
    "submitted_at": st.sampled_from([None, dt.datetime(2026, 3, 5, 9, 30), "2026-03-05 09:30"]),
}
RAW_COLUMNS = {"invoice_payments": ["arr_account_id", "payment_journal_id", "raw_data.CustomRef"],
               "invoice_credit_notes": ["currency_rate", "raw_data.CustomRef"]}
RAW_KINDS = {"arr_account_id": "id", "payment_journal_id": "id", "currency_rate": "number", "raw_data.CustomRef": "text"}
INTEGRATIONS = st.sampled_from([None, "NETSUITE", "MS_DYNAMICS_365_FO", "FreshBooks", "SAGE_CLOUD_ACCOUNTING", "XERO"])
FORMATS = st.sampled_from([CellFormat("DMY", "."), CellFormat("MDY", ","), CellFormat("YMD", ".")])


@st.composite
def sheets(draw, layout, model):
    """A table of `layout` as a person might have shaped it, and the workbook's settings.
    Rows are mostly good (so that requests get built), some with one bad cell, some wild."""
    columns = []  # (header, field or raw key, kind)
    for column in layout.columns:
        if draw(st.integers(0, 40)) == 0:
            continue  # a column the team deleted
        header = draw(st.sampled_from([column.name, *column.aliases[:2], column.name.replace("_", " ").title()]))
        columns.append((header, column.name, column.kind))
    for key in RAW_COLUMNS[model]:
        if draw(st.booleans()):
            columns.append((key, key, RAW_KINDS[key]))
    if draw(st.booleans()):
        columns.append(("My own notes", "", "text"))
    columns += [(name, name, "result") for name in RESULT_COLUMNS]
    columns = draw(st.permutations(columns))
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        shape = draw(st.sampled_from(["good", "good", "one bad cell", "wild"]))
        bad = draw(st.integers(0, len(columns) - 1))
        row = []
        for position, (_, name, kind) in enumerate(columns):
            if kind == "result":
                value = draw(RESULT_VALUES[name])
            elif shape == "wild" or (shape == "one bad cell" and position == bad):
                value = draw(st.one_of(st.none(), anything))
            else:
                value = draw(GOOD_BY_NAME.get(name, GOOD[kind]))
            row.append(value)
        rows.append(row[: draw(st.sampled_from([len(row), len(row), len(row) - 3]))])  # some rows are short
    fmt = draw(FORMATS)
    book_settings = WorkbookSettings(date_order=fmt.date_order, decimal_separator=fmt.decimal_separator,
                                     integration=draw(INTEGRATIONS))
    return Table([h for h, _, _ in columns], rows, first_row=draw(st.sampled_from([2, 5]))), book_settings


def _same_as_reference(fast, slow, table, book_settings) -> None:
    book = RequirementBook()
    try:
        expected = slow(table, book_settings, book)
    except HeaderError as error:
        with pytest.raises(HeaderError) as raised:
            fast(table, book_settings, book)
        assert str(raised.value) == str(error)
        return
    got = fast(table, book_settings, book)
    assert {i: (r.status, r.message, r.row_number) for i, r in got.results.items()} == expected.results
    assert [[r.index for r in u.rows] for u in got.units] == [[r.index for r in u.rows] for u in expected.units]
    for unit, reference_unit in zip(got.units, expected.units):
        assert (unit.valid, unit.already_sent) == (reference_unit.valid, reference_unit.already_sent)
        assert (unit.request is None) == (reference_unit.request is None)
        if unit.request is not None:
            assert unit.request.to_api() == reference_unit.request.to_api(), "the same request body"
            assert type(unit.request) is type(reference_unit.request)


@pytest.mark.slow
@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sheets(PAYMENTS, "invoice_payments"))
def test_payments_match_the_reference(sheet):
    _same_as_reference(validate_payments, reference.validate_payments, *sheet)


@pytest.mark.slow
@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sheets(CREDIT_NOTE_LINES, "invoice_credit_notes"))
def test_credit_notes_match_the_reference(sheet):
    _same_as_reference(validate_credit_notes, reference.validate_credit_notes, *sheet)


# --------------------------------------------------- the paused collector


def _payments() -> Table:
    """20 good payments and 20 with a bad cell in most columns."""
    headers = [c.name for c in PAYMENTS.columns] + ["arr_account_id", *RESULT_COLUMNS]
    bad = ["P-X", 1.5e16, True, "#N/A", "abc", "31/02/2026", UncalculatedFormula("=A1"), None, "x", None, None, None, None]
    rows = []
    for i in range(20):
        rows.append([f"P-{i}", "INV-1", "C-1", "1010", "1,234.50", "15/03/2026", "Cash", "USD", None, "memo", None, None, "1200"])
        rows.append(list(bad))
    return Table(headers, rows)


def _credit_notes() -> Table:
    """10 good credit notes of two lines, and 10 whose second line is bad and disagrees."""
    headers = [c.name for c in CREDIT_NOTE_LINES.columns] + list(RESULT_COLUMNS)
    rows = []
    for i in range(20):
        first = [f"CN-{i}", "C-1", "2026-03-31", "USD", "INV-1, INV-2", "Returns", "Goods", "4000", None, None, 1, 9.5]
        second = [f"CN-{i}", None, None, None, None, None, "More", None, "IT-1", None, 2, "3.50"]
        if i % 2:
            second[1:4] = ["C-2", "#REF!", UncalculatedFormula("=B2")]
        rows += [first, second]
    return Table(headers, rows)


@pytest.mark.parametrize("validate,table", [(validate_payments, _payments), (validate_credit_notes, _credit_notes)])
def test_the_collector_is_restored_as_it_was(validate, table):
    assert gc.isenabled()
    validate(table(), WorkbookSettings(integration="NETSUITE"), RequirementBook())
    assert gc.isenabled(), "turned back on"
    gc.disable()
    try:
        validate(table(), WorkbookSettings(), RequirementBook())
        assert not gc.isenabled(), "left off when the caller had turned it off"
    finally:
        gc.enable()
    with pytest.raises(HeaderError):
        validate(Table(["memo"], [["x"]]), WorkbookSettings(), RequirementBook())
    assert gc.isenabled(), "turned back on after an error too"


@pytest.mark.parametrize("validate,table,counts", [(validate_payments, _payments, (20, 20, 0)),
                                                   (validate_credit_notes, _credit_notes, (20, 10, 10))])
def test_validation_leaves_no_garbage_cycles_for_the_paused_collector(validate, table, counts):
    """Pausing the collector is only free because validation makes no reference cycles:
    everything it drops, reference counting frees at once."""
    book_settings = WorkbookSettings(integration="NETSUITE")
    validate(table(), book_settings, RequirementBook())  # warm caches (regexes, pydantic)
    gc.collect()
    gc.disable()
    try:
        sheet = validate(table(), book_settings, RequirementBook())
        assert tuple(sheet.count(s) for s in (Status.VALID, Status.INVALID, Status.SKIPPED)) == counts
        del sheet
        assert gc.collect() == 0, "no cycles left for the collector to find"
    finally:
        gc.enable()
