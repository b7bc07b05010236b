"""Clinic patterns expanded into slots (gatsby_tui.domain.slots)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from gatsby_tui.domain.slots import ClinicPattern, describe, expand, parse_weekdays, pattern_rrule


def tuesdays(**over) -> ClinicPattern:
    values = dict(id=1, adviser_id=7, rrule="FREQ=WEEKLY;BYDAY=TU", valid_from=date(2026, 9, 1), valid_until=None,
                  start=time(9, 0), end=time(15, 0), slot_minutes=45, break_start=time(12, 0),
                  break_end=time(12, 45), place="Careers office")
    values.update(over)
    return ClinicPattern(**values)


def times(slots) -> list[str]:
    return [f"{s.start:%H:%M}" for s in slots]


def test_a_day_of_45_minute_slots_skips_the_lunch_break():
    slots = expand([tuesdays()], [], date(2026, 11, 24), date(2026, 11, 24))
    assert times(slots) == ["09:00", "09:45", "10:30", "11:15", "12:45", "13:30", "14:15"]
    assert all(s.end - s.start == timedelta(minutes=45) for s in slots)
    assert slots[0].place == "Careers office" and slots[0].clinic_id == 1


def test_a_slot_that_would_run_into_the_break_or_past_the_end_is_dropped():
    # 40-minute slots: 11:40 would run to 12:20 (into lunch), so the next starts at 12:45;
    # 14:05 would run to 14:45, past a 14:30 end.
    slots = expand([tuesdays(slot_minutes=40, end=time(14, 30))], [], date(2026, 11, 24), date(2026, 11, 24))
    assert times(slots) == ["09:00", "09:40", "10:20", "11:00", "12:45", "13:25"]


def test_slots_stay_at_wall_clock_times_across_the_october_clock_change():
    # UK clocks go back at 02:00 on Sunday 25 October 2026.
    slots = expand([tuesdays()], [], date(2026, 10, 19), date(2026, 11, 1))
    days = sorted({s.start.date() for s in slots})
    assert days == [date(2026, 10, 20), date(2026, 10, 27)]
    first_of_each = [min(s.start for s in slots if s.start.date() == d) for d in days]
    assert first_of_each == [datetime(2026, 10, 20, 9, 0), datetime(2026, 10, 27, 9, 0)]
    assert all(s.start.tzinfo is None for s in slots)   # naive local wall-clock, as stored


def test_exceptions_for_everyone_and_for_one_adviser():
    holiday = (date(2026, 10, 26), date(2026, 10, 30), None)           # half term, everyone
    other_adviser_off = (date(2026, 11, 3), date(2026, 11, 3), 99)
    own_day_off = (date(2026, 11, 10), date(2026, 11, 10), 7)
    slots = expand([tuesdays()], [holiday, other_adviser_off, own_day_off], date(2026, 10, 20), date(2026, 11, 17))
    assert sorted({s.start.date() for s in slots}) == [date(2026, 10, 20), date(2026, 11, 3), date(2026, 11, 17)]


def test_valid_from_and_until_bound_the_pattern():
    p = tuesdays(valid_from=date(2026, 11, 10), valid_until=date(2026, 11, 24))
    slots = expand([p], [], date(2026, 11, 1), date(2026, 12, 31))
    assert sorted({s.start.date() for s in slots}) == [date(2026, 11, 10), date(2026, 11, 17), date(2026, 11, 24)]


def test_every_other_week_counts_from_the_first_day():
    p = tuesdays(rrule=pattern_rrule(["tue"], 2), valid_from=date(2026, 11, 3))
    slots = expand([p], [], date(2026, 11, 1), date(2026, 11, 30))
    assert sorted({s.start.date() for s in slots}) == [date(2026, 11, 3), date(2026, 11, 17)]


def test_slots_are_sorted_over_several_patterns_and_deduplicated():
    thursdays = tuesdays(id=2, rrule="FREQ=WEEKLY;BYDAY=TH", break_start=None, break_end=None, end=time(10, 30))
    slots = expand([thursdays, tuesdays(), tuesdays(id=3)], [], date(2026, 11, 23), date(2026, 11, 29))
    starts = [s.start for s in slots]
    assert starts == sorted(starts) and len(starts) == len(set(starts))
    assert times(s for s in slots if s.start.date() == date(2026, 11, 26)) == ["09:00", "09:45"]


def test_recutting_into_longer_meetings():
    slots = expand([tuesdays()], [], date(2026, 11, 24), date(2026, 11, 24), minutes=60)
    assert times(slots) == ["09:00", "10:00", "11:00", "12:45", "13:45"]


def test_the_window_is_bounded():
    expand([tuesdays()], [], date(2026, 9, 1), date(2027, 10, 5))          # 399 days: fine
    with pytest.raises(ValueError, match="at most 400 days"):
        expand([tuesdays()], [], date(2026, 9, 1), date(2027, 10, 7))
    assert expand([tuesdays()], [], date(2026, 11, 30), date(2026, 11, 1)) == []


def test_rules_and_descriptions():
    assert pattern_rrule(["tue"]) == "FREQ=WEEKLY;BYDAY=TU"
    assert pattern_rrule(["thursday", "Tue"]) == "FREQ=WEEKLY;BYDAY=TU,TH"
    assert pattern_rrule(["tue"], interval_weeks=2) == "FREQ=WEEKLY;BYDAY=TU;INTERVAL=2"
    assert parse_weekdays("mon-wed, fri") == [0, 1, 2, 4]
    assert parse_weekdays("tuesday and thursday") == [1, 3]
    with pytest.raises(ValueError, match="not a day of the week"):
        parse_weekdays("tue,funday")
    assert describe(tuesdays()) == "Tuesdays 09:00–15:00, 45-minute slots, break 12:00–12:45, Careers office"
    assert tuesdays(rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR", break_start=None, break_end=None, place=None).description \
        == "Mondays, Wednesdays and Fridays 09:00–15:00, 45-minute slots"
    assert tuesdays(valid_until=date(2027, 7, 16)).period == "from 1 September 2026 to 16 July 2027"
