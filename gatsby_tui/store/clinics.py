"""Clinic hours (recurring patterns) and the days they do not run. Validated and audited.

Input comes from a person: weekdays "tue" or "tue,thu", times "09:00", a slot length "45",
a break, a room, and UK dates for when the pattern starts and stops. Exceptions are a
cancelled day for one adviser, or a school holiday for everyone (adviser_id NULL).

Decisions: removing a pattern deletes it (the audit log keeps what it was); meetings
already booked in its slots stay booked. A pattern's first day defaults to today.
"""

from __future__ import annotations

import sqlite3
from datetime import date, time
from typing import Any, Mapping

from gatsby_tui.domain import dates, names, slots as slot_rules, when as when_rules
from gatsby_tui.domain.slots import ClinicPattern, ExceptionDays
from gatsby_tui.store import audit
from gatsby_tui.store.db import StoreError, transaction

MAX_EXCEPTION_DAYS = 400


class ClinicInvalid(StoreError):
    """Raised with one message per field that cannot be accepted."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def _adviser(conn: sqlite3.Connection, raw: Mapping[str, Any], errors: dict[str, str]) -> int | None:
    value = raw.get("adviser_id")
    if value in (None, ""):
        errors["adviser_id"] = "Choose the adviser first (F4)."
        return None
    try:
        adviser_id = int(value)
    except (TypeError, ValueError):
        errors["adviser_id"] = "Choose the adviser first (F4)."
        return None
    if conn.execute("SELECT 1 FROM advisers WHERE id = ?", (adviser_id,)).fetchone() is None:
        errors["adviser_id"] = "That adviser is no longer in the database."
        return None
    return adviser_id


def _time(raw: Mapping[str, Any], key: str, label: str, errors: dict[str, str], *, required: bool) -> time | None:
    text = _text(raw, key)
    if not text:
        if required:
            errors[key] = f"Enter the {label}, e.g. {'09:00' if key == 'start' else '15:00'}."
        return None
    try:
        return when_rules.parse_time(text)
    except when_rules.WhenError as e:
        errors[key] = f"{label[0].upper()}{label[1:]}: {e}"
        return None


def _day(raw: Mapping[str, Any], key: str, label: str, errors: dict[str, str]) -> date | None:
    text = _text(raw, key)
    if not text:
        return None
    try:
        return dates.parse_date(text, what=label)
    except dates.DateError as e:
        errors[key] = str(e)
        return None


def validate_clinic(conn: sqlite3.Connection, raw: Mapping[str, Any], *, today: date) -> ClinicPattern:
    """Check clinic hours as typed. Keys: adviser_id, weekdays, start, end, slot_minutes,
    break_start, break_end, place, valid_from, valid_until, and optionally interval_weeks."""
    errors: dict[str, str] = {}
    adviser_id = _adviser(conn, raw, errors)
    rule = None
    interval_text = _text(raw, "interval_weeks") or "1"
    if (not (interval_text.isascii() and interval_text.isdigit()) or len(interval_text) > 2
            or not 1 <= int(interval_text) <= 4):      # '²'.isdigit() is true, but int('²') fails
        errors["interval_weeks"] = "A clinic repeats every week, or every 2, 3 or 4 weeks: type 1 to 4."
    else:
        try:
            rule = slot_rules.pattern_rrule(slot_rules.parse_weekdays(_text(raw, "weekdays")), int(interval_text))
        except ValueError as e:
            errors["weekdays"] = str(e)
    start = _time(raw, "start", "start time", errors, required=True)
    end = _time(raw, "end", "end time", errors, required=True)
    if start and end and end <= start:
        errors["end"] = f"The clinic must end after it starts ({start:%H:%M})."
    minutes = 45
    if _text(raw, "slot_minutes"):
        try:
            minutes = when_rules.parse_duration(_text(raw, "slot_minutes"))
        except when_rules.WhenError as e:
            errors["slot_minutes"] = f"Slot length: {e}"
    b0 = _time(raw, "break_start", "break start", errors, required=False)
    b1 = _time(raw, "break_end", "break end", errors, required=False)
    if (b0 is None) != (b1 is None) and "break_start" not in errors and "break_end" not in errors:
        errors["break_end" if b0 else "break_start"] = "Give both ends of the break (e.g. 12:00 and 12:45), or neither."
    elif b0 and b1:
        if b1 <= b0:
            errors["break_end"] = "The break must end after it starts."
        elif start and end and not (start < b0 and b1 < end):
            errors["break_start"] = f"The break must fall inside the clinic hours ({start:%H:%M}–{end:%H:%M})."
    if start and end and end > start and "slot_minutes" not in errors:
        length = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        if minutes > length:
            errors["slot_minutes"] = (f"A {minutes}-minute slot does not fit in {start:%H:%M}–{end:%H:%M}: "
                                      "shorten the slot or lengthen the clinic.")
    place = names.clean_text(_text(raw, "place"))
    if place and len(place) > 100:
        errors["place"] = "The room is longer than 100 characters: check it."
    valid_from = _day(raw, "valid_from", "first day", errors) or today
    valid_until = _day(raw, "valid_until", "last day", errors)
    if valid_until is not None and "valid_from" not in errors and valid_until < valid_from:
        errors["valid_until"] = (f"The last day ({dates.long_uk(valid_until)}) is before the first "
                                 f"({dates.long_uk(valid_from)}).")
    if errors:
        raise ClinicInvalid(errors)
    pattern = ClinicPattern(None, adviser_id, rule, valid_from, valid_until, start, end, minutes, b0, b1, place)
    if not slot_rules.day_slots(pattern, valid_from):
        raise ClinicInvalid({"slot_minutes": "No slot fits between the start, the break and the end: check the times."})
    return pattern


def _row_values(p: ClinicPattern) -> dict[str, Any]:
    return {
        "adviser_id": p.adviser_id, "rrule": p.rrule, "valid_from": p.valid_from.isoformat(),
        "valid_until": p.valid_until.isoformat() if p.valid_until else None,
        "start_time": f"{p.start:%H:%M}", "end_time": f"{p.end:%H:%M}", "slot_minutes": p.slot_minutes,
        "break_start": f"{p.break_start:%H:%M}" if p.break_start else None,
        "break_end": f"{p.break_end:%H:%M}" if p.break_end else None,
        "place": p.place,
    }


def _hm(text: str | None) -> time | None:
    return None if not text else time.fromisoformat(text)


def pattern_from_row(row: Mapping[str, Any]) -> ClinicPattern:
    return ClinicPattern(
        id=row["id"], adviser_id=row["adviser_id"], rrule=row["rrule"],
        valid_from=date.fromisoformat(row["valid_from"]),
        valid_until=date.fromisoformat(row["valid_until"]) if row["valid_until"] else None,
        start=_hm(row["start_time"]), end=_hm(row["end_time"]), slot_minutes=row["slot_minutes"],
        break_start=_hm(row["break_start"]), break_end=_hm(row["break_end"]), place=row["place"],
    )


def add_clinic(conn: sqlite3.Connection, raw: Mapping[str, Any], *, stamp: str, today: date,
               adviser_id: int | None) -> int:
    pattern = validate_clinic(conn, raw, today=today)
    values = _row_values(pattern)
    with transaction(conn):
        cols = ", ".join(values)
        new_id = conn.execute(f"INSERT INTO clinic_hours ({cols}) VALUES ({', '.join(':' + k for k in values)})",
                              values).lastrowid
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="clinic_hours",
                    row_id=new_id, pupil_id=None, after=values)
    return new_id


def remove_clinic(conn: sqlite3.Connection, clinic_id: int, *, stamp: str, adviser_id: int | None) -> None:
    with transaction(conn):
        row = conn.execute("SELECT * FROM clinic_hours WHERE id = ?", (clinic_id,)).fetchone()
        if row is None:
            raise StoreError("Those clinic hours were already removed.")
        before = {k: row[k] for k in row.keys() if k != "id"}
        conn.execute("DELETE FROM clinic_hours WHERE id = ?", (clinic_id,))
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="delete", table="clinic_hours",
                    row_id=clinic_id, pupil_id=None, before=before)


def patterns(conn: sqlite3.Connection, adviser_id: int, first: date | None = None,
             last: date | None = None) -> list[ClinicPattern]:
    """An adviser's clinic patterns (those running at some point in [first, last] when given)."""
    sql = "SELECT * FROM clinic_hours WHERE adviser_id = ?"
    params: list[Any] = [adviser_id]
    if last is not None:
        sql += " AND valid_from <= ?"
        params.append(last.isoformat())
    if first is not None:
        sql += " AND (valid_until IS NULL OR valid_until >= ?)"
        params.append(first.isoformat())
    rows = conn.execute(sql + " ORDER BY valid_from, start_time, id", params).fetchall()
    return [pattern_from_row(r) for r in rows]


# ---------------------------------------------------------------- exceptions


def validate_exception(conn: sqlite3.Connection, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Keys: first_day, last_day (blank: the same day), reason, and adviser_id (blank, or
    ``everyone`` true: a school holiday for every adviser)."""
    errors: dict[str, str] = {}
    everyone = str(raw.get("everyone") or "").strip().lower() in ("1", "true", "yes", "y", "everyone")
    adviser_id = None
    if not everyone and raw.get("adviser_id") not in (None, ""):
        adviser_id = _adviser(conn, raw, errors)
    first = _day(raw, "first_day", "first day", errors)
    if first is None and "first_day" not in errors:
        errors["first_day"] = "Enter the first day, e.g. 26/10/2026."
    last = _day(raw, "last_day", "last day", errors) or first
    if first and last and last < first:
        errors["last_day"] = f"The last day ({dates.long_uk(last)}) is before the first ({dates.long_uk(first)})."
    elif first and last and (last - first).days > MAX_EXCEPTION_DAYS:
        errors["last_day"] = f"That is more than {MAX_EXCEPTION_DAYS} days: enter each holiday separately."
    reason = names.clean_text(_text(raw, "reason"))
    if reason and len(reason) > 200:
        errors["reason"] = "The reason is longer than 200 characters: shorten it."
    if errors:
        raise ClinicInvalid(errors)
    return {"adviser_id": adviser_id, "first_day": first.isoformat(), "last_day": last.isoformat(), "reason": reason}


def add_exception(conn: sqlite3.Connection, raw: Mapping[str, Any], *, stamp: str, adviser_id: int | None) -> int:
    values = validate_exception(conn, raw)
    with transaction(conn):
        new_id = conn.execute(
            "INSERT INTO clinic_exceptions (adviser_id, first_day, last_day, reason) "
            "VALUES (:adviser_id, :first_day, :last_day, :reason)", values).lastrowid
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="clinic_exceptions",
                    row_id=new_id, pupil_id=None, after=values)
    return new_id


def remove_exception(conn: sqlite3.Connection, exception_id: int, *, stamp: str, adviser_id: int | None) -> None:
    with transaction(conn):
        row = conn.execute("SELECT * FROM clinic_exceptions WHERE id = ?", (exception_id,)).fetchone()
        if row is None:
            raise StoreError("That day off was already removed.")
        conn.execute("DELETE FROM clinic_exceptions WHERE id = ?", (exception_id,))
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="delete", table="clinic_exceptions",
                    row_id=exception_id, pupil_id=None, before={k: row[k] for k in row.keys() if k != "id"})


def exceptions(conn: sqlite3.Connection, adviser_id: int | None = None, *, first: date | None = None,
               last: date | None = None) -> list[sqlite3.Row]:
    """Days off for ``adviser_id`` and holidays for everyone (all of them when adviser_id is None),
    overlapping [first, last] when given, in date order."""
    sql = "SELECT * FROM clinic_exceptions WHERE 1"
    params: list[Any] = []
    if adviser_id is not None:
        sql += " AND (adviser_id IS NULL OR adviser_id = ?)"
        params.append(adviser_id)
    if first is not None:
        sql += " AND last_day >= ?"
        params.append(first.isoformat())
    if last is not None:
        sql += " AND first_day <= ?"
        params.append(last.isoformat())
    return conn.execute(sql + " ORDER BY first_day, id", params).fetchall()


def exception_days(rows: list[sqlite3.Row]) -> list[ExceptionDays]:
    return [(date.fromisoformat(r["first_day"]), date.fromisoformat(r["last_day"]), r["adviser_id"]) for r in rows]
