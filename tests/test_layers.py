"""The layers hold: no screen module imports another (screens/base.py is the one shared module
they may import; one screen opens another through gatsby_tui/navigation.py), and the store,
the domain rules and the exporters never import Textual. Read from the source, so an import
inside a function counts as much as one at the top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gatsby_tui"
SHARED_SCREEN_MODULES = {"gatsby_tui.screens.base"}


def _imports(path: Path, package: str | None = None) -> set[str]:
    """Every module ``path`` imports, wherever the import statement is (``from a import b``
    counts as ``a`` and ``a.b``, as b may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if package is None:
        package = ".".join(["gatsby_tui", *path.relative_to(PACKAGE).parent.parts])
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _screen_modules() -> set[str]:
    return {f"gatsby_tui.screens.{p.stem}" for p in _modules("screens") if p.stem != "__init__"}


@pytest.mark.parametrize("path", _modules("screens"), ids=lambda p: p.name)
def test_no_screen_imports_another_screen(path: Path) -> None:
    me = f"gatsby_tui.screens.{path.stem}"
    others = (_screen_modules() - SHARED_SCREEN_MODULES) - {me}
    wrong = sorted(_imports(path) & others)
    assert not wrong, f"{path.name} imports {wrong}: open other screens through gatsby_tui/navigation.py"


def test_the_shared_screen_module_imports_no_screen() -> None:
    for shared in SHARED_SCREEN_MODULES:
        path = PACKAGE / "screens" / (shared.rsplit(".", 1)[1] + ".py")
        assert not (_imports(path) & (_screen_modules() - {shared})), path.name


@pytest.mark.parametrize("path", _modules("store") + _modules("domain") + _modules("exports"),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_store_domain_and_exports_never_import_textual(path: Path) -> None:
    wrong = sorted(m for m in _imports(path) if m == "textual" or m.startswith("textual."))
    assert not wrong, f"{path.relative_to(PACKAGE)} imports {wrong}"


def test_the_widgets_and_navigation_import_no_screen_module() -> None:
    for path in _modules("widgets") + [PACKAGE / "navigation.py"]:
        assert not (_imports(path) & _screen_modules()), path.name


def test_every_screen_navigation_opens_is_a_screen() -> None:
    from textual.screen import Screen

    from gatsby_tui import navigation

    for name in navigation.SCREENS:
        assert issubclass(navigation.screen_class(name), Screen), name


def test_the_checker_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    # The rule would be empty if the reader missed imports made where they are used.
    sample = tmp_path / "probe.py"
    sample.write_text("def f():\n    from gatsby_tui.screens.pupil import PupilScreen\n    from . import record\n",
                      encoding="utf-8")
    found = _imports(sample, package="gatsby_tui.screens")
    assert {"gatsby_tui.screens.pupil", "gatsby_tui.screens.record"} <= found
