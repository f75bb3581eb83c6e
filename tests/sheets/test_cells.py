"""Cell readers: every coercion the sheets rely on, and the message for every bad cell."""

from __future__ import annotations

import datetime as dt

import pytest

from rootfi_excel.errors import CellError
from rootfi_excel.sheets.cells import (
    EXCEL_ERRORS,
    CellFormat,
    read_amount,
    read_date,
    read_id,
    read_id_list,
    read_number,
    read_text,
)

DMY = CellFormat("DMY", ".")
MDY = CellFormat("MDY", ".")
YMD = CellFormat("YMD", ".")
EURO = CellFormat("DMY", ",")


# ------------------------------------------------------------------ ids

@pytest.mark.parametrize("value,expected", [
    ("123456", "123456"),
    (123456, "123456"),
    (123456.0, "123456"),  # Excel made a number of it
    ("  INV-001 \u00a0", "INV-001"),  # stray and non-breaking spaces
    (999999999999999.0, "999999999999999"),  # 15 digits: Excel keeps it exactly
    ("0012", "0012"),  # text keeps leading zeros
    (None, None),
    ("   ", None),
    (12.5, "12.5"),
])
def test_ids(value, expected):
    assert read_id(value, DMY) == expected


@pytest.mark.parametrize("value,fragment", [
    (1.23457e15, "16 or more digits"),
    (1234567890123456.0, "16 or more digits"),
    (10**17, "16 or more digits"),
    ("1.23457E+15", "Excel shortened"),
    ("1,23457E+15".replace(",", "."), "Excel shortened"),
    (True, "TRUE/FALSE"),
    (dt.datetime(2026, 3, 4), "date"),
    ("#N/A", "Excel error #N/A"),
    (float("nan"), "not a valid id"),
])
def test_bad_ids_get_a_message(value, fragment):
    with pytest.raises(CellError, match=fragment):
        read_id(value, DMY)


def test_id_lists():
    assert read_id_list("INV-1, INV-2; INV-3\nINV-4", DMY) == ["INV-1", "INV-2", "INV-3", "INV-4"]
    assert read_id_list(1001.0, DMY) == ["1001"]
    assert read_id_list(" , ", DMY) is None
    assert read_id_list(None, DMY) is None
    with pytest.raises(CellError):
        read_id_list("INV-1, 1.2E+17", DMY)


# -------------------------------------------------------------- numbers

@pytest.mark.parametrize("value,fmt,expected", [
    (1234.5, DMY, 1234.5),
    (7, DMY, 7.0),
    ("1,234.50", DMY, 1234.5),
    ("1234.50", DMY, 1234.5),
    ("  12 ", DMY, 12.0),
    ("$1,234.50", DMY, 1234.5),
    ("£ 99.99", DMY, 99.99),
    ("(100.00)", DMY, -100.0),
    ("-3.25", DMY, -3.25),
    ("100.00-", DMY, -100.0),
    ("1 234 567.8", DMY, 1234567.8),
    ("1'234.50", DMY, 1234.5),
    ("1.234,50", EURO, 1234.5),
    ("1234,5", EURO, 1234.5),
    ("1.234.567", EURO, 1234567.0),
    ("€12,00", EURO, 12.0),
    (None, DMY, None),
    ("", DMY, None),
])
def test_numbers(value, fmt, expected):
    assert read_number(value, fmt) == expected


@pytest.mark.parametrize("value,fmt,fragment", [
    ("1.234,50", DMY, "decimal separator '.'"),  # European text in a '.' workbook is refused, not guessed
    ("1,23", DMY, "decimal separator '.'"),
    ("12,5O", DMY, "not a number"),
    ("1.5", EURO, "decimal separator ','"),
    ("abc", DMY, "not a number"),
    (True, DMY, "TRUE/FALSE"),
    (dt.date(2026, 1, 1), DMY, "is a date"),
    ("#VALUE!", DMY, "#VALUE!"),
    ("#DIV/0!", DMY, "#DIV/0!"),
    (float("inf"), DMY, "finite"),
    ("$", DMY, "no number"),
    ("( )", DMY, "no number"),
    ("€", EURO, "no number"),
    ("-", DMY, "no number"),
])
def test_bad_numbers_get_a_message(value, fmt, fragment):
    with pytest.raises(CellError, match=fragment):
        read_number(value, fmt)


def test_amounts_lose_only_float_noise():
    assert read_amount(0.1 + 0.2, DMY) == 0.3
    assert read_amount(1234.5678, DMY) == 1234.5678


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("value,fmt,expected", [
    (dt.datetime(2026, 3, 4, 15, 30), DMY, dt.date(2026, 3, 4)),
    (dt.date(2026, 3, 4), DMY, dt.date(2026, 3, 4)),
    (46085, DMY, dt.date(2026, 3, 4)),  # an Excel serial number
    (46085.75, DMY, dt.date(2026, 3, 4)),  # serial with a time of day
    (61, DMY, dt.date(1900, 3, 1)),
    (59, DMY, dt.date(1900, 2, 28)),
    ("2026-03-04", DMY, dt.date(2026, 3, 4)),
    ("2026-03-04T15:00:00.000Z", DMY, dt.date(2026, 3, 4)),
    ("2026/3/4", MDY, dt.date(2026, 3, 4)),  # year first is never ambiguous
    ("03/04/2026", DMY, dt.date(2026, 4, 3)),
    ("03/04/2026", MDY, dt.date(2026, 3, 4)),
    ("4.3.2026", DMY, dt.date(2026, 3, 4)),
    ("04-03-26", DMY, dt.date(2026, 3, 4)),
    ("25/12/2026", DMY, dt.date(2026, 12, 25)),
    ("12/25/2026", MDY, dt.date(2026, 12, 25)),
    ("4 Mar 2026", MDY, dt.date(2026, 3, 4)),
    ("March 4, 2026", DMY, dt.date(2026, 3, 4)),
    ("04-Mar-2026", DMY, dt.date(2026, 3, 4)),
    (" 2026-03-04 ", DMY, dt.date(2026, 3, 4)),
    (None, DMY, None),
])
def test_dates(value, fmt, expected):
    assert read_date(value, fmt) == expected


@pytest.mark.parametrize("value,fmt,fragment", [
    ("12/25/2026", DMY, "date order is DMY"),  # looks MDY in a DMY workbook: refuse, don't flip
    ("25/12/2026", MDY, "date order is MDY"),
    ("31/02/2026", DMY, "not a real date"),
    ("03/04/2026", YMD, "4-digit year"),
    ("3/4/202", DMY, "4 digits"),
    ("next tuesday", DMY, "not a date"),
    (0, DMY, "not a date"),
    (-5, DMY, "not a date"),
    (60, DMY, "does not exist"),
    (True, DMY, "TRUE/FALSE"),
    ("#REF!", DMY, "#REF!"),
])
def test_bad_dates_get_a_message(value, fmt, fragment):
    with pytest.raises(CellError, match=fragment):
        read_date(value, fmt)


# ----------------------------------------------------------------- text

@pytest.mark.parametrize("value,expected", [
    ("  Cash ", "Cash"),
    (12.0, "12"),
    (12.5, "12.5"),
    (0.1 + 0.2, "0.3"),
    (True, "TRUE"),
    (dt.date(2026, 3, 4), "2026-03-04"),
    ("", None),
    (None, None),
])
def test_text(value, expected):
    assert read_text(value, DMY) == expected


@pytest.mark.parametrize("error", sorted(EXCEL_ERRORS))
def test_every_excel_error_is_reported_by_every_reader(error):
    for reader in (read_text, read_id, read_number, read_date, read_id_list):
        with pytest.raises(CellError, match="Excel error"):
            reader(error, DMY)
