"""Resolve what a person typed (a customer name, an invoice number, a platform id) to
the platform id, through the lookup cache.

A value that is some record's platform id and no other record's label is that id. A
value that is exactly the label (name, document number, code) of one record, case and
white space aside (lookups/names.py says exactly what that means), resolves to it.
Anything else is refused: unknown, ambiguous with the candidates named, or only like a
record's label (full-width letters, ß for ss, an accent, a look-alike letter of another
script), refused with "did you mean ...?" naming the candidates and their ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rootfi_excel.lookups.cache import LABEL_FIELDS, CompanyLookups
from rootfi_excel.lookups.sheet import usable
from rootfi_excel.messages import DID_YOU_MEAN, NAME_NOT_KNOWN

# How a list's records are called in messages.
NOUNS = {
    "contacts": "contact",
    "invoices": "invoice",
    "accounts": "account",
    "currencies": "currency",
    "tax_rates": "tax rate",
    "items": "item",
}
MAX_CANDIDATES_NAMED = 5


@dataclass
class Resolution:
    kind: str
    value: str
    record: dict[str, Any] | None = None                     # the one record, when found
    candidates: list[dict[str, Any]] = field(default_factory=list)  # when ambiguous
    near: list[dict[str, Any]] = field(default_factory=list)  # records whose label only looks like value

    @property
    def platform_id(self) -> str | None:
        return str(self.record["platform_id"]) if self.record else None

    @property
    def found(self) -> bool:
        return self.record is not None

    @property
    def by_label(self) -> bool:
        """True when the value was a name or number, not the id itself."""
        return self.record is not None and self.platform_id != self.value

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    def problem(self) -> str:
        """Why the value cannot be used (empty when it resolved)."""
        noun = NOUNS[self.kind]
        if self.found:
            return ""
        if self.ambiguous:
            named = ", ".join(describe(self.kind, r) for r in self.candidates[:MAX_CANDIDATES_NAMED])
            more = len(self.candidates) - MAX_CANDIDATES_NAMED
            return (f"'{self.value}' matches {len(self.candidates)} {noun} records: {named}"
                    + (f" and {more} more" if more > 0 else "") + "; use the id")
        if self.near:
            named = " or ".join(describe(self.kind, r) for r in self.near[:MAX_CANDIDATES_NAMED])
            more = len(self.near) - MAX_CANDIDATES_NAMED
            return DID_YOU_MEAN.format(value=self.value, noun=noun, label=_label_name(self.kind),
                                       candidates=named + (f" (and {more} more)" if more > 0 else ""),
                                       named="the platform has" if self.kind != "invoices" else "the invoice shows")
        return NAME_NOT_KNOWN.format(value=self.value, noun=noun, label=_label_name(self.kind))

    def note(self) -> str:
        """What a name or number was resolved to, for the row's message."""
        return f"'{self.value}' is {NOUNS[self.kind]} {self.platform_id}" if self.by_label else ""


def resolve(lookups: CompanyLookups, kind: str, value: Any) -> Resolution:
    text = str(value).strip()
    by_id = lookups.get(kind, text)
    by_label = lookups.with_label(kind, text)
    if by_id is not None:
        others = [r for r in by_label if str(r["platform_id"]) != text]
        if not others:
            return Resolution(kind, text, by_id)
        return Resolution(kind, text, None, [by_id, *others])  # an id that is also another record's label
    if len(by_label) == 1:
        return Resolution(kind, text, by_label[0])
    # A customer's name that a vendor shares too (an active account's and an archived one's):
    # the one the sheet's dropdown offered is meant, since the other could not be used at all.
    in_use = [r for r in by_label if usable(kind, r)]
    if len(in_use) == 1:
        return Resolution(kind, text, in_use[0])
    if not by_label:  # nothing is exactly this: what only looks like it is named, never used
        return Resolution(kind, text, None, near=lookups.near(kind, text))
    return Resolution(kind, text, None, by_label)


def describe(kind: str, record: dict[str, Any]) -> str:
    """'Acme Ltd (id 591, GBP)' — enough to tell twins apart."""
    label = record.get(LABEL_FIELDS[kind])
    extra = []
    if kind == "contacts":
        extra = [record.get("contact_type"), record.get("currency_id"), record.get("tax_number")]
    elif kind == "accounts":
        extra = [record.get("category"), record.get("currency_id")]
    elif kind == "invoices":
        extra = [str(record["posted_date"])[:10] if record.get("posted_date") else None,  # any type the API sent
                 record.get("currency_id"), record.get("total_amount")]
    details = ", ".join(str(e) for e in extra if e not in (None, ""))
    return f"{label} (id {record['platform_id']}{', ' + details if details else ''})"


def _label_name(kind: str) -> str:
    return {"invoices": "document number", "currencies": "code"}.get(kind, "name")
