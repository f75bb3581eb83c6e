"""An .xlsx package changed part by part: what the add-in owns, and nothing else.

The add-in owns a few things in a workbook: the result cells of its tables (and any
other column the layout declares its own), the tables' ranges when rows typed below them
are taken in, the Lookups and Posted sheets with their tables and defined names, and
the cell styles it adds for dates. `Package` changes exactly those and copies every
other part of the file unchanged, byte for byte: pictures, charts, comments, text
boxes, form controls, header images, a VBA project, custom XML, parts of features that
do not exist yet. Nothing here loads a whole workbook into a model, so nothing can be
dropped by a library that does not know it.

Operations: cells of a sheet (xlsx_patch.SheetXml), a table's range, columns added to
a table, a table written whole (rewritten where it is, or a new table part), a
workbook-level defined name set, a new sheet, column widths. What cannot be done
safely raises `Unpatchable`, naming the cause; `save` then is never reached.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr, unescape

from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

from rootfi_excel.errors import Unpatchable
from rootfi_excel.safe_text import xml_safe
from rootfi_excel.workbook.xlsx_patch import DOC_RELS, MAIN, Cells, SheetXml, _attributes
from rootfi_excel.workbook.xlsx_styles import Styles

PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "[Content_Types].xml"
OFFICE_DOCUMENT = DOC_RELS + "/officeDocument"
REL_WORKSHEET, REL_TABLE, REL_STYLES = DOC_RELS + "/worksheet", DOC_RELS + "/table", DOC_RELS + "/styles"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml."
WORKSHEET_TYPE, TABLE_TYPE, STYLES_TYPE = _TYPE + "worksheet+xml", _TYPE + "table+xml", _TYPE + "styles+xml"
TABLE_STYLE = "TableStyleLight1"
_ENTITIES = {"&quot;": '"', "&apos;": "'"}
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass
class TablePart:
    path: str
    id: int
    name: str  # displayName: what formulas and this add-in call it
    sheet: str | None  # the title of the sheet it is on


class Package:
    def __init__(self, source: bytes) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(source))
            self._infos = self._zip.infolist()
            self._parts = {info.filename for info in self._infos}
            self._changed: dict[str, bytes] = {}  # parts rewritten or added (added ones also in _added)
            self._added: list[str] = []
            self.workbook = _target("", self._relationships("_rels/.rels"), OFFICE_DOCUMENT)
            xml = self.read(self.workbook)
            root = re.search(rb"<(?:([A-Za-z_][\w.-]*):)?workbook\b[^>]*>", xml)
            if root is None:
                raise Unpatchable("its workbook part is not one this version understands")
            self.p = root.group(1) + b":" if root.group(1) else b""
            pr = re.search(rb"<" + re.escape(self.p) + rb"workbookPr\b([^>]*)>", xml)
            date1904 = pr is not None and _attributes(pr.group(1)).get(b"date1904") in (b"1", b"true")
            self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
            self.sheets: dict[str, str] = {}  # sheet title -> part
            by_id = {rel.get("Id"): rel for rel in self._relationships(self._rels_of(self.workbook))}
            folder = posixpath.dirname(self.workbook)
            for match in re.finditer(rb"<" + re.escape(self.p) + rb"sheet\b([^>]*?)/?>", xml):
                attributes = {k.split(b":")[-1]: v for k, v in _attributes(match.group(1)).items()}
                rel = by_id.get(attributes.get(b"id", b"").decode())
                if rel is not None and rel.get("Type") == REL_WORKSHEET:
                    title = unescape(attributes[b"name"].decode(), _ENTITIES)
                    self.sheets[title] = _resolve(folder, rel.get("Target"))
        except (KeyError, ValueError, zipfile.BadZipFile) as error:
            raise Unpatchable(f"its package could not be followed ({type(error).__name__}: {error})") from error
        self._sheet_xml: dict[str, SheetXml] = {}
        self._cells: dict[str, Cells] = {}
        self._widths: dict[str, dict[int, float]] = {}
        self._new_table_rels: dict[str, list[str]] = {}
        self._styles: Styles | None = None
        self._tables: dict[str, TablePart] | None = None
        self.date_format = "yyyy-mm-dd hh:mm"

    # ------------------------------------------------------------------ parts

    def read(self, name: str) -> bytes:
        if name in self._changed:
            return self._changed[name]
        return self._zip.read(name)

    def _write(self, name: str, data: bytes) -> None:
        if name not in self._parts and name not in self._added:
            self._added.append(name)
        self._changed[name] = data

    def _relationships(self, path: str) -> list[dict[str, str]]:
        if path not in self._parts and path not in self._changed:
            return []
        xml = self.read(path)
        return [{k.decode(): unescape(v.decode(), _ENTITIES) for k, v in _attributes(m.group(1)).items()}
                for m in re.finditer(rb"<(?:[\w.-]+:)?Relationship\b([^>]*?)/?>", xml)]

    @staticmethod
    def _rels_of(part: str) -> str:
        folder, name = posixpath.split(part)
        return posixpath.join(folder, "_rels", name + ".rels")

    def _add_relationship(self, part: str, kind: str, target_part: str) -> str:
        """A relationship from `part` to `target_part` (made if the .rels part is missing); its id."""
        path = self._rels_of(part)
        known = {rel.get("Id") for rel in self._relationships(path)}
        number = len(known) + 1
        while f"rId{number}" in known:
            number += 1
        rid = f"rId{number}"
        target = posixpath.relpath(target_part, posixpath.dirname(part) or ".")
        element = f'<Relationship Id="{rid}" Type="{kind}" Target={quoteattr(target)}/>'.encode()
        if path in self._parts or path in self._changed:
            xml = self.read(path)
            close = re.search(rb"</(?:[\w.-]+:)?Relationships>\s*$", xml)
            if close is None:  # <Relationships/>
                xml = re.sub(rb"<((?:[\w.-]+:)?Relationships\b[^>]*?)\s*/>",
                             lambda m: b"<" + m.group(1) + b">" + element + b"</Relationships>", xml, count=1)
            else:
                xml = xml[:close.start()] + element + xml[close.start():]
        else:
            xml = _DECLARATION + f'<Relationships xmlns="{PACKAGE_RELS}">'.encode() + element + b"</Relationships>"
        self._write(path, xml)
        return rid

    def _add_content_type(self, part: str, content_type: str) -> None:
        xml = self.read(CONTENT_TYPES)
        element = f'<Override PartName={quoteattr("/" + part)} ContentType="{content_type}"/>'.encode()
        close = xml.rindex(b"</")
        self._write(CONTENT_TYPES, xml[:close] + element + xml[close:])

    def _free_name(self, pattern: str) -> str:
        number = 1
        while pattern.format(number) in self._parts or pattern.format(number) in self._changed:
            number += 1
        return pattern.format(number)

    # ------------------------------------------------------------------ sheets

    def sheet(self, title: str) -> SheetXml:
        """The sheet's XML, indexed (once): raises Unpatchable when it cannot be changed safely."""
        if title not in self._sheet_xml:
            if title not in self.sheets:
                raise Unpatchable(f"sheet '{title}' is not a worksheet of its package")
            self._sheet_xml[title] = SheetXml(self.read(self.sheets[title]), title)
        return self._sheet_xml[title]

    def check_sheet(self, title: str) -> bool:
        """Raise Unpatchable when the sheet cannot be changed here; whether it holds rich
        values (cm/vm). A quick look: nothing of it is kept (it is read again to be saved)."""
        if title not in self.sheets:
            raise Unpatchable(f"sheet '{title}' is not a worksheet of its package")
        return SheetXml(self.read(self.sheets[title]), title, index=False).has_rich_values()

    def forget(self, title: str) -> None:
        """Let a sheet's XML and index go (it is read again when saved): a big sheet checked
        when its table was read need not be held while the rows are validated and sent."""
        self._sheet_xml.pop(title, None)

    def set_cells(self, title: str, cells: Cells) -> None:
        """Cells to change when saved. The first dict given for a sheet is kept, not copied
        (the workbook adapter passes the one it goes on adding to)."""
        self.sheet(title)
        if title in self._cells:
            self._cells[title].update(cells)
        else:  # kept as given, not copied: a sheet's 350,000 result cells need not be held twice
            self._cells[title] = cells

    def set_widths(self, title: str, widths: dict[int, float]) -> None:
        self._widths.setdefault(title, {}).update(widths)

    def add_sheet(self, title: str, *, one_page: bool = False) -> None:
        """A new, empty worksheet after the others (one_page: printed landscape, fitted to one page)."""
        if title in self.sheets:
            return
        part = self._free_name(posixpath.join(posixpath.dirname(self.workbook), "worksheets", "sheet{}.xml"))
        fit = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if one_page else ""
        setup = '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="1"/>' if one_page else ""
        self._write(part, _DECLARATION + f'<worksheet xmlns="{MAIN}" xmlns:r="{DOC_RELS}">{fit}<sheetData/>'
                    f'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                    f"{setup}</worksheet>".encode())
        self._add_content_type(part, WORKSHEET_TYPE)
        rid = self._add_relationship(self.workbook, REL_WORKSHEET, part)
        xml = self.read(self.workbook)
        numbers = [int(n) for n in re.findall(rb"""\bsheetId\s*=\s*["'](\d+)""", xml)]
        p = self.p
        prefix = self._prefix_of(xml, DOC_RELS)
        declare = "" if prefix else f' xmlns:r="{DOC_RELS}"'
        element = (f"<{p.decode()}sheet{declare} name={quoteattr(xml_safe(title))} "
                   f'sheetId="{max(numbers, default=0) + 1}" {prefix or "r"}:id="{rid}"/>').encode()
        close = xml.index(b"</" + p + b"sheets>")
        self._write(self.workbook, xml[:close] + element + xml[close:])
        self.sheets[title] = part

    @staticmethod
    def _prefix_of(xml: bytes, namespace: str) -> str | None:
        """The prefix the workbook part's root element gives `namespace`, if any."""
        root = re.search(rb"<(?:[\w.-]+:)?workbook\b[^>]*>", xml)
        found = re.search(rb"""xmlns:([\w.-]+)\s*=\s*["']""" + re.escape(namespace.encode()) + rb"""["']""",
                          root.group() if root else b"")
        return found.group(1).decode() if found else None

    # ------------------------------------------------------------------ tables

    def tables(self) -> dict[str, TablePart]:
        """Every table of the workbook by its name in lower case (names are workbook-wide)."""
        if self._tables is None:
            self._tables = {}
            for title, part in self.sheets.items():
                for rel in self._relationships(self._rels_of(part)):
                    if rel.get("Type") != REL_TABLE or rel.get("TargetMode") == "External":
                        continue
                    path = _resolve(posixpath.dirname(part), rel["Target"])
                    root = re.search(rb"<(?:[\w.-]+:)?table\b([^>]*)>", self.read(path))
                    attributes = _attributes(root.group(1)) if root else {}
                    name = unescape(attributes.get(b"displayName", attributes.get(b"name", b"")).decode(), _ENTITIES)
                    self._tables[name.lower()] = TablePart(path, int(attributes.get(b"id", b"0")), name, title)
        return self._tables

    def set_table_ref(self, name: str, ref: str) -> None:
        """A table's range (and its filter's) changed: rows taken in below it."""
        table = self.tables()[name.lower()]
        self._write(table.path, _with_ref(self.read(table.path), ref))

    def add_table_columns(self, name: str, headers: list[str]) -> str:
        """Columns added at a table's right edge: their header cells written, the table's
        range and its columns extended. The cells they cover must be empty (the caller
        checks). Returns the new range."""
        table = self.tables()[name.lower()]
        xml = self.read(table.path)
        root = re.search(rb"<(?:([\w.-]+):)?table\b([^>]*)>", xml)
        p = (root.group(1) + b":") if root.group(1) else b""
        left, top, right, bottom = range_boundaries(_attributes(root.group(2))[b"ref"].decode())
        columns = re.search(rb"<" + re.escape(p) + rb"tableColumns\b([^>]*)>(.*?)</" + re.escape(p) + rb"tableColumns>",
                            xml, re.DOTALL)
        if columns is None:
            raise Unpatchable(f"table {name} has no list of columns")
        ids = [int(i) for i in re.findall(rb"""<""" + re.escape(p) + rb"""tableColumn\b[^>]*?\bid\s*=\s*["'](\d+)""",
                                          columns.group(2))]
        new = b"".join(b"<%stableColumn id=\"%d\" name=%s/>" % (p, max(ids, default=0) + n,
                                                                 quoteattr(xml_safe(h)).encode())
                       for n, h in enumerate(headers, start=1))
        attributes = re.sub(rb"""\s*\bcount\s*=\s*("[^"]*"|'[^']*')""", b"", columns.group(1))
        element = b"<%stableColumns%s count=\"%d\">" % (p, attributes, len(ids) + len(headers)) + columns.group(2) \
            + new + b"</" + p + b"tableColumns>"
        ref = f"{get_column_letter(left)}{top}:{get_column_letter(right + len(headers))}{bottom}"
        self._write(table.path, _with_ref(xml[:columns.start()] + element + xml[columns.end():], ref))
        self.set_cells(table.sheet, {(top, right + n): h for n, h in enumerate(headers, start=1)})
        return ref

    def write_table(self, title: str, name: str, ref: str, headers: list[str]) -> None:
        """A table of the add-in's own (a live list, the Posted report) written whole: its
        part rewritten where it is (same id), or a new part added to the sheet."""
        headers = [xml_safe(str(h)) for h in headers]
        tables = self.tables()
        known = tables.get(name.lower())
        if known is not None and known.sheet != title:
            raise Unpatchable(f"sheet '{known.sheet}' already has a table named {name}; rename that table")
        if known is not None:
            self._write(known.path, _table_xml(known.id, name, ref, headers))
            return
        part = self._free_name("xl/tables/table{}.xml")
        number = max([t.id for t in tables.values()], default=0) + 1
        self._write(part, _table_xml(number, name, ref, headers))
        self._add_content_type(part, TABLE_TYPE)
        sheet_part = self.sheets[title]
        rid = self._add_relationship(sheet_part, REL_TABLE, part)
        self._new_table_rels.setdefault(title, []).append(rid)
        tables[name.lower()] = TablePart(part, number, name, title)

    # ------------------------------------------------------------- defined names

    def defined_name(self, name: str) -> str | None:
        """The text of a workbook-level defined name, or None."""
        found = self._find_name(self.read(self.workbook), name)
        return None if found is None else unescape(found.group(3).decode(), _ENTITIES)

    def set_defined_name(self, name: str, text: str) -> None:
        """A workbook-level defined name (not one local to a sheet) made or pointed at `text`."""
        xml, p = self.read(self.workbook), self.p
        body = escape(xml_safe(text)).encode()
        found = self._find_name(xml, name)
        if found is not None:
            xml = xml[:found.start(3)] + body + xml[found.end(3):]
        else:
            element = b"<%sdefinedName name=%s>" % (p, quoteattr(name).encode()) + body + b"</" + p + b"definedName>"
            names = re.search(rb"<" + re.escape(p) + rb"definedNames\b[^>]*?(/?)>", xml)
            if names is not None and not names.group(1):
                close = xml.index(b"</" + p + b"definedNames>", names.end())
                xml = xml[:close] + element + xml[close:]
            else:
                wrapped = b"<" + p + b"definedNames>" + element + b"</" + p + b"definedNames>"
                if names is not None:  # <definedNames/>
                    xml = xml[:names.start()] + wrapped + xml[names.end():]
                else:  # after what comes before it: sheets, functionGroups, externalReferences
                    at = max(_end_of(xml, p, tag) for tag in (b"sheets", b"functionGroups", b"externalReferences"))
                    xml = xml[:at] + wrapped + xml[at:]
        self._write(self.workbook, xml)

    def _find_name(self, xml: bytes, name: str) -> re.Match | None:
        p = re.escape(self.p)
        for match in re.finditer(rb"<" + p + rb"definedName\b([^>]*)(>)(.*?)</" + p + rb"definedName>", xml, re.DOTALL):
            attributes = _attributes(match.group(1))
            if (b"localSheetId" not in attributes
                    and unescape(attributes.get(b"name", b"").decode(), _ENTITIES).lower() == name.lower()):
                return match
        return None

    # ------------------------------------------------------------------ styles

    def styles(self) -> Styles:
        if self._styles is None:
            rels = self._relationships(self._rels_of(self.workbook))
            target = next((_resolve(posixpath.dirname(self.workbook), r["Target"]) for r in rels
                           if r.get("Type") == REL_STYLES), None)
            self._styles_part = target
            self._styles = Styles(self.read(target) if target else None)
        return self._styles

    def date_style(self, style: int | None) -> int:
        return self.styles().datetime_style(style, self.date_format)

    # ------------------------------------------------------------------ saving

    def save(self) -> bytes:
        """The package with every change made; every other part as it was. A changed sheet
        is written into the new package piece by piece as it is patched, never held whole."""
        rendered = {}
        for title in set(self._cells) | set(self._widths) | set(self._new_table_rels):
            sheet, cells = self.sheet(title), self._cells.get(title, {})
            for (row, column), value in cells.items():  # the date styles first: the styles part may come first
                if isinstance(value, dt.date):
                    self.date_style(sheet.base_style(row, column))
            rendered[self.sheets[title]] = (sheet, cells, self._widths.get(title), self._new_table_rels.get(title))
        if self._styles is not None and self._styles.changed:
            if self._styles.created:
                part = posixpath.join(posixpath.dirname(self.workbook), "styles.xml")
                self._add_content_type(part, STYLES_TYPE)
                self._add_relationship(self.workbook, REL_STYLES, part)
                self._styles_part = part
            self._write(self._styles_part, self._styles.render())
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as out:
            out.comment = self._zip.comment
            stamp = self._infos[0].date_time if self._infos else (1980, 1, 1, 0, 0, 0)
            entries = []
            for info in self._infos:
                entry = zipfile.ZipInfo(info.filename, info.date_time)
                entry.compress_type, entry.external_attr = info.compress_type, info.external_attr
                entry.create_system = info.create_system
                entries.append(entry)
            for name in self._added:
                entry = zipfile.ZipInfo(name, stamp)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entries.append(entry)
            for entry in entries:
                if entry.filename in rendered:
                    sheet, cells, widths, tables = rendered[entry.filename]
                    with out.open(entry, "w") as stream:
                        for piece in sheet.render(cells, self.date_style, self.epoch, widths=widths,
                                                  table_parts=tables):
                            stream.write(piece)
                    continue
                changed = self._changed.get(entry.filename)
                out.writestr(entry, self._zip.read(entry.filename) if changed is None else changed)
        return buffer.getvalue()


def _with_ref(xml: bytes, ref: str) -> bytes:
    """A table part with its range (and its filter's) set to `ref`."""
    def replace(match: re.Match) -> bytes:
        return re.sub(rb"""(\sref\s*=\s*)(["'])[^"']*\2""", lambda m: m.group(1) + b'"' + ref.encode() + b'"',
                      match.group(), count=1)

    xml = re.sub(rb"<(?:[\w.-]+:)?table\b[^>]*>", replace, xml, count=1)
    return re.sub(rb"<(?:[\w.-]+:)?autoFilter\b[^>]*>", replace, xml, count=1)


def _table_xml(number: int, name: str, ref: str, headers: list[str]) -> bytes:
    columns = "".join(f'<tableColumn id="{i}" name={quoteattr(h)}/>' for i, h in enumerate(headers, start=1))
    return _DECLARATION + (
        f'<table xmlns="{MAIN}" id="{number}" name={quoteattr(name)} displayName={quoteattr(name)} ref="{ref}">'
        f'<autoFilter ref="{ref}"/><tableColumns count="{len(headers)}">{columns}</tableColumns>'
        f'<tableStyleInfo name="{TABLE_STYLE}" showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
        'showColumnStripes="0"/></table>').encode("utf-8")


def _end_of(xml: bytes, p: bytes, tag: bytes) -> int:
    """Where the element `tag` ends in the workbook part (0 when it has none)."""
    close = xml.find(b"</" + p + tag + b">")
    if close != -1:
        return close + len(b"</" + p + tag + b">")
    empty = re.search(rb"<" + re.escape(p + tag) + rb"\b[^>]*/>", xml)
    return empty.end() if empty else 0


def _target(folder: str, relationships: list[dict[str, str]], kind: str) -> str:
    for rel in relationships:
        if rel.get("Type") == kind:
            return _resolve(folder, rel["Target"])
    raise Unpatchable("its package has no workbook part")


def _resolve(folder: str, target: str) -> str:
    """A relationship target (relative to `folder`, or absolute from the package root) as a zip name."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(folder, target))

