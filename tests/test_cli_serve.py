"""gatsby-tui user add|passwd|remove|list and the refusals of gatsby-tui serve, through main()."""

from __future__ import annotations

import io
import sqlite3
from datetime import datetime

import pytest

from gatsby_tui.cli import main
from gatsby_tui.clock import FixedClock
from gatsby_tui.store import Store, users

PASSWORD = "kettle on the landing 42"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "school.db"
    store = Store.open(path, clock=FixedClock(datetime(2026, 11, 22, 10, 0)))
    store.advisers.add({"name": "Helen Marsh"})
    store.close()
    return path


def run(monkeypatch, capsys, *args, stdin: str = ""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main([*args, "--today", "2026-11-22"])
    out, err = capsys.readouterr()
    return code, out, err


def test_user_add_passwd_remove_and_list(db, monkeypatch, capsys):
    code, out, err = run(monkeypatch, capsys, "user", "list", "--db", str(db))
    assert code == 0 and "Nobody can sign in yet" in out
    code, out, err = run(monkeypatch, capsys, "user", "add", "helen marsh", "--db", str(db), "--password-stdin",
                         stdin=PASSWORD + "\n")
    assert code == 0 and "Helen Marsh can sign in" in out
    code, out, err = run(monkeypatch, capsys, "user", "add", "Helen Marsh", "--db", str(db), "--password-stdin",
                         stdin=PASSWORD + "\n")
    assert code != 0 and "already has a password" in err and "gatsby-tui user passwd" in err
    code, out, err = run(monkeypatch, capsys, "user", "passwd", "Helen Marsh", "--db", str(db), "--password-stdin",
                         stdin="too short\n")
    assert code != 0 and "at least 10 characters" in err and "Traceback" not in err
    code, out, err = run(monkeypatch, capsys, "user", "passwd", "Helen Marsh", "--db", str(db), "--password-stdin",
                         stdin="a brand new passphrase\n")
    assert code == 0
    # A new name is added as an adviser, with the password.
    code, out, err = run(monkeypatch, capsys, "user", "add", "Priya Shah", "--db", str(db), "--password-stdin",
                         stdin="visiting on thursdays only\n")
    assert code == 0 and "Added Priya Shah to the advisers" in out
    code, out, err = run(monkeypatch, capsys, "user", "list", "--db", str(db))
    assert out.split("\n")[:2] == ["Helen Marsh", "Priya Shah"]
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        assert users.check(conn, "Helen Marsh", "a brand new passphrase") is not None
        assert users.check(conn, "Helen Marsh", PASSWORD) is None
    finally:
        conn.close()
    code, out, err = run(monkeypatch, capsys, "user", "remove", "Helen Marsh", "--db", str(db))
    assert code == 0 and "can no longer sign in" in out
    code, out, err = run(monkeypatch, capsys, "user", "remove", "Helen Marsh", "--db", str(db))
    assert code == 1 and "has no password" in err
    code, out, err = run(monkeypatch, capsys, "user", "passwd", "Nobody", "--db", str(db), "--password-stdin",
                         stdin=PASSWORD + "\n")
    assert code == 2 and "no adviser called 'Nobody'" in err


def test_serve_refuses_what_it_should(db, tmp_path, monkeypatch, capsys):
    code, out, err = run(monkeypatch, capsys, "serve", "--db", str(db), "--host", "0.0.0.0")
    assert code == 2 and "--cert and --key" in err and "unencrypted" in err
    code, out, err = run(monkeypatch, capsys, "serve", "--db", str(db), "--cert", "x.pem")
    assert code == 2 and "both --cert and --key" in err
    (tmp_path / "bad.pem").write_text("not a certificate")
    code, out, err = run(monkeypatch, capsys, "serve", "--db", str(db), "--host", "10.0.0.5",
                         "--cert", str(tmp_path / "bad.pem"), "--key", str(tmp_path / "bad.pem"))
    assert code == 2 and "cannot be used" in err and "Traceback" not in err
    code, out, err = run(monkeypatch, capsys, "serve", "--db", str(db))
    assert code == 2 and "nobody can sign in yet" in err
    code, out, err = run(monkeypatch, capsys, "serve", "--db", str(tmp_path / "missing.db"))
    assert code == 2 and "Traceback" not in err and err.startswith("gatsby-tui: ")
    assert not (tmp_path / "missing.db").exists()
