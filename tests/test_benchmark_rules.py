"""The per-pupil benchmark rules (domain/benchmarks.py), on boundary cases. Pure: no database."""

from __future__ import annotations

from datetime import date

import pytest

from gatsby_tui.domain import benchmarks as b
from gatsby_tui.domain.schoolyear import intake_year_from_dob

CORE = frozenset(b.CORE_POINTS)
FULL = frozenset(b.WORKPLACE_POINTS)
TODAY = date(2026, 11, 22)            # 2026/27
Y11 = 2022                            # intake year of this year's Year 11


def act(day: str, kind: str, benchmarks=(5,), points=CORE, n=[0]) -> b.Activity:
    n[0] += 1
    return b.Activity(n[0], kind, f"{kind} {n[0]}", date.fromisoformat(day), frozenset(benchmarks), frozenset(points))


def meeting(day: str, level: int | None = 6) -> b.Meeting:
    return b.Meeting(date.fromisoformat(day), "Helen Marsh", level)


def states(intake: int, today: date = TODAY, *, joined: int = 7, left: str | None = None, **evidence):
    pupil = b.Pupil(intake, joined, date.fromisoformat(left) if left else None)
    return b.assess_pupil(pupil, b.Evidence(**evidence), today)


# ---------------------------------------------------------------- year groups and dates


def test_the_school_year_decides_not_the_birthday():
    # Born 31 August 2011 and born 1 September 2010 are in the same year group (Year 11 in 2026/27).
    assert intake_year_from_dob(date(2011, 8, 31)) == intake_year_from_dob(date(2010, 9, 1)) == Y11
    assert b.year_group_at(Y11, date(2027, 8, 31)) == 11
    assert b.year_group_at(Y11, date(2027, 9, 1)) == 12
    assert b.end_of_year(Y11, 11) == date(2027, 8, 31)


def test_a_meeting_on_the_16th_birthday_at_the_start_of_year_11_counts_by_16():
    # Born 1 September 2010: 16 on 1 September 2026, the first day of Year 11. "By 16" is the end of
    # Year 11, so the meeting that day counts.
    s = states(Y11, meetings=[meeting("2026-09-01")])
    assert s[8].state == b.MET
    assert s[8].parts[0].status == b.PART_MET


def test_a_meeting_on_31_august_counts_by_16_and_on_1_september_it_does_not():
    on_time = states(Y11, date(2027, 9, 2), meetings=[meeting("2027-08-31")])
    late = states(Y11, date(2027, 9, 2), meetings=[meeting("2027-09-01")])
    assert on_time[8].parts[0].status == b.PART_MET
    assert late[8].parts[0].status == b.PART_MISSING
    assert late[8].state == b.NOT_YET
    assert "missed" in late[8].missing[0]


def test_guidance_is_due_in_year_11_and_missed_after_31_august():
    in_year_10 = states(Y11 + 1)
    assert in_year_10[8].state == b.NOT_DUE
    last_day = states(Y11, date(2027, 8, 31))
    assert last_day[8].state == b.NOT_YET
    assert "by 31/08/2027" in last_day[8].missing[0]
    next_day = states(Y11, date(2027, 9, 1))
    assert "missed" in next_day[8].missing[0]


# ---------------------------------------------------------------- Benchmark 8: qualified advisers


@pytest.mark.parametrize("level, counts", [(None, False), (5, False), (6, True), (7, True)])
def test_only_advisers_recorded_at_level_6_or_above_count(level, counts):
    s = states(Y11, meetings=[meeting("2026-10-01", level)])
    assert (s[8].state == b.MET) is counts
    if not counts:
        assert "not recorded as Level 6 or above" in s[8].missing[0]
        assert any("does not count" in line for line in s[8].evidence)


def test_benchmark_8_asks_for_a_further_meeting_by_the_end_of_year_13():
    y13 = Y11 - 2
    one = states(y13, meetings=[meeting("2024-11-01")])            # in Year 11
    assert one[8].state == b.NOT_YET
    assert one[8].parts[0].status == b.PART_MET and one[8].parts[1].status == b.PART_MISSING
    two = states(y13, meetings=[meeting("2024-11-01"), meeting("2026-10-05")])
    assert two[8].state == b.MET


# ---------------------------------------------------------------- Benchmark 5: every year, meaningful


def test_benchmark_5_needs_a_meaningful_encounter_every_year_so_far():
    y9 = Y11 + 2      # Year 9 in 2026/27: Years 7 and 8 done, Year 9 in progress
    full = states(y9, activities=[act("2024-10-01", "employer_talk"), act("2025-10-01", "employer_talk"),
                                  act("2026-10-01", "employer_talk")])
    assert full[5].state == b.MET
    gap = states(y9, activities=[act("2024-10-01", "employer_talk"), act("2026-10-01", "employer_talk")])
    assert gap[5].state == b.NOT_YET
    assert gap[5].missing == ["a meaningful employer encounter in Year 8 (missed)"]
    this_year = states(y9, activities=[act("2024-10-01", "employer_talk"), act("2025-10-01", "employer_talk")])
    assert this_year[5].missing == ["a meaningful employer encounter in Year 9 (by 31/08/2027)"]


def test_an_encounter_that_is_not_meaningful_does_not_count_for_benchmark_5():
    y7 = Y11 + 4
    no_reflection = frozenset({"m_purpose", "m_outcomes", "m_interaction"})
    s = states(y7, activities=[act("2026-10-01", "employer_talk", benchmarks=(2, 5), points=no_reflection)])
    assert s[5].state == b.NOT_YET
    assert any("not meaningful: lacks time to reflect afterwards" in line for line in s[5].evidence)
    # The same talk still counts where meaningful is not asked for (Benchmark 2, KS3).
    assert s[2].state == b.MET


def test_an_activity_counts_only_for_the_benchmarks_it_serves():
    y7 = Y11 + 4
    s = states(y7, activities=[act("2026-10-01", "employer_talk", benchmarks=(2,))])
    assert s[5].state == b.NOT_YET and s[2].state == b.MET


def test_a_pupil_who_joined_in_year_10_is_not_held_to_years_7_to_9():
    y10 = Y11 + 1
    s = states(y10, joined=10, activities=[act("2026-10-01", "employer_talk")])
    assert s[5].state == b.MET
    assert [p.status for p in s[5].parts][:3] == [b.PART_WAIVED] * 3
    assert "joined in Year 10" in s[5].parts[0].note
    # Had they been here from Year 7, the missing years would show.
    assert states(y10, activities=[act("2026-10-01", "employer_talk")])[5].state == b.NOT_YET


def test_a_pupil_who_joined_in_year_12_is_not_held_to_the_by_16_expectations():
    y12 = Y11 - 1
    s = states(y12, joined=12, meetings=[meeting("2026-10-01")])
    assert s[8].parts[0].status == b.PART_WAIVED
    assert s[8].state == b.MET     # one meeting by 18 is all that can be asked
    assert s[6].parts[0].status == b.PART_WAIVED


def test_a_pupil_who_left_is_assessed_as_on_the_day_they_left():
    # Left in December of Year 10 (2025/26): Years 7-9 were due, Year 10 was missed,
    # everything due in Year 11 or later is not held against the school.
    intake = 2022
    s = states(intake, left="2025-12-01", activities=[act("2022-10-01", "employer_talk"),
                                                     act("2023-10-01", "employer_talk"),
                                                     act("2024-10-01", "employer_talk")])
    assert s[5].missing == ["a meaningful employer encounter in Year 10 (missed)"]
    assert s[8].state == b.NOT_DUE
    assert all(p.status == b.PART_WAIVED for p in s[8].parts)
    assert s[1].state == b.NOT_DUE         # the programme is for pupils on roll


# ---------------------------------------------------------------- Benchmark 6: workplaces


def test_benchmark_6_needs_two_meaningful_workplace_experiences_by_16():
    wex = act("2026-07-06", "work_experience", (5, 6), FULL)
    visit = act("2026-10-01", "workplace_visit", (5, 6), FULL)
    thin_visit = act("2026-10-02", "workplace_visit", (5, 6), CORE)        # no employer task or feedback
    fair = act("2026-10-03", "careers_fair", (5, 6), FULL)                 # not a workplace
    assert states(Y11, activities=[wex, visit])[6].state == b.MET
    one = states(Y11, activities=[wex, thin_visit, fair])
    assert one[6].state == b.NOT_YET
    assert "(1 so far)" in one[6].missing[0]
    assert any("lacks a task set by the employer, employer feedback" in line for line in one[6].evidence)
    assert any("not a workplace experience" in line for line in one[6].evidence)


def test_benchmark_6_asks_for_one_more_in_years_12_or_13():
    y13 = Y11 - 2
    by16 = [act("2023-07-06", "work_experience", (6,), FULL), act("2024-03-01", "workplace_visit", (6,), FULL)]
    assert states(y13, activities=by16)[6].state == b.NOT_YET
    more = by16 + [act("2026-06-18", "work_shadowing", (6,), FULL)]
    assert states(y13, activities=more)[6].state == b.MET


# ---------------------------------------------------------------- Benchmark 7: providers


def test_benchmark_7_needs_the_full_range_of_providers_by_16():
    some = [act("2026-02-05", "college_encounter", (7,)), act("2026-02-12", "university_encounter", (7,))]
    s = states(Y11, activities=some)
    assert s[7].state == b.NOT_YET
    assert "a sixth form" in s[7].missing[0] and "an independent training provider" in s[7].missing[0]
    all_four = some + [act("2026-03-19", "sixth_form_encounter", (7,)), act("2026-10-06", "provider_access", (7,))]
    assert states(Y11, activities=all_four)[7].state == b.MET


def test_university_visits_are_asked_for_only_when_the_pupil_is_considering_higher_education():
    y13 = Y11 - 2
    providers = [act(d, k, (7,)) for d, k in (("2023-10-01", "sixth_form_encounter"), ("2023-10-02", "college_encounter"),
                                              ("2023-10-03", "university_encounter"),
                                              ("2023-10-04", "training_provider_encounter"))]
    assert states(y13, activities=providers)[7].state == b.MET
    he = [b.Destination("intended", "240", date(2026, 10, 1))]
    one_visit = providers + [act("2026-10-08", "university_visit", (7,))]
    s = states(y13, activities=one_visit, destinations=he)
    assert s[7].state == b.NOT_YET and "(1 so far)" in s[7].missing[0]
    two = one_visit + [act("2026-11-02", "university_visit", (7,))]
    assert states(y13, activities=two, destinations=he)[7].state == b.MET


# ---------------------------------------------------------------- Benchmarks 2, 3, 1 and provider access


def test_benchmark_2_checks_each_key_stage_when_it_ends():
    y10 = Y11 + 1
    assert states(y10, activities=[act("2024-10-01", "lmi_lesson", (2,), ())])[2].state == b.MET   # KS3 in Year 9
    s = states(y10)
    assert s[2].missing == ["careers and labour market information in KS3 (Years 7-9) (missed)"]
    assert states(Y11 + 4)[2].state == b.NOT_DUE            # Year 7: KS3 due by the end of Year 9


def test_benchmark_3_needs_a_record_a_copy_and_an_intended_destination_by_the_end_of_year_11():
    rec = b.Record(date(2026, 10, 1), True, date(2026, 10, 2), "230")
    assert states(Y11, records=[rec])[3].state == b.MET
    no_copy = b.Record(date(2026, 10, 1), True, None, None)
    s = states(Y11, records=[no_copy])
    assert s[3].state == b.NOT_YET
    assert [m.split(" (")[0] for m in s[3].missing] == ["a copy of the record, or an action plan, given to the pupil",
                                                         "an intended destination recorded in Year 11"]
    assert states(Y11 + 1)[3].state == b.NOT_DUE
    # A leaver also needs an actual destination.
    left = states(2020, left="2026-07-17", records=[rec], destinations=[b.Destination("intended", "240", date(2026, 1, 10))])
    assert "an actual destination recorded after leaving" in " ".join(left[3].missing)


def test_benchmark_1_reads_the_school_programme_for_the_pupils_year_group():
    assert states(Y11, programme_items=3)[1].state == b.MET
    s = states(Y11, programme_items=0)
    assert s[1].state == b.NOT_YET and "Year 11 in 2026/27" in s[1].missing[0]


def test_provider_access_tally_by_window():
    y9 = Y11 + 2
    one = states(y9, activities=[act("2025-11-20", "provider_access", (7,), ())])
    assert one[b.PAL].state == b.NOT_YET and "(1 so far)" in one[b.PAL].missing[0]
    two = states(y9, activities=[act("2025-11-20", "provider_access", (7,), ()),
                                 act("2026-10-20", "provider_access", (7,), ())])
    assert two[b.PAL].state == b.MET
    assert two[b.PAL].parts[1].status == b.PART_NOT_DUE


def test_every_state_reads_in_words_and_a_symbol():
    s = states(Y11)
    for state in s.values():
        assert state.words in ("met", "not yet", "not yet due")
        assert state.symbol in ("✓", "✗", "…")
        assert state.summary().startswith(f"{state.symbol} {state.words}")


# ---------------------------------------------------------------- the rules as the 2024/25 guidance reads


def rec(day: str, intended: str | None = None, copy: str | None = None) -> b.Record:
    return b.Record(date.fromisoformat(day), True, date.fromisoformat(copy) if copy else None, intended)


def intended(day: str, code: str) -> b.Destination:
    return b.Destination("intended", code, date.fromisoformat(day))


@pytest.mark.parametrize("case, evidence, met", [
    ("a Year 10 EHCP review aspiration is history, not the Year 11 record",
     {"destinations": [intended("2026-03-10", "230")]}, False),
    ("a Year 9 intended destination on a record does not count",
     {"records": [rec("2025-02-01", "230", copy="2025-02-01")]}, False),
    ("recorded on 1 September of Year 11 counts",
     {"destinations": [intended("2026-09-01", "230")]}, True),
    ("recorded on a Year 11 record counts",
     {"records": [rec("2026-10-01", "310", copy="2026-10-01")]}, True),
])
def test_b3_intended_destination_counts_only_when_recorded_in_year_11(case, evidence, met):
    s = states(Y11, **evidence)
    part = next(p for p in s[3].parts if p.what.startswith("an intended destination recorded in Year 11"))
    assert (part.status == b.PART_MET) is met, case


@pytest.mark.parametrize("case, day, met", [
    ("a Year 12 intended destination is not the Year 13 record", "2025-11-01", False),
    ("recorded in Year 13 counts", "2026-10-01", True),
])
def test_b3_the_post_16_intended_destination_counts_when_recorded_in_year_13(case, day, met):
    s = states(Y11 - 2, destinations=[intended("2024-03-01", "210"), intended(day, "240")])
    part = next(p for p in s[3].parts if p.what == "an intended destination recorded in Year 13")
    assert (part.status == b.PART_MET) is met, case


@pytest.mark.parametrize("case, exports, met", [
    ("no copy and no action plan given", [], False),
    ("an action plan exported and recorded as given", [date(2026, 10, 3)], True),
])
def test_b3_copy_given_includes_an_action_plan_recorded_as_given(case, exports, met):
    s = states(Y11, records=[rec("2026-10-01", "230")], exports_given=exports)
    assert (s[3].state == b.MET) is met, case


Y13 = Y11 - 2


@pytest.mark.parametrize("case, days, by16, further", [
    ("two Year 11 meetings are not sixth-form guidance", ["2024-10-01", "2025-03-01"], b.PART_MET, b.PART_MISSING),
    ("missed the by-16 meeting, had one in Year 13: the by-16 one is missing", ["2026-10-01"],
     b.PART_MISSING, b.PART_MET),
    ("one in Year 11 and one in Year 12", ["2024-10-01", "2025-10-01"], b.PART_MET, b.PART_MET),
])
def test_b8_the_further_meeting_falls_in_years_12_to_13(case, days, by16, further):
    s = states(Y13, meetings=[meeting(d) for d in days])
    assert [p.status for p in s[8].parts] == [by16, further], case
    if by16 == b.PART_MISSING:
        assert s[8].missing[0].startswith("a guidance meeting with a qualified adviser by the end of Year 11"), case
        assert len(s[8].missing) == 1


def test_b8_two_year_11_meetings_leave_every_sixth_former_short_of_sixth_form_guidance():
    y12 = Y11 - 1
    s = states(y12, date(2027, 9, 2), meetings=[meeting("2025-11-01"), meeting("2026-03-01")])
    assert s[8].state == b.NOT_YET and "in Year 12 or 13" in s[8].missing[0]


def pa(day: str, n: int) -> b.Activity:
    return b.Activity(1000 + n, "provider_access", f"Provider access {n}", date.fromisoformat(day),
                      frozenset({7}), frozenset())


@pytest.mark.parametrize("case, own, offered, state", [
    ("two held for the year group, the pupil at neither: offered, so met", [],
     [pa("2025-11-01", 1), pa("2026-10-01", 2)], b.PART_MET),
    ("one held for the year group and attended, one more offered", [pa("2025-11-01", 1)],
     [pa("2025-11-01", 1), pa("2026-10-01", 2)], b.PART_MET),
    ("one offered only", [], [pa("2026-10-01", 2)], b.PART_MISSING),
])
def test_provider_access_in_years_12_to_13_counts_what_was_offered(case, own, offered, state):
    s = states(Y13, activities=own, year_group_offers=offered)
    assert s[b.PAL].parts[2].status == state, case
    if own == [] and state == b.PART_MET:
        assert any("offered to the year group" in line for line in s[b.PAL].evidence)


PROVIDERS = [act(d, k, (7,)) for d, k in (("2023-10-01", "sixth_form_encounter"), ("2023-10-02", "college_encounter"),
                                          ("2023-10-03", "university_encounter"),
                                          ("2023-10-04", "training_provider_encounter"))]


@pytest.mark.parametrize("case, history, asked", [
    ("latest intended is higher education: two visits asked", [intended("2025-10-01", "310"),
                                                              intended("2026-10-01", "240")], True),
    ("moved from higher education to employment: no visits asked", [intended("2025-10-01", "240"),
                                                                    intended("2026-10-01", "330")], False),
    ("never considered higher education", [intended("2026-10-01", "310")], False),
])
def test_b7_considering_higher_education_follows_the_latest_intended_destination(case, history, asked):
    s = states(Y13, activities=PROVIDERS, destinations=history)
    assert (s[7].state == b.NOT_YET) is asked, case
    assert b.latest_intended([], history) == history[-1].code


def test_b7_latest_intended_on_the_same_day_prefers_the_destination_over_the_record():
    assert b.latest_intended([rec("2026-10-01", "240")], [intended("2026-10-01", "330")]) == "330"
    assert b.latest_intended([rec("2026-10-02", "240")], [intended("2026-10-01", "330")]) == "240"


@pytest.mark.parametrize("case, named, state", [
    ("a Post 16 Fayre naming nobody counts for no provider", frozenset(), b.NOT_YET),
    ("a fair naming sixth forms and colleges counts for both", frozenset({"sixth_form", "college"}), b.NOT_YET),
    ("a fair naming all four types meets the full range", frozenset({"sixth_form", "college", "university",
                                                                     "training"}), b.MET),
])
def test_b7_a_careers_fair_counts_once_for_each_provider_type_it_names(case, named, state):
    fair = b.Activity(500, "careers_fair", "Post 16 Fayre", date(2026, 10, 15), frozenset({2, 5, 7}), CORE,
                      providers=named)
    s = states(Y11, activities=[fair])
    assert s[7].state == state, case
    lacking = s[7].missing[0] if s[7].missing else ""
    for key, words, _ in b.PROVIDER_TYPES:
        assert (words in lacking) is (bool(named) and key not in named), case


@pytest.mark.parametrize("case, entry, joined, words", [
    ("no known date of entry: nothing waived", None, 7, ""),
    ("entered before Year 7 began", date(2022, 7, 1), 7, ""),
    ("entered in Year 9", date(2024, 11, 4), 9, "joined in Year 9: Years 7–8 not expected"),
    ("entered in Year 8", date(2023, 9, 5), 8, "joined in Year 8: Year 7 not expected"),
])
def test_earlier_years_are_waived_only_from_a_known_date_of_entry(case, entry, joined, words):
    assert b.joined_year_group(Y11, entry) == joined, case
    assert b.joined_words(joined) == words, case
    s = states(Y11, joined=joined)
    waived = [p for p in s[5].parts if p.status == b.PART_WAIVED]
    assert len(waived) == joined - 7, case
