"""The store: everything the app knows, on one SQLite file. Never imports Textual.

``Store`` is the one object screens and the CLI talk to; the modules beside it
hold the SQL, one per area of data.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from gatsby_tui.clock import Clock
from gatsby_tui.store import advisers, audit, history, pupils
from gatsby_tui.store.db import OpenError, StoreError, open_database, transaction
from gatsby_tui.store.pupils import Checked, PupilFilter, PupilInvalid, RegisterRow

if TYPE_CHECKING:  # the importer (csv handling) loads only when an import starts
    from gatsby_tui.store import importer
    # Bookings, clinic hours and calendar files load on first use (about 15 ms of imports and
    # dataclass set-up kept off the path to the first screen).
    from gatsby_tui.domain.slots import ClinicPattern, Slot
    from gatsby_tui.store.bookings import (AgendaRow, BookingCheck, BookingRequest, BulkFilter, Candidate,
                                           Proposal)
    from gatsby_tui.store.records import FollowUp

_LAZY = {
    "BookingRequest": "bookings", "BookingCheck": "bookings", "BookingRefused": "bookings",
    "NeedsConfirmation": "bookings", "BulkFilter": "bookings", "Candidate": "bookings", "Proposal": "bookings",
    "AgendaRow": "bookings", "ClinicPattern": "clinics", "Slot": "bookings",
    "FollowUp": "records", "RecordInvalid": "records",
}


def __getattr__(name: str) -> Any:
    """``from gatsby_tui.store import BookingRequest`` works, loading the bookings module then."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"gatsby_tui.store.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["Store", "StoreError", "OpenError", "PupilFilter", "PupilInvalid", "RegisterRow", "Checked",
           "BookingRequest", "BookingCheck", "BookingRefused", "NeedsConfirmation", "BulkFilter", "Candidate",
           "Proposal", "AgendaRow", "ClinicPattern", "Slot", "FollowUp", "RecordInvalid"]


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock | None = None) -> None:
        self.conn = conn
        self.path = path
        self.clock = clock or Clock()
        self.adviser_id: int | None = None

    @classmethod
    def open(cls, path: str | Path, *, clock: Clock | None = None, create: bool = True, **kw: Any) -> "Store":
        path = Path(path).expanduser()
        store = cls(open_database(path, create=create, **kw), path, clock)
        store.current_adviser()  # sets adviser_id from settings, so the audit log records who
        return store

    def close(self) -> None:
        self.conn.close()

    def reopen(self) -> "Store":
        """A second connection to the same file, for a worker thread."""
        other = Store.open(self.path, clock=self.clock, create=False)
        other.adviser_id = self.adviser_id
        return other

    @property
    def today(self) -> date:
        return self.clock.today()

    # ------------------------------------------------------------ settings
    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def set_setting(self, key: str, value: str) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    # ------------------------------------------------------------ pupils
    def validate_pupil(self, raw: Mapping[str, Any]) -> Checked:
        return pupils.validate(raw, today=self.today)

    def register_page(self, f: PupilFilter, after: tuple | None = None, limit: int = 100) -> list[RegisterRow]:
        return pupils.page(self.conn, f, today=self.today, now=self.clock.now().strftime("%Y-%m-%dT%H:%M"),
                           after=after, limit=limit)

    def register_count(self, f: PupilFilter) -> int:
        return pupils.count(self.conn, f, today=self.today)

    def pupil(self, pupil_id: int) -> sqlite3.Row | None:
        return pupils.get(self.conn, pupil_id)

    def pupil_by_upn(self, upn: str) -> sqlite3.Row | None:
        return pupils.by_upn(self.conn, upn)

    def pupil_form_values(self, pupil_id: int) -> dict[str, Any]:
        row = self.pupil(pupil_id)
        if row is None:
            raise StoreError("That pupil is no longer on the register.")
        return pupils.form_values(row, self.today)

    def describe_pupil(self, row: Mapping[str, Any]) -> str:
        return pupils.describe(row, self.today)

    def add_pupil(self, checked: Checked) -> int:
        return pupils.add(self.conn, checked, stamp=self.clock.stamp(), today=self.today,
                          adviser_id=self.adviser_id)

    def update_pupil(self, pupil_id: int, checked: Checked) -> bool:
        return pupils.update(self.conn, pupil_id, checked, stamp=self.clock.stamp(), today=self.today,
                             adviser_id=self.adviser_id)

    def set_pupil_left(self, pupil_id: int, left_on: date | None) -> None:
        pupils.set_left(self.conn, pupil_id, left_on, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def pupil_interviews(self, pupil_id: int, limit: int = 50) -> list[sqlite3.Row]:
        return pupils.interviews_for(self.conn, pupil_id, limit)

    def pupil_audit(self, pupil_id: int, limit: int = 200) -> list[sqlite3.Row]:
        return audit.for_pupil(self.conn, pupil_id, limit)

    def pupil_history(self, pupil_id: int, limit: int = 200, *, kind: str | None = None,
                      search: str | None = None) -> list[history.Event]:
        """Newest first; ``kind`` 'meeting', 'record', 'action' or 'register'; ``search`` text
        within title and detail (case ignored)."""
        return history.for_pupil(self.conn, pupil_id, limit, kind=kind, search=search)

    # ------------------------------------------------------------ import
    def plan_import(self, path: str | Path) -> "importer.ImportPlan":
        """What importing an MIS CSV export would do, row by row; writes nothing."""
        from gatsby_tui.store import importer

        return importer.plan_import(self.conn, path, today=self.today)

    def apply_import(self, plan: "importer.ImportPlan", *, skip_invalid: bool = False,
                     progress: "importer.Progress | None" = None) -> "importer.ImportResult":
        """Write a plan made by ``plan_import`` in one transaction (all or nothing)."""
        from gatsby_tui.store import importer

        return importer.apply_import(self.conn, plan, stamp=self.clock.stamp(), today=self.today,
                                     adviser_id=self.adviser_id, skip_invalid=skip_invalid, progress=progress)

    # ================================================================ issue 3: advisers, clinic hours, bookings
    # Everything below is plain data in, plain data out; screens never write SQL. "now" is
    # self.clock.now(); the adviser using the app (self.adviser_id) is recorded in the audit
    # log and on every interview_events row.

    # ------------------------------------------------------------ who is using the app
    CURRENT_ADVISER_KEY = "current_adviser_id"

    def current_adviser(self) -> sqlite3.Row | None:
        """The adviser using the app (remembered in settings), or None before anyone is chosen.
        Also sets ``self.adviser_id``."""
        row = None
        if self.adviser_id is not None:
            row = advisers.get(self.conn, self.adviser_id)
        if row is None:
            value = self.setting(self.CURRENT_ADVISER_KEY)
            if value and value.isdigit():
                row = advisers.get(self.conn, int(value))
        self.adviser_id = None if row is None else row["id"]
        return row

    def set_current_adviser(self, adviser_id: int) -> None:
        row = advisers.get(self.conn, adviser_id)
        if row is None:
            raise StoreError("That adviser is no longer in the database.")
        if not row["active"]:
            raise StoreError(f"{row['name']} is marked as no longer active: make them active again first.")
        previous = self.setting(self.CURRENT_ADVISER_KEY)
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (self.CURRENT_ADVISER_KEY, str(adviser_id)))
            if previous != str(adviser_id):
                audit.write(self.conn, at=self.clock.stamp(), adviser_id=adviser_id, action="update",
                            table="settings", row_id=None, pupil_id=None,
                            before={self.CURRENT_ADVISER_KEY: previous},
                            after={self.CURRENT_ADVISER_KEY: str(adviser_id)})
        self.adviser_id = adviser_id

    # ------------------------------------------------------------ advisers
    def advisers(self, include_inactive: bool = False) -> list[sqlite3.Row]:
        return advisers.list_all(self.conn, include_inactive=include_inactive)

    def adviser(self, adviser_id: int) -> sqlite3.Row | None:
        return advisers.get(self.conn, adviser_id)

    def find_advisers(self, text: str) -> list[sqlite3.Row]:
        """Advisers whose name contains ``text`` (case ignored); an exact name wins."""
        return advisers.find(self.conn, text)

    def add_adviser(self, raw: Mapping[str, Any]) -> int:
        """Raises advisers.AdviserInvalid (a StoreError with .errors per field)."""
        return advisers.add(self.conn, raw, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def update_adviser(self, adviser_id: int, raw: Mapping[str, Any]) -> bool:
        return advisers.update(self.conn, adviser_id, raw, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    # ------------------------------------------------------------ clinic hours
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

    # ------------------------------------------------------------ bookings
    def check_booking(self, req: BookingRequest, ignore_interview_id: int | None = None) -> BookingCheck:
        from gatsby_tui.store import bookings

        return bookings.check(self.conn, req, now=self.clock.now(), ignore_interview_id=ignore_interview_id)

    def book(self, req: BookingRequest, confirm: bool = False) -> int:
        """Raises BookingRefused (.clashes) or NeedsConfirmation (.warnings, unless confirm)."""
        from gatsby_tui.store import bookings

        return bookings.book(self.conn, req, stamp=self.clock.stamp(), now=self.clock.now(),
                             adviser_id_using=self.adviser_id, confirm=confirm)

    def reschedule(self, interview_id: int, new_start: datetime, *, minutes: int | None = None,
                   confirm: bool = False) -> int:
        from gatsby_tui.store import bookings

        return bookings.reschedule(self.conn, interview_id, new_start, minutes=minutes, stamp=self.clock.stamp(),
                                   now=self.clock.now(), adviser_id_using=self.adviser_id, confirm=confirm)

    def cancel_booking(self, interview_id: int, reason: str) -> None:
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

    def interview(self, interview_id: int) -> dict[str, Any] | None:
        """One booking: the interviews columns plus adviser_name, pupil_name ('Amara Okafor'),
        pupil_display ('Okafor, Amara'), year_group, sen_status, minutes, moves."""
        from gatsby_tui.store import bookings

        return bookings.get(self.conn, interview_id)

    def interview_events(self, interview_id: int) -> list[sqlite3.Row]:
        from gatsby_tui.store import bookings

        return bookings.events(self.conn, interview_id)

    def next_free_slots(self, adviser_id: int, after: datetime | None = None, count: int = 5,
                        minutes: int | None = None) -> list[Slot]:
        from gatsby_tui.store import bookings

        return bookings.next_free_slots(self.conn, adviser_id, after=after or self.clock.now(), count=count,
                                        minutes=minutes)

    def agenda(self, adviser_id: int, first: date, days: int) -> list[AgendaRow]:
        from gatsby_tui.store import bookings

        return bookings.agenda(self.conn, adviser_id, first, days, today=self.today)

    # ------------------------------------------------------------ bulk booking
    def bulk_candidates(self, f: BulkFilter) -> list[Candidate]:
        from gatsby_tui.store import bookings

        return bookings.bulk_candidates(self.conn, f, today=self.today)

    def propose_bulk(self, adviser_id: int, candidates: Sequence[Candidate], start_from: datetime,
                     minutes: int | None = None) -> list[Proposal]:
        """Writes nothing. Slots before now are never proposed."""
        from gatsby_tui.store import bookings

        return bookings.propose(self.conn, adviser_id, candidates, start_from=max(start_from, self.clock.now()),
                                minutes=minutes)

    def commit_bulk(self, proposals: Sequence[Proposal], mode: str = "in_person", place: str | None = None,
                    kind: str = "guidance", reason: str | None = None) -> list[int]:
        """All or nothing: raises BookingRefused naming the first clash, having written nothing."""
        from gatsby_tui.store import bookings

        return bookings.commit_bulk(self.conn, proposals, stamp=self.clock.stamp(), now=self.clock.now(),
                                    adviser_id_using=self.adviser_id, mode=mode, place=place, kind=kind,
                                    reason=reason)

    # ------------------------------------------------------------ calendar file
    def export_ics(self, adviser_id: int, first: date, last: date, path: str | os.PathLike[str],
                   full_names: bool = False) -> int:
        """Write the adviser's meetings from ``first`` to ``last`` (inclusive) as an .ics file,
        owner-only, atomically; returns the number of events written. The export is audited."""
        from gatsby_tui.store import bookings

        from gatsby_tui.exports import files, ics

        if last < first:
            raise StoreError(f"The last day ({last:%d/%m/%Y}) is before the first ({first:%d/%m/%Y}): swap them.")
        if (last - first).days > 400:
            raise StoreError("Export at most 400 days at a time (about a school year): choose a shorter range.")
        adviser_row = advisers.get(self.conn, adviser_id)
        if adviser_row is None:
            raise StoreError("That adviser is no longer in the database.")
        target = Path(path).expanduser()
        if not target.parent.is_dir():
            raise StoreError(f"The folder {target.parent} does not exist: choose another, or create it first.")
        items = bookings.for_export(self.conn, adviser_id, first, last)
        data = ics.calendar_bytes(items, now=self.clock.now(), first=first, last=last, full_names=full_names)
        try:
            files.write_atomic(target, data)
        except IsADirectoryError:
            raise StoreError(f"{target} is a folder: give a file name ending in .ics.") from None
        except OSError as e:
            raise StoreError(f"Cannot write {target} ({e.strerror or e}): choose another folder.") from None
        with transaction(self.conn):
            audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="export",
                        table="interviews", row_id=None, pupil_id=None,
                        after={"what": "calendar", "adviser_id": adviser_id, "from": first.isoformat(),
                               "to": last.isoformat(), "events": len(items), "full_names": bool(full_names),
                               "file": str(target)})
        return len(items)

    # ================================================================ issue 4: meeting records, actions, history
    # The records module loads on first use, like bookings. Writes are audited with
    # self.adviser_id (drafts and snippets excepted); "now" is self.clock.

    def start_record(self, *, interview_id: int | None = None, pupil_id: int | None = None,
                     held_at: datetime | None = None, adviser_id: int | None = None, mode: str = "in_person") -> int:
        """A draft record for a booked or held interview (its existing record if it has one), or
        for an unplanned conversation with ``pupil_id`` at ``held_at`` (default now). The
        record's adviser is ``adviser_id``, default the adviser using the app."""
        from gatsby_tui.store import records

        who = adviser_id if adviser_id is not None else self.adviser_id
        if who is None:
            raise StoreError("Choose the adviser using the app before starting a record.")
        if interview_id is None and held_at is None:
            held_at = self.clock.now()
        return records.start_record(self.conn, interview_id=interview_id, pupil_id=pupil_id, adviser_id=who,
                                    held_at=held_at, stamp=self.clock.stamp(), mode=mode)

    def record(self, record_id: int) -> dict[str, Any] | None:
        """All fields plus names, year_group, destination_label, actions, amendments, effective."""
        from gatsby_tui.store import records

        return records.get_record(self.conn, record_id)

    def pupil_records(self, pupil_id: int, limit: int = 100) -> list[sqlite3.Row]:
        from gatsby_tui.store import records

        return records.records_for_pupil(self.conn, pupil_id, limit)

    def save_record(self, record_id: int, values: Mapping[str, Any]) -> list[str]:
        """Draft only; returns the fields that changed. Raises RecordInvalid (.errors per field)."""
        from gatsby_tui.store import records

        return records.save_record(self.conn, record_id, values, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def sign_off_record(self, record_id: int) -> None:
        from gatsby_tui.store import records

        records.sign_off(self.conn, record_id, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def amend_record(self, record_id: int, field: str, new_text: Any, reason: str) -> int:
        from gatsby_tui.store import records

        return records.amend(self.conn, record_id, field, new_text, reason, stamp=self.clock.stamp(),
                             adviser_id=self.adviser_id)

    # ------------------------------------------------------------ drafts (saved as the adviser types)
    def save_draft(self, key: str, payload: Mapping[str, Any]) -> None:
        from gatsby_tui.store import records

        records.save_draft(self.conn, key, payload, stamp=self.clock.stamp())

    def load_draft(self, key: str) -> dict[str, Any] | None:
        from gatsby_tui.store import records

        return records.load_draft(self.conn, key)

    def discard_draft(self, key: str) -> None:
        from gatsby_tui.store import records

        records.discard_draft(self.conn, key)

    # ------------------------------------------------------------ actions
    def add_action(self, *, pupil_id: int, description: str, owner: str, due: str | date | None = None,
                   record_id: int | None = None, adviser_id: int | None = None) -> int:
        """``adviser_id``: who follows it up (default the adviser using the app)."""
        from gatsby_tui.store import records

        return records.add_action(self.conn, pupil_id=pupil_id, record_id=record_id, description=description,
                                  owner=owner, due=due,
                                  adviser_id=adviser_id if adviser_id is not None else self.adviser_id,
                                  stamp=self.clock.stamp())

    def set_action_status(self, action_id: int, status: str, note: str | None = None) -> None:
        from gatsby_tui.store import records

        records.set_action_status(self.conn, action_id, status, note=note, stamp=self.clock.stamp(),
                                  adviser_id=self.adviser_id)

    def reassign_action(self, action_id: int, owner: str, note: str | None = None) -> None:
        from gatsby_tui.store import records

        records.reassign_action(self.conn, action_id, owner, note=note, stamp=self.clock.stamp(),
                                adviser_id=self.adviser_id)

    def action_events(self, action_id: int) -> list[sqlite3.Row]:
        from gatsby_tui.store import records

        return records.action_events(self.conn, action_id)

    def pupil_actions(self, pupil_id: int, open_only: bool = False) -> list[sqlite3.Row]:
        from gatsby_tui.store import records

        return records.actions_for_pupil(self.conn, pupil_id, open_only=open_only)

    def follow_ups(self, *, owner: str | None = None, due_before: str | date | None = None,
                   adviser_id: int | None = None, limit: int = 200,
                   after: tuple[str | None, int] | None = None) -> list[FollowUp]:
        """Open actions across pupils, overdue first, undated last; ``after``: last row's .key."""
        from gatsby_tui.store import records

        return records.follow_ups(self.conn, today=self.today, owner=owner, due_before=due_before,
                                  adviser_id=adviser_id, limit=limit, after=after)

    # ------------------------------------------------------------ snippets
    def snippets(self, adviser_id: int | None = None) -> list[sqlite3.Row]:
        from gatsby_tui.store import records

        return records.snippets(self.conn, adviser_id if adviser_id is not None else self.adviser_id)

    def add_snippet(self, title: str, body: str, adviser_id: int | None = None) -> int:
        from gatsby_tui.store import records

        return records.add_snippet(self.conn, adviser_id if adviser_id is not None else self.adviser_id, title, body)

    def delete_snippet(self, snippet_id: int) -> None:
        from gatsby_tui.store import records

        records.delete_snippet(self.conn, snippet_id)

    # ------------------------------------------------------------ NCCIS codes, audit, summary
    def nccis_codes(self) -> list[sqlite3.Row]:
        """Every code with its label and category, by code (for a picker)."""
        from gatsby_tui.store import records

        return records.nccis_codes(self.conn)

    def find_nccis(self, text: str) -> list[sqlite3.Row]:
        """Codes by number prefix or part of the label; an exact code or label alone."""
        from gatsby_tui.store import records

        return records.find_nccis(self.conn, text)

    def audit_for_adviser(self, adviser_id: int, limit: int = 200) -> list[sqlite3.Row]:
        return audit.for_adviser(self.conn, adviser_id, limit)

    def pupil_summary(self, pupil_id: int) -> dict[str, Any]:
        return history.summary(self.conn, pupil_id, today=self.today,
                               now=self.clock.now().strftime("%Y-%m-%dT%H:%M"))

    def history_target(self, ref: str) -> str:
        """'amendment:3' -> 'record:5' etc.: what to open for a history item."""
        return history.target(self.conn, ref)
