"""Advisers and who is using the app (SQL in store/advisers.py)."""

from __future__ import annotations

import sqlite3
from typing import Any, Mapping

from gatsby_tui.store import advisers, audit
from gatsby_tui.store.db import StoreError, transaction
from gatsby_tui.store.services import Service, settings


class Advisers(Service):
    """Advisers, and which of them is using the app (remembered in settings)."""

    CURRENT_ADVISER_KEY = "current_adviser_id"

    def current(self) -> sqlite3.Row | None:
        """The adviser using the app (remembered in settings), or None before anyone is chosen.
        Also sets ``self.adviser_id``."""
        row = None
        if self.adviser_id is not None:
            row = advisers.get(self.conn, self.adviser_id)
        if row is None:
            value = self.store.settings.get(self.CURRENT_ADVISER_KEY)
            if value and value.isdigit():
                row = advisers.get(self.conn, int(value))
        self.adviser_id = None if row is None else row["id"]
        return row

    def set_current(self, adviser_id: int) -> None:
        row = advisers.get(self.conn, adviser_id)
        if row is None:
            raise StoreError("That adviser is no longer in the database.")
        if not row["active"]:
            raise StoreError(f"{row['name']} is marked as no longer active: make them active again first.")
        previous = self.store.settings.get(self.CURRENT_ADVISER_KEY)
        with transaction(self.conn):
            settings.put(self.conn, self.CURRENT_ADVISER_KEY, str(adviser_id))
            if previous != str(adviser_id):
                audit.write(self.conn, at=self.clock.stamp(), adviser_id=adviser_id, action="update",
                            table="settings", row_id=None, pupil_id=None,
                            before={self.CURRENT_ADVISER_KEY: previous},
                            after={self.CURRENT_ADVISER_KEY: str(adviser_id)})
        self.adviser_id = adviser_id

    def all(self, include_inactive: bool = False) -> list[sqlite3.Row]:
        return advisers.list_all(self.conn, include_inactive=include_inactive)

    def get(self, adviser_id: int) -> sqlite3.Row | None:
        return advisers.get(self.conn, adviser_id)

    def find(self, text: str) -> list[sqlite3.Row]:
        """Advisers whose name contains ``text`` (case ignored); an exact name wins."""
        return advisers.find(self.conn, text)

    def add(self, raw: Mapping[str, Any]) -> int:
        """Raises advisers.AdviserInvalid (a StoreError with .errors per field)."""
        return advisers.add(self.conn, raw, stamp=self.clock.stamp(), adviser_id=self.adviser_id)

    def update(self, adviser_id: int, raw: Mapping[str, Any], *,
               original: Mapping[str, Any] | None = None) -> bool:
        """``original``: the adviser's row as the form opened it (only what was changed there is written)."""
        return advisers.update(self.conn, adviser_id, raw, stamp=self.clock.stamp(), adviser_id=self.adviser_id,
                               original=original)
