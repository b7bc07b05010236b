"""Esc on a form with unsaved typing asks before anything is lost; untouched, it just closes."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from gatsby_tui.app import build_app
from gatsby_tui.screens.advisers import AdviserForm
from gatsby_tui.screens.base import DiscardTyping
from gatsby_tui.screens.school import SchoolForm

from helpers import fill

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def adviser(store):
    adviser_id = store.advisers.add({"name": "Test Adviser", "kind": "external"})
    store.advisers.set_current(adviser_id)
    return adviser_id


@pytest.mark.parametrize("make", [lambda: AdviserForm(None), lambda: SchoolForm()], ids=["adviser", "school"])
async def test_escape_asks_before_discarding_typing_and_not_otherwise(store, make):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        under = app.screen
        form = make()
        app.push_screen(form)
        await pilot.pause()
        await pilot.press("escape")                      # nothing typed: it closes at once
        await pilot.pause()
        assert app.screen is under
        form = make()
        app.push_screen(form)
        await pilot.pause()
        first = form.query(Input).first()
        await fill(pilot, "Hollins Park", f"#{first.id}")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DiscardTyping), "typing is not thrown away without asking"
        await pilot.press("n")                           # back to the form, the typing still there
        await pilot.pause()
        assert app.screen is form and form.query_one(f"#{first.id}", Input).value == "Hollins Park"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is under
