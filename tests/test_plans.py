"""Individual plans in the store: versions, targets, reviews, comparison, Reviews due."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from gatsby_tui.store import StoreError
from gatsby_tui.store.plans import PlanInvalid

from helpers import TODAY, make_upn, pupil

# Today is Sunday 22 November 2026 (school year 2026/27).
DOB = {7: "14/03/2015", 8: "14/03/2014", 9: "14/03/2013", 10: "14/03/2012", 11: "14/03/2011", 12: "14/03/2010"}


@pytest.fixture
def adviser(store):
    adviser_id = store.advisers.add({"name": "Priya Nair", "kind": "internal"})
    store.advisers.set_current(adviser_id)
    return adviser_id


def add(store, n, year, sen, surname="Okafor", forename="Amara"):
    return store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n), legal_surname=surname, legal_forename=forename,
                                                      dob=DOB[year], sen_status=sen, form=f"{year}A")))


def audit_rows(store, table):
    return store.conn.execute("SELECT * FROM audit_log WHERE table_name = ? ORDER BY id", (table,)).fetchall()


def test_create_plan_makes_version_1_and_is_audited(store, adviser):
    pid = add(store, 1, 10, "E")
    plan_id = store.plans.create(pid, {"aspirations": "To work with animals", "strengths": "Patient, kind",
                                      "needs": "Finds crowds hard", "support": "TA in practical lessons",
                                      "next_review_on": "15/01/2027", "ehcp_annual_review_on": "03/03/2027"})
    plan = store.plans.get(pid)
    assert plan["id"] == plan_id
    assert plan["current_version"] == 1 and plan["shown"]["is_current"]
    assert plan["shown"]["aspirations"] == "To work with animals"
    assert plan["next_review_on"] == "2027-01-15" and plan["ehcp_annual_review_on"] == "2027-03-03"
    assert [r["action"] for r in audit_rows(store, "plans")] == ["insert"]
    v = audit_rows(store, "plan_versions")
    assert len(v) == 1 and json.loads(v[0]["after"])["aspirations"] == "To work with animals"
    assert v[0]["adviser_id"] == adviser and v[0]["pupil_id"] == pid
    with pytest.raises(StoreError, match="already has a plan"):
        store.plans.create(pid, {"aspirations": "again"})
    assert store.conn.execute("SELECT count(*) FROM plans").fetchone()[0] == 1


def test_bad_dates_are_refused_per_field(store, adviser):
    pid = add(store, 1, 10, "E")
    with pytest.raises(PlanInvalid) as e:
        store.plans.create(pid, {"aspirations": "x", "next_review_on": "31/02/2027"})
    assert "next_review_on" in e.value.errors and "February 2027 has no day 31" in e.value.errors["next_review_on"]
    assert store.conn.execute("SELECT count(*) FROM plans").fetchone()[0] == 0


def test_review_makes_a_new_version_and_keeps_the_old_one_readable(store, adviser):
    pid = add(store, 1, 10, "E")
    plan_id = store.plans.create(pid, {"aspirations": "To work with animals", "support": "TA in lessons"})
    target_id = store.plans.add_target(plan_id, {"area": "employment", "what": "Visit the animal care course",
                                                "by_when": "01/03/2027", "who_helps": "SENCO",
                                                "status": "in progress"})
    review_id, version_id = store.plans.hold_review(plan_id, {
        "reviewed_on": "20/11/2026", "participants": ["pupil", "parent", "senco"], "others": "LA caseworker",
        "what_changed": "Aspiration now specific to horses.", "next_review_on": "20/05/2027",
        "aspirations": "To work with horses at a stables"})
    plan = store.plans.get(pid)
    assert plan["current_version"] == 2
    assert plan["shown"]["aspirations"] == "To work with horses at a stables"
    assert plan["shown"]["support"] == "TA in lessons"            # carried over unchanged
    assert [t["what"] for t in plan["shown"]["targets"]] == ["Visit the animal care course"]
    assert plan["next_review_on"] == "2027-05-20"
    review = plan["reviews"][0]
    assert review["participants"] == ["pupil", "parent/carer", "SENCO", "LA caseworker"]
    assert review["version"] == 2 and review["id"] == review_id
    # Version 1 is still there, as it was.
    old = store.plans.get(pid, 1)["shown"]
    assert old["aspirations"] == "To work with animals" and not old["is_current"]
    assert old["targets"][0]["id"] == target_id
    # It cannot be changed any more; the copy in version 2 can.
    with pytest.raises(StoreError, match="version 1, which a review has closed"):
        store.plans.update_target(target_id, {"status": "achieved"})
    new_target = plan["shown"]["targets"][0]["id"]
    assert sorted(store.plans.update_target(new_target, {"status": "achieved", "evidence": "Visited on 12/02"})) == [
        "evidence", "status"]
    changes = {(c.what, c.change): c for c in store.plans.compare(plan_id, 1)}
    aspirations = changes[("Aspirations", "changed")]
    assert aspirations.before == "To work with animals" and aspirations.after == "To work with horses at a stables"
    assert ("Support agreed", "unchanged") in changes
    target = changes[("Target · Employment and higher education", "changed")]
    assert "status: in progress → achieved" in target.detail
    # Every write audited: the review, the new version, the plan's dates.
    assert [r["action"] for r in audit_rows(store, "plan_reviews")] == ["insert"]
    assert len(audit_rows(store, "plan_versions")) == 2
    assert json.loads(audit_rows(store, "plans")[-1]["after"]) == {"next_review_on": "2027-05-20"}
    assert store.conn.execute("SELECT count(*) FROM plan_versions WHERE id = ?", (version_id,)).fetchone()[0] == 1


def test_review_rules(store, adviser):
    pid = add(store, 1, 10, "E")
    support = add(store, 2, 10, "K", surname="Hughes")
    plan_id = store.plans.create(pid, {"aspirations": "x"})
    k_plan = store.plans.create(support, {"aspirations": "y"})
    base = {"participants": ["pupil"], "reviewed_on": "20/11/2026", "next_review_on": "20/05/2027"}
    with pytest.raises(PlanInvalid) as e:
        store.plans.hold_review(plan_id, {**base, "reviewed_on": "23/11/2026"})
    assert "future" in e.value.errors["reviewed_on"]
    with pytest.raises(PlanInvalid) as e:
        store.plans.hold_review(plan_id, {**base, "participants": []})
    assert "who took part" in e.value.errors["participants"]
    with pytest.raises(PlanInvalid) as e:
        store.plans.hold_review(plan_id, {**base, "next_review_on": "20/11/2026"})
    assert "after this one" in e.value.errors["next_review_on"]
    with pytest.raises(PlanInvalid) as e:
        store.plans.hold_review(plan_id, {**base, "is_ehcp_annual": True, "next_annual_review_on": "21/11/2027"})
    assert "by 20/11/2027" in e.value.errors["next_annual_review_on"]
    with pytest.raises(PlanInvalid) as e:
        store.plans.hold_review(k_plan, {**base, "is_ehcp_annual": True})
    assert "no EHCP" in e.value.errors["is_ehcp_annual"]
    assert store.conn.execute("SELECT count(*) FROM plan_reviews").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM plan_versions").fetchone()[0] == 2
    # An annual review sets the next annual review 12 months on by default, and may record the
    # transition plan.
    store.plans.hold_review(plan_id, {**base, "is_ehcp_annual": True, "transition_plan": True})
    plan = store.plans.get(pid)
    assert plan["ehcp_annual_review_on"] == "2027-11-20" and plan["transition_plan_on"] == "2026-11-20"
    # A later review may not be dated before it; editing the annual date past 12 months is refused.
    with pytest.raises(PlanInvalid, match="last review was on 20/11/2026"):
        store.plans.hold_review(plan_id, {**base, "reviewed_on": "19/11/2026"})
    with pytest.raises(PlanInvalid, match="next must be by 20/11/2027"):
        store.plans.update(plan_id, {"ehcp_annual_review_on": "21/11/2027"})
    assert store.plans.update(plan_id, {"ehcp_annual_review_on": "20/11/2027"}) == []


def test_editing_the_current_version_in_place(store, adviser):
    pid = add(store, 1, 10, "K")
    plan_id = store.plans.create(pid, {"aspirations": "Be a chef"})
    assert store.plans.update(plan_id, {"aspirations": "Be a chef", "strengths": "Cooks at home",
                                       "next_review_on": "01/02/2027"}) == ["strengths", "next_review_on"]
    plan = store.plans.get(pid)
    assert plan["shown"]["strengths"] == "Cooks at home" and plan["current_version"] == 1
    entry = audit_rows(store, "plan_versions")[-1]
    assert entry["action"] == "update" and json.loads(entry["before"]) == {"strengths": None}


def test_targets_need_an_area_and_what(store, adviser):
    pid = add(store, 1, 10, "E")
    plan_id = store.plans.create(pid, {})
    with pytest.raises(PlanInvalid) as e:
        store.plans.add_target(plan_id, {"area": "hobbies", "what": " ", "status": "maybe", "by_when": "soon"})
    assert set(e.value.errors) == {"area", "what", "status", "by_when"}
    assert store.conn.execute("SELECT count(*) FROM plan_targets").fetchone()[0] == 0


def _due(store):
    return {row.pupil_id: row.reasons for row in store.plans.reviews_due(limit=500)}


def test_reviews_due_on_the_30_day_boundary(store, adviser):
    ids = {}
    for n, (name, due) in enumerate((("Overdue", TODAY - timedelta(days=1)), ("Today", TODAY),
                                     ("Thirty", TODAY + timedelta(days=30)), ("ThirtyOne", TODAY + timedelta(days=31)))):
        ids[name] = add(store, n + 1, 8, "K", surname=name)
        store.plans.create(ids[name], {"next_review_on": due})
    due = _due(store)
    assert due[ids["Overdue"]] == ("review overdue by 1 day (was due 21/11/2026)",)
    assert due[ids["Today"]] == ("review due today",)
    assert due[ids["Thirty"]] == ("review due 22/12/2026 (in 30 days)",)
    assert ids["ThirtyOne"] not in due
    # Most urgent first.
    assert [r.pupil_id for r in store.plans.reviews_due()] == [ids["Overdue"], ids["Today"], ids["Thirty"]]
    assert store.plans.reviews_due_count() == 3


def test_reviews_due_for_ehcp_pupils(store, adviser):
    y9 = add(store, 1, 9, "E", surname="Nine")
    y8 = add(store, 2, 8, "E", surname="Eight")
    y11 = add(store, 3, 11, "E", surname="Eleven")
    y11_done = add(store, 4, 11, "E", surname="Elevendone")
    no_plan = add(store, 5, 10, "E", surname="Noplan")
    left = add(store, 6, 10, "E", surname="Left")
    later = {"next_review_on": TODAY + timedelta(days=90), "ehcp_annual_review_on": TODAY + timedelta(days=200)}
    for p in (y9, y8, y11, y11_done):
        store.plans.create(p, later)
    store.plans.update(store.plans.get(y11_done)["id"], {"transition_plan_on": "01/10/2026"})
    for p in (y11, y11_done):
        store.plans.add_target(store.plans.get(p)["id"], {"area": "employment", "what": "Choose a college course"})
    store.pupils.set_left(left, date(2026, 10, 1))
    due = _due(store)
    assert due[y9] == ("no Preparing-for-Adulthood outcomes",)
    assert y8 not in due                                   # PfA outcomes are asked from Year 9
    assert due[y11] == ("no transition plan, deadline 31/03/2027",)
    assert y11_done not in due
    assert due[no_plan] == ("EHCP, no plan yet",)
    assert left not in due
    # A dropped target is not an outcome.
    target = store.plans.add_target(store.plans.get(y9)["id"], {"area": "health", "what": "Join a club", "status": "dropped"})
    assert "no Preparing-for-Adulthood outcomes" in _due(store)[y9]
    store.plans.update_target(target, {"status": "in progress"})
    assert y9 not in _due(store)
    # The EHCP annual review date, within 30 days.
    store.plans.update(store.plans.get(y8)["id"], {"ehcp_annual_review_on": TODAY + timedelta(days=10)})
    assert _due(store)[y8] == ("EHCP annual review due 02/12/2026 (in 10 days)",)


def test_reviews_due_pages_with_a_keyset(store, adviser):
    for n in range(1, 8):
        p = add(store, n, 8, "K", surname=f"Pupil{n}")
        store.plans.create(p, {"next_review_on": TODAY + timedelta(days=n % 3)})
    first = store.plans.reviews_due(limit=3)
    second = store.plans.reviews_due(after=first[-1].key, limit=3)
    third = store.plans.reviews_due(after=second[-1].key, limit=3)
    seen = [r.pupil_id for r in first + second + third]
    assert len(seen) == 7 == len(set(seen)) == store.plans.reviews_due_count()
    assert [r.key for r in first + second + third] == sorted(r.key for r in first + second + third)


def test_plans_appear_in_the_history(store, adviser):
    pid = add(store, 1, 10, "E")
    plan_id = store.plans.create(pid, {"aspirations": "To work with animals"})
    store.plans.hold_review(plan_id, {"participants": ["pupil"], "reviewed_on": "20/11/2026", "is_ehcp_annual": True,
                                     "what_changed": "New targets for travel.", "next_review_on": "20/05/2027"})
    events = store.history.for_pupil(pid, kind="plan")
    titles = [e.title for e in events]
    assert "EHCP annual review held: version 2" in titles
    assert "Individual plan started (version 1)" in titles
    assert any(e.detail == "New targets for travel." for e in events)


def test_a_review_needs_a_next_date_unless_the_plan_ends_there(store, adviser):
    pid = add(store, 1, 10, "K")
    plan_id = store.plans.create(pid, {"aspirations": "x", "next_review_on": "01/12/2026"})
    base = {"participants": ["pupil"], "reviewed_on": "20/11/2026"}
    with pytest.raises(PlanInvalid) as e:
        store.plans.hold_review(plan_id, base)
    assert "Give the next review date" in e.value.errors["next_review_on"]
    with pytest.raises(PlanInvalid) as e:
        store.plans.hold_review(plan_id, {**base, "ceased": True, "next_review_on": "20/05/2027"})
    assert "no next review" in e.value.errors["next_review_on"]
    assert store.conn.execute("SELECT count(*) FROM plan_reviews").fetchone()[0] == 0
    assert pid in _due(store)                                  # its review is due on 1 December
    store.plans.hold_review(plan_id, {**base, "ceased": True})
    plan = store.plans.get(pid)
    assert plan["ceased_on"] == "2026-11-20" and plan["next_review_on"] is None
    assert pid not in _due(store)                              # an ended plan is off Reviews due


def test_transition_plan_dates_future_late_and_the_deadline_day(tmp_path):
    from datetime import datetime

    from gatsby_tui.clock import FixedClock
    from gatsby_tui.domain import send
    from gatsby_tui.store import Store

    s = Store.open(tmp_path / "t.db", clock=FixedClock(datetime(2027, 3, 31, 9, 0)))   # the deadline day
    try:
        s.advisers.set_current(s.advisers.add({"name": "Priya Nair", "kind": "internal"}))
        pid = add(s, 1, 11, "E")                               # Year 11 in 2026/27: deadline 31 March 2027
        plan_id = s.plans.create(pid, {"aspirations": "x", "next_review_on": "01/06/2027",
                                      "ehcp_annual_review_on": "01/06/2027"})
        s.plans.add_target(plan_id, {"area": "employment", "what": "Choose a course"})
        assert "⚠ No transition plan: the EHCP must be amended today (31/03/2027)" in s.plans.get(pid)["due"]
        assert _due(s)[pid] == ("no transition plan, deadline today",)
        with pytest.raises(PlanInvalid) as e:
            s.plans.update(plan_id, {"transition_plan_on": "01/04/2027"})
        assert "in the future" in e.value.errors["transition_plan_on"]
        assert s.plans.get(pid)["transition_plan_on"] is None
    finally:
        s.close()
    intake = 2022
    assert send.transition_words(intake, date(2027, 3, 31)) == "agreed 31 March 2027"
    late = send.transition_words(intake, date(2027, 4, 2))
    assert late.startswith("agreed late, on 2 April 2027") and "31 March 2027" in late


def test_reviews_due_puts_missed_statutory_deadlines_first_then_overdue_reviews(tmp_path):
    from datetime import datetime

    from gatsby_tui.clock import FixedClock
    from gatsby_tui.store import Store

    s = Store.open(tmp_path / "t.db", clock=FixedClock(datetime(2027, 4, 12, 9, 0)))
    try:
        s.advisers.set_current(s.advisers.add({"name": "Priya Nair", "kind": "internal"}))
        soon = add(s, 1, 8, "K", surname="Aaron")              # review due soon (earliest name)
        s.plans.create(soon, {"next_review_on": "20/04/2027"})
        overdue = add(s, 2, 8, "K", surname="Baker")           # plan review overdue since 1 March
        s.plans.create(overdue, {"next_review_on": "01/03/2027"})
        missed = add(s, 3, 11, "E", surname="Carter")          # Year 11 EHCP, 31 March passed: statutory
        plan = s.plans.create(missed, {"next_review_on": "20/06/2027", "ehcp_annual_review_on": "20/06/2027"})
        s.plans.add_target(plan, {"area": "employment", "what": "Choose a course"})
        annual = add(s, 4, 9, "E", surname="Dunn")            # EHCP annual review overdue: statutory
        plan = s.plans.create(annual, {"next_review_on": "20/06/2027", "ehcp_annual_review_on": "05/04/2027"})
        s.plans.add_target(plan, {"area": "health", "what": "Join a club"})
        order = [r.pupil_id for r in s.plans.reviews_due()]
        assert order == [missed, annual, overdue, soon]         # by date within each: 31 March, then 5 April
        # Paging one row at a time keeps the same order.
        paged, after = [], None
        while True:
            rows = s.plans.reviews_due(after=after, limit=1)
            if not rows:
                break
            paged.append(rows[0].pupil_id)
            after = rows[0].key
        assert paged == order
    finally:
        s.close()


def test_late_targets_and_a_missing_employment_target_are_flagged(store, adviser):
    pid = add(store, 1, 11, "E")
    plan_id = store.plans.create(pid, {"aspirations": "Wants an apprenticeship in engineering.",
                                      "next_review_on": "15/01/2027"})
    store.plans.add_target(plan_id, {"area": "independent_living", "what": "Travel to college alone",
                                    "by_when": "01/09/2026", "status": "in progress"})
    store.plans.add_target(plan_id, {"area": "health", "what": "Book own dentist visit",
                                    "by_when": "10/11/2026", "status": "in progress"})   # only 12 days past
    due = store.plans.get(pid)["due"]
    assert "⚠ 1 target is still in progress more than 28 days after its date: Travel to college alone" in due
    assert "⚠ Hopes to work, but the plan has no Employment target (Year 11, EHCP)" in due
    store.plans.add_target(plan_id, {"area": "employment", "what": "Apply for two apprenticeships"})
    assert not any("Employment target" in d for d in store.plans.get(pid)["due"])
