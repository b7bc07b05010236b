"""Careers activities (Gatsby benchmark evidence) and who took part. Never imports Textual.

Decisions, in one place:

* An activity is recorded once it has happened: a date in the future is refused (plan it in
  the programme instead). It must serve at least one benchmark (that is why it is recorded).
  A subject lesson names its subject.
* The "meaningful" checklist is stored point by point (m_purpose ... m_employer_feedback);
  the rules (domain/benchmarks.py) decide what counts. Saving warns, never refuses, when an
  activity serving Benchmark 5, 6 or 7 does not meet the checklist: it is kept, and simply
  does not count for that benchmark.
* Pupils are attached one by one or in bulk (a year group, a form, or the register's filter),
  minus the absentees, in ONE transaction with one audit entry per pupil attached (so each
  pupil's audit log shows it). Only pupils on roll on the day of the activity, and in Years
  7 and above then, can be attached: anyone else is refused by name. Attaching someone twice
  changes nothing.
* A year group means the pupils in that year group in the activity's school year; a form
  means the pupils whose form is that now (forms are kept current, not historical).
* Deleting an activity removes its attendance too; the audit log keeps what was deleted.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping, Sequence

from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.domain import dates, names, schoolyear
from gatsby_tui.store import audit
from gatsby_tui.store.db import StoreError, transaction

POINT_FIELDS = tuple(key for key, _ in rules.POINTS)
TEXT_LIMITS = {"title": 200, "organisation": 200, "subject": 100, "notes": 4000}
_KIND_BY_WORD = {**{k: k for k in rules.KINDS}, **{v.lower(): k for k, v in rules.KINDS.items()}}
ON_ROLL_ON = "(p.date_left IS NULL OR p.date_left > :held_on)"


class ActivityInvalid(StoreError):
    """Raised with one message per field that cannot be accepted."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


@dataclass(frozen=True)
class CheckedActivity:
    values: dict[str, Any]
    benchmarks: tuple[int, ...]
    warnings: tuple[str, ...] = ()


def _flag(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    return 0 if str(value or "").strip().lower() in ("", "0", "no", "n", "false", "f") else 1


def parse_benchmarks(value: Any) -> tuple[int, ...]:
    """[5, 6], '5, 6', '5 6', 'B5 B6' -> (5, 6)."""
    if value is None or value == "":
        return ()
    items: Iterable[Any]
    if isinstance(value, str):
        items = value.replace(",", " ").split()
    else:
        items = value
    out = set()
    for item in items:
        text = str(item).strip().upper().lstrip("B")
        # ASCII digits, and short: '²'.isdigit() is true but int('²') fails; int() of 5,000 digits too.
        if not (text.isascii() and text.isdigit()) or len(text) > 2 or not 1 <= int(text) <= 8:
            raise ValueError(f"'{names.quote(str(item))}' is not a benchmark: use the numbers 1 to 8.")
        out.add(int(text))
    return tuple(sorted(out))


def check(raw: Mapping[str, Any], *, today: date) -> CheckedActivity:
    """Check an activity as typed. ``raw``: kind, title, held_on (UK date text or a date),
    organisation, subject, benchmarks (list or '5, 6'), the six m_* points (bools),
    programme_item_id, notes, providers (the provider types it names: a list of keys of
    benchmarks.PROVIDER_TYPES, or words such as 'colleges, training providers'). Raises
    ActivityInvalid listing every field that is wrong."""
    errors: dict[str, str] = {}
    warnings: list[str] = []
    values: dict[str, Any] = {}
    kind_text = " ".join(str(raw.get("kind") or "").strip().lower().split())
    kind = _KIND_BY_WORD.get(kind_text) or _KIND_BY_WORD.get(kind_text.replace(" ", "_"))
    if not kind:
        errors["kind"] = "Choose what kind of activity it was (employer talk, careers fair, ...)."
    values["kind"] = kind
    for key in ("title", "organisation", "subject", "notes"):
        text = names.clean_text(str(raw.get(key) or ""), multiline=key == "notes") or None
        if text and len(text) > TEXT_LIMITS[key]:
            errors[key] = f"The {key} is longer than {TEXT_LIMITS[key]} characters: shorten it."
        values[key] = text
    if not values["title"]:
        errors["title"] = "Give the activity a title, e.g. 'Year 10 careers fair'."
    if kind == "subject_lesson" and not values["subject"]:
        errors["subject"] = "Say which subject the lesson was in (e.g. Geography)."
    held = raw.get("held_on")
    held_on: date | None = None
    if isinstance(held, date):
        held_on = held
    else:
        try:
            held_on = dates.parse_date(str(held or ""), what="date of the activity")
        except dates.DateError as e:
            errors["held_on"] = str(e)
    if held_on is not None:
        if held_on > today:
            errors["held_on"] = (f"{dates.uk(held_on)} is in the future: record an activity once it has "
                                 "happened (plan it in the programme instead).")
        elif held_on.year < 2000:
            errors["held_on"] = f"{dates.uk(held_on)} is too long ago: check the year."
        else:
            values["held_on"] = held_on.isoformat()
    try:
        chosen = parse_benchmarks(raw.get("benchmarks"))
    except ValueError as e:
        errors["benchmarks"] = str(e)
        chosen = ()
    if not chosen and "benchmarks" not in errors:
        errors["benchmarks"] = "Tick at least one benchmark the activity serves."
    for key in POINT_FIELDS:
        values[key] = _flag(raw.get(key))
    item = raw.get("programme_item_id")
    values["programme_item_id"] = int(item) if item not in (None, "") else None
    try:
        named = rules.parse_provider_types(raw.get("providers"))
    except ValueError as e:
        errors["providers"] = str(e)
        named = frozenset()
    values["providers_named"] = rules.providers_mask(named)
    if errors:
        raise ActivityInvalid(errors)
    points = {k for k in POINT_FIELDS if values[k]}
    if any(b in chosen for b in (5, 7)) and not rules.meaningful(points):
        gaps = ", ".join(rules.missing_points(points))
        which = " and ".join(f"Benchmark {b}" for b in chosen if b in (5, 7))
        warnings.append(f"Not meaningful for {which} (it lacks {gaps}): it is kept but will not count there.")
    if 6 in chosen:
        if kind not in rules.WORKPLACE_KINDS:
            warnings.append("Benchmark 6 counts workplace visits, work shadowing and work experience only.")
        elif not rules.meaningful(points, workplace=True):
            gaps = ", ".join(rules.missing_points(points, workplace=True))
            warnings.append(f"Not a meaningful workplace experience (it lacks {gaps}): it will not count for Benchmark 6.")
    if 7 in chosen and kind not in rules.PROVIDER_BIT and not named:
        warnings.append("Benchmark 7 counts encounters with sixth forms, colleges, universities and "
                        "training providers only: tick the provider types that were there (a careers fair).")
    if named and 7 not in chosen:
        warnings.append("Provider types count for Benchmark 7 only: tick Benchmark 7 too.")
    return CheckedActivity(values, chosen, tuple(warnings))


def _check_item(conn: sqlite3.Connection, item_id: int | None) -> None:
    if item_id is not None and conn.execute("SELECT 1 FROM programme_items WHERE id = ?", (item_id,)).fetchone() is None:
        raise ActivityInvalid({"programme_item_id": "That planned activity is no longer in the programme: choose another."})


def add(conn: sqlite3.Connection, checked: CheckedActivity, *, stamp: str, adviser_id: int | None) -> int:
    values = dict(checked.values, created_at=stamp)
    with transaction(conn):
        _check_item(conn, values["programme_item_id"])
        cols = ", ".join(values)
        activity_id = conn.execute(f"INSERT INTO activities ({cols}) VALUES ({', '.join('?' * len(values))})",
                                   tuple(values.values())).lastrowid
        conn.executemany("INSERT INTO activity_benchmarks (activity_id, benchmark) VALUES (?, ?)",
                         [(activity_id, b) for b in checked.benchmarks])
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="activities", row_id=activity_id,
                    pupil_id=None, after={**checked.values, "benchmarks": list(checked.benchmarks)})
    return activity_id


def update(conn: sqlite3.Connection, activity_id: int, checked: CheckedActivity, *, stamp: str,
           adviser_id: int | None) -> bool:
    """False when nothing changed. A new date must still fall while every attached pupil was on roll."""
    with transaction(conn):
        before = get(conn, activity_id)
        if before is None:
            raise StoreError("That activity is no longer in the database.")
        _check_item(conn, checked.values["programme_item_id"])
        old = {k: before[k] for k in checked.values}
        old["benchmarks"] = list(before["benchmarks"])
        new = {**checked.values, "benchmarks": list(checked.benchmarks)}
        if old == new:
            return False
        if checked.values["held_on"] != before["held_on"]:
            gone = conn.execute(
                "SELECT p.legal_surname, p.legal_forename, p.preferred_forename FROM activity_pupils ap "
                "JOIN pupils p ON p.id = ap.pupil_id WHERE ap.activity_id = :id "
                "AND NOT (p.date_left IS NULL OR p.date_left > :held_on) LIMIT 3",
                {"id": activity_id, "held_on": checked.values["held_on"]}).fetchall()
            if gone:
                who = ", ".join(names.display_name(r[0], r[1], r[2]) for r in gone)
                raise ActivityInvalid({"held_on": f"{who} had left by {dates.uk(dates.from_iso(checked.values['held_on']))}: "
                                                  "check the date, or remove them from the activity first."})
        sets = ", ".join(f"{k} = ?" for k in checked.values)
        conn.execute(f"UPDATE activities SET {sets} WHERE id = ?", (*checked.values.values(), activity_id))
        conn.execute("DELETE FROM activity_benchmarks WHERE activity_id = ?", (activity_id,))
        conn.executemany("INSERT INTO activity_benchmarks (activity_id, benchmark) VALUES (?, ?)",
                         [(activity_id, b) for b in checked.benchmarks])
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="activities", row_id=activity_id,
                    pupil_id=None, before=old, after=new)
    return True


def delete(conn: sqlite3.Connection, activity_id: int, *, stamp: str, adviser_id: int | None) -> int:
    """Delete an activity and its attendance; returns how many pupils it had."""
    with transaction(conn):
        before = get(conn, activity_id)
        if before is None:
            raise StoreError("That activity is no longer in the database.")
        pupils = [r[0] for r in conn.execute("SELECT pupil_id FROM activity_pupils WHERE activity_id = ?",
                                             (activity_id,))]
        conn.execute("DELETE FROM activity_pupils WHERE activity_id = ?", (activity_id,))
        conn.execute("DELETE FROM activity_benchmarks WHERE activity_id = ?", (activity_id,))
        conn.execute("DELETE FROM activities WHERE id = ?", (activity_id,))
        summary = {"activity_id": activity_id, "title": before["title"], "held_on": before["held_on"]}
        conn.executemany(
            "INSERT INTO audit_log (at, adviser_id, action, table_name, row_id, pupil_id, before, after) "
            "VALUES (?, ?, 'delete', 'activity_pupils', ?, ?, ?, NULL)",
            [(stamp, adviser_id, activity_id, pid, audit._json(summary)) for pid in pupils])
        old = {k: before[k] for k in before.keys() if k not in ("pupils", "kind_label")}
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="delete", table="activities", row_id=activity_id,
                    pupil_id=None, before={**old, "benchmarks": list(before["benchmarks"]), "pupils": len(pupils)})
    return len(pupils)


# ---------------------------------------------------------------- reading


def get(conn: sqlite3.Connection, activity_id: int) -> dict[str, Any] | None:
    row = conn.execute("SELECT a.*, (SELECT count(*) FROM activity_pupils ap WHERE ap.activity_id = a.id) AS pupils, "
                       "pi.description AS programme_item, pi.year_group AS programme_year, "
                       "pi.benchmark AS programme_benchmark "
                       "FROM activities a LEFT JOIN programme_items pi ON pi.id = a.programme_item_id "
                       "WHERE a.id = ?", (activity_id,)).fetchone()
    if row is None:
        return None
    out = dict(row)
    out["benchmarks"] = tuple(r[0] for r in conn.execute(
        "SELECT benchmark FROM activity_benchmarks WHERE activity_id = ? ORDER BY benchmark", (activity_id,)))
    out["kind_label"] = rules.KINDS.get(row["kind"], row["kind"])
    return out


def form_values(activity: Mapping[str, Any]) -> dict[str, Any]:
    """A stored activity as the text a form shows (the inverse of check)."""
    return {
        "kind": activity["kind"], "title": activity["title"] or "",
        "held_on": dates.uk(dates.from_iso(activity["held_on"])),
        "organisation": activity["organisation"] or "", "subject": activity["subject"] or "",
        "notes": activity["notes"] or "", "benchmarks": list(activity["benchmarks"]),
        "programme_item_id": activity["programme_item_id"],
        **{k: bool(activity[k]) for k in POINT_FIELDS},
        "providers": sorted(rules.providers_of(activity["providers_named"] or 0)),
    }


@dataclass(frozen=True)
class ActivityRow:
    id: int
    held_on: str
    kind: str
    title: str
    organisation: str | None
    benchmarks: tuple[int, ...]
    points: int                      # how many checklist points it met (of 6)
    pupils: int
    programme_item_id: int | None

    @property
    def key(self) -> tuple[str, int]:
        return (self.held_on, self.id)


def _list_where(search: str | None, kind: str | None, benchmark: int | None,
                school_year: int | None) -> tuple[str, dict[str, Any]]:
    clauses, params = ["1"], {}
    if search and search.strip():
        clauses.append("(a.title LIKE :like ESCAPE '\\' OR a.organisation LIKE :like ESCAPE '\\' "
                       "OR a.subject LIKE :like ESCAPE '\\')")
        text = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["like"] = f"%{text}%"
    if kind:
        clauses.append("a.kind = :kind")
        params["kind"] = kind
    if benchmark:
        clauses.append("EXISTS (SELECT 1 FROM activity_benchmarks b WHERE b.activity_id = a.id AND b.benchmark = :bm)")
        params["bm"] = int(benchmark)
    if school_year is not None:
        clauses.append("a.held_on >= :sy_start AND a.held_on < :sy_end")
        params.update(sy_start=f"{school_year:04d}-09-01", sy_end=f"{school_year + 1:04d}-09-01")
    return " AND ".join(clauses), params


def page(conn: sqlite3.Connection, *, search: str | None = None, kind: str | None = None,
         benchmark: int | None = None, school_year: int | None = None, after: tuple[str, int] | None = None,
         limit: int = 100) -> list[ActivityRow]:
    """Newest first, keyset-paged on (held_on, id) with activities_by_date."""
    where, params = _list_where(search, kind, benchmark, school_year)
    if after is not None:
        where += " AND (a.held_on < :k0 OR (a.held_on = :k0 AND a.id < :k1))"
        params.update(k0=after[0], k1=after[1])
    params["limit"] = limit
    rows = conn.execute(
        "SELECT a.id, a.held_on, a.kind, a.title, a.organisation, a.programme_item_id, "
        "a.m_purpose + a.m_outcomes + a.m_interaction + a.m_reflection + a.m_employer_task + a.m_employer_feedback "
        "AS points, (SELECT group_concat(b.benchmark) FROM activity_benchmarks b WHERE b.activity_id = a.id) AS bms, "
        "(SELECT count(*) FROM activity_pupils ap WHERE ap.activity_id = a.id) AS pupils "
        f"FROM activities a WHERE {where} ORDER BY a.held_on DESC, a.id DESC LIMIT :limit", params).fetchall()
    return [ActivityRow(r["id"], r["held_on"], r["kind"], r["title"], r["organisation"],
                        tuple(sorted(int(b) for b in (r["bms"] or "").split(",") if b)), r["points"], r["pupils"],
                        r["programme_item_id"]) for r in rows]


def count(conn: sqlite3.Connection, *, search: str | None = None, kind: str | None = None,
          benchmark: int | None = None, school_year: int | None = None) -> int:
    where, params = _list_where(search, kind, benchmark, school_year)
    return conn.execute(f"SELECT count(*) FROM activities a WHERE {where}", params).fetchone()[0]


@dataclass(frozen=True)
class Attendee:
    pupil_id: int
    name: str
    year_group: int                  # in the activity's school year
    form: str | None
    sort_name: str
    attached: bool = True


def attendees(conn: sqlite3.Connection, activity_id: int, *, after: tuple[str, int] | None = None,
              limit: int = 200) -> list[Attendee]:
    activity = conn.execute("SELECT held_on FROM activities WHERE id = ?", (activity_id,)).fetchone()
    if activity is None:
        return []
    sy = schoolyear.school_year_of(dates.from_iso(activity[0]))
    where, params = "ap.activity_id = :id", {"id": activity_id, "limit": limit}
    if after is not None:
        where += " AND (p.sort_name, p.id) > (:k0, :k1)"
        params.update(k0=after[0], k1=after[1])
    rows = conn.execute(
        "SELECT p.id, p.legal_surname, p.legal_forename, p.preferred_forename, p.intake_year, p.form, p.sort_name "
        f"FROM activity_pupils ap JOIN pupils p ON p.id = ap.pupil_id WHERE {where} "
        "ORDER BY p.sort_name, p.id LIMIT :limit", params).fetchall()
    return [Attendee(r["id"], names.display_name(r["legal_surname"], r["legal_forename"], r["preferred_forename"]),
                     schoolyear.year_group_in(r["intake_year"], sy), r["form"], r["sort_name"]) for r in rows]


def for_pupil(conn: sqlite3.Connection, pupil_id: int, limit: int = 500) -> list[sqlite3.Row]:
    """The pupil's activities, newest first, with the benchmarks each serves ('5,6')."""
    return conn.execute(
        "SELECT a.*, (SELECT group_concat(b.benchmark) FROM activity_benchmarks b WHERE b.activity_id = a.id) AS bms "
        "FROM activity_pupils ap JOIN activities a ON a.id = ap.activity_id WHERE ap.pupil_id = ? "
        "ORDER BY a.held_on DESC, a.id DESC LIMIT ?", (pupil_id, limit)).fetchall()


# ---------------------------------------------------------------- attaching pupils


@dataclass(frozen=True)
class Group:
    """Who to attach in bulk: ``year`` (a year group in the activity's school year), ``form``
    (a form as it is now) or ``ids`` (chosen pupils, e.g. the register's filter or a drill-down)."""
    year: int | None = None
    form: str | None = None
    ids: tuple[int, ...] | None = None

    def describe(self) -> str:
        if self.year is not None:
            return f"Year {self.year}"
        if self.form:
            return f"form {self.form}"
        return f"{len(self.ids or ())} chosen pupils"


def _activity_or_fail(conn: sqlite3.Connection, activity_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT id, title, held_on FROM activities WHERE id = ?", (activity_id,)).fetchone()
    if row is None:
        raise StoreError("That activity is no longer in the database.")
    return row


def group_members(conn: sqlite3.Connection, activity_id: int, group: Group, limit: int | None = None) -> list[Attendee]:
    """The pupils a group means for this activity: on roll on its day and in Years 7 and above
    then, by name; ``attached`` says who is already on it."""
    activity = _activity_or_fail(conn, activity_id)
    held_on = activity["held_on"]
    sy = schoolyear.school_year_of(dates.from_iso(held_on))
    clauses = [ON_ROLL_ON, "p.intake_year <= :latest_intake"]
    params: dict[str, Any] = {"held_on": held_on, "latest_intake": sy, "id": activity_id}
    if group.year is not None:
        clauses.append("p.intake_year = :intake")
        params["intake"] = schoolyear.intake_year_for(int(group.year), sy)
    elif group.form:
        clauses.append("p.form = :form COLLATE NOCASE")
        params["form"] = group.form.strip()
    elif group.ids is not None:
        ids = sorted(set(int(i) for i in group.ids))
        if not ids:
            return []
        clauses.append("p.id IN (SELECT value FROM json_each(:ids))")
        import json

        params["ids"] = json.dumps(ids)
    else:
        raise StoreError("Choose a year group, a form or some pupils to attach.")
    sql = ("SELECT p.id, p.legal_surname, p.legal_forename, p.preferred_forename, p.intake_year, p.form, p.sort_name, "
           "EXISTS (SELECT 1 FROM activity_pupils ap WHERE ap.activity_id = :id AND ap.pupil_id = p.id) AS attached "
           f"FROM pupils p WHERE {' AND '.join(clauses)} ORDER BY p.sort_name, p.id")
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [Attendee(r["id"], names.display_name(r["legal_surname"], r["legal_forename"], r["preferred_forename"]),
                     schoolyear.year_group_in(r["intake_year"], sy), r["form"], r["sort_name"], bool(r["attached"]))
            for r in conn.execute(sql, params)]


def _write_attach(conn: sqlite3.Connection, activity: sqlite3.Row, pupil_ids: Sequence[int], *, stamp: str,
                  adviser_id: int | None) -> int:
    new = [pid for pid in pupil_ids if conn.execute(
        "SELECT 1 FROM activity_pupils WHERE activity_id = ? AND pupil_id = ?", (activity["id"], pid)).fetchone() is None]
    conn.executemany("INSERT INTO activity_pupils (activity_id, pupil_id) VALUES (?, ?)",
                     [(activity["id"], pid) for pid in new])
    after = audit._json({"activity_id": activity["id"], "title": activity["title"], "held_on": activity["held_on"]})
    conn.executemany(
        "INSERT INTO audit_log (at, adviser_id, action, table_name, row_id, pupil_id, before, after) "
        "VALUES (?, ?, 'insert', 'activity_pupils', ?, ?, NULL, ?)",
        [(stamp, adviser_id, activity["id"], pid, after) for pid in new])
    return len(new)


def attach(conn: sqlite3.Connection, activity_id: int, pupil_ids: Sequence[int], *, stamp: str,
           adviser_id: int | None) -> int:
    """Attach these pupils (one transaction); returns how many were newly attached. Refuses, naming
    them, pupils who were not on roll (or not yet in Year 7) on the day."""
    with transaction(conn):
        activity = _activity_or_fail(conn, activity_id)
        wanted = list(dict.fromkeys(int(p) for p in pupil_ids))
        members = {m.pupil_id for m in group_members(conn, activity_id, Group(ids=tuple(wanted)))}
        refused = [pid for pid in wanted if pid not in members]
        if refused:
            rows = [conn.execute("SELECT legal_surname, legal_forename, preferred_forename, date_left FROM pupils "
                                 "WHERE id = ?", (pid,)).fetchone() for pid in refused[:3]]
            if any(r is None for r in rows):
                raise StoreError("A pupil chosen is no longer on the register: choose again.")
            who = ", ".join(names.display_name(r[0], r[1], r[2]) for r in rows)
            more = f" and {len(refused) - 3} more" if len(refused) > 3 else ""
            raise StoreError(f"{who}{more} {'was' if len(refused) == 1 else 'were'} not on roll on "
                             f"{dates.uk(dates.from_iso(activity['held_on']))}: nobody was attached. "
                             "Check the date, or leave them out.")
        return _write_attach(conn, activity, wanted, stamp=stamp, adviser_id=adviser_id)


def attach_group(conn: sqlite3.Connection, activity_id: int, group: Group, *, absent: Iterable[int] = (),
                 stamp: str, adviser_id: int | None) -> int:
    """Attach a whole group minus the absentees in ONE transaction; returns how many were newly
    attached. Pupils of the group who were not on roll that day are simply not in the group."""
    skip = set(int(a) for a in absent)
    with transaction(conn):
        activity = _activity_or_fail(conn, activity_id)
        ids = [m.pupil_id for m in group_members(conn, activity_id, group) if m.pupil_id not in skip]
        return _write_attach(conn, activity, ids, stamp=stamp, adviser_id=adviser_id)


def detach(conn: sqlite3.Connection, activity_id: int, pupil_ids: Sequence[int], *, stamp: str,
           adviser_id: int | None) -> int:
    with transaction(conn):
        activity = _activity_or_fail(conn, activity_id)
        gone = [pid for pid in dict.fromkeys(int(p) for p in pupil_ids) if conn.execute(
            "DELETE FROM activity_pupils WHERE activity_id = ? AND pupil_id = ?", (activity_id, pid)).rowcount]
        before = audit._json({"activity_id": activity_id, "title": activity["title"], "held_on": activity["held_on"]})
        conn.executemany(
            "INSERT INTO audit_log (at, adviser_id, action, table_name, row_id, pupil_id, before, after) "
            "VALUES (?, ?, 'delete', 'activity_pupils', ?, ?, ?, NULL)",
            [(stamp, adviser_id, activity_id, pid, before) for pid in gone])
        return len(gone)


def forms(conn: sqlite3.Connection, today: date) -> list[str]:
    """The forms of pupils on roll, for a chooser."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT form FROM pupils WHERE form IS NOT NULL AND form <> '' "
        "AND (date_left IS NULL OR date_left > ?) ORDER BY form", (today.isoformat(),))]
