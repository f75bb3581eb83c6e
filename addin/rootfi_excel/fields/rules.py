"""The template's own business rules, on top of the API.

The API marks every field optional; a payment without an invoice or a credit note
without lines would still be refused by the platform, or worse, accepted. These
rules say what *this template* demands before anything is sent. They are a plain
table, so a finance team can read them (the Instructions sheet lists them too) and
an engineer can change one line to change a rule.

Each rule: the field, the check, and why (the "why" is shown to the user).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from rootfi_excel.messages import ROW_ADVICE


@dataclass(frozen=True)
class Rule:
    field: str
    check: str  # a key of CHECKS
    why: str


# Dates outside this range are almost always a typo (a year of 2206, an Excel serial
# read as 1900-01-05) rather than a real payment.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)

PAYMENT_RULES: tuple[Rule, ...] = tuple(Rule(field, check, ROW_ADVICE["payment", field, check]) for field, check in (
    ("invoice_id", "required"), ("amount", "required"), ("amount", "positive"), ("payment_date", "required"),
    ("payment_date", "plausible_date"), ("document_number", "required"), ("currency_rate", "positive"),
))

CREDIT_NOTE_RULES: tuple[Rule, ...] = tuple(Rule(field, check, ROW_ADVICE["credit_note", field, check])
                                            for field, check in (
    ("document_number", "required"), ("contact_id", "required"), ("posted_date", "required"),
    ("posted_date", "plausible_date"),
))

CREDIT_NOTE_LINE_RULES: tuple[Rule, ...] = tuple(Rule(field, check, ROW_ADVICE["line", field, check])
                                                 for field, check in (
    ("quantity", "required"), ("quantity", "positive"), ("unit_amount", "required"),
    ("unit_amount", "not_negative"), ("discount_amount", "not_negative"),
))

# A line must name an income account or an item, or the platform has nowhere to post it.
CREDIT_NOTE_LINE_NEEDS_ONE_OF = ("account_id", "item_id")


def _required(value: Any) -> str | None:
    return "is required" if value is None or value == "" or value == [] else None


def _positive(value: Any) -> str | None:
    return f"must be above zero (it is {value:g})" if isinstance(value, float) and value <= 0 else None


def _not_negative(value: Any) -> str | None:
    return f"must not be negative (it is {value:g})" if isinstance(value, float) and value < 0 else None


def _plausible_date(value: Any) -> str | None:
    if isinstance(value, dt.date) and not EARLIEST_DATE <= value <= LATEST_DATE:
        return f"{value.isoformat()} is outside {EARLIEST_DATE.year}-{LATEST_DATE.year}; check the year"
    return None


CHECKS: dict[str, Callable[[Any], str | None]] = {
    "required": _required,
    "positive": _positive,
    "not_negative": _not_negative,
    "plausible_date": _plausible_date,
}


class RuleChecker:
    """A table of rules made ready to check many rows: each rule's check is looked up once."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self._checks = [(rule.field, CHECKS[rule.check], rule.why) for rule in rules]

    def broken(self, values: dict[str, Any], skip: set[str] | frozenset = frozenset()) -> list[tuple[str, str]]:
        """[(field, message)] for every rule the values break; a blank field only breaks
        'required'. Fields in `skip` (cells already reported as unreadable) are not checked."""
        broken = []
        for name, check, why in self._checks:
            if name in skip:
                continue
            problem = check(values.get(name))
            if problem:
                broken.append((name, f"{problem} — {why}"))
        return broken


def required_fields(rules: tuple[Rule, ...]) -> tuple[str, ...]:
    """The columns a sheet must have for these rules to be checked."""
    return tuple(dict.fromkeys(r.field for r in rules if r.check == "required"))
