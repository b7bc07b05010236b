"""Stylesheets parsed once, and kept between runs.

Textual parses every stylesheet the app uses (app.tcss and each widget's default CSS) from the
text up at every start: about 35 ms of the time to the first screen. Rules parsed from the same
text with the same theme variables are the same rules, and Textual never changes a rule once it
is parsed, so they are kept: in the process (an app started again, or a test's next app, reuses
them) and, for the installed app, in one file in the user's cache folder, read back in a few
milliseconds. The file is the user's own (readable by them only); one that cannot be read, or
was written by other versions, is ignored and written afresh.
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

import textual
from textual.css.stylesheet import Stylesheet

import gatsby_tui

_kept: dict[str, list[Any]] = {}     # parsed rules by key
_used: set[str] = set()              # the keys this run asked for
_file: Path | None = None
_changed = False


def _key(stylesheet: Stylesheet, css: str, read_from: Any, is_default_rules: bool, tie_breaker: int,
         scope: str) -> str:
    # The whole text is the key (no digest: hashlib alone takes a millisecond or two to load).
    return repr((css, read_from, is_default_rules, tie_breaker, scope, sorted(stylesheet._variables.items())))


def cache_file() -> Path:
    """The cache in the user's cache folder, named for what wrote it: this version, this Python,
    and this installation of Textual (told by when it was installed: reading ``textual.__version__``
    would load importlib.metadata, a few milliseconds at every start)."""
    from platformdirs import user_cache_path

    textual_stamp = os.stat(textual.__file__).st_mtime_ns
    versions = f"{gatsby_tui.__version__}-py{sys.version_info[0]}{sys.version_info[1]}-{textual_stamp:x}"
    return user_cache_path("gatsby-tui", appauthor=False) / f"stylesheets-{versions}.pickle"


def install(file: Path | None = None) -> None:
    """Parse each stylesheet once in this process; with ``file``, also keep them between runs."""
    global _file
    if file is not None and _file is None:
        _file = file
        try:
            with open(file, "rb") as f:
                kept = pickle.load(f)
            if isinstance(kept, dict):
                for key, rules in kept.items():
                    _kept.setdefault(key, rules)
        except Exception:            # missing, unreadable or from another version: parse afresh
            pass
    if getattr(Stylesheet._parse_rules, "_kept", False):
        return
    parse = Stylesheet._parse_rules

    def parse_rules(self: Stylesheet, css: str, read_from: Any, is_default_rules: bool = False,
                    tie_breaker: int = 0, scope: str = "") -> list[Any]:
        global _changed
        key = _key(self, css, read_from, is_default_rules, tie_breaker, scope)
        rules = _kept.get(key)
        if rules is None:
            rules = _kept[key] = parse(self, css, read_from, is_default_rules, tie_breaker, scope)
            _changed = True
        _used.add(key)
        return rules

    parse_rules._kept = True  # type: ignore[attr-defined]
    Stylesheet._parse_rules = parse_rules  # type: ignore[method-assign]


def save() -> None:
    """Write the rules this run used to the cache file, if any were parsed anew (off the UI
    thread: pickling takes a few milliseconds). Readable by the user only; never half-written."""
    global _changed
    if _file is None or not _changed:
        return
    _changed = False
    kept = {key: _kept[key] for key in list(_used) if key in _kept}
    try:
        _file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=_file.parent, prefix=".stylesheets-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(kept, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, _file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except Exception:                 # a cache that cannot be written is parsed again next time
        pass
