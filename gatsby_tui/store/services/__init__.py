"""The store's services, one per area of data. Never imports Textual.

Each service is a small class bound to the store (the context: connection, path, clock, the
adviser using the app, the read-only flag, the reader connections) and reached as an attribute of
it: ``store.bookings.book(req)``, ``store.pupils.page(...)``. A service reads ``today``, ``now``
and who is using the app from the context, so its callers never pass them. The SQL stays in the
area module that owns the tables (``store/bookings.py``, ``store/records.py`` ...); a service
binds those functions to the context, and is where a workflow that spans areas lives.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from gatsby_tui.clock import Clock
    from gatsby_tui.store import Store


class Service:
    """A part of the store's work, sharing the store's connection, clock and adviser."""

    def __init__(self, store: "Store") -> None:
        self.store = store

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn

    @property
    def path(self) -> "Path":
        return self.store.path

    @property
    def clock(self) -> "Clock":
        return self.store.clock

    @property
    def today(self) -> date:
        return self.store.clock.today()

    @property
    def adviser_id(self) -> int | None:
        """The adviser using the app: recorded in the audit log with every write."""
        return self.store.adviser_id

    @adviser_id.setter
    def adviser_id(self, value: int | None) -> None:
        self.store.adviser_id = value
