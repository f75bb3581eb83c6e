"""Worksheet functions served from the lookup cache and the journal: no API call per cell.

Plain functions (tested on Linux):

    contact(id_or_name, field="name")          -> a field of a cached contact
    invoice(number_or_id, field="amount_due")  -> a field of a cached invoice
    status(document_number, field="status")    -> Created/Failed/Pending/... or the rootfi_id,
                                                  from this computer's journal

Each answers for one company: the base_url, company_id and key profile it is given. A
cell answers for its own workbook's company (its Settings sheet: environment/base_url,
company_id, key_profile; the cache key of lookups/place.py, as every command uses),
never for whichever company was refreshed last, so one workbook never shows another
company's data; where that company cannot be known the cell says why. A name resolves
only when it is exactly a record's (case and spaces aside; lookups/names.py). A value that is
not found, or is ambiguous, gives a short text starting with "#" (Excel shows it in the
cell) instead of an error.

ROOTFI_CONTACT, ROOTFI_INVOICE and ROOTFI_STATUS are the same functions wrapped as
xlwings UDFs (see udfs/README.md). Excel names cannot be ROOTFI.CONTACT: xlwings serves
a UDF through a VBA function of the same name, and a VBA name has no dot. UDFS lists
them for the add-in build, which writes their VBA wrappers into rootfi.xlam (what
xlwings' ImportPythonUDFsToAddin would write; excel_addin/udf_module.py). On Linux
xlwings' decorators are no-ops, so the wrapped functions can be called and tested like
the plain ones.

xlwings passes the calling cell (a Range) to a UDF argument named `caller`, and leaves
it out of the Excel function's arguments (xlwings/udfs.py: call_udf, generate_vba_wrapper).
The UDFs read the Settings sheet of the caller's workbook through it (read only) and
hand the settings to `answer_for` (company_of + the plain functions), which tests call on Linux.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from typing import Any, Callable, Iterator

from rootfi_excel.lookups.cache import CacheKey, CompanyLookups, LookupCache
from rootfi_excel.lookups.place import cache_key
from rootfi_excel.lookups.resolve import resolve
from rootfi_excel.sheets.settings import WorkbookSettings, read_settings
from rootfi_excel.submission import journal as journal_module

JOURNAL_STATES = {  # journal state -> the status a row would show
    journal_module.CREATED: "Created",
    journal_module.FAILED: "Failed",
    journal_module.PENDING: "Pending",
    journal_module.SENDING: "Unknown",
    journal_module.UNKNOWN: "Unknown",
}
MODELS = ("invoice_payments", "invoice_credit_notes")


def contact(id_or_name: Any, field: str = "name", company_id: int | None = None,
            base_url: str | None = None, key_profile: str = "default") -> Any:
    return _field("contacts", id_or_name, field, company_id, base_url, key_profile)


def invoice(number_or_id: Any, field: str = "amount_due", company_id: int | None = None,
            base_url: str | None = None, key_profile: str = "default") -> Any:
    return _field("invoices", number_or_id, field, company_id, base_url, key_profile)


def status(document_number: Any, field: str = "status", company_id: int | None = None,
           base_url: str | None = None, key_profile: str = "default") -> Any:
    """The newest journal attempt for a document number: its status, rootfi_id, message, ..."""
    with _lookups_of(document_number, company_id, base_url, key_profile) as lookups:
        if isinstance(lookups, str):
            return lookups
    with journal_module.Journal() as journal:
        attempts = [a for model in MODELS for a in journal.with_number(
            str(base_url).rstrip("/"), lookups.company_id, model, _text(document_number), tuple(JOURNAL_STATES))]
    if not attempts:
        return "#NOT SENT"
    newest = max(attempts, key=lambda a: a.id)
    values = {"status": JOURNAL_STATES[newest.state], "rootfi_id": newest.rootfi_id,
              "platform_id": newest.platform_id, "message": newest.message, "sent_at": newest.sent_at}
    if field not in values:
        return f"#FIELD? use one of {', '.join(values)}"
    return values[field] if values[field] is not None else ""


def _field(kind: str, value: Any, field: str, company_id: int | None, base_url: str | None,
           key_profile: str) -> Any:
    with _lookups_of(value, company_id, base_url, key_profile) as lookups:
        if isinstance(lookups, str):
            return lookups
        found = resolve(lookups, kind, _text(value))
        if not found.found:
            return f"#AMBIGUOUS: {found.problem()}" if found.ambiguous else f"#N/A: {found.problem()}"
        record = found.record
    field = "platform_id" if field == "id" else field
    if field not in record:
        return f"#FIELD? '{field}' is not a field of {kind.rstrip('s')} records"
    result = record[field]
    return "" if result is None else result


NO_WORKBOOK = "#NO COMPANY: use this function in a cell of a RootFi workbook (its Settings sheet names the company)"


@contextlib.contextmanager
def _lookups_of(value: Any, company_id: int | None, base_url: str | None,
                key_profile: str) -> Iterator[CompanyLookups | str]:
    """The company's cached lists while the cache is open, or the text a cell shows
    instead: "" for a blank value, "#..." where the lists cannot be had."""
    if value in (None, ""):
        yield ""
        return
    with LookupCache() as cache:
        yield _company(cache, company_id, base_url, key_profile)


def _company(cache: LookupCache, company_id: int | None, base_url: str | None,
             key_profile: str) -> CompanyLookups | str:
    """The cached lists of exactly this company at this address, read with this key profile's key."""
    if not base_url or company_id is None:
        return NO_WORKBOOK if not base_url else "#NO COMPANY: Settings company_id is blank"
    lookups = cache.company(CacheKey(base_url, int(company_id), key_profile))
    if lookups is None:
        return f"#NO LOOKUPS: refresh lookups of company {int(company_id)} first"
    return lookups


def company_of(settings: WorkbookSettings | str | None, company_id: Any = None) -> CacheKey | str:
    """The cache key a cell answers for: its workbook's Settings (a company_id typed in the
    formula replaces the workbook's, at the workbook's address and key profile), or a "#..."
    text saying why it cannot be known."""
    if isinstance(settings, str):
        return settings
    if settings is None:
        return NO_WORKBOOK
    address = [p for p in settings.problems if p.startswith(("Settings: environment", "Settings: base_url"))]
    if address:
        return f"#SETTINGS: {address[0].removeprefix('Settings: ')}"
    if company_id not in (None, ""):
        text = _text(company_id)
        if not text.isdigit():
            return f"#COMPANY? '{text}' is not a RootFi company id (a whole number)"
        return cache_key(dataclasses.replace(settings, company_id=int(text)))
    if settings.company_id is None:
        wrong = [p for p in settings.problems if p.startswith("Settings: company_id")]
        return f"#NO COMPANY: {(wrong[0] if wrong else 'Settings: company_id is blank').removeprefix('Settings: ')}"
    return cache_key(settings)


def answer_for(settings: WorkbookSettings | str | None, function: Callable[..., Any], value: Any,
               field: str, company_id: Any = None) -> Any:
    """contact, invoice or status for the company of a workbook's settings (what a cell shows)."""
    if value in (None, ""):
        return ""
    key = company_of(settings, company_id)
    return key if isinstance(key, str) else function(value, field, key.company_id, key.base_url, key.key_profile)


class SettingsCache:
    """The Settings a workbook's cells answer for, read once per recalculation.

    Excel calls the functions one cell after another, in a burst, when it recalculates;
    reading the Settings sheet again for each of 1,000 cells costs 1,000 reads. Excel
    tells an add-in nothing of when a recalculation starts or ends, so a burst is what
    counts: the Settings read for a workbook are used again while its cells keep calling
    within `reuse` seconds of each other (and never past `max_age`); the next
    recalculation after a pause reads them afresh (Settings edited in between are seen).
    Keyed by the workbook's name: Excel never has two open workbooks of one name."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, reuse: float = 1.0, max_age: float = 10.0) -> None:
        self.clock, self.reuse, self.max_age = clock, reuse, max_age
        self._entries: dict[str, tuple[Any, float, float]] = {}  # name -> (settings, read at, last used)
        self.reads = 0

    def get(self, name: str, read: Callable[[], Any]) -> Any:
        now = self.clock()
        entry = self._entries.get(name)
        if entry is not None and now - entry[2] <= self.reuse and now - entry[1] <= self.max_age:
            self._entries[name] = (entry[0], entry[1], now)
            return entry[0]
        value = read()
        self.reads += 1
        self._entries = {k: v for k, v in self._entries.items() if now - v[2] <= self.max_age}  # forget old books
        self._entries[name] = (value, now, now)
        return value


SETTINGS_CACHE = SettingsCache()


def settings_of(caller: Any, cache: SettingsCache | None = None) -> WorkbookSettings | str | None:
    """The Settings of the calling cell's workbook (None without a calling cell), or why
    they cannot be read. Read only: a UDF must not change the workbook.

    Reading another sheet from a UDF works on Windows: xlwings itself reads every Range
    argument's value through COM from inside the UDF call (xlwings/udfs.py, call_udf:
    conversion.read on the argument's Range, and the calling cell's size for arrays);
    Excel refuses a UDF that *writes* cells, not one that reads them. What xlwings says
    cannot be done from a UDF is reading its config sheet while the UDF server *starts*
    (utils.prepare_sys_path), which is not this. So the cell keeps reading its own
    workbook's Settings (once per recalculation, SettingsCache), and `company_id` in the
    formula remains the way to name another company."""
    if caller is None:
        return None
    from rootfi_excel.workbook.excel import ExcelWorkbook  # with openpyxl: only when a cell names no company

    try:
        book = caller.sheet.book
        return (cache or SETTINGS_CACHE).get(
            str(book.name), lambda: read_settings(ExcelWorkbook(book, read_only=True).read_settings()))
    except Exception as error:  # noqa: BLE001 - a cell shows a text, never a traceback
        return f"#SETTINGS? the workbook's Settings sheet cannot be read: {error}"


def _text(value: Any) -> str:
    """Excel gives numbers as floats: 591.0 is the id '591'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---- xlwings UDFs (Windows/macOS Excel; no-ops on Linux) ------------------------------

try:
    import xlwings as _xw
except ImportError:  # pragma: no cover - xlwings is a dependency; keep the plain functions usable anyway
    _xw = None


UDF_MODULE = __name__  # what the add-in's "UDF Modules" setting names
CATEGORY = "RootFi"  # Excel's Insert Function category, if xlwings' import registers them
UDFS: list[Callable[..., Any]] = []  # every worksheet function, in the order they are defined


# What Insert Function shows for each argument (xlwings' @xw.arg doc=...; xlwings' import
# and the add-in build both register them with Application.MacroOptions). `caller` is
# xlwings' own argument, not Excel's: it has none.
COMPANY_ID_HELP = ("Optional: another RootFi company id at this workbook's address (blank: company_id on the "
                   "Settings sheet).")
ARGUMENT_HELP: dict[str, dict[str, str]] = {
    "ROOTFI_CONTACT": {
        "id_or_name": "The customer's id, or its name as in the Lookups sheet.",
        "field": "Optional: which field (name when blank; currency_id, email, ...; id for the platform id).",
        "company_id": COMPANY_ID_HELP,
    },
    "ROOTFI_INVOICE": {
        "number_or_id": "The invoice's number (document number) or id.",
        "field": "Optional: which field (amount_due when blank; total_amount, due_date, contact_id, ...).",
        "company_id": COMPANY_ID_HELP,
    },
    "ROOTFI_STATUS": {
        "document_number": "The document number of a row sent from this computer.",
        "field": "Optional: status when blank; rootfi_id, platform_id, message or sent_at.",
        "company_id": COMPANY_ID_HELP,
    },
}


def _udf(function: Callable[..., Any]) -> Callable[..., Any]:
    UDFS.append(function)
    if _xw is None:
        return function
    for argument, doc in ARGUMENT_HELP[function.__name__].items():  # before func: its category is the last word
        function = _xw.arg(argument, doc=doc)(function)
    return _xw.func(category=CATEGORY)(function)


@_udf
def ROOTFI_CONTACT(id_or_name, field="name", company_id=None, caller=None):  # noqa: N802 - Excel function names
    """A field of a contact from the lookup cache, e.g. =ROOTFI_CONTACT("Acme Ltd", "currency_id")."""
    return answer_for(settings_of(caller), contact, id_or_name, field, company_id)


@_udf
def ROOTFI_INVOICE(number_or_id, field="amount_due", company_id=None, caller=None):  # noqa: N802
    """A field of an invoice from the lookup cache, e.g. =ROOTFI_INVOICE("INV-10002", "amount_due")."""
    return answer_for(settings_of(caller), invoice, number_or_id, field, company_id)


@_udf
def ROOTFI_STATUS(document_number, field="status", company_id=None, caller=None):  # noqa: N802
    """What happened to a document number sent from this computer, e.g. =ROOTFI_STATUS("RCPT-001")."""
    return answer_for(settings_of(caller), status, document_number, field, company_id)
