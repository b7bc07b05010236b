"""A pupil's history: one timeline, newest first, of everything the app knows.

Each area of data contributes events through one function here, so later
features (records, plans, destinations, activities, exports) add a source,
not a new mechanism.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from gatsby_tui.domain import dates

FIELD_WORDS = {
    "upn": "UPN", "legal_forename": "legal forename", "legal_surname": "legal surname",
    "preferred_forename": "preferred forename", "dob": "date of birth", "gender": "gender",
    "intake_year": "year group", "form": "form", "sen_status": "SEN status",
    "pupil_premium": "pupil premium", "looked_after": "looked after", "young_carer": "young carer",
    "eal": "EAL", "destination_consent": "consent to destination contact", "date_left": "date left",
}
STATUS_WORDS = {"booked": "booked", "held": "held", "cancelled": "cancelled", "did_not_attend": "did not attend"}
KIND_WORDS = {"guidance": "Guidance meeting", "follow_up": "Follow-up meeting", "group": "Group session",
              "ehcp_review": "EHCP review"}


@dataclass(frozen=True)
class Event:
    at: str          # ISO date or date-time, for ordering
    kind: str        # 'meeting', 'register'
    title: str
    detail: str
    ref: str         # 'interview:12', 'audit:40'


def _interviews(conn: sqlite3.Connection, pupil_id: int, limit: int) -> list[Event]:
    rows = conn.execute(
        "SELECT i.id, i.starts_at, i.kind, i.status, i.status_note, i.mode, a.name AS adviser "
        "FROM interviews i JOIN advisers a ON a.id = i.adviser_id "
        "WHERE i.pupil_id = ? ORDER BY i.starts_at DESC LIMIT ?", (pupil_id, limit)).fetchall()
    out = []
    for r in rows:
        note = f" — {r['status_note']}" if r["status_note"] else ""
        out.append(Event(r["starts_at"], "meeting",
                         f"{KIND_WORDS.get(r['kind'], r['kind'])} ({STATUS_WORDS.get(r['status'], r['status'])})",
                         f"with {r['adviser']}{note}", f"interview:{r['id']}"))
    return out


def _moves(conn: sqlite3.Connection, pupil_id: int, limit: int) -> list[Event]:
    """A moved meeting stays visible as a move: from when to when."""
    rows = conn.execute(
        "SELECT e.id, e.at, e.from_start, e.to_start, e.note, i.kind FROM interview_events e "
        "JOIN interviews i ON i.id = e.interview_id "
        "WHERE i.pupil_id = ? AND e.event = 'moved' ORDER BY e.at DESC LIMIT ?", (pupil_id, limit)).fetchall()
    out = []
    for r in rows:
        what = KIND_WORDS.get(r["kind"], "Meeting")
        out.append(Event(r["at"], "meeting", f"{what} moved",
                         f"from {_short(r['from_start'])} to {_short(r['to_start'])}", f"event:{r['id']}"))
    return out


def _short(stamp: str | None) -> str:
    if not stamp:
        return "?"
    day = dates.from_iso(stamp)
    return f"{day:%a} {day.day} {dates.MONTHS[day.month - 1][:3]} {day.year} {stamp[11:16]}".strip()


def _register_changes(conn: sqlite3.Connection, pupil_id: int, limit: int) -> list[Event]:
    rows = conn.execute(
        "SELECT id, at, action, after FROM audit_log "
        "WHERE pupil_id = ? AND table_name = 'pupils' ORDER BY at DESC, id DESC LIMIT ?",
        (pupil_id, limit)).fetchall()
    out = []
    for r in rows:
        after = json.loads(r["after"]) if r["after"] else {}
        if r["action"] == "insert":
            out.append(Event(r["at"], "register", "Added to the register", "", f"audit:{r['id']}"))
            continue
        if set(after) == {"date_left"}:
            left = after["date_left"]
            title = (f"Marked as left on {dates.long_uk(dates.from_iso(left))}" if left
                     else "Back on roll")
            out.append(Event(r["at"], "register", title, "", f"audit:{r['id']}"))
            continue
        changed = ", ".join(FIELD_WORDS.get(k, k) for k in after)
        out.append(Event(r["at"], "register", "Details changed", changed, f"audit:{r['id']}"))
    return out


def for_pupil(conn: sqlite3.Connection, pupil_id: int, limit: int = 200) -> list[Event]:
    events = (_interviews(conn, pupil_id, limit) + _moves(conn, pupil_id, limit)
              + _register_changes(conn, pupil_id, limit))
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]
