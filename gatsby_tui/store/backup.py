"""Backups: taken with SQLite's backup API, verified, rotated; and restored.

Decisions:

* Where: a folder beside the database named ``<name>-backups`` (``school-backups/`` for
  ``school.db``), or the folder in the ``backup_folder`` setting. Files are owner-only and named
  by the database, the moment and why: ``school 2026-11-23 18.05.12 opened.db``.
* When: when the app opens a file (in the background, after the first screen is up) and when it
  closes it after changes; before a schema upgrade; before an import; before a restore (of what
  is replaced). ``gatsby-tui backup`` any time.
* Verified before it counts: the copy is written under a temporary name, then checked with
  ``PRAGMA quick_check`` and its row counts compared with the database's, counted in the same
  read transaction as the copy was taken; only then is it renamed into place and are older
  backups (beyond the newest ``KEEP`` for the same reason) removed. A failed check keeps every
  older backup and says so. Because the backup API copies the pages as they are, a damaged
  database gives a copy that fails the check: the backup taken on opening is also the file's
  integrity check.
* Restore copies a backup into the database through the same backup API (so SQLite's locking and
  journal make it all or nothing), after backing up what it replaces.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gatsby_tui import clock

from gatsby_tui.store.db import StoreError

KEEP = 10
COUNTED = ("pupils", "interviews", "meeting_records", "actions", "plans", "destinations", "activities",
           "activity_pupils", "subject_access_requests", "exports_given", "audit_log")
_NAME = re.compile(r"^(?P<stem>.+) (?P<day>\d{4}-\d{2}-\d{2}) (?P<time>\d{2}\.\d{2}\.\d{2})(?:-\d+)? (?P<reason>[a-z0-9-]+)\.db$")


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime
    reason: str

    def words(self) -> str:
        return f"{self.taken:%d/%m/%Y %H:%M:%S} ({self.reason.replace('-', ' ')})"


def folder_for(db: Path, chosen: str | None = None) -> Path:
    return Path(chosen).expanduser() if chosen else db.parent / f"{db.stem}-backups"


def chosen_folder(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = 'backup_folder'").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row and row[0] else None


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED if t in have}


def check(path: Path, expected: dict[str, int] | None = None) -> str | None:
    """None when ``path`` is a sound database (and holds ``expected`` rows); else what is wrong."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as e:
        return f"cannot be opened ({e})"
    try:
        result = [r[0] for r in conn.execute("PRAGMA quick_check")]
        if result != ["ok"]:
            lines = [line.strip() for r in result for line in str(r).splitlines()
                     if line.strip() and not line.startswith("***")]
            more = len(lines) - 1
            return ("is damaged (SQLite's check: " + (lines[0][:100] if lines else "failed")
                    + (f", and {more} more problem{'s' if more != 1 else ''}" if more > 0 else "") + ")")
        if expected is not None:
            got = _counts(conn)
            wrong = [f"{t} {got.get(t)} not {n}" for t, n in expected.items() if got.get(t) != n]
            if wrong:
                return "does not hold every row: " + ", ".join(wrong)
        return None
    except sqlite3.DatabaseError as e:
        return f"is damaged ({e})"
    finally:
        conn.close()


def backups(db: Path, folder: Path) -> list[Backup]:
    """This database's backups in ``folder``, newest first."""
    out = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for entry in entries:
        m = _NAME.match(entry.name)
        if m is None or m["stem"] != db.stem:
            continue
        taken = datetime.strptime(f"{m['day']} {m['time']}", "%Y-%m-%d %H.%M.%S")
        out.append(Backup(entry, taken, m["reason"]))
    return sorted(out, key=lambda b: (b.taken, b.path.name), reverse=True)


def take(conn: sqlite3.Connection, db: Path, reason: str, *, folder: Path | None = None, keep: int = KEEP,
         now: datetime | None = None) -> Path:
    """A verified backup of the database ``conn`` has open (``db`` is its path); older ones for
    the same reason beyond ``keep`` are removed once it is verified. Raises StoreError."""
    folder = folder or folder_for(db, chosen_folder(conn))
    now = now or clock.now()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"Cannot make the backup folder {folder} ({e.strerror or e}): choose another.") from None
    name = f"{db.stem} {now:%Y-%m-%d %H.%M.%S} {reason}.db"
    n = 1
    while (folder / name).exists():
        n += 1
        name = f"{db.stem} {now:%Y-%m-%d %H.%M.%S}-{n} {reason}.db"
    target = folder / name
    tmp = folder / f".{name}.part"
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        os.close(fd)
        dest = sqlite3.connect(str(tmp))
        try:
            began = not conn.in_transaction
            if began:
                conn.execute("BEGIN")          # one read snapshot for the counts and the copy
            try:
                expected = _counts(conn)
                conn.backup(dest)
            finally:
                if began:
                    conn.execute("COMMIT")
        finally:
            dest.close()
        problem = check(tmp, expected)
        if problem is not None:
            raise StoreError(f"The backup was not kept: the copy {problem}. The database itself may be damaged: "
                             f"older backups in {folder} are kept.")
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except sqlite3.Error as e:
        raise StoreError(f"The backup was not kept: reading the database failed ({e}), so it may be damaged; "
                         f"older backups in {folder} are kept.") from None
    except OSError as e:
        raise StoreError(f"The backup could not be written to {folder} ({e.strerror or e}): "
                         "check the space and the folder.") from None
    finally:
        tmp.unlink(missing_ok=True)
    for old in [b for b in backups(db, folder) if b.reason == reason][keep:]:
        try:
            old.path.unlink()
        except OSError:
            pass
    return target


def newest_good(db: Path, folder: Path) -> Backup | None:
    for b in backups(db, folder):
        if check(b.path) is None:
            return b
    return None


def restore(source: Path, conn: sqlite3.Connection, db: Path, *, folder: Path | None = None) -> Path | None:
    """Copy the backup ``source`` into the database ``conn`` has open, all or nothing, after
    backing up what it replaces (returned; None when the database was too damaged to copy, in
    which case the damaged file is kept beside it as ``<name>.damaged-<time>``)."""
    problem = check(source)
    if problem is not None:
        raise StoreError(f"{source} {problem}: choose another backup.")
    folder = folder or folder_for(db, chosen_folder(conn))
    saved: Path | None
    try:
        saved = take(conn, db, "before-restore", folder=folder)
    except StoreError:
        saved = None
        damaged = db.with_name(f"{db.name}.damaged-{clock.now():%Y%m%d-%H%M%S}")
        try:
            with open(db, "rb") as src, open(damaged, "xb") as out:
                os.chmod(damaged, 0o600)
                out.write(src.read())
        except OSError:
            pass
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        src.backup(conn)
    except sqlite3.Error as e:
        raise StoreError(f"The restore failed ({e}); the database is unchanged.") from None
    finally:
        src.close()
    return saved
