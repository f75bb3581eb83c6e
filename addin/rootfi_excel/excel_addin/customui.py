"""The RootFi ribbon tab (customUI.xml, package data) and the rules it must keep.

Microsoft's customUI.xsd ships in no package the add-in installs (the tests validate
against a copy, tests/fixtures/office), so before it writes anything the build checks
with `problems()` the rules of that schema that apply to the elements we use, as
[MS-CUSTOMUI] states them, plus our own: every button has the one callback, a tag
that `rootfi_excel.ribbon.BUTTONS` knows, an icon and both tooltips. An element the
checker does not know is refused rather than let through unchecked: whoever adds a new
kind of control adds its rules here.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from importlib import resources
from typing import Iterable

NAMESPACE = "http://schemas.microsoft.com/office/2006/01/customui"  # Office 2007+, Windows and macOS
PART_NAME = "customUI/customUI.xml"
RELATIONSHIP_TYPE = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"

CALLBACK_MODULE = "RootFiRibbon"  # the VBA module RootFiRibbon.bas
CALLBACK_SUB = "OnRibbonButton"
CALLBACK = f"{CALLBACK_MODULE}.{CALLBACK_SUB}"

# [MS-CUSTOMUI] simple types: ST_String and ST_Delegate 1..1024 characters, ST_Keytip 1..3,
# ST_ID (imageMso) an NCName of 1..1024, ST_UniqueID (id) an xsd:ID (NCName) unique in the
# document, ST_Size "normal" or "large".
STRING_ATTRIBUTES = {"label", "screentip", "supertip", "tag", "description"}
MAX_STRING = 1024
MAX_KEYTIP = 3
SIZES = {"normal", "large"}
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")  # ASCII subset of an XML NCName

# Which children each element may have, and which attributes (a subset of the schema's,
# the ones we use or may soon: the schema allows no other attributes on these elements).
CHILDREN = {
    "customUI": {"ribbon"},
    "ribbon": {"tabs"},
    "tabs": {"tab"},
    "tab": {"group"},
    "group": {"button", "separator"},
    "button": set(),
    "separator": set(),
}
ATTRIBUTES = {
    "customUI": set(),
    "ribbon": {"startFromScratch"},
    "tabs": set(),
    "tab": {"id", "label", "keytip", "visible", "insertAfterMso", "insertBeforeMso", "tag"},
    "group": {"id", "label", "keytip", "visible", "imageMso", "screentip", "supertip", "insertAfterMso",
              "insertBeforeMso", "tag"},
    "button": {"id", "tag", "label", "size", "imageMso", "onAction", "screentip", "supertip", "keytip", "enabled",
               "visible", "showLabel", "showImage", "description"},
    "separator": {"id", "visible"},
}
# Ours: what every button must say, so a person knows what it does before pressing it.
BUTTON_REQUIRED = ("id", "tag", "label", "imageMso", "onAction", "screentip", "supertip")
CONTAINER_REQUIRED = {"tab": ("id", "label"), "group": ("id", "label")}


def source() -> bytes:
    """customUI.xml as it ships in the package (and goes into the add-in unchanged)."""
    return resources.files(__package__).joinpath("customUI.xml").read_bytes()


def buttons(xml: bytes) -> list[dict[str, str]]:
    """The attributes of every button, in ribbon order."""
    root = ET.fromstring(xml)
    return [dict(element.attrib) for element in root.iter(f"{{{NAMESPACE}}}button")]


def problems(xml: bytes, known_tags: Iterable[str], callback: str = CALLBACK) -> list[str]:
    """Everything wrong with a customUI document; empty when it is fine."""
    if b"<!DOCTYPE" in xml:
        return ["customUI: a DOCTYPE is not allowed"]
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as error:
        return [f"customUI is not well-formed XML: {error}"]
    found: list[str] = []
    if root.tag != f"{{{NAMESPACE}}}customUI":
        return [f"customUI: the root element must be customUI in {NAMESPACE}, not {root.tag}"]
    ids: set[str] = set()
    tags: set[str] = set()
    known = set(known_tags)
    for element, parent in _walk(root, None):
        name = _local(element.tag, found)
        if name is None:
            continue
        where = f"<{name} id={element.get('id')!r}>" if element.get("id") else f"<{name}>"
        if parent is not None and name not in CHILDREN.get(parent, set()):
            found.append(f"{where}: not allowed inside <{parent}>")
            continue
        if name not in CHILDREN:
            found.append(f"{where}: unknown element")
            continue
        found.extend(_attribute_problems(element, name, where, ids))
        if name in CONTAINER_REQUIRED:
            found.extend(f"{where}: needs {a}" for a in CONTAINER_REQUIRED[name] if not element.get(a))
        if name == "button":
            found.extend(_button_problems(element, where, callback, known, tags))
        if (element.text or "").strip():
            found.append(f"{where}: text content is not allowed")
    if not any(True for _ in root.iter(f"{{{NAMESPACE}}}button")):
        found.append("customUI: the ribbon has no button")
    return found


def _walk(element: ET.Element, parent: str | None):
    yield element, parent
    name = element.tag.rpartition("}")[2]
    for child in element:
        yield from _walk(child, name)


def _local(tag: str, found: list[str]) -> str | None:
    namespace, _, name = tag[1:].rpartition("}") if tag.startswith("{") else ("", "", tag)
    if namespace != NAMESPACE:
        found.append(f"<{name}>: element outside the customUI namespace")
        return None
    return name


def _attribute_problems(element: ET.Element, name: str, where: str, ids: set[str]) -> list[str]:
    found = []
    for attribute, value in element.attrib.items():
        if attribute not in ATTRIBUTES[name]:
            found.append(f"{where}: attribute {attribute!r} is not allowed on <{name}>")
        elif attribute in STRING_ATTRIBUTES and not 1 <= len(value) <= MAX_STRING:
            found.append(f"{where}: {attribute} must be 1 to {MAX_STRING} characters long")
        elif attribute == "keytip" and not 1 <= len(value.strip()) <= MAX_KEYTIP:
            found.append(f"{where}: keytip must be 1 to {MAX_KEYTIP} characters long")
        elif attribute == "size" and value not in SIZES:
            found.append(f"{where}: size must be one of {sorted(SIZES)}")
        elif attribute in ("id", "imageMso", "insertAfterMso", "insertBeforeMso") and not (
                _NCNAME.match(value) and len(value) <= MAX_STRING):
            found.append(f"{where}: {attribute} {value!r} is not a valid identifier")
    identity = element.get("id")
    if identity is not None:
        if identity in ids:
            found.append(f"{where}: id {identity!r} is used twice")
        ids.add(identity)
    return found


def _button_problems(element: ET.Element, where: str, callback: str, known: set[str], tags: set[str]) -> list[str]:
    found = [f"{where}: needs {a}" for a in BUTTON_REQUIRED if not element.get(a)]
    action, tag = element.get("onAction"), element.get("tag")
    if action and action != callback:
        found.append(f"{where}: onAction must be {callback!r} (the one VBA callback), not {action!r}")
    if tag:
        if tag not in known:
            found.append(f"{where}: tag {tag!r} has no function in rootfi_excel.ribbon.BUTTONS")
        if tag in tags:
            found.append(f"{where}: tag {tag!r} is used by two buttons")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", tag):
            # The tag is pasted into a Python string literal by the VBA callback.
            found.append(f"{where}: tag {tag!r} must be lower-case letters, digits and underscores")
        tags.add(tag)
    return found
