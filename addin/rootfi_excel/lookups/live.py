"""Records read from the platform by id, now: for Validate without a lookup cache, and for
Submit's check of every reference just before a batch is sent (submission/references.py).

One list request per kind of record (invoices, contacts, accounts, ...) for all the ids
wanted (RootFiClient.find_by_platform_ids): `platform_id[in]=a,b,c` with
`include_deleted_records=true`, in chunks that keep the URL short; an id with a comma is
asked for alone with `platform_id[eq]`. The API documents `field[operator]` filters on any field; filtering
on `platform_id` with `in` is not shown in its examples: unverified against the real API
(docs/lookups.md). A server that ignored the filter would answer more records, not fewer:
the ids are matched here, so that is only slower.

Which state of a record stops a row (`problem_of`) is decided here too, once for the
cache and for records read now: deleted, void, paid (for a payment), not active.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rootfi_excel.lookups.refresh import LIST_PATHS

Live = dict[str, dict[str, dict[str, Any]]]  # kind -> platform id -> record

# Kinds whose records have a status that stops a row when it is anything but this.
ACTIVE_KINDS = ("contacts", "accounts", "items")
HALF_CENT = 0.005  # an amount due below this is nothing left to pay


def read_by_ids(client: Any, company_id: int, wanted: dict[str, Iterable[str]]) -> Live:
    """kind -> {platform id: record} for the ids wanted (deleted records included, marked by
    rootfi_deleted_at; an id the platform does not know is simply absent). Raises the
    client's RootFiError when a read fails: nothing is guessed."""
    found: Live = {}
    for kind, ids in wanted.items():
        records = found.setdefault(kind, {})
        asked = sorted({str(i) for i in ids if i not in (None, "")})
        if not asked:
            continue
        for record in client.find_by_platform_ids(company_id, LIST_PATHS[kind], asked):
            pid = str(record.get("platform_id"))
            if pid not in asked:
                continue  # a server that ignored the filter: only the ids asked for count
            if pid not in records or records[pid].get("rootfi_deleted_at"):
                records[pid] = record  # a live record wins over a deleted one with its id
    return found


def problem_of(kind: str, record: dict[str, Any], *, paying: bool = False) -> str | None:
    """Why a record cannot be referenced now ('was deleted', 'is void', 'is paid', 'is
    archived'), or None. paying: the record is the invoice a payment pays."""
    if record.get("rootfi_deleted_at"):
        return "was deleted"
    status = str(record.get("status") or "").upper()
    if kind == "invoices":
        if status == "VOID":
            return "is void"
        due = number_or_none(record.get("amount_due"))
        if paying and (status == "PAID" or (due is not None and due < HALF_CENT)):
            return "is paid"
    elif kind in ACTIVE_KINDS and status and status != "ACTIVE":
        return f"is {status.lower()}"
    return None


class LiveLookups:
    """Records read now, with the reading interface of cache.CompanyLookups that the online
    checks use: found by id only (names and numbers are the lookup cache's)."""

    names_resolved = False  # tells validation/online.py to say so on a value not found

    def __init__(self, records: Live, platform: str | None = None) -> None:
        self._records = records
        self.platform = platform or "the platform"

    def get(self, kind: str, platform_id: Any) -> dict[str, Any] | None:
        return self._records.get(kind, {}).get(str(platform_id))

    def with_label(self, kind: str, value: Any) -> list[dict[str, Any]]:
        return []

    def near(self, kind: str, value: Any) -> list[dict[str, Any]]:
        return []

    def records(self, kind: str) -> list[dict[str, Any]]:
        return list(self._records.get(kind, {}).values())


def number_or_none(value: Any) -> float | None:
    """An amount the API gave as a number or numeric text; None for anything else (booleans too)."""
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
