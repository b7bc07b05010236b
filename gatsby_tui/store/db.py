"""Opening, creating and migrating the database file.

Every problem with the file becomes an OpenError whose message is one plain
sentence saying what is wrong and what to do; the file is left untouched.

Journal mode: the rollback journal (DELETE) with synchronous=FULL, not WAL.
School files often live on network drives, where SQLite advises against WAL
(its shared-memory index needs a local filesystem), and the system SQLite here
(3.40.x) is in the range affected by the WAL-reset corruption bug fixed in
3.51.3. The rollback journal is durable across power loss with FULL sync.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import tempfile
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator, Sequence

from gatsby_tui.store.errors import OpenError, StoreError  # noqa: F401  (StoreError: imported from here by the store)
from gatsby_tui.store.identity import (APPLICATION_ID, SQLITE_HEADER, problem_in_header, problem_in_table_names,
                                       problem_in_tables)

Migration = tuple[int, Sequence[str] | Callable[[sqlite3.Connection], None]]


def _package_data(name: str) -> Path:
    """A data file shipped with the app: inside the package when installed from
    a wheel, at the top of the checkout when running from source."""
    packaged = Path(str(resources.files("gatsby_tui"))) / "data" / name
    if packaged.exists():
        return packaged
    return Path(__file__).resolve().parents[2] / name


def schema_path() -> Path:
    return _package_data("schema.sql")


def sample_path() -> Path:
    return _package_data("sample.db")


def schema_sql() -> str:
    return schema_path().read_text(encoding="utf-8")


def _version_in(sql: str) -> int:
    for line in reversed(sql.splitlines()):
        line = line.strip().rstrip(";")
        if line.upper().startswith("PRAGMA USER_VERSION"):
            return int(line.split("=")[1])
    raise RuntimeError("schema.sql does not set PRAGMA user_version")


SCHEMA_VERSION = _version_in(schema_sql())

# Ordered migrations: (version they bring the file to, statements or a function).
# A database made by an older version is upgraded in place, after a backup copy
# is written beside it, in one transaction.
MIGRATIONS: list[Migration] = [
    # 2: an index for min(created_at), which every pupil's benchmark coverage asks for (a full
    # scan took ~35 ms at 200,000 pupils).
    (2, ["CREATE INDEX IF NOT EXISTS pupils_by_created ON pupils (created_at)"]),
    # 3: indexes on the foreign keys that had none, so deleting a record or erasing a pupil does not
    # scan every action, copy given and plan review (1,000 erasures at 20,000 pupils: 15.9 s -> 4.4 s).
    (3, ["CREATE INDEX IF NOT EXISTS actions_by_record ON actions (record_id)",
         "CREATE INDEX IF NOT EXISTS exports_given_by_record ON exports_given (record_id)",
         "CREATE INDEX IF NOT EXISTS exports_given_by_sar ON exports_given (sar_id)",
         "CREATE INDEX IF NOT EXISTS plan_reviews_by_version ON plan_reviews (version_id)"]),
    # 4: the file is stamped as gatsby-tui's (PRAGMA application_id), so a file that only looks
    # like ours (some of the same table names) is refused rather than opened. Only a file
    # recognised as ours by its tables reaches this step (store/identity.py). And an erasure may
    # take a pupil's name and searches naming them out of the audit entries that belong to no
    # pupil (the trigger as in schema.sql).
    (4, [f"PRAGMA application_id = {APPLICATION_ID}",
         "DROP TRIGGER IF EXISTS audit_log_no_update",
         """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM erasures_in_progress)
  OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.adviser_id IS NOT OLD.adviser_id
  OR NEW.action IS NOT OLD.action OR NEW.table_name IS NOT OLD.table_name OR NEW.row_id IS NOT OLD.row_id
  OR NEW.pupil_id IS NOT OLD.pupil_id BEGIN
    SELECT RAISE(ABORT, 'The audit log cannot be changed.');
END"""]),
    # 5: names folded by domain/names.fold (anyascii: ł ı ø æ ß ..., CJK): a search_name column,
    # the register's order recomputed, and the search index rebuilt over it; plans.ceased_on.
    (5, lambda conn: _fold_names(conn)),
    # 6: a pupil's date of entry (no benchmark year is waived without one) and the provider types
    # an activity names (a careers fair counts once for each type for Benchmark 7).
    (6, lambda conn: _add_columns(conn, (
        ("pupils", "date_of_entry",
         "TEXT CHECK (date_of_entry IS NULL OR (date_of_entry GLOB "
         "'[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' AND date(date_of_entry) = date_of_entry))"),
        ("activities", "providers_named",
         "INTEGER NOT NULL DEFAULT 0 CHECK (providers_named BETWEEN 0 AND 15)"),
    ))),
    # 8: passwords for signing in to the app in a browser (gatsby-tui serve), as scrypt hashes.
    (8, ["CREATE TABLE IF NOT EXISTS adviser_passwords (adviser_id INTEGER PRIMARY KEY REFERENCES advisers (id), "
         "hash TEXT NOT NULL CHECK (hash LIKE 'scrypt$%'), set_at TEXT NOT NULL)"]),
    # 9: the moment a copy or an action plan was given, so a pupil's history keeps time order on the
    # day; copies given before have it from their audit entry.
    (9, lambda conn: _add_given_at(conn)),
    # 10: the coverage facts (one row per pupil, kept by triggers and each transaction), so the
    # cohort view reads 200,000 rows rather than 4 million attendances; worked out here for every
    # pupil already in the file.
    (10, lambda conn: _add_coverage_facts(conn)),
]

_FTS_SQL = [
    """CREATE VIRTUAL TABLE pupils_fts USING fts5 (
    search_name, upn, form,
    content="pupils", content_rowid="id",
    tokenize = "unicode61 remove_diacritics 2",
    prefix = '1 2 3'
)""",
    """CREATE TRIGGER pupils_fts_insert AFTER INSERT ON pupils BEGIN
    INSERT INTO pupils_fts (rowid, search_name, upn, form) VALUES (NEW.id, NEW.search_name, NEW.upn, NEW.form);
END""",
    """CREATE TRIGGER pupils_fts_delete AFTER DELETE ON pupils BEGIN
    INSERT INTO pupils_fts (pupils_fts, rowid, search_name, upn, form)
    VALUES ('delete', OLD.id, OLD.search_name, OLD.upn, OLD.form);
END""",
    """CREATE TRIGGER pupils_fts_update AFTER UPDATE OF search_name, upn, form ON pupils BEGIN
    INSERT INTO pupils_fts (pupils_fts, rowid, search_name, upn, form)
    VALUES ('delete', OLD.id, OLD.search_name, OLD.upn, OLD.form);
    INSERT INTO pupils_fts (rowid, search_name, upn, form) VALUES (NEW.id, NEW.search_name, NEW.upn, NEW.form);
END""",
]


def _fold_names(conn: sqlite3.Connection) -> None:
    """Migration 5, inside the upgrade's transaction. sqlite-utils adds the column and rebuilds
    the index (rebuild_fts, which reads an external-content index back from pupils); the FTS5
    table itself is created by hand because sqlite-utils' enable_fts cannot set prefix indexes,
    which type-ahead needs (see schema.sql)."""
    import sqlite_utils

    from gatsby_tui.domain import names

    db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
    for trigger in ("pupils_fts_insert", "pupils_fts_update", "pupils_fts_delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    conn.execute("DROP TABLE IF EXISTS pupils_fts")
    if "search_name" not in db["pupils"].columns_dict:
        db["pupils"].add_column("search_name", str, not_null_default="")
    rows = conn.execute("SELECT id, legal_forename, legal_surname, preferred_forename FROM pupils").fetchall()
    conn.executemany("UPDATE pupils SET sort_name = ?, search_name = ? WHERE id = ?",
                     [(names.sort_name(r[2], r[1]), names.search_text(r[1], r[2], r[3]), r[0]) for r in rows])
    for statement in _FTS_SQL:
        conn.execute(statement)
    db["pupils"].rebuild_fts()
    # A plan can end at a review (then it has no next review date).
    if "ceased_on" not in db["plans"].columns_dict:
        conn.execute("ALTER TABLE plans ADD COLUMN ceased_on TEXT "
                     "CHECK (ceased_on IS NULL OR date(ceased_on) = ceased_on)")


def _add_columns(conn: sqlite3.Connection, columns: Sequence[tuple[str, str, str]]) -> None:
    """ALTER TABLE ... ADD COLUMN for each column the table does not have yet."""
    for table, column, definition in columns:
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")


def _add_given_at(conn: sqlite3.Connection) -> None:
    """exports_given.given_at, filled for earlier copies from the audit entry that recorded them."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(exports_given)")}
    if "given_at" not in columns:
        conn.execute("ALTER TABLE exports_given ADD COLUMN given_at TEXT")
    conn.execute("UPDATE exports_given SET given_at = (SELECT min(a.at) FROM audit_log a "
                 "WHERE a.table_name = 'exports_given' AND a.action = 'insert' AND a.row_id = exports_given.id) "
                 "WHERE given_at IS NULL")


def schema_statements(wanted: Callable[[str, str], bool]) -> list[str]:
    """The CREATE statements of schema.sql for the objects ``wanted(kind, name)`` picks (kind:
    'TABLE', 'INDEX', 'TRIGGER'), each made IF NOT EXISTS: a migration adds what schema.sql
    defines, never a copy of it."""
    out, pending = [], ""
    for line in schema_sql().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("--")):
            continue
        pending += line + "\n"
        if not sqlite3.complete_statement(pending):
            continue
        words = pending.split(None, 3)
        if words[0].upper() == "CREATE" and words[1].upper() in ("TABLE", "INDEX", "TRIGGER") \
                and wanted(words[1].upper(), words[2]):
            out.append(f"CREATE {words[1].upper()} IF NOT EXISTS {words[2]} {words[3]}".strip().rstrip(";"))
        pending = ""
    return out


def _add_coverage_facts(conn: sqlite3.Connection) -> None:
    """Migration 10: the coverage tables and triggers as schema.sql has them, which intake years
    took part in each activity, and every pupil's facts (inside the upgrade's transaction)."""
    for statement in schema_statements(lambda kind, name: name in ("coverage_facts", "coverage_stale",
                                                                    "activity_intakes", "coverage_facts_by_group")
                                       or (kind == "TRIGGER" and name.startswith("coverage_"))):
        conn.execute(statement)
    conn.execute("INSERT OR IGNORE INTO activity_intakes SELECT DISTINCT ap.activity_id, p.intake_year "
                 "FROM activity_pupils ap JOIN pupils p ON p.id = ap.pupil_id")
    conn.execute("INSERT OR IGNORE INTO coverage_stale SELECT id FROM pupils")
    refresh_coverage(conn)


def refresh_coverage(conn: sqlite3.Connection) -> None:
    """Work out again the coverage facts of the pupils this transaction touched (the triggers
    listed them in coverage_stale); the module that knows how is loaded only when there are some,
    so a write that touches none (and the app's start) does not load it. ``transaction`` calls
    this before it commits; a long write may call it on the way too, to spread the work."""
    try:
        stale = conn.execute("SELECT EXISTS (SELECT 1 FROM coverage_stale)").fetchone()[0]
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):         # a file on its way to schema 10
            return
        raise
    if stale:
        from gatsby_tui.store import coverage_facts

        coverage_facts.refresh(conn)


def configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")


def connect(path: Path, *, timeout: float = 5.0) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None, check_same_thread=False)
    configure(conn)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, *,
                before_commit: Callable[[], object] | None = None) -> Iterator[sqlite3.Connection]:
    """One write = one transaction, taking the write lock at its start (BEGIN IMMEDIATE), so two
    copies of the app never both start a write and then find they must give one up. When another
    copy is writing, this one waits its turn (busy_timeout); if the file stays busy, or the disk
    fails, the write is rolled back whole and a StoreError says what happened in a sentence.
    ``before_commit`` runs last, just before the COMMIT; if it raises, nothing is committed (an
    import waits there for the backup it started)."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        raise StoreError(_write_failed(conn, e)) from None
    try:
        yield conn
        refresh_coverage(conn)           # the facts change in the same transaction as the records
        if before_commit is not None:
            before_commit()
        conn.execute("COMMIT")
    except BaseException as e:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass              # the transaction is already gone (SQLite rolled it back itself)
        if isinstance(e, sqlite3.OperationalError):
            raise StoreError(_write_failed(conn, e)) from None
        raise


def _database_file(conn: sqlite3.Connection) -> Path | None:
    try:
        row = conn.execute("PRAGMA database_list").fetchone()
        return Path(row[2]) if row and row[2] else None
    except sqlite3.Error:
        return None


def _write_failed(conn: sqlite3.Connection, error: sqlite3.OperationalError) -> str:
    """A failed write, in words: nothing of it was saved; what to do."""
    text = str(error).lower()
    path = _database_file(conn)
    where = str(path) if path else "the database"
    if _is_locked(error):
        who = ""
        if path is not None:
            from gatsby_tui.store import presence

            who = presence.describe_others(path)
        holder = f" It is also open by {who}." if who else " Another program (perhaps another copy of gatsby-tui) is using it."
        return (f"Not saved: {where} was busy for too long.{holder} Nothing you typed is lost: "
                "try again in a moment.")
    if "full" in text:
        return f"Not saved: the disk holding {where} is full. Free some space and try again; nothing was half-written."
    if "readonly" in text or "read-only" in text:
        return (f"Not saved: {where} is open read-only (it may be damaged, or you may not write to it). "
                "Restore a backup, or open a copy of your own.")
    if "malformed" in text or "corrupt" in text or "not a database" in text:
        return (f"Not saved: {where} is damaged. Close the app and restore the newest backup "
                "(gatsby-tui restore BACKUP --db PATH).")
    return f"Not saved: {where} could not be written ({error}). Nothing was half-written: try again."


def header_version(path: Path) -> int:
    """PRAGMA user_version, read from the file header without opening SQLite."""
    with open(path, "rb") as f:
        header = f.read(100)
    return struct.unpack(">i", header[60:64])[0]


def _is_locked(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _locked_message(path: Path) -> str:
    from gatsby_tui.store import presence

    who = presence.describe_others(path) or "perhaps another copy of gatsby-tui"
    return (f"{path} is in use by another program ({who}), which is writing to it now: "
            "try again in a moment, or close it there first.")


def create_database(path: Path) -> sqlite3.Connection:
    """Create a new database from schema.sql, owner-only, all or nothing."""
    parent = path.parent
    if not parent.is_dir():
        raise OpenError(f"The folder {parent} does not exist: create it first, or choose another path.")
    if not os.access(parent, os.W_OK):
        raise OpenError(f"Cannot create {path}: you may not write to {parent}. Choose a folder of your own.")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".creating", dir=parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, 0o600)
        conn = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.executescript("BEGIN;\n" + schema_sql() + "\nCOMMIT;")
        finally:
            conn.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return connect(path)


def migrate(conn: sqlite3.Connection, path: Path, migrations: Sequence[Migration], target: int,
            on_upgrade: Callable[[int, int], None] | None = None) -> Path | None:
    """Upgrade the file to schema ``target`` in one transaction, after a verified backup;
    ``on_upgrade(from, to)`` is told first (on a large file this takes a while)."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current >= target:
        return None
    pending = [(v, step) for v, step in migrations if current < v <= target]
    if not pending or pending[-1][0] != target:
        raise OpenError(
            f"{path} was made by an older version (schema {current}) that this version cannot "
            "upgrade: open it with an intermediate release first.")
    if on_upgrade is not None:
        on_upgrade(current, target)
    from gatsby_tui.store import backup as backups     # only an upgrade needs it here

    saved = backups.take(conn, path, f"before-upgrade-to-v{target}")   # verified, or StoreError: no upgrade
    with transaction(conn):
        # Another process may have upgraded the file since it was read (two opened at once): under
        # the write lock, only the steps still to do are done.
        done = conn.execute("PRAGMA user_version").fetchone()[0]
        for version, step in pending:
            if version <= done:
                continue
            if callable(step):
                step(conn)
            else:
                for statement in step:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {int(version)}")
    return saved


def open_database(
    path: str | os.PathLike[str],
    *,
    create: bool = True,
    migrations: Sequence[Migration] | None = None,
    schema_version: int | None = None,
    lock_timeout: float = 2.0,
    on_upgrade: Callable[[int, int], None] | None = None,
) -> sqlite3.Connection:
    """Open (or create) a gatsby-tui database, ready to use, or raise OpenError. A file made by
    an older version is upgraded, ``on_upgrade(from, to)`` told before it starts."""
    path = Path(path).expanduser()
    migrations = MIGRATIONS if migrations is None else migrations
    target = SCHEMA_VERSION if schema_version is None else schema_version
    if not path.exists():
        if path.is_symlink():
            raise OpenError(f"{path} is a link to a file that does not exist: give the real path.")
        if not create:
            raise OpenError(f"{path} does not exist: check the path.")
        try:
            return create_database(path)
        except OSError as e:
            raise OpenError(f"Cannot create {path}: {e.strerror or e}. Choose another path.") from None
    if path.is_dir():
        raise OpenError(f"{path} is a folder, not a database file: give the path of a .db file inside it.")
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except PermissionError:
        raise OpenError(f"{path} cannot be read: you do not have permission. "
                        "Ask whoever owns the file, or open a copy of your own.") from None
    except OSError as e:
        raise OpenError(f"{path} cannot be read ({e.strerror or e}): check the path.") from None
    if not header:
        raise OpenError(f"{path} is an empty file, not a gatsby-tui database: give the database's path, "
                        "or a path that does not exist yet to create a new one.")
    if not header.startswith(SQLITE_HEADER) or len(header) < 100:
        raise OpenError(f"{path} is not an SQLite database (it may be another kind of file): "
                        "check the path, or restore the database from a backup.")
    foreign = problem_in_header(path, header)
    if foreign is not None:
        raise OpenError(foreign)
    version = struct.unpack(">i", header[60:64])[0]
    if version > target:
        raise OpenError(f"{path} was made by a newer version of gatsby-tui (schema {version}; this one "
                        f"knows {target}): upgrade gatsby-tui to open it.")
    if not os.access(path, os.W_OK):
        raise OpenError(f"{path} is read-only for you: ask whoever owns it for write access, "
                        "or open a copy of your own.")
    problem = problem_in_tables(path, header, lock_timeout)      # read-only: nothing is written to a file not ours
    if problem is not None:
        raise OpenError(problem)
    conn = sqlite3.connect(str(path), timeout=lock_timeout, isolation_level=None, check_same_thread=False)
    try:
        try:
            configure(conn)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as e:
            if _is_locked(e):
                raise OpenError(_locked_message(path)) from None
            raise OpenError(f"{path} is damaged or not a database ({e}): restore it from a backup.") from None
        problem = problem_in_table_names(path, header, tables)    # when the read-only look could not tell
        if problem is not None:
            raise OpenError(problem)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        except sqlite3.OperationalError as e:
            if _is_locked(e):
                raise OpenError(_locked_message(path)) from None
            raise
        if version < target:
            try:
                migrate(conn, path, migrations, target, on_upgrade)
            except (sqlite3.Error, StoreError) as e:
                if isinstance(e, OpenError):
                    raise
                raise OpenError(f"{path} could not be upgraded ({e}); it is unchanged: "
                                "report this, and keep using the previous version meanwhile.") from None
        conn.execute("PRAGMA busy_timeout = 5000")
        return conn
    except BaseException:
        conn.close()
        raise
