"""pyflakes over the project's Python: merges have twice brought in names that no longer
exist, which only fail when that line runs. This catches them on every test run.

Enforced: the messages that are bugs or dead weight - undefined names (also in __all__
and before assignment), unused imports, a name defined twice before use (two tests of
one name: the first never runs), and the rest of pyflakes' certain mistakes. Not
enforced: style (unused local variables, f-strings without placeholders).

A line may opt out in flake8's way, `# noqa` or `# noqa: F401` (the code of its
message), for an import kept on purpose. A fixture taken from another test module is
bound by assignment, not imported (pytest finds it by its name either way):
`excel = test_ribbon_buttons.excel`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from pyflakes import messages
from pyflakes.checker import Checker

from tests.support.paths import REPO

ROOT = REPO
FOLDERS = ("addin", "tests", "workbook_templates")

# Message -> flake8's code for it (what `# noqa: CODE` names).
ENFORCED = {
    messages.UnusedImport: "F401",
    messages.ImportShadowedByLoopVar: "F402",
    messages.ImportStarUsed: "F403",
    messages.LateFutureImport: "F404",
    messages.ImportStarUsage: "F405",
    messages.ImportStarNotPermitted: "F406",
    messages.FutureFeatureNotDefined: "F407",
    messages.MultiValueRepeatedKeyLiteral: "F601",
    messages.MultiValueRepeatedKeyVariable: "F602",
    messages.TwoStarredExpressions: "F622",
    messages.AssertTuple: "F631",
    messages.IsLiteral: "F632",
    messages.IfTuple: "F634",
    messages.BreakOutsideLoop: "F701",
    messages.ContinueOutsideLoop: "F702",
    messages.DefaultExceptNotLast: "F707",
    messages.RedefinedWhileUnused: "F811",
    messages.UndefinedName: "F821",
    messages.UndefinedExport: "F822",
    messages.UndefinedLocal: "F823",
    messages.DuplicateArgument: "F831",
    messages.RaiseNotImplemented: "F901",
}
NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z0-9, ]+))?", re.IGNORECASE)


def python_files() -> list[Path]:
    return sorted(path for folder in FOLDERS for path in (ROOT / folder).rglob("*.py")
                  if ".venv" not in path.parts and "build" not in path.parts)


def problems(path: Path, root: Path = ROOT) -> list[str]:
    """pyflakes' enforced messages for one file, as 'path:line: message'."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    checker = Checker(ast.parse(source, filename=str(path)), filename=str(path))  # a SyntaxError fails here
    found = []
    for message in sorted(checker.messages, key=lambda m: m.lineno):
        code = ENFORCED.get(type(message))
        if code is None or _opted_out(lines[message.lineno - 1] if message.lineno <= len(lines) else "", code):
            continue
        found.append(f"{path.relative_to(root)}:{message.lineno}: {message.message % message.message_args}")
    return found


def _opted_out(line: str, code: str) -> bool:
    match = NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or code in {c.strip().upper() for c in codes.split(",")}


def test_the_project_has_no_undefined_names_or_unused_imports():
    files = python_files()
    assert len(files) > 100  # the folders were found: a lint of nothing would pass
    found = [line for path in files for line in problems(path)]
    assert not found, "pyflakes:\n" + "\n".join(found)


@pytest.mark.parametrize(("source", "expected"), [
    ("import os\n", ["'os' imported but unused"]),
    ("def f():\n    return undefined_name\n", ["undefined name 'undefined_name'"]),
    ("def test_a():\n    pass\n\n\ndef test_a():\n    pass\n", ["redefinition of unused 'test_a' from line 1"]),
    ("import os  # noqa: F401\n", []),
    ("import os  # noqa: F821\n", ["'os' imported but unused"]),  # the opt-out names another message
    ("def f():\n    x = 1\n    return f'{1}' + f'no placeholder'\n", []),  # style: not enforced
])
def test_the_lint_finds_what_it_enforces(tmp_path, source, expected):
    path = tmp_path / "sample.py"
    path.write_text(source, encoding="utf-8")
    assert [line.split(": ", 1)[1] for line in problems(path, root=tmp_path)] == expected
