"""Saving a form without undoing what someone else saved meanwhile.

A form remembers the row as it was when it opened (``original``). On save, only the columns the
person changed are written; and if someone else (another copy of the app, an import from the
command line) changed one of those same columns since the form opened, nothing is written and
the person is told, in a sentence, what it is now. Columns nobody at this form touched keep
whatever is in the file now. Call ``update_changed`` inside the write's transaction (BEGIN
IMMEDIATE), so the comparison and the write see the same row.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Callable, Mapping

from gatsby_tui.store.db import StoreError


def changed(original: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of ``new`` whose values differ from the form's ``original``."""
    return {k: v for k, v in new.items() if k in original.keys() and not _same(original[k], v)}


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return (a in (None, "")) and (b in (None, ""))
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    return a == b


def shown(value: Any) -> str:
    """A value as the refusal quotes it."""
    if value is None or value == "":
        return "blank"
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def check_not_changed_meanwhile(current: Mapping[str, Any], original: Mapping[str, Any],
                                mine: Mapping[str, Any], *, what: str,
                                labels: Mapping[str, str] | None = None,
                                show: Callable[[str, Any], str] | None = None) -> None:
    """Refuse, in a sentence, when a column in ``mine`` (the changes made at the form) was also
    changed, to something else, since the form opened with ``original``."""
    labels = labels or {}
    conflicts = [c for c in mine if not _same(current[c], original[c]) and not _same(current[c], mine[c])]
    if not conflicts:
        return
    parts = []
    for c in conflicts:
        name = labels.get(c, "the " + c.replace("_", " "))
        now = show(c, current[c]) if show else shown(current[c])
        had = show(c, original[c]) if show else shown(original[c])
        parts.append(f"{name} is now {now} (you had {had})")
    raise StoreError(f"Not saved: {what} was changed by someone else since you opened this form: "
                     f"{'; '.join(parts)}. Close the form and open it again.")


def update_changed(conn: sqlite3.Connection, table: str, row_id: int, original: Mapping[str, Any],
                   new: Mapping[str, Any], *, what: str, missing: str,
                   labels: Mapping[str, str] | None = None,
                   show: Callable[[str, Any], str] | None = None,
                   derive: Callable[[dict[str, Any]], Mapping[str, Any]] | None = None,
                   extra: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Write the columns of ``new`` that differ from ``original``, unless someone else changed
    one of them since; inside the caller's transaction. ``derive`` works out dependent columns
    (a sort key) from the merged row; ``extra`` is written only with a change (updated_at).
    Returns (before, after) of the columns written, both empty when nothing changed; raises
    StoreError(``missing``) when the row is gone."""
    current = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
    if current is None:
        raise StoreError(missing)
    mine = changed(original, new)
    check_not_changed_meanwhile(current, original, mine, what=what, labels=labels, show=show)
    if derive is not None and mine:
        merged = {k: current[k] for k in current.keys()}
        merged.update(mine)
        for k, v in derive(merged).items():
            if not _same(current[k], v):
                mine[k] = v
    mine = {k: v for k, v in mine.items() if not _same(current[k], v)}
    if not mine:
        return {}, {}
    before = {k: current[k] for k in mine}
    values = {**mine, **(extra or {})}
    sets = ", ".join(f"{k} = :{k}" for k in values)
    conn.execute(f"UPDATE {table} SET {sets} WHERE id = :_row_id", {**values, "_row_id": row_id})
    return before, mine


def update_settings_changed(conn: sqlite3.Connection, original: Mapping[str, Any], new: Mapping[str, Any], *,
                            what: str, labels: Mapping[str, str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same for settings (one row per key): ``original`` is each key's stored value (None when
    unset) as the form read it. Inside the caller's transaction; returns (before, after)."""
    keys = list(new)
    marks = ", ".join("?" for _ in keys)
    stored = dict(conn.execute(f"SELECT key, value FROM settings WHERE key IN ({marks})", keys).fetchall())
    current = {k: stored.get(k) for k in keys}
    mine = changed(original, new)
    check_not_changed_meanwhile(current, original, mine, what=what, labels=labels)
    mine = {k: v for k, v in mine.items() if not _same(current[k], v)}
    for key, value in mine.items():
        conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
    return {k: current[k] for k in mine}, mine
