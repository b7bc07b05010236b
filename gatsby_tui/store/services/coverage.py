"""Benchmark coverage: each pupil's states and the cohort's counts, the cohort read on the store's
reader connection (SQL in store/coverage.py and store/coverage_facts.py; rules in
domain/benchmarks.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from gatsby_tui.store.services import Service


class Coverage(Service):
    """Benchmark states for a pupil and the cohort; the cohort is cached until the database changes."""

    def pupil(self, pupil_id: int) -> dict[int | str, Any]:
        """benchmarks.State per key 1-8 and 'pal': .state ('met', 'not_yet', 'not_due'), .words,
        .symbol, .missing, .summary(), .evidence."""
        from gatsby_tui.store import coverage

        return coverage.pupil_coverage(self.conn, pupil_id, today=self.today)

    READERS = 1      # a read-only connection, so the cohort can be read in a worker thread

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self._cache: tuple[tuple, Any] | None = None      # (version, cohort) last worked out

    def version(self) -> tuple:
        return (self.today, self.conn.execute("PRAGMA data_version").fetchone()[0], self.conn.total_changes)

    def cohort_on(self, day: date) -> Any:
        """coverage.Cohort as at ``day`` (pupils on roll that day, evidence up to it); not cached
        unless ``day`` is today."""
        from gatsby_tui.store import coverage

        if day == self.today:
            return self.cohort()
        with self.store._readers_lock:
            return coverage.cohort(self.store.readers(self.READERS)[0], today=day)

    def pupils(self, *, on: date | None = None, year: int | None = None) -> list[Any]:
        """coverage.PupilStates for every pupil on roll on ``on`` (default today): UPN, name, year
        group and each benchmark's state with what is missing."""
        from gatsby_tui.store import coverage

        with self.store._readers_lock:
            return coverage.pupil_states(self.store.readers(self.READERS)[0], today=on or self.today, year=year)

    def cohort(self, *, version: tuple | None = None) -> Any:
        """coverage.Cohort for pupils on roll in Years 7-13: .tally(key, year=, breakdown=, value=).
        Cached until the database changes (or the day does). Safe to call from a worker thread when
        ``version`` (from ``store.coverage.version``, taken on the UI thread) is given: the work is then
        done on the store's own read-only connections."""
        from gatsby_tui.store import coverage

        version = version if version is not None else self.version()
        with self.store._readers_lock:
            cached = self._cache
            if cached is not None and cached[0] == version:
                return cached[1]
            result = coverage.cohort(self.store.readers(self.READERS)[0], today=self.today)
            self._cache = (version, result)
        return result

    def forget(self) -> None:
        """Work the cohort out afresh next time, even if nothing seems to have changed."""
        self._cache = None

    def current(self, version: tuple | None = None) -> Any:
        """The cohort last worked out if it is still current (nothing written since, and the same
        day), else None. Cheap: for showing figures at once when nothing has changed."""
        cached = self._cache
        if cached is None or cached[0] != (version if version is not None else self.version()):
            return None
        return cached[1]

    def gaps(self, key: int | str, *, year: int | None = None, breakdown: str | None = None,
             value: Any = None, include_not_due: bool = False, limit: int = 2000) -> tuple[list[Any], int]:
        """(coverage.Gap list by name, total): pupils on roll for whom ``key`` is not yet met. Safe
        to call from a worker thread (uses the read-only connections)."""
        from gatsby_tui.store import coverage

        with self.store._readers_lock:
            return coverage.gaps(self.store.readers(self.READERS)[0], key, today=self.today, year=year,
                                 breakdown=breakdown, value=value, include_not_due=include_not_due, limit=limit)

    def report(self, year: int | None = None) -> list[dict[str, Any]]:
        from gatsby_tui.store import coverage

        return coverage.report_rows(self.cohort(), year)
