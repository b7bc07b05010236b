"""The one clock the whole program reads: the app, every command, the exports and backups.

Nothing else in the package asks the operating system for the date or time. A run can be set
to another day (``gatsby-tui --today 2027-08-31 ...`` or the environment variable
``GATSBY_TUI_TODAY``): the clock then reads that day, and that time of day if one is given,
and goes on ticking from there, so "how did we stand on 31 August?" is answered by every
screen and report alike. Tests fix their own moment with ``FixedClock`` through the same seam.
"""

from __future__ import annotations

import os
from datetime import date, datetime

ENV_VAR = "GATSBY_TUI_TODAY"


class ClockError(ValueError):
    """A day that cannot be read; the message is one sentence for the user."""


class Clock:
    """The real clock: local wall-clock time, as a school day is lived."""

    def now(self) -> datetime:
        return datetime.now().replace(microsecond=0)

    def today(self) -> date:
        return self.now().date()

    def stamp(self) -> str:
        """'2026-11-24T09:30:05' for created_at / audit columns."""
        return self.now().isoformat(timespec="seconds")


class FixedClock(Clock):
    """A clock stopped at one moment (tests, screenshots)."""

    def __init__(self, moment: datetime | date) -> None:
        if not isinstance(moment, datetime):
            moment = datetime(moment.year, moment.month, moment.day, 9, 0)
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


class ShiftedClock(Clock):
    """The real clock moved to another day: it starts at ``start`` and keeps ticking."""

    def __init__(self, start: datetime) -> None:
        self.offset = start - datetime.now()

    def now(self) -> datetime:
        return (datetime.now() + self.offset).replace(microsecond=0)


def parse_moment(text: str) -> datetime:
    """'2027-03-31', '2027-03-31T08:30' or '31/03/2027' as a moment; a bare day keeps the real
    time of day, so a day's bookings still fall before and after "now"."""
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            moment = datetime(year, month, day)
            has_time = False
        else:
            moment = datetime.fromisoformat(text)
            has_time = len(text) > 10
    except ValueError:
        raise ClockError(f"'{text}' is not a day: give it as YYYY-MM-DD (for example 2027-08-31), "
                         "optionally with a time, 2027-08-31T09:00.") from None
    if not has_time:
        real = datetime.now()
        moment = moment.replace(hour=real.hour, minute=real.minute, second=real.second)
    return moment.replace(tzinfo=None)


_default: Clock | None = None


def set_today(text: str | None) -> Clock:
    """Make the program's clock read ``text`` (None: the real clock). Raises ClockError."""
    global _default
    _default = ShiftedClock(parse_moment(text)) if text is not None else Clock()
    return _default


def default() -> Clock:
    """The program's clock: set by ``set_today``, else from GATSBY_TUI_TODAY, else the real one."""
    global _default
    if _default is None:
        _default = set_today(os.environ.get(ENV_VAR) or None)
    return _default


def now() -> datetime:
    return default().now()


def today() -> date:
    return default().today()
