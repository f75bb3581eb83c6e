"""No normal workbook in front (Excel just started, every workbook closed, a file in
Protected View): xlwings' RunPython would stop in run-time error 91 before Python starts.
The ribbon callback guards this in VBA. The callback is read back from the built add-in
and walked through, statement by statement, for every button in every state; then the
Python it starts is run against the fake Excel."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from rootfi_excel import messages, ribbon
from rootfi_excel.excel_addin import vba
from rootfi_excel.excel_addin.build import build_addin
from rootfi_excel.workbook.excel import ExcelWorkbook
from tests.support.fake_xlwings import FakeApp, FakeBook
from tests.support.xlam_reader import read_vba, vba_string_concatenation

STATES = {  # name -> (ActiveWorkbook Is Nothing, a Protected View window in front)
    "a workbook": (False, False),
    "no workbook": (True, False),
    "protected view": (True, True),
    "protected view over a workbook": (False, True),
}


@pytest.fixture(scope="module")
def callback_module(tmp_path_factory) -> str:
    built = build_addin(tmp_path_factory.mktemp("dist"))
    return read_vba(built.path).modules[vba.RIBBON_MODULE].code


def procedure(code: str, name: str) -> list[str]:
    match = re.search(rf"^(?:Public |Private )?(Sub|Function) {name}\(.*?\)[^\r\n]*\r\n(.*?)^End \1",
                      code, re.MULTILINE | re.DOTALL)
    assert match, f"no procedure {name}"
    return [line.strip() for line in match.group(2).splitlines() if line.strip() and not line.strip().startswith("'")]


def mac_shell_characters(code: str) -> set[str]:
    """The characters NameReachesShellOnMac refuses, read from its Array(...)."""
    body = " ".join(procedure(code, "NameReachesShellOnMac"))
    items = re.search(r"For Each unsafe In Array\((.*?)\)\s+If", body).group(1)
    return {'"' if item.strip() == "Chr(34)" else item.strip().strip('"') for item in items.split(",")}


def run(code: str, name: str, *, tag: str, no_workbook: bool, protected: bool, mac: bool,
        fullname: str = "/Users/ann/Documents/March.xlsx") -> tuple[list[str], dict]:
    """The statements a procedure runs (conditions evaluated for this state), and what it assigned."""
    def condition(text: str) -> bool:
        text = re.sub(r"\bNameReachesShellOnMac\(\)",
                      lambda _: str(mac and any(c in fullname for c in mac_shell_characters(code))), text)
        text = re.sub(r"\bNot Application\.ActiveProtectedViewWindow Is Nothing\b", str(protected), text)
        text = re.sub(r"\bActiveWorkbook Is Nothing\b", str(no_workbook), text)
        text = re.sub(r'\bcontrol\.Tag = "([a-z_]+)"', lambda m: str(m.group(1) == tag), text)
        text = re.sub(r"\bInProtectedView\(\)", lambda _: str(run(code, "InProtectedView", tag=tag,
                      no_workbook=no_workbook, protected=protected, mac=mac)[1]["InProtectedView"]), text)
        text = text.replace(" Or ", " or ").replace(" And ", " and ")
        assert re.fullmatch(r"(True|False|not|or|and|[ ()])+", text), f"a condition this walk cannot read: {text}"
        return eval(text)  # noqa: S307 - only True/False/and/or/not, checked above

    ran: list[str] = []
    assigned: dict = {}
    stack: list[list[bool]] = []  # [this branch runs, a branch was taken]
    for line in procedure(code, name):
        active = all(frame[0] for frame in stack)
        if m := re.fullmatch(r"#?If (.+) Then", line):
            value = (m.group(1) == "Mac" and mac) if line.startswith("#") else (active and condition(m.group(1)))
            stack.append([value, value])
        elif m := re.fullmatch(r"#?ElseIf (.+) Then", line):
            parent = all(frame[0] for frame in stack[:-1])
            value = not stack[-1][1] and parent and condition(m.group(1))
            stack[-1] = [value, stack[-1][1] or value]
        elif line in ("Else", "#Else"):
            stack[-1] = [not stack[-1][1], True]
        elif line in ("End If", "#End If"):
            stack.pop()
        elif not active:
            continue
        elif line in ("Exit Sub", "Exit Function"):
            break
        elif m := re.fullmatch(rf"{name} = (.+)", line):
            assigned[name] = condition(m.group(1)) if name == "InProtectedView" else m.group(1)
        else:
            ran.append(line)
    return ran, assigned


def msgbox_text(statement: str) -> str:
    return re.fullmatch(r'MsgBox "((?:[^"]|"")*)", vbInformation, "RootFi"', statement).group(1).replace('""', '"')


# Excel for Mac's object model has no Protected View windows: those states are Windows only.
CASES = [(state, mac) for state in STATES for mac in (False, True) if not (mac and STATES[state][1])]


@pytest.mark.parametrize("state, mac", CASES, ids=[f"{s}-{'mac' if m else 'windows'}" for s, m in CASES])
def test_every_button_runs_its_python_or_says_one_readable_thing(callback_module, state, mac):
    no_workbook, protected = STATES[state]
    for tag in ribbon.BUTTONS:
        ran, _ = run(callback_module, "OnRibbonButton", tag=tag, no_workbook=no_workbook, protected=protected,
                     mac=mac)
        python = [s for s in ran if s.startswith("RunPython")]
        if state == "a workbook":
            assert ran == [python[0]] and "scratch" not in python[0], (tag, ran)
        elif tag in ribbon.NEEDS_NO_WORKBOOK:  # a blank workbook for xlwings to start Python in
            assert ran[0] == "Workbooks.Add" and len(python) == 1 and "scratch=True" in python[0], (tag, ran)
        else:  # never RunPython: one message box, then the callback ends
            assert python == [] and len(ran) == 1, (tag, ran)
            expected = messages.PROTECTED_VIEW if protected else messages.NO_WORKBOOK
            assert msgbox_text(ran[0]) == expected


def test_the_guard_comes_before_any_runpython(callback_module):
    body = procedure(callback_module, "OnRibbonButton")
    assert body[0] == "If ActiveWorkbook Is Nothing Or InProtectedView() Then"
    assert body.index("Exit Sub") < [i for i, line in enumerate(body) if line.startswith("RunPython")][-1]
    # The two buttons that need no workbook are the ones the VBA lets through.
    let_through = set(re.findall(r'control\.Tag = "([a-z_]+)"', body[1]))
    assert let_through == set(ribbon.NEEDS_NO_WORKBOOK)
    # Protected View is read from Excel's own object model, on Windows only.
    in_view = procedure(callback_module, "InProtectedView")
    assert "InProtectedView = Not Application.ActiveProtectedViewWindow Is Nothing" in in_view
    assert in_view[0] == "#If Mac Then"


@pytest.mark.parametrize("tag", sorted(ribbon.NEEDS_NO_WORKBOOK))
def test_the_python_the_guard_starts_runs_the_button_and_closes_the_blank_workbook(callback_module, tag,
                                                                                  monkeypatch, tmp_path):
    ran, _ = run(callback_module, "OnRibbonButton", tag=tag, no_workbook=True, protected=False, mac=False)
    expression = next(s for s in ran if s.startswith("RunPython")).removeprefix("RunPython ")
    blank = FakeBook(FakeApp(), fullname="Book1")  # what Workbooks.Add made, the active workbook now
    monkeypatch.setattr(ExcelWorkbook, "caller", classmethod(lambda cls: cls(blank)))
    pressed = []
    monkeypatch.setitem(ribbon.BUTTONS, tag, lambda workbook, ui, **_: pressed.append((workbook, blank.closed)))
    exec(vba_string_concatenation(expression, tag), {})  # the Python RunPython runs
    assert pressed == [(None, False)]  # the button ran without a workbook, the blank one still open
    assert blank.closed  # and then it was closed (xlwings closes without saving)


def test_open_log_and_new_workbook_work_without_a_workbook(monkeypatch, tmp_path):
    import openpyxl

    from rootfi_excel.folders import log_dir

    blank = FakeBook(FakeApp(), fullname="Book1")
    monkeypatch.setattr(ExcelWorkbook, "caller", classmethod(lambda cls: cls(blank)))
    opened = []
    monkeypatch.setattr(ribbon, "_open_folder", opened.append)
    ribbon.dispatch("open_log", scratch=True)
    assert opened == [log_dir()] and str(log_dir()) in blank.app.alerts[-1][0] and blank.closed

    blank = FakeBook(FakeApp(), fullname="Book2")
    target = tmp_path / "April.xlsx"
    monkeypatch.setitem(ribbon.BUTTONS, "new_workbook",
                        lambda workbook, ui, **_: ribbon.new_workbook(workbook, ui, choose=lambda s: target))
    ribbon.dispatch("new_workbook", scratch=True)
    assert blank.app.books.opened == [str(target)] and blank.closed
    assert "Settings" in openpyxl.load_workbook(target).sheetnames


def test_a_button_that_needs_a_workbook_says_so_in_python_too(monkeypatch):
    app = FakeApp()

    def no_caller(cls):
        raise AttributeError("'NoneType' object has no attribute 'Name'")  # what xlwings raises with no book
    monkeypatch.setattr(ExcelWorkbook, "caller", classmethod(no_caller))
    import xlwings

    monkeypatch.setattr(xlwings, "apps", SimpleNamespace(active=app), raising=False)
    ribbon.dispatch("validate")
    assert app.alerts[-1][0] == messages.NO_WORKBOOK


UNSAFE_NAMES = ["/Users/ann/Shared/$(curl evil)/March.xlsx", "/Users/ann/March `id`.xlsx",
                '/Users/ann/a"b/March.xlsx', "/Users/ann/it\\'s/March.xlsx"]


def test_on_a_mac_the_characters_a_shell_would_run_are_the_ones_refused(callback_module):
    assert mac_shell_characters(callback_module) == set(messages.MAC_SHELL_CHARACTERS) == {"$", "`", '"', "\\"}
    body = procedure(callback_module, "NameReachesShellOnMac")
    assert body[0] == "#If Mac Then" and "If InStr(ActiveWorkbook.FullName, unsafe) > 0 Then NameReachesShellOnMac = True" in body


@pytest.mark.parametrize("fullname", UNSAFE_NAMES)
def test_on_a_mac_a_workbook_named_to_run_a_command_never_reaches_runpython(callback_module, fullname):
    for tag in ribbon.BUTTONS:
        ran, _ = run(callback_module, "OnRibbonButton", tag=tag, no_workbook=False, protected=False, mac=True,
                     fullname=fullname)
        assert [s for s in ran if s.startswith("RunPython")] == [] and len(ran) == 1, (tag, ran)
        assert msgbox_text(ran[0]) == messages.MAC_UNSAFE_NAME
        # Windows hands no name to a shell (and its names cannot hold " anyway): the button runs.
        ran, _ = run(callback_module, "OnRibbonButton", tag=tag, no_workbook=False, protected=False, mac=False,
                     fullname=fullname)
        assert len(ran) == 1 and ran[0].startswith("RunPython"), (tag, ran)
