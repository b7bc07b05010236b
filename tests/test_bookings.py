"""Booking guidance interviews through the Store (gatsby_tui.store.bookings, advisers, clinics)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from helpers import make_upn, pupil
from gatsby_tui.store import Store, StoreError
from gatsby_tui.store.bookings import (AgendaRow, BookingRefused, BookingRequest, BulkFilter, NeedsConfirmation)

TUE = date(2026, 11, 24)


def at(day: date, hhmm: str) -> datetime:
    h, m = hhmm.split(":")
    return datetime(day.year, day.month, day.day, int(h), int(m))


def counts(store: Store) -> tuple[int, int, int]:
    q = lambda sql: store.conn.execute(sql).fetchone()[0]  # noqa: E731
    return (q("SELECT count(*) FROM interviews"), q("SELECT count(*) FROM interview_events"),
            q("SELECT count(*) FROM audit_log"))


@pytest.fixture
def school(store: Store) -> dict:
    patel = store.advisers.add({"name": "Ms Patel", "organisation": "Northway Careers", "qualification_level": "6"})
    jones = store.advisers.add({"name": "Mr Jones", "kind": "internal"})
    store.advisers.set_current(patel)
    store.bookings.add_clinic({"adviser_id": patel, "weekdays": "tue,thu", "start": "09:00", "end": "15:00",
                      "slot_minutes": "45", "break_start": "12:00", "break_end": "12:45",
                      "place": "Careers office", "valid_from": "01/09/2026", "valid_until": ""})
    people = {
        "Okafor": dict(legal_forename="Amara", sen_status="N"),
        "Hughes": dict(legal_forename="Ben", sen_status="N"),
        "Doyle": dict(legal_forename="Cara", sen_status="K"),
        "Evans": dict(legal_forename="Dan", sen_status="E"),
        "Ahmed": dict(legal_forename="Zain", sen_status="N", looked_after=True),
        "Brown": dict(legal_forename="Yara", sen_status="N", pupil_premium=True),
        "Carter": dict(legal_forename="Xavier", sen_status="N", form="11B"),
    }
    ids = {}
    for i, (surname, extra) in enumerate(people.items(), start=1):
        values = pupil(**{"upn": make_upn(i), "legal_surname": surname, "dob": "14/03/2011", "form": "11A", **extra})
        ids[surname] = store.pupils.add(store.pupils.validate(values))
    # A Year 10 pupil, to check year filters.
    ids["Young"] = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(50), legal_surname="Young",
                                                              legal_forename="Ava", dob="14/03/2012")))
    return {"patel": patel, "jones": jones, **ids}


def req(school: dict, who: str, when: datetime, minutes: int = 45, adviser: str = "patel", **kw) -> BookingRequest:
    return BookingRequest(pupil_id=school[who], adviser_id=school[adviser], start=when, minutes=minutes, **kw)


# ---------------------------------------------------------------- booking and its record


def test_book_writes_the_interview_its_event_and_an_audit_entry(store, school):
    before = counts(store)
    iid = store.bookings.book(req(school, "Okafor", at(TUE, "10:30"), reason="Post-16 options"))
    row = store.bookings.get(iid)
    assert (row["starts_at"], row["ends_at"], row["status"], row["mode"], row["kind"]) == (
        "2026-11-24T10:30", "2026-11-24T11:15", "booked", "in_person", "guidance")
    assert row["place"] == "Careers office", "in person with no place: the clinic's room"
    assert row["uid"].endswith("@gatsby-tui") and len(row["uid"]) > 30
    assert row["pupil_name"] == "Amara Okafor" and row["adviser_name"] == "Ms Patel" and row["year_group"] == 11
    events = store.bookings.events(iid)
    assert [(e["event"], e["to_start"], e["adviser_id"]) for e in events] == [
        ("booked", "2026-11-24T10:30", school["patel"])]
    audit = store.conn.execute("SELECT * FROM audit_log WHERE table_name = 'interviews'").fetchall()
    assert [(a["action"], a["row_id"], a["pupil_id"], a["adviser_id"]) for a in audit] == [
        ("insert", iid, school["Okafor"], school["patel"])]
    assert counts(store) == (before[0] + 1, before[1] + 1, before[2] + 1)
    other = store.bookings.book(req(school, "Hughes", at(TUE, "11:15")))
    assert store.bookings.get(other)["uid"] != row["uid"]


def test_adviser_clash_is_refused_with_a_sentence_naming_it(store, school):
    store.bookings.book(req(school, "Okafor", at(TUE, "10:00")))
    before = counts(store)
    with pytest.raises(BookingRefused) as caught:
        store.bookings.book(req(school, "Hughes", at(TUE, "10:30")))
    assert caught.value.clashes == ["Ms Patel already has Amara Okafor (Year 11) booked 10:00–10:45 on Tue 24 Nov."]
    assert counts(store) == before


def test_pupil_clash_with_another_adviser_is_refused(store, school):
    store.bookings.book(req(school, "Okafor", at(TUE, "10:30"), adviser="jones"), confirm=True)
    check = store.bookings.check(req(school, "Okafor", at(TUE, "10:00")))
    assert check.clashes == ["Amara Okafor is already booked with Mr Jones 10:30–11:15 on Tue 24 Nov."]


@pytest.mark.parametrize("start, minutes, clash", [
    ("10:44", 45, True),    # one minute into the end of 10:00–10:45
    ("09:16", 45, True),    # ends 10:01, one minute into the start
    ("10:45", 45, False),   # touching the end
    ("09:15", 45, False),   # touching the start
    ("10:10", 5, True),     # inside
    ("09:30", 120, True),   # around it
])
def test_clashes_at_the_minute_boundary(store, school, start, minutes, clash):
    store.bookings.book(req(school, "Okafor", at(TUE, "10:00")))
    adviser_check = store.bookings.check(req(school, "Hughes", at(TUE, start), minutes))
    pupil_check = store.bookings.check(req(school, "Okafor", at(TUE, start), minutes, adviser="jones"))
    assert bool(adviser_check.clashes) is clash
    assert bool(pupil_check.clashes) is clash
    if not clash:
        store.bookings.book(req(school, "Hughes", at(TUE, start), minutes), confirm=True)


def test_held_meetings_block_but_cancelled_and_missed_ones_free_the_time(store, school, clock):
    iid = store.bookings.book(req(school, "Okafor", at(TUE, "10:00")))
    store.bookings.cancel(iid, "Pupil ill")
    assert not store.bookings.check(req(school, "Hughes", at(TUE, "10:00"))).clashes
    clock.moment = datetime(2026, 11, 24, 16, 0)
    iid2 = store.bookings.book(req(school, "Hughes", at(TUE, "11:15")), confirm=True)
    store.bookings.mark_did_not_attend(iid2)
    assert not store.bookings.check(req(school, "Doyle", at(TUE, "11:15")), ).clashes
    iid3 = store.bookings.book(req(school, "Doyle", at(TUE, "13:30")), confirm=True)
    store.bookings.mark_held(iid3)
    assert "already met" in store.bookings.check(req(school, "Evans", at(TUE, "13:30"))).clashes[0]


def test_a_pupil_who_has_left_cannot_be_booked(store, school):
    store.pupils.set_left(school["Okafor"], TUE)
    with pytest.raises(BookingRefused, match="Amara Okafor left the school on 24 November 2026 and cannot be booked"):
        store.bookings.book(req(school, "Okafor", at(TUE, "10:00")), confirm=True)
    store.pupils.set_left(school["Okafor"], TUE + timedelta(days=1))
    store.bookings.book(req(school, "Okafor", at(TUE, "10:00")))       # still on roll that day


# ---------------------------------------------------------------- warnings


def test_weekend_past_and_outside_hours_warn_and_can_be_confirmed(store, school):
    cases = {
        at(date(2026, 11, 28), "10:00"): ["Sat 28 Nov is at the weekend.",
                                          "10:00–10:45 on Sat 28 Nov is outside Ms Patel's clinic hours."],
        at(date(2026, 11, 20), "10:00"): ["Fri 20 Nov 10:00 is in the past.",
                                          "10:00–10:45 on Fri 20 Nov is outside Ms Patel's clinic hours."],
        at(date(2026, 11, 23), "10:00"): ["10:00–10:45 on Mon 23 Nov is outside Ms Patel's clinic hours."],
        at(TUE, "14:30"): ["14:30–15:15 on Tue 24 Nov is outside Ms Patel's clinic hours."],
        at(TUE, "11:30"): ["11:30–12:15 on Tue 24 Nov runs into Ms Patel's clinic break (12:00–12:45)."],
    }
    for i, (when, warnings) in enumerate(cases.items()):
        who = ["Okafor", "Hughes", "Doyle", "Evans", "Ahmed"][i]
        before = counts(store)
        with pytest.raises(NeedsConfirmation) as caught:
            store.bookings.book(req(school, who, when))
        assert caught.value.warnings == warnings
        assert counts(store) == before, "nothing written until confirmed"
        store.bookings.book(req(school, who, when), confirm=True)
    assert counts(store)[0] == len(cases)


def test_a_day_off_or_holiday_warns_with_its_reason(store, school):
    store.bookings.add_clinic_exception({"first_day": "01/12/2026", "reason": "Training day", "everyone": True})
    check = store.bookings.check(req(school, "Okafor", at(date(2026, 12, 1), "10:00")))
    assert check.warnings == ["Ms Patel has no clinic on Tue 1 Dec (Training day)."]
    assert not check.clashes


def test_an_adviser_without_clinic_hours_gets_no_clinic_warning(store, school):
    check = store.bookings.check(req(school, "Okafor", at(date(2026, 11, 23), "16:00"), adviser="jones"))
    assert check.ok


def test_invalid_requests_are_refused_with_a_sentence(store, school):
    with pytest.raises(StoreError, match="must end on the day it starts"):
        store.bookings.book(req(school, "Okafor", at(TUE, "23:30"), 45), confirm=True)
    with pytest.raises(StoreError, match="4 hours"):
        store.bookings.book(req(school, "Okafor", at(TUE, "09:00"), 300), confirm=True)
    with pytest.raises(StoreError, match="in person, by phone or by video"):
        store.bookings.book(req(school, "Okafor", at(TUE, "09:00"), mode="carrier pigeon"))
    with pytest.raises(StoreError, match="no longer on the register"):
        store.bookings.book(BookingRequest(pupil_id=9999, adviser_id=school["patel"], start=at(TUE, "09:00")))


# ---------------------------------------------------------------- changes kept in interview_events


def test_reschedule_keeps_from_and_to(store, school):
    iid = store.bookings.book(req(school, "Okafor", at(TUE, "10:30")))
    assert store.bookings.reschedule(iid, at(date(2026, 11, 26), "09:00")) == iid
    row = store.bookings.get(iid)
    assert (row["starts_at"], row["ends_at"]) == ("2026-11-26T09:00", "2026-11-26T09:45")
    moved = [e for e in store.bookings.events(iid) if e["event"] == "moved"]
    assert [(e["from_start"], e["to_start"]) for e in moved] == [("2026-11-24T10:30", "2026-11-26T09:00")]
    audit = store.conn.execute("SELECT before, after FROM audit_log WHERE table_name = 'interviews' "
                               "AND action = 'update'").fetchone()
    assert "2026-11-24T10:30" in audit["before"] and "2026-11-26T09:00" in audit["after"]
    # Moving by a quarter of an hour overlaps only itself: allowed. A longer meeting is recorded too.
    store.bookings.reschedule(iid, at(date(2026, 11, 26), "09:15"), minutes=60, confirm=True)
    last = store.bookings.events(iid)[-1]
    assert (last["from_start"], last["to_start"], last["note"]) == (
        "2026-11-26T09:00", "2026-11-26T09:15", "length 45 to 60 minutes")
    with pytest.raises(StoreError, match="already at"):
        store.bookings.reschedule(iid, at(date(2026, 11, 26), "09:15"), minutes=60)


def test_reschedule_into_a_clash_is_refused_and_changes_nothing(store, school):
    store.bookings.book(req(school, "Hughes", at(TUE, "09:00")))
    iid = store.bookings.book(req(school, "Okafor", at(TUE, "10:30")))
    before = counts(store)
    with pytest.raises(BookingRefused, match="Ms Patel already has Ben Hughes"):
        store.bookings.reschedule(iid, at(TUE, "09:30"))
    assert counts(store) == before and store.bookings.get(iid)["starts_at"] == "2026-11-24T10:30"


def test_status_changes_and_nonsense_transitions(store, school, clock):
    iid = store.bookings.book(req(school, "Okafor", at(TUE, "10:30")))
    with pytest.raises(StoreError, match="has not started yet"):
        store.bookings.mark_did_not_attend(iid)
    with pytest.raises(StoreError, match="has not happened yet"):
        store.bookings.mark_held(iid)
    with pytest.raises(StoreError, match="Give a reason"):
        store.bookings.cancel(iid, "   ")
    store.bookings.cancel(iid, "Mock exam")
    row = store.bookings.get(iid)
    assert (row["status"], row["status_note"]) == ("cancelled", "Mock exam")
    with pytest.raises(StoreError, match="already cancelled"):
        store.bookings.cancel(iid, "again")
    with pytest.raises(StoreError, match="cancelled: reinstate it"):
        store.bookings.reschedule(iid, at(TUE, "13:30"))
    store.bookings.reinstate(iid)
    assert store.bookings.get(iid)["status"] == "booked" and store.bookings.get(iid)["status_note"] is None
    clock.moment = datetime(2026, 11, 24, 11, 0)
    store.bookings.mark_held(iid)
    with pytest.raises(StoreError, match="was held, so it cannot be cancelled"):
        store.bookings.cancel(iid, "changed my mind")
    with pytest.raises(StoreError, match="was held, so it cannot be moved"):
        store.bookings.reschedule(iid, at(TUE, "13:30"))
    with pytest.raises(StoreError, match="nothing to reinstate"):
        store.bookings.reinstate(iid)
    events = [(e["event"], e["note"]) for e in store.bookings.events(iid)]
    assert events == [("booked", None), ("cancelled", "Mock exam"), ("reinstated", None), ("held", None)]


def test_reinstate_checks_clashes_again(store, school):
    iid = store.bookings.book(req(school, "Okafor", at(TUE, "10:30")))
    store.bookings.cancel(iid, "Pupil asked to rearrange")
    store.bookings.book(req(school, "Hughes", at(TUE, "10:30")))
    with pytest.raises(BookingRefused, match="Ms Patel already has Ben Hughes"):
        store.bookings.reinstate(iid)
    assert store.bookings.get(iid)["status"] == "cancelled"


# ---------------------------------------------------------------- free slots and the agenda


def test_next_free_slots_skip_booked_ones(store, school):
    store.bookings.book(req(school, "Okafor", at(TUE, "09:00")))
    store.bookings.book(req(school, "Hughes", at(TUE, "10:00")), confirm=True)     # overlaps 09:45 and 10:30
    slots = store.bookings.next_free_slots(school["patel"], count=3)
    assert [s.start for s in slots] == [at(TUE, "11:15"), at(TUE, "12:45"), at(TUE, "13:30")]
    assert slots[0].place == "Careers office"
    after = store.bookings.next_free_slots(school["patel"], after=at(TUE, "14:00"), count=2)
    assert [s.start for s in after] == [at(TUE, "14:15"), at(date(2026, 11, 26), "09:00")]
    hour = store.bookings.next_free_slots(school["patel"], after=at(date(2026, 11, 26), "09:00"), count=2, minutes=60)
    assert [(s.start, s.end) for s in hour] == [(at(date(2026, 11, 26), "09:00"), at(date(2026, 11, 26), "10:00")),
                                                (at(date(2026, 11, 26), "10:00"), at(date(2026, 11, 26), "11:00"))]
    assert store.bookings.next_free_slots(school["jones"]) == []


def test_agenda_shows_meetings_and_free_slots_but_no_notes(store, school):
    store.bookings.book(req(school, "Evans", at(TUE, "09:00"), reason="Worried about college"))
    cancelled = store.bookings.book(req(school, "Hughes", at(TUE, "09:45")))
    store.bookings.cancel(cancelled, "Pupil ill: private detail")
    rows = store.bookings.agenda(school["patel"], TUE, 1)
    assert all(isinstance(r, AgendaRow) for r in rows)
    shown = [(f"{r.start:%H:%M}", r.pupil_name, r.status) for r in rows]
    assert shown == [("09:00", "Evans, Dan", "booked"), ("09:45", "Hughes, Ben", "cancelled"),
                     ("09:45", None, None), ("10:30", None, None), ("11:15", None, None), ("12:45", None, None),
                     ("13:30", None, None), ("14:15", None, None)]
    first = rows[0]
    assert (first.year_group, first.sen, first.kind, first.mode) == (11, "E", "guidance", "in_person")
    text = repr(rows)
    assert "Worried" not in text and "private" not in text
    assert not hasattr(first, "reason") and not hasattr(first, "status_note")


def test_agenda_week_and_no_free_slots_on_days_gone(store, school):
    past = store.bookings.book(req(school, "Okafor", at(date(2026, 11, 17), "09:00")), confirm=True)
    store.bookings.mark_held(past)
    rows = store.bookings.agenda(school["patel"], date(2026, 11, 16), 14)
    assert rows[0].interview_id == past and rows[0].status == "held"
    free_days = sorted({r.start.date() for r in rows if r.free})
    assert free_days == [TUE, date(2026, 11, 26)], "no free slots on the Tuesday and Thursday already gone"
    assert [r.start for r in rows] == sorted(r.start for r in rows)


def test_agenda_reads_through_the_adviser_index(store, school):
    plan = store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT i.id FROM interviews i JOIN pupils p ON p.id = i.pupil_id "
        "WHERE i.adviser_id = ? AND i.starts_at >= ? AND i.starts_at < ? ORDER BY i.starts_at, i.id",
        (1, "2026-11-23", "2026-11-30")).fetchall()
    assert any("interviews_by_adviser" in row[-1] for row in plan)


# ---------------------------------------------------------------- bulk booking


def names_of(candidates) -> list[str]:
    return [c.name for c in candidates]


def test_bulk_candidates_in_priority_order(store, school):
    found = store.bookings.bulk_candidates(BulkFilter(year=11))
    assert names_of(found) == ["Evans, Dan", "Doyle, Cara", "Ahmed, Zain", "Brown, Yara",
                               "Carter, Xavier", "Hughes, Ben", "Okafor, Amara"]
    assert found[0].sen == "E" and found[2].flags == ("LAC",) and found[3].flags == ("PP",)
    assert found[0].year_group == 11
    assert names_of(store.bookings.bulk_candidates(BulkFilter(year=11, form="11b"))) == ["Carter, Xavier"]
    assert names_of(store.bookings.bulk_candidates(BulkFilter(sen="K"))) == ["Doyle, Cara"]
    assert names_of(store.bookings.bulk_candidates(BulkFilter(flag="pupil_premium"))) == ["Brown, Yara"]
    assert names_of(store.bookings.bulk_candidates(BulkFilter(flag="LAC"))) == ["Ahmed, Zain"]
    assert "Young, Ava" in names_of(store.bookings.bulk_candidates(BulkFilter()))
    store.pupils.set_left(school["Hughes"], date(2026, 11, 20))
    assert "Hughes, Ben" not in names_of(store.bookings.bulk_candidates(BulkFilter(year=11)))


def _meeting(store, school, who, day, *, kind="guidance", status="held"):
    hour = f"{9 + sorted(school).index(who) % 8}:00"       # each pupil at their own hour
    iid = store.bookings.book(req(school, who, at(day, hour), kind=kind, adviser="jones"), confirm=True)
    if status == "held":
        store.bookings.mark_held(iid)
    elif status == "cancelled":
        store.bookings.cancel(iid, "cancelled")
    return iid


def test_no_meeting_this_year_and_since_year_9(store, school):
    _meeting(store, school, "Okafor", date(2026, 10, 6))                     # this school year: seen
    _meeting(store, school, "Hughes", date(2026, 6, 9))                      # last year (Year 10)
    _meeting(store, school, "Doyle", date(2026, 10, 6), status="cancelled")  # cancelled: not seen
    _meeting(store, school, "Evans", date(2026, 10, 6), kind="group")        # group session: not guidance
    _meeting(store, school, "Ahmed", date(2025, 6, 10))                      # Year 9: before Year 10
    _meeting(store, school, "Brown", date(2027, 1, 12), status="booked")     # booked later this year
    this_year = names_of(store.bookings.bulk_candidates(BulkFilter(year=11, no_meeting_this_year=True)))
    assert this_year == ["Evans, Dan", "Doyle, Cara", "Ahmed, Zain", "Carter, Xavier", "Hughes, Ben"]
    since_9 = names_of(store.bookings.bulk_candidates(BulkFilter(year=11, no_meeting_since_year9=True)))
    assert since_9 == ["Evans, Dan", "Doyle, Cara", "Ahmed, Zain", "Carter, Xavier"]


def test_propose_fills_free_slots_in_order_skipping_the_pupils_own_bookings(store, school):
    store.bookings.book(req(school, "Doyle", at(TUE, "09:00"), adviser="jones"), confirm=True)   # Cara is busy at 09:00
    store.bookings.book(req(school, "Hughes", at(TUE, "10:30")))                                 # a slot already taken
    candidates = store.bookings.bulk_candidates(BulkFilter(year=11, form="11A"))
    before = counts(store)
    proposals = store.bookings.propose_bulk(school["patel"], candidates, at(TUE, "08:00"))
    assert counts(store) == before, "a proposal writes nothing"
    assert [(p.candidate.name, f"{p.slot.start:%a %H:%M}") for p in proposals] == [
        ("Evans, Dan", "Tue 09:00"), ("Doyle, Cara", "Tue 09:45"), ("Ahmed, Zain", "Tue 11:15"),
        ("Brown, Yara", "Tue 12:45"), ("Hughes, Ben", "Tue 13:30"), ("Okafor, Amara", "Tue 14:15")]
    # Slots before now are never proposed: from last week means from now (Sunday).
    again = store.bookings.propose_bulk(school["patel"], candidates[:1], at(date(2026, 11, 17), "09:00"))
    assert again[0].slot.start == at(TUE, "09:00")


def test_commit_bulk_books_everyone_in_one_go(store, school):
    candidates = store.bookings.bulk_candidates(BulkFilter(year=11))
    proposals = store.bookings.propose_bulk(school["patel"], candidates, at(TUE, "09:00"))
    before = counts(store)
    ids = store.bookings.commit_bulk(proposals, reason="Year 11 guidance round")
    assert len(ids) == len(candidates) == 7
    assert counts(store) == (before[0] + 7, before[1] + 7, before[2] + 7)
    rows = store.conn.execute("SELECT pupil_id, starts_at, place, reason FROM interviews ORDER BY starts_at").fetchall()
    assert rows[0]["pupil_id"] == school["Evans"] and rows[0]["place"] == "Careers office"
    assert {r["reason"] for r in rows} == {"Year 11 guidance round"}


def test_commit_bulk_is_all_or_nothing(store, school):
    candidates = store.bookings.bulk_candidates(BulkFilter(year=11, form="11A"))
    proposals = store.bookings.propose_bulk(school["patel"], candidates, at(TUE, "09:00"))
    assert len(proposals) == 6
    # Meanwhile someone books the fourth proposal's slot with another pupil.
    target = proposals[3].slot.start
    store.bookings.book(req(school, "Young", target))
    before = counts(store)
    with pytest.raises(BookingRefused) as caught:
        store.bookings.commit_bulk(proposals)
    assert str(caught.value) == (f"Ms Patel already has Ava Young (Year 10) booked "
                                 f"{target:%H:%M}–{target + timedelta(minutes=45):%H:%M} on Tue 24 Nov.")
    assert counts(store) == before, "nothing half-booked: no interviews, no events, no audit rows"
    assert store.conn.execute("SELECT count(*) FROM interviews WHERE pupil_id != ?",
                              (school["Young"],)).fetchone()[0] == 0


def test_commit_bulk_refuses_a_pupil_who_has_left_meanwhile(store, school):
    proposals = store.bookings.propose_bulk(school["patel"], store.bookings.bulk_candidates(BulkFilter(year=11)), at(TUE, "09:00"))
    store.pupils.set_left(school["Okafor"], date(2026, 11, 23))
    before = counts(store)
    with pytest.raises(BookingRefused, match="Amara Okafor left the school"):
        store.bookings.commit_bulk(proposals)
    assert counts(store) == before


# ---------------------------------------------------------------- advisers, clinics, who is using the app


def test_the_current_adviser_is_remembered_and_recorded(store, school, tmp_path, clock):
    assert store.advisers.current()["name"] == "Ms Patel"
    store.advisers.set_current(school["jones"])
    again = Store.open(store.path, clock=clock)
    try:
        assert again.adviser_id == school["jones"], "Store.open loads who is using the app"
        iid = again.bookings.book(req(school, "Okafor", at(TUE, "09:00")))
        entry = again.conn.execute("SELECT adviser_id FROM audit_log WHERE table_name = 'interviews' "
                                   "AND row_id = ?", (iid,)).fetchone()
        assert entry["adviser_id"] == school["jones"]
    finally:
        again.close()
    with pytest.raises(StoreError, match="no longer in the database"):
        store.advisers.set_current(999)


def test_adviser_validation_messages(store, school):
    with pytest.raises(StoreError) as caught:
        store.advisers.add({"name": "  ", "qualification_level": "9", "email": "not-an-email"})
    errors = caught.value.errors
    assert errors["name"] == "Enter the adviser's name."
    assert errors["qualification_level"].startswith("Qualification levels run from 1 to 8, so 9 cannot be right")
    assert "not an email address" in errors["email"]
    with pytest.raises(StoreError, match="already an adviser called Ms Patel"):
        store.advisers.add({"name": "ms patel"})
    assert store.advisers.update(school["jones"], {"qualification_level": "Level 7"}) is True
    assert store.advisers.get(school["jones"])["qualification_level"] == 7
    assert store.advisers.update(school["jones"], {"qualification_level": "7"}) is False
    assert [a["name"] for a in store.advisers.find("PAT")] == ["Ms Patel"]


def test_clinic_validation_messages(store, school):
    with pytest.raises(StoreError) as caught:
        store.bookings.add_clinic({"adviser_id": school["jones"], "weekdays": "tue,funday", "start": "15:00", "end": "9am",
                          "break_start": "12:00", "valid_from": "31/02/2026"})
    errors = caught.value.errors
    assert "'funday' is not a day of the week" in errors["weekdays"]
    assert errors["end"] == "The clinic must end after it starts (15:00)."
    assert errors["break_end"] == "Give both ends of the break (e.g. 12:00 and 12:45), or neither."
    assert "February 2026 has no day 31" in errors["valid_from"]
    clinic = store.bookings.add_clinic({"adviser_id": school["jones"], "weekdays": "mon", "start": "13:00", "end": "15:00",
                               "slot_minutes": "1h"})
    [pattern] = store.bookings.clinic_patterns(school["jones"])
    assert pattern.id == clinic and pattern.description == "Mondays 13:00–15:00, 60-minute slots"
    assert pattern.valid_from == date(2026, 11, 22), "blank first day: today"
    store.bookings.remove_clinic(clinic)
    assert store.bookings.clinic_patterns(school["jones"]) == []
    actions = [r[0] for r in store.conn.execute(
        "SELECT action FROM audit_log WHERE table_name = 'clinic_hours' AND row_id = ?", (clinic,))]
    assert actions == ["insert", "delete"]


def test_clinic_exceptions_for_one_adviser_or_everyone(store, school):
    store.bookings.add_clinic_exception({"adviser_id": school["patel"], "first_day": "26/11/2026", "reason": "Adviser ill"})
    store.bookings.add_clinic_exception({"first_day": "21/12/2026", "last_day": "01/01/2027", "reason": "Christmas"})
    store.bookings.add_clinic_exception({"adviser_id": school["jones"], "first_day": "27/11/2026"})
    mine = store.bookings.clinic_exceptions(school["patel"])
    assert [(r["first_day"], r["adviser_id"]) for r in mine] == [("2026-11-26", school["patel"]),
                                                                  ("2026-12-21", None)]
    assert {s.start.date() for s in store.bookings.next_free_slots(school["patel"], count=30)} == {
        TUE, date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 8), date(2026, 12, 10)}
    with pytest.raises(StoreError, match="is before the first"):
        store.bookings.add_clinic_exception({"first_day": "02/01/2027", "last_day": "01/01/2027"})


def test_bulk_booking_gives_notice_and_counts_what_it_skipped(store, school):
    candidates = store.bookings.bulk_candidates(BulkFilter(year=11, form="11A"))
    assert store.bookings.notice_hours() == 24                      # the default: Sunday 10:00 -> Monday 10:00
    assert store.bookings.propose_bulk(school["patel"], candidates, at(TUE, "08:00"))[0].slot.start == at(TUE, "09:00")
    assert store.bookings.set_notice_hours("48") == 48               # now Tuesday 10:00 at the earliest
    assert store.settings.get("booking_notice_hours") == "48"
    proposals = store.bookings.propose_bulk(school["patel"], candidates, at(TUE, "08:00"))
    assert proposals[0].slot.start == at(TUE, "10:30")
    assert all(p.slot.start >= at(TUE, "10:00") for p in proposals)
    assert store.bookings.bulk_notice_skipped(school["patel"], at(TUE, "08:00"), None) == 2    # 09:00 and 09:45
    assert store.bookings.bulk_notice_skipped(school["patel"], at(TUE, "11:00"), None) == 0
    entry = store.conn.execute("SELECT before, after FROM audit_log WHERE table_name = 'settings' "
                               "ORDER BY id DESC LIMIT 1").fetchone()
    assert json.loads(entry["after"]) == {"booking_notice_hours": 48}
    with pytest.raises(StoreError, match="whole number of hours"):
        store.bookings.set_notice_hours("a day")
    assert store.bookings.notice_hours() == 48


def test_the_agenda_shows_days_off_and_leaves_out_slots_already_past(store, school):
    from gatsby_tui.clock import FixedClock

    thu = TUE + timedelta(days=2)
    store.bookings.add_clinic_exception({"first_day": "26/11/2026", "reason": "INSET day"})
    rows = store.bookings.agenda(school["patel"], TUE, 3)
    offs = [r for r in rows if r.day_off is not None]
    assert [(r.start.date(), r.day_off, r.free) for r in offs] == [(thu, "INSET day", False)]
    assert not [r for r in rows if r.start.date() == thu and r.day_off is None], "no clinic slots on a day off"
    # At 10:00 on Tuesday, the 09:00 and 09:45 slots are past: they are no longer free.
    store.clock = FixedClock(at(TUE, "10:00"))
    free = [f"{r.start:%H:%M}" for r in store.bookings.agenda(school["patel"], TUE, 1) if r.free]
    assert free[0] == "10:30" and "09:00" not in free and "09:45" not in free
