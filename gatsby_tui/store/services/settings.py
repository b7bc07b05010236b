"""Settings: the key/value table the other areas keep their choices in (the SQL on it is here)."""

from __future__ import annotations

import sqlite3
from typing import Sequence

from gatsby_tui.store.db import transaction
from gatsby_tui.store.services import Service


def put(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Store ``value`` under ``key``, inside the caller's transaction (it audits the change)."""
    conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


class Settings(Service):
    """Read and write settings; writes audited by the area that owns the setting."""

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def set(self, key: str, value: str) -> None:
        with transaction(self.conn):
            put(self.conn, key, value)

    def many(self, keys: Sequence[str]) -> dict[str, str | None]:
        """Each key's stored value (None when unset), e.g. to give back as a form's ``original``."""
        return {key: self.get(key) for key in keys}
