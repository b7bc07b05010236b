"""A gatsby-tui database is known by the identity it was stamped with (PRAGMA application_id,
with user_version); an older file of ours is recognised by its tables and stamped on upgrade;
any other SQLite file, however much it looks like ours, is refused in one sentence by the app's
open path and by every command, and left byte-for-byte unchanged."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import make_upn, pupil
from gatsby_tui.store import OpenError, Store, StoreError, backup
from gatsby_tui.store import db as dbmod
from gatsby_tui.store.identity import APPLICATION_ID, identity_problem

ROOT = Path(__file__).resolve().parents[1]


def _look_alike(path: Path, *, journal: str = "delete", stamp: int = 0, version: int = 0) -> Path:
    """Another program's file with tables named pupils and audit_log (and no settings)."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE pupils (id INTEGER PRIMARY KEY, upn TEXT, legal_surname TEXT)")
    conn.execute("CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at TEXT, action TEXT)")
    conn.execute("INSERT INTO pupils (upn, legal_surname) VALUES ('X', 'Someone')")
    if stamp:
        conn.execute(f"PRAGMA application_id = {stamp}")
    if version:
        conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    return path


def _old_ours(path: Path, version: int = 3) -> Path:
    """A file made by gatsby-tui before the stamp: every table, no application_id."""
    store = Store.open(path)
    store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1), legal_surname="Older")))
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 0")
    conn.execute("DROP TRIGGER audit_log_no_update")              # as schema 3 had it: no update, ever
    conn.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN "
                 "SELECT RAISE(ABORT, 'The audit log cannot be changed.'); END")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    return path


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_a_new_database_is_stamped_with_the_identity(tmp_path):
    path = tmp_path / "new.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID == int.from_bytes(b"GATS", "big")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == dbmod.SCHEMA_VERSION
    conn.close()
    assert identity_problem(path) is None
    sample = sqlite3.connect(dbmod.sample_path())
    assert sample.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    sample.close()


def test_an_older_file_of_ours_is_recognised_by_its_tables_and_stamped_on_upgrade(tmp_path):
    path = _old_ours(tmp_path / "old.db")
    store = Store.open(path)
    try:
        assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == dbmod.SCHEMA_VERSION
        assert store.conn.execute("SELECT legal_surname FROM pupils").fetchone()[0] == "Older"
        fresh = Store.open(tmp_path / "fresh.db")
        schema = lambda s: sorted(tuple(r) for r in s.conn.execute(  # noqa: E731
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
        try:
            assert schema(store) == schema(fresh)               # the upgraded file is as a new one
        finally:
            fresh.close()
    finally:
        store.close()
    before = list((tmp_path / "old-backups").glob("old * before-upgrade-to-v*.db"))
    assert len(before) == 1
    conn = sqlite3.connect(before[0])
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0          # the copy as it was
    conn.close()


def test_a_command_says_before_it_upgrades_an_older_file(tmp_path, capsys):
    from gatsby_tui.cli import main

    path = _old_ours(tmp_path / "old.db")
    assert main(["pupils", "--db", str(path), "--search", "older"]) == 0
    out, err = capsys.readouterr()
    assert "Older" in out
    assert f"upgrading the database for this version (schema 3 to {dbmod.SCHEMA_VERSION})" in err
    assert main(["pupils", "--db", str(path), "--search", "older"]) == 0
    assert "upgrading" not in capsys.readouterr().err         # once only


@pytest.mark.parametrize("make, words", [
    (lambda p: _look_alike(p), "not a gatsby-tui one"),
    (lambda p: _look_alike(p, version=3), "not a gatsby-tui one"),
    (lambda p: _look_alike(p, journal="wal"), "not a gatsby-tui one"),
    (lambda p: _look_alike(p, stamp=0x4C4F4F4B), "another program"),
    (lambda p: _old_ours(p, version=7), "not a gatsby-tui one"),        # unstamped, yet past schema 3
])
def test_a_file_that_only_looks_like_ours_is_refused_unchanged(tmp_path, make, words):
    path = make(tmp_path / "lookalike.db")
    before = _files(tmp_path)
    with pytest.raises(OpenError, match=words) as e:
        Store.open(path)
    assert "\n" not in str(e.value)
    assert _files(tmp_path) == before                       # byte-identical, and no journal or backup made
    assert identity_problem(path) is not None


def test_a_stamped_file_missing_its_core_tables_is_called_damaged(tmp_path):
    path = _look_alike(tmp_path / "x.db", stamp=APPLICATION_ID, version=dbmod.SCHEMA_VERSION)
    before = path.read_bytes()
    with pytest.raises(OpenError, match=r"tables missing \(advisers, settings\)"):
        Store.open(path)
    assert path.read_bytes() == before


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TERM": "dumb", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "gatsby_tui", *args], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)


def test_every_command_refuses_a_look_alike_in_one_sentence_and_leaves_it_unchanged(tmp_path):
    path = _look_alike(tmp_path / "school.db")
    csv = tmp_path / "pupils.csv"
    csv.write_text(f"UPN,Legal Surname,Legal Forename,DOB,Year\n{make_upn(5)},New,Pupil,15/03/2011,11\n")
    good = tmp_path / "ours.db"
    Store.open(good).close()
    kept = backup.take(sqlite3.connect(good), good, "by-hand", folder=tmp_path / "kept")
    before = path.read_bytes()
    for args in ([str(path)], ["pupils", "--db", str(path)], ["backup", "--db", str(path)],
                 ["import", "pupils", str(csv), "--db", str(path)], ["agenda", "--db", str(path)],
                 ["history", "--upn", make_upn(5), "--db", str(path)], ["restore", str(kept), "--db", str(path), "--yes"]):
        result = run_cli(*args)
        assert result.returncode != 0, args
        assert "not a gatsby-tui one" in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
        assert path.read_bytes() == before, args
    assert not (tmp_path / "school-backups").exists()


def test_a_look_alike_is_not_restored_over_a_database_of_ours(tmp_path):
    ours = tmp_path / "ours.db"
    store = Store.open(ours)
    try:
        with pytest.raises(StoreError, match="not a gatsby-tui one"):
            store.backup.restore(_look_alike(tmp_path / "other.db"))
        assert store.conn.execute("SELECT count(*) FROM settings").fetchone()[0] >= 0
    finally:
        store.close()


def test_an_older_file_opened_by_several_commands_at_once_is_upgraded_and_stamped_once(tmp_path):
    path = _old_ours(tmp_path / "old.db")
    env = {**os.environ, "TERM": "dumb", "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "gatsby_tui", "pupils", "--db", str(path)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert "Older" in out
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == dbmod.SCHEMA_VERSION
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
