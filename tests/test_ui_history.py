"""The pupil screen's summary and history, the action dialog and the audit views, driven through the pilot."""

from __future__ import annotations

import importlib.util
import re
from datetime import datetime

import pytest
from textual.widgets import DataTable, Input, OptionList

from helpers import make_upn, pupil
from gatsby_tui.app import build_app
from gatsby_tui.screens.audit import AuditAdviserChooser, AuditEntryDialog, AuditScreen
from gatsby_tui.screens.follow_ups import ActionDialog, NoteDialog, OwnerChooser
from gatsby_tui.screens.meeting import MeetingScreen
from gatsby_tui.screens.pupil import HISTORY_LIMIT, KindChooser, PupilScreen
from gatsby_tui.store import BookingRequest, Store
from helpers import screen_text
from gatsby_tui.widgets.paged import PagedTable

SIZE = (120, 40)
HAS_RECORD_SCREEN = importlib.util.find_spec("gatsby_tui.screens.record") is not None
COMPLETE = {"confidentiality_explained": "yes", "advice_given": "Options explained.",
            "decisions": "Apply to Riverside College\nVisit the open evening", "intended_destination": "230"}


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def book(store: Store, pupil_id: int, adviser_id: int, when: datetime, kind: str = "guidance") -> int:
    return store.bookings.book(BookingRequest(pupil_id=pupil_id, adviser_id=adviser_id, start=when, kind=kind), confirm=True)


@pytest.fixture
def school(store: Store) -> dict:
    """Amara (Year 11, SEN support, pupil premium) with a full history; Ben with nothing yet."""
    patel = store.advisers.add({"name": "Ms Patel"})
    store.advisers.set_current(patel)
    amara = store.pupils.add(store.pupils.validate(pupil(dob="14/03/2011", sen_status="K", pupil_premium="yes")))
    ben = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(2), legal_forename="Ben", legal_surname="Hughes",
                                                     dob="14/03/2011")))
    moved = book(store, amara, patel, datetime(2026, 11, 9, 9, 0))
    store.bookings.reschedule(moved, datetime(2026, 11, 16, 10, 0), confirm=True)  # kept in the history as a move
    rid = store.records.start(interview_id=moved)
    store.records.save(rid, COMPLETE)
    store.records.sign_off(rid)                                       # marks the meeting held
    store.records.amend(rid, "decisions", "Apply to Northway College", "Pupil corrected the college")
    done = store.actions.add(pupil_id=amara, record_id=rid, description="Send the application", owner="pupil",
                            due="30/11/2026")
    store.actions.set_status(done, "done", note="Sent on Friday")
    late = store.actions.add(pupil_id=amara, record_id=rid, description="Visit [b]Riverside[/b] open evening",
                            owner="parent", due="20/11/2026")
    nxt = book(store, amara, patel, datetime(2026, 12, 1, 10, 0))
    return {"patel": patel, "amara": amara, "ben": ben, "meeting": moved, "record": rid, "done": done,
            "late": late, "next": nxt}


async def open_pupil(app, pilot, pupil_id: int) -> PupilScreen:
    await pilot.pause()
    app.push_screen(PupilScreen(pupil_id))
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, PupilScreen)
    return screen


def cursor_to(table: DataTable, predicate) -> None:
    index = next(i for i, row in enumerate(rows(table)) if predicate(row))
    table.move_cursor(row=index)


async def test_summary_shows_meetings_actions_destination_and_benchmark_8(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_pupil(app, pilot, school["amara"])
        text = screen_text(app)
        assert "Year group: 11 (KS4)" in text
        assert "SEN: SEN support" in text and "Flags: Pupil premium" in text
        assert "Last meeting: 16/11/2026 10:00 · guidance with Ms Patel" in text
        assert "Next meeting: Tue 01/12/2026 10:00 · guidance with Ms Patel" in text
        assert "Open actions: 1 open (⚠ 1 overdue)" in text
        assert "Intended destination: 230 Further education (16/11/2026)" in text
        assert "by 16 ✓ 1 by the end of Year 11" in text
        assert "by 18 ✗ 1 so far — a further one due by 31 August 2029" in text
        await pilot.press("escape")
        await open_pupil(app, pilot, school["ben"])
        text = screen_text(app)
        assert "Last meeting: none held yet" in text and "Next meeting: none booked" in text
        assert "Open actions: none open" in text and "Intended destination: not recorded yet" in text
        assert "by 16 ✗ none yet — one due by 31 August 2027" in text
        assert "by 18 ✗ none yet — two due by 31 August 2029" in text


async def test_history_newest_first_with_moves_records_and_actions(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pupil(app, pilot, school["amara"])
        table = screen.query_one("#history", DataTable)
        shown = rows(table)
        whens = [datetime.strptime(r[0], "%d/%m/%Y %H:%M") for r in shown]
        assert whens == sorted(whens, reverse=True)
        assert shown[0][:2] == ["01/12/2026 10:00", "Guidance meeting (booked)"]
        titles = [r[1] for r in shown]
        for title in ("Guidance meeting moved", "Guidance meeting (held)", "Guidance record signed off",
                      "Record amended: decisions agreed", "Action for the pupil", "Action done",
                      "Action for the parent/carer", "Added to the register"):
            assert title in titles, title
        moved = next(r for r in shown if r[1] == "Guidance meeting moved")
        assert moved[2] == "from Mon 9 Nov 2026 09:00 to Mon 16 Nov 2026 10:00"
        # a name typed with markup shows as typed
        assert "Visit [b]Riverside[/b] open evening (due 20/11/2026)" in [r[2] for r in shown]
        assert str(screen.query_one("#history-status").render()) == f"{len(shown)} items, newest first."


async def test_kind_filter_and_search_narrow_the_history(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pupil(app, pilot, school["amara"])
        table = screen.query_one("#history", DataTable)
        everything = table.row_count
        await pilot.press("f")                             # the kind is chosen in a small dialog
        await pilot.pause()
        chooser = app.screen
        assert isinstance(chooser, KindChooser)
        options = chooser.query_one("#kinds", OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids[0] == "-all" and set(ids) >= {"meeting", "record", "action", "register"}
        assert "All kinds  (showing)" in screen_text(app)
        await pilot.press(*["down"] * ids.index("action"), "enter")
        await pilot.pause()
        assert app.screen is screen
        titles = [r[1] for r in rows(table)]
        assert titles and all(t.startswith("Action") for t in titles)
        assert "3 actions, newest first." == str(screen.query_one("#history-status").render())
        assert "Showing: actions only" in screen_text(app)
        await pilot.press("escape")                        # clears the kind
        await pilot.pause()
        assert table.row_count == everything and screen.kind is None
        assert "Showing: all kinds" in screen_text(app)
        await pilot.press("slash")
        assert screen.focused is screen.query_one("#history-search", Input)
        for key in "northway":
            await pilot.press(key)
        await pilot.pause()
        assert [r[1] for r in rows(table)] == ["Guidance record signed off"]
        await pilot.press("escape")                        # clears the search, stays on the pupil
        await pilot.pause()
        assert isinstance(app.screen, PupilScreen) and table.row_count == everything
        assert screen.query_one("#history-search", Input).value == ""
        await pilot.press("slash", "z", "z", "z")
        await pilot.pause()
        assert rows(table)[0][1] == "Nothing matches"
        assert "Escape clears" in str(screen.query_one("#history-status").render())
        await pilot.press("escape", "escape")              # clear, then back to the register
        await pilot.pause()
        assert not isinstance(app.screen, PupilScreen)


async def test_enter_on_an_action_opens_it_and_done_is_saved_and_shown(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pupil(app, pilot, school["amara"])
        table = screen.query_one("#history", DataTable)
        cursor_to(table, lambda r: r[1] == "Action for the parent/carer")
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ActionDialog) and dialog.action_id == school["late"]
        text = screen_text(app)
        assert "Visit [b]Riverside[/b] open evening" in text and "⚠ overdue 20/11/2026" in text
        assert "Owner: the parent/carer" in text and "Status: ○ open" in text
        assert "added, for the parent/carer" in text
        await pilot.press("r")                            # reassign to the school
        await pilot.pause()
        assert isinstance(app.screen, OwnerChooser)
        await pilot.press("down", "down", "enter")       # pupil (highlighted first), adviser, school
        await pilot.pause()
        owner = store.conn.execute("SELECT owner FROM actions WHERE id = ?", (school["late"],)).fetchone()[0]
        assert owner == "school" and "passed to the school" in screen_text(app)
        await pilot.press("d")
        await pilot.pause()
        row = store.conn.execute("SELECT status FROM actions WHERE id = ?", (school["late"],)).fetchone()
        assert row["status"] == "done"
        events = [e["status"] for e in store.actions.events(school["late"])]
        assert events == ["open", "open", "done"]
        assert "✓ marked as done" in screen_text(app) and "Status: ✓ done" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        titles = [r[1] for r in rows(table)]
        assert titles.count("Action done") == 2
        assert "Open actions: none open" in screen_text(app)


async def test_cancel_and_reopen_an_action_from_the_dialog(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pupil(app, pilot, school["amara"])
        table = screen.query_one("#history", DataTable)
        cursor_to(table, lambda r: r[1] == "Action for the parent/carer")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        for key in "moved away":
            await pilot.press(key if key != " " else "space")
        await pilot.press("enter")
        await pilot.pause()
        assert store.conn.execute("SELECT status FROM actions WHERE id = ?", (school["late"],)).fetchone()[0] == \
            "cancelled"
        assert store.actions.events(school["late"])[-1]["note"] == "moved away"
        assert isinstance(app.screen, ActionDialog)
        assert app.screen.check_action("done", ()) is False      # only reopen applies now
        await pilot.press("o")
        await pilot.pause()
        assert store.conn.execute("SELECT status FROM actions WHERE id = ?", (school["late"],)).fetchone()[0] == "open"
        assert "○ reopened" in screen_text(app)


async def test_enter_on_a_meeting_opens_the_meeting(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pupil(app, pilot, school["amara"])
        table = screen.query_one("#history", DataTable)
        cursor_to(table, lambda r: r[1] == "Guidance meeting moved")   # a move opens its meeting
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen) and app.screen.interview_id == school["meeting"]


async def test_enter_on_a_register_change_opens_its_audit_entry(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pupil(app, pilot, school["amara"])
        table = screen.query_one("#history", DataTable)
        cursor_to(table, lambda r: r[1] == "Added to the register")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditEntryDialog)
        text = screen_text(app)
        assert "Pupil details added" in text and "legal surname" in text and "Okafor" in text


@pytest.mark.skipif(not HAS_RECORD_SCREEN, reason="the meeting record editor (screens/record.py) is not there yet")
async def test_n_starts_a_record_for_an_unplanned_conversation(store, school):
    from gatsby_tui.screens.record import RecordScreen

    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_pupil(app, pilot, school["ben"])
        await pilot.press("n")
        await pilot.pause()
        row = store.conn.execute("SELECT * FROM meeting_records WHERE pupil_id = ?", (school["ben"],)).fetchone()
        assert row is not None and row["interview_id"] is None and row["status"] == "draft"
        assert row["held_at"].startswith("2026-11-22T10:00") and row["adviser_id"] == school["patel"]
        assert isinstance(app.screen, RecordScreen) and app.screen.record_id == row["id"]


@pytest.mark.skipif(not HAS_RECORD_SCREEN, reason="the meeting record editor (screens/record.py) is not there yet")
async def test_enter_on_a_record_or_an_amendment_opens_the_record(store, school):
    from gatsby_tui.screens.record import RecordScreen

    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pupil(app, pilot, school["amara"])
        table = screen.query_one("#history", DataTable)
        for title in ("Guidance record signed off", "Record amended: decisions agreed"):
            cursor_to(table, lambda r: r[1] == title)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, RecordScreen) and app.screen.record_id == school["record"]
            app.pop_screen()
            await pilot.pause()


async def test_a_long_history_is_cut_to_the_most_recent(store, school):
    for i in range(HISTORY_LIMIT + 5):
        store.actions.add(pupil_id=school["ben"], description=f"Step {i}", owner="pupil")
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pupil(app, pilot, school["ben"])
        table = screen.query_one("#history", DataTable)
        assert table.row_count == HISTORY_LIMIT
        assert "Showing the 200 most recent items" in str(screen.query_one("#history-status").render())
        await pilot.press("slash", "2", "0", "4")
        await pilot.pause()
        assert [r[2] for r in rows(table)] == ["Step 204"]


async def test_pupil_audit_lists_the_changes_and_changes_nothing(store, school):
    before = tuple(store.conn.execute("SELECT count(*), max(id) FROM audit_log").fetchone())
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_pupil(app, pilot, school["amara"])
        await pilot.press("u")
        await pilot.pause()
        audit = app.screen
        assert isinstance(audit, AuditScreen)
        table = audit.query_one("#audit", PagedTable)
        shown = rows(table)
        expected = store.conn.execute("SELECT count(*) FROM audit_log WHERE pupil_id = ?",
                                      (school["amara"],)).fetchone()[0]
        assert len(shown) == expected
        assert ["changed", "action", "note: — → Sent on Friday; status: open → done"] in [r[2:] for r in shown]
        assert any(r[2:4] == ["added", "pupil details"] for r in shown)
        assert all(r[1] == "Ms Patel" for r in shown)
        assert "Read only" in screen_text(app)
        # No key on the audit view changes anything.
        for key in ("d", "delete", "backspace", "e", "x", "c", "r", "ctrl+s", "ctrl+d"):
            await pilot.press(key)
            await pilot.pause()
        assert isinstance(app.screen, AuditScreen)
        assert tuple(store.conn.execute("SELECT count(*), max(id) FROM audit_log").fetchone()) == before
        cursor_to(table, lambda r: r[2:4] == ["changed", "action"])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditEntryDialog)
        text = screen_text(app)
        assert "Action changed" in text and "Before" in text and "After" in text and "Sent on Friday" in text
        assert "the audit log cannot be changed or deleted" in text
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        from gatsby_tui.screens.help import HelpScreen
        assert isinstance(app.screen, HelpScreen)
        assert "The audit log cannot be changed or deleted" in screen_text(app)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, PupilScreen)
    assert tuple(store.conn.execute("SELECT count(*), max(id) FROM audit_log").fetchone()) == before


async def test_audit_by_adviser_from_the_palette(store, school):
    other = store.advisers.add({"name": "Mr Jones"})
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Audit log by adviser" in titles
        app.action_audit_by_adviser()
        await pilot.pause()
        assert isinstance(app.screen, AuditAdviserChooser)
        assert "Ms Patel  (you)" in screen_text(app) and "Mr Jones" in screen_text(app)
        await pilot.press("enter")                         # the adviser using the app is highlighted first
        await pilot.pause()
        audit = app.screen
        assert isinstance(audit, AuditScreen) and audit.adviser_id == school["patel"]
        expected = store.conn.execute("SELECT count(*) FROM audit_log WHERE adviser_id = ?",
                                      (school["patel"],)).fetchone()[0]
        table = audit.query_one("#audit", PagedTable)
        assert table.row_count == expected
        pupils = {r[1] for r in rows(table)}
        assert {"Okafor, Amara", "Hughes, Ben"} <= pupils
        assert "Audit log for Ms Patel" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        app.action_audit_by_adviser()
        await pilot.pause()
        await pilot.press("up", "enter")                   # Mr Jones has changed nothing
        await pilot.pause()
        assert app.screen.adviser_id == other and app.screen.query_one("#audit", PagedTable).row_count == 0
        assert "Nothing recorded yet." in screen_text(app)


async def test_benchmark_strip_and_enter_on_plan_destination_and_activity_items(store, school):
    from gatsby_tui.screens.activities import ActivityScreen
    from gatsby_tui.screens.benchmark_strip import BenchmarkDetails
    from gatsby_tui.screens.destinations import DestinationsScreen
    from gatsby_tui.screens.plan import PlanScreen

    store.plans.create(school["amara"], {"aspirations": "Work with animals"})
    store.destinations.record_intended(school["amara"], {"code": "230", "provider": "Riverside College"})
    activity = store.activities.add({"kind": "employer_talk", "title": "Vet practice talk", "held_on": "10/11/2026",
                                   "organisation": "Riverside Vets", "benchmarks": [5], "m_purpose": True,
                                   "m_outcomes": True, "m_interaction": True, "m_reflection": True})
    store.activities.attach(activity, [school["amara"]])
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pupil(app, pilot, school["amara"])
        text = screen_text(app)
        # Eight benchmarks, each in words as well as colour.
        from gatsby_tui.domain import benchmarks as rules
        states = store.coverage.pupil(school["amara"])
        for n in range(1, 9):
            shown = f"{n} {rules.BENCHMARKS[n][1]}" + r"\s+" + re.escape(f"{states[n].symbol} {states[n].words}")
            assert re.search(shown, text), shown
        # Year 11 with no employer encounter before this year, and an adviser not recorded as qualified.
        assert states[5].words == "not yet" and states[8].words == "not yet"
        assert any("qualified" in m for m in states[8].missing), states[8].missing
        assert "Missing: B" in text
        table = screen.query_one("#history", DataTable)
        for title, expected in (("Individual plan started", PlanScreen), ("Intended destination recorded (Year 11)",
                                                               DestinationsScreen),
                                ("Employer talk: Vet practice talk", ActivityScreen)):
            titles = [r[1] for r in rows(table)]
            assert any(t.startswith(title) for t in titles), (title, titles)
            cursor_to(table, lambda r: r[1].startswith(title))
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, expected), title
            if expected is ActivityScreen:
                assert app.screen.activity_id == activity
            else:
                assert app.screen.pupil_id == school["amara"]
            app.pop_screen()
            await pilot.pause()
        screen.query_one("#pupil-benchmarks").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BenchmarkDetails)
        text = screen_text(app)
        assert "B1 Programme — A stable careers programme" in text
        assert f"✗ {states[5].missing[0]}" in text                       # what is missing, in words


async def test_a_record_opened_by_mistake_and_closed_untouched_is_not_kept(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pupil(app, pilot, school["ben"])
        await pilot.press("n")
        await pilot.pause()
        record_id = app.screen.record_id
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert store.conn.execute("SELECT count(*) FROM meeting_records WHERE pupil_id = ?",
                                  (school["ben"],)).fetchone()[0] == 0
        assert "Draft record" not in [r[1] for r in rows(screen.query_one("#history", DataTable))]
        logged = [r[0] for r in store.conn.execute(
            "SELECT action FROM audit_log WHERE table_name = 'meeting_records' AND row_id = ? ORDER BY id", (record_id,))]
        assert logged == ["insert", "delete"]
        # One word typed, and the record is kept as a draft.
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("h", "i")
        await pilot.press("escape")
        await pilot.pause()
        assert store.conn.execute("SELECT count(*) FROM meeting_records WHERE pupil_id = ? AND status = 'draft'",
                                  (school["ben"],)).fetchone()[0] == 1
