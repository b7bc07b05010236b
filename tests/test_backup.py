"""Backups (verified, rotated, restored), the damaged-file flow, who else has the file open, and
a write that waits too long for another copy: each a sentence, nothing half-written."""

from __future__ import annotations

import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest

from helpers import make_upn, pupil
from gatsby_tui.app import build_app
from gatsby_tui.cli import main
from gatsby_tui.screens.damaged import DamagedScreen
from gatsby_tui.store import StoreError, backup, presence
from gatsby_tui.store.db import transaction


def damage(path: Path) -> None:
    """Overwrite the middle of the file with junk, as a failing disk might."""
    data = bytearray(path.read_bytes())
    start = len(data) // 2
    data[start:start + 30000] = b"\x55" * 30000
    path.write_bytes(bytes(data))


@pytest.fixture
def filled(store):
    for n in range(30):
        store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n), legal_surname=f"Surname{n}")))
    return store


def test_a_backup_is_verified_owner_only_and_rotated(filled, tmp_path):
    store = filled
    first = store.backup.take("by-hand")
    assert first.parent == tmp_path / "test-backups" and first.name.endswith(" by-hand.db")
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    conn = sqlite3.connect(first)
    assert conn.execute("SELECT count(*) FROM pupils").fetchone()[0] == 30
    conn.close()
    for _ in range(backup.KEEP + 3):
        store.backup.take("opened")
    kept = store.backup.copies()
    assert len([b for b in kept if b.reason == "opened"]) == backup.KEEP
    assert first in [b.path for b in kept]               # other reasons are rotated separately
    assert not [p for p in first.parent.iterdir() if p.name.endswith(".part")]


def test_a_copy_short_of_rows_fails_its_check(filled):
    store = filled
    kept = store.backup.take("by-hand")
    assert backup.check(kept, {"pupils": 30}) is None
    assert backup.check(kept, {"pupils": 31}) == "does not hold every row: pupils 30 not 31"
    damage(kept)
    assert backup.check(kept, {"pupils": 30}) is not None        # a sentence, not an exception


def test_a_damaged_database_gives_no_backup_and_keeps_the_older_ones(filled, tmp_path):
    store = filled
    good = store.backup.take("opened")
    path = store.path
    store.close()
    damage(path)
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        with pytest.raises(StoreError, match="not kept"):
            backup.take(conn, path, "opened")
    finally:
        conn.close()
    assert backup.check(path) is not None and good.exists()
    assert [b.path for b in backup.backups(path, backup.folder_for(path))] == [good]


def test_restore_replaces_the_content_after_backing_it_up(filled):
    store = filled
    saved = store.backup.take("by-hand")
    store.pupils.add(store.pupils.validate(pupil(upn=make_upn(99), legal_surname="Later")))
    kept = store.backup.restore(saved)
    assert store.conn.execute("SELECT count(*) FROM pupils").fetchone()[0] == 30
    assert kept is not None and "before-restore" in kept.name
    conn = sqlite3.connect(kept)
    assert conn.execute("SELECT count(*) FROM pupils").fetchone()[0] == 31
    conn.close()


def test_backup_and_restore_on_the_command_line(filled, capsys, tmp_path):
    path = filled.path
    filled.close()
    assert main(["backup", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Backed up and checked:" in out and "1 backups kept" in out
    made = backup.backups(path, backup.folder_for(path))[0].path
    assert main(["restore", str(made), "--db", str(path)]) == 4                 # refused for safety: not without --yes
    assert "Run again with --yes" in capsys.readouterr().err
    damage(path)
    assert main(["restore", str(made), "--db", str(path), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "could not be read as a database" in out                               # the damaged file kept aside
    assert backup.check(path) is None and list(tmp_path.glob("test.db.damaged-*"))
    assert main(["restore", str(tmp_path / "nope.db"), "--db", str(path), "--yes"]) == 3
    assert "does not exist" in capsys.readouterr().err
    assert main(["backup", "--db", str(tmp_path / "missing.db")]) == 3


async def test_a_damaged_file_opens_read_only_and_offers_the_newest_good_backup(filled):
    store = filled
    store.backup.take("opened")
    app = build_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.damaged("is damaged: *** in database main ***")
        await pilot.pause()
        assert isinstance(app.screen, DamagedScreen)
        text = str(app.screen.query_one("#damaged-text").render())
        assert "open read-only" in text and "The newest good backup is from" in text
        with pytest.raises(StoreError, match="read-only"):
            store.pupils.add(store.pupils.validate(pupil(upn=make_upn(98), legal_surname="Blocked")))
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(app.screen, DamagedScreen) and not store.is_read_only
        store.pupils.add(store.pupils.validate(pupil(upn=make_upn(98), legal_surname="Allowed")))
        assert store.conn.execute("SELECT count(*) FROM pupils").fetchone()[0] == 31


def test_who_else_has_the_file_open(tmp_path):
    db = tmp_path / "school.db"
    me = presence.register(db, "Helen Marsh")
    assert me is not None and presence.others(db) == []            # this process is not "another"
    other = presence.folder_for(db) / "LAPTOP-3-4242.json"
    other.write_text('{"who": "Daniel Whitaker", "host": "LAPTOP-3", "pid": 4242, "since": "2026-11-23T09:12:00"}')
    dead = presence.folder_for(db) / "here-1.json"
    import socket

    dead.write_text('{"who": "Gone", "host": "%s", "pid": 999999999, "since": "2026-11-23T08:00:00"}'
                    % socket.gethostname())
    assert presence.describe_others(db).startswith("Daniel Whitaker on LAPTOP-3 (since 09:12")
    assert not dead.exists()                                            # a killed copy is cleared away
    presence.unregister(me)
    assert presence.folder_for(db).exists()                             # another copy is still registered


def test_a_write_that_waits_too_long_is_refused_in_words_and_nothing_is_half_written(store, tmp_path):
    other = sqlite3.connect(str(store.path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")                                    # another copy holds the write lock
    store.conn.execute("PRAGMA busy_timeout = 200")
    presence.register(store.path, "Me")
    (presence.folder_for(store.path) / "LAPTOP-9-77.json").write_text(
        '{"who": "Ms Patel", "host": "LAPTOP-9", "pid": 77, "since": "2026-11-23T09:00:00"}')
    try:
        with pytest.raises(StoreError) as e:
            store.pupils.add(store.pupils.validate(pupil()))
        assert "was busy for too long" in str(e.value) and "Ms Patel on LAPTOP-9" in str(e.value)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.conn.execute("SELECT count(*) FROM pupils").fetchone()[0] == 0
    # Released in time, the write waits its turn and lands.
    other = sqlite3.connect(str(store.path), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    store.conn.execute("PRAGMA busy_timeout = 5000")
    threading.Timer(0.3, lambda: (other.execute("ROLLBACK"), other.close())).start()
    began = time.monotonic()
    store.pupils.add(store.pupils.validate(pupil()))
    assert time.monotonic() - began >= 0.25
    assert store.conn.execute("SELECT count(*) FROM pupils").fetchone()[0] == 1


def test_a_failed_write_in_the_middle_rolls_back_whole(store):
    with pytest.raises(StoreError, match="full"):
        with transaction(store.conn):
            store.conn.execute("INSERT INTO settings (key, value) VALUES ('a', 'b')")
            raise sqlite3.OperationalError("database or disk is full")
    assert store.settings.get("a") is None and not store.conn.in_transaction


class StopsAfter(threading.Event):
    """A stop that is set once the backup has looked at it ``checks`` times: part-way through."""

    def __init__(self, checks: int) -> None:
        super().__init__()
        self.checks = checks

    def is_set(self) -> bool:
        self.checks -= 1
        return self.checks < 0


def test_closing_stops_a_backup_part_way_and_leaves_the_earlier_ones_as_they_were(filled, tmp_path):
    store = filled
    for n in range(30, 400):          # a file of several hundred pages, copied a few at a time
        store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n), legal_surname="Longsurname" * 8 + str(n), legal_forename="Forename" * 10)))
    earlier = store.backup.take("opened")
    folder = earlier.parent
    before = sorted(p.name for p in folder.iterdir())
    for checks in (0, 1, 2, 3):       # before the copy, during it, and while it is checked
        with pytest.raises(backup.Stopped):
            backup.take(store.conn, store.path, "opened", folder=folder, stop=StopsAfter(checks))
        assert sorted(p.name for p in folder.iterdir()) == before, "no half copy left, none removed"
    assert backup.check(earlier) is None
    # Not stopped, the same stepwise copy makes a whole, verified backup.
    made = backup.take(store.conn, store.path, "opened", folder=folder, stop=threading.Event())
    conn = sqlite3.connect(made)
    assert conn.execute("SELECT count(*) FROM pupils").fetchone()[0] == 400
    conn.close()


def test_the_store_closing_stops_the_opening_backup_in_its_worker(filled):
    store = filled
    store.backup.stop()                 # what closing the store does first
    with pytest.raises(backup.Stopped):
        store.backup.take_in_thread("opened")
    assert store.backup.copies() == [], "no backup was made once the app began to close"


def test_a_backup_started_early_is_kept_as_the_database_was(filled):
    """Backup.start copies now and checks the copy in a thread; keep names it."""
    store = filled
    pending = store.backup.start("before-import")
    kept = pending.keep()
    assert kept.name.endswith(" before-import.db") and backup.check(kept, {"pupils": 30}) is None
    pending.drop()                                                     # after keep: nothing to do
    assert kept.exists()
    assert not [p for p in kept.parent.iterdir() if p.name.endswith(".part")]


def test_a_backup_started_early_and_dropped_leaves_nothing(filled, tmp_path):
    pending = filled.backup.start("before-import")
    pending.drop()
    folder = tmp_path / "test-backups"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_backup_started_before_another_program_wrote_is_taken_again(filled):
    """A write committed by another connection after the copy was made would be missing from it:
    keep takes the backup afresh, so it holds everything committed before the import."""
    store = filled
    pending = store.backup.start("before-import")
    other = sqlite3.connect(store.path, isolation_level=None)
    try:
        other.execute("UPDATE pupils SET form = '11Z' WHERE id = 1")
    finally:
        other.close()
    kept = pending.keep()
    conn = sqlite3.connect(kept)
    try:
        assert conn.execute("SELECT form FROM pupils WHERE id = 1").fetchone()[0] == "11Z"
    finally:
        conn.close()
    assert [p.name for p in kept.parent.iterdir()] == [kept.name]


def test_a_backup_started_early_whose_copy_fails_its_check_is_not_kept(filled, monkeypatch):
    store = filled
    older = store.backup.take("before-import")
    monkeypatch.setattr(backup, "check", lambda path, expected=None, **_: "is damaged (a bad sector, say)")
    pending = store.backup.start("before-import")
    with pytest.raises(StoreError) as e:
        pending.keep()
    words = str(e.value)
    assert "not kept" in words and "the copy is damaged" in words and "database itself passed its check" in words
    assert [p.name for p in older.parent.iterdir()] == [older.name]
