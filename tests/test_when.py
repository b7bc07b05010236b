"""Dates and times as advisers type them (gatsby_tui.domain.when)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from gatsby_tui.domain.when import WhenError, parse_duration, parse_time, parse_when, short, span

NOW = datetime(2026, 11, 22, 10, 0)          # Sunday 22 November 2026, as the conftest clock
TUESDAY = datetime(2026, 11, 24, 10, 0)


@pytest.mark.parametrize("text, expected", [
    ("tue 10:30", datetime(2026, 11, 24, 10, 30)),
    ("tuesday 10.30", datetime(2026, 11, 24, 10, 30)),
    ("Tues 10.30am", datetime(2026, 11, 24, 10, 30)),
    ("24/11 9:15", datetime(2026, 11, 24, 9, 15)),
    ("24/11/2026 09:15", datetime(2026, 11, 24, 9, 15)),
    ("24-11-26 9:15", datetime(2026, 11, 24, 9, 15)),
    ("24.11 9.15", datetime(2026, 11, 24, 9, 15)),          # two dotted: the first is the date
    ("24 nov 9:15", datetime(2026, 11, 24, 9, 15)),
    ("on 24th November 2026 at 9:15", datetime(2026, 11, 24, 9, 15)),
    ("tue 24/11 9:15", datetime(2026, 11, 24, 9, 15)),      # weekday and date agree
    ("tomorrow 2pm", datetime(2026, 11, 23, 14, 0)),
    ("2 pm tomorrow", datetime(2026, 11, 23, 14, 0)),
    ("today 14:00", datetime(2026, 11, 22, 14, 0)),
    ("2:30pm", datetime(2026, 11, 22, 14, 30)),              # a time alone is today
    ("12pm", datetime(2026, 11, 22, 12, 0)),
    ("12am", datetime(2026, 11, 22, 0, 0)),
    ("noon thu", datetime(2026, 11, 26, 12, 0)),
    ("sun 9:00", datetime(2026, 11, 22, 9, 0)),              # today is Sunday: today
    ("15/01 9:00", datetime(2027, 1, 15, 9, 0)),             # no year: the next one on or after today
    ("22/11 16:00", datetime(2026, 11, 22, 16, 0)),          # today counts as "on or after today"
    ("21/11 16:00", datetime(2027, 11, 21, 16, 0)),          # yesterday: next year
])
def test_what_people_type_is_understood(text, expected):
    when = parse_when(text, now=NOW)
    assert when.start == expected and not when.next_free


def test_a_weekday_alone_is_today_when_today_is_that_day():
    assert parse_when("tue 9:00", now=TUESDAY).start == datetime(2026, 11, 24, 9, 0)
    assert parse_when("wed 9:00", now=TUESDAY).start == datetime(2026, 11, 25, 9, 0)
    assert parse_when("mon 9:00", now=TUESDAY).start == datetime(2026, 11, 30, 9, 0)


def test_understood_is_a_sentence_to_show_before_saving():
    assert parse_when("tue 10:30", now=NOW).understood == "Tuesday 24 November 2026 at 10:30"


def test_next_means_the_next_free_slot():
    when = parse_when("next", now=NOW)
    assert when.next_free and when.start is None
    assert parse_when("  Next  ", now=NOW).next_free


@pytest.mark.parametrize("text, message", [
    ("31/02", "February has no day 31."),
    ("31/02 10:00", "February has no day 31."),
    ("31/04/2027 10:00", "April has no day 31."),
    ("29/02/2027 10:00", "February 2027 has no day 29."),
    ("29/02 10:00", "February 2027 has no day 29: give the year, e.g. 29/02/2028."),
    ("25:00", "hours run from 0 to 23"),
    ("tue 25:00", "hours run from 0 to 23"),
    ("10:70", "minutes run from 00 to 59"),
    ("13pm", "with am or pm the hour is 1 to 12"),
    ("0am", "with am or pm the hour is 1 to 12"),
    ("", "Type when"),
    ("   ", "Type when"),
    ("garbage", "'garbage' is not a date and time I can read"),
    ("24/11", "Add a time, e.g. 24/11 9:15."),
    ("tue", "Add a time, e.g. tue 9:15."),
    ("tue 10", "Add minutes or am/pm to '10'"),          # 02:00 or 14:00? ask
    ("12/13 10:00", "there is no month 13"),
    ("11/24 10:00", "there is no month 24"),             # American order is refused, not guessed
    ("wed 24/11 10:00", "24 November 2026 is a Tuesday, not a Wednesday"),
    ("next tue 10:30", "could mean Tue 24 Nov or Tue 1 Dec"),
    ("10:30 11:00", "more than one time"),
    ("9:5", "two digits"),
])
def test_impossible_or_ambiguous_input_gets_a_clear_sentence(text, message):
    with pytest.raises(WhenError) as caught:
        parse_when(text, now=NOW)
    assert message in str(caught.value)
    assert str(caught.value).endswith(".")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("text, expected", [
    ("9:15", time(9, 15)), ("09:15", time(9, 15)), ("9.15", time(9, 15)), ("9am", time(9, 0)),
    ("2:30pm", time(14, 30)), ("2.30 PM", time(14, 30)), ("noon", time(12, 0)), ("14:00", time(14, 0)),
])
def test_parse_time(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text, message", [
    ("", "Enter a time"), ("9", "Add minutes or am/pm"), ("25:00", "hours run"), ("9:60", "minutes run"),
    ("13pm", "1 to 12"), ("soon", "not a time I can read"),
])
def test_parse_time_errors(text, message):
    with pytest.raises(WhenError, match=message):
        parse_time(text)


@pytest.mark.parametrize("text, minutes", [
    ("45", 45), ("45m", 45), ("45 min", 45), ("45 minutes", 45), ("1h", 60), ("1 hour", 60),
    ("1h30", 90), ("1h 30m", 90), ("1:30", 90), ("90", 90), ("4h", 240), ("5", 5),
])
def test_parse_duration(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text, message", [
    ("", "Enter how long"), ("4", "at least 5 minutes"), ("4h30", "at most 4 hours"), ("soon", "not a length"),
    ("1:75", "minutes run"),
])
def test_parse_duration_errors(text, message):
    with pytest.raises(WhenError, match=message):
        parse_duration(text)


def test_uk_short_forms_for_messages():
    assert short(datetime(2026, 11, 24, 9, 15)) == "Tue 24 Nov 09:15"
    assert span(datetime(2026, 11, 24, 10, 0), datetime(2026, 11, 24, 10, 45)) == "10:00–10:45 on Tue 24 Nov"
    assert short(datetime(2027, 1, 5, 9, 0), year_unless=2026) == "Tue 5 Jan 2027 09:00"


def test_a_day_alone_reads_as_meeting_times_read_their_date():
    from gatsby_tui.domain.when import parse_day

    today = date(2026, 11, 22)
    assert parse_day("15/1", today=today) == date(2027, 1, 15)            # the next 15 January
    assert parse_day("24/11", today=today) == date(2026, 11, 24)
    assert parse_day("15/01/2027", today=today) == date(2027, 1, 15)
    assert parse_day("2027-01-15", today=today) == date(2027, 1, 15)
    assert parse_day("fri", today=today) == date(2026, 11, 27)
    assert parse_day("tomorrow", today=today) == date(2026, 11, 23)
    assert parse_day("15 jan", today=today) == date(2027, 1, 15)
    for bad, words in (("31/2", "February has no day 31"), ("banana", "is not a due date I can read"),
                       ("", "Type the due date")):
        with pytest.raises(WhenError, match=words):
            parse_day(bad, today=today, what="due date")
