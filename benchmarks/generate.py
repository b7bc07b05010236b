"""Make a large synthetic gatsby-tui database for speed measurements.

    python benchmarks/generate.py --pupils 20000 --interviews 200000 --out benchmarks/big-20k.db
    python benchmarks/generate.py --pupils 200000 --interviews 200000 --out benchmarks/big-200k.db

The file is created with store.db.create_database (so the tables are exactly
schema.sql's, search triggers included) and filled with plausible invented
data by bulk SQL inserts, ten thousand rows per transaction. The audit log is
skipped: this is synthetic data, not changes anyone made.

What goes in:
  * pupils with valid, unique UPNs and names drawn from the same varied pools as
    the demo database (gatsby_tui/sample/names.py), sort_name from
    domain.names.sort_name, intake years spread over the 7 year groups on roll in
    2026/27 plus 8 earlier intakes of leavers (date_left set; some left after
    Year 11, the rest after Year 13);
  * interviews over the school years since 2018/19 relative to "now" =
    2026-11-22: held, cancelled or missed in the past, booked in the future,
    with their interview_events; no adviser and no pupil is double-booked. As
    many advisers as needed to fit them (the demo school has two; a careers
    company's shared database many more), among them "Busy Adviser", whose
    week of 23-27 November 2026 is fully booked: a 09:00-16:00 day holds nine
    45-minute slots (09:00 .. 15:00, the last ending 15:45), 45 bookings in all;
  * meeting records, signed off, for a share of the held guidance meetings
    (--records, default 0.3), each with one or two actions;
  * a few pupils with a long history (--long-histories, default 3): pupils in
    Year 13 met every week or two since Year 7 (about 150 meetings, some moved,
    cancelled or missed), with records, amendments, actions and their changes
    (action_events), and register changes in the audit log — several hundred
    history items each, for benchmarks/history.py. They are made with their own
    random generator after everything else, so the rest of the data is the same
    with or without them.

The output is the same for the same arguments and --seed. The file is built
beside --out under a temporary name and renamed over it when complete.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sqlite3
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from gatsby_tui.domain import names, schoolyear  # noqa: E402
from gatsby_tui.domain.upn import CHECK_LETTERS, check_letter  # noqa: E402
from gatsby_tui.sample.names import COMMUNITIES, NICKNAMES, WEIGHTS  # noqa: E402
from gatsby_tui.store.db import create_database, transaction  # noqa: E402

NOW = datetime(2026, 11, 22, 12, 0)           # a Sunday: the register benchmark's "today"
SCHOOL_YEAR = schoolyear.school_year_of(NOW.date())
CURRENT_INTAKES = range(SCHOOL_YEAR - 6, SCHOOL_YEAR + 1)          # Years 13 .. 7
LEAVER_INTAKES = range(SCHOOL_YEAR - 14, SCHOOL_YEAR - 6)          # 8 earlier intakes
HISTORY_FROM = date(2018, 9, 3)
BOOKED_UNTIL = date(2027, 3, 26)
BUSY_WEEK = [date(2026, 11, 23) + timedelta(days=i) for i in range(5)]
SLOTS = [(9 * 60 + 45 * k) for k in range(9)]                      # 09:00 .. 15:00, the last ending 15:45
CHUNK = 10_000

LA_CODES = ("801", "330", "316", "873", "936", "352", "202", "886", "926", "380")
REASONS = ("Post-16 options", "Post-16 options", "Apprenticeship interest", "UCAS application",
           "Next steps after sixth form", "Referral from head of year", "Options (Year 9)",
           "Unsure about next steps")
CANCEL_NOTES = ("Pupil absent (ill)", "Clashes with a mock exam", "School trip", "Pupil asked to rearrange",
                "Adviser unwell")
DESTINATIONS = ("210", "210", "220", "230", "230", "310", "240", "240", "340", "810")
ACTIONS = (("pupil", "Research two apprenticeship vacancies and bring them next time"),
           ("pupil", "Book a place at the college open evening"),
           ("pupil", "Draft a personal statement and share it with the form tutor"),
           ("adviser", "Send links to the labour market information discussed"),
           ("school", "Arrange a work experience placement in engineering"),
           ("parent", "Attend the sixth form information evening"),
           ("adviser", "Follow up with the college's admissions team"))


def log(started: float, text: str) -> None:
    print(f"[{time.perf_counter() - started:6.1f} s] {text}", flush=True)


def school_days(first: date, last: date) -> list[date]:
    """Weekdays in term, roughly: no August, no Christmas fortnight, no late July."""
    out = []
    day = first
    while day <= last:
        m, d = day.month, day.day
        holiday = (m == 8 or (m == 7 and d > 21) or (m == 9 and d < 3)
                   or (m == 12 and d > 20) or (m == 1 and d < 4))
        if day.weekday() < 5 and not holiday:
            out.append(day)
        day += timedelta(days=1)
    return out


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class Pupils:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.communities = [c for c, w in WEIGHTS.items() for _ in range(w)]
        self.serials: dict[tuple[str, str, int], int] = {}
        self.estabs = [f"{rng.randrange(2000, 4000):04d}" for _ in range(400)]
        self.by_intake: dict[int, list[tuple[int, str | None]]] = {}

    def upn(self, intake: int, temporary: bool) -> str:
        rng = self.rng
        while True:
            la, estab = rng.choice(LA_CODES), rng.choice(self.estabs)
            key = (la, estab, intake)
            serial = self.serials.get(key, 0) + 1
            if serial <= 999:
                break
        self.serials[key] = serial
        tail = f"{serial:03d}"
        if temporary:                      # a temporary UPN ends in a letter instead of a digit
            tail = tail[:2] + rng.choice(CHECK_LETTERS)
        body = f"{la}{estab}{(intake - 7) % 100:02d}{tail}"
        return check_letter(body) + body

    def rows(self, count: int) -> list[tuple]:
        rng = self.rng
        intakes = [*LEAVER_INTAKES, *CURRENT_INTAKES]
        out = []
        used: set[str] = set()
        for pid in range(1, count + 1):
            intake = intakes[(pid - 1) * len(intakes) // count]
            roll = rng.random()
            gender = "X" if roll < 0.008 else None if roll < 0.018 else "F" if roll < 0.509 else "M"
            sex = gender if gender in ("F", "M") else rng.choice("FM")
            pool = COMMUNITIES[rng.choice(self.communities)]
            forename = rng.choice(pool[sex])
            surname = rng.choice(pool["S"])
            if "|" in surname:
                boy, girl = surname.split("|")
                surname = girl if sex == "F" else boy
            if rng.random() < 0.03:
                other = rng.choice(COMMUNITIES[rng.choice(self.communities)]["S"]).split("|")[0]
                if other != surname and " " not in other + surname:
                    surname = f"{surname}-{other}"
            preferred = NICKNAMES.get(forename) if rng.random() < 0.35 else None
            dob = date(intake - 12, 9, 1) + timedelta(days=rng.randrange(365))
            # Leaving: 45% after Year 11, the rest after Year 13; 1% move away mid-year.
            left: date | None = None
            after = 11 if rng.random() < 0.45 else 13
            leave = date(intake + after - 6, 7, 19)
            if leave < NOW.date():
                left = leave
            elif rng.random() < 0.01:
                left = NOW.date() - timedelta(days=rng.randrange(30, 700))
                if left < date(intake, 9, 10):
                    left = None
            year_now = schoolyear.year_group_in(intake, SCHOOL_YEAR)
            form = None if left else f"{year_now}{'ABCDEFGH'[rng.randrange(8)]}"
            temporary = left is None and rng.random() < 0.005
            upn = self.upn(intake, temporary)
            while upn in used:
                upn = self.upn(intake, temporary)
            used.add(upn)
            roll = rng.random()
            sen = "E" if roll < 0.045 else "K" if roll < 0.175 else "N"
            looked_after = int(rng.random() < 0.015)
            stamp = f"{intake}-09-01T08:00:00"          # added when they joined Year 7
            out.append((
                pid, upn, forename, surname, preferred, dob.isoformat(), gender, intake, form, sen,
                int(looked_after or rng.random() < 0.245), looked_after, int(rng.random() < 0.02),
                int(rng.random() < 0.15), None if left is None else left.isoformat(),
                int(year_now >= 11 and rng.random() < 0.9), names.sort_name(surname, forename),
                names.search_text(forename, surname, preferred), stamp, stamp,
            ))
            self.by_intake.setdefault(intake, []).append((pid, None if left is None else left.isoformat()))
        return out

    def pick(self, day: date) -> int | None:
        """A pupil in Years 9-13 on roll on ``day``, mostly Year 11 and Year 13."""
        rng = self.rng
        sy = schoolyear.school_year_of(day)
        iso = day.isoformat()
        for _ in range(12):
            roll = rng.random()
            year = 11 if roll < 0.45 else 13 if roll < 0.7 else 12 if roll < 0.85 else 10 if roll < 0.93 else 9
            group = self.by_intake.get(schoolyear.intake_year_for(year, sy))
            if not group:
                continue
            pid, left = group[rng.randrange(len(group))]
            if left is None or left > iso:
                return pid
        return None


PUPIL_SQL = ("INSERT INTO pupils (id, upn, legal_forename, legal_surname, preferred_forename, dob, gender, "
             "intake_year, form, sen_status, pupil_premium, looked_after, young_carer, eal, date_left, "
             "destination_consent, sort_name, search_name, created_at, updated_at) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
INTERVIEW_SQL = ("INSERT INTO interviews (id, uid, pupil_id, adviser_id, starts_at, ends_at, mode, place, kind, "
                 "reason, status, status_note, created_at, updated_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
EVENT_SQL = ("INSERT INTO interview_events (interview_id, at, event, from_start, to_start, note, adviser_id) "
             "VALUES (?, ?, ?, NULL, ?, ?, ?)")
RECORD_SQL = ("INSERT INTO meeting_records (id, interview_id, pupil_id, adviser_id, held_at, mode, reason, "
              "confidentiality_explained, situation, aspirations, advice_given, decisions, intended_destination, "
              "follow_up_date, copy_given_on, copy_given_how, status, signed_off_at, signed_off_by, created_at, "
              "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, 'signed_off', ?, ?, ?, ?)")
ACTION_SQL = ("INSERT INTO actions (pupil_id, record_id, description, owner, due_date, status, adviser_id, "
              "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
LONG_ACTION_SQL = ("INSERT INTO actions (id, pupil_id, record_id, description, owner, due_date, status, adviser_id, "
                   "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
MOVE_SQL = ("INSERT INTO interview_events (interview_id, at, event, from_start, to_start, note, adviser_id) "
            "VALUES (?, ?, 'moved', ?, ?, ?, ?)")
AMENDMENT_SQL = ("INSERT INTO record_amendments (record_id, field, original_text, amended_text, reason, amended_at, "
                 "adviser_id) VALUES (?, 'decisions', ?, ?, ?, ?, ?)")
ACTION_EVENT_SQL = ("INSERT INTO action_events (action_id, at, status, owner, note, adviser_id) "
                    "VALUES (?, ?, ?, ?, ?, ?)")
AUDIT_SQL = ("INSERT INTO audit_log (at, adviser_id, action, table_name, row_id, pupil_id, before, after) "
             "VALUES (?, ?, ?, 'pupils', ?, ?, ?, ?)")


def insert_chunked(conn: sqlite3.Connection, sql: str, rows: list[tuple], what: str, started: float) -> None:
    for i in range(0, len(rows), CHUNK):
        conn.execute("BEGIN")
        conn.executemany(sql, rows[i:i + CHUNK])
        conn.execute("COMMIT")
        done = min(i + CHUNK, len(rows))
        if done == len(rows) or (done // CHUNK) % 10 == 0:
            log(started, f"{what}: {done:,} / {len(rows):,}")


def adviser_names(rng: random.Random, count: int) -> list[str]:
    pool = COMMUNITIES["english"]
    out: list[str] = []
    while len(out) < count:
        name = f"{rng.choice(pool['F'] + pool['M'])} {rng.choice(pool['S'])}"
        if name not in out:
            out.append(name)
    return out


def long_histories(count: int, seed: int, gen: "Pupils", planned: list[tuple[str, int, int]],
                   taken: set[tuple[int, str]], n_advisers: int, all_days: list[date], first_interview: int,
                   first_record: int, first_action: int) -> dict[str, list[tuple]]:
    """``count`` pupils now in Year 13, each met every week or two since Year 7: the rows of
    their long histories. Uses its own random generator, so nothing else changes."""
    rng = random.Random(seed * 7919 + 17)
    out: dict[str, list[tuple]] = {k: [] for k in ("interviews", "events", "moves", "records", "amendments",
                                                   "actions", "action_events", "audit")}
    if count <= 0:
        return out
    busy = {(adviser, start) for start, adviser, _ in planned}
    intake = SCHOOL_YEAR - 6
    on_roll = [pid for pid, left in gen.by_intake.get(intake, []) if left is None]
    chosen = rng.sample(on_roll, min(count, len(on_roll)))
    now = NOW.strftime("%Y-%m-%dT%H:%M")
    iid, rid, aid = first_interview, first_record, first_action
    for pid in chosen:
        days = [d for d in all_days if d >= date(intake, 9, 1)]
        # Joining in Year 7 and every September's new form, as register changes.
        out["audit"].append((f"{intake}-09-01T08:00:00", 1, "insert", pid, pid, None, '{"form": "7A"}'))
        for year in range(8, 14):
            sy = intake + year - 7
            if date(sy, 9, 4) <= NOW.date():
                out["audit"].append((f"{sy}-09-04T08:30:00", 1, "update", pid, pid,
                                     f'{{"form": "{year - 1}A"}}', f'{{"form": "{year}A"}}'))
        for day in sorted(rng.sample(days, min(160, len(days)))):
            for _ in range(20):
                adviser, minutes = 1 + rng.randrange(n_advisers), rng.choice(SLOTS)
                start = f"{day.isoformat()}T{hhmm(minutes)}"
                if (adviser, start) not in busy and (pid, start) not in taken:
                    break
            else:
                continue
            busy.add((adviser, start))
            taken.add((pid, start))
            begin = datetime.fromisoformat(start)
            roll = rng.random()
            kind, length = ("guidance", 45) if roll < 0.7 else ("follow_up", 30) if roll < 0.9 else ("ehcp_review", 45)
            end = (begin + timedelta(minutes=length)).strftime("%Y-%m-%dT%H:%M")
            moved = rng.random() < 0.1
            booked_at = (begin - timedelta(days=20 if moved else rng.randrange(3, 15))).strftime("%Y-%m-%dT09:00:00")
            if moved:
                was = (begin - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
                out["moves"].append((iid, (begin - timedelta(days=9)).strftime("%Y-%m-%dT11:00:00"), was, start,
                                     "Clashes with a mock exam", adviser))
            note = None
            if start >= now:
                status, last_at = "booked", booked_at
            else:
                roll = rng.random()
                status = "held" if roll < 0.85 else "cancelled" if roll < 0.93 else "did_not_attend"
                last_at = f"{end}:00" if status == "held" else f"{start}:00"
                note = rng.choice(CANCEL_NOTES) if status == "cancelled" else None
            out["interviews"].append((iid, f"bench-long-{iid}@gatsby-tui", pid, adviser, start, end, "in_person",
                                      "Careers office", kind, rng.choice(REASONS), status, note, booked_at, last_at))
            out["events"].append((iid, booked_at, "booked", start, None, adviser))
            if status != "booked":
                out["events"].append((iid, last_at, status, None, note, adviser))
            if status == "held" and kind != "ehcp_review" and rng.random() < 0.6:
                held = begin.date()
                decisions = f"Agreed next steps at the meeting of {held:%d/%m/%Y}: visit two providers."
                out["records"].append((
                    rid, iid, pid, adviser, start, "in_person", "Guidance meeting",
                    "Working towards post-18 choices; part-time job at weekends.",
                    "Would like to work in engineering or health care.",
                    "Talked through university, degree apprenticeships and entry requirements.",
                    decisions, rng.choice(DESTINATIONS), (held + timedelta(days=42)).isoformat(),
                    (held + timedelta(days=2)).isoformat(), "Printed and handed over",
                    last_at, adviser, last_at, last_at))
                if rng.random() < 0.08:
                    out["amendments"].append((rid, decisions, decisions.replace("two", "three"),
                                              "Pupil asked to add a provider",
                                              (begin + timedelta(days=3)).strftime("%Y-%m-%dT10:00:00"), adviser))
                for owner, text in rng.sample(ACTIONS, rng.randrange(1, 3)):
                    due = held + timedelta(days=rng.randrange(14, 60))
                    out["action_events"].append((aid, last_at, "open", owner, None, adviser))
                    status_now, updated = "open", last_at
                    if due < NOW.date():
                        roll = rng.random()
                        if roll < 0.15:                      # passed to someone else, then done
                            other = "school" if owner != "school" else "adviser"
                            out["action_events"].append((aid, f"{(due - timedelta(days=7)).isoformat()}T12:00:00",
                                                         "open", other, "Needs the school to arrange it", adviser))
                            owner = other
                        if roll < 0.75:
                            status_now, updated = "done", f"{due.isoformat()}T16:00:00"
                            out["action_events"].append((aid, updated, "done", owner, None, adviser))
                        elif roll < 0.85:
                            status_now, updated = "cancelled", f"{due.isoformat()}T16:00:00"
                            out["action_events"].append((aid, updated, "cancelled", owner, "Plans changed", adviser))
                    out["actions"].append((aid, pid, rid, text, owner, due.isoformat(), status_now, adviser,
                                           last_at, updated))
                    aid += 1
                rid += 1
            iid += 1
    return out


def build(out: Path, n_pupils: int, n_interviews: int, records: float, seed: int, long: int = 3) -> None:
    started = time.perf_counter()
    rng = random.Random(seed)
    tmp = out.with_name(f".{out.name}.building")
    tmp.unlink(missing_ok=True)
    conn = create_database(tmp)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")     # generated consistent; checked below on request
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA journal_mode = MEMORY")
        conn.execute("PRAGMA cache_size = -262144")
        log(started, f"created {tmp.name} from schema.sql")

        gen = Pupils(rng)
        pupil_rows = gen.rows(n_pupils)
        log(started, f"generated {len(pupil_rows):,} pupils")
        insert_chunked(conn, PUPIL_SQL, pupil_rows, "pupils (with search index)", started)
        del pupil_rows

        # Advisers: enough that nobody is double-booked, at about 55% of clinic capacity.
        all_days = school_days(HISTORY_FROM, BOOKED_UNTIL)
        capacity = len(all_days) * len(SLOTS)
        n_advisers = max(4, math.ceil(n_interviews / (capacity * 0.55)))
        conn.execute("BEGIN")
        conn.execute("INSERT INTO schools (id, name, urn, la_code, has_sixth_form) "
                     "VALUES (1, 'Benchmark Academy', '199999', '801', 1)")
        conn.execute("INSERT INTO advisers (id, name, organisation, kind, qualification_level, cdi_number) "
                     "VALUES (1, 'Busy Adviser', 'Northway Careers Ltd', 'external', 6, 'CDI-100001')")
        for i, name in enumerate(adviser_names(rng, n_advisers - 1), start=2):
            conn.execute("INSERT INTO advisers (id, name, organisation, kind, qualification_level, cdi_number) "
                         "VALUES (?, ?, 'Northway Careers Ltd', 'external', 6, ?)", (i, name, f"CDI-{100000 + i}"))
        conn.execute("INSERT INTO settings (key, value) VALUES ('current_adviser_id', '1')")
        conn.execute("COMMIT")
        log(started, f"{n_advisers} advisers, {len(all_days):,} school days from {HISTORY_FROM} to {BOOKED_UNTIL}")

        # Interviews: the busy week first, then random slots for every adviser.
        taken: set[tuple[int, str]] = set()
        planned: list[tuple[str, int, int]] = []      # (start, adviser, pupil)
        for day in BUSY_WEEK:
            for minutes in SLOTS:
                for _ in range(20):
                    pid = gen.pick(day)
                    start = f"{day.isoformat()}T{hhmm(minutes)}"
                    if pid is not None and (pid, start) not in taken:
                        taken.add((pid, start))
                        planned.append((start, 1, pid))
                        break
        per_adviser = [0] * (n_advisers + 1)
        remaining = n_interviews - len(planned)
        for k in range(remaining):
            per_adviser[1 + k % n_advisers] += 1
        busy_days = set(BUSY_WEEK)
        for adviser in range(1, n_advisers + 1):
            days = [d for d in all_days if adviser != 1 or d not in busy_days]
            for index in sorted(rng.sample(range(len(days) * len(SLOTS)), per_adviser[adviser])):
                day, minutes = days[index // len(SLOTS)], SLOTS[index % len(SLOTS)]
                start = f"{day.isoformat()}T{hhmm(minutes)}"
                for _ in range(5):
                    pid = gen.pick(day)
                    if pid is not None and (pid, start) not in taken:
                        taken.add((pid, start))
                        planned.append((start, adviser, pid))
                        break
        planned.sort()
        log(started, f"planned {len(planned):,} interviews")

        now = NOW.strftime("%Y-%m-%dT%H:%M")
        interview_rows, event_rows, record_rows, action_rows = [], [], [], []
        for iid, (start, adviser, pid) in enumerate(planned, start=1):
            begin = datetime.fromisoformat(start)
            roll = rng.random()
            kind, minutes = ("guidance", 45) if roll < 0.8 else ("follow_up", 30) if roll < 0.95 else ("ehcp_review", 45)
            if adviser == 1 and begin.date() in busy_days:
                kind, minutes = "guidance", 45
            end = (begin + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")
            mode = "in_person" if rng.random() < 0.9 else rng.choice(("phone", "video"))
            place = "Careers office" if mode == "in_person" else None
            booked = (begin - timedelta(days=rng.randrange(3, 21))).replace(
                hour=rng.randrange(8, 17), minute=rng.randrange(60))
            if booked > NOW:
                booked = (NOW - timedelta(days=rng.randrange(1, 5))).replace(hour=rng.randrange(8, 17))
            booked_at = booked.strftime("%Y-%m-%dT%H:%M:%S")
            note = None
            if start >= now:
                status, last_at = "booked", booked_at
            else:
                roll = rng.random()
                status = "held" if roll < 0.85 else "cancelled" if roll < 0.92 else "did_not_attend"
                last_at = f"{end}:00" if status == "held" else f"{start}:00"
                if status == "cancelled":
                    note = rng.choice(CANCEL_NOTES)
            interview_rows.append((iid, f"bench-{iid}@gatsby-tui", pid, adviser, start, end, mode, place, kind,
                                   rng.choice(REASONS), status, note, booked_at, last_at))
            event_rows.append((iid, booked_at, "booked", start, None, adviser))
            if status != "booked":
                event_rows.append((iid, last_at, status, None, note, adviser))
            if status == "held" and kind == "guidance" and rng.random() < records:
                rid = len(record_rows) + 1
                held = begin.date()
                record_rows.append((
                    rid, iid, pid, adviser, start, mode, "Guidance meeting",
                    "In Year 11, enjoys science and practical subjects; part-time job at weekends.",
                    "Would like to work in engineering or health care.",
                    "Talked through sixth form, college and apprenticeship routes and entry requirements.",
                    "Apply to the college's engineering course and to one apprenticeship as a back-up.",
                    rng.choice(DESTINATIONS), (held + timedelta(days=42)).isoformat(),
                    (held + timedelta(days=2)).isoformat(), "Printed and handed over",
                    last_at, adviser, last_at, last_at))
                for owner, text in rng.sample(ACTIONS, rng.randrange(1, 3)):
                    due = held + timedelta(days=rng.randrange(14, 60))
                    done = due < NOW.date() and rng.random() < 0.8
                    action_rows.append((pid, rid, text, owner, due.isoformat(),
                                        "done" if done else "open", adviser, last_at,
                                        f"{due.isoformat()}T16:00:00" if done else last_at))
        extra = long_histories(long, seed, gen, planned, taken, n_advisers, all_days,
                               first_interview=len(interview_rows) + 1, first_record=len(record_rows) + 1,
                               first_action=len(action_rows) + 1)
        del planned, taken
        interview_rows += extra["interviews"]
        event_rows += extra["events"]
        record_rows += extra["records"]
        insert_chunked(conn, INTERVIEW_SQL, interview_rows, "interviews", started)
        insert_chunked(conn, EVENT_SQL, event_rows, "interview events", started)
        insert_chunked(conn, RECORD_SQL, record_rows, "meeting records", started)
        insert_chunked(conn, ACTION_SQL, action_rows, "actions", started)
        if long:
            for sql, key, what in ((LONG_ACTION_SQL, "actions", "long-history actions"),
                                   (MOVE_SQL, "moves", "long-history moves"),
                                   (AMENDMENT_SQL, "amendments", "long-history amendments"),
                                   (ACTION_EVENT_SQL, "action_events", "long-history action changes"),
                                   (AUDIT_SQL, "audit", "long-history register changes")):
                insert_chunked(conn, sql, extra[key], what, started)
            action_rows += extra["actions"]
            log(started, f"{long} pupils with long histories: {len(extra['interviews']):,} interviews, "
                         f"{len(extra['records']):,} records, {len(extra['actions']):,} actions")
        # The rows went in by executemany, outside the store's transactions: the triggers listed
        # every pupil as stale, so their coverage facts are worked out once, here.
        with transaction(conn):
            pass
        log(started, "coverage facts worked out")
    finally:
        conn.close()
    os.replace(tmp, out)
    size = out.stat().st_size
    log(started, f"wrote {out} ({size / 1024 / 1024:,.1f} MiB): {n_pupils:,} pupils, "
                 f"{len(interview_rows):,} interviews, {len(event_rows):,} events, "
                 f"{len(record_rows):,} meeting records, {len(action_rows):,} actions")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=20_000)
    parser.add_argument("--interviews", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=HERE / "big-20k.db")
    parser.add_argument("--records", type=float, default=0.3,
                        help="share of held guidance meetings given a meeting record (default 0.3)")
    parser.add_argument("--long-histories", type=int, default=3, metavar="N",
                        help="pupils given a long history (about 150 meetings since Year 7; default 3)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.pupils < 100:
        parser.error("--pupils: at least 100")
    if args.interviews < 50:
        parser.error("--interviews: at least 50 (the busy adviser's week)")
    out = args.out.expanduser().resolve()
    if not out.parent.is_dir():
        parser.error(f"the folder {out.parent} does not exist")
    build(out, args.pupils, args.interviews, args.records, args.seed, args.long_histories)
    return 0


if __name__ == "__main__":
    sys.exit(main())
