"""Telling a gatsby-tui database from any other SQLite file, without writing to it.

Every gatsby-tui database is stamped with ``PRAGMA application_id`` = 'GATS' (schema.sql stamps
a new file; migration 4 stamps an older one). A file made before the stamp (schema 1 to 3) is
recognised by holding every table those versions made, and is stamped when it is upgraded.
Anything else (another program's stamp; an unstamped file at another version or without those
tables, such as one with only ``pupils`` and ``audit_log``) is refused in one sentence, and
nothing is written to it: its tables are read over a read-only connection.
"""

from __future__ import annotations

import os
import sqlite3
import struct
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"

# The identity every gatsby-tui database is stamped with (PRAGMA application_id, in the file's
# header at offset 68): 'GATS' as a big-endian 32-bit number. schema.sql stamps a new file;
# migration 4 stamps an older file of ours, recognised by its tables, when it is upgraded.
APPLICATION_ID = int.from_bytes(b"GATS", "big")          # 1195463763
# Files made before the stamp (schema versions 1 to 3) have no application_id; they are known by
# holding every one of these tables (all that schema versions 1 to 3 created).
UNSTAMPED_UP_TO = 3
UNSTAMPED_TABLES = frozenset({
    "settings", "schools", "advisers", "pupils", "pupils_fts", "clinic_hours", "clinic_exceptions", "interviews",
    "interview_events", "meeting_records", "record_amendments", "drafts", "snippets", "actions", "action_events",
    "nccis_codes", "destinations", "destination_checks", "plans", "plan_versions", "plan_targets", "plan_reviews",
    "programme_items", "activities", "activity_benchmarks", "activity_pupils", "subject_access_requests",
    "exports_given", "audit_log", "erasures_in_progress"})
# What a stamped file must hold for the app to work at all.
CORE_TABLES = frozenset({"settings", "pupils", "audit_log", "advisers"})


def read_only_uri(path: Path) -> str:
    """The file as a read-only SQLite URI (spaces, '#' and '?' in the path quoted)."""
    return Path(os.path.abspath(path)).as_uri() + "?mode=ro"


def _application_id(header: bytes) -> int:
    return struct.unpack(">I", header[68:72])[0]


def problem_in_header(path: Path, header: bytes) -> str | None:
    """What the header alone shows: a file stamped by another program, or an unstamped file at a
    schema version gatsby-tui never left unstamped. None when it may be ours."""
    stamp, version = _application_id(header), struct.unpack(">i", header[60:64])[0]
    if stamp not in (0, APPLICATION_ID):
        return (f"{path} is an SQLite database of another program (application id {stamp:#010x}), "
                "not a gatsby-tui one: check the path.")
    if stamp == 0 and not 1 <= version <= UNSTAMPED_UP_TO:
        return f"{path} is an SQLite database but not a gatsby-tui one: check the path."
    return None


def problem_in_tables(path: Path, header: bytes, timeout: float = 1.0) -> str | None:
    """Read, without writing anything (not even a journal mode), which tables the file has: a
    stamped file must hold the ones the app cannot work without; an unstamped one every table an
    older gatsby-tui made. None when it is ours (or when it cannot be read at all, which opening
    then reports in its own words: damaged, or busy)."""
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=timeout)
    except sqlite3.Error:
        return None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()
    return problem_in_table_names(path, header, tables)


def problem_in_table_names(path: Path, header: bytes, tables: set[str]) -> str | None:
    """The judgement of ``problem_in_tables`` on tables already read."""
    if _application_id(header) == APPLICATION_ID:
        missing = sorted(CORE_TABLES - tables)
        if missing:
            return (f"{path} is a gatsby-tui database with tables missing ({', '.join(missing)}), so it is "
                    "damaged: restore it from a backup.")
        return None
    if not UNSTAMPED_TABLES <= tables:
        return f"{path} is an SQLite database but not a gatsby-tui one: check the path."
    return None


def identity_problem(path: Path) -> str | None:
    """One sentence when ``path`` is an SQLite database that is not gatsby-tui's (stamped by
    another program, or unstamped without the tables an older gatsby-tui made); None when it is
    ours, or when it cannot be told (an unreadable or damaged file: a restore may replace it)."""
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError:
        return None
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        return None
    return problem_in_header(path, header) or problem_in_tables(path, header)
