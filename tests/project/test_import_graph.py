"""The package's import graph: no import circles and no arrow up the layer map.

The layers are read from the map in `rootfi_excel/__init__.py` (the one place they are
written down), so the map and this check cannot drift apart. The graph is grimp's (the
engine of import-linter): every import, also those inside functions and under
TYPE_CHECKING, counts as an arrow.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import grimp
import pytest

import rootfi_excel

PACKAGE = "rootfi_excel"


def layer_map() -> list[list[str]]:
    """The map's lines, top first: each a list of entries ('cli', 'api.paths', ...)."""
    doc = rootfi_excel.__doc__ or ""
    block = doc.split("\n\n")[2]  # the indented block after the paragraph that explains it
    layers = []
    for line in block.splitlines():
        names = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0].split()
        layers.append(names)
    return layers


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, include_external_packages=False)


def entry_of(module: str, entries: dict[str, int]) -> str | None:
    """The longest map entry `module` falls under (None for the package's own __init__)."""
    parts = module.split(".")[1:]
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        if name in entries:
            return name
    return None


def test_the_map_names_every_module_of_the_package(graph):
    layers = layer_map()
    entries = {name for line in layers for name in line}
    assert len(layers) > 5 and "cli" in entries and "api" in entries, layers
    for name in entries:
        assert f"{PACKAGE}.{name}" in graph.modules, f"the layer map names {name}, which does not exist"
    unplaced = sorted(m for m in graph.modules if m != PACKAGE and entry_of(m, entries) is None)
    assert unplaced == [], f"modules the layer map does not place: {unplaced}"


def test_no_import_goes_up_the_layer_map_or_across_one_line(graph):
    layers = layer_map()
    level = {name: index for index, line in enumerate(layers) for name in line}  # 0 is the top
    wrong = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            a, b = entry_of(importer, level), entry_of(imported, level)
            if a is None or b is None or a == b:
                continue  # the package's __init__ (only __version__), or inside one entry
            if level[a] >= level[b]:
                lines = [d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)]
                way = "across one line" if level[a] == level[b] else "up"
                wrong.append(f"{importer} -> {imported} (line {lines}): {a} imports {b}, {way} the map")
    assert wrong == [], "imports against the layer map:\n" + "\n".join(wrong)


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected parts of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(start: str) -> None:
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    part = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        part.append(member)
                        if member == node:
                            break
                    if len(part) > 1:
                        found.append(sorted(part))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_circles_between_modules(graph):
    circles = cycles(graph)
    shown = []
    for part in circles:
        path = graph.find_shortest_chain(importer=part[0], imported=part[1]) or ()
        back = graph.find_shortest_chain(importer=part[1], imported=part[0]) or ()
        shown.append(f"{len(part)} modules: {', '.join(part)}\n  e.g. {' -> '.join(path)} -> ... {' -> '.join(back)}")
    assert circles == [], "import circles:\n" + "\n".join(shown)


def test_the_circle_finder_finds_a_circle():
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c", "p.d"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")
    graph.add_import(importer="p.d", imported="p.a")
    assert cycles(graph) == [["p.a", "p.b", "p.c"]]


def test_no_command_of_the_command_line_imports_another(graph):
    """What two commands share lives in a cli/ module that is no command (cli/opening.py, ...)."""
    commands = sorted(m for m in graph.modules if m.startswith(f"{PACKAGE}.cli.") and m.endswith("_cmd"))
    assert len(commands) > 5, commands
    crossing = [f"{a} -> {b}" for a in commands for b in commands
                if a != b and graph.direct_import_exists(importer=a, imported=b)]
    assert crossing == []


def test_an_import_inside_a_function_says_why():
    """Imports sit at the top of a module. One inside a function is deliberate (start-up time of
    the Excel add-in or of a command, an optional or platform-only module) and says so in a
    comment on it, or on the first import of its block."""
    root = Path(rootfi_excel.__file__).parent
    silent = []
    for path in sorted(root.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for sub in ast.walk(node):
                if not isinstance(sub, (ast.Import, ast.ImportFrom)):
                    continue
                first = sub.lineno - 1
                while first > 0 and re.match(r"\s*(from \S+ )?import ", lines[first - 1]):
                    first -= 1  # the block of imports this one belongs to
                if not any("#" in lines[n] for n in range(first, sub.end_lineno)):
                    silent.append(f"{path.relative_to(root)}:{sub.lineno}: {lines[sub.lineno - 1].strip()}")
    assert silent == [], "imports inside functions that do not say why:\n" + "\n".join(silent)


def test_the_readme_lays_out_every_folder_of_the_package():
    """README's "How the code is laid out" names each folder and top-level module of the
    package, and nothing that is not there."""
    root = Path(rootfi_excel.__file__).parent
    readme = (root.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How the code is laid out", 1)[1].split("```")[1]
    listed = set(re.findall(r"^  ([a-z_]+(?:/|\.py))", section, flags=re.M))
    present = {f"{p.name}/" for p in root.iterdir() if (p / "__init__.py").exists()}
    present |= {p.name for p in root.glob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    assert listed == present
