"""The benchmark coverage view driven through the pilot: bars and counts, breakdowns, drilling into
who is missing a benchmark, and acting on them (bulk booking, attaching to an activity)."""

from __future__ import annotations

from datetime import datetime

import pytest
from textual.widgets import DataTable, Select, Static

from gatsby_tui.app import build_app
from gatsby_tui.screens.activities import ActivityChooser, AttachScreen
from gatsby_tui.screens.bulk import BulkBookingScreen
from gatsby_tui.screens.cohort import CohortScreen, GapsScreen
from gatsby_tui.screens.programme import CellScreen, ProgrammeScreen
from gatsby_tui.store.bookings import BookingRequest

from helpers import make_upn, pupil
from helpers import insert, screen_text

SIZE = (120, 40)


def text_of(widget) -> str:
    return str(widget.render())


def add(store, fore, sur, *, dob, pp=False, n=[300]):
    n[0] += 1
    return store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n[0]), legal_forename=fore, legal_surname=sur,
                                                      dob=dob, pupil_premium=pp, form="11A")))


@pytest.fixture
def school(store):
    """Year 11: Asha met a Level 6 adviser, Dara a Level 7 one; Bilal met an adviser with no recorded
    level; Chloe (pupil premium) met nobody. Year 7: Gus. Benchmark 8 in Year 11: 2 met, 2 not yet."""
    l6 = store.advisers.add({"name": "Helen Marsh", "kind": "external", "qualification_level": "6"})
    l7 = store.advisers.add({"name": "Daniel Whitaker", "kind": "internal", "qualification_level": "7"})
    unknown = store.advisers.add({"name": "Sam Nolevel", "kind": "external"})
    store.advisers.set_current(l6)
    store.bookings.add_clinic({"adviser_id": l6, "weekdays": "tue,thu", "start": "09:00", "end": "12:00",
                      "slot_minutes": "45", "place": "Careers office", "valid_from": "01/09/2026", "valid_until": ""})
    p = {"asha": add(store, "Asha", "Ahmed", dob="01/09/2010"),
         "bilal": add(store, "Bilal", "Bashir", dob="31/08/2011"),
         "chloe": add(store, "Chloe", "Clarke", dob="15/01/2011", pp=True),
         "dara": add(store, "Dara", "Doyle", dob="20/05/2011"),
         "gus": add(store, "Gus", "Grant", dob="14/03/2015")}
    for who, adviser, day in (("asha", l6, 6), ("bilal", unknown, 6), ("dara", l7, 7)):
        interview = store.bookings.book(BookingRequest(pupil_id=p[who], adviser_id=adviser,
                                              start=datetime(2026, 10, day, 13, 0), minutes=45), confirm=True)
        store.bookings.mark_held(interview)
    return p


def bar_row(app, label: str) -> list[str]:
    table = app.screen.query_one("#cohort-bars", DataTable)
    for i in range(table.row_count):
        row = [str(c) for c in table.get_row_at(i)]
        if row[0] == label:
            return row
    raise AssertionError(f"no row {label}")


async def open_cohort(pilot, app) -> CohortScreen:
    await pilot.pause()
    await pilot.press("f9")
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, CohortScreen)
    return app.screen


async def test_the_cohort_view_shows_bars_and_counts(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cohort(pilot, app)
        assert "The whole school (Years 7-13): 5 pupils on roll" in text_of(screen.query_one("#cohort-summary", Static))
        # Whole school, Benchmark 8: Asha and Dara met; Bilal and Chloe not yet; Gus (Year 7) not yet
        # due, counted apart: 2 met of the 4 it is due for (not 2 of 5).
        row = bar_row(app, "B8 Guidance")
        assert row[1].endswith(" 50%") and row[1].count("█") == 12
        assert row[2:] == ["2", "2", "1", "5"]
        assert "met of those it is due for" in text_of(screen.query_one("#cohort-summary", Static))
        screen.query_one("#cohort-year", Select).value = 11
        await pilot.pause()
        row = bar_row(app, "B8 Guidance")
        assert row[1] == "█" * 12 + "░" * 12 + "  50%"
        assert row[2:] == ["2", "2", "0", "4"]
        assert "Year 11: 4 pupils on roll" in screen_text(app)
        # Breakdown by pupil premium: Chloe is the one pupil premium pupil, and is missing it.
        screen.query_one("#cohort-breakdown", Select).value = "pp"
        await pilot.pause()
        table = screen.query_one("#cohort-breakdown-table", DataTable)
        assert table.display
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[0] == "Pupil premium" and cells[1] == "1" and cells[2 + 7] == "0%\n0/1"
        assert [str(c) for c in table.get_row_at(1)][2 + 7] == "67%\n2/3"
        screen.query_one("#cohort-year", Select).value = 0
        await pilot.pause()
        # The whole school: Gus (Year 7, not pupil premium) is not yet due, shown apart.
        assert [str(c) for c in table.get_row_at(1)][2 + 7] == "67%\n2/3\n+1 not due"


async def test_drill_into_who_is_missing_and_book_them_in_bulk(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cohort(pilot, app)
        screen.query_one("#cohort-year", Select).value = 11
        await pilot.pause()
        bars = screen.query_one("#cohort-bars", DataTable)
        bars.focus()
        bars.move_cursor(row=7)                                           # B8
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        gaps = app.screen
        assert isinstance(gaps, GapsScreen)
        table = gaps.query_one("#gaps-table", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["Bashir, Bilal", "Clarke, Chloe"]
        assert "not recorded as Level 6" in str(table.get_row_at(0)[5])
        assert "2 pupils not yet met" in text_of(gaps.query_one("#gaps-summary", Static))
        before = store.conn.execute("SELECT count(*) FROM interviews").fetchone()[0]
        await pilot.press("b")
        await pilot.pause()
        bulk = app.screen
        assert isinstance(bulk, BulkBookingScreen)
        assert "2 pupils chosen: missing B8 Guidance in Year 11" in screen_text(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        preview = bulk.query_one("#bulk-table", DataTable)
        assert {str(preview.get_row_at(i)[1]) for i in range(preview.row_count)} == {"Bashir, Bilal", "Clarke, Chloe"}
        await pilot.press("ctrl+s")
        await pilot.pause()
        booked = store.conn.execute("SELECT pupil_id FROM interviews WHERE status = 'booked'").fetchall()
        assert store.conn.execute("SELECT count(*) FROM interviews").fetchone()[0] == before + 2
        assert {r[0] for r in booked} == {school["bilal"], school["chloe"]}
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is gaps


async def test_drill_and_attach_the_missing_pupils_to_an_activity(store, school):
    talk = store.activities.add({"kind": "employer_talk", "title": "Year 7 meet the professionals",
                               "held_on": "15/10/2026", "benchmarks": [5], "m_purpose": True, "m_outcomes": True,
                               "m_interaction": True, "m_reflection": True})
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cohort(pilot, app)
        screen.query_one("#cohort-year", Select).value = 7
        await pilot.pause()
        assert bar_row(app, "B5 Employers")[2:] == ["0", "1", "0", "1"]
        bars = screen.query_one("#cohort-bars", DataTable)
        bars.focus()
        bars.move_cursor(row=4)                                           # B5
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, GapsScreen)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ActivityChooser)
        await insert(pilot, "professionals")
        await pilot.press("down", "enter")
        await pilot.pause()
        attach = app.screen
        assert isinstance(attach, AttachScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert {r[0] for r in store.conn.execute("SELECT pupil_id FROM activity_pupils WHERE activity_id = ?",
                                                 (talk,))} == {school["gus"]}
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Nobody here is missing it" in text_of(app.screen.query_one("#gaps-summary", Static))
        await pilot.press("escape")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert bar_row(app, "B5 Employers")[2:] == ["1", "0", "0", "1"]


async def test_the_programme_grid_edits_a_cell_and_links_an_activity(store, school, tmp_path):
    talk = store.activities.add({"kind": "employer_talk", "title": "Engineering talk", "held_on": "15/10/2026",
                               "benchmarks": [5], "m_purpose": True, "m_outcomes": True, "m_interaction": True,
                               "m_reflection": True})
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cohort(pilot, app)
        await pilot.press("p")
        await pilot.pause()
        grid = app.screen
        assert isinstance(grid, ProgrammeScreen)
        table = grid.query_one("#programme-grid", DataTable)
        table.move_cursor(row=4, column=5)                                # Year 11, Benchmark 5
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CellScreen)
        await pilot.press("a")
        await pilot.pause()
        await insert(pilot, "Careers talks with employers")
        await pilot.press("ctrl+s")
        await pilot.pause()
        item = store.conn.execute("SELECT * FROM programme_items").fetchone()
        assert (item["school_year"], item["year_group"], item["benchmark"], item["description"]) == \
            (2026, 11, 5, "Careers talks with employers")
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert store.activities.get(talk)["programme_item_id"] == item["id"]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is grid
        assert str(table.get_row_at(4)[5]) == "1 planned\n✓ 1 done\n"
        assert "Careers programme 2026/27: 1 planned activities, 1 delivered" in screen_text(app)


async def test_the_footer_shows_the_cohort_keys_and_rebuilds_them_once(store, school):
    from gatsby_tui.widgets.footer import Footer

    calls = []
    original = Footer.recompose

    async def counted(self):
        calls.append(self)
        return await original(self)

    Footer.recompose = counted
    try:
        app = build_app(store)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_cohort(pilot, app)
            await pilot.pause()
            footer = screen.query_one(Footer)
            keys = [k for k in footer.keys if not k.palette]
            shown = {b.action for _, b, _, _ in screen.active_bindings.values() if b.show}
            assert {k.action for k in keys} == shown and {"y", "b", "p", "ctrl+r"} <= {k.key for k in keys}
            # Several binding changes while the screen opened, far fewer rebuilds.
            assert 1 <= len(calls) <= 3
    finally:
        Footer.recompose = original


async def test_the_app_works_out_the_coverage_when_it_starts(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        current = store.coverage.current()
        assert current is not None                                  # worked out, and current
        assert current.tally(8, year=11).met == 2
        await pilot.press("f9")
        await pilot.pause()
        # Shown straight from what the app worked out: no waiting for a worker.
        assert bar_row(app, "B8 Guidance")[2:] == ["2", "2", "1", "5"]
        assert "Counting" not in text_of(app.screen.query_one("#cohort-summary", Static))


async def test_after_a_change_the_old_figures_are_never_shown(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_cohort(pilot, app)
        await pilot.press("f2")
        await pilot.pause()
        # Chloe meets the Level 6 adviser while the careers leader is elsewhere in the app.
        l6 = store.conn.execute("SELECT id FROM advisers WHERE name = 'Helen Marsh'").fetchone()[0]
        store.bookings.mark_held(store.bookings.book(BookingRequest(pupil_id=school["chloe"], adviser_id=l6,
                                                  start=datetime(2026, 10, 8, 13, 0), minutes=45), confirm=True))
        with store._readers_lock:       # hold the fresh count back, to see what shows meanwhile
            await pilot.press("f9")
            await pilot.pause()
            summary = text_of(app.screen.query_one("#cohort-summary", Static))
            assert "Counting the coverage with the latest changes" in summary
            assert app.screen.query_one("#cohort-bars", DataTable).row_count == 0      # not the old figures
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert bar_row(app, "B8 Guidance")[2:] == ["3", "1", "1", "5"]
        assert "Counting" not in text_of(app.screen.query_one("#cohort-summary", Static))
