"""`gatsby-tui backup` and `gatsby-tui restore` (store/backup.py does the work)."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from gatsby_tui.cli.commands import _fail, _out
from gatsby_tui.cli.output import DATA, SAFETY, USAGE, code_for, upgrading
from gatsby_tui.store import OpenError, StoreError


def run(args: argparse.Namespace) -> int:
    return _backup(args) if args.command == "backup" else _restore(args)


def _backup(args: argparse.Namespace) -> int:
    from gatsby_tui.store import Store

    try:
        store = Store.open(args.db, create=False, on_upgrade=upgrading)
    except OpenError as e:
        return _fail(str(e), code_for(e))
    try:
        folder = Path(args.to).expanduser() if args.to else None
        path = store.backup.take("by-hand", folder=folder)
        kept = [b for b in store.backup.copies()] if folder is None else []
    except StoreError as e:
        return _fail(str(e), code_for(e))
    finally:
        store.close()
    _out(f"Backed up and checked: {path}")
    if kept:
        _out(f"{len(kept)} backups kept in {path.parent}, the newest {kept[0].words()}.")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from gatsby_tui.store import backup, presence
    from gatsby_tui.store.db import configure
    from gatsby_tui.store.identity import identity_problem

    source = Path(args.backup).expanduser()
    db = Path(args.db).expanduser()
    if not source.is_file():
        return _fail(f"{source} does not exist: give the path of a backup file.", DATA)
    if not db.is_file():
        return _fail(f"{db} does not exist: give the database to restore into.", DATA)
    if source.resolve() == db.resolve():
        return _fail("The backup and the database are the same file: give the backup's path.", USAGE)
    problem = backup.check(source)
    if problem is not None:
        return _fail(f"{source} {problem}: choose another backup.", DATA)
    foreign = identity_problem(db) or identity_problem(source)
    if foreign is not None:
        return _fail(foreign, DATA)
    others = presence.describe_others(db)
    if others:
        return _fail(f"{db} is open by {others}: close the app there first, then restore.", SAFETY)
    if not args.yes:
        return _fail(f"This replaces everything in {db} with the backup {source.name} (what is there now is "
                     "backed up first). Run again with --yes to do it.", SAFETY)
    conn = sqlite3.connect(str(db), timeout=5.0, isolation_level=None)
    try:
        try:
            configure(conn)
        except sqlite3.DatabaseError:
            pass              # a damaged file: the restore replaces it whole
        kept = backup.restore(source, conn, db)
    except StoreError as e:
        return _fail(str(e), code_for(e))
    finally:
        conn.close()
    _out(f"Restored {db} from {source}.")
    _out(f"What was there is kept in {kept}." if kept else
         "What was there could not be read as a database; a copy is kept beside it (.damaged-…).")
    return 0
