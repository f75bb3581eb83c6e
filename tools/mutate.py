"""Mutation testing of the engine: does a test fail when the code is subtly wrong?

A small `ast` mutator. For each module it makes one small change at a time (a comparison
flipped, a condition negated, `and`/`or` swapped, a statement dropped, a constant
changed: True/False, 0/1), then runs only the tests that execute the mutated line, and says whether one of
them failed (caught) or none did (survived). Not part of CI: run it by hand.

    nice -n 10 .venv/bin/python tools/mutate.py                  # every engine module
    nice -n 10 .venv/bin/python tools/mutate.py submission/journal.py --out mutants.txt
    .venv/bin/python tools/mutate.py --list submission/sending.py # the mutants, nothing run

Which tests execute which line comes from one run of the whole suite under coverage.py
with per-test contexts (pytest --cov-context=test), kept under .mutation/ and made again
with --collect (or when there is none); --collect-tests adds the coverage of new tests.
The mutants run against a copy of the `addin` tree (PYTHONPATH), so the work tree is
never modified; each one's tests run with -x, cheapest first.

Time: the selected tests are first run unmutated (once per selection), which gives the
mutant's budget, --slack times that run plus --margin seconds; they must pass unmutated,
or the mutant is an "error", never caught. A mutant over its budget is run once more with
--rerun times the budget: if its tests then end, their exit decides (slow and passing:
survived; failing: caught); if not, it is a "timeout", a hang, counted detected (as mutmut
and Stryker count it) but in a column of its own. A mutant on a line no test runs is counted
survived ("no tests"). At most --max-tests tests run per mutant (the cheapest by lines
run), so a mutant only a slow end-to-end test would catch may be counted survived: the
score errs low, never high. --tests runs the named tests for every mutant instead (to
try a new test on the mutants it was written for, before its coverage is collected).

With --sample N, at most N mutants per module are tried, chosen with --seed (fixed), so
that a run over every module fits in about half an hour on two cores.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "addin" / "rootfi_excel"
STATE = ROOT / ".mutation"
ENGINE = ["submission/journal.py", "submission/identity.py", "submission/collecting.py",
          "submission/lookups.py", "submission/platform_check.py", "submission/sending.py",
          "api/retry.py", "api/answers.py", "workbook/xlsx_patch.py"]
FIRST = 6  # the cheapest tests of a line, tried first
COVERED_PACKAGES = ["rootfi_excel.submission", "rootfi_excel.api", "rootfi_excel.workbook"]

_FLIP = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE,
         ast.LtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
_ARITH = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult, ast.Div: ast.Mult}
_SYMBOL = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=",
           ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not", ast.Add: "+", ast.Sub: "-",
           ast.Mult: "*", ast.FloorDiv: "//", ast.Div: "/"}


@dataclass
class Mutant:
    module: str  # path under addin/rootfi_excel
    index: int  # its position among the module's mutation points (ast.walk order)
    line: int
    what: str
    status: str = ""  # caught / survived / timeout / no tests / error (...)
    tests: int = 0
    seconds: float = 0.0
    slow: bool = False  # over its first budget, ended within the larger one

    def where(self) -> str:
        return f"{self.module}:{self.line}"


# ---------------------------------------------------------------------------- mutations

def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first))
    return ids


def _points(tree: ast.AST) -> list[tuple[ast.AST, str, int, object]]:
    """Every mutation point: (node, kind, line, detail), in a fixed order."""
    skip = _docstrings(tree)
    annotations = set()
    for node in ast.walk(tree):  # annotations are never run (from __future__ import annotations)
        for name in ("annotation", "returns"):
            sub = getattr(node, name, None)
            if sub is not None:
                annotations.update(id(n) for n in ast.walk(sub))
    points = []
    for node in ast.walk(tree):
        if id(node) in annotations:
            continue
        if isinstance(node, ast.Compare):
            for position, op in enumerate(node.ops):
                if type(op) in _FLIP:
                    points.append((node, "compare", node.lineno, position))
        elif isinstance(node, ast.BoolOp):
            points.append((node, "boolop", node.lineno, None))
        elif isinstance(node, ast.BinOp) and type(node.op) in _ARITH and not _is_text(node):
            points.append((node, "arith", node.lineno, None))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            points.append((node, "not", node.lineno, None))
        elif isinstance(node, ast.Constant) and id(node) not in skip:
            # True/False and the integers 0 and 1 (counts, indexes, flags); other numbers are
            # bounds and timings whose small change no test can (or should) see.
            if isinstance(node.value, bool) or (type(node.value) is int and node.value in (0, 1)):
                points.append((node, "constant", node.lineno, None))
        if isinstance(node, (ast.If, ast.While, ast.IfExp)) and not _negated_elsewhere(node.test):
            points.append((node, "negate", node.lineno, None))
        if isinstance(node, (ast.Continue, ast.Break)) or (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and id(node) not in skip) or (
                isinstance(node, ast.AugAssign)) or (isinstance(node, ast.Return) and node.value is None) or (
                isinstance(node, ast.Assign) and all(isinstance(t, (ast.Attribute, ast.Subscript)) for t in node.targets)):
            points.append((node, "drop", node.lineno, None))
    return points


def _negated_elsewhere(test: ast.AST) -> bool:
    """`if not x` and `if a < b` are negated by the `not` and comparison points already."""
    return (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)) or (
        isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _FLIP)


def _is_text(node: ast.BinOp) -> bool:
    """String building (`"a" + b`, `"%s" % x`) is messages, not decisions."""
    return any(isinstance(side, (ast.Constant, ast.JoinedStr)) and isinstance(getattr(side, "value", ""), str)
               for side in (node.left, node.right))


def _describe(node: ast.AST, kind: str, detail: object) -> str:
    if kind == "compare":
        op = node.ops[detail]
        return f"{_SYMBOL[type(op)]} -> {_SYMBOL[_FLIP[type(op)]]}"
    if kind == "boolop":
        return "and -> or" if isinstance(node.op, ast.And) else "or -> and"
    if kind == "arith":
        return f"{_SYMBOL[type(node.op)]} -> {_SYMBOL[_ARITH[type(node.op)]]}"
    if kind == "not":
        return f"not {_short(node.operand)} -> {_short(node.operand)}"
    if kind == "constant":
        return f"{node.value!r} -> {_changed(node.value)!r}"
    if kind == "negate":
        return f"if {_short(node.test)} -> if not (...)"
    return f"drop `{_short(node)}`"


def _short(node: ast.AST) -> str:
    text = ast.unparse(node).splitlines()[0]
    return text if len(text) <= 60 else text[:57] + "..."


def _changed(value: object) -> object:
    if isinstance(value, bool):
        return not value
    return 1 - value


class _Apply(ast.NodeTransformer):
    def __init__(self, target: ast.AST, kind: str, detail: object) -> None:
        self.target, self.kind, self.detail = target, kind, detail

    def visit(self, node: ast.AST) -> ast.AST:
        if node is not self.target:
            return self.generic_visit(node)
        kind = self.kind
        if kind == "compare":
            node.ops[self.detail] = _FLIP[type(node.ops[self.detail])]()
        elif kind == "boolop":
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        elif kind == "arith":
            node.op = _ARITH[type(node.op)]()
        elif kind == "not":
            return node.operand
        elif kind == "constant":
            node.value = _changed(node.value)
        elif kind == "negate":
            node.test = ast.UnaryOp(op=ast.Not(), operand=node.test)
        elif kind == "drop":
            return ast.Pass()
        return node


def mutants_of(module: str) -> list[Mutant]:
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    return [Mutant(module, index, line, _describe(node, kind, detail))
            for index, (node, kind, line, detail) in enumerate(_points(tree))]


def mutated_source(mutant: Mutant) -> str:
    tree = ast.parse((PACKAGE / mutant.module).read_text(encoding="utf-8"))
    node, kind, _, detail = _points(tree)[mutant.index]
    tree = _Apply(node, kind, detail).visit(tree)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


# ---------------------------------------------------------------------------- coverage
# Each collection is a folder under .mutation/: `coverage` (coverage.py's data, a context
# per test) and `src/` (the measured modules as they were then). Lines are carried over to
# the source as it is now by a diff, so an edit since (a line added above) does not make
# the wrong tests run; an edited line has no tests until coverage is collected again.

def collect_coverage(jobs: int, tests: list[str]) -> None:
    """Run tests (all of them when none are named) under coverage, each line noting the
    tests that ran it. The whole suite replaces every earlier collection; named tests add one."""
    STATE.mkdir(exist_ok=True)
    if not tests:
        for old in STATE.glob("collection-*"):
            shutil.rmtree(old)
    folder = STATE / f"collection-{time.strftime('%Y%m%d-%H%M%S')}"
    folder.mkdir()
    for module in ENGINE_SOURCES():
        copy = folder / "src" / module
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE / module, copy)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", str(jobs),
               "--cov-context=test", "--cov-report="] + [f"--cov={p}" for p in COVERED_PACKAGES] + tests
    print("collecting per-test coverage:", " ".join(command), flush=True)
    result = subprocess.run(command + ["-rf"], cwd=ROOT, env={**os.environ, "COVERAGE_FILE": str(folder / "coverage")},
                            stdout=subprocess.PIPE, text=True, check=False)
    print(result.stdout[-2000:])
    # A test that fails unmutated would count every mutant it runs as caught: it is never selected.
    failed = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("FAILED ")]
    (folder / "failed.txt").write_text("".join(f"{test}\n" for test in failed), encoding="utf-8")


def failing_tests() -> set[str]:
    return {line for folder in _collections() if (folder / "failed.txt").exists()
            for line in (folder / "failed.txt").read_text(encoding="utf-8").split()}


def ENGINE_SOURCES() -> list[str]:  # noqa: N802 - every module of the covered packages
    return sorted(str(p.relative_to(PACKAGE)) for package in COVERED_PACKAGES
                  for p in (PACKAGE / package.split(".", 1)[1]).rglob("*.py"))


def _collections() -> list[Path]:
    return sorted(p for p in STATE.glob("collection-*") if (p / "coverage").exists())


def _line_map(old: list[str], new: list[str]) -> dict[int, int]:
    """Old line number -> new line number, for the lines the edit left as they were."""
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    mapping = {}
    for a, b, size in matcher.get_matching_blocks():
        for offset in range(size):
            mapping[a + offset + 1] = b + offset + 1
    return mapping


def _data(folder: Path):
    import coverage

    data = coverage.CoverageData(basename=str(folder / "coverage"))
    data.read()
    return data


def tests_by_line(module: str) -> dict[int, list[str]]:
    """line (of the module as it is now) -> pytest node ids of the tests that execute it."""
    current = (PACKAGE / module).read_text(encoding="utf-8").splitlines()
    by_line: dict[int, set[str]] = {}
    for folder in _collections():
        snapshot = folder / "src" / module
        if not snapshot.exists():
            continue
        mapping = _line_map(snapshot.read_text(encoding="utf-8").splitlines(), current)
        data = _data(folder)
        path = next((f for f in data.measured_files() if f.endswith("/rootfi_excel/" + module)), None)
        if path is None:
            continue
        at_import, these = set(), {}
        for line, contexts in data.contexts_by_lineno(path).items():
            tests = {c.rsplit("|", 1)[0] for c in contexts if c}
            if line in mapping:
                if tests:
                    these.setdefault(mapping[line], set()).update(tests)
                else:
                    at_import.add(mapping[line])
        # Lines run when the module is imported (class and def lines, decorators, defaults,
        # constants) have no test's context: every test of this collection that runs the
        # module may see them (a later collection adds its own tests to them).
        every = set().union(*these.values()) if these else set()
        for line in at_import - set(these):
            these[line] = set(every)
        for line, tests in these.items():
            by_line.setdefault(line, set()).update(tests)
    return {line: sorted(tests) for line, tests in by_line.items()}


def _test_weights() -> dict[str, int]:
    """How many measured lines each test runs: a rough cost, so that cheap tests go first."""
    weights: dict[str, int] = {}
    for folder in _collections():  # a test collected again since: its latest count
        data = _data(folder)
        these: dict[str, int] = {}
        for path in data.measured_files():
            for contexts in data.contexts_by_lineno(path).values():
                for context in contexts:
                    if context:
                        test = context.rsplit("|", 1)[0]
                        these[test] = these.get(test, 0) + 1
        weights.update(these)
    return weights


# ---------------------------------------------------------------------------- running

class Sandbox:
    """A copy of the addin tree that one worker mutates, one module at a time, and a pytest
    server that runs the tests against it: it imports pytest and the libraries once (never
    rootfi_excel), then forks a child per run, so each run pays only for our own modules."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="rootfi-mutate-"))
        shutil.copytree(ROOT / "addin", self.dir / "addin", ignore=shutil.ignore_patterns("*.egg-info"))
        env = {**os.environ, "PYTHONPATH": str(self.dir / "addin")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled once: the mutated module's .pyc is removed each time
        env.pop("COVERAGE_PROCESS_START", None)
        self.server = subprocess.Popen([sys.executable, __file__, "--serve"], cwd=ROOT, env=env, text=True,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def run(self, mutant: Mutant | None, tests: list[str], timeout: float) -> tuple[str, float]:
        """Run the tests against the mutant (None: the code unmutated): the outcome and seconds taken."""
        if mutant is None:
            return self._run(tests, timeout)
        target = self.dir / "addin" / "rootfi_excel" / mutant.module

        def forget_compiled() -> None:  # a .pyc is trusted by mtime and size: never reuse one across versions
            for cached in target.parent.joinpath("__pycache__").glob(target.stem + ".*.pyc"):
                cached.unlink()

        original = target.read_text(encoding="utf-8")
        forget_compiled()
        target.write_text(mutated_source(mutant), encoding="utf-8")
        try:
            return self._run(tests, timeout)
        finally:
            target.write_text(original, encoding="utf-8")
            forget_compiled()

    def _run(self, tests: list[str], timeout: float) -> tuple[str, float]:
        args = ["-x", "-q", "-n", "0", "-p", "no:cacheprovider", "--no-header", *tests]
        began = time.monotonic()
        self.server.stdin.write(json.dumps({"args": args, "timeout": timeout}) + "\n")
        self.server.stdin.flush()
        code = json.loads(self.server.stdout.readline())
        seconds = time.monotonic() - began
        if code == "timeout":
            return "timeout", seconds
        if code == 0:
            return "survived", seconds
        if code in (1, 3):  # tests failed, or an error inside pytest (a mutant that breaks an import)
            return "caught", seconds
        return f"error (pytest exit {code})", seconds  # 2: interrupted, 4: usage (a test id that no longer exists)

    def close(self) -> None:
        self.server.stdin.close()
        try:
            self.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.server.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def serve() -> None:
    """The pytest server of a Sandbox: one JSON request a line in, one exit code a line out."""
    import importlib

    import pytest

    for name in ("hypothesis", "_hypothesis_pytestplugin", "hypothesis.internal.observability", "xdist.plugin",
                 "pytest_cov.plugin", "coverage", "httpx", "anyio", "openpyxl", "pydantic", "keyring",
                 "platformdirs", "xlsxwriter", "lxml.etree", "sqlite3", "asyncio", "unittest"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    assert not any(m.startswith("rootfi_excel") for m in sys.modules), "the server must not hold our modules"
    running = {}

    def stop(*_: object) -> None:
        if running:
            os.killpg(running["child"], signal.SIGKILL)
        os._exit(1)

    signal.signal(signal.SIGTERM, stop)
    for line in sys.stdin:
        request = json.loads(line)
        child = os.fork()
        if child == 0:  # the run: its own process group, so that a hang is stopped with everything it started
            os.setsid()
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 1)
            os.dup2(quiet, 2)
            try:
                code = int(pytest.main(request["args"]))
            except BaseException:
                code = 3
            os._exit(code)
        running["child"] = child
        deadline = time.monotonic() + request["timeout"]
        answer: object = "timeout"
        while time.monotonic() < deadline:
            done, status = os.waitpid(child, os.WNOHANG)
            if done:
                answer = os.waitstatus_to_exitcode(status)
                break
            time.sleep(0.02)
        else:
            os.killpg(child, signal.SIGKILL)
            os.waitpid(child, 0)
        running.clear()
        print(json.dumps(answer), flush=True)


@dataclass
class Budget:
    """A mutant's time: slack x the unmutated run of its tests + margin; rerun x that, once, before a timeout."""

    slack: float = 3.0
    margin: float = 10.0
    rerun: float = 2.0
    baseline_cap: float = 600.0  # the unmutated run itself: longer than this and the tests are not usable


def run_mutants(mutants: list[Mutant], jobs: int, budget: Budget, max_tests: int,
                chosen: list[str] | None = None) -> None:
    if chosen:  # the same tests for every mutant, as named (no coverage needed)
        weights, failing = {}, set()
        lines = {m.module: {m.line: chosen for m in mutants} for m in mutants}
    else:
        weights = _test_weights()
        failing = failing_tests()
        lines = {m.module: tests_by_line(m.module) for m in mutants}
    sandboxes = [Sandbox() for _ in range(jobs)]
    free = list(sandboxes)
    total, done = len(mutants), 0
    start = time.monotonic()
    unmutated: dict[tuple[str, ...], tuple[str, float]] = {}  # the tests of a selection, as they are: outcome, seconds

    def timed(sandbox: Sandbox, mutant: Mutant, tests: list[str]) -> str:
        key = tuple(tests)
        if key not in unmutated:  # two workers may both measure one selection: harmless
            unmutated[key] = sandbox.run(None, tests, budget.baseline_cap)
        outcome, seconds = unmutated[key]
        if outcome != "survived":  # they must pass as they are, or a failure proves nothing about the mutant
            return f"error (unmutated: {outcome})"
        first = budget.slack * seconds + budget.margin
        status, _ = sandbox.run(mutant, tests, first)
        if status == "timeout":  # over its budget: once more with longer, in case the machine was only busy
            status, _ = sandbox.run(mutant, tests, first * budget.rerun)
            mutant.slow = status != "timeout"
        return status

    def one(mutant: Mutant) -> None:
        nonlocal done
        tests = sorted(set(lines[mutant.module].get(mutant.line, [])) - failing,
                       key=lambda t: (weights.get(t, 0), t))
        mutant.tests = min(len(tests), max_tests)
        if not tests:
            mutant.status = "no tests"
        else:
            sandbox = free.pop()
            began = time.monotonic()
            try:
                # Most mutants are caught by one of the cheapest few tests: those run first, alone
                # (pytest imports only their files); the others only for a mutant they let through.
                mutant.status = timed(sandbox, mutant, tests[:FIRST])
                if mutant.status == "survived" and len(tests) > FIRST:
                    mutant.status = timed(sandbox, mutant, tests[FIRST:max_tests])
            finally:
                free.append(sandbox)
            mutant.seconds = time.monotonic() - began
        done += 1
        print(f"[{done}/{total} {time.monotonic() - start:5.0f}s] {mutant.status:9} {mutant.where()} "
              f"{mutant.what} ({mutant.tests} tests, {mutant.seconds:.1f}s{', slow' if mutant.slow else ''})",
              flush=True)

    def stop(*_: object) -> None:  # stopped from outside: end the servers (and their runs), remove the copies
        for sandbox in sandboxes:
            sandbox.server.terminate()
            shutil.rmtree(sandbox.dir, ignore_errors=True)
        os._exit(1)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(one, mutants))
    finally:
        for sandbox in sandboxes:
            sandbox.close()


def _row(name: str, group: list[Mutant]) -> str:
    def count(*statuses: str) -> int:
        return sum(1 for m in group if m.status in statuses)

    caught, hung, survived, untested = count("caught"), count("timeout"), count("survived"), count("no tests")
    errors = len(group) - caught - hung - survived - untested
    return (f"{name:32} {caught:7} {hung:8} {survived:9} {untested:9} {errors:6} {len(group):6} "
            f"{100 * (caught + hung) / len(group):6.0f}%")


def summary(mutants: list[Mutant], note: str) -> str:
    """Per module: caught (a test failed), timeout (the tests hung past both budgets: detected,
    but only by hanging), survived (the tests passed, however slowly), no tests, error; the
    score is (caught + timeout) / total."""
    lines = [f"Mutation run: {note}", "",
             f"{'module':32} {'caught':>7} {'timeout':>8} {'survived':>9} {'no tests':>9} {'error':>6} {'total':>6} "
             f"{'score':>7}"]
    by_module: dict[str, list[Mutant]] = {}
    for m in mutants:
        by_module.setdefault(m.module, []).append(m)
    for module, group in by_module.items():
        lines.append(_row(module, group))
    if mutants:
        lines.append(_row("all", mutants))
        hung = [m for m in mutants if m.status == "timeout"]
        lines += ["", "score = (caught + timeout) / total; a timeout is a mutant whose tests did not end within "
                  "both budgets (a hang): detected, but by hanging, not by a failing test"
                  + (f" ({len(hung)} here)." if hung else " (none here).")]
        slow = [m for m in mutants if m.slow]
        if slow:
            lines.append(f"{len(slow)} mutant(s) ran over their first budget and ended within the larger one: "
                         "counted by their tests' exit (slow and passing = survived).")
    survivors = [m for m in mutants if m.status != "caught"]
    if survivors:
        lines += ["", "Not caught (file:line, mutation, status):"]
        lines += [f"  {m.where():36} {m.what}  [{m.status}{', slow' if m.slow else ''}]"
                  for m in sorted(survivors, key=lambda m: (m.module, m.line))]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", default=ENGINE, help="paths under addin/rootfi_excel (default: the engine)")
    parser.add_argument("--collect", action="store_true", help="collect per-test coverage again first (whole suite)")
    parser.add_argument("--collect-tests", nargs="+", metavar="TEST",
                        help="add the coverage of these tests (new ones) to what was collected, then go on")
    parser.add_argument("--sample", type=int, default=0, help="at most this many mutants per module (0: all)")
    parser.add_argument("--seed", type=int, default=25, help="the sample's seed (fixed, so runs compare)")
    parser.add_argument("--lines", help="only mutants on these lines, e.g. 40-60,75")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--slack", type=float, default=Budget.slack,
                        help="a mutant's budget: this many times its tests' unmutated run, plus --margin")
    parser.add_argument("--margin", type=float, default=Budget.margin, help="seconds added to each budget")
    parser.add_argument("--rerun", type=float, default=Budget.rerun,
                        help="a mutant over its budget runs once more with this many times the budget, then is a timeout")
    parser.add_argument("--max-tests", type=int, default=30,
                        help="run at most this many tests per mutant, the cheapest (0: every test of its line)")
    parser.add_argument("--tests", nargs="+", metavar="TEST",
                        help="run these tests for every mutant instead of those coverage selects (try new tests)")
    parser.add_argument("--out", help="also write the summary to this file")
    parser.add_argument("--survivors", metavar="SUMMARY",
                        help="only the survivors listed in an earlier summary (--out), e.g. with --max-tests 0")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.max_tests = args.max_tests or 10**9
    if args.serve:
        serve()
        return 0

    if not args.list and not args.tests and (args.collect or not _collections()):
        collect_coverage(args.jobs, [])
    if args.collect_tests:
        collect_coverage(args.jobs, args.collect_tests)
    mutants: list[Mutant] = []
    for module in args.modules:
        found = mutants_of(module)
        if args.lines:
            wanted = set()
            for part in args.lines.split(","):
                low, _, high = part.partition("-")
                wanted.update(range(int(low), int(high or low) + 1))
            found = [m for m in found if m.line in wanted]
        if args.survivors:
            listed = {tuple(line.rsplit("[", 1)[0].split(None, 1)) for line in
                      Path(args.survivors).read_text(encoding="utf-8").splitlines() if line.startswith("  ")}
            found = [m for m in found if (m.where(), m.what) in {(w, t.strip()) for w, t in listed}]
        elif args.sample and len(found) > args.sample:
            found = sorted(random.Random(f"{args.seed}:{module}").sample(found, args.sample), key=lambda m: m.index)
        mutants += found
    if args.list:
        for m in mutants:
            print(f"{m.where():36} {m.what}")
        print(f"{len(mutants)} mutants")
        return 0
    began = time.monotonic()
    run_mutants(mutants, args.jobs, Budget(args.slack, args.margin, args.rerun), args.max_tests, args.tests)
    note = (f"{len(mutants)} mutants" + (f", at most {args.sample} per module (seed {args.seed})" if args.sample else "")
            + (f", the survivors of {args.survivors}" if args.survivors else "")
            + (f", at most {args.max_tests} tests each" if args.max_tests < 10**9 else ", every test of the line")
            + f", {time.monotonic() - began:.0f} s with {args.jobs} jobs")
    text = summary(mutants, note)
    print("\n" + text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
