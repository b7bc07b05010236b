"""The package's shape: no module imports itself round a circle, and no module is too long to read.

The import graph is read from the source with ``ast``, so the test needs nothing imported and
sees every import a module could run:

- ``import a.b`` and ``from a import b`` at module level AND inside functions or methods count
  alike: a circle closed by a "lazy" import inside a function is still a circle a reader has to
  hold in their head, and it fails the moment the import is moved to the top.
- ``__import__("gatsby_tui.x")`` and ``importlib.import_module("gatsby_tui.x")`` with a literal
  name count too; a name built at run time cannot be read and is not counted.
- Imports under ``if TYPE_CHECKING:`` are not counted: they never run, they only name types.
- ``from gatsby_tui.store import db`` is an edge to ``gatsby_tui.store.db`` (the submodule named),
  ``from gatsby_tui.store import Store`` an edge to ``gatsby_tui.store`` (the package that defines
  it).
- Importing ``gatsby_tui.store.db`` from outside ``gatsby_tui/store/`` also runs
  ``gatsby_tui/store/__init__.py`` first, so that is an edge too; from inside the package it is
  not (the package is already being set up, and an ``__init__`` that gathers its own submodules is
  the ordinary way to build one, not a circle). The bare ``gatsby_tui`` (the version) is left out.

The layers and which may import which are described in ARCHITECTURE.md; the last test here holds
the package to the downward rules that must never bend.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "gatsby_tui"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE
LONGEST = 800   # lines; past this a module holds more than one subject


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported_names(tree: ast.Module, module: str, is_package: bool) -> list[str]:
    """Every dotted name the module's code imports (absolute, relative ones resolved)."""
    found: list[str] = []
    package = module if is_package else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # 'from pkg import name': the submodule pkg.name if there is one, else pkg itself
            found.extend(f"{source}.{alias.name}\0{source}" for alias in node.names)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in ("__import__", "import_module"):
                found.append(node.args[0].value)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _packages_run_first(importer: str, target: str, modules: dict[str, Path]) -> set[str]:
    """The packages Python runs before ``target`` that ``importer`` is not itself inside: importing
    ``gatsby_tui.store.db`` from ``gatsby_tui.exports.pdf`` runs ``gatsby_tui/store/__init__.py``
    first, and a circle through that ``__init__`` is as real as any other."""
    parts = target.split(".")
    found = set()
    for n in range(2, len(parts)):
        package = ".".join(parts[:n])
        if package in modules and not (importer == package or importer.startswith(package + ".")):
            found.add(package)
    return found


def import_graph() -> dict[str, set[str]]:
    """Each module of the package → the modules of the package it imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets: set[str] = set()
        for dotted in _imported_names(tree, name, path.name == "__init__.py"):
            submodule, _, source = dotted.partition("\0")
            target = submodule if submodule in modules or not source else source
            if target in modules:
                targets.add(target)
                targets.update(_packages_run_first(name, target, modules))
        targets.discard(name)
        # The bare package ``gatsby_tui`` holds only the version; every module reaches it.
        targets.discard(PACKAGE)
        graph[name] = targets
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def connect(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(groups)


def _one_circle(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """One concrete path round the group, so the failure says which imports to look at."""
    members = set(group)
    start = group[0]
    path = [start]
    seen = {start}
    while True:
        here = path[-1]
        nexts = sorted(graph[here] & members)
        if start in nexts and len(path) > 1:
            return path + [start]
        step = next((n for n in nexts if n not in seen), None)
        if step is None:
            return path + [nexts[0]]
        path.append(step)
        seen.add(step)


def test_the_graph_sees_imports_inside_functions_and_skips_type_checking_ones():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from gatsby_tui import clock\n"
        "from . import db\n"
        "if TYPE_CHECKING:\n"
        "    from gatsby_tui.store import importer\n"
        "def f():\n"
        "    from gatsby_tui.domain import names\n"
        "    __import__('gatsby_tui.exports.files')\n"
    )
    names = {n.partition("\0")[0] for n in _imported_names(ast.parse(source), "gatsby_tui.store.backup", False)}
    assert {"gatsby_tui.clock", "gatsby_tui.store.db", "gatsby_tui.domain.names",
            "gatsby_tui.exports.files"} <= names
    assert not any("importer" in n for n in names)
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]
    assert _one_circle(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_no_module_of_the_package_imports_itself_round_a_circle():
    graph = import_graph()
    assert "gatsby_tui.store.db" in graph and "gatsby_tui.app" in graph   # the walk found the package
    circles = [" -> ".join(_one_circle(graph, group)) + f"  (all of: {', '.join(group)})"
               for group in import_cycles(graph)]
    assert circles == [], "import circles:\n" + "\n".join(circles)


def test_the_store_opens_and_backs_up_without_db_and_backup_importing_each_other():
    graph = import_graph()
    assert "gatsby_tui.store.backup" in graph["gatsby_tui.store.db"]       # db backs up before an upgrade
    assert "gatsby_tui.store.db" not in graph["gatsby_tui.store.backup"]   # what both need is in a third module
    assert {"gatsby_tui.store.identity", "gatsby_tui.store.errors"} <= graph["gatsby_tui.store.backup"]


def layer(module: str) -> str:
    """'gatsby_tui.store.db' -> 'store'; a module at the package root is the app's, except the
    entry points (cli, __main__) and the bottom (clock, zone)."""
    top = module.split(".")[1]
    if top in ("cli", "__main__"):
        return "entry"
    if top in ("clock", "zone"):
        return "bottom"
    if top in ("domain", "exports", "store", "screens", "widgets", "serve", "sample"):
        return top
    return "app"


# Layer -> the layers it must never import: code depends downwards only.
FORBIDDEN = {
    "bottom": {"entry", "serve", "app", "screens", "widgets", "store", "exports", "domain", "sample"},
    "domain": {"entry", "serve", "app", "screens", "widgets", "store", "exports", "sample"},
    "exports": {"entry", "serve", "app", "screens", "widgets", "store", "sample"},
    "store": {"entry", "serve", "app", "screens", "widgets", "sample"},
    "sample": {"entry", "serve", "app", "screens", "widgets"},
    "widgets": {"entry", "serve", "screens", "sample"},
    "screens": {"entry", "serve", "sample"},
    "app": {"entry", "serve", "sample"},
}


def test_every_layer_imports_only_downwards():
    graph = import_graph()
    wrong = sorted(f"{m} ({layer(m)}) imports {t} ({layer(t)})" for m, targets in graph.items() if m != PACKAGE
                   for t in targets if layer(t) in FORBIDDEN.get(layer(m), set()))
    assert wrong == [], "imports against the layers (ARCHITECTURE.md):\n" + "\n".join(wrong)
    assert layer("gatsby_tui.store.db") == "store" and layer("gatsby_tui.actions") == "app"
    assert layer("gatsby_tui.cli") == "entry" and layer("gatsby_tui.clock") == "bottom"


def test_no_module_is_over_800_lines():
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST}
    assert long == {}, f"modules over {LONGEST} lines: {long}"
