"""Booking driven through the pilot: from the register to the agenda and back."""

from __future__ import annotations

import os
import stat

import pytest
from datetime import date
from textual.widgets import DataTable, Input, OptionList, Static

from gatsby_tui.app import build_app
from gatsby_tui.screens.advisers import AdviserChooser, AdviserForm
from gatsby_tui.screens.agenda import AgendaScreen
from gatsby_tui.screens.booking import BookingForm
from gatsby_tui.screens.bulk import BulkBookingScreen
from gatsby_tui.screens.meeting import MeetingScreen
from gatsby_tui.screens.picker import PupilPicker
from gatsby_tui.screens.register import RegisterScreen

from helpers import make_upn, pupil
from helpers import fill, insert, screen_text

SIZE = (120, 40)


def text_of(widget) -> str:
    return str(widget.render())


@pytest.fixture
def school(store):
    """An adviser using the app, Tuesday and Thursday clinics, and Year 11 pupils."""
    adviser = store.advisers.add({"name": "Helen Marsh", "organisation": "Northway Careers",
                                 "kind": "external", "qualification_level": "6"})
    store.advisers.set_current(adviser)
    store.bookings.add_clinic({"adviser_id": adviser, "weekdays": "tue,thu", "start": "09:00", "end": "15:00",
                      "slot_minutes": "45", "break_start": "12:00", "break_end": "12:45",
                      "place": "Careers office", "valid_from": "01/09/2026", "valid_until": ""})
    people = [("Amara", "Okafor", "E"), ("Ben", "Hughes", "N"), ("Cara", "Doyle", "K"), ("Dan", "Evans", "N")]
    ids = []
    for i, (fore, sur, sen) in enumerate(people):
        ids.append(store.pupils.add(store.pupils.validate(pupil(
            upn=make_upn(i + 1), legal_forename=fore, legal_surname=sur, dob="14/03/2011", form="11A",
            sen_status=sen))))
    return {"adviser": adviser, "pupils": dict(zip([p[1] for p in people], ids))}


def interviews(store):
    return store.conn.execute("SELECT * FROM interviews ORDER BY starts_at").fetchall()


async def test_first_run_asks_who_is_using_the_app(store):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, AdviserForm), "no adviser yet: the app asks who you are"
        app.screen.query_one("#name", Input).value = "Helen Marsh"
        app.screen.query_one("#qualification_level", Input).value = "6"
        await pilot.press("ctrl+s")
        await pilot.pause()
        # Then the school and its careers leader, which the action plans and the published programme name.
        from gatsby_tui.screens.school import SchoolForm

        assert isinstance(app.screen, SchoolForm), "no school yet: the app asks for it and its careers leader"
        await pilot.press("escape")                 # it can wait (the palette offers it again)
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert store.advisers.current()["name"] == "Helen Marsh"
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, AdviserChooser)
        await pilot.press("escape")


async def test_book_from_the_register_then_see_it_in_the_agenda_and_move_it(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        await pilot.press("b")  # Doyle, Cara is first by name
        await pilot.pause()
        form = app.screen
        assert isinstance(form, BookingForm)
        slots = form.query_one("#free-slots", OptionList)
        assert slots.option_count >= 1
        form.query_one("#when", Input).value = "tue 10:30"
        await pilot.pause()
        assert "Tuesday 24 November 2026, 10:30–11:15" in text_of(form.query_one("#understood", Static))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        rows = interviews(store)
        assert [(r["pupil_id"], r["starts_at"], r["ends_at"], r["status"]) for r in rows] == [
            (school["pupils"]["Doyle"], "2026-11-24T10:30", "2026-11-24T11:15", "booked")]
        assert "24/11/2026 10:30" in screen_text(app)  # the register's next-meeting column

        # The agenda (F3) shows it on Tuesday; today is Sunday 22 November.
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, AgendaScreen)
        await pilot.press("n", "n")
        await pilot.pause()
        agenda = app.screen.query_one("#agenda", DataTable)
        cells = [[str(c) for c in agenda.get_row_at(i)] for i in range(agenda.row_count)]
        booked = [c for c in cells if "Doyle" in c[1]]
        assert booked and booked[0][0] == "10:30–11:15" and booked[0][3] == "SEN"
        assert any(c[1] == "· free ·" for c in cells), "free slots are visible"
        # Open it and move it to Thursday.
        agenda.move_cursor(row=cells.index(booked[0]))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press("m")
        await pilot.pause()
        slots = app.screen.query_one("#free-slots", OptionList)
        assert slots.highlighted == 0 and str(slots.get_option_at_index(0).prompt).startswith("Tue 24 Nov  09:00")
        app.screen.query_one("#when", Input).value = "thu 9:00"
        await pilot.pause()
        assert str(slots.get_option_at_index(slots.highlighted).prompt).startswith("Thu 26 Nov  09:00")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        row = interviews(store)[0]
        assert row["starts_at"] == "2026-11-26T09:00"
        moved = store.conn.execute("SELECT * FROM interview_events WHERE event = 'moved'").fetchone()
        assert (moved["from_start"], moved["to_start"]) == ("2026-11-24T10:30", "2026-11-26T09:00")
        # The pupil's history says it was moved, from when to when.
        await pilot.press("o")
        await pilot.pause()
        history = app.screen.query_one("#history", DataTable)
        lines = [" ".join(str(c) for c in history.get_row_at(i)) for i in range(history.row_count)]
        assert any("moved" in line and "24 Nov 2026 10:30" in line and "26 Nov 2026 09:00" in line
                   for line in lines)


async def test_a_clash_is_refused_with_a_sentence_naming_it(store, school):
    from gatsby_tui.store.bookings import BookingRequest
    from datetime import datetime

    store.bookings.book(BookingRequest(pupil_id=school["pupils"]["Okafor"], adviser_id=school["adviser"],
                              start=datetime(2026, 11, 24, 10, 30), minutes=45))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        form = app.screen
        form.query_one("#when", Input).value = "24/11 11:14"  # overlaps 10:30–11:15 by one minute
        await pilot.pause()
        problems = text_of(form.query_one("#booking-problems", Static))
        assert "Okafor" in problems
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, BookingForm), "refused: the form stays open"
        assert len(interviews(store)) == 1
        form.query_one("#when", Input).value = "24/11 11:15"  # touching is fine
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert len(interviews(store)) == 2


async def test_a_weekend_booking_needs_a_second_ctrl_s(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        form = app.screen
        form.query_one("#when", Input).value = "sat 10:00"
        await pilot.pause()
        assert "weekend" in text_of(form.query_one("#booking-problems", Static)).lower()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, BookingForm) and not interviews(store)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert interviews(store)[0]["starts_at"] == "2026-11-28T10:00"


async def test_book_a_free_slot_from_the_agenda(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("n", "n")  # Tuesday
        await pilot.pause()
        agenda = app.screen.query_one("#agenda", DataTable)
        assert str(agenda.get_row_at(0)[0]) == "09:00–09:45"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PupilPicker)
        await insert(pilot, "hughes")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BookingForm)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AgendaScreen)
        row = interviews(store)[0]
        assert (row["pupil_id"], row["starts_at"]) == (school["pupils"]["Hughes"], "2026-11-24T09:00")
        assert "Hughes, Ben" in str(agenda.get_row_at(0)[1])


async def test_bulk_booking_previews_then_books_all_in_priority_order(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("B")
        await pilot.pause()
        bulk = app.screen
        assert isinstance(bulk, BulkBookingScreen)
        from textual.widgets import Select
        bulk.query_one("#bulk-year", Select).value = 11
        await pilot.press("ctrl+r")
        await pilot.pause()
        table = bulk.query_one("#bulk-table", DataTable)
        order = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert order == ["Okafor, Amara", "Doyle, Cara", "Evans, Dan", "Hughes, Ben"]  # EHCP, SEN support, A-Z
        assert str(table.get_row_at(0)[0]) == "Tue 24 Nov 09:00"
        table.move_cursor(row=2)
        await pilot.press("x")  # leave Evans out
        await pilot.pause()
        assert table.row_count == 3
        assert not interviews(store), "nothing is written before Ctrl+S"
        await pilot.press("ctrl+s")
        await pilot.pause()
        rows = interviews(store)
        assert [r["pupil_id"] for r in rows] == [school["pupils"][n] for n in ("Okafor", "Doyle", "Hughes")]
        assert "Booked 3 meetings" in text_of(bulk.query_one("#bulk-summary", Static))


async def test_bulk_booking_skips_slots_within_the_notice_and_says_so(store, school):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("B")
        await pilot.pause()
        bulk = app.screen
        from textual.widgets import Select
        bulk.query_one("#bulk-year", Select).value = 11
        assert bulk.query_one("#bulk-notice", Input).value == "24"
        await fill(pilot, "48", "#bulk-notice")              # Sunday 10:00 + 48 hours: Tuesday 10:00
        await pilot.press("ctrl+r")
        await pilot.pause()
        table = bulk.query_one("#bulk-table", DataTable)
        assert str(table.get_row_at(0)[0]) == "Tue 24 Nov 10:30"
        summary = text_of(bulk.query_one("#bulk-summary", Static))
        assert "2 free slots in the next 48 hours were skipped, so pupils get 48 hours' notice" in summary
    assert store.bookings.notice_hours() == 48


async def test_export_a_calendar_file_from_the_agenda(store, school, tmp_path):
    from gatsby_tui.store.bookings import BookingRequest
    from datetime import datetime

    store.bookings.book(BookingRequest(pupil_id=school["pupils"]["Okafor"], adviser_id=school["adviser"],
                              start=datetime(2026, 11, 24, 10, 30), minutes=45, reason="post-16 options"))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("w")                      # the week view starts on Monday 16 November
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        # The range starts today (Sunday 22 November), not at the start of the week shown.
        assert app.screen.query_one("#from", Input).value == "22/11/2026"
        assert app.screen.query_one("#to", Input).value == "19/12/2026"
        target = tmp_path / "cal.ics"
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AgendaScreen)
        data = target.read_text()
        assert "BEGIN:VEVENT" in data and "A.O." in data
        assert "Okafor" not in data and "post-16" not in data
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


async def test_clinic_hours_and_days_off_through_the_agenda(store):
    adviser = store.advisers.add({"name": "Daniel Whitaker", "kind": "internal"})
    store.advisers.set_current(adviser)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f3", "c")
        await pilot.pause()
        from gatsby_tui.screens.clinics import ClinicsScreen, FieldsForm
        assert isinstance(app.screen, ClinicsScreen)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FieldsForm)
        for key, value in {"weekdays": "wed", "start": "13:00", "end": "16:00", "slot_minutes": "30",
                           "place": "Room 12", "valid_from": "01/09/2026"}.items():
            form.query_one(f"#{key}", Input).value = value
        form.query_one("#end", Input).value = "12:00"  # before the start: refused with a reason
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FieldsForm)
        assert "end" in text_of(form.query_one("#fields-errors", Static)).lower()
        form.query_one("#end", Input).value = "16:00"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ClinicsScreen)
        patterns = app.screen.query_one("#patterns", DataTable)
        assert "Wednesdays 13:00–16:00" in str(patterns.get_row_at(0)[0])
        # A training day off on Wednesday 25 November.
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#first_day", Input).value = "25/11/2026"
        app.screen.query_one("#reason", Input).value = "Training day"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.bookings.clinic_exceptions(adviser)[0]["reason"] == "Training day"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AgendaScreen)
    # Wednesday 25 has no free slots; Wednesday 2 December has six.
    free_25 = [r for r in store.bookings.agenda(adviser, date(2026, 11, 25), 1) if r.free]
    free_2 = [r for r in store.bookings.agenda(adviser, date(2026, 12, 2), 1) if r.free]
    assert free_25 == [] and len(free_2) == 6


async def test_a_day_off_shows_in_the_agenda(store, school):
    store.bookings.add_clinic_exception({"first_day": "24/11/2026", "reason": "Training day"})
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("n", "n")                     # Sunday -> Tuesday 24 November
        await pilot.pause()
        text = screen_text(app)
        assert "Tuesday 24 November 2026" in text
        assert "Day off: Training day" in text and "0 free slots" in text
        await pilot.press("enter")                      # nothing to book on a day off
        await pilot.pause()
        assert isinstance(app.screen, AgendaScreen)
