"""Coverage facts: per pupil, the day each piece of benchmark evidence was first there (and, where
the rules count to two, the day of the second), kept in step with the records they summarise. No
Textual.

Why days and not counts: the same row answers for any date. As at day D, a fact holds when its day
is on or before D, so the figures are right whatever the clock says (tests fix their own date;
``report benchmarks --on`` asks about a past day; activities can be entered ahead of the day they
are held). Days are integers YYYYMMDD.

How they are kept right (schema.sql, "coverage facts"):

* triggers on every table the facts read (attendances, activities and the benchmarks they serve,
  interviews, advisers' levels, meeting records and their amendments, destinations, copies given,
  the pupil's own columns) put the pupils whose facts may have changed into ``coverage_stale``;
* ``refresh``, run by ``db.transaction`` just before every COMMIT, works those pupils' rows out
  again from the records and empties ``coverage_stale``: the facts change in the same transaction
  as the data;
* a write made outside ``db.transaction`` (a script, the sqlite3 shell) still marks its pupils
  stale, and readers work stale pupils' rows out from the records as they read (``rows_sql``), so
  a figure read is never out of date.

``activity_intakes`` (which intake years took part in each activity, kept by triggers) answers
"was this provider-access encounter held for the year group" without a pass over attendances.

The rules are in domain/benchmarks.py; tests/test_coverage.py holds what these rows give, as at a
day, equal to ``benchmarks.facts_from`` on each pupil's evidence.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache

from gatsby_tui.domain import benchmarks as rules

# Which held meetings are personal guidance (store/history.py counts them by this too): guidance
# and follow-up meetings, and an EHCP review meeting whose meeting record was signed off. For SQL
# on interviews aliased ``i``.
GUIDANCE_KIND = ("(i.kind IN ('guidance', 'follow_up') OR (i.kind = 'ehcp_review' AND EXISTS ("
                 "SELECT 1 FROM meeting_records gr WHERE gr.interview_id = i.id AND gr.status = 'signed_off')))")

STALE = "(SELECT pupil_id FROM coverage_stale)"
YEARS = tuple(range(7, 14))
# Facts counted to two: (column prefix, code in the ranked rows).
COUNTED = (("wp16", 1), ("wp18", 2), ("he", 3), ("pal89", 4), ("pal1011", 5), ("g16", 6), ("g18", 7), ("unq", 8))
ONCE = ("made", "copied", "int16", "int18", "actual")          # Benchmark 3: the first day each held
PUPIL = ("intake_year", "who", "entry", "left_on")
# ``who``: the year group the pupil joined in and the breakdowns the cohort is counted by, in one
# integer, so the cohort is counted from one index in its order (coverage_facts_by_group):
# joined * 256 + SEN (N, K, E: 0-2) * 64 + pupil premium * 32 + looked after * 16 + gender
# (none, F, M, X: 0-3).
SEN_CODES = "NKE"
GENDERS = (None, "F", "M", "X")
COLUMNS = (("pupil_id",) + PUPIL
           + tuple(f"{b}{y}" for b in ("lmi", "cur", "emp") for y in YEARS)
           + tuple(f"prov{i}" for i in range(len(rules.PROVIDER_TYPES)))
           + tuple(f"{name}_{n}" for name, _ in COUNTED for n in (1, 2))
           + ONCE + ("he_from", "he_to", "he_more"))
KEPT = COLUMNS + ("latest", "final")      # the table's columns: the row, then latest and final (below)


def _day(col: str) -> str:
    """An ISO date (or the date part of a stamp) as the integer YYYYMMDD; NULL stays NULL."""
    return f"CAST(replace(substr({col}, 1, 10), '-', '') AS INTEGER)"


def _sy(col: str) -> str:
    """The school year of an ISO date (September starts a new one)."""
    return f"(CAST(substr({col}, 1, 4) AS INTEGER) - (substr({col}, 6, 2) < '09'))"


def _tagged(n: int) -> str:
    return f"EXISTS (SELECT 1 FROM activity_benchmarks b WHERE b.activity_id = a.id AND b.benchmark = {n})"


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


_CORE = " AND ".join(f"a.{p} = 1" for p in rules.CORE_POINTS)
_FULL = " AND ".join(f"a.{p} = 1" for p in rules.WORKPLACE_POINTS)
_KIND_BIT = " ".join(f"WHEN '{k}' THEN {b}" for k, b in rules.PROVIDER_BIT.items())

# Per activity: its day and school year, and what it can count for (the rules' counts_for): c7 is
# the provider types it shows (its kind's and those it names) when it counts for Benchmark 7.
_ACTIVITIES = f"""
SELECT a.id, {_day('a.held_on')} AS day, {_sy('a.held_on')} AS sy,
       {_tagged(2)} AS c2, {_tagged(4)} AS c4, ({_tagged(5)} AND {_CORE}) AS c5,
       ({_tagged(6)} AND a.kind IN ({_in(rules.WORKPLACE_KINDS)}) AND {_FULL}) AS c6,
       CASE WHEN {_tagged(7)} AND {_CORE} THEN (CASE a.kind {_KIND_BIT} ELSE 0 END) | a.providers_named ELSE 0 END AS c7,
       ({_tagged(7)} AND {_CORE} AND a.kind IN ({_in(rules.HE_VISIT_KINDS)})) AS he,
       (a.kind IN ({_in(rules.PAL_KINDS)})) AS pal
FROM activities a
"""


def _contributions() -> str:
    """Per (activity, intake year), keyed activity id * 10000 + intake (intake years are 1990-2100
    in the schema): the year group it falls in (off: year group - 7), the day it gives each
    once-a-year fact and each provider type, and which counted fact (COUNTED's code) it adds to.
    Worked out once per pair, so the pass over attendances only takes minimums."""
    off = "(act.sy - i.intake)"                      # year group - 7
    cols = [f"CASE WHEN act.{flag} THEN act.day END AS {name}" for name, flag in (("lmi", "c2"), ("cur", "c4"),
                                                                                   ("emp", "c5"))]
    cols += [f"CASE WHEN act.c7 & {1 << i} AND {off} BETWEEN 0 AND 4 THEN act.day END AS prov{i}"
             for i in range(len(rules.PROVIDER_TYPES))]
    # The counted kinds never overlap: workplace kinds, university visits, provider access.
    counted = (f"CASE WHEN act.c6 AND {off} BETWEEN 0 AND 4 THEN 1 WHEN act.c6 AND {off} BETWEEN 5 AND 6 THEN 2 "
               f"WHEN act.he AND {off} BETWEEN 0 AND 6 THEN 3 WHEN act.pal AND {off} BETWEEN 1 AND 2 THEN 4 "
               f"WHEN act.pal AND {off} BETWEEN 3 AND 4 THEN 5 END AS counted")
    return (f"SELECT act.id * 10000 + i.intake AS k, act.day, {off} AS off, {', '.join(cols)}, {counted} "
            f"FROM act, i WHERE {off} BETWEEN 0 AND 6 AND (act.c2 OR act.c4 OR act.c5 OR act.c6 OR act.c7 "
            "OR act.he OR act.pal)")


_ONCE_A_YEAR = tuple(f"{b}{y}" for b in ("lmi", "cur", "emp") for y in YEARS) + tuple(
    f"prov{i}" for i in range(len(rules.PROVIDER_TYPES)))


def _pupil_columns(p: str) -> str:
    """SQL: the row's first columns (``pupil_id`` and PUPIL), from the pupil ``p``'s own columns."""
    return f"""{p}.id AS pupil_id, {p}.intake_year,
       (CASE WHEN {p}.date_of_entry IS NULL THEN 7
             ELSE max(7, {_sy(f'{p}.date_of_entry')} - {p}.intake_year + 7) END) * 256
         + (instr('{SEN_CODES}', {p}.sen_status) - 1) * 64 + {p}.pupil_premium * 32 + {p}.looked_after * 16
         + coalesce(instr('FMX', {p}.gender), 0) AS who,
       {_day(f'{p}.date_of_entry')} AS entry, {_day(f'{p}.date_left')} AS left_on"""


# The tables holding a pupil's evidence, each by its pupil_id: everything ``source_sql`` reads
# about a pupil beyond the pupil's own columns. A pupil with a row in none of them (a pupil just
# added, most often) has no evidence, so its facts row is its own columns and nothing else.
EVIDENCE = ("activity_pupils", "interviews", "meeting_records", "destinations", "exports_given")


def _without_evidence(chosen: str) -> str:
    """SQL: the kept rows (KEPT, in order) of the pupils ``chosen`` gives who have no evidence at all:
    what ``kept_sql`` gives them (every fact NULL, ``latest`` and ``final`` 0), without its work."""
    none = " AND ".join(f"NOT EXISTS (SELECT 1 FROM {t} e WHERE e.pupil_id = p.id)" for t in EVIDENCE)
    blank = ", ".join(f"NULL AS {c}" for c in COLUMNS[len(PUPIL) + 1:])
    return (f"SELECT {_pupil_columns('p')}, {blank}, 0 AS latest, 0 AS final "
            f"FROM pupils p WHERE p.id IN {chosen} AND {none}")


def source_sql(chosen: str) -> str:
    """The facts rows (COLUMNS, in order) of the pupils whose ids ``chosen`` (a subquery) gives,
    worked out from the records. Every piece of evidence counts, whatever its day: a row is read
    as at a day by ``as_at``."""
    q = rules.QUALIFIED_LEVEL
    end = lambda years: f"printf('%04d-08-31', ch.intake_year + {years})"  # noqa: E731
    first_sept = lambda years: f"printf('%04d-09-01', ch.intake_year + {years})"  # noqa: E731
    decided = ("trim(coalesce((SELECT m.amended_text FROM record_amendments m WHERE m.record_id = r.id "
               "AND m.field = 'decisions' ORDER BY m.amended_at DESC, m.id DESC LIMIT 1), r.decisions, ''), "
               "' ' || char(9, 10, 13)) <> ''")
    intended = ("nullif(coalesce((SELECT m.amended_text FROM record_amendments m WHERE m.record_id = r.id "
                "AND m.field = 'intended_destination' ORDER BY m.amended_at DESC, m.id DESC LIMIT 1), "
                "r.intended_destination), '')")
    ranked_cols = ", ".join(f"min(CASE WHEN code = {code} AND rn = {n} THEN day END) AS {name}_{n}"
                            for name, code in COUNTED for n in (1, 2))
    return f"""
WITH ch AS MATERIALIZED (SELECT p.id, p.intake_year, p.date_of_entry, p.date_left, p.sen_status, p.pupil_premium,
                                p.looked_after, p.gender FROM pupils p WHERE p.id IN {chosen}),
act AS MATERIALIZED ({_ACTIVITIES}),
i AS (SELECT DISTINCT intake_year AS intake FROM ch),
ai AS MATERIALIZED ({_contributions()}),
by_year AS (SELECT ch.id AS pid, ai.off, min(ai.lmi) AS lmi, min(ai.cur) AS cur, min(ai.emp) AS emp,
                  {', '.join(f'min(ai.prov{i}) AS prov{i}' for i in range(len(rules.PROVIDER_TYPES)))}
           FROM ch JOIN activity_pupils ap ON ap.pupil_id = ch.id JOIN ai ON ai.k = ap.activity_id * 10000 + ch.intake_year
           GROUP BY ch.id, ai.off),
yearly AS (SELECT pid, {', '.join(f'min(CASE WHEN off = {y - 7} THEN {b} END) AS {b}{y}' for b in ('lmi', 'cur', 'emp') for y in YEARS)},
                  {', '.join(f'min(prov{i}) AS prov{i}' for i in range(len(rules.PROVIDER_TYPES)))}
           FROM by_year GROUP BY pid),
aic AS MATERIALIZED (SELECT k, day, counted FROM ai WHERE counted IS NOT NULL),
-- Materialized: left to the planner, it is worked out inside the UNION ALL of ``events`` in a way
-- that costs about 35 ms whatever the number of pupils (200,000 on file), 0.5 ms like this.
meetings AS MATERIALIZED (
  SELECT i.pupil_id AS pid, substr(i.starts_at, 1, 10) AS at, ad.qualification_level AS lvl FROM interviews i
    JOIN advisers ad ON ad.id = i.adviser_id WHERE i.pupil_id IN (SELECT id FROM ch) AND i.status = 'held'
    AND {GUIDANCE_KIND}
  UNION ALL
  SELECT r.pupil_id, substr(r.held_at, 1, 10), ad.qualification_level FROM meeting_records r
    JOIN advisers ad ON ad.id = r.adviser_id WHERE r.pupil_id IN (SELECT id FROM ch) AND +r.interview_id IS NULL
    AND r.status = 'signed_off'),
events AS (
  SELECT ch.id AS pid, aic.counted AS code, aic.day AS day FROM ch JOIN activity_pupils ap ON ap.pupil_id = ch.id
    JOIN aic ON aic.k = ap.activity_id * 10000 + ch.intake_year
  UNION ALL
  SELECT m.pid, CASE WHEN m.lvl IS NULL OR m.lvl < {q} THEN 8 WHEN m.at < {first_sept(5)} THEN 6
                     WHEN m.at < {first_sept(7)} THEN 7 END, {_day('m.at')}
  FROM meetings m JOIN ch ON ch.id = m.pid),
ranked AS (SELECT pid, code, day, row_number() OVER (PARTITION BY pid, code ORDER BY day) AS rn
           FROM events WHERE code IS NOT NULL),
counted AS (SELECT pid, {ranked_cols} FROM ranked WHERE rn <= 2 GROUP BY pid),
rec AS (SELECT r.pupil_id AS pid, substr(r.held_at, 1, 10) AS day, {decided} AS decided,
               r.copy_given_on IS NOT NULL AS copied, {intended} AS intended,
               substr(r.held_at, 1, 10) || '0' || r.held_at || printf('%012d', r.id) AS ord
        FROM meeting_records r WHERE r.pupil_id IN (SELECT id FROM ch) AND r.status = 'signed_off'),
ev AS (SELECT pid, day, decided, copied, intended, 0 AS actual, ord FROM rec
       UNION ALL SELECT pupil_id, recorded_on, 0, 0, CASE WHEN kind = 'intended' THEN code END, kind = 'actual',
              recorded_on || '1' || printf('%012d', id) FROM destinations WHERE pupil_id IN (SELECT id FROM ch)
       UNION ALL SELECT pupil_id, given_on, 0, 1, NULL, 0, NULL FROM exports_given
              WHERE kind IN ('record', 'action_plan') AND pupil_id IN (SELECT id FROM ch)),
b3 AS (SELECT ev.pid, min(CASE WHEN ev.decided THEN ev.day END) AS made,
              min(CASE WHEN ev.copied THEN ev.day END) AS copied,
              min(CASE WHEN ev.intended IS NOT NULL AND ev.day > {end(4)} AND ev.day <= {end(5)} THEN ev.day END) AS int16,
              min(CASE WHEN ev.intended IS NOT NULL AND ev.day > {end(6)} AND ev.day <= {end(7)} THEN ev.day END) AS int18,
              min(CASE WHEN ev.actual THEN ev.day END) AS actual
       FROM ev JOIN ch ON ch.id = ev.pid GROUP BY ev.pid),
-- "Considering higher education": the latest intended destination (by day; on one day a
-- destination entered after a record's, then by time or entry) as each day ends, and the days
-- it turns to or from higher education.
day_end AS (SELECT pid, day, intended = '{rules.HE_CODE}' AS he, max(ord) FROM ev WHERE intended IS NOT NULL
            GROUP BY pid, day),
turns AS (SELECT pid, day, row_number() OVER (PARTITION BY pid ORDER BY day) AS n FROM (
            SELECT pid, day, he, lag(he, 1, 0) OVER (PARTITION BY pid ORDER BY day) AS before FROM day_end)
          WHERE he <> before),
he AS (SELECT pid, min(CASE WHEN n = 1 THEN {_day('day')} END) AS he_from,
              min(CASE WHEN n = 2 THEN {_day('day')} END) AS he_to,
              nullif(json_group_array({_day('day')}) FILTER (WHERE n > 2), '[]') AS he_more
       FROM turns GROUP BY pid)
SELECT {_pupil_columns('ch')},
       {', '.join(f'y.{c}' for c in _ONCE_A_YEAR)},
       {', '.join(f'c.{name}_{n}' for name, _ in COUNTED for n in (1, 2))},
       {', '.join(_day(f'b3.{c}') + f' AS {c}' for c in ONCE)},
       he.he_from, he.he_to, he.he_more
FROM ch LEFT JOIN yearly y ON y.pid = ch.id LEFT JOIN counted c ON c.pid = ch.id LEFT JOIN b3 ON b3.pid = ch.id
LEFT JOIN he ON he.pid = ch.id
"""


def has_stale(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM coverage_stale)").fetchone()[0])


def refresh(conn: sqlite3.Connection) -> int:
    """Work the stale pupils' facts out again and clear the list, inside the caller's transaction
    (``db.transaction`` calls this before it commits). Returns how many pupils were refreshed."""
    stale = conn.execute("SELECT count(*) FROM coverage_stale").fetchone()[0]
    if stale:
        conn.execute(f"DELETE FROM coverage_facts WHERE pupil_id IN {STALE}")
        # Pupils with no evidence first, in a few index lookups each (an import adds thousands),
        # then the rest from their records.
        conn.execute(f"INSERT INTO coverage_facts ({', '.join(KEPT)}) {_without_evidence(STALE)}")
        conn.execute(f"INSERT INTO coverage_facts ({', '.join(KEPT)}) {kept_sql(_STILL_STALE)}")
        conn.execute("DELETE FROM coverage_stale")
    return stale


# The stale pupils whose rows are still to be worked out (``refresh``).
_STILL_STALE = ("(SELECT s.pupil_id FROM coverage_stale s WHERE NOT EXISTS "
                "(SELECT 1 FROM coverage_facts f WHERE f.pupil_id = s.pupil_id))")


def kept_sql(chosen: str) -> str:
    """The rows as kept (KEPT): each with ``latest``, the last day any of its evidence arrives,
    and ``final``, the row packed as it stands from then on, so most rows are read without
    comparing a day (``as_at``)."""
    return f"SELECT s.*, {_latest('s')}, {packed('s', str(NEVER))} FROM ({source_sql(chosen)}) s"


def rows_sql(conn: sqlite3.Connection) -> str:
    """A subquery giving every pupil's facts row: the kept rows, and for any pupil marked stale
    (a write made outside ``db.transaction``) the row worked out from the records now."""
    if not has_stale(conn):
        return "coverage_facts"
    return (f"(SELECT {', '.join(KEPT)} FROM coverage_facts WHERE pupil_id NOT IN {STALE} "
            f"UNION ALL {kept_sql(STALE)})")


# ---------------------------------------------------------------- a row as at a day

# The fields of benchmarks.Facts a row gives, packed into one integer: (field, bits). The two
# left out are the year group's, not the pupil's: pal_12_13 (offered to the year group:
# ``offers_sql``) and programme_planned (the school's programme). Year masks are shifted down
# to bit 0 for Year 7. 47 bits in all.
PACKED = (("lmi_years", 7), ("curriculum_years", 7), ("employer_years", 7), ("workplace_by16", 2),
          ("workplace_post16", 2), ("providers_by16", len(rules.PROVIDER_TYPES)), ("he_visits", 2),
          ("considering_he", 1), ("pal_8_9", 2), ("pal_10_11", 2), ("guidance_by16", 2), ("guidance_post16", 2),
          ("unqualified", 2), ("record_made", 1), ("copy_given", 1), ("intended_by16", 1), ("intended_post16", 1),
          ("actual_destination", 1))
NEVER = 99999999                  # a day after every other: a row as it will stand once all its evidence is there
_DAYS = tuple(c for c in COLUMNS[len(PUPIL) + 1:] if c != "he_more")


def _on(col: str, f: str, d: str) -> str:
    return f"coalesce({f}.{col} <= {d}, 0)"


def packed(f: str = "f", d: str = ":d") -> str:
    """SQL: the facts row ``f`` as at the day ``d`` (YYYYMMDD), packed as PACKED says."""
    mask = lambda name: " + ".join(f"({_on(f'{name}{y}', f, d)} << {y - 7})" for y in YEARS)  # noqa: E731
    two = lambda name: f"{_on(f'{name}_1', f, d)} + {_on(f'{name}_2', f, d)}"  # noqa: E731
    # An odd number of turns by the day: the latest intended destination then was higher education.
    he = (f"({_on('he_from', f, d)} + {_on('he_to', f, d)} + CASE WHEN {f}.he_more IS NULL THEN 0 ELSE "
          f"(SELECT count(*) FROM json_each({f}.he_more) WHERE value <= {d}) END) % 2")
    parts = {"lmi_years": mask("lmi"), "curriculum_years": mask("cur"), "employer_years": mask("emp"),
             "workplace_by16": two("wp16"), "workplace_post16": two("wp18"),
             "providers_by16": " + ".join(f"({_on(f'prov{i}', f, d)} << {i})" for i in range(len(rules.PROVIDER_TYPES))),
             "he_visits": two("he"), "considering_he": he, "pal_8_9": two("pal89"), "pal_10_11": two("pal1011"),
             "guidance_by16": two("g16"), "guidance_post16": two("g18"), "unqualified": two("unq"),
             "record_made": _on("made", f, d), "copy_given": _on("copied", f, d), "intended_by16": _on("int16", f, d),
             "intended_post16": _on("int18", f, d), "actual_destination": _on("actual", f, d)}
    out, shift = [], 0
    for name, bits in PACKED:
        out.append(f"(({parts[name]}) << {shift})")
        shift += bits
    return " + ".join(out)


def _latest(f: str) -> str:
    """SQL: the last day any of the row's evidence arrives (0 for none)."""
    more = f"coalesce((SELECT max(value) FROM json_each({f}.he_more)), 0)"
    return f"max({', '.join(f'coalesce({f}.{c}, 0)' for c in _DAYS)}, {more})"


def as_at(f: str = "f") -> str:
    """SQL: the facts row ``f`` as at the day :d, packed. A row whose evidence all arrived by then
    is read as kept (``final``); only a row with evidence dated after :d (an activity entered
    ahead, or a day in the past asked about) is worked out."""
    return f"CASE WHEN {f}.latest <= :d THEN {f}.final ELSE {packed(f)} END"


@lru_cache(maxsize=4096)
def unwho(who: int) -> tuple[int, str, int, int, str | None]:
    """``who`` -> (year group joined, SEN status, pupil premium, looked after, gender)."""
    return who >> 8, SEN_CODES[who >> 6 & 3], who >> 5 & 1, who >> 4 & 1, GENDERS[who & 15]


@lru_cache(maxsize=65536)
def unpack(value: int) -> tuple:
    """A packed row (``as_at``) -> the values of the PACKED fields of benchmarks.Facts, in order;
    year masks with bit n for Year n again, flags as booleans."""
    out, shift = [], 0
    for name, bits in PACKED:
        v = value >> shift & ((1 << bits) - 1)
        shift += bits
        if name.endswith("_years"):
            v <<= 7
        elif bits == 1:
            v = bool(v)
        out.append(v)
    return tuple(out)


def on_roll(f: str = "f") -> str:
    """The pupils on roll on :d in Years 7-13 (:youngest_13, :youngest_7: their intake years)."""
    return (f"({f}.left_on IS NULL OR {f}.left_on > :d) AND ({f}.entry IS NULL OR {f}.entry <= :d) "
            f"AND {f}.intake_year BETWEEN :youngest_13 AND :youngest_7")


def offers_sql() -> str:
    """Intake year -> provider-access encounters held by :until for that year group in Years 12-13
    (someone of the intake took part), capped at 2."""
    return ("SELECT ai.intake_year, min(2, count(*)) FROM activity_intakes ai JOIN activities a ON a.id = ai.activity_id "
            f"WHERE a.kind IN ({_in(rules.PAL_KINDS)}) AND a.held_on <= :until "
            f"AND {_sy('a.held_on')} - ai.intake_year IN (5, 6) GROUP BY ai.intake_year")
