"""A pupil's record and a meeting's action plan as documents to give (exports/document.py), and the
bytes of each format.

The data comes from store/pupil_record.py already chosen (confidential notes and other pupils'
names withheld as the adviser decided); these functions only lay it out, for a 15-year-old to read:
plain headings, dates written out ("3 October 2026"), codes in words, and a note at the top of
what the document is and what was withheld.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from gatsby_tui.domain import dates
from gatsby_tui.exports.document import Document, html_page, markdown
from gatsby_tui.store.pupil_record import RECORD_FIELDS

FORMATS = {"pdf": "PDF (to print or send)", "html": "Web page (HTML)", "md": "Markdown (plain text)",
           "json": "JSON (to move the data to another system)"}


def _day(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return dates.long_uk(date.fromisoformat(text[:10]))
    except ValueError:
        return text


def _when(text: str | None) -> str | None:
    if not text:
        return None
    day = _day(text)
    return f"{day} at {text[11:16]}" if len(text) >= 16 else day


def _yes(value: Any) -> str:
    return "yes" if value else "no"


def record_document(data: dict[str, Any]) -> Document:
    p = data["pupil"]
    school = data.get("school") or "the school"
    doc = Document(title=f"Careers guidance record: {p['name']}",
                   subject=f"A copy of the careers guidance record {school} holds about {p['name']}",
                   author=school)
    doc.heading(doc.title, 1)
    doc.para(f"Produced on {_day(data['produced_on'])} by {school}. This is everything the careers guidance "
             "record holds about you: your details, every guidance meeting with the advice given and the "
             "decisions agreed, your actions, your plan, your destinations, the careers activities you took part "
             "in and how far you have had what the Gatsby Benchmarks say every pupil should have.")
    withheld = data.get("withheld") or []
    if withheld:
        doc.notice("Withheld from this copy: " + " ".join(withheld))
    if data.get("confidential_notes_included"):
        doc.notice("This copy includes the adviser's confidential notes, at the adviser's choice.")

    doc.heading("Your details")
    doc.fields([("Name", p["name"]), ("Legal name", f"{p['legal_forename']} {p['legal_surname']}"),
                ("Date of birth", _day(p["date_of_birth"])), ("Unique pupil number (UPN)", p["upn"]),
                ("Year group", p["year_group_words"]), ("Form", p["form"]), ("Gender", p["gender"]),
                ("Special educational needs", p["sen"]["words"]),
                ("Also recorded", ", ".join(p["flags"]) if p["flags"] else "nothing else"),
                ("Left the school on", _day(p["date_left"])),
                ("Agreed to share where you go next", _yes(p["consent_to_share_destination"]))])

    doc.heading("Guidance meetings")
    if not data["meetings"]:
        doc.para("No guidance meetings are recorded.")
    for m in data["meetings"]:
        doc.heading(f"{_when(m['when'])}: {m['kind']}", 3)
        doc.fields([("What happened", m["status"]), ("With", m["adviser"]), ("How", m["how"]),
                    ("Where", m.get("place")), ("Reason for booking", m.get("reason")),
                    ("Note", m.get("status_note"))])
        r = m["record"]
        if r is None:
            continue
        doc.fields([("Meeting record", r["status"]), ("Adviser's qualification", r["adviser_qualification"]),
                    ("Signed off on", _day(r["signed_off_on"])),
                    ("Confidentiality explained", _yes(r["confidentiality_explained"]))])
        for field, heading in RECORD_FIELDS:
            if r["text"].get(field):
                doc.heading(heading, 4)
                doc.para(r["text"][field])
        dest = r["intended_destination"]
        doc.fields([("Where you intend to go next", f"{dest['words']} (code {dest['code']})" if dest else None),
                    ("Follow-up by", _day(r["follow_up_date"])),
                    ("Copy of this record given", " ".join(x for x in (_day(r["copy_given_on"]), r["copy_given_how"]) if x)
                     or None)])
        if r.get("amendments"):
            doc.heading("Changes made after signing off", 4)
            doc.bullets(f"{a['on'] and _day(a['on'])}, {a['field']} changed by {a['by']} because: {a['reason']}. "
                        f"It had said: “{a['original'] or ''}”; it now says: “{a['amended'] or ''}”."
                        for a in r["amendments"])
        if r.get("confidential"):
            doc.heading("Adviser's confidential notes", 4)
            doc.para(r["confidential"])

    doc.heading("Actions")
    if not data["actions"]:
        doc.para("No actions are recorded.")
    doc.bullets(f"{a['what']} — for {a['who']}" + (f", due by {_day(a['due'])}" if a["due"] else "")
                + f". Agreed {_day(a['agreed_on'])}; now {a['status']}."
                + "".join(f" {_day(e['on'])}: {e['status']}" + (f", now for {e['owner']}" if e.get("owner") else "")
                          + (f" ({e['note']})" if e.get("note") else "") + "." for e in a["changes"][1:])
                for a in data["actions"])

    plan = data.get("plan")
    doc.heading("Your plan")
    if plan is None:
        doc.para("There is no individual plan.")
    else:
        doc.fields([("Next review", _day(plan["next_review_on"])),
                    ("EHCP annual review", _day(plan["ehcp_annual_review_on"])),
                    ("Transition plan", _day(plan["transition_plan_on"]))])
        for v in plan["versions"]:
            current = " (current)" if v is plan["versions"][0] else ""
            doc.heading(f"Version {v['version']}{current}, made on {_day(v['made_on'])}"
                        + (f" by {v['by']}" if v["by"] else ""), 3)
            for key, heading in (("aspirations", "Hopes and aspirations"), ("strengths", "Strengths"),
                                 ("needs", "Needs and barriers"), ("support", "Support")):
                if v.get(key):
                    doc.heading(heading, 4)
                    doc.para(v[key])
            if v["targets"]:
                doc.heading("Targets", 4)
                doc.bullets(f"{t['area']}: {t['what']}" + (f" by {_day(t['by_when'])}" if t["by_when"] else "")
                            + (f", helped by {t['who_helps']}" if t["who_helps"] else "") + f". {t['status'].capitalize()}."
                            + (f" Outcome: {t['outcome']}." if t["outcome"] else "")
                            + (f" Evidence: {t['evidence']}." if t["evidence"] else "") for t in v["targets"])
        if plan["reviews"]:
            doc.heading("Reviews", 3)
            doc.bullets(f"{_day(r['on'])}" + (" (EHCP annual review)" if r["ehcp_annual_review"] else "")
                        + f": with {', '.join(str(w) for w in r['who_took_part']) or 'nobody recorded'}."
                        + (f" What changed: {r['what_changed']}." if r["what_changed"] else "")
                        + (f" Next review {_day(r['next_review_on'])}." if r["next_review_on"] else "")
                        for r in plan["reviews"])

    d = data["destinations"]
    doc.heading("Where you plan to go, and where you went")
    if not (d["intended"] or d["actual"] or d["checks"]):
        doc.para("No destinations are recorded yet.")
    for label, rows in (("Intended", d["intended"]), ("Actual", d["actual"])):
        doc.bullets(f"{label}, recorded {_day(r['recorded_on'])}: {r['destination']['words']}"
                    + (f" at {r['provider']}" if r["provider"] else "")
                    + (f", {r['course_or_role']}" if r["course_or_role"] else "")
                    + (f", starting {_day(r['start_date'])}" if r["start_date"] else "")
                    + (f". September Guarantee: {r['offer']}" + (f" ({r['offer_provider']})" if r["offer_provider"] else "")
                       if r["offer"] else "") + "." for r in rows)
    if d["checks"]:
        doc.heading("Checks after leaving", 3)
        doc.bullets(f"Due {_day(c['due_on'])}: " + (f"checked {_day(c['checked_on'])}"
                                                    + (f" by {c['how']}" if c["how"] else "")
                                                    + (f", {c['destination']['words']}" if c["destination"] else "")
                                                    if c["checked_on"] else "not checked yet")
                    + (f". {c['note']}" if c["note"] else "") for c in d["checks"])

    doc.heading("Careers activities")
    if not data["activities"]:
        doc.para("No careers activities are recorded.")
    doc.bullets(f"{_day(a['on'])}: {a['title']} ({a['what']}"
                + (f", {a['organisation']}" if a["organisation"] else "") + ")"
                + (f". Counts towards {', '.join(a['benchmarks'])}" if a["benchmarks"] else "")
                + (f". Meaningful: {'; '.join(a['meaningful_points_met']).lower()}" if a["meaningful_points_met"] else "")
                + "." for a in data["activities"])

    doc.heading("The Gatsby Benchmarks: what you have had so far")
    doc.para("The Gatsby Benchmarks are eight standards of good careers guidance that every school in England "
             "must meet. For each one: met, not yet (and what is missing), or not yet due.")
    for b in data["benchmarks"]:
        line = f"{b['benchmark']} ({b['title']}): {b['state']}"
        if b["missing"]:
            line += ". Missing: " + "; ".join(b["missing"])
        doc.bullets([line + "."])

    if data.get("requests") or data.get("copies_given"):
        doc.heading("Requests for this record, and copies given")
        doc.bullets([f"Request from {r['requester_kind_words']}" + (f" ({r['requester_name']})" if r["requester_name"] else "")
                     + f", received {_day(r['received_on'])}, due {_day(r['extended_to'] or r['due_on'])}: {r['status']}"
                     + (f" on {_day(r['fulfilled_on'])}" if r["fulfilled_on"] else "") + "."
                     for r in data.get("requests") or []]
                    + [f"{'Action plan' if c['kind'] == 'action_plan' else 'Copy of the record'} given {_day(c['given_on'])}"
                       + (f", {c['how']}" if c["how"] else "") + f" ({c['format'].upper()})."
                       for c in data.get("copies_given") or []])
    doc.heading("Questions", 2)
    doc.para(f"If anything here is wrong, or you want to know more, ask {_leader_words(data)}. You can ask for "
             "a copy of your record at any time.")
    return doc


def _leader_words(data: dict[str, Any]) -> str:
    """'Daniel Whitaker, careers leader (careers@school.org.uk)'; the school's name when no careers
    leader is recorded yet."""
    leader = data.get("careers_leader")
    if not leader:
        return f"the careers team at {data.get('school') or 'your school'}"
    contact = leader.get("email") or leader.get("telephone")
    return f"{leader['name']}, careers leader" + (f" ({contact})" if contact else "")


def action_plan_document(data: dict[str, Any]) -> Document:
    p = data["pupil"]
    school = data.get("school") or "the school"
    doc = Document(title=f"My careers action plan: {p['name']}",
                   subject=f"The action plan agreed at {p['name']}'s careers guidance meeting on {_day(data['held_at'])}",
                   author=school)
    doc.heading(doc.title, 1)
    doc.fields([("Meeting", f"{_when(data['held_at'])}, {data['how']}"),
                ("With", data["adviser"]["name"] + (f", {data['adviser']['qualification']}"
                                                   if data["adviser"].get("qualification") else "")),
                ("Year group", p["year_group_words"])])
    for key, heading in (("situation", "What we talked about"), ("aspirations", "Your hopes and ideas"),
                         ("advice_given", "Advice"), ("decisions", "What we decided")):
        if data["text"].get(key):
            doc.heading(heading)
            doc.para(data["text"][key])
    if data.get("intended_destination"):
        doc.fields([("Where you intend to go next", data["intended_destination"]["words"])])
    doc.heading("Your actions")
    if not data["actions"]:
        doc.para("No actions were agreed.")
    doc.bullets(f"{a['what']} — {a['who']}" + (f", by {_day(a['due'])}" if a["due"] else "")
                + ("" if a["status"] == "to do" else f" ({a['status']})") for a in data["actions"])
    doc.heading("Next meeting")
    nxt = data.get("next_meeting")
    if nxt:
        doc.para(f"{_when(nxt['when'])} with {nxt['adviser']}" + (f", {nxt['place']}" if nxt.get("place") else "") + ".")
    elif data.get("follow_up_date"):
        doc.para(f"We will follow up by {_day(data['follow_up_date'])}.")
    else:
        doc.para("None booked yet: ask if you would like another meeting.")
    doc.heading("Who to contact")
    a = data["adviser"]
    doc.fields([("Your careers adviser", a["name"]), ("Organisation", a.get("organisation")),
                ("Email", a.get("email")), ("At school", _leader_words(data))])
    return doc


def render(data: dict[str, Any], fmt: str, *, kind: str = "record", produced: datetime | None = None) -> bytes:
    """The bytes of a record (``kind`` 'record') or action plan ('action_plan') in ``fmt``."""
    if fmt == "json":
        return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")
    doc = record_document(data) if kind == "record" else action_plan_document(data)
    if fmt == "md":
        return markdown(doc).encode("utf-8")
    if fmt == "html":
        return html_page(doc).encode("utf-8")
    if fmt == "pdf":
        from gatsby_tui.exports.pdf import pdf_bytes

        return pdf_bytes(doc, produced=produced)
    raise ValueError(f"unknown format {fmt!r}")
