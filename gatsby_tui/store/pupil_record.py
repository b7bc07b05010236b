"""One pupil's whole record, gathered for an export: plain, JSON-ready dicts holding that pupil's
data and nobody else's, with codes given in words beside them.

Decisions:

* Every query here is by the one pupil's id (or by the ids of their own meetings, records,
  actions and plan). Shared things are included only as they concern this pupil: an activity they
  attended is given by its title, kind, date, organisation, benchmarks and the "meaningful" points,
  never with its attendance list or the school's own notes on the event (which may name others).
* Advisers' confidential notes are kept apart (``confidential`` on each record) so an export
  leaves them out unless the adviser deliberately includes them (``choose``).
* Other pupils named in the free text are found however they are written (``other_pupils_named``:
  whole names, and single words that are another pupil's surname or a classmate's forename), by
  the one fold of domain/names. ``choose`` replaces the ones the adviser picks with
  "[another pupil]" and the export says how many were withheld.
"""

from __future__ import annotations

import copy
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Iterator

from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.domain import names, schoolyear, send
from gatsby_tui.domain.codes import (ACTION_STATUS_TO_PUPIL, FLAGS_IN_FULL, GENDER_LABELS, MEETING_KIND_WORDS,
                                     MEETING_STATUS_WORDS, MODE_WORDS_IN_FULL, OFFER_WORDS_TO_PUPIL, SEN_IN_FULL)
from gatsby_tui.domain.owners import OWNER_WORDS_TO_PUPIL
from gatsby_tui.domain.record_fields import ON_PUPILS_COPY, RECORD_HEADINGS
from gatsby_tui.domain.sar import REQUESTER_WORDS
from gatsby_tui.store.coverage import pupil_coverage
from gatsby_tui.store.db import StoreError
from gatsby_tui.store.records import destination_label

REDACTED = "[another pupil]"


def _day(text: str | None) -> str | None:
    return text[:10] if text else None


def _deadline(note: str) -> str | None:
    """'by 31/08/2027' -> '2027-08-31'; None when the note holds no date."""
    found = re.search(r"(\d{1,2})/(\d{1,2})/(\d{4})", note or "")
    if not found:
        return None
    try:
        return date(int(found[3]), int(found[2]), int(found[1])).isoformat()
    except ValueError:
        return None


def _nccis(conn: sqlite3.Connection, code: str | None) -> dict[str, str] | None:
    return {"code": code, "words": destination_label(conn, code) or code} if code else None


def _adviser(conn: sqlite3.Connection, adviser_id: int | None) -> dict[str, Any] | None:
    if adviser_id is None:
        return None
    row = conn.execute("SELECT name, organisation, qualification, qualification_level, email FROM advisers "
                       "WHERE id = ?", (adviser_id,)).fetchone()
    return None if row is None else dict(row)


def _careers_leader(conn: sqlite3.Connection) -> dict[str, str | None] | None:
    """The school's careers leader (store.programme.school), named on the copy and the action plan."""
    from gatsby_tui.store import programme

    s = programme.school(conn)
    return {"name": s.leader_name, "email": s.leader_email, "telephone": s.leader_phone} if s.leader_name else None


def gather_pupil(conn: sqlite3.Connection, pupil_id: int, *, today: date) -> dict[str, Any]:
    """The pupil's details, the school, and when the copy is produced."""
    p = conn.execute("SELECT * FROM pupils WHERE id = ?", (pupil_id,)).fetchone()
    if p is None:
        raise StoreError("That pupil is no longer on the register.")
    school = conn.execute("SELECT s.name FROM schools s WHERE s.id = ? UNION ALL "
                          "SELECT name FROM schools ORDER BY 1 LIMIT 1", (p["school_id"],)).fetchone()
    left = p["date_left"] is not None and p["date_left"] <= today.isoformat()
    at = date.fromisoformat(p["date_left"]) if left else today
    year = schoolyear.year_group_in(p["intake_year"], schoolyear.school_year_of(at))
    out: dict[str, Any] = {
        "about": "A copy of the careers guidance record held about one pupil.",
        "produced_on": today.isoformat(),
        "school": school[0] if school else None,
        "careers_leader": _careers_leader(conn),
        "pupil": {
            "name": names.full_name(p["legal_surname"], p["legal_forename"], p["preferred_forename"]),
            "legal_forename": p["legal_forename"], "legal_surname": p["legal_surname"],
            "preferred_forename": p["preferred_forename"], "upn": p["upn"], "date_of_birth": p["dob"],
            "gender": GENDER_LABELS.get(p["gender"] or "", "Not recorded"),
            "year_group": year, "year_group_words": (f"Year {year}" if not left else f"Left in Year {year}"),
            "form": p["form"], "sen": {"code": p["sen_status"], "words": SEN_IN_FULL[p["sen_status"]]},
            "flags": [words for column, words in FLAGS_IN_FULL if p[column]],
            "date_left": p["date_left"],
            "consent_to_share_destination": bool(p["destination_consent"]),
        },
    }
    return out


def gather(conn: sqlite3.Connection, pupil_id: int, *, today: date) -> dict[str, Any]:
    """Everything held about one pupil, as dicts (see the module's docstring)."""
    out = gather_pupil(conn, pupil_id, today=today)
    out["meetings"] = _meetings(conn, pupil_id)
    out["actions"] = _actions(conn, pupil_id)
    out["plan"] = _plan(conn, pupil_id)
    out["destinations"] = _destinations(conn, pupil_id)
    out["activities"] = _activities(conn, pupil_id)
    out["benchmarks"] = [{"benchmark": rules.label_of(key), "title": rules.title_of(key), "state": state.words,
                          "missing": state.missing, "evidence": list(state.evidence),
                          # The missing parts, split: what the school did not provide in time, and
                          # what is still to come (with its deadline as a date).
                          "not_provided": [p.what for p in state.parts
                                           if p.status == rules.PART_MISSING and p.note == "missed"],
                          "still_to_come": [{"what": p.what, "by": _deadline(p.note)} for p in state.parts
                                            if p.status == rules.PART_MISSING and p.note != "missed"]}
                         for key, state in pupil_coverage(conn, pupil_id, today=today).items()]
    out["requests"] = [dict(r, requester_kind_words=REQUESTER_WORDS[r["requester_kind"]])
                       for r in conn.execute(
        "SELECT id, requester_kind, requester_name, received_on, due_on, extended_to, status, fulfilled_on "
        "FROM subject_access_requests WHERE pupil_id = ? ORDER BY received_on, id", (pupil_id,))]
    out["copies_given"] = [dict(r) for r in conn.execute(
        "SELECT kind, format, given_on, how, withheld FROM exports_given WHERE pupil_id = ? ORDER BY given_on, id",
        (pupil_id,))]
    return out


def _meetings(conn: sqlite3.Connection, pupil_id: int) -> list[dict[str, Any]]:
    """Bookings and meeting records, oldest first; a record without a booking is an unplanned
    conversation. Drafts are included: they are data held about the pupil."""
    records = {r["id"]: r for r in conn.execute(
        "SELECT * FROM meeting_records WHERE pupil_id = ? ORDER BY held_at, id", (pupil_id,))}
    by_interview = {r["interview_id"]: r for r in records.values() if r["interview_id"] is not None}
    out = []
    for i in conn.execute("SELECT * FROM interviews WHERE pupil_id = ? ORDER BY starts_at, id", (pupil_id,)):
        item = {"when": i["starts_at"], "kind": MEETING_KIND_WORDS.get(i["kind"], i["kind"].replace("_", " ")),
                "status": MEETING_STATUS_WORDS.get(i["status"], i["status"].replace("_", " ")),
                "how": MODE_WORDS_IN_FULL.get(i["mode"], i["mode"]), "place": i["place"], "reason": i["reason"],
                "status_note": i["status_note"],
                "adviser": (_adviser(conn, i["adviser_id"]) or {}).get("name"), "record": None}
        record = by_interview.get(i["id"])
        if record is not None:
            item["record"] = _record(conn, record)
        out.append(item)
    for r in records.values():
        if r["interview_id"] is None:
            out.append({"when": r["held_at"], "kind": "conversation (not booked)", "status": "held",
                        "how": MODE_WORDS_IN_FULL.get(r["mode"], r["mode"]), "place": None, "reason": None, "status_note": None,
                        "adviser": (_adviser(conn, r["adviser_id"]) or {}).get("name"), "record": _record(conn, r)})
    out.sort(key=lambda m: m["when"])
    return out


def _record(conn: sqlite3.Connection, r: sqlite3.Row) -> dict[str, Any]:
    amendments = [dict(a) for a in conn.execute(
        "SELECT m.field, m.original_text, m.amended_text, m.reason, m.amended_at, a.name AS adviser "
        "FROM record_amendments m LEFT JOIN advisers a ON a.id = m.adviser_id WHERE m.record_id = ? "
        "ORDER BY m.amended_at, m.id", (r["id"],))]
    text = {field: r[field] for field, _ in RECORD_HEADINGS}
    destination = r["intended_destination"]
    for a in amendments:          # the text in effect; the amendments are listed too
        if a["field"] in text:
            text[a["field"]] = a["amended_text"]
        elif a["field"] == "intended_destination":
            destination = a["amended_text"]
    adviser = _adviser(conn, r["adviser_id"]) or {}
    return {
        "id": r["id"], "held_at": r["held_at"], "how": MODE_WORDS_IN_FULL.get(r["mode"], r["mode"]),
        "adviser": adviser.get("name"), "adviser_qualification": adviser.get("qualification"),
        "status": "signed off" if r["status"] == "signed_off" else "draft (not yet signed off)",
        "signed_off_on": _day(r["signed_off_at"]),
        "confidentiality_explained": bool(r["confidentiality_explained"]),
        "text": text, "intended_destination": _nccis(conn, destination),
        "follow_up_date": r["follow_up_date"], "copy_given_on": r["copy_given_on"], "copy_given_how": r["copy_given_how"],
        "amendments": [{"field": dict(RECORD_HEADINGS).get(a["field"], a["field"].replace("_", " ")),
                        "original": a["original_text"], "amended": a["amended_text"], "reason": a["reason"],
                        "on": _day(a["amended_at"]), "by": a["adviser"]}
                       for a in amendments if a["field"] != "confidential_notes"],
        "confidential": r["confidential_notes"],
    }


def _actions(conn: sqlite3.Connection, pupil_id: int) -> list[dict[str, Any]]:
    out = []
    for a in conn.execute("SELECT * FROM actions WHERE pupil_id = ? ORDER BY created_at, id", (pupil_id,)):
        events = [{"on": _day(e["at"]), "status": ACTION_STATUS_TO_PUPIL.get(e["status"], e["status"]),
                   "owner": OWNER_WORDS_TO_PUPIL.get(e["owner"] or "", None), "note": e["note"]}
                  for e in conn.execute("SELECT * FROM action_events WHERE action_id = ? ORDER BY at, id", (a["id"],))]
        out.append({"what": a["description"], "who": OWNER_WORDS_TO_PUPIL.get(a["owner"], a["owner"]), "due": a["due_date"],
                    "status": ACTION_STATUS_TO_PUPIL.get(a["status"], a["status"]), "agreed_on": _day(a["created_at"]),
                    "record_id": a["record_id"], "changes": events})
    return out


def _plan(conn: sqlite3.Connection, pupil_id: int) -> dict[str, Any] | None:
    plan = conn.execute("SELECT * FROM plans WHERE pupil_id = ?", (pupil_id,)).fetchone()
    if plan is None:
        return None
    versions = []
    for v in conn.execute("SELECT * FROM plan_versions WHERE plan_id = ? ORDER BY version DESC", (plan["id"],)):
        targets = [{"area": send.AREA_WORDS.get(t["area"], t["area"]), "outcome": t["outcome"], "what": t["what"],
                    "by_when": t["by_when"], "who_helps": t["who_helps"],
                    "status": send.STATUS_WORDS.get(t["status"], t["status"]), "evidence": t["evidence"]}
                   for t in conn.execute(
                       "SELECT * FROM plan_targets WHERE plan_version_id = ? ORDER BY "
                       "CASE area WHEN 'employment' THEN 1 WHEN 'independent_living' THEN 2 "
                       "WHEN 'community' THEN 3 WHEN 'health' THEN 4 ELSE 5 END, id", (v["id"],))]
        versions.append({"version": v["version"], "made_on": _day(v["created_at"]),
                         "by": (_adviser(conn, v["adviser_id"]) or {}).get("name"),
                         "aspirations": v["aspirations"], "strengths": v["strengths"], "needs": v["needs"],
                         "support": v["support"], "targets": targets})
    reviews = []
    for r in conn.execute("SELECT r.*, v.version FROM plan_reviews r LEFT JOIN plan_versions v ON v.id = r.version_id "
                          "WHERE r.plan_id = ? ORDER BY r.reviewed_on DESC, r.id DESC", (plan["id"],)):
        try:
            who = json.loads(r["participants"])
        except (TypeError, ValueError):
            who = [r["participants"]]
        reviews.append({"on": r["reviewed_on"], "who_took_part": who if isinstance(who, list) else [str(who)],
                        "what_changed": r["what_changed"], "next_review_on": r["next_review_on"],
                        "ehcp_annual_review": bool(r["is_ehcp_annual"]), "made_version": r["version"]})
    intake = conn.execute("SELECT intake_year FROM pupils WHERE id = ?", (pupil_id,)).fetchone()[0]
    agreed = date.fromisoformat(plan["transition_plan_on"]) if plan["transition_plan_on"] else None
    return {"next_review_on": plan["next_review_on"], "ehcp_annual_review_on": plan["ehcp_annual_review_on"],
            "transition_plan_on": plan["transition_plan_on"],
            "transition_plan_words": send.transition_words(intake, agreed) if agreed else None,
            "ceased_on": plan["ceased_on"], "versions": versions, "reviews": reviews}


def _destinations(conn: sqlite3.Connection, pupil_id: int) -> dict[str, Any]:
    rows = [{"kind": d["kind"], "destination": _nccis(conn, d["code"]), "provider": d["provider"],
             "course_or_role": d["course_or_role"], "recorded_in_year": d["at_year"], "start_date": d["start_date"],
             "offer": OFFER_WORDS_TO_PUPIL.get(d["offer_status"] or "", None), "offer_provider": d["offer_provider"],
             "recorded_on": d["recorded_on"]}
            for d in conn.execute("SELECT * FROM destinations WHERE pupil_id = ? ORDER BY recorded_on, id", (pupil_id,))]
    checks = [{"due_on": c["due_on"], "checked_on": c["checked_on"], "how": c["method"],
               "destination": _nccis(conn, c["code"]), "note": c["note"]}
              for c in conn.execute("SELECT * FROM destination_checks WHERE pupil_id = ? ORDER BY due_on, id",
                                    (pupil_id,))]
    return {"intended": [r for r in rows if r["kind"] == "intended"],
            "actual": [r for r in rows if r["kind"] == "actual"], "checks": checks}


def _activities(conn: sqlite3.Connection, pupil_id: int) -> list[dict[str, Any]]:
    points = dict(rules.POINTS)
    out = []
    for a in conn.execute(
            "SELECT a.*, (SELECT group_concat(benchmark) FROM activity_benchmarks b WHERE b.activity_id = a.id) AS bms "
            "FROM activity_pupils ap JOIN activities a ON a.id = ap.activity_id WHERE ap.pupil_id = ? "
            "ORDER BY a.held_on, a.id", (pupil_id,)):
        met = [words for key, words in points.items() if a[key]]
        out.append({"on": a["held_on"], "what": rules.KINDS.get(a["kind"], a["kind"]), "title": a["title"],
                    "organisation": a["organisation"], "subject": a["subject"],
                    "benchmarks": [rules.label_of(int(b)) for b in sorted((a["bms"] or "").split(","), key=str) if b],
                    "meaningful_points_met": met})
    return out


def action_plan(conn: sqlite3.Connection, record_id: int, *, today: date) -> dict[str, Any]:
    """What a signed-off meeting record's action plan shows: the meeting, what was discussed and
    decided (amendments applied; never the confidential notes), its actions, the next meeting
    booked after it and who to contact."""
    r = conn.execute("SELECT * FROM meeting_records WHERE id = ?", (record_id,)).fetchone()
    if r is None:
        raise StoreError("That meeting record is no longer in the database.")
    if r["status"] != "signed_off":
        raise StoreError("Sign the meeting record off first (Ctrl+O in the record): an action plan is made from "
                         "a finished record.")
    data = gather_pupil(conn, r["pupil_id"], today=today)
    record = _record(conn, r)
    nxt = conn.execute(
        "SELECT i.starts_at, i.place, a.name FROM interviews i JOIN advisers a ON a.id = i.adviser_id "
        "WHERE i.pupil_id = ? AND i.status = 'booked' AND i.starts_at > ? ORDER BY i.starts_at LIMIT 1",
        (r["pupil_id"], r["held_at"])).fetchone()
    return {
        "about": "The action plan agreed at a careers guidance meeting.", "produced_on": today.isoformat(),
        "school": data["school"], "careers_leader": data["careers_leader"], "pupil": data["pupil"],
        "record_id": record_id,
        "held_at": r["held_at"], "how": record["how"],
        "adviser": _adviser(conn, r["adviser_id"]) or {"name": "your adviser"},
        "text": {k: v for k, v in record["text"].items() if k in ON_PUPILS_COPY},
        "intended_destination": record["intended_destination"], "follow_up_date": r["follow_up_date"],
        "actions": [a for a in _actions(conn, r["pupil_id"]) if a["record_id"] == record_id],
        "next_meeting": None if nxt is None else {"when": nxt["starts_at"], "place": nxt["place"], "adviser": nxt["name"]},
    }


# ---------------------------------------------------------------- free text, other pupils named

def texts(data: Any) -> Iterator[str]:
    """Every string in ``data`` (dicts, lists), depth first."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from texts(value)
    elif isinstance(data, list):
        for value in data:
            yield from texts(value)


@dataclass(frozen=True)
class Mention:
    """Another pupil's name met in this pupil's free text: a whole name, or one word that is
    another pupil's surname or the forename of a pupil in the same year group or form."""
    name: str              # as it appears in the text (first occurrence)
    pupil_name: str        # whose name it may be, on the register ("; " between several)
    count: int
    where: str             # e.g. "Advice given (2026-03-12 meeting)"
    forms: tuple[str, ...]  # every way it is written in the text; withholding one withholds all
    kind: str = names.FULL  # names.FULL (a whole name) or names.WORD (one name alone)

    @property
    def describe(self) -> str:
        """One line for the adviser: what was met, whose name it may be, how often and where."""
        what = "full name of" if self.kind == names.FULL else "may be"
        return (f"{self.name} ({what} {self.pupil_name}): {self.count} time{'s' if self.count != 1 else ''}, "
                f"in {self.where}")


def _free_text_places(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(place in words, text) for every piece of free text an adviser typed about this pupil."""
    for m in data["meetings"]:
        for key, heading in (("reason", "Reason for booking"), ("status_note", "Booking note")):
            if m.get(key):
                yield f"{heading} ({m['when'][:10]})", m[key]
        r = m["record"]
        if r is None:
            continue
        day = r["held_at"][:10]
        for field, heading in RECORD_HEADINGS:
            if r["text"].get(field):
                yield f"{heading} ({day} meeting)", r["text"][field]
        for a in r["amendments"]:
            for key in ("original", "amended", "reason"):
                if a.get(key):
                    yield f"Amendment to {a['field'].lower()} ({day} meeting)", a[key]
        if r.get("confidential"):
            yield f"Confidential notes ({day} meeting)", r["confidential"]
    for a in data["actions"]:
        yield f"Action agreed {a['agreed_on']}", a["what"]
        for e in a["changes"]:
            if e.get("note"):
                yield f"Action note {e['on']}", e["note"]
    plan = data.get("plan")
    if plan:
        for v in plan["versions"]:
            for key in ("aspirations", "strengths", "needs", "support"):
                if v.get(key):
                    yield f"Plan version {v['version']}: {key}", v[key]
            for t in v["targets"]:
                for key in ("outcome", "what", "who_helps", "evidence"):
                    if t.get(key):
                        yield f"Plan version {v['version']}: target", t[key]
        for r in plan["reviews"]:
            if r.get("what_changed"):
                yield f"Plan review {r['on']}", r["what_changed"]
            for who in r["who_took_part"]:
                yield f"Plan review {r['on']}: who took part", str(who)
    for c in data["destinations"]["checks"]:
        if c.get("note"):
            yield f"Destination check {c['due_on']}", c["note"]


def _candidates(conn: sqlite3.Connection, terms: list[str], pupil_id: int) -> dict[int, sqlite3.Row]:
    """Pupils with any name folding to one of ``terms``, looked up through the search index (one
    indexed query per 200 terms, not a scan of the register)."""
    found: dict[int, sqlite3.Row] = {}
    for start in range(0, len(terms), 200):
        chunk = terms[start:start + 200]
        query = " OR ".join('"' + t + '"' for t in chunk)
        for row in conn.execute(
                "SELECT p.id, p.legal_forename, p.legal_surname, p.preferred_forename, p.intake_year, p.form "
                "FROM pupils_fts f JOIN pupils p ON p.id = f.rowid WHERE pupils_fts MATCH ? AND p.id != ?",
                (f"search_name : ({query})", pupil_id)):
            found[row["id"]] = row
    return found


def other_pupils_named(conn: sqlite3.Connection, pupil_id: int, data: dict[str, Any]) -> list[Mention]:
    """Other pupils' names in this pupil's free text, compared folded (domain/names.fold: case,
    accents, apostrophes of every kind, hyphens and spaces inside names, either order, CJK run
    together). Raised: a whole name of any other pupil (legal or preferred forename with the
    surname); one word alone that is another pupil's surname, or the forename of a pupil in the
    same year group or form, when it looks like a name (capitalised, not an ordinary word such as
    "Will" or "Baker": names.COMMON_WORDS). Never raised: the pupil's own names, and the names of
    the school's advisers (who are named in records all the time)."""
    places = list(_free_text_places(data))
    terms: set[str] = set()
    for _, text in places:
        terms |= names.runs(text)
    terms = {t for t in terms if t.isascii() and t.isalnum()}
    if not terms:
        return []
    me = conn.execute("SELECT legal_forename, legal_surname, preferred_forename, intake_year, form FROM pupils "
                      "WHERE id = ?", (pupil_id,)).fetchone()
    own_full = names.name_keys(me["legal_forename"], me["legal_surname"], me["preferred_forename"])
    own_words = (names.forename_keys(me["legal_forename"], me["preferred_forename"]) | {names.fold(me["legal_surname"])}
                 | set(names.fold_words(f"{me['legal_forename']} {me['legal_surname']} {me['preferred_forename'] or ''}")))
    staff = {w for (name,) in conn.execute("SELECT name FROM advisers") for w in names.fold_words(name)}
    keys: dict[str, str] = {}
    whose: dict[str, list[sqlite3.Row]] = {}
    for row in _candidates(conn, sorted(terms), pupil_id).values():
        mine: dict[str, str] = {k: names.FULL for k in names.name_keys(
            row["legal_forename"], row["legal_surname"], row["preferred_forename"]) if k not in own_full}
        words = {names.fold(row["legal_surname"])}
        if row["intake_year"] == me["intake_year"] or (row["form"] and row["form"] == me["form"]):
            words |= names.forename_keys(row["legal_forename"], row["preferred_forename"])
        for w in words - own_words - staff:
            mine.setdefault(w, names.WORD)
        for k, kind in mine.items():
            if keys.get(k) != names.FULL:
                keys[k] = kind
            whose.setdefault(k, []).append(row)
    if not keys:
        return []
    # One mention per (kind, whose name it may be): "chloe o'brien" and "O'Brien, Chloe" are one.
    met: dict[tuple, dict[str, Any]] = {}
    for place, text in places:
        for hit in names.find_names(text, keys):
            rows = sorted({r["id"]: r for r in whose[hit.key]}.values(),
                          key=lambda r: (names.sort_name(r["legal_surname"], r["legal_forename"]), r["id"]))
            m = met.setdefault((hit.kind, tuple(r["id"] for r in rows)),
                               {"first": " ".join(hit.text.split()), "count": 0, "where": [], "forms": [],
                                "kind": hit.kind, "rows": rows})
            m["count"] += 1
            m["where"].append(place)
            m["forms"].append(" ".join(hit.text.split()))
    out = []
    for m in met.values():
        who = [names.display_name(r["legal_surname"], r["legal_forename"], r["preferred_forename"]) for r in m["rows"]]
        shown = "; ".join(dict.fromkeys(who[:3])) + (f" and {len(who) - 3} more" if len(who) > 3 else "")
        out.append(Mention(m["first"], shown, m["count"], "; ".join(dict.fromkeys(m["where"])),
                           tuple(dict.fromkeys(m["forms"])), m["kind"]))
    return sorted(out, key=lambda m: (m.kind != names.FULL, names.fold(m.name)))


def choose(data: dict[str, Any], *, include_confidential: bool, redact: Iterable[str]) -> dict[str, Any]:
    """A copy of ``data`` as it will be given: confidential notes removed unless included, and
    each name in ``redact`` replaced by REDACTED wherever it appears; ``withheld`` says what was
    left out, in words."""
    out = copy.deepcopy(data)
    withheld = []
    confidential = [m["record"] for m in out["meetings"] if m["record"] and m["record"].get("confidential")]
    for r in (m["record"] for m in out["meetings"] if m["record"]):
        if not include_confidential:
            r.pop("confidential", None)
    if confidential and not include_confidential:
        withheld.append(f"The adviser's confidential notes from {len(confidential)} meeting"
                        f"{'s' if len(confidential) != 1 else ''}.")
    keys: dict[str, str] = {}
    for written in redact:
        key = names.fold(written)
        if key and keys.get(key) != names.FULL:
            keys[key] = names.key_kind(written)
    if keys:
        counter = [0]

        def scrub(value: Any) -> Any:
            if isinstance(value, str):
                new, n = names.withhold(value, keys, REDACTED)
                counter[0] += n
                return new
            if isinstance(value, dict):
                return {k: (v if k in ("pupil",) else scrub(v)) for k, v in value.items()}
            if isinstance(value, list):
                return [scrub(v) for v in value]
            return value

        for key in ("meetings", "actions", "plan", "destinations"):
            out[key] = scrub(out[key])
        if counter[0]:
            withheld.append(f"The names of other pupils, {counter[0]} time{'s' if counter[0] != 1 else ''}, "
                            f"shown as {REDACTED}.")
    out["confidential_notes_included"] = bool(include_confidential and confidential)
    out["withheld"] = withheld
    return out


def latest_signed_off(conn: sqlite3.Connection, pupil_id: int) -> int | None:
    """The pupil's latest signed-off meeting record (its action plan is the one to give), or None."""
    row = conn.execute("SELECT id FROM meeting_records WHERE pupil_id = ? AND status = 'signed_off' "
                       "ORDER BY held_at DESC, id DESC LIMIT 1", (pupil_id,)).fetchone()
    return None if row is None else row[0]


def pupil_of_record(conn: sqlite3.Connection, record_id: int) -> int:
    row = conn.execute("SELECT pupil_id FROM meeting_records WHERE id = ?", (record_id,)).fetchone()
    if row is None:
        raise StoreError("That meeting record is no longer in the database.")
    return row[0]


def record_given(conn: sqlite3.Connection, *, pupil_id: int, kind: str, fmt: str, given_on: date, how: str | None,
                 adviser_id: int | None, stamp: str, sar_id: int | None = None, record_id: int | None = None,
                 withheld: str | None = None) -> int:
    """Note in the pupil's history that a copy (``kind`` 'record' or 'action_plan') was given;
    the caller's transaction holds it and its audit entry. Returns the exports_given id."""
    return conn.execute(
        "INSERT INTO exports_given (pupil_id, kind, format, given_on, how, sar_id, record_id, withheld, adviser_id, "
        "given_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (pupil_id, kind, fmt, given_on.isoformat(), how, sar_id, record_id, withheld, adviser_id, stamp)).lastrowid
