"""Actions agreed at meetings and the follow-ups list across pupils (SQL in store/records.py)."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import TYPE_CHECKING, Any, Mapping

from gatsby_tui.store.services import Service

if TYPE_CHECKING:
    from gatsby_tui.store.records import FollowUp


class Actions(Service):
    """Actions agreed at meetings, their changes, and the follow-ups list across pupils."""

    def add(self, *, pupil_id: int, description: str, owner: str, due: str | date | None = None,
            record_id: int | None = None, adviser_id: int | None = None) -> int:
        """``adviser_id``: who follows it up (default the adviser using the app)."""
        from gatsby_tui.store import records

        return records.add_action(self.conn, pupil_id=pupil_id, record_id=record_id, description=description,
                                  owner=owner, due=due,
                                  adviser_id=adviser_id if adviser_id is not None else self.adviser_id,
                                  stamp=self.clock.stamp())

    def set_status(self, action_id: int, status: str, note: str | None = None, *,
                   original: Mapping[str, Any] | None = None) -> None:
        """``original``: the action (status, owner) as shown when the change was chosen; refused
        if someone else changed its status meanwhile."""
        from gatsby_tui.store import records

        records.set_action_status(self.conn, action_id, status, note=note, stamp=self.clock.stamp(),
                                  adviser_id=self.adviser_id, original=original)

    def reassign(self, action_id: int, owner: str, note: str | None = None, *,
                 original: Mapping[str, Any] | None = None) -> None:
        """``original``: as for set_action_status; refused if someone else reassigned it meanwhile."""
        from gatsby_tui.store import records

        records.reassign_action(self.conn, action_id, owner, note=note, stamp=self.clock.stamp(),
                                adviser_id=self.adviser_id, original=original)

    def events(self, action_id: int) -> list[sqlite3.Row]:
        from gatsby_tui.store import records

        return records.action_events(self.conn, action_id)

    def for_pupil(self, pupil_id: int, open_only: bool = False) -> list[sqlite3.Row]:
        from gatsby_tui.store import records

        return records.actions_for_pupil(self.conn, pupil_id, open_only=open_only)

    def follow_ups(self, *, owner: str | None = None, due_before: str | date | None = None,
                   adviser_id: int | None = None, limit: int = 200,
                   after: tuple[str | None, int] | None = None) -> list[FollowUp]:
        """Open actions across pupils, overdue first, undated last; ``after``: last row's .key."""
        from gatsby_tui.store import records

        return records.follow_ups(self.conn, today=self.today, owner=owner, due_before=due_before,
                                  adviser_id=adviser_id, limit=limit, after=after)

    def follow_ups_count(self, *, owner: str | None = None, due_before: str | date | None = None,
                         adviser_id: int | None = None) -> tuple[int, int]:
        """(open actions, of which overdue) for the same filters as ``store.actions.follow_ups``."""
        from gatsby_tui.store import records

        return records.follow_ups_count(self.conn, today=self.today, owner=owner, due_before=due_before,
                                        adviser_id=adviser_id)

    def detail(self, action_id: int) -> dict[str, Any] | None:
        """The action with pupil_name, intake_year, adviser_name, record_held_at and ``events``
        (every status or owner change, oldest first), or None."""
        from gatsby_tui.store import records

        return records.action_detail(self.conn, action_id)
