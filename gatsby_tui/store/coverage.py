"""Benchmark coverage: per pupil (with the evidence) and for the whole cohort. No Textual.

The rules are in domain/benchmarks.py. This module gathers what they need:

* ``pupil_coverage``: one pupil's evidence (activities, guidance meetings, signed-off
  records, destinations, copies given, the programme for their year group), assessed by
  ``benchmarks.assess_pupil``.
* ``facts``: the same facts for MANY pupils at once, in set-based SQL (GROUP BY over
  activity_pupils joined to activities; one pass over interviews and records), never a query
  per pupil. tests/test_coverage.py holds these equal to ``benchmarks.facts_from`` applied to
  each pupil's evidence.
* ``cohort``: every pupil on roll in Years 7-13 assessed from those facts, counted per year
  group and by SEN status, pupil premium, looked after and gender.

Guidance meetings are counted as store/history.py's ``guidance_meetings_until`` counts them
(held guidance/follow-up interviews plus signed-off records of unplanned conversations), and
only with advisers recorded at Level 6 or above (see domain/benchmarks.py for an adviser with
no recorded level: not counted).

When a pupil joined: from their date of entry (pupils.date_of_entry: an MIS column in the
import, or set by hand in the pupil form). With none, the pupil is held to every year from
Year 7: nothing is waived without a known date (benchmarks.joined_year_group).

Provider access in Years 12-13 counts encounters OFFERED: those held for the pupil's year group
(someone of the same intake year took part), worked out once per intake year.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from typing import Any, Iterable, Sequence

from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.domain import dates, names, schoolyear
from gatsby_tui.store.db import StoreError
from gatsby_tui.store.history import GUIDANCE_KIND

YEARS = tuple(range(7, 14))

# The school year of an ISO date, in SQL (September starts a new one).
def _sy(col: str) -> str:
    return f"(CAST(substr({col}, 1, 4) AS INTEGER) - (substr({col}, 6, 2) < '09'))"


_WORKPLACE = ", ".join(f"'{k}'" for k in rules.WORKPLACE_KINDS)
# Each provider type counted in its own 9-bit digit (see _digits).
_PROVIDER_CASE = " ".join(f"WHEN '{k}' THEN {1 << (9 * (b.bit_length() - 1))}" for k, b in rules.PROVIDER_BIT.items())
_CORE = " AND ".join(f"a.{p} = 1" for p in rules.CORE_POINTS)
_FULL = " AND ".join(f"a.{p} = 1" for p in rules.WORKPLACE_POINTS)
_PAL = ", ".join(f"'{k}'" for k in rules.PAL_KINDS)
# The provider types an activity names (activities.providers_named, bit i for PROVIDER_TYPES[i]),
# each as its own 9-bit digit as _PROVIDER_CASE gives for the kind.
_NAMED = " + ".join(f"((a.providers_named >> {i}) & 1) * {1 << (9 * i)}" for i in range(len(rules.PROVIDER_TYPES)))
_HE = ", ".join(f"'{k}'" for k in rules.HE_VISIT_KINDS)


def _tagged(n: int) -> str:
    return f"EXISTS (SELECT 1 FROM activity_benchmarks b WHERE b.activity_id = a.id AND b.benchmark = {n})"


# Per activity, once: its school year and what it can count for (the rules' counts_for).
ACTIVITY_FACTS = f"""
SELECT a.id, {_sy('a.held_on')} AS sy,
       {_tagged(2)} AS c2,
       {_tagged(4)} AS c4,
       ({_tagged(5)} AND {_CORE}) AS c5,
       ({_tagged(6)} AND a.kind IN ({_WORKPLACE}) AND {_FULL}) AS c6,
       CASE WHEN {_tagged(7)} AND {_CORE} THEN CASE a.kind {_PROVIDER_CASE} ELSE 0 END + {_NAMED} ELSE 0 END AS c7,
       ({_tagged(7)} AND {_CORE} AND a.kind IN ({_HE})) AS he,
       (a.kind IN ({_PAL})) AS pal
FROM activities a WHERE a.held_on <= :until
"""

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


# Intake year -> provider-access encounters held by :until for that year group in Years 12-13
# (someone of the intake took part). Driven from the few provider-access activities: for each, the
# two intakes that were in Years 12 and 13 that school year, each checked with EXISTS (which stops
# at the first attendee found), never a pass over every attendance.
_OFFERS_SQL = (
    f"SELECT c.intake, min(2, count(*)) FROM (SELECT a.id, {_sy('a.held_on')} - y.off AS intake FROM activities a, "
    "  (SELECT 5 AS off UNION ALL SELECT 6) y "
    f"  WHERE a.kind IN ({_PAL}) AND a.held_on <= :until) c "
    "WHERE EXISTS (SELECT 1 FROM activity_pupils ap JOIN pupils p ON p.id = ap.pupil_id "
    "              WHERE ap.activity_id = c.id AND p.intake_year = c.intake) "
    "GROUP BY c.intake")


def year_group_offers(conn: sqlite3.Connection, today: date) -> dict[int, int]:
    """Intake year -> provider-access encounters offered to that year group in Years 12-13 by
    ``today``, capped at 2 (_OFFERS_SQL)."""
    return {r[0]: r[1] for r in conn.execute(_OFFERS_SQL, {"until": today.isoformat()})}


def programme_years(conn: sqlite3.Connection, school_year: int) -> dict[int, tuple[int, int]]:
    """Year group -> (planned items, of which delivered: linked to a recorded activity)."""
    rows = conn.execute(
        "SELECT pi.year_group, count(*), sum(EXISTS (SELECT 1 FROM activities a WHERE a.programme_item_id = pi.id)) "
        "FROM programme_items pi WHERE pi.school_year = ? GROUP BY pi.year_group", (school_year,)).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


@lru_cache(maxsize=4096)
def _digits(value: int | None) -> int:
    """Counts in 9-bit digits (digit j: Year 7 + j) -> a mask with bit n set for Year n."""
    mask = 0
    for j in range(7):
        if (value or 0) >> (9 * j) & 511:
            mask |= 1 << (7 + j)
    return mask


@lru_cache(maxsize=4096)
def _small(x: int | None, y: int | None) -> tuple[int, ...]:
    """The packed small counts (see _activity_sql) -> (workplace by 16, after 16, provider mask,
    university visits, provider access 8-9, 10-11), counts capped at 2. (Provider access in
    Years 12-13 is what the year group was offered: year_group_offers.)"""
    x, y = x or 0, y or 0

    def digit(value: int, j: int) -> int:
        return min(2, value >> (9 * j) & 511)

    providers = sum(1 << i for i in range(len(rules.PROVIDER_TYPES)) if x >> (9 * i) & 511)
    return (digit(x, 4), digit(x, 5), providers, digit(y, 0), digit(y, 1), digit(y, 2))


def _activity_ctes(where: str) -> str:
    """Per (activity, intake year) the contribution to each fact is worked out once in a small
    table, so the pass over activity_pupils only sums columns (no per-row CASE). Year masks are
    summed as counts in 9-bit digits, one digit per year group 7-13 (digit j for Year 7 + j; a
    digit would overflow only past 511 activities of one benchmark in one year for one pupil),
    and turned into masks by _digits. The table is keyed by one integer, activity id * 10000 +
    intake year (intake years are 1990-2100 in the schema), which SQLite looks up about twice as
    fast as the pair for each of the hundreds of thousands of attendances."""
    off = "(f.sy - i.intake)"                       # year group - 7
    digit = f"(1 << (9 * {off}))"
    return (
        f"WITH f AS MATERIALIZED ({ACTIVITY_FACTS}), "
        f"i AS (SELECT DISTINCT p.intake_year AS intake FROM pupils p WHERE {where}), "
        # The small counts are packed into two sums (9-bit digits again): x = provider digits
        # (4) + workplace experiences by 16 << 36 + after 16 << 45; y = university visits +
        # provider-access encounters in Years 8-9 << 9, 10-11 << 18. Fewer sums per
        # row is most of the speed of this pass (see benchmarks/cohort.py).
        "a AS MATERIALIZED (SELECT id * 10000 + intake AS k, v2, v4, v5, v7 + (w16 << 36) + (w18 << 45) AS x, "
        "   he + (p89 << 9) + (p1011 << 18) AS y FROM (SELECT f.id, i.intake, "
        f"   CASE WHEN f.c2 AND {off} BETWEEN 0 AND 6 THEN {digit} ELSE 0 END AS v2, "
        f"   CASE WHEN f.c4 AND {off} BETWEEN 0 AND 6 THEN {digit} ELSE 0 END AS v4, "
        f"   CASE WHEN f.c5 AND {off} BETWEEN 0 AND 6 THEN {digit} ELSE 0 END AS v5, "
        f"   (f.c6 AND {off} BETWEEN 0 AND 4) AS w16, (f.c6 AND {off} BETWEEN 5 AND 6) AS w18, "
        f"   CASE WHEN {off} BETWEEN 0 AND 4 THEN f.c7 ELSE 0 END AS v7, "
        f"   (f.he AND {off} BETWEEN 0 AND 6) AS he, (f.pal AND {off} BETWEEN 1 AND 2) AS p89, "
        f"   (f.pal AND {off} BETWEEN 3 AND 4) AS p1011 "
        "   FROM f, i) WHERE v2 OR v4 OR v5 OR w16 OR w18 OR v7 OR he OR p89 OR p1011) ")


def _activity_sql(where: str) -> str:
    """Per pupil matching ``where`` with any activity that counts: the summed digits (see
    _activity_ctes)."""
    chosen = f"(SELECT p.id FROM pupils p WHERE {where})"
    return (
        _activity_ctes(where)
        + "SELECT ap.pupil_id, sum(a.v2), sum(a.v4), sum(a.v5), sum(a.x), sum(a.y) "
        "FROM activity_pupils ap JOIN pupils p ON p.id = ap.pupil_id "
        "JOIN a ON a.k = ap.activity_id * 10000 + p.intake_year "
        f"WHERE ap.pupil_id IN {chosen} GROUP BY ap.pupil_id")


def _meeting_sql(where: str) -> str:
    """Guidance meetings as history.guidance_meetings_until counts them, split by the adviser's
    recorded qualification and into by the end of Year 11 / in Years 12-13 (string compares on
    ISO stamps)."""
    chosen = f"(SELECT p.id FROM pupils p WHERE {where})"
    q = rules.QUALIFIED_LEVEL
    return (
        "SELECT m.pupil_id AS pid, "
        f"  min(2, sum(m.lvl >= {q} AND m.at < printf('%04d-09-01', p.intake_year + 5))) AS g16, "
        f"  min(2, sum(m.lvl >= {q} AND m.at >= printf('%04d-09-01', p.intake_year + 5) "
        "    AND m.at < printf('%04d-09-01', p.intake_year + 7))) AS g18, "
        f"  min(2, sum(m.lvl IS NULL OR m.lvl < {q})) AS unq "
        "FROM (SELECT i.pupil_id, i.starts_at AS at, ad.qualification_level AS lvl FROM interviews i "
        "      JOIN advisers ad ON ad.id = i.adviser_id "
        f"     WHERE i.pupil_id IN {chosen} AND i.status = 'held' AND {GUIDANCE_KIND} "
        "        AND i.starts_at <= :until || 'T99' "
        "      UNION ALL "
        "      SELECT r.pupil_id, r.held_at, ad.qualification_level FROM meeting_records r "
        "      JOIN advisers ad ON ad.id = r.adviser_id "
        f"     WHERE r.pupil_id IN {chosen} AND r.interview_id IS NULL AND r.status = 'signed_off' "
        "        AND r.held_at <= :until || 'T99') m "
        "JOIN pupils p ON p.id = m.pupil_id GROUP BY m.pupil_id")


def _record_sql(where: str) -> str:
    """Benchmark 3: signed-off records (amendments applied), destinations, copies given (of the
    record, or an action plan); and whether the latest intended destination is higher education
    (benchmarks.latest_intended's order: day, then a destination after a record, then time held
    or entry)."""
    chosen = f"(SELECT p.id FROM pupils p WHERE {where})"
    end10 = "printf('%04d-08-31', p.intake_year + 4)"
    end11 = "printf('%04d-08-31', p.intake_year + 5)"
    end12 = "printf('%04d-08-31', p.intake_year + 6)"
    end13 = "printf('%04d-08-31', p.intake_year + 7)"
    return (
        "WITH rec AS (SELECT r.pupil_id, substr(r.held_at, 1, 10) AS day, r.held_at AS at, r.id AS rid, "
        "   (trim(coalesce((SELECT m.amended_text FROM record_amendments m WHERE m.record_id = r.id "
        "      AND m.field = 'decisions' ORDER BY m.amended_at DESC, m.id DESC LIMIT 1), r.decisions, ''), "
        "      ' ' || char(9, 10, 13)) <> '') AS decided, "
        "   r.copy_given_on, "
        "   coalesce((SELECT m.amended_text FROM record_amendments m WHERE m.record_id = r.id "
        "      AND m.field = 'intended_destination' ORDER BY m.amended_at DESC, m.id DESC LIMIT 1), "
        "      r.intended_destination) AS intended "
        f"  FROM meeting_records r WHERE r.pupil_id IN {chosen} AND r.status = 'signed_off' "
        "    AND r.held_at <= :until || 'T99'), "
        "ev AS (SELECT pupil_id, day, decided, copy_given_on IS NOT NULL AS copied, "
        "         nullif(intended, '') AS intended, 0 AS actual, day || '0' || at || printf('%012d', rid) AS ord "
        "       FROM rec "
        "       UNION ALL SELECT pupil_id, recorded_on, 0, 0, CASE WHEN kind = 'intended' THEN code END, "
        f"         kind = 'actual', recorded_on || '1' || printf('%012d', id) FROM destinations "
        f"         WHERE pupil_id IN {chosen} AND recorded_on <= :until "
        "       UNION ALL SELECT pupil_id, given_on, 0, 1, NULL, 0, NULL FROM exports_given "
        f"         WHERE kind IN ('record', 'action_plan') AND pupil_id IN {chosen} AND given_on <= :until), "
        "lat AS (SELECT pupil_id, intended AS latest, max(ord) FROM ev WHERE intended IS NOT NULL GROUP BY pupil_id) "
        "SELECT ev.pupil_id AS pid, max(ev.decided) AS made, max(ev.copied) AS copied, "
        f"  max(ev.intended IS NOT NULL AND ev.day > {end10} AND ev.day <= {end11}) AS int16, "
        f"  max(ev.intended IS NOT NULL AND ev.day > {end12} AND ev.day <= {end13}) AS int18, "
        "  max(ev.actual) AS actual, max(coalesce(lat.latest = :he_code, 0)) AS he "
        "FROM ev JOIN pupils p ON p.id = ev.pupil_id LEFT JOIN lat ON lat.pupil_id = ev.pupil_id "
        "GROUP BY ev.pupil_id")


_EXECUTOR: Any = None


def _run_all(conn: sqlite3.Connection, jobs: list[tuple[str, dict[str, Any]]],
             readers: Sequence[sqlite3.Connection] = ()) -> list[list[tuple]]:
    """Run independent read queries: the first on ``conn``, the rest on ``readers`` (other
    connections to the same file) in threads, when given. sqlite3 lets go of the GIL while
    SQLite works, so on a machine with more than one core the passes overlap. Each reader runs
    its share one query after another (a connection is never used by two threads at once)."""
    if not readers:
        return [conn.execute(sql, p).fetchall() for sql, p in jobs]
    global _EXECUTOR
    if _EXECUTOR is None:
        from concurrent.futures import ThreadPoolExecutor

        _EXECUTOR = ThreadPoolExecutor(max_workers=4, thread_name_prefix="gatsby-coverage")
    rest = list(enumerate(jobs[1:], start=1))
    shares = [rest[i::len(readers)] for i in range(len(readers))]

    def run(reader: sqlite3.Connection, share: list) -> list[tuple[int, list]]:
        return [(i, reader.execute(sql, p).fetchall()) for i, (sql, p) in share]

    futures = [_EXECUTOR.submit(run, reader, share) for reader, share in zip(readers, shares) if share]
    results: list[Any] = [None] * len(jobs)
    results[0] = conn.execute(*jobs[0]).fetchall()
    for future in futures:
        for i, rows in future.result():
            results[i] = rows
    return results


# The cohort's pupils, with the year group they joined in worked out in SQL as joined_year_group does.
_JOINED = (f"CASE WHEN p.date_of_entry IS NULL THEN 7 "
           f"ELSE max(7, {_sy('p.date_of_entry')} - p.intake_year + 7) END")


def _gather(conn: sqlite3.Connection, *, today: date, where: str, params: dict[str, Any], columns: str,
            programme_sy: int | None, readers: Sequence[sqlite3.Connection] = ()
            ) -> tuple[list[tuple], dict[int, tuple], dict[int, tuple], dict[int, tuple], dict[int, tuple[int, int]],
                       dict[int, int]]:
    sy_now = schoolyear.school_year_of(today)
    params = {**params, "until": today.isoformat()}
    jobs = [
        (f"SELECT {columns} FROM pupils p WHERE {where} ORDER BY p.sort_name, p.id", params),
        (_activity_sql(where), params),
        (_meeting_sql(where), params),
        (_record_sql(where), {**params, "he_code": rules.HE_CODE}),
    ]
    # Readers take the longest passes; the pupils and the programme stay on this connection.
    results = _run_all(conn, jobs, readers)
    pupils = results[0]
    acts = {r[0]: (_digits(r[1]), _digits(r[2]), _digits(r[3])) + _small(r[4], r[5]) for r in results[1]}
    meets = {r[0]: (r[1] or 0, r[2] or 0, r[3] or 0) for r in results[2]}
    b3 = {r[0]: tuple(bool(x) for x in r[1:]) for r in results[3]}
    programme = programme_years(conn, programme_sy if programme_sy is not None else sy_now)
    return pupils, acts, meets, b3, programme, year_group_offers(conn, today)


_NO_ACTS = (0, 0, 0, 0, 0, 0, 0, 0, 0)
_NO_MEETS = (0, 0, 0)
_NO_B3 = (False,) * 6


def _fact_tuple(pid: int, acts: dict, meets: dict, b3: dict, planned: bool, offered: int) -> tuple:
    """The values of benchmarks.Facts, in field order."""
    a = acts.get(pid, _NO_ACTS)
    g16, g18, unq = meets.get(pid, _NO_MEETS)
    made, copied, int16, int18, actual, he = b3.get(pid, _NO_B3)
    return (a[0], a[1], a[2], a[3], a[4], a[5], a[6], he, a[7], a[8], offered, g16, g18, unq,
            made, copied, int16, int18, actual, planned)


def facts(conn: sqlite3.Connection, *, today: date, where: str = "1", params: dict[str, Any] | None = None,
          programme_sy: int | None = None, readers: Sequence[sqlite3.Connection] = ()) -> list[PupilFacts]:
    """Facts for every pupil matching ``where`` (SQL over ``pupils p``), in name order.

    Three set-based passes keyed by pupil (activities; guidance meetings; records, destinations
    and copies given), merged here. B1's fact is the school's programme for the pupil's year
    group in ``programme_sy`` (default: this school year)."""
    params = dict(params or {})
    pupils, acts, meets, b3, programme, offers = _gather(conn, today=today, where=where, params=params,
                                                        columns=PUPIL_COLUMNS, programme_sy=programme_sy,
                                                        readers=readers)
    out = []
    sy_now = schoolyear.school_year_of(today)
    by_year = {programme_sy if programme_sy is not None else sy_now: programme}
    for row in pupils:
        pid = row["id"]
        pupil = _pupil(row)
        ctx_day = pupil.left_on if pupil.left_on is not None and pupil.left_on <= today else today
        year_then = rules.year_group_at(row["intake_year"], ctx_day)
        sy_then = schoolyear.school_year_of(ctx_day) if programme_sy is None else programme_sy
        if sy_then not in by_year:   # a leaver: the programme of the year they left
            by_year[sy_then] = programme_years(conn, sy_then)
        f = rules.Facts(*_fact_tuple(pid, acts, meets, b3, by_year[sy_then].get(year_then, (0, 0))[0] > 0,
                                     offers.get(row["intake_year"], 0)))
        out.append(PupilFacts(pid, pupil, f, row["sen_status"], row["pupil_premium"], row["looked_after"],
                              row["gender"], names.display_name(row["legal_surname"], row["legal_forename"],
                                                                row["preferred_forename"]),
                              row["form"], row["sort_name"], row["upn"], row["legal_surname"],
                              row["preferred_forename"] or row["legal_forename"]))
    return out


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


def _cohort_pupils_sql(where: str) -> str:
    """The cohort's first pass, as ONE row of JSON: per pupil matching ``where``, the year group
    they joined in (_JOINED), the breakdown columns and the summed activity digits (NULL when none count), driven from pupils so
    each pupil's intake year is read once, not once per attendance."""
    return (
        _activity_ctes(where)
        + "SELECT json_group_array(json_array(id, intake, joined, sen, pp, lac, gender, v2, v4, v5, x, y)) FROM ("
        f"SELECT p.id AS id, p.intake_year AS intake, {_JOINED} AS joined, p.sen_status AS sen, "
        "  p.pupil_premium AS pp, p.looked_after AS lac, p.gender AS gender, "
        "  sum(a.v2) AS v2, sum(a.v4) AS v4, sum(a.v5) AS v5, sum(a.x) AS x, sum(a.y) AS y "
        "FROM pupils p LEFT JOIN activity_pupils ap ON ap.pupil_id = p.id "
        "LEFT JOIN a ON a.k = ap.activity_id * 10000 + p.intake_year "
        f"WHERE {where} GROUP BY p.id)")


def _cohort_evidence_sql(where: str) -> str:
    """The cohort's second pass, as ONE row of two JSON arrays: guidance meetings and B3's
    records per pupil (_meeting_sql, _record_sql)."""
    return (
        "SELECT (SELECT json_group_array(json_array(pid, g16, g18, unq)) FROM "
        f"({_meeting_sql(where)})), "
        "(SELECT json_group_array(json_array(pid, made, copied, int16, int18, actual, he)) FROM "
        f"({_record_sql(where)}))")


def cohort(conn: sqlite3.Connection, *, today: date, readers: Sequence[sqlite3.Connection] = ()) -> Cohort:
    """Every pupil on roll in Years 7-13 today, assessed and counted. Pupils with the same year
    group, breakdown values and facts are counted together, and each distinct set of facts is
    assessed once.

    Two passes (pupils with their activities; meetings and records), the second on a reader in
    a thread when given, and a small third (provider access offered to each year group). Each returns its thousands of rows as one row of JSON: sqlite3 lets go
    of the GIL for each step, and a row at a time a worker must win the GIL back thousands of
    times from a busy UI thread (each wait up to the switch interval: the pass took 2-20 times
    as long with the UI drawing). One step per pass keeps the SQL off the GIL altogether."""
    where, params = on_roll_where(today)
    params["until"] = today.isoformat()
    sy = schoolyear.school_year_of(today)
    (first,), (second,), offered = _run_all(conn, [(_cohort_pupils_sql(where), params),
                                                   (_cohort_evidence_sql(where), {**params, "he_code": rules.HE_CODE}),
                                                   (_OFFERS_SQL, {"until": params["until"]})],
                                            readers[:2])
    pupils = json.loads(first[0] or "[]")
    meets = {r[0]: (r[1] or 0, r[2] or 0, r[3] or 0) for r in json.loads(second[0] or "[]")}
    b3 = {r[0]: tuple(bool(x) for x in r[1:]) for r in json.loads(second[1] or "[]")}
    programme = programme_years(conn, sy)
    label = schoolyear.school_year_label(sy)
    planned = {y: programme.get(y, (0, 0))[0] > 0 for y in YEARS}
    offers = {r[0]: r[1] for r in offered}
    grouped: Counter = Counter()
    for pid, intake, joined, sen, pp, lac, gender, v2, v4, v5, x, y in pupils:
        yg = sy - intake + 7
        a = _small(x, y)
        g16, g18, unq = meets.get(pid, _NO_MEETS)
        made, copied, int16, int18, actual, he = b3.get(pid, _NO_B3)
        grouped[(yg, sen, pp, lac, gender, joined, intake,
                 (_digits(v2), _digits(v4), _digits(v5), a[0], a[1], a[2], a[3], he, a[4], a[5],
                  offers.get(intake, 0),
                  g16, g18, unq, made, copied, int16, int18, actual, planned[yg]))] += 1
    out = Cohort(today, sy, pupils=len(pupils))
    assessed: dict[tuple, list[tuple[int | str, int]]] = {}
    for (yg, sen, pp, lac, gender, joined, intake, values), n in grouped.items():
        key = (joined, intake, values)
        states = assessed.get(key)
        if states is None:
            result = rules.assess(rules.Context(intake, joined, None, yg, False), rules.Facts(*values), label)
            states = assessed[key] = [(k, _STATE_INDEX[st.state]) for k, st in result.items()]
        bucket = out.buckets.get((yg, sen, pp, lac, gender))
        if bucket is None:
            bucket = out.buckets[(yg, sen, pp, lac, gender)] = {k: [0, 0, 0] for k in rules.RULE_KEYS}
        for k, index in states:
            bucket[k][index] += n
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
         limit: int = 2000, readers: Sequence[sqlite3.Connection] = ()) -> tuple[list[Gap], int]:
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
    for pf in facts(conn, today=today, where=where, params=params, readers=readers):
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


def pupil_states(conn: sqlite3.Connection, *, today: date, year: int | None = None,
                 readers: Sequence[sqlite3.Connection] = ()) -> list[PupilStates]:
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
           for pf in facts(conn, today=today, where=where, params=params, readers=readers)]
    out.sort(key=lambda p: p.year_group)          # stable: by name within each year group
    return out
