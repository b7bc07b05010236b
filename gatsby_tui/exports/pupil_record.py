"""A pupil's record and a meeting's action plan as documents to give (exports/document.py), and the
bytes of each format.

The data comes from store/pupil_record.py already chosen (confidential notes and other pupils'
names withheld as the adviser decided); these functions only lay it out, for a 15-year-old to read:
plain headings, dates written out ("3 October 2026"), codes in words, and a note at the top of
what the document is and what was withheld.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from gatsby_tui.domain import dates, names
from gatsby_tui.exports.document import Document, html_page, markdown
from gatsby_tui.domain.record_fields import PUPILS_COPY_HEADINGS, RECORD_HEADINGS

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


def _sentence(text: Any) -> str:
    """``text`` ending in one full stop (or its own ! ? …), never two: "reviewed." stays as it is."""
    value = " ".join(str(text or "").split()).rstrip()
    if not value:
        return ""
    return value if value[-1] in ".!?…" or value.endswith((".)", ".”", '."')) else value + "."


def _years(text: str) -> str:
    """'KS3 (Years 7-9)' and 'Years 8-9' in words: 'Years 7 to 9'; '(still: a university)' as
    '(a university still to come)'."""
    text = re.sub(r"KS\d \(Years (\d+)-(\d+)\)", r"Years \1 to \2", text)
    text = re.sub(r"\(still: ([^)]*)\)", r"(\1 still to come)", text)
    return re.sub(r"Years (\d+)-(\d+)", r"Years \1 to \2", text)


# Words a family may not know, explained once at the end of the copy when the copy uses them.
GLOSSARY: tuple[tuple[str, str, str], ...] = (
    (r"\bEHCP\b", "EHCP", "an education, health and care plan: the legal plan, made by the local council, for "
                           "a young person who needs more support than a school can usually give."),
    (r"\bSENCO\b", "SENCO", "the school's special educational needs coordinator: the teacher who leads the "
                             "support for pupils with special educational needs."),
    (r"\bSEN\b", "SEN", "special educational needs."),
    (r"\bLA\b", "LA", "the local authority: your local council."),
    (r"\bQCG\b", "QCG", "the Qualification in Career Guidance, a postgraduate qualification for careers "
                         "advisers."),
    (r"\bT Levels?\b", "T Levels", "two-year technical courses after GCSEs, worth the same as three A levels, "
                                   "with a long placement with an employer."),
    (r"\bSeptember Guarantee\b", "September Guarantee", "the promise that every young person is offered a place "
                                                         "in education or training for the September after Year "
                                                         "11, and again after Year 12."),
    (r"\bUCAS\b", "UCAS", "the service you apply to university through."),
    (r"\bCV\b", "CV", "a short summary of your education, skills and experience, for applying for jobs and "
                       "courses."),
    (r"\bpreparing[- ]for[- ]adulthood\b", "Preparing for adulthood", "the four things an EHCP plans for from "
                                                                      "Year 9: work or study, living "
                                                                      "independently, friends and community, "
                                                                      "and good health."),
    (r"\bLevel 3\b", "Level 3", "the level of A levels, T Levels and many college diplomas."),
    (r"\bNCCIS\b", "NCCIS", "the national system councils use to record what young people do after school."),
)


def _target_line(t: dict[str, Any]) -> str:
    what = t["what"] + (f" by {_day(t['by_when'])}" if t["by_when"] else "")
    what += f", helped by {t['who_helps']}" if t["who_helps"] else ""
    return (f"{t['area']}: {_sentence(what)} {t['status'].capitalize()}."
            + (f" Outcome: {_sentence(t['outcome'])}" if t["outcome"] else "")
            + (f" Evidence: {_sentence(t['evidence'])}" if t["evidence"] else ""))


def _action_line(a: dict[str, Any]) -> str:
    """'Draft a CV — for you (the pupil), due by 2 November 2026. Agreed on 5 October 2026. Done on
    29 October 2026.' Each later change in words: done, reopened, passed to someone else."""
    line = f"{a['what'].rstrip().rstrip('.')} — for {a['who']}" + (f", due by {_day(a['due'])}" if a["due"] else "")
    line += f". Agreed on {_day(a['agreed_on'])}."
    previous = a["changes"][0] if a["changes"] else {"status": "to do", "owner": None}
    for e in a["changes"][1:]:
        if e["status"] != previous.get("status"):
            line += {"done": f" Done on {_day(e['on'])}.", "cancelled": f" Cancelled on {_day(e['on'])}.",
                     "to do": f" Opened again on {_day(e['on'])}."}.get(e["status"], f" {e['status']} on {_day(e['on'])}.")
        if e.get("owner") and previous.get("owner") and e["owner"] != previous["owner"]:
            line += f" Passed to {e['owner']} on {_day(e['on'])}."
        if e.get("note"):
            line += f" Note: {_sentence(e['note'])}"
        previous = e
    if not a["changes"][1:]:
        line += " Still to do." if a["status"] == "to do" else f" Now {a['status']}."
    return line


WHO_WORDS = {"pupil": "you", "parent/carer": "your parent or carer"}


def _benchmark_name(label: str) -> str:
    """'B4 Curriculum' -> 'Benchmark 4'; 'PAL Provider access' -> 'meeting colleges and apprenticeship providers'."""
    return "meeting colleges and apprenticeship providers" if label.startswith("PAL") else f"Benchmark {label.split()[0][1:]}"


def _list_words(items: list[str]) -> str:
    """Items joined as a reader would say them; a run of 'X in Year 7', 'X in Year 8' ... becomes
    'X in Years 7, 8 and 9'."""
    out: list[str] = []
    runs: dict[str, list[str]] = {}
    order: list[str] = []
    for item in items:
        found = re.fullmatch(r"(.*) in Year (\d+)", item)
        key = found[1] if found else item
        if key not in runs:
            runs[key] = []
            order.append(key)
        if found:
            runs[key].append(found[2])
    for key in order:
        years = runs[key]
        if not years:
            out.append(key)
        elif len(years) == 1:
            out.append(f"{key} in Year {years[0]}")
        else:
            out.append(f"{key} in Years {', '.join(years[:-1])} and {years[-1]}")
    return "; ".join(out)


def _benchmarks_words(labels: list[str]) -> str:
    """['B5 Employers', 'B6 Workplaces'] -> 'Benchmarks 5 and 6'."""
    numbers = [label.split()[0][1:] for label in labels if not label.startswith("PAL")]
    words = []
    if numbers:
        words.append(f"Benchmark {numbers[0]}" if len(numbers) == 1 else
                     f"Benchmarks {', '.join(numbers[:-1])} and {numbers[-1]}")
    if any(label.startswith("PAL") for label in labels):
        words.append("meeting colleges and apprenticeship providers")
    return " and ".join(words)


def _benchmark_line(b: dict[str, Any]) -> str:
    """'Benchmark 2, Learning from career and labour market information: not yet. Still to come: …
    by 31 August 2027. The school did not provide in time: … in Years 7 to 9.'"""
    label = b["benchmark"]
    if label.startswith("PAL"):
        name = "Meeting colleges and apprenticeship providers (the law says every school must arrange this)"
    else:
        name = f"Benchmark {label.split()[0][1:]}, {b['title']}"
    line = f"{name}: {b['state']}."
    to_come = b.get("still_to_come")
    not_provided = b.get("not_provided")
    if to_come is None and not_provided is None:        # data from before these were split
        return line + (f" Missing: {_years('; '.join(b['missing']))}." if b["missing"] else "")
    if to_come:
        line += " Still to come: " + "; ".join(
            _years(t["what"]) + (f", by {_day(t['by'])}" if t.get("by") else "") for t in to_come) + "."
    if not_provided:
        line += " The school did not provide this in time: " + _list_words([_years(w) for w in not_provided]) + "."
    return line


def _request_line(r: dict[str, Any]) -> str:
    who = f"Request from {r['requester_kind_words']}" + (f" ({r['requester_name']})" if r["requester_name"] else "")
    line = f"{who}, received {_day(r['received_on'])}"
    if r.get("answered_by_this_copy"):
        return line + f": answered by this copy, on {_day(r['fulfilled_on'])}."
    if r["status"] == "fulfilled":
        return line + (f": answered on {_day(r['fulfilled_on'])}." if r["fulfilled_on"] else ": answered.")
    if r["status"] == "withdrawn":
        return line + ": withdrawn."
    return line + f": not answered yet, due by {_day(r['extended_to'] or r['due_on'])}."


def _glossary(doc: Document) -> None:
    """'Words used in this record': each term from GLOSSARY the copy uses, explained once."""
    text = doc.all_text()
    loose = ("Preparing for adulthood", "September Guarantee")      # any case; the rest as abbreviations are written
    used = [(term, meaning) for pattern, term, meaning in GLOSSARY
            if re.search(pattern, text, re.IGNORECASE if term in loose else 0)]
    if used:
        doc.heading("Words used in this record")
        doc.fields(used)


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
    doc.fields([("Name", p["name"]), ("Legal name", names.full_name(p["legal_surname"], p["legal_forename"], None)),
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
        for field, heading in RECORD_HEADINGS:
            if r["text"].get(field) and not (field == "reason" and r["text"][field] == m.get("reason")):
                doc.heading(heading, 4)
                doc.para(r["text"][field])
        dest = r["intended_destination"]
        doc.fields([("Where you intend to go next", f"{dest['words']} (code {dest['code']})" if dest else None),
                    ("Follow-up by", _day(r["follow_up_date"])),
                    ("Copy of this record given", ", ".join(x for x in (_day(r["copy_given_on"]), r["copy_given_how"]) if x)
                     or None)])
        if r.get("amendments"):
            doc.heading("Changes made after signing off", 4)
            doc.bullets(f"{a['on'] and _day(a['on'])}, {a['field']} changed by {a['by']} because: {_sentence(a['reason'])} "
                        f"It had said: “{a['original'] or ''}”; it now says: “{a['amended'] or ''}”."
                        for a in r["amendments"])
        if r.get("confidential"):
            doc.heading("Adviser's confidential notes", 4)
            doc.para(r["confidential"])

    doc.heading("Actions")
    if not data["actions"]:
        doc.para("No actions are recorded.")
    doc.bullets(_action_line(a) for a in data["actions"])

    plan = data.get("plan")
    doc.heading("Your plan")
    if plan is None:
        doc.para("There is no individual plan.")
    else:
        def planned(on: str | None) -> str | None:
            """A plan date in words, saying when it has passed without the review being held."""
            if not on:
                return None
            return _day(on) + (" (this date has passed: the review is overdue)" if on < data["produced_on"] else "")

        doc.fields([("Next review", planned(plan["next_review_on"])),
                    ("EHCP annual review", planned(plan["ehcp_annual_review_on"])),
                    ("Transition plan", plan.get("transition_plan_words") or _day(plan["transition_plan_on"])),
                    ("The plan ended", _day(plan.get("ceased_on")))])
        versions = plan["versions"]
        if versions:
            v = versions[0]             # the current version in full; earlier ones on request
            doc.heading(f"The plan now (version {v['version']}, made on {_day(v['made_on'])}"
                        + (f" by {v['by']}" if v["by"] else "") + ")", 3)
            for key, heading in (("aspirations", "Hopes and aspirations"), ("strengths", "Strengths"),
                                 ("needs", "Needs and barriers"), ("support", "Support")):
                if v.get(key):
                    doc.heading(heading, 4)
                    doc.para(v[key])
            if v["targets"]:
                doc.heading("Targets", 4)
                doc.bullets(_target_line(t) for t in v["targets"])
            if len(versions) > 1:
                first = versions[-1]
                earlier = len(versions) - 1
                doc.para(f"The plan has {earlier} earlier version{'s' if earlier != 1 else ''}, the first made on "
                         f"{_day(first['made_on'])}. You can ask the school for any of them.")
        if plan["reviews"]:
            doc.heading("Reviews", 3)
            doc.bullets(f"{_day(r['on'])}" + (" (EHCP annual review)" if r["ehcp_annual_review"] else "")
                        + f": with {', '.join(WHO_WORDS.get(str(w), str(w)) for w in r['who_took_part']) or 'nobody recorded'}."
                        + (f" What changed: {_sentence(r['what_changed'])}" if r["what_changed"] else "")
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
                + (f". Counts towards {_benchmarks_words(a['benchmarks'])}" if a["benchmarks"] else "")
                + (f". Meaningful: {'; '.join(a['meaningful_points_met']).lower()}" if a["meaningful_points_met"] else "")
                + "." for a in data["activities"])

    doc.heading("The Gatsby Benchmarks: what you have had so far")
    doc.para("The Gatsby Benchmarks are eight standards of good careers guidance that every school in England "
             "must meet. For each one: met, not yet (and what is still to come, or what the school did not "
             "provide in time), or not yet due.")
    doc.bullets(_benchmark_line(b) for b in data["benchmarks"])

    if data.get("requests") or data.get("copies_given"):
        doc.heading("Requests for this record, and copies given")
        doc.bullets([_request_line(r) for r in data.get("requests") or []]
                    + [f"{'Action plan' if c['kind'] == 'action_plan' else 'Copy of the record'} given {_day(c['given_on'])}"
                       + (f", {c['how']}" if c["how"] else "") + f" ({c['format'].upper()})."
                       for c in data.get("copies_given") or []])
    _glossary(doc)
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
    for key, heading in PUPILS_COPY_HEADINGS:
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
