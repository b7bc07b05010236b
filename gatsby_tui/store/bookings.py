"""Guidance interviews: booking, clash rules, moving, cancelling, the agenda and bulk booking.

Every write is one transaction holding the change, an ``interview_events`` row and an audit
entry. Times are naive local wall-clock ISO text 'YYYY-MM-DDTHH:MM' (schema.sql).

Decisions, in one place:

* Clash: another interview of the same adviser, or of the same pupil, whose status is
  'booked' or 'held' and which overlaps by at least one minute
  (``starts_at < :end AND ends_at > :start``). Touching end to start is not a clash.
  Cancelled and did-not-attend meetings free their time.
* Clash queries use the (adviser_id, starts_at) and (pupil_id, starts_at) indexes with a
  lower bound of one day before the new start: no meeting lasts a day (the app caps a
  meeting at 4 hours and refuses one that runs past midnight).
* A pupil who has left (date_left on or before the day of the meeting) cannot be booked:
  that is a refusal, like a clash.
* Warnings the adviser may confirm through: in the past; at the weekend; outside the
  adviser's clinic hours (a day off or holiday, no clinic that day, outside its times, or
  running into its break). An adviser with no clinic hours set at all gets no clinic-hours
  warning: there is nothing to be outside of.
* Status changes allowed: booked -> held / did_not_attend (only once the meeting has
  started) / cancelled (a reason is required); cancelled or did_not_attend -> booked
  (reinstate, clashes checked again). Only a booked meeting can be moved. Anything else is
  refused with a sentence.
* "Guidance meeting" for the bulk filters means kind 'guidance' or 'follow_up' (the register's
  last-meeting column counts the same two); group sessions and EHCP reviews are not personal
  guidance for Benchmark 8.
* Names: sentences use "Amara Okafor (Year 11)"; lists (agenda, bulk preview) use the
  register's "Okafor, Amara". Year groups are those on the meeting's day.
* The agenda shows no reason, status note or record text (it may be seen over a shoulder);
  free slots are shown from today on, not on days already gone.
"""

from __future__ import annotations

import json

import sqlite3
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import Any, Iterable, Mapping, Sequence

from gatsby_tui.domain import dates, names, schoolyear
from gatsby_tui.domain import slots as slot_rules
from gatsby_tui.domain.slots import Slot
from gatsby_tui.domain.when import MAX_MINUTES, MIN_MINUTES, short, short_day, span
from gatsby_tui.store import audit, clinics, edits
from gatsby_tui.store.db import StoreError, transaction
from gatsby_tui.domain.codes import FLAG_FIELDS, FLAG_LABELS, MEETING_KINDS, MODES
from gatsby_tui.store.pupils import parse_sen

ACTIVE = ("booked", "held")
GUIDANCE_KINDS = ("guidance", "follow_up")
FREE_WINDOW_DAYS = 56
NOTICE_SETTING = "booking_notice_hours"   # bulk booking never fills slots sooner than this
DEFAULT_NOTICE_HOURS = 24
MAX_NOTICE_HOURS = 14 * 24
_ACTIVE_SQL = "('booked', 'held')"


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


# ---------------------------------------------------------------- requests and answers


@dataclass(frozen=True)
class BookingRequest:
    pupil_id: int
    adviser_id: int
    start: datetime
    minutes: int = 45
    mode: str = "in_person"          # 'in_person', 'phone', 'video'
    place: str | None = None         # None: the clinic's room, when in person
    kind: str = "guidance"           # 'guidance', 'follow_up', 'group', 'ehcp_review'
    reason: str | None = None

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class BookingCheck:
    clashes: list[str] = field(default_factory=list)    # refusals
    warnings: list[str] = field(default_factory=list)   # the adviser may confirm through these

    @property
    def ok(self) -> bool:
        return not self.clashes and not self.warnings


class BookingRefused(StoreError):
    """A booking that cannot be made; ``clashes`` names each reason in a sentence."""

    def __init__(self, clashes: Sequence[str]) -> None:
        self.clashes = list(clashes)
        super().__init__(" ".join(self.clashes))


class NeedsConfirmation(StoreError):
    """A booking that can be made once the adviser confirms the ``warnings``."""

    def __init__(self, warnings: Sequence[str]) -> None:
        self.warnings = list(warnings)
        super().__init__(" ".join(self.warnings))


# ---------------------------------------------------------------- small helpers


def _full_name(row: Any, prefix: str = "") -> str:
    return names.full_name(row[prefix + "legal_surname"], row[prefix + "legal_forename"],
                           row[prefix + "preferred_forename"])


def _year_on(intake_year: int, day: date) -> int:
    return schoolyear.year_group_in(intake_year, schoolyear.school_year_of(day))


def _with_year(row: Any, day: date) -> str:
    return f"{_full_name(row)} (Year {_year_on(row['intake_year'], day)})"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("'") else f"{name}'s"


def _load_interview(conn: sqlite3.Connection, interview_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM interviews WHERE id = ?", (interview_id,)).fetchone()
    if row is None:
        raise StoreError("That meeting no longer exists.")
    return row


def _event(conn: sqlite3.Connection, interview_id: int, *, at: str, event: str, adviser_id: int | None,
           from_start: str | None = None, to_start: str | None = None, note: str | None = None) -> None:
    conn.execute(
        "INSERT INTO interview_events (interview_id, at, event, from_start, to_start, note, adviser_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", (interview_id, at, event, from_start, to_start, note, adviser_id))


def normalise(conn: sqlite3.Connection, req: BookingRequest) -> BookingRequest:
    """Check a request's values (not its clashes); raise StoreError with a sentence."""
    if req.adviser_id is None:
        raise StoreError("Choose the adviser for the meeting first.")
    if not isinstance(req.start, datetime):
        raise StoreError("Say when the meeting starts, with a time.")
    minutes = req.minutes
    if not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise StoreError(f"A meeting lasts from {MIN_MINUTES} minutes to 4 hours; {minutes} minutes cannot be booked.")
    start = req.start.replace(second=0, microsecond=0, tzinfo=None)
    if not 2000 <= start.year <= 2099:
        raise StoreError(f"{start.year} is not a year a meeting can be booked in.")
    if (start + timedelta(minutes=minutes)).date() != start.date():
        raise StoreError("A meeting must end on the day it starts: choose an earlier time or a shorter meeting.")
    if req.mode not in MODES:
        raise StoreError("Say how the meeting happens: in person, by phone or by video.")
    if req.kind not in MEETING_KINDS:
        raise StoreError("Say what kind of meeting it is: guidance, follow-up, group session or EHCP review.")
    place = names.clean_text(req.place)
    if place and len(place) > 100:
        raise StoreError("The place is longer than 100 characters: shorten it.")
    reason = names.clean_text(req.reason, multiline=True)
    if reason and len(reason) > 500:
        raise StoreError("The reason is longer than 500 characters: keep it short (the record holds the detail).")
    if conn.execute("SELECT 1 FROM pupils WHERE id = ?", (req.pupil_id,)).fetchone() is None:
        raise StoreError("That pupil is no longer on the register.")
    if conn.execute("SELECT 1 FROM advisers WHERE id = ?", (req.adviser_id,)).fetchone() is None:
        raise StoreError("That adviser is no longer in the database.")
    return replace(req, start=start, place=place, reason=reason)


# ---------------------------------------------------------------- the check


_CLASH_COLUMNS = (
    "i.id, i.starts_at, i.ends_at, i.status, i.pupil_id, i.adviser_id, a.name AS adviser_name, "
    "p.legal_surname, p.legal_forename, p.preferred_forename, p.intake_year"
)


def _overlapping(conn: sqlite3.Connection, column: str, value: int, start: datetime, end: datetime,
                 ignore: int | None) -> list[sqlite3.Row]:
    return conn.execute(
        f"SELECT {_CLASH_COLUMNS} FROM interviews i "
        "JOIN pupils p ON p.id = i.pupil_id JOIN advisers a ON a.id = i.adviser_id "
        f"WHERE i.{column} = :value AND i.starts_at >= :floor AND i.starts_at < :end AND i.ends_at > :start "
        f"AND i.status IN {_ACTIVE_SQL} AND i.id IS NOT :ignore ORDER BY i.starts_at",
        {"value": value, "floor": iso(start - timedelta(days=1)), "end": iso(end), "start": iso(start),
         "ignore": ignore},
    ).fetchall()


def _clinic_warnings(conn: sqlite3.Connection, req: BookingRequest, adviser_name: str, year_now: int) -> list[str]:
    day = req.start.date()
    if conn.execute("SELECT 1 FROM clinic_hours WHERE adviser_id = ? LIMIT 1", (req.adviser_id,)).fetchone() is None:
        return []
    when = span(req.start, req.end, year_unless=year_now)
    off = [r for r in clinics.exceptions(conn, req.adviser_id, first=day, last=day)]
    patterns = clinics.patterns(conn, req.adviser_id, day, day)
    if off and any(slot_rules.clinic_days(p, day, day) for p in patterns):
        why = next((r["reason"] for r in off if r["reason"]), None)
        return [f"{adviser_name} has no clinic on {short_day(day, year_unless=year_now)}"
                + (f" ({why})." if why else " (a day off).")]
    windows = slot_rules.windows_on(patterns, clinics.exception_days(off), day)
    for pattern, w0, w1 in windows:
        if w0 <= req.start and req.end <= w1:
            if pattern.break_start and pattern.break_end:
                b0 = datetime.combine(day, pattern.break_start)
                b1 = datetime.combine(day, pattern.break_end)
                if req.start < b1 and req.end > b0:
                    continue
            return []
    for pattern, w0, w1 in windows:
        if pattern.break_start and w0 <= req.start and req.end <= w1:
            return [f"{when} runs into {_possessive(adviser_name)} clinic break "
                    f"({pattern.break_start:%H:%M}–{pattern.break_end:%H:%M})."]
    return [f"{when} is outside {_possessive(adviser_name)} clinic hours."]


def check(conn: sqlite3.Connection, req: BookingRequest, *, now: datetime,
          ignore_interview_id: int | None = None) -> BookingCheck:
    """What stands in the way of a booking: clashes (refusals) and warnings (to confirm)."""
    req = normalise(conn, req)
    start, end, day = req.start, req.end, req.start.date()
    year_now = now.year
    clashes: list[str] = []
    warnings: list[str] = []
    pupil = conn.execute("SELECT * FROM pupils WHERE id = ?", (req.pupil_id,)).fetchone()
    adviser_name = conn.execute("SELECT name FROM advisers WHERE id = ?", (req.adviser_id,)).fetchone()[0]
    if pupil["date_left"] and pupil["date_left"] <= day.isoformat():
        clashes.append(f"{_full_name(pupil)} left the school on {dates.long_uk(dates.from_iso(pupil['date_left']))} "
                       "and cannot be booked.")
    seen: set[int] = set()
    for row in _overlapping(conn, "adviser_id", req.adviser_id, start, end, ignore_interview_id):
        seen.add(row["id"])
        when = span(_dt(row["starts_at"]), _dt(row["ends_at"]), year_unless=year_now)
        who = _with_year(row, day)
        if row["status"] == "held":
            clashes.append(f"{row['adviser_name']} already met {who} {when}.")
        else:
            clashes.append(f"{row['adviser_name']} already has {who} booked {when}.")
    for row in _overlapping(conn, "pupil_id", req.pupil_id, start, end, ignore_interview_id):
        if row["id"] in seen:
            continue
        when = span(_dt(row["starts_at"]), _dt(row["ends_at"]), year_unless=year_now)
        if row["status"] == "held":
            clashes.append(f"{_full_name(row)} already met {row['adviser_name']} {when}.")
        else:
            clashes.append(f"{_full_name(row)} is already booked with {row['adviser_name']} {when}.")
    if start < now:
        warnings.append(f"{short(start, year_unless=year_now)} is in the past.")
    if day.weekday() >= 5:
        warnings.append(f"{short_day(day, year_unless=year_now)} is at the weekend.")
    warnings.extend(_clinic_warnings(conn, req, adviser_name, year_now))
    return BookingCheck(clashes, warnings)


# ---------------------------------------------------------------- writing one booking


def _clinic_place(conn: sqlite3.Connection, adviser_id: int, start: datetime, end: datetime) -> str | None:
    day = start.date()
    patterns = clinics.patterns(conn, adviser_id, day, day)
    off = clinics.exception_days(clinics.exceptions(conn, adviser_id, first=day, last=day))
    for pattern, w0, w1 in slot_rules.windows_on(patterns, off, day):
        if w0 <= start and end <= w1 and pattern.place:
            return pattern.place
    return None


def new_uid() -> str:
    """A stable, unique iCalendar UID for a new booking (kept for life, so re-imports update)."""
    import uuid

    return f"{uuid.uuid4().hex}@gatsby-tui"


def _insert(conn: sqlite3.Connection, req: BookingRequest, *, stamp: str, adviser_id_using: int | None) -> int:
    place = req.place
    if place is None and req.mode == "in_person":
        place = _clinic_place(conn, req.adviser_id, req.start, req.end)
    row = {
        "uid": new_uid(), "pupil_id": req.pupil_id, "adviser_id": req.adviser_id,
        "starts_at": iso(req.start), "ends_at": iso(req.end), "mode": req.mode, "place": place,
        "kind": req.kind, "reason": req.reason, "status": "booked", "status_note": None,
        "created_at": stamp, "updated_at": stamp,
    }
    cols = ", ".join(row)
    interview_id = conn.execute(f"INSERT INTO interviews ({cols}) VALUES ({', '.join(':' + k for k in row)})",
                                row).lastrowid
    _event(conn, interview_id, at=stamp, event="booked", to_start=row["starts_at"], adviser_id=adviser_id_using)
    audit.write(conn, at=stamp, adviser_id=adviser_id_using, action="insert", table="interviews",
                row_id=interview_id, pupil_id=req.pupil_id, after=row)
    return interview_id


def book(conn: sqlite3.Connection, req: BookingRequest, *, stamp: str, now: datetime,
         adviser_id_using: int | None, confirm: bool = False) -> int:
    """Book one meeting. Raises BookingRefused (clashes) or NeedsConfirmation (warnings, unless
    ``confirm``). The check and the insert are one transaction, so nothing slips in between."""
    with transaction(conn):
        req = normalise(conn, req)
        result = check(conn, req, now=now)
        if result.clashes:
            raise BookingRefused(result.clashes)
        if result.warnings and not confirm:
            raise NeedsConfirmation(result.warnings)
        return _insert(conn, req, stamp=stamp, adviser_id_using=adviser_id_using)


def _request_for(row: sqlite3.Row, start: datetime, minutes: int) -> BookingRequest:
    return BookingRequest(pupil_id=row["pupil_id"], adviser_id=row["adviser_id"], start=start, minutes=minutes,
                          mode=row["mode"], place=row["place"], kind=row["kind"], reason=row["reason"])


def _minutes_of(row: sqlite3.Row) -> int:
    return int((_dt(row["ends_at"]) - _dt(row["starts_at"])).total_seconds() // 60)


_CANNOT_MOVE = {
    "held": "This meeting was held, so it cannot be moved.",
    "cancelled": "This meeting is cancelled: reinstate it before moving it, or book a new one.",
    "did_not_attend": ("The pupil did not attend this meeting: book a new one rather than moving it, "
                       "so the missed meeting stays on record."),
}


def reschedule(conn: sqlite3.Connection, interview_id: int, new_start: datetime, *, minutes: int | None = None,
               stamp: str, now: datetime, adviser_id_using: int | None, confirm: bool = False,
               original: Mapping[str, Any] | None = None) -> int:
    """Move a booked meeting (and/or change its length); the 'moved' event keeps from and to.
    ``original``: the meeting as the form read it when it opened; a move is refused when someone
    else moved it meanwhile (store/edits.py)."""
    with transaction(conn):
        row = _load_interview(conn, interview_id)
        if row["status"] != "booked":
            raise StoreError(_CANNOT_MOVE[row["status"]])
        old_minutes = _minutes_of(row)
        req = normalise(conn, _request_for(row, new_start, old_minutes if minutes is None else minutes))
        if iso(req.start) == row["starts_at"] and req.minutes == old_minutes:
            raise StoreError(f"The meeting is already at {short(req.start, year_unless=now.year)}: nothing to move.")
        result = check(conn, req, now=now, ignore_interview_id=interview_id)
        if result.clashes:
            raise BookingRefused(result.clashes)
        if result.warnings and not confirm:
            raise NeedsConfirmation(result.warnings)
        after = {"starts_at": iso(req.start), "ends_at": iso(req.end)}
        if original is not None:
            edits.check_not_changed_meanwhile(
                row, original, edits.changed(original, after), what="this meeting",
                labels={"starts_at": "its start", "ends_at": "its end"},
                show=lambda _column, value: edits.shown(str(value).replace("T", " ")))
        before = {"starts_at": row["starts_at"], "ends_at": row["ends_at"]}
        conn.execute("UPDATE interviews SET starts_at = ?, ends_at = ?, updated_at = ? WHERE id = ?",
                     (after["starts_at"], after["ends_at"], stamp, interview_id))
        note = None if req.minutes == old_minutes else f"length {old_minutes} to {req.minutes} minutes"
        _event(conn, interview_id, at=stamp, event="moved", from_start=row["starts_at"], to_start=after["starts_at"],
               note=note, adviser_id=adviser_id_using)
        audit.write(conn, at=stamp, adviser_id=adviser_id_using, action="update", table="interviews",
                    row_id=interview_id, pupil_id=row["pupil_id"], before=before, after=after)
    return interview_id


def _set_status(conn: sqlite3.Connection, row: sqlite3.Row, status: str, *, note: str | None, event: str,
                stamp: str, adviser_id_using: int | None) -> None:
    before = {"status": row["status"], "status_note": row["status_note"]}
    after = {"status": status, "status_note": note}
    conn.execute("UPDATE interviews SET status = ?, status_note = ?, updated_at = ? WHERE id = ?",
                 (status, note, stamp, row["id"]))
    _event(conn, row["id"], at=stamp, event=event, note=note if event == "cancelled" else None,
           adviser_id=adviser_id_using)
    audit.write(conn, at=stamp, adviser_id=adviser_id_using, action="update", table="interviews",
                row_id=row["id"], pupil_id=row["pupil_id"], before=before, after=after)


def cancel(conn: sqlite3.Connection, interview_id: int, reason: str | None, *, stamp: str, now: datetime,
           adviser_id_using: int | None) -> None:
    text = names.clean_text(reason, multiline=True)
    if not text:
        raise StoreError("Give a reason for cancelling, e.g. pupil absent or adviser ill.")
    if len(text) > 500:
        raise StoreError("The reason is longer than 500 characters: shorten it.")
    with transaction(conn):
        row = _load_interview(conn, interview_id)
        refusals = {
            "held": "This meeting was held, so it cannot be cancelled.",
            "cancelled": "This meeting is already cancelled.",
            "did_not_attend": "The pupil did not attend this meeting, so it stays on record as missed, not cancelled.",
        }
        if row["status"] in refusals:
            raise StoreError(refusals[row["status"]])
        _set_status(conn, row, "cancelled", note=text, event="cancelled", stamp=stamp,
                    adviser_id_using=adviser_id_using)


def _not_started(row: sqlite3.Row, now: datetime) -> str | None:
    start = _dt(row["starts_at"])
    return short(start, year_unless=now.year) if start > now else None


def mark_did_not_attend(conn: sqlite3.Connection, interview_id: int, *, stamp: str, now: datetime,
                        adviser_id_using: int | None) -> None:
    with transaction(conn):
        row = _load_interview(conn, interview_id)
        refusals = {
            "held": "This meeting was held, so it cannot be marked as missed.",
            "cancelled": "This meeting was cancelled, so it cannot be marked as missed.",
            "did_not_attend": "This meeting is already marked as did-not-attend.",
        }
        if row["status"] in refusals:
            raise StoreError(refusals[row["status"]])
        later = _not_started(row, now)
        if later:
            raise StoreError(f"This meeting has not started yet ({later}), so the pupil cannot have missed it.")
        _set_status(conn, row, "did_not_attend", note=None, event="did_not_attend", stamp=stamp,
                    adviser_id_using=adviser_id_using)


def mark_held(conn: sqlite3.Connection, interview_id: int, *, stamp: str, now: datetime,
              adviser_id_using: int | None) -> None:
    with transaction(conn):
        row = _load_interview(conn, interview_id)
        refusals = {
            "held": "This meeting is already marked as held.",
            "cancelled": "This meeting was cancelled: reinstate it first if it did happen.",
            "did_not_attend": "This meeting is marked as did-not-attend: reinstate it first if the pupil came after all.",
        }
        if row["status"] in refusals:
            raise StoreError(refusals[row["status"]])
        later = _not_started(row, now)
        if later:
            raise StoreError(f"This meeting has not happened yet ({later}), so it cannot be marked as held.")
        _set_status(conn, row, "held", note=None, event="held", stamp=stamp, adviser_id_using=adviser_id_using)


def reinstate(conn: sqlite3.Connection, interview_id: int, *, stamp: str, now: datetime,
              adviser_id_using: int | None) -> None:
    """A cancelled or missed meeting back to booked, if its time is still free."""
    with transaction(conn):
        row = _load_interview(conn, interview_id)
        if row["status"] == "booked":
            raise StoreError("This meeting is already booked.")
        if row["status"] == "held":
            raise StoreError("This meeting was held, so there is nothing to reinstate.")
        result = check(conn, _request_for(row, _dt(row["starts_at"]), _minutes_of(row)), now=now,
                       ignore_interview_id=interview_id)
        if result.clashes:
            raise BookingRefused(result.clashes)
        _set_status(conn, row, "booked", note=None, event="reinstated", stamp=stamp,
                    adviser_id_using=adviser_id_using)


# ---------------------------------------------------------------- reading


def get(conn: sqlite3.Connection, interview_id: int) -> dict[str, Any] | None:
    """One booking with the pupil's and the adviser's names (for the meeting screen)."""
    row = conn.execute(
        "SELECT i.*, a.name AS adviser_name, p.legal_surname, p.legal_forename, p.preferred_forename, "
        "p.intake_year, p.sen_status, p.date_left, "
        "(SELECT count(*) FROM interview_events e WHERE e.interview_id = i.id AND e.event = 'moved') AS moves "
        "FROM interviews i JOIN pupils p ON p.id = i.pupil_id JOIN advisers a ON a.id = i.adviser_id "
        "WHERE i.id = ?", (interview_id,)).fetchone()
    if row is None:
        return None
    out = dict(row)
    day = _dt(row["starts_at"]).date()
    out["pupil_name"] = _full_name(row)
    out["pupil_display"] = names.display_name(row["legal_surname"], row["legal_forename"], row["preferred_forename"])
    out["year_group"] = _year_on(row["intake_year"], day)
    out["minutes"] = _minutes_of(row)
    return out


def events(conn: sqlite3.Connection, interview_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT e.*, a.name AS adviser_name FROM interview_events e LEFT JOIN advisers a ON a.id = e.adviser_id "
        "WHERE e.interview_id = ? ORDER BY e.at, e.id", (interview_id,)).fetchall()


def _busy(conn: sqlite3.Connection, adviser_id: int, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """The adviser's booked/held meetings touching [first, last], sorted by start."""
    rows = conn.execute(
        f"SELECT starts_at, ends_at FROM interviews WHERE adviser_id = ? AND starts_at >= ? AND starts_at < ? "
        f"AND status IN {_ACTIVE_SQL} ORDER BY starts_at",
        (adviser_id, (first - timedelta(days=1)).isoformat(), (last + timedelta(days=1)).isoformat())).fetchall()
    return [(_dt(r[0]), _dt(r[1])) for r in rows]


class _Busy:
    """Answers 'does [start, end) overlap any of these?' in O(log n)."""

    def __init__(self, intervals: Iterable[tuple[datetime, datetime]]) -> None:
        ordered = sorted(intervals)
        self.starts = [s for s, _ in ordered]
        self.max_end = list(accumulate((e for _, e in ordered), max))

    def overlaps(self, start: datetime, end: datetime) -> bool:
        i = bisect_left(self.starts, end)          # intervals starting before `end`
        return i > 0 and self.max_end[i - 1] > start


def _clinic_slots(conn: sqlite3.Connection, adviser_id: int, first: date, last: date,
                  minutes: int | None) -> list[Slot]:
    patterns = clinics.patterns(conn, adviser_id, first, last)
    if not patterns:
        return []
    off = clinics.exception_days(clinics.exceptions(conn, adviser_id, first=first, last=last))
    return slot_rules.expand(patterns, off, first, last, minutes=minutes)


def free_slots(conn: sqlite3.Connection, adviser_id: int, *, after: datetime, minutes: int | None = None,
               days: int = FREE_WINDOW_DAYS) -> list[Slot]:
    """Every clinic slot starting at or after ``after`` within ``days`` that no booked or held
    meeting of the adviser overlaps. ``minutes`` re-cuts the clinics into slots of that length."""
    first = after.date()
    last = first + timedelta(days=days)
    slots = _clinic_slots(conn, adviser_id, first, last, minutes)
    if not slots:
        return []
    busy = _Busy(_busy(conn, adviser_id, first, last))
    return [s for s in slots if s.start >= after and not busy.overlaps(s.start, s.end)]


def next_free_slots(conn: sqlite3.Connection, adviser_id: int, *, after: datetime, count: int = 5,
                    minutes: int | None = None, days: int = FREE_WINDOW_DAYS) -> list[Slot]:
    return free_slots(conn, adviser_id, after=after, minutes=minutes, days=days)[:count]


# ---------------------------------------------------------------- the agenda


@dataclass(frozen=True)
class AgendaRow:
    start: datetime
    end: datetime
    interview_id: int | None          # None: a free clinic slot
    pupil_id: int | None
    pupil_name: str | None            # 'Okafor, Amara'
    year_group: int | None
    sen: str | None                   # 'N', 'K', 'E'
    kind: str | None
    status: str | None
    mode: str | None
    place: str | None
    day_off: str | None = None         # a day off or holiday: the reason, or '' (the row spans the day)

    @property
    def free(self) -> bool:
        return self.interview_id is None and self.day_off is None


def agenda(conn: sqlite3.Connection, adviser_id: int, first: date, days: int, *, today: date,
           include_free: bool = True, now: datetime | None = None) -> list[AgendaRow]:
    """An adviser's meetings (every status), free clinic slots still to come (from ``now``) and
    days off (one row a weekday, first on its day) from ``first`` for ``days`` days.

    One indexed range query on interviews_by_adviser; no reason, note or record text is read."""
    if not 1 <= days <= slot_rules.MAX_WINDOW_DAYS:
        raise StoreError(f"The agenda shows 1 to {slot_rules.MAX_WINDOW_DAYS} days at a time.")
    last = first + timedelta(days=days - 1)
    rows = conn.execute(
        "SELECT i.id, i.starts_at, i.ends_at, i.pupil_id, i.kind, i.status, i.mode, i.place, "
        "p.legal_surname, p.legal_forename, p.preferred_forename, p.intake_year, p.sen_status "
        "FROM interviews i JOIN pupils p ON p.id = i.pupil_id "
        "WHERE i.adviser_id = ? AND i.starts_at >= ? AND i.starts_at < ? ORDER BY i.starts_at, i.id",
        (adviser_id, first.isoformat(), (last + timedelta(days=1)).isoformat())).fetchall()
    out: list[AgendaRow] = []
    for r in rows:
        start = _dt(r["starts_at"])
        out.append(AgendaRow(
            start=start, end=_dt(r["ends_at"]), interview_id=r["id"], pupil_id=r["pupil_id"],
            pupil_name=names.display_name(r["legal_surname"], r["legal_forename"], r["preferred_forename"]),
            year_group=_year_on(r["intake_year"], start.date()), sen=r["sen_status"], kind=r["kind"],
            status=r["status"], mode=r["mode"], place=r["place"]))
    free_from = max(first, today)
    if include_free and free_from <= last:
        slots = _clinic_slots(conn, adviser_id, free_from, last, None)
        if slots:
            # Meetings that began the evening before cannot reach a school day; those in the
            # range are enough to decide which slots are taken.
            busy = _Busy((a.start, a.end) for a in out if a.status in ACTIVE)
            for s in slots:
                if (now is None or s.start >= now) and not busy.overlaps(s.start, s.end):
                    out.append(AgendaRow(s.start, s.end, None, None, None, None, None, None, None, None, s.place))
    out.extend(_days_off(conn, adviser_id, first, last))
    out.sort(key=lambda a: (a.start, a.day_off is None, a.interview_id is None, a.interview_id or 0))
    return out


def _days_off(conn: sqlite3.Connection, adviser_id: int, first: date, last: date) -> list[AgendaRow]:
    """The adviser's days off and the school's holidays from ``first`` to ``last``: a row for each
    weekday, spanning the day."""
    out: list[AgendaRow] = []
    seen: set[date] = set()
    for r in conn.execute(
            "SELECT first_day, last_day, reason FROM clinic_exceptions "
            "WHERE (adviser_id = ? OR adviser_id IS NULL) AND first_day <= ? AND last_day >= ? "
            "ORDER BY adviser_id IS NULL, first_day", (adviser_id, last.isoformat(), first.isoformat())):
        day = max(first, date.fromisoformat(r["first_day"]))
        end = min(last, date.fromisoformat(r["last_day"]))
        while day <= end:
            if day.weekday() < 5 and day not in seen:
                seen.add(day)
                start = datetime(day.year, day.month, day.day)
                out.append(AgendaRow(start, start + timedelta(days=1), None, None, None, None, None, None, None,
                                     None, None, day_off=r["reason"] or ""))
            day += timedelta(days=1)
    return out


# ---------------------------------------------------------------- bulk booking


@dataclass(frozen=True)
class BulkFilter:
    year: int | None = None
    form: str | None = None
    sen: str | None = None                 # 'N', 'K', 'E' (or the words pupils.parse_sen knows)
    flag: str | None = None                # one of pupils.FLAG_FIELDS, or its short label ('PP', 'LAC')
    no_meeting_this_year: bool = False     # no booked or held guidance meeting this school year
    no_meeting_since_year9: bool = False   # none since the start of the pupil's Year 10
    pupil_ids: tuple[int, ...] | None = None  # only these pupils (e.g. those missing a benchmark)


@dataclass(frozen=True)
class Candidate:
    pupil_id: int
    name: str                              # 'Okafor, Amara'
    year_group: int
    sen: str                               # 'N', 'K', 'E'
    flags: tuple[str, ...]                 # short labels: 'PP', 'LAC', 'YC', 'EAL'


@dataclass(frozen=True)
class Proposal:
    candidate: Candidate
    slot: Slot
    adviser_id: int


_SHORT_FLAGS = {short.lower(): fld for fld, (short, _) in FLAG_LABELS.items()}


def bulk_candidates(conn: sqlite3.Connection, f: BulkFilter, *, today: date) -> list[Candidate]:
    """Pupils on roll matching the filter, in priority order: EHCP, SEN support, looked after,
    pupil premium, then by name."""
    school_year = schoolyear.school_year_of(today)
    clauses = ["(p.date_left IS NULL OR p.date_left > :today)"]
    params: dict[str, Any] = {"today": today.isoformat()}
    if f.year is not None:
        clauses.append("p.intake_year = :intake")
        params["intake"] = schoolyear.intake_year_for(int(f.year), school_year)
    if f.form:
        clauses.append("p.form = :form COLLATE NOCASE")
        params["form"] = f.form.strip()
    if f.sen:
        try:
            params["sen"] = parse_sen(f.sen)
        except ValueError as e:
            raise StoreError(str(e)) from None
        clauses.append("p.sen_status = :sen")
    if f.flag:
        flag = f.flag if f.flag in FLAG_FIELDS else _SHORT_FLAGS.get(str(f.flag).lower())
        if flag is None:
            raise StoreError(f"'{names.quote(str(f.flag))}' is not a flag I know: use PP, LAC, YC or EAL.")
        clauses.append(f"p.{flag} = 1")
    if f.pupil_ids is not None:
        clauses.append("p.id IN (SELECT value FROM json_each(:ids))")
        params["ids"] = json.dumps(sorted({int(i) for i in f.pupil_ids}))
    kinds = "('guidance', 'follow_up')"
    if f.no_meeting_this_year:
        clauses.append(
            "NOT EXISTS (SELECT 1 FROM interviews i WHERE i.pupil_id = p.id AND i.starts_at >= :sy_start "
            f"AND i.starts_at < :sy_end AND i.kind IN {kinds} AND i.status IN {_ACTIVE_SQL})")
        params["sy_start"] = f"{school_year:04d}-09-01"
        params["sy_end"] = f"{school_year + 1:04d}-09-01"
    if f.no_meeting_since_year9:
        # The pupil is in Year 10 in the school year starting in September of intake_year + 3.
        clauses.append(
            "NOT EXISTS (SELECT 1 FROM interviews i WHERE i.pupil_id = p.id "
            "AND i.starts_at >= printf('%04d-09-01', p.intake_year + 3) "
            f"AND i.kind IN {kinds} AND i.status IN {_ACTIVE_SQL})")
    rows = conn.execute(
        "SELECT p.id, p.legal_surname, p.legal_forename, p.preferred_forename, p.intake_year, p.sen_status, "
        "p.pupil_premium, p.looked_after, p.young_carer, p.eal, p.sort_name FROM pupils p "
        f"WHERE {' AND '.join(clauses)} "
        "ORDER BY CASE WHEN p.sen_status = 'E' THEN 0 WHEN p.sen_status = 'K' THEN 1 "
        "WHEN p.looked_after = 1 THEN 2 WHEN p.pupil_premium = 1 THEN 3 ELSE 4 END, p.sort_name, p.id",
        params).fetchall()
    return [Candidate(
        pupil_id=r["id"],
        name=names.display_name(r["legal_surname"], r["legal_forename"], r["preferred_forename"]),
        year_group=schoolyear.year_group_in(r["intake_year"], school_year), sen=r["sen_status"],
        flags=tuple(short for fld, (short, _) in FLAG_LABELS.items() if r[fld]),
    ) for r in rows]


def _pupil_busy(conn: sqlite3.Connection, pupil_ids: list[int], first: date, last: date
                ) -> dict[int, list[tuple[datetime, datetime]]]:
    out: dict[int, list[tuple[datetime, datetime]]] = {}
    for i in range(0, len(pupil_ids), 500):
        chunk = pupil_ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        for pid, s, e in conn.execute(
                f"SELECT pupil_id, starts_at, ends_at FROM interviews WHERE pupil_id IN ({marks}) "
                f"AND starts_at >= ? AND starts_at < ? AND status IN {_ACTIVE_SQL}",
                (*chunk, (first - timedelta(days=1)).isoformat(), (last + timedelta(days=1)).isoformat())):
            out.setdefault(pid, []).append((_dt(s), _dt(e)))
    return out


def propose(conn: sqlite3.Connection, adviser_id: int, candidates: Sequence[Candidate], *, start_from: datetime,
            minutes: int | None = None, max_days: int = FREE_WINDOW_DAYS) -> list[Proposal]:
    """Place candidates, in order, in the adviser's free slots from ``start_from``: each takes the
    earliest free slot that does not overlap anything the pupil already has booked. Candidates
    that do not fit in ``max_days`` are left out (len(candidates) - len(result) did not fit).
    Writes nothing."""
    slots = free_slots(conn, adviser_id, after=start_from, minutes=minutes, days=max_days)
    if not slots or not candidates:
        return []
    first, last = slots[0].start.date(), slots[-1].start.date()
    pupil_busy = _pupil_busy(conn, [c.pupil_id for c in candidates], first, last)
    taken = [False] * len(slots)
    placed: list[tuple[datetime, datetime]] = []       # re-cut slots of two patterns may overlap
    out: list[Proposal] = []
    seen: set[int] = set()
    for candidate in candidates:
        if candidate.pupil_id in seen:
            continue
        seen.add(candidate.pupil_id)
        own = _Busy(pupil_busy.get(candidate.pupil_id, []))
        for i, slot in enumerate(slots):
            if taken[i] or own.overlaps(slot.start, slot.end):
                continue
            if any(s < slot.end and e > slot.start for s, e in placed):
                taken[i] = True
                continue
            taken[i] = True
            placed.append((slot.start, slot.end))
            out.append(Proposal(candidate, slot, adviser_id))
            break
        if all(taken):
            break
    return out


def commit_bulk(conn: sqlite3.Connection, proposals: Sequence[Proposal], *, stamp: str, now: datetime,
                adviser_id_using: int | None, mode: str = "in_person", place: str | None = None,
                kind: str = "guidance", reason: str | None = None) -> list[int]:
    """Book every proposal in ONE transaction, checking each for clashes inside it (so against
    everything committed meanwhile and against the proposals before it). The first clash or
    error rolls everything back and raises BookingRefused naming it: nothing is half-booked.
    Weekend, past and clinic-hours warnings are not asked for: the slots are clinic slots."""
    if not proposals:
        return []
    ids: list[int] = []
    with transaction(conn):
        seen: dict[int, str] = {}
        for p in proposals:
            if p.candidate.pupil_id in seen:
                raise BookingRefused([f"{p.candidate.name} is in the list twice: preview again."])
            seen[p.candidate.pupil_id] = p.candidate.name
            req = BookingRequest(
                pupil_id=p.candidate.pupil_id, adviser_id=p.adviser_id, start=p.slot.start,
                minutes=int((p.slot.end - p.slot.start).total_seconds() // 60), mode=mode,
                place=place if place else (p.slot.place if mode == "in_person" else None), kind=kind, reason=reason)
            req = normalise(conn, req)
            result = check(conn, req, now=now)
            if result.clashes:
                raise BookingRefused([result.clashes[0]])
            ids.append(_insert(conn, req, stamp=stamp, adviser_id_using=adviser_id_using))
    return ids
