"""When a meeting is, as people type it: "tue 10:30", "24/11 9:15", "tomorrow 2pm", "next".

Decisions (written down here because the booking screen and the CLI rely on them):

* UK order only: a numeric date is day/month[/year]. "11/24" is refused ("there is no
  month 24") rather than silently read the American way.
* dateutil's ``parser.parse(..., dayfirst=True)`` is NOT run on the whole text: measured here
  it reads "13pm" as 13:00, "tuesday 10.30" as 10 November, "12/13" as 13 December and
  "24.11 9.15" as 24 September, and it cannot say whether a year or a time was typed at all.
  So the text is split into a time part and a date part here, and dateutil does the parts it
  is safe for: ``relativedelta(weekday=TU)`` for "the next Tuesday (today if today is
  Tuesday)" and ``parserinfo`` for month names ("24 nov", "24 November 2026").
* A weekday alone means the next such day, today included. "next tuesday" is refused as
  ambiguous (it means different days to different people) with both readings named.
* A day/month without a year is its next occurrence on or after today.
* A time alone ("2:30pm") means today; the booking check then warns if it is in the past.
* A time needs minutes or am/pm ("10" alone is refused): "tue 2" could be 02:00 or 14:00.
* "10.30" is a time unless another time is typed beside it, when it is a date ("24.11 9.15").
* A date with no time is refused with "Add a time, e.g. 24/11 9:15.".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta, weekday as rd_weekday
from dateutil.relativedelta import MO, TU, WE, TH, FR, SA, SU

from gatsby_tui.domain.dates import MONTHS
from gatsby_tui.domain.names import quote

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RD_DAYS: tuple[rd_weekday, ...] = (MO, TU, WE, TH, FR, SA, SU)
_WEEKDAY_WORDS = {
    "mon": 0, "monday": 0, "mo": 0,
    "tue": 1, "tues": 1, "tuesday": 1, "tu": 1,
    "wed": 2, "weds": 2, "wednesday": 2, "we": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "th": 3,
    "fri": 4, "friday": 4, "fr": 4,
    "sat": 5, "saturday": 5, "sa": 5,
    "sun": 6, "sunday": 6, "su": 6,
}
_NEXT_FREE = {"next", "next free", "next free slot", "next slot", "first free", "first free slot", "free"}
_EXAMPLE = "e.g. tue 10:30, 24/11 9:15, tomorrow 2pm or next"
_PARSERINFO = None      # dateutil.parser.parserinfo, loaded on first use (the import costs ~10 ms)

_TIME_COLON = re.compile(r"^(\d{1,2}):(\d{1,2})(am|pm)?$")
_TIME_DOT = re.compile(r"^(\d{1,2})\.(\d{1,2})(am|pm)?$")
_TIME_AMPM = re.compile(r"^(\d{1,2})(am|pm)$")
_NUM_DATE = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})(?:[/\-.](\d{2}|\d{4}))?$")
_DAY_ORD = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
_YEAR = re.compile(r"^\d{4}$")


class WhenError(ValueError):
    """Text that cannot be read as a date and time; the message says what to type."""


@dataclass(frozen=True)
class When:
    start: datetime | None      # None when next_free
    next_free: bool
    understood: str             # shown before saving: "Tuesday 24 November 2026 at 10:30"


# ---------------------------------------------------------------- formatting (UK, no locale)


def long_day(day: date) -> str:
    """'Tuesday 24 November 2026'"""
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def short_day(day: date, *, year_unless: int | None = None) -> str:
    """'Tue 24 Nov' (with the year added when it is not ``year_unless``)."""
    text = f"{DAY_NAMES[day.weekday()][:3]} {day.day} {MONTHS[day.month - 1][:3]}"
    if year_unless is not None and day.year != year_unless:
        text += f" {day.year}"
    return text


def short(moment: datetime, *, year_unless: int | None = None) -> str:
    """'Tue 24 Nov 09:15'"""
    return f"{short_day(moment.date(), year_unless=year_unless)} {moment:%H:%M}"


def span(start: datetime, end: datetime, *, year_unless: int | None = None) -> str:
    """'10:00–10:45 on Tue 24 Nov'"""
    return f"{start:%H:%M}–{end:%H:%M} on {short_day(start.date(), year_unless=year_unless)}"


def understood(moment: datetime) -> str:
    """'Tuesday 24 November 2026 at 10:30'"""
    return f"{long_day(moment.date())} at {moment:%H:%M}"


# ---------------------------------------------------------------- times and durations


def _hour_minute(hour: int, minute: int, ampm: str | None, shown: str) -> time:
    if ampm:
        if not 1 <= hour <= 12:
            instead = f", or write {hour:02d}:{minute:02d} without am/pm" if 13 <= hour <= 23 else ""
            raise WhenError(f"'{shown}' is not a time: with am or pm the hour is 1 to 12 (e.g. 1pm){instead}.")
        if minute > 59:
            raise WhenError(f"'{shown}' is not a time: minutes run from 00 to 59.")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    else:
        if hour > 23:
            raise WhenError(f"'{shown}' is not a time: hours run from 0 to 23.")
        if minute > 59:
            raise WhenError(f"'{shown}' is not a time: minutes run from 00 to 59.")
    return time(hour, minute)


def _time_token(token: str, *, dotted: bool = True) -> time | None:
    """A time if ``token`` is written as one, None if it does not look like a time at all."""
    if token in ("noon", "midday", "12noon"):
        return time(12, 0)
    match = _TIME_COLON.match(token) or (_TIME_DOT.match(token) if dotted else None)
    if match:
        hour, minute, ampm = int(match.group(1)), match.group(2), match.group(3)
        if len(minute) != 2:
            raise WhenError(f"'{quote(token)}' is not a time: write the minutes with two digits, e.g. 9:05.")
        return _hour_minute(hour, int(minute), ampm, quote(token))
    match = _TIME_AMPM.match(token)
    if match:
        return _hour_minute(int(match.group(1)), 0, match.group(2), quote(token))
    return None


def _normalise(text: str) -> str:
    cleaned = " ".join(str(text or "").lower().replace(",", " ").split())
    # "2 pm" -> "2pm", "10.30 am" -> "10.30am", "2 p.m." -> "2pm"
    cleaned = re.sub(r"\b([ap])\.?m\.?(?=\s|$)", r"\1m", cleaned)
    return re.sub(r"(\d)\s+(am|pm)\b", r"\1\2", cleaned)


def parse_time(text: str) -> time:
    """'9:15', '09:15', '9.15', '9am', '2:30pm', 'noon' -> time; WhenError otherwise."""
    raw = _normalise(text)
    if not raw:
        raise WhenError("Enter a time, e.g. 9:15 or 2pm.")
    if raw.isdigit():
        raise WhenError(f"Add minutes or am/pm to '{quote(raw)}', e.g. {raw}:00 or {raw}am.")
    found = _time_token(raw.replace(" ", ""))
    if found is None:
        raise WhenError(f"'{quote(str(text).strip())}' is not a time I can read: type e.g. 9:15, 14:00 or 2pm.")
    return found


_DURATION = re.compile(
    r"^(?:(?P<h>\d{1,2})\s*(?:h|hr|hrs|hour|hours)\s*(?:(?P<hm>\d{1,3})\s*(?:m|min|mins|minute|minutes)?)?"
    r"|(?P<m>\d{1,3})\s*(?:m|min|mins|minute|minutes)?"
    r"|(?P<ch>\d{1,2}):(?P<cm>\d{2}))$")
MIN_MINUTES, MAX_MINUTES = 5, 240


def parse_duration(text: str) -> int:
    """'45', '45m', '45 min', '1h', '1h30', '1h 30m', '1:30' -> minutes (5 to 240)."""
    raw = " ".join(str(text or "").lower().split())
    if not raw:
        raise WhenError("Enter how long, in minutes (e.g. 45) or hours (e.g. 1h30).")
    match = _DURATION.match(raw)
    if not match:
        raise WhenError(f"'{quote(raw)}' is not a length I can read: type minutes (e.g. 45) or hours (e.g. 1h30).")
    if match.group("h") is not None:
        minutes = int(match.group("h")) * 60 + int(match.group("hm") or 0)
    elif match.group("m") is not None:
        minutes = int(match.group("m"))
    else:
        if int(match.group("cm")) > 59:
            raise WhenError(f"'{quote(raw)}' is not a length: minutes run from 00 to 59.")
        minutes = int(match.group("ch")) * 60 + int(match.group("cm"))
    if minutes < MIN_MINUTES:
        raise WhenError(f"A meeting lasts at least {MIN_MINUTES} minutes; '{quote(raw)}' is too short.")
    if minutes > MAX_MINUTES:
        raise WhenError(f"A meeting lasts at most 4 hours ({MAX_MINUTES} minutes); '{quote(raw)}' is too long.")
    return minutes


# ---------------------------------------------------------------- dates


def _month_number(word: str) -> int | None:
    global _PARSERINFO
    if not word.isalpha() or len(word) < 3 or word in _WEEKDAY_WORDS:
        return None
    if _PARSERINFO is None:
        from dateutil.parser import parserinfo

        _PARSERINFO = parserinfo(dayfirst=True)
    return _PARSERINFO.month(word)       # dateutil: jan, january, sept, ... -> 1 to 12, or None


def _check_day(day: int, month: int, year: int | None, shown: str) -> None:
    if not 1 <= month <= 12:
        raise WhenError(f"'{shown}': there is no month {month}. Dates are day/month, e.g. 24/11.")
    longest = 29 if month == 2 else calendar.monthrange(2001, month)[1]
    if day < 1 or day > longest:
        raise WhenError(f"{MONTHS[month - 1]} has no day {day}.")
    if year is not None and day > calendar.monthrange(year, month)[1]:
        raise WhenError(f"{MONTHS[month - 1]} {year} has no day {day}.")


def _resolve_year(day: int, month: int, year: int | None, today: date, shown: str) -> date:
    _check_day(day, month, year, shown)
    if year is not None:
        if not 2000 <= year <= 2099:
            raise WhenError(f"'{shown}': {year} is not a year I can book in.")
        return date(year, month, day)
    for candidate_year in (today.year, today.year + 1):
        if day <= calendar.monthrange(candidate_year, month)[1]:
            candidate = date(candidate_year, month, day)
            if candidate >= today:
                return candidate
    raise WhenError(f"February {today.year + 1} has no day 29: give the year, e.g. 29/02/2028.")


def _year_of(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def _date_part(tokens: list[str], today: date, shown: str) -> date | None:
    """The day meant by the date words (None when there are none)."""
    words = [t for t in tokens if t not in ("on", "at", "this", "the", "of")]
    if not words:
        return None
    if words[0] == "next" and len(words) == 2 and words[1] in _WEEKDAY_WORDS:
        wd = _WEEKDAY_WORDS[words[1]]
        soonest = today + relativedelta(days=+1, weekday=_RD_DAYS[wd](+1))
        later = soonest + timedelta(days=7)
        raise WhenError(f"'next {DAY_NAMES[wd]}' could mean {short_day(soonest)} or {short_day(later)}: "
                        f"type the date instead, e.g. {soonest.day}/{soonest.month} 10:30.")
    named_weekday: int | None = None
    if words[0] in _WEEKDAY_WORDS and len(words) > 1:
        named_weekday = _WEEKDAY_WORDS[words.pop(0)]
    day: date | None = None
    if len(words) == 1 and words[0] in ("today", "tod"):
        day = today
    elif len(words) == 1 and words[0] in ("tomorrow", "tomorow", "tmrw", "tmr", "tom"):
        day = today + timedelta(days=1)
    elif len(words) == 1 and words[0] in _WEEKDAY_WORDS:
        # The next such day, today included (dateutil: weekday=TU(+1) keeps today if it is Tuesday).
        day = today + relativedelta(weekday=_RD_DAYS[_WEEKDAY_WORDS[words[0]]](+1))
    elif len(words) == 1 and _NUM_DATE.match(words[0]):
        d, m, y = _NUM_DATE.match(words[0]).groups()
        day = _resolve_year(int(d), int(m), _year_of(y) if y else None, today, shown)
    else:
        # Written months: "24 nov", "24th november 2026", "nov 24".
        day_n = month_n = year_n = None
        rest = list(words)
        if len(rest) in (2, 3):
            first, second = rest[0], rest[1]
            if _DAY_ORD.match(first) and _month_number(second):
                day_n, month_n = int(_DAY_ORD.match(first).group(1)), _month_number(second)
            elif _month_number(first) and _DAY_ORD.match(second):
                day_n, month_n = int(_DAY_ORD.match(second).group(1)), _month_number(first)
            if day_n is not None and len(rest) == 3:
                if not _YEAR.match(rest[2]):
                    day_n = None
                else:
                    year_n = int(rest[2])
        if day_n is None:
            raise WhenError(f"'{shown}' is not a date and time I can read: type {_EXAMPLE}.")
        day = _resolve_year(day_n, month_n, year_n, today, shown)
    if named_weekday is not None and day.weekday() != named_weekday:
        raise WhenError(f"{day.day} {MONTHS[day.month - 1]} {day.year} is a {DAY_NAMES[day.weekday()]}, "
                        f"not a {DAY_NAMES[named_weekday]}: check the date.")
    return day


def parse_day(text: str, *, today: date, what: str = "date") -> date:
    """A day as people type it, the way meeting times read their date: "15/1" (its next
    occurrence on or after today), "15/01/2027", "2027-01-15", "fri", "tomorrow", "15 jan".
    Raises WhenError with a plain sentence."""
    from gatsby_tui.domain import dates

    raw = text.strip()
    shown = quote(raw)
    if not raw:
        raise WhenError(f"Type the {what}, e.g. 15/1 or 15/01/2027.")
    if re.match(r"^\d{4}-\d{2}-\d{2}$", raw) or re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", raw):
        try:
            return dates.parse_date(raw, what=what)
        except dates.DateError as e:
            raise WhenError(str(e)) from None
    tokens = raw.lower().replace(",", " ").split()
    try:
        day = _date_part(tokens, today, shown)
    except WhenError as e:
        if "is not a date and time" in str(e):
            raise WhenError(f"'{shown}' is not a {what} I can read: type e.g. 15/1, 15/01/2027, fri or "
                            "tomorrow.") from None
        raise
    if day is None:
        raise WhenError(f"Type the {what}, e.g. 15/1 or 15/01/2027.")
    return day


def parse_when(text: str, *, now: datetime) -> When:
    """Read what a person typed for when a meeting starts. Raises WhenError with one sentence."""
    raw = _normalise(text)
    shown = quote(str(text or "").strip())
    if not raw:
        raise WhenError(f"Type when, {_EXAMPLE}.")
    if raw in _NEXT_FREE:
        return When(None, True, "The next free slot")
    tokens = raw.split()
    # Find the time: colon or am/pm forms first; a dotted "10.30" is the time only when no other is.
    timed: list[int] = []
    dotted: list[int] = []
    for i, token in enumerate(tokens):
        if _TIME_COLON.match(token) or _TIME_AMPM.match(token) or token in ("noon", "midday"):
            timed.append(i)
        elif _TIME_DOT.match(token):
            dotted.append(i)
    if not timed and dotted:
        timed.append(dotted[-1])
    if len(timed) > 1:
        raise WhenError(f"'{shown}' has more than one time: type one, e.g. tue 10:30.")
    at: time | None = None
    if timed:
        at = _time_token(tokens[timed[0]])
        del tokens[timed[0]]
    elif not any(_month_number(t) for t in tokens):
        # "tue 10": a bare hour (a bare number is a day only beside a month name, "24 nov").
        bare = [t for t in tokens if t.isdigit() and len(t) <= 2]
        if bare:
            raise WhenError(f"Add minutes or am/pm to '{bare[-1]}', e.g. {bare[-1]}:00 or {bare[-1]}pm.")
    day = _date_part(tokens, now.date(), shown)
    if at is None:
        if day is None:
            raise WhenError(f"'{shown}' is not a date and time I can read: type {_EXAMPLE}.")
        raise WhenError(f"Add a time, e.g. {shown} 9:15.")
    start = datetime.combine(day or now.date(), at)
    return When(start, False, understood(start))
