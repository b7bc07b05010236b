"""The audit log: what was done, by whom, to whom (SQL in store/audit.py)."""

from __future__ import annotations

import sqlite3


from gatsby_tui.store import audit
from gatsby_tui.store.services import Service


class Audit(Service):
    """The audit log, read: a pupil's or an adviser's entries, newest first."""

    def for_pupil(self, pupil_id: int, limit: int = 200) -> list[sqlite3.Row]:
        return audit.for_pupil(self.conn, pupil_id, limit)

    def for_adviser(self, adviser_id: int, limit: int = 200) -> list[sqlite3.Row]:
        return audit.for_adviser(self.conn, adviser_id, limit)

    def entries(self, *, pupil_id: int | None = None, adviser_id: int | None = None, limit: int = 200,
                after: tuple[str, int] | None = None) -> list[sqlite3.Row]:
        """A pupil's or an adviser's audit entries, newest first, keyset-paged on (at, id)."""
        return audit.entries(self.conn, pupil_id=pupil_id, adviser_id=adviser_id, limit=limit, after=after)

    def count(self, *, pupil_id: int | None = None, adviser_id: int | None = None) -> int:
        return audit.count(self.conn, pupil_id=pupil_id, adviser_id=adviser_id)

    def get(self, entry_id: int) -> sqlite3.Row | None:
        return audit.get(self.conn, entry_id)
