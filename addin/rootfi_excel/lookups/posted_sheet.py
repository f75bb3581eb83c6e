"""The Posted sheet: what the platform holds for a period, for closing the month.

Lists the company's invoice payments (by payment_date) and invoice credit notes (by
posted_date) in a period, marks the rows of this workbook each one came from (by the
rootfi_id Submit wrote back), and flags possible duplicates: credit notes sharing a
document number, payments sharing a document number *and* an invoice (one cheque may
pay several invoices, so a shared reference alone is normal).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rootfi_excel.api.client import BULK_PAGE_SIZE
from rootfi_excel.errors import CacheNotReadable, ListTooLongError, WorkbookError
from rootfi_excel.lookups.cache import CacheKey, CompanyLookups
from rootfi_excel.lookups.place import open_lookups
from rootfi_excel.lookups.sheet import cell_value
from rootfi_excel.messages import plural
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, ROOTFI_ID, TableLayout
from rootfi_excel.sheets.port import LookupTable, WorkbookPort, records_from

POSTED_SHEET = "Posted"
POSTED_TABLE = "PostedRecords"
HEADERS = ["type", "document number", "date", "customer", "invoice", "amount", "currency", "status",
           "from this workbook", "possible duplicate", "rootfi_id", "platform_id"]
# model -> (label, date field, sheet the rows come from)
MODELS: dict[str, tuple[str, str, TableLayout]] = {
    "invoice_payments": ("Payment", "payment_date", PAYMENTS),
    "invoice_credit_notes": ("Credit note", "posted_date", CREDIT_NOTE_LINES),
}


@dataclass
class PostedReport:
    table: LookupTable
    records: int
    from_workbook: int
    duplicates: int
    requests: int
    # For the ledger's totals (lookups/ledger_totals.py): the period and its records by model,
    # and the possible duplicates by model (rootfi_id -> 'same document number as rootfi_id 12').
    period: tuple[dt.date, dt.date] | None = None
    found: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    twins: dict[str, dict[str, str]] = field(default_factory=dict)

    def summary(self) -> str:
        return (f"{self.records} payments and credit notes in the period ({plural(self.requests, 'request')}): "
                f"{self.from_workbook} from this workbook, {self.duplicates} possible duplicates.")


def posted_report(client: Any, port: WorkbookPort, company_id: int, start: dt.date, end: dt.date,
                  lookups: CompanyLookups | None = None) -> PostedReport:
    """Read the period's records and build the Posted table (the caller writes it with the port)."""
    before = client.requests_sent
    origins = _workbook_rows(port)
    rows: list[list[Any]] = []
    records = from_workbook = duplicates = 0
    found_by_model: dict[str, list[dict[str, Any]]] = {}
    twins_by_model: dict[str, dict[str, str]] = {}
    for model, (label, date_field, _) in MODELS.items():
        found = found_by_model[model] = _in_period(client, company_id, model, date_field, start, end)
        twins = twins_by_model[model] = _twins(model, found)
        for record in found:
            origin = origins.get(str(record.get("rootfi_id")), "")
            twin = twins.get(str(record.get("rootfi_id")), "")
            records += 1
            from_workbook += bool(origin)
            duplicates += bool(twin)
            rows.append([label, record.get("document_number"), str(record.get(date_field) or "")[:10],
                         _contact(lookups, record.get("contact_id")), _invoices(lookups, record),
                         record.get("amount", record.get("total_amount")), record.get("currency_id"),
                         record.get("status"), origin, twin, _id_text(record.get("rootfi_id")),
                         _id_text(record.get("platform_id"))])  # ids are text, as on the input sheets
    rows = [[cell_value(value) for value in row] for row in rows]  # any odd value from the API still fits a cell
    rows.sort(key=lambda r: (r[2], r[0], str(r[1])))
    table = LookupTable(POSTED_TABLE, HEADERS, rows, sheet=POSTED_SHEET)
    return PostedReport(table, records, from_workbook, duplicates, client.requests_sent - before,
                        (start, end), found_by_model, twins_by_model)


def posted_with_cached_names(client: Any, port: WorkbookPort, key: CacheKey, start: dt.date,
                             end: dt.date) -> PostedReport:
    """posted_report, naming customers and invoices from this computer's lookup cache of `key`
    (lookups/place.cache_key of the workbook's settings) when it has one; without one (or
    with a damaged one) the ids are shown instead."""
    try:
        cache, lookups = open_lookups(key)
    except CacheNotReadable:
        cache, lookups = None, None
    try:
        return posted_report(client, port, key.company_id, start, end, lookups)
    finally:
        if cache is not None:
            cache.close()


def _in_period(client: Any, company_id: int, model: str, date_field: str, start: dt.date,
               end: dt.date) -> list[dict[str, Any]]:
    # Both bounds go to the API, so an old period of a big company is not read up to today.
    # The upper one is "before the next day": a date with a time (2026-03-31T10:00:00Z) is
    # still in; the check below keeps a server that ignored it honest.
    after = (end + dt.timedelta(days=1)).isoformat()
    period = [("gte", start.isoformat()), ("lt", after)]
    try:
        records = list(client.iter_records(company_id, "list", {date_field: period}, model=model,
                                           limit=BULK_PAGE_SIZE))
    except ListTooLongError as error:
        raise ListTooLongError(f"{start} to {end} holds more {model} than can be read at once: choose a shorter "
                               "period (posted_from and posted_to on the Settings sheet, or --from and --to)",
                               path=error.path) from error
    last = end.isoformat()
    return [r for r in records if str(r.get(date_field) or "")[:10] <= last]


def _twins(model: str, records: list[dict[str, Any]]) -> dict[str, str]:
    """rootfi_id -> 'same number as rootfi_id 12, 15' for records that share their key."""
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        number = record.get("document_number")
        if not number:
            continue
        key = (str(number), str(record.get("invoice_id"))) if model == "invoice_payments" else (str(number),)
        groups[key].append(record)
    flagged: dict[str, str] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        for record in group:
            others = ", ".join(str(o.get("rootfi_id")) for o in group if o is not record)
            what = "document number and invoice" if model == "invoice_payments" else "document number"
            flagged[str(record.get("rootfi_id"))] = f"same {what} as rootfi_id {others}"
    return flagged


def _workbook_rows(port: WorkbookPort) -> dict[str, str]:
    """rootfi_id -> 'Invoice Payments row 7' / 'Credit Note Lines rows 3-5' for rows Submit created."""
    origins: dict[str, list[int]] = defaultdict(list)
    sheets: dict[str, str] = {}
    for _, _, layout in MODELS.values():
        try:
            table = port.read_table(layout)
        except WorkbookError:  # a workbook without that sheet simply has no rows from it
            continue
        for index, row in enumerate(records_from(table)):
            rootfi_id = row.get(ROOTFI_ID)
            if rootfi_id in (None, ""):
                continue
            key = str(int(rootfi_id)) if isinstance(rootfi_id, float) and rootfi_id.is_integer() else str(rootfi_id)
            origins[key].append(table.row_number(index))
            sheets[key] = layout.sheet
    described = {}
    for key, numbers in origins.items():
        span = str(numbers[0]) if len(numbers) == 1 else f"{min(numbers)}-{max(numbers)}"
        described[key] = f"{sheets[key]} row{'s' if len(numbers) > 1 else ''} {span}"
    return described


def _contact(lookups: CompanyLookups | None, contact_id: Any) -> Any:
    if lookups is None or contact_id is None:
        return contact_id
    record = lookups.get("contacts", contact_id)
    return record.get("name") if record else contact_id


def _invoices(lookups: CompanyLookups | None, record: dict[str, Any]) -> str:
    ids = [record["invoice_id"]] if record.get("invoice_id") else list(record.get("invoice_ids") or [])
    shown = []
    for invoice_id in ids:
        found = lookups.get("invoices", invoice_id) if lookups is not None else None
        shown.append(str(found.get("document_number") or invoice_id) if found else str(invoice_id))
    return ", ".join(shown)


def _id_text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
