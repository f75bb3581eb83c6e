"""Settings that can change what runs come only from the add-in and the user.
xlwings' GetConfig reads a `rootfi.conf` sheet of the *active workbook* and a
`rootfi.conf` file in the *active workbook's folder* before the add-in's own sheet and the
user's file: a shared workbook, or a file dropped into a shared folder, could then set
INTERPRETER_WIN/_MAC, PYTHONPATH or UDF MODULES. The built add-in's VBA is read back
(oletools) and every path by which a setting is read is checked."""

from __future__ import annotations

import re

import pytest

from rootfi_excel import ribbon
from rootfi_excel.errors import VBASourceError
from rootfi_excel.excel_addin import vba
from rootfi_excel.excel_addin.build import build_addin
from rootfi_excel.messages import ignored_config_sheets
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.workbook.excel_ui import ExcelUI
from tests.support.fake_xlwings import FakeApp, FakeBook
from tests.support.xlam_reader import read_vba


@pytest.fixture(scope="module")
def modules(tmp_path_factory) -> dict[str, str]:
    built = build_addin(tmp_path_factory.mktemp("dist"))
    return {name: module.code for name, module in read_vba(built.path).modules.items()}


def procedure(code: str, name: str) -> str:
    match = re.search(rf"^(?:Public |Private )?Function {name}\(.*?^End Function", code, re.MULTILINE | re.DOTALL)
    assert match, name
    return "\n".join(line for line in match.group(0).splitlines() if not line.strip().startswith("'"))


def test_getconfig_reads_only_the_addins_sheet_and_the_users_file(modules):
    code = modules[vba.XLWINGS_MODULE]
    get_config = procedure(code, "GetConfig")
    assert "ActiveWorkbook" not in get_config  # no sheet of the workbook in front
    assert "GetDirectoryConfigFilePath" not in get_config and "GetDirectoryPath" not in get_config  # nor its folder
    assert "GetFullName" not in get_config
    # What is left, in this order: the add-in's own sheet, then the user's file, then the default.
    sources = re.findall(r"GetConfigFromSheet\((\w+)\)|GetConfigFromFile\((\w+)\(\)", get_config)
    assert [a or b for a, b in sources] == ["ThisWorkbook", "ThisWorkbook", "GetConfigFilePath"]
    assert get_config.index("GetConfigFromSheet(ThisWorkbook)") < get_config.index("GetConfigFromFile(")
    user_file = procedure(code, "GetConfigFilePath")
    assert 'Environ("USERPROFILE")' in user_file and "ActiveWorkbook" not in user_file


def test_no_other_vba_reads_settings_from_the_workbook_or_its_folder(modules):
    for name, code in modules.items():
        lines = [line for line in code.splitlines() if not line.strip().startswith("'")]
        # Reading a config sheet: only of the add-in itself (ThisWorkbook).
        assert all("GetConfigFromSheet(ThisWorkbook)" in line or "Function GetConfigFromSheet" in line
                   for line in lines if "GetConfigFromSheet(" in line), name
        # The folder's config file: defined by xlwings, called by nothing any more.
        assert [line for line in lines if "GetDirectoryConfigFilePath" in line
                and "Function GetDirectoryConfigFilePath" not in line
                and not line.strip().startswith("GetDirectoryConfigFilePath =")] == [], name


def test_the_build_refuses_an_xlwings_whose_getconfig_it_does_not_recognise():
    import xlwings
    from importlib import resources

    real = vba.without_workbook_config

    source = vba.crlf(resources.files(xlwings).joinpath("xlwings_custom_addin.bas").read_text(encoding="utf-8"))
    assert "ActiveWorkbook" not in procedure(real(source), "GetConfig")
    changed = source.replace("            'Workbook Sheet Config\r\n", "            'Sheet of the workbook\r\n")
    with pytest.raises(VBASourceError, match="GetConfig has changed"):
        real(changed)
    with pytest.raises(VBASourceError, match="no Function GetConfig"):
        real(source.replace("Function GetConfig(", "Function GetSettings("))


@pytest.mark.parametrize("sheets, notice", [
    (["Instructions", "Settings"], None),
    (["Settings", "rootfi.conf"], "'rootfi.conf'"),
    (["xlwings.conf", "Settings", "ROOTFI.CONF"], "'xlwings.conf' and 'ROOTFI.CONF'"),
])
def test_a_config_sheet_in_a_workbook_gets_a_one_line_notice(sheets, notice):
    text = ignored_config_sheets(sheets)
    if notice is None:
        assert text is None
    else:
        assert notice in text and "ignored" in text and "\n" not in text


def test_every_button_on_such_a_workbook_says_the_sheet_is_ignored(monkeypatch):
    book = FakeBook(FakeApp())
    for name in ("Settings", "xlwings.conf"):
        book.add_sheet(name)
    said = []
    monkeypatch.setitem(ribbon.BUTTONS, "validate", lambda workbook, ui, **_: ui.tell("Validated 3 rows."))
    monkeypatch.setitem(ribbon.BUTTONS, "help", lambda workbook, ui, **_: said.append("no message"))
    ribbon.press("validate", ExcelWorkbook(book), ExcelUI(book.app))
    message = book.app.alerts[-1][0]
    assert message.startswith("Validated 3 rows.") and message.endswith(ignored_config_sheets(["xlwings.conf"]))
    alerts = len(book.app.alerts)
    ribbon.press("help", ExcelWorkbook(book), ExcelUI(book.app))  # a button that shows no message box
    assert said == ["no message"] and book.app.alerts[alerts:] == [(ignored_config_sheets(["xlwings.conf"]), "ok")]
