"""The workbook's layout: sheet names, table names, columns and their accepted aliases.

One place for every name the template, the parsers and the adapters agree on. Columns
are found by header name, never by position, so a team may reorder columns or add
their own; headers are compared after `normalize_header` (case, spaces, dashes and
dots forgiven), and a few common spellings are accepted as aliases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TEMPLATE_VERSION = "1.0"


@dataclass(frozen=True)
class Column:
    name: str  # the API field name, used as the header in the template
    kind: str  # how the cell is read: id, text, amount, number, date, id_list, currency, payment_mode
    title: str  # a short hint for people, shown in the Instructions sheet
    aliases: tuple[str, ...] = ()
    width: int = 14


@dataclass(frozen=True)
class TableLayout:
    key: str  # "payments" | "credit_note_lines"
    sheet: str  # sheet name in the template
    table: str  # Excel Table (ListObject) name
    columns: tuple[Column, ...]  # the input columns, in template order
    raw_data_note: str = ""
    extra_aliases: dict[str, str] = field(default_factory=dict)
    owned_extra: tuple[str, ...] = ()  # columns besides the result columns that the add-in writes

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


# Result columns, written by Validate and Submit, the same on both sheets.
STATUS = "status"
MESSAGE = "message"
ROOTFI_ID = "rootfi_id"
PLATFORM_ID = "platform_id"
SYNC_ID = "sync_id"
SUBMITTED_AT = "submitted_at"
# In template order: the message last, where a long reason can run on (and wrap) without
# being hidden by the next cell. Readers find every column by name, never by position.
RESULT_COLUMNS: tuple[str, ...] = (STATUS, ROOTFI_ID, PLATFORM_ID, SYNC_ID, SUBMITTED_AT, MESSAGE)
# The row key: a hidden column at the table's right edge, written by Validate and Submit
# the first time they see a row. It is the row's identity: the journal's attempts are
# keyed by it (with the workbook id), so a result goes only to the row it came from,
# whatever sorting, inserting, deleting or renaming happened meanwhile. Owned by the
# add-in like the result columns, but not a result: Clear results leaves it alone.
ROW_KEY = "row_key"
ROW_KEY_HEADER = "row_key (RootFi: do not edit)"
# Every column the add-in writes: the result columns and the row key.
OWNED_COLUMNS: tuple[str, ...] = (*RESULT_COLUMNS, ROW_KEY)
# What a person types into a held row's status cell to send it even though it looks like
# a record created before (submission/identity.py). Compared without case or spaces.
SEND_ANYWAY = "send anyway"
# The Settings row that holds the workbook's id (the journal's name for this workbook).
WORKBOOK_ID = "workbook_id"


def owned_columns(layout: "TableLayout") -> tuple[str, ...]:
    """The columns the add-in writes: the result columns, the row key and any other the
    layout declares its own. Only these cells of a table are ever changed; merged cells over them are refused."""
    return OWNED_COLUMNS + layout.owned_extra


RESULT_ALIASES = {
    "result": STATUS,
    "error": MESSAGE,
    "errors": MESSAGE,
    "messages": MESSAGE,
    "rootfiid": ROOTFI_ID,
    "id": ROOTFI_ID,
    "platformid": PLATFORM_ID,
    "syncid": SYNC_ID,
    "submitted": SUBMITTED_AT,
    "rootfi_row_key": ROW_KEY,
    "rowkey": ROW_KEY,
}

# Row statuses. Validate writes Valid/Invalid; Submit writes the others.
class Status:
    VALID = "Valid"
    INVALID = "Invalid"
    CREATED = "Created"  # the record exists in the platform (rootfi_id filled in)
    FAILED = "Failed"  # the API rejected it; fix the row and submit again
    PENDING = "Pending"  # sent as part of a bulk write that is still running
    UNKNOWN = "Unknown"  # sent, but the answer was lost; the next Submit checks before re-sending
    SKIPPED = "Skipped"  # not sent (another line of the same credit note is invalid, ...)
    # Typed by a person over a held row's status (SEND_ANYWAY): kept by Validate until Submit sends it.
    SEND_ANYWAY = "Send anyway"

    ALL = (VALID, INVALID, CREATED, FAILED, PENDING, UNKNOWN, SKIPPED, SEND_ANYWAY)


# The payment modes the template's dropdown offers. One spelling per mode: "Cheque" (the
# demo's and most platforms' outside the US). The list is a suggestion, not a rule: a mode
# typed in another case ("cheque") is sent in the list's spelling, any other text (such as
# "Check") as typed.
PAYMENT_MODES = ("Cash", "Cheque", "Bank Transfer", "Credit Card", "Debit Card",
                 "Direct Debit", "ACH", "Wire", "Other")

# Columns both tables have, read and described alike.
CUSTOMER_COLUMN = Column("contact_id", "id", "Platform id of the customer", ("contact", "customer", "customer_id"), 14)
CURRENCY_COLUMN = Column("currency_id", "currency", "Currency (e.g. USD, GBP)", ("currency", "currency_code"), 10)

PAYMENTS = TableLayout(
    key="payments", sheet="Invoice Payments", table="InvoicePayments",
    columns=(
        # A reference is read like an id: a date or a 16-digit number Excel rounded is refused.
        Column("document_number", "id", "Payment reference (cheque no., bank ref.)",
               ("reference", "ref", "payment_reference", "payment_number", "doc_number", "number"), 16),
        Column("invoice_id", "id", "Platform id of the invoice being paid", ("invoice",), 14),
        CUSTOMER_COLUMN,
        Column("account_id", "id", "Platform id of the bank/deposit account", ("account", "bank_account", "deposit_account"), 14),
        Column("amount", "amount", "Amount paid, above zero", ("payment_amount", "amount_paid"), 12),
        Column("payment_date", "date", "Date of the payment", ("date", "paid_on", "payment_day"), 12),
        Column("payment_mode", "payment_mode", "Cash, Cheque, Bank Transfer, Card, ...", ("mode", "method", "payment_method"), 14),
        CURRENCY_COLUMN,
        Column("currency_rate", "number", "Exchange rate to the base currency", ("exchange_rate", "fx_rate", "rate"), 12),
        Column("memo", "text", "Note on the payment", ("description", "note", "notes"), 24),
        Column("credit_note_id", "id", "Platform id of a credit note used as payment", ("credit_note",), 14),
        Column("payment_id", "id", "Platform id of the payment, if the platform needs one", (), 12),
    ),
    raw_data_note="payment_journal_id (Dynamics 365), arr_account_id (NetSuite)",
)

CREDIT_NOTE_LINES = TableLayout(
    key="credit_note_lines", sheet="Credit Note Lines", table="CreditNoteLines",
    columns=(
        # Header fields: the same on every line of one credit note (blank = same as above).
        Column("document_number", "id", "Credit note number; lines with one number form one credit note",
               ("credit_note_number", "reference", "ref", "doc_number", "number"), 16),
        CUSTOMER_COLUMN,
        Column("posted_date", "date", "Date of the credit note", ("date", "credit_note_date", "issue_date"), 12),
        CURRENCY_COLUMN,
        Column("invoice_ids", "id_list", "Invoices it applies to, comma separated", ("invoices", "invoice_id", "invoice"), 16),
        Column("memo", "text", "Note on the credit note", ("note", "notes", "reason"), 22),
        # Line fields
        Column("description", "text", "Line description", ("line_description", "line"), 36),
        Column("account_id", "id", "Platform id of the income account", ("account",), 12),
        Column("item_id", "id", "Platform id of the item", ("item", "product", "product_id"), 12),
        Column("tax_id", "id", "Platform id of the tax rate", ("tax", "tax_rate", "tax_rate_id", "tax_code"), 10),
        Column("quantity", "number", "Quantity (a number)", ("qty",), 9),
        Column("unit_amount", "amount", "Price per unit (a number)", ("unit_price", "price", "rate_per_unit"), 12),
        Column("discount_amount", "amount", "Discount on the line", ("discount", "total_discount"), 11),
        Column("tracking_category_ids", "id_list", "Tracking categories, comma separated", ("tracking_categories", "tracking"), 16),
        Column("project_id", "id", "Platform id of the project", ("project",), 12),
    ),
    raw_data_note="currency_rate (Sage Cloud Accounting, FreshBooks)",
)

# Which credit-note columns belong to the credit note (header) rather than the line.
CREDIT_NOTE_HEADER_FIELDS: tuple[str, ...] = (
    "document_number", "contact_id", "posted_date", "currency_id", "invoice_ids", "memo",
)
CREDIT_NOTE_LINE_FIELDS: tuple[str, ...] = (
    "description", "account_id", "item_id", "tax_id", "quantity", "unit_amount",
    "discount_amount", "tracking_category_ids", "project_id",
)

TABLES: dict[str, TableLayout] = {PAYMENTS.key: PAYMENTS, CREDIT_NOTE_LINES.key: CREDIT_NOTE_LINES}
# table key -> the API model its rows are sent as
MODEL_OF_TABLE = {PAYMENTS.key: "invoice_payments", CREDIT_NOTE_LINES.key: "invoice_credit_notes"}

# Settings sheet: a two-column table (setting, value). Never a key or password.
SETTINGS_SHEET = "Settings"
SETTINGS_TABLE = "Settings"
INTEGRATION_FIELDS_SHEET = "Integration Fields"
INTEGRATION_FIELDS_TABLE = "IntegrationFields"
LOOKUPS_SHEET = "Lookups"
INSTRUCTIONS_SHEET = "Instructions"

# A column named "raw_data.<key>" always goes into raw_data under <key>.
RAW_DATA_PREFIX = "raw_data."

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalize_header(value: object) -> str:
    """'Payment Date ' -> 'payment_date'; 'Raw Data.Foo' -> 'raw_data.foo'."""
    if value is None:
        return ""
    text = str(value).strip().lower()
    if text.startswith("raw_data.") or text.startswith("raw data."):
        return RAW_DATA_PREFIX + _NON_WORD.sub("_", text.split(".", 1)[1]).strip("_")
    return _NON_WORD.sub("_", text).strip("_")


def _squash(text: str) -> str:
    return text.replace("_", "")


def header_lookup(layout: TableLayout) -> dict[str, str]:
    """normalized header (and its underscore-free form) -> field name, for one table."""
    lookup: dict[str, str] = {}
    for column in layout.columns:
        for spelling in (column.name, *column.aliases):
            lookup.setdefault(spelling, column.name)
    for spelling, target in RESULT_ALIASES.items():
        lookup.setdefault(spelling, target)
    for name in OWNED_COLUMNS:
        lookup[name] = name
    lookup[normalize_header(ROW_KEY_HEADER)] = ROW_KEY
    for column in layout.columns:  # exact names always win over another column's alias
        lookup[column.name] = column.name
    squashed = {_squash(k): v for k, v in lookup.items()}
    for k, v in squashed.items():
        lookup.setdefault(k, v)
    return lookup
