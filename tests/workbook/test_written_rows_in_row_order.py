"""The patcher writes cells given in any order row by row, in row order: rows the sheet
has keep their place, new rows go between and after them where their numbers say, rows
without a number get theirs, and rows not written are copied as they were."""

from __future__ import annotations

import datetime as dt
import re

from rootfi_excel.workbook.xlsx_patch import SheetXml

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
EPOCH = dt.datetime(1899, 12, 30)
ROWS = (b'<row r="2"><c r="A2"><v>2</v></c></row><row r="4" ht="20"><c r="A4"><v>4</v></c></row>'
        b'<row><c r="A5"><v>5</v></c></row><row r="7"><c r="A7"><v>7</v></c></row>')


def rendered(cells: dict) -> bytes:
    part = SheetXml(b'<worksheet xmlns="' + MAIN + b'"><sheetData>' + ROWS + b"</sheetData></worksheet>", "Payments")
    return b"".join(bytes(piece) for piece in part.render(cells, lambda style: 9, EPOCH))


def rows_of(xml: bytes) -> list[tuple[int, bytes]]:
    data = xml[xml.index(b"<sheetData>") + len(b"<sheetData>"):xml.index(b"</sheetData>")]
    return [(int(m.group(1)), m.group()) for m in re.finditer(rb'<row r="(\d+)".*?</row>', data)]


def test_cells_given_in_any_order_are_written_row_by_row_in_row_order():
    cells = {(8, 2): 80, (4, 2): 40, (1, 2): 10, (6, 3): 63, (4, 3): "four", (6, 2): 62, (3, 2): 30, (9, 1): 90}
    scrambled = dict(reversed(list(cells.items())))
    for given in (cells, scrambled):
        rows = rows_of(rendered(given))
        assert [number for number, _ in rows] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
        found = dict(rows)
        assert found[1] == b'<row r="1"><c r="B1"><v>10</v></c></row>'  # new, before the first row
        assert found[2] == b'<row r="2"><c r="A2"><v>2</v></c></row>'  # not written: as it was
        assert found[3] == b'<row r="3"><c r="B3"><v>30</v></c></row>'  # new, between rows
        assert found[4].startswith(b'<row r="4" ht="20">') and b"<v>40</v>" in found[4] and b"four" in found[4]
        assert found[5] == b'<row r="5"><c r="A5"><v>5</v></c></row>'  # unnumbered: given its number
        assert found[6] == b'<row r="6"><c r="B6"><v>62</v></c><c r="C6"><v>63</v></c></row>'
        assert found[7] == b'<row r="7"><c r="A7"><v>7</v></c></row>'
        assert found[8] == b'<row r="8"><c r="B8"><v>80</v></c></row>'  # new, after the last row
        assert found[9] == b'<row r="9"><c r="A9"><v>90</v></c></row>'


def test_nothing_written_copies_the_rows_as_they_were_but_numbers_the_unnumbered():
    xml = rendered({})
    assert ROWS.replace(b"<row><c", b'<row r="5"><c') in xml
