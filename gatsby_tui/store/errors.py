"""The store's errors: each message is one plain sentence, fit to show a person as it is.

In a module of their own so that db.py (opening, migrating) and backup.py (which migrating
calls first) both use them without importing each other."""

from __future__ import annotations

import sqlite3


class StoreError(Exception):
    """An error with a message fit to show a person as it is."""


class OpenError(StoreError):
    pass


def is_interrupted(error: BaseException) -> bool:
    """True for a query stopped by ``Connection.interrupt()``: SQLite also stops any statement
    begun on that connection while the interrupted one was still running."""
    return isinstance(error, sqlite3.OperationalError) and "interrupted" in str(error)
