"""How the worksheet patcher finds rows and cells and puts new ones in order, pinned on
small sheet parts built here: rows whose numbers jump or go back, cells that leave out
their position, a cell's reference quoted in another cell's text, the <dimension> widened
(never for a whole-column or whole-row reference), a row's own extensions kept after its
cells, and cells holding a picture or data type (cm/vm) or a formula refused."""

from __future__ import annotations

import datetime as dt

import pytest

from rootfi_excel.errors import Unpatchable
from rootfi_excel.workbook.xlsx_patch import SheetXml, _find_cell

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
EPOCH = dt.datetime(1899, 12, 30)


def sheet(rows: bytes, head: bytes = b"", index: bool = True) -> SheetXml:
    return SheetXml(b'<worksheet xmlns="' + MAIN + b'">' + head + b"<sheetData>" + rows + b"</sheetData></worksheet>",
                    "Payments", index=index)


def rendered(part: SheetXml, cells: dict) -> bytes:
    return b"".join(bytes(piece) for piece in part.render(cells, lambda style: 9, EPOCH))


def data_of(xml: bytes) -> bytes:
    return xml[xml.index(b"<sheetData>") + len(b"<sheetData>"):xml.index(b"</sheetData>")]


@pytest.mark.parametrize("index", [True, False])
def test_rows_whose_numbers_go_back_are_refused_even_after_a_jump(index):
    with pytest.raises(Unpatchable, match="not in order"):
        sheet(b'<row r="1"/><row r="5"/><row r="3"/>', index=index)
    with pytest.raises(Unpatchable, match=r"not in order \(row 3\)"):
        sheet(b'<row r="2"/><row/><row r="3"/>', index=index)  # the unnumbered row is row 3
    sheet(b'<row r="1"/><row r="5"/><row/><row r="9"/>', index=index)  # jumps forward are fine


def test_rows_without_a_number_follow_on_from_the_row_before():
    part = sheet(b'<row r="4"><c r="A4"/></row><row><c s="7"/></row>')
    assert [row.number for row in part.rows] == [4, 5]
    assert part.base_style(5, 1) == 7


@pytest.mark.parametrize("index", [True, False])
def test_a_first_row_without_a_number_is_row_1(index):
    part = sheet(b'<row><c s="3"/></row><row r="2"><c s="4"/></row>', index=index)
    if index:
        assert [row.number for row in part.rows] == [1, 2] and part.base_style(1, 1) == 3


def test_a_row_number_is_read_from_the_row_never_from_its_cells_text():
    part = sheet(b'<row><c t="inlineStr"><is><t> r="7"</t></is></c></row>')
    assert [row.number for row in part.rows] == [1]


def test_cells_without_a_position_follow_on_from_the_cell_before():
    part = sheet(b'<row r="2"><c s="1"/><c s="2"/><c r="E2" s="5"/><c s="6"/></row>')
    assert [part.base_style(2, column) for column in (1, 2, 5, 6)] == [1, 2, 5, 6]
    assert part.base_style(2, 3) is None and part.cell(2, 3) is None


def test_a_reference_quoted_in_another_cells_text_is_not_that_cell():
    xml = b'<row r="1"><c r="A1" t="inlineStr"><is><t>r="B1"</t></is></c><c r="B1" s="3"/></row>'
    start, end, attributes = _find_cell(xml, 0, len(xml), b"B1", b"")
    assert xml[start:end] == b'<c r="B1" s="3"/>' and attributes[b"s"] == b"3"
    single = b"<row r='1'><c r='A1' s='4'><v>1</v></c></row>"
    start, end, attributes = _find_cell(single, 0, len(single), b"A1", b"")
    assert single[start:end] == b"<c r='A1' s='4'><v>1</v></c>" and attributes[b"s"] == b"4"
    prefixed = b'<x:row r="1"><x:c r="A1"><x:v>2</x:v></x:c></x:row>'
    start, end, _ = _find_cell(prefixed, 0, len(prefixed), b"A1", b"x:")
    assert prefixed[start:end] == b'<x:c r="A1"><x:v>2</x:v></x:c>'
    assert _find_cell(xml, 0, len(xml), b"C1", b"") is None
    other_tag = b'<row r="1"><cx r="A1"/></row>'
    assert _find_cell(other_tag, 0, len(other_tag), b"A1", b"") is None


def test_the_dimension_is_widened_over_new_cells_and_only_then():
    head = b'<dimension ref="A1:C3"/>'
    part = sheet(b'<row r="1"><c r="A1"/></row>', head)
    assert part._widened_dimension(head, {(5, 6): 1}) == b'<dimension ref="A1:F5"/>'
    assert part._widened_dimension(head, {(2, 2): 1}) == head
    assert part._widened_dimension(b'<dimension ref="B2"/>', {(1, 1): 1}) == b'<dimension ref="A1:B2"/>'
    for whole in (b'<dimension ref="A:C"/>', b'<dimension ref="2:5"/>'):  # whole columns, whole rows: left alone
        assert part._widened_dimension(whole, {(9, 9): 1}) == whole


def test_a_new_table_part_joins_an_empty_table_parts_element():
    part = sheet(b"")
    assert part._tail(b'<tableParts count="0"/></worksheet>', ["rId7"]) == (
        b'<tableParts count="1"><tablePart xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
        b' r:id="rId7"/></tableParts></worksheet>')


def test_a_rebuilt_row_puts_its_cells_in_column_order_and_keeps_its_extensions_last():
    part = sheet(b'<row r="2" spans="1:10"><c r="J2" s="1"/><extLst><ext uri="x"/></extLst></row>')
    row = data_of(rendered(part, {(2, 27): "new", (2, 2): 5}))
    assert row == (b'<row r="2"><c r="B2"><v>5</v></c><c r="J2" s="1"/>'
                   b'<c r="AA2" t="inlineStr"><is><t>new</t></is></c><extLst><ext uri="x"/></extLst></row>')


def test_a_rebuilt_row_gives_cells_without_a_position_theirs():
    part = sheet(b'<row r="2"><c s="1"/><c s="2"><v>3</v></c></row>')
    assert data_of(rendered(part, {(2, 4): 1})) == (
        b'<row r="2"><c r="A2" s="1"/><c r="B2" s="2"><v>3</v></c><c r="D2"><v>1</v></c></row>')


@pytest.mark.parametrize("cell", [b'<c r="B2" cm="1"><v>1</v></c>', b'<c r="B2" vm="1"><v>1</v></c>',
                                  b'<c r="B2"><f>1+1</f><v>2</v></c>'])
@pytest.mark.parametrize("also", [{}, {(2, 5): 1}])  # written in place, or the row rebuilt
def test_a_value_is_never_written_over_a_picture_a_data_type_or_a_formula(cell, also):
    part = sheet(b'<row r="2"><c r="A2"/>' + cell + b"</row>")
    with pytest.raises(Unpatchable, match="cell B2 of sheet 'Payments' holds a formula or a picture"):
        rendered(part, {(2, 2): "x", **also})


def test_a_cell_whose_text_mentions_a_formula_tag_is_written():
    part = sheet(b'<row r="2"><c r="B2" t="inlineStr"><is><t>&lt;f&gt;</t></is></c></row>')
    assert data_of(rendered(part, {(2, 2): 4})) == b'<row r="2"><c r="B2"><v>4</v></c></row>'
