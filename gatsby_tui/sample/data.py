"""The demo database: one invented 11-18 school, its advisers, pupils and bookings.

``build(path)`` makes a new database from schema.sql (through
``store.db.create_database``) and fills it. Everyone in it is invented: the
names are drawn from pools of common names of the communities found in English
schools, and no combination describes a real person.

Deterministic: the same code gives the same ``conn.iterdump()`` on every run.
A fixed seed drives one ``random.Random``, every stamp is derived from
REFERENCE_DAY (never the wall clock), and rows are inserted in a fixed order.
tests/test_sample_data.py rebuilds it and compares with the committed sample.db.

The story the data tells: Hollins Park Academy started using gatsby-tui on
Monday 16 November 2026 (REFERENCE_DAY). That morning the careers leader
imported the register from the school's MIS (current pupils and the last three
years' leavers) and the advisers' bookings from their old spreadsheet, so every
``created_at``, ``updated_at`` and audit stamp is on that day, while the
interview events keep the dates on which things happened (booked, held,
missed, cancelled). The independent adviser comes in on Tuesdays and Thursdays;
the rest of the autumn term is partly booked for the Year 11 guidance round.

Pupils go in through ``store.pupils.validate`` and ``insert_checked``, and
leavers are marked left through ``store.pupils.set_left``, so they are checked
and audited exactly as the app would do it. This module never imports Textual.
"""

from __future__ import annotations

import bisect
import random
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Sequence

from gatsby_tui.domain import names, schoolyear
from gatsby_tui.domain.upn import CHECK_LETTERS, check_letter
from gatsby_tui.sample import activities as sample_activities
from gatsby_tui.sample import records as sample_records
from gatsby_tui.sample import requests as sample_requests
from gatsby_tui.sample import send as sample_send
from gatsby_tui.sample.names import (CHINESE_ENGLISH_NAMES, CHOSEN_NAMES, CJK_PUPILS, COMMUNITIES, EAL_CHANCE,
                                    NICKNAMES, WEIGHTS)
from gatsby_tui.store import audit, pupils
from gatsby_tui.store.db import create_database, transaction

REFERENCE_DAY = date(2026, 11, 16)          # a Monday in the 2026/27 school year
SCHOOL_YEAR = schoolyear.school_year_of(REFERENCE_DAY)   # 2026
SEED = 20261116

IMPORT_STAMP = f"{REFERENCE_DAY.isoformat()}T08:30:00"     # the register import
LEAVERS_STAMP = f"{REFERENCE_DAY.isoformat()}T08:35:00"    # leavers marked as left
BOOKINGS_STAMP = f"{REFERENCE_DAY.isoformat()}T08:40:00"   # past bookings brought across
TODAY_STAMP = f"{REFERENCE_DAY.isoformat()}T09:15:00"      # this morning's new bookings

# ---------------------------------------------------------------- the school

SCHOOL = {
    "id": 1,
    "name": "Hollins Park Academy",
    "urn": "148627",
    "la_code": "801",
    "has_sixth_form": 1,
}
SCHOOL_ESTAB = "4127"                     # the school's own DfE establishment number
# Feeder primaries in the same LA, where most pupils' UPNs were allocated in Reception.
FEEDER_ESTABS = ("2004", "2011", "2036", "2047", "2109", "2153", "2218", "2287",
                 "2301", "3012", "3045", "3310")
# Pupils who started school elsewhere: (LA code, primary) pairs in other authorities.
OTHER_SCHOOLS = (("330", "2412"), ("316", "2067"), ("873", "3105"), ("936", "2233"),
                 ("352", "2098"), ("202", "2170"), ("886", "2645"), ("926", "3021"))

EXTERNAL_ADVISER = {
    "id": 1,
    "name": "Helen Marsh",
    "organisation": "Northway Careers Ltd",
    "kind": "external",
    "qualification_level": 6,
    "qualification": "Level 6 Diploma in Career Guidance and Development",
    "cdi_number": "CDI-104417",
    "email": "helen.marsh@northwaycareers.example",
    "active": 1,
}
INTERNAL_ADVISER = {
    "id": 2,
    "name": "Daniel Whitaker",
    "organisation": "Hollins Park Academy (careers leader)",
    "kind": "internal",
    "qualification_level": 7,
    "qualification": "Postgraduate Diploma in Career Guidance (QCG), Level 7",
    "cdi_number": "CDI-098236",
    "email": "d.whitaker@hollinspark.example",
    "active": 1,
}
DEFAULT_ADVISER_ID = EXTERNAL_ADVISER["id"]

# The external adviser's clinic: Tuesdays and Thursdays 09:00-15:00, 45-minute
# slots, lunch 12:00-12:45 (so 7 slots a day).
CLINIC_SLOTS = ("09:00", "09:45", "10:30", "11:15", "12:45", "13:30", "14:15")
# The careers leader sees sixth formers on Mondays, Wednesdays and Fridays.
INTERNAL_SLOTS = ("09:00", "10:00", "11:15", "13:30", "14:30")
PLACE = "Careers office"

FUTURE_FIRST = date(2026, 11, 17)
FUTURE_LAST = date(2026, 12, 18)

# 2026/27 holidays as clinic exceptions (applying to every adviser).
HOLIDAYS_2026 = (
    (date(2026, 10, 26), date(2026, 10, 30), "Autumn half term"),
    (date(2026, 12, 21), date(2027, 1, 1), "Christmas holidays"),
    (date(2027, 2, 15), date(2027, 2, 19), "February half term"),
    (date(2027, 3, 29), date(2027, 4, 9), "Easter holidays"),
    (date(2027, 5, 31), date(2027, 6, 4), "May half term"),
)

YEAR_FORMS = "ABCDEF"          # Years 7-11: 7A .. 7F
SIXTH_FORMS = "HKNW"           # Years 12-13: tutor groups 12H, 12K, ...


# ---------------------------------------------------------------- helpers


def _pick_weighted(rng: random.Random, weights: dict[str, int]) -> str:
    keys = list(weights)
    cumulative: list[int] = []
    total = 0
    for k in keys:
        total += weights[k]
        cumulative.append(total)
    return keys[bisect.bisect_right(cumulative, rng.random() * total)]


def _gendered(surname: str, gender: str) -> str:
    if "|" not in surname:
        return surname
    boy, girl = surname.split("|")
    return girl if gender == "F" else boy


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _dob_for(rng: random.Random, intake_year: int) -> date:
    """A date of birth that puts the pupil in Year 7 in ``intake_year``."""
    return _day_between(rng, date(intake_year - 12, 9, 1), date(intake_year - 11, 8, 31))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


@dataclass
class Person:
    """A pupil before validation, plus what the interviews need to know."""

    raw: dict[str, Any]
    intake_year: int
    left_on: date | None = None
    left_after_year: int | None = None      # 11 or 13 for leavers; None otherwise
    joined_in_year_12: bool = False
    pupil_id: int = 0
    sen: str = "N"
    rebook_at: datetime | None = None       # when a missed or cancelled meeting was rebooked


class Names:
    """Draws invented names, never repeating a special pupil's name."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def draw(self, gender: str | None) -> tuple[str, str, str | None, str]:
        """(legal forename, legal surname, preferred forename or None, community)"""
        rng = self.rng
        community = _pick_weighted(rng, WEIGHTS)
        pool = COMMUNITIES[community]
        sex = gender if gender in ("F", "M") else rng.choice("FM")
        # Second-generation families often choose a name from the English pool.
        forename_pool = pool
        if community != "english" and rng.random() < 0.12:
            forename_pool = COMMUNITIES["english"]
        forename = rng.choice(forename_pool[sex])
        surname = _gendered(rng.choice(pool["S"]), sex)
        if rng.random() < 0.03:
            # A double-barrelled surname joining two families: Smith-Okafor.
            other = _pick_weighted(rng, WEIGHTS)
            second = _gendered(rng.choice(COMMUNITIES[other]["S"]), sex)
            if " " not in second and " " not in surname and second != surname:
                surname = f"{surname}-{second}" if rng.random() < 0.5 else f"{second}-{surname}"
        if forename == "Nía" or "Ní Bhriain" in surname:
            surname = "Walsh"
        preferred: str | None = None
        if forename in NICKNAMES and rng.random() < 0.35:
            preferred = NICKNAMES[forename]
        elif community == "chinese" and rng.random() < 0.3:
            preferred = rng.choice(CHINESE_ENGLISH_NAMES[sex])
        if gender == "X" and rng.random() < 0.5:
            preferred = rng.choice(CHOSEN_NAMES)
        return forename, surname, preferred, community


class UPNs:
    """Valid, unique UPNs: LA code, establishment, allocation year, serial."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.serials: dict[tuple[str, str, str], int] = {}
        self.used: set[str] = set()

    def _make(self, la: str, estab: str, year: int, last: str | None = None) -> str:
        key = (la, estab, f"{year % 100:02d}")
        serial = self.serials.get(key, self.rng.randrange(0, 12)) + self.rng.randrange(1, 5)
        self.serials[key] = serial
        if serial > 999:
            raise RuntimeError(f"ran out of UPN serials for {key}")
        digits = f"{serial:03d}"
        if last is not None:                       # temporary UPN: letter in the last place
            digits = digits[1:] + last
        body = f"{la}{estab}{key[2]}{digits}"
        upn = check_letter(body) + body
        if upn in self.used:
            return self._make(la, estab, year, last)
        self.used.add(upn)
        return upn

    def permanent(self, intake_year: int, from_elsewhere: bool) -> str:
        """Allocated by the primary school in the pupil's Reception year."""
        reception = intake_year - 7
        if from_elsewhere:
            la, estab = self.rng.choice(OTHER_SCHOOLS)
        else:
            la, estab = SCHOOL["la_code"], self.rng.choice(FEEDER_ESTABS)
        return self._make(la, estab, reception)

    def temporary(self, allocated_in: int) -> str:
        """Allocated by this school for a new arrival whose UPN is not yet known."""
        letter = self.rng.choice(CHECK_LETTERS)
        return self._make(SCHOOL["la_code"], SCHOOL_ESTAB, allocated_in, last=letter)


def _flags(rng: random.Random, gender: str | None, community: str) -> dict[str, Any]:
    roll = rng.random()
    if gender == "M":
        k, e = 0.165, 0.065
    elif gender == "F":
        k, e = 0.095, 0.033
    else:
        k, e = 0.13, 0.045
    sen = "E" if roll < e else "K" if roll < e + k else "N"
    looked_after = rng.random() < 0.015
    pupil_premium = looked_after or rng.random() < 0.245
    young_carer = rng.random() < 0.02
    eal = rng.random() < EAL_CHANCE[community]
    return {"sen_status": sen, "pupil_premium": pupil_premium, "looked_after": looked_after,
            "young_carer": young_carer, "eal": eal}


def _gender(rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < 0.007:
        return "X"
    if roll < 0.015:
        return None
    return "F" if roll < 0.5075 else "M"


# ---------------------------------------------------------------- pupils


def _people(rng: random.Random) -> list[Person]:
    drawer = Names(rng)
    upns = UPNs(rng)
    people: list[Person] = []

    def person(intake_year: int, *, year_group: int | None, form: str | None,
               consent_possible: bool, dob: date | None = None, from_elsewhere: bool = False,
               temporary: bool = False) -> Person:
        gender = _gender(rng)
        forename, surname, preferred, community = drawer.draw(gender)
        flags = _flags(rng, gender, community)
        if temporary:
            flags["eal"] = True
        dob = dob or _dob_for(rng, intake_year)
        if temporary:
            upn = upns.temporary(SCHOOL_YEAR)
        else:
            upn = upns.permanent(intake_year, from_elsewhere or (flags["eal"] and rng.random() < 0.4))
        raw = {
            "upn": upn,
            "legal_forename": forename,
            "legal_surname": surname,
            "preferred_forename": preferred or "",
            "dob": dob.strftime("%d/%m/%Y"),
            "gender": gender or "",
            "year_group": "" if year_group is None else str(year_group),
            "form": form or "",
            **flags,
            "destination_consent": consent_possible and rng.random() < 0.92,
        }
        return Person(raw=raw, intake_year=intake_year, sen=flags["sen_status"])

    # Pupils on roll, Years 7-13.
    for year in range(7, 14):
        intake = schoolyear.intake_year_for(year, SCHOOL_YEAR)
        size = rng.randrange(164, 178) if year <= 11 else rng.randrange(84, 96)
        letters = YEAR_FORMS if year <= 11 else SIXTH_FORMS
        # About 1% taught out of their age group: one or two in each year.
        out_of_age_group = rng.sample(range(size), 2 if year in (8, 10) else 1)
        for i in range(size):
            form = f"{year}{letters[i % len(letters)]}"
            joined_12 = year >= 12 and rng.random() < 0.15
            out_of_age = i in out_of_age_group
            dob = None
            if out_of_age:
                # Taught out of age group: mostly summer-born pupils a year behind their
                # age group, now and then one a year ahead.
                if rng.random() < 0.75:
                    dob = date(intake - 12, rng.randrange(4, 9), rng.randrange(1, 29))
                else:
                    dob = _dob_for(rng, intake + 1)
            temporary = year <= 10 and rng.random() < 0.008
            p = person(intake, year_group=year, form=form, consent_possible=year >= 11, dob=dob,
                       from_elsewhere=joined_12, temporary=temporary)
            p.joined_in_year_12 = joined_12
            if joined_12:   # the MIS export's Entry Date: the start of their Year 12
                p.raw["date_of_entry"] = date(intake + 5, 9, 3).strftime("%d/%m/%Y")
            people.append(p)

    # Leavers: Year 11 and Year 13 leavers of the last three school years.
    for leaving_year in (SCHOOL_YEAR - 3, SCHOOL_YEAR - 2, SCHOOL_YEAR - 1):
        left_on = _last_day_of_summer_term(leaving_year + 1)
        for after_year, count in ((11, rng.randrange(42, 50)), (13, rng.randrange(30, 38))):
            intake = schoolyear.intake_year_for(after_year, leaving_year)
            for _ in range(count):
                p = person(intake, year_group=None, form=None, consent_possible=True)
                p.left_on = left_on
                p.left_after_year = after_year
                p.joined_in_year_12 = after_year == 13 and rng.random() < 0.15
                if p.joined_in_year_12:
                    p.raw["date_of_entry"] = date(intake + 5, 9, 3).strftime("%d/%m/%Y")
                people.append(p)

    # A few pupils who moved away during Years 8-10.
    for year, left_on in ((8, date(2025, 12, 19)), (9, date(2026, 2, 27)), (10, date(2026, 10, 9)),
                          (9, date(2026, 6, 12))):
        sy = schoolyear.school_year_of(left_on)
        intake = schoolyear.intake_year_for(year, sy)
        p = person(intake, year_group=None, form=None, consent_possible=False)
        p.left_on = left_on
        people.append(p)

    # Named pupils the tests and the README rely on.
    special = person(schoolyear.intake_year_for(10, SCHOOL_YEAR), year_group=10, form="10C",
                     consent_possible=False)
    special.raw.update(legal_forename="Siobhán", legal_surname="O'Brien-Ní Bhriain",
                       preferred_forename="", gender="F", dob="14/03/2012")
    people.append(special)
    nia = person(schoolyear.intake_year_for(8, SCHOOL_YEAR), year_group=8, form="8D",
                 consent_possible=False)
    nia.raw.update(legal_forename="Nía", legal_surname="Fernández Ruiz", preferred_forename="",
                   gender="F", dob="02/07/2014", eal=True)
    people.append(nia)
    for surname, forename, preferred, gender in CJK_PUPILS:
        year = 7 + rng.randrange(5)
        intake = schoolyear.intake_year_for(year, SCHOOL_YEAR)
        p = person(intake, year_group=year, form=f"{year}{rng.choice(YEAR_FORMS)}",
                   consent_possible=year >= 11, from_elsewhere=True)
        p.raw.update(legal_forename=forename, legal_surname=surname, preferred_forename=preferred,
                     gender=gender, eal=True)
        if year >= 8:    # arrived from abroad at the start of last school year
            p.raw["date_of_entry"] = date(SCHOOL_YEAR - 1, 9, 8).strftime("%d/%m/%Y")
        people.append(p)
    return people


def _last_day_of_summer_term(year: int) -> date:
    """The Friday on or before 22 July: the usual end of the summer term."""
    day = date(year, 7, 22)
    return day - timedelta(days=(day.weekday() - 4) % 7)


def _insert_pupils(conn: sqlite3.Connection, people: list[Person]) -> None:
    checked = [(pupils.validate(p.raw, today=REFERENCE_DAY), p) for p in people]
    # Insert in register order (year group, then name), as an MIS export lists them.
    checked.sort(key=lambda cp: (-cp[0].values["intake_year"],
                                 names.sort_name(cp[0].values["legal_surname"], cp[0].values["legal_forename"]),
                                 cp[0].values["upn"]))
    with transaction(conn):
        for c, p in checked:
            p.pupil_id = pupils.insert_checked(conn, c, stamp=IMPORT_STAMP, today=REFERENCE_DAY,
                                               adviser_id=INTERNAL_ADVISER["id"])
            p.intake_year = c.values["intake_year"]
    people.sort(key=lambda p: p.pupil_id)
    for p in people:
        if p.left_on is not None:
            pupils.set_left(conn, p.pupil_id, p.left_on, stamp=LEAVERS_STAMP,
                            adviser_id=INTERNAL_ADVISER["id"])


# ---------------------------------------------------------------- interviews


def _holidays(sy: int) -> list[tuple[date, date]]:
    if sy == 2026:
        return [(a, b) for a, b, _ in HOLIDAYS_2026]
    return [(date(sy, 10, 24), date(sy, 11, 1)), (date(sy, 12, 19), date(sy + 1, 1, 5)),
            (date(sy + 1, 2, 14), date(sy + 1, 2, 22)), (date(sy + 1, 3, 28), date(sy + 1, 4, 13)),
            (date(sy + 1, 5, 24), date(sy + 1, 6, 1))]


def _school_days(first: date, last: date, weekdays: Sequence[int]) -> list[date]:
    """Term-time days between ``first`` and ``last`` on the given weekdays (Monday = 0)."""
    out = []
    day = first
    while day <= last:
        sy = schoolyear.school_year_of(day)
        in_term = date(sy, 9, 3) <= day <= date(sy + 1, 7, 20)
        if in_term and day.weekday() in weekdays and not any(a <= day <= b for a, b in _holidays(sy)):
            out.append(day)
        day += timedelta(days=1)
    return out


@dataclass
class Booking:
    pupil: Person
    adviser_id: int
    start: datetime
    minutes: int
    kind: str
    reason: str
    status: str = "booked"
    status_note: str | None = None
    place: str = PLACE
    mode: str = "in_person"
    events: list[tuple[str, str, str | None]] = field(default_factory=list)   # (at, event, note)


class Diary:
    """Who is busy when: no adviser and no pupil is ever in two places at once."""

    def __init__(self) -> None:
        self.busy: dict[tuple[str, int, date], list[tuple[datetime, datetime]]] = {}

    def free(self, who: tuple[str, int], start: datetime, end: datetime) -> bool:
        return all(end <= s or start >= e for s, e in self.busy.get((*who, start.date()), []))

    def take(self, who: tuple[str, int], start: datetime, end: datetime) -> None:
        self.busy.setdefault((*who, start.date()), []).append((start, end))


REASONS = {
    11: ("Post-16 options", "Post-16 options", "Post-16 options: sixth form or college",
         "Apprenticeship interest", "Referral from head of year", "Unsure about next steps"),
    12: ("Checking in after the move into Year 12", "Thinking about university",
         "Apprenticeship interest", "Referral from head of sixth form"),
    13: ("Next steps after sixth form", "UCAS application", "Degree apprenticeship applications",
         "Gap year plans", "Employment after Year 13"),
}
CANCEL_NOTES = ("Pupil absent (ill)", "Clashes with a mock exam", "School trip",
                "Pupil asked to rearrange", "Adviser unwell", "Fire drill overran")


class Scheduler:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.diary = Diary()
        self.bookings: list[Booking] = []

    def _booked_at(self, start: datetime) -> datetime:
        """When a booking was made: a few school days before it, in working hours."""
        day = start.date() - timedelta(days=self.rng.randrange(4, 16))
        day = max(day, date(schoolyear.school_year_of(start.date()), 9, 1))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return datetime(day.year, day.month, day.day, 8 + self.rng.randrange(8), 5 * self.rng.randrange(12))

    def round(self, people: list[Person], *, adviser_id: int, days: list[date], slots: Sequence[str],
              minutes: int, kind: str, reasons: Sequence[str], fill: float, outcomes: bool,
              place: str = PLACE, booked_at: datetime | None = None,
              retry_list: list[Person] | None = None) -> list[Person]:
        """Book ``people`` into free slots in order. With ``outcomes`` (the past) each meeting is
        held, missed or cancelled; missed and cancelled ones are rebooked a little later.
        Returns the people for whom no slot was left."""
        rng = self.rng
        queue = list(people)
        attempts: dict[int, int] = {}
        for day in days:
            for slot in slots:
                if not queue:
                    return []
                if rng.random() > fill:
                    continue
                hour, minute = (int(x) for x in slot.split(":"))
                start = datetime(day.year, day.month, day.day, hour, minute)
                end = start + timedelta(minutes=minutes)
                if not self.diary.free(("adviser", adviser_id), start, end):
                    continue
                pick = None
                for i, p in enumerate(queue[:5]):
                    if self.diary.free(("pupil", p.pupil_id), start, end) and \
                            (p.left_on is None or start.date() < p.left_on):
                        pick = i
                        break
                if pick is None:
                    continue
                person = queue.pop(pick)
                b = Booking(person, adviser_id, start, minutes, kind, rng.choice(reasons), place=place)
                made = booked_at or self._booked_at(start)
                if person.rebook_at is not None and person.rebook_at < start:
                    made = person.rebook_at
                person.rebook_at = None
                b.events.append((_stamp(made), "booked", None))
                self.diary.take(("adviser", adviser_id), start, end)
                self.diary.take(("pupil", person.pupil_id), start, end)
                self.bookings.append(b)
                if not outcomes:
                    continue
                roll = rng.random()
                n = attempts.get(person.pupil_id, 0)
                if roll < 0.07 and n < 2:
                    b.status = "did_not_attend"
                    at = start + timedelta(minutes=15)
                    b.events.append((_stamp(at), "did_not_attend", None))
                elif roll < 0.12 and n < 2:
                    b.status = "cancelled"
                    b.status_note = rng.choice(CANCEL_NOTES)
                    at = datetime(start.year, start.month, start.day, 8, 5 * rng.randrange(1, 10))
                    if b.status_note == "Pupil asked to rearrange" or b.status_note == "School trip":
                        prior = start.date() - timedelta(days=rng.randrange(1, 4))
                        at = datetime(prior.year, prior.month, prior.day, 15, 5 * rng.randrange(12))
                    if at.strftime("%Y-%m-%dT%H:%M:%S") <= b.events[0][0]:
                        at = start - timedelta(minutes=30)
                    b.events.append((_stamp(at), "cancelled", b.status_note))
                else:
                    b.status = "held"
                    b.events.append((_stamp(start + timedelta(minutes=minutes)), "held", None))
                    continue
                attempts[person.pupil_id] = n + 1
                person.rebook_at = datetime.fromisoformat(b.events[-1][0]) + timedelta(minutes=10)
                if retry_list is not None and rng.random() < 0.5:
                    retry_list.append(person)
                else:
                    queue.insert(min(len(queue), rng.randrange(6, 25)), person)
        return queue


def _cohort(people: list[Person], intake: int, *, in_year: int, sy: int) -> list[Person]:
    """Pupils of one intake who were on roll (and in the school) in year ``in_year`` of ``sy``."""
    out = []
    for p in people:
        if p.intake_year != intake:
            continue
        if p.left_on is not None and p.left_on < date(sy, 9, 1):
            continue
        if p.left_after_year is not None and p.left_after_year < in_year:
            continue
        if p.joined_in_year_12 and in_year < 12:
            continue
        out.append(p)
    return out


def _schedule(rng: random.Random, people: list[Person]) -> list[Booking]:
    s = Scheduler(rng)
    ext, internal = EXTERNAL_ADVISER["id"], INTERNAL_ADVISER["id"]
    tue_thu, mon_wed_fri = (1, 3), (0, 2, 4)
    past_last = REFERENCE_DAY - timedelta(days=1)

    def shuffled(group: list[Person]) -> list[Person]:
        group = list(group)
        rng.shuffle(group)
        return group

    # Earlier years: the Year 11 round (external adviser, autumn to early spring), the Year 13
    # round (careers leader, autumn) and a few Year 12 check-ins (spring).
    for sy in (SCHOOL_YEAR - 3, SCHOOL_YEAR - 2, SCHOOL_YEAR - 1):
        y11 = shuffled(_cohort(people, schoolyear.intake_year_for(11, sy), in_year=11, sy=sy))
        seen = y11[: int(len(y11) * 0.86)]
        s.round(seen, adviser_id=ext, days=_school_days(date(sy, 9, 15), date(sy + 1, 3, 20), tue_thu),
                slots=CLINIC_SLOTS, minutes=45, kind="guidance", reasons=REASONS[11], fill=0.8,
                outcomes=True)
        y13 = shuffled(_cohort(people, schoolyear.intake_year_for(13, sy), in_year=13, sy=sy))
        s.round(y13[: int(len(y13) * 0.7)], adviser_id=internal,
                days=_school_days(date(sy, 9, 10), date(sy, 12, 18), mon_wed_fri),
                slots=INTERNAL_SLOTS, minutes=45, kind="guidance", reasons=REASONS[13], fill=0.7,
                outcomes=True)
        y12 = shuffled(_cohort(people, schoolyear.intake_year_for(12, sy), in_year=12, sy=sy))
        s.round(y12[: int(len(y12) * 0.2)], adviser_id=internal,
                days=_school_days(date(sy + 1, 1, 12), date(sy + 1, 3, 20), mon_wed_fri),
                slots=INTERNAL_SLOTS, minutes=30, kind="follow_up", reasons=REASONS[12], fill=0.5,
                outcomes=True)

    # This autumn: about 60% of Year 11 seen so far by the external adviser, the rest booked
    # into the clinic until the end of term (leaving some slots free), the missed ones first.
    sy = SCHOOL_YEAR
    y11 = shuffled(_cohort(people, schoolyear.intake_year_for(11, sy), in_year=11, sy=sy))
    cut = int(len(y11) * 0.66)
    retry: list[Person] = []
    left_over = s.round(y11[:cut], adviser_id=ext,
                        days=_school_days(date(sy, 9, 8), past_last, tue_thu), slots=CLINIC_SLOTS,
                        minutes=45, kind="guidance", reasons=REASONS[11], fill=0.95, outcomes=True,
                        retry_list=retry)
    future_days = _school_days(FUTURE_FIRST, FUTURE_LAST, tue_thu)
    waiting = retry + left_over + y11[cut:]
    booked_now = datetime(REFERENCE_DAY.year, REFERENCE_DAY.month, REFERENCE_DAY.day, 9, 15)
    s.round(waiting[: int(len(waiting) * 0.75)], adviser_id=ext, days=future_days, slots=CLINIC_SLOTS,
            minutes=45, kind="guidance", reasons=REASONS[11], fill=0.72, outcomes=False,
            booked_at=booked_now)

    # Year 13 this autumn: the careers leader, partly seen, some booked on Tuesday and
    # Thursday afternoons before Christmas.
    y13 = shuffled(_cohort(people, schoolyear.intake_year_for(13, sy), in_year=13, sy=sy))
    cut = int(len(y13) * 0.45)
    s.round(y13[:cut], adviser_id=internal, days=_school_days(date(sy, 9, 9), past_last, mon_wed_fri),
            slots=INTERNAL_SLOTS, minutes=45, kind="guidance", reasons=REASONS[13], fill=0.7,
            outcomes=True)
    s.round(y13[cut: cut + 18], adviser_id=internal, days=future_days, slots=("13:30", "14:15"),
            minutes=45, kind="guidance", reasons=REASONS[13], fill=0.9, outcomes=False,
            booked_at=booked_now)

    # EHCP annual reviews (from Year 9 they focus on preparing for adulthood).
    for sy in (SCHOOL_YEAR - 1, SCHOOL_YEAR):
        ehcp = [p for g in range(9, 14)
                for p in _cohort(people, schoolyear.intake_year_for(g, sy), in_year=g, sy=sy)
                if p.sen == "E"]
        ehcp = shuffled(ehcp)
        if sy < SCHOOL_YEAR:
            s.round(ehcp, adviser_id=internal,
                    days=_school_days(date(sy, 9, 20), date(sy + 1, 7, 10), (1, 3)),
                    slots=("09:00", "13:30"), minutes=60, kind="ehcp_review",
                    reasons=("EHCP annual review: preparing for adulthood",), fill=0.35,
                    outcomes=True, place="SENCO office")
        else:
            done = len(ehcp) // 3
            s.round(ehcp[:done], adviser_id=internal,
                    days=_school_days(date(sy, 9, 15), past_last, (1, 3)), slots=("09:00", "13:30"),
                    minutes=60, kind="ehcp_review",
                    reasons=("EHCP annual review: preparing for adulthood",), fill=0.6,
                    outcomes=True, place="SENCO office")
            s.round(ehcp[done: done + 8], adviser_id=internal, days=future_days, slots=("09:00",),
                    minutes=60, kind="ehcp_review",
                    reasons=("EHCP annual review: preparing for adulthood",), fill=0.8,
                    outcomes=False, booked_at=booked_now, place="SENCO office")
    return s.bookings


def _insert_interviews(conn: sqlite3.Connection, bookings: list[Booking]) -> None:
    bookings.sort(key=lambda b: (b.start, b.adviser_id, b.pupil.pupil_id))
    with transaction(conn):
        for number, b in enumerate(bookings, start=1):
            future = b.status == "booked"
            stamp = TODAY_STAMP if future else BOOKINGS_STAMP
            row = {
                "uid": f"interview-{number}@gatsby-tui",
                "pupil_id": b.pupil.pupil_id,
                "adviser_id": b.adviser_id,
                "starts_at": _minute(b.start),
                "ends_at": _minute(b.start + timedelta(minutes=b.minutes)),
                "mode": b.mode,
                "place": b.place,
                "kind": b.kind,
                "reason": b.reason,
                "status": b.status,
                "status_note": b.status_note,
                "created_at": stamp,
                "updated_at": stamp,
            }
            cols = ", ".join(row)
            marks = ", ".join(f":{k}" for k in row)
            conn.execute(f"INSERT INTO interviews (id, {cols}) VALUES ({number}, {marks})", row)
            for at, event, note in b.events:
                conn.execute(
                    "INSERT INTO interview_events (interview_id, at, event, from_start, to_start, note, adviser_id) "
                    "VALUES (?, ?, ?, NULL, ?, ?, ?)",
                    (number, at, event, row["starts_at"] if event == "booked" else None, note, b.adviser_id))
            audit.write(conn, at=stamp, adviser_id=b.adviser_id, action="insert", table="interviews",
                        row_id=number, pupil_id=b.pupil.pupil_id, after=row)


# ---------------------------------------------------------------- the whole database


def _insert_setup(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        conn.execute("INSERT INTO schools (id, name, urn, la_code, has_sixth_form) "
                     "VALUES (:id, :name, :urn, :la_code, :has_sixth_form)", SCHOOL)
        for adviser in (EXTERNAL_ADVISER, INTERNAL_ADVISER):
            cols = ", ".join(adviser)
            conn.execute(f"INSERT INTO advisers ({cols}) VALUES ({', '.join(':' + k for k in adviser)})",
                         adviser)
            audit.write(conn, at=IMPORT_STAMP, adviser_id=INTERNAL_ADVISER["id"], action="insert",
                        table="advisers", row_id=adviser["id"], pupil_id=None,
                        after={k: v for k, v in adviser.items() if k != "id"})
        conn.execute("INSERT INTO settings (key, value) VALUES ('current_adviser_id', ?)",
                     (str(DEFAULT_ADVISER_ID),))
        conn.execute(
            "INSERT INTO clinic_hours (id, adviser_id, rrule, valid_from, valid_until, start_time, end_time, "
            "slot_minutes, break_start, break_end, place, school_id) "
            "VALUES (1, ?, 'FREQ=WEEKLY;BYDAY=TU,TH', '2026-09-01', '2027-07-23', '09:00', '15:00', 45, "
            "'12:00', '12:45', ?, 1)", (EXTERNAL_ADVISER["id"], PLACE))
        # The careers leader's own drop-in: Wednesday afternoons, 30-minute slots.
        conn.execute(
            "INSERT INTO clinic_hours (id, adviser_id, rrule, valid_from, valid_until, start_time, end_time, "
            "slot_minutes, break_start, break_end, place, school_id) "
            "VALUES (2, ?, 'FREQ=WEEKLY;BYDAY=WE', '2026-09-01', '2027-07-23', '13:00', '16:00', 30, "
            "NULL, NULL, 'Room 12 (careers library)', 1)", (INTERNAL_ADVISER["id"],))
        for first, last, reason in HOLIDAYS_2026:
            conn.execute("INSERT INTO clinic_exceptions (adviser_id, first_day, last_day, reason) "
                         "VALUES (NULL, ?, ?, ?)", (first.isoformat(), last.isoformat(), reason))


def build(path: Path) -> None:
    """Create the demo database at ``path`` (which must not exist yet) and fill it."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} already exists: build the demo database into a new file.")
    rng = random.Random(SEED)
    conn = create_database(path)
    try:
        conn.execute("PRAGMA synchronous = OFF")   # a new file nobody else uses yet
        _insert_setup(conn)
        people = _people(rng)
        _insert_pupils(conn, people)
        _insert_interviews(conn, _schedule(rng, people))
        sample_records.add_records(conn, reference_day=REFERENCE_DAY)
        sample_activities.add_activities(conn, reference_day=REFERENCE_DAY)
        sample_send.add_send(conn, reference_day=REFERENCE_DAY)
        sample_requests.add_requests(conn, reference_day=REFERENCE_DAY)
        conn.execute("VACUUM")
    finally:
        conn.close()
