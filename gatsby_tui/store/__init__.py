"""The store: everything the app knows, on one SQLite file. Never imports Textual.

``Store`` is the one object screens and the CLI talk to; the modules beside it
hold the SQL, one per area of data.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from gatsby_tui.clock import Clock
from gatsby_tui.store import audit, history, pupils
from gatsby_tui.store.db import OpenError, StoreError, open_database, transaction
from gatsby_tui.store.pupils import Checked, PupilFilter, PupilInvalid, RegisterRow

if TYPE_CHECKING:  # the importer (csv handling) loads only when an import starts
    from gatsby_tui.store import importer

__all__ = ["Store", "StoreError", "OpenError", "PupilFilter", "PupilInvalid", "RegisterRow", "Checked"]


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock | None = None) -> None:
        self.conn = conn
        self.path = path
        self.clock = clock or Clock()
        self.adviser_id: int | None = None

    @classmethod
    def open(cls, path: str | Path, *, clock: Clock | None = None, create: bool = True, **kw: Any) -> "Store":
        path = Path(path).expanduser()
        return cls(open_database(path, create=create, **kw), path, clock)

    def close(self) -> None:
        self.conn.close()

    def reopen(self) -> "Store":
        """A second connection to the same file, for a worker thread."""
        other = Store.open(self.path, clock=self.clock, create=False)
        other.adviser_id = self.adviser_id
        return other

    @property
    def today(self) -> date:
        return self.clock.today()

    # ------------------------------------------------------------ settings
    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def set_setting(self, key: str, value: str) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    # ------------------------------------------------------------ pupils
    def validate_pupil(self, raw: Mapping[str, Any]) -> Checked:
        return pupils.validate(raw, today=self.today)

    def register_page(self, f: PupilFilter, after: tuple | None = None, limit: int = 100) -> list[RegisterRow]:
        return pupils.page(self.conn, f, today=self.today, now=self.clock.now().strftime("%Y-%m-%dT%H:%M"),
                           after=after, limit=limit)

    def register_count(self, f: PupilFilter) -> int:
        return pupils.count(self.conn, f, today=self.today)

    def pupil(self, pupil_id: int) -> sqlite3.Row | None:
        return pupils.get(self.conn, pupil_id)

    def pupil_by_upn(self, upn: str) -> sqlite3.Row | None:
        return pupils.by_upn(self.conn, upn)

    def pupil_form_values(self, pupil_id: int) -> dict[str, Any]:
        row = self.pupil(pupil_id)
        if row is None:
            raise StoreError("That pupil is no longer on the register.")
        return pupils.form_values(row, self.today)

    def describe_pupil(self, row: Mapping[str, Any]) -> str:
        return pupils.describe(row, self.today)

    def add_pupil(self, checked: Checked) -> int:
        return pupils.add(self.conn, checked, stamp=self.clock.stamp(), today=self.today,
                          adviser_id=self.adviser_id)

    def update_pupil(self, pupil_id: int, checked: Checked) -> bool:
        return pupils.update(self.conn, pupil_id, checked, stamp=self.clock.stamp(), today=self.today,
                             adviser_id=self.adviser_id)

    def set_pupil_left(self, pupil_id: int, left_on: date | None) -> None:
        pupils.set_left(self.conn, pupil_id, left_on, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def pupil_interviews(self, pupil_id: int, limit: int = 50) -> list[sqlite3.Row]:
        return pupils.interviews_for(self.conn, pupil_id, limit)

    def pupil_audit(self, pupil_id: int, limit: int = 200) -> list[sqlite3.Row]:
        return audit.for_pupil(self.conn, pupil_id, limit)

    def pupil_history(self, pupil_id: int, limit: int = 200) -> list[history.Event]:
        return history.for_pupil(self.conn, pupil_id, limit)

    # ------------------------------------------------------------ import
    def plan_import(self, path: str | Path) -> "importer.ImportPlan":
        """What importing an MIS CSV export would do, row by row; writes nothing."""
        from gatsby_tui.store import importer

        return importer.plan_import(self.conn, path, today=self.today)

    def apply_import(self, plan: "importer.ImportPlan", *, skip_invalid: bool = False,
                     progress: "importer.Progress | None" = None) -> "importer.ImportResult":
        """Write a plan made by ``plan_import`` in one transaction (all or nothing)."""
        from gatsby_tui.store import importer

        return importer.apply_import(self.conn, plan, stamp=self.clock.stamp(), today=self.today,
                                     adviser_id=self.adviser_id, skip_invalid=skip_invalid, progress=progress)
