"""Graft the template's sheets into a workbook that some other program made (Excel, LibreOffice).

An accountant's workbook is not our template: it has its own sheets, pictures, charts,
buttons. To try the commands on such files, the template's sheets (the two tables,
Settings, Integration Fields, Lookups) are added to a foreign package as new parts,
leaving every part it had exactly as it was. The template's cells keep their values but
not their styles (the foreign styles part is not touched, so its style numbers mean
other things): dates arrive as serial numbers, result cells without a date format, as
in a book filled by a script. Text is inlined (the foreign shared strings are not
touched either). Only the template's tables and data validations come along, and its
workbook-level defined names (the dropdown lists).

Test support only, written without the add-in's own package code, so that the code
under test does not check itself.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.sax.saxutils import escape, quoteattr, unescape

from rootfi_excel.sheets.layout import (
    CREDIT_NOTE_LINES,
    INTEGRATION_FIELDS_SHEET,
    LOOKUPS_SHEET,
    PAYMENTS,
    SETTINGS_SHEET,
)

GRAFTED = (PAYMENTS.sheet, CREDIT_NOTE_LINES.sheet, SETTINGS_SHEET, INTEGRATION_FIELDS_SHEET, LOOKUPS_SHEET)
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
TABLE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attributes(text: str) -> dict[str, str]:
    return {m.group(1): unescape(m.group(2) if m.group(2) is not None else m.group(3), {"&quot;": '"'})
            for m in _ATTRIBUTE.finditer(text)}


def _parts(data: bytes) -> tuple[list[zipfile.ZipInfo], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.infolist(), {info.filename: package.read(info.filename) for info in package.infolist()}


def _rels(parts: dict[str, bytes], part: str) -> list[dict[str, str]]:
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", name + ".rels")
    if path not in parts:
        return []
    return [_attributes(m.group(1)) for m in re.finditer(r"<Relationship\b([^>]*?)/?>", parts[path].decode())]


def _resolve(folder: str, target: str) -> str:
    return target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))


def _sheets(parts: dict[str, bytes]) -> dict[str, str]:
    workbook = "xl/workbook.xml"
    by_id = {rel["Id"]: rel for rel in _rels(parts, workbook)}
    found = {}
    for match in re.finditer(r"<sheet\b([^>]*?)/?>", parts[workbook].decode()):
        attributes = _attributes(match.group(1))
        found[attributes["name"]] = _resolve("xl", by_id[attributes["r:id"]]["Target"])
    return found


def _inline(xml: str, strings: list[str]) -> str:
    """Shared-string cells as inline strings; styles dropped; what points elsewhere dropped."""
    def cell(match: re.Match) -> str:
        head, body = re.sub(r'\s(s|cm|vm)="[^"]*"', "", match.group(1)).rstrip(" /"), match.group(3)
        if body is None:
            return f"<c{head}/>"
        if re.search(r'\st="s"', head):
            index = int(re.search(r"<v>(\d+)</v>", body).group(1))
            head = re.sub(r'\st="s"', ' t="inlineStr"', head)
            body = f'<is><t xml:space="preserve">{escape(strings[index])}</t></is>'
        return f"<c{head}>{body}</c>"

    xml = re.sub(r"<c\b([^>]*?)(/>|>(.*?)</c>)", cell, xml, flags=re.DOTALL)
    xml = re.sub(r'(<(?:row|col)\b[^>]*?)\s(s|style)="[^"]*"', r"\1", xml)
    xml = re.sub(r'(<row\b[^>]*?)\scustomFormat="[^"]*"', r"\1", xml)
    xml = re.sub(r"<conditionalFormatting\b.*?</conditionalFormatting>", "", xml, flags=re.DOTALL)
    xml = re.sub(r"<(legacyDrawing|drawing|legacyDrawingHF|picture)\b[^>]*/>", "", xml)
    xml = re.sub(r"<tableParts\b.*?</tableParts>|<tableParts\b[^>]*/>", "", xml, flags=re.DOTALL)
    return xml


def _shared_strings(parts: dict[str, bytes]) -> list[str]:
    xml = parts.get("xl/sharedStrings.xml", b"").decode()
    strings = []
    for item in re.finditer(r"<si>(.*?)</si>", xml, re.DOTALL):
        strings.append(unescape("".join(re.findall(r"<t\b[^>]*>(.*?)</t>", item.group(1), re.DOTALL)),
                                {"&quot;": '"', "&apos;": "'"}))
    return strings


def graft(foreign: bytes, template: bytes) -> bytes:
    """The foreign package with the template's sheets (GRAFTED) added after its own."""
    infos, parts = _parts(foreign)
    _, source = _parts(template)
    strings = _shared_strings(source)
    template_sheets = _sheets(source)
    added: dict[str, bytes] = {}
    workbook = parts["xl/workbook.xml"].decode()
    workbook_rels = parts["xl/_rels/workbook.xml.rels"].decode()
    types = parts["[Content_Types].xml"].decode()
    rel_ids = set(re.findall(r'Id="([^"]+)"', workbook_rels))
    sheet_ids = [int(n) for n in re.findall(r'sheetId="(\d+)"', workbook)]
    table_ids = [int(n) for name, data in parts.items() if name.startswith("xl/tables/")
                 for n in re.findall(rb'<table\b[^>]*?\sid="(\d+)"', data)]
    names_used = {name for name in parts}

    def free(pattern: str) -> str:
        number = 1
        while pattern.format(number) in names_used:
            number += 1
        names_used.add(pattern.format(number))
        return pattern.format(number)

    sheet_elements, overrides, relationships = [], [], []
    for title in GRAFTED:
        part = template_sheets[title]
        xml = _inline(source[part].decode(), strings)
        new_part = free("xl/worksheets/sheet{}.xml")
        table_rels = []
        for rel in _rels(source, part):
            if not rel["Type"].endswith("/table"):
                continue
            table = source[_resolve(posixpath.dirname(part), rel["Target"])].decode()
            number = max(table_ids, default=0) + 1
            table_ids.append(number)
            table = re.sub(r'(<table\b[^>]*?\sid=")\d+"', rf'\g<1>{number}"', table, count=1)
            table = re.sub(r'\s(headerRowDxfId|dataDxfId|totalsRowDxfId|headerRowCellStyle|dataCellStyle)="[^"]*"',
                           "", table)
            table_part = free("xl/tables/table{}.xml")
            added[table_part] = table.encode()
            overrides.append(f'<Override PartName="/{table_part}" ContentType="{TABLE_TYPE}"/>')
            table_rels.append((f"rIdT{len(table_rels) + 1}", table_part))
        if table_rels:
            parts_xml = "".join(f'<tablePart r:id="{rid}"/>' for rid, _ in table_rels)
            element = f'<tableParts xmlns:r="{R}" count="{len(table_rels)}">{parts_xml}</tableParts>'
            at = xml.rindex("</worksheet>")  # the template's sheets have no extensions to come after
            xml = xml[:at] + element + xml[at:]
            rels = "".join(f'<Relationship Id="{rid}" Type="{R}/table" Target="../tables/{posixpath.basename(t)}"/>'
                           for rid, t in table_rels)
            folder, name = posixpath.split(new_part)
            added[posixpath.join(folder, "_rels", name + ".rels")] = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
                f'"http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>').encode()
        added[new_part] = xml.encode()
        overrides.append(f'<Override PartName="/{new_part}" ContentType="{WORKSHEET_TYPE}"/>')
        rid = "rIdG1"
        while rid in rel_ids:
            rid = f"rIdG{int(rid[4:]) + 1}"
        rel_ids.add(rid)
        relationships.append(f'<Relationship Id="{rid}" Type="{R}/worksheet" '
                             f'Target="{posixpath.relpath(new_part, "xl")}"/>')
        sheet_ids.append(max(sheet_ids, default=0) + 1)
        sheet_elements.append(f'<sheet name={quoteattr(title)} sheetId="{sheet_ids[-1]}" r:id="{rid}"/>')

    workbook = workbook.replace("</sheets>", "".join(sheet_elements) + "</sheets>", 1)
    names = [m.group() for m in re.finditer(r"<definedName\b([^>]*)>.*?</definedName>", source["xl/workbook.xml"].decode())
             if "localSheetId" not in m.group(1)]
    if names:
        if "</definedNames>" in workbook:
            workbook = workbook.replace("</definedNames>", "".join(names) + "</definedNames>", 1)
        else:
            workbook = workbook.replace("</sheets>", "</sheets><definedNames>" + "".join(names) + "</definedNames>", 1)
    parts["xl/workbook.xml"] = workbook.encode()
    parts["xl/_rels/workbook.xml.rels"] = workbook_rels.replace("</Relationships>", "".join(relationships)
                                                                + "</Relationships>").encode()
    parts["[Content_Types].xml"] = types.replace("</Types>", "".join(overrides) + "</Types>").encode()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in infos:
            out.writestr(info, parts[info.filename])
        for name, data in added.items():
            out.writestr(name, data)
    return buffer.getvalue()
