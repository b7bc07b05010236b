"""The meeting record driven through the pilot: from a booked meeting to a signed-off,
amended record, with drafts, actions, snippets and the follow-up booking."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from textual.widgets import DataTable, Input, Select, Static, TextArea

from gatsby_tui.app import build_app
from gatsby_tui.screens.booking import BookingForm
from gatsby_tui.screens.meeting import MeetingScreen
from gatsby_tui.screens.record import RecordScreen
from gatsby_tui.screens.record_dialogs import ActionForm, AmendDialog, SignOffConfirm
from gatsby_tui.screens.snippets import SnippetForm, SnippetPicker
from gatsby_tui.store import BookingRequest
from gatsby_tui.widgets.tickbox import TickBox

from helpers import make_upn, pupil
from helpers import insert, screen_text

SIZE = (120, 40)
KEYS = {" ": "space", "\n": "enter"}


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press(KEYS.get(ch, ch))


def text_of(widget) -> str:
    return str(widget.render())


@pytest.fixture
def school(store):
    """Helen Marsh using the app; a meeting with Amara held on Friday 20 November (two days ago)."""
    helen = store.advisers.add({"name": "Helen Marsh", "organisation": "Northway Careers", "kind": "external",
                               "qualification_level": "6", "qualification": "Diploma in Career Guidance"})
    other = store.advisers.add({"name": "Daniel Whitaker", "kind": "internal"})
    store.advisers.set_current(helen)
    amara = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1), dob="14/03/2011", form="11A")))
    interview = store.bookings.book(BookingRequest(pupil_id=amara, adviser_id=helen, start=datetime(2026, 11, 20, 10, 0),
                                          minutes=45), confirm=True)   # no reason given: the record starts empty
    return {"helen": helen, "other": other, "amara": amara, "interview": interview}


def record_row(store, interview_id):
    return store.conn.execute("SELECT * FROM meeting_records WHERE interview_id = ?", (interview_id,)).fetchone()


def draft_payload(store, record_id):
    row = store.conn.execute("SELECT payload FROM drafts WHERE key = ?", (f"record:{record_id}",)).fetchone()
    return None if row is None else json.loads(row["payload"])


async def wait_for_draft(pilot, store, record_id, predicate) -> dict:
    """The draft is written by a timer (about 0.4 s): wait for it, at most 5 seconds."""
    for _ in range(100):
        payload = draft_payload(store, record_id)
        if payload is not None and predicate(payload):
            return payload
        await pilot.pause(0.05)
    raise AssertionError(f"no matching draft was written; the draft holds {draft_payload(store, record_id)!r}")


async def open_record_from_meeting(app, pilot, interview_id) -> RecordScreen:
    app.push_screen(MeetingScreen(interview_id))
    await pilot.pause()
    assert isinstance(app.screen, MeetingScreen)
    await pilot.press("w")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, RecordScreen)
    return screen


async def focus(pilot, screen, selector: str):
    widget = screen.query_one(selector)
    widget.focus()
    await pilot.pause()
    return widget


async def fill_complete(pilot, screen) -> None:
    await focus(pilot, screen, "#reason")
    await insert(pilot, "Post-16 options")
    await focus(pilot, screen, "#confidentiality_explained")
    await pilot.press("space")
    await focus(pilot, screen, "#advice_given")
    await insert(pilot, "Explained apprenticeship levels.\nShowed the college prospectus.")
    await focus(pilot, screen, "#decisions")
    await insert(pilot, "Apply to Riverside College")


async def test_from_a_booked_meeting_type_and_save(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # Through the agenda, as an adviser would: Friday is two days back.
        await pilot.press("f3", "p", "p")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        meeting = app.screen
        assert isinstance(meeting, MeetingScreen)
        assert "Record: none yet" in text_of(meeting.query_one("#meeting-details", Static))
        await pilot.press("w")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        shown = screen_text(app)
        assert "Amara Okafor" in shown and "Year 11" in shown
        assert "Friday 20 November 2026 at 10:00" in shown and "Helen Marsh, Level 6" in shown
        assert "Status: Draft" in shown
        assert screen.focused is screen.query_one("#reason", TextArea), "typing starts in the first field"
        await type_text(pilot, "Post-16 options?\nand a referral from the SENCO")  # '?' is typed, not help
        await focus(pilot, screen, "#situation")
        await insert(pilot, "Year 11, enjoys design")
        await pilot.press("ctrl+s")
        await pilot.pause()
        row = record_row(store, school["interview"])
        assert row["reason"] == "Post-16 options?\nand a referral from the SENCO"
        assert row["situation"] == "Year 11, enjoys design"
        assert row["status"] == "draft"
        assert draft_payload(store, row["id"]) is None, "saving discards the draft"
        assert "everything is saved" in text_of(screen.query_one("#record-status", Static))
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is meeting
        assert "Record: draft, not yet signed off" in text_of(meeting.query_one("#meeting-details", Static))


async def test_unsaved_typing_is_kept_as_a_draft_and_restored(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        screen = await open_record_from_meeting(app, pilot, school["interview"])
        record_id = screen.record_id
        await focus(pilot, screen, "#aspirations")
        await insert(pilot, "Wants to be an electrician")
        payload = await wait_for_draft(pilot, store, record_id,
                                       lambda p: p.get("aspirations") == "Wants to be an electrician")
        assert payload["reason"] == "" and payload["confidentiality_explained"] is False
        assert record_row(store, school["interview"])["aspirations"] is None, "nothing saved into the record yet"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        assert "nothing is lost" in screen_text(app), "the toast says the typing is kept as a draft"
        assert "unsaved typing kept" in text_of(app.screen.query_one("#meeting-details", Static))
        # Open it again: the typing is back, and the screen says so.
        await pilot.press("w")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        assert screen.query_one("#aspirations", TextArea).text == "Wants to be an electrician"
        assert "Restored your unsaved typing from 10:00" in text_of(screen.query_one("#record-banner", Static))
        # Typing back to what is saved leaves no draft behind.
        await focus(pilot, screen, "#aspirations")
        await pilot.press("end")
        for _ in range(len("Wants to be an electrician")):
            await pilot.press("backspace")
        for _ in range(100):
            if draft_payload(store, record_id) is None:
                break
            await pilot.pause(0.05)
        assert draft_payload(store, record_id) is None


async def test_quitting_straight_after_typing_keeps_the_last_keystrokes(store, school):
    record_id = store.records.start(interview_id=school["interview"])
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(RecordScreen(record_id))
        await pilot.pause()
        await insert(pilot, "Options")
        await pilot.press("ctrl+q")  # before the draft timer fires
    assert draft_payload(store, record_id)["reason"] == "Options"


async def test_field_errors_are_shown_beside_the_fields_and_nothing_is_written(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_record_from_meeting(app, pilot, school["interview"])
        await insert(pilot, "Options")
        await focus(pilot, screen, "#intended_destination")
        await insert(pilot, "astronaut")
        assert "not an NCCIS destination code" in text_of(screen.query_one("#note-intended_destination", Static))
        await focus(pilot, screen, "#follow_up_date")
        await insert(pilot, "31/02/2027")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
        date_error = screen.query_one("#err-follow_up_date", Static)
        assert date_error.display and "February 2027 has no day 31" in text_of(date_error)
        assert screen.query_one("#err-intended_destination", Static).display
        assert not screen.query_one("#err-reason", Static).display
        assert record_row(store, school["interview"])["reason"] is None, "nothing written"
        payload = await wait_for_draft(pilot, store, screen.record_id, lambda p: p.get("reason") == "Options")
        assert payload["follow_up_date"] == "31/02/2027", "the typing is still kept as a draft"


async def test_destination_is_understood_from_part_of_its_name(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_record_from_meeting(app, pilot, school["interview"])
        await focus(pilot, screen, "#intended_destination")
        await insert(pilot, "apprent")
        await pilot.pause()
        assert "understood: 310 Apprenticeship" in text_of(screen.query_one("#note-intended_destination", Static))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert record_row(store, school["interview"])["intended_destination"] == "310"


async def test_markup_like_text_round_trips_unchanged(store, school):
    typed = "[b]bold[/b] <script>alert(1)</script> [/]"
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_record_from_meeting(app, pilot, school["interview"])
        await focus(pilot, screen, "#situation")
        await insert(pilot, typed)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert record_row(store, school["interview"])["situation"] == typed
        await pilot.press("escape", "w")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        assert screen.query_one("#situation", TextArea).text == typed
        assert "[b]bold[/b] <script>alert(1)</script>" in screen_text(app)


async def test_sign_off_refusals_then_sign_off_locks_the_record(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_record_from_meeting(app, pilot, school["interview"])
        await insert(pilot, "Options")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen), "refused before any confirmation is asked"
        banner = text_of(screen.query_one("#record-banner", Static))
        assert ("The record cannot be signed off yet: it needs confidentiality explained, advice given and "
                "decisions agreed.") in banner
        row = record_row(store, school["interview"])
        assert row["status"] == "draft" and row["reason"] == "Options", "the typing was saved, not signed off"

        await fill_complete(pilot, screen)
        # Someone else using the app cannot sign Helen's record off.
        store.advisers.set_current(school["other"])
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert "Only Helen Marsh, who wrote this record, can sign it off." in text_of(
            screen.query_one("#record-banner", Static))
        assert record_row(store, school["interview"])["status"] == "draft"
        store.advisers.set_current(school["helen"])

        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, SignOffConfirm)
        await pilot.press("n")  # not yet: nothing changes
        await pilot.pause()
        assert record_row(store, school["interview"])["status"] == "draft"
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, SignOffConfirm)
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is screen
        row = record_row(store, school["interview"])
        assert row["status"] == "signed_off" and row["signed_off_by"] == school["helen"]
        assert row["advice_given"] == "Explained apprenticeship levels.\nShowed the college prospectus."
        assert store.bookings.get(school["interview"])["status"] == "held"
        assert "Signed off on 22 November 2026 by Helen Marsh" in text_of(screen.query_one("#record-details", Static))
        assert all(area.read_only for area in screen.query(TextArea))
        assert screen.query_one("#intended_destination", Input).disabled
        assert screen.query_one("#confidentiality_explained", TickBox).disabled
        # Typing changes nothing now, and Ctrl+S / snippets are not offered.
        await focus(pilot, screen, "#decisions")
        await type_text(pilot, "xyz")  # typing into a locked record changes nothing
        assert screen.query_one("#decisions", TextArea).text == "Apply to Riverside College"
        assert screen.check_action("save", ()) is False and screen.check_action("snippets", ()) is False
        await pilot.press("escape")
        await pilot.pause()
        assert "signed off on 22 November 2026 by Helen Marsh" in text_of(
            app.screen.query_one("#meeting-details", Static))


async def test_amend_a_signed_off_record_keeps_the_original(store, school):
    record_id = store.records.start(interview_id=school["interview"])
    store.records.save(record_id, {"reason": "Options", "confidentiality_explained": True,
                                  "advice_given": "Levels explained", "decisions": "Apply to Riverside College"})
    store.records.sign_off(record_id)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_record_from_meeting(app, pilot, school["interview"])
        assert screen.check_action("amend", ()) is True
        await focus(pilot, screen, "#decisions")
        await pilot.press("ctrl+r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, AmendDialog)
        assert dialog.query_one("#amend-field", Select).value == "decisions", "the field you were in"
        area = dialog.query_one("#amend-text", TextArea)
        assert area.text == "Apply to Riverside College", "prefilled with the text in effect"
        assert dialog.focused is area
        await pilot.press("f7")  # select all, then type over it
        await insert(pilot, "Apply to Northway College")
        await pilot.press("ctrl+s")  # no reason: refused
        await pilot.pause()
        assert app.screen is dialog
        assert "Give a reason for the amendment" in text_of(dialog.query_one("#amend-error", Static))
        assert store.conn.execute("SELECT count(*) FROM record_amendments").fetchone()[0] == 0
        assert dialog.focused is dialog.query_one("#amend-reason", Input)
        await insert(pilot, "Pupil corrected the college name")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        rows = store.conn.execute("SELECT * FROM record_amendments").fetchall()
        assert [(r["field"], r["original_text"], r["amended_text"], r["reason"]) for r in rows] == [
            ("decisions", "Apply to Riverside College", "Apply to Northway College",
             "Pupil corrected the college name")]
        assert screen.query_one("#decisions", TextArea).text == "Apply to Northway College"
        history = text_of(screen.query_one("#hist-decisions", Static))
        assert "Original text, as signed off:\nApply to Riverside College" in history
        assert "by Helen Marsh. Reason: Pupil corrected the college name" in history
        assert "Apply to Northway College" in history
        shown = screen_text(app)
        assert "Apply to Riverside College" in shown and "Apply to Northway College" in shown
        assert record_row(store, school["interview"])["decisions"] == "Apply to Riverside College"


async def test_snippets_add_insert_at_the_cursor_and_delete(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_record_from_meeting(app, pilot, school["interview"])
        area = await focus(pilot, screen, "#advice_given")
        await insert(pilot, "Explained: ")
        await pilot.press("ctrl+t")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, SnippetPicker)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, SnippetForm)
        await insert(pilot, "Apprenticeship levels")
        app.screen.query_one("#snippet-body", TextArea).focus()
        await insert(pilot, "Levels 2 to 7: intermediate, advanced, higher and degree.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is picker
        assert [r["title"] for r in store.records.snippets()] == ["Apprenticeship levels"]
        store.records.add_snippet("College open evenings", "Riverside: 3 December.")
        picker.reload()
        await insert(pilot, "appr")  # filter by title
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert area.text == "Explained: Levels 2 to 7: intermediate, advanced, higher and degree."
        assert screen.focused is area
        await insert(pilot, " OK")  # the cursor is after the inserted text
        assert area.text.endswith("degree. OK")
        # Delete a snippet: the first press asks, the second deletes.
        await pilot.press("ctrl+t")
        await pilot.pause()
        await insert(pilot, "college")
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert len(store.records.snippets()) == 2
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert [r["title"] for r in store.records.snippets()] == ["Apprenticeship levels"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_actions_added_and_marked_done_in_the_record(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_record_from_meeting(app, pilot, school["interview"])
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ActionForm)
        await insert(pilot, "Book a college open evening [Riverside]")
        form.query_one("#action-owner", Select).value = "parent"
        form.query_one("#action-due", Input).focus()
        await insert(pilot, "04/12/2026")
        await pilot.pause()
        assert "Friday 4 December 2026" in text_of(form.query_one("#action-due-note", Static))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        row = store.conn.execute("SELECT * FROM actions").fetchone()
        assert (row["description"], row["owner"], row["due_date"], row["status"], row["record_id"]) == (
            "Book a college open evening [Riverside]", "parent", "2026-12-04", "open", screen.record_id)
        table = screen.query_one("#record-actions", DataTable)
        assert [str(c) for c in table.get_row_at(0)] == [
            "Book a college open evening [Riverside]", "parent/carer", "04/12/2026", "open"]
        # Ctrl+G from a text field first moves to the list (nothing changes), then marks it done.
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert store.conn.execute("SELECT status FROM actions").fetchone()[0] == "open"
        assert screen.focused is table
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert store.conn.execute("SELECT status FROM actions").fetchone()[0] == "done"
        assert str(table.get_row_at(0)[3]) == "✓ done"
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert store.conn.execute("SELECT status FROM actions").fetchone()[0] == "open"
        events = [e["status"] for e in store.actions.events(row["id"])]
        assert events == ["open", "done", "open"]


async def test_book_the_follow_up_from_the_record(store, school):
    store.bookings.add_clinic({"adviser_id": school["helen"], "weekdays": "tue,thu", "start": "09:00", "end": "15:00",
                      "slot_minutes": "45", "place": "Careers office", "valid_from": "01/09/2026",
                      "valid_until": ""})
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = await open_record_from_meeting(app, pilot, school["interview"])
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app.screen is screen, "no follow-up date yet: nothing to book"
        assert screen.focused is screen.query_one("#follow_up_date", Input)
        await insert(pilot, "8/12/2026")
        await pilot.press("ctrl+b")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, BookingForm)
        assert form.query_one("#kind", Select).value == "follow_up"
        assert form.query_one("#when", Input).value == "08/12/2026 09:00", "the first free slot that day"
        assert "Follow-up to the meeting of 20/11/2026" == form.query_one("#reason", Input).value
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        booked = store.conn.execute("SELECT * FROM interviews WHERE kind = 'follow_up'").fetchone()
        assert (booked["pupil_id"], booked["starts_at"]) == (school["amara"], "2026-12-08T09:00")


async def test_no_record_key_for_cancelled_or_missed_meetings(store, school):
    store.bookings.cancel(school["interview"], "pupil absent")
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(MeetingScreen(school["interview"]))
        await pilot.pause()
        meeting = app.screen
        assert meeting.check_action("record", ()) is False
        await pilot.press("w")
        await pilot.pause()
        assert app.screen is meeting
        assert record_row(store, school["interview"]) is None
        assert "W Record" not in text_of(meeting.query_one("#meeting-hint", Static))
