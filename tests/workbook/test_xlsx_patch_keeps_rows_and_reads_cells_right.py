"""What the worksheet patcher must get right about the rows and cells around the ones it
writes: a sheet without pictures in cells or data types is said to have none (on workbooks
XlsxWriter wrote, with and without such a picture); a value written over an existing cell
changes that cell and nothing else of its row, the row's `spans` hint and the other cells
kept byte for byte (on a sheet XlsxWriter wrote); and a cell's attributes are its own, never
those of the row or the cell before it, whatever the length of the sheet's namespace prefix
(no program we can run here writes a long prefix: that sheet part is built here)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
import xlsxwriter

from rootfi_excel.workbook.xlsx_package import Package
from rootfi_excel.workbook.xlsx_patch import SheetXml
from tests.support.corpus import make

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
EPOCH = dt.datetime(1899, 12, 30)


def rendered(part: SheetXml, cells: dict) -> bytes:
    return b"".join(bytes(piece) for piece in part.render(cells, lambda style: 9, EPOCH))


@pytest.mark.parametrize("name", ["merged-cells", "rich-text", "table"])
def test_a_sheet_without_pictures_in_cells_or_data_types_is_said_to_have_none(tmp_path, name):
    package = Package(make(name, tmp_path / f"{name}.xlsx").read_bytes())
    assert package.check_sheet("Sheet1") is False


def test_a_sheet_with_a_picture_in_a_cell_is_said_to_have_one(tmp_path):
    package = Package(make("picture-in-cell", tmp_path / "picture-in-cell.xlsx").read_bytes())
    assert package.check_sheet("Sheet1") is True


def _xlsxwriter_sheet() -> bytes:
    """Sheet1 of a workbook XlsxWriter wrote: row 2 holds A2:C2 (its rows carry `spans`)."""
    out = BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, ["Reference", "Amount", "Status"], bold)
    sheet.write_row(1, 0, ["CHQ-1", 100.5, "old"])
    book.close()
    return Package(out.getvalue()).read("xl/worksheets/sheet1.xml")


def test_a_value_written_over_a_cell_changes_that_cell_and_nothing_else_of_its_row():
    xml = _xlsxwriter_sheet()
    row_start = xml.index(b'<row r="2"')
    row_end = xml.index(b"</row>", row_start) + len(b"</row>")
    old_row = xml[row_start:row_end]
    assert b'spans="1:3"' in old_row, old_row  # the hint the patcher must keep
    c2 = old_row.index(b'<c r="C2"')
    c2_end = old_row.index(b"</c>", c2) + len(b"</c>")
    patched = rendered(SheetXml(xml, "Sheet1"), {(2, 3): "Created"})
    assert patched == (xml[:row_start] + old_row[:c2] + b'<c r="C2" t="inlineStr"><is><t>Created</t></is></c>'
                       + old_row[c2_end:] + xml[row_end:])


def _prefixed(rows: bytes, prefix: bytes) -> SheetXml:
    p = prefix + b":"
    return SheetXml(b"<" + p + b'worksheet xmlns:' + prefix + b'="' + MAIN + b'"><' + p + b"sheetData>" + rows
                    + b"</" + p + b"sheetData></" + p + b"worksheet>", "Payments")


@pytest.mark.parametrize("prefix", [b"x", b"ssml", b"sheet"])
def test_a_cell_written_in_place_keeps_its_own_style_not_the_one_before_it(prefix):
    # B2 has no style of its own; A2's `s="1"` (and the row's) end just before it.
    p = prefix + b":"
    row = (b"<" + p + b'row r="2" s="4"><' + p + b'c r="A2" s="1"/><' + p + b'c r="B2"><' + p + b"v>7</"
           + p + b"v></" + p + b"c></" + p + b"row>")
    out = rendered(_prefixed(row, prefix), {(2, 2): 5})
    assert b"<" + p + b'c r="B2"><' + p + b"v>5</" + p + b"v></" + p + b"c>" in out, out


@pytest.mark.parametrize("prefix", [b"x", b"ssml", b"sheet"])
def test_a_cell_after_a_picture_in_a_cell_is_written_in_place(prefix):
    # A2 holds a picture (vm); B2, just after it, holds a plain value and may be written.
    p = prefix + b":"
    row = (b"<" + p + b'row r="2"><' + p + b'c r="A2" vm="1"/><' + p + b'c r="B2"><' + p + b"v>7</"
           + p + b"v></" + p + b"c></" + p + b"row>")
    out = rendered(_prefixed(row, prefix), {(2, 2): 5})
    assert b"<" + p + b'c r="B2"><' + p + b"v>5</" + p + b"v></" + p + b"c>" in out, out


@pytest.mark.parametrize("attribute", [b'vm="1"', b'cm = "1"', b"vm\t=\t'1'"])
def test_a_picture_in_a_cell_is_seen_however_its_attribute_is_spaced(attribute):
    """XML allows spaces around `=` and either quote: a picture in a cell written so must be
    seen before anything is sent (else it is refused only when the results are written,
    after the records were created, and they could not be written back)."""
    row = b'<x:row r="2"><x:c r="A2" ' + attribute + b'/><x:c r="B2"><x:v>7</x:v></x:c></x:row>'
    assert _prefixed(row, b"x").has_rich_values() is True
    assert _prefixed(b'<x:row r="2"><x:c r="B2"><x:v>7</x:v></x:c></x:row>', b"x").has_rich_values() is False
