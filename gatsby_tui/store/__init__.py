"""The store: everything the app knows, on one SQLite file. Never imports Textual.

``Store`` is a small context (the connection, the file's path, the clock, the adviser using the
app, the read-only flag, the reader connections) with one service per area of data as an
attribute: ``store.pupils``, ``store.bookings``, ``store.records`` ... (store/services/). A service
loads on first use, so the first screen waits only for what it needs. The SQL lives in the area
modules beside this one (store/pupils.py, store/bookings.py ...), one per group of tables.
"""

from __future__ import annotations

import importlib
import sqlite3
import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gatsby_tui.clock import Clock
from gatsby_tui.clock import default as default_clock
from gatsby_tui.store.db import OpenError, StoreError, open_database
from gatsby_tui.store.errors import is_interrupted
from gatsby_tui.store.pupils import Checked, PupilFilter, PupilInvalid, RegisterRow

_LAZY = {
    "BookingRequest": "bookings", "BookingCheck": "bookings", "BookingRefused": "bookings",
    "NeedsConfirmation": "bookings", "BulkFilter": "bookings", "Candidate": "bookings", "Proposal": "bookings",
    "AgendaRow": "bookings", "ClinicPattern": "clinics", "Slot": "bookings",
    "FollowUp": "records", "RecordInvalid": "records",
}


def __getattr__(name: str) -> Any:
    """``from gatsby_tui.store import BookingRequest`` works, loading the bookings module then."""
    if name in _LAZY:
        return getattr(importlib.import_module(f"gatsby_tui.store.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["Store", "StoreError", "OpenError", "is_interrupted", "PupilFilter", "PupilInvalid", "RegisterRow", "Checked",
           "BookingRequest", "BookingCheck", "BookingRefused", "NeedsConfirmation", "BulkFilter", "Candidate",
           "Proposal", "AgendaRow", "ClinicPattern", "Slot", "FollowUp", "RecordInvalid"]


class _Service:
    """A store attribute that is one area's service, made on first use (its module loads then)."""

    def __init__(self, module: str, cls: str) -> None:
        self.module, self.cls = module, cls

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, store: "Store | None", owner: type) -> Any:
        if store is None:
            return self
        service = getattr(importlib.import_module(f"gatsby_tui.store.services.{self.module}"), self.cls)(store)
        # Later look-ups find it directly; two threads asking at once still share one.
        return store.__dict__.setdefault(self.name, service)


class Store:
    """The context every service shares: one connection, the file, the clock, who is using the app."""

    if TYPE_CHECKING:
        from gatsby_tui.store.services.actions import Actions
        from gatsby_tui.store.services.activities import Activities
        from gatsby_tui.store.services.advisers import Advisers
        from gatsby_tui.store.services.audit import Audit
        from gatsby_tui.store.services.backup import Backup
        from gatsby_tui.store.services.bookings import Bookings
        from gatsby_tui.store.services.coverage import Coverage
        from gatsby_tui.store.services.destinations import Destinations
        from gatsby_tui.store.services.exports import Exports
        from gatsby_tui.store.services.history import History
        from gatsby_tui.store.services.plans import Plans
        from gatsby_tui.store.services.programme import Programme
        from gatsby_tui.store.services.pupils import Pupils
        from gatsby_tui.store.services.records import Records
        from gatsby_tui.store.services.requests import Requests
        from gatsby_tui.store.services.retention import Retention
        from gatsby_tui.store.services.settings import Settings

        pupils: Pupils
        advisers: Advisers
        settings: Settings
        bookings: Bookings
        records: Records
        actions: Actions
        plans: Plans
        destinations: Destinations
        activities: Activities
        programme: Programme
        coverage: Coverage
        requests: Requests
        retention: Retention
        backup: Backup
        audit: Audit
        history: History
        exports: Exports
    else:
        pupils = _Service("pupils", "Pupils")                      # the register, import
        advisers = _Service("advisers", "Advisers")                # and who is using the app
        settings = _Service("settings", "Settings")
        bookings = _Service("bookings", "Bookings")                # bookings, clinic hours, the agenda
        records = _Service("records", "Records")                   # meeting records, drafts, snippets
        actions = _Service("actions", "Actions")                   # actions and follow-ups
        plans = _Service("plans", "Plans")                         # SEND plans and reviews
        destinations = _Service("destinations", "Destinations")
        activities = _Service("activities", "Activities")
        programme = _Service("programme", "Programme")             # the careers programme, the school
        coverage = _Service("coverage", "Coverage")                # benchmark states and the cohort
        requests = _Service("requests", "Requests")                # subject access requests
        retention = _Service("retention", "Retention")
        backup = _Service("backup", "Backup")
        audit = _Service("audit", "Audit")
        history = _Service("history", "History")
        exports = _Service("exports", "Exports")                   # a pupil's record, lists as CSV

    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock | None = None) -> None:
        self.conn = conn
        self.path = path
        self.clock = clock or default_clock()
        self.adviser_id: int | None = None
        self.is_read_only = False
        self._readers: list[sqlite3.Connection] | None = None
        self._readers_lock = threading.Lock()    # one reader computation at a time; close waits for it
        self._closed = False

    @classmethod
    def open(cls, path: str | Path, *, clock: Clock | None = None, create: bool = True, **kw: Any) -> "Store":
        path = Path(path).expanduser()
        store = cls(open_database(path, create=create, **kw), path, clock)
        store.advisers.current()  # sets adviser_id from settings, so the audit log records who
        return store

    def close(self) -> None:
        # Background work gives up at a safe point rather than being waited for: a backup in a
        # worker thread stops and removes its temporary copy (the next opening takes one again),
        # and a coverage pass on the reader connections is interrupted (it only ever reads).
        if "backup" in self.__dict__:
            self.backup.stop()
        for reader in self._readers or ():
            reader.interrupt()
        with self._readers_lock:     # the interrupted coverage worker lets go first
            for reader in self._readers or ():
                reader.close()
            self._readers = None
            self._closed = True
        self.conn.close()

    def reopen(self) -> "Store":
        """A second connection to the same file, for a worker thread."""
        other = Store.open(self.path, clock=self.clock, create=False)
        other.adviser_id = self.adviser_id
        return other

    def read_only(self, on: bool = True) -> None:
        """Refuse every write (a damaged file is opened this way until a backup is restored)."""
        self.conn.execute(f"PRAGMA query_only = {1 if on else 0}")
        self.is_read_only = on

    def readers(self, count: int) -> list[sqlite3.Connection]:
        """``count`` read-only connections to this file, opened on first use and closed with the
        store, so the cohort can be worked out in a worker thread (never on the UI thread's
        connection). Call with ``_readers_lock`` held."""
        if self._closed:
            raise StoreError("The database has been closed.")
        if self._readers is None:
            from gatsby_tui.store.db import connect

            readers = []
            for _ in range(count):
                c = connect(self.path)
                c.execute("PRAGMA query_only = 1")
                c.execute("PRAGMA busy_timeout = 5000")
                # Not memory-mapped: the cohort reads one small index of the coverage facts, as
                # fast through the page cache (measured at 200,000 pupils), and every mapped page
                # read would stay resident in the app.
                readers.append(c)
            self._readers = readers
        return self._readers

    @property
    def today(self) -> date:
        return self.clock.today()
