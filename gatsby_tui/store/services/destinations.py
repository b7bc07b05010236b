"""Destinations: intended and actual, the three years of checks, leaving cohorts (SQL in
store/destinations.py)."""

from __future__ import annotations

from typing import Any, Mapping

from gatsby_tui.store.services import Service


class Destinations(Service):
    """Intended and actual destinations, the checks after leaving, and each leaving cohort."""

    def for_pupil(self, pupil_id: int) -> dict[str, Any]:
        """pupil, intended, actual, checks, schedule (the 1-, 2-, 3-year checks), refusal."""
        from gatsby_tui.store import destinations

        return destinations.for_pupil(self.conn, pupil_id, today=self.today)

    def record_intended(self, pupil_id: int, values: Mapping[str, Any]) -> int:
        """values: code (number or part of the name), provider, course_or_role, offer_status,
        offer_provider, at_year, recorded_on. Raises destinations.DestinationInvalid or StoreError."""
        from gatsby_tui.store import destinations

        return destinations.record_intended(self.conn, pupil_id, values, stamp=self.clock.stamp(), today=self.today,
                                            adviser_id=self.adviser_id)

    def record_actual(self, pupil_id: int, values: Mapping[str, Any]) -> int:
        """values: code, provider, course_or_role, start_date, checked_on, method, note. A leaver
        without consent is refused (destinations.NoConsent)."""
        from gatsby_tui.store import destinations

        return destinations.record_actual(self.conn, pupil_id, values, stamp=self.clock.stamp(), today=self.today,
                                          adviser_id=self.adviser_id)

    def record_check(self, pupil_id: int, values: Mapping[str, Any]) -> int:
        """values: checked_on, method, code (optional), provider, note."""
        from gatsby_tui.store import destinations

        return destinations.record_check(self.conn, pupil_id, values, stamp=self.clock.stamp(), today=self.today,
                                         adviser_id=self.adviser_id)

    def set_offer(self, destination_id: int, values: Mapping[str, Any], *,
                  original: Mapping[str, Any] | None = None) -> None:
        """values: offer_status (offered / accepted / none), offer_provider. ``original``: the
        destination as the form opened it (only what was changed there is written)."""
        from gatsby_tui.store import destinations

        destinations.set_offer(self.conn, destination_id, values, stamp=self.clock.stamp(),
                               adviser_id=self.adviser_id, original=original)

    def set_consent(self, pupil_id: int, consent: bool) -> bool:
        from gatsby_tui.store import destinations

        return destinations.set_consent(self.conn, pupil_id, consent, stamp=self.clock.stamp(),
                                        adviser_id=self.adviser_id)

    def cohorts(self) -> list[int]:
        from gatsby_tui.store import destinations

        return destinations.cohorts(self.conn)

    def default_cohort(self) -> int:
        from gatsby_tui.store import destinations

        return destinations.default_cohort(self.conn, self.today)

    def leavers_page(self, cohort: int, view: str = "all", after: tuple[str, int] | None = None,
                     limit: int = 200) -> list[Any]:
        """destinations.LeaverRow pages by name; view 'all', 'unknown', 'neet' or 'checks_due'."""
        from gatsby_tui.store import destinations

        return destinations.leavers_page(self.conn, cohort, today=self.today, view=view, after=after, limit=limit)

    def leavers_count(self, cohort: int, view: str = "all") -> int:
        from gatsby_tui.store import destinations

        return destinations.leavers_count(self.conn, cohort, today=self.today, view=view)

    def all_leavers(self, cohort: int, view: str = "all") -> Any:
        """Every leaver of the cohort, a page at a time (an iterator)."""
        from gatsby_tui.store import destinations

        return destinations.all_leavers(self.conn, cohort, today=self.today, view=view)

    def cohort_summary(self, cohort: int) -> Any:
        """destinations.CohortSummary: total, counts per bucket (education ... not known), percent()."""
        from gatsby_tui.store import destinations

        return destinations.cohort_summary(self.conn, cohort, today=self.today)
