"""The demo's guidance records: what the advisers wrote after each held meeting.

Called by ``sample.data.build`` once the interviews are in. Every record, action,
sign-off and amendment goes through ``store.records`` exactly as the app writes
them (checked, one transaction each, audited), with stamps derived from the
meeting's own time (never the wall clock), so the file stays deterministic.

The story: records of meetings held before the school started using gatsby-tui
were brought across from the advisers' old files with their original dates.
Most held meetings have a signed-off record; a few (the adviser ran out of
time) have none. The demo shows every state a record can be in:

* signed-off records with decisions and one to three actions each, older actions
  mostly done, some still open (and so overdue on "My follow-ups");
* two amended records (a corrected destination, a clarified decision), the
  original text kept beside the new;
* a handful of confidential notes (a pointer to the safeguarding lead, never
  the detail), which stay out of the pupil's copy;
* an unplanned drop-in conversation (no booking);
* the most recent meeting's record left as a draft, with unsaved typing in the
  drafts table, as if the laptop had been closed mid-sentence.

This module never imports Textual.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import date, datetime, timedelta

from gatsby_tui.store import records

SEED = 4_2026
COVERAGE = 0.9          # share of held meetings with a record

# Intended destinations by the meeting's reason (NCCIS codes), most likely first.
DESTINATIONS = {
    "Post-16 options": ("210", "220", "230", "310"),
    "Post-16 options: sixth form or college": ("210", "220", "230"),
    "Apprenticeship interest": ("310", "310", "230"),
    "Referral from head of year": ("230", "210", "310", "450"),
    "Unsure about next steps": ("230", "210", "220"),
    "Checking in after the move into Year 12": ("240", "310"),
    "Thinking about university": ("240",),
    "Referral from head of sixth form": ("240", "310", "340"),
    "Next steps after sixth form": ("240", "310", "340"),
    "UCAS application": ("240",),
    "Degree apprenticeship applications": ("310",),
    "Gap year plans": ("260",),
    "Employment after Year 13": ("340", "330", "310"),
    "EHCP annual review: preparing for adulthood": ("280", "230", "460"),
}
COURSES = ("A levels in biology, chemistry and psychology", "a Level 3 BTEC in engineering",
           "a T Level in digital production", "a Level 2 course in hair and beauty",
           "A levels in English, history and sociology", "a T Level in health",
           "a Level 3 course in sport and exercise science", "a Level 2 construction course",
           "a Level 3 diploma in creative media")
SECTORS = ("engineering", "health and social care", "digital and IT", "construction", "childcare",
           "business and finance", "creative and media", "hospitality", "the police and emergency services",
           "animal care", "motor vehicle", "law")
PROVIDERS = ("Riverside College", "Northgate Sixth Form College", "Hollins Park sixth form",
             "Westmoor College", "Calder Valley Training", "the university open days in the spring")


def _pick(rng: random.Random, options: tuple[str, ...]) -> str:
    return options[rng.randrange(len(options))]


def _texts(rng: random.Random, reason: str, kind: str, year: int) -> dict[str, str]:
    sector = _pick(rng, SECTORS)
    course = _pick(rng, COURSES)
    provider = _pick(rng, PROVIDERS)
    if kind == "ehcp_review":
        return {
            "situation": f"Settled in Year {year}; support from a teaching assistant in most lessons. "
                         "Enjoys practical subjects; finds busy corridors and changes of routine hard.",
            "aspirations": f"Would like to work in {sector}, and to travel to college independently.",
            "advice_given": f"Talked through the options at {provider}, including supported study "
                            "programmes and supported internships, and what a transition visit involves.",
            "decisions": f"Visit {provider} with a parent/carer before the spring; the EHCP review to "
                         "name preparing-for-adulthood outcomes for employment and independent travel.",
        }
    if year >= 12:
        return {
            "situation": f"In Year {year}, on track in most subjects; part-time job at weekends.",
            "aspirations": f"Interested in {sector}; weighing a degree against a degree apprenticeship.",
            "advice_given": "Went through UCAS timelines, degree apprenticeship vacancies and how to "
                            f"research entry requirements; suggested talking to people working in {sector}.",
            "decisions": f"Will shortlist five options in {sector} and draft a personal statement "
                         "before the next meeting.",
        }
    return {
        "situation": f"In Year {year}; enjoys practical lessons, less sure about exams. {reason}.",
        "aspirations": f"Wants to work in {sector}; thinking about {course}.",
        "advice_given": f"Explained the routes after Year 11 (sixth form, college, apprenticeships, "
                        f"T Levels), the entry requirements for {course}, and where to find "
                        "apprenticeship vacancies.",
        "decisions": f"Will apply to {provider} for {course} and attend its open evening; will look at "
                     f"two apprenticeships in {sector} as a back-up.",
    }


def _actions(rng: random.Random, held: datetime, kind: str) -> list[tuple[str, str, date]]:
    day = held.date()
    options = [
        ("Research two courses and their entry requirements", "pupil", 14),
        ("Book a place at the college open evening", "pupil", 21),
        ("Send links to apprenticeship vacancy sites", "adviser", 3),
        ("Talk through the options with parent/carer at home", "parent", 14),
        ("Arrange a taster day with the college's link tutor", "school", 28),
        ("Draft a CV and bring it to the follow-up", "pupil", 28),
        ("Check predicted grades with the form tutor", "school", 10),
    ]
    if kind == "ehcp_review":
        options = [("Arrange a transition visit with a teaching assistant", "school", 35),
                   ("Practise the bus route to college with a parent/carer", "parent", 42),
                   ("Send the college's supported-learning contact details", "adviser", 5)]
    chosen = rng.sample(options, rng.randrange(1, 4) if len(options) > 3 else 2)
    return [(what, owner, day + timedelta(days=days)) for what, owner, days in chosen]


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def add_records(conn: sqlite3.Connection, *, reference_day: date) -> None:
    """Write the records of the held meetings (see the module docstring)."""
    rng = random.Random(SEED)
    held = conn.execute(
        "SELECT i.id, i.pupil_id, i.adviser_id, i.starts_at, i.ends_at, i.kind, i.reason, p.intake_year "
        "FROM interviews i JOIN pupils p ON p.id = i.pupil_id "
        "WHERE i.status = 'held' ORDER BY i.starts_at, i.id").fetchall()
    made: list[tuple[int, sqlite3.Row]] = []
    for n, row in enumerate(held):
        last = n == len(held) - 1
        if not last and rng.random() > COVERAGE:
            continue
        end = datetime.fromisoformat(row["ends_at"])
        written = end + timedelta(minutes=rng.randrange(20, 180))
        stamp = _stamp(written)
        adviser = row["adviser_id"]
        record_id = records.start_record(conn, interview_id=row["id"], adviser_id=adviser, stamp=stamp)
        start = datetime.fromisoformat(row["starts_at"])
        sy = start.year if start.month >= 9 else start.year - 1
        year = sy - row["intake_year"] + 7
        texts = _texts(rng, row["reason"] or "", row["kind"], year)
        code = _pick(rng, DESTINATIONS.get(row["reason"] or "", ("230",)))
        values = {"reason": row["reason"], "confidentiality_explained": True, **texts,
                  "intended_destination": code if year in (11, 13) or row["kind"] == "ehcp_review" else None,
                  "follow_up_date": (start.date() + timedelta(days=rng.choice((28, 42, 56)))).isoformat()}
        if last:
            # The laptop closed mid-sentence: a draft with part of the record saved, and the
            # unsaved typing kept in the drafts table, there when the record is opened again.
            values = {"reason": row["reason"], "confidentiality_explained": True,
                      "situation": texts["situation"]}
            records.save_record(conn, record_id, values, stamp=stamp, adviser_id=adviser)
            typing = {**{k: ("1" if v is True else v) for k, v in values.items()},
                      "aspirations": texts["aspirations"],
                      "advice_given": texts["advice_given"].split(",")[0] + ", and"}
            records.save_draft(conn, f"record:{record_id}", typing, stamp=_stamp(written + timedelta(minutes=4)))
            continue
        if rng.random() < 0.04:
            values["confidential_notes"] = ("Pupil mentioned worries at home. Passed to the designated "
                                            "safeguarding lead the same day, as the school's policy asks; "
                                            "no detail recorded here.")
        values["copy_given_on"] = (written.date() + timedelta(days=rng.randrange(0, 3))).isoformat()
        values["copy_given_how"] = _pick(rng, ("printed and handed over", "emailed to the pupil's school account",
                                                "printed, a copy posted home"))
        records.save_record(conn, record_id, values, stamp=stamp, adviser_id=adviser)
        for what, owner, due in _actions(rng, start, row["kind"]):
            action_id = records.add_action(conn, pupil_id=row["pupil_id"], record_id=record_id, description=what,
                                           owner=owner, due=due, adviser_id=adviser, stamp=stamp)
            # Actions from earlier school years were nearly all closed; this term's, mostly.
            this_year = due >= date(reference_day.year if reference_day.month >= 9 else reference_day.year - 1, 9, 1)
            if due < reference_day - timedelta(days=10) and rng.random() < (0.8 if this_year else 0.97):
                done_at = datetime(due.year, due.month, due.day, 15, 30) - timedelta(days=rng.randrange(0, 5))
                records.set_action_status(conn, action_id, "done", stamp=_stamp(max(done_at, written)),
                                          adviser_id=adviser)
        records.sign_off(conn, record_id, stamp=_stamp(written + timedelta(minutes=6)), adviser_id=adviser)
        made.append((record_id, row))

    # Two amendments: a corrected destination and a clarified decision (a few days later).
    amended = 0
    for record_id, row in reversed(made):
        rec = conn.execute("SELECT intended_destination, decisions, held_at FROM meeting_records WHERE id = ?",
                           (record_id,)).fetchone()
        later = _stamp(datetime.fromisoformat(rec["held_at"]) + timedelta(days=6, hours=1))
        if amended == 0 and rec["intended_destination"] in ("210", "220", "230"):
            records.amend(conn, record_id, "intended_destination", "310",
                          "The pupil emailed: offered an engineering apprenticeship and accepting it.",
                          stamp=later, adviser_id=row["adviser_id"])
            amended += 1
        elif amended == 1 and row["intake_year"] and rec["decisions"]:
            records.amend(conn, record_id, "decisions",
                          rec["decisions"] + " Agreed with the pupil that the apprenticeship applications "
                                             "come first, the college application second.",
                          "The pupil asked for the order of the two applications to be written down.",
                          stamp=later, adviser_id=row["adviser_id"])
            amended += 1
        if amended == 2:
            break

    # An unplanned conversation: a Year 11 pupil caught the adviser at the careers fair stand.
    pupil = conn.execute(
        "SELECT id FROM pupils WHERE date_left IS NULL AND intake_year = ? ORDER BY sort_name, id LIMIT 1 OFFSET 17",
        (reference_day.year - 4 if reference_day.month >= 9 else reference_day.year - 5,)).fetchone()
    if pupil is not None:
        adviser = conn.execute("SELECT id FROM advisers ORDER BY id LIMIT 1").fetchone()["id"]
        when = datetime.combine(reference_day - timedelta(days=5), datetime.min.time()).replace(hour=12, minute=40)
        stamp = _stamp(when + timedelta(minutes=50))
        record_id = records.start_record(conn, pupil_id=pupil["id"], adviser_id=adviser, held_at=when, stamp=stamp)
        records.save_record(conn, record_id, {
            "reason": "Drop-in at the careers fair stand", "confidentiality_explained": True,
            "situation": "Stopped by the stand at lunchtime; had not yet had a guidance meeting.",
            "aspirations": "Thinking about the armed forces or the police.",
            "advice_given": "Explained the public services courses at Riverside College and the police "
                            "apprenticeship route (from 18 or 19).",
            "decisions": "Will come to a full guidance meeting before Christmas.",
            "intended_destination": "230",
        }, stamp=stamp, adviser_id=adviser)
        records.add_action(conn, pupil_id=pupil["id"], record_id=record_id,
                           description="Book a full guidance meeting before the end of term", owner="adviser",
                           due=reference_day + timedelta(days=14), adviser_id=adviser, stamp=stamp)
        records.sign_off(conn, record_id, stamp=stamp, adviser_id=adviser)
