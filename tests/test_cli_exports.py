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
    patel = store.advisers.add({"name": "Ms Patel", "qualification_level": "6"})
    store.advisers.set_current(patel)
    amara = store.pupils.add(store.pupils.validate(pupil(dob="14/03/2011")))
    store.pupils.add(store.pupils.validate(pupil(upn=make_upn(2), legal_forename="Chloe", legal_surname="Clarke")))
    iid = store.bookings.book(BookingRequest(pupil_id=amara, adviser_id=patel, start=datetime(2026, 11, 16, 10, 0)), confirm=True)
    rid = store.records.start(interview_id=iid)
    store.records.save(rid, {"confidentiality_explained": "yes", "situation": "Sits with Chloe Clarke in maths.",
                            "advice_given": "Explained T Levels.", "decisions": "Apply to Riverside College",
                            "confidential_notes": "Worried about home."})
    store.records.sign_off(rid)
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


ISSUE_TEXT = ("Sits with Tadhg O’Connor in maths; Grainne Walsh and Padraig help. Sahin too. Tadhg O Connor, "
              "Tadhg OConnor and Grainne Walsh's sister. 王子涵 and 김민준 came. Mahmood in her form is applying. "
              "Struan is doing it too. Will she apply? Grace and Hope would. Baker is a job she likes.")


def test_export_pupil_withholds_every_spelling_and_lists_each_name_it_met(capsys, tmp_path, clock):
    path = tmp_path / "school.db"
    store = Store.open(path, clock=clock)
    store.advisers.set_current(store.advisers.add({"name": "Ms Patel", "qualification_level": "6"}))
    me = store.pupils.add(store.pupils.validate(pupil(dob="14/03/2011", form="11B")))
    others = [("Tadhg", "O'Connor", "11A"), ("Gráinne", "Walsh", "11C"), ("Pádraig", "Kelly", "11D"),
              ("Elif", "Şahin", "9A"), ("子涵", "王", "8C"), ("민준", "김", "7B"), ("Aisha", "Mahmood", "11B"),
              ("Struan", "Fraser", "11B"), ("Will", "Hughes", "11B"), ("Grace", "Baker", "11B")]
    for i, (fore, sur, form) in enumerate(others, 2):
        store.pupils.add(store.pupils.validate(pupil(upn=make_upn(i), legal_forename=fore, legal_surname=sur,
                                                   form=form, dob="01/02/2011" if form[:2] == "11" else "01/02/2013")))
    rid = store.records.start(pupil_id=me, held_at=datetime(2026, 11, 20, 9, 0))
    store.records.save(rid, {"situation": ISSUE_TEXT})
    store.close()
    out = tmp_path / "out"
    out.mkdir()
    assert run("export", "pupil", "--db", path, "--upn", make_upn(1), "--format", "md", "--out", out,
               "--today", "2026-11-22") == 0
    said = capsys.readouterr().out
    [written] = out.iterdir()
    text = written.read_text()
    for gone in ("Tadhg", "Connor", "Grainne", "Walsh", "Padraig", "Sahin", "王子涵", "김민준", "Mahmood", "Struan"):
        assert gone not in text, gone
        assert gone in said, gone                 # each one met is listed
    # Ordinary words are not taken for names.
    assert "Will she apply? Grace and Hope would. Baker is a job" in text
    assert "Withheld the names of" in said and "No other pupil" not in said
    assert "pupil\\]'s sister" in text and text.count("another pupil") >= 11
    # --keep-names leaves them in, and says so: the copy is never called clean.
    assert run("export", "pupil", "--db", path, "--upn", make_upn(1), "--format", "md", "--out", out,
               "--keep-names", "--today", "2026-11-22") == 0
    said = capsys.readouterr().out
    assert "still holds" in said and "Mahmood" in said
