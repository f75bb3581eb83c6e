"""Details of patching a worksheet part that no other test ran: where a new table's
<tablePart> goes (with the sheet's own <tableParts>, their count made right, else just
before the worksheet's own <extLst>, full or empty, never inside an extension's nested one), a sheet in
another XML form refused, and text whose spaces or line breaks must be kept."""

from __future__ import annotations

import pytest

from rootfi_excel.workbook.xlsx_patch import SheetXml, _worksheet_extension_start

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _sheet(tail: bytes) -> tuple[SheetXml, bytes]:
    xml = (b'<worksheet xmlns="' + MAIN + b'" xmlns:r="' + RELS + b'"><sheetData/>' + tail)
    return SheetXml(xml, "Payments"), xml[xml.index(b"<sheetData/>") + len(b"<sheetData/>"):]


# The worksheet's own extension list, full or empty: OOXML's CT_Worksheet ends with tableParts,
# then extLst, so a new table part goes before either.
EXTENSION_LISTS = [b'<extLst><ext uri="a"/></extLst>', b"<extLst/>", b"<extLst />"]


@pytest.mark.parametrize("own", EXTENSION_LISTS)
def test_the_worksheet_extension_list_is_found_and_not_one_nested_in_an_extension(own):
    last = b"<pageMargins/>" + own + b"</worksheet>"
    assert _worksheet_extension_start(last, b"") == last.index(own)
    nested = b'<pageMargins/><extLst><ext uri="a"><x:y>' + own + b"</x:y></ext></extLst></worksheet>"
    assert _worksheet_extension_start(nested, b"") == nested.index(b"<extLst>")
    plain = b"<pageMargins/></worksheet>"
    assert _worksheet_extension_start(plain, b"") == plain.index(b"</worksheet>")
    # an extLst that is not the last thing in the sheet is not the worksheet's own
    inner = b"<pageMargins/>" + own + b'<drawing r:id="rId1"/></worksheet>'
    assert _worksheet_extension_start(inner, b"") == inner.index(b"</worksheet>")
    prefixed = b"<x:pageMargins/>" + own.replace(b"<", b"<x:").replace(b"<x:/", b"</x:") + b"</x:worksheet>"
    assert _worksheet_extension_start(prefixed, b"x:") == prefixed.index(b"<x:extLst")


@pytest.mark.parametrize("own", EXTENSION_LISTS)
def test_a_new_table_part_goes_before_the_worksheets_extension_list(own):
    sheet, tail = _sheet(b"<pageMargins/>" + own + b"</worksheet>")
    assert sheet._tail(tail, ["rId7"]) == (b'<pageMargins/><tableParts count="1"><tablePart r:id="rId7"/></tableParts>'
                                           + own + b"</worksheet>")


def test_a_new_table_part_joins_the_sheets_own_and_counts_them_all():
    sheet, tail = _sheet(b'<tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>')
    assert sheet._tail(tail, ["rId7", "rId8"]) == (
        b'<tableParts count="3"><tablePart r:id="rId1"/><tablePart r:id="rId7"/><tablePart r:id="rId8"/>'
        b'</tableParts></worksheet>')
    assert sheet._tail(tail, []) == tail


def test_a_sheet_without_the_relationships_namespace_gets_it_declared_on_the_table_part():
    xml = b'<worksheet xmlns="' + MAIN + b'"><sheetData/></worksheet>'
    sheet = SheetXml(xml, "Payments")
    assert sheet._tail(b"</worksheet>", ["rId7"]) == (
        b'<tableParts count="1"><tablePart xmlns:r="' + RELS + b'" r:id="rId7"/></tableParts></worksheet>')


def test_a_sheet_in_another_xml_form_is_refused_not_edited():
    from rootfi_excel.errors import Unpatchable

    strict = b'<worksheet xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><sheetData/></worksheet>'
    try:
        SheetXml(strict, "Payments")
    except Unpatchable as refused:
        assert "XML form" in str(refused)
    else:
        raise AssertionError("a Strict OOXML sheet was taken for a transitional one")
    single_quoted = b"<worksheet xmlns='" + MAIN + b"'><sheetData/></worksheet>"
    assert SheetXml(single_quoted, "Payments").p == b""


def test_text_with_spaces_at_its_ends_or_a_line_break_keeps_them():
    import datetime as dt

    from rootfi_excel.workbook.xlsx_patch import _Writer

    sheet, _ = _sheet(b"</worksheet>")
    writer = _Writer(sheet, lambda style: 1, dt.datetime(1899, 12, 30))
    assert b'<t xml:space="preserve"> CHQ-1 </t>' in writer.cell(2, 1, " CHQ-1 ", None)
    assert b'<t xml:space="preserve">two\nlines</t>' in writer.cell(2, 1, "two\nlines", None)
    assert b"<t>CHQ-1</t>" in writer.cell(2, 1, "CHQ-1", None)
