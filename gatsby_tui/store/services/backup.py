"""Backups: taking a verified copy, listing the copies, restoring one (SQL and files in store/backup.py)."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

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
