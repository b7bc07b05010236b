"""The careers programme (Benchmark 1): year groups x benchmarks, each cell the planned
activities, and which recorded activities delivered them. Never imports Textual.

Decisions:

* A programme belongs to a school year (named by the year it starts). Year groups 7-14; a
  cell may hold any number of planned items, kept in order (``position``).
* Delivered: a planned item is delivered when at least one recorded activity is linked to it
  (activities.programme_item_id). A link is made or removed from either side and audited.
* Deleting a planned item unlinks its activities (they stay recorded) in the same transaction.
* Copying a school year's programme into an empty year is one transaction (a stable programme
  is mostly last year's, revised).
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from datetime import date
from dataclasses import dataclass, field
from typing import Any

from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.domain import dates, names, schoolyear
from gatsby_tui.store import audit
from gatsby_tui.store.db import StoreError, transaction

# Year 14 is in the programme as the schema allows: special schools run pathways to 14 (and
# EHCP learners stay to 25). A grid shows Year 14 when the school plans for it or has Year 14
# learners on roll (``years_shown``).
YEARS = tuple(range(7, 15))
BENCHMARKS = tuple(range(1, 9))
MAX_DESCRIPTION = 500


@dataclass(frozen=True)
class Item:
    id: int
    school_year: int
    year_group: int
    benchmark: int
    description: str
    position: int
    delivered: tuple[tuple[int, str, str], ...] = ()   # (activity id, held_on, title)


@dataclass
class Grid:
    school_year: int
    cells: dict[tuple[int, int], list[Item]] = field(default_factory=dict)
    # Recorded activities in the school year serving a benchmark and attended by the year group,
    # not linked to any planned item: (year_group, benchmark) -> count.
    unplanned: dict[tuple[int, int], int] = field(default_factory=dict)
    # The year groups to show: Years 7-13, and 14 when planned for or on roll.
    years: tuple[int, ...] = tuple(range(7, 14))

    def items(self, year_group: int, benchmark: int) -> list[Item]:
        return self.cells.get((year_group, benchmark), [])

    @property
    def planned(self) -> int:
        return sum(len(v) for v in self.cells.values())

    @property
    def delivered(self) -> int:
        return sum(1 for v in self.cells.values() for i in v if i.delivered)


def _description(text: Any) -> str:
    value = names.clean_text(str(text or ""), multiline=False) or ""
    if not value:
        raise StoreError("Describe the planned activity, e.g. 'Careers fair with local employers'.")
    if len(value) > MAX_DESCRIPTION:
        raise StoreError(f"The description is longer than {MAX_DESCRIPTION} characters: shorten it.")
    return value


def _check_cell(school_year: int, year_group: int, benchmark: int) -> None:
    if not 2000 <= int(school_year) <= 2100:
        raise StoreError(f"{school_year} is not a school year: give the year it starts, e.g. 2026.")
    if int(year_group) not in YEARS:
        raise StoreError(f"Year {year_group} is not in the programme: use Years 7 to 14.")
    if int(benchmark) not in BENCHMARKS:
        raise StoreError(f"Benchmark {benchmark} does not exist: use 1 to 8.")


def grid(conn: sqlite3.Connection, school_year: int) -> Grid:
    g = Grid(school_year)
    delivered: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for r in conn.execute(
            "SELECT a.programme_item_id, a.id, a.held_on, a.title FROM activities a "
            "JOIN programme_items pi ON pi.id = a.programme_item_id WHERE pi.school_year = ? "
            "ORDER BY a.held_on, a.id", (school_year,)):
        delivered[r[0]].append((r[1], r[2], r[3]))
    for r in conn.execute("SELECT * FROM programme_items WHERE school_year = ? "
                          "ORDER BY year_group, benchmark, position, id", (school_year,)):
        g.cells.setdefault((r["year_group"], r["benchmark"]), []).append(
            Item(r["id"], r["school_year"], r["year_group"], r["benchmark"], r["description"], r["position"],
                 tuple(delivered.get(r["id"], ()))))
    for yg, bm, n in conn.execute(
            "SELECT ? - p.intake_year + 7 AS yg, ab.benchmark, count(DISTINCT a.id) "
            "FROM activities a JOIN activity_benchmarks ab ON ab.activity_id = a.id "
            "JOIN activity_pupils ap ON ap.activity_id = a.id JOIN pupils p ON p.id = ap.pupil_id "
            "WHERE a.held_on >= ? AND a.held_on < ? AND a.programme_item_id IS NULL "
            "GROUP BY yg, ab.benchmark",
            (school_year, f"{school_year:04d}-09-01", f"{school_year + 1:04d}-09-01")):
        if yg in YEARS:
            g.unplanned[(yg, bm)] = n
    year_14 = any(y == 14 for y, _ in g.cells) or conn.execute(
        "SELECT 1 FROM pupils WHERE intake_year = ? AND (date_left IS NULL OR date_left >= ?) LIMIT 1",
        (school_year - 7, f"{school_year:04d}-09-01")).fetchone() is not None
    if year_14:
        g.years = YEARS
    return g


def item(conn: sqlite3.Connection, item_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM programme_items WHERE id = ?", (item_id,)).fetchone()


def items_for(conn: sqlite3.Connection, school_year: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM programme_items WHERE school_year = ? "
                        "ORDER BY year_group, benchmark, position, id", (school_year,)).fetchall()


def school_years(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT DISTINCT school_year FROM programme_items ORDER BY 1")]


def add_item(conn: sqlite3.Connection, school_year: int, year_group: int, benchmark: int, description: Any, *,
             stamp: str, adviser_id: int | None) -> int:
    _check_cell(school_year, year_group, benchmark)
    text = _description(description)
    with transaction(conn):
        position = conn.execute(
            "SELECT coalesce(max(position), -1) + 1 FROM programme_items "
            "WHERE school_year = ? AND year_group = ? AND benchmark = ?",
            (school_year, year_group, benchmark)).fetchone()[0]
        row = {"school_year": int(school_year), "year_group": int(year_group), "benchmark": int(benchmark),
               "description": text, "position": position}
        item_id = conn.execute(
            "INSERT INTO programme_items (school_year, year_group, benchmark, description, position) "
            "VALUES (:school_year, :year_group, :benchmark, :description, :position)", row).lastrowid
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="programme_items", row_id=item_id,
                    pupil_id=None, after=row)
    return item_id


def update_item(conn: sqlite3.Connection, item_id: int, description: Any, *, stamp: str,
                adviser_id: int | None) -> bool:
    text = _description(description)
    with transaction(conn):
        before = item(conn, item_id)
        if before is None:
            raise StoreError("That planned activity is no longer in the programme.")
        if before["description"] == text:
            return False
        conn.execute("UPDATE programme_items SET description = ? WHERE id = ?", (text, item_id))
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="programme_items", row_id=item_id,
                    pupil_id=None, before={"description": before["description"]}, after={"description": text})
    return True


def delete_item(conn: sqlite3.Connection, item_id: int, *, stamp: str, adviser_id: int | None) -> int:
    """Delete a planned item; its linked activities stay, unlinked. Returns how many were unlinked."""
    with transaction(conn):
        before = item(conn, item_id)
        if before is None:
            raise StoreError("That planned activity is no longer in the programme.")
        linked = [r[0] for r in conn.execute("SELECT id FROM activities WHERE programme_item_id = ?", (item_id,))]
        for activity_id in linked:
            conn.execute("UPDATE activities SET programme_item_id = NULL WHERE id = ?", (activity_id,))
            audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="activities",
                        row_id=activity_id, pupil_id=None, before={"programme_item_id": item_id},
                        after={"programme_item_id": None})
        conn.execute("DELETE FROM programme_items WHERE id = ?", (item_id,))
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="delete", table="programme_items", row_id=item_id,
                    pupil_id=None, before=dict(before))
    return len(linked)


def link(conn: sqlite3.Connection, activity_id: int, item_id: int | None, *, stamp: str,
         adviser_id: int | None) -> bool:
    """Link a recorded activity to a planned item (None: unlink). The item must be in the
    activity's school year. False when it was already so."""
    with transaction(conn):
        activity = conn.execute("SELECT id, held_on, programme_item_id FROM activities WHERE id = ?",
                                (activity_id,)).fetchone()
        if activity is None:
            raise StoreError("That activity is no longer in the database.")
        if item_id is not None:
            target = item(conn, item_id)
            if target is None:
                raise StoreError("That planned activity is no longer in the programme.")
            sy = schoolyear.school_year_of(dates.from_iso(activity["held_on"]))
            if target["school_year"] != sy:
                raise StoreError(f"The activity was in {schoolyear.school_year_label(sy)} but that planned activity "
                                 f"is in the {schoolyear.school_year_label(target['school_year'])} programme: "
                                 "link it to one in its own school year.")
        if activity["programme_item_id"] == item_id:
            return False
        conn.execute("UPDATE activities SET programme_item_id = ? WHERE id = ?", (item_id, activity_id))
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="activities", row_id=activity_id,
                    pupil_id=None, before={"programme_item_id": activity["programme_item_id"]},
                    after={"programme_item_id": item_id})
    return True


def copy_year(conn: sqlite3.Connection, from_year: int, to_year: int, *, stamp: str, adviser_id: int | None) -> int:
    """Copy one school year's planned items into another that has none yet; returns how many."""
    with transaction(conn):
        if conn.execute("SELECT 1 FROM programme_items WHERE school_year = ? LIMIT 1", (to_year,)).fetchone():
            raise StoreError(f"The {schoolyear.school_year_label(to_year)} programme already has planned "
                             "activities: copying would mix two programmes.")
        rows = conn.execute("SELECT year_group, benchmark, description, position FROM programme_items "
                            "WHERE school_year = ? ORDER BY year_group, benchmark, position, id",
                            (from_year,)).fetchall()
        if not rows:
            raise StoreError(f"The {schoolyear.school_year_label(from_year)} programme is empty: nothing to copy.")
        for r in rows:
            new = {"school_year": to_year, "year_group": r[0], "benchmark": r[1], "description": r[2],
                   "position": r[3]}
            item_id = conn.execute(
                "INSERT INTO programme_items (school_year, year_group, benchmark, description, position) "
                "VALUES (:school_year, :year_group, :benchmark, :description, :position)", new).lastrowid
            audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="programme_items",
                        row_id=item_id, pupil_id=None, after=new)
    return len(rows)


def candidates(conn: sqlite3.Connection, item_id: int, limit: int = 200) -> list[sqlite3.Row]:
    """Recorded activities that could deliver a planned item: same school year, serving its
    benchmark, newest first; ``linked_here`` says which already do."""
    target = item(conn, item_id)
    if target is None:
        raise StoreError("That planned activity is no longer in the programme.")
    sy = target["school_year"]
    return conn.execute(
        "SELECT a.id, a.held_on, a.kind, a.title, a.programme_item_id, a.programme_item_id = :item AS linked_here, "
        "(SELECT count(*) FROM activity_pupils ap WHERE ap.activity_id = a.id) AS pupils "
        "FROM activities a WHERE a.held_on >= :s AND a.held_on < :e "
        "AND EXISTS (SELECT 1 FROM activity_benchmarks b WHERE b.activity_id = a.id AND b.benchmark = :bm) "
        "ORDER BY linked_here DESC, a.held_on DESC, a.id DESC LIMIT :limit",
        {"item": item_id, "s": f"{sy:04d}-09-01", "e": f"{sy + 1:04d}-09-01", "bm": target["benchmark"],
         "limit": limit}).fetchall()


def cell_title(year_group: int, benchmark: int) -> str:
    return f"Year {year_group} · Benchmark {benchmark}: {rules.BENCHMARKS[benchmark][0]}"


# ---------------------------------------------------------------- the school, its careers leader, the published page
#
# Kept in the settings table (one school per file): the school's name in ``schools``; the careers
# leader's name, email and telephone; and the texts the school writes for its published
# programme (the provider access policy statement, how the programme is evaluated, the date of
# the next review, and for each benchmark what the school does now and will do next). Every
# change is one transaction with one audit entry.

LEADER_KEYS = (("leader_name", "careers_leader_name", "the careers leader's name", 100),
               ("leader_email", "careers_leader_email", "the careers leader's email", 200),
               ("leader_phone", "careers_leader_phone", "the careers leader's telephone", 40))
TEXT_LIMIT = 4000
PAGE_KEYS = (("provider_access_policy", "programme_provider_access_policy",
              "the provider access policy statement", TEXT_LIMIT),
             ("evaluation", "programme_evaluation", "how the programme is evaluated", TEXT_LIMIT),
             *((f"b{b}_{part}", f"programme_b{b}_{part}", f"Benchmark {b}: what we {words}", 2000)
               for b in BENCHMARKS for part, words in (("now", "do now"), ("next", "will do next"))))


@dataclass(frozen=True)
class School:
    name: str | None
    leader_name: str | None
    leader_email: str | None
    leader_phone: str | None
    texts: dict[str, str | None]          # PAGE_KEYS' names -> text
    next_review: str | None               # ISO date

    @property
    def missing(self) -> list[str]:
        """What setup still needs, in words (empty when the school and its careers leader are named)."""
        return [words for value, words in ((self.name, "the school's name"),
                                           (self.leader_name, "the careers leader's name")) if not value]

    def statement(self, benchmark: int) -> tuple[str | None, str | None]:
        return self.texts.get(f"b{benchmark}_now"), self.texts.get(f"b{benchmark}_next")


def _settings(conn: sqlite3.Connection) -> dict[str, str]:
    return {r[0]: r[1] for r in conn.execute("SELECT key, value FROM settings WHERE key LIKE 'careers_leader_%' "
                                             "OR key LIKE 'programme_%'")}


def school(conn: sqlite3.Connection) -> School:
    row = conn.execute("SELECT name FROM schools ORDER BY id LIMIT 1").fetchone()
    s = _settings(conn)
    return School(row[0] if row else None, *(s.get(key) or None for _, key, _, _ in LEADER_KEYS),
                  {name: s.get(key) or None for name, key, _, _ in PAGE_KEYS}, s.get("programme_next_review") or None)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{7,25}$")


class SchoolInvalid(StoreError):
    """Raised with one message per field that cannot be accepted."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def _put(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM settings WHERE key = ?", (key,))
    else:
        conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def save_school(conn: sqlite3.Connection, values: dict[str, Any], *, stamp: str, adviser_id: int | None) -> bool:
    """The school's name and its careers leader (name required; email and telephone optional but
    checked). Raises SchoolInvalid; False when nothing changed."""
    errors: dict[str, str] = {}
    clean: dict[str, str | None] = {}
    name = names.clean_text(str(values.get("name") or "")) or None
    if not name:
        errors["name"] = "Give the school's name as it should appear on the published programme."
    elif len(name) > 200:
        errors["name"] = "The school's name is longer than 200 characters: shorten it."
    for field_name, _key, words, limit in LEADER_KEYS:
        text = names.clean_text(str(values.get(field_name) or "")) or None
        if text and len(text) > limit:
            errors[field_name] = f"{words[0].upper() + words[1:]} is longer than {limit} characters: shorten it."
        clean[field_name] = text
    if not clean["leader_name"] and "leader_name" not in errors:
        errors["leader_name"] = ("Name the careers leader: the action plans and the published programme give "
                                 "their name, never 'the school's careers leader'.")
    if clean["leader_email"] and not _EMAIL.match(clean["leader_email"]):
        errors["leader_email"] = "That is not an email address: type it as name@school.org.uk, or leave it blank."
    if clean["leader_phone"] and not _PHONE.match(clean["leader_phone"]):
        errors["leader_phone"] = "That is not a telephone number: digits and spaces, e.g. 01282 555 0142."
    if errors:
        raise SchoolInvalid(errors)
    with transaction(conn):
        before = school(conn)
        old = {"name": before.name, "leader_name": before.leader_name, "leader_email": before.leader_email,
               "leader_phone": before.leader_phone}
        new = {"name": name, **clean}
        if old == new:
            return False
        row = conn.execute("SELECT id FROM schools ORDER BY id LIMIT 1").fetchone()
        if row is None:
            school_id = conn.execute("INSERT INTO schools (name) VALUES (?)", (name,)).lastrowid
        else:
            school_id = row[0]
            conn.execute("UPDATE schools SET name = ? WHERE id = ?", (name, school_id))
        for field_name, key, _, _ in LEADER_KEYS:
            _put(conn, key, clean[field_name])
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="schools", row_id=school_id,
                    pupil_id=None, before=old, after=new)
    return True


def save_page(conn: sqlite3.Connection, values: dict[str, Any], *, stamp: str, today: date,
              adviser_id: int | None) -> bool:
    """The texts the school writes for its published programme (PAGE_KEYS, each optional) and
    the date of the next review (day/month/year; not in the past). Raises SchoolInvalid; False
    when nothing changed."""
    errors: dict[str, str] = {}
    clean: dict[str, str | None] = {}
    for field_name, _key, words, limit in PAGE_KEYS:
        text = names.clean_text(str(values.get(field_name) or ""), multiline=True)
        text = text.strip() if text else None
        if text and len(text) > limit:
            errors[field_name] = f"{words[0].upper() + words[1:]} is longer than {limit:,} characters: shorten it."
        clean[field_name] = text or None
    review: str | None = None
    typed = str(values.get("next_review") or "").strip()
    if typed:
        try:
            day = dates.parse_date(typed, what="date of the next review")
        except dates.DateError as e:
            errors["next_review"] = str(e)
        else:
            if day < today:
                errors["next_review"] = (f"{dates.uk(day)} has passed: give the date the programme will next be "
                                         "reviewed.")
            else:
                review = day.isoformat()
    if errors:
        raise SchoolInvalid(errors)
    with transaction(conn):
        before = school(conn)
        old = {**before.texts, "next_review": before.next_review}
        new = {**clean, "next_review": review}
        if old == new:
            return False
        for field_name, key, _, _ in PAGE_KEYS:
            _put(conn, key, clean[field_name])
        _put(conn, "programme_next_review", review)
        changed = [k for k in new if new[k] != old.get(k)]
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="settings", row_id=None,
                    pupil_id=None, before={k: old.get(k) for k in changed}, after={k: new[k] for k in changed})
    return True
