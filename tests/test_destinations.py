"""Destinations in the store: intended, actual, checks, consent, cohorts; the CLI report."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from gatsby_tui.cli import main
from gatsby_tui.store import StoreError
from gatsby_tui.store.destinations import DestinationInvalid, NoConsent

from helpers import make_upn, pupil

# Today is Sunday 22 November 2026. The 2026 cohort left on Friday 17 July 2026; the 2025
# cohort on Friday 18 July 2025.
LEFT_2026 = date(2026, 7, 17)
LEFT_2025 = date(2025, 7, 18)

# The 2026 cohort, counted by hand: code (None: nothing recorded), consent.
COHORT_2026 = [
    ("Adams", "230", True),     # education
    ("Baker", "310", True),     # employment
    ("Clarke", "240", True),    # education
    ("Davies", "619", True),    # NEET
    ("Evans", "450", True),     # training
    ("Fisher", None, True),     # not known (nothing recorded)
    ("Green", "810", True),     # not known
    ("Hughes", "540", True),    # NEET
    ("Irwin", "340", True),     # employment
    ("Jones", None, False),     # not known, no consent
]
HAND_COUNT = {"education": 2, "employment": 2, "training": 1, "reengagement": 0, "neet": 2, "not_known": 3, "other": 0}


@pytest.fixture
def adviser(store):
    adviser_id = store.advisers.add({"name": "Helen Marsh", "kind": "external"})
    store.advisers.set_current(adviser_id)
    return adviser_id


def add(store, n, surname, dob, *, consent=False, left=None):
    pid = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n), legal_surname=surname, legal_forename="Sam",
                                                     dob=dob, destination_consent=consent, form="")))
    if left:
        store.pupils.set_left(pid, left)
    return pid


@pytest.fixture
def cohort(store, adviser):
    """The hand-counted 2026 cohort (Year 11 leavers), plus pupils who are not in it."""
    ids = {}
    for n, (surname, code, consent) in enumerate(COHORT_2026):
        ids[surname] = add(store, n + 1, surname, "14/03/2010", consent=consent, left=LEFT_2026)
        if code:
            store.destinations.record_actual(ids[surname], {"code": code, "checked_on": "01/10/2026",
                                                           "method": "phone call", "provider": "Riverside College"})
    # Not in the 2026 cohort: moved school in Year 9; stayed in the sixth form; left in 2025.
    ids["moved"] = add(store, 20, "Moved", "14/03/2012", consent=True, left=date(2026, 2, 27))
    ids["stayed"] = add(store, 21, "Stayed", "14/03/2010")
    ids["older"] = add(store, 22, "Older", "14/03/2009", consent=True, left=LEFT_2025)
    ids["older_no"] = add(store, 23, "Olderno", "14/03/2009", consent=False, left=LEFT_2025)
    ids["year11"] = add(store, 24, "Current", "14/03/2011")
    return ids


def rows(store, table):
    return store.conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def test_cohort_summary_matches_the_hand_count(store, cohort):
    summary = store.destinations.cohort_summary(2026)
    assert summary.total == 10
    assert summary.counts == HAND_COUNT
    assert summary.percent("not_known") == "30%" and summary.percent("training") == "10%"
    assert summary.no_consent == 1
    assert store.destinations.leavers_count(2026) == 10
    assert store.destinations.leavers_count(2026, "neet") == 2
    assert {r.surname for r in store.destinations.leavers_page(2026, "neet")} == {"Davies", "Hughes"}
    assert {r.surname for r in store.destinations.leavers_page(2026, "unknown")} == {"Fisher", "Green", "Jones"}
    assert store.destinations.cohorts() == [2026, 2025]
    assert store.destinations.default_cohort() == 2026
    # The 2025 cohort: two leavers, nothing known yet.
    older = store.destinations.cohort_summary(2025)
    assert older.total == 2 and older.counts["not_known"] == 2


def test_leavers_page_with_a_keyset(store, cohort):
    first = store.destinations.leavers_page(2026, limit=4)
    second = store.destinations.leavers_page(2026, after=first[-1].key, limit=4)
    third = store.destinations.leavers_page(2026, after=second[-1].key, limit=4)
    names = [r.surname for r in first + second + third]
    assert names == [s for s, _, _ in COHORT_2026]
    assert first[0].year_left_in == 11 and first[0].label == "Further education"


def test_unknown_code_is_refused_with_near_matches(store, cohort):
    before = len(rows(store, "destinations"))
    with pytest.raises(DestinationInvalid) as e:
        store.destinations.record_actual(cohort["Fisher"], {"code": "999", "method": "phone"})
    assert "'999' is not an NCCIS destination code" in e.value.errors["code"]
    assert "Did you mean" in e.value.errors["code"]
    with pytest.raises(DestinationInvalid) as e:
        store.destinations.record_actual(cohort["Fisher"], {"code": "apprentiseship", "method": "phone"})
    assert "310 Apprenticeship" in e.value.errors["code"]
    with pytest.raises(DestinationInvalid) as e:
        store.destinations.record_intended(cohort["year11"], {"code": "education"})
    assert "matches several destinations" in e.value.errors["code"]
    assert len(rows(store, "destinations")) == before


def test_tracking_a_leaver_without_consent_is_refused(store, cohort):
    jones = cohort["Jones"]
    audit_before = len(rows(store, "audit_log"))
    with pytest.raises(NoConsent, match="has not consented to be contacted.*tracking them is refused"):
        store.destinations.record_actual(jones, {"code": "230", "method": "phone call"})
    with pytest.raises(NoConsent):
        store.destinations.record_check(jones, {"method": "phone call"})
    # Refused before anything typed is looked at, and nothing written.
    with pytest.raises(NoConsent):
        store.destinations.record_actual(jones, {"code": "nonsense"})
    assert len(rows(store, "audit_log")) == audit_before
    assert store.destinations.for_pupil(jones)["refusal"].startswith("Sam Jones left on 17/07/2026")
    # Consent recorded (audited): now it can be tracked.
    assert store.destinations.set_consent(jones, True)
    entry = rows(store, "audit_log")[-1]
    assert json.loads(entry["after"]) == {"destination_consent": 1} and entry["table_name"] == "pupils"
    store.destinations.record_actual(jones, {"code": "230", "method": "phone call"})
    assert store.destinations.for_pupil(jones)["actual"][0]["code"] == "230"


def test_pupils_on_roll_stay_in_the_sixth_form_without_consent(store, cohort):
    stayed = cohort["stayed"]                              # Year 12, on roll, no consent
    store.destinations.record_actual(stayed, {"code": "210", "method": "school roll"})
    assert store.destinations.for_pupil(stayed)["actual"][0]["label"] == "School sixth form"
    with pytest.raises(StoreError, match="still on roll"):
        store.destinations.record_actual(stayed, {"code": "230", "method": "phone"})
    with pytest.raises(StoreError, match="still on roll"):
        store.destinations.record_actual(cohort["year11"], {"code": "210", "method": "phone"})


def test_intended_destination_with_the_september_guarantee(store, cohort):
    y11 = cohort["year11"]
    dest = store.destinations.record_intended(y11, {"code": "230", "provider": "Riverside College",
                                                   "course_or_role": "Level 3 engineering",
                                                   "offer_status": "accepted"})
    row = store.destinations.for_pupil(y11)["intended"][0]
    assert row["at_year"] == 11 and row["offer_status"] == "accepted" and row["offer_provider"] == "Riverside College"
    with pytest.raises(DestinationInvalid) as e:
        store.destinations.set_offer(dest, {"offer_status": "offered", "offer_provider": ""})
    assert "Name the provider" in e.value.errors["offer_provider"]
    store.destinations.set_offer(dest, {"offer_status": "none"})
    assert store.destinations.for_pupil(y11)["intended"][0]["offer_status"] == "none"
    assert json.loads(rows(store, "audit_log")[-1]["after"]) == {"offer_provider": None, "offer_status": "none"}
    # A change of plan is a new row; the earlier one stays.
    store.destinations.record_intended(y11, {"code": "310", "provider": "Calder Engineering"})
    assert [d["code"] for d in store.destinations.for_pupil(y11)["intended"]] == ["310", "230"]
    assert store.history.summary(y11)["intended_destination"]["code"] == "310"
    with pytest.raises(StoreError, match="has left"):
        store.destinations.record_intended(cohort["Adams"], {"code": "230"})
    young = add(store, 30, "Young", "14/03/2014")
    with pytest.raises(StoreError, match="Year 8"):
        store.destinations.record_intended(young, {"code": "230"})


def test_checks_due_and_done(store, cohort):
    older, older_no = cohort["older"], cohort["older_no"]
    # The 2025 leavers' 1-year check fell due on 18 July 2026; only the one who consented is listed.
    due = store.destinations.leavers_page(2025, "checks_due")
    assert [r.pupil_id for r in due] == [older]
    assert due[0].check_words(store.today) == "⚠ 1y overdue (18/07/2026)"
    schedule = store.destinations.for_pupil(older)["schedule"]
    assert [(s["n"], s["state"]) for s in schedule] == [(1, "overdue"), (2, "upcoming"), (3, "upcoming")]
    store.destinations.record_check(older, {"checked_on": "20/11/2026", "method": "phone call", "code": "340",
                                           "provider": "Calder Engineering"})
    assert store.destinations.leavers_count(2025, "checks_due") == 0
    info = store.destinations.for_pupil(older)
    assert [(s["n"], s["state"]) for s in info["schedule"]][0] == (1, "done")
    # A check finding a new activity records it as the actual destination.
    assert info["actual"][0]["code"] == "340" and info["actual"][0]["recorded_on"] == "2026-11-20"
    check = rows(store, "destination_checks")[-1]
    assert check["due_on"] == "2026-07-18" and check["checked_on"] == "2026-11-20" and check["method"] == "phone call"
    # The same code again adds a check but no new destination.
    count = len(info["actual"])
    store.destinations.record_check(older, {"checked_on": "21/11/2026", "method": "email", "code": "340"})
    assert len(store.destinations.for_pupil(older)["actual"]) == count
    with pytest.raises(DestinationInvalid) as e:
        store.destinations.record_check(older, {"checked_on": "30/11/2026", "method": ""})
    assert set(e.value.errors) == {"checked_on", "method"}
    assert store.destinations.for_pupil(older_no)["refusal"] is not None


def test_destinations_appear_in_the_history(store, cohort):
    events = store.history.for_pupil(cohort["Adams"], kind="destination")
    shown = {e.title: e.detail for e in events}
    assert shown == {"Actual destination recorded": "230 Further education — Riverside College",
                     "Destination checked": "by phone call: 230 Further education"}


# ---------------------------------------------------------------- the CLI report


@pytest.fixture
def db(store, cohort):
    store.conn.commit()
    return str(store.path)


def test_report_as_a_table(db, capsys):
    assert main(["report", "destinations", "--db", db, "--cohort", "2026"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2026 leavers (2025/26): 10 leavers")
    assert ("Education 2 (20%)  Employment 2 (20%)  Training 1 (10%)  Re-engagement 0 (0%)  NEET 2 (20%)  "
            "Not known 3 (30%)  Other 0 (0%)") in out
    assert "No consent to contact: 1" in out
    assert "Davies, Sam" in out and "619 Seeking employment, education or training" in out


def test_report_as_csv_guards_formulas(store, cohort, capsys):
    store.destinations.record_actual(cohort["Fisher"], {"code": "230", "provider": "=HYPERLINK(\"x\")",
                                                       "method": "phone"})
    assert main(["report", "destinations", "--db", str(store.path), "--cohort", "2026", "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(table) == 10
    fisher = next(r for r in table if r["Legal Surname"] == "Fisher")
    assert fisher["Provider"] == "'=HYPERLINK(\"x\")"
    assert fisher["NCCIS Code"] == "230" and fisher["Category"] == "Education"
    jones = next(r for r in table if r["Legal Surname"] == "Jones")
    assert jones["Consent"] == "no" and jones["NCCIS Code"] == "" and jones["Date Left"] == "2026-07-17"


def test_report_as_json(db, capsys):
    assert main(["report", "destinations", "--db", db, "--cohort", "2026", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["total"] == 10
    assert {k: v["count"] for k, v in doc["summary"].items()} == HAND_COUNT
    assert doc["summary"]["neet"]["percent"] == 20
    assert len(doc["leavers"]) == 10
    assert {l["name"]["display"] for l in doc["leavers"] if l["category"] == "NEET"} == {"Davies, Sam", "Hughes, Sam"}


def test_report_refuses_a_bad_cohort_and_says_when_empty(db, capsys):
    assert main(["report", "destinations", "--db", db, "--cohort", "26"]) == 2
    assert "is not a year" in capsys.readouterr().err
    assert main(["report", "destinations", "--db", db, "--cohort", "2020"]) == 0
    assert "No leavers in this cohort. Cohorts with leavers: 2026, 2025." in capsys.readouterr().out


def test_re_engagement_is_its_own_column_not_training(store, cohort):
    store.destinations.record_actual(cohort["Fisher"], {"code": "530", "checked_on": "02/10/2026",
                                                       "method": "phone call", "provider": "Prince's Trust"})
    summary = store.destinations.cohort_summary(2026)
    assert summary.counts["reengagement"] == 1 and summary.counts["training"] == 1
    assert summary.counts["not_known"] == 2


@pytest.mark.parametrize("case, code, ok", [
    ("pre-16 'at school' as where a Year 11 leaver went", "110", False),
    ("pre-16 'not known' as where a Year 11 leaver went", "150", False),
    ("further education is fine", "230", True),
])
def test_a_pre_16_code_is_refused_as_a_destination_after_year_11(store, cohort, case, code, ok):
    from gatsby_tui.store.destinations import DestinationInvalid

    values = {"code": code, "checked_on": "02/10/2026", "method": "phone call"}
    if ok:
        store.destinations.record_actual(cohort["Fisher"], values)
        return
    before = rows(store, "destinations")
    with pytest.raises(DestinationInvalid) as e:
        store.destinations.record_actual(cohort["Fisher"], values)
    assert "compulsory school age" in e.value.errors["code"], case
    assert rows(store, "destinations") == before


def test_a_pre_16_code_is_refused_as_an_intended_destination(store, cohort):
    from gatsby_tui.store.destinations import DestinationInvalid

    with pytest.raises(DestinationInvalid) as e:
        store.destinations.record_intended(cohort["year11"], {"code": "110"})
    assert "not an intended destination" in e.value.errors["code"]
    store.destinations.record_intended(cohort["year11"], {"code": "210"})


def test_a_pupil_who_left_in_year_9_may_be_educated_at_home(store, cohort):
    from gatsby_tui.domain import send

    assert send.pre16_refusal("120", 9, intended=False) is None
    assert send.pre16_refusal("120", 11, intended=False) is not None
    assert send.pre16_refusal("230", 13, intended=True) is None
