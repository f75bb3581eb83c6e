"""Integrations (accounting platforms) and the raw_data fields each one requires.

Both are data, not if-statements:

- `integration_requirements.csv` (shipped with the package) holds the documented
  "Additional Required Fields" per model and integration. A workbook's own
  "Integration Fields" table adds rows on top, so a finance team can add a field a
  platform turns out to need without touching Python.
- `integration_aliases.csv` maps the spellings the RootFi pages use inconsistently
  (FRESHBOOKS / FRESH_BOOKS, MS_DYNAMICS_365_FO / MS_DYNAMICS_365, ...) to one name.
- `integration_names.csv` gives each code the name people know the platform by
  (MS_DYNAMICS_365 -> Microsoft Dynamics 365): show `display_name(code)` wherever a
  person reads a platform; keep the code wherever the program reads one (Settings).
  A name typed instead of a code is understood too.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

MODELS = ("invoice_payments", "invoice_credit_notes")

# The accounting integrations of the v3 IntegrationType enum, plus FRESH_BOOKS (v4 pages).
KNOWN_INTEGRATIONS = (
    "QUICKBOOKS", "QUICKBOOKS_SANDBOX", "XERO", "NETSUITE", "MS_DYNAMICS_365",
    "SAGE_CLOUD_ACCOUNTING", "SAGE_ZA_CLOUD_ACCOUNTING", "FRESH_BOOKS", "ZOHO_BOOKS",
    "MYOB_BUSINESS", "WAVE", "ODOO_ACCOUNTING", "TALLY", "WAFEQ", "MEKARI_JURNAL", "BUSY",
    "QOYOD", "ROOTFI_SANDBOX",
)

FIELD_TYPES = ("id", "text", "number", "amount", "date")


@dataclass(frozen=True)
class Requirement:
    model: str  # invoice_payments | invoice_credit_notes
    integration: str  # canonical name
    field: str  # key inside raw_data
    type: str = "text"  # how the cell is read: one of FIELD_TYPES
    description: str = ""


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("rootfi_excel.fields").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    aliases = {_shape(name): code for code, name in _names().items()}  # "Zoho Books" -> ZOHO_BOOKS
    aliases.update((_shape(row["alias"]), row["integration"]) for row in _read_csv("integration_aliases.csv"))
    return aliases


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    return {row["integration"]: row["name"] for row in _read_csv("integration_names.csv")}


_SEPARATORS = re.compile(r"[^0-9A-Z]+")


def _shape(name: str) -> str:
    return _SEPARATORS.sub("_", name.strip().upper()).strip("_")


def canonical_integration(name: Any) -> str | None:
    """'FreshBooks', 'fresh-books', 'FRESHBOOKS' -> 'FRESH_BOOKS'; blank -> None.

    Unknown names are returned in the canonical shape (upper case, underscores), so a
    new platform still works with the rows a team adds for it.
    """
    if name is None or not str(name).strip():
        return None
    shaped = _shape(str(name))
    return _aliases().get(shaped, shaped)


@lru_cache(maxsize=256)
def display_name(integration: Any) -> str:
    """The platform's name for people: 'MS_DYNAMICS_365' (or any known spelling) ->
    'Microsoft Dynamics 365'; an unknown code -> its words ('NEW_LEDGER' -> 'New Ledger');
    blank -> ''."""
    code = canonical_integration(integration)
    if code is None:
        return ""
    return _names().get(code) or code.replace("_", " ").title()


@lru_cache(maxsize=1)
def default_requirements() -> tuple[Requirement, ...]:
    return tuple(_requirement(row) for row in _read_csv("integration_requirements.csv"))


def _requirement(row: dict[str, Any]) -> Requirement:
    kind = str(row.get("type") or "text").strip().lower()
    return Requirement(
        model=str(row["model"]).strip().lower(),
        integration=canonical_integration(row["integration"]) or "",
        field=str(row["field"]).strip(),
        type=kind if kind in FIELD_TYPES else "text",
        description=str(row.get("description") or "").strip(),
    )


def requirements_from_rows(rows: Iterable[dict[str, Any]]) -> tuple[list[Requirement], list[str]]:
    """Rows of a workbook's Integration Fields table -> requirements, plus a message per bad row."""
    found: list[Requirement] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=1):
        if not any(str(v or "").strip() for v in row.values()):
            continue
        model = str(row.get("model") or "").strip().lower()
        if model not in MODELS:
            problems.append(f"Integration Fields row {number}: model must be one of {', '.join(MODELS)}")
            continue
        if not str(row.get("integration") or "").strip() or not str(row.get("field") or "").strip():
            problems.append(f"Integration Fields row {number}: integration and field are both needed")
            continue
        found.append(_requirement(row))
    return found, problems


class RequirementBook:
    """All known requirements: the packaged defaults plus a workbook's own rows."""

    def __init__(self, extra: Iterable[Requirement] = ()) -> None:
        self._all: list[Requirement] = []
        for requirement in (*default_requirements(), *extra):
            if requirement not in self._all:
                self._all.append(requirement)

    def required(self, model: str, integration: str | None) -> list[Requirement]:
        """What raw_data must hold for `model` on `integration` (any spelling)."""
        name = canonical_integration(integration)
        return [r for r in self._all if r.model == model and r.integration == name]

    def raw_data_fields(self, model: str) -> dict[str, Requirement]:
        """Every raw_data field known for a model, whatever the integration: these
        columns go into raw_data when a sheet has them."""
        fields: dict[str, Requirement] = {}
        for requirement in self._all:
            if requirement.model == model:
                fields.setdefault(requirement.field, requirement)
        return fields
