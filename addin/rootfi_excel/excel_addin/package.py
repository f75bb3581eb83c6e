"""Edits to the add-in's package (the .xlam zip) that are not VBA module source.

- the ribbon: `customUI/customUI.xml`, replaced by ours. Its relationship from
  `_rels/.rels` gets the type that goes with the part's namespace (2006/01, Office 2007
  and later): the quickstart template relates it with the Office 2010 type, while
  xlwings' own add-in (xlwings.xlam, on every xlwings user's Excel, Windows and macOS)
  uses exactly our pairing;
- the config sheet: `_myaddin.conf` (inactive in the template) becomes `rootfi.conf`
  with our settings, the name xlwings' VBA reads;
- the title and description Excel's Add-ins dialog shows, and ours as its author and last
  editor (docProps/core.xml: the template names its author); the template's `absPath`
  (the folder it was last saved in, on its author's computer) is removed from
  workbook.xml: Excel writes it again whenever it saves a workbook, never reads it;
- the VBA project's name, "MyAddin" -> "RootFi", in the two places [MS-OVBA] keeps it
  (the PROJECTNAME record of the `VBA/dir` stream and `Name=` in the PROJECT stream).
  pyOpenVBA has no call for this one edit, so it is done here with pyOpenVBA's own
  compound-file reader/writer and stream codec; pyOpenVBA parses and checks the result
  when it sets the module source afterwards;
- the PROJECT stream's `[Workspace]` records of the modules the build adds, written
  where Excel writes them: right after the other records, before the section's closing
  blank line (pyOpenVBA appends a new module's record after that blank line, and keeps
  a record that is already there).

Every edit is made on the template's exact text and refuses to guess: if a newer
xlwings template does not look as expected, the build stops and says what it missed.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from xml.sax.saxutils import escape

from pyopenvba.cfb import CFB
from pyopenvba.vba import compress, decompress

from rootfi_excel.errors import PackageError

TEMPLATE_CONFIG_SHEET = "_myaddin.conf"
WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS_PART = "xl/_rels/workbook.xml.rels"
SHARED_STRINGS_PART = "xl/sharedStrings.xml"
CORE_PART = "docProps/core.xml"
VBA_PART = "xl/vbaProject.bin"
ROOT_RELS_PART = "_rels/.rels"

TITLE = "RootFi for Excel"
AUTHOR = "RootFi for Excel (rootfi-excel addin build)"  # dc:creator and cp:lastModifiedBy
DESCRIPTION = "Validate and submit invoice payments and credit notes through the RootFi API: the RootFi ribbon tab."

_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CELL_STYLE = 1  # the template's style for its config cells


def edit_package(template: bytes, *, custom_ui: bytes, custom_ui_part: str, custom_ui_relationship: str,
                 config_rows: list[tuple[str, str]], config_sheet: str, project_name: str,
                 template_project_name: str, new_modules: tuple[str, ...] = ()) -> bytes:
    """The template with our ribbon, config sheet, titles and project name: a new zip."""
    with zipfile.ZipFile(io.BytesIO(template)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
        infos = source.infolist()
    sheet_part = config_sheet_part(parts)
    replaced = {
        custom_ui_part: custom_ui,
        WORKBOOK_PART: _without_abs_path(_rename_sheet(parts[WORKBOOK_PART], TEMPLATE_CONFIG_SHEET, config_sheet)),
        sheet_part: _sheet_with_rows(parts[sheet_part], len(config_rows)),
        SHARED_STRINGS_PART: _shared_strings([text for row in config_rows for text in row]),
        CORE_PART: _core_properties(parts[CORE_PART]),
        ROOT_RELS_PART: _ribbon_relationship(parts[ROOT_RELS_PART], custom_ui_part, custom_ui_relationship),
        VBA_PART: rename_vba_project(parts[VBA_PART], template_project_name, project_name, new_modules),
    }
    missing = set(replaced) - set(parts)
    if missing:
        raise PackageError(f"xlwings' add-in template has no {sorted(missing)}")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in infos:  # the same parts in the same order as the template
            target.writestr(_fresh_info(info), replaced.get(info.filename, parts[info.filename]))
    return out.getvalue()


def _fresh_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    fresh = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    fresh.compress_type = zipfile.ZIP_DEFLATED
    return fresh


def config_sheet_part(parts: dict[str, bytes], sheet_name: str = TEMPLATE_CONFIG_SHEET) -> str:
    """The zip part of the sheet called `sheet_name` (through workbook.xml and its rels)."""
    workbook = parts[WORKBOOK_PART].decode("utf-8")
    match = re.search(rf'<sheet name="{re.escape(sheet_name)}" sheetId="\d+" r:id="(rId\d+)"\s*/>', workbook)
    if not match:
        raise PackageError(f"xlwings' add-in template has no sheet {sheet_name!r}")
    rels = parts[WORKBOOK_RELS_PART].decode("utf-8")
    target = re.search(rf'<Relationship Id="{match.group(1)}" Type="[^"]+/worksheet" Target="([^"]+)"', rels)
    if not target:
        raise PackageError(f"xlwings' add-in template: no worksheet relationship {match.group(1)}")
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def _rename_sheet(workbook: bytes, old: str, new: str) -> bytes:
    text = workbook.decode("utf-8")
    needle = f'<sheet name="{old}" '
    if text.count(needle) != 1:
        raise PackageError(f"workbook.xml: no single sheet named {old!r}")
    return text.replace(needle, f'<sheet name="{escape(new)}" ').encode("utf-8")


def _sheet_with_rows(sheet: bytes, count: int) -> bytes:
    """The template's config sheet (columns, styles, view kept) holding `count` key/value
    rows from A1 down, cells pointing at shared strings 0, 1, 2... in order."""
    text = sheet.decode("utf-8")
    rows = "".join(
        f'<row r="{row}" spans="1:2"><c r="A{row}" s="{_CELL_STYLE}" t="s"><v>{2 * (row - 1)}</v></c>'
        f'<c r="B{row}" s="{_CELL_STYLE}" t="s"><v>{2 * (row - 1) + 1}</v></c></row>'
        for row in range(1, count + 1)
    )
    text, data = re.subn(r"<sheetData>.*?</sheetData>|<sheetData\s*/>", f"<sheetData>{rows}</sheetData>", text,
                         flags=re.DOTALL)
    text, dimension = re.subn(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:B{max(count, 1)}" />', text)
    if (data, dimension) != (1, 1):
        raise PackageError("the template's config sheet is not laid out as expected")
    return text.encode("utf-8")


def _shared_strings(texts: list[str]) -> bytes:
    items = "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in texts)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<sst xmlns="{_SHEET_NS}" count="{len(texts)}" uniqueCount="{len(texts)}">{items}</sst>').encode("utf-8")


def _ribbon_relationship(rels: bytes, part: str, relationship_type: str) -> bytes:
    text = rels.decode("utf-8")
    pattern = rf'(<Relationship Id="[^"]+" Type=")[^"]+/ui/extensibility(" Target="/?{re.escape(part)}"\s*/>)'
    text, count = re.subn(pattern, rf"\g<1>{relationship_type}\g<2>", text)
    if count != 1:
        raise PackageError(f"_rels/.rels has no single ribbon relationship to {part}")
    return text.encode("utf-8")


_ABS_PATH = re.compile(r'<mc:AlternateContent[^>]*>\s*<mc:Choice Requires="x15">\s*<x15ac:absPath [^>]*/>\s*'
                       r'</mc:Choice>\s*</mc:AlternateContent>')


def _without_abs_path(workbook: bytes) -> bytes:
    """workbook.xml without the template's x15ac:absPath (its author's folder)."""
    text, count = _ABS_PATH.subn("", workbook.decode("utf-8"))
    if count != 1 or "absPath" in text:
        raise PackageError("workbook.xml: no single x15ac:absPath in its AlternateContent to remove")
    return text.encode("utf-8")


def _core_properties(core: bytes) -> bytes:
    text = core.decode("utf-8")
    for element, value in (("dc:title", TITLE), ("dc:description", DESCRIPTION), ("dc:creator", AUTHOR),
                           ("cp:lastModifiedBy", AUTHOR)):
        text, count = re.subn(rf"<{element}\s*/>|<{element}>[^<]*</{element}>",
                              f"<{element}>{escape(value)}</{element}>", text)
        if count != 1:
            raise PackageError(f"docProps/core.xml has no single {element}")
    return text.encode("utf-8")


# ------------------------------------------------------------------ VBA project name

_PROJECT_NAME_RECORD = 0x0004
# The dir stream's records before PROJECTNAME ([MS-OVBA] 2.3.4.2.1): SYSKIND, optional
# COMPATVERSION, LCID, LCIDINVOKE, CODEPAGE; each is Id (u16), Size (u32), Data.
_RECORDS_BEFORE_NAME = {0x0001, 0x004A, 0x0002, 0x0014, 0x0003}


def rename_vba_project(vba_project: bytes, old: str, new: str, new_modules: tuple[str, ...] = ()) -> bytes:
    """vbaProject.bin with the project called `new` instead of `old` (and [Workspace]
    records for the modules the build is about to add)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,127}", new):
        raise PackageError(f"{new!r} is not a VBA project name")
    cfb = CFB.from_bytes(vba_project)
    project = cfb.get_stream("PROJECT").decode("cp1252")
    line = f'Name="{old}"\r\n'
    if project.count(line) != 1:
        raise PackageError(f"the template's PROJECT stream has no single line {line.strip()!r}")
    project = with_workspace_records(project.replace(line, f'Name="{new}"\r\n'), new_modules)
    cfb.write_stream("PROJECT", project.encode("cp1252"))
    directory = decompress(cfb.get_stream_in_storage("VBA", "dir"))
    cfb.write_stream_in_storage("VBA", "dir", compress(_dir_with_name(directory, old, new)))
    return cfb.to_bytes()


WORKSPACE = "[Workspace]\r\n"
NEW_MODULE_WINDOW = "0, 0, 0, 0, C"  # a code window never opened: what Excel writes for one


def with_workspace_records(project: str, names: tuple[str, ...]) -> str:
    """The PROJECT stream's text with a [Workspace] record for each of `names`, after the
    section's last record (the section is the stream's last; Excel ends it with a blank line)."""
    if not names:
        return project
    if project.count(WORKSPACE) != 1:
        raise PackageError("the template's PROJECT stream has no single [Workspace] section")
    head, _, section = project.partition(WORKSPACE)
    records = re.match(r"(?:[^\r\n\[=]+=[^\r\n]*\r\n)*", section).group(0)
    rest = section[len(records):]
    if rest != "\r\n":
        raise PackageError(f"the template's [Workspace] section does not end as Excel writes it: {rest!r}")
    known = {record.partition("=")[0].casefold() for record in records.splitlines()}
    added = "".join(f"{name}={NEW_MODULE_WINDOW}\r\n" for name in names if name.casefold() not in known)
    return head + WORKSPACE + records + added + rest


def _dir_with_name(directory: bytes, old: str, new: str) -> bytes:
    offset = 0
    while offset + 6 <= len(directory):
        record, size = struct.unpack_from("<HI", directory, offset)
        if record == _PROJECT_NAME_RECORD:
            name = directory[offset + 6: offset + 6 + size]
            if name != old.encode("cp1252"):
                raise PackageError(f"the template's VBA project is called {name!r}, not {old!r}")
            encoded = new.encode("cp1252")
            return (directory[:offset] + struct.pack("<HI", record, len(encoded)) + encoded
                    + directory[offset + 6 + size:])
        if record not in _RECORDS_BEFORE_NAME:
            break
        offset += 6 + size
    raise PackageError("the template's VBA dir stream has no PROJECTNAME record where [MS-OVBA] puts it")
