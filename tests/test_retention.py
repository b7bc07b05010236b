"""Retention: the rules on boundary dates, the past-retention list, pseudonymising and
erasing, with a byte search of the file afterwards."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from helpers import make_upn, pupil
from gatsby_tui.domain import retention as rules
from gatsby_tui.domain.upn import is_valid
from gatsby_tui.store import BookingRequest, PupilFilter, StoreError
from gatsby_tui.store import retention as store_retention

DEFAULT = rules.Policy()


def _intake(dob):
    return dob.year + (1 if dob.month >= 9 else 0) + 11


def kept(dob, *, sen="N", plan=False, left=date(2020, 7, 20), policy=DEFAULT):
    return rules.retention(dob=dob, sen_status=sen, has_plan=plan, intake_year=_intake(dob), date_left=left,
                           policy=policy)


def past(today, dob, *, sen="N", plan=False, left=date(2020, 7, 20), policy=DEFAULT):
    return rules.is_past(dob=dob, sen_status=sen, has_plan=plan, intake_year=_intake(dob), date_left=left,
                         policy=policy, today=today)


# ---------------------------------------------------------------- the rules


def test_a_pupil_record_is_kept_25_years_from_birth_to_the_day():
    dob = date(2000, 3, 14)
    assert kept(dob).until == date(2025, 3, 14)
    assert kept(dob).words() == "Pupil record: 25 years from birth, until 14/03/2025"
    assert not past(date(2025, 3, 13), dob)
    assert past(date(2025, 3, 14), dob)


@pytest.mark.parametrize("sen, plan", [("K", False), ("E", False), ("N", True)])
def test_an_sen_file_is_kept_31_years(sen, plan):
    dob = date(2012, 3, 14)
    r = kept(dob, sen=sen, plan=plan, left=date(2028, 7, 20))
    assert r.until == date(2043, 3, 14)
    assert r.words() == "SEN file: 31 years from birth, until 14/03/2043"
    assert not past(date(2043, 3, 13), dob, sen=sen, plan=plan, left=date(2028, 7, 20))
    assert past(date(2043, 3, 14), dob, sen=sen, plan=plan, left=date(2028, 7, 20))
    # Without SEN status or a plan, 25 years.
    assert kept(dob, left=date(2028, 7, 20)).until == date(2037, 3, 14)


def test_29_february_birthdays_run_to_1_march_in_a_year_without_one():
    dob = date(2000, 2, 29)
    assert rules.years_after(dob, 25) == date(2025, 3, 1)
    assert rules.years_after(dob, 24) == date(2024, 2, 29)
    assert kept(dob).until == date(2025, 3, 1)
    assert not past(date(2025, 2, 28), dob)
    assert past(date(2025, 3, 1), dob)
    assert kept(dob, sen="E").until == date(2031, 3, 1)
    assert kept(date(2004, 2, 29), policy=rules.Policy(24, 31, 3), left=date(2022, 7, 20)).until == date(2028, 2, 29)


def test_only_pupils_who_have_left_are_ever_past_retention():
    dob = date(1980, 1, 1)
    assert not past(date(2026, 11, 22), dob, left=None)                  # on roll, however old
    assert not past(date(2026, 11, 22), dob, left=date(2026, 11, 23))     # leaves tomorrow
    assert not past(date(2026, 11, 23), dob, left=date(2026, 11, 23))     # left today: destinations run on
    assert past(date(2029, 11, 23), dob, left=date(2026, 11, 23))
    assert past(date(2026, 11, 22), dob, left=date(2023, 11, 22))
    assert not rules.has_left(None, date(2026, 1, 1))


def test_destinations_are_kept_3_years_from_the_end_of_year_11_or_from_leaving():
    short = rules.Policy(1, 1, 3)
    dob = date(2000, 3, 14)                   # intake 2011: Year 11 in 2015/16, ending 31/08/2016
    r = kept(dob, left=date(2016, 7, 20), policy=short)
    assert r.until == date(2019, 8, 31)
    assert r.words() == "Destinations: 3 years after Year 11, until 31/08/2019"
    r = kept(dob, left=date(2018, 7, 20), policy=short)                # left after Year 13: the checks run on
    assert r.until == date(2021, 7, 20)
    assert r.words() == "Destinations: 3 years after leaving, until 20/07/2021"
    # With the real periods the record's 25 years always decide.
    assert kept(dob, left=date(2018, 7, 20)).reason.kind == "record"


def test_the_periods_are_checked_and_unreadable_settings_fall_back_to_the_defaults():
    assert rules.policy_from({"record_years": "25", "send_years": " 31 ", "destination_years": 3}) == DEFAULT
    for bad, words in (("", "Enter the pupil record"), ("2.5", "whole number"), ("0", "1 to 100"),
                       ("-3", "whole number"), ("101", "1 to 100")):
        with pytest.raises(rules.PolicyError, match=words):
            rules.policy_from({"record_years": bad, "send_years": "31", "destination_years": "3"})
    assert rules.policy_from_settings({"retention_years_record": "x", "retention_years_send": "40"}) == \
        rules.Policy(25, 40, 3)
    assert rules.Policy(2, 31, 3).shorter_than_guidance() == ["pupil record 2 years (guidance: 25)"]


# ---------------------------------------------------------------- the list, in SQL


def _add(store, n, fore, sur, dob, *, sen="N", left=None):
    pid = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n), legal_forename=fore, legal_surname=sur,
                                                     dob=dob, sen_status=sen, form="")))
    if left:
        store.pupils.set_left(pid, left)
    return pid


def test_the_policy_is_kept_in_settings_and_its_change_audited(store):
    assert store.retention.policy() == DEFAULT
    with pytest.raises(StoreError, match="1 to 100"):
        store.retention.set_policy({"record_years": "0", "send_years": "31", "destination_years": "3"})
    assert store.retention.policy() == DEFAULT
    store.retention.set_policy({"record_years": "20", "send_years": "30", "destination_years": "4"})
    assert store.retention.policy() == rules.Policy(20, 30, 4)
    entry = store.conn.execute("SELECT * FROM audit_log WHERE table_name = 'settings' ORDER BY id DESC").fetchone()
    assert json.loads(entry["after"])["retention_years_record"] == "20"


def test_past_retention_lists_leavers_by_name_in_pages(store, clock):
    clock.moment = datetime(2000, 11, 22, 10, 0)
    ids = {
        "old": _add(store, 1, "Ada", "Old", "14/03/1984", left=date(2000, 7, 20)),
        "sen": _add(store, 2, "Bea", "Send", "14/03/1984", sen="E", left=date(2000, 7, 20)),
        "roll": _add(store, 3, "Cy", "Onroll", "14/03/1984"),
        "young": _add(store, 4, "Di", "Young", "14/03/1986", left=date(2000, 7, 20)),
        "leap": _add(store, 5, "Ed", "Leap", "29/02/1984", left=date(2000, 7, 20)),
    }
    clock.moment = datetime(2009, 3, 14, 9, 0)       # Ada: 25 today; Ed (29 Feb) on 1 March
    assert [r.id for r in store.retention.page()] == [ids["leap"], ids["old"]]
    assert store.retention.count() == 2
    first = store.retention.page(limit=1)
    assert [r.id for r in first] == [ids["leap"]]
    assert [r.id for r in store.retention.page(limit=1, after=first[0].key)] == [ids["old"]]
    row = first[0]
    assert row.retention.words() == "Pupil record: 25 years from birth, until 01/03/2009"
    assert row.date_left == date(2000, 7, 20) and row.name == "Leap, Ed"
    assert row.held_words() == "2 log entries"                   # added, marked left: nothing else
    clock.moment = datetime(2015, 3, 14, 9, 0)       # Bea's SEN file: 31 years
    assert ids["sen"] in [r.id for r in store.retention.page()]
    assert ids["roll"] not in [r.id for r in store.retention.page()]
    store.retention.set_policy({"record_years": "40", "send_years": "31", "destination_years": "3"})
    assert store.retention.count() == 0


def test_the_list_is_read_through_an_index_not_a_scan_of_every_pupil(store):
    """At 20,000 pupils (benchmarks/big-20k.db, 11,929 leavers) the count takes ~18 ms and a page
    of 200 ~28 ms, the next pages ~5 ms: it filters on pupils_by_left first."""
    where, params = store_retention._where(date(2026, 11, 22), DEFAULT)
    for sql in (f"SELECT p.id FROM pupils p WHERE {where} ORDER BY p.sort_name, p.id LIMIT 200",
                f"SELECT count(*) FROM pupils p WHERE {where}"):
        plan = [r[3] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
        assert plan[0].startswith("SEARCH p USING INDEX pupils_by_left"), plan
        assert not any(step.startswith("SCAN") for step in plan), plan


def test_the_sql_filter_agrees_with_the_rules_on_random_pupils(store, clock):
    rng = random.Random(8)
    clock.moment = datetime(1998, 9, 10, 9, 0)
    facts = {}
    for n in range(160):
        dob = date(1980, 1, 1) + timedelta(days=rng.randrange(0, 365 * 7))
        if n % 17 == 0:
            dob = date(rng.choice([1980, 1984]), 2, 29)
        sen = rng.choice("NNKE")
        pid = _add(store, n + 1, "P", f"Pupil{n:03d}", dob.strftime("%d/%m/%Y"), sen=sen)
        row = store.pupils.get(pid)
        left = None
        if rng.random() < 0.85:
            left = date(row["intake_year"] + rng.choice([3, 5, 7]), 7, 20)
            clock.moment = datetime(left.year, left.month, left.day, 9, 0)
            if rng.random() < 0.1:
                left = None
            else:
                store.pupils.set_left(pid, left)
            clock.moment = datetime(1998, 9, 10, 9, 0)
        facts[pid] = (dob, sen, row["intake_year"], left)
    with_plan = set(list(facts)[::11])
    stamp = "1998-09-10T09:00:00"
    for pid in with_plan:
        store.conn.execute("INSERT INTO plans (pupil_id, created_at, updated_at) VALUES (?, ?, ?)", (pid, stamp, stamp))
    for policy in (DEFAULT, rules.Policy(1, 2, 3), rules.Policy(20, 22, 30)):
        store.retention.set_policy({"record_years": policy.record_years, "send_years": policy.send_years,
                                    "destination_years": policy.destination_years})
        for today in (date(2000, 7, 20), date(2005, 3, 1), date(2008, 2, 29), date(2009, 2, 28), date(2011, 9, 1),
                      date(2012, 2, 29), date(2016, 3, 1)):
            clock.moment = datetime(today.year, today.month, today.day, 9, 0)
            expected = {pid for pid, (dob, sen, intake, left) in facts.items()
                        if rules.is_past(dob=dob, sen_status=sen, has_plan=pid in with_plan, intake_year=intake,
                                         date_left=left, policy=policy, today=today)}
            listed = store.retention.page(limit=1000)
            assert {r.id for r in listed} == expected, (policy, today)
            assert store.retention.count() == len(expected)
            for r in listed:
                dob, sen, intake, left = facts[r.id]
                assert r.retention == rules.retention(dob=dob, sen_status=sen, has_plan=r.id in with_plan,
                                                      intake_year=intake, date_left=left, policy=policy)


# ---------------------------------------------------------------- a pupil with everything


NAME = ("Zebedee", "Quillfeather")
UNIQUE_NOTE = "Wants-to-be-a-glassblower-XQ7"


def _everything(store, clock, tmp_path, *, n, fore, sur, note, dob="14/03/1995", sen="K",
                activity_note="Lots of good questions."):
    """A pupil with a row in every table that can hold one, in 2010-2012, and left in July 2011."""
    clock.moment = datetime(2010, 11, 22, 10, 0)
    adviser = store.advisers.current()["id"]
    pid = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n), legal_forename=fore, legal_surname=sur,
                                                     preferred_forename=fore[:3], dob=dob, sen_status=sen,
                                                     form="11Q")))
    iid = store.bookings.book(BookingRequest(pupil_id=pid, adviser_id=adviser, start=datetime(2010, 11, 16, 9 + n, 0),
                                    reason=f"Talk about {note}"), confirm=True)
    other = store.bookings.book(BookingRequest(pupil_id=pid, adviser_id=adviser, start=datetime(2010, 11, 30, 9 + n, 0)),
                       confirm=True)
    store.bookings.cancel(other, f"{fore} is ill ({note})")
    rid = store.records.start(interview_id=iid)
    store.records.save(rid, {"confidentiality_explained": "yes", "situation": f"{fore} {sur}: {note}",
                            "advice_given": f"Advice for {note}", "decisions": "Apply to Riverside College",
                            "intended_destination": "230", "confidential_notes": f"Confidential {note}"})
    action = store.actions.add(pupil_id=pid, record_id=rid, description=f"Visit the {note} studio", owner="pupil",
                              due="30/11/2010")
    store.records.sign_off(rid)
    store.records.amend(rid, "decisions", f"Apply to Riverside ({note})", f"{fore} corrected it")
    store.actions.set_status(action, "done", note=f"Went, {note}")
    store.records.save_draft(f"record:{rid}", {"situation": f"draft {note}"})
    store.records.save_draft(f"new-record:pupil:{pid}", {"situation": f"new draft {note}"})
    plan = store.plans.create(pid, {"aspirations": f"Aspires {note}", "support": "TA in lessons"})
    store.plans.add_target(plan, {"area": "employment", "what": f"Visit {note}", "who_helps": "SENCO",
                                 "by_when": "01/03/2011", "status": "in progress"})
    store.plans.hold_review(plan, {"reviewed_on": "20/11/2010", "participants": ["pupil", "parent"],
                                  "others": f"Aunt Marvella {sur}", "what_changed": f"Changed {note}",
                                  "next_review_on": "20/05/2011", "aspirations": f"Now {note}"})
    store.destinations.record_intended(pid, {"code": "230", "provider": f"{note} College",
                                            "course_or_role": f"Course {note}"})
    activity = store.activities.add({"kind": "careers_fair", "title": "Year 11 fair", "held_on": "12/11/2010",
                                   "benchmarks": [2, 5], "notes": activity_note})
    store.activities.attach(activity, [pid])
    sar = store.requests.log(pid, {"requester_kind": "parent", "requester_name": f"Marvella {sur}",
                              "received_on": "15/11/2010", "notes": f"Asked at reception, {note}"})
    out = tmp_path / f"out-{n}"
    out.mkdir()
    store.exports.pupil_record(pid, "md", out, sar_id=sar, how="handed over")
    clock.moment = datetime(2011, 7, 20, 10, 0)
    store.pupils.set_left(pid, date(2011, 7, 20))
    store.destinations.set_consent(pid, True)
    clock.moment = datetime(2012, 10, 1, 10, 0)
    store.destinations.record_actual(pid, {"code": "230", "checked_on": "01/10/2012", "method": "phone call",
                                          "provider": f"{note} College", "course_or_role": f"Glass {note}"})
    store.destinations.record_check(pid, {"checked_on": "01/10/2012", "method": "phone call",
                                         "note": f"Still there, {note}"})
    clock.moment = datetime(2026, 11, 22, 10, 0)
    return {"pupil": pid, "interview": iid, "record": rid, "action": action, "plan": plan, "activity": activity,
            "sar": sar, "upn": make_upn(n)}


@pytest.fixture
def two(store, clock, tmp_path):
    """Zebedee, past retention (SEN support, born 1995: kept to 14/03/2026), and Wilhelmina, who
    took part in the same things but is still on roll."""
    store.advisers.set_current(store.advisers.add({"name": "Ms Patel"}))
    z = _everything(store, clock, tmp_path, n=1, fore=NAME[0], sur=NAME[1], note=UNIQUE_NOTE)
    w = _everything(store, clock, tmp_path, n=2, fore="Wilhelmina", sur="Stayput", note="Keeps-her-notes-WW9",
                    dob="14/03/1996", sen="N")
    store.pupils.set_left(w["pupil"], None)
    return z, w


# Every table that refers to a pupil, and how: directly (pupil_id) or through the ids of another.
BY_ID = {"interview_events": ("interview_id", "interviews"), "record_amendments": ("record_id", "meeting_records"),
         "action_events": ("action_id", "actions"), "plan_versions": ("plan_id", "plans"),
         "plan_reviews": ("plan_id", "plans")}


def _pupil_tables(conn) -> list[str]:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                         "'sqlite_%' AND name NOT LIKE 'pupils_fts%'")]
    return [t for t in tables if any(c[1] == "pupil_id" for c in conn.execute(f"PRAGMA table_info({t})"))]


def footprint(conn, pid) -> dict[str, int]:
    """How many rows of every table refer to the pupil."""
    out = {t: conn.execute(f"SELECT count(*) FROM {t} WHERE pupil_id = ?", (pid,)).fetchone()[0]
           for t in _pupil_tables(conn)}
    out["pupils"] = conn.execute("SELECT count(*) FROM pupils WHERE id = ?", (pid,)).fetchone()[0]
    out["pupils_fts"] = conn.execute("SELECT count(*) FROM pupils_fts WHERE rowid = ?", (pid,)).fetchone()[0]
    for table, (column, parent) in BY_ID.items():
        out[table] = conn.execute(f"SELECT count(*) FROM {table} WHERE {column} IN (SELECT id FROM {parent} "
                                  "WHERE pupil_id = ?)", (pid,)).fetchone()[0]
    out["plan_targets"] = conn.execute(
        "SELECT count(*) FROM plan_targets WHERE plan_version_id IN (SELECT v.id FROM plan_versions v JOIN plans p "
        "ON p.id = v.plan_id WHERE p.pupil_id = ?)", (pid,)).fetchone()[0]
    out["drafts"] = conn.execute(
        "SELECT count(*) FROM drafts WHERE key = 'new-record:pupil:' || ? OR key IN (SELECT 'record:' || id FROM "
        "meeting_records WHERE pupil_id = ?)", (pid, pid)).fetchone()[0]
    return out


def file_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    for suffix in ("-journal", "-wal"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            data += extra.read_bytes()
    return data.lower()


def found_in_file(path: Path, *texts: str) -> list[str]:
    data = file_bytes(path)
    return [t for t in texts if t.lower().encode("utf-8") in data]


def test_the_fixture_reaches_every_table(store, two):
    z, _ = two
    fp = footprint(store.conn, z["pupil"])
    assert fp.pop("erasures_in_progress") == 0
    assert fp.pop("coverage_stale") == 0                 # a work list, emptied by every commit
    assert all(fp.values()), {t: n for t, n in fp.items() if not n}
    assert set(fp) >= {"interviews", "meeting_records", "actions", "destinations", "destination_checks", "plans",
                       "activity_pupils", "subject_access_requests", "exports_given", "audit_log"}
    store.conn.close()
    assert found_in_file(store.path, NAME[1], z["upn"], UNIQUE_NOTE) == [NAME[1], z["upn"], UNIQUE_NOTE]


# ---------------------------------------------------------------- erasing


def test_erase_removes_every_row_and_every_byte_and_leaves_a_tombstone(store, two):
    z, w = two
    pid = z["pupil"]
    assert [r.id for r in store.retention.page()] == [pid]
    before_w = footprint(store.conn, w["pupil"])
    w_texts = store.conn.execute("SELECT situation, confidential_notes FROM meeting_records WHERE pupil_id = ?",
                                 (w["pupil"],)).fetchall()
    seen = []
    outcome = store.retention.erase([pid], progress=lambda done, total: seen.append((done, total)))
    assert outcome.pupils == 1 and outcome.rows > 20 and outcome.compacted
    assert seen == [(1, 1)]
    left = footprint(store.conn, pid)
    assert not any(left.values()), {t: n for t, n in left.items() if n}
    assert store.pupils.get(pid) is None
    # The other pupil is untouched, in every table.
    assert footprint(store.conn, w["pupil"]) == before_w
    assert store.conn.execute("SELECT situation, confidential_notes FROM meeting_records WHERE pupil_id = ?",
                              (w["pupil"],)).fetchall() == w_texts
    assert store.conn.execute("SELECT count(*) FROM activity_pupils WHERE activity_id = ?",
                              (w["activity"],)).fetchone()[0] == 1
    # One tombstone, naming no one.
    stones = store.conn.execute("SELECT * FROM audit_log WHERE action = 'erase'").fetchall()
    assert len(stones) == 1
    stone = stones[0]
    assert stone["pupil_id"] is None and stone["row_id"] == pid and stone["before"] is None
    assert json.loads(stone["after"])["erased_pupil_id"] == pid and json.loads(stone["after"])["rows_deleted"]["meeting_records"] == 1
    assert NAME[1].lower() not in stone["after"].lower()
    assert not store.conn.execute("SELECT count(*) FROM erasures_in_progress").fetchone()[0]
    # Search finds nothing; the register no longer holds them.
    assert store.pupils.ids(PupilFilter(search="stayput", roll="all")) == [w["pupil"]]
    assert store.pupils.ids(PupilFilter(search="quillfeather", roll="all")) == []
    # Nothing of theirs is left in the file: names, UPN, notes (the database file and any journal).
    store.conn.close()
    assert found_in_file(store.path, NAME[0], NAME[1], "Quillfeather", z["upn"], UNIQUE_NOTE,
                         "Wants-to-be-a-glassblower") == []
    assert found_in_file(store.path, "Wilhelmina", "Keeps-her-notes-WW9") == ["Wilhelmina", "Keeps-her-notes-WW9"]


def test_erasing_takes_them_out_of_saved_searches_and_lists_the_files_exported_for_them(store, two, tmp_path):
    z, w = two
    pid = z["pupil"]
    out = tmp_path / "lists"
    out.mkdir()
    record = store.exports.pupil_record(pid, "html", out)
    by_name = out / "register - search results - 2026-11-22.csv"
    by_upn = out / "register - one pupil.csv"
    by_form = out / "register - form.csv"
    other = out / "register - another pupil.csv"
    assert store.exports.csv_list("register", {"search": "quillfeather", "roll": "all"}, by_name) == 1
    assert store.exports.csv_list("register", {"search": z["upn"], "roll": "all"}, by_upn) == 1
    by_both = out / "register - two words.csv"
    assert store.exports.csv_list("register", {"search": "Zebedee quill", "roll": "all"}, by_both) == 1
    assert store.exports.csv_list("register", {"search": "11Q", "roll": "all"}, by_form) == 2
    assert store.exports.csv_list("register", {"search": "Stayput", "roll": "all"}, other) == 1
    # What the confirmation will list, before anything is done.
    before = store_retention.exported_files(store.conn, [pid])
    certain = [f.path for f in before if f.certain]
    assert {str(record), str(by_name), str(by_upn), str(by_both)} <= set(certain)
    assert {str(by_form), str(other)} <= {f.path for f in before if not f.certain}     # may include them
    outcome = store.retention.erase([pid])
    assert outcome.files == tuple(before) and outcome.log_cleaned == 3
    assert any(f.path.endswith(".md") and f.certain for f in outcome.files)      # the copy given in the fixture
    # The list entries stay, with the searches that named them taken out; the others as they were.
    searches = {json.loads(a)["file"]: json.loads(a)["filters"]["search"] for (a,) in store.conn.execute(
        "SELECT after FROM audit_log WHERE action = 'export' AND pupil_id IS NULL")}
    assert searches == {str(by_name): "[removed]", str(by_upn): "[removed]", str(by_both): "[removed]",
                        str(by_form): "11Q", str(other): "Stayput"}
    stone = json.loads(store.conn.execute("SELECT after FROM audit_log WHERE action = 'erase'").fetchone()[0])
    assert stone["erased_pupil_id"] == pid and stone["log_entries_cleaned"] == 3
    with pytest.raises(sqlite3.IntegrityError, match="audit log cannot be changed"):
        store.conn.execute("UPDATE audit_log SET after = '{}' WHERE action = 'export'")
    store.conn.close()
    assert found_in_file(store.path, NAME[0], NAME[1], z["upn"], UNIQUE_NOTE) == []
    assert found_in_file(store.path, "Stayput") == ["Stayput"]


def test_the_audit_log_still_refuses_changes_after_an_erase(store, two):
    z, w = two
    store.retention.erase([z["pupil"]])
    with pytest.raises(sqlite3.IntegrityError, match="audit log cannot be changed"):
        store.conn.execute("DELETE FROM audit_log WHERE pupil_id = ?", (w["pupil"],))
    with pytest.raises(sqlite3.IntegrityError, match="audit log cannot be changed"):
        store.conn.execute("DELETE FROM audit_log WHERE action = 'erase'")


def _dump(conn) -> list[str]:
    return list(conn.iterdump())


@pytest.mark.parametrize("who", ["unknown", "on_roll", "not_yet", "mixed"])
def test_a_refused_erase_or_pseudonymisation_changes_nothing(store, two, clock, who):
    z, w = two
    ids = {"unknown": [987654], "on_roll": [w["pupil"]], "not_yet": [z["pupil"]], "mixed": [z["pupil"], 987654]}[who]
    if who == "not_yet":
        clock.moment = datetime(2026, 3, 13, 10, 0)         # the day before the SEN file's 31 years
    before = _dump(store.conn)
    for act in (store.retention.erase, store.retention.pseudonymise):
        with pytest.raises(StoreError, match="Nothing was changed") as e:
            act(ids)
        assert _dump(store.conn) == before
    words = str(e.value)
    assert {"unknown": "pupil 987654 is not on the register", "on_roll": "Wil Stayput is still on roll",
            "not_yet": "kept until 14/03/2026 (SEN file: 31 years from birth", "mixed": "987654"}[who] in words
    with pytest.raises(StoreError, match="Mark at least one pupil"):
        store.retention.erase([])


def test_an_erase_that_fails_part_way_rolls_back_whole(store, two, monkeypatch):
    z, _ = two
    store.conn.execute("PRAGMA secure_delete = 0")       # this build's default is on: show it is put back
    before = _dump(store.conn)

    def broken(conn):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store_retention, "_merge_search_index", broken)
    with pytest.raises((StoreError, sqlite3.Error)):
        store.retention.erase([z["pupil"]])
    assert _dump(store.conn) == before
    assert store.conn.execute("PRAGMA secure_delete").fetchone()[0] == 0      # as it was
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_pseudonymisation_that_fails_part_way_rolls_back_whole_and_keeps_records_locked(store, two, monkeypatch):
    z, _ = two
    before = _dump(store.conn)

    def broken(conn):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store_retention, "_merge_search_index", broken)
    with pytest.raises((StoreError, sqlite3.Error)):
        store.retention.pseudonymise([z["pupil"]])
    assert _dump(store.conn) == before
    with pytest.raises(sqlite3.IntegrityError, match="signed off"):
        store.conn.execute("UPDATE meeting_records SET situation = 'x' WHERE id = ?", (z["record"],))


def test_an_erase_that_would_leave_another_pupils_row_pointing_at_theirs_refuses_whole(store, two):
    z, w = two
    stamp = "2026-11-22T10:00:00"
    store.conn.execute("INSERT INTO actions (pupil_id, record_id, description, owner, created_at, updated_at) "
                       "VALUES (?, ?, 'Linked by mistake', 'pupil', ?, ?)", (w["pupil"], z["record"], stamp, stamp))
    before = _dump(store.conn)
    with pytest.raises(StoreError, match="actions pointing at deleted meeting_records"):
        store.retention.erase([z["pupil"]])
    assert _dump(store.conn) == before
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_an_erase_reaching_an_unknown_table_refuses_whole(store, two):
    z, _ = two
    store.conn.execute("CREATE TABLE notes_added_later (id INTEGER PRIMARY KEY, pupil_id INTEGER, body TEXT)")
    store.conn.execute("INSERT INTO notes_added_later (pupil_id, body) VALUES (?, 'x')", (z["pupil"],))
    before = _dump(store.conn)
    with pytest.raises(StoreError, match="notes_added_later"):
        store.retention.erase([z["pupil"]])
    assert _dump(store.conn) == before


def test_backups_beside_the_database_are_named_as_still_holding_the_data(store, two):
    assert store.backup.holding_data() == []
    old = store.path.with_name(f"{store.path.stem}.pre-v2-backup-20250101-101010.db")
    old.write_bytes(b"SQLite format 3\x00")
    folder = store.path.parent / f"{store.path.stem}-backups"
    folder.mkdir()
    newer = folder / f"{store.path.stem} 2026-11-22 09.00.00 opened.db"
    newer.write_bytes(b"SQLite format 3\x00")
    assert set(store.backup.holding_data()) == {old, newer}


# ---------------------------------------------------------------- pseudonymising


def test_pseudonymise_keeps_the_statistics_and_removes_who_they_were(store, two):
    z, w = two
    pid = z["pupil"]
    conn = store.conn
    stats = lambda: (conn.execute("SELECT intake_year, sen_status, gender, date_left, destination_consent "  # noqa: E731
                                  "FROM pupils WHERE id = ?", (pid,)).fetchone()[:],
                     conn.execute("SELECT kind, code, recorded_on FROM destinations WHERE pupil_id = ? ORDER BY id",
                                  (pid,)).fetchall(),
                     conn.execute("SELECT code FROM destination_checks WHERE pupil_id = ?", (pid,)).fetchall(),
                     conn.execute("SELECT activity_id FROM activity_pupils WHERE pupil_id = ?", (pid,)).fetchall(),
                     conn.execute("SELECT held_at, status, intended_destination FROM meeting_records "
                                  "WHERE pupil_id = ?", (pid,)).fetchall(),
                     conn.execute("SELECT status FROM actions WHERE pupil_id = ?", (pid,)).fetchall())
    before = [[tuple(r) for r in part] if isinstance(part, list) else tuple(part) for part in stats()]
    w_before = footprint(conn, w["pupil"])
    outcome = store.retention.pseudonymise([pid])
    assert outcome.pupils == 1 and outcome.skipped == 0 and outcome.compacted
    after = [[tuple(r) for r in part] if isinstance(part, list) else tuple(part) for part in stats()]
    assert after == before
    row = store.pupils.get(pid)
    assert (row["legal_forename"], row["legal_surname"], row["preferred_forename"], row["form"]) == \
        (f"Pupil {pid}", "Pseudonymised", None, None)
    assert row["dob"] == "1995-01-01"
    assert is_valid(row["upn"]) and row["upn"] != z["upn"] and row["upn"][1:4] == "000"
    # Every free text of theirs is [removed]; the roles in a review stay.
    assert conn.execute("SELECT situation, advice_given, confidential_notes, decisions FROM meeting_records "
                        "WHERE pupil_id = ?", (pid,)).fetchone()[:] == ("[removed]",) * 4
    assert conn.execute("SELECT description FROM actions WHERE pupil_id = ?", (pid,)).fetchone()[0] == "[removed]"
    assert conn.execute("SELECT participants FROM plan_reviews WHERE plan_id = ?", (z["plan"],)).fetchone()[0] == \
        '["pupil", "parent/carer", "[removed]"]'
    assert conn.execute("SELECT requester_name FROM subject_access_requests WHERE pupil_id = ?",
                        (pid,)).fetchone()[0] == "[removed]"
    assert conn.execute("SELECT count(*) FROM drafts WHERE key IN (?, ?)",
                        (f"record:{z['record']}", f"new-record:pupil:{pid}")).fetchone()[0] == 0
    # The record stays signed off and locked.
    with pytest.raises(sqlite3.IntegrityError, match="signed off"):
        conn.execute("UPDATE meeting_records SET situation = 'x' WHERE id = ?", (z["record"],))
    # The log holds one entry for them now, by ids and counts.
    entries = conn.execute("SELECT * FROM audit_log WHERE pupil_id = ?", (pid,)).fetchall()
    assert len(entries) == 1 and json.loads(entries[0]["after"])["pseudonymised"] is True
    # Search: the old names find nothing, the pseudonym finds them.
    assert store.pupils.ids(PupilFilter(search="quillfeather", roll="all")) == []
    assert store.pupils.ids(PupilFilter(search="zebedee", roll="all")) == []
    assert store.pupils.ids(PupilFilter(search="pseudonymised", roll="all")) == [pid]
    # The other pupil is untouched; a second pseudonymisation skips them.
    assert footprint(conn, w["pupil"]) == w_before
    assert store.retention.pseudonymise([pid]).skipped == 1
    # They are still past retention (they can be erased later), shown as pseudonymised.
    listed = store.retention.page()
    assert [(r.id, r.pseudonymised) for r in listed] == [(pid, True)]
    store.conn.close()
    assert found_in_file(store.path, NAME[0], NAME[1], z["upn"], UNIQUE_NOTE, f"Marvella {NAME[1]}") == []


def test_a_placeholder_upn_never_clashes(store, clock):
    clock.moment = datetime(2000, 11, 22, 10, 0)
    pid = _add(store, 1, "Ada", "Old", "14/03/1980", left=date(2000, 7, 20))
    taken = store_retention.placeholder_upn(store.conn, pid)
    other = _add(store, 2, "Bo", "Real", "14/03/1990")
    store.conn.execute("UPDATE pupils SET upn = ? WHERE id = ?", (taken, other))   # someone holds it already
    clock.moment = datetime(2026, 11, 22, 10, 0)
    store.retention.pseudonymise([pid])
    upn = store.pupils.get(pid)["upn"]
    assert upn != taken and is_valid(upn) and upn[1:4] == "000" and upn[-1].isalpha()


def test_a_name_in_an_activity_note_is_taken_out_of_the_note_and_of_its_log_entries(store, clock, tmp_path):
    store.advisers.set_current(store.advisers.add({"name": "Ms Patel"}))
    z = _everything(store, clock, tmp_path, n=1, fore=NAME[0], sur=NAME[1], note=UNIQUE_NOTE,
                    activity_note=f"{NAME[0]}  {NAME[1].upper()} asked the most; so did quillfeather, zeb.")
    outcome = store.retention.pseudonymise([z["pupil"]])
    assert store.conn.execute("SELECT notes FROM activities WHERE id = ?", (z["activity"],)).fetchone()[0] == \
        "[removed] asked the most; so did [removed]."
    # The activity's own audit entry (it belongs to no pupil) stays, with the name taken out of the note.
    assert outcome.log_cleaned == 1 and outcome.log_mentions == 0
    entry = store.conn.execute("SELECT after FROM audit_log WHERE table_name = 'activities' AND action = 'insert' "
                               "AND row_id = ?", (z["activity"],)).fetchone()[0]
    assert "[removed] asked the most; so did [removed]." in entry
    assert NAME[1].lower() not in entry.lower() and "zeb." not in entry.lower()
