"""The pupil's history timeline, its filters, the summary (Benchmark 8 counts) and the history CLI."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from helpers import make_upn, pupil
from gatsby_tui.cli import main
from gatsby_tui.store import BookingRequest, Store


@pytest.fixture
def school(store: Store) -> dict:
    patel = store.advisers.add({"name": "Ms Patel"})
    store.advisers.set_current(patel)
    amara = store.pupils.add(store.pupils.validate(pupil()))
    return {"patel": patel, "amara": amara}


def book(store: Store, pupil_id: int, adviser_id: int, when: datetime, kind: str = "guidance") -> int:
    return store.bookings.book(BookingRequest(pupil_id=pupil_id, adviser_id=adviser_id, start=when, kind=kind), confirm=True)


COMPLETE = {"confidentiality_explained": "yes", "advice_given": "Options explained.",
            "decisions": "Apply to Riverside College\nVisit the open evening", "intended_destination": "230"}


def filled_history(store: Store, school: dict) -> dict:
    a, p = school["amara"], school["patel"]
    held = book(store, a, p, datetime(2026, 11, 16, 10, 0))
    rid = store.records.start(interview_id=held)
    store.records.save(rid, COMPLETE)
    store.records.sign_off(rid)
    store.records.amend(rid, "decisions", "Apply to Northway College", "Pupil corrected the college")
    aid = store.actions.add(pupil_id=a, record_id=rid, description="Send the application", owner="pupil",
                           due="30/11/2026")
    store.actions.set_status(aid, "done", note="Sent on Friday")
    draft = store.records.start(pupil_id=a, held_at=datetime(2026, 11, 21, 12, 30))
    store.records.save(draft, {"decisions": "Think about A levels"})
    nxt = book(store, a, p, datetime(2026, 12, 1, 10, 0))
    return {"held": held, "record": rid, "action": aid, "draft": draft, "next": nxt}


def test_history_holds_records_amendments_and_actions_newest_first(store: Store, school: dict) -> None:
    ids = filled_history(store, school)
    events = store.history.for_pupil(school["amara"])
    ats = [e.at for e in events]
    assert ats == sorted(ats, reverse=True)
    titles = [(e.kind, e.title, e.detail, e.ref) for e in events]
    assert ("record", "Guidance record signed off", "Apply to Northway College", f"record:{ids['record']}") in titles
    assert ("record", "Draft record", "Think about A levels", f"record:{ids['draft']}") in titles
    amended = next(e for e in events if e.title.startswith("Record amended"))
    assert amended.title == "Record amended: decisions agreed" and amended.detail == "Pupil corrected the college"
    assert store.history.target(amended.ref) == f"record:{ids['record']}"
    action = next(e for e in events if e.ref == f"action:{ids['action']}")
    assert action.title == "Action for the pupil" and action.detail == "Send the application (due 30/11/2026)"
    done = next(e for e in events if e.title == "Action done")
    assert done.detail == "Send the application — Sent on Friday"
    assert store.history.target(done.ref) == f"action:{ids['action']}"
    assert events[0].ref == f"interview:{ids['next']}"  # the booked meeting in December is newest
    assert {e.kind for e in events} == {"meeting", "record", "action", "register"}
    assert all("Safeguard" not in e.detail for e in events)
    assert len(store.history.for_pupil(school["amara"], 3)) == 3
    assert len(store.history.for_pupil(school["amara"], limit=3)) == 3


def test_history_filters_by_kind_and_search(store: Store, school: dict) -> None:
    filled_history(store, school)
    records = store.history.for_pupil(school["amara"], kind="record")
    assert {e.kind for e in records} == {"record"} and len(records) == 3
    assert {e.kind for e in store.history.for_pupil(school["amara"], kind="action")} == {"action"}
    found = store.history.for_pupil(school["amara"], search="NORTHWAY")
    assert [e.title for e in found] == ["Guidance record signed off"]
    assert [e.title for e in store.history.for_pupil(school["amara"], search="friday")] == ["Action done"]
    assert store.history.for_pupil(school["amara"], kind="meeting", search="northway") == []
    with pytest.raises(ValueError):
        store.history.for_pupil(school["amara"], kind="nonsense")


def test_summary(store: Store, school: dict) -> None:
    filled_history(store, school)
    store.conn.execute("UPDATE pupils SET sen_status = 'K', pupil_premium = 1 WHERE id = ?", (school["amara"],))
    s = store.history.summary(school["amara"])
    assert s["year_group"] == 10 and s["sen_label"] == "SEN support" and s["flags"] == ["PP"]
    assert s["last_meeting"]["starts_at"] == "2026-11-16T10:00"
    assert s["next_meeting"]["starts_at"] == "2026-12-01T10:00"
    assert s["open_actions"] == 0
    assert s["intended_destination"]["code"] == "230"
    assert s["intended_destination"]["label"] == "Further education"
    # one held guidance meeting, and the unplanned draft does not count until signed off
    assert s["guidance_by_16"] == 1 and s["guidance_by_18"] == 1


def test_summary_counts_by_16_and_18_on_the_boundaries(store: Store, school: dict) -> None:
    p = school["patel"]
    # Born March 2009: Year 7 in 2020/21, Year 11 ends 31 Aug 2025, Year 13 ends 31 Aug 2027.
    older = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(9), legal_forename="Zoe", dob="14/03/2009")))
    s = store.history.summary(older)
    assert s["year_group"] == 13 and str(s["end_of_year_11"]) == "2025-08-31"
    for when, kind in [(datetime(2025, 8, 31, 10, 0), "guidance"),      # last day of Year 11: by 16
                       (datetime(2025, 9, 1, 10, 0), "follow_up"),      # first day of Year 12: by 18 only
                       (datetime(2025, 6, 1, 10, 0), "group"),          # not personal guidance
                       (datetime(2026, 11, 2, 10, 0), "guidance")]:
        store.bookings.mark_held(book(store, older, p, when, kind))
    cancelled = book(store, older, p, datetime(2025, 3, 3, 10, 0))
    store.bookings.cancel(cancelled, "adviser ill")
    unplanned = store.records.start(pupil_id=older, held_at=datetime(2025, 8, 31, 14, 0))
    store.records.save(unplanned, COMPLETE)
    store.records.sign_off(unplanned)
    s = store.history.summary(older)
    assert s["guidance_by_16"] == 2   # 31 Aug meeting + the unplanned conversation that day
    assert s["guidance_by_18"] == 4
    assert s["last_meeting"]["starts_at"] == "2026-11-02T10:00" and s["next_meeting"] is None
    assert s["intended_destination"]["source"] == f"record:{unplanned}"


def test_history_cli(store: Store, school: dict, capsys: pytest.CaptureFixture[str]) -> None:
    filled_history(store, school)
    db = str(store.path)
    upn = store.pupils.get(school["amara"])["upn"]
    assert main(["history", "--db", db, "--upn", upn.lower()]) == 0
    out = capsys.readouterr().out
    assert "Amara Okafor" in out and "Guidance record signed off" in out and "Apply to Northway College" in out
    assert main(["history", "--db", db, "--upn", upn, "--format", "json", "--kind", "record"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["upn"] == upn and {e["kind"] for e in doc["events"]} == {"record"}
    assert doc["intended_destination"] == {"code": "230", "words": "Further education"}
    assert main(["history", "--db", db, "--upn", make_upn(77)]) == 3
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "No pupil with UPN" in captured.err
    assert main(["history", "--db", db, "--upn", "nonsense"]) == 3
    assert "No pupil with UPN" in capsys.readouterr().err
