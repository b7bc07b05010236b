"""What the corrected benchmark rules need from a person, driven through the pilot: a pupil's date of
entry (typed in the pupil form, shown on the pupil screen) and the provider types a careers fair
names (ticked in the activity form)."""

from __future__ import annotations

from textual.widgets import Select, Static

from gatsby_tui.app import build_app
from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.screens.activity_form import ActivityForm
from gatsby_tui.screens.pupil import PupilScreen
from gatsby_tui.screens.pupil_form import PupilForm
from gatsby_tui.screens.register import RegisterScreen
from gatsby_tui.widgets.tickbox import TickBox

from helpers import fill, make_upn, screen_text

SIZE = (120, 40)


def using(store) -> None:
    store.advisers.set_current(store.advisers.add({"name": "Helen Marsh", "kind": "external",
                                                 "qualification_level": "6"}))


async def test_a_date_of_entry_typed_in_the_form_waives_the_years_before_it(store):
    using(store)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PupilForm)
        await fill(pilot, make_upn(41), "#upn")
        await fill(pilot, "Kowalski", "#legal_surname")
        await fill(pilot, "Zofia", "#legal_forename")
        await fill(pilot, "02/02/2011", "#dob")                  # Year 11 in 2026/27
        await fill(pilot, "04/11/2030", "#date_of_entry")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PupilForm)
        assert "is in the future" in screen_text(app)
        assert store.pupils.by_upn(make_upn(41)) is None
        await fill(pilot, "04/11/2024", "#date_of_entry")         # joined in Year 9
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        row = store.pupils.by_upn(make_upn(41))
        assert row["date_of_entry"] == "2024-11-04"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PupilScreen)
        details = str(app.screen.query_one("#pupil-right-col", Static).render())
        assert "Joined: 04/11/2024: joined in Year 9: Years 7–8 not expected" in details
        assert "joined in Year 9" in screen_text(app)
        states = store.coverage.pupil(row["id"])
        assert [p.status for p in states[5].parts[:2]] == [rules.PART_WAIVED, rules.PART_WAIVED]
        assert states[5].parts[2].status != rules.PART_WAIVED


async def test_a_careers_fair_names_the_provider_types_that_were_there(store):
    using(store)
    pid = store.pupils.add(store.pupils.validate({"upn": make_upn(42), "legal_forename": "Zofia",
                                                "legal_surname": "Kowalski", "dob": "02/02/2011"}))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_go_activities()
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ActivityForm)
        form.query_one("#kind", Select).value = "careers_fair"
        await pilot.pause()
        await fill(pilot, "Post 16 Fayre", "#title")
        await fill(pilot, "15/10/2026", "#held_on")
        assert "tick the provider types that were there" in str(form.query_one("#form-warning", Static).render())
        for key in ("sixth_form", "college", "training"):
            form.query_one(f"#pt-{key}", TickBox).value = True
        for key in ("m_purpose", "m_outcomes", "m_interaction", "m_reflection"):
            form.query_one(f"#{key}", TickBox).value = True
        await pilot.pause()
        assert "tick the provider types" not in str(form.query_one("#form-warning", Static).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ActivityForm)
        row = store.conn.execute("SELECT id, providers_named FROM activities").fetchone()
        assert rules.providers_of(row["providers_named"]) == {"sixth_form", "college", "training"}
    store.activities.attach(row["id"], [pid])
    b7 = store.coverage.pupil(pid)[7]
    assert b7.state == rules.NOT_YET and b7.missing[0].startswith(
        "meaningful encounters with the full range of providers by the end of Year 11 (still: a university)")
