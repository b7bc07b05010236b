"""A pupil's history: meetings, records, actions and register changes on one timeline (SQL in
store/history.py)."""

from __future__ import annotations

from typing import Any

from gatsby_tui.store import history
from gatsby_tui.store.services import Service


class History(Service):
    """A pupil's history on one timeline, its summary, and what an item opens."""

    def for_pupil(self, pupil_id: int, limit: int = 200, *, kind: str | None = None,
                  search: str | None = None) -> list[history.Event]:
        """Newest first; ``kind`` 'meeting', 'record', 'action' or 'register'; ``search`` text
        within title and detail (case ignored)."""
        return history.for_pupil(self.conn, pupil_id, limit, kind=kind, search=search)

    def summary(self, pupil_id: int) -> dict[str, Any]:
        return history.summary(self.conn, pupil_id, today=self.today,
                               now=self.clock.now().strftime("%Y-%m-%dT%H:%M"))

    def target(self, ref: str) -> str:
        """'amendment:3' -> 'record:5' etc.: what to open for a history item."""
        return history.target(self.conn, ref)
