"""The command line: 'gatsby-tui agenda' and 'gatsby-tui ics', run in-process."""

from __future__ import annotations

import os
import stat
from datetime import datetime

import icalendar
import pytest

from helpers import make_upn, pupil
from gatsby_tui.cli import main
from gatsby_tui.store.bookings import BookingRequest


@pytest.fixture
def db(store):
    patel = store.advisers.add({"name": "Ms Patel"})
    store.advisers.add({"name": "Mr Jones"})
    store.advisers.set_current(patel)
    store.bookings.add_clinic({"adviser_id": patel, "weekdays": "tue,thu", "start": "09:00", "end": "12:00",
                      "slot_minutes": "45", "place": "Careers office", "valid_from": "01/09/2026"})
    amara = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1), dob="14/03/2011", sen_status="E")))
    ben = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(2), legal_forename="Ben", legal_surname="Hughes",
                                                     dob="14/03/2011")))
    store.bookings.book(BookingRequest(amara, patel, datetime(2026, 11, 24, 9, 45), reason="Private reason"))
    store.bookings.book(BookingRequest(ben, patel, datetime(2026, 11, 26, 9, 0)))
    return str(store.path)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["--today", "2026-11-22T10:00", *argv])     # the store fixture's moment
    out, err = capsys.readouterr()
    return code, out, err


def one_sentence(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("gatsby-tui: ") and lines[0].endswith(".")
    return lines[0]


def test_agenda_for_a_day_shows_meetings_and_free_slots(db, capsys):
    code, out, err = run(capsys, "agenda", "--db", db, "--date", "24/11/2026")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Ms Patel · Tuesday 24 November 2026"
    assert lines[1] == "09:00–09:45  free  Careers office"
    assert lines[2].startswith("09:45–10:30  Okafor, Amara") and "Y11" in lines[2] and "EHCP" in lines[2]
    assert "booked" in lines[2]
    assert lines[3] == "10:30–11:15  free  Careers office"
    assert lines[4:] == ["11:15–12:00  free  Careers office", "", "1 booked, 3 free slots."]
    assert "Private reason" not in out


def test_agenda_for_a_week_by_part_of_the_name(db, capsys):
    code, out, _ = run(capsys, "agenda", "--db", db, "--adviser", "PAT", "--date", "25/11/2026", "--week")
    assert code == 0
    assert out.splitlines()[0] == "Ms Patel · week of Monday 23 November 2026 to Sunday 29 November 2026"
    assert "Tuesday 24 November 2026" in out and "Thursday 26 November 2026" in out
    assert "  09:00–09:45  Hughes, Ben" in out
    assert out.splitlines()[-1] == "2 booked, 6 free slots."


def test_agenda_for_someone_with_nothing(db, capsys):
    code, out, _ = run(capsys, "agenda", "--db", db, "--adviser", "jones", "--date", "24/11/2026")
    assert code == 0 and "Nothing booked and no clinic hours" in out


def test_unknown_adviser_names_the_advisers(db, capsys):
    code, out, err = run(capsys, "agenda", "--db", db, "--adviser", "Smith", "--date", "24/11/2026")
    assert code != 0 and out == ""
    assert one_sentence(err) == "gatsby-tui: No adviser's name contains 'Smith': the advisers are Mr Jones and Ms Patel."


def test_ambiguous_adviser_name(db, capsys, store):
    store.advisers.add({"name": "Ms Patterson"})
    code, _, err = run(capsys, "agenda", "--db", db, "--adviser", "pat", "--date", "24/11/2026")
    assert code != 0
    assert one_sentence(err) == ("gatsby-tui: 'pat' matches more than one adviser (Ms Patel and Ms Patterson): "
                                 "give more of the name.")
    code, out, _ = run(capsys, "agenda", "--db", db, "--adviser", "ms patel", "--date", "24/11/2026")
    assert code == 0 and out.startswith("Ms Patel ·"), "an exact name is never ambiguous"


@pytest.mark.parametrize("bad, message", [
    ("31/02/2026", "February 2026 has no day 31"),
    ("tomorrow", "is not a date I can read"),
    ("24/11/26", "Write the year in full"),
])
def test_bad_date_is_one_sentence(db, capsys, bad, message):
    code, out, err = run(capsys, "agenda", "--db", db, "--date", bad)
    assert code != 0 and out == ""
    assert message in one_sentence(err)


def test_no_current_adviser_and_no_name(tmp_path, capsys, store):
    store.advisers.add({"name": "Ms Patel"})
    code, _, err = run(capsys, "agenda", "--db", str(store.path))
    assert code != 0
    assert "give --adviser NAME (the advisers are Ms Patel)" in one_sentence(err)


def test_a_missing_database_is_not_created(tmp_path, capsys):
    path = tmp_path / "none.db"
    code, _, err = run(capsys, "agenda", "--db", str(path))
    assert code != 0 and "does not exist" in one_sentence(err)
    assert not path.exists()


def test_ics_writes_a_calendar_file(db, capsys, tmp_path):
    out_file = tmp_path / "patel.ics"
    code, out, err = run(capsys, "ics", "--db", db, "--adviser", "patel", "--from", "23/11/2026", "--to",
                         "29/11/2026", "--out", str(out_file))
    assert code == 0 and err == ""
    assert out.strip() == f"Wrote 2 events for Ms Patel (23/11/2026 to 29/11/2026) to {out_file}."
    assert stat.S_IMODE(os.stat(out_file).st_mode) == 0o600
    cal = icalendar.Calendar.from_ical(out_file.read_bytes())
    assert sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT")) == [
        "Guidance meeting: A.O. (Y11)", "Guidance meeting: B.H. (Y11)"]
    code, _, _ = run(capsys, "ics", "--db", db, "--adviser", "patel", "--from", "23/11/2026", "--to",
                     "29/11/2026", "--out", str(out_file), "--full-names")
    assert code == 0 and b"Amara Okafor" in out_file.read_bytes()


@pytest.mark.parametrize("args, message", [
    (("--adviser", "nobody", "--from", "23/11/2026", "--to", "29/11/2026"), "No adviser's name contains 'nobody'"),
    (("--adviser", "patel", "--from", "32/11/2026", "--to", "29/11/2026"), "November 2026 has no day 32"),
    (("--adviser", "patel", "--from", "29/11/2026", "--to", "23/11/2026"), "is before the first"),
])
def test_ics_problems_are_one_sentence(db, capsys, tmp_path, args, message):
    out_file = tmp_path / "x.ics"
    code, out, err = run(capsys, "ics", "--db", db, *args, "--out", str(out_file))
    assert code != 0 and out == ""
    assert message in one_sentence(err)
    assert not out_file.exists()


def test_ics_into_a_missing_folder(db, capsys, tmp_path):
    code, _, err = run(capsys, "ics", "--db", db, "--adviser", "patel", "--from", "23/11/2026", "--to",
                       "29/11/2026", "--out", str(tmp_path / "no" / "x.ics"))
    assert code != 0 and "does not exist" in one_sentence(err)
