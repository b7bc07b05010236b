"""Retention: when a leaver's record may be removed (DOMAIN.md, Data protection). Pure rules, no I/O.

Decisions, written down in one place (store/retention.py and the screen follow them):

* Only pupils who have left (a leaving date on or before today) are ever candidates. A pupil on
  roll is never past retention, however old the record.
* Three periods, in whole years, configurable (settings ``retention_years_record``,
  ``retention_years_send``, ``retention_years_destinations``), defaults from the school retention
  guidance in DOMAIN.md:
    - the pupil record: RECORD_YEARS (25) from the date of birth, for every pupil;
    - the SEN file: SEND_YEARS (31) from the date of birth, for a pupil with SEN status K (SEN
      support) or E (EHCP), or with an individual plan;
    - destinations: DESTINATION_YEARS (3) from the end of Year 11 (31 August of the school year
      the pupil was in Year 11), or from the day they left when that is later (the 1-, 2- and
      3-year destination checks run from the leaving date), so the minimum in DOMAIN.md, "at
      least 3 years from the end of Year 11", always holds.
  A record is kept until the latest of the periods that apply to it has run; that one is "the
  reason" shown in words ("SEN file: 31 years from birth, until 14/03/2043").
* "N years from" a date ends on the same day N years later: on their 25th birthday a pupil's
  record has been kept 25 years, and it may be removed from that day. A 29 February falls on
  1 March in a year without one (the day a person born on 29 February reaches an age in UK law,
  and what SQLite's ``date(d, '+N years')`` gives, so the store's SQL filter and these rules agree).
* Removing a record is always a deliberate, confirmed action (the screen asks the adviser to type
  ERASE or PSEUDONYMISE); nothing is removed automatically.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

RECORD_YEARS = 25
SEND_YEARS = 31
DESTINATION_YEARS = 3

# (setting key, Policy field, default, words for a form and messages)
SETTINGS: tuple[tuple[str, str, int, str], ...] = (
    ("retention_years_record", "record_years", RECORD_YEARS, "pupil record, years from birth"),
    ("retention_years_send", "send_years", SEND_YEARS, "SEN file, years from birth"),
    ("retention_years_destinations", "destination_years", DESTINATION_YEARS,
     "destinations, years after Year 11"),
)
MIN_YEARS = 1
MAX_YEARS = 100

SEN_STATUSES = ("K", "E")      # SEN support, EHCP: an SEN file is kept


def _years(n: int) -> str:
    return f"{n} year{'s' if n != 1 else ''}"


class PolicyError(ValueError):
    """A retention period that cannot be used; the message says what to type."""


@dataclass(frozen=True)
class Policy:
    record_years: int = RECORD_YEARS
    send_years: int = SEND_YEARS
    destination_years: int = DESTINATION_YEARS

    def words(self) -> str:
        return (f"pupil records {_years(self.record_years)} from birth; SEN files {_years(self.send_years)} from "
                f"birth; destinations {_years(self.destination_years)} after Year 11 (or after leaving, if later)")

    def shorter_than_guidance(self) -> list[str]:
        """Each period set shorter than DOMAIN.md's guidance, in words (a warning, not a refusal)."""
        out = []
        for _, name, default, words in SETTINGS:
            if getattr(self, name) < default:
                out.append(f"{words.split(',')[0]} {_years(getattr(self, name))} (guidance: {default})")
        return out

    def as_settings(self) -> dict[str, str]:
        return {key: str(getattr(self, name)) for key, name, _, _ in SETTINGS}


def parse_years(text: Any, what: str) -> int:
    raw = str(text if text is not None else "").strip()
    if not raw:
        raise PolicyError(f"Enter the {what} as a whole number of years, e.g. 25.")
    if not raw.isdigit():
        raise PolicyError(f"The {what} is a whole number of years ({MIN_YEARS} to {MAX_YEARS}), "
                          f"not '{raw[:20]}'.")
    years = int(raw)
    if not MIN_YEARS <= years <= MAX_YEARS:
        raise PolicyError(f"The {what} must be {MIN_YEARS} to {MAX_YEARS} years, not {years}.")
    return years


def policy_from(values: Mapping[str, Any]) -> Policy:
    """A Policy from a form's values (keyed by Policy field); PolicyError names the first bad one."""
    return Policy(**{name: parse_years(values.get(name), words) for _, name, _, words in SETTINGS})


def policy_from_settings(stored: Mapping[str, str | None]) -> Policy:
    """The policy in the settings table; a missing or unreadable value is the default."""
    values = {}
    for key, name, default, words in SETTINGS:
        try:
            values[name] = parse_years(stored.get(key), words)
        except PolicyError:
            values[name] = default
    return Policy(**values)


# ---------------------------------------------------------------- dates


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 1 March in a year without one."""
    year = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return day.replace(year=year)


def end_of_year_11(intake_year: int) -> date:
    """31 August of the school year the pupil is in Year 11 (they start Year 7 in ``intake_year``)."""
    return date(intake_year + 5, 8, 31)


# ---------------------------------------------------------------- the rule


@dataclass(frozen=True)
class Period:
    kind: str        # 'record', 'send', 'destinations'
    years: int
    since: date      # what the years count from
    until: date      # the day the period has run (removable from that day)
    source: str      # 'birth', 'year11', 'leaving'

    def words(self) -> str:
        from gatsby_tui.domain import dates

        what = {"record": "Pupil record", "send": "SEN file", "destinations": "Destinations"}[self.kind]
        start = {"birth": "from birth", "year11": "after Year 11", "leaving": "after leaving"}[self.source]
        return f"{what}: {_years(self.years)} {start}, until {dates.uk(self.until)}"


@dataclass(frozen=True)
class Retention:
    periods: tuple[Period, ...]

    @property
    def reason(self) -> Period:
        """The period that runs longest: the one that decides (the first listed on a tie)."""
        return max(self.periods, key=lambda p: p.until)

    @property
    def until(self) -> date:
        return self.reason.until

    def words(self) -> str:
        return self.reason.words()


def keeps_send_file(sen_status: str | None, has_plan: bool) -> bool:
    return (sen_status or "N") in SEN_STATUSES or bool(has_plan)


def retention(*, dob: date, sen_status: str | None, has_plan: bool, intake_year: int, date_left: date | None,
              policy: Policy) -> Retention:
    """Every period that applies to the pupil, and so the day their record may be removed."""
    periods = [Period("record", policy.record_years, dob, years_after(dob, policy.record_years), "birth")]
    if keeps_send_file(sen_status, has_plan):
        periods.append(Period("send", policy.send_years, dob, years_after(dob, policy.send_years), "birth"))
    if date_left is not None:
        year11 = end_of_year_11(intake_year)
        since, source = (date_left, "leaving") if date_left > year11 else (year11, "year11")
        periods.append(Period("destinations", policy.destination_years, since,
                              years_after(since, policy.destination_years), source))
    return Retention(tuple(periods))


def has_left(date_left: date | None, today: date) -> bool:
    return date_left is not None and date_left <= today


def is_past(*, dob: date, sen_status: str | None, has_plan: bool, intake_year: int, date_left: date | None,
            policy: Policy, today: date) -> bool:
    """True when the pupil has left and every period that applies to them has run by ``today``."""
    if not has_left(date_left, today):
        return False
    return retention(dob=dob, sen_status=sen_status, has_plan=has_plan, intake_year=intake_year,
                     date_left=date_left, policy=policy).until <= today


def born_by(today: date, policy: Policy) -> date:
    """No pupil born after this day can be past retention on ``today`` (every record is kept at
    least ``record_years`` from birth): a bound the store's SQL filters on first. Two days of
    slack cover 29 February either way."""
    from datetime import timedelta

    back = today.year - policy.record_years
    day = min(today.day, calendar.monthrange(back, today.month)[1])
    return date(back, today.month, day) + timedelta(days=2)
