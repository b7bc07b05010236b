"""Careers activities in the store: checking, recording, attaching pupils (one by one and in
bulk, minus absentees), the audit log and the pupil's history."""

from __future__ import annotations

import json
import time
from datetime import date, datetime

import pytest

from gatsby_tui.store import PupilFilter, StoreError
from gatsby_tui.store.activities import ActivityInvalid, Group

from helpers import make_upn, pupil

FAIR = {"kind": "careers_fair", "title": "Year 10 careers fair", "held_on": "12/11/2026",
        "organisation": "Local employers", "benchmarks": [2, 5], "m_purpose": True, "m_outcomes": True,
        "m_interaction": True, "m_reflection": True}


def add(store, fore, sur, dob="14/03/2012", form="10A", n=[100]):
    n[0] += 1
    return store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n[0]), legal_forename=fore, legal_surname=sur,
                                                      dob=dob, form=form)))


@pytest.fixture
def school(store):
    """Year 10 (10A, 10B), one Year 10 pupil who left in October, and a Year 11 pupil."""
    ids = {
        "amara": add(store, "Amara", "Okafor", form="10A"),
        "ben": add(store, "Ben", "Hughes", form="10A"),
        "cara": add(store, "Cara", "Doyle", form="10B"),
        "dan": add(store, "Dan", "Evans", form="10B"),
        "eve": add(store, "Eve", "Left", form="10B"),
        "finn": add(store, "Finn", "O'Brien-Ní Bhriain", dob="14/03/2011", form="11A"),
    }
    store.pupils.set_left(ids["eve"], date(2026, 10, 1))
    return ids


def attached(store, activity_id):
    return {r[0] for r in store.conn.execute("SELECT pupil_id FROM activity_pupils WHERE activity_id = ?",
                                             (activity_id,))}


def test_an_activity_is_checked_field_by_field(store):
    with pytest.raises(ActivityInvalid) as e:
        store.activities.add({"kind": "", "title": " ", "held_on": "31/02/2026", "benchmarks": []})
    assert set(e.value.errors) == {"kind", "title", "held_on", "benchmarks"}
    with pytest.raises(ActivityInvalid) as e:
        store.activities.add({**FAIR, "held_on": "01/12/2026"})        # after today (22/11/2026)
    assert "in the future" in e.value.errors["held_on"]
    with pytest.raises(ActivityInvalid) as e:
        store.activities.add({**FAIR, "kind": "subject_lesson", "subject": ""})
    assert "subject" in e.value.errors
    with pytest.raises(ActivityInvalid) as e:
        store.activities.add({**FAIR, "benchmarks": "5, 9"})
    assert "not a benchmark" in e.value.errors["benchmarks"]
    assert store.conn.execute("SELECT count(*) FROM activities").fetchone()[0] == 0


def test_saving_warns_when_the_activity_will_not_count(store):
    checked = store.activities.check({**FAIR, "m_reflection": False})
    assert any("Not meaningful for Benchmark 5" in w and "time to reflect" in w for w in checked.warnings)
    checked = store.activities.check({**FAIR, "benchmarks": [6]})
    assert any("workplace visits, work shadowing and work experience only" in w for w in checked.warnings)
    assert not store.activities.check(FAIR).warnings


def test_recording_an_activity_writes_it_its_benchmarks_and_an_audit_entry(store):
    activity_id = store.activities.add({**FAIR, "kind": "Careers fair", "title": "<b>Fair</b> & more"})
    row = store.activities.get(activity_id)
    assert row["kind"] == "careers_fair" and row["held_on"] == "2026-11-12" and row["benchmarks"] == (2, 5)
    assert row["title"] == "<b>Fair</b> & more"
    assert (row["m_purpose"], row["m_employer_task"]) == (1, 0)
    entry = store.conn.execute("SELECT * FROM audit_log WHERE table_name = 'activities'").fetchone()
    assert entry["action"] == "insert" and json.loads(entry["after"])["benchmarks"] == [2, 5]
    assert store.activities.update(activity_id, {**FAIR, "benchmarks": [5]}) is True
    assert store.activities.get(activity_id)["benchmarks"] == (5,)
    assert store.activities.update(activity_id, {**FAIR, "benchmarks": [5]}) is False


def test_attaching_one_pupil_is_audited_and_shows_in_their_history(store, school):
    activity_id = store.activities.add(FAIR)
    assert store.activities.attach(activity_id, [school["amara"]]) == 1
    assert store.activities.attach(activity_id, [school["amara"]]) == 0          # twice changes nothing
    assert attached(store, activity_id) == {school["amara"]}
    entries = store.conn.execute("SELECT * FROM audit_log WHERE table_name = 'activity_pupils'").fetchall()
    assert len(entries) == 1 and entries[0]["pupil_id"] == school["amara"]
    events = store.history.for_pupil(school["amara"], kind="activity")
    assert [(e.title, e.ref) for e in events] == [("Careers fair: Year 10 careers fair", f"activity:{activity_id}")]
    assert "benchmarks 2, 5" in events[0].detail
    assert any(e.kind == "activity" for e in store.history.for_pupil(school["amara"]))


def test_a_pupil_who_had_left_cannot_be_attached_and_nothing_is(store, school):
    activity_id = store.activities.add(FAIR)
    with pytest.raises(StoreError, match="Left, Eve was not on roll on 12/11/2026"):
        store.activities.attach(activity_id, [school["amara"], school["eve"]])
    assert attached(store, activity_id) == set()


def test_bulk_attach_a_year_group_minus_absentees(store, school):
    activity_id = store.activities.add(FAIR)
    members = store.activities.group(activity_id, Group(year=10))
    # On roll that day: Eve left in October, Finn is in Year 11.
    assert [m.name for m in members] == ["Doyle, Cara", "Evans, Dan", "Hughes, Ben", "Okafor, Amara"]
    added = store.activities.attach_group(activity_id, Group(year=10), absent=[school["ben"]])
    assert added == 3
    assert attached(store, activity_id) == {school["amara"], school["cara"], school["dan"]}
    audit = store.conn.execute("SELECT pupil_id, at FROM audit_log WHERE table_name = 'activity_pupils'").fetchall()
    assert {a[0] for a in audit} == {school["amara"], school["cara"], school["dan"]}
    assert len({a[1] for a in audit}) == 1                        # one action, one moment
    # Ben comes forward later: attach him alone; the group again adds nobody twice.
    assert store.activities.attach(activity_id, [school["ben"]]) == 1
    assert store.activities.attach_group(activity_id, Group(year=10)) == 0


def test_bulk_attach_a_form_or_the_registers_filter(store, school):
    by_form = store.activities.add(FAIR)
    assert store.activities.attach_group(by_form, Group(form="10b")) == 2            # Eve had left
    assert attached(store, by_form) == {school["cara"], school["dan"]}
    by_filter = store.activities.add(FAIR)
    ids = store.pupils.ids(PupilFilter(search="o"))                     # Okafor, O'Brien-Ní Bhriain
    assert set(ids) == {school["amara"], school["finn"]}
    assert store.activities.attach_group(by_filter, Group(ids=tuple(ids)), absent=[school["finn"]]) == 1
    assert attached(store, by_filter) == {school["amara"]}


def test_a_bulk_record_for_300_pupils_is_one_quick_action(store):
    stamp = "2026-09-01T08:00:00"
    rows = []
    for i in range(300):
        body = f"801200017{i:03d}"
        from gatsby_tui.domain.upn import check_letter
        rows.append((check_letter(body) + body, "Pupil", f"Number{i:03d}", "2012-03-14", 2023, "10A",
                     f"number{i:03d} pupil", stamp, stamp))
    with store.conn:
        store.conn.executemany(
            "INSERT INTO pupils (upn, legal_forename, legal_surname, dob, intake_year, form, sort_name, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    activity_id = store.activities.add(FAIR)
    started = time.perf_counter()
    assert store.activities.attach_group(activity_id, Group(year=10), absent=[1, 2, 3]) == 297
    assert time.perf_counter() - started < 1.0
    assert store.activities.get(activity_id)["pupils"] == 297


def test_detach_and_delete_are_audited(store, school):
    activity_id = store.activities.add(FAIR)
    store.activities.attach_group(activity_id, Group(year=10))
    assert store.activities.detach(activity_id, [school["amara"]]) == 1
    assert school["amara"] not in attached(store, activity_id)
    assert store.conn.execute("SELECT count(*) FROM audit_log WHERE table_name = 'activity_pupils' "
                              "AND action = 'delete' AND pupil_id = ?", (school["amara"],)).fetchone()[0] == 1
    assert store.activities.delete(activity_id) == 3
    assert store.activities.get(activity_id) is None
    assert store.conn.execute("SELECT count(*) FROM activity_pupils").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM activity_benchmarks").fetchone()[0] == 0
    gone = store.conn.execute("SELECT before FROM audit_log WHERE table_name = 'activities' AND action = 'delete'").fetchone()
    assert json.loads(gone[0])["pupils"] == 3


def test_moving_the_date_past_a_pupils_leaving_date_is_refused(store, school):
    activity_id = store.activities.add({**FAIR, "held_on": "15/09/2026"})
    store.activities.attach(activity_id, [school["eve"]])                     # still on roll in September
    with pytest.raises(ActivityInvalid, match="Left, Eve had left by 12/11/2026"):
        store.activities.update(activity_id, FAIR)
    assert store.activities.get(activity_id)["held_on"] == "2026-09-15"


def test_the_activity_list_pages_newest_first_and_searches(store):
    ids = [store.activities.add({**FAIR, "title": f"Talk {i}", "held_on": f"{i + 1:02d}/10/2026"}) for i in range(7)]
    first = store.activities.page(limit=3)
    assert [r.title for r in first] == ["Talk 6", "Talk 5", "Talk 4"]
    second = store.activities.page(after=first[-1].key, limit=3)
    assert [r.title for r in second] == ["Talk 3", "Talk 2", "Talk 1"]
    assert [r.id for r in store.activities.page(search="talk 0")] == [ids[0]]
    assert store.activities.count(search="100%") == 0                    # LIKE wildcards are literal
    assert store.activities.count(benchmark=5) == 7 and store.activities.count(benchmark=6) == 0
    assert store.activities.count(school_year=2026) == 7 and store.activities.count(school_year=2025) == 0
