"""My follow-ups (F5): open actions across pupils, driven through the pilot, checked on screen and in the database."""

from __future__ import annotations

import json

import pytest
from textual.widgets import DataTable, Input, Select, Static

from helpers import make_upn, pupil
from gatsby_tui.app import build_app
from gatsby_tui.screens.follow_ups import PAGE, ActionDialog, FollowUpsScreen, NoteDialog, OwnerChooser
from gatsby_tui.screens.pupil import PupilScreen
from gatsby_tui.store import Store
from helpers import screen_text
from gatsby_tui.widgets.paged import PagedTable

SIZE = (120, 40)


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def status_text(screen) -> str:
    return str(screen.query_one("#status", Static).render())


@pytest.fixture
def school(store: Store) -> dict:
    patel = store.advisers.add({"name": "Ms Patel"})
    jones = store.advisers.add({"name": "Mr Jones"})
    store.advisers.set_current(patel)
    amara = store.pupils.add(store.pupils.validate(pupil(dob="14/03/2011")))
    ben = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(2), legal_forename="Ben", legal_surname="Hughes",
                                                     dob="14/03/2012")))
    add = store.actions.add
    ids = {
        "undated": add(pupil_id=amara, description="Think about sixth form subjects", owner="pupil"),
        "later": add(pupil_id=ben, description="Send the college application", owner="school", due="15/12/2026"),
        "late2": add(pupil_id=amara, description="Bring two apprenticeship adverts", owner="pupil", due="20/11/2026"),
        "late1": add(pupil_id=ben, description="Call the parent about the open evening", owner="adviser",
                     due="10/11/2026"),
        "soon": add(pupil_id=amara, description="Book the [b]taster[/b] day", owner="parent", due="25/11/2026"),
        "jones": add(pupil_id=ben, description="Jones's own action", owner="pupil", due="01/11/2026",
                     adviser_id=jones),
    }
    done = add(pupil_id=amara, description="Already finished", owner="pupil", due="01/11/2026")
    store.actions.set_status(done, "done")
    return {"patel": patel, "jones": jones, "amara": amara, "ben": ben, **ids}


async def open_follow_ups(app, pilot) -> FollowUpsScreen:
    await pilot.pause()
    await pilot.press("f5")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, FollowUpsScreen)
    return screen


def status_of(store: Store, action_id: int) -> tuple[str, str]:
    row = store.conn.execute("SELECT status, owner FROM actions WHERE id = ?", (action_id,)).fetchone()
    return row["status"], row["owner"]


async def test_overdue_first_in_words_undated_last_and_mine_or_all(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_follow_ups(app, pilot)
        table = screen.query_one("#follow-ups", PagedTable)
        shown = rows(table)
        assert [r[3] for r in shown] == ["Call the parent about the open evening", "Bring two apprenticeship adverts",
                                         "Book the [b]taster[/b] day", "Send the college application",
                                         "Think about sixth form subjects"]
        assert shown[0] == ["⚠ overdue 10/11/2026", "Hughes, Ben", "10", "Call the parent about the open evening",
                            "adviser"]
        assert shown[1][0] == "⚠ overdue 20/11/2026" and shown[1][1:3] == ["Okafor, Amara", "11"]
        assert shown[2][0] == "25/11/2026" and shown[2][4] == "parent/carer"
        assert shown[4][0] == "no date"
        assert status_text(screen) == "Showing all 5 open actions · ⚠ 2 overdue · followed up by Ms Patel"
        screen.query_one("#whose", Select).value = "all"
        await pilot.pause()
        shown = rows(table)
        assert shown[0][:1] + shown[0][3:4] == ["⚠ overdue 01/11/2026", "Jones's own action"]
        assert "Showing all 6 open actions · ⚠ 3 overdue · every adviser's" == status_text(screen)
        assert app.check_action("go_follow_ups", ()) is False   # F5 hidden on its own screen
        assert app.check_action("go_register", ()) is True


async def test_owner_filter(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_follow_ups(app, pilot)
        table = screen.query_one("#follow-ups", PagedTable)
        screen.query_one("#owner", Select).value = "pupil"
        await pilot.pause()
        assert [r[3] for r in rows(table)] == ["Bring two apprenticeship adverts", "Think about sixth form subjects"]
        assert {r[4] for r in rows(table)} == {"pupil"}
        await pilot.press("escape")                        # clears the filters
        await pilot.pause()
        assert table.row_count == 5 and screen.query_one("#owner", Select).value is Select.NULL


async def test_due_date_filter_and_a_clear_message_for_a_bad_date(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_follow_ups(app, pilot)
        table = screen.query_one("#follow-ups", PagedTable)
        screen.query_one("#due", Input).focus()
        for key in "31/02/2026":
            await pilot.press(key)
        await pilot.press("enter")
        await pilot.pause()
        error = screen.query_one("#follow-error", Static)
        assert error.display and "February 2026 has no day 31" in str(error.render())
        assert "February 2026 has no day 31" in screen_text(app)
        assert table.row_count == 5                        # not filtered by a date it cannot read
        screen.query_one("#due", Input).value = ""
        for key in "25/11/2026":
            await pilot.press(key)
        await pilot.pause()
        assert not error.display
        assert [r[0] for r in rows(table)] == ["⚠ overdue 10/11/2026", "⚠ overdue 20/11/2026", "25/11/2026"]
        assert status_text(screen).startswith("Showing all 3 open actions")
        screen.query_one("#due", Input).value = "soonish"
        await pilot.press("tab")                           # leaving the box also checks it
        await pilot.pause()
        assert error.display and "not a due date I can read" in str(error.render())
        screen.query_one("#due", Input).value = "25/11"      # typed as meeting times are: this 25 November
        await pilot.press("shift+tab", "tab")
        await pilot.pause()
        assert not error.display
        assert [r[0] for r in rows(table)][-1] == "25/11/2026" and table.row_count == 3


async def test_d_marks_done_in_the_database_and_the_list(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_follow_ups(app, pilot)
        table = screen.query_one("#follow-ups", PagedTable)
        table.move_cursor(row=1)                           # Bring two apprenticeship adverts
        await pilot.press("d")
        await pilot.pause()
        assert status_of(store, school["late2"]) == ("done", "pupil")
        assert [e["status"] for e in store.actions.events(school["late2"])] == ["open", "done"]
        assert "Bring two apprenticeship adverts" not in [r[3] for r in rows(table)]
        assert table.cursor_row == 1 and rows(table)[1][3] == "Book the [b]taster[/b] day"  # the next one
        assert status_text(screen).startswith("Showing all 4 open actions · ⚠ 1 overdue")
        audit = store.conn.execute("SELECT before, after FROM audit_log WHERE table_name = 'actions' AND row_id = ? "
                                   "ORDER BY id DESC", (school["late2"],)).fetchone()
        assert json.loads(audit["before"]) == {"status": "open"} and json.loads(audit["after"]) == {"status": "done"}
        # A slip of the key: U, in the same list, reopens it and puts the cursor back on it.
        assert "Undo done" in screen_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert status_of(store, school["late2"]) == ("open", "pupil")
        assert [e["status"] for e in store.actions.events(school["late2"])] == ["open", "done", "open"]
        assert rows(table)[table.cursor_row][3] == "Bring two apprenticeship adverts"
        assert status_text(screen).startswith("Showing all 5 open actions")
        assert "Undo done" not in screen_text(app)              # nothing more to undo


async def test_end_goes_to_the_very_last_action_and_home_to_the_first(store, school):
    for i in range(230):                                       # more than one page of the list
        store.actions.add(pupil_id=school["amara"], description=f"Extra step {i:03d}", owner="pupil",
                         due="01/06/2027")
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_follow_ups(app, pilot)
        table = screen.query_one("#follow-ups", PagedTable)
        await pilot.press("end")
        await pilot.pause()
        assert table.row_count == 235 and table.cursor_row == 234
        await pilot.press("home")
        await pilot.pause()
        assert table.cursor_row == 0


async def test_r_reassigns_and_keeps_the_change_with_its_date(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_follow_ups(app, pilot)
        table = screen.query_one("#follow-ups", PagedTable)
        table.move_cursor(row=2)                           # the parent's taster day
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, OwnerChooser)
        assert "Parent/carer  (has it now)" in screen_text(app)
        await pilot.press("down", "down", "enter")         # pupil, adviser, school
        await pilot.pause()
        assert isinstance(app.screen, FollowUpsScreen)
        assert status_of(store, school["soon"]) == ("open", "school")
        events = store.actions.events(school["soon"])
        assert [(e["status"], e["owner"]) for e in events] == [("open", "parent"), ("open", "school")]
        assert events[-1]["at"] == "2026-11-22T10:00:00" and events[-1]["adviser_id"] == school["patel"]
        assert table.cursor_row == 2 and rows(table)[2][3:] == ["Book the [b]taster[/b] day", "school"]
        await pilot.press("v")                             # the action's changes, with dates
        await pilot.pause()
        assert isinstance(app.screen, ActionDialog)
        text = screen_text(app)
        assert "added, for the parent/carer" in text and "passed to the school" in text and "22/11/2026 10:00" in text


async def test_c_cancels_with_a_note_and_escape_cancels_nothing(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_follow_ups(app, pilot)
        table = screen.query_one("#follow-ups", PagedTable)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert status_of(store, school["late1"])[0] == "open" and table.row_count == 5
        await pilot.press("c")
        await pilot.pause()
        for key in "not needed":
            await pilot.press(key if key != " " else "space")
        await pilot.press("enter")
        await pilot.pause()
        assert status_of(store, school["late1"])[0] == "cancelled"
        assert store.actions.events(school["late1"])[-1]["note"] == "not needed"
        assert table.row_count == 4 and table.cursor_row == 0


async def test_enter_opens_the_pupil(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_follow_ups(app, pilot)
        screen.query_one("#follow-ups", PagedTable).move_cursor(row=1)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PupilScreen) and app.screen.pupil_id == school["amara"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_pages_load_as_the_cursor_nears_the_end(store, school):
    total = 2 * PAGE + 50
    for i in range(total - 5):
        store.actions.add(pupil_id=school["ben"], description=f"Bulk action {i:03d}", owner="pupil",
                         due=f"{1 + i % 28:02d}/{1 + i % 12:02d}/2027")
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_follow_ups(app, pilot)
        table = screen.query_one("#follow-ups", PagedTable)
        assert table.row_count == PAGE
        assert status_text(screen).startswith(f"Showing {PAGE} of {total:,} open actions")
        await pilot.press("G")
        await pilot.pause()
        assert table.row_count > PAGE
        for _ in range(3):
            await pilot.press("G")
            await pilot.pause()
        assert table.row_count == total
        assert status_text(screen).startswith(f"Showing all {total:,} open actions")
        keys = [screen.rows[k].key for k in screen.rows]
        assert keys == sorted(keys, key=lambda k: (k[0] is None, k[0] or "", k[1]))     # dated by date, undated last
        assert rows(table)[-1][3] == "Think about sixth form subjects"
        # Marking one done deep in the list keeps the cursor there.
        table.move_cursor(row=PAGE + 10)
        target = rows(table)[PAGE + 10][3]
        await pilot.press("d")
        await pilot.pause()
        assert table.cursor_row == PAGE + 10                 # the list reloads only the pages it needs
        assert table.row_count == 2 * PAGE and target not in [r[3] for r in rows(table)]
        assert status_text(screen).startswith(f"Showing {2 * PAGE} of {total - 1:,} open actions")
        assert store.conn.execute("SELECT count(*) FROM actions WHERE status = 'open'").fetchone()[0] == total


async def test_a_pupil_who_has_left_shows_as_left_not_a_year_group(store, school):
    from datetime import date

    store.pupils.set_left(school["ben"], date(2026, 10, 1))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_follow_ups(app, pilot)
        shown = rows(screen.query_one("#follow-ups", PagedTable))
        assert shown[0][1:3] == ["Hughes, Ben", "left"]                  # their action is still followed up
        assert [r[2] for r in shown if r[1] == "Okafor, Amara"] == ["11", "11", "11"]
