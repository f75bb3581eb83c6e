"""Control totals from rows and their statuses: counts and exact sums per sheet and
currency, and the check line that is 0 exactly when every row is accounted for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, strategies as st

from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, RESULT_COLUMNS, Status
from rootfi_excel.sheets.money import NO_CURRENCY, decimals, format_amount, has_more_decimals, to_decimal
from rootfi_excel.sheets.totals import NOT_CHECKED, OUTCOMES, Line, control_totals, lines_of
from rootfi_excel.sheets.port import Table

D = Decimal


def test_currency_decimals_and_formatting():
    assert (decimals("USD"), decimals("jpy"), decimals("KWD"), decimals("CLF"), decimals("1001")) == (2, 0, 3, 4, 2)
    assert format_amount(D("1204331.5"), "USD") == "1,204,331.50"
    assert format_amount(D("1204331.5"), "JPY") == "1,204,332"
    assert format_amount(D("-4.25"), "KWD") == "-4.250"
    assert format_amount(D("0.005"), "USD") == "0.01"  # half up, as invoices round
    assert format_amount(D("1204331.5"), "EUR", ",") == "1.204.331,50"  # a workbook that writes 1.234,50
    assert has_more_decimals(D("10.005"), "USD") and not has_more_decimals(D("10.5"), "USD")


def test_cells_become_exact_decimals():
    assert to_decimal(0.1) == D("0.1")
    assert sum(to_decimal(0.1) for _ in range(10)) == D("1.0")  # a float sum would be 0.9999999999999999
    assert to_decimal(3) == D(3)
    assert to_decimal(None) is None and to_decimal(True) is None and to_decimal(float("nan")) is None
    assert to_decimal("12") is None  # text is read by sheets/cells first, never guessed here


def test_identity_decides_created():
    assert Line("payments", 2, "USD", D(1), Status.CREATED, "901").outcome == Status.CREATED
    assert Line("payments", 2, "USD", D(1), Status.INVALID, "901").outcome == Status.CREATED  # the record exists
    assert Line("payments", 2, "USD", D(1), Status.CREATED, None).outcome is None  # a claim without an id
    assert Line("payments", 2, "USD", D(1), "done", None).outcome is None  # a word we never write
    assert Line("payments", 2, "USD", D(1), None, None).outcome == NOT_CHECKED
    assert Line("payments", 2, "USD", D(1), " failed ", None).outcome == Status.FAILED


def test_mixed_outcomes_in_two_currencies_match_a_hand_computed_table():
    lines = [
        Line("payments", 2, "USD", D("1000.00"), Status.CREATED, "11"),
        Line("payments", 3, "USD", D("250.50"), Status.CREATED, "12"),
        Line("payments", 4, "USD", D("99.99"), Status.FAILED),
        Line("payments", 5, "USD", D("10.01"), Status.PENDING),
        Line("payments", 6, "USD", None, Status.INVALID),  # amount unreadable: counted, not summed
        Line("payments", 7, "GBP", D("500"), Status.UNKNOWN),
        Line("payments", 8, "GBP", D("0.10"), Status.CREATED, "13"),
        Line("payments", 9, "GBP", D("0.20"), "Sent?"),  # typed by someone: not accounted for
        Line("credit_note_lines", 2, "USD", D("30"), Status.SKIPPED),
        Line("credit_note_lines", 3, "USD", D("12.5"), Status.VALID),
    ]
    table = {(t.sheet, t.currency): t for t in control_totals(lines)}
    assert [k for k in table] == [("payments", "GBP"), ("payments", "USD"), ("credit_note_lines", "USD")]
    usd = table["payments", "USD"]
    assert (usd.entered.count, usd.entered.amount) == (5, D("1360.50"))
    assert (usd.created.count, usd.created.amount, usd.created.rows) == (2, D("1250.50"), [2, 3])
    assert (usd.outcomes[Status.FAILED].count, usd.outcomes[Status.FAILED].amount) == (1, D("99.99"))
    assert (usd.outcomes[Status.PENDING].amount, usd.outcomes[Status.INVALID].count) == (D("10.01"), 1)
    assert (usd.not_yet_created.count, usd.not_yet_created.amount) == (3, D("110.00"))
    assert usd.no_amount.rows == [6]
    assert (usd.check.count, usd.check.amount, usd.check.rows) == (0, D(0), []) and usd.ties
    gbp = table["payments", "GBP"]
    assert (gbp.entered.count, gbp.entered.amount) == (3, D("500.30"))
    assert (gbp.created.count, gbp.created.amount) == (1, D("0.10"))
    assert (gbp.not_yet_created.count, gbp.not_yet_created.amount) == (1, D("500"))
    assert (gbp.check.count, gbp.check.amount, gbp.check.rows) == (1, D("0.20"), [9]) and not gbp.ties
    notes = table["credit_note_lines", "USD"]
    assert (notes.entered.amount, notes.outcomes[Status.SKIPPED].amount, notes.outcomes[Status.VALID].amount) == (
        D("42.5"), D("30"), D("12.5"))


statuses = st.one_of(st.none(), st.sampled_from([*Status.ALL, "", "  ", "created", "Done", "OK", "=1+1"]))
lines_strategy = st.lists(st.builds(
    Line, sheet=st.sampled_from(["payments", "credit_note_lines"]), row=st.integers(2, 10_000),
    currency=st.sampled_from(["USD", "JPY", "KWD", NO_CURRENCY]),
    amount=st.one_of(st.none(), st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False)),
    status=statuses, rootfi_id=st.one_of(st.none(), st.sampled_from(["", "7", "abc"])),
), max_size=60)


@given(lines_strategy)
def test_the_check_line_is_zero_exactly_when_every_row_is_accounted_for(lines):
    for totals in control_totals(lines):
        mine = [line for line in lines if (line.sheet, line.currency) == (totals.sheet, totals.currency)]
        unaccounted = [line for line in mine if line.outcome is None]
        assert totals.entered.count == len(mine)
        assert totals.entered.amount == sum((line.amount or 0 for line in mine), D(0))
        assert sum(t.count for t in totals.outcomes.values()) + totals.unaccounted.count == len(mine)
        assert totals.ties == (not unaccounted)
        assert totals.check.count == len(unaccounted)
        assert totals.check.rows == sorted(line.row for line in unaccounted)
        assert totals.check.amount == sum((line.amount or 0 for line in unaccounted), D(0))
    assert sum(t.entered.count for t in control_totals(lines)) == len(lines)


def _table(layout, rows: list[dict], first_row: int = 2) -> Table:
    headers = [c.name for c in layout.columns] + list(RESULT_COLUMNS)
    return Table(headers, [[row.get(h) for h in headers] for row in rows], first_row)


def test_payment_rows_are_read_from_a_table():
    table = _table(PAYMENTS, [
        {"document_number": "R-1", "amount": 0.1, "currency_id": "usd", "status": "Created", "rootfi_id": 77.0,
         "payment_date": dt.datetime(2026, 3, 2)},
        {"document_number": "R-2", "amount": "1,234.50", "currency_id": "USD", "status": "Valid"},
        {"document_number": "R-3", "amount": "twelve", "status": "Invalid"},
        {},  # a blank row is not a row
        {"status": "Valid"},  # results alone, no inputs: not entered
    ])
    lines = lines_of(table, PAYMENTS)
    assert [(line.row, line.currency, line.amount, line.outcome) for line in lines] == [
        (2, "USD", D("0.1"), Status.CREATED), (3, "USD", D("1234.5"), Status.VALID),
        (4, NO_CURRENCY, None, Status.INVALID)]
    assert lines[0].rootfi_id == "77" and lines[0].date == dt.date(2026, 3, 2)


def test_credit_note_lines_are_summed_by_their_line_totals_in_the_credit_notes_currency():
    table = _table(CREDIT_NOTE_LINES, [
        {"document_number": "CN-1", "currency_id": "GBP", "quantity": 3, "unit_amount": 10.333, "discount_amount": 1,
         "status": "Valid"},
        {"document_number": "CN-1", "unit_amount": 5, "status": "Valid"},  # blank quantity 1, blank discount 0
        {"document_number": "CN-2", "currency_id": "JPY", "quantity": "x", "unit_amount": 5, "status": "Invalid"},
    ])
    lines = lines_of(table, CREDIT_NOTE_LINES)
    assert [(line.currency, line.amount) for line in lines] == [("GBP", D("29.999")), ("GBP", D("5")), ("JPY", None)]
    (gbp, jpy) = control_totals(lines)
    assert gbp.entered.amount == D("34.999") and format_amount(gbp.entered.amount, "GBP") == "35.00"
    assert jpy.no_amount.rows == [4]


def test_every_outcome_is_a_status_the_product_writes_or_not_checked():
    assert set(OUTCOMES) == {*Status.ALL, NOT_CHECKED}


def test_a_formula_without_a_calculated_value_is_not_read_as_text():
    from rootfi_excel.sheets.port import UncalculatedFormula

    table = _table(PAYMENTS, [{"document_number": "R-1", "amount": UncalculatedFormula("=A1*2"),
                               "currency_id": UncalculatedFormula("=B1"), "status": "Invalid"}])
    (line,) = lines_of(table, PAYMENTS)
    assert (line.currency, line.amount, line.outcome) == (NO_CURRENCY, None, Status.INVALID)
