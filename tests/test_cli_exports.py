"""`gatsby-tui export pupil` and `export action-plan`: files written as the app writes them, errors
as one sentence and exit status 2."""

from __future__ import annotations

import stat
from datetime import date, datetime

import pytest

from helpers import make_upn, pupil
from gatsby_tui.cli import main
from gatsby_tui.store import BookingRequest, Store

TODAY = "2026-11-22"   # the suite's day (conftest.SUITE_MOMENT)


@pytest.fixture
def db(tmp_path, clock):
    path = tmp_path / "school.db"
    store = Store.open(path, clock=clock)
    patel = store.add_adviser({"name": "Ms Patel", "qualification_level": "6"})
    store.set_current_adviser(patel)
    amara = store.add_pupil(store.validate_pupil(pupil(dob="14/03/2011")))
    store.add_pupil(store.validate_pupil(pupil(upn=make_upn(2), legal_forename="Chloe", legal_surname="Clarke")))
    iid = store.book(BookingRequest(pupil_id=amara, adviser_id=patel, start=datetime(2026, 11, 16, 10, 0)), confirm=True)
    rid = store.start_record(interview_id=iid)
    store.save_record(rid, {"confidentiality_explained": "yes", "situation": "Sits with Chloe Clarke in maths.",
                            "advice_given": "Explained T Levels.", "decisions": "Apply to Riverside College",
                            "confidential_notes": "Worried about home."})
    store.sign_off_record(rid)
    store.close()
    return {"path": path, "record": rid}


def run(*argv) -> int:
    return main([str(a) for a in argv])


def test_export_pupil_withholds_by_default_and_says_so(capsys, db, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert run("export", "pupil", "--db", db["path"], "--upn", make_upn(1), "--format", "md", "--out", out) == 0
    said = capsys.readouterr().out
    assert "Withheld the names of 1 other pupil" in said and "confidential notes are not included" in said
    [path] = out.iterdir()
    assert path.name == f"Amara Okafor - careers record - {TODAY}.md"
    text = path.read_text()
    assert "Chloe" not in text and "Worried" not in text and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert run("export", "pupil", "--db", db["path"], "--upn", make_upn(1), "--format", "json", "--out",
               out / "all.json", "--include-confidential", "--keep-names") == 0
    text = (out / "all.json").read_text()
    assert "Chloe Clarke" in text and "Worried about home." in text


def test_export_errors_are_one_sentence_and_exit_3(capsys, db, tmp_path):
    assert run("export", "pupil", "--db", db["path"], "--upn", "A123", "--out", tmp_path) == 3
    assert "No pupil with UPN 'A123'" in capsys.readouterr().err
    assert run("export", "pupil", "--db", db["path"], "--upn", make_upn(1), "--out", tmp_path / "no" / "x.pdf") == 3
    assert "does not exist" in capsys.readouterr().err
    assert run("export", "action-plan", "--db", db["path"], "--meeting", 999, "--out", tmp_path) == 3
    err = capsys.readouterr().err
    assert "no longer in the database" in err and "Traceback" not in err
    assert run("export", "pupil", "--db", tmp_path / "missing.db", "--upn", make_upn(1), "--out", tmp_path) == 3


def test_export_action_plan_records_it_as_given(capsys, db, tmp_path):
    assert run("export", "action-plan", "--db", db["path"], "--meeting", db["record"], "--out", tmp_path,
               "--how", "emailed by the school") == 0
    path = tmp_path / f"Amara Okafor - action plan - {TODAY}.pdf"
    assert path.exists() and f"Wrote {path}" in capsys.readouterr().out
    store = Store.open(db["path"], create=False)
    try:
        assert store.conn.execute("SELECT kind, how FROM exports_given").fetchone()[:] == (
            "action_plan", "emailed by the school")
    finally:
        store.close()
