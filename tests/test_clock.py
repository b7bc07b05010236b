"""One clock for the whole program, set for a run with --today or GATSBY_TUI_TODAY."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime

import pytest

from gatsby_tui import clock
from gatsby_tui.cli import main
from gatsby_tui.store import Store

from helpers import make_upn, pupil


@pytest.fixture
def db(tmp_path):
    """Amara, born March 2011: Year 11 until 31 August 2027, Year 12 from 1 September."""
    path = tmp_path / "school.db"
    s = Store.open(path, clock=clock.FixedClock(date(2026, 11, 22)))
    s.pupils.add(s.pupils.validate(pupil(upn=make_upn(1), dob="14/03/2011", form="11A")))
    s.close()
    return str(path)


def year_group(capsys, *argv) -> int:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)[0]["year_group"]


@pytest.mark.parametrize("text, expected", [
    ("2027-03-31", date(2027, 3, 31)),
    ("2028-02-29", date(2028, 2, 29)),
    ("31/08/2027", date(2027, 8, 31)),
    ("2027-09-01T08:30", datetime(2027, 9, 1, 8, 30)),
])
def test_a_day_or_a_moment_is_understood(text, expected):
    moment = clock.parse_moment(text)
    if isinstance(expected, datetime):
        assert moment == expected
    else:
        assert moment.date() == expected


@pytest.mark.parametrize("text", ["", "tomorrow", "2027-02-29", "2027-13-01", "32/01/2027"])
def test_a_day_that_is_not_one_is_refused_in_a_sentence(text):
    with pytest.raises(clock.ClockError, match="is not a day: give it as YYYY-MM-DD"):
        clock.parse_moment(text)


def test_the_set_clock_keeps_ticking_from_the_day_given():
    c = clock.set_today("2027-08-31T23:59")
    assert c.today() == date(2027, 8, 31)
    assert c.now() >= datetime(2027, 8, 31, 23, 59)
    assert clock.today() == date(2027, 8, 31), "the module's clock is the one just set"


def test_the_year_group_rolls_over_on_1_september_by_the_command_line_clock(db, capsys):
    assert year_group(capsys, "--today", "2027-08-31", "pupils", "--db", db, "--format", "json") == 11
    assert year_group(capsys, "pupils", "--db", db, "--format", "json", "--today=2027-09-01") == 12


def test_the_environment_variable_sets_the_clock_for_a_command(db, capsys, monkeypatch):
    monkeypatch.setenv(clock.ENV_VAR, "2027-09-01")
    assert year_group(capsys, "pupils", "--db", db, "--format", "json") == 12
    assert year_group(capsys, "--today", "2027-03-31", "pupils", "--db", db, "--format", "json") == 11, \
        "--today wins over the environment"


def test_a_bad_day_is_one_sentence_and_nothing_runs(db, capsys, monkeypatch):
    assert main(["--today", "2027-02-30", "pupils", "--db", db]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.strip().splitlines() == [
        "gatsby-tui: --today: '2027-02-30' is not a day: give it as YYYY-MM-DD (for example 2027-08-31), "
        "optionally with a time, 2027-08-31T09:00."]
    monkeypatch.setenv(clock.ENV_VAR, "soon")
    assert main(["pupils", "--db", db]) == 2
    assert capsys.readouterr().err.startswith("gatsby-tui: GATSBY_TUI_TODAY: 'soon' is not a day")


def test_a_child_process_reads_the_same_clock(db):
    """What the tests rely on: a command run as its own process reads the day from the environment."""
    done = subprocess.run([sys.executable, "-m", "gatsby_tui", "pupils", "--db", db, "--format", "json"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, clock.ENV_VAR: "2027-09-01"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["year_group"] == 12
