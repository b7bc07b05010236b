"""Settings: the key/value table the other areas keep their choices in."""

from __future__ import annotations

from typing import Sequence

from gatsby_tui.store.db import transaction
from gatsby_tui.store.services import Service


class Settings(Service):
    def get(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def set(self, key: str, value: str) -> None:
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def many(self, keys: Sequence[str]) -> dict[str, str | None]:
        """Each key's stored value (None when unset), e.g. to give back as a form's ``original``."""
        return {key: self.get(key) for key in keys}
