"""Pupils: validation, the register query (paged from SQL), add, edit, mark left.

The register never loads the whole table: ``page`` returns one keyset page and
``count`` the total, both driven by the same PupilFilter.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any, Mapping

from gatsby_tui.domain import dates, names, schoolyear, upn as upn_rules
from gatsby_tui.domain.codes import FLAG_FIELDS, FLAG_LABELS, GENDER_ALIASES, SEN_ALIASES
from gatsby_tui.store import audit, edits
from gatsby_tui.store.db import StoreError, transaction

MIN_AGE, MAX_AGE = 10, 25
EDITABLE = (
    "upn", "legal_forename", "legal_surname", "preferred_forename", "dob", "gender",
    "intake_year", "form", "sen_status", *FLAG_FIELDS, "destination_consent", "date_of_entry",
)


COLUMN_WORDS = {
    "upn": "the UPN", "legal_forename": "the legal forename", "legal_surname": "the surname",
    "preferred_forename": "the preferred forename", "dob": "the date of birth", "gender": "the gender",
    "intake_year": "the year of entry (year group)", "form": "the form", "sen_status": "the SEN status",
    "pupil_premium": "pupil premium", "looked_after": "looked after", "young_carer": "young carer",
    "eal": "EAL", "destination_consent": "the destinations consent",
}


class PupilInvalid(StoreError):
    """Raised with one message per field that cannot be accepted."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


# The parsers of a few values each keep their answers (a refusal is raised again each time): an
# import asks them the same few questions for every row (a file of 20,000 pupils: 0.05 s of its
# checking). What they are given is text, or a bool for a flag.
@lru_cache(maxsize=256)
def parse_sen(text: str | None) -> str:
    key = " ".join((text or "").strip().lower().split())
    if key in SEN_ALIASES:
        return SEN_ALIASES[key]
    raise ValueError(f"SEN status '{names.quote(text or '')}' is not one I know: use N (none), K (SEN support) or E (EHCP).")


@lru_cache(maxsize=256)
def parse_gender(text: str | None) -> str | None:
    key = " ".join((text or "").strip().lower().split())
    if key in GENDER_ALIASES:
        return GENDER_ALIASES[key]
    raise ValueError(f"Gender '{names.quote(text or '')}' is not one I know: use F, M or X (another gender), or leave it blank.")


_YEAR_GROUP = re.compile(r"(?i)(?:year|yr|y|nc)?\s*(\d{1,2})")


@lru_cache(maxsize=256)
def parse_year_group(text: str | None) -> int | None:
    """'11', 'Year 11', 'Y11', 'NC11' -> 11; blank -> None."""
    raw = (text or "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and len(raw) <= 2:       # '11', as most files write it
        year = int(raw)
    else:
        match = _YEAR_GROUP.fullmatch(raw)
        if not match:
            raise ValueError(f"Year group '{names.quote(raw)}' is not a number: type 7 to 13 (or 14 for post-19 EHCP learners).")
        year = int(match.group(1))
    if not 5 <= year <= 14:
        raise ValueError(f"Year group {year} is outside secondary school: type 7 to 13 (or 14).")
    return year


_NO = frozenset(("", "0", "n", "no", "false", "f"))
_YES = frozenset(("1", "y", "yes", "true", "t", "x"))


@lru_cache(maxsize=256)
def parse_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    key = str(value or "").strip().lower()
    if key in _NO:
        return False
    if key in _YES:
        return True
    raise ValueError(f"'{names.quote(str(value))}' is not yes or no.")


_YES_OR_NO = (*FLAG_FIELDS, "destination_consent")


@lru_cache(maxsize=4096)
def _date_of_birth(text: str) -> date:
    """A date of birth as typed, read (kept like the parsers above: a school's pupils share a
    few thousand birthdays)."""
    return dates.parse_date(text, what="date of birth")


@dataclass(frozen=True)
class Checked:
    """A pupil's values after validation, ready to write, with any warnings."""

    values: dict[str, Any]
    warnings: tuple[str, ...] = ()


def validate(raw: Mapping[str, Any], *, today: date) -> Checked:
    """Check what a person typed (form or CSV) and return values to store.

    ``raw`` holds text for: upn, legal_forename, legal_surname, preferred_forename,
    dob, gender, year_group, form, sen_status; and bools for the flags and
    destination_consent. Raises PupilInvalid listing every field that is wrong.
    """
    errors: dict[str, str] = {}
    warnings: list[str] = []
    values: dict[str, Any] = {}
    try:
        values["upn"] = upn_rules.checked(str(raw.get("upn") or ""))
    except upn_rules.UPNError as e:
        errors["upn"] = str(e)
    for key, label in (("legal_forename", "forename"), ("legal_surname", "surname")):
        text = names.clean_text(str(raw.get(key) or ""))
        if not text:
            errors[key] = f"Enter the pupil's legal {label}."
        elif len(text) > 100:
            errors[key] = f"The {label} is longer than 100 characters: check it."
        else:
            values[key] = text
    preferred = names.clean_text(str(raw.get("preferred_forename") or ""))
    if preferred and len(preferred) > 100:
        errors["preferred_forename"] = "The preferred forename is longer than 100 characters: check it."
    values["preferred_forename"] = preferred
    school_year = schoolyear.school_year_of(today)
    dob: date | None = None
    try:
        dob = _date_of_birth(str(raw.get("dob") or ""))
    except dates.DateError as e:
        errors["dob"] = str(e)
    if dob is not None:
        age = schoolyear.age_on(dob, today)
        if not MIN_AGE <= age <= MAX_AGE:
            errors["dob"] = (f"A date of birth of {dates.uk(dob)} makes the pupil {age} today; "
                             f"pupils here are {MIN_AGE} to {MAX_AGE}. Check the date (day/month/year).")
        else:
            values["dob"] = dob.isoformat()
    try:
        values["gender"] = parse_gender(raw.get("gender"))
    except ValueError as e:
        errors["gender"] = str(e)
    try:
        values["sen_status"] = parse_sen(raw.get("sen_status"))
    except ValueError as e:
        errors["sen_status"] = str(e)
    year_group = None
    try:
        year_group = parse_year_group(raw.get("year_group"))
    except ValueError as e:
        errors["year_group"] = str(e)
    if dob is not None and "dob" not in errors and "year_group" not in errors:
        derived = schoolyear.nc_year_from_dob(dob, school_year)
        if year_group is None:
            year_group = derived
        elif year_group != derived:
            warnings.append(
                f"The school's year group ({year_group}) differs from Year {derived}, which the date of "
                f"birth gives for {schoolyear.school_year_label(school_year)}; Year {year_group} is kept.")
        values["intake_year"] = schoolyear.intake_year_for(year_group, school_year)
    entry_text = str(raw.get("date_of_entry") or "").strip()
    values["date_of_entry"] = None
    if entry_text:
        try:
            entry = dates.parse_date(entry_text, what="date of entry")
        except dates.DateError as e:
            errors["date_of_entry"] = str(e)
        else:
            if entry > today:
                errors["date_of_entry"] = (f"The date of entry {dates.uk(entry)} is in the future: give the day "
                                           "the pupil joined the school, or leave it blank.")
            elif dob is not None and schoolyear.age_on(dob, entry) < 4:
                errors["date_of_entry"] = (f"The date of entry {dates.uk(entry)} is before the pupil was 4: "
                                           "check the date (day/month/year).")
            else:
                values["date_of_entry"] = entry.isoformat()
    form = names.clean_text(str(raw.get("form") or ""))
    if form and len(form) > 20:
        errors["form"] = "The form is longer than 20 characters: check it."
    values["form"] = form
    for flag in _YES_OR_NO:
        try:
            values[flag] = int(parse_flag(raw.get(flag, False)))
        except ValueError as e:
            errors[flag] = f"{FLAG_LABELS.get(flag, ('', 'Consent'))[1]}: {e}"
    if errors:
        raise PupilInvalid(errors)
    return Checked(values, tuple(warnings))


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class PupilFilter:
    search: str = ""
    year: int | None = None
    sen: str | None = None            # 'N', 'K', 'E'
    flag: str | None = None           # one of FLAG_FIELDS
    roll: str = "on_roll"             # 'on_roll', 'left', 'all'
    sort: str = "name"                # 'name', 'year'

    def with_(self, **changes: Any) -> "PupilFilter":
        return replace(self, **changes)


@dataclass(frozen=True)
class RegisterRow:
    id: int
    upn: str
    surname: str
    forename: str
    preferred: str | None
    year_group: int
    form: str | None
    sen_status: str
    flags: tuple[str, ...]
    date_left: str | None
    last_meeting: str | None
    next_meeting: str | None
    sort_name: str
    intake_year: int
    dob: str = ""
    namesake: bool = False     # another pupil on the register has the same name

    @property
    def name(self) -> str:
        return names.display_name(self.surname, self.forename, self.preferred)

    def key(self, sort: str) -> tuple:
        if sort == "year":
            return (self.intake_year, self.sort_name, self.id)
        return (self.sort_name, self.id)


def fts_query(text: str) -> str | None:
    """Turn what was typed into an FTS5 prefix query: every piece, folded as names are
    (domain/names: "Kozłowski" and "kozlowski" alike), must match, run together or word by word."""
    groups = []
    for piece in text.split()[:12]:
        words = names.fold_words(piece)
        if not words:
            continue
        if len(words) == 1:
            groups.append(f'"{words[0]}"*')
        else:   # "O'Brien", "0:1": the name run together, or each of its words
            groups.append(f'("{"".join(words)}"* OR (' + " AND ".join(f'"{w}"*' for w in words) + "))")
    return " AND ".join(groups) or None


def _where(f: PupilFilter, school_year: int, today: str) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    query = fts_query(f.search)
    if query:
        clauses.append("p.id IN (SELECT rowid FROM pupils_fts WHERE pupils_fts MATCH :fts)")
        params["fts"] = query
    if f.year is not None:
        clauses.append("p.intake_year = :intake")
        params["intake"] = schoolyear.intake_year_for(f.year, school_year)
    if f.sen:
        clauses.append("p.sen_status = :sen")
        params["sen"] = f.sen
    if f.flag:
        if f.flag not in FLAG_FIELDS:
            raise ValueError(f.flag)
        clauses.append(f"p.{f.flag} = 1")
    if f.roll == "on_roll":
        clauses.append("(p.date_left IS NULL OR p.date_left > :today)")
        params["today"] = today
    elif f.roll == "left":
        clauses.append("p.date_left <= :today")
        params["today"] = today
    return (" AND ".join(clauses) or "1"), params


_ROW_SQL = """
SELECT p.id, p.upn, p.legal_surname, p.legal_forename, p.preferred_forename, p.intake_year,
       p.form, p.sen_status, p.pupil_premium, p.looked_after, p.young_carer, p.eal,
       p.date_left, p.sort_name, p.dob,
       EXISTS (SELECT 1 FROM pupils q WHERE q.sort_name = p.sort_name AND q.id != p.id) AS namesake,
       (SELECT max(i.starts_at) FROM interviews i
         WHERE i.pupil_id = p.id AND i.kind IN ('guidance', 'follow_up') AND i.status = 'held') AS last_meeting,
       (SELECT min(i.starts_at) FROM interviews i
         WHERE i.pupil_id = p.id AND i.status = 'booked' AND i.starts_at >= :now) AS next_meeting
FROM pupils p
"""


def _row(r: sqlite3.Row, school_year: int) -> RegisterRow:
    return RegisterRow(
        id=r["id"], upn=r["upn"], surname=r["legal_surname"], forename=r["legal_forename"],
        preferred=r["preferred_forename"],
        year_group=schoolyear.year_group_in(r["intake_year"], school_year),
        form=r["form"], sen_status=r["sen_status"],
        flags=tuple(short for fld, (short, _) in FLAG_LABELS.items() if r[fld]),
        date_left=r["date_left"], last_meeting=r["last_meeting"], next_meeting=r["next_meeting"],
        sort_name=r["sort_name"], intake_year=r["intake_year"], dob=r["dob"], namesake=bool(r["namesake"]),
    )


def page(
    conn: sqlite3.Connection,
    f: PupilFilter,
    *,
    today: date,
    now: str,
    after: tuple | None = None,
    limit: int = 100,
) -> list[RegisterRow]:
    """One page of the register in the filter's order, starting after ``after``
    (the ``key`` of the last row already shown)."""
    school_year = schoolyear.school_year_of(today)
    where, named = _where(f, school_year, today.isoformat())
    named["now"] = now
    if f.sort == "year":
        # Year 7 first: the youngest have the highest intake year.
        order = "p.intake_year DESC, p.sort_name, p.id"
        if after is not None:
            where += " AND (p.intake_year < :k0 OR (p.intake_year = :k0 AND (p.sort_name, p.id) > (:k1, :k2)))"
            named.update(k0=after[0], k1=after[1], k2=after[2])
    else:
        order = "p.sort_name, p.id"
        if after is not None:
            where += " AND (p.sort_name, p.id) > (:k0, :k1)"
            named.update(k0=after[0], k1=after[1])
    named["limit"] = limit
    rows = conn.execute(f"{_ROW_SQL} WHERE {where} ORDER BY {order} LIMIT :limit", named).fetchall()
    return [_row(r, school_year) for r in rows]


def count(conn: sqlite3.Connection, f: PupilFilter, *, today: date) -> int:
    where, params = _where(f, schoolyear.school_year_of(today), today.isoformat())
    return conn.execute(f"SELECT count(*) FROM pupils p WHERE {where}", params).fetchone()[0]


def get(conn: sqlite3.Connection, pupil_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM pupils WHERE id = ?", (pupil_id,)).fetchone()


def ids(conn: sqlite3.Connection, f: PupilFilter, *, today: date, limit: int = 5000) -> list[int]:
    """The ids of the pupils a register filter shows (by name), at most ``limit``."""
    where, params = _where(f, schoolyear.school_year_of(today), today.isoformat())
    return [r[0] for r in conn.execute(
        f"SELECT p.id FROM pupils p WHERE {where} ORDER BY p.sort_name, p.id LIMIT {int(limit)}", params)]


def upns(conn: sqlite3.Connection, pupil_ids: list[int]) -> dict[int, str]:
    """Each pupil's UPN by id."""
    if not pupil_ids:
        return {}
    return dict(conn.execute(f"SELECT id, upn FROM pupils WHERE id IN ({','.join('?' * len(pupil_ids))})",
                             pupil_ids).fetchall())


def full_name(conn: sqlite3.Connection, pupil_id: int) -> str:
    """'Amara Okafor' (the preferred forename if any); StoreError if the pupil is gone."""
    row = conn.execute("SELECT legal_surname, legal_forename, preferred_forename FROM pupils WHERE id = ?",
                       (pupil_id,)).fetchone()
    if row is None:
        raise StoreError("That pupil is no longer on the register.")
    return names.full_name(row[0], row[1], row[2])


def name_apart(conn: sqlite3.Connection, pupil_id: int, today: date) -> str:
    """The pupil's full name, told apart from another pupil with the same name by form (or the
    year they left, or year group): 'Orla Ní Shúilleabháin (7A)'. Never a UPN."""
    who = full_name(conn, pupil_id)
    row = conn.execute("SELECT sort_name, form, intake_year, date_left FROM pupils WHERE id = ?",
                       (pupil_id,)).fetchone()
    if row is not None and conn.execute("SELECT 1 FROM pupils WHERE sort_name = ? AND id != ? LIMIT 1",
                                        (row["sort_name"], pupil_id)).fetchone():
        if row["date_left"]:
            who += f" (left {row['date_left'][:4]})"
        elif row["form"]:
            who += f" ({row['form']})"
        else:
            who += f" (Year {schoolyear.year_group_in(row['intake_year'], schoolyear.school_year_of(today))})"
    return who


def by_upn(conn: sqlite3.Connection, upn: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM pupils WHERE upn = ?", (upn_rules.normalise(upn),)).fetchone()


def describe(row: Mapping[str, Any], today: date) -> str:
    """'Smith, John (Year 10, 10B)' for messages."""
    year = schoolyear.year_group_in(row["intake_year"], schoolyear.school_year_of(today))
    who = names.display_name(row["legal_surname"], row["legal_forename"], row["preferred_forename"])
    if row["date_left"]:
        return f"{who} (left {dates.uk(dates.from_iso(row['date_left']))})"
    form = f", {row['form']}" if row["form"] else ""
    return f"{who} (Year {year}{form})"


def interviews_for(conn: sqlite3.Connection, pupil_id: int, limit: int = 50) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT i.*, a.name AS adviser_name FROM interviews i JOIN advisers a ON a.id = i.adviser_id "
        "WHERE i.pupil_id = ? ORDER BY i.starts_at DESC LIMIT ?",
        (pupil_id, limit),
    ).fetchall()


# ---------------------------------------------------------------- writing


def check_unique(conn: sqlite3.Connection, upn: str, own_id: int | None, today: date) -> None:
    """PupilInvalid, naming the pupil, if ``upn`` belongs to a pupil other than ``own_id``."""
    other = conn.execute("SELECT * FROM pupils WHERE upn = ?", (upn,)).fetchone()
    if other is not None and other["id"] != own_id:
        raise PupilInvalid({"upn": f"UPN {upn} already belongs to {describe(other, today)}: "
                                   "UPNs are unique, so check the number."})


def row_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The stored columns of a checked pupil, with the sort and search names worked out."""
    return _row_values(values)


def _row_values(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: values[k] for k in EDITABLE if k in values}
    out["sort_name"], out["search_name"] = names.register_keys(
        values["legal_surname"], values["legal_forename"], values.get("preferred_forename"))
    return out


def insert_checked(conn: sqlite3.Connection, checked: Checked, *, stamp: str, today: date,
                   adviser_id: int | None) -> int:
    """Insert inside the caller's transaction (used by add and by the importer)."""
    check_unique(conn, checked.values["upn"], None, today)
    row = _row_values(checked.values)
    row["created_at"] = row["updated_at"] = stamp
    cols = ", ".join(row)
    marks = ", ".join(f":{k}" for k in row)
    pupil_id = conn.execute(f"INSERT INTO pupils ({cols}) VALUES ({marks})", row).lastrowid
    audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="pupils",
                row_id=pupil_id, pupil_id=pupil_id, after=row)
    return pupil_id


def update_checked(conn: sqlite3.Connection, pupil_id: int, checked: Checked, *, stamp: str,
                   today: date, adviser_id: int | None) -> bool:
    """Update inside the caller's transaction; False when nothing changed."""
    before = get(conn, pupil_id)
    if before is None:
        raise StoreError("That pupil is no longer on the register.")
    check_unique(conn, checked.values["upn"], pupil_id, today)
    merged = {k: before[k] for k in EDITABLE}
    merged.update({k: v for k, v in checked.values.items() if k in EDITABLE})
    row = _row_values(merged)
    old = {k: before[k] for k in row}
    if row == old:
        return False
    sets = ", ".join(f"{k} = :{k}" for k in row)
    conn.execute(f"UPDATE pupils SET {sets}, updated_at = :updated_at WHERE id = :id",
                 {**row, "updated_at": stamp, "id": pupil_id})
    audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="pupils",
                row_id=pupil_id, pupil_id=pupil_id, before=old, after=row)
    return True


def add(conn: sqlite3.Connection, checked: Checked, *, stamp: str, today: date,
        adviser_id: int | None = None) -> int:
    with transaction(conn):
        return insert_checked(conn, checked, stamp=stamp, today=today, adviser_id=adviser_id)


def update(conn: sqlite3.Connection, pupil_id: int, checked: Checked, *, stamp: str, today: date,
           adviser_id: int | None = None, original: Mapping[str, Any] | None = None) -> bool:
    """``original``: the pupil's row as the form read it when it opened. Given, only the columns
    changed at the form are written, and a column someone else changed meanwhile is refused
    (store/edits.py); without it (the command line), every column is written."""
    with transaction(conn):
        if original is None:
            return update_checked(conn, pupil_id, checked, stamp=stamp, today=today, adviser_id=adviser_id)
        new = {k: v for k, v in checked.values.items() if k in EDITABLE}
        if "upn" in edits.changed(original, new):
            check_unique(conn, new["upn"], pupil_id, today)
        before, after = edits.update_changed(
            conn, "pupils", pupil_id, original, new, what="this pupil",
            missing="That pupil is no longer on the register.", labels=COLUMN_WORDS,
            derive=lambda row: {"sort_name": names.sort_name(row["legal_surname"], row["legal_forename"])},
            extra={"updated_at": stamp})
        if not after:
            return False
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="pupils",
                    row_id=pupil_id, pupil_id=pupil_id, before=before, after=after)
        return True


def set_left(conn: sqlite3.Connection, pupil_id: int, left_on: date | None, *, stamp: str,
             adviser_id: int | None = None) -> None:
    """Mark a pupil as left on a date (or back on roll with None); pupils are never deleted here."""
    with transaction(conn):
        before = get(conn, pupil_id)
        if before is None:
            raise StoreError("That pupil is no longer on the register.")
        if left_on is not None and left_on.isoformat() < before["dob"]:
            raise StoreError("The leaving date is before the date of birth: check it.")
        value = None if left_on is None else left_on.isoformat()
        conn.execute("UPDATE pupils SET date_left = ?, updated_at = ? WHERE id = ?", (value, stamp, pupil_id))
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="pupils",
                    row_id=pupil_id, pupil_id=pupil_id,
                    before={"date_left": before["date_left"]}, after={"date_left": value})


def form_values(row: Mapping[str, Any], today: date) -> dict[str, Any]:
    """A stored pupil as the text a form shows (the inverse of validate)."""
    school_year = schoolyear.school_year_of(today)
    return {
        "upn": row["upn"],
        "legal_forename": row["legal_forename"],
        "legal_surname": row["legal_surname"],
        "preferred_forename": row["preferred_forename"] or "",
        "dob": dates.uk(dates.from_iso(row["dob"])),
        "gender": row["gender"] or "",
        "year_group": str(schoolyear.year_group_in(row["intake_year"], school_year)),
        "form": row["form"] or "",
        "sen_status": row["sen_status"],
        "date_of_entry": dates.uk(dates.from_iso(row["date_of_entry"])) if row["date_of_entry"] else "",
        **{flag: bool(row[flag]) for flag in (*FLAG_FIELDS, "destination_consent")},
    }
