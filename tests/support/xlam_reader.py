"""Read a built .xlam back without the build's own code: the zip with the standard
library, the VBA with oletools (olefile + olevba), the config sheet from its XML."""

from __future__ import annotations

import io
import posixpath
import re
import warnings
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

import olefile

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # oletools' own pyparsing calls, at import
    from oletools.olevba import VBA_Parser, VBA_Project

__all__ = ["VBA_Parser", "config_rows", "parts", "read_vba", "read_vba_bin", "relationships", "sheet_cells",
           "vba_string_concatenation"]

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class OleModule:
    name: str  # MODULENAME in the dir stream
    stream: str  # MODULESTREAMNAME
    code: str  # decompressed source, decoded with the project's code page


@dataclass
class OleProject:
    name: str  # PROJECTNAME in the dir stream
    code_page: int
    modules: dict[str, OleModule]
    project_stream: str  # the PROJECT stream's text
    streams: list[str]  # every stream path in vbaProject.bin


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def read_vba(path: Path) -> OleProject:
    """oletools' parser of the dir stream and modules, on the package's vbaProject.bin."""
    return read_vba_bin(parts(path)["xl/vbaProject.bin"])


def read_vba_bin(vba_project: bytes) -> OleProject:
    ole = olefile.OleFileIO(io.BytesIO(vba_project))
    try:
        project = VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)
        project.parse_project_stream()
        listed = list(project.parse_modules())
        modules = {}
        for module, (_path, _filename, code) in zip(project.modules, listed):
            modules[module.name] = OleModule(module.name, module.streamname, code)
        text = ole.openstream("PROJECT").read().decode(project.codec)
        streams = ["/".join(entry) for entry in ole.listdir()]
        return OleProject(project.projectname, project.codepage, modules, text, streams)
    finally:
        ole.close()


def relationships(all_parts: dict[str, bytes], rels_part: str) -> list[dict[str, str]]:
    """A .rels part's relationships, each with 'resolved': the target's part name."""
    folder = posixpath.dirname(posixpath.dirname(rels_part))
    found = []
    for element in ET.fromstring(all_parts[rels_part]).iter(f"{REL}Relationship"):
        item = dict(element.attrib)
        target = item["Target"]
        item["resolved"] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
        found.append(item)
    return found


def sheet_cells(all_parts: dict[str, bytes], sheet_name: str) -> dict[str, str]:
    """{'A1': text, ...} of a worksheet found by name through workbook.xml and its rels."""
    workbook = ET.fromstring(all_parts["xl/workbook.xml"])
    sheets = {s.get("name"): s.get(R_ID) for s in workbook.iter(f"{MAIN}sheet")}
    rel_id = sheets[sheet_name]
    part = next(r["resolved"] for r in relationships(all_parts, "xl/_rels/workbook.xml.rels") if r["Id"] == rel_id)
    shared = [
        "".join(t.text or "" for t in si.iter(f"{MAIN}t"))
        for si in ET.fromstring(all_parts["xl/sharedStrings.xml"]).iter(f"{MAIN}si")
    ]
    cells = {}
    for cell in ET.fromstring(all_parts[part]).iter(f"{MAIN}c"):
        value = cell.find(f"{MAIN}v")
        if value is None:
            continue
        cells[cell.get("r")] = shared[int(value.text)] if cell.get("t") == "s" else value.text
    return cells


def config_rows(cells: dict[str, str]) -> list[tuple[str, str]]:
    """Rows as xlwings' GetConfigFromSheet reads them: from A1 down to the first blank A."""
    rows = []
    row = 1
    while cells.get(f"A{row}"):
        rows.append((cells[f"A{row}"], cells.get(f"B{row}", "")))
        row += 1
    return rows


def vba_string_concatenation(expression: str, tag: str) -> str:
    """What `"..." & control.Tag & "..."` evaluates to in VBA for a given tag."""
    pieces = re.findall(r'"((?:[^"]|"")*)"|(control\.Tag)', expression)
    return "".join(tag if variable else literal.replace('""', '"') for literal, variable in pieces)
