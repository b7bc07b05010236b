"""The demo's individual plans (SEND) and destinations.

Called by ``sample.data.build`` once the pupils, bookings and records are in. Every plan,
target, review, destination and check goes through ``store.plans`` and
``store.destinations`` exactly as the app writes them (checked, one transaction each,
audited), with stamps derived from the day each thing happened (never the wall clock), and
its own ``random.Random`` with a fixed seed, so the file stays deterministic.

The story:

* Nearly every pupil with an EHCP has a plan (two who joined this term do not yet), and about
  two in five pupils on SEN support. Plans began up to two years ago and were reviewed about
  every six months; an EHCP's yearly review is its annual review. Each review made a new
  version: aspirations grow more specific, targets move on, new targets are added.
* Some reviews are due within 30 days or overdue; two EHCP pupils from Year 9 have no
  Preparing-for-Adulthood targets yet; most Year 11 EHCP pupils have no transition plan
  recorded yet (31 March is coming), a few do.
* Leavers of the last three summers: intended destinations recorded in Year 11 or 13 (with the
  September Guarantee offer for Year 11), actual destinations confirmed in the autumn after
  leaving for those who consented, the 1-year and 2-year checks mostly done, some not (so
  checks are due); some leavers are NEET, some not known, and those without consent are not
  tracked. Some of this year's Year 12 stayed in the sixth form (210). Current Year 11 and 13
  pupils have intended destinations from this term's meetings.

This module never imports Textual.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from typing import Any

from gatsby_tui.domain import schoolyear, send
from gatsby_tui.store import destinations, plans

SEED = 5_2026
SENCO_ADVISER = 2          # the careers leader keeps the plans with the SENCO
CAREERS_ADVISER = 1        # the independent adviser records destinations and checks

SECTORS = ("animal care", "catering", "horticulture", "retail", "digital media", "construction", "childcare",
           "motor vehicle", "performing arts", "sport and leisure", "hair and beauty", "office work")
STRENGTHS = ("Patient and kind; works well with routines.", "Practical, good with his or her hands; reliable.",
             "Creative, with a good eye for detail.", "Friendly and chatty; likes helping others.",
             "Determined; keeps going when things are hard.", "Good memory for facts; enjoys computers.")
NEEDS = ("Finds crowds and changes of routine hard.", "Reading and writing take longer; needs instructions in steps.",
         "Anxiety in new places; needs time to prepare for changes.", "Uses a wheelchair; needs accessible rooms.",
         "Speech and language needs: checks understanding by repeating back.",
         "Tires easily; needs rest breaks in a long day.")
SUPPORT = ("Teaching assistant in practical lessons; a quiet room at lunch.", "Exam access arrangements: extra time "
           "and a reader.", "Weekly check-in with the SENCO; visual timetable.", "Travel buddy scheme; a named adult "
           "at the start of the day.", "Speech and language therapy every half term.")
TARGETS = {
    "employment": ("Visit two college courses in {sector}", "Do a week's work experience in {sector}",
                   "Write a CV with help from the adviser", "Practise an interview with a mentor"),
    "independent_living": ("Travel to school by bus with a buddy", "Make a simple meal at home each week",
                           "Manage a weekly budget for lunch money", "Use a phone to plan a journey"),
    "community": ("Join a lunchtime club", "Take part in a volunteering day", "Go to a youth group with a friend",
                  "Help at the school fair"),
    "health": ("Walk to school twice a week", "Keep a sleep diary for a month", "Learn to book a GP appointment",
               "Take part in a weekly sport session"),
}
WHO = ("SENCO", "parent/carer", "form tutor", "careers adviser", "teaching assistant", "college link tutor")
PROVIDERS_FE = ("Riverside College", "Westmoor College", "Northgate Sixth Form College")
PROVIDERS_WORK = ("Calder Engineering", "Hollins Park Garden Centre", "Bridge Street Garage", "Riverside NHS Trust",
                  "Moorside Care Home", "The Crown Hotel")
UNIVERSITIES = ("University of Leeds", "Sheffield Hallam University", "Manchester Metropolitan University",
                "University of York", "Leeds Beckett University")
COURSES = ("Level 3 engineering", "A levels", "T Level in health", "Level 2 hair and beauty", "Level 1 catering",
           "Supported study programme", "Level 3 sport", "BSc Nursing", "BA History", "Engineering apprenticeship")
METHODS = ("phone call", "email", "the provider's return", "text message", "the local authority's tracking data")

# Actual destinations after Year 11 and after Year 13, with weights (some NEET, some not known).
AFTER_11 = (("230", 34), ("220", 14), ("310", 10), ("270", 5), ("280", 4), ("450", 4), ("460", 2), ("410", 3),
            ("340", 2), ("619", 12), ("610", 4), ("540", 2), ("810", 4), ("820", 2))
AFTER_13 = (("240", 46), ("310", 12), ("340", 9), ("330", 6), ("260", 5), ("230", 4), ("360", 2), ("619", 10),
            ("640", 2), ("540", 2), ("810", 3), ("820", 2), ("830", 1))
# A check a year on sometimes finds a change: from -> to.
MOVES = {"230": ("310", "340", "240"), "220": ("240", "310"), "619": ("230", "330", "450"),
         "610": ("530", "619"), "330": ("340", "619"), "240": ("240",), "260": ("240", "330"),
         "810": ("230", "619"), "820": ("820", "330")}


def _stamp(day: date, hour: int = 15, minute: int = 30) -> str:
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00"


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    total = sum(w for _, w in table)
    roll = rng.randrange(total)
    for code, weight in table:
        if roll < weight:
            return code
        roll -= weight
    return table[-1][0]


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _provider(code: str, rng: random.Random) -> str | None:
    if code in ("240",):
        return rng.choice(UNIVERSITIES)
    if code.startswith("2") or code in ("410", "450", "460", "530"):
        return rng.choice(PROVIDERS_FE)
    if code.startswith("3"):
        return rng.choice(PROVIDERS_WORK)
    return None


# ---------------------------------------------------------------- plans


def _add_plans(conn: sqlite3.Connection, rng: random.Random, today: date) -> None:
    sy = schoolyear.school_year_of(today)
    people = conn.execute(
        "SELECT id, intake_year, sen_status FROM pupils WHERE date_left IS NULL AND sen_status IN ('E', 'K') "
        "ORDER BY sort_name, id").fetchall()
    ehcp = [p for p in people if p["sen_status"] == "E"]
    support = [p for p in people if p["sen_status"] == "K"]
    without_plan = {p["id"] for p in ehcp[-2:]}                    # joined this term: no plan yet
    older_ehcp = [p for p in ehcp if sy - p["intake_year"] + 7 >= 9 and p["id"] not in without_plan]
    no_targets = {p["id"] for p in older_ehcp[3:5]}                 # no PfA outcomes yet
    y11 = [p for p in ehcp if sy - p["intake_year"] + 7 == 11]
    with_transition = {p["id"] for p in y11[:4]}
    chosen = [p for p in ehcp if p["id"] not in without_plan] + [p for p in support if rng.random() < 0.4]
    chosen.sort(key=lambda p: p["id"])
    for n, p in enumerate(chosen):
        _one_plan(conn, rng, p, today=today, sy=sy, with_targets=p["id"] not in no_targets,
                  transition=p["id"] in with_transition, due_soon=n % 9 == 0, overdue=n % 13 == 5)


def _one_plan(conn: sqlite3.Connection, rng: random.Random, p: sqlite3.Row, *, today: date, sy: int,
              with_targets: bool, transition: bool, due_soon: bool, overdue: bool) -> None:
    year = sy - p["intake_year"] + 7
    ehcp = p["sen_status"] == "E"
    # The plan began in the autumn of Year 7, or up to two years ago.
    years_back = min(year - 7, 2)
    start = _weekday(date(sy - years_back, 9, 15) + timedelta(days=rng.randrange(0, 35)))
    if start >= today:
        start = _weekday(today - timedelta(days=rng.randrange(20, 50)))
    sector = rng.choice(SECTORS)
    aspirations = rng.choice((f"Would like to work in {sector}.", f"Interested in {sector}; not sure yet.",
                              f"Wants a job in {sector} and to live independently one day."))
    plan_id = plans.create_plan(conn, p["id"], {
        "aspirations": aspirations, "strengths": rng.choice(STRENGTHS), "needs": rng.choice(NEEDS),
        "support": rng.choice(SUPPORT)}, stamp=_stamp(start), adviser_id=SENCO_ADVISER)
    areas = [a for a, _ in send.AREAS]
    if with_targets:
        for area in rng.sample(areas, rng.randrange(2, 4)):
            what = rng.choice(TARGETS[area]).format(sector=sector)
            plans.add_target(conn, plan_id, {
                "area": area, "what": what, "who_helps": rng.choice(WHO),
                "by_when": start + timedelta(days=rng.randrange(90, 200)),
                "outcome": rng.choice(("", f"Works towards a job in {sector}", "More independent day to day"))
                if area == "employment" else ""}, stamp=_stamp(start, 16), adviser_id=SENCO_ADVISER)
    # Reviews about every six months; an EHCP's yearly review is its annual review.
    held: list[date] = []
    day = start + timedelta(days=rng.randrange(170, 200))
    while day < today - timedelta(days=10):
        held.append(_weekday(day))
        day = held[-1] + timedelta(days=rng.randrange(170, 200))
    last_annual = None
    for i, on in enumerate(held):
        annual = ehcp and (i % 2 == 1 or len(held) == 1)
        last_review = i == len(held) - 1
        changed = []
        values: dict[str, Any] = {
            "reviewed_on": on, "participants": ["pupil", "parent", "senco"] + (["adviser"] if annual else []),
            "others": "LA SEN caseworker" if annual else "", "is_ehcp_annual": annual,
            "next_review_on": on + timedelta(days=rng.randrange(160, 190)),
        }
        if rng.random() < 0.5:
            sector = rng.choice(SECTORS)
            values["aspirations"] = rng.choice((f"Wants to work in {sector}; would like a college course first.",
                                                f"Now set on {sector}, ideally an apprenticeship.",
                                                f"Would like a supported internship in {sector}."))
            changed.append("Aspirations updated")
        if annual and last_review and transition:
            values["transition_plan"] = True
            changed.append("Transition plan for post-16 agreed")
        values["what_changed"] = "; ".join(changed + ["targets reviewed"]) + "."
        _, version_id = plans.hold_review(conn, plan_id, values, stamp=_stamp(on, 16), today=on,
                                          adviser_id=SENCO_ADVISER)
        if annual:
            last_annual = on
        # At the review targets moved on, and now and then a new one was added.
        for t in conn.execute("SELECT id, status FROM plan_targets WHERE plan_version_id = ? ORDER BY id",
                              (version_id,)).fetchall():
            nxt = {"not_started": "in_progress", "in_progress": "achieved"}.get(t["status"])
            if nxt and rng.random() < 0.6:
                update = {"status": nxt}
                if nxt == "achieved":
                    update["evidence"] = rng.choice(("Seen by the SENCO.", "Parent/carer confirmed at the review.",
                                                     "Photos in the pupil's folder.", "Tutor's note."))
                plans.update_target(conn, t["id"], update, stamp=_stamp(on, 16, 40), adviser_id=SENCO_ADVISER)
        if with_targets and rng.random() < 0.4:
            area = rng.choice(areas)
            plans.add_target(conn, plan_id, {"area": area, "what": rng.choice(TARGETS[area]).format(sector=sector),
                                             "who_helps": rng.choice(WHO),
                                             "by_when": on + timedelta(days=rng.randrange(90, 200))},
                             stamp=_stamp(on, 16, 45), adviser_id=SENCO_ADVISER)
    # Dates now: some due within 30 days or overdue.
    last = held[-1] if held else start
    next_review = last + timedelta(days=rng.randrange(150, 200))
    if due_soon:
        next_review = today + timedelta(days=rng.randrange(3, 28))
    elif overdue:
        next_review = today - timedelta(days=rng.randrange(3, 40))
    elif next_review <= send.soon_bound(today):
        next_review = today + timedelta(days=rng.randrange(35, 150))
    dates_now: dict[str, Any] = {"next_review_on": max(next_review, last + timedelta(days=1))}
    if ehcp:
        annual_from = last_annual or start
        dates_now["ehcp_annual_review_on"] = send.latest_next_annual(annual_from) - timedelta(days=rng.randrange(0, 20))
    plans.update_plan(conn, plan_id, dates_now, stamp=_stamp(last, 16, 50), adviser_id=SENCO_ADVISER)


# ---------------------------------------------------------------- destinations


def _add_destinations(conn: sqlite3.Connection, rng: random.Random, today: date) -> None:
    sy = schoolyear.school_year_of(today)
    leavers = conn.execute(
        "SELECT id, intake_year, date_left, destination_consent, sen_status FROM pupils "
        "WHERE date_left IS NOT NULL ORDER BY date_left, sort_name, id").fetchall()
    for p in leavers:
        left = date.fromisoformat(p["date_left"])
        after = schoolyear.year_group_in(p["intake_year"], schoolyear.school_year_of(left))
        if after < 11:
            continue
        _one_leaver(conn, rng, p, left=left, after=after, today=today)
    # This term's intended destinations for Years 11 and 13 (from the guidance meetings).
    for year in (11, 13):
        intake = schoolyear.intake_year_for(year, sy)
        for p in conn.execute("SELECT id, sen_status FROM pupils WHERE date_left IS NULL AND intake_year = ? "
                              "ORDER BY sort_name, id", (intake,)).fetchall():
            if rng.random() > 0.45:
                continue
            code = _weighted(rng, AFTER_11 if year == 11 else AFTER_13)
            if send.is_neet(code) or code.startswith("8"):
                code = "230" if year == 11 else "240"
            if year == 11 and rng.random() < 0.25:
                code = "210"
            on = _weekday(date(sy, 10, 1) + timedelta(days=rng.randrange(0, 45)))
            destinations.record_intended(conn, p["id"], {
                "code": code, "provider": "Hollins Park sixth form" if code == "210" else _provider(code, rng),
                "course_or_role": rng.choice(COURSES)}, stamp=_stamp(on, 14), today=on, adviser_id=CAREERS_ADVISER)
    # Some of this year's Year 12 stayed on in the sixth form: tracked without asking.
    stayed = conn.execute("SELECT id FROM pupils WHERE date_left IS NULL AND intake_year = ? ORDER BY sort_name, id",
                          (schoolyear.intake_year_for(12, sy),)).fetchall()
    start = _weekday(date(sy, 9, 3))
    for p in stayed[::6]:
        destinations.record_actual(conn, p["id"], {
            "code": "210", "provider": "Hollins Park sixth form", "course_or_role": "A levels",
            "start_date": start, "checked_on": start, "method": "the school roll"},
            stamp=_stamp(start, 9), today=start, adviser_id=CAREERS_ADVISER)


def _one_leaver(conn: sqlite3.Connection, rng: random.Random, p: sqlite3.Row, *, left: date, after: int,
                today: date) -> None:
    table = AFTER_11 if after == 11 else AFTER_13
    # Intended, in the spring before leaving (Year 11: with the September Guarantee offer).
    planned = _weighted(rng, table)
    if send.is_neet(planned) or planned.startswith("8"):
        planned = "230" if after == 11 else "240"
    spring = _weekday(date(left.year, 2, 1) + timedelta(days=rng.randrange(0, 50)))
    offer: dict[str, Any] = {}
    if after == 11:
        roll = rng.random()
        offer = {"offer_status": "accepted" if roll < 0.8 else "offered" if roll < 0.92 else "none"}
    provider = _provider(planned, rng)
    if offer.get("offer_status") in ("accepted", "offered") and not provider:
        provider = rng.choice(PROVIDERS_FE)
    destinations.record_intended(conn, p["id"], {"code": planned, "provider": provider,
                                                 "course_or_role": rng.choice(COURSES), **offer},
                                 stamp=_stamp(spring, 13), today=spring, adviser_id=CAREERS_ADVISER)
    if not p["destination_consent"] or rng.random() < 0.08:
        return                                     # not tracked: no consent, or never reached
    code = planned if rng.random() < 0.55 else _weighted(rng, table)
    autumn = _weekday(date(left.year, 10, 1) + timedelta(days=rng.randrange(0, 40)))
    if autumn > today:
        return
    destinations.record_actual(conn, p["id"], {
        "code": code, "provider": _provider(code, rng), "course_or_role": rng.choice(COURSES) if code < "400" else "",
        "start_date": _weekday(date(left.year, 9, 4)) if code < "400" else None,
        "checked_on": autumn, "method": rng.choice(METHODS)}, stamp=_stamp(autumn, 15), today=autumn,
        adviser_id=CAREERS_ADVISER)
    # The checks at 1 and 2 years, where their time has come; some not done (so due now).
    for due in send.check_dates(left):
        if due > today:
            break
        if rng.random() < 0.15:
            continue
        on = _weekday(due - timedelta(days=rng.randrange(0, 60)))
        if on > today:
            continue
        nxt = rng.choice(MOVES.get(code, (code,))) if rng.random() < 0.3 else code
        answered = rng.random() > 0.08
        destinations.record_check(conn, p["id"], {
            "checked_on": on, "method": rng.choice(METHODS), "code": nxt if answered else "",
            "provider": _provider(nxt, rng) if nxt != code else "",
            "note": "" if answered else "No answer; message left."}, stamp=_stamp(on, 15, 10), today=on,
            adviser_id=CAREERS_ADVISER)
        if answered:
            code = nxt


def add_send(conn: sqlite3.Connection, *, reference_day: date) -> None:
    """Write the demo's plans and destinations (see the module docstring)."""
    rng = random.Random(SEED)
    _add_plans(conn, rng, reference_day)
    _add_destinations(conn, rng, reference_day)
