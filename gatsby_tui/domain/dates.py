"""Dates as people in UK schools type them: 24/11/2010, 24-11-2010, 2010-11-24."""

from __future__ import annotations

import re
from datetime import date

from gatsby_tui.domain.names import quote


class DateError(ValueError):
    """A date that cannot be understood; the message says what to type."""


_UK = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")


def parse_date(text: str, *, what: str = "date") -> date:
    """Parse a UK (day first) or ISO date; raise DateError with a plain message."""
    raw = text.strip()
    if not raw:
        raise DateError(f"Enter the {what} as day/month/year, e.g. 24/11/2010.")
    digits = raw[:2] + raw[3:5] + raw[6:]
    if len(raw) == 10 and raw[2] == raw[5] == "/" and digits.isascii() and digits.isdigit():
        # 24/11/2010, as most schools' systems write every date: read without the patterns below.
        d, m, y = int(raw[:2]), int(raw[3:5]), int(raw[6:])
    elif match := _ISO.match(raw):
        y, m, d = map(int, match.groups())
    else:
        match = _UK.match(raw)
        if not match:
            raise DateError(f"'{quote(raw)}' is not a {what} I can read: type day/month/year, e.g. 24/11/2010.")
        d, m, y = map(int, match.groups())
        if len(match.group(3)) == 2:
            raise DateError(f"Write the year in full in '{quote(raw)}' (e.g. 2010, not 10).")
    if not 1 <= m <= 12:
        raise DateError(f"'{quote(raw)}': there is no month {m}. Type day/month/year, e.g. 24/11/2010.")
    try:
        return date(y, m, d)
    except ValueError:
        raise DateError(f"'{quote(raw)}': {MONTHS[m - 1]} {y} has no day {d}.") from None


def uk(day: date | None) -> str:
    """24/11/2010; the year always in four figures, so it reads back (strftime writes year 1 as "1")."""
    return "" if day is None else f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def long_uk(day: date | None) -> str:
    """24 November 2010, for people to read."""
    return "" if day is None else f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def from_iso(text: str | None) -> date | None:
    return None if not text else date.fromisoformat(text[:10])
