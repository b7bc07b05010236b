"""Clinic hours as recurring patterns, expanded into bookable slots over a bounded window.

A pattern is an RFC 5545 RRULE ('FREQ=WEEKLY;BYDAY=TU,TH') anchored at its first day,
with a daily start and end, a slot length and an optional break. Expansion uses
python-dateutil's ``rrulestr`` and is always over a window of at most MAX_WINDOW_DAYS.

Decisions:

* Slots are wall-clock (naive local times): a Tuesday 09:00 slot is 09:00 on the school's
  clock whether British Summer Time is in force or not. The time zone is added only when
  a calendar file is written (exports/ics.py), which is where it matters.
* Within a day, slots start at the clinic's start and follow on back to back. A slot that
  would run into the break starts the next slot at the end of the break instead; a slot
  that would run past the clinic's end is dropped (09:00–15:00 in 45-minute slots with
  lunch 12:00–12:45 gives 09:00 … 11:15, 12:45, 13:30, 14:15).
* Two patterns of one adviser giving the very same slot give it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Sequence

from gatsby_tui.domain.dates import MONTHS
from gatsby_tui.domain.names import quote

MAX_WINDOW_DAYS = 400

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PLURALS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
_WEEKDAY_INPUT = {
    "mo": 0, "mon": 0, "monday": 0, "mondays": 0,
    "tu": 1, "tue": 1, "tues": 1, "tuesday": 1, "tuesdays": 1,
    "we": 2, "wed": 2, "weds": 2, "wednesday": 2, "wednesdays": 2,
    "th": 3, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "thursdays": 3,
    "fr": 4, "fri": 4, "friday": 4, "fridays": 4,
    "sa": 5, "sat": 5, "saturday": 5, "saturdays": 5,
    "su": 6, "sun": 6, "sunday": 6, "sundays": 6,
}

ExceptionDays = tuple[date, date, int | None]   # (first day, last day, adviser id or None for everyone)


@dataclass(frozen=True)
class ClinicPattern:
    id: int | None
    adviser_id: int
    rrule: str                  # 'FREQ=WEEKLY;BYDAY=TU'
    valid_from: date
    valid_until: date | None
    start: time
    end: time
    slot_minutes: int
    break_start: time | None = None
    break_end: time | None = None
    place: str | None = None

    @property
    def description(self) -> str:
        """'Tuesdays 09:00–15:00, 45-minute slots, break 12:00–12:45, Careers office'"""
        return describe(self)

    @property
    def period(self) -> str:
        """'from 1 September 2026' or 'from 1 September 2026 to 16 July 2027'"""
        text = f"from {_long(self.valid_from)}"
        if self.valid_until is not None:
            text += f" to {_long(self.valid_until)}"
        return text


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    place: str | None
    clinic_id: int | None


def _long(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# ---------------------------------------------------------------- rules


def parse_weekdays(text: str | Sequence[str]) -> list[int]:
    """'tue', 'tue,thu', 'tue thu', 'tuesday and thursday', 'mon-fri' -> [1, 3] (Monday = 0)."""
    if isinstance(text, str):
        words = text.lower().replace(",", " ").replace("/", " ").replace("&", " ").split()
    else:
        words = [str(w).lower() for w in text]
    days: list[int] = []
    for word in words:
        if word in ("and", "+"):
            continue
        if "-" in word and word.count("-") == 1:
            a, b = word.split("-")
            if a in _WEEKDAY_INPUT and b in _WEEKDAY_INPUT:
                lo, hi = _WEEKDAY_INPUT[a], _WEEKDAY_INPUT[b]
                if lo > hi:
                    raise ValueError(f"'{quote(word)}' runs backwards: write e.g. mon-fri.")
                days.extend(range(lo, hi + 1))
                continue
        if word not in _WEEKDAY_INPUT:
            raise ValueError(f"'{quote(word, 20)}' is not a day of the week: type e.g. tue, or tue,thu.")
        days.append(_WEEKDAY_INPUT[word])
    if not days:
        raise ValueError("Say which days, e.g. tue, or tue,thu.")
    return sorted(set(days))


def pattern_rrule(weekdays: list[str] | list[int], interval_weeks: int = 1) -> str:
    """['tue', 'thu'] -> 'FREQ=WEEKLY;BYDAY=TU,TH' (';INTERVAL=2' for every other week)."""
    numbers = [d if isinstance(d, int) else parse_weekdays([d])[0] for d in weekdays]
    if not numbers:
        raise ValueError("Say which days, e.g. tue, or tue,thu.")
    if not 1 <= interval_weeks <= 4:
        raise ValueError("A clinic repeats every week, or every 2, 3 or 4 weeks.")
    rule = "FREQ=WEEKLY;BYDAY=" + ",".join(WEEKDAY_CODES[d] for d in sorted(set(numbers)))
    if interval_weeks != 1:
        rule += f";INTERVAL={interval_weeks}"
    return rule


def _rule_parts(rule: str) -> dict[str, str]:
    parts = {}
    for item in rule.upper().split(";"):
        if "=" in item:
            key, value = item.split("=", 1)
            parts[key.strip()] = value.strip()
    return parts


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def describe(pattern: ClinicPattern) -> str:
    """'Tuesdays 09:00–15:00, 45-minute slots, break 12:00–12:45, Careers office'"""
    parts = _rule_parts(pattern.rrule)
    codes = [c[-2:] for c in parts.get("BYDAY", "").split(",") if c[-2:] in WEEKDAY_CODES]
    if parts.get("FREQ") == "WEEKLY" and codes:
        days = _join([_PLURALS[WEEKDAY_CODES.index(c)] for c in codes])
        interval = int(parts.get("INTERVAL", "1") or 1)
        if interval == 2:
            days = "Every other week: " + days
        elif interval > 2:
            days = f"Every {interval} weeks: " + days
    elif parts.get("FREQ") == "DAILY":
        days = "Every day"
    else:
        days = f"Repeating ({pattern.rrule})"
    text = f"{days} {pattern.start:%H:%M}–{pattern.end:%H:%M}, {pattern.slot_minutes}-minute slots"
    if pattern.break_start and pattern.break_end:
        text += f", break {pattern.break_start:%H:%M}–{pattern.break_end:%H:%M}"
    if pattern.place:
        text += f", {pattern.place}"
    return text


# ---------------------------------------------------------------- expansion


def _excluded(day: date, adviser_id: int, exceptions: Iterable[ExceptionDays]) -> bool:
    return any(first <= day <= last and (who is None or who == adviser_id) for first, last, who in exceptions)


def clinic_days(pattern: ClinicPattern, first: date, last: date) -> list[date]:
    """The days in [first, last] on which the pattern runs (before exceptions)."""
    lo = max(first, pattern.valid_from)
    hi = last if pattern.valid_until is None else min(last, pattern.valid_until)
    if hi < lo:
        return []
    from dateutil.rrule import rrulestr   # loaded on first use: not on the path to the first screen

    # Anchored at valid_from so that INTERVAL=2 counts fortnights from the first clinic.
    rule = rrulestr(pattern.rrule, dtstart=datetime.combine(pattern.valid_from, time(0)))
    return [d.date() for d in rule.between(datetime.combine(lo, time(0)), datetime.combine(hi, time(0)), inc=True)]


def day_slots(pattern: ClinicPattern, day: date, minutes: int | None = None) -> list[Slot]:
    """The slots of one clinic day, optionally re-cut into slots of ``minutes``."""
    length = timedelta(minutes=minutes or pattern.slot_minutes)
    t = datetime.combine(day, pattern.start)
    end = datetime.combine(day, pattern.end)
    b0 = datetime.combine(day, pattern.break_start) if pattern.break_start and pattern.break_end else None
    b1 = datetime.combine(day, pattern.break_end) if b0 is not None else None
    out: list[Slot] = []
    while t + length <= end:
        if b0 is not None and t < b1 and t + length > b0:
            t = b1           # would run into the break: start again when it ends
            continue
        out.append(Slot(t, t + length, pattern.place, pattern.id))
        t += length
    return out


def expand(
    patterns: Iterable[ClinicPattern],
    exceptions: Iterable[ExceptionDays],
    first: date,
    last: date,
    *,
    minutes: int | None = None,
) -> list[Slot]:
    """Every clinic slot from ``first`` to ``last`` (inclusive), sorted by start.

    ``minutes`` re-cuts each clinic into slots of that length (same start, same break), for a
    meeting longer or shorter than the clinic's usual slot.
    """
    if (last - first).days > MAX_WINDOW_DAYS:
        raise ValueError(f"Clinic hours are worked out at most {MAX_WINDOW_DAYS} days ahead at a time: "
                         "choose a shorter range.")
    if last < first:
        return []
    exceptions = list(exceptions)
    seen: set[tuple[datetime, datetime]] = set()
    out: list[Slot] = []
    for pattern in patterns:
        for day in clinic_days(pattern, first, last):
            if _excluded(day, pattern.adviser_id, exceptions):
                continue
            for slot in day_slots(pattern, day, minutes):
                if (slot.start, slot.end) not in seen:
                    seen.add((slot.start, slot.end))
                    out.append(slot)
    out.sort(key=lambda s: (s.start, s.end, s.clinic_id or 0))
    return out


def windows_on(patterns: Iterable[ClinicPattern], exceptions: Iterable[ExceptionDays], day: date
               ) -> list[tuple[ClinicPattern, datetime, datetime]]:
    """The clinics running on ``day`` (after exceptions): (pattern, start, end)."""
    exceptions = list(exceptions)
    out = []
    for pattern in patterns:
        if clinic_days(pattern, day, day) and not _excluded(day, pattern.adviser_id, exceptions):
            out.append((pattern, datetime.combine(day, pattern.start), datetime.combine(day, pattern.end)))
    return out
