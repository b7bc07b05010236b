"""Individual plans for pupils with SEND: versions, targets, reviews (SQL in store/plans.py; rules in
domain/send.py)."""

from __future__ import annotations

from typing import Any, Mapping

from gatsby_tui.store.services import Service


class Plans(Service):
    """Individual plans for pupils with SEND: versions, targets, reviews, and the reviews due."""

    def get(self, pupil_id: int, version: int | None = None) -> dict[str, Any] | None:
        """The pupil's plan with version ``version`` shown (default the current one), or None.
        Keys: the plans columns, pupil, versions, current_version, shown, reviews, due, ..."""
        from gatsby_tui.store import plans

        return plans.get_plan(self.conn, pupil_id, version, today=self.today)

    def create(self, pupil_id: int, values: Mapping[str, Any]) -> int:
        """Version 1 from aspirations, strengths, needs, support and the plan's dates (UK dates).
        Raises plans.PlanInvalid (.errors per field) or StoreError."""
        from gatsby_tui.store import plans

        return plans.create_plan(self.conn, pupil_id, values, stamp=self.clock.stamp(), adviser_id=self.adviser_id,
                                 today=self.today)

    def update(self, plan_id: int, values: Mapping[str, Any], *,
               original: Mapping[str, Any] | None = None) -> list[str]:
        """Edit the current version's text and the plan's dates in place; returns the fields changed.
        ``original``: the plan (``store.plans.get``) as the form opened it: only what was changed there is
        written, refused if someone else changed it meanwhile."""
        from gatsby_tui.store import plans

        return plans.update_plan(self.conn, plan_id, values, stamp=self.clock.stamp(), adviser_id=self.adviser_id,
                                 original=original, today=self.today)

    def add_target(self, plan_id: int, values: Mapping[str, Any]) -> int:
        """values: area, outcome, what, by_when, who_helps, status, evidence (on the current version)."""
        from gatsby_tui.store import plans

        return plans.add_target(self.conn, plan_id, values, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def update_target(self, target_id: int, values: Mapping[str, Any], *,
                      original: Mapping[str, Any] | None = None) -> list[str]:
        """Refused for a target of an earlier (closed) version."""
        from gatsby_tui.store import plans

        return plans.update_target(self.conn, target_id, values, stamp=self.clock.stamp(),
                                   adviser_id=self.adviser_id,
                                   original=original)

    def hold_review(self, plan_id: int, values: Mapping[str, Any]) -> tuple[int, int]:
        """Record a review held; it makes the next version. Returns (review id, version id)."""
        from gatsby_tui.store import plans

        return plans.hold_review(self.conn, plan_id, values, stamp=self.clock.stamp(), today=self.today,
                                 adviser_id=self.adviser_id)

    def compare(self, plan_id: int, old: int, new: int | None = None) -> list[Any]:
        """domain.send.Change rows from version ``old`` to ``new`` (default the current one)."""
        from gatsby_tui.store import plans

        return plans.compare(self.conn, plan_id, old, new)

    def reviews_due(self, after: tuple[str, str, int] | None = None, limit: int = 200) -> list[Any]:
        """plans.DueRow pages, most urgent first; ``after``: the last row's .key."""
        from gatsby_tui.store import plans

        return plans.reviews_due(self.conn, today=self.today, after=after, limit=limit)

    def reviews_due_count(self) -> int:
        from gatsby_tui.store import plans

        return plans.reviews_due_count(self.conn, today=self.today)
