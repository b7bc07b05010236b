"""Meeting records (draft -> signed off -> amended), drafts, actions, follow-ups, snippets, audit."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from helpers import make_upn, pupil
from gatsby_tui.clock import FixedClock
from gatsby_tui.store import BookingRequest, RecordInvalid, Store, StoreError
from gatsby_tui.store import records


@pytest.fixture
def school(store: Store) -> dict:
    patel = store.advisers.add({"name": "Ms Patel", "qualification_level": "6"})
    jones = store.advisers.add({"name": "Mr Jones", "kind": "internal"})
    store.advisers.set_current(patel)
    amara = store.pupils.add(store.pupils.validate(pupil()))
    ben = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(2), legal_forename="Ben", legal_surname="Hughes")))
    return {"patel": patel, "jones": jones, "amara": amara, "ben": ben}


def held_interview(store: Store, school: dict, when: datetime = datetime(2026, 11, 20, 10, 0)) -> int:
    return store.bookings.book(BookingRequest(pupil_id=school["amara"], adviser_id=school["patel"], start=when), confirm=True)


COMPLETE = {
    "reason": "Post-16 options",
    "confidentiality_explained": True,
    "situation": "Year 10, enjoys design.",
    "advice_given": "Explained apprenticeship levels.\nShowed the college prospectus.",
    "decisions": "Apply to Riverside College\nVisit the open evening",
}


def audit_rows(store: Store, table: str) -> list[sqlite3.Row]:
    return store.conn.execute("SELECT * FROM audit_log WHERE table_name = ? ORDER BY id", (table,)).fetchall()


# ---------------------------------------------------------------- lifecycle


def test_record_lifecycle_draft_signed_off_amended(store: Store, school: dict) -> None:
    iid = held_interview(store, school)
    rid = store.records.start(interview_id=iid)
    assert store.records.start(interview_id=iid) == rid  # one record per interview
    rec = store.records.get(rid)
    assert rec["status"] == "draft" and rec["pupil_id"] == school["amara"]
    assert rec["held_at"] == "2026-11-20T10:00" and rec["adviser_name"] == "Ms Patel"
    assert rec["pupil_name"] == "Amara Okafor" and rec["year_group"] == 10

    changed = store.records.save(rid, {**COMPLETE, "intended_destination": "310", "follow_up_date": "15/01/2027"})
    assert "decisions" in changed and "follow_up_date" in changed
    assert store.records.save(rid, {"decisions": COMPLETE["decisions"]}) == []  # nothing changed
    rec = store.records.get(rid)
    assert rec["follow_up_date"] == "2027-01-15" and rec["confidentiality_explained"] is True
    assert rec["destination_label"] == "Apprenticeship"
    assert "\n" in rec["advice_given"]

    store.records.sign_off(rid)
    rec = store.records.get(rid)
    assert rec["status"] == "signed_off" and rec["signed_off_by"] == school["patel"]
    assert rec["signed_off_at"] == "2026-11-22T10:00:00"
    assert store.bookings.get(iid)["status"] == "held"
    assert [e["event"] for e in store.bookings.events(iid)] == ["booked", "held"]

    with pytest.raises(StoreError, match="signed off"):
        store.records.save(rid, {"decisions": "changed"})
    with pytest.raises(sqlite3.IntegrityError, match="signed off"):
        store.conn.execute("UPDATE meeting_records SET decisions = 'sneaky' WHERE id = ?", (rid,))
    with pytest.raises(StoreError, match="reason"):
        store.records.amend(rid, "decisions", "Apply to Northway College", "  ")

    store.records.amend(rid, "decisions", "Apply to Northway College", "Pupil corrected the college")
    store.records.amend(rid, "decisions", "Apply to Northway College and Riverside", "Both, after all")
    rec = store.records.get(rid)
    assert rec["decisions"] == COMPLETE["decisions"]  # the original stays
    assert records.effective_text(rec, "decisions") == "Apply to Northway College and Riverside"
    assert rec["effective"]["decisions"] == "Apply to Northway College and Riverside"
    first, second = rec["amendments"]
    assert first["original_text"] == COMPLETE["decisions"] and first["reason"] == "Pupil corrected the college"
    assert second["original_text"] == "Apply to Northway College"
    assert records.effective_text(rec, "advice_given") == COMPLETE["advice_given"]
    with pytest.raises(StoreError, match="nothing to amend"):
        store.records.amend(rid, "decisions", "Apply to Northway College and Riverside", "again")


def test_sign_off_refused_when_incomplete_or_by_another_adviser(store: Store, school: dict) -> None:
    rid = store.records.start(pupil_id=school["amara"], held_at=datetime(2026, 11, 21, 12, 0))
    store.records.save(rid, {"reason": "Corridor chat", "decisions": "Think about sixth form"})
    with pytest.raises(StoreError) as err:
        store.records.sign_off(rid)
    message = str(err.value)
    assert "confidentiality explained" in message and "advice given" in message
    assert "decisions" not in message
    store.records.save(rid, COMPLETE)
    store.advisers.set_current(school["jones"])
    with pytest.raises(StoreError, match="Only Ms Patel"):
        store.records.sign_off(rid)
    assert store.records.get(rid)["status"] == "draft"
    store.advisers.set_current(school["patel"])
    store.records.sign_off(rid)
    assert store.records.get(rid)["interview_id"] is None


def test_record_for_cancelled_or_future_meeting(store: Store, school: dict) -> None:
    iid = held_interview(store, school)
    store.bookings.cancel(iid, "pupil ill")
    with pytest.raises(StoreError, match="cancelled"):
        store.records.start(interview_id=iid)
    later = held_interview(store, school, datetime(2026, 11, 24, 10, 0))
    rid = store.records.start(interview_id=later)
    store.records.save(rid, COMPLETE)
    with pytest.raises(StoreError, match="not happened yet"):
        store.records.sign_off(rid)


def test_values_are_checked_and_cleaned(store: Store, school: dict) -> None:
    rid = store.records.start(pupil_id=school["amara"])
    store.records.save(rid, {"situation": "Line one\x07\nLine\ttwo\x1b[31m", "referrals": "   "})
    rec = store.records.get(rid)
    assert rec["situation"] == "Line one\nLine\ttwo[31m" and rec["referrals"] is None
    with pytest.raises(RecordInvalid) as err:
        store.records.save(rid, {"follow_up_date": "31/02/2027", "advice_given": "x" * 20_001,
                                "decisions": "kept?"})
    assert set(err.value.errors) == {"follow_up_date", "advice_given"}
    assert "20,000" in err.value.errors["advice_given"]
    assert store.records.get(rid)["decisions"] is None  # nothing written
    store.records.save(rid, {"advice_given": "y" * 20_000})
    with pytest.raises(StoreError, match="no field"):
        store.records.save(rid, {"status": "signed_off"})


def test_nccis_code_by_number_by_name_and_near_matches(store: Store, school: dict) -> None:
    assert len(store.records.nccis_codes()) > 40
    assert [r["code"] for r in store.records.find_nccis("310")] == ["310"]
    assert [r["code"] for r in store.records.find_nccis("apprentice")] == ["310"]
    assert {"340", "330"} <= {r["code"] for r in store.records.find_nccis("employment with")}
    rid = store.records.start(pupil_id=school["amara"])
    store.records.save(rid, {"intended_destination": "Sixth-form college"})
    assert store.records.get(rid)["intended_destination"] == "220"
    store.records.save(rid, {"intended_destination": "apprenticeship"})
    assert store.records.get(rid)["intended_destination"] == "310"
    with pytest.raises(RecordInvalid) as err:
        store.records.save(rid, {"intended_destination": "Aprentiseship"})
    assert "310 Apprenticeship" in err.value.errors["intended_destination"]
    with pytest.raises(RecordInvalid) as err:
        store.records.save(rid, {"intended_destination": "399"})
    assert "not an NCCIS destination code" in str(err.value) and "380 Self-employment" in str(err.value)
    with pytest.raises(RecordInvalid, match="several"):
        store.records.save(rid, {"intended_destination": "employment"})
    store.records.save(rid, {"intended_destination": ""})
    assert store.records.get(rid)["intended_destination"] is None


# ---------------------------------------------------------------- drafts


def test_draft_round_trip_and_survives_a_crash(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "crash.db"
    s = Store.open(path, clock=clock)
    payload = {"decisions": "Apply to Riverside\nVisit", "confidentiality_explained": True, "n": "Nía ✓"}
    s.records.save_draft("record:42", payload)
    s.records.save_draft("record:42", {**payload, "decisions": "Apply to Riverside\nVisit the open evening"})
    # A killed process: the connection goes away with nothing else done.
    s.conn.close()
    again = Store.open(path, clock=clock, create=False)
    try:
        got = again.records.load_draft("record:42")
        assert got == {**payload, "decisions": "Apply to Riverside\nVisit the open evening"}
        assert again.records.load_draft("record:43") is None
        assert again.conn.execute("SELECT count(*) FROM audit_log WHERE table_name = 'drafts'").fetchone()[0] == 0
        again.records.discard_draft("record:42")
        assert again.records.load_draft("record:42") is None
    finally:
        again.close()


def test_sign_off_discards_the_records_draft(store: Store, school: dict) -> None:
    rid = store.records.start(pupil_id=school["amara"])
    store.records.save_draft(f"record:{rid}", {"decisions": "typing…"})
    store.records.save(rid, COMPLETE)
    store.records.sign_off(rid)
    assert store.records.load_draft(f"record:{rid}") is None


# ---------------------------------------------------------------- actions and follow-ups


def test_actions_keep_their_status_history(store: Store, school: dict) -> None:
    rid = store.records.start(pupil_id=school["amara"])
    aid = store.actions.add(pupil_id=school["amara"], record_id=rid, description="Apply to Riverside",
                           owner="pupil", due="30/11/2026")
    store.actions.reassign(aid, "parent/carer", note="Mum will help")
    store.actions.set_status(aid, "done", note="Applied online")
    with pytest.raises(StoreError, match="already marked as done"):
        store.actions.set_status(aid, "done")
    events = store.actions.events(aid)
    assert [(e["status"], e["owner"]) for e in events] == [("open", "pupil"), ("open", "parent"), ("done", "parent")]
    assert all(e["at"] == "2026-11-22T10:00:00" for e in events)
    assert events[2]["note"] == "Applied online"
    rec = store.records.get(rid)
    assert rec["actions"][0]["status"] == "done" and len(rec["actions"][0]["events"]) == 3
    with pytest.raises(StoreError, match="who owns"):
        store.actions.add(pupil_id=school["amara"], description="x", owner="teacher")
    with pytest.raises(StoreError, match="another pupil"):
        store.actions.add(pupil_id=school["ben"], record_id=rid, description="x", owner="pupil")
    with pytest.raises(StoreError, match="no day 31"):
        store.actions.add(pupil_id=school["amara"], description="x", owner="pupil", due="31/11/2026")
    # A due date typed as meeting times are: "15/1" is the next 15 January.
    short = store.actions.add(pupil_id=school["amara"], description="Visit the college", owner="pupil", due="15/1")
    assert store.conn.execute("SELECT due_date FROM actions WHERE id = ?", (short,)).fetchone()[0] == "2027-01-15"


def test_follow_ups_overdue_first_filtered_and_paged(store: Store, school: dict) -> None:
    a, b = school["amara"], school["ben"]
    undated = store.actions.add(pupil_id=a, description="Think about it", owner="pupil")
    later = store.actions.add(pupil_id=b, description="Open evening", owner="parent", due="10/12/2026")
    overdue = store.actions.add(pupil_id=a, description="Send CV", owner="pupil", due="01/11/2026")
    today = store.actions.add(pupil_id=b, description="Call college", owner="adviser", due="22/11/2026")
    done = store.actions.add(pupil_id=a, description="Done already", owner="pupil", due="01/10/2026")
    store.actions.set_status(done, "done")
    other = store.actions.add(pupil_id=b, description="School task", owner="school", due="02/11/2026",
                             adviser_id=school["jones"])

    rows = store.actions.follow_ups()
    assert [r.action_id for r in rows] == [overdue, other, today, later, undated]
    assert [r.overdue for r in rows] == [True, True, False, False, False]
    first = rows[0]
    assert first.pupil_name == "Amara Okafor" and first.year_group == 10 and first.owner == "pupil"
    assert str(first.due) == "2026-11-01"

    assert [r.action_id for r in store.actions.follow_ups(owner="pupil")] == [overdue, undated]
    assert [r.action_id for r in store.actions.follow_ups(due_before="22/11/2026")] == [overdue, other, today]
    assert [r.action_id for r in store.actions.follow_ups(adviser_id=school["jones"])] == [other]

    paged, after = [], None
    while True:
        page = store.actions.follow_ups(limit=2, after=after)
        if not page:
            break
        paged += [r.action_id for r in page]
        after = page[-1].key
    assert paged == [r.action_id for r in rows]

    plan = store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT a.id FROM actions a JOIN pupils p ON p.id = a.pupil_id "
        "WHERE a.status = 'open' AND a.due_date IS NOT NULL ORDER BY a.due_date, a.id").fetchall()
    assert any("actions_open" in row[3] for row in plan)


# ---------------------------------------------------------------- snippets


def test_snippets(store: Store, school: dict) -> None:
    sid = store.records.add_snippet("Apprenticeship levels", "Level 2 intermediate, level 3 advanced…")
    store.records.add_snippet("Jones only", "text", adviser_id=school["jones"])
    assert [r["title"] for r in store.records.snippets()] == ["Apprenticeship levels"]
    with pytest.raises(StoreError, match="title"):
        store.records.add_snippet(" ", "body")
    store.records.delete_snippet(sid)
    assert store.records.snippets() == []


# ---------------------------------------------------------------- audit


def test_every_change_is_audited_and_the_log_refuses_edits(store: Store, school: dict) -> None:
    rid = store.records.start(pupil_id=school["amara"])
    store.records.save(rid, {**COMPLETE, "confidential_notes": "Safeguarding: see DSL"})
    store.records.save(rid, {"decisions": "Apply to Riverside College"})
    store.records.sign_off(rid)
    store.records.amend(rid, "referrals", "Referred to the SENCO", "Forgot to record it")
    aid = store.actions.add(pupil_id=school["amara"], record_id=rid, description="Apply", owner="pupil")
    store.actions.reassign(aid, "school")
    store.actions.set_status(aid, "cancelled", note="No longer needed")

    rec_log = audit_rows(store, "meeting_records")
    assert [r["action"] for r in rec_log] == ["insert", "update", "update", "update"]
    change = rec_log[2]
    assert json.loads(change["before"]) == {"decisions": COMPLETE["decisions"]}
    assert json.loads(change["after"]) == {"decisions": "Apply to Riverside College"}
    assert json.loads(rec_log[3]["after"])["status"] == "signed_off"
    assert all(r["adviser_id"] == school["patel"] and r["pupil_id"] == school["amara"] for r in rec_log)
    amendment = audit_rows(store, "record_amendments")
    assert len(amendment) == 1 and json.loads(amendment[0]["after"])["reason"] == "Forgot to record it"
    act_log = audit_rows(store, "actions")
    assert [r["action"] for r in act_log] == ["insert", "update", "update"]
    assert json.loads(act_log[1]["after"]) == {"owner": "school"}
    assert json.loads(act_log[2]["before"])["status"] == "open"
    assert json.loads(act_log[2]["after"]) == {"status": "cancelled", "note": "No longer needed"}

    mine = store.audit.for_adviser(school["patel"], 100)
    assert len(mine) >= 8 and mine[0]["at"] >= mine[-1]["at"]
    assert store.audit.for_adviser(school["jones"]) == []
    assert len(store.audit.for_pupil(school["amara"])) >= 8

    with pytest.raises(sqlite3.IntegrityError, match="audit log cannot be changed"):
        store.conn.execute("UPDATE audit_log SET after = NULL WHERE id = ?", (rec_log[0]["id"],))
    with pytest.raises(sqlite3.IntegrityError, match="audit log cannot be changed"):
        store.conn.execute("DELETE FROM audit_log WHERE id = ?", (rec_log[0]["id"],))


def test_a_new_record_starts_from_the_booking_and_the_last_record(store: Store, school: dict) -> None:
    first = store.records.start(interview_id=held_interview(store, school))
    assert store.records.get(first)["reason"] is None                     # nothing to start from yet
    store.records.save(first, {**COMPLETE, "intended_destination": "310", "copy_given_how": "Printed, handed over",
                              "follow_up_date": "15/1"})
    assert store.records.get(first)["follow_up_date"] == "2027-01-15"      # typed as meeting dates are
    store.records.sign_off(first)
    store.records.amend(first, "intended_destination", "230", "changed her mind")
    booked = store.bookings.book(BookingRequest(pupil_id=school["amara"], adviser_id=school["patel"],
                                       start=datetime(2026, 11, 24, 10, 0), reason="Check the application"))
    second = store.records.get(store.records.start(interview_id=booked))
    assert second["reason"] == "Check the application"                # from the booking
    assert second["intended_destination"] == "230"                    # the last record's, as amended
    assert second["copy_given_how"] == "Printed, handed over"         # how this adviser gives copies
    assert second["situation"] is None and not second["confidentiality_explained"]
    # Opened by mistake and closed: it holds only what it started with, so it is not kept ...
    assert store.records.discard_if_untouched(second["id"])
    assert store.records.get(second["id"]) is None
    # ... but one word changed from those starting values, and it is kept.
    third = store.records.start(interview_id=booked)
    store.records.save(third, {"copy_given_how": "Emailed"})
    assert not store.records.discard_if_untouched(third)
    assert store.records.get(third)["copy_given_how"] == "Emailed"
    # A draft written some other way (its insert not in the log) is never taken for untouched.
    elsewhere = store.conn.execute(
        "INSERT INTO meeting_records (pupil_id, adviser_id, held_at, mode, status, situation, created_at, updated_at) "
        "VALUES (?, ?, '2026-11-20T09:00', 'in_person', 'draft', 'Written elsewhere', '2026-11-20T09:00', "
        "'2026-11-20T09:00')", (school["amara"], school["patel"])).lastrowid
    assert not store.records.discard_if_untouched(elsewhere)
    assert store.records.get(elsewhere)["situation"] == "Written elsewhere"
