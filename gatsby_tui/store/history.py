"""A pupil's history: one timeline, newest first, of everything the app knows.

Each area of data contributes events through one function here, so later
features (records, plans, destinations, activities, exports) add a source,
not a new mechanism.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

from gatsby_tui.domain import dates, record_fields
from gatsby_tui.domain.codes import MEETING_KIND_TITLES, MEETING_STATUS_WORDS
from gatsby_tui.domain.owners import OWNER_WORDS
from gatsby_tui.store import coverage_facts
from gatsby_tui.store.db import StoreError

FIELD_WORDS = {
    "upn": "UPN", "legal_forename": "legal forename", "legal_surname": "legal surname",
    "preferred_forename": "preferred forename", "dob": "date of birth", "gender": "gender",
    "intake_year": "year group", "form": "form", "sen_status": "SEN status",
    "pupil_premium": "pupil premium", "looked_after": "looked after", "young_carer": "young carer",
    "eal": "EAL", "destination_consent": "consent to destination contact", "date_left": "date left",
}


@dataclass(frozen=True)
class Event:
    at: str          # ISO date or date-time, for ordering
    kind: str        # 'meeting', 'record', 'action', 'register'
    title: str
    detail: str
    ref: str         # 'interview:12', 'event:3', 'record:5', 'amendment:2', 'action:7', 'action_event:9',
                     # 'audit:40'; history.target() says what to open for it


def _interviews(conn: sqlite3.Connection, pupil_id: int, limit: int) -> list[Event]:
    rows = conn.execute(
        "SELECT i.id, i.starts_at, i.kind, i.status, i.status_note, i.mode, a.name AS adviser "
        "FROM interviews i JOIN advisers a ON a.id = i.adviser_id "
        "WHERE i.pupil_id = ? ORDER BY i.starts_at DESC LIMIT ?", (pupil_id, limit)).fetchall()
    out = []
    for r in rows:
        note = f" — {r['status_note']}" if r["status_note"] else ""
        out.append(Event(r["starts_at"], "meeting",
                         f"{MEETING_KIND_TITLES.get(r['kind'], r['kind'])} ({MEETING_STATUS_WORDS.get(r['status'], r['status'])})",
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
        what = MEETING_KIND_TITLES.get(r["kind"], "Meeting")
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
        "WHERE pupil_id = ? AND table_name = 'pupils' AND action IN ('insert', 'update') "
        "ORDER BY at DESC, id DESC LIMIT ?",
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


KINDS = ("meeting", "record", "action", "register", "plan", "destination", "activity", "export")


def _first_line(text: str | None, limit: int = 120) -> str:
    line = next((part.strip() for part in (text or "").splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _records(conn: sqlite3.Connection, pupil_id: int, limit: int) -> list[Event]:
    """Meeting records, with the decisions in effect (the latest amendment, else the original).
    Confidential notes never appear in the timeline."""
    rows = conn.execute(
        "SELECT r.id, r.held_at, r.status, r.decisions, a.name AS adviser, "
        "(SELECT m.amended_text FROM record_amendments m WHERE m.record_id = r.id AND m.field = 'decisions' "
        " ORDER BY m.amended_at DESC, m.id DESC LIMIT 1) AS amended "
        "FROM meeting_records r JOIN advisers a ON a.id = r.adviser_id "
        "WHERE r.pupil_id = ? ORDER BY r.held_at DESC LIMIT ?", (pupil_id, limit)).fetchall()
    out = []
    for r in rows:
        title = "Guidance record signed off" if r["status"] == "signed_off" else "Draft record"
        decisions = _first_line(r["amended"] if r["amended"] is not None else r["decisions"])
        detail = decisions or f"with {r['adviser']}"
        out.append(Event(r["held_at"], "record", title, detail, f"record:{r['id']}"))
    return out


def _amendments(conn: sqlite3.Connection, pupil_id: int, limit: int) -> list[Event]:
    rows = conn.execute(
        "SELECT m.id, m.record_id, m.field, m.reason, m.amended_at FROM record_amendments m "
        "JOIN meeting_records r ON r.id = m.record_id "
        "WHERE r.pupil_id = ? ORDER BY m.amended_at DESC LIMIT ?", (pupil_id, limit)).fetchall()
    return [Event(r["amended_at"], "record", f"Record amended: {record_fields.FIELD_WORDS.get(r['field'], r['field'])}",
                  _first_line(r["reason"]), f"amendment:{r['id']}") for r in rows]


def _actions(conn: sqlite3.Connection, pupil_id: int, limit: int) -> list[Event]:
    rows = conn.execute(
        "SELECT id, created_at, description, owner, due_date FROM actions "
        "WHERE pupil_id = ? ORDER BY created_at DESC LIMIT ?", (pupil_id, limit)).fetchall()
    out = []
    for r in rows:
        due = f" (due {dates.uk(dates.from_iso(r['due_date']))})" if r["due_date"] else ""
        out.append(Event(r["created_at"], "action", f"Action for the {OWNER_WORDS.get(r['owner'], r['owner'])}",
                         _first_line(r["description"]) + due, f"action:{r['id']}"))
    return out


def _action_changes(conn: sqlite3.Connection, pupil_id: int, limit: int) -> list[Event]:
    """Every action event but the first (the action's creation): done, cancelled, reopened, reassigned."""
    rows = conn.execute(
        "SELECT e.id, e.at, e.status, e.owner, e.note, a.description, "
        "(SELECT p.status FROM action_events p WHERE p.action_id = e.action_id AND p.id < e.id "
        " ORDER BY p.id DESC LIMIT 1) AS prev_status, "
        "(SELECT p.owner FROM action_events p WHERE p.action_id = e.action_id AND p.id < e.id "
        " ORDER BY p.id DESC LIMIT 1) AS prev_owner "
        "FROM action_events e JOIN actions a ON a.id = e.action_id "
        "WHERE a.pupil_id = ? AND EXISTS (SELECT 1 FROM action_events f WHERE f.action_id = e.action_id AND f.id < e.id) "
        "ORDER BY e.at DESC LIMIT ?", (pupil_id, limit)).fetchall()
    out = []
    for r in rows:
        if r["status"] != r["prev_status"]:
            title = {"done": "Action done", "cancelled": "Action cancelled", "open": "Action reopened"}[r["status"]]
        else:
            title = f"Action passed to the {OWNER_WORDS.get(r['owner'], r['owner'])}"
        detail = _first_line(r["description"]) + (f" — {_first_line(r['note'])}" if r["note"] else "")
        out.append(Event(r["at"], "action", title, detail, f"action_event:{r['id']}"))
    return out


# ---------------------------------------------------------------- plans and destinations


def _plans(conn: sqlite3.Connection, pupil_id: int, limit: int) -> list[Event]:
    """The plan's creation and each review held, naming the version the review made."""
    out = []
    plan = conn.execute(
        "SELECT p.id, p.created_at, v.aspirations FROM plans p "
        "LEFT JOIN plan_versions v ON v.plan_id = p.id AND v.version = 1 WHERE p.pupil_id = ?", (pupil_id,)).fetchone()
    if plan is None:
        return out
    out.append(Event(plan["created_at"], "plan", "Individual plan started (version 1)",
                     _first_line(plan["aspirations"]), f"plan:{plan['id']}"))
    rows = conn.execute(
        "SELECT r.id, r.reviewed_on, r.is_ehcp_annual, r.what_changed, r.participants, v.version "
        "FROM plan_reviews r LEFT JOIN plan_versions v ON v.id = r.version_id "
        "WHERE r.plan_id = ? ORDER BY r.reviewed_on DESC, r.id DESC LIMIT ?", (plan["id"], limit)).fetchall()
    for r in rows:
        what = "EHCP annual review held" if r["is_ehcp_annual"] else "Plan review held"
        try:
            who = ", ".join(json.loads(r["participants"]))
        except (TypeError, ValueError):
            who = ""
        detail = _first_line(r["what_changed"]) or (f"with {who}" if who else "")
        out.append(Event(r["reviewed_on"], "plan", f"{what}: version {r['version']}", detail,
                         f"plan_review:{r['id']}"))
    return out


def _destinations(conn: sqlite3.Connection, pupil_id: int, limit: int) -> list[Event]:
    rows = conn.execute(
        "SELECT d.id, d.kind, d.code, d.provider, d.at_year, d.recorded_on, d.offer_status, n.label "
        "FROM destinations d JOIN nccis_codes n ON n.code = d.code "
        "WHERE d.pupil_id = ? ORDER BY d.recorded_on DESC, d.id DESC LIMIT ?", (pupil_id, limit)).fetchall()
    out = []
    for r in rows:
        if r["kind"] == "intended":
            title = f"Intended destination recorded (Year {r['at_year']})" if r["at_year"] else "Intended destination recorded"
        else:
            title = "Actual destination recorded"
        detail = f"{r['code']} {r['label']}" + (f" — {r['provider']}" if r["provider"] else "")
        if r["offer_status"] in ("offered", "accepted"):
            detail += f" (September Guarantee: {r['offer_status']})"
        out.append(Event(r["recorded_on"], "destination", title, detail, f"destination:{r['id']}"))
    return out


def _destination_checks(conn: sqlite3.Connection, pupil_id: int, limit: int) -> list[Event]:
    rows = conn.execute(
        "SELECT k.id, k.checked_on, k.method, k.code, n.label FROM destination_checks k "
        "LEFT JOIN nccis_codes n ON n.code = k.code "
        "WHERE k.pupil_id = ? AND k.checked_on IS NOT NULL ORDER BY k.checked_on DESC LIMIT ?",
        (pupil_id, limit)).fetchall()
    return [Event(r["checked_on"], "destination", "Destination checked",
                  f"by {r['method'] or 'unknown means'}" + (f": {r['code']} {r['label']}" if r["code"] else
                                                            ": no answer"), f"destination_check:{r['id']}")
            for r in rows]


def _activities(conn: sqlite3.Connection, pupil_id: int, limit: int) -> list[Event]:
    """Careers activities the pupil took part in: what, where, which benchmarks."""
    from gatsby_tui.domain import benchmarks as rules

    rows = conn.execute(
        "SELECT a.id, a.held_on, a.kind, a.title, a.organisation, a.subject, "
        "(SELECT group_concat(b.benchmark, ', ') FROM activity_benchmarks b WHERE b.activity_id = a.id) AS bms "
        "FROM activity_pupils ap JOIN activities a ON a.id = ap.activity_id WHERE ap.pupil_id = ? "
        "ORDER BY a.held_on DESC, a.id DESC LIMIT ?", (pupil_id, limit)).fetchall()
    out = []
    for r in rows:
        bits = [b for b in (r["organisation"], r["subject"]) if b]
        if r["bms"]:
            bits.append(f"benchmarks {r['bms']}")
        out.append(Event(r["held_on"], "activity", f"{rules.KINDS.get(r['kind'], r['kind'])}: {_first_line(r['title'], 80)}",
                         " · ".join(bits), f"activity:{r['id']}"))
    return out


def _exports(conn: sqlite3.Connection, pupil_id: int, limit: int) -> list[Event]:
    """Copies given (the record, action plans) and subject access requests."""
    out = []
    for r in conn.execute("SELECT * FROM exports_given WHERE pupil_id = ? "
                          "ORDER BY coalesce(given_at, given_on) DESC, id DESC LIMIT ?", (pupil_id, limit)):
        what = "Action plan given" if r["kind"] == "action_plan" else "Copy of the record given"
        bits = [r["format"].upper()] + [b for b in (r["how"], r["withheld"] and f"withheld: {r['withheld']}") if b]
        if r["sar_id"]:
            bits.append(f"for subject access request {r['sar_id']}")
        # The moment it was given (a copy given before that was kept has its day only).
        out.append(Event(r["given_at"] or r["given_on"], "export", what, " · ".join(bits), f"export:{r['id']}"))
    from gatsby_tui.domain.sar import REQUESTER_WORDS as kind_words
    for r in conn.execute("SELECT * FROM subject_access_requests WHERE pupil_id = ? ORDER BY received_on DESC, id DESC "
                          "LIMIT ?", (pupil_id, limit)):
        due = date.fromisoformat(r["extended_to"] or r["due_on"])
        state = {"open": f"open, due {dates.uk(due)}" + (" (extended)" if r["extended_to"] else ""),
                 "fulfilled": f"answered {dates.uk(dates.from_iso(r['fulfilled_on']))}",
                 "withdrawn": "withdrawn"}[r["status"]]
        who = kind_words[r["requester_kind"]] + (f" ({r['requester_name']})" if r["requester_name"] else "")
        out.append(Event(r["received_on"], "export", f"Subject access request from {who}", state, f"sar:{r['id']}"))
    return out


_SOURCES = {
    "plan": (_plans,),
    "destination": (_destinations, _destination_checks),
    "meeting": (_interviews, _moves),
    "record": (_records, _amendments),
    "action": (_actions, _action_changes),
    "register": (_register_changes,),
    "activity": (_activities,),
    "export": (_exports,),
}


def for_pupil(conn: sqlite3.Connection, pupil_id: int, limit: int = 200, *, kind: str | None = None,
              search: str | None = None) -> list[Event]:
    """Newest first. ``kind``: 'meeting', 'record', 'action' or 'register' (None: all).
    ``search``: case-insensitive text within title and detail."""
    if kind is not None and kind not in _SOURCES:
        raise ValueError(f"unknown history kind {kind!r}")
    needle = (search or "").strip().casefold()
    per_source = limit if not needle else max(limit, 5000)
    events: list[Event] = []
    for name, sources in _SOURCES.items():
        if kind is None or kind == name:
            for source in sources:
                events += source(conn, pupil_id, per_source)
    if needle:
        events = [e for e in events if needle in f"{e.title}\n{e.detail}".casefold()]
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]


def target(conn: sqlite3.Connection, ref: str) -> str:
    """What to open for a history item: an amendment opens its record, an action's change its action."""
    what, _, number = ref.partition(":")
    if what == "amendment":
        row = conn.execute("SELECT record_id FROM record_amendments WHERE id = ?", (int(number),)).fetchone()
        return f"record:{row[0]}" if row else ref
    if what == "action_event":
        row = conn.execute("SELECT action_id FROM action_events WHERE id = ?", (int(number),)).fetchone()
        return f"action:{row[0]}" if row else ref
    if what == "event":
        row = conn.execute("SELECT interview_id FROM interview_events WHERE id = ?", (int(number),)).fetchone()
        return f"interview:{row[0]}" if row else ref
    return ref


# ---------------------------------------------------------------- the summary at the top

GUIDANCE_KINDS = ("guidance", "follow_up")


def _meeting(row: sqlite3.Row | None) -> dict | None:
    if row is None:
        return None
    return {"interview_id": row["id"], "starts_at": row["starts_at"], "kind": row["kind"],
            "adviser_name": row["adviser"], "title": MEETING_KIND_TITLES.get(row["kind"], row["kind"])}


# Which held meetings are personal guidance: guidance and follow-up meetings, and an EHCP review
# meeting whose meeting record was signed off (a careers adviser who takes part in the review and
# records the advice given has given personal guidance; the copy of the record must not say
# otherwise). For SQL on interviews aliased ``i``; defined beside the coverage facts that count them.
GUIDANCE_KIND = coverage_facts.GUIDANCE_KIND


def guidance_meetings_until(conn: sqlite3.Connection, pupil_id: int, until: date, *,
                            min_level: int | None = None) -> int:
    """Personal guidance meetings held on or before ``until``: held guidance/follow-up interviews
    and EHCP review meetings with a signed-off record (GUIDANCE_KIND), plus signed-off records of unplanned conversations (no interview). ``min_level``: count only
    advisers recorded at that qualification level or above (no recorded level: not counted)."""
    bound = (until + timedelta(days=1)).isoformat()
    level = "" if min_level is None else \
        " AND adviser_id IN (SELECT id FROM advisers WHERE qualification_level >= :level)"
    args = {"pupil": pupil_id, "bound": bound, "level": min_level}
    held = conn.execute(
        "SELECT count(*) FROM interviews i WHERE pupil_id = :pupil AND status = 'held' "
        f"AND {GUIDANCE_KIND} AND starts_at < :bound{level}", args).fetchone()[0]
    unplanned = conn.execute(
        "SELECT count(*) FROM meeting_records WHERE pupil_id = :pupil AND interview_id IS NULL "
        f"AND status = 'signed_off' AND held_at < :bound{level}", args).fetchone()[0]
    return held + unplanned


def summary(conn: sqlite3.Connection, pupil_id: int, *, today: date, now: str | None = None) -> dict:
    """For the top of the pupil screen. ``now``: 'YYYY-MM-DDTHH:MM' (default: start of today).

    Keys: pupil_id, name, display, upn, year_group, form, sen_status, sen_label, flags (short
    labels), date_left, last_meeting, next_meeting (dicts or None), open_actions,
    overdue_actions, intended_destination ({code, label, on, source} or None),
    guidance_by_16, guidance_by_18 (held guidance meetings to the end of Year 11 / Year 13),
    end_of_year_11, end_of_year_13 (dates)."""
    from gatsby_tui.domain import names, schoolyear
    from gatsby_tui.domain.codes import FLAG_FIELDS, FLAG_LABELS, SEN_LABELS

    p = conn.execute("SELECT * FROM pupils WHERE id = ?", (pupil_id,)).fetchone()
    if p is None:
        raise StoreError("That pupil is no longer on the register.")
    moment = now or f"{today.isoformat()}T00:00"
    last = conn.execute(
        "SELECT i.id, i.starts_at, i.kind, a.name AS adviser FROM interviews i JOIN advisers a ON a.id = i.adviser_id "
        "WHERE i.pupil_id = ? AND i.status = 'held' ORDER BY i.starts_at DESC LIMIT 1", (pupil_id,)).fetchone()
    nxt = conn.execute(
        "SELECT i.id, i.starts_at, i.kind, a.name AS adviser FROM interviews i JOIN advisers a ON a.id = i.adviser_id "
        "WHERE i.pupil_id = ? AND i.status = 'booked' AND i.starts_at >= ? ORDER BY i.starts_at LIMIT 1",
        (pupil_id, moment)).fetchone()
    open_count, overdue = conn.execute(
        "SELECT count(*), coalesce(sum(due_date < ?), 0) FROM actions WHERE pupil_id = ? AND status = 'open'",
        (today.isoformat(), pupil_id)).fetchone()
    # The latest intended destination: from a signed-off record (amendments applied) or the
    # destinations table, whichever is later.
    destination = None
    rec = conn.execute(
        "SELECT r.id, r.held_at, coalesce((SELECT m.amended_text FROM record_amendments m WHERE m.record_id = r.id "
        "  AND m.field = 'intended_destination' ORDER BY m.amended_at DESC, m.id DESC LIMIT 1), "
        "  r.intended_destination) AS code "
        "FROM meeting_records r WHERE r.pupil_id = ? AND r.status = 'signed_off' AND code IS NOT NULL "
        "ORDER BY r.held_at DESC, r.id DESC LIMIT 1", (pupil_id,)).fetchone()
    if rec is not None:
        destination = {"code": rec["code"], "on": rec["held_at"][:10], "source": f"record:{rec['id']}"}
    dest = conn.execute(
        "SELECT id, code, recorded_on FROM destinations WHERE pupil_id = ? AND kind = 'intended' "
        "ORDER BY recorded_on DESC, id DESC LIMIT 1", (pupil_id,)).fetchone()
    if dest is not None and (destination is None or dest["recorded_on"] > destination["on"]):
        destination = {"code": dest["code"], "on": dest["recorded_on"], "source": f"destination:{dest['id']}"}
    if destination is not None:
        label = conn.execute("SELECT label FROM nccis_codes WHERE code = ?", (destination["code"],)).fetchone()
        destination["label"] = label[0] if label else None
    end_11 = date(p["intake_year"] + 5, 8, 31)
    end_13 = date(p["intake_year"] + 7, 8, 31)
    return {
        "pupil_id": pupil_id,
        "name": names.full_name(p["legal_surname"], p["legal_forename"], p["preferred_forename"]),
        "display": names.display_name(p["legal_surname"], p["legal_forename"], p["preferred_forename"]),
        "upn": p["upn"],
        "year_group": schoolyear.year_group_in(p["intake_year"], schoolyear.school_year_of(today)),
        "form": p["form"],
        "sen_status": p["sen_status"],
        "sen_label": SEN_LABELS.get(p["sen_status"], p["sen_status"]),
        "flags": [FLAG_LABELS[f][0] for f in FLAG_FIELDS if p[f]],
        "date_left": p["date_left"],
        "last_meeting": _meeting(last),
        "next_meeting": _meeting(nxt),
        "open_actions": open_count,
        "overdue_actions": overdue,
        "intended_destination": destination,
        "guidance_by_16": guidance_meetings_until(conn, pupil_id, end_11),
        "guidance_by_18": guidance_meetings_until(conn, pupil_id, end_13),
        "end_of_year_11": end_11,
        "end_of_year_13": end_13,
    }
