"""The command line as scripts meet it: exit codes, mistyped commands, a missing database, no
terminal, one JSON dialect checked against the shipped schemas, and tables that line up with wide
characters."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from rich.cells import cell_len

import gatsby_tui
from gatsby_tui.cli import main
from gatsby_tui.store.db import sample_path

from helpers import make_upn, pupil

SCHEMAS = Path(gatsby_tui.__file__).resolve().parent / "schemas"
MOMENT = "2026-11-22T10:00"


def run(capsys, *argv) -> tuple[int, str, str]:
    try:
        code = main(["--today", MOMENT, *(str(a) for a in argv)])
    except SystemExit as e:                     # argparse's usage errors
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def run_process(*args: str, cwd: Path | None = None, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    env = {**os.environ, "TERM": "dumb", "PYTHONPATH": str(Path(gatsby_tui.__file__).resolve().parents[1])}
    return subprocess.run([sys.executable, "-m", "gatsby_tui", *args], capture_output=True, text=True,
                          timeout=60, cwd=cwd, env=env, stdin=stdin)


def validate(out: str, schema: str) -> object:
    doc = json.loads(out)
    with open(SCHEMAS / schema, encoding="utf-8") as f:
        jsonschema.validate(doc, json.load(f), format_checker=jsonschema.FormatChecker())
    return doc


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "sample.db"
    shutil.copyfile(sample_path(), path)
    return path


# ---------------------------------------------------------------- the schemas


def test_every_schema_is_a_valid_schema():
    names = sorted(p.name for p in SCHEMAS.glob("*.json"))
    assert names == ["history.json", "pupils.json", "report-benchmarks-pupils.json", "report-benchmarks.json",
                     "report-destinations.json"]
    for name in names:
        schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)


def test_pupils_json_follows_its_schema(capsys, sample):
    for extra in ((), ("--left",), ("--year", "11")):
        code, out, err = run(capsys, "pupils", "--db", sample, "--format", "json", *extra)
        assert code == 0, err
        rows = validate(out, "pupils.json")
        assert rows, extra
    code, out, _ = run(capsys, "pupils", "--db", sample, "--format", "json")
    met = [r for r in json.loads(out) if r["last_meeting"]]
    assert met and all(r["last_meeting"][-6:] in ("+00:00", "+01:00") for r in met)   # times carry the offset


def test_history_json_follows_its_schema(capsys, sample):
    code, out, _ = run(capsys, "pupils", "--db", sample, "--format", "json", "--year", "11")
    upns = [r["upn"] for r in json.loads(out)[:25]]
    kinds = set()
    for upn in upns:
        code, out, err = run(capsys, "history", "--db", sample, "--upn", upn, "--format", "json")
        assert code == 0, err
        doc = validate(out, "history.json")
        kinds |= {e["kind"] for e in doc["events"]}
    assert {"meeting", "record", "register"} <= kinds       # the sample exercised the main kinds


def test_report_destinations_json_follows_its_schema(capsys, sample):
    code, out, err = run(capsys, "report", "destinations", "--db", sample, "--cohort", "2026", "--format", "json")
    assert code == 0, err
    doc = validate(out, "report-destinations.json")
    assert doc["total"] > 0
    shares = [b["percent"] for b in doc["summary"].values()]
    assert all(isinstance(p, int) for p in shares)            # numbers as numbers, never "43%"
    code, out, _ = run(capsys, "report", "destinations", "--db", sample, "--cohort", "2020", "--format", "json")
    assert all(b["percent"] is None for b in validate(out, "report-destinations.json")["summary"].values())


def test_report_benchmarks_json_follows_its_schema(capsys, sample):
    for extra in ((), ("--year", "10")):
        code, out, err = run(capsys, "report", "benchmarks", "--db", sample, "--format", "json", *extra)
        assert code == 0, err
        validate(out, "report-benchmarks.json")


def test_report_benchmarks_pupils_json_follows_its_schema(capsys, sample):
    code, out, err = run(capsys, "report", "benchmarks", "--db", sample, "--pupils", "--year", "11",
                         "--format", "json")
    if code == 2 and "--pupils" in err:
        pytest.skip("this build has no 'report benchmarks --pupils' yet")
    assert code == 0, err
    assert validate(out, "report-benchmarks-pupils.json")


# ---------------------------------------------------------------- exit codes and mistakes


def test_a_mistyped_command_is_a_usage_error_with_a_suggestion_and_creates_nothing(tmp_path):
    result = run_process("histroy", "--db", "x.db", cwd=tmp_path)
    assert result.returncode == 2
    assert "'histroy' is not a command (did you mean 'history'?)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    result = run_process("frobnicate", cwd=tmp_path)
    assert result.returncode == 2 and "'frobnicate' is not a command" in result.stderr
    assert list(tmp_path.iterdir()) == []                    # no database was made


def test_a_missing_database_needs_create(tmp_path):
    path = tmp_path / "school.db"
    result = run_process(str(path), cwd=tmp_path)
    assert result.returncode == 4
    assert f"{path} does not exist" in result.stderr and "--create" in result.stderr
    assert not path.exists()


def test_without_a_terminal_the_app_says_so_and_stops(tmp_path):
    path = tmp_path / "school.db"
    result = run_process(str(path), "--create", cwd=tmp_path)          # stdin and stdout are not a terminal
    assert result.returncode == 2
    assert "needs a terminal" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not path.exists()                                           # nothing made for an app that cannot run
    result = run_process("--demo", cwd=tmp_path)
    assert result.returncode == 2 and "needs a terminal" in result.stderr


def test_exit_codes_are_in_every_help():
    for args in ((), ("history",), ("report", "benchmarks"), ("export", "list"), ("restore",)):
        result = run_process(*args, "--help")
        text = " ".join(result.stdout.split())
        assert result.returncode == 0 and "4 refused for safety" in text and "3 data error" in text, args


def test_exit_codes_by_kind(capsys, store):
    store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1))))
    store.advisers.set_current(store.advisers.add({"name": "Ms Patel"}))
    db = store.path
    assert run(capsys, "history", "--db", db, "--upn", make_upn(9))[0] == 3           # unknown UPN
    assert run(capsys, "pupils", "--db", db.with_name("none.db"))[0] == 3           # not there
    assert run(capsys, "agenda", "--db", db, "--date", "31/02/2026")[0] == 2          # not a date
    assert run(capsys, "export", "list", "--db", db, "--list", "follow-ups", "--year", "9",
               "--out", db.parent)[0] == 2                                           # a filter for another list
    code, _, err = run(capsys, "restore", db, "--db", db)
    assert code == 2 and "same file" in err


# ---------------------------------------------------------------- tables


def test_tables_line_up_with_wide_characters(capsys, store):
    store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1), legal_surname="王", legal_forename="小明",
                                               form="10B")))
    store.pupils.add(store.pupils.validate(pupil(upn=make_upn(2), legal_surname="Okafor", legal_forename="Amara",
                                               form="10B")))
    code, out, err = run(capsys, "pupils", "--db", store.path)
    assert code == 0, err
    lines = out.splitlines()
    rows = [line for line in lines if make_upn(1) in line or make_upn(2) in line]
    assert len(rows) == 2 and any("王" in row for row in rows)
    # The last column (UPN) starts at the same terminal cell on every line, the wide name's included.
    starts = {cell_len(lines[0][:lines[0].index("UPN")])}
    for row, upn in zip(sorted(rows, key=lambda r: make_upn(1) in r), (make_upn(2), make_upn(1))):
        starts.add(cell_len(row[:row.index(upn)]))
    assert len(starts) == 1, lines


def test_agenda_lines_up_with_wide_characters(capsys, store):
    from datetime import datetime

    from gatsby_tui.store.bookings import BookingRequest

    patel = store.advisers.add({"name": "Ms Patel"})
    store.advisers.set_current(patel)
    wide = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1), legal_surname="欧阳", legal_forename="娜娜",
                                                      dob="14/03/2011")))
    long_wide = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(2), legal_surname="欧阳" * 12,
                                                           legal_forename="娜娜娜", dob="14/03/2011")))
    plain_name = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(3), dob="14/03/2011")))
    for i, who in enumerate((wide, long_wide, plain_name)):
        store.bookings.book(BookingRequest(who, patel, datetime(2026, 11, 24, 9 + i, 0)), confirm=True)
    code, out, err = run(capsys, "agenda", "--db", store.path, "--date", "24/11/2026")
    assert code == 0, err
    lines = [line for line in out.splitlines() if "Y11" in line]
    assert len(lines) == 3
    assert len({cell_len(line[:line.index("Y11")]) for line in lines}) == 1, lines
