"""Sign-in sessions, signed cookies and the sign-in throttle for ``gatsby-tui serve``.

No web framework here: plain data and the rules, so they can be tested on their own.

- The cookie holds a random session id and an HMAC-SHA256 of it, keyed by a secret made afresh
  each time the server starts (a restart signs everyone out). A forged or altered cookie is
  refused before any lookup; the session itself lives only in the server's memory.
- A session ends after ``IDLE_MINUTES`` without a request or a key press, and at sign-out.
- Sign-in is throttled: after ``MAX_FAILURES`` wrong passwords for one name from one address
  within ``WINDOW_MINUTES``, that name from that address is refused (even with the right password)
  until the oldest of those failures is ``WINDOW_MINUTES`` old; a further ``MAX_FAILURES`` x 4
  failures from one address, whatever the names, locks out the address the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Callable

IDLE_MINUTES = 30
MAX_FAILURES = 5
WINDOW_MINUTES = 15
MAX_FAILURES_PER_ADDRESS = MAX_FAILURES * 4
COOKIE = "gatsby_session"


@dataclass
class Session:
    sid: str
    adviser_id: int
    adviser_name: str
    address: str
    started: float
    last_seen: float
    closers: list[Callable[[], object]] = field(default_factory=list)   # end the app processes


class Sessions:
    """The signed-in sessions of one server. ``now`` is a monotonic clock (seconds)."""

    def __init__(self, *, idle_minutes: float = IDLE_MINUTES, now: Callable[[], float] = time.monotonic,
                 secret: bytes | None = None) -> None:
        self.secret = secret or secrets.token_bytes(32)
        self.idle = idle_minutes * 60
        self.now = now
        self._by_sid: dict[str, Session] = {}

    def sign(self, sid: str) -> str:
        mac = hmac.new(self.secret, sid.encode("ascii"), hashlib.sha256).hexdigest()
        return f"{sid}.{mac}"

    def unsign(self, cookie: str | None) -> str | None:
        if not cookie or cookie.count(".") != 1:
            return None
        sid, mac = cookie.split(".")
        try:
            expected = hmac.new(self.secret, sid.encode("ascii"), hashlib.sha256).hexdigest()
        except UnicodeEncodeError:
            return None
        return sid if hmac.compare_digest(mac, expected) else None

    def start(self, adviser_id: int, adviser_name: str, address: str) -> tuple[Session, str]:
        """A new session; returns it and the cookie value to set."""
        sid = secrets.token_urlsafe(32)
        now = self.now()
        session = Session(sid, adviser_id, adviser_name, address, now, now)
        self._by_sid[sid] = session
        return session, self.sign(sid)

    def get(self, cookie: str | None, *, touch: bool = True) -> Session | None:
        """The live session this cookie names (its idle clock restarted), or None."""
        sid = self.unsign(cookie)
        session = self._by_sid.get(sid) if sid else None
        if session is None:
            return None
        if self.now() - session.last_seen > self.idle:
            self.end(session)
            return None
        if touch:
            session.last_seen = self.now()
        return session

    def touch(self, session: Session) -> None:
        session.last_seen = self.now()

    def alive(self, session: Session) -> bool:
        return self._by_sid.get(session.sid) is session and self.now() - session.last_seen <= self.idle

    def end(self, session: Session) -> list[Callable[[], object]]:
        """Forget the session; returns what must be called to close its app processes."""
        self._by_sid.pop(session.sid, None)
        closers, session.closers = session.closers, []
        return closers

    def expired(self) -> list[Session]:
        now = self.now()
        return [s for s in self._by_sid.values() if now - s.last_seen > self.idle]

    def all(self) -> list[Session]:
        return list(self._by_sid.values())

    def __len__(self) -> int:
        return len(self._by_sid)


class Throttle:
    """Counts failed sign-ins per (name, address) and per address over a sliding window."""

    def __init__(self, *, max_failures: int = MAX_FAILURES, window_minutes: float = WINDOW_MINUTES,
                 max_per_address: int = MAX_FAILURES_PER_ADDRESS, now: Callable[[], float] = time.monotonic) -> None:
        self.max = max_failures
        self.max_per_address = max_per_address
        self.window = window_minutes * 60
        self.now = now
        self._fails: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        times = self._fails[key]
        cutoff = self.now() - self.window
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            del self._fails[key]
            return deque()
        return times

    @staticmethod
    def _name_key(name: str) -> str:
        return " ".join(name.casefold().split())

    def wait_seconds(self, name: str, address: str) -> int:
        """0 when a sign-in may be tried; otherwise how many seconds until it may."""
        waits = []
        for key, limit in (((self._name_key(name), address), self.max), (("", address), self.max_per_address)):
            times = self._recent(key)
            if len(times) >= limit:
                waits.append(times[-limit] + self.window - self.now())
        return max(0, int(max(waits)) + 1) if waits else 0

    def failed(self, name: str, address: str) -> None:
        now = self.now()
        self._fails[(self._name_key(name), address)].append(now)
        self._fails[("", address)].append(now)

    def prune(self) -> None:
        """Forget failures older than the window (called now and then, so the counts stay small)."""
        for key in list(self._fails):
            self._recent(key)

    def succeeded(self, name: str, address: str) -> None:
        """The right password (or no answer): forget this name's failures, and take back the one
        counted for this try against the address."""
        self._fails.pop((self._name_key(name), address), None)
        times = self._fails.get(("", address))
        if times:
            times.pop()
            if not times:
                del self._fails[("", address)]
