"""Lists as CSV: store.exports.csv_list and exports/csv_lists.py, and `gatsby-tui export list`.

Every cell guarded against spreadsheet formulas, exactly the screen's rows (all of them, paged from
SQL), UTF-8 with a BOM, CRLF rows, DD/MM/YYYY dates, owner-only and atomic files, an audit entry."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import gatsby_tui
from gatsby_tui.cli import main
from gatsby_tui.clock import FixedClock
from gatsby_tui.domain.schoolyear import school_year_of
from gatsby_tui.exports import csv_lists
from gatsby_tui.exports.csv_lists import FORMULA_STARTS, guard_cell
from gatsby_tui.store import PupilFilter, Store, StoreError

from helpers import TODAY, make_upn, pupil

YEAR11_DOB = "02/02/2011"        # Year 11 in 2026/27 (the tests' today: 22/11/2026)
YEAR10_DOB = "14/03/2012"
PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def read(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, for Excel"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def last_audit(store: Store) -> dict:
    row = store.conn.execute("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return {**dict(row), "after": json.loads(row["after"]) if row["after"] else None}


def audit_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def add(store: Store, n: int, fore: str, sur: str, dob: str = YEAR11_DOB, **more) -> int:
    return store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n), legal_forename=fore, legal_surname=sur,
                                                      dob=dob, **more)))


@pytest.fixture
def adviser(store):
    adviser_id = store.advisers.add({"name": "Helen Marsh", "kind": "external", "qualification_level": "6"})
    store.advisers.set_current(adviser_id)
    return adviser_id


@pytest.fixture
def school(store, adviser):
    """Year 11: Łukasz, Zoë, 김민준 (Kim), O'Brien; Year 10: Ben; one Year 11 pupil who has left."""
    ids = {
        "lukasz": add(store, 1, "Łukasz", "Wiśniewski", form="11A", pupil_premium=True),
        "zoe": add(store, 2, "Zoë", "Brontë", form="11B", sen_status="K"),
        "kim": add(store, 3, "민준", "김", form="11A"),
        "obrien": add(store, 4, "Siobhán", "O'Brien-Ní Bhriain", form="11C", sen_status="E"),
        "ben": add(store, 5, "Ben", "Hughes", dob=YEAR10_DOB, form="10A"),
        "gone": add(store, 6, "Gone", "Away", form="11A"),
    }
    store.pupils.set_left(ids["gone"], date(2026, 10, 9))
    return ids


# ---------------------------------------------------------------- the guard


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_formula_start_gets_an_apostrophe(prefix):
    assert guard_cell(prefix + "SUM(A1)") == "'" + prefix + "SUM(A1)"


def test_ordinary_cells_are_left_alone():
    assert guard_cell("O'Brien-Ní Bhriain") == "O'Brien-Ní Bhriain"
    assert guard_cell(None) == "" and guard_cell(11) == "11" and guard_cell("") == ""
    assert guard_cell("a=b") == "a=b"
    assert set(FORMULA_STARTS) == set(PREFIXES)


def test_the_cli_uses_the_same_guard():
    from gatsby_tui.cli import commands as cli_commands

    assert cli_commands.guard_cell is guard_cell


def test_rows_end_in_crlf_and_line_breaks_in_cells_are_lf():
    book = csv_lists.CsvText(["A", "B"])
    book.add(["one\r\ntwo\rthree\nfour", "x"])
    book.add(["=1+1", "\r\nhidden"])
    data = book.data()
    assert data.startswith("\ufeff".encode("utf-8"))
    assert data.count(b"\r\n") == 3 and data.count(b"\r") == 3, "CR only in row endings"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["A", "B"], ["one\ntwo\nthree\nfour", "x"], ["'=1+1", "'\nhidden"]]


# ---------------------------------------------------------------- the register


def test_register_csv_holds_exactly_the_filtered_list(store, school, tmp_path):
    out = tmp_path / "register.csv"
    n = store.exports.csv_list("register", {"year": 11}, out)
    rows = read(out)
    shown = [r.name for r in store.pupils.page(PupilFilter(year=11), limit=100)]
    assert n == len(rows) == len(shown) == 4
    assert [f"{r['Surname']}, {r['Preferred forename'] or r['Forename']}" for r in rows] == shown
    assert list(rows[0]) == list(csv_lists.REGISTER_COLUMNS)
    by_name = {r["Forename"]: r for r in rows}
    assert by_name["Łukasz"]["Surname"] == "Wiśniewski" and by_name["Łukasz"]["Flags"] == "PP"
    assert by_name["Zoë"]["SEN"] == "SEN support" and by_name["Siobhán"]["SEN"] == "EHCP"
    assert by_name["민준"]["Surname"] == "김" and by_name["민준"]["UPN"] == make_upn(3)
    assert {r["Year"] for r in rows} == {"11"}
    # Other filters, as the screen's: a search, pupils who have left, a SEN status.
    store.exports.csv_list("register", PupilFilter(search="obrien"), out)
    assert [r["Surname"] for r in read(out)] == ["O'Brien-Ní Bhriain"]
    store.exports.csv_list("register", {"roll": "left"}, out)
    left = read(out)
    assert [r["Forename"] for r in left] == ["Gone"]
    assert left[0]["Date left"] == "09/10/2026" and left[0]["Year"] == ""
    store.exports.csv_list("register", {"sen": "K"}, out)
    assert [r["Forename"] for r in read(out)] == ["Zoë"]


def test_register_dates_are_day_first(store, school, adviser, tmp_path):
    from datetime import datetime

    from gatsby_tui.store.bookings import BookingRequest

    store.bookings.add_clinic({"adviser_id": adviser, "weekdays": "tue", "start": "09:00", "end": "12:00",
                      "slot_minutes": "45", "place": "Careers office", "valid_from": "01/09/2026", "valid_until": ""})
    store.bookings.book(BookingRequest(pupil_id=school["zoe"], adviser_id=adviser, start=datetime(2026, 11, 24, 9, 45),
                              minutes=45), confirm=True)
    out = tmp_path / "r.csv"
    store.exports.csv_list("register", {"search": "zoe"}, out)
    assert read(out)[0]["Next meeting"] == "24/11/2026 09:45"


def test_every_page_is_written_not_only_the_first(store, adviser, tmp_path):
    for i in range(11):
        add(store, 100 + i, f"Pupil{i:02d}", "Same")
    store.exports.CSV_PAGE = 3              # page through 11 pupils three at a time
    seen = []
    n = store.exports.csv_list("register", {}, tmp_path / "all.csv", progress=lambda done, total: seen.append((done, total)))
    rows = read(tmp_path / "all.csv")
    assert n == 11 and [r["Forename"] for r in rows] == [f"Pupil{i:02d}" for i in range(11)]
    assert seen[-1] == (11, 11) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    # Sorted by year group then name, as the screen's other order.
    add(store, 200, "Young", "Aaron", dob="14/03/2015")
    store.exports.csv_list("register", {"sort": "year"}, tmp_path / "by-year.csv")
    assert read(tmp_path / "by-year.csv")[0]["Forename"] == "Young"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_formula_cells_in_names_are_guarded(store, adviser, tmp_path, prefix):
    pid = add(store, 1, "Amara", "Okafor", form="11A")
    # Control characters are cleaned on the way in, so a name starting with one can only come from
    # a file written by another tool (or an older version): put it there directly. (The schema refuses a
    # legal name starting with NUL: SQLite measures text only up to a NUL.)
    columns = {"preferred_forename": "Preferred forename", "form": "Form"}
    if prefix != "\0":
        columns.update(legal_forename="Forename", legal_surname="Surname")
    for column in columns:
        store.conn.execute(f"UPDATE pupils SET {column} = ? WHERE id = ?", (prefix + "cmd|' /C calc'!A0", pid))
    out = tmp_path / "guarded.csv"
    store.exports.csv_list("register", {}, out)
    row = read(out)[0]
    for title in columns.values():
        assert row[title] == "'" + prefix.replace("\r", "\n") + "cmd|' /C calc'!A0", (title, row[title])


# The schema refuses an action whose text starts with NUL (SQLite measures text only up to a NUL),
# so that one cannot be in a database; NUL is covered by the register's preferred name and form.
@pytest.mark.parametrize("prefix", [p for p in PREFIXES if p != "\0"])
def test_formula_cells_in_action_notes_are_guarded(store, school, adviser, tmp_path, prefix):
    aid = store.actions.add(pupil_id=school["zoe"], description="placeholder", owner="pupil", due="30/11/2026")
    store.conn.execute("UPDATE actions SET description = ? WHERE id = ?", (prefix + "2+5+cmd", aid))
    out = tmp_path / "fu.csv"
    store.exports.csv_list("follow_ups", {}, out)
    rows = read(out)
    assert rows[0]["What"] == "'" + prefix.replace("\r", "\n") + "2+5+cmd"
    for row in rows:
        for cell in row.values():
            assert not cell or cell[0] not in PREFIXES


# ---------------------------------------------------------------- files: owner-only, atomic, audited


def test_the_file_is_owner_only_and_the_export_audited(store, school, adviser, tmp_path):
    out = tmp_path / "r.csv"
    before = audit_count(store)
    store.exports.csv_list("register", {"year": 11}, out)
    assert os.stat(out).st_mode & 0o777 == 0o600
    assert audit_count(store) == before + 1
    entry = last_audit(store)
    assert entry["action"] == "export" and entry["table_name"] == "pupils" and entry["adviser_id"] == adviser
    assert entry["pupil_id"] is None
    assert entry["after"]["list"] == "register" and entry["after"]["rows"] == 4
    assert entry["after"]["file"] == str(out) and entry["after"]["filters"]["year"] == 11


def test_a_failed_write_leaves_no_file_no_part_file_and_no_audit(store, school, tmp_path, monkeypatch):
    out = tmp_path / "r.csv"
    store.exports.csv_list("register", {}, out)
    earlier = out.read_bytes()
    before = audit_count(store)

    def disk_full(*args, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("gatsby_tui.exports.files.os.fsync", disk_full)
    with pytest.raises(StoreError, match="No space left on device"):
        store.exports.csv_list("register", {"year": 10}, out)
    with pytest.raises(StoreError, match="No space left on device"):
        store.exports.csv_list("register", {}, tmp_path / "new.csv")
    assert out.read_bytes() == earlier, "the earlier file is left as it was"
    assert not (tmp_path / "new.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "test.db"], "no half-written file"
    assert audit_count(store) == before


def test_a_missing_folder_or_a_folder_as_file_is_a_sentence(store, school, tmp_path):
    before = audit_count(store)
    with pytest.raises(StoreError, match=r"The folder .*nope does not exist: choose another, or create it first\."):
        store.exports.csv_list("register", {}, tmp_path / "nope" / "r.csv")
    with pytest.raises(StoreError, match="is a folder: give a file name ending in .csv"):
        store.exports.csv_list("register", {}, tmp_path)
    with pytest.raises(StoreError, match="no list called 'pupils'"):
        store.exports.csv_list("pupils", {}, tmp_path / "r.csv")
    with pytest.raises(StoreError, match="'9' is not a benchmark"):
        store.exports.csv_list("gaps", {"key": 9}, tmp_path / "r.csv")
    assert audit_count(store) == before and not (tmp_path / "nope").exists()
    assert not (tmp_path / "r.csv").exists()


# ---------------------------------------------------------------- the other lists


def test_follow_ups_csv_matches_the_screen_filters(store, school, adviser, tmp_path):
    other = store.advisers.add({"name": "Mr Jones"})
    add_action = store.actions.add
    add_action(pupil_id=school["zoe"], description="Bring two apprenticeship adverts", owner="pupil", due="20/11/2026")
    add_action(pupil_id=school["kim"], description="Call home about the open evening", owner="parent",
               due="10/11/2026")
    add_action(pupil_id=school["ben"], description="Think about sixth form\nsubjects", owner="pupil")
    add_action(pupil_id=school["ben"], description="Jones's own", owner="pupil", due="01/11/2026", adviser_id=other)
    done = add_action(pupil_id=school["zoe"], description="Finished", owner="pupil", due="01/11/2026")
    store.actions.set_status(done, "done")
    out = tmp_path / "fu.csv"
    n = store.exports.csv_list("follow_ups", {"adviser_id": adviser}, out)
    rows = read(out)
    assert n == 3
    assert [r["What"] for r in rows] == [fu.description for fu in store.actions.follow_ups(adviser_id=adviser)]
    assert rows[0] == {"Due": "10/11/2026", "Overdue": "overdue", "Pupil": "김, 민준", "Year": "11",
                       "What": "Call home about the open evening", "Owner": "parent/carer",
                       "Followed up by": "Helen Marsh"}
    assert rows[-1]["Due"] == "" and rows[-1]["What"] == "Think about sixth form\nsubjects"
    store.exports.csv_list("follow_ups", {"adviser_id": None, "owner": "pupil", "due_before": date(2026, 11, 25)}, out)
    assert [r["What"] for r in read(out)] == ["Jones's own", "Bring two apprenticeship adverts"]
    assert last_audit(store)["table_name"] == "actions"


def test_gaps_csv_lists_every_pupil_missing_the_benchmark(store, school, tmp_path):
    out = tmp_path / "gaps.csv"
    found, total = store.coverage.gaps(8, year=11)
    n = store.exports.csv_list("gaps", {"key": 8, "year": 11}, out)
    rows = read(out)
    assert n == total == len(rows) == 4
    assert [r["Pupil"] for r in rows] == [g.name for g in found]
    assert {r["UPN"] for r in rows} == {make_upn(i) for i in (1, 2, 3, 4)}
    assert {r["Benchmark"] for r in rows} == {"B8 Guidance"} and {r["State"] for r in rows} == {"not yet met"}
    assert all(r["What is missing"] for r in rows)
    # More than the screen lists (it shows the first 2,000): the CSV is never cut short.
    assert store.exports.csv_list("gaps", {"key": "pal"}, out) == store.coverage.gaps("pal")[1]


def test_leavers_csv_is_the_cohort_and_view_shown(store, adviser, tmp_path):
    left = date(2026, 7, 17)
    for n, (surname, code) in enumerate((("Adams", "230"), ("Davies", "619"), ("Fisher", None))):
        pid = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n + 1), legal_surname=surname,
                                                         legal_forename="Sam", dob="14/03/2010",
                                                         destination_consent=True, form="")))
        store.pupils.set_left(pid, left)
        if code:
            store.destinations.record_actual(pid, {"code": code, "checked_on": "01/10/2026", "method": "phone call",
                                                  "provider": "=Riverside College"})
    out = tmp_path / "leavers.csv"
    assert store.exports.csv_list("leavers", {"cohort": 2026}, out) == 3
    rows = read(out)
    assert [r["Surname"] for r in rows] == [r.surname for r in store.destinations.all_leavers(2026)]
    adams = rows[0]
    assert adams["Date left"] == "17/07/2026" and adams["NCCIS code"] == "230"
    assert adams["Provider"] == "'=Riverside College" and adams["Consent"] == "yes"
    assert adams["Category"] == "Education" and adams["Recorded on"] == "01/10/2026"
    assert store.exports.csv_list("leavers", {"cohort": 2026, "view": "neet"}, out) == 1
    assert [r["Surname"] for r in read(out)] == ["Davies"]
    assert store.exports.csv_list("leavers", {"view": "unknown"}, out) == 1      # the current cohort by default
    assert last_audit(store)["table_name"] == "destinations"


# ---------------------------------------------------------------- names


def test_file_names_say_what_and_when_never_a_upn(store, school, adviser):
    def name(which, filters, count=None):
        return store.exports.list_labels(which, filters, count).file_name

    assert name("register", {"year": 11}) == "register - Year 11 - 2026-11-22.csv"
    assert name("register", {"roll": "left"}) == "register - left - 2026-11-22.csv"
    assert name("follow_ups", {}) == "follow-ups - 2026-11-22.csv"
    assert name("follow_ups", {"adviser_id": adviser}) == "follow-ups - Helen Marsh - 2026-11-22.csv"
    assert name("gaps", {"key": 8, "year": 11}) == "missing B8 Guidance - Year 11 - 2026-11-22.csv"
    assert name("gaps", {"key": "pal", "breakdown": "pp", "value": 1}) == \
        "missing PAL Provider access - Years 7-13 - Pupil premium - 2026-11-22.csv"
    assert name("leavers", {"cohort": 2026}) == "leavers 2026 - destinations - 2026-11-22.csv"
    assert name("leavers", {"cohort": 2026, "view": "neet"}) == "leavers 2026 - NEET - 2026-11-22.csv"
    # A search (perhaps a UPN or a name) never reaches the file name.
    upn = make_upn(1)
    searched = name("register", {"search": upn, "year": 11})
    assert upn not in searched and "Wiśniewski" not in searched
    assert searched == "register - Year 11 - search results - 2026-11-22.csv"
    assert store.exports.list_labels("register", {"year": 11}, 243).words == "Year 11 on roll: 243 pupils"
    assert store.exports.list_labels("follow_ups", {}, 1).words == "Open actions of every adviser: 1 open action"


def test_safe_names_for_any_file_system():
    from gatsby_tui.exports.files import safe_name

    assert safe_name('a/b\\c:d*e?f"g<h>i|j') == "a b c d e f g h i j"
    assert safe_name("Zoë  O'Brien\t김민준\x00") == "Zoë O'Brien 김민준"


# ---------------------------------------------------------------- the command line (real clock)


def dob_for(year_group: int) -> str:
    return f"15/03/{school_year_of(TODAY) - year_group - 4}"


@pytest.fixture
def cli_db(tmp_path) -> Path:
    path = tmp_path / "cli.db"
    s = Store.open(path, clock=FixedClock(TODAY))
    try:
        for n, (fore, sur, year) in enumerate((("Łukasz", "Wiśniewski", 11), ("=cmd", "Adams", 11),
                                               ("Ben", "Hughes", 10))):
            s.pupils.add(s.pupils.validate(pupil(upn=make_upn(n + 1), legal_forename=fore, legal_surname=sur,
                                               dob=dob_for(year), form=f"{year}A")))
    finally:
        s.close()
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_cli_writes_the_register_into_a_folder(capsys, cli_db, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    code, out, err = run(capsys, "export", "list", "--db", cli_db, "--list", "register", "--year", "11",
                         "--out", folder)
    assert code == 0, err
    written = folder / f"register - Year 11 - {TODAY.isoformat()}.csv"
    assert out.strip() == f"Wrote 2 rows to {written}."
    rows = read(written)
    assert [r["Forename"] for r in rows] == ["'=cmd", "Łukasz"]
    assert os.stat(written).st_mode & 0o777 == 0o600
    s = Store.open(cli_db, create=False)
    try:
        assert s.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'export'").fetchone()[0] == 1
    finally:
        s.close()


def test_cli_writes_a_named_file_and_the_other_lists(capsys, cli_db, tmp_path):
    code, out, err = run(capsys, "export", "list", "--db", cli_db, "--list", "gaps", "--benchmark", "8",
                         "--year", "11", "--out", tmp_path / "b8.csv")
    assert code == 0, err
    assert "Wrote 2 rows" in out
    assert {r["Benchmark"] for r in read(tmp_path / "b8.csv")} == {"B8 Guidance"}
    code, out, err = run(capsys, "export", "list", "--db", cli_db, "--list", "follow-ups", "--out", tmp_path / "f.csv")
    assert code == 0 and "Wrote 0 rows" in out and read(tmp_path / "f.csv") == []
    code, out, err = run(capsys, "export", "list", "--db", cli_db, "--list", "destinations", "--cohort", "2026",
                         "--out", tmp_path / "d.csv")
    assert code == 0, err
    assert (tmp_path / "d.csv").read_bytes().startswith(b"\xef\xbb\xbfSurname,Forename")


def test_cli_bad_folder_is_one_sentence_and_exit_3(capsys, cli_db, tmp_path):
    for out in (tmp_path / "nope" / "r.csv", str(tmp_path / "nope") + "/"):
        code, stdout, err = run(capsys, "export", "list", "--db", cli_db, "--list", "register", "--out", out)
        assert code == 3 and stdout == ""
        assert err.startswith("gatsby-tui: The folder ") and "nope does not exist" in err
        assert err.count("\n") == 1
    assert not (tmp_path / "nope").exists()


@pytest.mark.parametrize("argv, words", [
    (("--list", "gaps", "--benchmark", "9"), "--benchmark 9 is not a benchmark: give one of 1, 2, 3, 4, 5, 6, 7, 8, pal"),
    (("--list", "gaps", "--benchmark", "careers"), "--benchmark careers is not a benchmark"),
    (("--list", "gaps"), "--list gaps needs --benchmark"),
    (("--list", "gaps", "--benchmark", "8", "--year", "6"), "--year 6 is not a year group the benchmarks cover"),
    (("--list", "follow-ups", "--left"), "--left applies to --list register only"),
    (("--list", "follow-ups", "--owner", "mine"), "Nobody is chosen as the adviser"),
    (("--list", "destinations", "--cohort", "26"), "--cohort 26 is not a year"),
])
def test_cli_bad_filters_are_one_sentence_and_exit_2(capsys, cli_db, tmp_path, argv, words):
    code, out, err = run(capsys, "export", "list", "--db", cli_db, "--out", tmp_path, *argv)
    assert code == 2 and out == ""
    assert err.startswith("gatsby-tui: ") and words in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli.db"]


def test_cli_benchmark_keys_as_written(capsys, cli_db, tmp_path):
    for key in ("B8", "pal", "PAL", "1"):
        code, _, err = run(capsys, "export", "list", "--db", cli_db, "--list", "gaps", "--benchmark", key,
                           "--out", tmp_path / f"{key}.csv")
        assert code == 0, err


def test_cli_missing_database(capsys, tmp_path):
    code, _, err = run(capsys, "export", "list", "--db", tmp_path / "no.db", "--list", "register", "--out", tmp_path)
    assert code == 3 and "does not exist" in err and not (tmp_path / "no.db").exists()


def test_the_list_export_does_not_import_textual():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(gatsby_tui.__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    code = ("import sys, gatsby_tui.cli.lists, gatsby_tui.exports.csv_lists, gatsby_tui.cli.commands; "
            "sys.exit(1 if 'textual' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], env=env, timeout=60).returncode == 0


def test_dates_are_day_first():
    assert csv_lists.uk_date(date(2027, 1, 5)) == "05/01/2027"
    assert csv_lists.uk_when("2026-11-24T09:45") == "24/11/2026 09:45"
    assert csv_lists.uk_date("2026-11-24") == "24/11/2026" and csv_lists.uk_date(None) == ""
