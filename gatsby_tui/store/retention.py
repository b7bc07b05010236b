"""Retention: leavers past the retention period, and pseudonymising or erasing them.

Never imports Textual. The rules (which periods apply, from when, 29 February) are in
gatsby_tui/domain/retention.py; the SQL filter below computes the same date with SQLite's
``date(d, '+N years')`` (tests hold the two together).

Decisions specific to the data:

* Past retention is worked out in SQL, so the list pages by name (keyset on ``sort_name, id``)
  and counts without reading every pupil into Python. It filters first on ``date_left``
  (pupils_by_left) and on a date-of-birth bound (no record is kept less than the record period
  from birth), then on the exact date.
* Erasing a pupil deletes every row that refers to them, directly (``pupil_id``) or through ids
  (their interviews' events, their records' amendments and drafts, their actions' events, their
  plan's versions, targets and reviews), the search index row, and their audit entries: the
  pupil is first registered in ``erasures_in_progress`` (the only way the audit log's trigger lets
  a row go), and removed from it before the end. One tombstone per pupil is written in its place:
  action 'erase', pupil_id NULL, the former id and counts only. Before committing, every table
  with a ``pupil_id`` column is checked to hold nothing of theirs, so a table added later and not
  handled here makes the erase fail whole rather than leave data behind. All pupils chosen go in
  one transaction: all or nothing.
* The freed space is made unreadable: ``PRAGMA secure_delete`` is on for the erase (SQLite zeroes
  what it deletes), the search index is merged (``optimize``: its old segments would otherwise
  keep the words of a deleted row until a later merge), and then the file is rebuilt with VACUUM
  (outside the transaction). A byte search of the file for the pupil's name finds nothing.
  Backups taken earlier still hold them: the Store names them, and the screen says so.
* Pseudonymising keeps the statistics (year group, SEN status, gender and the other flags, the
  leaving date, destination codes, attendance at activities, meetings and their dates) and removes
  who the pupil is: names become "Pupil <id> Pseudonymised", the date of birth 1 January of the
  birth year, the UPN a placeholder in the valid format that no real UPN has (local authority
  code 000, the pupil's id, a check letter), the form is cleared, and every free-text field of
  theirs becomes "[removed]" (records, amendments, actions, plans, destinations and checks,
  requests, copies given), their drafts are deleted, and their name is taken out of activities'
  notes. Their audit entries hold the old values (names, notes), so they are removed as for an
  erasure and one entry replaces them, by ids and counts. A signed-off record is locked by a
  trigger; pseudonymising lifts that trigger inside its own transaction and puts it back from
  its stored text before committing. The same secure delete, index merge and VACUUM follow.
* Only leavers past retention under the current policy can be pseudonymised or erased; a list
  holding anyone else (an unknown id, a pupil on roll, one not yet past) is refused whole.
* The audit log's entries that belong to no pupil keep what was done, but not who: a register
  list exported with a search that finds the pupil by name or UPN has that search replaced by
  "[removed]", and their full name, UPN (and, in an activity's or an export's entry, a surname no
  other pupil has) are taken out of the text of those entries (activities' notes as they were
  written, file names). The log's update trigger allows exactly that, and only while the pupils
  are registered in ``erasures_in_progress`` inside this transaction. The tombstone counts the
  entries changed (``log_entries_cleaned``).
* Files exported for the pupil (their record, action plans: the audit entries give each path),
  and lists whose search named them, are listed (``exported_files``; ``Outcome.files``) with the
  lists exported since they were added that may include them, so the adviser can delete those
  copies: the app cannot reach them.
* Not reached (said in the README and on screen): other pupils' records (and those records' own
  audit entries) may name the pupil in their free text; signed-off records of other pupils are
  never rewritten. Audit entries of no pupil still naming an erased or pseudonymised one after
  the clean-up are counted (``Outcome.log_mentions``) so the screen can say so.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Sequence

from gatsby_tui.domain import dates, names, record_fields, retention as rules
from gatsby_tui.domain.upn import LETTER_VALUES, check_letter
from gatsby_tui.store import audit
from gatsby_tui.store.db import StoreError, transaction
from gatsby_tui.store.retention_log import (REMOVED, ExportedFile, _in, _name_pattern, _people, _scrub_shared_log,
                                            exported_files)

PSEUDONYM_SURNAME = "Pseudonymised"
PLACEHOLDER_LA = "000"          # no local authority has code 000: a placeholder UPN cannot be a real one

Progress = Callable[[int, int], None]


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class RetentionRow:
    id: int
    surname: str
    forename: str
    preferred: str | None
    sort_name: str
    intake_year: int
    dob: date
    date_left: date
    sen_status: str
    has_plan: bool
    pseudonymised: bool
    retention: rules.Retention
    held: dict[str, int] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int]:
        return (self.sort_name, self.id)

    @property
    def name(self) -> str:
        return names.display_name(self.surname, self.forename, self.preferred)

    def held_words(self) -> str:
        """What they have on file, in words: what pseudonymising or erasing would touch."""
        parts = []
        for key, one, many in HELD_WORDS:
            n = self.held.get(key, 0)
            if n:
                parts.append(one if n == 1 and key == "plans" else f"{n} {one if n == 1 else many}")
        return ", ".join(parts) or "the register entry only"


HELD_WORDS = (("meetings", "meeting", "meetings"), ("records", "record", "records"),
              ("actions", "action", "actions"), ("plans", "a plan", "plans"),
              ("destinations", "destination", "destinations"), ("activities", "activity", "activities"),
              ("requests", "request", "requests"), ("log", "log entry", "log entries"))

_HELD_SQL = {
    "meetings": "SELECT count(*) FROM interviews WHERE pupil_id = p.id",
    "records": "SELECT count(*) FROM meeting_records WHERE pupil_id = p.id",
    "actions": "SELECT count(*) FROM actions WHERE pupil_id = p.id",
    "plans": "SELECT count(*) FROM plans WHERE pupil_id = p.id",
    "destinations": "SELECT count(*) FROM destinations WHERE pupil_id = p.id",
    "activities": "SELECT count(*) FROM activity_pupils WHERE pupil_id = p.id",
    "requests": "SELECT count(*) FROM subject_access_requests WHERE pupil_id = p.id",
    "log": "SELECT count(*) FROM audit_log WHERE pupil_id = p.id",
}

_HAS_PLAN = "EXISTS (SELECT 1 FROM plans pl WHERE pl.pupil_id = p.id)"
# The day the pupil's record may be removed: the SQL twin of domain.retention.retention().until.
_UNTIL = ("max(date(p.dob, :record_years), "
          f"CASE WHEN p.sen_status IN ('K', 'E') OR {_HAS_PLAN} THEN date(p.dob, :send_years) ELSE '' END, "
          "date(max(p.date_left, printf('%04d-08-31', p.intake_year + 5)), :destination_years))")


def _where(today: date, policy: rules.Policy) -> tuple[str, dict[str, Any]]:
    where = (f"p.date_left IS NOT NULL AND p.date_left <= :today AND p.dob <= :born_by "
             f"AND {_UNTIL} <= :today")
    return where, {"today": today.isoformat(), "born_by": rules.born_by(today, policy).isoformat(),
                   "record_years": f"+{policy.record_years} years", "send_years": f"+{policy.send_years} years",
                   "destination_years": f"+{policy.destination_years} years"}


def is_placeholder_upn(upn: str) -> bool:
    return upn[1:4] == PLACEHOLDER_LA


def _row(r: sqlite3.Row, policy: rules.Policy) -> RetentionRow:
    dob, left = date.fromisoformat(r["dob"]), date.fromisoformat(r["date_left"])
    kept = rules.retention(dob=dob, sen_status=r["sen_status"], has_plan=bool(r["has_plan"]),
                           intake_year=r["intake_year"], date_left=left, policy=policy)
    return RetentionRow(r["id"], r["legal_surname"], r["legal_forename"], r["preferred_forename"], r["sort_name"],
                        r["intake_year"], dob, left, r["sen_status"], bool(r["has_plan"]),
                        is_placeholder_upn(r["upn"]), kept, {k: r[f"held_{k}"] for k in _HELD_SQL})


def page(conn: sqlite3.Connection, *, today: date, policy: rules.Policy, limit: int = 200,
         after: tuple[str, int] | None = None) -> list[RetentionRow]:
    """Leavers past retention by name, ``limit`` at a time; ``after``: the last row's .key."""
    where, params = _where(today, policy)
    if after is not None:
        where += " AND (p.sort_name, p.id) > (:k0, :k1)"
        params.update(k0=after[0], k1=after[1])
    held = ", ".join(f"({sql}) AS held_{k}" for k, sql in _HELD_SQL.items())
    rows = conn.execute(
        f"SELECT p.id, p.upn, p.legal_surname, p.legal_forename, p.preferred_forename, p.sort_name, p.intake_year, "
        f"p.dob, p.date_left, p.sen_status, {_HAS_PLAN} AS has_plan, {held} FROM pupils p WHERE {where} "
        f"ORDER BY p.sort_name, p.id LIMIT {int(limit)}", params).fetchall()
    return [_row(r, policy) for r in rows]


def count(conn: sqlite3.Connection, *, today: date, policy: rules.Policy) -> int:
    where, params = _where(today, policy)
    return conn.execute(f"SELECT count(*) FROM pupils p WHERE {where}", params).fetchone()[0]


def _past_ids(conn: sqlite3.Connection, ids: Sequence[int], *, today: date, policy: rules.Policy) -> set[int]:
    where, params = _where(today, policy)
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        marks = ", ".join(f":i{n}" for n in range(len(chunk)))
        found.update(r[0] for r in conn.execute(
            f"SELECT p.id FROM pupils p WHERE p.id IN ({marks}) AND {where}",
            {**params, **{f"i{n}": v for n, v in enumerate(chunk)}}))
    return found


# ---------------------------------------------------------------- refusing before anything is written


def _check(conn: sqlite3.Connection, pupil_ids: Iterable[int], *, today: date, policy: rules.Policy,
           doing: str) -> list[int]:
    """The ids, once each in the order given, or StoreError (nothing written) if any of them is
    not a leaver past retention."""
    ids = list(dict.fromkeys(int(i) for i in pupil_ids))
    if not ids:
        raise StoreError(f"Mark at least one pupil to {doing} first (Space, or a for all shown).")
    past = _past_ids(conn, ids, today=today, policy=policy)
    problems = []
    for pid in (i for i in ids if i not in past):
        row = conn.execute("SELECT legal_surname, legal_forename, preferred_forename, dob, sen_status, intake_year, "
                           f"date_left, {_HAS_PLAN} AS has_plan FROM pupils p WHERE p.id = ?", (pid,)).fetchone()
        if row is None:
            problems.append(f"pupil {pid} is not on the register")
            continue
        who = names.full_name(row["legal_surname"], row["legal_forename"], row["preferred_forename"])
        left = dates.from_iso(row["date_left"])
        if not rules.has_left(left, today):
            problems.append(f"{who} is still on roll" if left is None else
                            f"{who} leaves on {dates.uk(left)}, not yet")
            continue
        kept = rules.retention(dob=date.fromisoformat(row["dob"]), sen_status=row["sen_status"],
                               has_plan=bool(row["has_plan"]), intake_year=row["intake_year"], date_left=left,
                               policy=policy)
        problems.append(f"{who} is kept until {dates.uk(kept.until)} ({kept.words()})")
    if problems:
        more = f" and {len(problems) - 3} more" if len(problems) > 3 else ""
        raise StoreError(f"Only leavers past the retention period can be {doing}d: "
                         + "; ".join(problems[:3]) + more + ". Nothing was changed.")
    return ids


# ---------------------------------------------------------------- what refers to a pupil


def _ids(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[int]:
    return [r[0] for r in conn.execute(sql, params)]


@dataclass
class _Owned:
    interviews: list[int]
    records: list[int]
    actions: list[int]
    plans: list[int]
    versions: list[int]
    requests: list[int]


def _owned(conn: sqlite3.Connection, pid: int) -> _Owned:
    plans = _ids(conn, "SELECT id FROM plans WHERE pupil_id = ?", (pid,))
    return _Owned(
        interviews=_ids(conn, "SELECT id FROM interviews WHERE pupil_id = ?", (pid,)),
        records=_ids(conn, "SELECT id FROM meeting_records WHERE pupil_id = ?", (pid,)),
        actions=_ids(conn, "SELECT id FROM actions WHERE pupil_id = ?", (pid,)),
        plans=plans,
        versions=_ids(conn, f"SELECT id FROM plan_versions WHERE plan_id IN {_in(plans)}", ()) if plans else [],
        requests=_ids(conn, "SELECT id FROM subject_access_requests WHERE pupil_id = ?", (pid,)),
    )


def _draft_where(pid: int, records: Sequence[int]) -> tuple[str, list[Any]]:
    """Drafts are keyed by what is being typed: 'record:ID' for a record, 'new-record:pupil:ID'
    (and any other '…pupil:ID' key) for one about the pupil."""
    keys = [f"record:{r}" for r in records]
    where = "key GLOB ? OR key GLOB ?"
    params: list[Any] = [f"*pupil:{pid}", f"*pupil:{pid}:*"]
    if keys:
        where += f" OR key IN ({', '.join('?' * len(keys))})"
        params += keys
    return where, params


def _named(conn: sqlite3.Connection, pid: int) -> tuple[str, re.Pattern[str]]:
    row = conn.execute("SELECT * FROM pupils WHERE id = ?", (pid,)).fetchone()
    return row["legal_surname"], _name_pattern(row)


def _scrub_activity_notes(conn: sqlite3.Connection, pid: int, row: sqlite3.Row) -> int:
    """Take the pupil's name out of the notes of the activities they took part in."""
    pattern = _name_pattern(row)
    changed = 0
    for activity_id, notes in conn.execute(
            "SELECT a.id, a.notes FROM activities a JOIN activity_pupils ap ON ap.activity_id = a.id "
            "WHERE ap.pupil_id = ? AND a.notes IS NOT NULL", (pid,)).fetchall():
        cleaned = pattern.sub(REMOVED, notes)
        if cleaned != notes:
            conn.execute("UPDATE activities SET notes = ? WHERE id = ?", (cleaned, activity_id))
            changed += 1
    return changed


def _pupil_id_tables(conn: sqlite3.Connection) -> list[str]:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                         "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'pupils_fts%'")]
    return [t for t in tables if t != "erasures_in_progress"
            and any(c[1] == "pupil_id" for c in conn.execute(f"PRAGMA table_info({t})"))]


def _nothing_left(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """StoreError (so the transaction rolls back) if any table still refers to an erased pupil."""
    where = _in(ids)
    left = [t for t in _pupil_id_tables(conn)
            if conn.execute(f"SELECT 1 FROM {t} WHERE pupil_id IN {where} LIMIT 1").fetchone()]
    if conn.execute(f"SELECT 1 FROM pupils WHERE id IN {where} LIMIT 1").fetchone():
        left.append("pupils")
    if conn.execute(f"SELECT 1 FROM pupils_fts WHERE rowid IN {where} LIMIT 1").fetchone():
        left.append("pupils_fts")
    if left:
        raise StoreError(f"The erasure could not reach every table ({', '.join(left)} still refer to the pupils): "
                         "nothing was changed. Report this.")


class _foreign_keys_checked_at_the_end:
    """Foreign keys not enforced row by row for the block (the pragma only takes effect outside a
    transaction), then on again. Deleting a meeting record otherwise scans every action and every
    copy given for rows pointing at it (those columns are not indexed): ~13 ms a pupil at 20,000
    pupils. ``_nothing_points_at`` makes the same check once for the whole erase, before commit."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.before = self.conn.execute("PRAGMA foreign_keys").fetchone()[0]
        self.conn.execute("PRAGMA foreign_keys = OFF")

    def __exit__(self, *exc: Any) -> None:
        self.conn.execute(f"PRAGMA foreign_keys = {int(self.before)}")


def _nothing_points_at(conn: sqlite3.Connection, deleted: dict[str, list[int]]) -> None:
    """StoreError (so the transaction rolls back) if any row of any table has a foreign key to a
    row the erase deleted: what SQLite would have refused row by row, checked once per table."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                         "AND name NOT LIKE 'sqlite_%'")]
    for child in tables:
        for fk in conn.execute(f"PRAGMA foreign_key_list({child})").fetchall():
            parent, column, target = fk[2], fk[3], fk[4]
            ids = deleted.get(parent)
            if not ids or target not in (None, "id"):
                continue
            for start in range(0, len(ids), 500):
                if conn.execute(f"SELECT 1 FROM {child} WHERE {column} IN {_in(ids[start:start + 500])} "
                                "LIMIT 1").fetchone():
                    raise StoreError(f"The erasure would leave rows of {child} pointing at deleted {parent}: "
                                     "nothing was changed. Report this.")


def _remove_audit(conn: sqlite3.Connection, pid: int) -> int:
    """Delete the pupil's audit entries: the schema's trigger allows it only while the pupil is
    registered in erasures_in_progress, in this same transaction."""
    conn.execute("INSERT OR IGNORE INTO erasures_in_progress (pupil_id) VALUES (?)", (pid,))
    n = conn.execute("DELETE FROM audit_log WHERE pupil_id = ?", (pid,)).rowcount
    conn.execute("DELETE FROM erasures_in_progress WHERE pupil_id = ?", (pid,))
    return n


def _shared_log_mentions(conn: sqlite3.Connection, named: Sequence[tuple[str, re.Pattern[str]]]) -> int:
    """Audit entries that belong to no pupil but whose text names one of them: an activity's notes
    as they were written. The audit log cannot be changed (only a pupil's own entries can go, in
    an erasure), so they are counted and reported, not rewritten. ``named``: (surname, the
    pupil's name pattern) each; one pass over the entries, looking for any surname first."""
    if not named:
        return 0
    by_surname: dict[str, list[re.Pattern[str]]] = {}
    for surname, pattern in named:
        by_surname.setdefault(surname.casefold(), []).append(pattern)
    surnames = re.compile(r"(?<!\w)(" + "|".join(re.escape(s) for s in sorted(by_surname, key=len, reverse=True))
                          + r")(?!\w)", re.IGNORECASE)
    found = 0
    for before, after in conn.execute("SELECT before, after FROM audit_log WHERE pupil_id IS NULL "
                                      "AND table_name = 'activities'"):
        text = f"{before or ''} {after or ''}"
        hits = {m.casefold() for m in surnames.findall(text)}
        if any(p.search(text) for s in hits for p in by_surname.get(s, ())):
            found += 1
    return found


# ---------------------------------------------------------------- erasing


@dataclass(frozen=True)
class Outcome:
    pupils: int                 # pupils erased or pseudonymised
    rows: int                   # rows deleted or changed, audit entries included
    skipped: int = 0            # already pseudonymised (pseudonymise only)
    compacted: bool = True      # the file was rebuilt (VACUUM); False: it could not be, now
    note: str = ""              # why not, in words
    log_mentions: int = 0       # audit entries naming no pupil (activities) whose old text still names one
    log_cleaned: int = 0        # audit entries of no pupil (lists, activities) their name or searches were taken out of
    files: tuple[ExportedFile, ...] = ()    # files exported that hold (or may hold) their data: for the adviser to delete


def _erase_one(conn: sqlite3.Connection, pid: int, *, stamp: str, adviser_id: int | None,
               policy: rules.Policy, deleted: dict[str, list[int]], log_cleaned: int = 0) -> int:
    """Delete everything about one pupil (children before parents); ``deleted`` collects the ids
    of the rows other rows may point at, for the check before committing."""
    o = _owned(conn, pid)
    for table, ids in (("interviews", o.interviews), ("meeting_records", o.records), ("actions", o.actions),
                       ("plans", o.plans), ("plan_versions", o.versions), ("subject_access_requests", o.requests),
                       ("pupils", [pid])):
        deleted.setdefault(table, []).extend(ids)
    n: dict[str, int] = {}

    def delete(table: str, sql: str, params: Sequence[Any] = ()) -> None:
        n[table] = n.get(table, 0) + conn.execute(sql, params).rowcount

    where, params = _draft_where(pid, o.records)
    delete("drafts", f"DELETE FROM drafts WHERE {where}", params)
    delete("exports_given", "DELETE FROM exports_given WHERE pupil_id = ?", (pid,))
    if o.actions:
        delete("action_events", f"DELETE FROM action_events WHERE action_id IN {_in(o.actions)}")
    delete("actions", "DELETE FROM actions WHERE pupil_id = ?", (pid,))
    if o.records:
        delete("record_amendments", f"DELETE FROM record_amendments WHERE record_id IN {_in(o.records)}")
    delete("meeting_records", "DELETE FROM meeting_records WHERE pupil_id = ?", (pid,))
    if o.interviews:
        delete("interview_events", f"DELETE FROM interview_events WHERE interview_id IN {_in(o.interviews)}")
    delete("interviews", "DELETE FROM interviews WHERE pupil_id = ?", (pid,))
    if o.plans:
        if o.versions:
            delete("plan_targets", f"DELETE FROM plan_targets WHERE plan_version_id IN {_in(o.versions)}")
        delete("plan_reviews", f"DELETE FROM plan_reviews WHERE plan_id IN {_in(o.plans)}")
        delete("plan_versions", f"DELETE FROM plan_versions WHERE plan_id IN {_in(o.plans)}")
    delete("plans", "DELETE FROM plans WHERE pupil_id = ?", (pid,))
    delete("destination_checks", "DELETE FROM destination_checks WHERE pupil_id = ?", (pid,))
    delete("destinations", "DELETE FROM destinations WHERE pupil_id = ?", (pid,))
    row = conn.execute("SELECT legal_surname, legal_forename, preferred_forename FROM pupils WHERE id = ?",
                       (pid,)).fetchone()
    notes = _scrub_activity_notes(conn, pid, row)
    delete("activity_pupils", "DELETE FROM activity_pupils WHERE pupil_id = ?", (pid,))
    delete("subject_access_requests", "DELETE FROM subject_access_requests WHERE pupil_id = ?", (pid,))
    n["audit_log"] = _remove_audit(conn, pid)
    delete("pupils", "DELETE FROM pupils WHERE id = ?", (pid,))     # the FTS row goes with it (trigger)
    counts = {t: c for t, c in sorted(n.items()) if c}
    audit.write(conn, at=stamp, adviser_id=adviser_id, action="erase", table="pupils", row_id=pid, pupil_id=None,
                after={"erased_pupil_id": pid, "rows_deleted": counts, "activity_notes_cleaned": notes,
                       "log_entries_cleaned": log_cleaned, "reason": "past the retention period", "policy_years": {
                           "record": policy.record_years, "send": policy.send_years,
                           "destinations": policy.destination_years}})
    return sum(counts.values()) + notes


def erase(conn: sqlite3.Connection, pupil_ids: Iterable[int], *, today: date, policy: rules.Policy, stamp: str,
          adviser_id: int | None, progress: Progress | None = None) -> Outcome:
    """Erase every trace of each pupil (see the module's notes), in one transaction; then make
    the freed space unreadable. StoreError, with nothing changed, if any pupil cannot be erased."""
    ids = _check(conn, pupil_ids, today=today, policy=policy, doing="erase")
    rows = 0
    patterns: list[tuple[str, re.Pattern[str]]] = []
    deleted: dict[str, list[int]] = {}
    with _secure_delete(conn), _foreign_keys_checked_at_the_end(conn):
        with transaction(conn):
            ids = _check(conn, ids, today=today, policy=policy, doing="erase")   # again, under the write lock
            people = _people(conn, ids)
            files = exported_files(conn, ids, people)
            cleaned = _scrub_shared_log(conn, people)
            for done, pid in enumerate(ids, 1):
                patterns.append(_named(conn, pid))
                rows += _erase_one(conn, pid, stamp=stamp, adviser_id=adviser_id, policy=policy, deleted=deleted,
                                   log_cleaned=cleaned[pid])
                if progress is not None:
                    progress(done, len(ids))
            _nothing_left(conn, ids)
            _nothing_points_at(conn, deleted)
            _merge_search_index(conn)
        compacted, note = _compact(conn)
    return Outcome(len(ids), rows, compacted=compacted, note=note,
                   log_mentions=_shared_log_mentions(conn, patterns), log_cleaned=sum(cleaned.values()),
                   files=tuple(files))


# ---------------------------------------------------------------- pseudonymising


def placeholder_upn(conn: sqlite3.Connection, pid: int) -> str:
    """A UPN in the valid format that no real pupil has: local authority 000 (there is none), the
    pupil's id, the check letter. Should another row hold it anyway, the last character becomes a
    letter (the temporary-UPN form) until one is free."""
    digits = f"{pid:09d}"[-9:]
    for last in [digits[-1], *LETTER_VALUES]:
        body = PLACEHOLDER_LA + digits[:-1] + last
        upn = check_letter(body) + body
        holder = conn.execute("SELECT id FROM pupils WHERE upn = ?", (upn,)).fetchone()
        if holder is None or holder[0] == pid:
            return upn
    raise StoreError(f"No placeholder UPN is free for pupil {pid}: nothing was changed. Report this.")


# Free text of the pupil's own rows: (table, the column that ties a row to the pupil, columns).
_FREE_TEXT: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("interviews", "pupil_id", ("reason", "place", "status_note")),
    ("meeting_records", "pupil_id", record_fields.TEXT_FIELDS),
    ("actions", "pupil_id", ("description",)),
    ("destinations", "pupil_id", ("provider", "course_or_role", "offer_provider")),
    ("destination_checks", "pupil_id", ("method", "note")),
    ("subject_access_requests", "pupil_id", ("requester_name", "notes")),
    ("exports_given", "pupil_id", ("how", "withheld")),
)
# Free text of rows tied to the pupil through ids: (table, id column, which of _Owned, columns).
_FREE_TEXT_BY_ID: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("interview_events", "interview_id", "interviews", ("note",)),
    ("record_amendments", "record_id", "records", ("original_text", "amended_text", "reason")),
    ("action_events", "action_id", "actions", ("note",)),
    ("plan_versions", "plan_id", "plans", ("aspirations", "strengths", "needs", "support")),
    ("plan_targets", "plan_version_id", "versions", ("outcome", "what", "who_helps", "evidence")),
    ("plan_reviews", "plan_id", "plans", ("what_changed",)),
)


def _blank(columns: Sequence[str]) -> tuple[str, str]:
    """SET and WHERE clauses that replace every non-empty value of ``columns`` by [removed]."""
    sets = ", ".join(f"{c} = CASE WHEN {c} IS NULL OR trim({c}) = '' THEN {c} ELSE '{REMOVED}' END" for c in columns)
    where = " OR ".join(f"({c} IS NOT NULL AND trim({c}) != '' AND {c} != '{REMOVED}')" for c in columns)
    return sets, where


def _participants(conn: sqlite3.Connection, plans: Sequence[int]) -> int:
    """Review participants: the fixed roles stay (statistics); anyone typed by name goes."""
    from gatsby_tui.domain.send import PARTICIPANT_WORDS

    roles = set(PARTICIPANT_WORDS.values())
    changed = 0
    for review_id, text in conn.execute(f"SELECT id, participants FROM plan_reviews WHERE plan_id IN {_in(plans)}"
                                        ).fetchall():
        try:
            people = json.loads(text)
            people = people if isinstance(people, list) else [str(people)]
        except ValueError:
            people = [text]
        kept = list(dict.fromkeys(p if p in roles else REMOVED for p in people)) or [REMOVED]
        if kept != people:
            conn.execute("UPDATE plan_reviews SET participants = ? WHERE id = ?",
                         (json.dumps(kept, ensure_ascii=False), review_id))
            changed += 1
    return changed


def _pseudonymise_one(conn: sqlite3.Connection, pid: int, *, stamp: str, adviser_id: int | None,
                      log_cleaned: int = 0) -> int:
    row = conn.execute("SELECT * FROM pupils WHERE id = ?", (pid,)).fetchone()
    o = _owned(conn, pid)
    changed = _scrub_activity_notes(conn, pid, row)
    forename = f"Pupil {pid}"
    conn.execute(
        "UPDATE pupils SET legal_forename = ?, legal_surname = ?, preferred_forename = NULL, dob = ?, upn = ?, "
        "form = NULL, sort_name = ?, search_name = ?, updated_at = ? WHERE id = ?",
        (forename, PSEUDONYM_SURNAME, f"{row['dob'][:4]}-01-01", placeholder_upn(conn, pid),
         names.sort_name(PSEUDONYM_SURNAME, forename), names.search_text(forename, PSEUDONYM_SURNAME, None),
         stamp, pid))
    changed += 1
    for table, key, columns in _FREE_TEXT:
        sets, where = _blank(columns)
        changed += conn.execute(f"UPDATE {table} SET {sets} WHERE {key} = ? AND ({where})", (pid,)).rowcount
    for table, key, which, columns in _FREE_TEXT_BY_ID:
        ids = getattr(o, which)
        if ids:
            sets, where = _blank(columns)
            changed += conn.execute(f"UPDATE {table} SET {sets} WHERE {key} IN {_in(ids)} AND ({where})").rowcount
    if o.plans:
        changed += _participants(conn, o.plans)
    where, params = _draft_where(pid, o.records)
    changed += conn.execute(f"DELETE FROM drafts WHERE {where}", params).rowcount
    removed = _remove_audit(conn, pid)
    audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="pupils", row_id=pid, pupil_id=pid,
                after={"pseudonymised": True, "rows_changed": changed, "audit_entries_removed": removed,
                       "log_entries_cleaned": log_cleaned, "reason": "past the retention period"})
    return changed + removed


_LOCK_TRIGGER = "meeting_records_locked"


def pseudonymise(conn: sqlite3.Connection, pupil_ids: Iterable[int], *, today: date, policy: rules.Policy,
                 stamp: str, adviser_id: int | None, progress: Progress | None = None) -> Outcome:
    """Pseudonymise each pupil (see the module's notes) in one transaction, then make the freed
    space unreadable. Pupils already pseudonymised are skipped. StoreError, with nothing changed,
    if any pupil is not a leaver past retention."""
    ids = _check(conn, pupil_ids, today=today, policy=policy, doing="pseudonymise")
    rows = skipped = 0
    patterns: list[tuple[str, re.Pattern[str]]] = []
    with _secure_delete(conn):
        with transaction(conn):
            ids = _check(conn, ids, today=today, policy=policy, doing="pseudonymise")
            lock = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                                (_LOCK_TRIGGER,)).fetchone()
            if lock is not None:           # signed-off records are locked; lifted only inside this transaction
                conn.execute(f"DROP TRIGGER {_LOCK_TRIGGER}")
            todo = [pid for pid in ids if not is_placeholder_upn(
                conn.execute("SELECT upn FROM pupils WHERE id = ?", (pid,)).fetchone()[0])]
            people = _people(conn, todo)
            files = exported_files(conn, todo, people)
            cleaned = _scrub_shared_log(conn, people)
            for done, pid in enumerate(ids, 1):
                if pid not in cleaned:
                    skipped += 1
                else:
                    patterns.append(_named(conn, pid))
                    rows += _pseudonymise_one(conn, pid, stamp=stamp, adviser_id=adviser_id, log_cleaned=cleaned[pid])
                if progress is not None:
                    progress(done, len(ids))
            if lock is not None:
                conn.execute(lock[0])
            _merge_search_index(conn)
        compacted, note = _compact(conn) if rows else (True, "")
    return Outcome(len(ids) - skipped, rows, skipped=skipped, compacted=compacted, note=note,
                   log_mentions=_shared_log_mentions(conn, patterns), log_cleaned=sum(cleaned.values()),
                   files=tuple(files))


# ---------------------------------------------------------------- leaving nothing readable behind


class _secure_delete:
    """PRAGMA secure_delete on for the block (SQLite overwrites deleted content with zeros), then
    as it was."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.before = self.conn.execute("PRAGMA secure_delete").fetchone()[0]
        self.conn.execute("PRAGMA secure_delete = ON")

    def __exit__(self, *exc: Any) -> None:
        self.conn.execute(f"PRAGMA secure_delete = {int(self.before)}")


def _merge_search_index(conn: sqlite3.Connection) -> None:
    """FTS5 keeps a deleted row's words in its older index segments until they are merged:
    merge them all now, so the words go with the row."""
    conn.execute("INSERT INTO pupils_fts (pupils_fts) VALUES ('optimize')")


def _compact(conn: sqlite3.Connection) -> tuple[bool, str]:
    """VACUUM: rebuild the file so no free page keeps anything. It needs every other connection
    to have finished reading; if it cannot run now, the erase stands (the freed space was zeroed
    by secure_delete already) and the reason is returned in words."""
    try:
        conn.execute("VACUUM")
    except sqlite3.Error as e:
        return False, (f"The file could not be compacted now ({e}); the space freed was overwritten "
                       "anyway. Close other copies of the app: the next erasure compacts it.")
    return True, ""
