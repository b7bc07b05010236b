"""Advisers: who gives guidance, with the qualification a meeting record names. Audited.

Decisions: names are unique among advisers (case-insensitively), because the CLI and the
chooser pick an adviser by name; advisers are never deleted (their bookings and the audit
log point at them), only made inactive.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any, Mapping

from gatsby_tui.domain import names
from gatsby_tui.store import audit, edits
from gatsby_tui.store.db import StoreError, transaction

FIELDS = ("name", "organisation", "kind", "qualification_level", "qualification", "cdi_number", "email", "active")
_KIND_WORDS = {
    "": "external", "external": "external", "independent": "external", "e": "external",
    "external (independent) adviser": "external",
    "internal": "internal", "school": "internal", "school staff": "internal", "staff": "internal", "i": "internal",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AdviserInvalid(StoreError):
    """Raised with one message per field that cannot be accepted."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


def _flag(value: Any, default: int = 1) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return int(value)
    return 0 if str(value).strip().lower() in ("0", "no", "n", "false", "inactive") else 1


def validate(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check an adviser's details as typed; return the values to store or raise AdviserInvalid."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    name = names.clean_text(str(raw.get("name") or ""))
    if not name:
        errors["name"] = "Enter the adviser's name."
    elif len(name) > 100:
        errors["name"] = "The name is longer than 100 characters: check it."
    values["name"] = name
    for key, label, limit in (("organisation", "organisation", 120), ("qualification", "qualification", 200),
                              ("cdi_number", "CDI register number", 40)):
        text = names.clean_text(str(raw.get(key) or ""))
        if text and len(text) > limit:
            errors[key] = f"The {label} is longer than {limit} characters: check it."
        values[key] = text
    kind = " ".join(str(raw.get("kind") or "").strip().lower().split())
    if kind in _KIND_WORDS:
        values["kind"] = _KIND_WORDS[kind]
    else:
        errors["kind"] = "Say whether the adviser is external (independent) or internal (school staff)."
    level_text = str(raw.get("qualification_level") or "").strip()
    values["qualification_level"] = None
    if level_text:
        match = re.fullmatch(r"(?i)(?:level|lvl|l)?\s*(\d{1,2})", level_text)
        if not match:
            errors["qualification_level"] = (f"Qualification level '{names.quote(level_text)}' is not a number: "
                                             "type 1 to 8 (the CDI register asks for 6 or above).")
        elif not 1 <= int(match.group(1)) <= 8:
            errors["qualification_level"] = (f"Qualification levels run from 1 to 8, so {int(match.group(1))} "
                                             "cannot be right (the CDI register asks for 6 or above).")
        else:
            values["qualification_level"] = int(match.group(1))
    email = names.clean_text(str(raw.get("email") or ""))
    if email and (len(email) > 200 or not _EMAIL.match(email)):
        errors["email"] = f"'{names.quote(email)}' is not an email address: check it, or leave it blank."
    values["email"] = email
    values["active"] = _flag(raw.get("active"), 1)
    if errors:
        raise AdviserInvalid(errors)
    return values


def _check_unique(conn: sqlite3.Connection, name: str, own_id: int | None) -> None:
    for row in conn.execute("SELECT id, name FROM advisers WHERE id IS NOT ?", (own_id,)):
        if names.fold(row["name"]) == names.fold(name):
            raise AdviserInvalid({"name": f"There is already an adviser called {names.quote(row['name'])}: "
                                          "add something to tell them apart (e.g. the organisation)."})


def add(conn: sqlite3.Connection, raw: Mapping[str, Any], *, stamp: str, adviser_id: int | None) -> int:
    values = validate(raw)
    with transaction(conn):
        _check_unique(conn, values["name"], None)
        cols = ", ".join(values)
        new_id = conn.execute(f"INSERT INTO advisers ({cols}) VALUES ({', '.join(':' + k for k in values)})",
                              values).lastrowid
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="advisers",
                    row_id=new_id, pupil_id=None, after=values)
    return new_id


def update(conn: sqlite3.Connection, adviser_id_to_change: int, raw: Mapping[str, Any], *, stamp: str,
           adviser_id: int | None, original: Mapping[str, Any] | None = None) -> bool:
    """Change an adviser's details; False when nothing changed. Fields not given keep their values.
    ``original``: the adviser's row as the form read it when it opened; then only what was changed
    at the form is written, and a field someone else changed meanwhile is refused (store/edits.py)."""
    with transaction(conn):
        before = get(conn, adviser_id_to_change)
        if before is None:
            raise StoreError("That adviser is no longer in the database.")
        merged = {k: (original if original is not None else before)[k] for k in FIELDS}
        merged.update({k: v for k, v in raw.items() if k in FIELDS})
        values = validate(merged)
        if original is not None:
            if "name" in edits.changed(original, values):
                _check_unique(conn, values["name"], adviser_id_to_change)
            old, new = edits.update_changed(conn, "advisers", adviser_id_to_change, original, values,
                                            what="this adviser", missing="That adviser is no longer in the database.")
            if not new:
                return False
            audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="advisers",
                        row_id=adviser_id_to_change, pupil_id=None, before=old, after=new)
            return True
        _check_unique(conn, values["name"], adviser_id_to_change)
        old = {k: before[k] for k in values}
        if old == values:
            return False
        sets = ", ".join(f"{k} = :{k}" for k in values)
        conn.execute(f"UPDATE advisers SET {sets} WHERE id = :id", {**values, "id": adviser_id_to_change})
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="advisers",
                    row_id=adviser_id_to_change, pupil_id=None, before=old, after=values)
    return True


def get(conn: sqlite3.Connection, adviser_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM advisers WHERE id = ?", (adviser_id,)).fetchone()


def list_all(conn: sqlite3.Connection, *, include_inactive: bool = False) -> list[sqlite3.Row]:
    where = "" if include_inactive else "WHERE active = 1"
    rows = conn.execute(f"SELECT * FROM advisers {where}").fetchall()
    return sorted(rows, key=lambda r: (names.fold(r["name"]), r["id"]))


def find(conn: sqlite3.Connection, text: str) -> list[sqlite3.Row]:
    """Advisers whose name contains ``text`` (case and accents ignored); an exact name wins."""
    wanted = " ".join(names.fold(w) for w in str(text).split())
    everyone = list_all(conn, include_inactive=True)
    exact = [r for r in everyone if " ".join(names.fold(w) for w in r["name"].split()) == wanted]
    if exact:
        return exact
    return [r for r in everyone if wanted and wanted in " ".join(names.fold(w) for w in r["name"].split())]


def describe_list(rows: list[sqlite3.Row]) -> str:
    """'Helen Marsh and David Whitaker' for messages."""
    return _join([r["name"] for r in rows])


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
