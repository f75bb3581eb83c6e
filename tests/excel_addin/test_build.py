"""rootfi.xlam is built from xlwings' template and read back with two independent readers.

oletools (olefile + olevba, tests/support/xlam_reader.py) and pyOpenVBA's integrity
check read the finished file; the zip, its content types, relationships and config
sheet are read with the standard library. Nothing here proves Excel accepts the file
(see docs/excel-verification.md): it proves the file is what the build meant to write
and keeps the rules Excel is known to enforce.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import tempfile
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xlwings
from click.testing import CliRunner
from pyopenvba import ExcelFile, check_file

from rootfi_excel import ribbon
from rootfi_excel.cli.main import cli
from rootfi_excel.errors import AddinBuildError, PackageError
from rootfi_excel.excel_addin import build as build_module
from rootfi_excel.excel_addin import customui, package, vba
from rootfi_excel.excel_addin.build import ADDIN_FILE, build_addin, xlwings_template
from rootfi_excel.excel_addin.addin_settings import AddinSettings
from rootfi_excel.excel_addin.function_help import FUNCTION_HELP_MODULE
from rootfi_excel.excel_addin.udf_module import UDF_VBA_MODULE
from tests.support.xlam_reader import CT, MAIN, VBA_Parser, config_rows, parts, read_vba, read_vba_bin, \
    relationships, sheet_cells, vba_string_concatenation

SETTINGS = AddinSettings(interpreter_win=r"C:\Users\Ana Lí\rootfi\.venv\Scripts\pythonw.exe",
                         interpreter_mac="$HOME/rootfi/.venv/bin/python", pythonpath=r"%USERPROFILE%\rootfi\extra")
CUSTOM_UI_NS = "{http://schemas.microsoft.com/office/2006/01/customui}"
UI_REL_2006 = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
XLAM_MAIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
VBA_CONTENT = "application/vnd.ms-office.vbaProject"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    return build_addin(out, SETTINGS)


@pytest.fixture(scope="module")
def ole(built):
    return read_vba(built.path)


@pytest.fixture(scope="module")
def package_parts(built):
    return parts(built.path)


@pytest.fixture(scope="module")
def template_modules():
    """The template's modules as oletools reads them (for the ones the build leaves alone)."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "template.xlam"
        path.write_bytes(xlwings_template())
        return {name: module.code for name, module in read_vba(path).modules.items()}


# ------------------------------------------------------------------ the file as a whole


def test_the_build_leaves_only_the_addin_behind(tmp_path, monkeypatch):
    staging = tmp_path / "tmp"
    staging.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(staging))
    out = tmp_path / "dist"

    built = build_addin(out)
    build_addin(out)  # building again replaces the file

    assert built.path == out / ADDIN_FILE
    assert sorted(os.listdir(out)) == [ADDIN_FILE]
    assert os.listdir(staging) == []


def test_pyopenvba_integrity_check_finds_nothing_wrong(built):
    report = check_file(built.path)
    assert report.issues == ()
    assert report.complete and report.ok
    assert report.checked_parts == len(parts(built.path))


def test_olevba_reads_every_module_and_finds_the_same_set_as_pyopenvba(built, ole):
    parser = VBA_Parser(str(built.path))
    try:
        olevba_streams = {stream: code for _file, stream, _name, code in parser.extract_macros()}
    finally:
        parser.close()
    with ExcelFile(built.path) as book:
        pyopenvba_names = book.module_names()
    assert sorted(ole.modules) == sorted(pyopenvba_names) == sorted(
        ["ThisWorkbook", "Dictionary", "Sheet2", vba.RIBBON_MODULE, vba.XLWINGS_MODULE, UDF_VBA_MODULE,
         FUNCTION_HELP_MODULE])
    assert {f"VBA/{m.stream}": m.code for m in ole.modules.values()} == olevba_streams


def test_every_module_holds_exactly_what_the_build_put_in(built, ole, template_modules):
    with ExcelFile(built.path) as book:
        for name, source in built.modules.items():
            assert ole.modules[name].code == source  # oletools
            assert book.get_module(name) == source  # pyOpenVBA
    for name in build_module.UNTOUCHED_MODULES:
        assert ole.modules[name].code == template_modules[name]


def test_the_builds_own_read_back_notices_a_wrong_module(built):
    assert build_module.read_back_problems(built.path, built.modules) == []
    wrong = {**built.modules, vba.RIBBON_MODULE: built.modules[vba.RIBBON_MODULE].replace("Tag", "Id")}
    assert build_module.read_back_problems(built.path, wrong) == [
        "module RootFiRibbon does not hold the source the build set"]


def test_the_set_sources_are_the_repository_and_xlwings_files(built):
    ribbon_file = Path(vba.__file__).with_name("RootFiRibbon.bas").read_text(encoding="ascii")
    assert built.modules[vba.RIBBON_MODULE] == ribbon_file.replace("\n", "\r\n")

    installed = (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_bytes().decode("utf-8")
    ours = built.modules[vba.XLWINGS_MODULE]
    # What differs: PROJECT_NAME, and GetConfig's two layers that read the active workbook
    # (its config sheet, a config file in its folder) replaced by comments saying why.
    diff = [line for line in difflib.unified_diff(installed.splitlines(), ours.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    removed = [line[1:] for line in diff if line.startswith("-")]
    added = [line[1:] for line in diff if line.startswith("+")]
    assert 'Public Const PROJECT_NAME As String = "myaddin"' in removed
    assert added[0] == 'Public Const PROJECT_NAME As String = "rootfi"'
    assert all(line.strip().startswith("' RootFi:") or line.strip().startswith("' ") or not line.strip()
               for line in added[1:]), added
    assert sum("ActiveWorkbook" in line for line in removed) == 4  # the sheet layer (3 lines), the folder layer
    assert sum("GetDirectoryConfigFilePath" in line for line in removed) == 2
    get_config = re.search(r"^Function GetConfig\(.*?^End Function", installed, re.MULTILINE | re.DOTALL).group(0)
    assert all(line in get_config.splitlines() for line in removed[1:])  # nothing outside GetConfig changed


# ---------------------------------------------------------------- xlwings, names, rules


def test_the_xlwings_module_is_the_installed_xlwings(ole):
    code = ole.modules[vba.XLWINGS_MODULE].code
    version = xlwings.__version__
    assert re.findall(r'XLWINGS_VERSION As String = "([^"]+)"', code) == [version]
    libraries = set(re.findall(r'\bLib "(xlwings[^"]*)"', code))
    assert libraries == {f"xlwings64-{version}.dll", f"xlwings32-{version}.dll"}
    assert 'AppleScriptTask("xlwings-" & XLWINGS_VERSION & ".applescript"' in code
    assert (Path(xlwings.__file__).parent / f"xlwings-{version}.applescript").is_file()
    assert re.findall(r'PROJECT_NAME As String = "([^"]+)"', code) == ["rootfi"]


def test_project_module_and_stream_names_agree(ole, package_parts):
    assert ole.name == vba.PROJECT
    assert ole.code_page == 1252
    declared = {name: kind for kind, name in re.findall(r"^(Module|Class|Document)=([^/\r\n]+)",
                                                         ole.project_stream, re.MULTILINE)}
    assert re.findall(r'^Name="([^"]*)"', ole.project_stream, re.MULTILINE) == [vba.PROJECT]
    assert set(declared) == set(ole.modules)
    for name, module in ole.modules.items():
        assert module.stream == name
        assert f"VBA/{name}" in ole.streams
        assert re.match(r'Attribute VB_Name = "([^"]+)"', module.code).group(1) == name
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name)  # ASCII: within code page 1252
    assert declared[vba.RIBBON_MODULE] == declared[vba.XLWINGS_MODULE] == declared[UDF_VBA_MODULE] == "Module"
    # Document modules are the workbook's and the sheet's code names.
    workbook = ET.fromstring(package_parts["xl/workbook.xml"])
    code_names = {workbook.find(f"{MAIN}workbookPr").get("codeName")}
    code_names |= {e.get("codeName") for part, data in package_parts.items() if part.startswith("xl/worksheets/")
                   for e in ET.fromstring(data).iter(f"{MAIN}sheetPr")}
    assert {name for name, kind in declared.items() if kind == "Document"} == code_names == {"ThisWorkbook", "Sheet2"}


def test_no_code_in_thisworkbook_or_sheet_modules(ole):
    for name in ("ThisWorkbook", "Sheet2"):
        code_lines = [line for line in ole.modules[name].code.splitlines()
                      if line.strip() and not line.startswith("Attribute VB_")]
        assert code_lines == []


def test_every_module_keeps_the_rules_excel_enforces(ole):
    for name, module in ole.modules.items():
        assert vba.rule_problems(name, module.code) == [], name
        assert all(line.endswith("\r\n") for line in module.code.splitlines(keepends=True)), name
    # The check really ran over Declares: the xlwings module has PtrSafe ones and Office-2007-only ones.
    code = ole.modules[vba.XLWINGS_MODULE].code
    assert len(re.findall(r"\bDeclare PtrSafe\b", code)) >= 6
    assert len(re.findall(r"\bDeclare Function\b", code)) >= 4


@pytest.mark.parametrize("source, expected", [
    ('Attribute VB_Name = "M"\r\nDeclare Function f Lib "x" () As Long\r\n', ["M line 2: Declare without PtrSafe"]),
    ('Attribute VB_Name = "M"\r\n#If VBA7 Then\r\n  Declare PtrSafe Function f Lib "x" () As LongPtr\r\n#Else\r\n'
     '  Declare Function f Lib "x" () As Long\r\n#End If\r\n', []),
    ('Attribute VB_Name = "M"\r\n#If Win64 Then\r\n#Else\r\n  Private Declare Function f Lib "x" () As Long\r\n'
     '#End If\r\n', ["M line 4: Declare without PtrSafe"]),
    ('Attribute VB_Name = "M"\r\n\' Declare Function in a comment\r\n', []),
    ('Attribute VB_Name = "M"\r\nSub A()\nEnd Sub\r\n', ["M: every line must end in CRLF"]),
    ('Attribute VB_Name = "M"\r\nSub A()\r\nEnd Sub', ["M: every line must end in CRLF"]),
    ('Attribute VB_Name = "Other"\r\n', ['M: the first line must be Attribute VB_Name = "M"']),
    ('Attribute VB_Name = "M"\r\n\' \u20ac is fine, \u0141 is not\r\n', ["M: '\u0141' is not in code page 1252"]),
])
def test_the_vba_rules_catch_what_they_should(source, expected):
    found = vba.rule_problems("M", source)
    assert [problem[:len(e)] for problem, e in zip(found, expected)] == expected
    assert len(found) == len(expected)


# --------------------------------------------------------------------------- the ribbon


def test_every_ribbon_action_is_a_public_sub_taking_the_ribbon_control(package_parts, ole):
    buttons = list(ET.fromstring(package_parts[customui.PART_NAME]).iter(f"{CUSTOM_UI_NS}button"))
    assert buttons
    for button in buttons:
        module, _, sub = button.get("onAction").partition(".")
        code = ole.modules[module].code
        signature = re.compile(rf"^(Public\s+)?Sub\s+{re.escape(sub)}\s*\(\s*(ByRef\s+)?control\s+As\s+"
                               rf"IRibbonControl\s*\)\s*$", re.MULTILINE | re.IGNORECASE)
        assert len(signature.findall(code)) == 1, button.get("id")


def test_every_tag_reaches_its_python_function_through_the_vba_callback(package_parts, ole, monkeypatch):
    code = ole.modules[vba.RIBBON_MODULE].code
    expression = re.findall(r"^\s*RunPython (.+)$", code, re.MULTILINE)[-1]  # the one with a workbook active
    tags = [b.get("tag") for b in ET.fromstring(package_parts[customui.PART_NAME]).iter(f"{CUSTOM_UI_NS}button")]
    assert {"validate", "submit"} <= set(tags)
    from types import SimpleNamespace

    from rootfi_excel.workbook.excel import ExcelWorkbook

    # dispatch() asks xlwings for the calling workbook, then presses the button: stand in
    # for the caller, and see which button's function the VBA string reaches.
    monkeypatch.setattr(ExcelWorkbook, "caller", classmethod(lambda cls: SimpleNamespace(book=SimpleNamespace(app=None))))
    for tag in tags:
        assert callable(ribbon.BUTTONS[tag])
        called = []
        monkeypatch.setitem(ribbon.BUTTONS, tag, lambda workbook, ui, tag=tag, **_: called.append(tag))
        exec(vba_string_concatenation(expression, tag), {})  # the Python that RunPython runs
        assert called == [tag]


def test_the_ribbon_xml_is_ours_and_keeps_the_schema_rules(built, package_parts):
    xml = package_parts[customui.PART_NAME]
    assert xml == customui.source()
    assert customui.problems(xml, ribbon.BUTTONS) == []
    root = ET.fromstring(xml)
    assert root.tag == f"{CUSTOM_UI_NS}customUI"
    ids = [e.get("id") for e in root.iter() if e.get("id") is not None]
    assert len(ids) == len(set(ids)) == len(list(root.iter(f"{CUSTOM_UI_NS}group"))) + len(built.tags) + 1  # + tab
    tab = root.find(f"{CUSTOM_UI_NS}ribbon/{CUSTOM_UI_NS}tabs/{CUSTOM_UI_NS}tab")
    assert tab.get("label") == "RootFi"
    for group in tab.iter(f"{CUSTOM_UI_NS}group"):
        assert group.get("label")
    for button in root.iter(f"{CUSTOM_UI_NS}button"):
        for attribute in ("label", "screentip", "supertip", "imageMso", "tag"):
            assert 1 <= len(button.get(attribute, "")) <= 1024, (button.get("id"), attribute)
        assert button.get("size") in ("normal", "large")
        assert button.get("onAction") == "RootFiRibbon.OnRibbonButton"
    assert built.tags[:2] == ["validate", "submit"]
    assert len(built.tags) == len(set(built.tags)) and set(built.tags) <= set(ribbon.BUTTONS)


BUTTON = ('<button id="{id}" tag="{tag}" label="L" imageMso="HappyFace" onAction="RootFiRibbon.OnRibbonButton" '
          'screentip="S" supertip="T"{extra}/>')


def ribbon_xml(*buttons: str, namespace: str = "http://schemas.microsoft.com/office/2006/01/customui",
               group: str = "") -> bytes:
    body = group or f'<group id="G" label="Group">{"".join(buttons)}</group>'
    return (f'<customUI xmlns="{namespace}"><ribbon><tabs><tab id="T" label="RootFi">{body}</tab></tabs></ribbon>'
            f'</customUI>').encode()


def button(id="B", tag="validate", extra=""):
    return BUTTON.format(id=id, tag=tag, extra=extra)


@pytest.mark.parametrize("xml, expected", [
    (ribbon_xml(button()), None),
    (ribbon_xml(button("B"), button("B", "submit")), "id 'B' is used twice"),
    (ribbon_xml(button("B"), button("C")), "tag 'validate' is used by two buttons"),
    (ribbon_xml(button(tag="no_such_button")), "tag 'no_such_button' has no function"),
    (ribbon_xml(button(tag="Bad'tag")), "has no function"),
    (ribbon_xml(button().replace(' supertip="T"', "")), "needs supertip"),
    (ribbon_xml(button().replace(' screentip="S"', "")), "needs screentip"),
    (ribbon_xml(button().replace('RootFiRibbon.OnRibbonButton', "Other.Sub")), "onAction must be"),
    (ribbon_xml(button(extra=' supertop="x"')), "attribute 'supertop' is not allowed"),
    (ribbon_xml(button(extra=' size="huge"')), "size must be one of"),
    (ribbon_xml(button(extra=' keytip="ABCD"')), "keytip must be 1 to 3"),
    (ribbon_xml(button().replace('label="L"', 'label="' + "x" * 1025 + '"')), "label must be 1 to 1024"),
    (ribbon_xml(button().replace('label="L"', 'label=""')), "label must be 1 to 1024"),
    (ribbon_xml(button("1B")), "is not a valid identifier"),
    (ribbon_xml(group=button()), "not allowed inside <tab>"),
    (ribbon_xml(group='<group id="G">' + button() + "</group>"), "needs label"),
    (ribbon_xml(button(), namespace="http://schemas.microsoft.com/office/2009/07/customui"), "root element"),
    (ribbon_xml(group='<group id="G" label="G"/>'), "the ribbon has no button"),
    (ribbon_xml(button())[:-5], "not well-formed"),
    (b'<!DOCTYPE x [<!ENTITY e "e">]>' + ribbon_xml(button()), "DOCTYPE"),
])
def test_the_ribbon_rules_catch_what_they_should(xml, expected):
    found = customui.problems(xml, ribbon.BUTTONS)
    if expected is None:
        assert found == []
    else:
        assert any(expected in problem for problem in found), found


# ----------------------------------------------------------- content types, relationships


def test_content_types_and_relationships_match_the_parts(package_parts):
    names = set(package_parts)
    types = ET.fromstring(package_parts["[Content_Types].xml"])
    defaults = {e.get("Extension").lower(): e.get("ContentType") for e in types.iter(f"{CT}Default")}
    overrides = {e.get("PartName").lstrip("/"): e.get("ContentType") for e in types.iter(f"{CT}Override")}
    assert set(overrides) <= names
    for part in names - {"[Content_Types].xml"}:
        assert part in overrides or part.rsplit(".", 1)[-1].lower() in defaults, part
    assert overrides["xl/workbook.xml"] == XLAM_MAIN
    assert overrides["xl/vbaProject.bin"] == VBA_CONTENT
    assert defaults["xml"] == "application/xml"  # the ribbon part's content type

    targets = set()
    for rels_part in [p for p in names if p.endswith(".rels")]:
        found = relationships(package_parts, rels_part)
        assert len({r["Id"] for r in found}) == len(found), rels_part
        for relationship in found:
            assert relationship.get("TargetMode", "Internal") == "Internal"
            assert relationship["resolved"] in names, (rels_part, relationship)
            targets.add(relationship["resolved"])
    # Every part is reached by a relationship (nothing stray, nothing orphaned).
    assert targets == names - {"[Content_Types].xml"} - {p for p in names if p.endswith(".rels")}

    root = {r["Type"]: r["resolved"] for r in relationships(package_parts, "_rels/.rels")}
    assert root[OFFICE_DOCUMENT] == "xl/workbook.xml"
    assert root[UI_REL_2006] == customui.PART_NAME
    assert ET.fromstring(package_parts[customui.PART_NAME]).tag == f"{CUSTOM_UI_NS}customUI"  # 2006 type, 2006 ns
    workbook_rels = {r["Type"]: r["resolved"] for r in relationships(package_parts, "xl/_rels/workbook.xml.rels")}
    assert workbook_rels[VBA_REL] == "xl/vbaProject.bin"


# ------------------------------------------------------------------------ config sheet


def test_the_config_sheet_holds_the_settings_where_xlwings_reads_them(package_parts, ole):
    workbook = ET.fromstring(package_parts["xl/workbook.xml"])
    assert [s.get("name") for s in workbook.iter(f"{MAIN}sheet")] == ["rootfi.conf"]
    project_name = re.search(r'PROJECT_NAME As String = "([^"]+)"', ole.modules[vba.XLWINGS_MODULE].code).group(1)
    cells = sheet_cells(package_parts, f"{project_name}.conf")
    assert config_rows(cells) == [
        ("INTERPRETER_WIN", SETTINGS.interpreter_win),
        ("INTERPRETER_MAC", SETTINGS.interpreter_mac),
        ("PYTHONPATH", SETTINGS.pythonpath),
        ("ADD_WORKBOOK_TO_PYTHONPATH", "false"),
        ("UDF MODULES", "rootfi_excel.udfs"),
    ]
    assert len(cells) == 10  # nothing below or beside them
    core = package_parts["docProps/core.xml"].decode()
    assert "<dc:title>RootFi for Excel</dc:title>" in core


def test_without_an_interpreter_the_sheet_has_no_blank_key_to_hide_the_users_file(tmp_path):
    built = build_addin(tmp_path, AddinSettings())
    rows = config_rows(sheet_cells(parts(built.path), "rootfi.conf"))
    assert rows == [("ADD_WORKBOOK_TO_PYTHONPATH", "false"), ("UDF MODULES", "rootfi_excel.udfs")]


# --------------------------------------------------------------------- refusing to build


def test_a_button_without_a_python_function_stops_the_build_and_keeps_the_old_addin(tmp_path, monkeypatch):
    old = tmp_path / ADDIN_FILE
    old.write_bytes(b"the add-in built last time")
    monkeypatch.setattr(customui, "source", lambda: ribbon_xml(button(tag="no_such_button")))

    with pytest.raises(AddinBuildError, match="no_such_button"):
        build_addin(tmp_path)

    assert old.read_bytes() == b"the add-in built last time"
    assert os.listdir(tmp_path) == [ADDIN_FILE]


def test_an_xlwings_module_of_another_version_stops_the_build(tmp_path, monkeypatch):
    monkeypatch.setattr(xlwings, "__version__", "0.0.1")
    with pytest.raises(AddinBuildError, match="not with the installed xlwings 0.0.1"):
        build_addin(tmp_path)
    assert not (tmp_path / ADDIN_FILE).exists()


def with_part_changed(data: bytes, name: str, old: bytes, new: bytes) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, content.replace(old, new) if info.filename == name else content)
    return out.getvalue()


@pytest.mark.parametrize("part, old, new, message", [
    ("xl/workbook.xml", b'name="_myaddin.conf"', b'name="Settings"', "no sheet '_myaddin.conf'"),
    ("customUI/customUI.xml", b"", b"", None),  # unchanged: builds
    ("_rels/.rels", b"customUI/customUI.xml", b"customUI/customUI14.xml", "no single ribbon relationship"),
    ("docProps/core.xml", b"<dc:title />", b"", "no single dc:title"),
])
def test_an_unexpected_template_stops_the_build(tmp_path, monkeypatch, part, old, new, message):
    monkeypatch.setattr(build_module, "xlwings_template",
                        lambda: with_part_changed(xlwings_template(), part, old, new))
    if message is None:
        build_addin(tmp_path)
        return
    with pytest.raises(AddinBuildError, match=message):
        build_addin(tmp_path)
    assert os.listdir(tmp_path) == []


def test_a_setting_the_config_cannot_hold_stops_the_build(tmp_path):
    with pytest.raises(AddinBuildError, match="quotes"):
        build_addin(tmp_path, AddinSettings(interpreter_win='C:\\a "b"\\python.exe'))


def test_the_project_rename_refuses_to_guess():
    with zipfile.ZipFile(io.BytesIO(xlwings_template())) as template:
        project = template.read("xl/vbaProject.bin")
    with pytest.raises(PackageError, match="no single line"):
        package.rename_vba_project(project, "NotTheName", "RootFi")
    with pytest.raises(PackageError, match="not a VBA project name"):
        package.rename_vba_project(project, "MyAddin", "Root Fi")
    renamed = read_vba_bin(package.rename_vba_project(project, "MyAddin", "Other"))
    assert renamed.name == "Other"
    assert 'Name="Other"' in renamed.project_stream


# ---------------------------------------------------------------------------- the command


def test_the_command_builds_the_addin(tmp_path):
    result = CliRunner().invoke(cli, ["addin", "build", "--out", str(tmp_path / "dist"),
                                      "--interpreter-win", r"C:\py\pythonw.exe"])
    assert result.exit_code == 0, result.output
    assert f"xlwings {xlwings.__version__}" in result.output
    assert "ribbon buttons: validate, submit" in result.output
    rows = config_rows(sheet_cells(parts(tmp_path / "dist" / ADDIN_FILE), "rootfi.conf"))
    assert rows[0] == ("INTERPRETER_WIN", r"C:\py\pythonw.exe")


def test_the_command_says_why_it_did_not_build(tmp_path, monkeypatch):
    monkeypatch.setattr(customui, "source", lambda: b"<customUI")
    out = tmp_path / "dist"
    result = CliRunner().invoke(cli, ["addin", "build", "--out", str(out)])
    assert result.exit_code == 2
    assert "not well-formed" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or os.listdir(out) == []


def test_the_command_is_listed(tmp_path):
    result = CliRunner().invoke(cli, ["--help"])
    assert re.search(r"^\s+addin\b", result.output, re.MULTILINE)
