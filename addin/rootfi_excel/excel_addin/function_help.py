"""Insert Function's help for the worksheet functions: a VBA module the build writes.

xlwings' own "Import Functions" (import_udfs in xlwings/udfs.py) writes the wrappers
(udf_module.py) and then calls Application.MacroOptions for each function: its
description (the docstring, 255 characters at most), its category and a description of
each argument (@xw.arg doc=..., `caller` left out). Without that, the functions sit under
"User Defined" with no help. MacroOptions runs only inside Excel, so the build writes a
module that makes the same calls when Excel loads the add-in (Auto_Open, which Excel runs
for an add-in it opens from XLSTART or the Add-ins dialog). Windows only: xlwings serves
no worksheet functions on the Mac. A failure here never stops the add-in from loading.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from rootfi_excel.errors import FunctionHelpError
from rootfi_excel.excel_addin.udf_module import CALLER, arguments
from rootfi_excel.excel_addin.vba import crlf

FUNCTION_HELP_MODULE = "RootFiFunctions"
MAX_HELP = 255  # what MacroOptions takes (xlwings cuts at the same length)


def help_of(function: Callable[..., Any], argument_help: dict[str, dict[str, str]]) -> tuple[str, list[str]]:
    """(description, argument descriptions) as xlwings' import passes them to MacroOptions."""
    docs = argument_help.get(function.__name__, {})
    names = [name for name, _ in arguments(function) if name != CALLER]
    missing = [name for name in names if not docs.get(name)]
    if missing or not function.__doc__:
        raise FunctionHelpError(f"{function.__name__}: no help for {missing or 'the function'} (udfs.ARGUMENT_HELP, docstring)")
    return function.__doc__[:MAX_HELP], [docs[name][:MAX_HELP] for name in names]


def function_help_source(functions: Iterable[Callable[..., Any]], category: str,
                         argument_help: dict[str, dict[str, str]]) -> str:
    lines = [
        f'Attribute VB_Name = "{FUNCTION_HELP_MODULE}"',
        "Option Explicit",
        "",
        "' Insert Function's help for the RootFi worksheet functions: what xlwings' Import Functions",
        "' registers with Application.MacroOptions. Written by `rootfi-excel addin build` from",
        "' rootfi_excel/udfs.py. Excel runs Auto_Open when it loads the add-in.",
        "",
        "Sub Auto_Open()",
        "    RegisterFunctionHelp",
        "End Sub",
        "",
        "Public Sub RegisterFunctionHelp()",
        "    #If Mac Then",
        "        Exit Sub ' xlwings has no worksheet functions on the Mac",
        "    #Else",
        "    On Error Resume Next ' help text is never a reason for the add-in not to load",
    ]
    for function in sorted(functions, key=lambda f: f.__name__):
        description, argument_docs = help_of(function, argument_help)
        lines += [
            f"    Application.MacroOptions Macro:=\"'\" & ThisWorkbook.Name & \"'!{function.__name__}\", _",
            f"        Description:={_literal(description)}, _",
            f"        Category:={_literal(category)}, _",
            "        ArgumentDescriptions:=Array(" + ", _\n            ".join(_literal(d) for d in argument_docs) + ")",
        ]
    lines += [
        "    ThisWorkbook.Saved = True ' registering is no change to save",
        "    #End If",
        "End Sub",
    ]
    return crlf("\n".join(lines) + "\n")


def _literal(text: str) -> str:
    """A VBA string literal (quotes doubled; the text is on one line)."""
    return '"' + " ".join(text.split()).replace('"', '""') + '"'
