"""Who else has this database open: one small file per running copy of the app, in a folder
beside the database (``.<name>.open/``), saying who, on which computer, since when.

Two copies of gatsby-tui (or the app and the command line) may use one file at the same time:
SQLite's locks let one write at a time, every write takes the write lock at its start (BEGIN
IMMEDIATE) and waits its turn for up to ``BUSY_SECONDS``, so every write lands. These files are
only for people: the app says at start "also open on LAPTOP-3 by Helen Marsh since 09:12", and
when a write has waited too long the message names who holds the file.

A copy that was killed leaves its file behind; entries from this computer whose process is gone
are ignored and removed. Entries from other computers cannot be checked and are shown with their
age ("since 09:12 yesterday"). Failing to write or read these files never stops the app.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gatsby_tui import clock


@dataclass(frozen=True)
class Session:
    who: str
    host: str
    pid: int
    since: datetime
    file: Path

    def words(self, now: datetime | None = None) -> str:
        now = now or clock.now()
        when = self.since.strftime("%H:%M")
        if self.since.date() != now.date():
            when += f" on {self.since:%d/%m/%Y}"
        return f"{self.who} on {self.host} (since {when})"


def folder_for(db: Path) -> Path:
    return db.parent / f".{db.name}.open"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` on this computer is still running gatsby-tui (a finished process
    awaiting its parent, or a new process that happens to reuse the number, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    proc = Path(f"/proc/{pid}")
    if proc.is_dir():                 # Linux: look closer where we can
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            return True
        return state not in ("Z", "X") and ("gatsby" in command or "python" in command)
    return True


def register(db: Path, who: str | None = None) -> Path | None:
    """Say that this process has ``db`` open; returns the file to remove on close (None if it
    could not be written: a read-only folder, say)."""
    folder = folder_for(db)
    me = folder / f"{socket.gethostname()}-{os.getpid()}.json"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        data = {"who": who or _user(), "host": socket.gethostname(), "pid": os.getpid(),
                "since": clock.default().stamp()}
        tmp = me.with_suffix(".tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, me)
        return me
    except OSError:
        return None


def update(me: Path | None, who: str) -> None:
    """The adviser using this copy changed (F4)."""
    if me is None:
        return
    try:
        data = json.loads(me.read_text(encoding="utf-8"))
        data["who"] = who
        me.write_text(json.dumps(data), encoding="utf-8")
    except (OSError, ValueError):
        pass


def unregister(me: Path | None) -> None:
    if me is None:
        return
    try:
        me.unlink(missing_ok=True)
        me.parent.rmdir()               # only when no other copy is registered
    except OSError:
        pass


def others(db: Path) -> list[Session]:
    """The other copies with ``db`` open (dead ones on this computer are cleared away)."""
    folder = folder_for(db)
    host = socket.gethostname()
    out = []
    try:
        entries = list(folder.glob("*.json"))
    except OSError:
        return []
    for entry in entries:
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
            session = Session(str(data["who"]), str(data["host"]), int(data["pid"]),
                              datetime.fromisoformat(data["since"]), entry)
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if session.host == host and session.pid == os.getpid():
            continue
        if session.host == host and not _alive(session.pid):
            try:
                entry.unlink()
            except OSError:
                pass
            continue
        out.append(session)
    return sorted(out, key=lambda s: s.since)


def describe_others(db: Path) -> str:
    """'Helen Marsh on LAPTOP-3 (since 09:12)', or '' when nobody else has it open."""
    return "; ".join(s.words() for s in others(db))


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "someone"
