"""Where an error nobody foresaw is written down: one file in the user's state folder.

The adviser is told one sentence that names this file; the traceback goes into it, for whoever
looks into the problem. The file is readable by its owner only (a traceback can hold a pupil's
name), and is kept short: past LIMIT bytes the older half is dropped.
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path

from gatsby_tui import clock

LIMIT = 1_000_000  # bytes; enough for a few hundred tracebacks


def log_path() -> Path:
    """``errors.log`` in the user's state folder (XDG_STATE_HOME on Linux)."""
    from platformdirs import user_state_path

    return user_state_path("gatsby-tui") / "errors.log"


def write(error: BaseException, *, screen: str = "") -> Path | None:
    """Append the error and its traceback to the log; the log's path, or None when it could
    not be written (a read-only home, a full disk)."""
    path = log_path()
    entry = (f"--- {clock.now().isoformat(timespec='seconds')}"
             f"{' on ' + screen if screen else ''}\n"
             + "".join(traceback.format_exception(type(error), error, error.__traceback__)) + "\n")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        old = b""
        if path.exists() and path.stat().st_size > LIMIT:
            old = path.read_bytes()[-LIMIT // 2:]
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if old else os.O_APPEND)
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, "ab" if not old else "wb") as f:
            f.write(old + entry.encode("utf-8", "replace"))
        os.chmod(path, 0o600)
    except OSError:
        return None
    return path


def sentence(where: Path | None, drafts_kept: bool = False) -> str:
    """What the adviser is told: what happened, that their typing is safe, where the details are."""
    kept = (" Your typing is still here, and the record you were writing is kept as a draft."
            if drafts_kept else " Your typing is still here.")
    details = (f" The details are in {where}: please send that file to whoever looks after gatsby-tui."
               if where is not None else " The details could not be written to a log file.")
    return f"Something unexpected went wrong, and that step was not finished.{kept}{details}"
