"""One exception tree in one module: every exception class of the package is defined in
rootfi_excel/errors.py, and the tree drawn at the top of that module is the tree of its classes.

The package's modules are read as source (ast), not imported: a class is an exception when
one of its bases is Python's own exception, a name ending in Error/Exception/Warning (a
library's), or another class of the package that is one.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import re
from pathlib import Path

import rootfi_excel
from rootfi_excel import errors

ROOT = Path(rootfi_excel.__file__).parent
HOME = ROOT / "errors.py"
BUILTIN_EXCEPTIONS = {name for name, value in vars(builtins).items()
                      if isinstance(value, type) and issubclass(value, BaseException)}
FOREIGN = re.compile(r"(Error|Exception|Warning)$")


def exception_classes(sources: dict[str, str]) -> dict[str, list[str]]:
    """Class name -> where each exception class is defined ('file:line'), from source alone."""
    classes: list[tuple[str, list[str], str]] = []
    for where, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(base).split(".")[-1] for base in node.bases]
                classes.append((node.name, bases, f"{where}:{node.lineno}"))
    known: set[str] = set()
    found: dict[str, list[str]] = {}
    grew = True
    while grew:  # a class may derive from one defined further on, or in another module
        grew = False
        for name, bases, where in classes:
            if where in found.get(name, []):
                continue
            if any(b in BUILTIN_EXCEPTIONS or b in known or FOREIGN.search(b) for b in bases):
                known.add(name)
                found.setdefault(name, []).append(where)
                grew = True
    return found


def drawn_tree() -> dict[str, str]:
    """Class name -> the parent drawn for it, from the indented block of errors' docstring."""
    block = next(part for part in (errors.__doc__ or "").split("\n\n") if part.startswith("    Exception"))
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in block.splitlines():
        depth = len(line) - len(line.lstrip(" "))
        name = line.split()[0]
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            assert name not in parents, f"{name} is drawn twice"
            parents[name] = stack[-1][1]
        stack.append((depth, name))
    return parents


def test_no_module_but_errors_defines_an_exception():
    sources = {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in sorted(ROOT.rglob("*.py"))}
    found = exception_classes(sources)
    assert len(found) > 25, found  # the classes of errors.py were seen: a check of nothing would pass
    elsewhere = sorted(where for places in found.values() for where in places if not where.startswith("errors.py:"))
    assert elsewhere == [], "exception classes outside rootfi_excel/errors.py:\n" + "\n".join(elsewhere)


def test_the_check_sees_an_exception_however_it_is_derived():
    sources = {
        "a.py": "class Plain:\n    pass\nclass Direct(Exception):\n    pass\nclass Value(ValueError):\n    pass\n",
        "b.py": "import httpx\nclass Child(Later):\n    pass\nclass Later(Direct):\n    pass\n"
                "class Library(httpx.HTTPError):\n    pass\n",
    }
    assert exception_classes(sources) == {"Direct": ["a.py:3"], "Value": ["a.py:5"], "Later": ["b.py:4"],
                                          "Child": ["b.py:2"], "Library": ["b.py:6"]}


def test_the_tree_at_the_top_of_errors_draws_every_class_under_its_base():
    defined = {name: cls for name, cls in vars(errors).items()
               if inspect.isclass(cls) and issubclass(cls, BaseException) and cls.__module__ == errors.__name__}
    drawn = drawn_tree()
    assert sorted(drawn) == sorted(defined), "the tree in errors' docstring and the classes differ"
    for name, cls in defined.items():
        assert len(cls.__bases__) == 1, f"{name}: one base, so the tree can show it"
        assert drawn[name] == cls.__bases__[0].__name__, f"{name} is drawn under {drawn[name]}"


def test_every_line_of_the_tree_says_when_and_what():
    block = next(part for part in (errors.__doc__ or "").split("\n\n") if part.startswith("    Exception"))
    for line in block.splitlines():
        name, _, said = line.strip().partition(" ")
        if name in BUILTIN_EXCEPTIONS:
            continue
        assert len(said.strip()) > 20, f"{name}: say when it is raised and what the person sees"
