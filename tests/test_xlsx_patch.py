"""Saving only the result cells (workbook/xlsx_patch.py): the file reads back as if openpyxl
had saved it, every other part and row is unchanged byte for byte, and anything out of
the ordinary is saved through openpyxl instead."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, RESULT_COLUMNS
from rootfi_excel.validation.run import validate_workbook, write_validation
from rootfi_excel.workbook import xlsx
from rootfi_excel.workbook.port import ResultUpdate
from rootfi_excel.workbook.template import build_template
from rootfi_excel.workbook.xlsx import DATETIME_FORMAT, XlsxWorkbook
from rootfi_excel.workbook.xlsx_patch import patched
from tests.support.books import PAYMENT_HEADERS, row_of, write_book

PAYMENT = dict(document_number="P-1", invoice_id="INV-1", contact_id="C-1", account_id="1010", amount=100,
               payment_date=dt.datetime(2026, 3, 4), currency_id="USD")
AWKWARD_TEXT = ['=HYPERLINK("http://x","y")', "  spaces both sides  ", 'a <b> & "c" \'d\'', "two\nlines\r\nthree",
                "tab\there", "ünïcödé — €", "+1", "-", "@id"]


def template_book(tmp_path, rows: int = 12):
    payments = [dict(PAYMENT, document_number=f"P-{i}", amount=100 + i) for i in range(rows)]
    if rows > 3:
        payments[3]["amount"] = -5  # an invalid row
    lines = [dict(document_number="CN-1", contact_id="C-1", description="x", quantity=1, unit_amount=10)]
    return build_template(tmp_path / "book.xlsx", payments=payments, credit_note_lines=lines,
                          settings={"company_id": 1001}, workbook_id="the-same-book")


@pytest.fixture
def no_whole_save(monkeypatch):
    """Fail if the workbook were saved through openpyxl instead of by patching."""
    def refuse(book, name):
        raise AssertionError("saved through openpyxl, not by patching the result cells")
    monkeypatch.setattr(xlsx, "_saved", refuse)


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def rows_of(xml: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group() for m in re.finditer(rb'<row r="(\d+)".*?</row>', xml, re.DOTALL)}


def sheet_values(path, **options) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path, **options)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def validate_and_save(path) -> None:
    with XlsxWorkbook.open(path) as workbook:
        write_validation(workbook, validate_workbook(workbook))
        workbook.save()


def test_validate_changes_only_the_result_cells_of_the_template(tmp_path, no_whole_save):
    path = template_book(tmp_path)
    before = parts(path)
    validate_and_save(path)
    after = parts(path)
    assert list(after) == list(before)  # the same parts in the same order
    changed = [name for name in before if after[name] != before[name]]
    assert len(changed) == 2 and all(name.startswith("xl/worksheets/sheet") for name in changed)
    for name in changed:  # in a changed sheet only the result cells differ
        old, new = rows_of(before[name]), rows_of(after[name])
        assert old.keys() == new.keys() and old[b"1"] == new[b"1"]  # headers untouched
        results = b"|".join(re.findall(rb'<c r="([A-Z]+)1"[^>]*><is><t>(?:' + b"|".join(
            c.encode() for c in RESULT_COLUMNS) + rb")</t>", old[b"1"]))
        assert results.count(b"|") == len(RESULT_COLUMNS) - 1
        inputs = re.compile(rb'<c r="(?:' + results + rb')\d+".*?(?:/>|</c>)')
        assert all(inputs.sub(b"", old[row]) == inputs.sub(b"", new[row]) for row in old)
        assert any(old[row] != new[row] for row in old)
        assert before[name].split(b"<sheetData>")[0] == after[name].split(b"<sheetData>")[0]
        assert before[name].split(b"</sheetData>")[1] == after[name].split(b"</sheetData>")[1]
    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    headers = [c.value for c in ws[1]]
    status, message = headers.index("status") + 1, headers.index("message") + 1
    assert [ws.cell(r, status).value for r in range(2, 14)] == ["Valid"] * 3 + ["Invalid"] + ["Valid"] * 8
    assert "amount" in ws.cell(5, message).value and ws.cell(5, status).data_type == "s"
    assert ws.cell(5, status).number_format == "@"  # the cell's style is kept


def test_the_patched_file_reads_as_the_whole_book_save_does(tmp_path, monkeypatch):
    """Everything openpyxl sees: values, tables, validations, names, formatting, comments."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    patched_path, whole_path = template_book(tmp_path / "a"), template_book(tmp_path / "b")
    validate_and_save(patched_path)
    monkeypatch.setattr(xlsx, "patched", lambda *args: None)
    validate_and_save(whole_path)
    assert sheet_values(patched_path) == sheet_values(whole_path)
    mine, theirs = openpyxl.load_workbook(patched_path), openpyxl.load_workbook(whole_path)
    assert set(mine.defined_names) == set(theirs.defined_names)
    for name in mine.sheetnames:
        a, b = mine[name], theirs[name]
        assert {t: a.tables[t].ref for t in a.tables} == {t: b.tables[t].ref for t in b.tables}
        assert [(v.sqref, v.formula1) for v in a.data_validations.dataValidation] == \
               [(v.sqref, v.formula1) for v in b.data_validations.dataValidation]
        assert [str(r.sqref) for r in a.conditional_formatting] == [str(r.sqref) for r in b.conditional_formatting]
        assert [(c.coordinate, c.comment.text) for row in a.iter_rows() for c in row if c.comment] == \
               [(c.coordinate, c.comment.text) for row in b.iter_rows() for c in row if c.comment]
        assert [(c.coordinate, c.number_format) for row in a.iter_rows() for c in row] == \
               [(c.coordinate, c.number_format) for row in b.iter_rows() for c in row]


def test_awkward_text_and_datetimes_read_back_exactly(tmp_path, no_whole_save):
    path = template_book(tmp_path, rows=len(AWKWARD_TEXT))
    when = dt.datetime(2026, 3, 4, 10, 30, tzinfo=dt.timezone.utc)
    with XlsxWorkbook.open(path) as workbook:
        update = ResultUpdate()
        for index, text in enumerate(AWKWARD_TEXT):
            update.set(index, message=text, status="Created", rootfi_id="00123", submitted_at=when)
        update.set(0, message="bad\x00\x07control" + "x" * 40000)  # cleaned and cut as openpyxl would store it
        workbook.write_results(PAYMENTS, update)
        workbook.save()
    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    headers = [c.value for c in ws[1]]
    column = {name: headers.index(name) + 1 for name in RESULT_COLUMNS}
    for index, text in enumerate(AWKWARD_TEXT[1:], start=1):
        cell = ws.cell(2 + index, column["message"])
        assert cell.value == text and cell.data_type == "s"
    assert ws.cell(2, column["message"]).value == "badcontrol" + "x" * (32767 - len("badcontrol"))
    assert ws.cell(3, column["rootfi_id"]).value == "00123"
    stamp = ws.cell(3, column["submitted_at"])
    assert stamp.value == dt.datetime(2026, 3, 4, 10, 30) and stamp.number_format == DATETIME_FORMAT


def test_result_cells_missing_from_a_row_are_added_in_column_order(tmp_path, no_whole_save):
    """Rows written by other programs often leave empty cells out of the XML."""
    rows = [row_of(PAYMENT_HEADERS, **dict(PAYMENT, document_number=f"P-{i}")) for i in range(3)]
    path = write_book(tmp_path / "b.xlsx", payments=(PAYMENT_HEADERS, rows))
    before = parts(path)
    validate_and_save(path)
    values = sheet_values(path)[PAYMENTS.sheet]
    headers = list(values[0])
    assert [row[headers.index("status")] for row in values[1:]] == ["Valid"] * 3
    assert [row[headers.index("document_number")] for row in values[1:]] == ["P-0", "P-1", "P-2"]
    changed = [name for name in before if parts(path)[name] != before[name]]
    assert len(changed) == 1
    xml = parts(path)[changed[0]].decode()
    for row in re.findall(r'<row r="\d+".*?</row>', xml, re.DOTALL):
        columns = [openpyxl.utils.column_index_from_string(c) for c in re.findall(r'<c r="([A-Z]+)\d+"', row)]
        assert columns == sorted(columns)


def test_clearing_results_empties_the_cells(tmp_path, no_whole_save):
    path = template_book(tmp_path, rows=3)
    validate_and_save(path)
    with XlsxWorkbook.open(path) as workbook:
        update = ResultUpdate()
        for index in range(3):
            update.set(index, status=None, message=None)
        workbook.write_results(PAYMENTS, update)
        workbook.save()
    values = sheet_values(path)[PAYMENTS.sheet]
    status = values[0].index("status")
    assert [row[status] for row in values[1:]] == [None] * 3


@pytest.mark.parametrize("case", ["formula in a result cell", "date for a text cell", "table extended",
                                  "namespace prefix", "row without its number"])
def test_what_the_patch_does_not_handle_is_saved_whole(tmp_path, case):
    """Each of these falls back to openpyxl's whole-book save, which still writes the results."""
    path = template_book(tmp_path, rows=3)
    book = openpyxl.load_workbook(path)
    ws = book[PAYMENTS.sheet]
    headers = [c.value for c in ws[1]]
    status, stamp = headers.index("status") + 1, headers.index("submitted_at") + 1
    if case == "formula in a result cell":
        ws.cell(2, status).value = '="Old"'
    elif case == "date for a text cell":
        ws.cell(2, stamp).number_format = "@"
    elif case == "table extended":
        ws.append(["P-9", "INV-9", "C-1", "1010", 5, dt.datetime(2026, 3, 4), None, "USD"])
    book.save(path)
    if case in ("namespace prefix", "row without its number"):
        edit_sheet(path, PAYMENTS.sheet, case)
    source = path.read_bytes()
    with XlsxWorkbook.open(path) as workbook:
        update = ResultUpdate()
        update.set(0, status="Created", submitted_at=dt.datetime(2026, 3, 4, 10, 30))
        workbook.write_results(PAYMENTS, update)
        assert workbook._patched() is None, "should not be patched"
        if case == "table extended":
            assert workbook._written and source  # the extension alone is what stops patching
        workbook.save()
    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    assert ws.cell(2, status).value == "Created"
    assert ws.cell(2, stamp).value == dt.datetime(2026, 3, 4, 10, 30)


def edit_sheet(path, title, case):
    with zipfile.ZipFile(path) as package:
        contents = {info.filename: package.read(info) for info in package.infolist()}
    book = openpyxl.load_workbook(path)
    index = book.sheetnames.index(title) + 1
    part = f"xl/worksheets/sheet{index}.xml"
    xml = contents[part]
    if case == "namespace prefix":
        xml = re.sub(rb"<(/?)(?=[a-zA-Z])(?!x:)", rb"<\1x:", xml)
        xml = xml.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="', 1)
    else:
        xml = xml.replace(b'<row r="3"', b"<row", 1)
    contents[part] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in contents.items():
            package.writestr(name, data)


def test_a_macro_workbook_keeps_its_vba_project(tmp_path, no_whole_save):
    source = template_book(tmp_path, rows=2).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as package, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in package.infolist():
            out.writestr(info, package.read(info))
        out.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really a VBA project")
    path = tmp_path / "book.xlsm"
    path.write_bytes(buffer.getvalue())
    validate_and_save(path)
    assert parts(path)["xl/vbaProject.bin"] == b"\xd0\xcf\x11\xe0 not really a VBA project"


def test_patched_names_its_sheets_through_the_package_relationships(tmp_path):
    path = template_book(tmp_path, rows=2)
    out = patched(path.read_bytes(), {CREDIT_NOTE_LINES.sheet: {(2, 1): "changed"}}, DATETIME_FORMAT)
    book = openpyxl.load_workbook(io.BytesIO(out))
    assert book[CREDIT_NOTE_LINES.sheet]["A2"].value == "changed"
    assert book[PAYMENTS.sheet]["A2"].value == "P-0"
    assert patched(b"not a zip", {PAYMENTS.sheet: {(2, 1): "x"}}, DATETIME_FORMAT) is None


@pytest.mark.filterwarnings("ignore:Print area cannot be set")  # openpyxl on LibreOffice's print areas
def test_a_workbook_saved_by_another_program_is_patched_in_place(tmp_path, no_whole_save):
    """Shared strings, calculated formula values, empty result cells left out of the XML."""
    path = tmp_path / "book.xlsx"
    path.write_bytes((Path(__file__).parent / "fixtures" / "workbooks" / "saved-by-libreoffice.xlsx").read_bytes())
    before = parts(path)
    with XlsxWorkbook.open(path) as workbook:
        report = validate_workbook(workbook)
        write_validation(workbook, report)
        workbook.save()
    assert not report.sheets[PAYMENTS.key].count("Invalid")  # the formula's calculated amount (102) was read
    after = parts(path)
    assert [name for name in before if after[name] != before[name]] == ["xl/worksheets/sheet2.xml"]
    values = sheet_values(path)[PAYMENTS.sheet]
    status = values[0].index("status")
    assert [row[status] for row in values[1:7]] == ["Valid"] * 6
    assert openpyxl.load_workbook(path)[PAYMENTS.sheet]["E4"].value == "=40+62"
