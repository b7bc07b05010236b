"""Keys: no screen binds a key the app already binds everywhere, so a screen's footer and the app's
never disagree about what a key does."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.binding import Binding
from textual.screen import Screen

import gatsby_tui.screens
from gatsby_tui import actions
from gatsby_tui.app import GatsbyApp


def _keys(bindings) -> dict[str, str]:
    out: dict[str, str] = {}
    for b in bindings:
        b = b if isinstance(b, Binding) else Binding(*b)
        for key in b.key.split(","):
            out[key.strip()] = b.action
    return out


def _screens() -> list[type[Screen]]:
    found = []
    for info in pkgutil.iter_modules(gatsby_tui.screens.__path__):
        module = importlib.import_module(f"gatsby_tui.screens.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Screen) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def test_no_screen_shadows_a_key_the_app_binds():
    app_keys = _keys(GatsbyApp.BINDINGS)
    assert "f9" in app_keys and "f1" in app_keys
    shadowed = []
    screens = _screens()
    assert len(screens) > 20
    for cls in screens:
        for key, action in _keys(cls.BINDINGS).items():
            if key in app_keys and action != app_keys[key]:
                shadowed.append(f"{cls.__name__}: {key} does {action}, but everywhere else {app_keys[key]}")
    assert shadowed == []


def test_no_scope_binds_one_key_twice():
    seen: dict[tuple[str, str], str] = {}
    twice = []
    for a in actions.ACTIONS:
        for key in filter(None, a.keys.split(",")):
            if (a.scope, key) in seen:
                twice.append(f"{a.scope}: {key} is {seen[a.scope, key]} and {a.id}")
            seen[a.scope, key] = a.id
    assert twice == []
