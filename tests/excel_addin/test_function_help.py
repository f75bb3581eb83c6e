"""Insert Function's help for ROOTFI_*: the built add-in makes the Application.MacroOptions
calls xlwings' own import makes (description, category, argument descriptions), with the
values xlwings' own decorators give, so the functions are listed under "RootFi" with help."""

from __future__ import annotations

import re
import types

import pytest

from rootfi_excel import udfs
from rootfi_excel.errors import FunctionHelpError
from rootfi_excel.excel_addin.build import build_addin
from rootfi_excel.excel_addin.function_help import FUNCTION_HELP_MODULE, function_help_source
from rootfi_excel.excel_addin.vba import rule_problems
from tests.support.xlam_reader import read_vba


@pytest.fixture(scope="module")
def code(tmp_path_factory) -> str:
    built = build_addin(tmp_path_factory.mktemp("dist"))
    return read_vba(built.path).modules[FUNCTION_HELP_MODULE].code


def vba_text(literal: str) -> str:
    return literal[1:-1].replace('""', '"')


def registered(code: str) -> dict[str, dict]:
    """Each MacroOptions call of the module: function -> description, category, argument descriptions."""
    calls = {}
    text = code.replace(" _\r\n", " ")  # join continued lines
    string = r'"(?:[^"]|"")*"'
    for m in re.finditer(rf"Application\.MacroOptions Macro:=\"'\" & ThisWorkbook\.Name & \"'!(\w+)\", "
                         rf"+Description:=({string}), +Category:=({string}), +ArgumentDescriptions:=Array\(((?:{string}(?:, +)?)*)\)",
                         text):
        calls[m.group(1)] = {"description": vba_text(m.group(2)), "category": vba_text(m.group(3)),
                             "arguments": [vba_text(a) for a in re.findall(string, m.group(4))]}
    return calls


def test_the_addin_registers_every_function_with_what_xlwings_import_would(code, xlwings_udfs):  # noqa: F811
    calls = registered(code)
    assert sorted(calls) == sorted(f.__name__ for f in udfs.UDFS)
    for function in udfs.UDFS:
        # xlwings' real decorators, as udfs._udf applies them, on a copy
        copy = types.FunctionType(function.__code__, function.__globals__, function.__name__, function.__defaults__)
        copy.__doc__ = function.__doc__
        for argument, doc in udfs.ARGUMENT_HELP[function.__name__].items():
            copy = xlwings_udfs.xlarg(argument, doc=doc)(copy)
        info = xlwings_udfs.xlfunc(category=udfs.CATEGORY)(copy).__xlfunc__
        # import_udfs: fdoc = ret doc[:255]; argdocs of the arguments without a vba value (caller has one)
        for arg in info["args"]:
            if arg["name"] == "caller":
                arg["vba"] = "Nothing"  # what generate_vba_wrapper sets before import_udfs reads them
        expected = {"description": " ".join(info["ret"]["doc"][:255].split()), "category": info["category"],
                    "arguments": [a["doc"][:255] for a in info["args"] if not a["vba"]]}
        assert calls[function.__name__] == expected
        assert expected["category"] == "RootFi" and len(expected["arguments"]) == 3


def test_it_runs_when_excel_loads_the_addin_and_never_stops_it(code):
    assert rule_problems(FUNCTION_HELP_MODULE, code) == []
    assert re.search(r"^Sub Auto_Open\(\)\r\n    RegisterFunctionHelp\r\nEnd Sub", code, re.MULTILINE)
    body = code[code.index("Public Sub RegisterFunctionHelp()"):]
    assert body.index("#If Mac Then") < body.index("On Error Resume Next") < body.index("Application.MacroOptions")
    assert "ThisWorkbook.Saved = True" in body


def test_a_function_without_help_stops_the_build():
    def ROOTFI_NEW(value, caller=None):  # noqa: N802
        """A new function."""
    with pytest.raises(FunctionHelpError, match="ROOTFI_NEW"):
        function_help_source([ROOTFI_NEW], "RootFi", {})
    assert "ROOTFI_NEW" in function_help_source([ROOTFI_NEW], "RootFi", {"ROOTFI_NEW": {"value": "The value."}})
