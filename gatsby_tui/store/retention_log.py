"""Retention, the audit log's side: which files the log recorded as exported that hold a pupil's
data (what erasing them cannot reach), and scrubbing their names from the log entries shared with
others. Part of store/retention.py, kept apart for its size. Never imports Textual."""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Sequence


REMOVED = "[removed]"


def _in(ids: Sequence[int]) -> str:
    return "(" + ", ".join(str(int(i)) for i in ids) + ")"


def _name_pattern(row: Any) -> re.Pattern[str]:
    """The pupil's name as it may be written in someone else's notes: forename (legal or
    preferred) and surname either way round, any spacing, any case."""
    surname = row["legal_surname"]
    forenames = {row["legal_forename"]} | ({row["preferred_forename"]} if row["preferred_forename"] else set())
    forms = [f"{f} {surname}" for f in forenames] + [f"{surname}, {f}" for f in forenames] + [f"{surname} {f}" for f
                                                                                            in forenames]
    alternatives = "|".join(re.escape(x).replace(r"\ ", r"\s+") for x in sorted(forms, key=len, reverse=True))
    return re.compile(r"(?<!\w)(" + alternatives + r")(?!\w)", re.IGNORECASE)





@dataclass(frozen=True)
class ExportedFile:
    """A file the audit log recorded as exported, which holds (or may hold) a pupil's data."""
    path: str
    what: str                   # 'pupil record', 'action plan', 'CSV list', 'calendar'
    at: str                     # when it was written (the audit entry's stamp)
    certain: bool               # True: made for them, or a list whose search named them; False: a list
                                # exported while they were on the register, which may include them

    def words(self) -> str:
        return f"{self.path} ({self.what}, {self.at[:10]})"


def _fold(text: str) -> str:
    """Lower case without accents, the spaces and punctuation kept (words stay words)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


@dataclass(frozen=True)
class _Person:
    """What identifies one pupil in text: for taking it out of the audit log's shared entries."""
    id: int
    upn: str
    surname: str
    created_at: str
    names: tuple[str, str, str | None]  # legal surname, legal forename, preferred forename
    tokens: tuple[str, ...]             # folded forenames, surname and UPN: what a search for them begins with
    hints: frozenset[str]               # words of which a text naming them holds one: surname's, and the UPN
    upn_pattern: re.Pattern[str]
    surname_pattern: re.Pattern[str]
    bare_surname: bool = False          # no other pupil has their surname: the surname alone means them

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """Their full name, as _name_pattern (compiled only for a text that holds their surname)."""
        return _name_pattern(dict(zip(("legal_surname", "legal_forename", "preferred_forename"), self.names)))


def _person(conn: sqlite3.Connection, pid: int) -> _Person:
    row = conn.execute("SELECT * FROM pupils WHERE id = ?", (pid,)).fetchone()
    parts = [row["legal_surname"], row["legal_forename"], row["preferred_forename"] or ""]
    tokens = {w for part in parts for w in re.findall(r"\w+", _fold(part))} | {row["upn"].casefold()}
    hints = {w for w in re.findall(r"\w+", _fold(row["legal_surname"])) if len(w) >= 2} | {row["upn"].casefold()}
    return _Person(pid, row["upn"], row["legal_surname"], row["created_at"] or "",
                   (row["legal_surname"], row["legal_forename"], row["preferred_forename"]), tuple(sorted(tokens)), frozenset(hints), re.compile(re.escape(row["upn"]), re.IGNORECASE),
                   re.compile(r"(?<!\w)" + re.escape(row["legal_surname"]) + r"(?!\w)", re.IGNORECASE))


def _people(conn: sqlite3.Connection, pupil_ids: Sequence[int]) -> list[_Person]:
    """The pupils being removed, each knowing whether any other pupil shares their surname (one
    pass over the register for all of them)."""
    people = [_person(conn, pid) for pid in pupil_ids]
    wanted = {_fold(p.surname) for p in people}
    ids = set(pupil_ids)
    shared = {_fold(s) for pid, s in conn.execute("SELECT id, legal_surname FROM pupils")
              if pid not in ids and _fold(s) in wanted} if people else set()
    return [replace(p, bare_surname=_fold(p.surname) not in shared) for p in people]


@functools.lru_cache(maxsize=1024)
def _search_words(text: str) -> tuple[str, ...]:
    """A search's words of two letters or more, folded (one list of exports asks many times)."""
    return tuple(w for w in re.findall(r"\w+", _fold(text)) if len(w) >= 2)


def _search_names(conn: sqlite3.Connection, person: _Person, text: str) -> bool:
    """Whether a register search ``text`` finds the pupil by who they are: it matches them in the
    search index, and one of its words (two letters or more) begins their name or UPN."""
    from gatsby_tui.store.pupils import fts_query

    if not any(t.startswith(w) for w in _search_words(text) for t in person.tokens):
        return False
    query = fts_query(text)
    try:
        return query is not None and conn.execute("SELECT 1 FROM pupils_fts WHERE pupils_fts MATCH ? AND rowid = ?",
                                                  (query, person.id)).fetchone() is not None
    except sqlite3.Error:
        return False


def _loads(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def exported_files(conn: sqlite3.Connection, pupil_ids: Sequence[int],
                   people: Sequence[_Person] | None = None) -> list[ExportedFile]:
    """The files the audit log recorded as exported that hold the pupils' data: exported for them
    (their record, action plans), lists whose search named them, and then (``certain`` False)
    the other lists and full-name calendars exported since they were added, which may include
    them. Each path once, those made for them first; oldest first within each."""
    if people is None:
        people = [_person(conn, pid) for pid in pupil_ids
                  if conn.execute("SELECT 1 FROM pupils WHERE id = ?", (pid,)).fetchone()]
    if not people:
        return []
    found: dict[str, ExportedFile] = {}

    def add(at: str, after: Any, certain: bool) -> None:
        path = after.get("file") if isinstance(after, dict) else None
        if not isinstance(path, str) or not path:
            return
        if path not in found or (certain and not found[path].certain):
            found[path] = ExportedFile(path, str(after.get("what") or "export"), at, certain)

    for p in people:
        for at, after in conn.execute("SELECT at, after FROM audit_log WHERE pupil_id = ? AND action = 'export' "
                                      "ORDER BY at, id", (p.id,)):
            add(at, _loads(after), True)
    since = min(p.created_at for p in people)
    for at, after in conn.execute("SELECT at, after FROM audit_log WHERE pupil_id IS NULL AND action = 'export' "
                                  "ORDER BY at, id"):
        values = _loads(after)
        if not isinstance(values, dict):
            continue
        search = (values.get("filters") or {}).get("search") if isinstance(values.get("filters"), dict) else None
        if isinstance(search, str) and search.strip() and any(_search_names(conn, p, search) for p in people):
            add(at, values, True)
        elif at >= since and (values.get("what") == "CSV list"
                              or (values.get("what") == "calendar" and values.get("full_names"))):
            add(at, values, False)
    return sorted(found.values(), key=lambda f: (not f.certain, f.at, f.path))


# Entries where pupils are written about freely (an activity's notes, an export's file name and
# search): there a surname no other pupil has is taken out even on its own. Elsewhere (an adviser
# called Ms Patel, say) only the full name or the UPN is.
_FREE_WRITING = ("activities", "activity_pupils")


def _clean(value: Any, conn: sqlite3.Connection, people: Sequence[_Person], hits: set[int],
           bare: bool = False) -> Any:
    """``value`` (an audit entry's JSON) with each pupil's name and UPN, and any search naming
    them, replaced by [removed]; ``hits`` collects whose were found; ``bare``: the surname alone
    too, when no other pupil has it."""
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            if key == "search" and isinstance(v, str) and v.strip():
                named = [p.id for p in people if _search_names(conn, p, v)]
                if named:
                    hits.update(named)
                    out[key] = REMOVED
                    continue
            out[key] = _clean(v, conn, people, hits, bare)
        return out
    if isinstance(value, list):
        return [_clean(v, conn, people, hits, bare) for v in value]
    if isinstance(value, str):
        words = set(re.findall(r"\w+", _fold(value)))
        for p in people:
            if p.hints.isdisjoint(words):
                continue
            cleaned = p.upn_pattern.sub(REMOVED, p.pattern.sub(REMOVED, value))
            if bare and p.bare_surname:
                cleaned = p.surname_pattern.sub(REMOVED, cleaned)
            if cleaned != value:
                hits.add(p.id)
                value = cleaned
        return value
    return value


def _scrub_shared_log(conn: sqlite3.Connection, people: Sequence[_Person]) -> dict[int, int]:
    """Take the pupils' names, UPNs and searches naming them out of the audit entries that belong
    to no pupil (lists exported with a search, activities' notes, imports): the entry stays, so
    the log still says what was done and when, with [removed] where they were named. The schema's
    trigger lets an entry's before/after change only while an erasure is registered in
    erasures_in_progress, in this same transaction. Returns, per pupil, the entries changed."""
    changed: dict[int, int] = {p.id: 0 for p in people}
    if not people:
        return changed
    # A first look, one set intersection an entry: does it hold a word of any of their surnames, or
    # a UPN, or a search? Only those entries are read closely.
    hints = frozenset().union(*(p.hints for p in people))
    ids = [p.id for p in people]
    conn.executemany("INSERT OR IGNORE INTO erasures_in_progress (pupil_id) VALUES (?)", [(i,) for i in ids])
    for entry_id, action, table, before, after in conn.execute(
            "SELECT id, action, table_name, before, after FROM audit_log WHERE pupil_id IS NULL").fetchall():
        text = _fold(f"{before or ''} {after or ''}")
        if '"search"' not in text and hints.isdisjoint(re.findall(r"\w+", text)):
            continue
        hits: set[int] = set()
        bare = action == "export" or table in _FREE_WRITING
        new = [_clean(_loads(v), conn, people, hits, bare) if v else v for v in (before, after)]
        if not hits:
            continue
        conn.execute("UPDATE audit_log SET before = ?, after = ? WHERE id = ?",
                     (*[json.dumps(v, ensure_ascii=False, sort_keys=True) if v is not None else None for v in new],
                      entry_id))
        for pid in hits:
            changed[pid] += 1
    conn.execute(f"DELETE FROM erasures_in_progress WHERE pupil_id IN {_in(ids)}")
    return changed
