"""The school and its careers leader, and the published programme's texts, driven through the pilot:
asked on first run, reachable from the palette, checked in words, saved to the file; and the export
dialog's options."""

from __future__ import annotations

import json

from textual.widgets import Input, Static

from gatsby_tui.app import build_app
from gatsby_tui.screens.programme import ExportProgramme, ProgrammeScreen
from gatsby_tui.screens.school import ProgrammePageForm, SchoolForm
from gatsby_tui.screens.register import RegisterScreen
from gatsby_tui.widgets.tickbox import TickBox

from helpers import fill, screen_text

SIZE = (120, 40)


async def test_first_run_asks_for_the_school_and_its_careers_leader_after_the_adviser(store):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await fill(pilot, "Helen Marsh", "#name")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SchoolForm)
        # Saving with the careers leader missing says what to do, and writes nothing.
        await fill(pilot, "Hollins Park Academy", "#name")
        await fill(pilot, "careers at school", "#leader_email")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SchoolForm)
        shown = screen_text(app)
        assert "Name the careers leader" in shown and "not an email address" in shown
        assert store.conn.execute("SELECT count(*) FROM schools").fetchone()[0] == 0
        await fill(pilot, "Daniel [b]Whitaker[/b]", "#leader_name")
        await fill(pilot, "careers@hollinspark.example.org.uk", "#leader_email")
        await fill(pilot, "01282 555 0142", "#leader_phone")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        school = store.programme.school()
        assert (school.name, school.leader_name, school.leader_phone) == (
            "Hollins Park Academy", "Daniel [b]Whitaker[/b]", "01282 555 0142")
        assert store.conn.execute("SELECT count(*) FROM audit_log WHERE table_name = 'schools'").fetchone()[0] == 1


async def test_the_school_form_is_in_the_palette_and_keeps_what_was_saved(store):
    adviser = store.advisers.add({"name": "Helen Marsh", "kind": "external"})
    store.advisers.set_current(adviser)
    store.programme.save_school({"name": "Hollins Park Academy", "leader_name": "Daniel Whitaker"})
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)          # set already: not asked again
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "School and careers leader" in titles
        app.action_school_details()
        await pilot.pause()
        assert isinstance(app.screen, SchoolForm)
        assert app.screen.query_one("#leader_name", Input).value == "Daniel Whitaker"
        await fill(pilot, "Priya Shah", "#leader_name")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.programme.school().leader_name == "Priya Shah"


async def test_the_page_texts_and_the_export_options(store, tmp_path):
    adviser = store.advisers.add({"name": "Helen Marsh", "kind": "external"})
    store.advisers.set_current(adviser)
    store.programme.add_item(2026, 7, 5, "Meet the professionals")
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_go_programme()
        await pilot.pause()
        assert isinstance(app.screen, ProgrammeScreen)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ProgrammePageForm)
        await fill(pilot, "Providers may ask Daniel Whitaker for a date.", "#provider_access_policy")
        await fill(pilot, "Reviewed each July with governors.", "#evaluation")
        await fill(pilot, "01/09/2020", "#next_review")
        await fill(pilot, "A talk every year from Year 7.", "#b5_now")
        await fill(pilot, "Mentoring for Year 10.", "#b5_next")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ProgrammePageForm)
        assert "has passed" in screen_text(app)
        assert store.programme.school().texts["evaluation"] is None               # nothing half-written
        await fill(pilot, "14/07/2027", "#next_review")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ProgrammeScreen)
        school = store.programme.school()
        assert school.next_review == "2027-07-14" and school.statement(5) == ("A talk every year from Year 7.",
                                                                           "Mentoring for Year 10.")
        assert school.texts["provider_access_policy"] == "Providers may ask Daniel Whitaker for a date."
        # Exporting before the careers leader is named is refused in a sentence, and writes nothing.
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportProgramme)
        out = tmp_path / "site"
        out.mkdir()
        await fill(pilot, str(out), "#folder")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "careers leader's name first" in str(app.screen.query_one("#export-result", Static).render())
        assert list(out.iterdir()) == []
        store.programme.save_school({"name": "Hollins Park Academy", "leader_name": "Daniel Whitaker"})
        app.screen.query_one("#delivered", TickBox).value = False
        app.screen.query_one("#figures", TickBox).value = False
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ProgrammeScreen)
        md = next(out.glob("*.md")).read_text(encoding="utf-8")
        assert "Daniel Whitaker" in md and "Mentoring for Year 10\\." in md and "14 July 2027" in md
        assert "Where we stand" not in md and "Nothing is planned for Year 8 yet." in md
        entry = store.conn.execute("SELECT after FROM audit_log WHERE action = 'export' ORDER BY id DESC").fetchone()
        assert json.loads(entry[0])["delivered_marks"] is False and json.loads(entry[0])["figures"] is False
