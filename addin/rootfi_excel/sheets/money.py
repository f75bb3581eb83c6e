"""Money as an accountant counts it: exact decimals, each currency with its own decimals.

Cells arrive as floats (Excel keeps numbers as doubles); `to_decimal` takes the shortest
text that gives the same double back ("0.1", never 0.1000000000000000055), so a sum of
decimals is exact where a sum of floats drifts. Nothing here is ever summed as a float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# ISO 4217 minor units where they are not 2 (the list changes rarely: last in 2023).
# Any other code, and a platform's own currency id, is shown with 2 decimals.
_MINOR_UNITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                     "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}
NO_CURRENCY = "(no currency)"


def decimals(currency: str | None) -> int:
    """How many decimals `currency` has (JPY 0, USD 2, KWD 3)."""
    return _MINOR_UNITS.get((currency or "").upper(), 2)


def to_decimal(value: Any) -> Decimal | None:
    """A cell's number as an exact Decimal; None for a blank, a bool or anything not a finite number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, (int, float)):
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def minor_units(amount: Decimal, currency: str | None) -> Decimal:
    """`amount` rounded to the currency's smallest unit (half up, as invoices are)."""
    return amount.quantize(Decimal(1).scaleb(-decimals(currency)), rounding=ROUND_HALF_UP)


def has_more_decimals(amount: Decimal, currency: str | None) -> bool:
    """Whether `amount` has more decimals than its currency (10.005 USD): the platform rounds it."""
    return minor_units(amount, currency) != amount


def format_amount(amount: Decimal, currency: str | None, separator: str = ".") -> str:
    """'1,204,331.50' (USD), '1,204,332' (JPY), '-4.250' (KWD): thousands separated, the currency's
    decimals; with the decimal separator ',' (the workbook's Settings), '1.204.331,50'."""
    places = decimals(currency)
    text = f"{minor_units(amount, currency):,.{places}f}"
    return text.translate(str.maketrans(",.", ".,")) if separator == "," else text
