"""The workbook template: what the builder writes, and that the shipped file is its output."""

from __future__ import annotations

import csv
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import quote_sheetname

from rootfi_excel.sheets import layout as L
from rootfi_excel.workbook.template import build_template

SHIPPED = Path(__file__).parents[1] / "workbook_templates" / "RootFi-Invoice-Import.xlsx"


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


def test_the_shipped_template_is_what_the_script_builds(fresh):
    assert describe(SHIPPED) == describe(fresh), "rebuild it: python workbook_templates/build_template.py"


def test_data_sheets_are_tables_with_api_field_headers_raw_data_and_result_columns(fresh):
    wb = openpyxl.load_workbook(fresh)
    for layout, raw in ((L.PAYMENTS, ["payment_journal_id", "arr_account_id"]), (L.CREDIT_NOTE_LINES, ["currency_rate"])):
        ws = wb[layout.sheet]
        assert layout.table in ws.tables
        headers = [c.value for c in ws[1]]
        assert headers == [c.name for c in layout.columns] + raw + list(L.RESULT_COLUMNS)
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


# Optional visual check: needs LibreOffice (CI installs libreoffice-calc only when it is cheap).
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (apt-get install libreoffice-calc)")
def test_libreoffice_opens_and_renders_the_template(fresh, tmp_path):
    result = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(fresh)],
                            capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "fresh.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000, result.stderr


def test_header_notes_validations_names_and_properties(fresh):
    wb = openpyxl.load_workbook(fresh)
    ws = wb[L.PAYMENTS.sheet]
    headers = {c.value: c for c in ws[1]}
    assert "MS_DYNAMICS_365" in headers["payment_journal_id"].comment.text  # raw_data: who needs it
    assert "do not type here" in headers["status"].comment.text
    assert ws.cell(2, list(headers).index("rootfi_id") + 1).number_format == "0"
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
