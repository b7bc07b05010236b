"""Backups: taken with SQLite's backup API, verified, rotated; and restored.

Decisions:

* Where: a folder beside the database named ``<name>-backups`` (``school-backups/`` for
  ``school.db``), or the folder in the ``backup_folder`` setting. Files are owner-only and named
  by the database, the moment and why: ``school 2026-11-23 18.05.12 opened.db``.
* When: when the app opens a file (in the background, after the first screen is up) and when it
  closes it after changes; before a schema upgrade; before an import; before a restore (of what
  is replaced). ``gatsby-tui backup`` any time.
* Verified before it counts: the copy is written to a temporary file of its own (``mkstemp``:
  unique, owner-only, hidden), then checked with ``PRAGMA quick_check`` and its row counts
  compared with the database's, counted in the same read transaction as the copy was taken; only
  then does it claim its final name, atomically and never over another file (a hard link, which
  fails if the name exists; the next is ``... 10.00.00-2 by-hand.db``), and are older backups
  (beyond the newest ``KEEP`` for the same reason, and only older than the one just made)
  removed. So several processes backing up in the same second each keep their own. A failed
  check keeps every older backup and says so.
* A message blames the database only when the database itself fails SQLite's check: when the
  copy fails, the database is checked too, and "the copy failed" (disk, folder) is told apart
  from "the database is damaged"; a database busy with another program's write is neither.
  Because the backup API copies the pages as they are, a damaged database gives a copy that
  fails the check: the backup taken on opening is also the file's integrity check.
* Restore copies a backup into the database through the same backup API (so SQLite's locking and
  journal make it all or nothing), after backing up what it replaces.
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from gatsby_tui import clock

from gatsby_tui.store.errors import StoreError
from gatsby_tui.store.identity import identity_problem, read_only_uri

KEEP = 10
COUNTED = ("pupils", "interviews", "meeting_records", "actions", "plans", "destinations", "activities",
           "activity_pupils", "subject_access_requests", "exports_given", "audit_log")
# Where a hard link cannot be made (FAT drives, some network shares), a name is claimed otherwise.
_NO_LINKS = {errno.EPERM, errno.EACCES, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS, errno.EMLINK}
_NAME = re.compile(r"^(?P<stem>.+) (?P<day>\d{4}-\d{2}-\d{2}) (?P<time>\d{2}\.\d{2}\.\d{2})(?:-(?P<n>\d+))? (?P<reason>[a-z0-9-]+)\.db$")


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime
    reason: str
    n: int = 1                   # 2, 3 ... for a second backup taken in the same second

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
    # A statement for the names and one for the counts, each one row: a copy or check running in
    # a thread beside busy Python code waits for the interpreter lock at every row it fetches.
    names = conn.execute("SELECT group_concat(name, char(10)) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    have = set((names or "").split("\n"))
    tables = [t for t in COUNTED if t in have]
    if not tables:
        return {}
    row = conn.execute("SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in tables)).fetchone()
    return dict(zip(tables, row))


def _damage_words(result: list[str]) -> str:
    """SQLite's check result (not ['ok']) in words: the first problem and how many more."""
    lines = [line.strip() for r in result for line in str(r).splitlines()
             if line.strip() and not line.startswith("***")]
    more = len(lines) - 1
    return ("is damaged (SQLite's check: " + (lines[0][:100] if lines else "failed")
            + (f", and {more} more problem{'s' if more != 1 else ''}" if more > 0 else "") + ")")


def check(path: Path, expected: dict[str, int] | None = None, *, stop: threading.Event | None = None) -> str | None:
    """None when ``path`` is a sound database (and holds ``expected`` rows); else what is wrong.
    A set ``stop`` interrupts the check (its answer is then not to be used)."""
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
    except sqlite3.Error as e:
        return f"cannot be opened ({e})"
    if stop is not None:
        conn.set_progress_handler(lambda: 1 if stop.is_set() else 0, 10_000)
    # The rows are counted on a connection of their own while SQLite checks the file, so the
    # count is not one more step after the check (an import waits for the end of both).
    counted: dict[str, Any] = {}
    counting = threading.Thread(target=_count_into, args=(path, counted), name="backup count", daemon=True)
    if expected is not None:
        counting.start()
    try:
        result = [r[0] for r in conn.execute("PRAGMA quick_check")]
        if result != ["ok"]:
            return _damage_words(result)
        if expected is None:
            return None
        counting.join()
        if "error" in counted:
            return f"is damaged ({counted['error']})"
        got = counted["counts"]
        wrong = [f"{t} {got.get(t)} not {n}" for t, n in expected.items() if got.get(t) != n]
        if wrong:
            return "does not hold every row: " + ", ".join(wrong)
        return None
    except sqlite3.DatabaseError as e:
        return f"is damaged ({e})"
    finally:
        conn.close()
        if counting.is_alive():
            counting.join()


def _count_into(path: Path, counted: dict[str, Any]) -> None:
    """``_counts`` of the database at ``path`` into ``counted["counts"]``, or what went wrong into
    ``counted["error"]``."""
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            counted["counts"] = _counts(conn)
        finally:
            conn.close()
    except sqlite3.Error as e:
        counted["error"] = e


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
        out.append(Backup(entry, taken, m["reason"], int(m["n"] or 1)))
    return sorted(out, key=lambda b: (b.taken, b.n, b.path.name), reverse=True)


def _temporary(folder: Path, db: Path) -> Path:
    """A fresh owner-only file of this process's own in ``folder``, hidden and never matching a
    backup's name, so no other process writes to it, rotates it out or deletes it."""
    fd, name = tempfile.mkstemp(prefix=f".{db.stem}-", suffix=".part", dir=folder)   # 0600, O_EXCL
    os.close(fd)
    return Path(name)


def _claim(tmp: Path, folder: Path, db: Path, now: datetime, reason: str) -> Path:
    """Give the verified copy ``tmp`` its final name, never overwriting a file already there: two
    processes in the same second get ``... 10.00.00 by-hand.db`` and ``... 10.00.00-2 by-hand.db``.
    A hard link claims a name atomically (it fails if the name exists); where the filesystem has
    no hard links, the name is claimed by creating it exclusively and the copy moved over it."""
    stamp = f"{now:%Y-%m-%d %H.%M.%S}"
    # After the highest number already used in that second (even if rotated out since), so a new
    # backup never sorts before an older one and is rotated out as soon as it is made.
    first = 1 + max((b.n for b in backups(db, folder) if b.taken == now.replace(microsecond=0)), default=0)
    for n in range(first, first + 10_000):
        target = folder / (f"{db.stem} {stamp} {reason}.db" if n == 1 else f"{db.stem} {stamp}-{n} {reason}.db")
        try:
            os.link(tmp, target)
            return target
        except FileExistsError:
            continue
        except OSError as e:
            if e.errno not in _NO_LINKS:
                raise
        try:
            fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        os.replace(tmp, target)
        return target
    raise OSError(errno.EEXIST, f"every name for a backup at {stamp} is taken")


def _database_problem(conn: sqlite3.Connection) -> str | None:
    """What SQLite's own check finds wrong with the database ``conn`` has open; None when it passes
    or cannot be run now because another program holds the file (that is not damage)."""
    try:
        result = [r[0] for r in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as e:
        return None if _busy(e) else f"is damaged ({e})"
    return None if result == ["ok"] else _damage_words(result)


def _busy(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


class Outdated(Exception):
    """A copy made before another program committed a write, asked to become a backup inside a
    write transaction: it lacks that write, and a backup taken now on the same connection would
    hold the transaction's own changes. The caller rolls back, takes a backup afresh and writes again."""


class Stopped(Exception):
    """A backup given up part-way because the app is closing: its temporary copy is removed and
    the backups already there are untouched; the next opening takes one again."""


def take(conn: sqlite3.Connection, db: Path, reason: str, *, folder: Path | None = None, keep: int = KEEP,
         now: datetime | None = None, stop: threading.Event | None = None) -> Path:
    """A verified backup of the database ``conn`` has open (``db`` is its path); older ones for
    the same reason beyond ``keep`` are removed once it is verified. Raises StoreError, whose
    message says the database is damaged only when the database itself fails SQLite's check.
    Safe to run in several processes at once: each copy has its own temporary file and claims
    a name of its own. When ``stop`` is set (the app is quitting) the copy and its check give up
    within a few hundred pages and Stopped is raised.

    In three steps, which a caller may also run apart (the check in another thread):
    ``start_copy``, ``verify_copy`` and ``finish_copy``, then ``keep_copy`` names it."""
    copy = start_copy(conn, db, folder=folder, now=now, stop=stop)
    try:
        problem = verify_copy(copy, stop=stop)
    except BaseException:
        drop_copy(copy)
        raise
    finish_copy(conn, copy, problem)
    return keep_copy(copy, reason, keep=keep)


@dataclass(frozen=True)
class Copy:
    """A copy of a database in a temporary file of its own, not yet a backup: checked by
    ``verify_copy`` and ``finish_copy``, then named by ``keep_copy``, or removed by ``drop_copy``."""
    tmp: Path
    folder: Path
    db: Path
    taken: datetime
    expected: dict[str, int]           # rows per table, counted in the snapshot that was copied


def _kept_note(folder: Path) -> str:
    return f"older backups in {folder} are kept"


def start_copy(conn: sqlite3.Connection, db: Path, *, folder: Path | None = None, now: datetime | None = None,
               stop: threading.Event | None = None) -> Copy:
    """The database ``conn`` has open copied, in one read snapshot with its row counts, into a
    temporary file of its own. Raises StoreError (as ``take``) or Stopped, leaving no file."""
    def stopping() -> int:
        return 1 if stop is not None and stop.is_set() else 0

    def give_up_if_stopping() -> None:
        if stopping():
            raise Stopped()

    give_up_if_stopping()
    folder = folder or folder_for(db, chosen_folder(conn))
    now = now or clock.now()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"Cannot make the backup folder {folder} ({e.strerror or e}): choose another.") from None
    tmp: Path | None = None
    try:
        tmp = _temporary(folder, db)
        try:
            dest = sqlite3.connect(str(tmp))
            try:
                # The copy is synced to disk once, whole, after its check (verify_copy); until it
                # is named it is nobody's backup, so it needs no journal of its own.
                dest.execute("PRAGMA journal_mode = OFF")
                dest.execute("PRAGMA synchronous = OFF")
                began = not conn.in_transaction
                if began:
                    conn.execute("BEGIN")          # one read snapshot for the counts and the copy
                try:
                    if stop is not None:
                        conn.set_progress_handler(stopping, 10_000)
                    expected = _counts(conn)
                    conn.backup(dest, pages=256 if stop is not None else -1,
                                progress=lambda *_: give_up_if_stopping(), sleep=0)
                finally:
                    if stop is not None:
                        conn.set_progress_handler(None, 0)
                    if began:
                        conn.execute("COMMIT")
            finally:
                dest.close()
        except sqlite3.Error as e:
            give_up_if_stopping()          # an interrupted query: the app is closing, nothing is wrong
            if _busy(e):
                raise StoreError(f"The backup was not taken: {db} was busy for too long (another program is "
                                 f"writing to it). Try again in a moment; {_kept_note(folder)}.") from None
            damage = _database_problem(conn)
            if damage is not None:
                raise StoreError(f"The backup was not kept: the database itself {damage}. Restore the newest "
                                 f"good backup; {_kept_note(folder)}.") from None
            raise StoreError(f"The backup was not kept: writing the copy failed ({e}), though the database "
                             f"itself passed its check. Check the space and the folder, and try again; "
                             f"{_kept_note(folder)}.") from None
    except OSError as e:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise StoreError(f"The backup could not be written to {folder} ({e.strerror or e}): "
                         "check the space and the folder.") from None
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    return Copy(tmp, folder, db, now, expected)


def verify_copy(copy: Copy, *, stop: threading.Event | None = None) -> str | None:
    """SQLite's check of the copy and its row counts, then the copy synced to disk: None when it is
    sound, else what is wrong with it (``finish_copy`` says whom to blame). Touches only the copy,
    so it may run in another thread. Raises StoreError if the copy cannot be synced, or Stopped."""
    # The copy goes to the disk while SQLite checks it: one waits on the disk, the other reads
    # pages the copy left in memory, so together they take as long as the slower (a copy of a
    # 300 MB file: about 1.1 s checking beside 0.7 s syncing, which took 1.8 s one after the other).
    failed: list[OSError] = []

    def sync() -> None:
        try:
            with open(copy.tmp, "rb") as f:
                os.fsync(f.fileno())
        except OSError as e:
            failed.append(e)

    syncing = threading.Thread(target=sync, name="backup sync", daemon=True)
    syncing.start()
    problem = check(copy.tmp, copy.expected, stop=stop)
    if stop is not None and stop.is_set():
        raise Stopped()              # the sync ends by itself; the caller removes the copy
    syncing.join()
    if problem is None and failed:
        e = failed[0]
        raise StoreError(f"The backup could not be written to {copy.folder} ({e.strerror or e}): "
                         "check the space and the folder.")
    return problem


def finish_copy(conn: sqlite3.Connection, copy: Copy, problem: str | None) -> None:
    """Nothing when ``verify_copy`` found the copy sound; else the copy is removed and StoreError
    says whether the database ``conn`` has open is damaged or the copy failed (the disk, the folder)."""
    if problem is None:
        return
    drop_copy(copy)
    damage = _database_problem(conn)
    if damage is not None:
        raise StoreError(f"The backup was not kept: the database itself {damage}. Restore the newest "
                         f"good backup; {_kept_note(copy.folder)}.")
    raise StoreError(f"The backup was not kept: the copy {problem} when checked, though the database "
                     f"itself passed its check (the disk or the folder may be at fault). Try again; "
                     f"{_kept_note(copy.folder)}.")


def keep_copy(copy: Copy, reason: str, *, keep: int = KEEP) -> Path:
    """The last step of ``take``: the verified copy claims a backup's name (for the moment it was
    taken and ``reason``), and this reason's backups beyond the newest ``keep`` are removed."""
    try:
        target = _claim(copy.tmp, copy.folder, copy.db, copy.taken, reason)
        _sync_folder(copy.folder)
    except OSError as e:
        raise StoreError(f"The backup could not be written to {copy.folder} ({e.strerror or e}): "
                         "check the space and the folder.") from None
    finally:
        copy.tmp.unlink(missing_ok=True)
    _rotate(copy.db, copy.folder, reason, target, keep)
    return target


def drop_copy(copy: Copy) -> None:
    """A copy not wanted after all, or that failed its check: removed; no backup is touched."""
    copy.tmp.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make the new name durable too (where the system allows a folder to be synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _rotate(db: Path, folder: Path, reason: str, ours: Path, keep: int) -> None:
    """Remove this reason's backups beyond the newest ``keep``, only ever ones older than the one
    this process just made (another process's newer backup is its own to rotate); a file another
    process removed first is simply gone already."""
    same = [b for b in backups(db, folder) if b.reason == reason]
    mine = next((i for i, b in enumerate(same) if b.path == ours), None)
    if mine is None:
        return
    for old in same[max(keep, mine + 1):]:
        try:
            old.path.unlink()
        except OSError:
            pass


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
    foreign = identity_problem(source)
    if foreign is not None:
        raise StoreError(foreign.replace(": check the path.", ": choose a backup of this database."))
    foreign = identity_problem(db)        # a damaged file of ours cannot be told, and may be restored
    if foreign is not None:
        raise StoreError(foreign.replace(": check the path.", ": restore only into a gatsby-tui database."))
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
    src = sqlite3.connect(read_only_uri(source), uri=True)
    try:
        src.backup(conn)
    except sqlite3.Error as e:
        raise StoreError(f"The restore failed ({e}); the database is unchanged.") from None
    finally:
        src.close()
    return saved
