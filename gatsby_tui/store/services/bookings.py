"""Bookings and clinic hours: one meeting, bulk booking, the agenda and its calendar file (SQL in
store/bookings.py, store/clinics.py)."""

from __future__ import annotations

import os
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from gatsby_tui.store import advisers, audit
from gatsby_tui.store.db import StoreError, transaction
from gatsby_tui.store.services import Service, settings
from gatsby_tui.store.services.exports import check_folder, write_file

if TYPE_CHECKING:
    from gatsby_tui.domain.slots import ClinicPattern, Slot
    from gatsby_tui.store.bookings import AgendaRow, BookingCheck, BookingRequest, BulkFilter, Candidate, Proposal


class Bookings(Service):
    """Booking, moving, cancelling and marking meetings; clinic hours and days off; bulk booking; the
    agenda and its calendar file."""

    def clinic_patterns(self, adviser_id: int) -> list[ClinicPattern]:
        """Each has .description ('Tuesdays 09:00–15:00, 45-minute slots, …') and .period."""
        from gatsby_tui.store import clinics

        return clinics.patterns(self.conn, adviser_id)

    def add_clinic(self, raw: Mapping[str, Any]) -> int:
        """raw: adviser_id, weekdays ('tue,thu'), start, end, slot_minutes, break_start, break_end,
        place, valid_from, valid_until (UK dates), optionally interval_weeks. Raises
        clinics.ClinicInvalid (a StoreError with .errors per field)."""
        from gatsby_tui.store import clinics

        return clinics.add_clinic(self.conn, raw, stamp=self.clock.stamp(), today=self.today,
                                  adviser_id=self.adviser_id)

    def remove_clinic(self, clinic_id: int) -> None:
        from gatsby_tui.store import clinics

        clinics.remove_clinic(self.conn, clinic_id, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def clinic_exceptions(self, adviser_id: int | None = None, from_day: date | None = None) -> list[sqlite3.Row]:
        """Days off of ``adviser_id`` and holidays for everyone (row adviser_id NULL), ending on
        or after ``from_day`` (default today)."""
        from gatsby_tui.store import clinics

        return clinics.exceptions(self.conn, adviser_id, first=from_day or self.today)

    def add_clinic_exception(self, raw: Mapping[str, Any]) -> int:
        """raw: first_day, last_day (blank: same day), reason, adviser_id; ``everyone`` true (or
        no adviser_id) makes it a holiday for every adviser."""
        from gatsby_tui.store import clinics

        return clinics.add_exception(self.conn, raw, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def remove_clinic_exception(self, exception_id: int) -> None:
        from gatsby_tui.store import clinics

        clinics.remove_exception(self.conn, exception_id, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def check(self, req: BookingRequest, ignore_interview_id: int | None = None) -> BookingCheck:
        from gatsby_tui.store import bookings

        return bookings.check(self.conn, req, now=self.clock.now(), ignore_interview_id=ignore_interview_id)

    def book(self, req: BookingRequest, confirm: bool = False) -> int:
        """Raises BookingRefused (.clashes) or NeedsConfirmation (.warnings, unless confirm)."""
        from gatsby_tui.store import bookings

        return bookings.book(self.conn, req, stamp=self.clock.stamp(), now=self.clock.now(),
                             adviser_id_using=self.adviser_id, confirm=confirm)

    def reschedule(self, interview_id: int, new_start: datetime, *, minutes: int | None = None,
                   confirm: bool = False, original: Mapping[str, Any] | None = None) -> int:
        """``original``: the meeting as the form opened it; refused if someone else moved it meanwhile."""
        from gatsby_tui.store import bookings

        return bookings.reschedule(self.conn, interview_id, new_start, minutes=minutes, stamp=self.clock.stamp(),
                                   now=self.clock.now(), adviser_id_using=self.adviser_id, confirm=confirm,
                                   original=original)

    def cancel(self, interview_id: int, reason: str) -> None:
        from gatsby_tui.store import bookings

        bookings.cancel(self.conn, interview_id, reason, stamp=self.clock.stamp(), now=self.clock.now(),
                        adviser_id_using=self.adviser_id)

    def mark_did_not_attend(self, interview_id: int) -> None:
        from gatsby_tui.store import bookings

        bookings.mark_did_not_attend(self.conn, interview_id, stamp=self.clock.stamp(), now=self.clock.now(),
                                     adviser_id_using=self.adviser_id)

    def mark_held(self, interview_id: int) -> None:
        from gatsby_tui.store import bookings

        bookings.mark_held(self.conn, interview_id, stamp=self.clock.stamp(), now=self.clock.now(),
                           adviser_id_using=self.adviser_id)

    def reinstate(self, interview_id: int) -> None:
        from gatsby_tui.store import bookings

        bookings.reinstate(self.conn, interview_id, stamp=self.clock.stamp(), now=self.clock.now(),
                           adviser_id_using=self.adviser_id)

    def get(self, interview_id: int) -> dict[str, Any] | None:
        """One booking: the interviews columns plus adviser_name, pupil_name ('Amara Okafor'),
        pupil_display ('Okafor, Amara'), year_group, sen_status, minutes, moves."""
        from gatsby_tui.store import bookings

        return bookings.get(self.conn, interview_id)

    def events(self, interview_id: int) -> list[sqlite3.Row]:
        from gatsby_tui.store import bookings

        return bookings.events(self.conn, interview_id)

    def next_free_slots(self, adviser_id: int, after: datetime | None = None, count: int = 5,
                        minutes: int | None = None) -> list[Slot]:
        from gatsby_tui.store import bookings

        return bookings.next_free_slots(self.conn, adviser_id, after=after or self.clock.now(), count=count,
                                        minutes=minutes)

    def agenda(self, adviser_id: int, first: date, days: int) -> list[AgendaRow]:
        from gatsby_tui.store import bookings

        return bookings.agenda(self.conn, adviser_id, first, days, today=self.today, now=self.clock.now())

    def bulk_candidates(self, f: BulkFilter) -> list[Candidate]:
        from gatsby_tui.store import bookings

        return bookings.bulk_candidates(self.conn, f, today=self.today)

    def propose_bulk(self, adviser_id: int, candidates: Sequence[Candidate], start_from: datetime,
                     minutes: int | None = None) -> list[Proposal]:
        """Writes nothing. Slots before now, or starting within the notice period (pupils are given
        at least that much notice of a meeting booked in bulk), are never proposed."""
        from gatsby_tui.store import bookings

        return bookings.propose(self.conn, adviser_id, candidates, start_from=max(start_from, self.bulk_earliest()),
                                minutes=minutes)

    def notice_hours(self) -> int:
        """The notice bulk booking gives: a meeting is never booked in bulk to start sooner than
        this many hours from now (the setting ``store.bookings.notice_hours``; 24 unless set)."""
        from gatsby_tui.store import bookings

        try:
            hours = int(self.store.settings.get(bookings.NOTICE_SETTING) or bookings.DEFAULT_NOTICE_HOURS)
        except ValueError:
            return bookings.DEFAULT_NOTICE_HOURS
        return min(max(hours, 0), bookings.MAX_NOTICE_HOURS)

    def set_notice_hours(self, text: str) -> int:
        """Set the notice bulk booking gives, in hours, from what was typed; StoreError in words."""
        from gatsby_tui.store import bookings

        value = text.strip().lower().removesuffix("hours").removesuffix("h").strip()
        if not value.isdigit() or int(value) > bookings.MAX_NOTICE_HOURS:
            raise StoreError(f"The notice must be a whole number of hours from 0 to {bookings.MAX_NOTICE_HOURS} "
                             "(two weeks): for example 24.")
        hours = int(value)
        if hours != self.notice_hours():
            before = self.notice_hours()
            with transaction(self.conn):
                settings.put(self.conn, bookings.NOTICE_SETTING, str(hours))
                audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="update",
                            table="settings", row_id=None, pupil_id=None,
                            before={bookings.NOTICE_SETTING: before}, after={bookings.NOTICE_SETTING: hours})
        return hours

    def bulk_earliest(self) -> datetime:
        """The first moment bulk booking may use: now plus the notice period."""
        return self.clock.now() + timedelta(hours=self.notice_hours())

    def bulk_notice_skipped(self, adviser_id: int, start_from: datetime, minutes: int | None = None) -> int:
        """How many of the adviser's free slots from ``start_from`` were left out of a bulk booking
        because they start within the notice period."""
        from gatsby_tui.store import bookings

        begin, earliest = max(start_from, self.clock.now()), self.bulk_earliest()
        if begin >= earliest:
            return 0
        days = (earliest.date() - begin.date()).days + 1
        slots = bookings.free_slots(self.conn, adviser_id, after=begin, minutes=minutes, days=days)
        return sum(1 for slot in slots if slot.start < earliest)

    def commit_bulk(self, proposals: Sequence[Proposal], mode: str = "in_person", place: str | None = None,
                    kind: str = "guidance", reason: str | None = None) -> list[int]:
        """All or nothing: raises BookingRefused naming the first clash, having written nothing."""
        from gatsby_tui.store import bookings

        return bookings.commit_bulk(self.conn, proposals, stamp=self.clock.stamp(), now=self.clock.now(),
                                    adviser_id_using=self.adviser_id, mode=mode, place=place, kind=kind,
                                    reason=reason)

    def export_ics(self, adviser_id: int, first: date, last: date, path: str | os.PathLike[str],
                   full_names: bool = False) -> int:
        """Write the adviser's meetings from ``first`` to ``last`` (inclusive) as an .ics file,
        owner-only, atomically; returns the number of events written. The export is audited."""
        from gatsby_tui.exports import ics
        from gatsby_tui.store import calendar

        if last < first:
            raise StoreError(f"The last day ({last:%d/%m/%Y}) is before the first ({first:%d/%m/%Y}): swap them.")
        if (last - first).days > 400:
            raise StoreError("Export at most 400 days at a time (about a school year): choose a shorter range.")
        adviser_row = advisers.get(self.conn, adviser_id)
        if adviser_row is None:
            raise StoreError("That adviser is no longer in the database.")
        target = Path(path).expanduser()
        check_folder(target)
        items = calendar.for_export(self.conn, adviser_id, first, last)
        data = ics.calendar_bytes(items, now=self.clock.now(), first=first, last=last, full_names=full_names)
        write_file(target, data, ".ics")
        with transaction(self.conn):
            audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="export",
                        table="interviews", row_id=None, pupil_id=None,
                        after={"what": "calendar", "adviser_id": adviser_id, "from": first.isoformat(),
                               "to": last.isoformat(), "events": len(items), "full_names": bool(full_names),
                               "file": str(target)})
        return len(items)
