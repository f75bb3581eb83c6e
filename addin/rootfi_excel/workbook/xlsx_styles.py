"""Cell styles for dates written into cells that have none: appended to the styles part.

A datetime written into a cell whose style is not a date-and-time format (a book filled
by a script, a column someone formatted as text) would show as a bare number. The cell
gets a new style instead: a copy of its own (font, fill, border, alignment kept) with
the date format, appended at the end of the styles part's cell formats, so every style
index already in use keeps its meaning and the rest of the part stays byte for byte.
A workbook without a styles part gets a small one.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr, unescape

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_datetime

from rootfi_excel.errors import Unpatchable
from rootfi_excel.workbook.xlsx_patch import MAIN, _attributes

FIRST_CUSTOM_FORMAT = 164  # ids below are Excel's built-in number formats
_ENTITIES = {"&quot;": '"', "&apos;": "'"}

MINIMAL = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
).encode()


class Styles:
    def __init__(self, xml: bytes | None) -> None:
        self.created = xml is None  # the package had no styles part: this one is new
        self.xml = MINIMAL if xml is None else xml
        root = re.search(rb"<(?:([A-Za-z_][\w.-]*):)?styleSheet\b[^>]*>", self.xml)
        if root is None:
            raise Unpatchable("its styles part is not one this version understands")
        self.p = root.group(1) + b":" if root.group(1) else b""
        self.root_end = root.end()
        p = re.escape(self.p)
        self._numfmts = re.compile(rb"<" + p + rb"numFmts\b([^>]*?)(?:/>|>(.*?)</" + p + rb"numFmts>)",
                                   re.DOTALL).search(self.xml)
        self.codes: dict[int, str] = dict(BUILTIN_FORMATS)
        if self._numfmts is not None and self._numfmts.group(2):
            for match in re.finditer(rb"<" + p + rb"numFmt\b([^>]*?)/?>", self._numfmts.group(2)):
                attributes = _attributes(match.group(1))
                self.codes[int(attributes[b"numFmtId"])] = unescape(attributes.get(b"formatCode", b"").decode(),
                                                                    _ENTITIES)
        self._cell_xfs = re.compile(rb"<" + p + rb"cellXfs\b([^>]*?)>(.*?)</" + p + rb"cellXfs>",
                                    re.DOTALL).search(self.xml)
        if self._cell_xfs is None:
            raise Unpatchable("its styles part has no cell formats")
        self.xfs = re.findall(rb"<" + p + rb"xf\b[^>]*?/>|<" + p + rb"xf\b[^>]*?[^/]>.*?</" + p + rb"xf>",
                              self._cell_xfs.group(2), re.DOTALL)
        if not self.xfs:
            raise Unpatchable("its styles part has no cell formats")
        self._added: list[bytes] = []
        self._new_formats: dict[str, int] = {}
        self._dated: dict[int, int] = {}

    @property
    def changed(self) -> bool:
        return bool(self._added)

    def number_format(self, style: int | None) -> str:
        xfs = self.xfs + self._added
        xf = xfs[style or 0] if (style or 0) < len(xfs) else xfs[0]
        return self.codes.get(int(_attributes(xf).get(b"numFmtId", b"0") or 0), "General")

    def datetime_style(self, style: int | None, number_format: str) -> int:
        """The style index for a datetime in a cell of `style`: that style when it already
        shows dates with times, else (once per style) a copy of it with `number_format`."""
        base = style or 0
        if base not in self._dated:
            if base >= len(self.xfs):
                raise Unpatchable(f"a cell names style {base}, which its styles part does not have")
            self._dated[base] = base if is_datetime(self.number_format(base)) == "datetime" else \
                self._dated_copy(base, number_format)
        return self._dated[base]

    def _dated_copy(self, base: int, number_format: str) -> int:
        """A new cell style: style `base` with `number_format` (appended; its index)."""
        number = self._format_id(number_format)
        xf = self.xfs[base]
        head_end = xf.index(b">")
        head = xf[:head_end].rstrip(b"/")
        rest = xf[len(head):]
        head = re.sub(rb"""\s(?:numFmtId|applyNumberFormat)\s*=\s*("[^"]*"|'[^']*')""", b"", head)
        self._added.append(head + b' numFmtId="%d" applyNumberFormat="1"' % number + rest)
        return len(self.xfs) + len(self._added) - 1

    def _format_id(self, code: str) -> int:
        for number, known in self.codes.items():
            if known == code:
                return number
        if code not in self._new_formats:
            self._new_formats[code] = max([FIRST_CUSTOM_FORMAT - 1, *self.codes, *self._new_formats.values()]) + 1
        return self._new_formats[code]

    def render(self) -> bytes:
        """The styles part with the new formats and cell styles appended."""
        xml, p = self.xml, self.p
        xfs = self._cell_xfs
        count = len(self.xfs) + len(self._added)
        attributes = re.sub(rb"""\s*\bcount\s*=\s*("[^"]*"|'[^']*')""", b"", xfs.group(1))
        new_xfs = b"<%scellXfs%s count=\"%d\">" % (p, attributes, count) + xfs.group(2) + b"".join(self._added) \
            + b"</" + p + b"cellXfs>"
        xml = xml[:xfs.start()] + new_xfs + xml[xfs.end():]
        if not self._new_formats:
            return xml
        formats = b"".join(b"<%snumFmt numFmtId=\"%d\" formatCode=%s/>" % (p, number, quoteattr(code).encode())
                           for code, number in self._new_formats.items())
        found = self._numfmts
        if found is None:  # numFmts is the first thing in a styles part
            return xml[:self.root_end] + b'<%snumFmts count="%d">' % (p, len(self._new_formats)) + formats \
                + b"</" + p + b"numFmts>" + xml[self.root_end:]
        old = found.group(2) or b""
        count = len(re.findall(rb"<" + re.escape(p) + rb"numFmt\b", old)) + len(self._new_formats)
        attributes = re.sub(rb"""\s*\bcount\s*=\s*("[^"]*"|'[^']*')""", b"", found.group(1).rstrip(b" /"))
        element = b"<%snumFmts%s count=\"%d\">" % (p, attributes, count) + old + formats + b"</" + p + b"numFmts>"
        return xml[:found.start()] + element + xml[found.end():]
