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
def config_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test has its own empty config folder: the user's real keymap and theme are never read
    or written."""
    from gatsby_tui import user_config

    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setattr(user_config, "config_dir", lambda: folder)
    return folder
