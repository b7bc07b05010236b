"""The demo's subject access requests and copies given.

Called by ``sample.data.build`` last. Written through ``store.sar`` as the app writes them
(checked, audited), stamped on the day each thing happened; copies given are rows of
exports_given as an export writes them (the files themselves are not in the demo).

The story: action plans were handed to pupils after most signed-off meetings this term; a
Year 13 pupil asked for their record in September and it was posted home within the month; a
Year 11 parent's request arrived last week and is open (due in December); and an older request
from a Year 12 pupil, for which the adviser gathered records from two services, was extended.

This module never imports Textual.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from gatsby_tui.domain import schoolyear
from gatsby_tui.store import sar

ADVISER = 1


def _pupil_in(conn: sqlite3.Connection, year: int, sy: int, offset: int) -> int:
    intake = schoolyear.intake_year_for(year, sy)
    return conn.execute("SELECT id FROM pupils WHERE intake_year = ? AND date_left IS NULL ORDER BY sort_name, id "
                        "LIMIT 1 OFFSET ?", (intake, offset)).fetchone()[0]


def add_requests(conn: sqlite3.Connection, *, reference_day: date) -> None:
    sy = schoolyear.school_year_of(reference_day)
    term_began = date(sy, 9, 1).isoformat()
    plans_given = conn.execute(
        "SELECT id, pupil_id, signed_off_at FROM meeting_records WHERE status = 'signed_off' AND held_at >= ? "
        "ORDER BY held_at, id", (term_began,)).fetchall()
    with conn:
        for n, r in enumerate(plans_given):
            if n % 5 == 4:
                continue                 # not every pupil took their plan away
            conn.execute("INSERT INTO exports_given (pupil_id, kind, format, given_on, how, record_id, adviser_id, "
                         "given_at) VALUES (?, 'action_plan', 'pdf', ?, 'handed over', ?, ?, ?)",
                         (r["pupil_id"], r["signed_off_at"][:10], r["id"], ADVISER, r["signed_off_at"]))

    def stamp(day: date) -> str:
        return f"{day.isoformat()}T10:00:00"

    y13 = _pupil_in(conn, 13, sy, 3)
    received = reference_day - timedelta(days=62)
    done = sar.log(conn, y13, {"requester_kind": "pupil", "received_on": received.strftime("%d/%m/%Y"),
                               "notes": "Asked in person at the careers office; ID not needed (known to staff)."},
                   stamp=stamp(received), today=received, adviser_id=ADVISER)
    answered = received + timedelta(days=20)
    with conn:
        conn.execute("INSERT INTO exports_given (pupil_id, kind, format, given_on, how, sar_id, withheld, adviser_id, "
                     "given_at) VALUES (?, 'record', 'pdf', ?, 'posted home', ?, ?, ?, ?)",
                     (y13, answered.isoformat(), done, "The adviser's confidential notes from 1 meeting.", ADVISER,
                      stamp(answered)))
        sar.mark_fulfilled(conn, done, y13, stamp=stamp(answered), today=answered, adviser_id=ADVISER)

    y11 = _pupil_in(conn, 11, sy, 7)
    received = reference_day - timedelta(days=6)
    sar.log(conn, y11, {"requester_kind": "parent", "requester_name": "Mrs J. Haworth",
                        "received_on": received.strftime("%d/%m/%Y"),
                        "notes": "By email to the school office; parental responsibility confirmed by the office."},
            stamp=stamp(received), today=received, adviser_id=ADVISER)

    y12 = _pupil_in(conn, 12, sy, 11)
    received = reference_day - timedelta(days=27)
    long = sar.log(conn, y12, {"requester_kind": "pupil", "received_on": received.strftime("%d/%m/%Y")},
                   stamp=stamp(received), today=received, adviser_id=ADVISER)
    sar.extend(conn, long, "Records held by the sixth-form team and the previous school's careers service to gather.",
               stamp=stamp(received + timedelta(days=10)), today=received + timedelta(days=10), adviser_id=ADVISER)
