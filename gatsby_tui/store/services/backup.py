"""Backups: taking a verified copy, listing the copies, restoring one (SQL and files in store/backup.py)."""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any

from gatsby_tui.store.errors import StoreError
from gatsby_tui.store.services import Service


class Backup(Service):
    """Verified backups of the database file, and restoring one."""

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self._stop = threading.Event()     # set when the app closes: a backup in a worker gives up

    def folder(self) -> Path:
        from gatsby_tui.store import backup

        return backup.folder_for(self.path, self.store.settings.get("backup_folder"))

    def take(self, reason: str = "by-hand", *, folder: Path | None = None) -> Path:
        """A verified backup now (store/backup.py); StoreError in words if it cannot be taken
        or the copy fails its check (then the database itself is probably damaged)."""
        from gatsby_tui.store import backup

        return backup.take(self.conn, self.path, reason, folder=folder)

    def take_in_thread(self, reason: str) -> Path:
        """The same, on a connection of its own, for a worker thread (the UI keeps its own)."""
        from gatsby_tui.store import backup
        from gatsby_tui.store.db import connect

        conn = connect(self.path)
        try:
            conn.execute("PRAGMA busy_timeout = 5000")
            return backup.take(conn, self.path, reason, folder=self.folder(), stop=self._stop)
        finally:
            conn.close()

    def start(self, reason: str) -> "Pending":
        """A verified copy started now in a thread, on a connection of its own, while this
        connection goes on reading (the import copies while it checks the file's rows); it becomes
        a backup only when ``Pending.keep`` is called, and ``Pending.drop`` removes it."""
        return Pending(self, reason)

    def stop(self) -> None:
        """Give up a backup running in a worker thread (the app is closing): it stops within a
        few hundred pages, removes its temporary copy and raises backup.Stopped."""
        self._stop.set()

    def copies(self) -> list[Any]:
        from gatsby_tui.store import backup

        return backup.backups(self.path, self.folder())

    def newest_good(self) -> Any:
        from gatsby_tui.store import backup

        return backup.newest_good(self.path, self.folder())

    def restore(self, source: str | os.PathLike[str]) -> Path | None:
        """Replace the database's content with the backup ``source`` (what it replaces is backed
        up first); the store keeps working on the restored data."""
        from gatsby_tui.store import backup

        result = backup.restore(Path(source).expanduser(), self.conn, self.path, folder=self.folder())
        self.store.read_only(False)
        self.store.coverage.forget()
        return result

    def holding_data(self) -> list[Path]:
        """Backup copies of this database on disk (the backup folder, and older copies beside the
        file): they hold pupils erased since they were taken, until they are rotated out."""
        found: set[Path] = set()
        try:
            from gatsby_tui.store import backup

            found.update(b.path for b in backup.backups(self.path, backup.folder_for(
                self.path, backup.chosen_folder(self.conn))))
        except (ImportError, AttributeError, OSError, sqlite3.Error):
            pass
        beside = self.path.parent
        found.update(p for p in beside.glob(f"{self.path.stem}.*backup*") if p.is_file())
        for folder in (beside / "backups", beside / f"{self.path.stem}-backups"):
            if folder.is_dir():
                found.update(p for p in folder.iterdir() if p.is_file() and p.name.startswith(self.path.stem))
        return sorted(found)


class Pending:
    """A backup copied and checked in a thread of its own (``Backup.start``) while the store's
    connection goes on reading and writing.

    The thread opens the file read-only on a connection of its own and copies it in one read
    snapshot, then checks the copy and syncs it to disk; nothing it does touches the store's
    connection. ``keep`` waits for the thread and gives the copy a backup's name. An import calls it
    inside its write transaction, just before the commit, so the copy is made and checked while the
    rows are checked and written, and nothing is committed without a verified backup.

    If another program committed to the file since the copy began, the copy may lack that write:
    outside a transaction ``keep`` takes a backup afresh instead; inside one it raises
    ``backup.Outdated`` (a backup taken there would hold the transaction's own changes). ``drop``
    waits for the thread (for the copy only, if its check has not begun) and removes the copy;
    after ``keep`` it does nothing. A failure to copy is raised by ``keep``, so a caller that turns
    out to write nothing is not stopped by it."""

    def __init__(self, service: Backup, reason: str) -> None:
        from gatsby_tui.store import backup

        self._service = service
        self._reason = reason
        self._copy: backup.Copy | None = None
        self._problem: str | None = None
        self._error: BaseException | None = None
        self._done = False
        self._dropped = threading.Event()       # set by drop: the copy is not wanted
        # Before the thread's snapshot begins: a commit by another program after this reading,
        # even one the copy holds, makes ``keep`` take the backup afresh.
        self._version = self._data_version()
        self._folder = service.folder()
        self._new_folder = not self._folder.exists()    # made by this copy: removed with it if left empty
        self._thread = threading.Thread(target=self._copy_and_verify, name=f"backup {reason}", daemon=True)
        self._thread.start()

    def _data_version(self) -> int:
        # Changes whenever another connection, of this process or another, commits to the file.
        return self._service.conn.execute("PRAGMA data_version").fetchone()[0]

    def _copy_and_verify(self) -> None:
        from gatsby_tui.store import backup

        try:
            path = self._service.path
            conn = sqlite3.connect(backup.read_only_uri(path), uri=True, timeout=5.0, isolation_level=None)
            try:
                self._copy = backup.start_copy(conn, path, folder=self._folder)
            finally:
                conn.close()
            if self._dropped.is_set():        # not wanted after all (the file to import was unreadable)
                return
            self._problem = backup.verify_copy(self._copy)
        except sqlite3.Error as e:        # the file could not be opened to copy it
            self._error = StoreError(f"The backup was not taken: {self._service.path} could not be read ({e}). "
                                     "Try again in a moment.")
        except BaseException as e:        # handed to the caller by keep()
            self._error = e

    def behind_writer(self) -> None:
        """The copy's thread at the lowest priority from now on, where a thread may have its own
        (Linux): for a caller that writes while the copy is checked. The backup only has to be done
        by the time it is kept, so the writer goes first: on two processors an import into 200,000
        pupils wrote its rows ahead of the check instead of sharing a processor with it. Not for a
        caller that waits for the backup before it writes: then the backup is all it waits for."""
        tid = self._thread.native_id
        if sys.platform.startswith("linux") and tid is not None and self._thread.is_alive():
            try:
                os.setpriority(os.PRIO_PROCESS, tid, 19)
            except OSError:
                pass

    def _wait(self) -> None:
        self._thread.join()

    def keep(self) -> Path:
        """The backup, verified and named; StoreError in words as ``Backup.take``."""
        from gatsby_tui.store import backup

        self._wait()
        self._done = True
        if self._error is not None:
            if self._copy is not None:
                backup.drop_copy(self._copy)
            raise self._error
        assert self._copy is not None
        if self._data_version() != self._version:
            backup.drop_copy(self._copy)
            if self._service.conn.in_transaction:
                raise backup.Outdated()
            return self._service.take(self._reason)
        backup.finish_copy(self._service.conn, self._copy, self._problem)
        return backup.keep_copy(self._copy, self._reason)

    def drop(self) -> None:
        from gatsby_tui.store import backup

        if self._done:
            return
        self._done = True
        self._dropped.set()
        self._wait()
        if self._copy is not None:
            backup.drop_copy(self._copy)
        if self._new_folder:
            try:
                self._folder.rmdir()       # only if empty
            except OSError:
                pass
