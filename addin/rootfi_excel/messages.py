"""The messages a person reads, in one place so they can be reviewed together.

Each says what is wrong in the reader's words and what to do next; the technical
detail (an exception's class, an error code) goes to the log file, not here.
Messages still written where they arise are listed in tests/app/test_messages.py's
quoted cases as they move here.

Where the person is decides how a next step is said: in Excel a button to press
("press Submit again"), at a command line the command to run ("run rootfi-excel submit
book.xlsx again"). A message names its step by a field ({submit_again}, see STEPS) and
`words()` fills it for the front end the person is using: every rootfi-excel command
runs inside `at_terminal(book)` (cli/guarded.py), the Excel buttons in the default.
Row messages, which stay in the workbook for whoever opens it, use words that work in
both ("then submit again").
"""

from __future__ import annotations

import os
import string
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urlsplit

from rootfi_excel.api.paths import DEFAULT_BASE_URL, SANDBOX_PORT
from rootfi_excel.fields.integrations import display_name

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
ENV_VAR = "ROOTFI_API_KEY"  # the same name as api.credentials.ENV_VAR (not imported: keyring stays unloaded)
DEFAULT_PROFILE = "default"

# --- next steps, in the words of where the person is ------------------------------


@dataclass(frozen=True)
class Step:
    button: str  # in Excel: the button to press
    command: str  # at a command line: the command to run ({book}: the workbook the command was given)


STEPS = {
    "submit": Step("press Submit", "run rootfi-excel submit {book}"),
    "submit_again": Step("press Submit again", "run rootfi-excel submit {book} again"),
    "validate_again": Step("press Validate again", "run rootfi-excel validate {book} again"),
    "refresh_lookups": Step("press Refresh lookups", "run rootfi-excel lookups {book}"),
    "posted_again": Step("press Posted again", "run rootfi-excel posted {book} again"),
    "set_key": Step("press Set API key on the RootFi tab", "run rootfi-excel login{profile_option}"),
    "check_connection": Step("press Check connection", "run rootfi-excel doctor {book}"),
    "new_workbook": Step("press New workbook for a fresh copy of the template",
                         "run rootfi-excel template NEW.xlsx for a fresh copy of the template"),
}

_terminal_book: ContextVar[str | None] = ContextVar("rootfi_terminal_book", default=None)


@contextmanager
def at_terminal(book: str = "") -> Iterator[None]:
    """Messages made inside say next steps as commands; `book` is the workbook the command
    was given (as typed), used in them ("BOOK.xlsx" when there is none)."""
    token = _terminal_book.set(_quoted(book) if book else "BOOK.xlsx")
    try:
        yield
    finally:
        _terminal_book.reset(token)


def at_a_terminal() -> bool:
    return _terminal_book.get() is not None


def step(name: str, *, profile: str | None = None) -> str:
    """One next step ('press Submit again' or 'run rootfi-excel submit book.xlsx again')."""
    chosen = STEPS[name]
    book = _terminal_book.get()
    if book is None:
        return chosen.button
    option = f" --profile {profile}" if profile and profile != DEFAULT_PROFILE else ""
    return chosen.command.format(book=book, profile_option=option)


def words(template: str, **fields: Any) -> str:
    """`template` with its fields filled; a field named after a step (STEPS) is that step in
    the words of where the person is, with a capital letter at the start of a sentence."""
    values: dict[str, Any] = dict(fields)
    for _, name, _, _ in string.Formatter().parse(template):
        if name and name not in values:
            root = name.lower()
            if root not in STEPS:
                raise KeyError(name)
            said = step(root, profile=fields.get("profile"))
            values[name] = said[:1].upper() + said[1:] if name[:1].isupper() else said
    return template.format(**values)


def _quoted(book: str) -> str:
    return f'"{book}"' if any(c.isspace() for c in book) else book


# --- counting words ---------------------------------------------------------------------

PLURALS = {"this": "these", "was": "were", "is": "are", "has": "have", "credit note": "credit notes",
           "entry": "entries", "company": "companies", "bulk write": "bulk writes"}


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 row', '2 rows', '0 rows'; `many` when the plural is not one + 's'."""
    return f"{count} {one if count == 1 else many or PLURALS.get(one) or one + 's'}"


def were(count: int) -> str:
    return "was" if count == 1 else "were"


def platform(code: str | None) -> str:
    """What people call a platform: 'NETSUITE' -> 'NetSuite'; none -> 'the platform'."""
    if not code or code == "the platform":
        return "the platform"
    return display_name(code)


# --- reaching RootFi -------------------------------------------------------------

NOT_REACHED = ("Nothing answered at {url}: check the network connection (and a proxy or firewall) and that "
               "base_url in Settings is RootFi's address ({default}), then try again.")
DEFAULT_NOT_REACHED = ("Nothing answered at {url}, RootFi's address: check this computer's network connection "
                       "(and a proxy or firewall), then try again.")
LOCAL_SANDBOX_DOWN = ("Nothing answers at {url}, an address on this computer: no local sandbox is running there. "
                      "Start it again (rootfi-excel sandbox --port {port}; with the same --db FILE it keeps its "
                      "records and key), or run rootfi-excel demo for a new demo workbook, then try again.")
NAME_NOT_FOUND = ("The address {host} (base_url in Settings) was not found: check its spelling and the network "
                  "connection, then try again.")
CONNECTION_LOST = ("The connection to {url} broke off before RootFi answered: check the network connection, then "
                   "try again.")
NOTHING_SENT = "Nothing was sent."

KEY_REFUSED = ("RootFi ({url}) refused the API key{of_profile}: {set_key} and paste a key {of_company}, then "
               "try again.")
ENV_KEY_REFUSED = ("RootFi ({url}) refused the API key in the environment variable " + ENV_VAR + ". Set that "
                   "variable to a key {of_company} (or remove it to use the key stored on this computer), then try "
                   "again.")

# --- the API key on this computer (login, logout, doctor) ------------------------------

ENV_KEY_IN_USE = ("Note: the environment variable " + ENV_VAR + " is set, so every command uses its key, not a "
                  "stored one, until the variable is removed.")
LOGIN_WITH_ENV_KEY_ONLY = ("The environment variable " + ENV_VAR + " is set, and every command uses its key. "
                           "This computer has no key store, so no other key was stored: to use another key, set "
                           + ENV_VAR + " to it.")
LOGOUT_WITH_ENV_KEY_ONLY = ("No key is stored on this computer (it has no key store). The key in use comes from "
                            "the environment variable " + ENV_VAR + "; remove that variable to stop using it.")
DOCTOR_STORE_A_KEY = "{Set_key} and paste a valid key (ask your RootFi admin for one)."
DOCTOR_SET_ENV_KEY = ("Set the environment variable " + ENV_VAR + " to a valid key (ask your RootFi admin for "
                      "one), or remove it to use the key stored on this computer.")

# --- reading from RootFi (a list or one record; nothing is written) --------------------

READ_REFUSED = "RootFi refused to read {what}"
# The last named part of a read's path -> what it holds, in the reader's words.
READ_NAMES = {
    "contacts": "the customers", "invoices": "the invoices", "accounts": "the accounts",
    "currencies": "the currencies", "tax_rates": "the tax rates", "items": "the items",
    "invoice_payments": "the invoice payments", "invoice_credit_notes": "the credit notes",
    "syncs": "the bulk writes",
}

# --- the workbook ----------------------------------------------------------------------

NO_SHEET = ("The workbook has no sheet named '{sheet}': it is not a RootFi workbook, or the sheet was renamed. "
            "Rename the sheet back to '{sheet}', or {new_workbook} and copy the rows into it")

TOTAL_ROW_LEFT = "{sheet}: row {row} below the table is a total ({said}): left as it is, not read as a row"

# --- cells Validate cannot read (sheets/cells.py; the row's message starts with the column) --

AMOUNT_WITH_CURRENCY = ("'{text}' holds the currency {code} with the amount: type the amount alone ({amount}) "
                        "and the currency in currency_id")

REQUIRED_BY = "{column}: {platform} needs this on every {record}: type {what}"
REQUIRED_BY_NO_COLUMN = ("{column}: {platform} needs this on every {record}: add a column named {column} and type "
                         "{what} in it")
RECORD_NAMES = {"invoice_payments": "payment", "invoice_credit_notes": "credit note"}

# --- Validate against the lookups (validation/online.py) --------------------------------

NO_LOOKUPS = ("No lookups of company {company} on this computer: invoices, customers and accounts were checked "
              "offline only. {Refresh_lookups} to check them against the platform.")
LOOKUPS_CACHE_UNREADABLE = ("The lookups cache ({path}) could not be read ({error}): references were checked offline "
                            "only. {Refresh_lookups} to rebuild it.")
LOOKUPS_OLD = ("Warning: the lookups are older than {age} (lookups_max_age_hours on the Settings sheet): "
               "{refresh_lookups}, since invoices may have been paid or changed since.")

# --- a Submit that stopped -----------------------------------------------------------

RESULTS_KEPT_IN_JOURNAL = ("close the workbook in other programs, then {submit_again} to write them (nothing is "
                           "sent twice).")
STOPPED_BY_CTRL_C = "Submit was stopped (Ctrl+C)"
NOTHING_MORE_SENT = "Nothing more was sent."

# --- the local sandbox (rootfi-excel sandbox) -----------------------------------------

SANDBOX_RUNNING = "RootFi sandbox on {url} (Ctrl+C stops it)."
SANDBOX_DB_KEPT = ("Database: {db}. Its records and key are kept: start the sandbox again with --db {db} to carry "
                   "on where it stopped.")
SANDBOX_DB_TEMPORARY = ("Database: a temporary file, deleted when the sandbox stops (--db FILE keeps its records "
                        "and key).")
SANDBOX_KEY = "API key: {key}{kept}"
SANDBOX_LIMITS = "Rate limit: {limit}; faults: {faults}."
SANDBOX_SETTINGS = "A workbook uses it with these values on its Settings sheet:"
SANDBOX_SETTINGS_KEY = ("and {which} stored once on this computer for its address: rootfi-excel login --base-url "
                        "{url} --profile {profile} (paste it when asked); or, for a run without a key store, "
                        + ENV_VAR + " set to it and ROOTFI_BASE_URL={url}.")
SANDBOX_CONFIGURE_HINT = "Or let the sandbox do both: rootfi-excel sandbox {options}--configure BOOK.xlsx"
SANDBOX_CONFIGURED = ("{book}: its Settings now point at this sandbox ({settings}), and the key is stored on this "
                      "computer for this address and the key profile '{profile}'. Validate and submit it as usual.")
SANDBOX_CONFIGURED_NO_KEY = ("{book}: its Settings now point at this sandbox ({settings}), but its key could not be "
                             "stored on this computer ({reason}). For the commands you run, set " + ENV_VAR +
                             " to the key above and ROOTFI_BASE_URL to {url}; or store it with rootfi-excel login "
                             "--base-url {url} --profile {profile} once a key store is there.")

# --- the demo ---------------------------------------------------------------------

DEMO_UNFINISHED = ("The demo did not finish its job: {rows} it meant to send {were} left without a final answer "
                   "({statuses}; the lines above say why), so {file} does not show the whole job. {hint}")
DEMO_AGAIN = "Run rootfi-excel demo --force again."
DEMO_TOO_MANY_PAYMENTS = ("{asked} is more than the demo can make: it pays each open invoice of the company at most "
                          "once, and each sandbox company has {have}. Ask for {have} or fewer.")
DEMO_AGAIN_WITHOUT_FAULTS = ("The sandbox's --faults made it fail; run rootfi-excel demo --force again without "
                             "them to see the whole job.")

# --- rows the platform refused -----------------------------------------------------

PLATFORM_REFUSED = "{platform} refused this row: {reason}. Correct the row, then submit again."
PLATFORM_REFUSED_NO_REASON = ("{platform} refused this row without saying why. Check the row against the record "
                              "in {where}, then submit again.")
REFUSED_BEFORE = ("{reason} (refused on {when}; not sent again until you change the row, or run "
                  "submit --resend-rejected)")

# --- rows Validate marks Invalid: "<column>: <what is wrong> — <what to do>" --------
# (used by fields/rules.py; the key is (rules, column, check)). Written per column: each
# column's checks with the advice that goes with them.
_ADVICE_BY_COLUMN: dict[tuple[str, str], dict[str, str]] = {
    ("payment", "invoice_id"): {
        "required": "type the id of the invoice this payment pays (the Lookups sheet lists them)"},
    ("payment", "amount"): {
        "required": "type the amount received",
        "positive": "a payment is above zero; record a refund in the platform instead"},
    ("payment", "payment_date"): {
        "required": "type the date the payment was received",
        "plausible_date": "the date looks like a typo; check the year"},
    ("payment", "document_number"): {
        "required": "type the payment's reference (cheque or receipt number): it is how Submit recognises "
                    "the payment, so it is never recorded twice"},
    ("payment", "currency_rate"): {
        "positive": "an exchange rate is above zero; leave it empty to use the platform's rate"},
    ("credit_note", "document_number"): {
        "required": "type the credit note's number on each of its lines (lines with the same number make "
                    "one credit note)"},
    ("credit_note", "contact_id"): {"required": "type the id of the customer the credit note is for"},
    ("credit_note", "posted_date"): {
        "required": "type the credit note's date",
        "plausible_date": "the date looks like a typo; check the year"},
    ("line", "quantity"): {
        "required": "type a quantity on each line (1 for a single amount)",
        "positive": "a quantity is above zero; the credit note itself reduces the amount"},
    ("line", "unit_amount"): {
        "required": "type the line's unit amount",
        "not_negative": "type the amount as a positive number"},
    ("line", "discount_amount"): {"not_negative": "type the discount as a positive number"},
}
ROW_ADVICE = {(rules, column, check): advice
              for (rules, column), checks in _ADVICE_BY_COLUMN.items() for check, advice in checks.items()}


# --- references: names resolved from the lookups, ids checked against the platform ----
# (lookups/resolve.py, validation/online.py, submission/references.py; docs/lookups.md)

# Row messages stay in the workbook, read in Excel and quoted at a terminal: neutral words
# ("refresh the lookups"), never a button or a command. Notes use {refresh_lookups} (STEPS).
REFRESH = "refresh the lookups (or type the id)"
NAME_NOT_KNOWN = "'{value}' is not a known {noun} id or {label}"
DID_YOU_MEAN = ("'{value}' is not a known {noun} id or {label}; did you mean {candidates}? A name is used only "
                "when it is the platform's exactly (case and spaces aside): type it as {named} it, or type the id")
NOT_CHECKED = "not checked ({columns}): " + REFRESH
NOT_CHECKED_NOTE = ("References were not checked: there are no lookups of {place} on this computer, "
                    "and the ids could not be read from RootFi instead ({why}). The rows say which columns. "
                    "{Refresh_lookups} to check them against the platform (or type ids): Submit checks "
                    "every id in the platform before it sends anything, and never sends one it cannot find.")
SUBMIT_READS_IDS_NOTE = ("No lookups of {place} on this computer: every id is read from the platform just before it is "
                         "sent, and a row whose id it does not have is not sent; names and numbers are only found "
                         "with the lookups: {refresh_lookups} to check them against the platform.")
CHECKED_BY_ID_NOTE = ("No lookups of {place} on this computer: the ids of the rows were checked in the "
                      "platform, one by one; names and numbers are only found with the lookups. {Refresh_lookups} "
                      "to check them against the platform.")
ID_NOT_IN_PLATFORM = ("'{value}' is not the id of any {noun} in {platform} (names and numbers are only found "
                      "with the lookups): " + REFRESH)
# Just before sending (submission/references.py): the row is Invalid and was not sent.
REFERENCE_GONE = ("{column}: {platform} has no {noun} with the id '{value}' (checked just before sending: deleted, "
                  "or never its id); not sent: " + REFRESH + ", then validate again")
REFERENCE_STATE = ("{column}: {noun} {what} {state} in {platform} (checked just before sending); not sent: refresh "
                   "the lookups, then validate again")
REFERENCE_MOVED = ("{column}: invoice {what} now belongs to {owner}, not {expected} (checked just before "
                   "sending); not sent: refresh the lookups, then validate again")
REFERENCE_OVER_DUE = ("amount: {total} exceeds what invoice {number} has left to pay now, {due} (checked just "
                      "before sending); not sent: refresh the lookups, then validate again")
REFERENCE_CHECK_FAILED = ("Not sent: the invoices, customers and accounts this row names could not be read from "
                          "RootFi just before sending; press Submit again")
REFUSED_ID_HINT = (" If the id came from the lookups, it may have changed in {platform} since: refresh the "
                   "lookups, then validate again.")
# Fields that hold the id of another record: a refusal naming one gets REFUSED_ID_HINT.
REFERENCE_FIELDS = ("invoice_id", "invoice_ids", "contact_id", "account_id", "item_id", "tax_id", "currency_id",
                    "credit_note_id")


def refused_id_hint(message: str, reason: str | None, field: str | None = None, platform: str | None = None) -> str:
    """A platform's refusal that names a reference field (invoice_id, contact_id, ...) says
    the lookups may be out of date; any other refusal is left as it is."""
    text = f"{field or ''} {reason or ''}"
    if not any(name in text for name in REFERENCE_FIELDS):
        return message
    name = (display_name(platform) if platform and platform != "the platform" else "") or "the platform"
    return message.rstrip() + REFUSED_ID_HINT.format(platform=name)


def unreachable(base_url: str, error: object) -> str:
    """Why RootFi could not be reached, naming the address and what to do."""
    parts = urlsplit(base_url or "")
    host = parts.hostname or base_url or "(no address)"
    detail = str(error).lower()
    # Nothing took the connection (refused, or no answer to it), as opposed to one that broke off later.
    not_connected = any(word in detail for word in ("connecterror", "connecttimeout", "connection refused"))
    if host in LOCAL_HOSTS and not_connected:
        return LOCAL_SANDBOX_DOWN.format(url=base_url, port=parts.port or SANDBOX_PORT)
    if "name or service not known" in detail or "nodename nor servname" in detail or "getaddrinfo" in detail:
        return NAME_NOT_FOUND.format(host=host)
    if not not_connected:  # it answered, then the connection dropped (a reset, a read that timed out)
        return CONNECTION_LOST.format(url=base_url)
    if (base_url or "").rstrip("/") == DEFAULT_BASE_URL:
        return DEFAULT_NOT_REACHED.format(url=base_url)
    return NOT_REACHED.format(url=base_url, default=DEFAULT_BASE_URL)


def key_in_environment() -> bool:
    """Whether the key comes from ROOTFI_API_KEY (it overrides every stored key)."""
    return bool(os.environ.get(ENV_VAR, "").strip())


def key_refused(base_url: str, profile: str | None = None, company: int | None = None) -> str:
    """RootFi refused the key: which key, and how to give it a good one from where the person is."""
    of_company = f"of company {company}" if company is not None else "of your company"
    if key_in_environment():
        return ENV_KEY_REFUSED.format(url=base_url, of_company=of_company)
    of_profile = f" of the key profile '{profile}'" if profile else ""
    return words(KEY_REFUSED, url=base_url, profile=profile, of_profile=of_profile, of_company=of_company)


def read_refused(path: str | None) -> str:
    """'RootFi refused to read the customers of company 1003': a read (GET) RootFi answered
    with a 4xx other than a refused key or a missing record. `path` is the request's path."""
    return READ_REFUSED.format(what=what_was_read(path))


def what_was_read(path: str | None) -> str:
    """'/v4/core/companies/1003/shared/contacts' -> 'the customers of company 1003'."""
    parts = [part for part in (path or "").split("/") if part and part != "shared"]
    if "companies" in parts:
        rest = parts[parts.index("companies") + 1:]
        company = f"company {rest[0]}" if rest else "a company"
        if len(rest) < 2:
            return company
        return f"{READ_NAMES.get(rest[1], rest[1].replace('_', ' '))} of {company}"
    if "syncs" in parts:
        rest = parts[parts.index("syncs") + 1:]
        if rest[:1] == ["jobs"]:
            return f"record {rest[1]} of a bulk write" if len(rest) > 1 else "a record of a bulk write"
        if len(rest) > 1 and rest[1] == "jobs":
            return f"the records of bulk write {rest[0]}"
        return f"bulk write {rest[0]}" if rest else "the bulk writes"
    return path or "a list"


def required_by(column: str, integration: str | None, model: str, description: str, has_column: bool) -> str:
    """A field the platform needs (fields/integration_requirements.csv, the Integration Fields sheet), said
    as what to type: 'The ID of the account to which ...' -> 'type the id of the account to which ...'."""
    what = (description or "").strip().rstrip(".")
    what = what[:1].lower() + what[1:] if what[:2] != what[:2].upper() or len(what) < 2 else what
    what = what.replace(" ID ", " id ").replace("the ID", "the id") or "its value"
    template = REQUIRED_BY if has_column else REQUIRED_BY_NO_COLUMN
    return template.format(column=column, platform=platform(integration), record=RECORD_NAMES.get(model, "record"),
                           what=what)


def platform_refused(platform_name_or_code: str | None, reason: str | None) -> str:
    """A row the accounting platform (or RootFi's checks for it) refused; the platform is
    given by its integration code or its name (shown by its name), or None."""
    where = platform(platform_name_or_code)
    name = where[:1].upper() + where[1:]
    reason = (reason or "").strip().rstrip(".")
    if not reason:
        return PLATFORM_REFUSED_NO_REASON.format(platform=name, where=where)
    return PLATFORM_REFUSED.format(platform=name, reason=reason)


def demo_unfinished(unsettled: dict[str, int], file: str, faults: bool) -> str:
    """The demo's last word when rows it meant to send have no final answer."""
    rows = sum(unsettled.values())
    statuses = ", ".join(f"{count} {status}" for status, count in unsettled.items())
    return DEMO_UNFINISHED.format(rows=f"{rows} row{'' if rows == 1 else 's'}", were="was" if rows == 1 else "were",
                                  statuses=statuses, file=file,
                                  hint=DEMO_AGAIN_WITHOUT_FAULTS if faults else DEMO_AGAIN)


# --- the Excel add-in: no workbook, a workbook's own config, work still running (issue 19) ---

# Also in RootFiRibbon.bas (the VBA says them when no workbook is there for Python to
# start in); tests/excel_addin/test_no_workbook_in_front.py checks the two say the same.
NO_WORKBOOK = "Open a RootFi workbook first (or press New workbook), then press the button again."
PROTECTED_VIEW = ("This workbook is open in Protected View. Click Enable Editing in the yellow bar at the top, "
                  "then press the button again.")
# Also in RootFiRibbon.bas: on a Mac, xlwings hands the workbook's name and folder to a shell
# inside double quotes, where these characters would run a command (docs/security.md).
MAC_SHELL_CHARACTERS = ("$", "`", '"', "\\")
MAC_UNSAFE_NAME = ("RootFi cannot start on a Mac for a workbook whose name or folder holds $, `, \" or \\ "
                   "(the Mac would read them as a command). Save the workbook under a plain name in a plain "
                   "folder (File > Save As), then press the button again.")
# Sheets xlwings' own VBA would read settings from; the RootFi add-in never does.
CONFIG_SHEET_NAMES = ("rootfi.conf", "xlwings.conf")
CONFIG_SHEET_IGNORED = ("Note: this workbook's {sheets} sheet is ignored: RootFi takes its settings only from the "
                        "add-in and your own computer.")
STILL_RUNNING = ("still running at RootFi: nothing moved for {minutes}; submit again later to collect the result "
                 "(it is never sent twice)")
STOPPED_BEFORE_SENDING = "Not sent: Submit stopped before this row was sent ({why}). {what}"
AFTER_KEY_REFUSED = ("Store a valid key (Set API key on the RootFi tab, or rootfi-excel login), then submit "
                     "again.")
AFTER_STOP = "Submit again: nothing is sent twice."
STOPPED_BY_CTRL_C_BEFORE_SENDING = "Not sent: Submit was stopped (Ctrl+C) before this row was sent. {what}"


def ignored_config_sheets(sheet_names: list[str]) -> str | None:
    """The one-line notice for a workbook that carries a config sheet of xlwings' (None without one)."""
    found = [name for name in sheet_names if str(name).strip().casefold() in CONFIG_SHEET_NAMES]
    if not found:
        return None
    return CONFIG_SHEET_IGNORED.format(sheets=" and ".join(f"'{name}'" for name in found))


def minutes_text(seconds: float) -> str:
    """120 -> '2 minutes', 90 -> '1.5 minutes', 60 -> '1 minute', 2 -> '2 seconds'."""
    if seconds < 60:
        return f"{seconds:.0f} second" + ("" if round(seconds) == 1 else "s")
    minutes = seconds / 60
    shown = f"{minutes:.1f}".rstrip("0").rstrip(".")
    return f"{shown} minute" + ("" if shown == "1" else "s")


def stopped_before_sending(why: str, key_refused: bool = False) -> str:
    """A row Submit was asked to send but never reached because the run stopped: why, and what to do."""
    what = AFTER_KEY_REFUSED if key_refused else AFTER_STOP
    if key_refused:  # the run's own message names the address and the fix; the row says what happened
        why = "RootFi refused the API key"
    if why == STOPPED_BY_CTRL_C:  # said once, not "stopped (Submit was stopped (Ctrl+C))"
        return STOPPED_BY_CTRL_C_BEFORE_SENDING.format(what=what)
    why = why.strip().rstrip(".") or "it was stopped"
    return STOPPED_BEFORE_SENDING.format(why=why, what=what)


# --- where the API key may go (api/trust.py) -------------------------------------------
# A key is stored for an address: RootFi's own addresses, or one the person named on this
# computer. Every message below ends with "Nothing was sent": no connection was attempted.

WHERE_SETTINGS = "base_url in the workbook's Settings"
WHERE_OPTION = "--base-url"
KEY_NOT_FOR_ADDRESS = (  # ends with the command: Excel shows its button instead (workbook/excel_ui.py)
    "The API key was not sent: {address} ({where}) is not one of RootFi's addresses, and no key is stored on this "
    "computer for it (key profile '{profile}'). A workbook made by someone else can name any address, to collect "
    "the key of whoever presses its buttons. Nothing was sent. If the workbook should use RootFi, empty base_url on "
    "its Settings sheet (environment production). If {address} is right (a sandbox you started, an address RootFi "
    "gave you), store a key for it on this computer. Run: rootfi-excel login --base-url {address}{profile_option}")
ENV_KEY_NOT_FOR_ADDRESS = (
    "The API key was not sent: ROOTFI_API_KEY is for {allowed}, and {address} ({where}) is not. If {address} is "
    "right, set ROOTFI_BASE_URL={address} (the address ROOTFI_API_KEY is for) or pass --base-url {address}. "
    "Nothing was sent.")
BAD_ADDRESS = ("The API key was not sent: {problem} ({where}). Correct the address, or empty base_url in Settings "
               "to use RootFi's own. Nothing was sent.")
BAD_ENV_ADDRESS = ("The API key was not sent: ROOTFI_BASE_URL is not an address the key may go to ({problem}). "
                   "Correct it or remove it. Nothing was sent.")
SET_KEY_ELSEWHERE = (
    "This workbook's Settings send the API key to {address}, which is not one of RootFi's addresses.\n\n"
    "A workbook made by someone else can name any address, to collect your key. Store a key for {address} only "
    "if you know it is right (a sandbox you started, an address RootFi gave you).\n\n"
    "Store a key for {address} on this computer (key profile '{profile}')?")
SET_KEY_PROMPT = ("Paste your RootFi API key for the key profile '{profile}'.\n"
                  "It is kept in this computer's key store, never in the workbook, and sent only to {sent_to}.")
SET_KEY_SAVED = ("Saved the API key for the key profile '{profile}' in {store}; it is sent only to {sent_to}.\n"
                 "Press Check connection to test it.")
SET_KEY_BAD_ADDRESS = ("No key was asked for: {problem} (base_url in this workbook's Settings). Correct base_url "
                       "on the Settings sheet (or leave it empty for RootFi's own address), then press Set API key "
                       "again.")
LOGIN_ELSEWHERE = ("{address} is not one of RootFi's addresses: the key you type now is kept for that address alone "
                   "and sent nowhere else.")
ROOTFI_ADDRESSES_WORDS = "RootFi's own addresses"


def sent_to(address: str | None) -> str:
    """Where a key stored for `address` may go, in words (None: RootFi's own addresses)."""
    return address if address else ROOTFI_ADDRESSES_WORDS


# --- control totals (sheets/totals_view.py, the Totals sheet) ----------------------

# The last line of the Submit message: what reached the platform, and what did not yet.
TOTALS_ALL_IN = "{all}{count} {records}, {amounts}, {are} in {platform}"
TOTALS_NOT_YET = "{count} {records}, {amounts}, {are} not yet"
TOTALS_NOT_ACCOUNTED = "{count} of {sheet} {are} not accounted for (a status RootFi never writes)"
SEE_TOTALS = ": see the Totals sheet"  # once, after the first part of the line that needs it
TOTALS_NOT_WRITTEN = "The Totals sheet could not be refreshed: {error}"
TOTALS_UNEXPECTED = "an unexpected error, written to the log (Open log on the RootFi tab); the results are not affected"
# Said on the Totals sheet under the table (topic, note).
TOTALS_NOTES = (
    ("Created", "a row with a rootfi_id; Created without one is not accounted for"),
    ("Check", "0 when every row is accounted for; else its rows are the ones to look at"),
    ("Credit notes", "sum of lines: quantity x unit_amount - discount, before tax"),
    ("Amounts", "exact sums, shown with the currency's decimals (JPY 0, KWD 3)"),
)
# The last line of the Posted message.
LEDGER_TIES = "The platform's records of the period tie to this workbook's Created rows (the Totals sheet)."
LEDGER_DIFFERS = ("The platform's records of the period differ from this workbook's Created rows in {count} "
                  "type and currency: the Totals sheet names the records and rows behind it.")
