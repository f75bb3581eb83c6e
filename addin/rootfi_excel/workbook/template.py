"""Build the RootFi invoice-import workbook (the template accountants fill in).

Every sheet, table and column name comes from `sheets.layout`; the raw_data columns and
the Integration Fields rows come from the packaged `fields/integration_requirements.csv`,
so a field a platform needs is added in one place.

Formats, validations and status colours cover FORMATTED_ROWS rows below each header,
not just the table's rows: a pasted block that grows the table keeps them, and status
colours are conditional formats (rules on the status column), never painted cells.
"""

from __future__ import annotations

import textwrap
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

from rootfi_excel.fields.integrations import KNOWN_INTEGRATIONS, Requirement, default_requirements
from rootfi_excel.sheets import layout as L
from rootfi_excel.sheets.settings import DEFAULT_BATCH_SIZE

FORMATTED_ROWS = 2000  # rows below a header that get formats, validations and colours

# Which API model each data sheet writes (the `model` column of integration_requirements.csv).
MODEL_OF = {L.PAYMENTS.key: "invoice_payments", L.CREDIT_NOTE_LINES.key: "invoice_credit_notes"}

DOC_PROPERTY_VERSION = "RootFiTemplateVersion"

# ---- Lookup lists (Lookups sheet); each is a workbook-level defined name ----------------

_COMMON_INTEGRATIONS = (
    "QUICKBOOKS", "XERO", "NETSUITE", "MS_DYNAMICS_365", "SAGE_CLOUD_ACCOUNTING", "FRESH_BOOKS",
    "ZOHO_BOOKS", "MYOB_BUSINESS", "WAVE", "ODOO_ACCOUNTING",
)
INTEGRATIONS = _COMMON_INTEGRATIONS + tuple(i for i in KNOWN_INTEGRATIONS if i not in _COMMON_INTEGRATIONS)
PAYMENT_MODES = ("Cash", "Cheque", "Check", "Bank Transfer", "Credit Card", "Debit Card",
                 "Direct Debit", "ACH", "Wire", "Other")
CURRENCIES = (  # common ones first
    "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "INR", "SAR", "AED", "SGD", "ZAR", "JPY", "CHF",
    "CNY", "HKD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "TRY", "ILS", "QAR", "KWD",
    "BHD", "OMR", "JOD", "EGP", "MAD", "NGN", "KES", "GHS", "MXN", "BRL", "ARS", "CLP", "COP",
    "PEN", "IDR", "MYR", "THB", "PHP", "VND", "KRW", "TWD", "PKR", "BDT", "LKR",
)
ENVIRONMENTS = ("production", "rootfi", "saudi", "sandbox", "custom")
DATE_ORDERS = ("DMY", "MDY", "YMD")
DECIMAL_SEPARATORS = (".", ",")

# (defined name, column title, values)
LOOKUP_LISTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("IntegrationList", "integrations", INTEGRATIONS),
    ("PaymentModeList", "payment modes", PAYMENT_MODES),
    ("CurrencyList", "currencies", CURRENCIES),
    ("EnvironmentList", "environments", ENVIRONMENTS),
    ("DateOrderList", "date orders", DATE_ORDERS),
    ("DecimalSeparatorList", "decimal separators", DECIMAL_SEPARATORS),
)
# Live lists, empty in the template: a refresh command fills the id/name columns below
# the title; the defined name Live<Name>Ids covers the id column.
LIVE_LISTS = ("contacts", "invoices", "accounts", "tax_rates", "items")
LIVE_LIST_ROWS = 5000

# ---- Settings -------------------------------------------------------------------------

# (setting, default value, note, dropdown defined name or None)
SETTINGS_ROWS: tuple[tuple[str, Any, str, str | None], ...] = (
    ("company_id", None, "Your RootFi company id (ask whoever set up RootFi).", None),
    ("integration", None, "Your accounting platform: pick it from the list.", "IntegrationList"),
    ("environment", "production", "Which RootFi server: production unless told otherwise.", "EnvironmentList"),
    ("base_url", None, "Leave blank: taken from environment. Only for environment = custom.", None),
    ("key_profile", "default", "Which saved key to use; 'default' for most people.", None),
    ("date_order", "DMY", "How dates typed as text are read: DMY 31/01/2024, MDY 01/31/2024, YMD 2024-01-31.",
     "DateOrderList"),
    ("decimal_separator", ".", "'.' for 1,234.50 or ',' for 1.234,50 (numbers typed as text).",
     "DecimalSeparatorList"),
    ("time_zone", None, "Blank = this computer's zone, or e.g. Europe/London (for submitted_at).", None),
    ("batch_size", DEFAULT_BATCH_SIZE, "How many records are sent per request.", None),
    ("template_version", L.TEMPLATE_VERSION, "Version of this template: do not change.", None),
)
NO_KEY_NOTE = ("This workbook never holds an API key: each person's key is kept in their own "
               "computer's key store (run rootfi-excel login, or press Login on the RootFi tab).")

# ---- Looks ----------------------------------------------------------------------------

INPUT_FILL, RAW_FILL, RESULT_FILL = "1F4E78", "C55A11", "595959"  # header colours
STATUS_COLOURS: tuple[tuple[tuple[str, ...], str, str], ...] = (  # statuses, fill, font
    ((L.Status.CREATED,), "63BE7B", "000000"),
    ((L.Status.VALID,), "C6EFCE", "006100"),
    ((L.Status.INVALID, L.Status.FAILED), "FFC7CE", "9C0006"),
    ((L.Status.PENDING, L.Status.UNKNOWN), "FFEB9C", "9C5700"),
    ((L.Status.SKIPPED,), "D9D9D9", "404040"),
)
STATUS_MEANINGS = {
    L.Status.VALID: "Passed Validate; not sent yet.",
    L.Status.INVALID: "Failed Validate: the message names the column to fix.",
    L.Status.CREATED: "Created in your platform (rootfi_id filled in). Never sent again.",
    L.Status.FAILED: "Rejected by the platform: fix the row and press Submit again.",
    L.Status.PENDING: "Sent in a bulk job that is still running: press Submit again later.",
    L.Status.UNKNOWN: "Sent, but the answer was lost: the next Submit checks before re-sending.",
    L.Status.SKIPPED: "Not sent, e.g. another line of the same credit note is invalid.",
}
NUMBER_FORMATS = {"amount": "#,##0.00", "number": "General", "date": "yyyy-mm-dd",
                  "id": "@", "id_list": "@", "text": "@"}
RESULT_FORMATS = {L.STATUS: "@", L.MESSAGE: "@", L.ROOTFI_ID: "0", L.PLATFORM_ID: "@",
                  L.SYNC_ID: "@", L.SUBMITTED_AT: "yyyy-mm-dd hh:mm:ss"}
RESULT_WIDTHS = {L.STATUS: 11, L.MESSAGE: 48, L.ROOTFI_ID: 12, L.PLATFORM_ID: 14,
                 L.SYNC_ID: 14, L.SUBMITTED_AT: 19}
RESULT_MEANINGS = {
    L.STATUS: "Row status (see the colours below).",
    L.MESSAGE: "Why the row is not valid or was not created; it names the column to fix.",
    L.ROOTFI_ID: "RootFi's id of the created record.",
    L.PLATFORM_ID: "Your platform's id of the created record.",
    L.SYNC_ID: "Id of the background job of a bulk Submit.",
    L.SUBMITTED_AT: "When the row was sent.",
}
RESULT_NOTE = "Written by Validate/Submit, do not type here."

REQUIRED = {
    L.PAYMENTS.key: {
        "document_number": "Required", "invoice_id": "Required",
        "amount": "Required, above 0", "payment_date": "Required",
    },
    L.CREDIT_NOTE_LINES.key: {
        "document_number": "Required on every line", "contact_id": "Required (first line)",
        "posted_date": "Required (first line)", "quantity": "Required on at least one line",
        "unit_amount": "Required on at least one line",
    },
}
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

_THIN = Side(style="thin", color="BFBFBF")


# ---- Public ---------------------------------------------------------------------------

def build_template(
    path: str | Path,
    *,
    payments: list[dict] | None = None,
    credit_note_lines: list[dict] | None = None,
    settings: dict | None = None,
) -> Path:
    """Write the template to `path` and return it.

    `payments` / `credit_note_lines` are data rows as {column name: value} (the demo fills
    them); without data each table has one empty row. `settings` overrides Settings values.
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
    _settings_sheet(wb, settings or {})
    _integration_fields_sheet(wb, requirements)
    _instructions_sheet(instructions, requirements)
    wb.move_sheet(L.LOOKUPS_SHEET, offset=len(wb.sheetnames))  # Lookups last

    wb.active = 0
    wb.properties.title = "RootFi invoice payments and credit notes"
    wb.properties.creator = "RootFi for Excel"
    wb.custom_doc_props.append(StringProperty(name=DOC_PROPERTY_VERSION, value=L.TEMPLATE_VERSION))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
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
    """Header row of a data sheet: input columns, raw_data columns, result columns."""
    return [c.name for c in layout.columns] + list(raw_columns) + list(L.RESULT_COLUMNS)


# ---- Data sheets ----------------------------------------------------------------------

def _data_sheet(wb: Workbook, layout: L.TableLayout, raw: dict[str, list[Requirement]], rows: list[dict]) -> None:
    ws = wb.create_sheet(layout.sheet)
    headers = sheet_headers(layout, raw)
    unknown = {k for row in rows for k in row} - set(headers)
    if unknown:
        raise ValueError(f"{layout.sheet}: unknown columns {sorted(unknown)}")
    kinds = {c.name: c.kind for c in layout.columns}
    kinds.update({name: reqs[0].type for name, reqs in raw.items()})
    formats = {name: NUMBER_FORMATS.get(kind, "General") for name, kind in kinds.items()} | RESULT_FORMATS
    widths = {c.name: c.width for c in layout.columns} | {n: 18 for n in raw} | RESULT_WIDTHS

    for col, name in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col, value=name)
        if name in raw:
            fill, note = RAW_FILL, _raw_note(name, raw[name])
        elif name in L.RESULT_COLUMNS:
            fill, note = RESULT_FILL, RESULT_NOTE
        else:
            fill, note = INPUT_FILL, f"{layout.column(name).title}. {REQUIRED[layout.key].get(name, 'Optional')}."
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.comment = Comment(note, "RootFi for Excel", width=260, height=90)
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(widths[name], len(name) + 4)  # + filter arrow
        ws.column_dimensions[letter].number_format = formats[name]  # style for newly typed cells

    for r, row in enumerate(rows or [{}], start=2):
        for col, name in enumerate(headers, start=1):
            cell = ws.cell(row=r, column=col, value=row.get(name))
            cell.number_format = formats[name]
    last_row = 1 + max(len(rows), 1)
    last_col = get_column_letter(len(headers))
    table = Table(displayName=layout.table, ref=f"A1:{last_col}{last_row}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"
    ws.sheet_properties.tabColor = INPUT_FILL
    _print_setup(ws)

    end = max(last_row, FORMATTED_ROWS + 1)
    _data_validations(ws, layout, headers, end)
    status_letter = get_column_letter(headers.index(L.STATUS) + 1)
    _status_colours(ws, f"A2:{last_col}{end}", f"${status_letter}2")


def _raw_note(field: str, requirements: list[Requirement]) -> str:
    needed_by = ", ".join(r.integration for r in requirements)
    return (f"raw_data field, needed by {needed_by}: {requirements[0].description} "
            "Leave blank for other platforms.")


def _data_validations(ws: Worksheet, layout: L.TableLayout, headers: list[str], end: int) -> None:
    def column_range(name: str) -> str:
        letter = get_column_letter(headers.index(name) + 1)
        return f"{letter}2:{letter}{end}"

    for column in layout.columns:
        dv = None
        if column.kind == "date":
            dv = DataValidation(type="date", operator="greaterThan", formula1="0",
                                promptTitle=column.name, prompt="A date, e.g. 2024-03-31.",
                                errorTitle="Not a date", error="Type a date, e.g. 2024-03-31.")
        elif column.name == "amount" and layout is L.PAYMENTS:
            dv = DataValidation(type="decimal", operator="greaterThan", formula1="0",
                                errorTitle="Amount", error="The amount paid must be a number above 0.")
        elif column.kind in ("amount", "number"):
            dv = DataValidation(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15",
                                errorTitle=column.name, error="Type a number, e.g. 12.50.")
        elif column.name == "payment_mode":
            dv = _list_validation("PaymentModeList", "Pick from the list or type your own.")
        elif column.name == "currency_id":
            dv = _list_validation("CurrencyList", "Pick a currency or type your platform's currency id.")
        if dv is not None:
            dv.add(column_range(column.name))
            ws.add_data_validation(dv)


def _list_validation(defined_name: str, prompt: str, *, strict: bool = False) -> DataValidation:
    """A dropdown from a Lookups list; unless `strict`, other values are allowed (a warning)."""
    return DataValidation(
        type="list", formula1=f"={defined_name}", allow_blank=True, prompt=prompt,
        errorStyle="stop" if strict else "warning", error="Not in the list." if strict else
        "This value is not in the list. Keep it anyway?",
    )


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
        value.number_format = "@" if ws.cell(row=r, column=1).value != "batch_size" else "0"
        value.alignment = Alignment(horizontal="left", vertical="top")  # numbers too: next to the note
        ws.cell(row=r, column=1).alignment = Alignment(vertical="top")
        ws.cell(row=r, column=3).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = 15 * _lines(rows[r - 1][2], _SETTINGS_NOTE_WIDTH)
    for name, _, _, dropdown in SETTINGS_ROWS:
        if dropdown:
            r = 2 + list(values).index(name)
            dv = _list_validation(dropdown, notes[name], strict=name != "integration")
            dv.add(f"B{r}")
            ws.add_data_validation(dv)
    _simple_table(ws, L.SETTINGS_TABLE, rows, widths=(20, 28, _SETTINGS_NOTE_WIDTH))
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
        ws.cell(row=r, column=5).alignment = Alignment(wrap_text=True, vertical="top")
    _simple_table(ws, L.INTEGRATION_FIELDS_TABLE, rows, widths=(22, 26, 22, 10, 60))
    for formula, col in (('"invoice_payments,invoice_credit_notes"', "A"), ('"id,text,number,amount,date"', "D")):
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.add(f"{col}2:{col}500")
        ws.add_data_validation(dv)
    dv = _list_validation("IntegrationList", "Pick a platform or type its name.")
    dv.add("B2:B500")
    ws.add_data_validation(dv)
    _side_note(ws, "G1", (
        "When a platform needs another raw_data field, a finance team adds a row here "
        "(model, integration, field, type, description). Then add a column headed with "
        "that field name to the Invoice Payments or Credit Note Lines sheet: its values "
        "are sent inside raw_data."), width=48)
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
        ws.column_dimensions[get_column_letter(col)].width = max(14, len(title) + 4, *(len(v) + 2 for v in values))
        col += 1
    col += 1  # a gap before the live lists
    for live in LIVE_LISTS:
        for part, width in (("id", 14), ("name", 28)):
            _heading(ws.cell(row=1, column=col, value=f"{live}: {part}"), fill="7F7F7F")
            ws.column_dimensions[get_column_letter(col)].width = width
            ws.column_dimensions[get_column_letter(col)].number_format = "@"
            if part == "id":
                _define(wb, "Live" + live.title().replace("_", "") + "Ids", col, 2, LIVE_LIST_ROWS + 1)
            col += 1
    ws.cell(row=len(CURRENCIES) + 3, column=1,
            value="Grey columns are filled by the refresh command with your company's lists.").font = Font(italic=True)
    ws.freeze_panes = "A2"
    _print_setup(ws)


def _define(wb: Workbook, name: str, col: int, first: int, last: int) -> None:
    letter = get_column_letter(col)
    ref = f"{quote_sheetname(L.LOOKUPS_SHEET)}!${letter}${first}:${letter}${last}"
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


# ---- Instructions ---------------------------------------------------------------------

_INSTRUCTION_WIDTHS = (5, 26, 58, 28, 24)  # A..E
_TEXT_WIDTH = sum(_INSTRUCTION_WIDTHS[1:])  # steps span B:E


def _steps() -> list[str]:
    header = ", ".join(L.CREDIT_NOTE_HEADER_FIELDS)
    return [
        "Set up your key once per computer: press Login on the RootFi tab (or run "
        "rootfi-excel login). The key is kept in your computer's key store, never in this "
        "workbook, so the workbook can be shared.",
        "Fill in the Settings sheet: company_id and integration (your accounting platform). "
        "Change date_order if your dates are month-first (MDY), and decimal_separator if you "
        "write 1.234,50.",
        f"Paste (values only) or type your data: one row per payment on '{L.PAYMENTS.sheet}', one "
        f"row per line on '{L.CREDIT_NOTE_LINES.sheet}'. Lines with the same document_number form "
        f"one credit note; its header fields ({header}) must be repeated on every line or left "
        "blank on the lines after the first. Orange columns are raw_data fields that only some "
        "platforms need (see Integration Fields). You may reorder columns or add your own.",
        "Press Validate. Each row gets a status; fix the red rows (the message names the column) "
        "and press Validate again.",
        "Press Submit. Read each row's status and rootfi_id. Rows already Created are never sent "
        "again, so after fixing Failed rows just press Submit again: only rows that are not "
        "Created are sent. Do not type in the grey result columns.",
    ]


def _instructions_sheet(ws: Worksheet, requirements: Iterable[Requirement]) -> None:
    for col, width in enumerate(_INSTRUCTION_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.sheet_view.showGridLines = False
    ws["A1"] = "RootFi for Excel: invoice payments and credit notes"
    ws["A1"].font = Font(bold=True, size=16, color=INPUT_FILL)
    ws["A2"] = f"Template version {L.TEMPLATE_VERSION}. Nothing on this sheet is read by the add-in."
    ws["A2"].font = Font(italic=True, color="595959")

    r = _section(ws, 4, "How to use this workbook")
    for number, text in enumerate(_steps(), start=1):
        ws.cell(row=r, column=1, value=f"{number}.").font = Font(bold=True)
        ws.cell(row=r, column=1).alignment = Alignment(vertical="top")
        _wrapped(ws, r, 2, text, span=4)
        r += 1

    r = _section(ws, r + 1, "Status colours")
    for statuses, fill, font in STATUS_COLOURS:
        for status in statuses:
            cell = ws.cell(row=r, column=2, value=status)
            cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
            cell.font = Font(bold=True, color=font)
            _wrapped(ws, r, 3, STATUS_MEANINGS[status], span=3)
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
    rows = [(c.name, c.title, REQUIRED[layout.key].get(c.name, "Optional"), EXAMPLES[layout.key].get(c.name, ""))
            for c in layout.columns]
    rows += [(name, reqs[0].description, "Only for " + ", ".join(q.integration for q in reqs), "")
             for name, reqs in raw.items()]
    rows += [(name, RESULT_MEANINGS[name], RESULT_NOTE, "") for name in L.RESULT_COLUMNS]
    for name, meaning, required, example in rows:
        name_cell = ws.cell(row=r, column=2, value=name)
        name_cell.font, name_cell.alignment = Font(bold=True), Alignment(vertical="top")
        for col, text in ((3, meaning), (4, required), (5, example)):
            _wrapped(ws, r, col, text)
        ws.row_dimensions[r].height = 15 * max(_lines(meaning, 58), _lines(required, 28), _lines(example, 24))
        for col in range(2, 6):
            ws.cell(row=r, column=col).border = Border(bottom=_THIN)
        r += 1
    return r


def _section(ws: Worksheet, r: int, title: str) -> int:
    ws.cell(row=r, column=1, value=title).font = Font(bold=True, size=13, color=INPUT_FILL)
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
    """How many lines `text` wraps to in a column `width` characters wide (roughly)."""
    return max(1, len(textwrap.wrap(str(text or ""), max(1, int(width)))))


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
    cell.font = Font(bold=True, color="FFFFFF")
    cell.fill = PatternFill("solid", start_color=fill, end_color=fill)


def _side_note(ws: Worksheet, at: str, text: str, *, width: int, bold: bool = False) -> None:
    """A note beside a table, merged down enough rows to show it without resizing the
    table's own rows."""
    cell = ws[at]
    cell.value = text
    cell.font = Font(bold=bold, color="9C0006" if bold else "404040")
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions[cell.column_letter].width = width
    rows = _lines(text, width) + 1
    ws.merge_cells(start_row=cell.row, start_column=cell.column, end_row=cell.row + rows - 1, end_column=cell.column)


def _print_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"

