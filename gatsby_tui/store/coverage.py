"""Benchmark coverage: per pupil (with the evidence) and for the whole cohort. No Textual.

The rules are in domain/benchmarks.py. This module gathers what they need:

* ``pupil_coverage``: one pupil's evidence (activities, guidance meetings, signed-off
  records, destinations, copies given, the programme for their year group), assessed by
  ``benchmarks.assess_pupil``.
* ``facts``: the same facts for MANY pupils at once, read from the coverage facts (one row per
  pupil with the day each piece of evidence was there, kept with the records:
  store/coverage_facts.py) as at the day asked about; never a pass over attendances.
  tests/test_coverage.py holds these equal to ``benchmarks.facts_from`` applied to each pupil's
  evidence.
* ``cohort``: every pupil on roll in Years 7-13 assessed from those facts, counted per year
  group and by SEN status, pupil premium, looked after and gender. The pupils are counted in SQL
  by year group, breakdown and facts, and each distinct set is assessed once.

Guidance meetings are counted as store/history.py's ``guidance_meetings_until`` counts them
(held guidance/follow-up interviews plus signed-off records of unplanned conversations), and
only with advisers recorded at Level 6 or above (see domain/benchmarks.py for an adviser with
no recorded level: not counted).

When a pupil joined: from their date of entry (pupils.date_of_entry: an MIS column in the
import, or set by hand in the pupil form). With none, the pupil is held to every year from
Year 7: nothing is waived without a known date (benchmarks.joined_year_group).

Provider access in Years 12-13 counts encounters OFFERED: those held for the pupil's year group
(someone of the same intake year took part: activity_intakes), worked out once per intake year.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.domain import dates, names, schoolyear
from gatsby_tui.store import coverage_facts as cf
from gatsby_tui.store.db import StoreError
from gatsby_tui.store.history import GUIDANCE_KIND

YEARS = tuple(range(7, 14))
_PAL = ", ".join(f"'{k}'" for k in rules.PAL_KINDS)


# The school year of an ISO date, in SQL (September starts a new one).
def _sy(col: str) -> str:
    return f"(CAST(substr({col}, 1, 4) AS INTEGER) - (substr({col}, 6, 2) < '09'))"


def _day(day: date) -> int:
    """A day as the coverage facts keep days: the integer YYYYMMDD."""
    return day.year * 10000 + day.month * 100 + day.day


PUPIL_COLUMNS = ("p.id, p.upn, p.intake_year, p.date_of_entry, p.date_left, p.sen_status, p.pupil_premium, p.looked_after, "
                 "p.gender, p.legal_surname, p.legal_forename, p.preferred_forename, p.form, p.sort_name")


@dataclass(frozen=True)
class PupilFacts:
    pupil_id: int
    pupil: rules.Pupil
    facts: rules.Facts
    sen: str
    pupil_premium: int
    looked_after: int
    gender: str | None
    name: str
    form: str | None
    sort_name: str
    upn: str = ""
    surname: str = ""
    forename: str = ""          # the name they go by: preferred, else legal


def _pupil(row: sqlite3.Row) -> rules.Pupil:
    return rules.Pupil(row["intake_year"],
                       rules.joined_year_group(row["intake_year"], dates.from_iso(row["date_of_entry"])),
                       dates.from_iso(row["date_left"]))


def year_group_offers(conn: sqlite3.Connection, today: date) -> dict[int, int]:
    """Intake year -> provider-access encounters offered to that year group in Years 12-13 by
    ``today`` (held for it: someone of the intake took part), capped at 2."""
    return {r[0]: r[1] for r in conn.execute(cf.offers_sql(), {"until": today.isoformat()})}



def programme_years(conn: sqlite3.Connection, school_year: int) -> dict[int, tuple[int, int]]:
    """Year group -> (planned items, of which delivered: linked to a recorded activity)."""
    rows = conn.execute(
        "SELECT pi.year_group, count(*), sum(EXISTS (SELECT 1 FROM activities a WHERE a.programme_item_id = pi.id)) "
        "FROM programme_items pi WHERE pi.school_year = ? GROUP BY pi.year_group", (school_year,)).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def facts(conn: sqlite3.Connection, *, today: date, where: str = "1", params: dict[str, Any] | None = None,
          programme_sy: int | None = None) -> list[PupilFacts]:
    """Facts for every pupil matching ``where`` (SQL over ``pupils p``), in name order, as at
    ``today``: each pupil's coverage facts row read as at that day (store/coverage_facts.py), the
    provider-access encounters offered to their year group, and B1's fact, the school's programme
    for the pupil's year group in ``programme_sy`` (default: the school year of ``today``, or of
    the day a leaver left)."""
    params = {**(params or {}), "d": _day(today)}
    rows = conn.execute(
        f"SELECT {PUPIL_COLUMNS}, {cf.as_at('f')} AS packed FROM pupils p "
        f"JOIN {cf.rows_sql(conn)} f ON f.pupil_id = p.id WHERE {where} ORDER BY p.sort_name, p.id", params).fetchall()
    offers = year_group_offers(conn, today)
    out = []
    sy_now = schoolyear.school_year_of(today)
    by_year = {programme_sy if programme_sy is not None else sy_now:
               programme_years(conn, programme_sy if programme_sy is not None else sy_now)}
    for row in rows:
        pupil = _pupil(row)
        ctx_day = pupil.left_on if pupil.left_on is not None and pupil.left_on <= today else today
        year_then = rules.year_group_at(row["intake_year"], ctx_day)
        sy_then = schoolyear.school_year_of(ctx_day) if programme_sy is None else programme_sy
        if sy_then not in by_year:   # a leaver: the programme of the year they left
            by_year[sy_then] = programme_years(conn, sy_then)
        f = rules.Facts(*_values(row["packed"], offers.get(row["intake_year"], 0),
                                 by_year[sy_then].get(year_then, (0, 0))[0] > 0))
        out.append(PupilFacts(row["id"], pupil, f, row["sen_status"], row["pupil_premium"], row["looked_after"],
                              row["gender"], names.display_name(row["legal_surname"], row["legal_forename"],
                                                                row["preferred_forename"]),
                              row["form"], row["sort_name"], row["upn"], row["legal_surname"],
                              row["preferred_forename"] or row["legal_forename"]))
    return out


_FIELDS = tuple(rules.Facts.__dataclass_fields__)
_OFFERED = _FIELDS.index("pal_12_13")       # cf.PACKED is benchmarks.Facts in order, less the year group's two


def _values(packed: int, offered: int, planned: bool) -> tuple:
    """The values of benchmarks.Facts, in field order: the pupil's (a packed facts row, read as at
    the day) and the year group's two (the last field is the programme)."""
    own = cf.unpack(packed)
    return (*own[:_OFFERED], offered, *own[_OFFERED:], planned)


# ---------------------------------------------------------------- one pupil


def evidence(conn: sqlite3.Connection, pupil_id: int, *, today: date) -> tuple[rules.Pupil, rules.Evidence]:
    row = conn.execute(f"SELECT {PUPIL_COLUMNS} FROM pupils p WHERE p.id = ?", (pupil_id,)).fetchone()
    if row is None:
        raise StoreError("That pupil is no longer on the register.")
    pupil = _pupil(row)
    until = today.isoformat()

    def activity(a: sqlite3.Row) -> rules.Activity:
        return rules.Activity(
            a["id"], a["kind"], a["title"], dates.from_iso(a["held_on"]),
            frozenset(int(b) for b in (a["bms"] or "").split(",") if b),
            frozenset(k for k, _ in rules.POINTS if a[k]), a["organisation"], a["subject"],
            rules.providers_of(a["providers_named"] or 0))

    bms = "(SELECT group_concat(b.benchmark) FROM activity_benchmarks b WHERE b.activity_id = a.id) AS bms"
    acts = [activity(a) for a in conn.execute(
        f"SELECT a.*, {bms} FROM activity_pupils ap JOIN activities a ON a.id = ap.activity_id "
        "WHERE ap.pupil_id = ? AND a.held_on <= ? ORDER BY a.held_on, a.id", (pupil_id, until))]
    offers = [activity(a) for a in conn.execute(
        f"SELECT a.*, {bms} FROM activities a WHERE a.kind IN ({_PAL}) AND a.held_on <= :until "
        f"AND {_sy('a.held_on')} - :intake + 7 BETWEEN 12 AND 13 AND EXISTS (SELECT 1 FROM activity_pupils ap "
        "JOIN pupils p ON p.id = ap.pupil_id WHERE ap.activity_id = a.id AND p.intake_year = :intake) "
        "ORDER BY a.held_on, a.id", {"until": until, "intake": pupil.intake_year})]
    meetings = [rules.Meeting(dates.from_iso(m["at"]), m["name"], m["lvl"], m["ref"]) for m in conn.execute(
        "SELECT i.starts_at AS at, ad.name, ad.qualification_level AS lvl, 'interview:' || i.id AS ref "
        "FROM interviews i JOIN advisers ad ON ad.id = i.adviser_id WHERE i.pupil_id = :p AND i.status = 'held' "
        f"AND {GUIDANCE_KIND} AND i.starts_at <= :until || 'T99' "
        "UNION ALL SELECT r.held_at, ad.name, ad.qualification_level, 'record:' || r.id FROM meeting_records r "
        "JOIN advisers ad ON ad.id = r.adviser_id WHERE r.pupil_id = :p AND r.interview_id IS NULL "
        "AND r.status = 'signed_off' AND r.held_at <= :until || 'T99' ORDER BY 1", {"p": pupil_id, "until": until})]
    records = [rules.Record(dates.from_iso(r["held_at"]), bool((r["decisions"] or "").strip()),
                            dates.from_iso(r["copy_given_on"]), r["intended"] or None, f"record:{r['id']}")
               for r in conn.execute(
        "SELECT r.id, r.held_at, r.copy_given_on, "
        "coalesce((SELECT m.amended_text FROM record_amendments m WHERE m.record_id = r.id AND m.field = 'decisions' "
        "  ORDER BY m.amended_at DESC, m.id DESC LIMIT 1), r.decisions) AS decisions, "
        "coalesce((SELECT m.amended_text FROM record_amendments m WHERE m.record_id = r.id "
        "  AND m.field = 'intended_destination' ORDER BY m.amended_at DESC, m.id DESC LIMIT 1), "
        "  r.intended_destination) AS intended "
        "FROM meeting_records r WHERE r.pupil_id = ? AND r.status = 'signed_off' AND r.held_at <= ? || 'T99' "
        "ORDER BY r.held_at, r.id", (pupil_id, until))]
    destinations = [rules.Destination(d["kind"], d["code"], dates.from_iso(d["recorded_on"]), d["label"] or "")
                    for d in conn.execute(
        "SELECT d.kind, d.code, d.recorded_on, n.label FROM destinations d LEFT JOIN nccis_codes n ON n.code = d.code "
        "WHERE d.pupil_id = ? AND d.recorded_on <= ? ORDER BY d.recorded_on, d.id", (pupil_id, until))]
    given = [dates.from_iso(r[0]) for r in conn.execute(
        "SELECT given_on FROM exports_given WHERE pupil_id = ? AND kind IN ('record', 'action_plan') "
        "AND given_on <= ? ORDER BY given_on", (pupil_id, until))]
    day = pupil.left_on if pupil.left_on is not None and pupil.left_on <= today else today
    planned, delivered = programme_years(conn, schoolyear.school_year_of(day)).get(
        rules.year_group_at(pupil.intake_year, day), (0, 0))
    return pupil, rules.Evidence(acts, meetings, records, destinations, given, planned, delivered, offers)


def pupil_coverage(conn: sqlite3.Connection, pupil_id: int, *, today: date) -> dict[int | str, rules.State]:
    pupil, ev = evidence(conn, pupil_id, today=today)
    return rules.assess_pupil(pupil, ev, today)


def assess_facts(pf: PupilFacts, today: date) -> dict[int | str, rules.State]:
    ctx = rules.context(pf.pupil, today)
    day = pf.pupil.left_on if ctx.left else today
    return rules.assess(ctx, pf.facts, schoolyear.school_year_label(schoolyear.school_year_of(day)))  # type: ignore[arg-type]


# ---------------------------------------------------------------- the cohort

BREAKDOWNS: dict[str, tuple[str, tuple[tuple[Any, str], ...]]] = {
    "sen": ("SEN status", (("N", "No SEN"), ("K", "SEN support"), ("E", "EHCP"))),
    "pp": ("Pupil premium", ((1, "Pupil premium"), (0, "Not pupil premium"))),
    "lac": ("Looked after", ((1, "Looked after / care leaver"), (0, "Not looked after"))),
    "gender": ("Gender", (("F", "Female"), ("M", "Male"), ("X", "Another gender"), (None, "Not recorded"))),
}


@dataclass(frozen=True)
class Tally:
    met: int = 0
    not_yet: int = 0
    not_due: int = 0

    @property
    def total(self) -> int:
        return self.met + self.not_yet + self.not_due

    @property
    def percent(self) -> int:
        """Share met of ALL the pupils, rounded to a whole per cent (0 for nobody). The figure to
        report is ``percent_due``: a benchmark not yet due is not a benchmark missed."""
        return round(100 * self.met / self.total) if self.total else 0

    @property
    def due(self) -> int:
        """Pupils for whom something is due: met or not yet met (not those it is not yet due for)."""
        return self.met + self.not_yet

    @property
    def percent_due(self) -> int | None:
        """Share met of those it is due for, to a whole per cent; None when it is due for nobody."""
        return round(100 * self.met / self.due) if self.due else None

    def words(self) -> str:
        """'60% 3/5 (+3 not yet due)': met of those due, and the not-yet-due apart."""
        text = f"{self.percent_due}% {self.met}/{self.due}" if self.due else "—"
        return text + (f" (+{self.not_due} not yet due)" if self.not_due else "")

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.met + other.met, self.not_yet + other.not_yet, self.not_due + other.not_due)


@dataclass
class Cohort:
    """Counts per bucket (year group, SEN, PP, LAC, gender) and rule: read through ``tally``."""
    today: date
    school_year: int
    buckets: dict[tuple, dict[int | str, list[int]]] = field(default_factory=dict)
    pupils: int = 0

    def tally(self, key: int | str, *, year: int | None = None, breakdown: str | None = None,
              value: Any = None) -> Tally:
        index = {"sen": 1, "pp": 2, "lac": 3, "gender": 4}
        met = not_yet = not_due = 0
        for bucket, by_rule in self.buckets.items():
            if year is not None and bucket[0] != year:
                continue
            if breakdown is not None and bucket[index[breakdown]] != value:
                continue
            m, n, d = by_rule[key]
            met, not_yet, not_due = met + m, not_yet + n, not_due + d
        return Tally(met, not_yet, not_due)

    def size(self, year: int | None = None) -> int:
        return sum(sum(by_rule[1]) for bucket, by_rule in self.buckets.items() if year is None or bucket[0] == year)


_STATE_INDEX = {rules.MET: 0, rules.NOT_YET: 1, rules.NOT_DUE: 2}


def on_roll_where(today: date) -> tuple[str, dict[str, Any]]:
    sy = schoolyear.school_year_of(today)
    return ("(p.date_left IS NULL OR p.date_left > :today) AND (p.date_of_entry IS NULL OR p.date_of_entry <= :today) "
            "AND p.intake_year BETWEEN :youngest_13 AND :youngest_7",
            {"today": today.isoformat(), "youngest_13": sy - 6, "youngest_7": sy})


def cohort(conn: sqlite3.Connection, *, today: date) -> Cohort:
    """Every pupil on roll in Years 7-13 today, assessed and counted. One query over the coverage
    facts counts the pupils with the same intake, year group joined, breakdown values and facts
    as at ``today`` (under ten thousand groups at 200,000 pupils); each distinct set of facts is
    then assessed once."""
    sy = schoolyear.school_year_of(today)
    rows = cf.rows_sql(conn)
    where = cf.on_roll("f")
    # Rows whose evidence is all in by today are counted as kept, in the order of the index
    # (nothing to sort); the few with evidence dated after today are worked out as at today.
    counted = conn.execute(
        f"SELECT f.intake_year, f.who, f.final, count(*) FROM {rows} f WHERE {where} AND f.latest <= :d "
        "GROUP BY f.intake_year, f.who, f.final "
        f"UNION ALL SELECT f.intake_year, f.who, {cf.packed('f')}, count(*) FROM {rows} f WHERE {where} "
        "AND f.latest > :d GROUP BY 1, 2, 3",
        {"d": _day(today), "youngest_13": sy - 6, "youngest_7": sy}).fetchall()
    programme = programme_years(conn, sy)
    label = schoolyear.school_year_label(sy)
    planned = {y: programme.get(y, (0, 0))[0] > 0 for y in YEARS}
    offers = year_group_offers(conn, today)
    out = Cohort(today, sy)
    assessed: dict[tuple, list[tuple[int | str, int]]] = {}
    for intake, who, facts_now, n in counted:
        joined, sen, pp, lac, gender = cf.unwho(who)
        yg = sy - intake + 7
        key = (joined, intake, facts_now)
        states = assessed.get(key)
        if states is None:
            values = _values(facts_now, offers.get(intake, 0), planned[yg])
            result = rules.assess(rules.Context(intake, joined, None, yg, False), rules.Facts(*values), label)
            states = assessed[key] = [(k, _STATE_INDEX[st.state]) for k, st in result.items()]
        bucket = out.buckets.get((yg, sen, pp, lac, gender))
        if bucket is None:
            bucket = out.buckets[(yg, sen, pp, lac, gender)] = {k: [0, 0, 0] for k in rules.RULE_KEYS}
        for k, index in states:
            bucket[k][index] += n
        out.pupils += n
    return out



@dataclass(frozen=True)
class Gap:
    pupil_id: int
    name: str
    year_group: int
    form: str | None
    sen: str
    flags: tuple[str, ...]
    state: str
    missing: str                     # what is missing, in words


def gaps(conn: sqlite3.Connection, key: int | str, *, today: date, year: int | None = None,
         breakdown: str | None = None, value: Any = None, include_not_due: bool = False,
         limit: int = 2000) -> tuple[list[Gap], int]:
    """Pupils on roll (in ``year``, and the breakdown group if given) for whom benchmark ``key``
    is not yet met (and, with ``include_not_due``, not yet due), by name; also the total."""
    where, params = on_roll_where(today)
    sy = schoolyear.school_year_of(today)
    if year is not None:
        where += " AND p.intake_year = :intake"
        params["intake"] = schoolyear.intake_year_for(year, sy)
    column = {"sen": "p.sen_status", "pp": "p.pupil_premium", "lac": "p.looked_after", "gender": "p.gender"}
    if breakdown is not None:
        if value is None:
            where += f" AND {column[breakdown]} IS NULL"
        else:
            where += f" AND {column[breakdown]} = :bvalue"
            params["bvalue"] = value
    wanted = {rules.NOT_YET, rules.NOT_DUE} if include_not_due else {rules.NOT_YET}
    out: list[Gap] = []
    total = 0
    flags_sql = {r[0]: r[1:] for r in conn.execute(
        f"SELECT p.id, p.pupil_premium, p.looked_after, p.young_carer, p.eal FROM pupils p WHERE {where}", params)}
    for pf in facts(conn, today=today, where=where, params=params):
        state = assess_facts(pf, today)[key]
        if state.state not in wanted:
            continue
        total += 1
        if len(out) >= limit:
            continue
        pp, lac, yc, eal = flags_sql.get(pf.pupil_id, (0, 0, 0, 0))
        flags = tuple(s for s, on in (("PP", pp), ("LAC", lac), ("YC", yc), ("EAL", eal)) if on)
        missing = "; ".join(state.missing) if state.state == rules.NOT_YET else state.summary().split(": ", 1)[-1]
        out.append(Gap(pf.pupil_id, pf.name, rules.year_group_at(pf.pupil.intake_year, today), pf.form, pf.sen,
                       flags, state.state, missing))
    return out, total


def report_rows(c: Cohort, year: int | None = None) -> list[dict[str, Any]]:
    """One row per year group (or the one asked for) and rule, plus the whole school: for the CLI."""
    rows = []
    years: Iterable[int | None] = [year] if year is not None else [*YEARS, None]
    for y in years:
        for key in rules.RULE_KEYS:
            t = c.tally(key, year=y)
            rows.append({"year_group": y if y is not None else "all", "benchmark": key,
                         "title": rules.title_of(key), "met": t.met, "not_yet": t.not_yet, "due": t.due,
                         "percent_met_of_due": t.percent_due, "not_due": t.not_due, "pupils": t.total})
    return rows


# ---------------------------------------------------------------- every pupil, for an upload


@dataclass(frozen=True)
class PupilStates:
    pupil_id: int
    upn: str
    name: str
    year_group: int
    states: dict[int | str, rules.State]
    surname: str = ""
    forename: str = ""


def pupil_states(conn: sqlite3.Connection, *, today: date, year: int | None = None) -> list[PupilStates]:
    """Every pupil on roll on ``today`` (any year group; ``year``: that one only), by year group
    then name, with each benchmark's state as at that day: the set-based facts, assessed."""
    sy = schoolyear.school_year_of(today)
    where = ("(p.date_left IS NULL OR p.date_left > :today) AND (p.date_of_entry IS NULL OR p.date_of_entry <= :today) "
             "AND p.intake_year <= :youngest_7")
    params: dict[str, Any] = {"today": today.isoformat(), "youngest_7": sy}
    if year is not None:
        where += " AND p.intake_year = :intake"
        params["intake"] = schoolyear.intake_year_for(year, sy)
    out = [PupilStates(pf.pupil_id, pf.upn, pf.name, rules.year_group_at(pf.pupil.intake_year, today),
                       assess_facts(pf, today), pf.surname, pf.forename)
           for pf in facts(conn, today=today, where=where, params=params)]
    out.sort(key=lambda p: p.year_group)          # stable: by name within each year group
    return out
