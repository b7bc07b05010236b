"""The footer shows the keys that apply where the focus is, and rebuilds only when they change."""

from __future__ import annotations

from gatsby_tui.app import build_app
from gatsby_tui.screens.school import SchoolForm
from gatsby_tui.store import Store
from gatsby_tui.widgets.footer import Footer

from helpers import pupil, screen_text


def shown_keys(app) -> list[str]:
    """The actions the footer offers (one key each)."""
    footer = app.screen.query_one(Footer)
    return [k.action for k in footer.keys if not k.palette]


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


async def test_a_key_in_the_footer_is_clicked_as_it_is_pressed_and_two_lines_fit_80_columns(store: Store):
    from gatsby_tui.screens.pupil_form import PupilForm

    store.advisers.set_current(store.advisers.add({"name": "Test Adviser", "kind": "external"}))
    store.pupils.add(store.pupils.validate(pupil()))
    app = build_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        placed = footer.placements()
        # The register's keys take two lines at 80 columns; every one is drawn inside the footer.
        assert footer.region.height == 2 == 1 + max(line for line, *_ in placed)
        assert all(x + width <= 80 for _, x, width, _ in placed)
        assert not any(key.palette for *_, key in placed), "where narrow the palette's key gives way"
        # Made wider, the palette's key comes back at the right of the first line; narrower, it goes.
        await pilot.resize_terminal(120, 40)
        for _ in range(100):                    # the new size reaches the footer (slower on a loaded machine)
            await pilot.pause(0.02)
            if footer.region.width == 120:
                break
        assert [(line, x + width) for line, x, width, key in footer.placements() if key.palette] == [(0, 120)]
        assert "^p palette" in screen_text(app).splitlines()[-footer.region.height]
        await pilot.resize_terminal(80, 24)
        for _ in range(100):
            await pilot.pause(0.02)
            if footer.region.width == 80:
                break
        assert "palette" not in screen_text(app)
        placed = footer.placements()
        line, x, _, _ = next(p for p in placed if p[3].action == "add_pupil")
        await pilot.click(Footer, offset=(x + 1, line))
        await pilot.pause()
        assert isinstance(app.screen, PupilForm)
