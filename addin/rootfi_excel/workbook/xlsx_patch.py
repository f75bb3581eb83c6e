"""Save result cells into an .xlsx file by changing only those cells in its package.

openpyxl rewrites every part of a workbook when it saves, which for 50,000 rows takes
longer than validating them. A run that wrote only result cells needs none of that:
`patched` copies the package as it was opened, part by part, and changes only the
result cells in the sheet XML. Every other part (styles, tables, comments, data
validations, defined names, a VBA project, parts openpyxl does not know) is copied
unchanged, byte for byte, and so is every row of a sheet that received no result.

A changed cell keeps its position and style; text is written as an inline string (valid
OOXML, read by Excel, LibreOffice and openpyxl), so the shared strings part is untouched
and a text that starts with "=" can never become a formula.

Only the plain case is handled; `patched` returns None for anything else and the
caller saves through openpyxl as before: a sheet with a namespace prefix, rows or cells
that do not name their position, a missing row, a result cell that holds a formula or
a rich/dynamic value, a date for a cell not already formatted as `DATETIME_FORMAT`, a
1904-based workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from typing import Any, Iterator
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.utils.datetime import to_excel

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OFFICE_DOCUMENT = DOC_RELS + "/officeDocument"

# {sheet title: {(row, column): value}}; values as openpyxl holds them after `xlsx._put`.
Writes = dict[str, dict[tuple[int, int], Any]]

_ROOT = re.compile(rb"<worksheet\b[^>]*>")
_DEFAULT_NS = re.compile(rb"""\sxmlns=["']""" + re.escape(MAIN.encode()) + rb"""["']""")
_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData\b[^>]*>(.*?)</sheetData>", re.DOTALL)
_ROW_TAG = re.compile(rb"<row[\s/>]")
_ROW = re.compile(rb"<row\b([^>]*?)(/>|>(.*?)</row>)", re.DOTALL)
_CELL_TAG = re.compile(rb"<c[\s/>]")
_CELL = re.compile(rb"<c\b([^>]*?)(/>|>(.*?)</c>)", re.DOTALL)
_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


class NotPlain(Exception):
    """The package is not in the plain form this module edits: save through openpyxl."""


def patched(source: bytes, writes: Writes, datetime_format: str) -> bytes | None:
    """The package `source` with the cells of `writes` changed, or None when it cannot be
    done here (then save the whole workbook through openpyxl)."""
    try:
        with zipfile.ZipFile(io.BytesIO(source)) as package:
            parts = _sheet_parts(package)
            date_styles = _styles_with_format(package, datetime_format) if _has_datetimes(writes) else set()
            return _repacked(package, {parts[title]: cells for title, cells in writes.items() if cells}, date_styles)
    except (NotPlain, KeyError, ValueError, ElementTree.ParseError, zipfile.BadZipFile):
        return None


# ------------------------------------------------------------------ the package

def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> the path of its XML part, through the package's relationships."""
    workbook, relationships = _workbook(package)
    root = ElementTree.fromstring(package.read(workbook))
    pr = root.find(f"{{{MAIN}}}workbookPr")
    if pr is not None and pr.get("date1904") in ("1", "true"):
        raise NotPlain("dates counted from 1904")
    by_id = {rel.get("Id"): rel.get("Target") for rel in relationships}
    folder = posixpath.dirname(workbook)
    return {sheet.get("name"): _resolve(folder, by_id[sheet.get(f"{{{DOC_RELS}}}id")])
            for sheet in root.iter(f"{{{MAIN}}}sheet")}


def _workbook(package: zipfile.ZipFile) -> tuple[str, list[ElementTree.Element]]:
    """The workbook part's path and its relationships."""
    workbook = _target("", _relationships(package, "_rels/.rels"), OFFICE_DOCUMENT)
    folder, name = posixpath.split(workbook)
    return workbook, _relationships(package, posixpath.join(folder, "_rels", name + ".rels"))


def _relationships(package: zipfile.ZipFile, path: str) -> list[ElementTree.Element]:
    return list(ElementTree.fromstring(package.read(path)).iter(f"{{{RELS}}}Relationship"))


def _target(folder: str, relationships: list[ElementTree.Element], kind: str) -> str:
    for rel in relationships:
        if rel.get("Type") == kind:
            return _resolve(folder, rel.get("Target"))
    raise NotPlain(f"no {kind} part")


def _resolve(folder: str, target: str) -> str:
    """A relationship target (relative to `folder`, or absolute from the package root) as a zip name."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(folder, target))


def _has_datetimes(writes: Writes) -> bool:
    return any(isinstance(v, dt.datetime) for cells in writes.values() for v in cells.values())


def _styles_with_format(package: zipfile.ZipFile, number_format: str) -> set[int]:
    """Indexes of the cell styles (cellXfs) whose number format is `number_format`."""
    root = ElementTree.fromstring(package.read(_styles_part(package)))
    codes = dict(BUILTIN_FORMATS)
    for fmt in root.iter(f"{{{MAIN}}}numFmt"):
        codes[int(fmt.get("numFmtId"))] = fmt.get("formatCode")
    xfs = root.find(f"{{{MAIN}}}cellXfs")
    if xfs is None:
        return set()
    return {index for index, xf in enumerate(xfs.findall(f"{{{MAIN}}}xf"))
            if codes.get(int(xf.get("numFmtId", 0))) == number_format}


def _styles_part(package: zipfile.ZipFile) -> str:
    workbook, relationships = _workbook(package)
    return _target(posixpath.dirname(workbook), relationships, DOC_RELS + "/styles")


def _repacked(package: zipfile.ZipFile, changes: dict[str, dict[tuple[int, int], Any]], date_styles: set[int]) -> bytes:
    """The package again, entry by entry in the same order, with the cells of `changes`
    ({sheet part: {(row, column): value}}) changed. A changed sheet is written piece by
    piece as it is patched, never held twice in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for info in package.infolist():
            entry = zipfile.ZipInfo(info.filename, info.date_time)
            entry.compress_type = info.compress_type
            entry.external_attr = info.external_attr
            entry.create_system = info.create_system
            if info.filename not in changes:
                out.writestr(entry, package.read(info.filename))
                continue
            with out.open(entry, "w") as stream:
                for piece in _patched_sheet(package.read(info.filename), changes[info.filename], date_styles):
                    stream.write(piece)
    return buffer.getvalue()


# -------------------------------------------------------------------- the sheet

def _patched_sheet(xml: bytes, cells: dict[tuple[int, int], Any], date_styles: set[int]) -> Iterator[bytes]:
    """The sheet's XML with `cells` changed, in pieces: unchanged stretches and changed rows."""
    root = _ROOT.search(xml)
    if root is None or not _DEFAULT_NS.search(root.group()):
        raise NotPlain("the sheet's elements are not in the default namespace")
    data = _SHEET_DATA.search(xml, root.end())
    if data is None or data.group(1) is None:
        raise NotPlain("no rows")
    start, end = data.span(1)
    rows = {}
    for row in _ROW.finditer(xml, start, end):
        number = _attributes(row.group(1)).get(b"r")
        if number is None:
            raise NotPlain("a row without its number")
        rows[int(number)] = row
    if len(rows) != len(_ROW_TAG.findall(xml, start, end)):
        raise NotPlain("rows that could not be told apart")
    by_row: dict[int, dict[int, Any]] = {}
    for (row, column), value in cells.items():
        by_row.setdefault(row, {})[column] = value
    missing = by_row.keys() - rows.keys()
    if missing:
        raise NotPlain(f"row {min(missing)} is not in the sheet")
    view, at = memoryview(xml), 0
    for number in sorted(by_row):
        row = rows[number]
        yield view[at:row.start()]
        yield _patch_row(row, number, by_row[number], date_styles)
        at = row.end()
    yield view[at:]


def _patch_row(row: re.Match, number: int, values: dict[int, Any], date_styles: set[int]) -> bytes:
    """The row's XML with the cells of `values` ({column: value}) replaced; when one of
    them is not in the row yet, the row is rebuilt with it in its place."""
    inner = row.group(3) or b""
    found = []
    for column, value in values.items():
        cell = _find_cell(inner, f"{get_column_letter(column)}{number}".encode())
        if cell is None:
            return _rebuilt_row(row, number, values, date_styles)
        found.append((cell, column, value))
    pieces, at = [], 0
    for (start, end, attributes), column, value in sorted(found, key=lambda item: item[0][0]):
        _refuse_formula(inner[start:end], attributes)
        pieces += [inner[at:start], _cell(number, column, value, attributes.get(b"s"), date_styles)]
        at = end
    pieces.append(inner[at:])
    return _row(row, b"".join(pieces))


def _find_cell(inner: bytes, reference: bytes) -> tuple[int, int, dict[bytes, bytes]] | None:
    """(start, end, attributes) of the cell that names `reference` ("P7") among a row's cells."""
    for quoted in (b'"%s"' % reference, b"'%s'" % reference):
        at = inner.find(b"r=" + quoted)
        while at != -1:
            start = inner.rfind(b"<", 0, at)
            if inner[start:start + 2] == b"<c" and inner[start + 2:start + 3].isspace() \
                    and b">" not in inner[start:at] and inner[at - 1:at].isspace():
                close = inner.index(b">", at)
                end = close + 1 if inner[close - 1:close] == b"/" else inner.index(b"</c>", close) + 4
                return start, end, _attributes(inner[start + 2:close])
            at = inner.find(b"r=" + quoted, at + 1)  # the text of another cell, not a reference
    return None


def _rebuilt_row(row: re.Match, number: int, values: dict[int, Any], date_styles: set[int]) -> bytes:
    """The row's cells in column order, with the cells of `values` replaced or added."""
    inner = row.group(3) or b""
    if b"<extLst" in inner:
        raise NotPlain("a row with extensions")
    values = dict(values)
    cells: list[tuple[int, bytes]] = []  # (column, XML)
    for cell in _CELL.finditer(inner):
        attributes = _attributes(cell.group(1))
        if b"r" not in attributes:
            raise NotPlain("a cell without its reference")
        column = column_index_from_string(coordinate_from_string(attributes[b"r"].decode())[0])
        if column in values:
            _refuse_formula(cell.group(), attributes)
            cells.append((column, _cell(number, column, values.pop(column), attributes.get(b"s"), date_styles)))
        else:
            cells.append((column, cell.group()))
    if len(cells) != len(_CELL_TAG.findall(inner)):
        raise NotPlain("cells that could not be told apart")
    cells += [(column, _cell(number, column, value, None, date_styles)) for column, value in values.items()]
    columns = [column for column, _ in cells]
    if len(set(columns)) != len(columns):
        raise NotPlain("a column twice in one row")
    return _row(row, b"".join(xml for _, xml in sorted(cells, key=lambda pair: pair[0])))


def _row(row: re.Match, inner: bytes) -> bytes:
    """The row element again, with `inner` as its content (an empty `<row .../>` opened up)."""
    return b"<row" + row.group(1).rstrip(b" /") + b">" + inner + b"</row>"


def _refuse_formula(cell: bytes, attributes: dict[bytes, bytes]) -> None:
    if b"<f" in cell or b"cm" in attributes or b"vm" in attributes:
        raise NotPlain("a result cell holds a formula or a rich value")


def _attributes(text: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTRIBUTE.finditer(text)}


def _cell(row: int, column: int, value: Any, style: bytes | None, date_styles: set[int]) -> bytes:
    """One cell's XML: the value at (row, column), keeping the style it had."""
    head = f'<c r="{get_column_letter(column)}{row}"' + (f' s="{style.decode()}"' if style else "")
    if value is None or value == "":  # an empty cell, as openpyxl saves both
        return f"{head}/>".encode()
    if isinstance(value, str):
        space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
        text = escape(value, {"\r": "&#13;"})
        return f'{head} t="inlineStr"><is><t{space}>{text}</t></is></c>'.encode()
    if isinstance(value, bool):
        return f'{head} t="b"><v>{int(value)}</v></c>'.encode()
    if isinstance(value, int | float) and value == value and abs(value) != float("inf"):
        return f"{head}><v>{value!r}</v></c>".encode()
    if isinstance(value, dt.datetime) and style is not None and int(style) in date_styles:
        return f"{head}><v>{to_excel(value)!r}</v></c>".encode()
    raise NotPlain(f"a {type(value).__name__} for a cell not formatted for it")

