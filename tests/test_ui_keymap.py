"""The user's own keys and look: a keymap file in their config folder remaps bindings by id (the
footer, F1 help and the palette show the new keys), bad entries are reported and ignored, and
the theme is kept in their settings, not in the shared database."""

from __future__ import annotations

import json

import pytest

from gatsby_tui.app import build_app
from gatsby_tui.screens.help import HelpScreen
from gatsby_tui.screens.pupil_form import PupilForm
from gatsby_tui.screens.register import RegisterScreen

from helpers import pupil, screen_text

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def adviser(store):
    store.advisers.set_current(store.advisers.add({"name": "Test Adviser", "kind": "external"}))


def footer_text(app) -> str:
    """The footer's lines (it takes two when its keys do not fit on one), as one line."""
    from gatsby_tui.widgets.footer import Footer

    height = app.screen.query_one(Footer).region.height
    lines = [line for line in screen_text(app).splitlines() if line.strip()]
    return " ".join(lines[-height:])


async def test_a_keymap_file_remaps_a_key_everywhere_it_is_shown(store, config_folder):
    store.pupils.add(store.pupils.validate(pupil()))
    (config_folder / "keymap.toml").write_text(
        '# my keys\n'
        '"register.add" = "n"\n'
        'register.book = ["a", "ctrl+b"]\n'          # the key 'a' freed above; unquoted ids work too
        '"register.nonsense" = "x"\n'               # not a binding
        '"register.edit" = "ctrl+zz"\n'             # not a key
        '"register.sort" = "i"\n',                  # already Import's key on the register
        encoding="utf-8")
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        footer = footer_text(app)
        assert "n Add" in footer and "a Book" in footer and "a Add" not in footer
        assert "s Sort" in footer and "e Edit" in footer             # the refused entries left them as they were
        problems = [n.message for n in app._notifications]
        assert any("'register.nonsense' is not a binding" in m for m in problems)
        assert any("'ctrl+zz' for 'register.edit' is not a key" in m for m in problems)
        assert any("for 'register.sort' is already the key for 'register.import'" in m for m in problems)
        # The palette says the new key.
        add = next(c for c in app.get_system_commands(app.screen) if c.title == "Add")
        assert add.help.endswith("Key: n.")
        # F1 lists it with the new key.
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        line = next(l for l in screen_text(app).splitlines() if "Add a pupil to the register." in l)
        assert line.split("Add a pupil")[0].strip(" │┃█▌▐") == "n"
        await pilot.press("escape")
        # And the key works: n adds a pupil; a (now Book) no longer does.
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PupilForm)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.screen, PupilForm) and "Book" in type(app.screen).__name__


async def test_an_unreadable_keymap_is_reported_and_the_usual_keys_work(store, config_folder):
    (config_folder / "keymap.toml").write_text('"register.add" = \n', encoding="utf-8")
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("could not be read as TOML" in n.message for n in app._notifications)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PupilForm)


async def test_the_theme_is_the_users_own_not_the_databases(store, config_folder):
    store.settings.set("theme", "nord")                  # where an older version kept it
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "nord"                      # taken over once
        assert json.loads((config_folder / "settings.json").read_text())["theme"] == "nord"
        app.theme = "gruvbox"
        await pilot.pause()
    assert json.loads((config_folder / "settings.json").read_text())["theme"] == "gruvbox"
    assert store.settings.get("theme") == "nord"             # the shared database is not written
    assert oct((config_folder / "settings.json").stat().st_mode & 0o777) == oct(0o600)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "gruvbox"                   # the user's choice wins over the database's
