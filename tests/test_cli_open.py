"""Opening files from the command line: one plain sentence on stderr, non-zero exit,
no traceback, and the file left byte-for-byte unchanged."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gatsby_tui.store import Store
from gatsby_tui.store.db import SCHEMA_VERSION


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "TERM": "dumb"}
    return subprocess.run([sys.executable, "-m", "gatsby_tui", *args], capture_output=True, text=True,
                          timeout=60, cwd=cwd, env=env, stdin=subprocess.DEVNULL)


def _newer(path: Path) -> None:
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_bytes(b""), "empty file"),
    (lambda p: p.write_text("UPN,Surname\n"), "not an SQLite database"),
    (lambda p: p.mkdir(), "is a folder"),
    (_newer, "newer version of gatsby-tui"),
])
def test_bad_files_get_one_sentence_and_stay_unchanged(tmp_path, make, words):
    path = tmp_path / "school.db"
    make(path)
    before = path.read_bytes() if path.is_file() else None
    result = run_cli(str(path))
    assert result.returncode != 0
    assert words in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
    if before is not None:
        assert path.read_bytes() == before


def test_a_locked_file_is_refused_by_the_cli(tmp_path):
    path = tmp_path / "school.db"
    Store.open(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run_cli(str(path))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 4                  # refused for safety
    assert "in use by another program" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_and_a_path_together_are_refused(tmp_path):
    result = run_cli("--demo", str(tmp_path / "x.db"))
    assert result.returncode != 0 and "not both" in result.stderr


def test_demo_copy_is_fresh_and_private(tmp_path):
    from gatsby_tui import cli
    from gatsby_tui.store.db import sample_path

    shipped = sample_path()
    before = shipped.read_bytes()
    copy = cli._demo_copy()
    assert copy != shipped and copy.read_bytes() == before
    assert oct(os.stat(copy).st_mode & 0o777) == oct(0o600)
    try:
        Store.open(copy).close()
        assert shipped.read_bytes() == before
    finally:
        import shutil
        shutil.rmtree(copy.parent)


def test_importing_the_package_does_not_import_textual():
    code = ("import sys, gatsby_tui, gatsby_tui.store, gatsby_tui.cli, gatsby_tui.cli.commands, "
            "gatsby_tui.domain.upn, gatsby_tui.sample.data; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'fpdf', 'icalendar')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_works_from_any_directory(tmp_path):
    path = tmp_path / "school.db"
    Store.open(path).close()
    result = run_cli("pupils", "--db", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
