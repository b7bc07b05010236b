"""The demo's careers activities and programme (Gatsby benchmark evidence).

Called by ``sample.data.build`` once the pupils, bookings and records are in. Everything goes
through ``store.activities`` and ``store.programme`` exactly as the app writes it (checked, one
transaction each, audited), with stamps derived from REFERENCE_DAY, never the wall clock, and
its own ``random.Random``, so the file stays deterministic.

The story: when Hollins Park started using gatsby-tui (16 November 2026) the careers leader,
Daniel Whitaker, brought across last school year's activities (2025/26, with the Year 10 work
experience of July 2025 for the pupils now in Year 12) and this term's, with who attended
(registers minus absentees), and entered the 2026/27 programme, linking this term's
activities to it. The school only began keeping this evidence in 2025, so older pupils miss
earlier years (Benchmarks 4 and 5 ask for every year), and the programme has no Year 12 plan
yet: every benchmark shows some pupils meeting it and some missing it. A few activities are
recorded honestly as not meaningful (no time to reflect; a fair with no employer task), and
so do not count where the benchmark asks for meaningful encounters.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import date

from gatsby_tui.domain import schoolyear
from gatsby_tui.store import activities as store_activities
from gatsby_tui.store import programme as store_programme
from gatsby_tui.store.activities import Group

SEED = 6_2026
ADVISER_ID = 2                     # Daniel Whitaker, the careers leader
ABSENT = 0.06                      # share of a register absent on the day
CORE = ("m_purpose", "m_outcomes", "m_interaction", "m_reflection")
FULL = CORE + ("m_employer_task", "m_employer_feedback")

# (held_on, kind, title, organisation, subject, benchmarks, points, who)
# who: ("year", N) a year group in that school year; ("forms", N, "ABC") some of its forms (by the
# form letter pupils have now); ("share", N, 0.3) a random share of the year group.
ACTIVITIES: tuple[tuple, ...] = (
    # ---- 2024/25: the Year 10 work experience week of the pupils now in Year 12
    ("2025-07-07", "work_experience", "Year 10 work experience week", "Various local employers", None,
     (5, 6), FULL, ("year", 10)),
    # ---- 2025/26
    ("2025-09-18", "assembly", "What is labour market information? (Year 7 assembly)", None, None, (2,), (),
     ("year", 7)),
    ("2025-09-19", "assembly", "Jobs in Lancashire: the next ten years (Year 9 assembly)", "Lancashire Careers Hub",
     None, (2,), ("m_purpose",), ("year", 9)),
    ("2025-10-02", "lmi_lesson", "PSHE: using labour market information", None, None, (2,), CORE,
     ("forms", 10, "ABCD")),
    ("2025-10-09", "lmi_lesson", "PSHE: local labour market and your options", None, None, (2,), CORE,
     ("forms", 11, "ACEF")),
    ("2025-10-14", "employer_talk", "Engineering careers talk", "Rolls-Royce (Barnoldswick)", None, (5,), CORE,
     ("year", 8)),
    ("2025-10-16", "subject_lesson", "Geography: careers in planning and the environment", None, "Geography", (4,),
     CORE, ("forms", 9, "ABC")),
    ("2025-11-06", "subject_lesson", "Maths: where maths takes you", None, "Mathematics", (4,), CORE,
     ("year", 7)),
    ("2025-11-13", "careers_fair", "Hollins Park careers fair", "Local employers and providers", None, (2, 5),
     ("m_purpose", "m_outcomes", "m_interaction"), ("year", 10)),
    ("2025-11-13", "careers_fair", "Hollins Park careers fair (Years 8 and 9 session)",
     "Local employers and providers", None, (2, 5), CORE, ("year", 9)),
    ("2025-11-20", "provider_access", "Apprenticeships assembly (provider access)", "Lancashire Apprenticeship Hub",
     None, (7,), ("m_purpose", "m_interaction"), ("year", 8)),
    ("2025-11-21", "provider_access", "T Levels and apprenticeships (provider access)", "Nelson and Colne College",
     None, (7,), CORE, ("year", 10)),
    ("2025-12-04", "enterprise_project", "Year 8 enterprise day", "Young Enterprise", None, (5,), CORE,
     ("year", 8)),
    ("2026-01-15", "employer_talk", "NHS careers talk", "East Lancashire Hospitals NHS Trust", None, (5,), CORE,
     ("year", 11)),
    ("2026-01-22", "mentoring", "Business mentoring (first session)", "Burnley FC in the Community", None, (5,), CORE,
     ("share", 10, 0.15)),
    ("2026-02-05", "college_encounter", "College taster day", "Burnley College", None, (7,), CORE,
     ("forms", 10, "ABCDE")),
    ("2026-02-12", "university_encounter", "University of Central Lancashire outreach workshop", "UCLan", None,
     (7,), CORE, ("forms", 10, "ACE")),
    ("2026-02-26", "employer_talk", "Construction careers talk", "Barnfield Construction", None, (5,),
     ("m_purpose", "m_outcomes", "m_interaction"), ("year", 7)),
    ("2026-03-05", "subject_lesson", "Science: careers in health and science", None, "Science", (4,), CORE,
     ("forms", 8, "ABCD")),
    ("2026-03-10", "university_visit", "Visit to Lancaster University", "Lancaster University", None, (7,), CORE,
     ("share", 12, 0.45)),
    ("2026-03-19", "sixth_form_encounter", "Sixth form taster afternoon", "Hollins Park Sixth Form", None, (7,), CORE,
     ("year", 11)),
    ("2026-03-26", "provider_access", "Apprenticeship providers in Year 9 options week", "Lancashire Apprenticeship Hub",
     None, (7,), CORE, ("year", 9)),
    ("2026-04-23", "workplace_visit", "Visit to an engineering workshop", "Burnley Manufacturing Ltd", None, (5, 6),
     FULL, ("forms", 10, "ABC")),
    ("2026-04-30", "workplace_visit", "Visit to Royal Blackburn Hospital", "East Lancashire Hospitals NHS Trust",
     None, (5, 6), CORE, ("forms", 10, "DEF")),
    ("2026-05-07", "subject_lesson", "English: careers in writing and media", None, "English", (4,), CORE,
     ("year", 12)),
    ("2026-06-11", "university_visit", "Visit to the University of Manchester", "University of Manchester", None,
     (7,), CORE, ("share", 12, 0.35)),
    ("2026-06-18", "work_shadowing", "Work shadowing day", "Various local employers", None, (5, 6), FULL,
     ("share", 12, 0.4)),
    ("2026-07-06", "work_experience", "Year 10 work experience week", "Various local employers", None, (5, 6), FULL,
     ("year", 10)),
    ("2026-07-09", "training_provider_encounter", "Apprenticeship provider workshop", "Training 2000", None, (7,),
     CORE, ("forms", 10, "BDF")),
    # ---- 2026/27, this term (to 16 November 2026)
    ("2026-09-17", "assembly", "Careers in Year 7: welcome assembly", None, None, (2,), ("m_purpose",),
     ("year", 7)),
    ("2026-09-24", "employer_talk", "Digital careers talk", "BAE Systems (Samlesbury)", None, (5,), CORE,
     ("year", 9)),
    ("2026-10-01", "lmi_lesson", "Sixth form: graduate and apprenticeship labour market", None, None, (2,), CORE,
     ("year", 12)),
    ("2026-10-06", "provider_access", "Apprenticeships and T Levels (provider access)", "Nelson and Colne College",
     None, (7,), CORE, ("year", 11)),
    ("2026-10-08", "university_visit", "Visit to Lancaster University open day", "Lancaster University", None, (7,),
     CORE, ("share", 13, 0.5)),
    ("2026-10-15", "college_encounter", "Post-16 fair: colleges", "Burnley College and Nelson and Colne College",
     None, (7,), CORE, ("year", 11)),
    ("2026-10-15", "sixth_form_encounter", "Post-16 fair: sixth forms", "Hollins Park Sixth Form and St Mary's "
     "Sixth Form", None, (7,), CORE, ("forms", 11, "ABCDE")),
    ("2026-10-15", "training_provider_encounter", "Post-16 fair: apprenticeship providers", "Training 2000", None,
     (7,), CORE, ("forms", 11, "ABCD")),
    ("2026-10-20", "provider_access", "Apprenticeship roadshow (provider access)", "Lancashire Apprenticeship Hub",
     None, (7,), CORE, ("year", 9)),
    ("2026-10-22", "employer_talk", "Year 7 meet the professionals", "Various local employers", None, (5,), CORE,
     ("forms", 7, "ABCD")),
    ("2026-11-05", "subject_lesson", "Computing: careers in software", None, "Computing", (4,), CORE,
     ("forms", 8, "ABCDEF")),
    ("2026-11-12", "employer_talk", "Careers in law and the police", "Lancashire Constabulary", None, (5,), CORE,
     ("year", 10)),
    ("2026-11-13", "careers_fair", "Post 16 Fayre", "Burnley College, Nelson and Colne College, Hollins Park "
     "Sixth Form, Training 2000", None, (2, 5, 7), CORE, ("year", 10)),
)
# The provider types a fair names (one activity, counted for Benchmark 7 once for each type).
NAMED_PROVIDERS = {"Post 16 Fayre": ["sixth_form", "college", "training"]}

# The 2026/27 programme: (year group, benchmark, description). No Year 12 plan yet (the published
# page says so).
PROGRAMME: tuple[tuple[int, int, str], ...] = (
    (7, 1, "Programme published on the school website and sent to parents"),
    (7, 2, "Welcome careers assembly; careers newsletter with LMI each half term"),
    (7, 4, "Maths and computing lessons show where each subject leads"),
    (7, 5, "Meet the professionals (October)"),
    (7, 8, "Careers adviser's email and a box in the library to ask for a meeting"),
    (8, 2, "Careers newsletter with LMI"),
    (8, 4, "Computing: careers in software"),
    (8, 5, "Year 8 enterprise day"),
    (8, 7, "Apprenticeships assembly (provider access)"),
    (9, 2, "Options evening with LMI"),
    (9, 5, "Digital careers talk"),
    (9, 7, "Options week: apprenticeship providers (provider access)"),
    (9, 8, "Careers adviser's drop-in during options"),
    (10, 2, "PSHE: using labour market information"),
    (10, 5, "Careers in law and the police; business mentoring"),
    (10, 6, "Work experience week (July)"),
    (10, 7, "College taster day; university outreach workshop"),
    (10, 8, "Small group workshop with the careers adviser"),
    (11, 3, "Intended destinations recorded after each guidance meeting"),
    (11, 5, "Careers talks with employers"),
    (11, 7, "Post-16 fair: colleges, sixth forms and apprenticeship providers"),
    (11, 7, "Apprenticeships and T Levels (provider access)"),
    (11, 8, "Two 1:1 guidance meetings with the independent careers adviser (autumn and spring)"),
    (13, 7, "Lancaster University open day visit"),
    (13, 8, "1:1 guidance on UCAS, apprenticeships and employment"),
)
# The school, its careers leader and what it publishes with the programme (all invented).
SCHOOL = {"name": "Hollins Park Academy", "leader_name": "Daniel Whitaker",
          "leader_email": "careers@hollinspark.example.org.uk", "leader_phone": "01282 555 0142"}
PAGE = {
    "provider_access_policy": (
        "Hollins Park Academy gives providers of technical education and apprenticeships the chance to talk "
        "to every pupil in Years 8 to 13, as the Provider Access Legislation requires: at least two "
        "encounters in Years 8 or 9, two in Years 10 or 11 (both mandatory for every pupil) and two offered "
        "in Years 12 or 13.\n\n"
        "A provider who would like to come in should contact Daniel Whitaker, our careers leader, on the "
        "email or telephone number above. We will agree a date within a month, usually in our options week "
        "(March) or our post-16 week (October). Providers may speak in assemblies, in lessons and at our "
        "Post 16 Fayre, meet pupils and parents, and leave prospectuses in the careers library. We can "
        "refuse a request that would disrupt examinations, or that cannot be safeguarded, and we will say "
        "why in writing."),
    "evaluation": (
        "The careers leader reviews the programme each July with the senior leadership team and the "
        "careers link governor. We measure it against the Gatsby Benchmarks with the Compass+ tool each "
        "term, and with the figures below from our own records.\n\n"
        "We ask pupils after every careers activity what they learned and what they will do next, ask "
        "parents and carers at each parents' evening, and ask employers and providers after each visit. "
        "We follow our leavers' destinations for three years after they leave, and we compare how pupils "
        "with SEND, pupil premium pupils and looked-after pupils fare with their classmates."),
    "b1_now": "A programme for every year group, published here and sent to parents each September; a named "
              "careers leader with the backing of the senior leadership team and a careers link governor.",
    "b1_next": "Publish the Year 12 programme by Christmas, and ask the Year 7 and Year 12 student councils "
               "what they would change.",
    "b2_now": "A careers newsletter with local labour market information each half term; labour market lessons "
              "in PSHE in Years 10 and 11; Unifrog for every pupil from Year 9.",
    "b2_next": "Share Lancashire's labour market information with parents at the Year 9 options evening.",
    "b3_now": "A signed-off record of each guidance meeting, with the action plan given to the pupil; intended "
              "destinations recorded in Year 11 and Year 13; leavers followed for three years.",
    "b3_next": "Give every pupil with an EHCP a transition plan reviewed with them each term of Year 11.",
    "b4_now": "Maths, science, computing, geography and English lessons that show where the subject leads.",
    "b4_next": "A careers link in every department's scheme of work, starting with art and languages.",
    "b5_now": "At least one meaningful encounter with an employer every year from Year 7: talks, an enterprise "
              "day in Year 8 and business mentoring in Year 10.",
    "b5_next": "Mentoring for every pupil premium pupil in Year 10 with Burnley FC in the Community.",
    "b6_now": "A work experience week in Year 10, workplace visits in Year 10 and work shadowing in Year 12.",
    "b6_next": "A second workplace visit for every Year 11 pupil, and a placement for every sixth former.",
    "b7_now": "College taster days and university outreach in Year 10; the Post 16 Fayre with sixth forms, "
              "colleges and apprenticeship providers; two university visits for sixth formers applying to "
              "university; provider access encounters in Years 8 to 11.",
    "b7_next": "Two provider access encounters for the sixth form, and an apprenticeship provider at every "
               "options evening.",
    "b8_now": "Two guidance meetings in Year 11 with our Level 6 qualified independent careers adviser, and "
              "one in the sixth form; a drop-in during Year 9 options.",
    "b8_next": "A guidance meeting for every Year 12 student by February, and for every Year 13 student before "
               "results day.",
    "next_review": "14/07/2027",
}
# Which planned items the term's activities delivered: activity title -> (year group, benchmark).
LINKS = {
    "Careers in Year 7: welcome assembly": (7, 2),
    "Year 7 meet the professionals": (7, 5),
    "Computing: careers in software": (8, 4),
    "Digital careers talk": (9, 5),
    "Careers in law and the police": (10, 5),
    "Apprenticeships and T Levels (provider access)": (11, 7),
    "Post-16 fair: colleges": (11, 7),
    "Visit to Lancaster University open day": (13, 7),
}


def _who(conn: sqlite3.Connection, activity_id: int, rng: random.Random, who: tuple) -> tuple[Group, list[int]]:
    """The group to attach and the absentees (the register's absent marks)."""
    year = who[1]
    members = store_activities.group_members(conn, activity_id, Group(year=year))
    if who[0] == "forms":
        chosen = [m for m in members if m.form and m.form[-1] in who[2]]
        group = Group(ids=tuple(m.pupil_id for m in chosen))
    elif who[0] == "share":
        chosen = [m for m in members if rng.random() < who[2]]
        group = Group(ids=tuple(m.pupil_id for m in chosen))
    else:
        chosen = members
        group = Group(year=year)
    absent = [m.pupil_id for m in chosen if rng.random() < ABSENT]
    return group, absent


def add_activities(conn: sqlite3.Connection, *, reference_day: date) -> None:
    rng = random.Random(SEED)
    stamp = f"{reference_day.isoformat()}T10:30:00"
    sy = schoolyear.school_year_of(reference_day)
    planned: dict[tuple[int, int], int] = {}
    for year_group, benchmark, text in PROGRAMME:
        item = store_programme.add_item(conn, sy, year_group, benchmark, text, stamp=stamp, adviser_id=ADVISER_ID)
        planned.setdefault((year_group, benchmark), item)
    store_programme.save_school(conn, dict(SCHOOL), stamp=stamp, adviser_id=ADVISER_ID)
    store_programme.save_page(conn, dict(PAGE), stamp=stamp, today=reference_day, adviser_id=ADVISER_ID)
    for held_on, kind, title, organisation, subject, benchmarks, points, who in ACTIVITIES:
        raw = {"kind": kind, "title": title, "held_on": date.fromisoformat(held_on), "organisation": organisation,
               "subject": subject, "benchmarks": list(benchmarks), **{p: True for p in points},
               "providers": NAMED_PROVIDERS.get(title, [])}
        if title in LINKS:
            raw["programme_item_id"] = planned[LINKS[title]]
        checked = store_activities.check(raw, today=reference_day)
        activity_id = store_activities.add(conn, checked, stamp=stamp, adviser_id=ADVISER_ID)
        group, absent = _who(conn, activity_id, rng, who)
        store_activities.attach_group(conn, activity_id, group, absent=absent, stamp=stamp, adviser_id=ADVISER_ID)
