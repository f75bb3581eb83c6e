"""customUI.xml against references no one on this project wrote: Microsoft's customUI.xsd
(compiled by xmlschema) and Microsoft's list of Excel control identifiers (every imageMso
must be an Excel control, or the button shows no icon).

The two files cannot be kept in this repository (tests/fixtures/office/README.md says
where they come from): they are read from the folder `ROOTFI_OFFICE_REFERENCE` names, and
the tests that need them skip, saying why, when it is not set."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import os

import pytest
import xmlschema

from rootfi_excel import ribbon
from rootfi_excel.excel_addin import customui
from tests.support.xlam_reader import parts

NS = f"{{{customui.NAMESPACE}}}"


def _reference(name: str) -> Path:
    folder = os.environ.get("ROOTFI_OFFICE_REFERENCE")
    if not folder:
        pytest.skip("Microsoft's customUI.xsd and Excel control list are not in this repository: "
                    "set ROOTFI_OFFICE_REFERENCE to a folder holding them (tests/fixtures/office/README.md)")
    path = Path(folder) / name
    if not path.is_file():
        pytest.fail(f"ROOTFI_OFFICE_REFERENCE is set but {path} is missing (tests/fixtures/office/README.md)")
    return path


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(_reference("customUI.xsd")))


@pytest.fixture(scope="module")
def excel_controls() -> set[str]:
    lines = _reference("excel-control-ids.txt").read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_the_schema_is_microsofts_for_our_namespace(schema):
    assert schema.target_namespace == customui.NAMESPACE
    assert {"customUI", "button", "group", "tab"} <= {c.local_name for c in schema.iter_components()
                                                      if getattr(c, "local_name", None)}


def test_customui_is_valid_against_microsofts_schema(schema):
    schema.validate(customui.source().decode("utf-8"))


def test_the_built_addins_ribbon_is_valid_against_the_schema(schema, tmp_path):
    from rootfi_excel.excel_addin.build import build_addin

    built = build_addin(tmp_path)
    schema.validate(parts(built.path)[customui.PART_NAME].decode("utf-8"))


@pytest.mark.parametrize("broken, why", [
    ('size="large"', 'size="huge"'),  # not an ST_Size
    ('id="RootFiValidate"', 'id="1RootFi"'),  # not an xsd:ID
    ('<button id="RootFiSubmit"', '<button id="RootFiValidate"'),  # an id used twice
    ('label="Validate"', 'label="Validate" colour="red"'),  # no such attribute
])
def test_the_schema_catches_what_excel_would_refuse(schema, broken, why):
    xml = customui.source().decode("utf-8")
    assert broken in xml
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(xml.replace(broken, why, 1))


def test_every_icon_is_an_excel_control(excel_controls):
    assert len(excel_controls) > 1500  # the list is Microsoft's whole Excel list, not a few names
    icons = {b["id"]: b["imageMso"] for b in customui.buttons(customui.source())}
    assert icons and {button: icon for button, icon in icons.items() if icon not in excel_controls} == {}
    root = ET.fromstring(customui.source())
    others = [e.get("imageMso") for e in root.iter() if e.get("imageMso") and e.tag != f"{NS}button"]
    assert [icon for icon in others if icon not in excel_controls] == []


def test_the_icon_check_catches_names_of_no_excel_control(excel_controls):
    # The names the add-in had before: none is in Microsoft's Excel lists.
    for old in ("AcceptInvitation", "ExportSharePointList", "TableSelect", "Delete", "ReviewTrackChanges",
                "AdpPrimaryKey", "ServerConnection", "FolderOpen"):
        assert old not in excel_controls


def test_callbacks_and_tags_match_the_buttons_both_ways():
    buttons = customui.buttons(customui.source())
    assert {b["onAction"] for b in buttons} == {customui.CALLBACK}
    assert sorted(b["tag"] for b in buttons) == sorted(ribbon.BUTTONS)  # every function has a button, and back
