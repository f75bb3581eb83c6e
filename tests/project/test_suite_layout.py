"""The house rules of the test suite: no test module imports another (what tests share is
in tests/support/ or a conftest.py), and every helper lives in tests/support/."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import REPO

TESTS = REPO / "tests"


def suite_modules() -> list[Path]:
    return sorted(p for p in TESTS.rglob("test_*.py") if "support" not in p.relative_to(TESTS).parts)


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (inside functions too), by its full name."""
    package = ".".join(path.relative_to(REPO).parent.parts)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from tests import test_x`
    return found


def is_test_module(name: str) -> bool:
    parts = name.split(".")
    return parts[0] == "tests" and "support" not in parts and parts[-1].startswith("test_")


def test_no_test_module_imports_another():
    offenders = {str(path.relative_to(REPO)): sorted(n for n in imported_modules(path) if is_test_module(n))
                 for path in suite_modules()}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_sees_every_way_of_importing_a_test_module(tmp_path, monkeypatch):
    """The rule's own check finds an import at the top, inside a function, and relative."""
    folder = TESTS / "cli"
    sample = folder / "test_sample.py"
    text = ("from tests.test_cli import demo_book\n"
            "def test_x():\n    from tests.workbook import test_excel_adapter\n"
            "from .test_words import words\n")
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: text)
    found = {n for n in imported_modules(sample) if is_test_module(n)}
    assert {"tests.test_cli", "tests.workbook.test_excel_adapter", "tests.cli.test_words"} <= found
    assert not is_test_module("tests.support.cli_books") and not is_test_module("tests.conftest")


def test_helpers_live_in_tests_support():
    """Besides test modules, tests/ holds only conftest.py files and package markers; any
    other module is a helper and belongs in tests/support/."""
    strays = [str(p.relative_to(REPO)) for p in TESTS.rglob("*.py")
              if "support" not in p.relative_to(TESTS).parts and "fixtures" not in p.relative_to(TESTS).parts
              and not p.name.startswith("test_") and p.name not in ("conftest.py", "__init__.py")]
    assert strays == []
