"""The command line: 'gatsby-tui import pupils' and 'gatsby-tui pupils' (gatsby_tui.cli.commands)."""

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
from gatsby_tui.domain.upn import check_letter
from gatsby_tui.store import Store

TODAY = date(2026, 11, 22)


def make_upn(n: int) -> str:
    body = f"8012000{n:05d}"
    return check_letter(body) + body


def dob_for(year_group: int, day: int = 15) -> str:
    """A date of birth that puts a pupil in ``year_group`` today. The CLI runs on the real
    clock, so this uses the real school year rather than a fixed one."""
    return f"{day:02d}/03/{school_year_of(TODAY) - year_group - 4}"


HEADER = "UPN,Legal Surname,Legal Forename,DOB,Year,Reg,SEN Status"
GOOD = (
    f"{HEADER}\n"
    f"{make_upn(1)},Smith,John,{dob_for(10)},10,10A,N\n"
    f"{make_upn(2)},Okafor,Amara,{dob_for(11)},11,11B,K\n"
    f"{make_upn(3)},Khan,Amir,{dob_for(9)},,9C,E\n"
)
BAD = (
    f"{HEADER}\n"
    f"{make_upn(4)},Good,One,{dob_for(10)},10,10A,N\n"
    f"{make_upn(5)},Bad,Date,31/02/2012,10,10A,N\n"
    f"{make_upn(6)},Good,Two,{dob_for(10)},10,10A,N\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def pupil_count(db: Path) -> int:
    s = Store.open(db, create=False, clock=FixedClock(TODAY))
    try:
        return s.conn.execute("SELECT count(*) FROM pupils").fetchone()[0]
    finally:
        s.close()


def audit_count(db: Path) -> int:
    s = Store.open(db, create=False)
    try:
        return s.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    finally:
        s.close()


@pytest.fixture
def db(tmp_path) -> Path:
    """A database with nobody in it yet."""
    path = tmp_path / "t.db"
    Store.open(path, clock=FixedClock(TODAY)).close()
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# ---------------------------------------------------------------- import pupils


def test_import_prints_a_summary(capsys, db, tmp_path):
    code, out, err = run(capsys, "import", "pupils", write(tmp_path / "p.csv", GOOD), "--db", db)
    assert code == 0, err
    assert "Added 3, updated 0, unchanged 0, rejected 0." in out
    assert pupil_count(db) == 3


def test_import_creates_a_new_database(capsys, tmp_path):
    db = tmp_path / "new.db"
    code, out, _ = run(capsys, "import", "pupils", write(tmp_path / "p.csv", GOOD), "--db", db)
    assert code == 0 and db.exists() and pupil_count(db) == 3


def test_bad_row_fails_and_writes_nothing(capsys, db, tmp_path):
    before = audit_count(db)
    code, out, err = run(capsys, "import", "pupils", write(tmp_path / "p.csv", BAD), "--db", db)
    assert code == 1
    assert "line 3: " in out and "February" in out
    assert err.startswith("gatsby-tui: 1 row is invalid: nothing was imported")
    assert pupil_count(db) == 0 and audit_count(db) == before


def test_skip_invalid_writes_the_good_rows(capsys, db, tmp_path):
    code, out, _ = run(capsys, "import", "pupils", write(tmp_path / "p.csv", BAD), "--db", db, "--skip-invalid")
    assert code == 1                                  # done, with a row refused
    assert "line 3: " in out and "Added 2, updated 0, unchanged 0, rejected 1." in out
    assert pupil_count(db) == 2


def test_dry_run_writes_nothing(capsys, db, tmp_path):
    before = audit_count(db)
    code, out, _ = run(capsys, "import", "pupils", write(tmp_path / "p.csv", GOOD), "--db", db, "--dry-run")
    assert code == 0
    assert "nothing was written" in out and "Would add 3" in out
    assert pupil_count(db) == 0 and audit_count(db) == before


def test_dry_run_against_a_new_database_creates_no_file(capsys, tmp_path):
    db = tmp_path / "new.db"
    code, out, _ = run(capsys, "import", "pupils", write(tmp_path / "p.csv", GOOD), "--db", db, "--dry-run")
    assert code == 0 and "Would add 3" in out
    assert not db.exists()


def test_dry_run_with_bad_rows_exits_1(capsys, db, tmp_path):
    code, out, err = run(capsys, "import", "pupils", write(tmp_path / "p.csv", BAD), "--db", db, "--dry-run")
    assert code == 1 and "line 3: " in out and "invalid" in err
    assert pupil_count(db) == 0


def _backup_files(db: Path) -> list[str]:
    folder = db.parent / f"{db.stem}-backups"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_an_import_that_writes_keeps_one_verified_backup_of_the_database_before_it(capsys, db, tmp_path):
    """The backup is copied while the rows are checked, and kept only once the import writes."""
    from gatsby_tui.store import backup

    run(capsys, "import", "pupils", write(tmp_path / "p.csv", GOOD), "--db", db)
    more = f"{HEADER}\n{make_upn(9)},Nowak,Zofia,{dob_for(8)},8,8C,N\n"
    code, out, _ = run(capsys, "import", "pupils", write(tmp_path / "q.csv", more), "--db", db)
    assert code == 0 and "Added 1," in out
    names = _backup_files(db)
    assert len(names) == 2 and all(n.endswith(" before-import.db") for n in names)    # no temporary file
    newest = backup.backups(db, db.parent / f"{db.stem}-backups")[0].path
    assert backup.check(newest, {"pupils": 3}) is None                      # as it was before the import


def test_an_import_that_writes_nothing_keeps_no_backup(capsys, db, tmp_path):
    run(capsys, "import", "pupils", write(tmp_path / "bad.csv", BAD), "--db", db)
    assert _backup_files(db) == []                                     # refused: nothing written
    run(capsys, "import", "pupils", write(tmp_path / "p.csv", GOOD), "--db", db, "--dry-run")
    assert _backup_files(db) == []
    path = write(tmp_path / "p.csv", GOOD)
    run(capsys, "import", "pupils", path, "--db", db)
    assert len(_backup_files(db)) == 1
    code, out, _ = run(capsys, "import", "pupils", path, "--db", db)
    assert code == 0 and "unchanged 3" in out
    assert len(_backup_files(db)) == 1                                 # all unchanged: no second one


def test_import_turns_the_cycle_collector_back_on(capsys, db, tmp_path):
    """The import runs without Python's cycle collector (its objects form no cycles) and leaves it
    as it found it, after a failure too."""
    import gc

    assert gc.isenabled()
    run(capsys, "import", "pupils", write(tmp_path / "p.csv", GOOD), "--db", db)
    assert gc.isenabled()
    run(capsys, "import", "pupils", write(tmp_path / "bad.csv", BAD), "--db", db)
    assert gc.isenabled()
    gc.disable()
    try:
        run(capsys, "import", "pupils", write(tmp_path / "p.csv", GOOD), "--db", db)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_reimport_reports_all_unchanged(capsys, db, tmp_path):
    path = write(tmp_path / "p.csv", GOOD)
    run(capsys, "import", "pupils", path, "--db", db)
    before = audit_count(db)
    code, out, _ = run(capsys, "import", "pupils", path, "--db", db)
    assert code == 0 and "Added 0, updated 0, unchanged 3, rejected 0." in out
    assert audit_count(db) == before


def test_year_group_mismatch_is_a_note(capsys, db, tmp_path):
    text = f"{HEADER}\n{make_upn(7)},Held,Back,{dob_for(10)},9,9A,N\n"
    code, out, _ = run(capsys, "import", "pupils", write(tmp_path / "p.csv", text), "--db", db)
    assert code == 0
    assert "note: line 2 (Held, Back): " in out and "Added 1," in out


def test_ignored_columns_are_listed(capsys, db, tmp_path):
    text = f"{HEADER},Ethnicity,Postcode\n{make_upn(8)},A,B,{dob_for(10)},10,10A,N,X,Y\n"
    code, out, _ = run(capsys, "import", "pupils", write(tmp_path / "p.csv", text), "--db", db)
    assert code == 0 and "Ignored columns: Ethnicity, Postcode." in out


@pytest.mark.parametrize("make, expected", [
    (lambda p: p.joinpath("latin1.csv").write_bytes(
        f"{HEADER}\n{make_upn(9)},Núñez,José,01/01/2012,10,10A,N\n".encode("latin-1")) and p / "latin1.csv",
     "is not UTF-8 text"),
    (lambda p: p, "is a folder"),
    (lambda p: write(p / "cols.csv", f"UPN,Name\n{make_upn(9)},Jo\n"), "no forename, surname or date of birth columns"),
    (lambda p: p / "nowhere.csv", "does not exist"),
])
def test_file_problems_exit_3_with_a_plain_message(capsys, tmp_path, make, expected):
    folder = tmp_path / "in"
    folder.mkdir()
    db = tmp_path / "new.db"
    code, out, err = run(capsys, "import", "pupils", make(folder), "--db", db)
    assert code == 3
    assert err.startswith("gatsby-tui: ") and expected in err and err.count("\n") == 1
    assert not db.exists()   # a bad file does not leave an empty database behind


def test_a_bad_file_for_a_database_already_there_leaves_it_and_its_backups_as_they_were(capsys, db, tmp_path):
    """The backup is begun before the file is read: given up, it leaves no file behind."""
    code, _, _ = run(capsys, "import", "pupils", tmp_path / "nowhere.csv", "--db", db)
    assert code == 3 and not (db.parent / f"{db.stem}-backups").exists()     # not even its folder
    run(capsys, "import", "pupils", write(tmp_path / "p.csv", GOOD), "--db", db)
    before = _backup_files(db)
    for path in (tmp_path / "nowhere.csv", write(tmp_path / "cols.csv", f"UPN,Name\n{make_upn(9)},Jo\n")):
        code, _, err = run(capsys, "import", "pupils", path, "--db", db)
        assert code == 3 and err.startswith("gatsby-tui: ") and err.count("\n") == 1
        assert _backup_files(db) == before                        # no new backup, no temporary copy
    assert pupil_count(db) == 3


def test_a_database_that_is_not_one(capsys, tmp_path):
    db = write(tmp_path / "notes.db", "hello")
    code, _, err = run(capsys, "import", "pupils", write(tmp_path / "p.csv", GOOD), "--db", db)
    assert code == 3 and "not an SQLite database" in err


# ---------------------------------------------------------------- pupils


@pytest.fixture
def filled(capsys, db, tmp_path) -> Path:
    text = (
        f"{HEADER},Pupil Premium,EAL\n"
        f"{make_upn(11)},Smith,John,{dob_for(10)},10,10A,N,Y,N\n"
        f"{make_upn(12)},O'Brien,Siobhán,{dob_for(11)},11,11B,K,N,Y\n"
        f"{make_upn(13)},Adams,=cmd,{dob_for(10)},10,10A,E,N,N\n"
        f"{make_upn(14)},@sum,+x,{dob_for(9)},9,-9C,N,N,N\n"
    )
    code, _, err = run(capsys, "import", "pupils", write(tmp_path / "fill.csv", text), "--db", db)
    assert code == 0, err
    return db


def test_pupils_table(capsys, filled):
    code, out, _ = run(capsys, "pupils", "--db", filled)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Name", "Year", "Form", "SEN", "Flags", "UPN"]
    assert lines[-1] == "4 pupils."
    body = lines[2:-1]
    assert [line.split(",")[0] for line in body] == ["@sum", "Adams", "O'Brien", "Smith"]
    upn_at = lines[0].index("UPN")
    assert [line[upn_at:] for line in body] == [make_upn(n) for n in (14, 13, 12, 11)]   # aligned
    year_at = lines[0].index("Year")
    assert [line[year_at:].split()[0] for line in body] == ["9", "10", "11", "10"]


def test_pupils_filters(capsys, filled):
    code, out, _ = run(capsys, "pupils", "--db", filled, "--search", "siob")
    assert code == 0 and "O'Brien, Siobhán" in out and "Smith" not in out
    code, out, _ = run(capsys, "pupils", "--db", filled, "--left")
    assert code == 0 and "No pupils who have left match." in out


def test_pupils_csv_guards_against_formulas(capsys, filled):
    code, out, _ = run(capsys, "pupils", "--db", filled, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 4
    by_surname = {r["Legal Surname"]: r for r in rows}
    assert by_surname["Adams"]["Legal Forename"] == "'=cmd"
    assert by_surname["'@sum"]["Legal Forename"] == "'+x"
    assert by_surname["'@sum"]["Form"] == "'-9C"
    assert by_surname["Smith"]["Flags"] == "PP" and by_surname["O'Brien"]["Flags"] == "EAL"
    for row in rows:
        for cell in row.values():
            assert not cell or cell[0] not in "=+-@\t\r\n\0"


def test_pupils_json(capsys, filled):
    code, out, _ = run(capsys, "pupils", "--db", filled, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 4
    assert {d["name"]["forename"] for d in data} >= {"=cmd", "Siobhán"}
    assert all({"upn", "name", "year_group", "form", "sen_status", "flags"} <= set(d) for d in data)
    siobhan = next(d for d in data if d["name"]["forename"] == "Siobhán")
    assert siobhan["name"] == {"forename": "Siobhán", "surname": "O'Brien", "display": "O'Brien, Siobhán"}
    assert siobhan["sen_status"] == {"code": "K", "words": "SEN support"} and siobhan["year_group"] == 11


def test_pupils_json_empty(capsys, db):
    code, out, _ = run(capsys, "pupils", "--db", db, "--format", "json")
    assert code == 0 and json.loads(out) == []


def test_pupils_pages_through_many(capsys, db, tmp_path):
    lines = [HEADER] + [f"{make_upn(1000 + i)},Surname{i:04d},F,{dob_for(8)},8,8A,N" for i in range(450)]
    run(capsys, "import", "pupils", write(tmp_path / "big.csv", "\n".join(lines) + "\n"), "--db", db)
    code, out, _ = run(capsys, "pupils", "--db", db, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 450
    assert len({r["UPN"] for r in rows}) == 450
    assert [r["Legal Surname"] for r in rows] == sorted(r["Legal Surname"] for r in rows)


def test_pupils_on_a_missing_database(capsys, tmp_path):
    code, _, err = run(capsys, "pupils", "--db", tmp_path / "nope.db")
    assert code == 3 and err.startswith("gatsby-tui: ") and "does not exist" in err
    assert not (tmp_path / "nope.db").exists()


def test_pupils_bad_year(capsys, db):
    code, _, err = run(capsys, "pupils", "--db", db, "--year", "99")
    assert code == 2 and "--year 99" in err


def test_pupils_hostile_search(capsys, filled):
    for text in ('"', "*", "NEAR(", "[b]x[/b]", "\x00", "' OR 1=1 --", "a" * 5000):
        code, out, err = run(capsys, "pupils", "--db", filled, "--search", text)
        assert code == 0, err


def test_pupils_as_a_separate_process(capsys, filled):
    env = dict(os.environ)
    root = str(Path(gatsby_tui.__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-m", "gatsby_tui", "pupils", "--db", str(filled), "--format", "csv"],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.splitlines()[0].startswith("UPN,Legal Surname")
    assert "'=cmd" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "gatsby_tui", "pupils", "--db", str(filled.parent / "no.db")],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=60)
    assert proc.returncode == 3 and proc.stderr.startswith("gatsby-tui: ") and "Traceback" not in proc.stderr


def test_the_commands_do_not_import_textual():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(gatsby_tui.__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    code = ("import sys, gatsby_tui.cli.commands, gatsby_tui.store.importer; "
            "sys.exit(1 if 'textual' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], env=env, timeout=60).returncode == 0
