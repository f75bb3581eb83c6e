"""The VBA that goes into rootfi.xlam, and the rules every module in it must keep.

Two of the template's modules get new source:

- `xlwings`: the custom-add-in module of the xlwings that is installed
  (`xlwings/xlwings_custom_addin.bas`, stamped with its version, DLL names and the name
  of its AppleScript), with PROJECT_NAME set to "rootfi" and `GetConfig` reading only the
  add-in's own sheet and the user's file (`without_workbook_config`);
- `RootFiRibbon` (was the template's `RibbonMyAddin`): the one ribbon callback.

`rule_problems` checks a module's source for what makes Excel refuse or "repair" a
project written without it: CRLF line ends, `Attribute VB_Name` matching the module,
text in code page 1252, and PtrSafe on every Declare that 64-bit Office compiles.
"""

from __future__ import annotations

import re
from importlib import resources

from rootfi_excel.errors import VBASourceError
from rootfi_excel.excel_addin.addin_settings import PROJECT_NAME

TEMPLATE_PROJECT_NAME = "MyAddin"  # the VBA project name in xlwings' template
PROJECT = "RootFi"  # the VBA project name in rootfi.xlam (a VBA identifier)

XLWINGS_MODULE = "xlwings"
TEMPLATE_RIBBON_MODULE = "RibbonMyAddin"
RIBBON_MODULE = "RootFiRibbon"
TEMPLATE_PROJECT_CONSTANT = 'Public Const PROJECT_NAME As String = "myaddin"'
CODE_PAGE = "cp1252"


def crlf(text: str) -> str:
    """Every line, the last included, ends in CRLF (VBA's own line end)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return "".join(line + "\r\n" for line in lines)


def ribbon_module() -> str:
    return crlf(resources.files(__package__).joinpath(f"{RIBBON_MODULE}.bas").read_text(encoding="ascii"))


def xlwings_module(version: str) -> str:
    """The installed xlwings' custom-add-in module, for PROJECT_NAME "rootfi", whose
    settings come only from the add-in and the user (`without_workbook_config`).

    Refused unless it is stamped with `version` everywhere it names a version: the DLL
    it loads on Windows and the AppleScript it runs on macOS must be this package's.
    """
    import xlwings  # slow to load: only when an add-in is built

    text = crlf(resources.files(xlwings).joinpath("xlwings_custom_addin.bas").read_text(encoding="utf-8"))
    if text.count(TEMPLATE_PROJECT_CONSTANT) != 1:
        raise VBASourceError(f"xlwings {version}: xlwings_custom_addin.bas has no single line "
                             f"{TEMPLATE_PROJECT_CONSTANT!r} to set PROJECT_NAME with")
    text = text.replace(TEMPLATE_PROJECT_CONSTANT, f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"')
    stamps = version_stamps(text)
    if stamps["XLWINGS_VERSION"] != {version} or stamps["dll"] != {version}:
        raise VBASourceError(f"xlwings_custom_addin.bas is stamped {stamps}, not with the installed "
                             f"xlwings {version}")
    if 'AppleScriptTask("xlwings-" & XLWINGS_VERSION & ".applescript"' not in text:
        raise VBASourceError("xlwings_custom_addin.bas no longer names its AppleScript after XLWINGS_VERSION")
    return without_workbook_config(text)


# xlwings' GetConfig reads each setting from the first of: a `rootfi.conf` sheet in the
# *active workbook*, the add-in's own sheet, a `rootfi.conf` file in the *active
# workbook's folder*, the user's file. The first and third come from whoever made the
# workbook or can write to its folder, and the settings choose the Python that runs
# (INTERPRETER_WIN/_MAC, PYTHONPATH, UDF MODULES, CONDA *): both layers are cut out, so
# only the add-in (written by the build or the installer) and the user's own file count.
# Each block is cut on its exact text, between two of xlwings' own comment lines.
WORKBOOK_CONFIG_LAYERS = (
    ("            'Workbook Sheet Config\r\n", "            'Add-in Sheet Config",
     "            ' RootFi: a sheet of the active workbook is never read for settings (a shared workbook\r\n"
     "            ' is data, not authority: it must not choose the Python that runs).\r\n"),
    ("    ' Directory Config\r\n", "    ' User Config",
     "    ' RootFi: no config file beside the active workbook is read either (whoever can write to\r\n"
     "    ' its folder must not choose the Python that runs).\r\n\r\n"),
)


def without_workbook_config(text: str) -> str:
    """xlwings' module with GetConfig's workbook-sheet and workbook-folder layers removed;
    refused when either block is not exactly where and as expected."""
    function = re.search(r"^Function GetConfig\(.*?^End Function\r\n", text, re.MULTILINE | re.DOTALL)
    if not function:
        raise VBASourceError("xlwings_custom_addin.bas has no Function GetConfig to restrict")
    body = function.group(0)
    for start, end, replacement in WORKBOOK_CONFIG_LAYERS:
        if body.count(start) != 1 or body.count(end) != 1 or body.index(start) > body.index(end):
            raise VBASourceError(f"xlwings' GetConfig has changed: no single block {start.strip()!r} before "
                                 f"{end.strip()!r} to remove")
        block = body[body.index(start):body.index(end)]
        if "ActiveWorkbook" not in block and "GetDirectoryConfigFilePath" not in block:
            raise VBASourceError(f"xlwings' GetConfig has changed: {start.strip()!r} no longer reads the workbook")
        body = body.replace(block, replacement)
    if "ActiveWorkbook" in body or "GetDirectoryConfigFilePath" in body:
        raise VBASourceError("xlwings' GetConfig still reads the active workbook or its folder")
    return text.replace(function.group(0), body)


def version_stamps(text: str) -> dict[str, set[str]]:
    """Every version the xlwings module names: its constant and the DLLs it declares."""
    return {
        "XLWINGS_VERSION": set(re.findall(r'XLWINGS_VERSION As String = "([^"]*)"', text)),
        "dll": set(re.findall(r'"xlwings(?:32|64)-([^"]*)\.dll"', text)),
    }


def module_name_attribute(text: str) -> str | None:
    match = re.match(r'Attribute VB_Name = "([^"]*)"\r\n', text)
    return match.group(1) if match else None


def rule_problems(name: str, text: str) -> list[str]:
    """What in a module's source would break the project in Excel; empty when none."""
    found = []
    if re.search(r"\r(?!\n)|(?<!\r)\n", text) or not text.endswith("\r\n"):
        found.append(f"{name}: every line must end in CRLF")
    if module_name_attribute(text) != name:
        found.append(f"{name}: the first line must be Attribute VB_Name = \"{name}\"")
    try:
        text.encode(CODE_PAGE)
    except UnicodeEncodeError as error:
        found.append(f"{name}: {text[error.start:error.end]!r} is not in code page 1252")
    for number in declares_without_ptrsafe(text):
        found.append(f"{name} line {number}: Declare without PtrSafe outside an '#If VBA7' #Else branch")
    return found


def declares_without_ptrsafe(text: str) -> list[int]:
    """Line numbers of Declare statements that 64-bit Office compiles but lack PtrSafe.

    Only the `#Else` branch of `#If VBA7` is exempt: VBA7 (Office 2010 and later,
    32- and 64-bit) never compiles it, and Office 2007 there does not know PtrSafe.
    """
    frames: list[list[bool]] = []  # per open #If: [tests VBA7, in an #Else/#ElseIf branch]
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _code_part(raw).strip()
        directive = re.match(r"#(If|ElseIf|Else|End\s+If)\b(.*)", line, re.IGNORECASE)
        if directive:
            word = directive.group(1).lower().replace(" ", "")
            if word == "if":
                frames.append([bool(re.fullmatch(r"\s*VBA7\s+Then\s*", directive.group(2), re.IGNORECASE)), False])
            elif word in ("else", "elseif") and frames:
                frames[-1][1] = True
            elif word == "endif" and frames:
                frames.pop()
            continue
        if re.search(r"\bDeclare\b", line, re.IGNORECASE) and not re.search(r"\bDeclare\s+PtrSafe\b", line,
                                                                                re.IGNORECASE):
            if not any(is_vba7 and in_else for is_vba7, in_else in frames):
                found.append(number)
    return found


def _code_part(line: str) -> str:
    """A line without its comment (an apostrophe outside a string literal)."""
    inside = False
    for index, char in enumerate(line):
        if char == '"':
            inside = not inside
        elif char == "'" and not inside:
            return line[:index]
    return line


def is_empty_module(text: str) -> bool:
    """Only attribute lines, blank lines and Option statements: no code."""
    return all(not line.strip() or line.startswith("Attribute VB_") or line.strip().startswith("Option ")
               for line in text.splitlines())
