"""Change cells in one sheet's XML and nothing else: every other byte stays as it was.

openpyxl rewrites every part of a workbook when it saves and drops what it does not
know (pictures without Pillow, text boxes, form buttons, header images, ...). This
module never parses a sheet into a model: it finds the rows and cells to change in the
XML text and copies everything else through unchanged, so a sheet keeps its formulas,
formats, comments' anchors, extensions and whatever a newer Excel put there.

What it can do to a sheet: set cells (a value, or empty keeping or dropping the cell's
style), add missing rows and cells in order, widen `<dimension>`, add column widths for
columns that have none, and add table parts. Text is written as an inline string (valid
OOXML, read by Excel, LibreOffice and openpyxl), so the shared strings part is never
touched and a text that starts with "=" can never become a formula; text passes through
`safe_text.xml_safe` first, so nothing XML 1.0 forbids reaches the file.

Sheets written with a namespace prefix (`<x:worksheet xmlns:x=...>`, as the .NET Open
XML SDK writes them), rows or cells that leave out their position (`r`), empty sheets
(`<sheetData/>`) and cells without a style are handled. What cannot be changed safely
raises `Unpatchable` with the reason: a cell to change that holds a formula or a rich
value (an embedded picture, a linked data type), rows out of order, XML not understood.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any, Callable, Iterator
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter, range_boundaries
from openpyxl.utils.datetime import to_excel

from rootfi_excel.errors import Unpatchable
from rootfi_excel.safe_text import xml_safe

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAX_CELL_TEXT = 32767  # Excel's limit for one cell

# {(row, column): value} for one sheet. A value is None or "" (the cell emptied, its
# style kept), text, a bool, a number or a datetime; or Unstyled(value): that value
# without the cell's old style (UNSTYLED: emptied, its style dropped).
Cells = dict[tuple[int, int], Any]


@dataclass(frozen=True)
class Unstyled:
    """A value written without the cell's old style (a placeholder's grey fill goes)."""

    value: Any = None


UNSTYLED = Unstyled()  # an empty cell without its old style

_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet\b[^>]*>")
_ROW_NUMBER = re.compile(rb"""(?:^|\s)r\s*=\s*["'](\d+)["']""")


@dataclass(slots=True)
class _Data:
    """Where <sheetData> is: its element (start..end) and its rows (None: <sheetData/>)."""

    start: int
    opened: int  # where its start tag ends
    closing: int | None  # where its end tag starts
    close_length: int

    @property
    def rows(self) -> tuple[int, int] | None:
        return None if self.closing is None else (self.opened, self.closing)

    @property
    def end(self) -> int:
        return self.opened if self.closing is None else self.closing + self.close_length


@dataclass(slots=True)
class _Row:
    number: int
    start: int  # the row element's span in the XML
    end: int
    attributes: bytes  # the text between "<row" and ">" or "/>"
    inner: tuple[int, int] | None  # the span of its cells (None: an empty <row .../>)
    explicit: bool  # the row names its number (r="7")


class SheetXml:
    """One worksheet part, indexed once: where its rows are, its prefix, its column styles."""

    def __init__(self, xml: bytes, title: str, *, index: bool = True) -> None:
        """index=False: only check that the sheet can be changed here (its form, its rows'
        numbers in order), without the index of where each row is (a quicker look)."""
        self.xml, self.title = xml, title
        root = _ROOT.search(xml)
        if root is None:
            raise Unpatchable(f"sheet '{title}' has no worksheet element")
        prefix = root.group(1)
        declaration = (b"xmlns:" + prefix if prefix else b"xmlns") + b"="
        if not any(declaration + quote + MAIN.encode() + quote in root.group() for quote in (b'"', b"'")):
            raise Unpatchable(f"sheet '{title}' is written in an XML form this version does not edit")
        self.p = prefix + b":" if prefix else b""
        self.root_end = root.end()
        rels = re.search(rb"""xmlns:([\w.-]+)\s*=\s*["']""" + re.escape(DOC_RELS.encode()) + rb"""["']""", root.group())
        self.rels_prefix = rels.group(1) if rels else None
        p = re.escape(self.p)
        self._row = re.compile(rb"<" + p + rb"row\b([^>]*?)(/>|>(.*?)</" + p + rb"row>)", re.DOTALL)
        self._cell_tag = re.compile(rb"<" + p + rb"c[\s/>]")
        self._cell = re.compile(rb"<" + p + rb"c\b([^>]*?)(/>|>(.*?)</" + p + rb"c>)", re.DOTALL)
        opening = re.compile(rb"<" + p + rb"sheetData\b[^>]*?(/?)>").search(xml, self.root_end)
        closing = -1 if opening is None or opening.group(1) else xml.find(b"</" + self.p + b"sheetData>", opening.end())
        if opening is None or not opening.group(1) and closing == -1:
            raise Unpatchable(f"sheet '{title}' has no cell data element")
        self.data = _Data(opening.start(), opening.end(), None if opening.group(1) else closing,
                          len(b"</" + self.p + b"sheetData>"))
        data = self.data
        self.rows: list[_Row] = []
        self.by_number: dict[int, _Row] = {}
        if data.rows is not None:
            (self._index_rows if index else self._check_rows)(*data.rows)
        head = xml[self.root_end:data.start]
        self._cols = [(_int(a, b"min"), _int(a, b"max"), a.get(b"style"))
                      for a in (_attributes(m.group(1)) for m in
                                re.finditer(rb"<" + p + rb"col\b([^>]*?)/?>", head))]

    def _index_rows(self, start: int, end: int) -> None:
        number = 0
        for match in self._row.finditer(self.xml, start, end):
            named = _ROW_NUMBER.search(match.group(1))
            explicit = named is not None
            number = int(named.group(1)) if explicit else number + 1
            if self.by_number and number <= self.rows[-1].number:
                raise Unpatchable(f"sheet '{self.title}': its rows are not in order (row {number})")
            row = _Row(number, match.start(), match.end(), match.group(1),
                       match.span(3) if match.group(3) is not None else None, explicit)
            self.rows.append(row)
            self.by_number[number] = row
        if len(self.rows) != self.xml.count(b"<" + self.p + b"row", start, end):
            raise Unpatchable(f"sheet '{self.title}': its rows could not be told apart")

    def _check_rows(self, start: int, end: int) -> None:
        """The rows' numbers are in order (and rows without one follow on), as indexing needs."""
        number, count = 0, 0
        for match in re.compile(rb"<" + re.escape(self.p) + rb"row\b([^>]*)>").finditer(self.xml, start, end):
            named = _ROW_NUMBER.search(match.group(1))
            following = int(named.group(1)) if named else number + 1
            if count and following <= number:
                raise Unpatchable(f"sheet '{self.title}': its rows are not in order (row {following})")
            number, count = following, count + 1
        if count != self.xml.count(b"<" + self.p + b"row", start, end):
            raise Unpatchable(f"sheet '{self.title}': its rows could not be told apart")

    # ------------------------------------------------------------------ reading

    def cell(self, row: int, column: int) -> dict[bytes, bytes] | None:
        """The attributes of the cell at (row, column), with b"formula" when it holds one;
        None when the file has no such cell."""
        found = self._find(row, column)
        if found is None:
            return None
        start, end, attributes = found
        text = self.xml[start:end]
        info = dict(attributes)
        if b"<" + self.p + b"f" in text and re.search(b"<" + re.escape(self.p) + rb"f[\s/>]", text):
            info[b"formula"] = b"1"
        return info

    def has_rich_values(self) -> bool:
        """Whether any cell holds a rich value (cm/vm: a picture in a cell, a data type)."""
        start, end = self.data.start, self.data.end
        if self.xml.find(b"cm", start, end) == self.xml.find(b"vm", start, end) == -1:  # quick look: most have none
            return False
        rich = re.compile(rb"<" + re.escape(self.p) + rb"c\b[^>]*\s(?:cm|vm)\s*=")
        return rich.search(self.xml, start, end) is not None

    def refuse_formulas_and_rich_values(self, cells: list[tuple[int, int]], column_names: dict[int, str]) -> None:
        """A cell to be written that holds a formula or a rich value (cm/vm: an embedded
        picture, a linked data type) cannot be overwritten without breaking what refers
        to it: say so, naming the first such cell. (Cell by cell: call it for a sheet that
        has rich values, `has_rich_values`; formulas are known from reading the sheet.)"""
        for row, column in cells:
            info = self.cell(row, column)
            if info is None:
                continue
            what = ("a formula" if b"formula" in info else
                    "a picture or data type" if b"cm" in info or b"vm" in info else None)
            if what:
                where = f"{get_column_letter(column)}{row}"
                raise Unpatchable(f"cell {where} (the '{column_names.get(column, '?')}' column of sheet "
                                  f"'{self.title}') holds {what}, where a result is written: clear that cell "
                                  "(select it, press Delete), then run again")

    def base_style(self, row: int, column: int) -> int | None:
        """The style a value written at (row, column) starts from: the cell's own, else its
        row's (customFormat), else its column's; None for none."""
        found = self._find(row, column)
        if found is not None:
            return _style(found[2])
        return self._default_style(row, column)

    def _default_style(self, row: int, column: int) -> int | None:
        line = self.by_number.get(row)
        if line is not None:
            attributes = _attributes(line.attributes)
            if attributes.get(b"customFormat") in (b"1", b"true") and attributes.get(b"s"):
                return int(attributes[b"s"])
        for low, high, style in self._cols:
            if low <= column <= high:
                return int(style) if style else None
        return None

    def _find(self, row: int, column: int) -> tuple[int, int, dict[bytes, bytes]] | None:
        line = self.by_number.get(row)
        if line is None or line.inner is None:
            return None
        reference = f"{get_column_letter(column)}{row}".encode()
        found = _find_cell(self.xml, *line.inner, reference, self.p)
        if found is not None:
            return found
        for start, end, number, attributes in self._cells_of(line):  # cells that leave out their position
            if number == column:
                return start, end, attributes
        return None

    def _cells_of(self, row: _Row) -> Iterator[tuple[int, int, int, dict[bytes, bytes]]]:
        """(start, end, column, attributes) of each cell of a row, also cells without `r`."""
        if row.inner is None:
            return
        column = 0
        for cell in self._cell.finditer(self.xml, *row.inner):
            attributes = _attributes(cell.group(1))
            if b"r" in attributes:
                column = column_index_from_string(coordinate_from_string(attributes[b"r"].decode())[0])
            else:
                column += 1
            yield cell.start(), cell.end(), column, attributes

    # ------------------------------------------------------------------ writing

    def render(self, cells: Cells, date_style: Callable[[int | None], int], epoch: dt.datetime, *,
               widths: dict[int, float] | None = None, table_parts: list[str] | None = None) -> Iterator[bytes]:
        """The sheet's XML with `cells` changed, in pieces (a big sheet is never held twice).

        date_style(style) is the style index to give a datetime written into a cell of that
        style. widths: {column: width} for columns the sheet has no width for. table_parts:
        relationship ids of tables to add to the sheet."""
        writer = _Writer(self, date_style, epoch)
        written = _by_row(cells)
        pending = next(written, None)  # the next written row: (number, {column: value})
        xml, view, data = self.xml, memoryview(self.xml), self.data
        yield self._head(xml[:data.start], cells, widths or {})
        if data.rows is None:  # <sheetData/>: no rows yet
            yield b"<" + self.p + b"sheetData>"
            tail_start = data.end
        else:
            yield view[data.start:data.rows[0]]
            at = data.rows[0]
            for row in self.rows:
                while pending is not None and pending[0] < row.number:  # a row the file does not have yet
                    yield view[at:row.start]
                    at = row.start
                    yield writer.new_row(*pending)
                    pending = next(written, None)
                values = None
                if pending is not None and pending[0] == row.number:
                    values, pending = pending[1], next(written, None)
                if values is not None or not row.explicit:  # rows without r get it: rows may be added
                    yield view[at:row.start]
                    yield writer.row(row, values or {})
                    at = row.end
            tail_start = data.rows[1]
            yield view[at:tail_start]
        while pending is not None:
            yield writer.new_row(*pending)
            pending = next(written, None)
        if data.rows is None:
            yield b"</" + self.p + b"sheetData>"
        yield self._tail(xml[tail_start:], table_parts or [])

    def _head(self, head: bytes, cells: Cells, widths: dict[int, float]) -> bytes:
        """Before the rows: <dimension> widened over the new cells, <cols> given new widths."""
        head = self._widened_dimension(head, cells)
        missing = {c: w for c, w in widths.items() if not any(low <= c <= high for low, high, _ in self._cols)}
        if not missing:
            return head
        p = self.p
        new = [(c, b'<%scol min="%d" max="%d" width="%s" customWidth="1"%s/>' % (
                   p, c, c, repr(float(w)).encode(), b' hidden="1"' if not w else b""))  # width 0: a hidden column
               for c, w in sorted(missing.items())]
        cols = re.search(rb"<" + re.escape(p) + rb"cols\b[^>]*>(.*?)</" + re.escape(p) + rb"cols>", head, re.DOTALL)
        if cols is None:  # `head` ends where <sheetData> starts: <cols> comes just before it
            return head + b"<" + p + b"cols>" + b"".join(x for _, x in new) + b"</" + p + b"cols>"
        old = [(_int(_attributes(m.group(1)), b"min"), m.group())
               for m in re.finditer(rb"<" + re.escape(p) + rb"col\b([^>]*?)(?:/>|>\s*</" + re.escape(p) + rb"col>)",
                                    cols.group(1))]
        merged = b"".join(x for _, x in sorted(old + new, key=lambda pair: pair[0]))
        return head[:cols.start(1)] + merged + head[cols.end(1):]

    def _widened_dimension(self, head: bytes, cells: Cells) -> bytes:
        dimension = re.search(rb"(<" + re.escape(self.p) + rb"dimension\b[^>]*?\bref=)([\"'])([^\"']*)\2", head)
        if dimension is None or not cells:
            return head
        rows = [r for r, _ in cells]
        columns = [c for _, c in cells]
        try:
            left, top, right, bottom = range_boundaries(dimension.group(3).decode())
        except (ValueError, TypeError):
            return head
        if top is None or left is None:
            return head
        bounds = (min(left, *columns), min(top, *rows), max(right or left, *columns), max(bottom or top, *rows))
        if bounds == (left, top, right, bottom):
            return head
        ref = f"{get_column_letter(bounds[0])}{bounds[1]}:{get_column_letter(bounds[2])}{bounds[3]}".encode()
        return head[:dimension.start(3)] + ref + head[dimension.end(3):]

    def _tail(self, tail: bytes, table_parts: list[str]) -> bytes:
        """After the rows: the new tables' <tablePart>s, in their place in the sheet's order."""
        if not table_parts:
            return tail
        p = self.p
        prefix = self.rels_prefix or b"r"
        declare = b"" if self.rels_prefix else b' xmlns:r="' + DOC_RELS.encode() + b'"'
        parts = b"".join(b"<%stablePart%s %s:id=%s/>" % (p, declare, prefix, quoteattr(rid).encode())
                         for rid in table_parts)
        existing = re.search(rb"<" + re.escape(p) + rb"tableParts\b([^>]*?)(/>|>(.*?)</" + re.escape(p)
                             + rb"tableParts>)", tail, re.DOTALL)
        if existing is not None:
            count = len(re.findall(rb"<" + re.escape(p) + rb"tablePart\b", existing.group(3) or b"")) + len(table_parts)
            attributes = re.sub(rb"""\s*\bcount\s*=\s*["'][^"']*["']""", b"", existing.group(1).rstrip(b" /"))
            element = (b"<%stableParts%s count=\"%d\">" % (p, attributes, count) + (existing.group(3) or b"")
                       + parts + b"</" + p + b"tableParts>")
            return tail[:existing.start()] + element + tail[existing.end():]
        element = b'<%stableParts count="%d">' % (p, len(table_parts)) + parts + b"</" + p + b"tableParts>"
        at = _worksheet_extension_start(tail, p)
        return tail[:at] + element + tail[at:]


def _by_row(cells: Cells) -> Iterator[tuple[int, dict[int, Any]]]:
    """The written cells row by row, in row order: one row's values at a time (50,000 rows
    of results regrouped at once would cost as much memory again as the cells themselves)."""
    for number, group in groupby(sorted(cells), key=itemgetter(0)):
        yield number, {column: cells[number, column] for _, column in group}


class _Writer:
    """Rows and cells as XML, for one render of one sheet."""

    def __init__(self, sheet: SheetXml, date_style: Callable[[int | None], int], epoch: dt.datetime) -> None:
        self.sheet, self.p, self.date_style, self.epoch = sheet, sheet.p, date_style, epoch
        prefix = sheet.p.decode()
        self._c, self._is, self._t, self._v = prefix + "c", prefix + "is", prefix + "t", prefix + "v"
        self._formula = re.compile(b"<" + re.escape(sheet.p) + rb"f[\s/>]")

    def row(self, row: _Row, values: dict[int, Any]) -> bytes:
        xml = self.sheet.xml
        inner = xml[row.inner[0]:row.inner[1]] if row.inner else b""
        if not values:
            return self._row_element(row, inner)
        if row.inner is not None:
            fast = self._in_place(row, values)
            if fast is not None:
                return self._row_element(row, fast)
        return self._row_element(row, self._rebuilt(row, values), cells_added=True)

    def new_row(self, number: int, values: dict[int, Any]) -> bytes:
        cells = b"".join(self.cell(number, column, value, self.sheet._default_style(number, column))
                         for column, value in sorted(values.items()))
        return b'<%srow r="%d">' % (self.p, number) + cells + b"</" + self.p + b"row>"

    def _in_place(self, row: _Row, values: dict[int, Any]) -> bytes | None:
        """The row's cells with those of `values` replaced where they are; None when one of
        them is not in the row (then the row is rebuilt in column order)."""
        xml, (start, end) = self.sheet.xml, row.inner
        found = []
        for column, value in values.items():
            cell = _find_cell(xml, start, end, f"{get_column_letter(column)}{row.number}".encode(), self.p)
            if cell is None:
                return None
            found.append((cell, column, value))
        pieces, at = [], start
        for (cell_start, cell_end, attributes), column, value in sorted(found, key=lambda item: item[0][0]):
            self._refuse(xml[cell_start:cell_end], attributes, row.number, column)
            pieces += [xml[at:cell_start], self.cell(row.number, column, value, _style(attributes))]
            at = cell_end
        pieces.append(xml[at:end])
        return b"".join(pieces)

    def _rebuilt(self, row: _Row, values: dict[int, Any]) -> bytes:
        """The row's cells in column order, each naming its position, with `values` put in."""
        xml, values = self.sheet.xml, dict(values)
        cells: list[tuple[int, bytes]] = []
        extension = b""
        if row.inner is not None:
            inner = xml[row.inner[0]:row.inner[1]]
            at = inner.find(b"<" + self.p + b"extLst")
            if at != -1:  # a row's own extensions stay after its cells
                extension = inner[at:]
            seen = 0
            for start, end, column, attributes in self.sheet._cells_of(row):
                seen += 1
                if column in values:
                    self._refuse(xml[start:end], attributes, row.number, column)
                    cells.append((column, self.cell(row.number, column, values.pop(column), _style(attributes))))
                elif b"r" in attributes:
                    cells.append((column, xml[start:end]))
                else:  # give it its position: a cell put before it must not move it
                    tag = len(b"<" + self.p + b"c")
                    reference = f' r="{get_column_letter(column)}{row.number}"'.encode()
                    cells.append((column, xml[start:start + tag] + reference + xml[start + tag:end]))
            if seen != len(self.sheet._cell_tag.findall(xml, *row.inner)):
                raise Unpatchable(f"sheet '{self.sheet.title}': the cells of row {row.number} could not be told apart")
        cells += [(column, self.cell(row.number, column, value, self.sheet._default_style(row.number, column)))
                  for column, value in values.items()]
        columns = [column for column, _ in cells]
        if len(set(columns)) != len(columns):
            raise Unpatchable(f"sheet '{self.sheet.title}': row {row.number} names one cell twice")
        return b"".join(x for _, x in sorted(cells, key=lambda pair: pair[0])) + extension

    def _row_element(self, row: _Row, inner: bytes, cells_added: bool = False) -> bytes:
        attributes = row.attributes.rstrip(b" /")
        if cells_added:  # its columns' span (an optional hint) may no longer be right: dropped
            attributes = re.sub(rb"""\s+spans\s*=\s*("[^"]*"|'[^']*')""", b"", attributes)
        if not row.explicit:
            attributes = b' r="%d"' % row.number + attributes
        return b"<" + self.p + b"row" + attributes + b">" + inner + b"</" + self.p + b"row>"

    def _refuse(self, cell: bytes, attributes: dict[bytes, bytes], row: int, column: int) -> None:
        if b"cm" in attributes or b"vm" in attributes or self._formula.search(cell):
            raise Unpatchable(f"cell {get_column_letter(column)}{row} of sheet '{self.sheet.title}' holds a formula "
                              "or a picture where a value is written: clear that cell, then run again")

    def cell(self, row: int, column: int, value: Any, style: int | None) -> bytes:
        """One cell's XML: `value` at (row, column) in `style` (datetimes: a date style)."""
        if isinstance(value, Unstyled):
            style, value = None, value.value
        if isinstance(value, dt.datetime | dt.date):
            style = self.date_style(style)
        c = self._c
        head = f'<{c} r="{get_column_letter(column)}{row}"' if style is None else \
            f'<{c} r="{get_column_letter(column)}{row}" s="{style}"'
        if value is None or value == "":
            return f"{head}/>".encode()
        if isinstance(value, str):
            text = xml_safe(value)[:MAX_CELL_TEXT]
            space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
            body = escape(text, {"\r": "&#13;"})
            return f'{head} t="inlineStr"><{self._is}><{self._t}{space}>{body}</{self._t}></{self._is}></{c}>' \
                .encode("utf-8")
        if isinstance(value, bool):
            return f'{head} t="b"><{self._v}>{int(value)}</{self._v}></{c}>'.encode()
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        if isinstance(value, dt.datetime):
            value = to_excel(value.replace(tzinfo=None), self.epoch)
        if isinstance(value, int | float) and value == value and abs(value) != float("inf"):
            return f"{head}><{self._v}>{value!r}</{self._v}></{c}>".encode()
        raise TypeError(f"a {type(value).__name__} cannot be written into a cell")


def _find_cell(xml: bytes, start: int, end: int, reference: bytes, p: bytes) -> tuple[int, int, dict[bytes, bytes]] | None:
    """(start, end, attributes) of the cell that names `reference` ("P7") between start and end."""
    open_tag = b"<" + p + b"c"
    close_tag = b"</" + p + b"c>"
    for quoted in (b'"%s"' % reference, b"'%s'" % reference):
        at = xml.find(b"r=" + quoted, start, end)
        while at != -1:
            cell = xml.rfind(b"<", start, at)
            if (xml[cell:cell + len(open_tag)] == open_tag and xml[cell + len(open_tag):cell + len(open_tag) + 1].isspace()
                    and b">" not in xml[cell:at] and xml[at - 1:at].isspace()):
                close = xml.index(b">", at)
                stop = close + 1 if xml[close - 1:close] == b"/" else xml.index(close_tag, close) + len(close_tag)
                return cell, stop, _attributes(xml[cell + len(open_tag):close])
            at = xml.find(b"r=" + quoted, at + 1, end)  # the text of another cell, not a reference
    return None


def _worksheet_extension_start(tail: bytes, p: bytes) -> int:
    """Where the worksheet's own <extLst> starts in `tail` (the XML after the rows), or its end tag."""
    close = tail.rindex(b"</" + p + b"worksheet>")
    depth, top = 0, None
    for token in re.finditer(rb"<(/?)" + re.escape(p) + rb"extLst\b[^>]*?(/?)>", tail[:close]):
        if token.group(1):
            depth -= 1
            if depth == 0 and not tail[token.end():close].strip():
                return top
        elif token.group(2):  # <extLst/>: empty, but still the sheet's last element when nothing follows
            if depth == 0 and not tail[token.end():close].strip():
                return token.start()
        else:
            if depth == 0:
                top = token.start()
            depth += 1
    return close


def _style(attributes: dict[bytes, bytes]) -> int | None:
    style = attributes.get(b"s")
    return int(style) if style else None


def _attributes(text: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTRIBUTE.finditer(text)}


def _int(attributes: dict[bytes, bytes], name: bytes) -> int:
    return int(attributes.get(name, b"0") or 0)
