"""Cell values -> typed values, with a clear message when a cell cannot be read.

Cells arrive exactly as xlwings or openpyxl give them: str, int, float, bool,
datetime, date, None, or an Excel error string such as '#N/A'. Each reader returns
the typed value (None for a blank cell) or raises `CellError` whose message says
what is wrong and how to fix it; the caller adds the column name and row.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from rootfi_excel.errors import CellError
from rootfi_excel.messages import AMOUNT_WITH_CURRENCY
from rootfi_excel.sheets.layout import PAYMENT_MODES


@dataclass(frozen=True)
class CellFormat:
    """How this workbook writes dates and numbers typed as text (from its Settings)."""

    date_order: str = "DMY"  # DMY | MDY | YMD, for ambiguous text such as 03/04/2026
    decimal_separator: str = "."  # "." or ","; "1.234,50" is read only when ","


EXCEL_ERRORS = frozenset({
    "#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!",
    "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!",
    "#UNKNOWN!", "#PYTHON!", "#N/A!", "#EXTERNAL!",
})

# Excel keeps 15 significant digits: a whole number of 16 or more digits has already
# lost its last digits by the time we see it, so it can never be trusted as an id.
_LARGEST_SAFE_ID = 10**15
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_WHITESPACE = re.compile(r"\s+")


def _check_excel_error(text: str) -> None:
    if text.upper() in EXCEL_ERRORS:
        raise CellError(f"holds the Excel error {text}; fix the formula or type the value")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _whole_characters(text: str) -> str:
    """`text` with a surrogate pair left in the str joined; half of one (LEFT or MID can cut
    an emoji in two) cannot be sent, journalled or fingerprinted: the cell is refused."""
    if not _SURROGATE.search(text):
        return text
    joined = text.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
    if _SURROGATE.search(joined):
        raise CellError("holds half of a character (an emoji or symbol cut in two, as LEFT or MID can leave "
                        "it); retype the text")
    return joined


def _clean_text(value: str) -> str | None:
    text = _whole_characters(value.replace("\u00a0", " ").strip())
    if not text:
        return None
    if text[0] == "#":
        _check_excel_error(text)
    return text


# ------------------------------------------------------------------------- text


def read_text(value: Any, fmt: CellFormat) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("is not a finite number")
        # 15 significant digits, as Excel shows them: 0.1+0.2 reads 0.3, not 0.30000000000000004
        return str(int(value)) if value.is_integer() and abs(value) < _LARGEST_SAFE_ID else f"{value:.15g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _clean_text(str(value))


# --------------------------------------------------------------------------- ids


def read_id(value: Any, fmt: CellFormat) -> str | None:
    """A platform id. 123456.0 (Excel made a number of it) -> '123456'; a number too
    long for Excel to keep exactly (1.23457E+15) is an error, never a silent wrong id."""
    if value is None:
        return None
    if isinstance(value, str):
        text = _clean_text(value)
        if text is None:
            return None
        if _SCIENTIFIC.match(text):
            raise CellError(
                f"'{text}' is a long number that Excel shortened; format the column as Text "
                "and type or paste the full id again"
            )
        return text
    if isinstance(value, bool):
        raise CellError("is TRUE/FALSE, not an id")
    if isinstance(value, int):
        if abs(value) >= _LARGEST_SAFE_ID:
            raise CellError(_too_long(value))
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("is not a valid id")
        if value.is_integer():
            if abs(value) >= _LARGEST_SAFE_ID:
                raise CellError(_too_long(value))
            return str(int(value))
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        raise CellError("is a date; Excel turned the id into a date: format the column as Text and type the id again")
    return read_text(value, fmt)


def _too_long(value: float | int) -> str:
    return (
        f"{value:.6g} has 16 or more digits, more than Excel keeps exactly, so the id may already "
        "be wrong; format the column as Text and type or paste the full id again"
    )


def read_id_list(value: Any, fmt: CellFormat) -> list[str] | None:
    """'INV-1, INV-2; INV-3' -> ['INV-1', 'INV-2', 'INV-3']. Each part is read as an id
    (read_id); a blank cell or text of separators only is None."""
    if not isinstance(value, str):
        single = read_id(value, fmt)  # a number, a date, None: one id, or why it is not one
        return [single] if single else None
    text = _clean_text(value) or ""
    ids = [read_id(p, fmt) for p in re.split(r"[,;\n]+", text)]
    return [i for i in ids if i] or None


def read_currency(value: Any, fmt: CellFormat) -> str | None:
    """A currency id: an ISO code in any case is sent in upper case ('usd' -> 'USD', as the
    API knows it); any other id (a platform's number or GUID) is kept as typed."""
    code = read_id(value, fmt)
    return code.upper() if code and len(code) == 3 and code.isascii() and code.isalpha() else code


# ----------------------------------------------------------------------- numbers

_CURRENCY_SIGNS = "$£€¥₹"
_GROUPED = {
    ".": re.compile(r"^\d{1,3}([,' \u202f]\d{3})+(\.\d+)?$"),
    ",": re.compile(r"^\d{1,3}([.' \u202f]\d{3})+(,\d+)?$"),
}
_PLAIN = {".": re.compile(r"^(\d+(\.\d*)?|\.\d+)$"), ",": re.compile(r"^(\d+(,\d*)?|,\d+)$")}


def read_number(value: Any, fmt: CellFormat) -> float | None:
    """A number: 1234.5, '1,234.50', '1.234,50' (when the workbook's decimal
    separator is ','), '(100.00)' for -100, '$1,234.50'."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("is TRUE/FALSE, not a number")
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            raise CellError("is not a finite number")
        return number
    if isinstance(value, (dt.date, dt.datetime)):
        raise CellError("is a date, not a number; format the cell as Number")
    if not isinstance(value, str):
        raise CellError(f"'{value}' is not a number")
    text = _clean_text(value)
    if text is None:
        return None
    return _parse_number_text(text, fmt.decimal_separator)


def _parse_number_text(text: str, separator: str) -> float:
    body = text.strip(_CURRENCY_SIGNS + " ")
    negative = False
    if not body.strip("()+- "):
        raise CellError(f"'{text}' has no number in it")
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip(_CURRENCY_SIGNS + " ")
    if body[:1] in "+-":
        negative, body = body[0] == "-", body[1:].strip(_CURRENCY_SIGNS + " ")
    if body.endswith("-") and not negative:  # 100.00- (some bank exports)
        negative, body = True, body[:-1]
    if _PLAIN[separator].match(body):
        digits = body.replace(",", ".")
    elif _GROUPED[separator].match(body):
        whole, _, fraction = body.partition(separator)
        digits = re.sub(r"\D", "", whole) + ("." + fraction if fraction else "")
    else:
        _refuse_currency_code(text, separator)
        if not any(c.isdigit() for c in text):
            raise CellError(f"'{text}' is not a number")
        hint = "1234.50 or 1,234.50" if separator == "." else "1234,50 or 1.234,50"
        raise CellError(
            f"'{text}' is not a number in this workbook's format (decimal separator '{separator}'); "
            f"write it like {hint}, or change decimal_separator in Settings"
        )
    try:
        number = float(Decimal(digits))
    except InvalidOperation:
        raise CellError(f"'{text}' is not a number") from None
    return -number if negative else number


_WITH_CODE = re.compile(r"^([A-Za-z]{3})\s*([^A-Za-z]+)$|^([^A-Za-z]+?)\s*([A-Za-z]{3})$")


def _refuse_currency_code(text: str, separator: str) -> None:
    """'USD 793.56' or '1,234.50 GBP': the trouble is the currency code, not the decimal
    separator; say so (the amount and its currency go in two columns)."""
    match = _WITH_CODE.match(text.strip())
    if not match:
        return
    code = (match.group(1) or match.group(4)).upper()
    amount = (match.group(2) or match.group(3)).strip()
    try:
        _parse_number_text(amount, separator)
    except CellError:
        return
    raise CellError(AMOUNT_WITH_CURRENCY.format(text=text, code=code, amount=amount))


def read_amount(value: Any, fmt: CellFormat) -> float | None:
    """An amount of money: a number, rounded to the cent only if float noise made it
    1234.4999999 (more than 6 decimals), never otherwise changed."""
    number = read_number(value, fmt)
    if number is not None and number != round(number, 6):
        number = round(number, 6)
    return number


# ------------------------------------------------------------------------- dates

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 once the 1900 leap bug is allowed for
_MAX_SERIAL = 2958465  # 9999-12-31
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})([T ](\d{1,2}):(\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_MONTH_NAME_FORMATS = (  # tried after commas and dots became spaces
    "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d-%b-%Y", "%d-%B-%Y", "%d %b %y", "%d-%b-%y",
)


def read_date(value: Any, fmt: CellFormat) -> dt.date | None:
    """A date from an Excel date cell, an Excel serial number, ISO text, or text in
    the workbook's declared date order (03/04/2026 is 3 April in DMY, 4 March in MDY)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError("is TRUE/FALSE, not a date")
    if isinstance(value, (int, float)):
        return _from_serial(float(value))
    if isinstance(value, str):
        text = _clean_text(value)
        return None if text is None else _parse_date_text(text, fmt.date_order)
    raise CellError(f"'{value}' is not a date")


def _from_serial(serial: float) -> dt.date:
    if not math.isfinite(serial) or serial < 1 or serial > _MAX_SERIAL:
        raise CellError(f"{serial:g} is not a date; type a date such as 2026-03-31")
    if serial < 61:  # Excel counts a 29 February 1900 that never was
        if int(serial) == 60:
            raise CellError("is 29/02/1900, a day that does not exist; type the real date")
        return dt.date(1899, 12, 31) + dt.timedelta(days=int(serial))
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _parse_date_text(text: str, order: str) -> dt.date:
    match = _ISO.match(text)
    if match:
        return _make_date(int(match[1]), int(match[2]), int(match[3]), text)
    match = _NUMERIC_DATE.match(text)
    if match:
        return _numeric_date(match, order, text)
    words = _WHITESPACE.sub(" ", text.replace(",", " ").replace(".", " ")).strip()
    for pattern in _MONTH_NAME_FORMATS:
        try:
            return dt.datetime.strptime(words, pattern).date()
        except ValueError:
            continue
    raise CellError(f"'{text}' is not a date; type it as a date cell or like 2026-03-31")


def _numeric_date(match: re.Match[str], order: str, text: str) -> dt.date:
    a, b, c = match[1], match[2], match[3]
    if len(a) == 4:  # 2026/03/31 is year first, whatever the declared order
        return _make_date(int(a), int(b), int(c), text)
    if order == "YMD":
        raise CellError(f"'{text}' does not start with a 4-digit year, as this workbook's date order YMD says")
    year = int(c) if len(c) == 4 else (2000 + int(c) if len(c) == 2 else -1)
    if year < 0:
        raise CellError(f"'{text}': write the year with 4 digits, like 31/03/2026")
    first, second = int(a), int(b)
    day, month = (first, second) if order == "DMY" else (second, first)
    if month > 12 and day <= 12:
        raise CellError(
            f"'{text}' cannot be read as {'day/month' if order == 'DMY' else 'month/day'}/year "
            f"(this workbook's date order is {order}); check the date or the date_order setting"
        )
    return _make_date(year, month, day, text)


def _make_date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"'{text}' is not a real date") from None


# ------------------------------------------------------------------------ lookup

def read_payment_mode(value: Any, fmt: CellFormat) -> str | None:
    """A payment mode: one of the dropdown's modes in any case is sent in the list's spelling
    ("cheque" -> "Cheque"); any other text as typed."""
    text = read_text(value, fmt)
    if text is None or text in _MODES_AS_LISTED:  # most cells: picked from the dropdown
        return text
    return _MODES.get(" ".join(text.split()).lower(), text)


_MODES = {mode.lower(): mode for mode in PAYMENT_MODES}
_MODES_AS_LISTED = frozenset(PAYMENT_MODES)

READERS: dict[str, Callable[[Any, CellFormat], Any]] = {
    "text": read_text,
    "id": read_id,
    "id_list": read_id_list,
    "currency": read_currency,
    "number": read_number,
    "amount": read_amount,
    "date": read_date,
    "payment_mode": read_payment_mode,
}
