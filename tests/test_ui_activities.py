"""Recording careers activities and who took part, driven through the pilot: screen and database."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Input, Select, Static

from gatsby_tui.app import build_app
from gatsby_tui.screens.activities import ActivitiesScreen, ActivityScreen, AttachScreen
from gatsby_tui.screens.activity_form import ActivityForm
from gatsby_tui.screens.picker import PupilPicker
from gatsby_tui.widgets.tickbox import TickBox

from helpers import make_upn, pupil
from helpers import insert, screen_text
from gatsby_tui.widgets.paged import PagedTable

SIZE = (120, 40)


def text_of(widget) -> str:
    return str(widget.render())


@pytest.fixture
def school(store):
    adviser = store.advisers.add({"name": "Daniel Whitaker", "kind": "internal", "qualification_level": "7"})
    store.advisers.set_current(adviser)
    people = [("Amara", "Okafor", "10A"), ("Ben", "Hughes", "10A"), ("Cara", "Doyle", "10A"),
              ("Dan", "Evans", "10B"), ("Siobhán", "O'Brien-Ní Bhriain", "10B")]
    ids = {}
    for i, (fore, sur, form) in enumerate(people):
        ids[sur] = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(i + 1), legal_forename=fore,
                                                              legal_surname=sur, dob="14/03/2012", form=form)))
    return ids


def attached(store) -> set[int]:
    return {r[0] for r in store.conn.execute("SELECT pupil_id FROM activity_pupils")}


async def open_activities(pilot, app):
    await pilot.pause()
    await pilot.press("f8")
    await pilot.pause()
    assert isinstance(app.screen, ActivitiesScreen)


async def test_record_an_activity_then_attach_a_form_minus_an_absentee(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_activities(pilot, app)
        assert "No activities recorded yet" in text_of(app.screen.query_one("#act-status", Static))
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ActivityForm)
        form.query_one("#kind", Select).value = "careers_fair"
        await pilot.pause()
        # The kind ticks the benchmarks it usually serves.
        assert [n for n in range(1, 9) if form.query_one(f"#bm-{n}", TickBox).value] == [2, 5, 7]
        form.query_one("#bm-7", TickBox).value = False
        form.query_one("#title", Input).value = "Year 10 careers fair <b>&</b>"
        form.query_one("#held_on", Input).value = "12/11/2026"
        form.query_one("#organisation", Input).value = "Local employers"
        for key in ("m_purpose", "m_outcomes", "m_interaction"):
            form.query_one(f"#{key}", TickBox).value = True
        await pilot.pause()
        # Before saving, the form says the fair will not count for Benchmark 5 (no time to reflect).
        assert "Not meaningful for Benchmark 5" in text_of(form.query_one("#form-warning", Static))
        form.query_one("#m_reflection", TickBox).value = True
        await pilot.pause()
        assert text_of(form.query_one("#form-warning", Static)).strip() == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, ActivityScreen), "after recording, the activity opens to add who took part"
        row = store.conn.execute("SELECT * FROM activities").fetchone()
        assert (row["title"], row["held_on"], row["kind"]) == ("Year 10 careers fair <b>&</b>", "2026-11-12",
                                                                "careers_fair")
        assert store.activities.get(row["id"])["benchmarks"] == (2, 5)
        assert "Year 10 careers fair <b>&</b>" in screen_text(app)       # typed text, not markup
        assert "Nobody attached yet" in text_of(detail.query_one("#attendee-status", Static))

        await pilot.press("f")
        await pilot.pause()
        attach = app.screen
        assert isinstance(attach, AttachScreen)
        attach.query_one("#attach-form", Select).value = "10A"
        await pilot.pause()
        table = attach.query_one("#attach-table", DataTable)
        assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == ["Doyle, Cara", "Hughes, Ben",
                                                                                   "Okafor, Amara"]
        table.focus()
        table.move_cursor(row=1)
        await pilot.press("space")                       # Ben was absent
        await pilot.pause()
        assert str(table.get_row_at(1)[0]) == "✗ absent"
        assert "2 to attach, 1 marked absent" in text_of(attach.query_one("#attach-summary", Static))
        assert attached(store) == set(), "nothing is written before Ctrl+S"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is detail
        assert attached(store) == {school["Doyle"], school["Okafor"]}
        assert "2 pupils took part" in text_of(detail.query_one("#attendee-status", Static))
        names = [str(detail.query_one("#attendees", PagedTable).get_row_at(i)[0]) for i in range(2)]
        assert names == ["Doyle, Cara", "Okafor, Amara"]
        # The pupil's history shows it.
        events = store.history.for_pupil(school["Okafor"], kind="activity")
        assert events and events[0].title == "Careers fair: Year 10 careers fair <b>&</b>"


async def test_a_bad_activity_is_not_saved_and_says_why(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_activities(pilot, app)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        form.query_one("#held_on", Input).value = "30/11/2026"           # after today
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert "Give the activity a title" in text_of(form.query_one("#err-title", Static))
        assert "in the future" in text_of(form.query_one("#err-held_on", Static))
        assert store.conn.execute("SELECT count(*) FROM activities").fetchone()[0] == 0
        await pilot.press("escape")            # typed, not saved: asked first; y discards
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ActivitiesScreen)


async def test_add_one_pupil_by_name_and_the_registers_filter(store, school):
    activity = store.activities.add({"kind": "employer_talk", "title": "NHS careers talk", "held_on": "10/11/2026",
                                   "benchmarks": [5]})
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # The register's search: Year 10 pupils whose name has "o" in it ... narrowed to 10B by form.
        await pilot.press("slash")
        await insert(pilot, "10b")
        await pilot.pause()
        await open_activities(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, ActivityScreen)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PupilPicker)
        await insert(pilot, "okafor")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is detail
        assert attached(store) == {school["Okafor"]}
        await pilot.press("r")
        await pilot.pause()
        attach = app.screen
        assert isinstance(attach, AttachScreen)
        assert "search '10b'" in screen_text(app)
        table = attach.query_one("#attach-table", DataTable)
        assert {str(table.get_row_at(i)[1]) for i in range(table.row_count)} == {"Evans, Dan",
                                                                                "O'Brien-Ní Bhriain, Siobhán"}
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert attached(store) == {school["Okafor"], school["Evans"], school["O'Brien-Ní Bhriain"]}
        # Take one off again.
        table = detail.query_one("#attendees", PagedTable)
        table.move_cursor(row=[str(table.get_row_at(i)[0]) for i in range(table.row_count)].index("Evans, Dan"))
        await pilot.press("x")
        await pilot.pause()
        assert attached(store) == {school["Okafor"], school["O'Brien-Ní Bhriain"]}
        assert "2 pupils took part" in text_of(detail.query_one("#attendee-status", Static))
