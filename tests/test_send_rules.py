"""The SEND and destination rules (domain/send.py) on their boundary dates."""

from __future__ import annotations

from datetime import date

import pytest

from gatsby_tui.domain import send

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("due, state, words", [
    (date(2026, 11, 21), "overdue", "review overdue by 1 day (was due 21/11/2026)"),
    (date(2026, 11, 22), "due", "review due today"),
    (date(2026, 12, 22), "due", "review due 22/12/2026 (in 30 days)"),
    (date(2026, 12, 23), None, None),
])
def test_review_due_within_30_days_or_overdue(due, state, words):
    result = send.review_due(due, TODAY)
    assert (result.state if result else None) == state
    if words:
        assert result.words() == words
    assert send.review_due(None, TODAY) is None


def test_annual_review_at_least_every_12_months():
    assert send.latest_next_annual(date(2026, 11, 22)) == date(2027, 11, 22)
    assert send.latest_next_annual(date(2024, 2, 29)) == date(2025, 2, 28)
    send.check_next_annual(date(2026, 11, 22), date(2027, 11, 22))          # exactly 12 months: fine
    with pytest.raises(send.RuleError, match="at least every 12 months.*22/11/2027"):
        send.check_next_annual(date(2026, 11, 22), date(2027, 11, 23))
    with pytest.raises(send.RuleError, match="after this one"):
        send.check_next_annual(date(2026, 11, 22), date(2026, 11, 22))


# A Year 11 pupil in 2026/27 started Year 7 in September 2022: the deadline is 31 March 2027,
# and "nearing" starts 150 days before it, on 1 November 2026.
Y11 = 2022


@pytest.mark.parametrize("today, state", [
    (date(2026, 10, 31), None),
    (date(2026, 11, 1), "nearing"),
    (date(2027, 3, 31), "nearing"),
    (date(2027, 4, 1), "missed"),
    (date(2027, 8, 31), "missed"),
    (date(2027, 9, 1), None),          # now Year 12: no longer the Year 11 rule
])
def test_31_march_deadline_of_year_11(today, state):
    assert send.transition_deadline(Y11) == date(2027, 3, 31)
    assert send.transition_state(today, Y11, "E", None) == state


def test_31_march_rule_only_for_year_11_ehcp_without_a_transition_plan():
    day = date(2027, 2, 1)
    assert send.transition_state(day, Y11, "E", date(2026, 12, 1)) is None
    assert send.transition_state(day, Y11, "K", None) is None
    assert send.transition_state(day, Y11 + 1, "E", None) is None       # Year 10


@pytest.mark.parametrize("left, cohort", [
    (date(2026, 7, 17), 2026), (date(2025, 12, 19), 2026), (date(2025, 9, 1), 2026), (date(2025, 8, 31), 2025),
])
def test_leaving_cohort_is_the_summer_the_school_year_ends(left, cohort):
    assert send.cohort_of(left) == cohort
    first, last = send.cohort_bounds(cohort)
    assert first <= left <= last
    assert send.cohort_label(2026) == "2026 leavers (2025/26)"
    assert send.cohort_max_intake(2026) == 2021          # Year 11 in 2025/26 started Year 7 in 2021


def test_checks_at_one_two_and_three_years():
    assert send.check_dates(date(2025, 7, 18)) == [date(2026, 7, 18), date(2027, 7, 18), date(2028, 7, 18)]
    assert send.check_dates(date(2024, 2, 29)) == [date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28)]
    left = date(2025, 7, 18)
    # A check counts for the 1-year check from 91 days before it; earlier it is an extra confirmation.
    assert send.check_for(left, date(2026, 4, 18)) == date(2026, 7, 18)
    assert send.check_for(left, date(2026, 4, 17)) is None
    assert send.check_for(left, date(2027, 5, 1)) == date(2027, 7, 18)
    # The check that can be due now: within 30 days of its date.
    assert send.check_now(left, date(2026, 6, 17)) is None
    assert send.check_now(left, date(2026, 6, 18)) == (1, date(2026, 7, 18))
    assert send.check_now(left, date(2027, 8, 1)) == (2, date(2027, 7, 18))


def test_neet_and_buckets():
    assert send.is_neet("540") and send.is_neet("680") and send.is_neet("619")
    assert not send.is_neet("530") and not send.is_neet("710") and not send.is_neet(None)
    assert send.bucket(None) == "not_known"
    assert send.bucket("reengagement") == "reengagement"      # its own column, not training
    assert send.bucket("pre16") == "other"
    assert send.percent(1, 3) == "33%" and send.percent(0, 0) == "—"


def test_parsing_areas_statuses_and_participants():
    assert send.parse_area("Independent living") == "independent_living"
    assert send.parse_area("participating in society") == "community"
    assert send.parse_area("health") == "health"
    with pytest.raises(send.RuleError, match="four Preparing-for-Adulthood areas"):
        send.parse_area("hobbies")
    assert send.parse_status("") == "not_started"
    assert send.parse_status("In progress") == "in_progress"
    assert send.parse_status("done") == "achieved"
    with pytest.raises(send.RuleError):
        send.parse_status("maybe")
    assert send.parse_participants(["senco", "pupil"], "speech therapist, LA caseworker") == [
        "pupil", "SENCO", "speech therapist", "LA caseworker"]
    with pytest.raises(send.RuleError, match="who took part"):
        send.parse_participants([], "  ")


def test_comparing_versions_names_every_change_in_words():
    old = {"aspirations": "Work with animals", "strengths": "Kind, patient", "needs": "", "support": "TA in lessons",
           "targets": [
               {"area": "employment", "what": "Visit the animal care course", "status": "in_progress",
                "outcome": None, "by_when": "2027-03-01", "who_helps": "SENCO", "evidence": None},
               {"area": "health", "what": "Join a sports club", "status": "not_started", "outcome": None,
                "by_when": None, "who_helps": None, "evidence": None},
           ]}
    new = {"aspirations": "Work with horses at a stables", "strengths": "Kind, patient",
           "needs": "Finds crowds hard", "support": "",
           "targets": [
               {"area": "employment", "what": "Visit the animal care course", "status": "achieved",
                "outcome": None, "by_when": "2027-03-01", "who_helps": "SENCO", "evidence": "Went on 12/02"},
               {"area": "independent_living", "what": "Travel to college by bus", "status": "not_started",
                "outcome": "Travels independently", "by_when": None, "who_helps": "parent", "evidence": None},
           ]}
    rows = {(c.what, c.change): c for c in send.compare_versions(old, new)}
    assert ("Aspirations", "changed") in rows
    assert ("Strengths", "unchanged") in rows
    assert ("Needs and barriers", "added") in rows
    assert ("Support agreed", "removed") in rows
    employment = rows[("Target · Employment and higher education", "changed")]
    assert "status: in progress → achieved" in employment.detail
    assert "evidence: (blank) → Went on 12/02" in employment.detail
    assert ("Target · Independent living", "added") in rows
    assert ("Target · Being healthy", "removed") in rows
    pieces = send.word_diff("Work with animals", "Work with horses at a stables")
    assert ("-", "animals") in pieces and ("+", "horses at a stables") in pieces and ("=", "Work with") in pieces
