"""Build the RootFi invoice-import workbook (the template accountants fill in).

Every sheet, table and column name comes from `sheets.layout`; the raw_data columns and
the Integration Fields rows come from the packaged `fields/integration_requirements.csv`,
so a field a platform needs is added in one place.

Formats, validations and status colours cover each column down to the sheet's last row
(LAST_ROW), not just the table's rows: Excel extends a table's formats to a typed row
but not to a pasted block (and openpyxl never extends anything), so whole-column ranges
are the only ones that reach every row a table can grow to. Number formats and
alignment are column styles (what Excel gives a new cell) as well as the style of
every row written here. Status colours are conditional formats (rules on the status
column), never painted cells.

Result columns are written by the program and read by people: status first, the ids
left-aligned so two ids never read as one number, and the message last, so a long
reason runs on into the empty cells beside it instead of being cut by the next column.
(It is not wrapped: Excel and LibreOffice do not always grow a row for wrapped text a
program wrote, and a wrapped cell of one line's height shows only its first line.)
"""

from __future__ import annotations

import io
import textwrap
from functools import partial
from pathlib import Path
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from rootfi_excel.fields import rules
from rootfi_excel.fields.integrations import KNOWN_INTEGRATIONS, Requirement, default_requirements, display_name
from rootfi_excel.sheets import layout as L
from rootfi_excel.sheets.ids import new_workbook_id
from rootfi_excel.sheets.settings import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_LOOKUPS_MAX_AGE_HOURS,
    DEFAULT_STUCK_AFTER_MINUTES,
    SETTING_NOTES,
)
from rootfi_excel.workbook.button_help import BUTTON_STEPS
from rootfi_excel.workbook.files import replace_file

LAST_ROW = 1_048_576  # Excel's last row: formats, validations and colours reach it

# Which API model each data sheet writes (the `model` column of integration_requirements.csv).
MODEL_OF = {L.PAYMENTS.key: "invoice_payments", L.CREDIT_NOTE_LINES.key: "invoice_credit_notes"}

DOC_PROPERTY_VERSION = "RootFiTemplateVersion"

# ---- Lookup lists (Lookups sheet); each is a workbook-level defined name ----------------

_COMMON_INTEGRATIONS = (
    "QUICKBOOKS", "XERO", "NETSUITE", "MS_DYNAMICS_365", "SAGE_CLOUD_ACCOUNTING", "FRESH_BOOKS",
    "ZOHO_BOOKS", "MYOB_BUSINESS", "WAVE", "ODOO_ACCOUNTING",
)
INTEGRATIONS = _COMMON_INTEGRATIONS + tuple(i for i in KNOWN_INTEGRATIONS if i not in _COMMON_INTEGRATIONS)
PAYMENT_MODES = L.PAYMENT_MODES  # the dropdown's list; a mode typed in another case is sent in its spelling
CURRENCIES = (  # common ones first
    "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "INR", "SAR", "AED", "SGD", "ZAR", "JPY", "CHF",
    "CNY", "HKD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "TRY", "ILS", "QAR", "KWD",
    "BHD", "OMR", "JOD", "EGP", "MAD", "NGN", "KES", "GHS", "MXN", "BRL", "ARS", "CLP", "COP",
    "PEN", "IDR", "MYR", "THB", "PHP", "VND", "KRW", "TWD", "PKR", "BDT", "LKR",
)
ENVIRONMENTS = ("production", "rootfi", "saudi", "sandbox", "custom")
DATE_ORDERS = ("DMY", "MDY", "YMD")
DECIMAL_SEPARATORS = (".", ",")

# (defined name, column title, values); the defined name covers the values only.
LOOKUP_LISTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("IntegrationList", "integrations", INTEGRATIONS),
    ("PaymentModeList", "payment modes", PAYMENT_MODES),
    ("CurrencyList", "currencies", CURRENCIES),
    ("EnvironmentList", "environments", ENVIRONMENTS),
    ("DateOrderList", "date orders", DATE_ORDERS),
    ("DecimalSeparatorList", "decimal separators", DECIMAL_SEPARATORS),
)
# Columns beside a lookup list that explain its values (not part of the dropdown).
LOOKUP_EXPLAINED = {"IntegrationList": ("platform", display_name)}
# Live lists, empty in the template: Refresh lookups fills the id/name columns below the
# title; the defined names Live<Name>Ids and Live<Name>Names cover them, and the id
# columns of the data sheets offer the names (or invoice numbers) as their dropdown.
LIVE_LISTS = ("contacts", "invoices", "accounts", "tax_rates", "items")
LIVE_LIST_ROWS = 5000
# Input column -> (what its dropdown offers, the defined name of that live list).
LIVE_DROPDOWNS = {
    "invoice_id": ("an invoice by its number", "LiveInvoicesNames"),
    "contact_id": ("a customer by name", "LiveContactsNames"),
    "account_id": ("an account by name", "LiveAccountsNames"),
    "item_id": ("an item by name", "LiveItemsNames"),
    "tax_id": ("a tax rate by name", "LiveTaxRatesNames"),
}

# ---- Settings -------------------------------------------------------------------------

# (setting, default value, note, dropdown defined name or None); the notes live beside
# the code that reads the settings (sheets/settings.py), so they stay true to it.
SETTINGS_ROWS: tuple[tuple[str, Any, str, str | None], ...] = tuple(
    (name, default, SETTING_NOTES[name], dropdown) for name, default, dropdown in (
        ("company_id", None, None),
        ("integration", None, "IntegrationList"),
        ("environment", "production", "EnvironmentList"),
        ("base_url", None, None),
        ("key_profile", "default", None),
        ("date_order", "DMY", "DateOrderList"),
        ("decimal_separator", ".", "DecimalSeparatorList"),
        ("time_zone", None, None),
        ("batch_size", DEFAULT_BATCH_SIZE, None),
        ("lookups_max_age_hours", DEFAULT_LOOKUPS_MAX_AGE_HOURS, None),
        ("stuck_after_minutes", DEFAULT_STUCK_AFTER_MINUTES, None),
        ("posted_from", None, None),
        ("posted_to", None, None),
        ("template_version", L.TEMPLATE_VERSION, None),
        (L.WORKBOOK_ID, None, None),  # made by build_template (blank in the shipped template: made on first use)
    )
)
# Number formats of Settings values that are not text.
SETTINGS_FORMATS = {"batch_size": "0", "lookups_max_age_hours": "General", "stuck_after_minutes": "General",
                    "posted_from": "yyyy-mm-dd",
                    "posted_to": "yyyy-mm-dd"}
NO_KEY_NOTE = ("This workbook never holds an API key: each person's key is kept in their own "
               "computer's key store (press Set API key on the RootFi tab, or run rootfi-excel login).")

# ---- Looks ----------------------------------------------------------------------------

INPUT_FILL, RAW_FILL, RESULT_FILL = "1F4E78", "C55A11", "595959"  # header colours
STATUS_COLOURS: tuple[tuple[tuple[str, ...], str, str], ...] = (  # statuses, fill, font
    ((L.Status.CREATED,), "63BE7B", "000000"),
    ((L.Status.VALID, L.Status.SEND_ANYWAY), "C6EFCE", "006100"),
    ((L.Status.INVALID, L.Status.FAILED), "FFC7CE", "9C0006"),
    ((L.Status.PENDING, L.Status.UNKNOWN), "FFEB9C", "9C5700"),
    ((L.Status.SKIPPED,), "D9D9D9", "404040"),
)
STATUS_MEANINGS = {
    L.Status.VALID: "Passed Validate; not sent yet.",
    L.Status.INVALID: "Failed Validate: the message names the column to fix.",
    L.Status.CREATED: "Created in your platform (rootfi_id filled in). Never sent again.",
    L.Status.FAILED: "Refused by the platform, or not sent (the message says which and why). A refused row "
                     "is sent again only once you change it.",
    L.Status.PENDING: "Sent in a bulk job that is still running at RootFi (Submit stops waiting once nothing has "
                      "moved for stuck_after_minutes): press Submit again later to collect the result.",
    L.Status.UNKNOWN: "Sent, but the answer was lost: the next Submit checks before re-sending.",
    L.Status.SKIPPED: "Not sent, e.g. another line of the same credit note is invalid, or the row looks like a "
                      "record created before (the message says what to do).",
    L.Status.SEND_ANYWAY: "Typed by you over a Skipped row's status: the next Submit sends it as a new record, "
                          "even though it looks like one created before.",
}
NUMBER_FORMATS = {"amount": "#,##0.00", "number": "General", "date": "yyyy-mm-dd",
                  "id": "@", "id_list": "@", "text": "@", "currency": "@", "payment_mode": "@"}
# Ids are text, rootfi_id too (as the Excel adapter writes them): every digit shown,
# never 1.2E+15, left-aligned like the other ids (see _alignment).
RESULT_FORMATS = {L.STATUS: "@", L.MESSAGE: "@", L.ROOTFI_ID: "@", L.PLATFORM_ID: "@",
                  L.SYNC_ID: "@", L.SUBMITTED_AT: "yyyy-mm-dd hh:mm"}
RESULT_WIDTHS = {L.STATUS: 11, L.MESSAGE: 60, L.ROOTFI_ID: 12, L.PLATFORM_ID: 20,
                 L.SYNC_ID: 20, L.SUBMITTED_AT: 17}
RESULT_MEANINGS = {
    L.STATUS: "Row status (see Status colours above).",
    L.MESSAGE: "Why the row is not valid or was not created; it names the column to fix.",
    L.ROOTFI_ID: "RootFi's id of the created record.",
    L.PLATFORM_ID: "Your platform's id of the created record.",
    L.SYNC_ID: "Id of the background job of a bulk Submit.",
    L.SUBMITTED_AT: "When the row was sent.",
}
RESULT_NOTE = "Written by Validate/Submit, do not type here."
ROW_KEY_NOTE = ("Hidden. Each row's identity, written by Validate/Submit: it moves with the row when you sort, "
                "insert, delete or filter, so Submit writes every result to its own row. Do not type, copy or "
                "clear it (a row copied with it is told apart, or flagged as a copy).")
EXAMPLES = {
    L.PAYMENTS.key: {
        "document_number": "CHQ-10045", "invoice_id": "18245", "contact_id": "5521",
        "account_id": "1010", "amount": "1,250.00", "payment_date": "2024-03-31",
        "payment_mode": "Bank Transfer", "currency_id": "USD", "currency_rate": "1",
        "memo": "March remittance", "credit_note_id": "CN-77", "payment_id": "",
    },
    L.CREDIT_NOTE_LINES.key: {
        "document_number": "CN-2024-017", "contact_id": "5521", "posted_date": "2024-03-31",
        "currency_id": "GBP", "invoice_ids": "18245, 18246", "memo": "Returned goods",
        "description": "Blue widget, returned", "account_id": "4000", "item_id": "ITEM-7",
        "tax_id": "TAX20", "quantity": "2", "unit_amount": "45.00", "discount_amount": "0",
        "tracking_category_ids": "DEPT-1", "project_id": "P-12",
    },
}

# Every font names its face: a font without one is drawn in a serif face by LibreOffice.
_font = partial(Font, name="Calibri", family=2, size=11)
_THIN = Side(style="thin", color="BFBFBF")
_RESULTS_EDGE = Border(left=Side(style="medium", color=RESULT_FILL))  # where the result columns start


# ---- What Validate demands of each column, in words (from fields/rules.py) ------------

_CHECK_WORDS = {"positive": "above 0", "not_negative": "not negative"}


def requirement_text(layout: L.TableLayout, name: str) -> str:
    """'Required, above 0', 'Required on every line', 'Optional', ... for the Instructions
    and header notes, read from the rules Validate applies, so the two never disagree."""
    if layout is L.PAYMENTS:
        required, extra = _rule_words(rules.PAYMENT_RULES, name, "Required")
    elif name == "document_number":  # the key lines are grouped by: a blank one is a line of its own
        required, extra = "Required on every line", []
    elif name in L.CREDIT_NOTE_HEADER_FIELDS:
        required, extra = _rule_words(rules.CREDIT_NOTE_RULES, name,
                                      "Required once per credit note (blank on later lines = the same)")
    else:
        required, extra = _rule_words(rules.CREDIT_NOTE_LINE_RULES, name, "Required on every line")
        if name in rules.CREDIT_NOTE_LINE_NEEDS_ONE_OF:
            others = " or ".join(rules.CREDIT_NOTE_LINE_NEEDS_ONE_OF)
            required = required or f"Every line needs {others}"
    words = [required or "Optional", *extra]
    return ", ".join(words)


def _rule_words(table: tuple[rules.Rule, ...], name: str, required_words: str) -> tuple[str, list[str]]:
    checks = [r.check for r in table if r.field == name]
    return (required_words if "required" in checks else ""), [_CHECK_WORDS[c] for c in checks if c in _CHECK_WORDS]


# ---- Public ---------------------------------------------------------------------------

def build_template(
    path: str | Path,
    *,
    payments: list[dict] | None = None,
    credit_note_lines: list[dict] | None = None,
    settings: dict | None = None,
    workbook_id: str | None = None,
) -> Path:
    """Write the template to `path` and return it.

    `payments` / `credit_note_lines` are data rows as {column name: value} (the demo fills
    them); without data each table has one empty row. `settings` overrides Settings values.
    Each workbook built gets its own id (Settings workbook_id), unless `workbook_id` is
    given: "" leaves it blank (the shipped template: each copy makes its own on first use).
    """
    path = Path(path)
    requirements = default_requirements()
    wb = Workbook()
    instructions = wb.active
    instructions.title = L.INSTRUCTIONS_SHEET

    _lookups_sheet(wb)  # first, so its defined names exist for the dropdowns
    data = {L.PAYMENTS.key: payments, L.CREDIT_NOTE_LINES.key: credit_note_lines}
    for layout in (L.PAYMENTS, L.CREDIT_NOTE_LINES):
        _data_sheet(wb, layout, raw_data_columns(layout, requirements), data[layout.key] or [])
    made_id = new_workbook_id() if workbook_id is None else workbook_id
    _totals_sheet(wb)
    _settings_sheet(wb, {**(settings or {}), L.WORKBOOK_ID: made_id or None})
    _integration_fields_sheet(wb, requirements)
    _instructions_sheet(instructions, requirements)
    wb.move_sheet(L.LOOKUPS_SHEET, offset=len(wb.sheetnames))  # Lookups last

    wb.active = 0
    wb.properties.title = "RootFi invoice payments and credit notes"
    wb.properties.creator = "RootFi for Excel"
    wb.custom_doc_props.append(StringProperty(name=DOC_PROPERTY_VERSION, value=L.TEMPLATE_VERSION))
    path.parent.mkdir(parents=True, exist_ok=True)
    data = io.BytesIO()
    wb.save(data)
    # atomic: a run stopped halfway (--force over an old copy) leaves the old file whole
    replace_file(path, data.getvalue(), path.name)
    return path


def raw_data_columns(layout: L.TableLayout, requirements: Iterable[Requirement]) -> dict[str, list[Requirement]]:
    """raw_data field name -> the requirements asking for it, for the fields that are
    not already an input column of the sheet (in CSV order)."""
    own = {c.name for c in layout.columns}
    found: dict[str, list[Requirement]] = {}
    for requirement in requirements:
        if requirement.model == MODEL_OF[layout.key] and requirement.field not in own:
            found.setdefault(requirement.field, []).append(requirement)
    return found


def sheet_headers(layout: L.TableLayout, raw_columns: Iterable[str]) -> list[str]:
    """Header row of a data sheet: input columns, raw_data columns, result columns, the hidden row key."""
    return [c.name for c in layout.columns] + list(raw_columns) + list(L.RESULT_COLUMNS) + [L.ROW_KEY_HEADER]


# ---- Data sheets ----------------------------------------------------------------------

def _data_sheet(wb: Workbook, layout: L.TableLayout, raw: dict[str, list[Requirement]], rows: list[dict]) -> None:
    ws = wb.create_sheet(layout.sheet)
    headers = sheet_headers(layout, raw)
    unknown = {k for row in rows for k in row} - set(headers)
    if unknown:
        raise ValueError(f"{layout.sheet}: unknown columns {sorted(unknown)}")
    kinds = {c.name: c.kind for c in layout.columns}
    kinds.update({name: reqs[0].type for name, reqs in raw.items()})
    formats = ({name: NUMBER_FORMATS.get(kind, "General") for name, kind in kinds.items()} | RESULT_FORMATS
               | {L.ROW_KEY_HEADER: "@"})
    widths = {c.name: c.width for c in layout.columns} | {n: 18 for n in raw} | RESULT_WIDTHS | {L.ROW_KEY_HEADER: 18}
    first_result = L.RESULT_COLUMNS[0]

    for col, name in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col, value=name)
        if name in raw:
            fill, note = RAW_FILL, _raw_note(name, raw[name])
        elif name in L.RESULT_COLUMNS:
            fill, note = RESULT_FILL, RESULT_NOTE
        elif name == L.ROW_KEY_HEADER:
            fill, note = RESULT_FILL, ROW_KEY_NOTE
        else:
            fill, note = INPUT_FILL, f"{layout.column(name).title}. {requirement_text(layout, name)}."
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        cell.font = _font(bold=True, color="FFFFFF")
        cell.alignment = Alignment(horizontal="left", vertical="top", indent=1)  # clear of the filter button
        cell.comment = Comment(note, "RootFi for Excel", width=260, height=90)
        letter = get_column_letter(col)
        column = ws.column_dimensions[letter]
        column.width = max(widths[name], len(name) + 4)  # + filter arrow
        # Column styles: what Excel gives a cell typed or pasted below the rows written here.
        column.number_format = formats[name]
        column.alignment = _alignment(name, kinds.get(name))
        if name == first_result:
            column.border = cell.border = _RESULTS_EDGE
        column.hidden = name == L.ROW_KEY_HEADER  # the row key: the program's, out of the way

    for r, row in enumerate(rows or [{}], start=2):
        for col, name in enumerate(headers, start=1):
            cell = ws.cell(row=r, column=col, value=row.get(name))
            cell.number_format = formats[name]
            cell.alignment = _alignment(name, kinds.get(name))
            if name == first_result:
                cell.border = _RESULTS_EDGE
    last_row = 1 + max(len(rows), 1)
    last_col = get_column_letter(len(headers))
    table = Table(displayName=layout.table, ref=f"A1:{last_col}{last_row}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"
    ws.sheet_properties.tabColor = INPUT_FILL
    _print_setup(ws)
    # Printed: the columns a person typed (the result columns are for the screen).
    ws.print_area = f"A1:{get_column_letter(headers.index(first_result))}{LAST_ROW}"

    _data_validations(ws, layout, headers)
    status_letter = get_column_letter(headers.index(L.STATUS) + 1)
    _status_colours(ws, f"A2:{last_col}{LAST_ROW}", f"${status_letter}2")


def _alignment(name: str, kind: str | None) -> Alignment:
    """Text, ids and results to the left, dates centred, numbers to the right, each with
    a character's margin: two values never touch, even when a long text is cut by the
    next column or a coloured row hides the grid lines. Top-aligned, for rows a person
    makes taller."""
    if kind == "date" and name not in L.RESULT_COLUMNS:
        return Alignment(horizontal="center", vertical="top")
    if kind in ("amount", "number") and name not in L.RESULT_COLUMNS:
        return Alignment(horizontal="right", vertical="top", indent=1)
    return Alignment(horizontal="left", vertical="top", indent=1)


def _raw_note(field: str, requirements: list[Requirement]) -> str:
    needed_by = ", ".join(display_name(r.integration) for r in requirements)
    return (f"raw_data field, needed by {needed_by}: {requirements[0].description} "
            "Leave blank for other platforms.")


def _data_validations(ws: Worksheet, layout: L.TableLayout, headers: list[str]) -> None:
    """Checks as a person types, each with an input message and an alert. Alerts are
    warnings: Validate reads more than Excel's checks accept (dates typed as text in the
    workbook's date order, for one) and has the last word."""
    for column in layout.columns:
        if column.kind == "date":
            dv = _validation("date", prompt=f"{column.title}: a date, e.g. 2024-03-31.",
                             error="This is not a date Excel recognises. Type it like 2024-03-31.",
                             operator="greaterThan", formula1="0")
        elif column.name == "amount" and layout is L.PAYMENTS:
            dv = _validation("decimal", prompt="The amount paid: a number above 0, e.g. 1250.00.",
                             error="The amount paid must be a number above 0.",
                             operator="greaterThan", formula1="0")
        elif column.kind in ("amount", "number"):
            dv = _validation("decimal", prompt=f"{column.title}.", error="Type a number, e.g. 12.50.",
                             operator="between", formula1="-1E+15", formula2="1E+15")
        elif column.name == "payment_mode":
            dv = _list_validation("PaymentModeList", "Pick a payment mode, or type the one your platform uses.")
        elif column.name == "currency_id":
            dv = _list_validation("CurrencyList", "Pick a currency, or type your platform's currency code or id.")
        elif column.name in LIVE_DROPDOWNS:
            what, defined_name = LIVE_DROPDOWNS[column.name]
            dv = _list_validation(defined_name, f"Pick {what}, or type its platform id. Validate turns a name "
                                  "into its id (press Refresh lookups to fill and update the list).")
            dv.error = ("This is not in your company's list on this computer (Refresh lookups updates it). "
                        "Keep it anyway?")
        else:
            continue
        dv.promptTitle = dv.errorTitle = column.name
        letter = get_column_letter(headers.index(column.name) + 1)
        dv.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.add_data_validation(dv)


def _validation(kind: str, *, prompt: str, error: str, strict: bool = False, **formulas: str) -> DataValidation:
    """A data validation that shows its input message and its alert (openpyxl switches
    both off unless told)."""
    return DataValidation(type=kind, allow_blank=True, showInputMessage=True, showErrorMessage=True,
                          prompt=prompt, error=error, errorStyle="stop" if strict else "warning", **formulas)


def _list_validation(defined_name: str, prompt: str, *, strict: bool = False) -> DataValidation:
    """A dropdown from a Lookups list; unless `strict`, other values are allowed (a warning)."""
    return _validation("list", formula1=f"={defined_name}", prompt=prompt, strict=strict,
                       error="Pick a value from the list." if strict else
                       "This value is not in the list. Keep it anyway?")


def _status_colours(ws: Worksheet, cells: str, status_cell: str) -> None:
    for statuses, fill, font in STATUS_COLOURS:
        tests = [f'{status_cell}="{s}"' for s in statuses]
        formula = tests[0] if len(tests) == 1 else f"OR({','.join(tests)})"
        ws.conditional_formatting.add(cells, FormulaRule(
            formula=[formula], font=Font(color=font),
            fill=PatternFill("solid", start_color=fill, end_color=fill, bgColor=fill),
        ))


# ---- Settings, Integration Fields, Lookups --------------------------------------------

_SETTINGS_NOTE_WIDTH = 76


def _settings_sheet(wb: Workbook, overrides: dict) -> None:
    ws = wb.create_sheet(L.SETTINGS_SHEET)
    values = {name: value for name, value, _, _ in SETTINGS_ROWS}
    notes = {name: note for name, _, note, _ in SETTINGS_ROWS}
    values.update({str(k).strip().lower(): v for k, v in overrides.items()})
    rows = [("setting", "value", "notes")] + [(k, v, notes.get(k, "")) for k, v in values.items()]
    for row in rows:
        ws.append(row)
    for r in range(2, len(rows) + 1):
        value = ws.cell(row=r, column=2)
        value.number_format = SETTINGS_FORMATS.get(ws.cell(row=r, column=1).value, "@")
        value.alignment = Alignment(horizontal="left", vertical="top")  # numbers too: next to the note
        ws.cell(row=r, column=1).alignment = Alignment(vertical="top")
        ws.cell(row=r, column=3).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = 15 * _lines(rows[r - 1][2], _SETTINGS_NOTE_WIDTH)
    for name, _, _, dropdown in SETTINGS_ROWS:
        if dropdown:
            r = 2 + list(values).index(name)
            dv = _list_validation(dropdown, notes[name], strict=name != "integration")
            dv.promptTitle = dv.errorTitle = name
            dv.add(f"B{r}")
            ws.add_data_validation(dv)
    name_width = max(20, *(_text_width(name) for name in values))  # lookups_max_age_hours shown whole
    _simple_table(ws, L.SETTINGS_TABLE, rows, widths=(round(name_width), 28, _SETTINGS_NOTE_WIDTH))
    _side_note(ws, "E1", NO_KEY_NOTE, width=48, bold=True)
    _print_setup(ws)
    ws.sheet_properties.tabColor = RESULT_FILL


def _integration_fields_sheet(wb: Workbook, requirements: Iterable[Requirement]) -> None:
    ws = wb.create_sheet(L.INTEGRATION_FIELDS_SHEET)
    rows = [("model", "integration", "field", "type", "description")]
    rows += [(r.model, r.integration, r.field, r.type, r.description) for r in requirements]
    for row in rows:
        ws.append(row)
    for r in range(2, len(rows) + 1):
        for col in range(1, 5):
            ws.cell(row=r, column=col).alignment = Alignment(vertical="top")
        ws.cell(row=r, column=5).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = 15 * _lines(rows[r - 1][4], 60)  # wrapped rows are not grown for us
    _simple_table(ws, L.INTEGRATION_FIELDS_TABLE, rows, widths=(22, 26, 22, 10, 60))
    checks = (
        ("A", "model", _validation("list", formula1='"invoice_payments,invoice_credit_notes"', strict=True,
                                   prompt="Which records need the field: invoice_payments or invoice_credit_notes.",
                                   error="Pick invoice_payments or invoice_credit_notes.")),
        ("B", "integration", _list_validation("IntegrationList", "The platform's code, from the list (the Lookups "
                                              "sheet gives each code's name).")),
        ("D", "type", _validation("list", formula1='"id,text,number,amount,date"', strict=True,
                                  prompt="How the cell is read: id, text, number, amount or date.",
                                  error="Pick id, text, number, amount or date.")),
    )
    for col, title, dv in checks:
        dv.promptTitle = dv.errorTitle = title
        dv.add(f"{col}2:{col}{LAST_ROW}")
        ws.add_data_validation(dv)
    _side_note(ws, "G1", (
        "When a platform needs another raw_data field, a finance team adds a row here "
        "(model, integration, field, type, description; integration is the platform's code, "
        "as on the Lookups sheet). Then add a column headed with that field name to the "
        "Invoice Payments or Credit Note Lines sheet: its values are sent inside raw_data."), width=48)
    _print_setup(ws)
    ws.sheet_properties.tabColor = RAW_FILL


def _lookups_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(L.LOOKUPS_SHEET)
    col = 1
    for name, title, values in LOOKUP_LISTS:
        _heading(ws.cell(row=1, column=col, value=title))
        for r, value in enumerate(values, start=2):
            ws.cell(row=r, column=col, value=value).number_format = "@"
        _define(wb, name, col, 2, 1 + len(values))
        ws.column_dimensions[get_column_letter(col)].width = max(14, len(title) + 4, *(_text_width(v) for v in values))
        col += 1
        if name in LOOKUP_EXPLAINED:
            title, explain = LOOKUP_EXPLAINED[name]
            _heading(ws.cell(row=1, column=col, value=title))
            texts = [explain(v) for v in values]
            for r, text in enumerate(texts, start=2):
                ws.cell(row=r, column=col, value=text)
            ws.column_dimensions[get_column_letter(col)].width = max(14, *(_text_width(t) for t in texts))
            col += 1
    col += 1  # a gap before the live lists
    for live in LIVE_LISTS:
        for part, width in (("id", 14), ("name", 28)):
            _heading(ws.cell(row=1, column=col, value=f"{live}: {part}"), fill="7F7F7F")
            ws.column_dimensions[get_column_letter(col)].width = width
            ws.column_dimensions[get_column_letter(col)].number_format = "@"
            _define(wb, f"Live{live.title().replace('_', '')}{part.title()}s", col, 2, LIVE_LIST_ROWS + 1)
            col += 1
    ws.cell(row=len(CURRENCIES) + 3, column=1,
            value="Grey columns are filled by the refresh command with your company's lists.").font = _font(italic=True)
    ws.freeze_panes = "A2"
    _print_setup(ws)


def _totals_sheet(wb: Workbook) -> None:
    """The Totals sheet: an empty ControlTotals table under its title, filled by Validate,
    Submit and Posted (sheets/totals_view.py), printed landscape on one page."""
    from rootfi_excel.sheets.totals_view import HEADERS, TOTALS_SHEET, TOTALS_TABLE, TOTALS_TITLE

    ws = wb.create_sheet(TOTALS_SHEET)
    ws.cell(row=1, column=1, value=TOTALS_TITLE).font = _font(bold=True)
    for col, (header, width) in enumerate(zip(HEADERS, (18, 12, 40, 18, 9, 60)), start=1):
        _heading(ws.cell(row=2, column=col, value=header))
        ws.column_dimensions[get_column_letter(col)].width = width
    table = Table(displayName=TOTALS_TABLE, ref=f"A2:{get_column_letter(len(HEADERS))}3")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _define(wb: Workbook, name: str, col: int, first: int, last: int) -> None:
    letter = get_column_letter(col)
    ref = f"{quote_sheetname(L.LOOKUPS_SHEET)}!${letter}${first}:${letter}${last}"
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


# ---- Instructions ---------------------------------------------------------------------

_INSTRUCTION_WIDTHS = (5, 26, 58, 28, 24)  # A..E


def _steps() -> list[str]:
    header = ", ".join(L.CREDIT_NOTE_HEADER_FIELDS)
    return [
        "Set up your key once per computer: press Set API key on the RootFi tab (or run "
        "rootfi-excel login). The key is kept in your computer's key store, never in this "
        "workbook, so the workbook can be shared.",
        "Fill in the Settings sheet: company_id and integration (your accounting platform's code, "
        "e.g. MS_DYNAMICS_365 for Microsoft Dynamics 365: the Lookups sheet lists them). "
        "Change date_order if your dates are month-first (MDY), and decimal_separator if you "
        "write 1.234,50.",
        f"Paste (values only) or type your data: one row per payment on '{L.PAYMENTS.sheet}', one "
        f"row per line on '{L.CREDIT_NOTE_LINES.sheet}'. Lines with the same document_number form "
        f"one credit note; its header fields ({header}) must be repeated on every line or left "
        "blank on the lines after the first. Orange columns are raw_data fields that only some "
        "platforms need (see Integration Fields). You may reorder columns or add your own.",
        "Press Validate. Each row gets a status; fix the red rows (the message names the column) "
        "and press Validate again.",
        "Press Submit. Read each row's status, rootfi_id and message (the last column). Rows "
        "already Created are never sent "
        "again, so after fixing Failed rows just press Submit again: only rows that are not "
        "Created are sent. Do not type in the grey result columns.",
        "To close the month, press Posted: the Posted sheet lists the company's payments and credit "
        "notes of the period set by posted_from and posted_to on the Settings sheet (both blank: this "
        "month; only posted_from: to the end of its month), marks the rows of this workbook each came "
        "from, and flags possible duplicates. Nothing is sent. The Totals sheet then shows, by "
        "currency, the period's count and sum in the platform (from this workbook, from elsewhere) "
        "against this workbook's Created rows, and names what makes up any difference.",
        "Before closing the month, tie out the Totals sheet (refreshed by Validate, Submit and "
        "Posted): for each sheet and currency, what was entered, created and not yet created. The "
        "check line is 0 when every row is accounted for; otherwise it lists the rows to look at.",
    ]


# Worksheet functions (rootfi_excel/udfs.py), as text to copy: (formula, what it gives).
UDF_EXAMPLES = (
    ('=ROOTFI_INVOICE("INV-10002")', "The amount still due on invoice INV-10002."),
    ('=ROOTFI_CONTACT(ROOTFI_INVOICE(B2, "contact_id"))',
     "The customer's name of the invoice whose number (or id) is in B2."),
    ('=IF(D2 > ROOTFI_INVOICE(B2), "more than due", "")', "Flags a payment (amount in D2) larger than what is due."),
    ('=ROOTFI_STATUS(A2) & " " & ROOTFI_STATUS(A2, "rootfi_id")',
     "What happened to the document number in A2 sent from this computer: Created, Failed, Pending or "
     "Unknown, and its rootfi_id (#NOT SENT if it never was)."),
)
UDF_NOTE = ("In Excel for Windows with the RootFi add-in, three functions read the lists of the last Refresh lookups "
            "of the company on this workbook's Settings sheet (no request per cell): ROOTFI_CONTACT(id or name, [field]), ROOTFI_INVOICE(number or id, [field]) "
            "and ROOTFI_STATUS(document number, [field]). field is any field of the record (name, currency_id, "
            "contact_id, total_amount, amount_due, due_date, ...; id for the platform id). A text starting "
            "with # (#N/A, #AMBIGUOUS, #NO LOOKUPS, #NO COMPANY) says why there is no value. Copy a formula below into a "
            "cell of your own sheet. Excel for Mac has no such functions.")


def _instructions_sheet(ws: Worksheet, requirements: Iterable[Requirement]) -> None:
    for col, width in enumerate(_INSTRUCTION_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.sheet_view.showGridLines = False
    ws["A1"] = "RootFi for Excel: invoice payments and credit notes"
    ws["A1"].font = _font(bold=True, size=16, color=INPUT_FILL)
    ws["A2"] = f"Template version {L.TEMPLATE_VERSION}. Nothing on this sheet is read by the add-in."
    ws["A2"].font = _font(italic=True, color="595959")

    r = _section(ws, 4, "How to use this workbook")
    for number, text in enumerate(_steps(), start=1):
        ws.cell(row=r, column=1, value=f"{number}.").font = _font(bold=True)
        ws.cell(row=r, column=1).alignment = Alignment(vertical="top")
        _wrapped(ws, r, 2, text, span=4)
        r += 1

    r = _section(ws, r + 1, "The RootFi tab, button by button")
    for _tag, label, text in BUTTON_STEPS:
        cell = ws.cell(row=r, column=2, value=label)
        cell.font, cell.alignment = _font(bold=True), Alignment(vertical="top")
        _wrapped(ws, r, 3, text, span=3)
        r += 1

    r = _section(ws, r + 1, "Status colours")
    for statuses, fill, font in STATUS_COLOURS:
        for status in statuses:
            cell = ws.cell(row=r, column=2, value=status)
            cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
            cell.font, cell.alignment = _font(bold=True, color=font), Alignment(vertical="top")  # beside its text
            _wrapped(ws, r, 3, STATUS_MEANINGS[status], span=3)
            r += 1

    r = _section(ws, r + 1, "Formulas that read your platform (Excel for Windows)")
    _wrapped(ws, r, 2, UDF_NOTE, span=4)
    r += 1
    for formula, gives in UDF_EXAMPLES:
        cell = ws.cell(row=r, column=2, value=formula)
        cell.data_type = "s"  # text to copy, not a formula of this sheet
        cell.font, cell.alignment = _font(bold=True), Alignment(vertical="top")
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=3)
        _wrapped(ws, r, 4, gives, span=2)
        r += 1

    for layout in (L.PAYMENTS, L.CREDIT_NOTE_LINES):
        r = _section(ws, r + 1, f"Columns of the '{layout.sheet}' sheet")
        r = _column_table(ws, r, layout, raw_data_columns(layout, requirements))
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _column_table(ws: Worksheet, r: int, layout: L.TableLayout, raw: dict[str, list[Requirement]]) -> int:
    for col, title in enumerate(("column", "what it means", "required?", "example"), start=2):
        _heading(ws.cell(row=r, column=col, value=title))
    r += 1
    rows = [(c.name, c.title, requirement_text(layout, c.name), EXAMPLES[layout.key].get(c.name, ""))
            for c in layout.columns]
    rows += [(name, reqs[0].description, "Only for " + ", ".join(display_name(q.integration) for q in reqs), "")
             for name, reqs in raw.items()]
    rows += [(name, RESULT_MEANINGS[name], RESULT_NOTE, "") for name in L.RESULT_COLUMNS]
    rows += [(L.ROW_KEY_HEADER, "The row's identity, so each result goes to its own row (a hidden column).",
              ROW_KEY_NOTE, "")]
    for name, meaning, required, example in rows:
        name_cell = ws.cell(row=r, column=2, value=name)
        name_cell.font, name_cell.alignment = _font(bold=True), Alignment(vertical="top")
        for col, text in ((3, meaning), (4, required), (5, example)):
            _wrapped(ws, r, col, text)
        ws.row_dimensions[r].height = 15 * max(_lines(meaning, 58), _lines(required, 28), _lines(example, 24))
        for col in range(2, 6):
            ws.cell(row=r, column=col).border = Border(bottom=_THIN)
        r += 1
    return r


def _section(ws: Worksheet, r: int, title: str) -> int:
    ws.cell(row=r, column=1, value=title).font = _font(bold=True, size=13, color=INPUT_FILL)
    return r + 1


def _wrapped(ws: Worksheet, r: int, col: int, text: str, span: int = 1) -> None:
    """Wrapped text, merged over `span` columns, with a row height that fits it (neither
    Excel nor LibreOffice grows merged rows by itself)."""
    ws.cell(row=r, column=col, value=text).alignment = Alignment(wrap_text=True, vertical="top")
    if span > 1:
        ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=col + span - 1)
        width = sum(_INSTRUCTION_WIDTHS[col - 1: col - 1 + span])
        ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0, 15 * _lines(text, width))


def _lines(text: Any, width: float) -> int:
    """How many lines `text` wraps to in a column `width` characters wide (roughly: a
    width counts digits, and prose averages a little narrower)."""
    return max(1, len(textwrap.wrap(str(text or ""), max(1, int(width * 1.1)))))


def _text_width(text: str) -> float:
    """A column width that shows `text` whole: capitals are wider than the digits a
    width counts."""
    return 2 + sum(1.25 if c.isupper() or c in "MW_" else 1 for c in text)


# ---- Small helpers --------------------------------------------------------------------

def _simple_table(ws: Worksheet, name: str, rows: list[tuple], widths: tuple[int, ...]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
        _heading(ws.cell(row=1, column=col))
    table = Table(displayName=name, ref=f"A1:{get_column_letter(len(rows[0]))}{len(rows)}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"


def _heading(cell, fill: str = INPUT_FILL) -> None:
    cell.font = _font(bold=True, color="FFFFFF")
    cell.fill = PatternFill("solid", start_color=fill, end_color=fill)


def _side_note(ws: Worksheet, at: str, text: str, *, width: int, bold: bool = False) -> None:
    """A note beside a table, merged down enough rows to show it without resizing the
    table's own rows."""
    cell = ws[at]
    cell.value = text
    cell.font = _font(bold=bold, color="9C0006" if bold else "404040")
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions[cell.column_letter].width = width
    rows = _lines(text, width) + 1
    ws.merge_cells(start_row=cell.row, start_column=cell.column, end_row=cell.row + rows - 1, end_column=cell.column)


def _print_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"

