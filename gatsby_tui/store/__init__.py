"""The store: everything the app knows, on one SQLite file. Never imports Textual.

``Store`` is the one object screens and the CLI talk to; the modules beside it
hold the SQL, one per area of data.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from gatsby_tui.clock import Clock
from gatsby_tui.clock import default as default_clock
from gatsby_tui.store import advisers, audit, edits, history, pupils
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


def check_folder(target: Path) -> None:
    """StoreError unless the folder ``target`` is to be written in exists."""
    if not target.parent.is_dir():
        raise StoreError(f"The folder {target.parent} does not exist: choose another, or create it first.")


def write_file(target: Path, data: bytes, ending: str) -> Path:
    """Write an export atomically and owner-only (exports.files.write_atomic); any failure is a
    StoreError in words. ``ending`` ('.pdf', '.csv' ...) is named when ``target`` is a folder."""
    from gatsby_tui.exports import files

    check_folder(target)
    try:
        return files.write_atomic(target, data)
    except IsADirectoryError:
        raise StoreError(f"{target} is a folder: give a file name ending in {ending}.") from None
    except OSError as e:
        raise StoreError(f"Cannot write {target} ({e.strerror or e}): choose another folder.") from None


def write_new_file(target: Path, data: bytes, ending: str) -> Path:
    """Write a pupil's export owner-only without ever replacing a file already there: the name
    gets " (2)", " (3)" ... if taken (exports.files.write_new). Returns the file written; any
    failure is a StoreError in words."""
    from gatsby_tui.exports import files

    check_folder(target)
    try:
        return files.write_new(target, data)
    except IsADirectoryError:
        raise StoreError(f"{target} is a folder: give a file name ending in {ending}.") from None
    except FileExistsError:
        raise StoreError(f"Too many files named like {target.name} are in {target.parent}: "
                         "choose another folder.") from None
    except OSError as e:
        raise StoreError(f"Cannot write {target} ({e.strerror or e}): choose another folder.") from None


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock | None = None) -> None:
        self.conn = conn
        self.path = path
        self.clock = clock or default_clock()
        self.adviser_id: int | None = None
        self._readers: list[sqlite3.Connection] | None = None
        self._readers_lock = threading.Lock()    # one coverage computation at a time; close waits for it
        self._cohort_cache: tuple[tuple, Any] | None = None
        self._closed = False
        self.is_read_only = False

    @classmethod
    def open(cls, path: str | Path, *, clock: Clock | None = None, create: bool = True, **kw: Any) -> "Store":
        path = Path(path).expanduser()
        store = cls(open_database(path, create=create, **kw), path, clock)
        store.current_adviser()  # sets adviser_id from settings, so the audit log records who
        return store

    def close(self) -> None:
        with self._readers_lock:     # a coverage worker still running finishes first
            for reader in self._readers or ():   # coverage's read-only connections
                reader.close()
            self._readers = None
            self._closed = True
        self.conn.close()

    # ------------------------------------------------------------ backups and health
    def backup_folder(self) -> Path:
        from gatsby_tui.store import backup

        return backup.folder_for(self.path, self.setting("backup_folder"))

    def take_backup(self, reason: str = "by-hand", *, folder: Path | None = None) -> Path:
        """A verified backup now (store/backup.py); StoreError in words if it cannot be taken
        or the copy fails its check (then the database itself is probably damaged)."""
        from gatsby_tui.store import backup

        return backup.take(self.conn, self.path, reason, folder=folder)

    def take_backup_in_thread(self, reason: str) -> Path:
        """The same, on a connection of its own, for a worker thread (the UI keeps its own)."""
        from gatsby_tui.store import backup
        from gatsby_tui.store.db import connect

        conn = connect(self.path)
        try:
            conn.execute("PRAGMA busy_timeout = 5000")
            return backup.take(conn, self.path, reason, folder=self.backup_folder())
        finally:
            conn.close()

    def backups(self) -> list[Any]:
        from gatsby_tui.store import backup

        return backup.backups(self.path, self.backup_folder())

    def newest_good_backup(self) -> Any:
        from gatsby_tui.store import backup

        return backup.newest_good(self.path, self.backup_folder())

    def restore_backup(self, source: str | os.PathLike[str]) -> Path | None:
        """Replace the database's content with the backup ``source`` (what it replaces is backed
        up first); the store keeps working on the restored data."""
        from gatsby_tui.store import backup

        result = backup.restore(Path(source).expanduser(), self.conn, self.path, folder=self.backup_folder())
        self.read_only(False)
        self.forget_cohort()
        return result

    def read_only(self, on: bool = True) -> None:
        """Refuse every write (a damaged file is opened this way until a backup is restored)."""
        self.conn.execute(f"PRAGMA query_only = {1 if on else 0}")
        self.is_read_only = on

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
        return self.pupil_for_form(pupil_id)[1]

    def pupil_for_form(self, pupil_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the row as it is now, to give back to ``update_pupil`` as ``original``; the form's values)."""
        row = self.pupil(pupil_id)
        if row is None:
            raise StoreError("That pupil is no longer on the register.")
        return dict(row), pupils.form_values(row, self.today)

    def describe_pupil(self, row: Mapping[str, Any]) -> str:
        return pupils.describe(row, self.today)

    def add_pupil(self, checked: Checked) -> int:
        return pupils.add(self.conn, checked, stamp=self.clock.stamp(), today=self.today,
                          adviser_id=self.adviser_id)

    def update_pupil(self, pupil_id: int, checked: Checked, *, original: Mapping[str, Any] | None = None) -> bool:
        """``original``: the row as the form read it when it opened (``pupil_for_form``); then only
        what was changed at the form is written, refused if someone else changed it meanwhile."""
        return pupils.update(self.conn, pupil_id, checked, stamp=self.clock.stamp(), today=self.today,
                             adviser_id=self.adviser_id, original=original)

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
        """Write a plan made by ``plan_import`` in one transaction (all or nothing), after a
        verified backup."""
        from gatsby_tui.store import importer

        if plan.added or plan.updated:
            self.take_backup("before-import")

        return importer.apply_import(self.conn, plan, stamp=self.clock.stamp(), today=self.today,
                                     adviser_id=self.adviser_id, skip_invalid=skip_invalid, progress=progress)

    # ================================================================ advisers, clinic hours, bookings
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

    def update_adviser(self, adviser_id: int, raw: Mapping[str, Any], *,
                       original: Mapping[str, Any] | None = None) -> bool:
        """``original``: the adviser's row as the form opened it (only what was changed there is written)."""
        return advisers.update(self.conn, adviser_id, raw, stamp=self.clock.stamp(), adviser_id=self.adviser_id,
                               original=original)

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
                   confirm: bool = False, original: Mapping[str, Any] | None = None) -> int:
        """``original``: the meeting as the form opened it; refused if someone else moved it meanwhile."""
        from gatsby_tui.store import bookings

        return bookings.reschedule(self.conn, interview_id, new_start, minutes=minutes, stamp=self.clock.stamp(),
                                   now=self.clock.now(), adviser_id_using=self.adviser_id, confirm=confirm,
                                   original=original)

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

        return bookings.agenda(self.conn, adviser_id, first, days, today=self.today, now=self.clock.now())

    # ------------------------------------------------------------ bulk booking
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

    def booking_notice_hours(self) -> int:
        """The notice bulk booking gives: a meeting is never booked in bulk to start sooner than
        this many hours from now (the setting ``booking_notice_hours``; 24 unless set)."""
        from gatsby_tui.store import bookings

        try:
            hours = int(self.setting(bookings.NOTICE_SETTING) or bookings.DEFAULT_NOTICE_HOURS)
        except ValueError:
            return bookings.DEFAULT_NOTICE_HOURS
        return min(max(hours, 0), bookings.MAX_NOTICE_HOURS)

    def set_booking_notice_hours(self, text: str) -> int:
        """Set the notice bulk booking gives, in hours, from what was typed; StoreError in words."""
        from gatsby_tui.store import bookings

        value = text.strip().lower().removesuffix("hours").removesuffix("h").strip()
        if not value.isdigit() or int(value) > bookings.MAX_NOTICE_HOURS:
            raise StoreError(f"The notice must be a whole number of hours from 0 to {bookings.MAX_NOTICE_HOURS} "
                             "(two weeks): for example 24.")
        hours = int(value)
        if hours != self.booking_notice_hours():
            before = self.booking_notice_hours()
            with transaction(self.conn):
                self.conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (bookings.NOTICE_SETTING, str(hours)))
                audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="update",
                            table="settings", row_id=None, pupil_id=None,
                            before={bookings.NOTICE_SETTING: before}, after={bookings.NOTICE_SETTING: hours})
        return hours

    def bulk_earliest(self) -> datetime:
        """The first moment bulk booking may use: now plus the notice period."""
        return self.clock.now() + timedelta(hours=self.booking_notice_hours())

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

    # ------------------------------------------------------------ calendar file
    def export_ics(self, adviser_id: int, first: date, last: date, path: str | os.PathLike[str],
                   full_names: bool = False) -> int:
        """Write the adviser's meetings from ``first`` to ``last`` (inclusive) as an .ics file,
        owner-only, atomically; returns the number of events written. The export is audited."""
        from gatsby_tui.store import bookings

        from gatsby_tui.exports import ics

        if last < first:
            raise StoreError(f"The last day ({last:%d/%m/%Y}) is before the first ({first:%d/%m/%Y}): swap them.")
        if (last - first).days > 400:
            raise StoreError("Export at most 400 days at a time (about a school year): choose a shorter range.")
        adviser_row = advisers.get(self.conn, adviser_id)
        if adviser_row is None:
            raise StoreError("That adviser is no longer in the database.")
        target = Path(path).expanduser()
        check_folder(target)
        items = bookings.for_export(self.conn, adviser_id, first, last)
        data = ics.calendar_bytes(items, now=self.clock.now(), first=first, last=last, full_names=full_names)
        write_file(target, data, ".ics")
        with transaction(self.conn):
            audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="export",
                        table="interviews", row_id=None, pupil_id=None,
                        after={"what": "calendar", "adviser_id": adviser_id, "from": first.isoformat(),
                               "to": last.isoformat(), "events": len(items), "full_names": bool(full_names),
                               "file": str(target)})
        return len(items)

    # ------------------------------------------------------------ any list on screen as CSV
    CSV_PAGE = 500       # rows read from SQL at a time (and between progress reports)

    def list_labels(self, which: str, filters: Mapping[str, Any], count: int | None = None) -> Any:
        """csv_lists.Labels for a list's CSV: what it holds, in words ('Year 11 on roll: 243 pupils'),
        and its default file name ('register - Year 11 - 2026-11-23.csv'; never a UPN). ``which`` and
        ``filters`` as for ``export_list``."""
        from gatsby_tui.exports import csv_lists

        filters = self._list_filters(which, filters)
        adviser_name = breakdown_words = None
        if which == "follow_ups" and filters.get("adviser_id") is not None:
            row = advisers.get(self.conn, filters["adviser_id"])
            adviser_name = row["name"] if row is not None else None
        if which == "gaps" and filters.get("breakdown"):
            from gatsby_tui.store import coverage

            breakdown_words = dict(coverage.BREAKDOWNS[filters["breakdown"]][1]).get(filters.get("value"))
        return csv_lists.labels(which, filters, today=self.today, count=count, adviser_name=adviser_name,
                                breakdown_words=breakdown_words)

    def _list_filters(self, which: str, filters: Mapping[str, Any] | PupilFilter) -> dict[str, Any]:
        """The filters for ``which`` as a plain dict, checked; StoreError in words when they cannot be used."""
        from dataclasses import asdict

        from gatsby_tui.domain import benchmarks as rules
        from gatsby_tui.exports import csv_lists

        if which not in csv_lists.LISTS:
            raise StoreError(f"There is no list called '{which}': choose one of {', '.join(csv_lists.LISTS)}.")
        values = asdict(filters) if isinstance(filters, PupilFilter) else dict(filters)
        if which == "gaps" and values.get("key") not in rules.RULE_KEYS:
            raise StoreError(f"'{values.get('key')}' is not a benchmark: give 1 to 8, or pal (provider access).")
        if which == "leavers":
            if values.get("cohort") is None:
                values["cohort"] = self.default_cohort()
            if (values.get("view") or "all") not in csv_lists.LEAVER_VIEWS:
                raise StoreError(f"There is no leavers' view called '{values['view']}': choose one of "
                                 f"{', '.join(csv_lists.LEAVER_VIEWS)}.")
        return values

    def export_list(self, which: str, filters: Mapping[str, Any] | PupilFilter, path: str | os.PathLike[str],
                    progress: Any = None) -> int:
        """Write a list exactly as its screen shows it (the same filters and order; every row, not only
        those loaded) as a CSV file: exports/csv_lists.py makes the cells (each guarded against spreadsheet
        formulas; UTF-8 with a BOM; dates DD/MM/YYYY). Written atomically and owner-only, with its audit
        entry in the same transaction (no entry if the file could not be written). Returns the rows written.

        ``which`` and its ``filters``:
          'register'    PupilFilter's fields (search, year, sen, flag, roll, sort), or a PupilFilter
          'follow_ups'  owner, due_before, adviser_id (None: every adviser's), as ``follow_ups``
          'gaps'        key (1-8 or 'pal'), year, breakdown, value, include_not_due, as ``benchmark_gaps``
          'leavers'     cohort (default: the current one), view ('all', 'unknown', 'neet', 'checks_due')
        Rows are read ``CSV_PAGE`` at a time by keyset paging; ``progress(done, total)`` is called after
        each page, on the calling thread (a worker may use its own ``reopen()``-ed store)."""
        from gatsby_tui.exports import csv_lists

        values = self._list_filters(which, filters)
        target = Path(path).expanduser()
        check_folder(target)
        if target.is_dir():
            raise StoreError(f"{target} is a folder: give a file name ending in .csv.")
        page = self.CSV_PAGE

        def report(done: int, total: int) -> None:
            if progress is not None:
                progress(done, total)

        if which == "register":
            f = PupilFilter(**{k: values[k] for k in PupilFilter.__dataclass_fields__ if k in values})
            book = csv_lists.CsvText(csv_lists.REGISTER_COLUMNS)
            total = self.register_count(f)
            after = None
            while True:
                rows = self.register_page(f, after=after, limit=page)
                for row in rows:
                    book.add(csv_lists.register_row(row))
                report(book.rows, total)
                if len(rows) < page:
                    break
                after = rows[-1].key(f.sort)
            table = "pupils"
        elif which == "follow_ups":
            kw = {"owner": values.get("owner"), "due_before": values.get("due_before"),
                  "adviser_id": values.get("adviser_id")}
            names = {r["id"]: r["name"] for r in self.advisers(include_inactive=True)}
            book = csv_lists.CsvText(csv_lists.FOLLOW_UP_COLUMNS)
            total = self.follow_ups_count(**kw)[0]
            key = None
            while True:
                items = self.follow_ups(**kw, limit=page, after=key)
                for fu in items:
                    book.add(csv_lists.follow_up_row(fu, names))
                report(book.rows, total)
                if len(items) < page:
                    break
                key = items[-1].key
            table = "actions"
        elif which == "gaps":
            from gatsby_tui.domain import benchmarks as rules

            label = rules.label_of(values["key"])
            book = csv_lists.CsvText(csv_lists.GAP_COLUMNS)
            report(0, 1)
            found, total = self.benchmark_gaps(values["key"], year=values.get("year"),
                                               breakdown=values.get("breakdown"), value=values.get("value"),
                                               include_not_due=bool(values.get("include_not_due")),
                                               limit=1_000_000)
            for start in range(0, len(found), page):
                chunk = found[start:start + page]
                ids = [g.pupil_id for g in chunk]
                upns = dict(self.conn.execute(
                    f"SELECT id, upn FROM pupils WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall())
                for g in chunk:
                    book.add(csv_lists.gap_row(g, upns.get(g.pupil_id, ""), label))
                report(book.rows, total)
            table = "pupils"
        else:  # leavers
            cohort, view = int(values["cohort"]), values.get("view") or "all"
            book = csv_lists.CsvText(csv_lists.LEAVER_COLUMNS)
            total = self.leavers_count(cohort, view)
            today = self.today
            for r in self.all_leavers(cohort, view):
                book.add(csv_lists.leaver_row(r, today))
                if book.rows % page == 0:
                    report(book.rows, total)
            report(book.rows, total)
            table = "destinations"
        with transaction(self.conn):
            audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="export",
                        table=table, row_id=None, pupil_id=None,
                        after={"what": "CSV list", "list": which, "filters": values, "rows": book.rows,
                               "file": str(target)})
            write_file(target, book.data(), ".csv")
        return book.rows

    # ================================================================ meeting records, actions, history
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

    def discard_if_untouched(self, record_id: int) -> bool:
        """Delete a draft record with nothing written in it (opened by mistake); True if deleted."""
        from gatsby_tui.store import records

        return records.discard_if_untouched(self.conn, record_id, stamp=self.clock.stamp(),
                                            adviser_id=self.adviser_id)

    # ------------------------------------------------------------ actions
    def add_action(self, *, pupil_id: int, description: str, owner: str, due: str | date | None = None,
                   record_id: int | None = None, adviser_id: int | None = None) -> int:
        """``adviser_id``: who follows it up (default the adviser using the app)."""
        from gatsby_tui.store import records

        return records.add_action(self.conn, pupil_id=pupil_id, record_id=record_id, description=description,
                                  owner=owner, due=due,
                                  adviser_id=adviser_id if adviser_id is not None else self.adviser_id,
                                  stamp=self.clock.stamp())

    def set_action_status(self, action_id: int, status: str, note: str | None = None, *,
                          original: Mapping[str, Any] | None = None) -> None:
        """``original``: the action (status, owner) as shown when the change was chosen; refused
        if someone else changed its status meanwhile."""
        from gatsby_tui.store import records

        records.set_action_status(self.conn, action_id, status, note=note, stamp=self.clock.stamp(),
                                  adviser_id=self.adviser_id, original=original)

    def reassign_action(self, action_id: int, owner: str, note: str | None = None, *,
                        original: Mapping[str, Any] | None = None) -> None:
        """``original``: as for set_action_status; refused if someone else reassigned it meanwhile."""
        from gatsby_tui.store import records

        records.reassign_action(self.conn, action_id, owner, note=note, stamp=self.clock.stamp(),
                                adviser_id=self.adviser_id, original=original)

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

    # ================================================================ history screen, follow-ups, audit views
    # Read-only helpers for the screens (the writes they use are above).

    def follow_ups_count(self, *, owner: str | None = None, due_before: str | date | None = None,
                         adviser_id: int | None = None) -> tuple[int, int]:
        """(open actions, of which overdue) for the same filters as ``follow_ups``."""
        from gatsby_tui.store import records

        return records.follow_ups_count(self.conn, today=self.today, owner=owner, due_before=due_before,
                                        adviser_id=adviser_id)

    def action_detail(self, action_id: int) -> dict[str, Any] | None:
        """The action with pupil_name, intake_year, adviser_name, record_held_at and ``events``
        (every status or owner change, oldest first), or None."""
        from gatsby_tui.store import records

        return records.action_detail(self.conn, action_id)

    def audit_entries(self, *, pupil_id: int | None = None, adviser_id: int | None = None, limit: int = 200,
                      after: tuple[str, int] | None = None) -> list[sqlite3.Row]:
        """A pupil's or an adviser's audit entries, newest first, keyset-paged on (at, id)."""
        return audit.entries(self.conn, pupil_id=pupil_id, adviser_id=adviser_id, limit=limit, after=after)

    def audit_count(self, *, pupil_id: int | None = None, adviser_id: int | None = None) -> int:
        return audit.count(self.conn, pupil_id=pupil_id, adviser_id=adviser_id)

    def audit_entry(self, entry_id: int) -> sqlite3.Row | None:
        return audit.get(self.conn, entry_id)

    # ================================================================ the meeting-record screen
    # Read-only helpers for screens/record.py and screens/meeting.py (the writes are in the block above).

    def record_for_interview(self, interview_id: int) -> sqlite3.Row | None:
        """A meeting's record, if started: id, status, signed_off_at, signed_off_by_name, has_draft."""
        from gatsby_tui.store import records

        return records.record_for_interview(self.conn, interview_id)

    def draft_saved_at(self, key: str) -> str | None:
        """When the draft under ``key`` was last written ('2026-11-22T10:42:05'), or None."""
        from gatsby_tui.store import records

        return records.draft_saved_at(self.conn, key)

    def parse_destination(self, text: str) -> str | None:
        """The NCCIS code typed as its number or part of its name; None for blank. Raises
        StoreError naming the near matches when it is not exactly one code."""
        from gatsby_tui.store import records

        return records.parse_destination(self.conn, text)

    def sign_off_problem(self, record_id: int) -> str | None:
        """Why the adviser using the app cannot sign the record off now (the sentence
        ``sign_off_record`` would refuse with), or None. Writes nothing."""
        from gatsby_tui.store import records

        return records.sign_off_problem(self.conn, record_id, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    # ================================================================ plans and destinations
    # Individual plans for pupils with SEND (store/plans.py) and destinations tracked for three
    # years (store/destinations.py); the rules are in domain/send.py. Both modules load on first
    # use. Writes are one transaction each, audited with self.adviser_id; "today" is self.clock.

    def plan(self, pupil_id: int, version: int | None = None) -> dict[str, Any] | None:
        """The pupil's plan with version ``version`` shown (default the current one), or None.
        Keys: the plans columns, pupil, versions, current_version, shown, reviews, due, ..."""
        from gatsby_tui.store import plans

        return plans.get_plan(self.conn, pupil_id, version, today=self.today)

    def create_plan(self, pupil_id: int, values: Mapping[str, Any]) -> int:
        """Version 1 from aspirations, strengths, needs, support and the plan's dates (UK dates).
        Raises plans.PlanInvalid (.errors per field) or StoreError."""
        from gatsby_tui.store import plans

        return plans.create_plan(self.conn, pupil_id, values, stamp=self.clock.stamp(), adviser_id=self.adviser_id,
                                 today=self.today)

    def update_plan(self, plan_id: int, values: Mapping[str, Any], *,
                    original: Mapping[str, Any] | None = None) -> list[str]:
        """Edit the current version's text and the plan's dates in place; returns the fields changed.
        ``original``: the plan (``plan()``) as the form opened it: only what was changed there is
        written, refused if someone else changed it meanwhile."""
        from gatsby_tui.store import plans

        return plans.update_plan(self.conn, plan_id, values, stamp=self.clock.stamp(), adviser_id=self.adviser_id,
                                 original=original, today=self.today)

    def add_plan_target(self, plan_id: int, values: Mapping[str, Any]) -> int:
        """values: area, outcome, what, by_when, who_helps, status, evidence (on the current version)."""
        from gatsby_tui.store import plans

        return plans.add_target(self.conn, plan_id, values, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def update_plan_target(self, target_id: int, values: Mapping[str, Any], *,
                           original: Mapping[str, Any] | None = None) -> list[str]:
        """Refused for a target of an earlier (closed) version."""
        from gatsby_tui.store import plans

        return plans.update_target(self.conn, target_id, values, stamp=self.clock.stamp(),
                                   adviser_id=self.adviser_id,
                                   original=original)

    def hold_plan_review(self, plan_id: int, values: Mapping[str, Any]) -> tuple[int, int]:
        """Record a review held; it makes the next version. Returns (review id, version id)."""
        from gatsby_tui.store import plans

        return plans.hold_review(self.conn, plan_id, values, stamp=self.clock.stamp(), today=self.today,
                                 adviser_id=self.adviser_id)

    def compare_plan_versions(self, plan_id: int, old: int, new: int | None = None) -> list[Any]:
        """domain.send.Change rows from version ``old`` to ``new`` (default the current one)."""
        from gatsby_tui.store import plans

        return plans.compare(self.conn, plan_id, old, new)

    def reviews_due(self, after: tuple[str, str, int] | None = None, limit: int = 200) -> list[Any]:
        """plans.DueRow pages, most urgent first; ``after``: the last row's .key."""
        from gatsby_tui.store import plans

        return plans.reviews_due(self.conn, today=self.today, after=after, limit=limit)

    def reviews_due_count(self) -> int:
        from gatsby_tui.store import plans

        return plans.reviews_due_count(self.conn, today=self.today)

    # ------------------------------------------------------------ destinations
    def destinations(self, pupil_id: int) -> dict[str, Any]:
        """pupil, intended, actual, checks, schedule (the 1-, 2-, 3-year checks), refusal."""
        from gatsby_tui.store import destinations

        return destinations.for_pupil(self.conn, pupil_id, today=self.today)

    def record_intended_destination(self, pupil_id: int, values: Mapping[str, Any]) -> int:
        """values: code (number or part of the name), provider, course_or_role, offer_status,
        offer_provider, at_year, recorded_on. Raises destinations.DestinationInvalid or StoreError."""
        from gatsby_tui.store import destinations

        return destinations.record_intended(self.conn, pupil_id, values, stamp=self.clock.stamp(), today=self.today,
                                            adviser_id=self.adviser_id)

    def record_actual_destination(self, pupil_id: int, values: Mapping[str, Any]) -> int:
        """values: code, provider, course_or_role, start_date, checked_on, method, note. A leaver
        without consent is refused (destinations.NoConsent)."""
        from gatsby_tui.store import destinations

        return destinations.record_actual(self.conn, pupil_id, values, stamp=self.clock.stamp(), today=self.today,
                                          adviser_id=self.adviser_id)

    def record_destination_check(self, pupil_id: int, values: Mapping[str, Any]) -> int:
        """values: checked_on, method, code (optional), provider, note."""
        from gatsby_tui.store import destinations

        return destinations.record_check(self.conn, pupil_id, values, stamp=self.clock.stamp(), today=self.today,
                                         adviser_id=self.adviser_id)

    def set_destination_offer(self, destination_id: int, values: Mapping[str, Any], *,
                              original: Mapping[str, Any] | None = None) -> None:
        """values: offer_status (offered / accepted / none), offer_provider. ``original``: the
        destination as the form opened it (only what was changed there is written)."""
        from gatsby_tui.store import destinations

        destinations.set_offer(self.conn, destination_id, values, stamp=self.clock.stamp(),
                               adviser_id=self.adviser_id, original=original)

    def set_destination_consent(self, pupil_id: int, consent: bool) -> bool:
        from gatsby_tui.store import destinations

        return destinations.set_consent(self.conn, pupil_id, consent, stamp=self.clock.stamp(),
                                        adviser_id=self.adviser_id)

    def leaving_cohorts(self) -> list[int]:
        from gatsby_tui.store import destinations

        return destinations.cohorts(self.conn)

    def default_cohort(self) -> int:
        from gatsby_tui.store import destinations

        return destinations.default_cohort(self.conn, self.today)

    def leavers_page(self, cohort: int, view: str = "all", after: tuple[str, int] | None = None,
                     limit: int = 200) -> list[Any]:
        """destinations.LeaverRow pages by name; view 'all', 'unknown', 'neet' or 'checks_due'."""
        from gatsby_tui.store import destinations

        return destinations.leavers_page(self.conn, cohort, today=self.today, view=view, after=after, limit=limit)

    def leavers_count(self, cohort: int, view: str = "all") -> int:
        from gatsby_tui.store import destinations

        return destinations.leavers_count(self.conn, cohort, today=self.today, view=view)

    def all_leavers(self, cohort: int, view: str = "all") -> Any:
        """Every leaver of the cohort, a page at a time (an iterator)."""
        from gatsby_tui.store import destinations

        return destinations.all_leavers(self.conn, cohort, today=self.today, view=view)

    def cohort_summary(self, cohort: int) -> Any:
        """destinations.CohortSummary: total, counts per bucket (education ... not known), percent()."""
        from gatsby_tui.store import destinations

        return destinations.cohort_summary(self.conn, cohort, today=self.today)

    # ================================================================ activities, coverage, programme
    # Careers activities and who took part, each pupil's benchmark states (rules in
    # domain/benchmarks.py), the cohort view's counts, and the careers programme (Benchmark 1).
    # Writes are audited with self.adviser_id; "today" is self.clock.

    # ------------------------------------------------------------ activities
    def check_activity(self, raw: Mapping[str, Any]) -> Any:
        """activities.CheckedActivity (.values, .benchmarks, .warnings); raises ActivityInvalid (.errors)."""
        from gatsby_tui.store import activities

        return activities.check(raw, today=self.today)

    def add_activity(self, raw: Mapping[str, Any]) -> int:
        from gatsby_tui.store import activities

        checked = activities.check(raw, today=self.today)
        return activities.add(self.conn, checked, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def update_activity(self, activity_id: int, raw: Mapping[str, Any]) -> bool:
        from gatsby_tui.store import activities

        checked = activities.check(raw, today=self.today)
        return activities.update(self.conn, activity_id, checked, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def delete_activity(self, activity_id: int) -> int:
        """Deletes the activity and its attendance; returns how many pupils it had."""
        from gatsby_tui.store import activities

        return activities.delete(self.conn, activity_id, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def activity(self, activity_id: int) -> dict[str, Any] | None:
        """The activity's columns plus benchmarks (tuple), kind_label, pupils (count), programme_item."""
        from gatsby_tui.store import activities

        return activities.get(self.conn, activity_id)

    def activity_form_values(self, activity_id: int) -> dict[str, Any]:
        from gatsby_tui.store import activities

        row = activities.get(self.conn, activity_id)
        if row is None:
            raise StoreError("That activity is no longer in the database.")
        return activities.form_values(row)

    def activities_page(self, *, search: str | None = None, kind: str | None = None, benchmark: int | None = None,
                        school_year: int | None = None, after: tuple[str, int] | None = None,
                        limit: int = 100) -> list[Any]:
        """activities.ActivityRow pages, newest first; ``after``: the last row's .key."""
        from gatsby_tui.store import activities

        return activities.page(self.conn, search=search, kind=kind, benchmark=benchmark, school_year=school_year,
                               after=after, limit=limit)

    def activities_count(self, *, search: str | None = None, kind: str | None = None, benchmark: int | None = None,
                         school_year: int | None = None) -> int:
        from gatsby_tui.store import activities

        return activities.count(self.conn, search=search, kind=kind, benchmark=benchmark, school_year=school_year)

    def activity_attendees(self, activity_id: int, *, after: tuple[str, int] | None = None,
                           limit: int = 200) -> list[Any]:
        """activities.Attendee pages by name; ``after``: (sort_name, pupil_id) of the last row."""
        from gatsby_tui.store import activities

        return activities.attendees(self.conn, activity_id, after=after, limit=limit)

    def activity_group(self, activity_id: int, group: Any) -> list[Any]:
        """Who an activities.Group (year / form / ids) means for this activity: on roll that day."""
        from gatsby_tui.store import activities

        return activities.group_members(self.conn, activity_id, group)

    def attach_pupils(self, activity_id: int, pupil_ids: Sequence[int]) -> int:
        """One transaction; returns how many were newly attached. Refuses pupils not on roll that day."""
        from gatsby_tui.store import activities

        return activities.attach(self.conn, activity_id, pupil_ids, stamp=self.clock.stamp(),
                                 adviser_id=self.adviser_id)

    def attach_group(self, activity_id: int, group: Any, absent: Sequence[int] = ()) -> int:
        """A year group, a form or chosen pupils, minus the absentees, in one transaction."""
        from gatsby_tui.store import activities

        return activities.attach_group(self.conn, activity_id, group, absent=absent, stamp=self.clock.stamp(),
                                       adviser_id=self.adviser_id)

    def detach_pupils(self, activity_id: int, pupil_ids: Sequence[int]) -> int:
        from gatsby_tui.store import activities

        return activities.detach(self.conn, activity_id, pupil_ids, stamp=self.clock.stamp(),
                                 adviser_id=self.adviser_id)

    def pupil_activities(self, pupil_id: int, limit: int = 500) -> list[sqlite3.Row]:
        from gatsby_tui.store import activities

        return activities.for_pupil(self.conn, pupil_id, limit)

    def forms_on_roll(self) -> list[str]:
        from gatsby_tui.store import activities

        return activities.forms(self.conn, self.today)

    def register_ids(self, f: PupilFilter, limit: int = 5000) -> list[int]:
        """The ids of the pupils a register filter shows (by name), at most ``limit``."""
        from gatsby_tui.domain.schoolyear import school_year_of

        where, params = pupils._where(f, school_year_of(self.today), self.today.isoformat())
        return [r[0] for r in self.conn.execute(
            f"SELECT p.id FROM pupils p WHERE {where} ORDER BY p.sort_name, p.id LIMIT {int(limit)}", params)]

    # ------------------------------------------------------------ benchmark coverage
    def pupil_benchmarks(self, pupil_id: int) -> dict[int | str, Any]:
        """benchmarks.State per key 1-8 and 'pal': .state ('met', 'not_yet', 'not_due'), .words,
        .symbol, .missing, .summary(), .evidence."""
        from gatsby_tui.store import coverage

        return coverage.pupil_coverage(self.conn, pupil_id, today=self.today)

    COVERAGE_READERS = 3      # read-only connections for the cohort's passes (one each, in threads)

    def _coverage_readers(self) -> list[sqlite3.Connection]:
        """Read-only connections to this file, opened on first use and closed with the store, so
        the cohort can be worked out in a worker thread (never on the UI thread's connection),
        its passes in parallel. Call with ``_readers_lock`` held."""
        if self._closed:
            raise StoreError("The database has been closed.")
        if self._readers is None:
            from gatsby_tui.store.db import connect

            readers = []
            for _ in range(self.COVERAGE_READERS):
                c = connect(self.path)
                c.execute("PRAGMA query_only = 1")
                c.execute("PRAGMA busy_timeout = 5000")
                # Read pages in place rather than copying each into a 2 MB cache: the meetings
                # pass looks up tens of thousands of interviews scattered over the file
                # (~25% faster at 20,000 pupils). Reading only; writes still go through the store.
                c.execute("PRAGMA mmap_size = 1073741824")
                readers.append(c)
            self._readers = readers
        return self._readers

    def coverage_version(self) -> tuple:
        return (self.today, self.conn.execute("PRAGMA data_version").fetchone()[0], self.conn.total_changes)

    def benchmark_cohort_on(self, day: date) -> Any:
        """coverage.Cohort as at ``day`` (pupils on roll that day, evidence up to it); not cached
        unless ``day`` is today."""
        from gatsby_tui.store import coverage

        if day == self.today:
            return self.benchmark_cohort()
        with self._readers_lock:
            readers = self._coverage_readers()
            return coverage.cohort(readers[0], today=day, readers=readers[1:])

    def benchmark_pupils(self, *, on: date | None = None, year: int | None = None) -> list[Any]:
        """coverage.PupilStates for every pupil on roll on ``on`` (default today): UPN, name, year
        group and each benchmark's state with what is missing."""
        from gatsby_tui.store import coverage

        with self._readers_lock:
            readers = self._coverage_readers()
            return coverage.pupil_states(readers[0], today=on or self.today, year=year, readers=readers[1:])

    def benchmark_cohort(self, *, version: tuple | None = None) -> Any:
        """coverage.Cohort for pupils on roll in Years 7-13: .tally(key, year=, breakdown=, value=).
        Cached until the database changes (or the day does). Safe to call from a worker thread when
        ``version`` (from ``coverage_version()``, taken on the UI thread) is given: the work is then
        done on the store's own read-only connections."""
        from gatsby_tui.store import coverage

        version = version if version is not None else self.coverage_version()
        with self._readers_lock:
            cached = self._cohort_cache
            if cached is not None and cached[0] == version:
                return cached[1]
            readers = self._coverage_readers()
            result = coverage.cohort(readers[0], today=self.today, readers=readers[1:])
            self._cohort_cache = (version, result)
        return result

    def forget_cohort(self) -> None:
        """Work the cohort out afresh next time, even if nothing seems to have changed."""
        self._cohort_cache = None

    def benchmark_cohort_known(self) -> tuple[Any, bool] | None:
        """The cohort last worked out, and whether it is still current (nothing written since, and
        the same day); None if it has not been worked out yet. Cheap: for showing figures at once
        while fresh ones are worked out."""
        cached = self._cohort_cache
        if cached is None:
            return None
        return cached[1], cached[0] == self.coverage_version()

    def benchmark_gaps(self, key: int | str, *, year: int | None = None, breakdown: str | None = None,
                       value: Any = None, include_not_due: bool = False, limit: int = 2000) -> tuple[list[Any], int]:
        """(coverage.Gap list by name, total): pupils on roll for whom ``key`` is not yet met. Safe
        to call from a worker thread (uses the read-only connections)."""
        from gatsby_tui.store import coverage

        with self._readers_lock:
            readers = self._coverage_readers()
            return coverage.gaps(readers[0], key, today=self.today, year=year, breakdown=breakdown, value=value,
                                 include_not_due=include_not_due, limit=limit, readers=readers[1:])

    def benchmark_report(self, year: int | None = None) -> list[dict[str, Any]]:
        from gatsby_tui.store import coverage

        return coverage.report_rows(self.benchmark_cohort(), year)

    # ------------------------------------------------------------ the careers programme
    def programme_grid(self, school_year: int | None = None) -> Any:
        """programme.Grid: .items(year_group, benchmark), .unplanned, .planned, .delivered."""
        from gatsby_tui.store import programme

        from gatsby_tui.domain.schoolyear import school_year_of

        return programme.grid(self.conn, school_year if school_year is not None else school_year_of(self.today))

    def programme_item(self, item_id: int) -> sqlite3.Row | None:
        from gatsby_tui.store import programme

        return programme.item(self.conn, item_id)

    def programme_items(self, school_year: int) -> list[sqlite3.Row]:
        from gatsby_tui.store import programme

        return programme.items_for(self.conn, school_year)

    def programme_years(self) -> list[int]:
        from gatsby_tui.store import programme

        return programme.school_years(self.conn)

    def add_programme_item(self, school_year: int, year_group: int, benchmark: int, description: str) -> int:
        from gatsby_tui.store import programme

        return programme.add_item(self.conn, school_year, year_group, benchmark, description,
                                  stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def update_programme_item(self, item_id: int, description: str) -> bool:
        from gatsby_tui.store import programme

        return programme.update_item(self.conn, item_id, description, stamp=self.clock.stamp(),
                                     adviser_id=self.adviser_id)

    def delete_programme_item(self, item_id: int) -> int:
        from gatsby_tui.store import programme

        return programme.delete_item(self.conn, item_id, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def link_activity(self, activity_id: int, item_id: int | None) -> bool:
        """Link a recorded activity to a planned one (None: unlink)."""
        from gatsby_tui.store import programme

        return programme.link(self.conn, activity_id, item_id, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def programme_candidates(self, item_id: int) -> list[sqlite3.Row]:
        from gatsby_tui.store import programme

        return programme.candidates(self.conn, item_id)

    def copy_programme(self, from_year: int, to_year: int) -> int:
        from gatsby_tui.store import programme

        return programme.copy_year(self.conn, from_year, to_year, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def school(self) -> Any:
        """programme.School: the school's name, its careers leader, and the texts of the published
        programme (.missing lists what setup still needs)."""
        from gatsby_tui.store import programme

        return programme.school(self.conn)

    def save_school(self, values: Mapping[str, Any]) -> bool:
        """name, leader_name, leader_email, leader_phone; raises programme.SchoolInvalid (.errors)."""
        from gatsby_tui.store import programme

        return programme.save_school(self.conn, dict(values), stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def save_programme_page(self, values: Mapping[str, Any]) -> bool:
        """The published programme's texts (programme.PAGE_KEYS) and next_review (day/month/year);
        raises programme.SchoolInvalid (.errors)."""
        from gatsby_tui.store import programme

        return programme.save_page(self.conn, dict(values), stamp=self.clock.stamp(), today=self.today,
                                   adviser_id=self.adviser_id)

    def programme_figures(self) -> Any:
        """exports.programme.Figures for today: each benchmark met of those it is due for, and the
        latest leaving cohort's destinations. School-wide counts only."""
        from gatsby_tui.domain import benchmarks as rules
        from gatsby_tui.domain import send
        from gatsby_tui.exports.programme import Figures

        cohort = self.benchmark_cohort()
        coverage_rows = []
        for key in rules.RULE_KEYS:
            t = cohort.tally(key)
            if not t.total:
                continue
            words = (f"{t.percent_due}% of the {t.due:,} pupils it is due for ({t.met:,} met)" if t.due
                     else "not yet due for anyone")
            if t.due and t.not_due:
                words += f"; not yet due for {t.not_due:,} more"
            coverage_rows.append((rules.label_of(key).split(" ", 1)[0] + " " + rules.title_of(key), words))
        title, rows = "", []
        leavers = self.leaving_cohorts()
        if leavers:
            summary = self.cohort_summary(leavers[0])
            title = f"{send.cohort_label(leavers[0])}: {summary.total:,} leavers"
            rows = [(label, summary.counts[b], summary.percent(b)) for b, label in send.BUCKETS
                    if summary.counts[b] or b != "other"]
        return Figures(self.today, coverage_rows, title, rows)

    def export_programme(self, school_year: int, path: str | os.PathLike[str], fmt: str | None = None, *,
                         delivered: bool = True, figures: bool = False) -> Path:
        """Write the published programme as a web page ('html') or Markdown ('md'; default from the
        file name), owner-only and atomically; audited. ``delivered``: mark delivered activities;
        ``figures``: add the current coverage and destinations to the evaluation. Refused until the
        school and its careers leader are named. Returns the path written."""
        from gatsby_tui.exports import programme as export
        from gatsby_tui.store import programme

        target = Path(path).expanduser()
        kind = (fmt or target.suffix.lstrip(".")).lower()
        kind = {"htm": "html", "markdown": "md"}.get(kind, kind)
        if kind not in ("html", "md"):
            raise StoreError("Give a file name ending in .html (a web page) or .md (Markdown).")
        school = programme.school(self.conn)
        if school.missing:
            raise StoreError(f"The published programme names the school and its careers leader: give "
                             f"{' and '.join(school.missing)} first (School and careers leader, in the command "
                             "palette, Ctrl+P).")
        check_folder(target)
        grid = programme.grid(self.conn, school_year)
        maker = export.html_page if kind == "html" else export.markdown
        text = maker(grid, school=school, generated=self.today, delivered=delivered,
                     figures=self.programme_figures() if figures else None)
        write_file(target, text.encode("utf-8"), f".{kind}")
        with transaction(self.conn):
            audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="export",
                        table="programme_items", row_id=None, pupil_id=None,
                        after={"what": "careers programme", "school_year": school_year, "format": kind,
                               "items": grid.planned, "delivered_marks": delivered, "figures": figures,
                               "file": str(target)})
        return target


    # ------------------------------------------------------------ a pupil's record, action plans, requests
    def export_name(self, pupil_id: int, what: str, fmt: str) -> str:
        """'Asha Ahmed - careers record - 2026-11-23.pdf': the pupil's name and the date, never a
        UPN. A pupil who shares their name with another on the register is told apart by form (or
        year group): 'Orla Ní Shúilleabháin (7A) - careers record - 2026-11-23.pdf'. A name still
        taken in the folder gets a counter when written (write_new_file)."""
        from gatsby_tui.domain import schoolyear
        from gatsby_tui.exports.files import safe_name

        row = self.conn.execute("SELECT sort_name, form, intake_year, date_left FROM pupils WHERE id = ?",
                                (pupil_id,)).fetchone()
        who = self._full_name(pupil_id)
        if row is not None and self.conn.execute("SELECT 1 FROM pupils WHERE sort_name = ? AND id != ? LIMIT 1",
                                                 (row["sort_name"], pupil_id)).fetchone():
            if row["date_left"]:
                who += f" (left {row['date_left'][:4]})"
            elif row["form"]:
                who += f" ({row['form']})"
            else:
                who += f" (Year {schoolyear.year_group_in(row['intake_year'], schoolyear.school_year_of(self.today))})"
        return safe_name(f"{who} - {what} - {self.today.isoformat()}") + f".{fmt}"

    def _full_name(self, pupil_id: int) -> str:
        from gatsby_tui.domain import names

        row = self.conn.execute("SELECT legal_surname, legal_forename, preferred_forename FROM pupils WHERE id = ?",
                                (pupil_id,)).fetchone()
        if row is None:
            raise StoreError("That pupil is no longer on the register.")
        return names.full_name(row[0], row[1], row[2])

    def export_folder(self) -> Path:
        """The folder exports were last written to (remembered), else the home folder."""
        folder = Path(self.setting("export_folder") or str(Path.home())).expanduser()
        return folder if folder.is_dir() else Path.home()

    def pupil_export_preview(self, pupil_id: int) -> tuple[dict[str, Any], list[Any]]:
        """(the pupil's whole record, the other pupils named in its free text), for the adviser
        to choose what to withhold before exporting."""
        from gatsby_tui.store import pupil_record

        data = pupil_record.gather(self.conn, pupil_id, today=self.today)
        return data, pupil_record.other_pupils_named(self.conn, pupil_id, data)

    def export_pupil(self, pupil_id: int, fmt: str, path: str | os.PathLike[str], *,
                     include_confidential: bool = False, redact: Sequence[str] = (), sar_id: int | None = None,
                     how: str | None = None, record_given: bool = True) -> Path:
        """Write the pupil's whole record (``fmt`` pdf, html, md or json) to ``path`` (a file, or a
        folder for the default name), atomically and owner-only; confidential notes only when
        ``include_confidential``; each name in ``redact`` withheld. Then, in one transaction: the
        copy is recorded as given (unless ``record_given`` is False), ``sar_id`` marked answered,
        and the export audited. Returns the file written."""
        from gatsby_tui.exports import pupil_record as render
        from gatsby_tui.store import pupil_record, sar

        fmt = self._format(fmt, ("pdf", "html", "md", "json"))
        target = self._export_target(path, pupil_id, "careers record", fmt)
        data = pupil_record.choose(pupil_record.gather(self.conn, pupil_id, today=self.today),
                                   include_confidential=include_confidential, redact=redact)
        for request in data.get("requests") or []:
            if sar_id is not None and request["id"] == sar_id:      # this copy is the answer: say so
                request.update(status="fulfilled", fulfilled_on=self.today.isoformat(), answered_by_this_copy=True)
        target = write_new_file(target, render.render(data, fmt, produced=self.clock.now()), f".{fmt}")
        withheld = " ".join(data["withheld"]) or None
        try:
            with transaction(self.conn):
                given_id = None
                if record_given or sar_id is not None:
                    given_id = self.conn.execute(
                        "INSERT INTO exports_given (pupil_id, kind, format, given_on, how, sar_id, withheld, adviser_id, "
                        "given_at) VALUES (?, 'record', ?, ?, ?, ?, ?, ?, ?)",
                        (pupil_id, fmt, self.today.isoformat(), how, sar_id, withheld, self.adviser_id,
                         self.clock.stamp())).lastrowid
                    audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="insert",
                                table="exports_given", row_id=given_id, pupil_id=pupil_id,
                                after={"kind": "record", "format": fmt, "how": how, "sar_id": sar_id, "withheld": withheld})
                if sar_id is not None:
                    sar.mark_fulfilled(self.conn, sar_id, pupil_id, stamp=self.clock.stamp(), today=self.today,
                                       adviser_id=self.adviser_id)
                audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="export",
                            table="pupils", row_id=pupil_id, pupil_id=pupil_id,
                            after={"what": "pupil record", "format": fmt, "file": str(target),
                                   "confidential_notes_included": data["confidential_notes_included"],
                                   "withheld": withheld, "sar_id": sar_id})
        except BaseException:
            target.unlink(missing_ok=True)     # not recorded, so not left behind either
            raise
        return target

    def export_action_plan(self, record_id: int, fmt: str, path: str | os.PathLike[str], *,
                           how: str | None = "handed over", record_given: bool = True) -> Path:
        """Write the one-page action plan from a signed-off meeting record (``fmt`` pdf or md) and
        record it in the pupil's history as given (date, how), in one transaction with its audit."""
        from gatsby_tui.exports import pupil_record as render
        from gatsby_tui.store import pupil_record

        fmt = self._format(fmt, ("pdf", "md"))
        data = pupil_record.action_plan(self.conn, record_id, today=self.today)
        pupil_id = self.conn.execute("SELECT pupil_id FROM meeting_records WHERE id = ?", (record_id,)).fetchone()[0]
        target = self._export_target(path, pupil_id, "action plan", fmt)
        target = write_new_file(target, render.render(data, fmt, kind="action_plan", produced=self.clock.now()),
                                f".{fmt}")
        try:
            with transaction(self.conn):
                if record_given:
                    given_id = self.conn.execute(
                        "INSERT INTO exports_given (pupil_id, kind, format, given_on, how, record_id, adviser_id, "
                        "given_at) VALUES (?, 'action_plan', ?, ?, ?, ?, ?, ?)",
                        (pupil_id, fmt, self.today.isoformat(), how, record_id, self.adviser_id,
                         self.clock.stamp())).lastrowid
                    audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="insert",
                                table="exports_given", row_id=given_id, pupil_id=pupil_id,
                                after={"kind": "action_plan", "format": fmt, "how": how, "record_id": record_id})
                audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="export",
                            table="meeting_records", row_id=record_id, pupil_id=pupil_id,
                            after={"what": "action plan", "format": fmt, "file": str(target)})
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target

    def latest_signed_off_record(self, pupil_id: int) -> int | None:
        row = self.conn.execute("SELECT id FROM meeting_records WHERE pupil_id = ? AND status = 'signed_off' "
                                "ORDER BY held_at DESC, id DESC LIMIT 1", (pupil_id,)).fetchone()
        return None if row is None else row[0]

    def export_many(self, pupil_ids: Sequence[int], kind: str, fmt: str, folder: str | os.PathLike[str], *,
                    progress: Any = None, cancelled: Any = None) -> tuple[list[Path], list[str]]:
        """One file per pupil into ``folder``: their whole record (``kind`` 'record'; confidential
        notes left out and every other pupil named withheld) or the action plan of their latest
        signed-off meeting ('action_plan'). Nothing is recorded as given: the files are for the
        school to print or send. ``progress(done, total)`` is called after each pupil;
        ``cancelled()`` True stops after the current one. Returns (files written, the names of the
        pupils skipped for an action plan because they have no signed-off meeting record yet)."""
        from gatsby_tui.store import pupil_record

        target = Path(folder).expanduser()
        if not target.is_dir():
            raise StoreError(f"The folder {target} does not exist: choose another, or create it first.")
        written: list[Path] = []
        skipped: list[str] = []
        total = len(pupil_ids)
        for done, pupil_id in enumerate(pupil_ids, 1):
            if cancelled is not None and cancelled():
                break
            if kind == "record":
                data = pupil_record.gather(self.conn, pupil_id, today=self.today)
                mentions = pupil_record.other_pupils_named(self.conn, pupil_id, data)
                written.append(self.export_pupil(pupil_id, fmt, target, redact=[f for m in mentions for f in m.forms],
                                                 record_given=False))
            else:
                record_id = self.latest_signed_off_record(pupil_id)
                if record_id is None:
                    skipped.append(self._full_name(pupil_id))
                else:
                    written.append(self.export_action_plan(record_id, fmt, target, record_given=False))
            if progress is not None:
                progress(done, total)
        return written, skipped

    def _format(self, fmt: str, allowed: Sequence[str]) -> str:
        fmt = {"htm": "html", "markdown": "md"}.get((fmt or "").lower().lstrip("."), (fmt or "").lower().lstrip("."))
        if fmt not in allowed:
            raise StoreError(f"Choose one of these formats: {', '.join(allowed)}.")
        return fmt

    def _export_target(self, path: str | os.PathLike[str], pupil_id: int, what: str, fmt: str) -> Path:
        target = Path(path).expanduser()
        if target.is_dir():
            return target / self.export_name(pupil_id, what, fmt)
        if target.suffix.lower().lstrip(".") != fmt:
            target = target.with_name(target.name + f".{fmt}")
        return target

    def log_sar(self, pupil_id: int, values: Mapping[str, Any]) -> int:
        """values: requester_kind, requester_name, received_on, notes (sar.log). Raises sar.SarInvalid."""
        from gatsby_tui.store import sar

        return sar.log(self.conn, pupil_id, values, stamp=self.clock.stamp(), today=self.today,
                       adviser_id=self.adviser_id)

    def sar(self, sar_id: int) -> Any:
        from gatsby_tui.store import sar

        return sar.get(self.conn, sar_id)

    def extend_sar(self, sar_id: int, reason: str) -> date:
        from gatsby_tui.store import sar

        return sar.extend(self.conn, sar_id, reason, stamp=self.clock.stamp(), today=self.today,
                          adviser_id=self.adviser_id)

    def withdraw_sar(self, sar_id: int, reason: str) -> None:
        from gatsby_tui.store import sar

        sar.withdraw(self.conn, sar_id, reason, stamp=self.clock.stamp(), today=self.today, adviser_id=self.adviser_id)

    def sars(self, *, limit: int = 200, offset: int = 0, include_closed: bool = False) -> list[Any]:
        from gatsby_tui.store import sar

        return sar.open_requests(self.conn, limit=limit, offset=offset, include_closed=include_closed)

    def sars_count(self, *, include_closed: bool = False) -> int:
        from gatsby_tui.store import sar

        return sar.count(self.conn, include_closed=include_closed)

    def sars_overdue(self) -> tuple[int, date | None]:
        from gatsby_tui.store import sar

        return sar.overdue(self.conn, today=self.today)

    def pupil_sars(self, pupil_id: int) -> list[Any]:
        from gatsby_tui.store import sar

        return sar.for_pupil(self.conn, pupil_id)

    # ================================================================ retention, pseudonymising, erasure
    # Leavers past the retention period (rules in domain/retention.py, SQL in store/retention.py)
    # and the two deliberate ways of removing them. The periods live in settings (defaults from
    # DOMAIN.md). Both writes are one transaction, logged by ids only, then the file is compacted.

    def retention_policy(self) -> Any:
        """domain.retention.Policy: record_years, send_years, destination_years (settings, else the defaults)."""
        from gatsby_tui.domain import retention as rules

        return rules.policy_from_settings({key: self.setting(key) for key, _, _, _ in rules.SETTINGS})

    def settings(self, keys: Sequence[str]) -> dict[str, str | None]:
        """Each key's stored value (None when unset), e.g. to give back as a form's ``original``."""
        return {key: self.setting(key) for key in keys}

    def set_retention_policy(self, values: Mapping[str, Any], *,
                             original: Mapping[str, str | None] | None = None) -> Any:
        """values: record_years, send_years, destination_years (numbers or text). Raises StoreError
        in words for a value that is not 1 to 100 years; audited. Returns the new Policy.
        ``original``: the stored settings as the form read them (``settings``); then only the
        periods changed at the form are written, refused if someone else changed one meanwhile."""
        from gatsby_tui.domain import retention as rules

        try:
            policy = rules.policy_from(values)
        except rules.PolicyError as e:
            raise StoreError(str(e)) from None
        before = self.retention_policy().as_settings()
        after = policy.as_settings()
        if original is not None:
            words = {key: f"the {about.split(',')[0]} period" for key, _name, _default, about in rules.SETTINGS}
            with transaction(self.conn):
                old, new = edits.update_settings_changed(self.conn, original, after, what="the retention periods",
                                                         labels=words)
                if new:
                    audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="update",
                                table="settings", row_id=None, pupil_id=None, before=old, after=new)
            return self.retention_policy()
        with transaction(self.conn):
            for key, value in after.items():
                self.conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
            if before != after:
                audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="update",
                            table="settings", row_id=None, pupil_id=None, before=before, after=after)
        return policy

    def past_retention(self, limit: int = 200, after: tuple[str, int] | None = None) -> list[Any]:
        """retention.RetentionRow pages by name: leavers whose every retention period has run by
        today; ``after``: the last row's .key."""
        from gatsby_tui.store import retention

        return retention.page(self.conn, today=self.today, policy=self.retention_policy(), limit=limit, after=after)

    def past_retention_count(self) -> int:
        from gatsby_tui.store import retention

        return retention.count(self.conn, today=self.today, policy=self.retention_policy())

    def pseudonymise_pupils(self, pupil_ids: Sequence[int], progress: Any = None) -> Any:
        """retention.Outcome. Names, date of birth (to 1 January), UPN (a placeholder) and every free
        text of theirs replaced; statistics kept. Only leavers past retention; all or nothing."""
        from gatsby_tui.store import retention

        outcome = retention.pseudonymise(self.conn, pupil_ids, today=self.today, policy=self.retention_policy(),
                                         stamp=self.clock.stamp(), adviser_id=self.adviser_id, progress=progress)
        self.forget_cohort()
        return outcome

    def erase_pupils(self, pupil_ids: Sequence[int], progress: Any = None) -> Any:
        """retention.Outcome. Every row about each pupil deleted (audit entries too, leaving one
        tombstone each that names no one) and the file compacted. Only leavers past retention; all
        or nothing. Backups taken earlier still hold them (``backups_holding_data``)."""
        from gatsby_tui.store import retention

        outcome = retention.erase(self.conn, pupil_ids, today=self.today, policy=self.retention_policy(),
                                  stamp=self.clock.stamp(), adviser_id=self.adviser_id, progress=progress)
        self.forget_cohort()
        return outcome

    def exported_files(self, pupil_ids: Sequence[int]) -> list[Any]:
        """retention.ExportedFile for each file the audit log recorded as exported that holds the
        pupils' data (``certain``: made for them, or a list whose search named them) or may hold it
        (a list exported since they were added): what erasing them cannot reach."""
        from gatsby_tui.store import retention

        return retention.exported_files(self.conn, list(pupil_ids))

    def backups_holding_data(self) -> list[Path]:
        """Backup copies of this database on disk (the backup folder, and older copies beside the
        file): they hold pupils erased since they were taken, until they are rotated out."""
        found: set[Path] = set()
        try:
            from gatsby_tui.store import backup

            found.update(b.path for b in backup.backups(self.path, backup.folder_for(
                self.path, backup.chosen_folder(self.conn))))
        except (ImportError, AttributeError, OSError, sqlite3.Error):
            pass
        beside = self.path.parent
        found.update(p for p in beside.glob(f"{self.path.stem}.*backup*") if p.is_file())
        for folder in (beside / "backups", beside / f"{self.path.stem}-backups"):
            if folder.is_dir():
                found.update(p for p in folder.iterdir() if p.is_file() and p.name.startswith(self.path.stem))
        return sorted(found)
