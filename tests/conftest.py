from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from gatsby_tui.clock import FixedClock
from gatsby_tui.store import Store

from helpers import TODAY, make_upn, pupil  # noqa: F401  (re-exported for older imports)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 22, 10, 0))


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Store:
    s = Store.open(tmp_path / "test.db", clock=clock)
    yield s
    s.close()



@pytest.fixture(autouse=True)
def unforeseen_errors(monkeypatch, tmp_path_factory):
    """An error the app did not foresee is caught, logged and told in a sentence, and the app goes
    on; in a test it is a failure all the same. The log goes to a temporary state folder. A test
    that provokes one on purpose takes this list and empties it once it has checked it."""
    from gatsby_tui import errorlog

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
    seen: list[BaseException] = []
    real = errorlog.write

    def write(error, **kw):
        seen.append(error)
        return real(error, **kw)

    monkeypatch.setattr(errorlog, "write", write)
    yield seen
    if seen:
        raise AssertionError(f"the app met an unforeseen error: {seen[0]!r}") from seen[0]
