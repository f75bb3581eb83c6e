"""The Instructions sheet's "The RootFi tab, button by button": what to do with each
ribbon button, in the ribbon's order. Keyed by the button's tag (customUI.xml, ribbon.py);
a test checks every button of the ribbon has its line here and nothing else does."""

from __future__ import annotations

# (tag, label as on the ribbon, what to do / what happens)
BUTTON_STEPS: tuple[tuple[str, str, str], ...] = (
    ("validate", "Validate",
     "Checks every row (hidden and filtered ones too) and writes Valid or Invalid with a message naming the column "
     "to fix. Nothing is sent."),
    ("submit", "Submit",
     "Asks first (how many rows, to which company and platform), then sends the valid rows without a rootfi_id and "
     "writes each row's result. If RootFi is slow to finish, the rows say Pending: press Submit again later."),
    ("validate_selection", "Validate selected rows",
     "Select one or more rows (any cell of a row; Ctrl-click for separate rows), then press it: only those rows are "
     "checked (a credit-note line brings in its whole credit note)."),
    ("submit_selection", "Submit selected rows",
     "Like Submit, for the selected rows only."),
    ("clear_results", "Clear results",
     "Empties status, message and the ids of the selected rows (no selection: every row) after you confirm; a "
     "created row's rootfi_id only after a second question. Your input columns are never touched."),
    ("refresh_lookups", "Refresh lookups",
     "Brings your company's customers, open invoices, accounts, tax rates and items into the Lookups sheet (only "
     "what changed since last time): the dropdowns and Validate then check every reference."),
    ("posted", "Posted",
     "Lists what your platform holds for the period of posted_from and posted_to (Settings; blank = this month) on "
     "the Posted sheet, with the rows of this workbook each came from. Nothing is sent."),
    ("new_workbook", "New workbook",
     "Makes a fresh copy of this template where you choose, with this workbook's Settings (never a key), and opens "
     "it. Works with no workbook open."),
    ("set_api_key", "Set API key",
     "Asks for your RootFi API key in a masked window and keeps it in this computer's key store, never in the "
     "workbook. Once per computer (and per key_profile)."),
    ("check_connection", "Check connection",
     "Shows the company, its platform, whether the connection is healthy and which key was used."),
    ("help", "Help", "Shows this sheet."),
    ("open_log", "Open log",
     "Opens the folder with the log file to send to support when something went wrong (it never holds your key). "
     "Works with no workbook open."),
)
