"""Backups taken at the same moment by several processes: each gets its own temporary file and
claims its own final name, every one is kept and verified, every import that takes one lands,
and no message blames a sound database."""

from __future__ import annotations

import errno
import os
import re
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from helpers import make_upn, pupil
from gatsby_tui.clock import FixedClock
from gatsby_tui.store import Store, StoreError, backup

K = 4          # processes started together
ROUNDS = 5
ROOT = Path(__file__).resolve().parents[1]


def moment(round_: int) -> str:
    """Every process of a round starts in the same second (the case that clashed); rounds follow
    each other, as on a real clock."""
    return f"2026-11-23T10:{round_:02d}:00"


def _db(tmp_path: Path) -> Path:
    path = tmp_path / "school.db"
    store = Store.open(path, clock=FixedClock(datetime(2026, 11, 22, 10, 0)))
    for n in range(40):
        store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n), legal_surname=f"Surname{n}")))
    store.close()
    return path


def _run_together(commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GATSBY_TUI_TODAY", None)
    procs = [subprocess.Popen([sys.executable, "-m", "gatsby_tui", *c], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT) for c in commands]
    out = []
    for p, c in zip(procs, commands):
        stdout, stderr = p.communicate(timeout=120)
        out.append(subprocess.CompletedProcess(c, p.returncode, stdout, stderr))
    return out


def _no_false_alarm(results: list[subprocess.CompletedProcess[str]]) -> None:
    for r in results:
        assert r.returncode == 0, r.stderr
        assert "damaged" not in (r.stdout + r.stderr)
        assert "Traceback" not in r.stderr


def test_backups_started_together_are_all_kept_and_verified(tmp_path):
    db = _db(tmp_path)
    made: list[Path] = []
    for round_ in range(ROUNDS):
        results = _run_together([["backup", "--db", str(db), "--today", moment(round_)]] * K)
        _no_false_alarm(results)
        paths = [Path(re.search(r"Backed up and checked: (.+)", r.stdout)[1].strip()) for r in results]
        assert len(set(paths)) == K                           # each its own file, none overwritten
        for p in paths:
            assert p.exists() and backup.check(p, {"pupils": 40}) is None
            assert (p.stat().st_mode & 0o777) == 0o600
        made += paths
    folder = backup.folder_for(db)
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]        # no temporary file left
    kept = [b.path for b in backup.backups(db, folder)]
    assert len(kept) == backup.KEEP and set(kept) <= set(made)          # rotation: the newest KEEP stay,
    assert set(made[-2 * K:]) <= set(kept)                            # the last two rounds among them


def test_imports_started_together_each_back_up_first_and_all_land(tmp_path):
    db = _db(tmp_path)
    n = 100
    for round_ in range(ROUNDS):
        commands = []
        for k in range(K):
            csv = tmp_path / f"import-{round_}-{k}.csv"
            lines = ["UPN,Legal Surname,Legal Forename,DOB,Year"]
            for _ in range(3):
                lines.append(f"{make_upn(n)},Imported{n},Pupil,15/03/2011,11")
                n += 1
            csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
            commands.append(["import", "pupils", str(csv), "--db", str(db), "--today", moment(round_)])
        _no_false_alarm(_run_together(commands))
    store = Store.open(db, create=False)
    try:
        assert store.conn.execute("SELECT count(*) FROM pupils").fetchone()[0] == 40 + K * ROUNDS * 3
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()
    folder = backup.folder_for(db)
    taken = [b for b in backup.backups(db, folder) if b.reason == "before-import"]
    assert len(taken) == backup.KEEP and all(backup.check(b.path) is None for b in taken)
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_a_copy_that_fails_its_check_does_not_blame_a_sound_database(tmp_path, monkeypatch):
    db = _db(tmp_path)
    store = Store.open(db, create=False)
    try:
        good = store.backup.take("opened")
        monkeypatch.setattr(backup, "check", lambda path, expected=None, **_: "is damaged (a bad sector, say)")
        with pytest.raises(StoreError) as e:
            store.backup.take("opened")
        words = str(e.value)
        assert "not kept" in words and "the copy is damaged" in words
        assert "database itself passed its check" in words and "database itself is damaged" not in words
        assert [b.path for b in store.backup.copies()] == [good]                    # the older one kept
        assert not [p for p in good.parent.iterdir() if p.name.startswith(".")]
    finally:
        store.close()


def test_a_damaged_database_is_named_as_such(tmp_path):
    db = _db(tmp_path)
    data = bytearray(db.read_bytes())
    data[len(data) // 2:len(data) // 2 + 30000] = b"\x55" * 30000
    db.write_bytes(bytes(data))
    conn = sqlite3.connect(str(db), isolation_level=None)
    try:
        with pytest.raises(StoreError, match="the database itself is damaged"):
            backup.take(conn, db, "opened")
    finally:
        conn.close()


def test_without_hard_links_each_backup_still_claims_a_name_of_its_own(tmp_path, monkeypatch):
    db = _db(tmp_path)

    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(backup.os, "link", no_links)
    store = Store.open(db, create=False)
    try:
        made = [backup.take(store.conn, db, "by-hand", now=datetime(2026, 11, 23, 10, 0)) for _ in range(3)]
    finally:
        store.close()
    assert len(set(made)) == 3 and all(backup.check(p, {"pupils": 40}) is None for p in made)
    assert [p.name for p in made] == ["school 2026-11-23 10.00.00 by-hand.db", "school 2026-11-23 10.00.00-2 by-hand.db",
                                      "school 2026-11-23 10.00.00-3 by-hand.db"]
