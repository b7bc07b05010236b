"""Passwords for signing in to the app in a browser (``gatsby-tui serve``). Audited.

Only an adviser given a password can sign in. The password itself is never stored: a scrypt hash
(``hashlib.scrypt``) with a random 16-byte salt and its cost parameters, as
``scrypt$N$r$p$SALT$HASH`` (base64), so older hashes still check after the cost is raised. The
audit log records that a password was set, changed or removed, and by whom; never the hash.

The costs: N = 2**14, r = 8, p = 1 (16 MiB of memory, about 50 ms a check on this machine), the
parameters OWASP gives for scrypt; a stolen file costs an attacker that much for every guess.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import sqlite3

from gatsby_tui.domain import names
from gatsby_tui.store import audit
from gatsby_tui.store.db import StoreError, transaction

N, R, P = 2 ** 14, 8, 1
SALT_BYTES = 16
KEY_BYTES = 32
MIN_LENGTH = 10
MAX_LENGTH = 1024          # scrypt takes any length; this only stops a pasted book
_MAXMEM = 64 * 1024 * 1024


class PasswordRefused(StoreError):
    """The password typed cannot be used; the message says why and what to do."""


def check_strength(password: str, name: str = "") -> None:
    """PasswordRefused unless ``password`` is fit to protect children's records."""
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(f"A password needs at least {MIN_LENGTH} characters (a few words make a good one): "
                              "type a longer one.")
    if len(password) > MAX_LENGTH:
        raise PasswordRefused(f"A password can be at most {MAX_LENGTH} characters: type a shorter one.")
    if password.strip() != password or not password.isprintable():
        raise PasswordRefused("A password cannot start or end with a space or hold control characters: "
                              "type it again.")
    if name and names.fold(password.replace(" ", "")) == names.fold(name.replace(" ", "")):
        raise PasswordRefused("The password cannot be the adviser's own name: choose another.")


def make_hash(password: str, *, n: int = N, r: int = R, p: int = P) -> str:
    salt = os.urandom(SALT_BYTES)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=KEY_BYTES)
    return "$".join(("scrypt", str(n), str(r), str(p), base64.b64encode(salt).decode("ascii"),
                     base64.b64encode(key).decode("ascii")))


def hash_matches(stored: str, password: str) -> bool:
    """Whether ``password`` gives the ``stored`` hash (compared in constant time)."""
    try:
        kind, n, r, p, salt, key = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(key)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=_MAXMEM, dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


# A fixed hash to check against when the name is unknown, so a wrong name takes as long as a
# wrong password (no telling from the time which names exist).
_DUMMY = make_hash("not a password of anyone's", n=N, r=R, p=P)


def _adviser(conn: sqlite3.Connection, adviser_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM advisers WHERE id = ?", (adviser_id,)).fetchone()
    if row is None:
        raise StoreError("That adviser is no longer in the database.")
    return row


def set_password(conn: sqlite3.Connection, adviser_id: int, password: str, *, stamp: str,
                 by: int | None) -> bool:
    """Give the adviser this password (replacing any earlier one). True when it is their first."""
    row = _adviser(conn, adviser_id)
    check_strength(password, row["name"])
    hashed = make_hash(password)          # outside the transaction: it takes tens of milliseconds
    with transaction(conn):
        _adviser(conn, adviser_id)
        had = conn.execute("SELECT 1 FROM adviser_passwords WHERE adviser_id = ?", (adviser_id,)).fetchone()
        conn.execute("INSERT INTO adviser_passwords (adviser_id, hash, set_at) VALUES (?, ?, ?) "
                     "ON CONFLICT (adviser_id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at",
                     (adviser_id, hashed, stamp))
        audit.write(conn, at=stamp, adviser_id=by, action="update" if had else "insert",
                    table="adviser_passwords", row_id=adviser_id, pupil_id=None,
                    after={"password": "changed" if had else "set", "adviser": row["name"]})
    return not had


def remove_password(conn: sqlite3.Connection, adviser_id: int, *, stamp: str, by: int | None) -> bool:
    """Take away the adviser's password (they can no longer sign in). False when they had none."""
    row = _adviser(conn, adviser_id)
    with transaction(conn):
        gone = conn.execute("DELETE FROM adviser_passwords WHERE adviser_id = ?", (adviser_id,)).rowcount
        if gone:
            audit.write(conn, at=stamp, adviser_id=by, action="delete", table="adviser_passwords",
                        row_id=adviser_id, pupil_id=None, before={"password": "set", "adviser": row["name"]})
    return bool(gone)


def has_password(conn: sqlite3.Connection, adviser_id: int) -> bool:
    return conn.execute("SELECT 1 FROM adviser_passwords WHERE adviser_id = ?", (adviser_id,)).fetchone() is not None


def with_passwords(conn: sqlite3.Connection) -> set[int]:
    """The ids of the advisers who can sign in."""
    return {r[0] for r in conn.execute("SELECT adviser_id FROM adviser_passwords")}


def check(conn: sqlite3.Connection, name: str, password: str) -> sqlite3.Row | None:
    """The active adviser called ``name`` (case and accents ignored) if ``password`` is theirs, else
    None. Takes the same time whether or not the name exists."""
    wanted = " ".join(names.fold(w) for w in str(name).split())
    candidates = conn.execute(
        "SELECT a.*, p.hash FROM advisers a JOIN adviser_passwords p ON p.adviser_id = a.id WHERE a.active = 1"
    ).fetchall()
    match = next((r for r in candidates if " ".join(names.fold(w) for w in r["name"].split()) == wanted), None)
    if match is None or len(password) > MAX_LENGTH:
        hash_matches(_DUMMY, password[:MAX_LENGTH])
        return None
    return match if hash_matches(match["hash"], password) else None
