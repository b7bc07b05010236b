"""The footer shows the keys that apply where the focus is, and rebuilds only when they change."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from gatsby_tui.app import build_app
from gatsby_tui.screens.school import SchoolForm
from gatsby_tui.store import Store
from gatsby_tui.widgets.footer import Footer

from helpers import pupil


def shown_keys(app) -> list[str]:
    """The actions the footer offers (one key each)."""
    footer = app.screen.query_one(Footer)
    return [k.action for k in footer.query(FooterKey) if not k.has_class("-command-palette")]


def bound_keys(app) -> list[str]:
    """The actions of the bindings that apply and are meant to be shown."""
    return list(dict.fromkeys(b.action for _, b, _, _ in app.screen.active_bindings.values() if b.show))


async def test_the_footer_follows_the_focus_and_skips_rebuilding_the_same_keys(store: Store, monkeypatch):
    store.advisers.set_current(store.advisers.add({"name": "Test Adviser", "kind": "external"}))
    store.pupils.add(store.pupils.validate(pupil()))
    rebuilds = []
    original = Footer.recompose

    async def counted(self):
        rebuilds.append(self)
        return await original(self)

    monkeypatch.setattr(Footer, "recompose", counted)
    app = build_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        seen = set()
        for _ in range(4):                       # the list, the search box, the filters ...
            await pilot.press("tab")
            await pilot.pause()
            assert shown_keys(app) == bound_keys(app), type(app.focused).__name__
            seen.add(tuple(shown_keys(app)))
        assert len(seen) >= 2, "moving between the list and the search box changes the keys shown"

        form = SchoolForm()
        app.push_screen(form)
        await pilot.pause()
        assert shown_keys(app) == bound_keys(app) and "save" in " ".join(shown_keys(app))
        rebuilds.clear()
        for _ in range(4):                       # field to field: the same keys apply
            await pilot.press("tab")
            await pilot.pause()
            assert shown_keys(app) == bound_keys(app)
        assert rebuilds == [], "the footer was rebuilt though its keys did not change"
