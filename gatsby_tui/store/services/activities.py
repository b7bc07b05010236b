"""Careers activities and who took part (SQL in store/activities.py)."""

from __future__ import annotations

import sqlite3
from typing import Any, Mapping, Sequence

from gatsby_tui.store.db import StoreError
from gatsby_tui.store.services import Service


class Activities(Service):
    """Careers activities and the pupils who took part."""

    def check(self, raw: Mapping[str, Any]) -> Any:
        """activities.CheckedActivity (.values, .benchmarks, .warnings); raises ActivityInvalid (.errors)."""
        from gatsby_tui.store import activities

        return activities.check(raw, today=self.today)

    def add(self, raw: Mapping[str, Any]) -> int:
        from gatsby_tui.store import activities

        checked = activities.check(raw, today=self.today)
        return activities.add(self.conn, checked, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def update(self, activity_id: int, raw: Mapping[str, Any]) -> bool:
        from gatsby_tui.store import activities

        checked = activities.check(raw, today=self.today)
        return activities.update(self.conn, activity_id, checked, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def delete(self, activity_id: int) -> int:
        """Deletes the activity and its attendance; returns how many pupils it had."""
        from gatsby_tui.store import activities

        return activities.delete(self.conn, activity_id, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def get(self, activity_id: int) -> dict[str, Any] | None:
        """The activity's columns plus benchmarks (tuple), kind_label, pupils (count), programme_item."""
        from gatsby_tui.store import activities

        return activities.get(self.conn, activity_id)

    def form_values(self, activity_id: int) -> dict[str, Any]:
        from gatsby_tui.store import activities

        row = activities.get(self.conn, activity_id)
        if row is None:
            raise StoreError("That activity is no longer in the database.")
        return activities.form_values(row)

    def page(self, *, search: str | None = None, kind: str | None = None, benchmark: int | None = None,
             school_year: int | None = None, after: tuple[str, int] | None = None,
             limit: int = 100) -> list[Any]:
        """activities.ActivityRow pages, newest first; ``after``: the last row's .key."""
        from gatsby_tui.store import activities

        return activities.page(self.conn, search=search, kind=kind, benchmark=benchmark, school_year=school_year,
                               after=after, limit=limit)

    def count(self, *, search: str | None = None, kind: str | None = None, benchmark: int | None = None,
              school_year: int | None = None) -> int:
        from gatsby_tui.store import activities

        return activities.count(self.conn, search=search, kind=kind, benchmark=benchmark, school_year=school_year)

    def attendees(self, activity_id: int, *, after: tuple[str, int] | None = None,
                  limit: int = 200) -> list[Any]:
        """activities.Attendee pages by name; ``after``: (sort_name, pupil_id) of the last row."""
        from gatsby_tui.store import activities

        return activities.attendees(self.conn, activity_id, after=after, limit=limit)

    def group(self, activity_id: int, group: Any) -> list[Any]:
        """Who an activities.Group (year / form / ids) means for this activity: on roll that day."""
        from gatsby_tui.store import activities

        return activities.group_members(self.conn, activity_id, group)

    def attach(self, activity_id: int, pupil_ids: Sequence[int]) -> int:
        """One transaction; returns how many were newly attached. Refuses pupils not on roll that day."""
        from gatsby_tui.store import activities

        return activities.attach(self.conn, activity_id, pupil_ids, stamp=self.clock.stamp(),
                                 adviser_id=self.adviser_id)

    def attach_group(self, activity_id: int, group: Any, absent: Sequence[int] = ()) -> int:
        """A year group, a form or chosen pupils, minus the absentees, in one transaction."""
        from gatsby_tui.store import activities

        return activities.attach_group(self.conn, activity_id, group, absent=absent, stamp=self.clock.stamp(),
                                       adviser_id=self.adviser_id)

    def detach(self, activity_id: int, pupil_ids: Sequence[int]) -> int:
        from gatsby_tui.store import activities

        return activities.detach(self.conn, activity_id, pupil_ids, stamp=self.clock.stamp(),
                                 adviser_id=self.adviser_id)

    def for_pupil(self, pupil_id: int, limit: int = 500) -> list[sqlite3.Row]:
        from gatsby_tui.store import activities

        return activities.for_pupil(self.conn, pupil_id, limit)
