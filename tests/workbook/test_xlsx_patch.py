"""Saving only what the add-in owns (workbook/xlsx_package.py, xlsx_patch.py, xlsx_styles.py):
the result cells read back as written, every other part and row is unchanged byte for
byte, and the forms openpyxl's whole-book save used to be needed for (a table extended, a
date in a cell without a date format, 1904 dates, a namespace prefix, rows or cells that
leave out their position) are patched too. A result cell that cannot be overwritten is
refused when the table is read, before anything is sent."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest

from rootfi_excel.errors import WorkbookError
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, RESULT_COLUMNS
from rootfi_excel.validation.workbook_validation import validate_workbook, write_validation
from rootfi_excel.sheets.port import ResultUpdate
from rootfi_excel.workbook.template import build_template
from rootfi_excel.workbook.xlsx import DATETIME_FORMAT, XlsxWorkbook
from rootfi_excel.workbook.xlsx_package import Package
from tests.support.books import PAYMENT_HEADERS, row_of, write_book
from tests.support.paths import FIXTURES

PAYMENT = dict(document_number="P-1", invoice_id="INV-1", contact_id="C-1", account_id="1010", amount=100,
               payment_date=dt.datetime(2026, 3, 4), currency_id="USD")
AWKWARD_TEXT = ['=HYPERLINK("http://x","y")', "  spaces both sides  ", 'a <b> & "c" \'d\'', "two\nlines\r\nthree",
                "tab\there", "ünïcödé — €", "+1", "-", "@id", "\U0001f600 emoji", "]]> <![CDATA[x]]>"]
# Characters XML 1.0 forbids, as an API answer may carry them: removed, the rest kept.
FORBIDDEN = "a\ufffeb\uffffc\ud800d\x00e\x1bf"


def template_book(tmp_path, rows: int = 12):
    payments = [dict(PAYMENT, document_number=f"P-{i}", amount=100 + i) for i in range(rows)]
    if rows > 3:
        payments[3]["amount"] = -5  # an invalid row
    lines = [dict(document_number="CN-1", contact_id="C-1", description="x", quantity=1, unit_amount=10)]
    return build_template(tmp_path / "book.xlsx", payments=payments, credit_note_lines=lines,
                          settings={"company_id": 1001}, workbook_id="the-same-book")


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


def test_validate_changes_only_the_result_cells_of_the_template(tmp_path):
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


def test_everything_but_the_results_reads_as_before(tmp_path):
    """Everything openpyxl sees: values, tables, validations, names, formatting, comments."""
    path = template_book(tmp_path)
    before = openpyxl.load_workbook(path)
    validate_and_save(path)
    after = openpyxl.load_workbook(path)
    assert set(after.defined_names) == set(before.defined_names)
    for name in after.sheetnames:
        a, b = after[name], before[name]
        results = {c.column for c in b[1] if c.value in RESULT_COLUMNS} if name in (PAYMENTS.sheet,
                                                                                     CREDIT_NOTE_LINES.sheet) else set()
        assert [[c.value for c in row if c.column not in results] for row in a.iter_rows()] == \
               [[c.value for c in row if c.column not in results] for row in b.iter_rows()]
        assert {t: a.tables[t].ref for t in a.tables} == {t: b.tables[t].ref for t in b.tables}
        assert [(v.sqref, v.formula1) for v in a.data_validations.dataValidation] == \
               [(v.sqref, v.formula1) for v in b.data_validations.dataValidation]
        assert [str(r.sqref) for r in a.conditional_formatting] == [str(r.sqref) for r in b.conditional_formatting]
        assert [(c.coordinate, c.comment.text) for row in a.iter_rows() for c in row if c.comment] == \
               [(c.coordinate, c.comment.text) for row in b.iter_rows() for c in row if c.comment]
        assert [(c.coordinate, c.style_id) for row in a.iter_rows() for c in row] == \
               [(c.coordinate, c.style_id) for row in b.iter_rows() for c in row]


def test_awkward_text_and_datetimes_read_back_exactly(tmp_path):
    path = template_book(tmp_path, rows=len(AWKWARD_TEXT))
    when = dt.datetime(2026, 3, 4, 10, 30, tzinfo=dt.timezone.utc)
    with XlsxWorkbook.open(path) as workbook:
        update = ResultUpdate()
        for index, text in enumerate(AWKWARD_TEXT):
            update.set(index, message=text, status="Created", rootfi_id="00123", submitted_at=when)
        update.set(0, message="bad\x00\x07control" + "x" * 40000)  # cleaned and cut to what a cell holds
        update.set(1, platform_id=FORBIDDEN, sync_id="s\ud83d\ude00")  # a pair left in a str is joined
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
    assert ws.cell(3, column["platform_id"]).value == "abcdef" and ws.cell(3, column["sync_id"]).value == "s\U0001f600"
    stamp = ws.cell(3, column["submitted_at"])
    assert stamp.value == dt.datetime(2026, 3, 4, 10, 30) and stamp.number_format == DATETIME_FORMAT


def test_result_cells_missing_from_a_row_are_added_in_column_order(tmp_path):
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


def test_clearing_results_empties_the_cells(tmp_path):
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


STAMP = dt.datetime(2026, 3, 4, 10, 30)


def submit_results(path):
    """Write a submitted row's results into row 2 (index 0) of the payments table."""
    with XlsxWorkbook.open(path) as workbook:
        workbook.read_table(PAYMENTS)
        update = ResultUpdate()
        update.set(0, status="Created", rootfi_id="123", submitted_at=STAMP)
        workbook.write_results(PAYMENTS, update)
        workbook.save()


def columns_of(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value}


@pytest.mark.parametrize("case", ["date for a text cell", "no date format at all", "table extended",
                                  "namespace prefix", "rows without their number", "cells without their position",
                                  "1904 dates", "no styles part", "empty rows left out"])
def test_forms_that_used_to_need_a_whole_book_save_are_patched(tmp_path, case):
    """Each of these used to fall back to openpyxl's whole-book save (which drops pictures,
    text boxes, buttons, header images): now only the owned parts change."""
    path = template_book(tmp_path, rows=3)
    book = openpyxl.load_workbook(path)
    ws = book[PAYMENTS.sheet]
    columns = columns_of(ws)
    if case == "date for a text cell":
        ws.cell(2, columns["submitted_at"]).number_format = "@"
    elif case == "table extended":
        ws.append(["P-9", "INV-9", "C-1", "1010", 5, dt.datetime(2026, 3, 4), None, "USD"])
    book.save(path)
    if case != "date for a text cell" and case != "table extended":
        edit_package(path, case)
    before = parts(path)
    submit_results(path)
    after = parts(path)
    changed = {name for name in after if before.get(name) != after[name]}
    sheet = sheet_part_of(path, PAYMENTS.sheet)
    expected = {sheet}
    if case in ("date for a text cell", "no date format at all", "no styles part"):
        expected.add("xl/styles.xml")
    if case == "no styles part":
        expected |= {"[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
    if case == "table extended":
        expected.add(table_part_of(path, PAYMENTS.table))
    assert changed == expected, changed
    assert set(before) <= set(after)
    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    assert ws.cell(2, columns["status"]).value == "Created"
    assert ws.cell(2, columns["rootfi_id"]).value == "123"
    stamp = ws.cell(2, columns["submitted_at"])
    assert stamp.value == STAMP and stamp.is_date, (stamp.value, stamp.number_format)
    if case == "table extended":
        assert ws.tables[PAYMENTS.table].ref.endswith("5")
    if case in ("date for a text cell", "no date format at all"):
        assert stamp.number_format == DATETIME_FORMAT
        assert repr(stamp.font) == repr(ws.cell(3, columns["submitted_at"]).font)  # its own style, date added
    if case == "1904 dates":
        xml = parts(path)[sheet].decode()
        serial = re.search(r'<c r="%s2"[^>]*><v>([0-9.]+)</v>' % ws.cell(2, columns["submitted_at"]).column_letter,
                           xml).group(1)
        assert abs(float(serial) - (46085.4375 - 1462)) < 1e-9  # counted from 1904, not 1900


def test_a_patched_style_part_keeps_every_old_style_in_its_place(tmp_path):
    path = template_book(tmp_path, rows=3)
    book = openpyxl.load_workbook(path)
    book[PAYMENTS.sheet].cell(2, columns_of(book[PAYMENTS.sheet])["submitted_at"]).number_format = "@"
    book.save(path)
    before = parts(path)["xl/styles.xml"]
    submit_results(path)
    after = parts(path)["xl/styles.xml"]
    old_xfs = re.search(rb"<cellXfs[^>]*>(.*?)</cellXfs>", before, re.DOTALL).group(1)
    new_xfs = re.search(rb"<cellXfs[^>]*>(.*?)</cellXfs>", after, re.DOTALL).group(1)
    assert new_xfs.startswith(old_xfs) and new_xfs.count(b"<xf ") == old_xfs.count(b"<xf ") + 1
    assert after.replace(new_xfs, old_xfs).split(b"<cellXfs")[1].split(b">", 1)[1] == \
        before.split(b"<cellXfs")[1].split(b">", 1)[1]


@pytest.mark.parametrize("case", ["a formula", "a rich value"])
def test_a_result_cell_that_cannot_be_overwritten_is_refused_when_read(tmp_path, case):
    path = template_book(tmp_path, rows=3)
    book = openpyxl.load_workbook(path)
    ws = book[PAYMENTS.sheet]
    status = columns_of(ws)["status"]
    letter = ws.cell(3, status).column_letter
    if case == "a formula":
        ws.cell(3, status).value = '="Old"'
        book.save(path)
    else:
        book.save(path)
        contents = parts(path)
        part = sheet_part_of(path, PAYMENTS.sheet)
        contents[part] = re.sub(rb'<c r="%s3"' % letter.encode(), b'<c r="%s3" vm="1"' % letter.encode(),
                                contents[part])
        write_parts(path, contents)
    before = path.read_bytes()
    with XlsxWorkbook.open(path) as workbook, pytest.raises(WorkbookError) as refused:
        workbook.read_table(PAYMENTS)
    assert f"cell {letter}3" in str(refused.value) and "'status' column" in str(refused.value)
    assert "clear that cell" in str(refused.value) and "then run again" in str(refused.value)
    assert path.read_bytes() == before


def edit_package(path, case):
    contents = parts(path)
    part = sheet_part_of(path, PAYMENTS.sheet)
    xml = contents[part]
    if case == "namespace prefix":
        xml = re.sub(rb"<(/?)(?=[a-zA-Z])(?!x:)", rb"<\1x:", xml)
        xml = xml.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="', 1)
    elif case == "rows without their number":
        xml = re.sub(rb'<row r="\d+"', b"<row", xml)
    elif case == "cells without their position":
        xml = re.sub(rb'(<c) r="[A-Z]+\d+"', rb"\1", xml)
    elif case == "1904 dates":
        contents["xl/workbook.xml"] = re.sub(rb"<workbookPr\b", b"<workbookPr date1904=\"1\"", contents["xl/workbook.xml"])
    elif case == "no date format at all":  # a book filled by a script: no styles on cells or columns
        xml = re.sub(rb' (s|style)="\d+"', b"", xml)
    elif case == "no styles part":
        for name in list(contents):
            if name.startswith("xl/worksheets/sheet"):
                contents[name] = re.sub(rb' (s|style)="\d+"|<conditionalFormatting.*?</conditionalFormatting>', b"",
                                        contents[name], flags=re.DOTALL)
        xml = contents[part]
        del contents["xl/styles.xml"]
        contents["xl/_rels/workbook.xml.rels"] = re.sub(rb'<Relationship[^>]*styles"[^>]*/>', b"",
                                                        contents["xl/_rels/workbook.xml.rels"])
        contents["[Content_Types].xml"] = re.sub(rb'<Override PartName="/xl/styles.xml"[^>]*/>', b"",
                                                 contents["[Content_Types].xml"])
    elif case == "empty rows left out":  # the result cells' row is there, its result cells are not
        xml = re.sub(rb'<c r="[I-Z]2"[^>]*/>', b"", xml)
    contents[part] = xml
    write_parts(path, contents)


def write_parts(path, contents):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in contents.items():
            package.writestr(name, data)


def sheet_part_of(path, title) -> str:
    return Package(path.read_bytes()).sheets[title]


def table_part_of(path, name) -> str:
    return Package(path.read_bytes()).tables()[name.lower()].path


def test_a_macro_workbook_keeps_its_vba_project(tmp_path):
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


def test_the_package_names_its_sheets_through_the_relationships(tmp_path):
    path = template_book(tmp_path, rows=2)
    package = Package(path.read_bytes())
    package.set_cells(CREDIT_NOTE_LINES.sheet, {(2, 1): "changed"})
    book = openpyxl.load_workbook(io.BytesIO(package.save()))
    assert book[CREDIT_NOTE_LINES.sheet]["A2"].value == "changed"
    assert book[PAYMENTS.sheet]["A2"].value == "P-0"


@pytest.mark.filterwarnings("ignore:Print area cannot be set")  # openpyxl on LibreOffice's print areas
def test_a_workbook_saved_by_another_program_is_patched_in_place(tmp_path):
    """Shared strings, calculated formula values, empty result cells left out of the XML."""
    path = tmp_path / "book.xlsx"
    path.write_bytes((FIXTURES / "workbooks" / "saved-by-libreoffice.xlsx").read_bytes())
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


# ---- patch operations the layout may need (a column the add-in owns, a workbook-level name)

def test_a_column_is_added_at_a_tables_right_edge_by_patching(tmp_path):
    path = template_book(tmp_path, rows=3)
    before = parts(path)
    with XlsxWorkbook.open(path) as workbook:
        table = workbook.read_table(PAYMENTS)
        workbook.add_table_column(PAYMENTS, "row_key")
        update = ResultUpdate()
        update.set(0, status="Valid")
        workbook.write_results(PAYMENTS, update)
        workbook.save()
    after = parts(path)
    assert {name for name in after if before.get(name) != after[name]} == {sheet_part_of(path, PAYMENTS.sheet),
                                                                          table_part_of(path, PAYMENTS.table)}
    ws = openpyxl.load_workbook(path)[PAYMENTS.sheet]
    excel_table = ws.tables[PAYMENTS.table]
    left, top, right, bottom = openpyxl.utils.cell.range_boundaries(excel_table.ref)
    assert right == len(table.headers) + 1 and bottom == 4
    assert [c.name for c in excel_table.tableColumns][-1] == "row_key" == ws.cell(top, right).value
    assert excel_table.autoFilter.ref == excel_table.ref
    assert len({c.id for c in excel_table.tableColumns}) == len(excel_table.tableColumns)
    with XlsxWorkbook.open(path) as workbook:
        assert workbook.read_table(PAYMENTS).headers[-1] == "row_key"


def test_a_column_is_not_added_over_what_someone_typed_beside_the_table(tmp_path):
    path = template_book(tmp_path, rows=3)
    book = openpyxl.load_workbook(path)
    ws = book[PAYMENTS.sheet]
    ws.cell(3, ws.max_column + 1).value = "a note"
    book.save(path)
    before = path.read_bytes()
    with XlsxWorkbook.open(path) as workbook, pytest.raises(WorkbookError, match="holds 'a note'.*move it elsewhere"):
        workbook.add_table_column(PAYMENTS, "row_key")
    assert path.read_bytes() == before


def test_a_workbook_level_defined_name_is_set_by_patching(tmp_path):
    path = template_book(tmp_path, rows=1)
    before = parts(path)
    with XlsxWorkbook.open(path) as workbook:
        workbook.set_defined_name("RootFiWorkbookId", '"3f2a-77"')
        workbook.save()
    with XlsxWorkbook.open(path) as workbook:  # set again: changed where it is, not added twice
        workbook.set_defined_name("rootfiworkbookid", '"3f2a-78"')
        workbook.save()
    after = parts(path)
    assert {name for name in after if before.get(name) != after[name]} == {"xl/workbook.xml"}
    assert after["xl/workbook.xml"].count(b"RootFiWorkbookId") == 1
    book = openpyxl.load_workbook(path)
    assert book.defined_names["RootFiWorkbookId"].attr_text == '"3f2a-78"'
    assert set(book.defined_names) == set(openpyxl.load_workbook(io.BytesIO(_rezipped(before))).defined_names) | {
        "RootFiWorkbookId"}


def _rezipped(contents: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in contents.items():
            package.writestr(name, data)
    return buffer.getvalue()


def test_a_new_sheet_with_a_table_and_names_is_added_by_patching(tmp_path):
    from rootfi_excel.sheets.port import LookupTable

    path = template_book(tmp_path, rows=1)
    before = parts(path)
    report = LookupTable("PostedRecords", ["number", "id", "amount"], [["P-1", "00123", 12.5], ["=x", "7", 3]],
                        names={"PostedIds": "id"}, sheet="Posted")
    with XlsxWorkbook.open(path) as workbook:
        workbook.write_lookup_table(report)
        workbook.save()
    with XlsxWorkbook.open(path) as workbook:  # a second Posted: rewritten in place, shorter
        workbook.write_lookup_table(LookupTable("PostedRecords", report.headers, report.rows[:1],
                                                names={"PostedIds": "id"}, sheet="Posted"))
        workbook.save()
    after = parts(path)
    assert all(after[name] == data for name, data in before.items()
               if name not in ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-1] == "Posted" and book.sheetnames[:-1] == openpyxl.load_workbook(
        io.BytesIO(_rezipped(before))).sheetnames
    ws = book["Posted"]
    assert ws.tables["PostedRecords"].ref == "A1:C2"
    assert [[c.value for c in row] for row in ws.iter_rows(max_row=3)] == [["number", "id", "amount"],
                                                                           ["P-1", "00123", 12.5],
                                                                           [None, None, None]]
    assert book.defined_names["PostedIds"].attr_text == "'Posted'!$B$2:$B$2"
