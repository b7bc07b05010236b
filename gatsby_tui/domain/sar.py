"""Subject access requests: when the answer is due (UK GDPR Article 12(3), as the ICO applies it).

The rule (../shared/DOMAIN.md): one calendar month, the day of receipt counting as day one, so a
request received on 3 September is due on 3 October; where the next month has no such date (31
January), the last day of that month (28 or 29 February); a due date on a weekend or an England
and Wales bank holiday moves to the next working day. A complex request may be extended by two
further months: three calendar months from receipt, by the same rule.

Bank holidays are worked out (Easter by dateutil, the rest by their rule, with substitute days),
plus the one-off days declared since 2020; a one-off announced later is not known here, which at
worst makes a due date one day early, never late.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from dateutil.easter import easter
from dateutil.relativedelta import MO, relativedelta

MOVED = {date(2020, 5, 4): date(2020, 5, 8), date(2022, 5, 30): date(2022, 6, 2)}
EXTRA = {date(2022, 6, 3), date(2022, 9, 19), date(2023, 5, 8)}


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in ``year``."""
    days: set[date] = set()
    new_year = date(year, 1, 1)
    days.add(new_year + timedelta(days={5: 2, 6: 1}.get(new_year.weekday(), 0)))
    e = easter(year)
    days.update({e - timedelta(days=2), e + timedelta(days=1)})
    days.add(date(year, 5, 1) + relativedelta(weekday=MO(1)))               # early May
    days.add(date(year, 5, 31) + relativedelta(weekday=MO(-1)))             # spring
    days.add(date(year, 8, 31) + relativedelta(weekday=MO(-1)))             # summer
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    if christmas.weekday() == 5:        # Saturday: Monday and Tuesday
        days.update({date(year, 12, 27), date(year, 12, 28)})
    elif christmas.weekday() == 6:      # Sunday: Boxing Day Monday, Christmas substitute Tuesday
        days.update({boxing, date(year, 12, 27)})
    elif christmas.weekday() == 4:      # Friday: Boxing Day (Saturday) moves to Monday
        days.update({christmas, date(year, 12, 28)})
    else:
        days.update({christmas, boxing})
    days = {MOVED.get(d, d) for d in days}
    days.update(d for d in EXTRA if d.year == year)
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


# Who may ask, in words as they sit inside a sentence ("a request from a parent or carer").
REQUESTERS: tuple[tuple[str, str], ...] = (("pupil", "the pupil"), ("parent", "a parent or carer"),
                                           ("other", "someone else with authority"))
REQUESTER_WORDS = dict(REQUESTERS)
# Where a request stands.
REQUEST_STATUS_WORDS = {"open": "open", "fulfilled": "answered", "withdrawn": "withdrawn"}
# Standing alone, as a choice in a form or a cell in a list: "The pupil", "A parent or carer".
REQUESTER_LABELS: tuple[tuple[str, str], ...] = tuple((key, words[0].upper() + words[1:]) for key, words in REQUESTERS)


def due_date(received: date, *, months: int = 1) -> date:
    """When the answer to a request received on ``received`` is due (``months`` 3 when extended)."""
    return next_working_day(received + relativedelta(months=months))


def extended_due_date(received: date) -> date:
    return due_date(received, months=3)


def days_left_words(due: date, today: date) -> str:
    """'due today', 'due in 3 days', '5 days overdue' — never colour alone."""
    n = (due - today).days
    if n == 0:
        return "due today"
    if n > 0:
        return f"due in {n} day{'s' if n != 1 else ''}"
    return f"{-n} day{'s' if n != -1 else ''} overdue"
