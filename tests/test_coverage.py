"""Benchmark coverage from the database: per pupil, for the cohort (against a hand-counted
school), the drill-down, the set-based SQL against the pure rules, and the CLI report."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from gatsby_tui import cli
from gatsby_tui.clock import FixedClock
from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.store import Store, coverage, history
from gatsby_tui.store.activities import Group
from gatsby_tui.store.bookings import BookingRequest

from helpers import make_upn, pupil

TODAY = date(2026, 11, 22)
TALK = {"kind": "employer_talk", "title": "Engineering talk", "held_on": "01/10/2026", "benchmarks": [5],
        "m_purpose": True, "m_outcomes": True, "m_interaction": True, "m_reflection": True}


def add(store, fore, sur, *, dob, sen="N", gender="F", pp=False, n=[200]):
    n[0] += 1
    return store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n[0]), legal_forename=fore, legal_surname=sur,
                                                      dob=dob, sen_status=sen, gender=gender, pupil_premium=pp)))


def held_meeting(store, pupil_id, adviser_id, when):
    interview = store.bookings.book(BookingRequest(pupil_id=pupil_id, adviser_id=adviser_id, start=when, minutes=45),
                           confirm=True)
    store.bookings.mark_held(interview)
    return interview


@pytest.fixture
def school(store):
    """A hand-counted school (today 22/11/2026, 2026/27).

    Year 11 (born 2010/11): Asha (SEN support) met a Level 6 adviser; Bilal met an adviser whose
    level is not recorded; Chloe (pupil premium) met nobody; Dara met a Level 7 adviser.
    Year 10 (born 2011/12): Erin met a Level 6 adviser (early); Femi met nobody.
    Year 7 (born 2014/15): Gus and Hana; only Gus went to the (meaningful) employer talk, and
    Hana went to one that was not meaningful.

    Benchmark 8: Year 11 2 met / 2 not yet (50%); Year 10 1 met / 1 not yet due; Year 7 2 not due.
    Benchmark 5: Year 7 1 met / 1 not yet; Years 10 and 11 nobody (earlier years missed)."""
    l6 = store.advisers.add({"name": "Helen Marsh", "kind": "external", "qualification_level": "6"})
    l7 = store.advisers.add({"name": "Daniel Whitaker", "kind": "internal", "qualification_level": "7"})
    unknown = store.advisers.add({"name": "Sam Nolevel", "kind": "external", "qualification_level": ""})
    store.advisers.set_current(l6)
    p = {
        "asha": add(store, "Asha", "Ahmed", dob="01/09/2010", sen="K"),
        "bilal": add(store, "Bilal", "Bashir", dob="31/08/2011", gender="M"),
        "chloe": add(store, "Chloe", "Clarke", dob="15/01/2011", pp=True),
        "dara": add(store, "Dara", "Doyle", dob="20/05/2011", gender="X"),
        "erin": add(store, "Erin", "Evans", dob="14/03/2012"),
        "femi": add(store, "Femi", "Fashola", dob="14/03/2012", gender="M"),
        "gus": add(store, "Gus", "Grant", dob="14/03/2015", gender="M"),
        "hana": add(store, "Hana", "Hughes", dob="14/03/2015"),
    }
    held_meeting(store, p["asha"], l6, datetime(2026, 10, 6, 9, 0))
    held_meeting(store, p["bilal"], unknown, datetime(2026, 10, 6, 10, 0))
    held_meeting(store, p["dara"], l7, datetime(2026, 10, 7, 9, 0))
    held_meeting(store, p["erin"], l6, datetime(2026, 10, 8, 9, 0))
    talk = store.activities.add(TALK)
    store.activities.attach(talk, [p["gus"]])
    thin = store.activities.add({**TALK, "title": "A talk with no time to reflect", "m_reflection": False})
    store.activities.attach(thin, [p["hana"]])
    return {"pupils": p, "advisers": {"l6": l6, "l7": l7, "unknown": unknown}}


def test_cohort_percentages_match_the_hand_count(store, school):
    c = store.coverage.cohort()
    assert c.pupils == 8
    assert c.tally(8, year=11) == coverage.Tally(met=2, not_yet=2, not_due=0)
    assert c.tally(8, year=11).percent == 50
    assert c.tally(8, year=10) == coverage.Tally(met=1, not_yet=0, not_due=1)
    assert c.tally(8, year=7) == coverage.Tally(met=0, not_yet=0, not_due=2)
    assert c.tally(8) == coverage.Tally(met=3, not_yet=2, not_due=3)
    assert c.tally(8).percent == 38                                   # 3 of 8
    assert c.tally(5, year=7) == coverage.Tally(met=1, not_yet=1, not_due=0)
    assert c.tally(5, year=11).met == 0 and c.tally(5, year=10).met == 0
    # Breakdowns: SEN support (Asha) met; pupil premium (Chloe) not; gender X (Dara) met.
    assert c.tally(8, breakdown="sen", value="K") == coverage.Tally(1, 0, 0)
    assert c.tally(8, year=11, breakdown="pp", value=1) == coverage.Tally(0, 1, 0)
    assert c.tally(8, year=11, breakdown="pp", value=0) == coverage.Tally(2, 1, 0)
    assert c.tally(8, breakdown="gender", value="X") == coverage.Tally(1, 0, 0)
    assert c.tally(8, breakdown="gender", value="M") == coverage.Tally(0, 1, 2)
    assert c.tally(8, breakdown="lac", value=1) == coverage.Tally(0, 0, 0)


def test_the_drill_down_lists_who_is_missing_it_and_why(store, school):
    p = school["pupils"]
    gaps, total = store.coverage.gaps(8, year=11)
    assert total == 2
    assert [g.name for g in gaps] == ["Bashir, Bilal", "Clarke, Chloe"]
    assert "not recorded as Level 6 or above" in gaps[0].missing
    assert "PP" in gaps[1].flags
    gaps, total = store.coverage.gaps(8, year=10, include_not_due=True)
    assert [g.pupil_id for g in gaps] == [p["femi"]] and gaps[0].state == rules.NOT_DUE
    gaps, total = store.coverage.gaps(5, year=7)
    assert [g.pupil_id for g in gaps] == [p["hana"]]
    gaps, _ = store.coverage.gaps(8, year=11, breakdown="pp", value=1)
    assert [g.pupil_id for g in gaps] == [p["chloe"]]


def test_recording_the_advisers_level_makes_the_meeting_count(store, school):
    p, a = school["pupils"], school["advisers"]
    assert store.coverage.pupil(p["bilal"])[8].state == rules.NOT_YET
    store.advisers.update(a["unknown"], {"name": "Sam Nolevel", "kind": "external", "qualification_level": "6"})
    assert store.coverage.pupil(p["bilal"])[8].state == rules.MET
    assert store.coverage.cohort().tally(8, year=11).met == 3          # the cache sees the change


def test_guidance_counts_agree_with_the_history_summary(store, school):
    p = school["pupils"]
    for name in ("asha", "bilal", "chloe", "dara"):
        pid = p[name]
        end11 = date(2027, 8, 31)
        ours = coverage.facts(store.conn, today=TODAY, where="p.id = :id", params={"id": pid})[0].facts
        assert ours.guidance_by16 == min(2, history.guidance_meetings_until(store.conn, pid, end11, min_level=6))
        assert ours.unqualified == min(2, history.guidance_meetings_until(store.conn, pid, end11)
                                       - history.guidance_meetings_until(store.conn, pid, end11, min_level=6))


def test_a_pupil_added_later_is_not_assumed_to_have_joined_then(store, school, clock):
    # A year later a new pupil is added in Year 11 with no date of entry: nothing is waived
    # silently, so their Years 7-10 are expected.
    clock.moment = datetime(2027, 10, 1, 9, 0)
    late = add(store, "Iris", "Ivanova", dob="14/03/2012")              # Year 11 in 2027/28
    talk = store.activities.add({**TALK, "held_on": "01/10/2027"})
    store.activities.attach(talk, [late])
    states = store.coverage.pupil(late)
    assert states[5].state == rules.NOT_YET
    assert all(p.status != rules.PART_WAIVED for p in states[5].parts)


def test_a_known_date_of_entry_waives_the_years_before_it(store, school, clock):
    clock.moment = datetime(2027, 10, 1, 9, 0)
    n = [900]
    late = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n[0]), legal_forename="Iris",
                                                      legal_surname="Ivanova", dob="14/03/2012",
                                                      date_of_entry="15/09/2027")))
    assert store.conn.execute("SELECT date_of_entry FROM pupils WHERE id = ?", (late,)).fetchone()[0] == "2027-09-15"
    talk = store.activities.add({**TALK, "held_on": "01/10/2027"})
    store.activities.attach(talk, [late])
    states = store.coverage.pupil(late)
    assert states[5].state == rules.MET
    assert "joined in Year 11" in states[5].parts[0].note
    assert store.coverage.pupil(school["pupils"]["erin"])[5].state == rules.NOT_YET   # here from Year 7
    assert store.coverage.cohort().tally(5, year=11).met == 1          # the cohort's SQL agrees


@pytest.mark.parametrize("typed, error", [
    ("01/10/2030", "in the future"),
    ("31/02/2027", "has no day 31"),
    ("01/09/2013", "before the pupil was 4"),
])
def test_a_date_of_entry_that_cannot_be_right_is_refused_in_words(store, typed, error):
    from gatsby_tui.store import PupilInvalid

    with pytest.raises(PupilInvalid) as e:
        store.pupils.validate(pupil(upn=make_upn(950), dob="14/03/2012", date_of_entry=typed))
    assert error in e.value.errors["date_of_entry"]


def test_the_pupils_states_carry_their_evidence(store, school):
    states = store.coverage.pupil(school["pupils"]["gus"])
    assert states[5].state == rules.MET
    assert states[5].evidence == ("01/10/2026 (Year 7) Engineering talk",)
    hana = store.coverage.pupil(school["pupils"]["hana"])
    assert "does not count (not meaningful: lacks time to reflect afterwards)" in hana[5].evidence[0]
    bilal = store.coverage.pupil(school["pupils"]["bilal"])
    assert "Sam Nolevel (qualification not recorded)" in bilal[8].evidence[0]


# ---------------------------------------------------------------- the SQL against the rules, on the demo data


@pytest.fixture(scope="module")
def demo(built_sample, tmp_path_factory) -> Store:
    import shutil

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copyfile(built_sample, path)
    s = Store.open(path, clock=FixedClock(datetime(2026, 11, 22, 10, 0)))
    yield s
    s.close()


def test_set_based_facts_equal_the_rules_applied_to_each_pupils_evidence(demo):
    every = coverage.facts(demo.conn, today=TODAY)
    assert len(every) == demo.conn.execute("SELECT count(*) FROM pupils").fetchone()[0]
    mismatched = []
    for pf in every:
        pupil_, ev = coverage.evidence(demo.conn, pf.pupil_id, today=TODAY)
        if rules.facts_from(pupil_, ev) != pf.facts or pupil_ != pf.pupil:
            mismatched.append(pf.pupil_id)
    assert mismatched == []


def test_the_cohort_equals_counting_each_pupils_states(demo):
    c = demo.coverage.cohort()
    where, params = coverage.on_roll_where(TODAY)
    counted: dict = {}
    for pf in coverage.facts(demo.conn, today=TODAY, where=where, params=params):
        year = rules.year_group_at(pf.pupil.intake_year, TODAY)
        for key, state in demo.coverage.pupil(pf.pupil_id).items():
            counted.setdefault((year, key), [0, 0, 0])[("met", "not_yet", "not_due").index(state.state)] += 1
    for (year, key), (met, not_yet, not_due) in counted.items():
        assert c.tally(key, year=year) == coverage.Tally(met, not_yet, not_due), (year, key)


def test_every_benchmark_shows_some_met_and_some_missing_in_the_demo(demo):
    c = demo.coverage.cohort()
    for key in rules.RULE_KEYS:
        t = c.tally(key)
        assert t.met > 0 and t.not_yet > 0, (key, t)


def test_a_read_only_connection_gives_the_same_cohort(demo):
    """The app reads the cohort on a read-only connection in a worker thread: the same figures."""
    from gatsby_tui.store.db import connect

    reader = connect(demo.path)
    reader.execute("PRAGMA query_only = 1")
    try:
        assert coverage.cohort(reader, today=TODAY).buckets == coverage.cohort(demo.conn, today=TODAY).buckets
    finally:
        reader.close()


# ---------------------------------------------------------------- the CLI report


def test_cli_report_benchmarks(store, school, capsys):
    path = str(store.path)
    today = ["--today", "2026-11-22"]
    assert cli.main(["report", "benchmarks", "--db", path, "--year", "11", "--format", "csv", *today]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("Year group,Benchmark,Title,Met,Not yet,Due,Percent met of those due,Not yet due,Pupils")
    assert "11,8,Personal guidance,2,2,4,50,0,4" in lines
    assert cli.main(["report", "benchmarks", "--db", path, "--format", "json", *today]) == 0
    doc = json.loads(capsys.readouterr().out)
    whole = next(r for r in doc["rows"] if r["year_group"] == "all" and r["benchmark"] == 8)
    # Met of those due (3 of 5), with the 3 pupils it is not yet due for apart: never 3 of 8.
    assert (whole["met"], whole["not_yet"], whole["due"], whole["percent_met_of_due"], whole["not_due"]) == (
        3, 2, 5, 60, 3)
    y7 = next(r for r in doc["rows"] if r["year_group"] == 7 and r["benchmark"] == 8)
    assert (y7["due"], y7["percent_met_of_due"], y7["not_due"]) == (0, None, 2)
    sen = next(g for g in doc["breakdowns"]["sen"] if g["value"] == "K")
    assert sen["8"] == {"met": 1, "due": 1, "percent_met_of_due": 100, "not_due": 0, "pupils": 1}
    assert cli.main(["report", "benchmarks", "--db", path, *today]) == 0
    table = capsys.readouterr().out
    assert "not yet due are counted apart" in table
    assert "B8 Guidance" in table and "50% 2/4" in table and "60% 3/5 (+3 not yet due)" in table
    assert "— (+2 not yet due)" in table                                # Year 7: nothing due yet
    assert cli.main(["report", "benchmarks", "--db", path, "--year", "5", *today]) == 2
    assert "give 7 to 13" in capsys.readouterr().err
    assert cli.main(["report", "benchmarks", "--db", str(Path(path).with_name("nope.db")), *today]) == 3


def test_cli_report_benchmarks_reads_once_without_mapping_the_file(store, school, capsys, monkeypatch):
    """The command works the cohort out once on its own connection: it never opens the app's
    reader connections (which map the whole file into memory), and its figures are the app's."""
    from gatsby_tui.store import coverage

    app_figures = coverage.report_rows(store.coverage.cohort())

    def refused(self, count):
        raise AssertionError("the report opened the memory-mapped reader connections")

    monkeypatch.setattr(Store, "readers", refused)
    assert cli.main(["report", "benchmarks", "--db", str(store.path), "--format", "json",
                     "--today", "2026-11-22"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == app_figures


def test_cli_report_benchmarks_on_a_day_counts_only_what_had_happened(store, school, capsys):
    path = str(store.path)
    # On 1 October 2026 none of the October meetings or talks had happened yet.
    assert cli.main(["report", "benchmarks", "--db", path, "--on", "2026-10-01", "--format", "json",
                     "--today", "2026-11-22"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["as_of"] == "2026-10-01"
    y11 = next(r for r in doc["rows"] if r["year_group"] == 11 and r["benchmark"] == 8)
    assert (y11["met"], y11["not_yet"]) == (0, 4)
    y7 = next(r for r in doc["rows"] if r["year_group"] == 7 and r["benchmark"] == 5)
    assert y7["met"] == 1                                   # the talk on 1 October itself counts
    assert cli.main(["report", "benchmarks", "--db", path, "--on", "2026-09-30", "--format", "json",
                     "--today", "2026-11-22"]) == 0
    y7 = next(r for r in json.loads(capsys.readouterr().out)["rows"] if r["year_group"] == 7 and r["benchmark"] == 5)
    assert y7["met"] == 0
    # The end of last school year: the pupils now in Year 11 were in Year 10.
    assert cli.main(["report", "benchmarks", "--db", path, "--on", "2026-08-31", "--format", "json",
                     "--today", "2026-11-22"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["school_year"] == "2025/26"
    assert next(r for r in doc["rows"] if r["year_group"] == 10 and r["benchmark"] == 8)["pupils"] == 4
    for bad, words in (("2026-13-01", "not a date"), ("2027-01-01", "after today")):
        assert cli.main(["report", "benchmarks", "--db", path, "--on", bad, "--today", "2026-11-22"]) == 2
        assert words in capsys.readouterr().err


def test_cli_report_benchmarks_pupil_by_pupil(store, school, capsys):
    path = str(store.path)
    p = school["pupils"]
    assert cli.main(["report", "benchmarks", "--db", path, "--pupils", "--format", "json",
                     "--today", "2026-11-22"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 8 and [r["year_group"] for r in rows] == [7, 7, 10, 10, 11, 11, 11, 11]
    for r in rows:
        assert set(r) >= {"upn", "year_group", "benchmarks", "name"}
        assert list(r["benchmarks"]) == [f"B{k}" for k in range(1, 9)]
        for mark in r["benchmarks"].values():
            assert mark["state"] in ("met", "not_yet", "not_due")
            assert (mark["missing"] != []) is (mark["state"] == "not_yet")
    by_name = {r["name"]["display"]: r for r in rows}
    upn = store.conn.execute("SELECT upn FROM pupils WHERE id = ?", (p["bilal"],)).fetchone()[0]
    bilal = by_name["Bashir, Bilal"]
    assert bilal["upn"] == upn and bilal["year_group"] == 11
    assert bilal["benchmarks"]["B8"]["state"] == "not_yet"
    assert "not recorded as Level 6 or above" in bilal["benchmarks"]["B8"]["missing"][0]
    assert by_name["Doyle, Dara"]["benchmarks"]["B8"] == {"state": "met", "missing": []}
    assert by_name["Evans, Erin"]["benchmarks"]["B6"]["state"] == "not_due"
    assert by_name["Grant, Gus"]["benchmarks"]["B5"]["state"] == "met"
    assert by_name["Hughes, Hana"]["benchmarks"]["B5"]["state"] == "not_yet"
    # The same as columns, and as a table with what is missing under each pupil.
    assert cli.main(["report", "benchmarks", "--db", path, "--pupils", "--format", "csv", "--year", "11",
                     "--today", "2026-11-22"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("UPN,Name,Year group,B1,B1 missing,B2,B2 missing") and lines[0].endswith("B8,B8 missing")
    assert len(lines) == 5
    row = next(line for line in lines if line.startswith(upn))
    assert ",not_yet,a guidance meeting with a qualified adviser by the end of Year 11" in row
    assert cli.main(["report", "benchmarks", "--db", path, "--pupils", "--today", "2026-11-22"]) == 0
    out = capsys.readouterr().out
    assert "Bashir, Bilal" in out and "    B8 Guidance: a guidance meeting with a qualified adviser" in out


def test_the_cohort_counts_pupils_with_no_evidence_and_no_gender(store, school):
    # The cohort's passes come back as JSON (one row each): a pupil with no activities, no
    # meetings and no recorded gender is still counted, as not yet / not yet due.
    store.conn.execute("UPDATE pupils SET gender = NULL")
    store.coverage.forget()
    c = store.coverage.cohort()
    assert c.size() == c.pupils == c.tally(1, breakdown="gender", value=None).total > 0
    where, params = coverage.on_roll_where(store.today)
    counted: dict = {}
    for pf in coverage.facts(store.conn, today=store.today, where=where, params=params):
        for key, state in coverage.assess_facts(pf, store.today).items():
            counted.setdefault(key, [0, 0, 0])[("met", "not_yet", "not_due").index(state.state)] += 1
    for key, (met, not_yet, not_due) in counted.items():
        assert c.tally(key) == coverage.Tally(met, not_yet, not_due), key


def _facts_agree(store, pid):
    """The cohort's set-based facts for one pupil equal the rules applied to their evidence."""
    pf = coverage.facts(store.conn, today=store.today, where="p.id = :id", params={"id": pid})[0]
    pupil_, ev = coverage.evidence(store.conn, pid, today=store.today)
    assert rules.facts_from(pupil_, ev) == pf.facts and pupil_ == pf.pupil
    return pf.facts


def test_the_set_based_facts_follow_the_corrected_rules(store, school):
    # Year 12 (2026/27): Kit went to a provider-access encounter held for the year group; Lee did not
    # go, but it was offered to the year group all the same.
    kit = add(store, "Kit", "Kane", dob="14/03/2010")
    lee = add(store, "Lee", "Lowe", dob="14/04/2010")
    for day in ("01/10/2026", "15/10/2026"):
        pa = store.activities.add({**TALK, "kind": "provider_access", "title": f"T Levels {day}", "held_on": day,
                                 "benchmarks": [7]})
        store.activities.attach(pa, [kit])
    assert _facts_agree(store, kit).pal_12_13 == _facts_agree(store, lee).pal_12_13 == 2
    assert store.coverage.pupil(lee)[rules.PAL].parts[2].status == rules.PART_MET
    # A careers fair naming three provider types counts for each of them (Year 11, Asha).
    asha = school["pupils"]["asha"]
    fair = store.activities.add({**TALK, "kind": "careers_fair", "title": "Post 16 Fayre", "benchmarks": [2, 5, 7],
                               "providers": ["sixth_form", "college", "training"]})
    store.activities.attach(fair, [asha])
    assert _facts_agree(store, asha).providers_by16 == 0b1011
    # The latest intended destination decides "considering higher education"; an action plan given
    # is a copy of the record.
    store.destinations.record_intended(kit, {"code": "240", "recorded_on": "01/10/2026"})
    assert _facts_agree(store, kit).considering_he is True
    store.destinations.record_intended(kit, {"code": "310", "recorded_on": "02/10/2026"})
    assert _facts_agree(store, kit).considering_he is False
    store.conn.execute("INSERT INTO exports_given (pupil_id, kind, format, given_on) "
                       "VALUES (?, 'action_plan', 'pdf', '2026-10-03')", (kit,))
    assert _facts_agree(store, kit).copy_given is True
    store.coverage.forget()
    cohort = store.coverage.cohort()
    assert cohort.tally(rules.PAL, year=12).total == 2
    counted = [store.coverage.pupil(p)[rules.PAL].state for p in (kit, lee)]
    t = cohort.tally(rules.PAL, year=12)
    assert (t.met, t.not_yet, t.not_due) == (counted.count("met"), counted.count("not_yet"), counted.count("not_due"))


def test_report_pupils_lists_year_14_learners_too(store, school, capsys):
    y14 = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(960), dob="14/03/2006", year_group="14",
                                                     sen_status="E")))
    assert cli.main(["report", "benchmarks", "--db", str(store.path), "--pupils", "--year", "14", "--format",
                     "json", "--today", "2026-11-22"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["year_group"] for r in rows] == [14]
    assert rows[0]["upn"] == store.conn.execute("SELECT upn FROM pupils WHERE id = ?", (y14,)).fetchone()[0]
