"""The audit log: who changed what, when, with the values before and after.

Every write function in the store calls ``write`` inside its own transaction,
so no change is ever committed without its audit entry.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable, Mapping


# One encoder for every entry (json.dumps with these options would build a new one each call).
# Compact, keys in order, text as it is: what SQLite's json_object gives for the same values
# (``json_of_columns``), so an entry reads the same whichever of the two wrote it.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))


def _json(values: Mapping[str, Any] | None) -> str | None:
    if values is None:
        return None
    return _ENCODER.encode(dict(values))


def as_json(values: Mapping[str, Any] | None) -> str | None:
    """A value as ``write`` stores it (for writers that insert many entries at once)."""
    return _json(values)


def json_of_columns(columns: Iterable[str]) -> str:
    """SQL giving, for a row, the text ``as_json`` gives for a dict of these of its columns (a
    writer of many entries builds them in SQL from the rows it has just written). ``columns`` are
    the schema's own names, never text from outside."""
    return "json_object(" + ", ".join(f"'{c}', {c}" for c in sorted(columns)) + ")"


def write(
    conn: sqlite3.Connection,
    *,
    at: str,
    adviser_id: int | None,
    action: str,
    table: str,
    row_id: int | None,
    pupil_id: int | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    if before is not None and after is not None:
        # Keep only what changed, so the log reads as a list of changes.
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    conn.execute(
        "INSERT INTO audit_log (at, adviser_id, action, table_name, row_id, pupil_id, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (at, adviser_id, action, table, row_id, pupil_id, _json(before), _json(after)),
    )


def for_pupil(conn: sqlite3.Connection, pupil_id: int, limit: int = 200) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT a.*, ad.name AS adviser_name FROM audit_log a LEFT JOIN advisers ad ON ad.id = a.adviser_id "
        "WHERE a.pupil_id = ? ORDER BY a.at DESC, a.id DESC LIMIT ?",
        (pupil_id, limit),
    ).fetchall()


def for_adviser(conn: sqlite3.Connection, adviser_id: int, limit: int = 200) -> list[sqlite3.Row]:
    """What the adviser changed, newest first (audit_by_adviser index)."""
    return conn.execute(
        "SELECT a.*, ad.name AS adviser_name FROM audit_log a LEFT JOIN advisers ad ON ad.id = a.adviser_id "
        "WHERE a.adviser_id = ? ORDER BY a.at DESC, a.id DESC LIMIT ?",
        (adviser_id, limit),
    ).fetchall()


# ---------------------------------------------------------------- the audit views (read only)

_ENTRY_COLUMNS = ("a.*, ad.name AS adviser_name, p.legal_surname, p.legal_forename, p.preferred_forename")
_ENTRY_FROM = ("FROM audit_log a LEFT JOIN advisers ad ON ad.id = a.adviser_id "
               "LEFT JOIN pupils p ON p.id = a.pupil_id")


def _entries_where(pupil_id: int | None, adviser_id: int | None) -> tuple[str, list[Any]]:
    if (pupil_id is None) == (adviser_id is None):
        raise ValueError("give a pupil_id or an adviser_id")
    if pupil_id is not None:
        return "a.pupil_id = ?", [pupil_id]
    return "a.adviser_id = ?", [adviser_id]


def entries(conn: sqlite3.Connection, *, pupil_id: int | None = None, adviser_id: int | None = None,
            limit: int = 200, after: tuple[str, int] | None = None) -> list[sqlite3.Row]:
    """One pupil's or one adviser's entries, newest first, with the adviser's and the pupil's
    names; keyset-paged: ``after`` is the last row's (at, id). Uses audit_by_pupil /
    audit_by_adviser (the rowid ends every index entry, so the order needs no sort)."""
    where, params = _entries_where(pupil_id, adviser_id)
    if after is not None:
        where += " AND (a.at < ? OR (a.at = ? AND a.id < ?))"
        params += [after[0], after[0], after[1]]
    return conn.execute(f"SELECT {_ENTRY_COLUMNS} {_ENTRY_FROM} WHERE {where} "
                        "ORDER BY a.at DESC, a.id DESC LIMIT ?", (*params, limit)).fetchall()


def count(conn: sqlite3.Connection, *, pupil_id: int | None = None, adviser_id: int | None = None) -> int:
    where, params = _entries_where(pupil_id, adviser_id)
    return conn.execute(f"SELECT count(*) FROM audit_log a WHERE {where}", params).fetchone()[0]


def get(conn: sqlite3.Connection, entry_id: int) -> sqlite3.Row | None:
    return conn.execute(f"SELECT {_ENTRY_COLUMNS} {_ENTRY_FROM} WHERE a.id = ?", (entry_id,)).fetchone()
