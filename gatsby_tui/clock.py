"""One injectable clock, so tests (and the demo) can freeze "today"."""

from __future__ import annotations

from datetime import date, datetime


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
    def __init__(self, moment: datetime | date) -> None:
        if not isinstance(moment, datetime):
            moment = datetime(moment.year, moment.month, moment.day, 9, 0)
        self.moment = moment

    def now(self) -> datetime:
        return self.moment
