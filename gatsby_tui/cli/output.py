"""What every command-line command shares: the exit codes, the one way tables are laid out, and
the one JSON dialect. Never imports Textual.

Exit codes (the same for every command, and in ``--help`` and the README):

    0  done
    1  done, but rows were refused (import)
    2  usage error: a command or option mistyped or missing, a value out of range
    3  data error: an unknown UPN, adviser or meeting, a file that cannot be read, not a database
    4  refused for safety: it needs --yes or --create, or the database is locked by another program

JSON: numbers are numbers (a share is ``43``, never ``"43%"``); a person's name is
``{"forename", "surname", "display"}``; a code comes with its words, ``{"code": "220", "words": "…"}``;
a moment is ISO 8601 with its UTC offset (``2026-11-22T10:00:00+00:00``); a day is ISO 8601
(``2026-11-22``). The schema of each command's JSON is in ``gatsby_tui/schemas/``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Sequence

from rich.cells import cell_len, set_cell_size

from gatsby_tui.store.db import StoreError

DONE = 0
ROWS_REFUSED = 1
USAGE = 2
DATA = 3
SAFETY = 4

EXIT_CODES_HELP = ("Exit status: 0 done; 1 done with rows refused (import); 2 usage error; "
                   "3 data error (unknown UPN, unreadable file, not a database); "
                   "4 refused for safety (needs --yes or --create, or the database is locked).")

# What a refusal for safety says: another program holds the file, or a write waited too long for it.
_LOCKED_WORDS = ("in use by another program", "was busy for too long", " is open by ")


class UsageError(StoreError):
    """An option's value that cannot be used (a date that is not one, a filter for another list):
    exit code 2."""


def upgrading(old: int, new: int) -> None:
    """Said on stderr before a file made by an older version is upgraded: on a large file the
    upgrade (its backup first) takes a while, and the person should know why nothing shows yet."""
    import sys

    print(f"gatsby-tui: upgrading the database for this version (schema {old} to {new}). A backup is "
          "taken first; on a large file this takes a minute or so…", file=sys.stderr, flush=True)


def code_for(error: BaseException) -> int:
    """The exit code for a store error: a usage error is 2, a locked file is a refusal for safety,
    anything else a data error."""
    if isinstance(error, UsageError):
        return USAGE
    text = str(error)
    return SAFETY if any(words in text for words in _LOCKED_WORDS) else DATA


# ---------------------------------------------------------------- tables


def pad(text: str, width: int, *, cut: bool = False) -> str:
    """``text`` padded to ``width`` terminal cells (a CJK character takes two); with ``cut``, a
    longer text is cut to fit exactly."""
    if cut:
        return set_cell_size(text, width)
    return text + " " * max(0, width - cell_len(text))


def table_lines(titles: Sequence[str], rows: Iterable[Sequence[str]], gap: str = "  ") -> list[str]:
    """Titles, a rule and the rows, each column as wide as its widest cell in terminal cells, so
    columns line up whatever script the names are in."""
    rows = [tuple(row) for row in rows]
    widths = [max([cell_len(title), *(cell_len(row[i]) for row in rows)]) for i, title in enumerate(titles)]

    def line(cells: Sequence[str]) -> str:
        return gap.join(pad(cell, width) for cell, width in zip(cells, widths)).rstrip()

    return [line(titles), line(["-" * w for w in widths]), *(line(row) for row in rows)]


# ---------------------------------------------------------------- the JSON dialect


def name_json(surname: str | None, forename: str | None, display: str) -> dict[str, Any]:
    return {"forename": forename or "", "surname": surname or "", "display": display}


def code_json(code: Any, words: str | None) -> dict[str, Any] | None:
    """``{"code": "220", "words": "…"}``; None when there is no code."""
    if code is None or code == "":
        return None
    return {"code": str(code), "words": words if words is not None else str(code)}


def moment_json(text: str | None) -> str | None:
    """A stored wall-clock moment ('2026-11-22T10:00' or '2026-11-22 10:00') as ISO 8601 with the
    school's UTC offset; a day alone ('2026-11-22') stays a day; None stays None."""
    if not text:
        return None
    if len(text) <= 10:
        return text
    from gatsby_tui.zone import with_offset

    moment = datetime.fromisoformat(text.replace(" ", "T"))
    return with_offset(moment).isoformat(timespec="seconds")
