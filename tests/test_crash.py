"""No committed write lost, no damaged file: a child process doing the app's real writes (add
pupils, book, record, sign off, amend, add actions, import a CSV) is killed with SIGKILL at random
moments, over and over; two processes write thousands of operations to one file at once; and a
migration killed part-way leaves the old version or the new one, never a mix.

The children are forked from this process (tests/writer_child.py's loop), so 200 kills take
seconds rather than minutes; each opens the file itself, as a separate copy of the app would.
The figures each test reaches are written to RELIABILITY_FIGURES (a JSON file) when the
environment variable is set; RELIABILITY.md quotes them.
"""

from __future__ import annotations

import gc
import json
import os
import random
import signal
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import writer_child  # noqa: E402

from gatsby_tui.store import Store  # noqa: E402
from gatsby_tui.store import db as dbmod  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")

KILLS = 200
AUDITED = {"pupil": ("pupils", ("insert",)), "import": ("pupils", ("import", "insert")),
           "interview": ("interviews", ("insert",)), "record": ("meeting_records", ("insert",)),
           "amendment": ("record_amendments", ("insert",)), "action": ("actions", ("insert",))}


def record_figures(**figures) -> None:
    target = os.environ.get("RELIABILITY_FIGURES")
    if not target:
        return
    path = Path(target)
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(figures)
    path.write_text(json.dumps(data, indent=2))


def make_db(tmp_path: Path) -> Path:
    path = tmp_path / "school.db"
    store = Store.open(path)
    store.advisers.add({"name": "Ms Patel", "qualification_level": "6"})
    store.close()
    return path


def fork_writer(path: Path, seed: int, count: int | None = None) -> tuple[int, int]:
    """(pid, read end of its output pipe)."""
    read, write = os.pipe()
    # The parent's objects (a whole test run's worth) are frozen out of the garbage collector first:
    # otherwise the child's first collections touch every inherited page, copying the parent's heap,
    # and a child in a long test run spends most of its short life on that instead of writing.
    gc.freeze()
    pid = os.fork()
    if pid != 0:
        gc.unfreeze()
    if pid == 0:                                  # the child: never returns into pytest
        try:
            os.close(read)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            with os.fdopen(write, "w", buffering=1) as out:
                writer_child.run(str(path), seed, count, out=out)
        finally:
            os._exit(0)
    os.close(write)
    return pid, read


def read_lines(fd: int) -> list[str]:
    chunks = []
    while True:
        data = os.read(fd, 65536)
        if not data:
            break
        chunks.append(data)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace").splitlines()


def wait_ready(fd: int, timeout: float = 30.0) -> bytes:
    """Read until the child says READY; returns what came with it (later lines are read later)."""
    buf = b""
    end = time.monotonic() + timeout
    while b"READY\n" not in buf:
        if time.monotonic() > end:
            raise AssertionError("the writer never started")
        chunk = os.read(fd, 4096)
        if not chunk:
            raise AssertionError("the writer died before it started: " + buf.decode(errors="replace"))
        buf += chunk
    return buf


def committed(lines: list[str], into: dict[str, set[int]]) -> int:
    n = 0
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and parts[0] == "OK":
            into[parts[1]].add(int(parts[2]))
            n += 1
    return n


def check_file(path: Path, reported: dict[str, set[int]]) -> None:
    """The file is whole, every reported write is in it, and every row has its audit entry."""
    conn = sqlite3.connect(str(path), isolation_level=None)     # rolls back a hot journal first
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for kind, ids in reported.items():
            table, actions = AUDITED[kind]
            have = {r[0] for r in conn.execute(f"SELECT id FROM {table}")}
            lost = ids - have
            assert not lost, f"{len(lost)} committed {kind} writes lost: {sorted(lost)[:5]}"
        signed = {r[0] for r in conn.execute("SELECT id FROM meeting_records WHERE status = 'signed_off'")}
        assert reported["record"] <= signed
        # Every row has its audit entry: the log is read once (a correlated NOT EXISTS per row grows
        # with the square of the file over 200 kills).
        audited: dict[tuple[str, str], set[int]] = defaultdict(set)
        tables = ",".join(f"'{t}'" for t, _ in AUDITED.values())
        for table, row_id, action in conn.execute(
                f"SELECT table_name, row_id, action FROM audit_log WHERE table_name IN ({tables})"):
            audited[table, action].add(row_id)
        for kind, (table, actions) in AUDITED.items():
            rows = {r[0] for r in conn.execute(f"SELECT id FROM {table}")}
            orphans = len(rows - set().union(*(audited[table, a] for a in actions)))
            assert orphans == 0, f"{orphans} {table} rows without their audit entry"
    finally:
        conn.close()


def test_killed_at_random_moments_no_committed_write_is_lost(tmp_path):
    path = make_db(tmp_path)
    rng = random.Random(2026)
    reported: dict[str, set[int]] = defaultdict(set)
    writes = 0
    for kill in range(KILLS):
        pid, fd = fork_writer(path, seed=kill)
        early = wait_ready(fd)
        time.sleep(rng.uniform(0.0, 0.12))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        lines = early.decode(errors="replace").splitlines() + read_lines(fd)
        writes += committed(lines, reported)
        check_file(path, reported)
    assert writes > KILLS                       # the children really were writing when killed
    assert len(reported["record"]) > 20 and len(reported["import"]) > 5
    record_figures(kills_survived=KILLS, committed_writes_checked=writes,
                   writes_by_kind={k: len(v) for k, v in sorted(reported.items())})


def test_two_copies_writing_at_once_every_write_lands(tmp_path):
    path = make_db(tmp_path)
    each = 700
    started = time.monotonic()
    children = [fork_writer(path, seed=seed, count=each) for seed in (1, 2)]
    reported: dict[str, set[int]] = defaultdict(set)
    refused: list[str] = []
    total = 0
    for pid, fd in children:
        lines = read_lines(fd)
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        assert lines[0] == "READY" and lines[-1] == "DONE", lines[-3:]
        total += committed(lines, reported)
        refused += [line for line in lines if line.startswith("REFUSED")]
    check_file(path, reported)
    # Nothing was refused for being busy: each write waited its turn.
    assert not [r for r in refused if "busy" in r], refused[:3]
    conn = sqlite3.connect(str(path))
    try:
        pupils = conn.execute("SELECT count(*) FROM pupils").fetchone()[0]
    finally:
        conn.close()
    assert pupils == len(reported["pupil"]) + len(reported["import"])
    assert total > 2 * each                     # every loop commits one or more writes
    record_figures(two_copies_operations=2 * each, two_copies_writes_checked=total,
                   two_copies_seconds=round(time.monotonic() - started, 1), two_copies_refused=len(refused))


def slow_migration(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE migrated (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    for start in range(0, 40000, 1000):
        conn.executemany("INSERT INTO migrated (n) VALUES (?)", [(i,) for i in range(start, start + 1000)])
    conn.execute("ALTER TABLE pupils ADD COLUMN migrated_flag INTEGER")


def test_a_migration_killed_part_way_leaves_the_old_version_or_the_new(tmp_path):
    rng = random.Random(7)
    outcomes = {"old": 0, "new": 0}
    # How long the whole upgrade takes on this machine, now, from fork to exit in a child exactly as
    # the killed ones run it (a child can be slower than its parent: under load, or under
    # libfaketime): the kills fall between its start and half as long again after, so on a slow or
    # busy machine they still land before and after it ends.
    def upgrade_in_child(path: Path) -> int:
        Store.open(path).close()
        old = dbmod.SCHEMA_VERSION
        gc.freeze()
        pid = os.fork()
        if pid != 0:
            gc.unfreeze()
            return pid
        try:
            dbmod.open_database(path, migrations=[(old + 1, slow_migration)], schema_version=old + 1).close()
        finally:
            os._exit(0)

    took = []
    for n in range(2):
        began = time.monotonic()
        os.waitpid(upgrade_in_child(tmp_path / f"timed{n}.db"), 0)
        took.append(time.monotonic() - began)
    window = max(0.4, 1.5 * max(took))
    for attempt in range(20):
        path = tmp_path / f"m{attempt}.db"
        old = dbmod.SCHEMA_VERSION
        pid = upgrade_in_child(path)
        time.sleep(rng.uniform(0.0, window))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        conn = sqlite3.connect(str(path))
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            columns = {r[1] for r in conn.execute("PRAGMA table_info(pupils)")}
            if version == old + 1:
                assert conn.execute("SELECT count(*) FROM migrated").fetchone()[0] == 40000
                assert "migrated_flag" in columns
                outcomes["new"] += 1
            else:
                assert version == old and "migrated" not in tables and "migrated_flag" not in columns
                outcomes["old"] += 1
        finally:
            conn.close()
    assert outcomes["old"] and outcomes["new"], outcomes          # both ends were really reached
    record_figures(migration_kills=20, migration_outcomes=outcomes)
