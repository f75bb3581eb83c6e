"""The .xlsx adapter: reads tables as openpyxl gives them, writes only result cells."""

from __future__ import annotations

import datetime as dt
import os

import openpyxl
import pytest

from rootfi_excel.errors import WorkbookError
from rootfi_excel.sheets.layout import PAYMENTS, RESULT_COLUMNS, ROW_KEY_HEADER
from rootfi_excel.validation.workbook_validation import validate_workbook
from rootfi_excel.sheets.port import ResultUpdate, UncalculatedFormula
from rootfi_excel.workbook.xlsx import XlsxWorkbook
from tests.support.books import PAYMENT_HEADERS, row_of, write_book

GOOD = dict(document_number="P-1", invoice_id="INV-1", amount=100, payment_date=dt.datetime(2026, 3, 4))


def book(tmp_path, rows=None, headers=PAYMENT_HEADERS):
    return write_book(tmp_path / "b.xlsx", payments=(headers, rows or [row_of(PAYMENT_HEADERS, **GOOD)]))


def test_reads_the_table_values_as_openpyxl_gives_them(tmp_path):
    table = XlsxWorkbook.open(book(tmp_path)).read_table(PAYMENTS)
    assert table.headers == PAYMENT_HEADERS + list(RESULT_COLUMNS) + [ROW_KEY_HEADER]
    assert table.first_row == 2
    row = dict(zip(table.headers, table.rows[0]))
    assert row["amount"] == 100 and row["payment_date"] == dt.datetime(2026, 3, 4)


def test_result_text_that_looks_like_a_formula_stays_text(tmp_path):
    path = book(tmp_path)
    workbook = XlsxWorkbook.open(path)
    update = ResultUpdate()
    update.set(0, message='=HYPERLINK("http://x","y")', status="+1", platform_id="@id", sync_id="-s",
               submitted_at=dt.datetime(2026, 3, 4, 10, 30, tzinfo=dt.timezone.utc))
    workbook.write_results(PAYMENTS, update)
    workbook.save()
    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    row = {ws.cell(1, c).value: ws.cell(2, c) for c in range(1, ws.max_column + 1)}
    assert row["message"].value == '=HYPERLINK("http://x","y")' and row["message"].data_type == "s"
    assert {row[n].data_type for n in ("status", "platform_id", "sync_id")} == {"s"}
    assert row["submitted_at"].value == dt.datetime(2026, 3, 4, 10, 30)


def test_formulas_elsewhere_survive_and_formula_cells_in_a_table_are_noticed(tmp_path):
    path = book(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    ws["E2"] = "=40+60"  # the amount is a formula that Excel never calculated (no cached value)
    ws["Z5"] = "=SUM(E:E)"
    wb.save(path)
    workbook = XlsxWorkbook.open(path)
    table = workbook.read_table(PAYMENTS)
    assert dict(zip(table.headers, table.rows[0]))["amount"] == UncalculatedFormula("=40+60")
    assert workbook.formula_without_value == [f"{PAYMENTS.sheet}!E2"]
    [result] = validate_workbook(workbook).sheets[PAYMENTS.key].results.values()
    assert "amount: holds the formula =40+60 but no calculated value" in result.message
    workbook.save()
    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    assert ws["E2"].value == "=40+60" and ws["Z5"].value == "=SUM(E:E)"


def test_without_an_excel_table_the_sheet_itself_is_read(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = PAYMENTS.sheet
    ws.append([])
    ws.append(PAYMENT_HEADERS + list(RESULT_COLUMNS))
    ws.append(row_of(PAYMENT_HEADERS, **GOOD))
    wb.save(tmp_path / "plain.xlsx")
    workbook = XlsxWorkbook.open(tmp_path / "plain.xlsx")
    table = workbook.read_table(PAYMENTS)
    assert table.first_row == 3 and table.rows[0][0] == "P-1"
    update = ResultUpdate()
    update.set(0, status="Valid")
    workbook.write_results(PAYMENTS, update)
    workbook.save()
    assert openpyxl.load_workbook(tmp_path / "plain.xlsx")[PAYMENTS.sheet].cell(3, len(PAYMENT_HEADERS) + 1).value == "Valid"


def test_missing_sheet_column_or_file_problems_are_workbook_errors(tmp_path):
    wb = openpyxl.load_workbook(book(tmp_path))
    del wb[PAYMENTS.sheet]
    wb.save(tmp_path / "no-payments.xlsx")
    workbook = XlsxWorkbook.open(tmp_path / "no-payments.xlsx")
    with pytest.raises(WorkbookError, match="no sheet named 'Invoice Payments'"):
        workbook.read_table(PAYMENTS)
    update = ResultUpdate()
    update.set(0, nonsense="x")
    with pytest.raises(WorkbookError, match="no 'nonsense' column"):
        XlsxWorkbook.open(book(tmp_path)).write_results(PAYMENTS, update)
    (tmp_path / "not.xlsx").write_text("hello")
    with pytest.raises(WorkbookError, match="not an Excel workbook"):
        XlsxWorkbook.open(tmp_path / "not.xlsx")


def test_saving_is_atomic_and_a_locked_file_says_so(tmp_path, monkeypatch):
    path = book(tmp_path)
    before = path.read_bytes()
    workbook = XlsxWorkbook.open(path)

    def locked(source, target):
        raise PermissionError(target)

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(WorkbookError, match="open in another program"):
        workbook.save()
    assert path.read_bytes() == before  # untouched
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == [path.name]  # no temporary left behind


# ---- The real template: what a write + save must leave alone ---------------------------

def template_book(tmp_path, suffix=".xlsx"):
    from rootfi_excel.workbook.template import build_template

    rows = [dict(GOOD, document_number=f"P-{i}") for i in range(3)]
    return build_template(tmp_path / f"t{suffix}", payments=rows, settings={"company_id": 1001})


def snapshot(path):
    """Everything of a workbook that a result write must not change, except result cells."""
    wb = openpyxl.load_workbook(path)
    found = {"sheets": wb.sheetnames, "names": sorted(wb.defined_names.keys())}
    for ws in wb.worksheets:
        found[ws.title] = {
            "tables": dict(ws.tables.items()),  # name -> ref
            "validations": sorted(f"{dv.sqref} {dv.type} {dv.formula1}" for dv in ws.data_validations.dataValidation),
            "conditional": sorted(f"{r.sqref} {[x.formula for x in r.rules]}" for r in ws.conditional_formatting),
            "formats": [[c.number_format for c in row] for row in ws.iter_rows(max_row=5)],
            "freeze": ws.freeze_panes,
        }
    return found


def test_write_and_save_keep_tables_validations_colours_formats_and_other_sheets(tmp_path):
    path = template_book(tmp_path)
    before = snapshot(path)
    workbook = XlsxWorkbook.open(path)
    update = ResultUpdate()
    for index in range(3):
        update.set(index, status="Created", rootfi_id=4000 + index, message=None)
    workbook.write_results(PAYMENTS, update)
    workbook.save()
    assert snapshot(path) == before
    table = XlsxWorkbook.open(path).read_table(PAYMENTS)
    rows = [dict(zip(table.headers, r)) for r in table.rows]
    assert [(r["document_number"], r["status"], r["rootfi_id"]) for r in rows] == [
        ("P-0", "Created", 4000), ("P-1", "Created", 4001), ("P-2", "Created", 4002)]


def test_reordered_columns_aliases_and_extra_user_columns(tmp_path):
    headers = ["My notes", "Result", "amount", "Document Number", "invoice_id", "Payment Date", "Errors"]
    path = write_book(tmp_path / "b.xlsx", payments=(headers, [["keep me", None, 5, "P-9", "I-9", None, None]]))
    workbook = XlsxWorkbook.open(path)
    update = ResultUpdate()
    update.set(0, status="Invalid", message="payment_date: is required")
    workbook.write_results(PAYMENTS, update)
    workbook.save()
    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    row = {ws.cell(1, c).value: ws.cell(2, c).value for c in range(1, ws.max_column + 1)}
    assert row["My notes"] == "keep me" and row["amount"] == 5 and row["Document Number"] == "P-9"
    assert row["Result"] == "Invalid" and row["Errors"] == "payment_date: is required"
    assert row["status"] is None and row["message"] is None  # the first matching column wins


def test_error_cells_blank_rows_inside_the_table_and_nothing_past_its_ref(tmp_path):
    rows = [row_of(PAYMENT_HEADERS, **GOOD), [None] * len(PAYMENT_HEADERS), [None] * len(PAYMENT_HEADERS)]
    path = book(tmp_path, rows)
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    ws["B2"] = "#N/A"
    ws["B2"].data_type = "e"  # an error cell, as Excel stores it
    ws.cell(6, 1, "a note under the table after a blank row, not a row")  # the table ends at row 4
    wb.save(path)
    table = XlsxWorkbook.open(path).read_table(PAYMENTS)
    assert len(table.rows) == 3  # the two blank rows inside the table are kept, the note is not read
    assert table.rows[0][1] == "#N/A"


def test_control_characters_and_huge_text_from_the_api_are_written_safely(tmp_path):
    path = book(tmp_path)
    workbook = XlsxWorkbook.open(path)
    update = ResultUpdate()
    update.set(0, status="Failed", message="bad\x00\x07 input " + "x" * 40000)
    workbook.write_results(PAYMENTS, update)
    workbook.save()
    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    message = next(ws.cell(2, c).value for c in range(1, ws.max_column + 1) if ws.cell(1, c).value == "message")
    assert message.startswith("bad input ") and len(message) == 32767


def test_rows_outside_the_table_are_refused(tmp_path):
    workbook = XlsxWorkbook.open(book(tmp_path))
    update = ResultUpdate()
    update.set(5, status="Valid")
    with pytest.raises(WorkbookError, match="outside the table"):
        workbook.write_results(PAYMENTS, update)


def test_a_macro_workbook_keeps_its_vba_project(tmp_path):
    import zipfile

    path = template_book(tmp_path, ".xlsm")
    vba = b"not a real VBA project, but bytes that must come back unchanged"
    # openpyxl cannot write VBA: add a vbaProject.bin part the way Excel stores it.
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/vbaProject.bin"] = vba
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdVba" Target="vbaProject.bin" '
        b'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"/></Relationships>')
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)

    workbook = XlsxWorkbook.open(path)
    update = ResultUpdate()
    update.set(0, status="Valid")
    workbook.write_results(PAYMENTS, update)
    workbook.save()
    with zipfile.ZipFile(path) as saved:
        assert saved.read("xl/vbaProject.bin") == vba
        assert b"vbaProject" in saved.read("xl/_rels/workbook.xml.rels")
    table = XlsxWorkbook.open(path).read_table(PAYMENTS)
    assert table.rows[0][table.headers.index("status")] == "Valid"
