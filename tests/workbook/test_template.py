"""The workbook template: what the builder writes, and that the shipped file is its output."""

from __future__ import annotations

import csv
import inspect
import importlib.util
from importlib import resources
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, quote_sheetname

from rootfi_excel.sheets import layout as L
from rootfi_excel.workbook.template import build_template
from tests.support.paths import SHIPPED_TEMPLATE

SHIPPED = SHIPPED_TEMPLATE


def describe(path: Path) -> dict:
    """What matters of a workbook, to compare two of them."""
    wb = openpyxl.load_workbook(path)
    found = {"sheets": wb.sheetnames, "names": sorted(wb.defined_names.keys())}
    for ws in wb.worksheets:
        found[ws.title] = {
            "tables": dict(ws.tables.items()),
            "cells": [[c.value for c in row] for row in ws.iter_rows(max_row=60)],
            "validations": sorted(str(dv.sqref) + str(dv.formula1) for dv in ws.data_validations.dataValidation),
            "formats": sorted(str(r.sqref) for r in ws.conditional_formatting),
        }
    return found


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    return build_template(tmp_path_factory.mktemp("template") / "fresh.xlsx")


def test_the_shipped_template_is_what_the_script_builds(tmp_path):
    built = build_template(tmp_path / "built.xlsx", workbook_id="")  # as build_template.py builds it
    assert describe(SHIPPED) == describe(built), "rebuild it: python workbook_templates/build_template.py"


def _workbook_id(path: Path):
    rows = openpyxl.load_workbook(path)[L.SETTINGS_SHEET].iter_rows(min_row=2, values_only=True)
    return {r[0]: r[1] for r in rows if r[0]}[L.WORKBOOK_ID]


def test_each_workbook_built_gets_its_own_id_and_the_shipped_template_leaves_it_to_each_copy(fresh, tmp_path):
    other = build_template(tmp_path / "other.xlsx")
    first, second = _workbook_id(fresh), _workbook_id(other)
    assert first and second and first != second and len(first) >= 20
    assert _workbook_id(SHIPPED) is None  # each copy of the shipped file makes its own on first use


def test_the_hidden_row_key_column_is_at_the_tables_right_edge_headed_not_to_be_touched(fresh):
    wb = openpyxl.load_workbook(fresh)
    for layout in (L.PAYMENTS, L.CREDIT_NOTE_LINES):
        ws = wb[layout.sheet]
        headers = _headers(ws)
        assert headers[-1] == L.ROW_KEY_HEADER and "do not edit" in L.ROW_KEY_HEADER
        letter = get_column_letter(len(headers))
        assert ws.column_dimensions[letter].hidden
        assert ws.tables[layout.table].ref.split(":")[1].startswith(letter)  # inside the table: it moves with rows
        assert ws[f"{letter}2"].number_format == "@"
        assert "Do not type" in ws[f"{letter}1"].comment.text


def test_data_sheets_are_tables_with_api_field_headers_raw_data_and_result_columns(fresh):
    wb = openpyxl.load_workbook(fresh)
    for layout, raw in ((L.PAYMENTS, ["payment_journal_id", "arr_account_id"]), (L.CREDIT_NOTE_LINES, ["currency_rate"])):
        ws = wb[layout.sheet]
        assert layout.table in ws.tables
        headers = [c.value for c in ws[1]]
        assert headers == [c.name for c in layout.columns] + raw + list(L.RESULT_COLUMNS) + [L.ROW_KEY_HEADER]
        assert ws.freeze_panes == "A2"
        status = openpyxl.utils.get_column_letter(headers.index("status") + 1)
        rules = [r.formula[0] for rules in ws.conditional_formatting._cf_rules.values() for r in rules]
        for state in (L.Status.CREATED, L.Status.VALID, L.Status.INVALID, L.Status.FAILED, L.Status.PENDING,
                      L.Status.UNKNOWN, L.Status.SKIPPED):
            assert any(f'${status}2="{state}"' in rule for rule in rules), state


def test_formats_and_dropdowns(fresh):
    wb = openpyxl.load_workbook(fresh)
    ws = wb[L.PAYMENTS.sheet]
    headers = [c.value for c in ws[1]]
    cell = {h: ws.cell(2, i + 1) for i, h in enumerate(headers)}
    assert cell["invoice_id"].number_format == "@"  # long ids stay text, never 1.2E+15
    assert cell["amount"].number_format == "#,##0.00"
    assert cell["payment_date"].number_format == "yyyy-mm-dd"
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert {"=PaymentModeList", "=CurrencyList"} <= lists
    assert {"IntegrationList", "PaymentModeList", "CurrencyList", "DateOrderList"} <= set(wb.defined_names.keys())


def test_settings_hold_no_key_and_integration_fields_come_from_the_packaged_csv(fresh):
    wb = openpyxl.load_workbook(fresh)
    settings = {r[0]: r[1] for r in wb[L.SETTINGS_SHEET].iter_rows(min_row=2, values_only=True) if r[0]}
    assert {"company_id", "integration", "environment", "base_url", "key_profile", "date_order",
            "decimal_separator", "time_zone", "batch_size", "template_version"} <= set(settings)
    assert not any("api_key" in str(name) or "password" in str(name) for name in settings)
    assert settings["template_version"] == L.TEMPLATE_VERSION
    rows = [list(r) for r in wb[L.INTEGRATION_FIELDS_SHEET].iter_rows(min_row=2, max_col=5, values_only=True) if r[0]]
    text = resources.files("rootfi_excel.fields").joinpath("integration_requirements.csv").read_text()
    expected = [[r["model"], r["integration"], r["field"], r["type"], r["description"]]
                for r in csv.DictReader(text.splitlines())]
    assert rows == expected


def test_instructions_come_first_and_explain_every_column(fresh):
    wb = openpyxl.load_workbook(fresh)
    assert wb.sheetnames[0] == L.INSTRUCTIONS_SHEET
    text = " ".join(str(c) for row in wb[L.INSTRUCTIONS_SHEET].iter_rows(values_only=True) for c in row if c)
    for column in (*L.PAYMENTS.columns, *L.CREDIT_NOTE_LINES.columns):
        assert column.name in text
    assert "Validate" in text and "Submit" in text and "key" in text


def test_data_rows_grow_the_tables(tmp_path):
    rows = [{"document_number": f"P-{i}", "invoice_id": str(i), "amount": 5.0} for i in range(30)]
    path = build_template(tmp_path / "filled.xlsx", payments=rows, settings={"company_id": 1001})
    wb = openpyxl.load_workbook(path)
    assert wb[L.PAYMENTS.sheet].tables[L.PAYMENTS.table].ref.endswith("31")
    assert wb[L.PAYMENTS.sheet]["A31"].value == "P-29"
    settings = {r[0]: r[1] for r in wb[L.SETTINGS_SHEET].iter_rows(min_row=2, values_only=True) if r[0]}
    assert settings["company_id"] == 1001


def _render_script():
    spec = importlib.util.spec_from_file_location("render", SHIPPED.with_name("render.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The visual check needs LibreOffice and poppler, which CI does not install (they are large).
@pytest.mark.slow
@pytest.mark.skipif(bool(_render_script().missing_tools()),
                    reason="LibreOffice or pdftoppm is not installed (apt-get install libreoffice-calc poppler-utils)")
def test_the_render_script_draws_every_sheet_of_the_template(fresh, tmp_path):
    views = _render_script().render(fresh, tmp_path)
    sheets = len(openpyxl.load_workbook(fresh).sheetnames)
    for view, pngs in views.items():
        assert len(pngs) >= sheets, view  # at least a page per sheet
        assert all(png.stat().st_size > 5_000 for png in pngs), view


def test_header_notes_validations_names_and_properties(fresh):
    wb = openpyxl.load_workbook(fresh)
    ws = wb[L.PAYMENTS.sheet]
    headers = {c.value: c for c in ws[1]}
    assert "Microsoft Dynamics 365" in headers["payment_journal_id"].comment.text  # raw_data: who needs it
    assert "do not type here" in headers["status"].comment.text
    assert ws.cell(2, list(headers).index("rootfi_id") + 1).number_format == "@"  # ids are text
    checks = {(dv.type, dv.operator, dv.formula1): str(dv.sqref) for dv in ws.data_validations.dataValidation}
    amount = openpyxl.utils.get_column_letter(list(headers).index("amount") + 1)
    assert checks[("decimal", "greaterThan", "0")].startswith(f"{amount}2:")  # amount above zero
    assert ("date", "greaterThan", "0") in checks
    payment_mode = next(dv for dv in ws.data_validations.dataValidation if dv.formula1 == "=PaymentModeList")
    assert payment_mode.errorStyle == "warning"  # free text: other values allowed
    for name in ("IntegrationList", "PaymentModeList", "CurrencyList", "EnvironmentList", "DateOrderList",
                 "DecimalSeparatorList", "LiveContactsIds"):
        assert wb.defined_names[name].attr_text.startswith(quote_sheetname(L.LOOKUPS_SHEET) + "!$"), name
    assert wb[L.SETTINGS_SHEET].tables[L.SETTINGS_TABLE].ref.startswith("A1:C")
    assert wb[L.INTEGRATION_FIELDS_SHEET].tables[L.INTEGRATION_FIELDS_TABLE].ref == "A1:E5"
    assert {p.name: p.value for p in wb.custom_doc_props}["RootFiTemplateVersion"] == L.TEMPLATE_VERSION
    assert wb.sheetnames[-1] == L.LOOKUPS_SHEET


def test_credit_note_lines_table_and_the_empty_row_to_type_into(fresh):
    ws = openpyxl.load_workbook(fresh)[L.CREDIT_NOTE_LINES.sheet]
    assert ws.tables[L.CREDIT_NOTE_LINES.table].ref == f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}2"
    assert all(c.value is None for c in ws[2])
    headers = [c.value for c in ws[1]]
    assert ws.cell(2, headers.index("posted_date") + 1).number_format == "yyyy-mm-dd"
    assert ws.cell(2, headers.index("unit_amount") + 1).number_format == "#,##0.00"


# ---- Result columns a person can read ----------------------------------------------------

def _headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def test_result_columns_read_apart_and_the_message_comes_last(fresh):
    wb = openpyxl.load_workbook(fresh)
    for layout in (L.PAYMENTS, L.CREDIT_NOTE_LINES):
        ws = wb[layout.sheet]
        headers = _headers(ws)
        # The last column a person sees (the hidden row key comes after it): a long reason has room.
        assert headers[-2] == L.MESSAGE and headers[-1] == L.ROW_KEY_HEADER
        assert headers[-len(L.RESULT_COLUMNS) - 1] == L.STATUS
        for name in L.RESULT_COLUMNS:
            letter = get_column_letter(headers.index(name) + 1)
            for style in (ws[f"{letter}2"], ws.column_dimensions[letter]):  # the row written, and rows to come
                assert style.alignment.horizontal == "left", name  # ids never run into the next id
                assert not style.alignment.wrap_text, name  # a wrapped cell one line high shows one line
        rootfi, platform = (headers.index(n) + 1 for n in (L.ROOTFI_ID, L.PLATFORM_ID))
        assert ws.cell(2, rootfi).number_format == "@"  # ids are text: every digit, never 1.2E+15
        assert ws.cell(2, platform).number_format == "@"
        width = {name: ws.column_dimensions[get_column_letter(headers.index(name) + 1)].width
                 for name in L.RESULT_COLUMNS}
        assert width[L.SYNC_ID] >= 17 and width[L.SUBMITTED_AT] >= len("2026-01-31 23:59") + 1
        # A visible edge where the result columns start: header, first row and the column style.
        status = get_column_letter(headers.index(L.STATUS) + 1)
        for style in (ws[f"{status}1"], ws[f"{status}2"], ws.column_dimensions[status]):
            assert style.border.left.style == "medium"


def test_readers_find_result_columns_by_name_whatever_their_order(tmp_path):
    from rootfi_excel.validation.workbook_validation import validate_workbook, write_validation
    from rootfi_excel.workbook.xlsx import XlsxWorkbook
    from tests.support.books import PAYMENT_HEADERS, row_of, write_book

    old_order = [L.STATUS, L.MESSAGE, L.ROOTFI_ID, L.PLATFORM_ID, L.SYNC_ID, L.SUBMITTED_AT]  # template 1.0
    headers = PAYMENT_HEADERS + old_order
    bad = row_of(headers, document_number="P-1", invoice_id="7", amount=-1.0, payment_date="2026-03-01")
    path = write_book(tmp_path / "old.xlsx", payments=(headers, [bad]))
    workbook = XlsxWorkbook.open(path)
    write_validation(workbook, validate_workbook(workbook))
    workbook.save()
    row = dict(zip(headers, next(openpyxl.load_workbook(path)[L.PAYMENTS.sheet].iter_rows(min_row=2, values_only=True))))
    assert row[L.STATUS] == L.Status.INVALID and row[L.MESSAGE].startswith("amount:") and row[L.ROOTFI_ID] is None


# ---- Formats, colours and checks reach the whole table ------------------------------------

def test_formats_colours_and_checks_reach_every_row_a_table_can_grow_to(fresh):
    wb = openpyxl.load_workbook(fresh)
    for layout in (L.PAYMENTS, L.CREDIT_NOTE_LINES):
        ws = wb[layout.sheet]
        headers = _headers(ws)
        ranges = [str(r.sqref) for r in ws.conditional_formatting]
        assert ranges == [f"A2:{get_column_letter(len(headers))}1048576"]
        for dv in ws.data_validations.dataValidation:
            assert str(dv.sqref).endswith("1048576"), dv.sqref
        for name in headers:  # every column keeps its format below the rows written
            letter = get_column_letter(headers.index(name) + 1)
            assert ws.column_dimensions[letter].number_format == ws[f"{letter}2"].number_format, name
    for dv in wb[L.INTEGRATION_FIELDS_SHEET].data_validations.dataValidation:
        assert str(dv.sqref).endswith("1048576"), dv.sqref


def test_every_check_shows_its_input_message_and_its_alert_within_excels_limits(fresh):
    wb = openpyxl.load_workbook(fresh)
    checks = [dv for ws in wb.worksheets for dv in ws.data_validations.dataValidation]
    assert len(checks) >= 12
    for dv in checks:
        assert dv.showInputMessage and dv.showErrorMessage, dv.sqref
        assert dv.prompt and dv.promptTitle and dv.error and dv.errorTitle, dv.sqref
        # Excel refuses to open a file whose messages are longer than these.
        assert len(dv.promptTitle) <= 32 and len(dv.errorTitle) <= 32, dv.sqref
        assert len(dv.prompt) <= 255 and len(dv.error) <= 225, dv.sqref
    data = [dv for name in (L.PAYMENTS.sheet, L.CREDIT_NOTE_LINES.sheet) for dv in wb[name].data_validations.dataValidation]
    assert {dv.errorStyle for dv in data} == {"warning"}  # Validate has the last word


def test_one_spelling_of_each_payment_mode():
    from rootfi_excel.workbook.template import PAYMENT_MODES

    assert "Cheque" in PAYMENT_MODES and "Check" not in PAYMENT_MODES
    assert len({m.casefold() for m in PAYMENT_MODES}) == len(PAYMENT_MODES)


def test_data_sheets_print_their_input_columns_landscape_one_page_wide_with_titles(fresh):
    wb = openpyxl.load_workbook(fresh)
    for layout in (L.PAYMENTS, L.CREDIT_NOTE_LINES):
        ws = wb[layout.sheet]
        last_input = get_column_letter(_headers(ws).index(L.STATUS))
        assert ws.print_area == f"'{layout.sheet}'!$A$1:${last_input}$1048576"
        assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.print_title_rows == "$1:$1"


# ---- What the sheets say is what the code does ---------------------------------------------

def _instruction_rows(wb, sheet_title: str) -> dict[str, tuple]:
    """column -> (meaning, required?, example) from the Instructions table of one sheet."""
    rows = list(wb[L.INSTRUCTIONS_SHEET].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == f"Columns of the '{sheet_title}' sheet") + 2
    found = {}
    for row in rows[start:]:
        if not row[1]:
            break
        found[row[1]] = row[2:5]
    return found


def test_instructions_say_what_validate_requires(fresh, tmp_path):
    wb = openpyxl.load_workbook(fresh)
    lines = _instruction_rows(wb, L.CREDIT_NOTE_LINES.sheet)
    assert lines["quantity"][1].startswith("Required on every line")
    assert lines["unit_amount"][1].startswith("Required on every line")
    assert "account_id or item_id" in lines["account_id"][1]
    assert lines["contact_id"][1].startswith("Required once per credit note")
    assert "at least one" not in " ".join(str(v[1]) for v in lines.values())
    payments = _instruction_rows(wb, L.PAYMENTS.sheet)
    assert payments["amount"][1] == "Required, above 0" and payments["memo"][1] == "Optional"
    assert payments["payment_journal_id"][1] == "Only for Microsoft Dynamics 365"

    # ... and Validate does exactly that: a line without a quantity is refused even when
    # another line of the same credit note has one.
    from tests.support.books import LINE_HEADERS, row_of, write_book
    from rootfi_excel.validation.workbook_validation import validate_workbook
    from rootfi_excel.workbook.xlsx import XlsxWorkbook

    first = row_of(LINE_HEADERS, document_number="CN-1", contact_id="C-1", posted_date="2026-03-01",
                   account_id="4000", quantity=1, unit_amount=10.0)
    second = row_of(LINE_HEADERS, document_number="CN-1", account_id="4000", unit_amount=5.0)
    path = write_book(tmp_path / "cn.xlsx", credit_notes=(LINE_HEADERS, [first, second]))
    results = validate_workbook(XlsxWorkbook.open(path)).sheets[L.CREDIT_NOTE_LINES.key].results
    assert results[1].status == L.Status.INVALID and results[1].message.startswith("quantity: is required")


def test_the_settings_notes_say_what_the_settings_do(fresh):
    from rootfi_excel.sheets.settings import SETTING_NOTES, read_settings

    wb = openpyxl.load_workbook(fresh)
    notes = {r[0]: r[2] for r in wb[L.SETTINGS_SHEET].iter_rows(min_row=2, values_only=True) if r[0]}
    assert notes == SETTING_NOTES
    # base_url: used whatever the environment says, not only for custom.
    assert "whatever the environment says" in notes["base_url"]
    settings = read_settings({"environment": "production", "base_url": "https://proxy.example.com/v4/"})
    assert settings.base_url == "https://proxy.example.com/v4" and not settings.problems
    # custom needs a base_url; sandbox is the local sandbox's usual address; the others are RootFi's.
    assert "custom needs a base_url" in notes["environment"] and "http://127.0.0.1:8765/v4" in notes["environment"]
    assert read_settings({"environment": "custom"}).problems
    sandbox = read_settings({"environment": "sandbox"})
    assert not sandbox.problems and sandbox.base_url == "http://127.0.0.1:8765/v4"
    assert not read_settings({"environment": "saudi"}).problems
    # The note on base_url tells the truth: plain http works to this computer, and only there.
    assert "plain http:// only to this computer" in notes["base_url"]
    assert not read_settings({"base_url": "http://127.0.0.1:8765/v4"}).problems
    assert read_settings({"base_url": "http://192.0.2.7/v4"}).problems


def test_platforms_are_named_for_people_and_coded_for_the_program(fresh):
    wb = openpyxl.load_workbook(fresh)
    lookups = wb[L.LOOKUPS_SHEET]
    assert [lookups["A1"].value, lookups["B1"].value] == ["integrations", "platform"]
    pairs = {r[0]: r[1] for r in lookups.iter_rows(min_row=2, max_col=2, values_only=True) if r[0]}
    assert pairs["MS_DYNAMICS_365"] == "Microsoft Dynamics 365"
    assert pairs["SAGE_CLOUD_ACCOUNTING"] == "Sage Business Cloud Accounting"
    from rootfi_excel.workbook.template import INTEGRATIONS

    last = 1 + len(INTEGRATIONS)
    assert wb.defined_names["IntegrationList"].attr_text.endswith(f"$A$2:$A${last}")  # the dropdown offers codes
    notes = " ".join(str(c.comment.text) for ws in (wb[L.PAYMENTS.sheet], wb[L.CREDIT_NOTE_LINES.sheet])
                     for c in ws[1] if c.comment)
    assert "NetSuite" in notes and "Sage Business Cloud Accounting, FreshBooks" in notes
    assert "NETSUITE" not in notes and "FRESH_BOOKS" not in notes


def test_reference_columns_offer_the_company_lists_by_name_once_refreshed(fresh):
    """Invoices picked by number, customers, accounts, items and tax rates by
    name, from the Lookups sheet's live lists (filled by Refresh lookups); an id typed by
    hand is still accepted (a warning, never a stop)."""
    wb = openpyxl.load_workbook(fresh)
    for sheet, columns in ((L.PAYMENTS.sheet, ("invoice_id", "contact_id", "account_id")),
                           (L.CREDIT_NOTE_LINES.sheet, ("contact_id", "account_id", "item_id", "tax_id"))):
        ws = wb[sheet]
        headers = [c.value for c in ws[1]]
        by_list = {dv.formula1: dv for dv in ws.data_validations.dataValidation if dv.type == "list"}
        for name in columns:
            defined = {"invoice_id": "LiveInvoicesNames", "contact_id": "LiveContactsNames",
                       "account_id": "LiveAccountsNames", "item_id": "LiveItemsNames",
                       "tax_id": "LiveTaxRatesNames"}[name]
            dv = by_list[f"={defined}"]
            letter = get_column_letter(headers.index(name) + 1)
            assert str(dv.sqref).startswith(f"{letter}2:{letter}1048576"), (sheet, name, dv.sqref)
            assert dv.showInputMessage and dv.showErrorMessage and dv.errorStyle == "warning"
            assert "Refresh lookups" in dv.prompt and "Refresh lookups" in dv.error
            assert defined in wb.defined_names  # defined in the template, redefined by a refresh


def test_instructions_show_worksheet_functions_to_copy_that_exist(fresh):
    import re

    from rootfi_excel import udfs

    ws = openpyxl.load_workbook(fresh)[L.INSTRUCTIONS_SHEET]
    formulas = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert 3 <= len(formulas) <= 5
    assert all(c.data_type == "s" for c in formulas)  # text to copy, not formulas of the template
    signatures = {f.__name__: f for f in udfs.UDFS}
    used = set()
    for cell in formulas:
        for name, args in re.findall(r"(ROOTFI_\w+)\(((?:[^()]|\([^()]*\))*)\)", cell.value):
            assert name in signatures, name
            count = len(re.findall(r'(?:"[^"]*"|[^,"()]+(?:\([^()]*\))?)+', args))
            parameters = list(inspect.signature(signatures[name]).parameters.values())
            required = sum(p.default is inspect.Parameter.empty for p in parameters)
            assert required <= count <= len(parameters), cell.value
            used.add(name)
    assert used == set(signatures)  # every function has an example
    text = " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "Posted" in text and "posted_from" in text and "posted_to" in text


def test_settings_offer_the_lookups_age_and_the_posted_period(fresh):
    from rootfi_excel.sheets.settings import read_settings

    ws = openpyxl.load_workbook(fresh)[L.SETTINGS_SHEET]
    values = {row[0]: row[1] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]}
    assert values["lookups_max_age_hours"] == 24
    assert values["posted_from"] is None and values["posted_to"] is None
    settings = read_settings(values)
    assert settings.problems == [] and settings.posted_problems == []
    assert settings.lookups_max_age_hours == 24


def test_template_force_stopped_halfway_leaves_the_old_file_whole(tmp_path, monkeypatch):
    """--force writes beside the file and renames it over: a write stopped halfway (Ctrl+C,
    a crash) leaves the old workbook as it was, and no temporary file behind."""
    from click.testing import CliRunner
    from openpyxl.writer.excel import ExcelWriter

    from rootfi_excel.cli.main import cli

    out = tmp_path / "book.xlsx"
    assert CliRunner().invoke(cli, ["template", str(out)]).exit_code == 0
    before = out.read_bytes()

    def stop_halfway(self):
        self._write_images()  # some of the archive is written, then the run is stopped
        raise KeyboardInterrupt

    monkeypatch.setattr(ExcelWriter, "_write_worksheets", stop_halfway)
    stopped = CliRunner().invoke(cli, ["template", str(out), "--force"])
    assert stopped.exit_code != 0
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]
    monkeypatch.undo()
    assert CliRunner().invoke(cli, ["template", str(out), "--force"]).exit_code == 0
    assert openpyxl.load_workbook(out).sheetnames  # a whole workbook again


def test_a_new_template_gets_the_usual_file_permissions(tmp_path):
    """The temporary file is made 0600; a new template is shared by a team, so it is given
    the bits any new file would have, not kept private."""
    import os
    import stat

    if os.name != "posix":
        pytest.skip("POSIX permissions")
    previous = os.umask(0o022)
    try:
        build_template(tmp_path / "new.xlsx")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.xlsx").stat().st_mode) == 0o644
