"""An adviser's meetings for a calendar file (.ics): what the file may hold, and no more (no
reason, no notes). The file itself is made by exports/ics.py. Never imports Textual."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from typing import Any

from gatsby_tui.store.bookings import _dt, _year_on


def for_export(conn: sqlite3.Connection, adviser_id: int, first: date, last: date) -> list[dict[str, Any]]:
    """The adviser's meetings from ``first`` to ``last`` for a calendar file: no reason, no notes.
    ``sequence`` counts the changes a calendar must see (moved, cancelled, reinstated)."""
    rows = conn.execute(
        "SELECT i.id, i.uid, i.starts_at, i.ends_at, i.mode, i.place, i.kind, i.status, i.updated_at, "
        "p.legal_surname, p.legal_forename, p.preferred_forename, p.intake_year, "
        "(SELECT count(*) FROM interview_events e WHERE e.interview_id = i.id "
        " AND e.event IN ('moved', 'cancelled', 'reinstated')) AS sequence "
        "FROM interviews i JOIN pupils p ON p.id = i.pupil_id "
        "WHERE i.adviser_id = ? AND i.starts_at >= ? AND i.starts_at < ? ORDER BY i.starts_at, i.id",
        (adviser_id, first.isoformat(), (last + timedelta(days=1)).isoformat())).fetchall()
    out = []
    for r in rows:
        start = _dt(r["starts_at"])
        out.append({
            "uid": r["uid"], "start": start, "end": _dt(r["ends_at"]), "mode": r["mode"], "place": r["place"],
            "kind": r["kind"], "status": r["status"], "sequence": r["sequence"],
            "updated_at": datetime.fromisoformat(r["updated_at"]),
            "forename": r["preferred_forename"] or r["legal_forename"], "surname": r["legal_surname"],
            "year_group": _year_on(r["intake_year"], start.date()),
        })
    return out
