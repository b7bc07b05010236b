from __future__ import annotations

import os
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from gatsby_tui.clock import FixedClock
from gatsby_tui.store import Store

from helpers import TODAY, make_upn, pupil  # noqa: F401  (re-exported for older imports)


def _sleep_works() -> bool:
    try:
        time.sleep(0.0001)
    except OSError:
        return False
    return True


if not _sleep_works():
    # Under libfaketime (how the suite is checked on other days of the year) time.sleep asks the
    # kernel for an absolute monotonic deadline that faketime shifts by its offset, and the kernel
    # refuses it (EINVAL); subprocess's timed waits call it too. A timed wait on an Event measures
    # the same interval without that deadline. The app itself never sleeps.
    _never_set = threading.Event()

    def _sleep(seconds: float) -> None:
        _never_set.wait(max(0.0, seconds))

    time.sleep = _sleep


def _settling_pause() -> None:
    """``pilot.pause()`` waits until the screen has done the work already asked of it.

    Textual's pause waits for queued messages and then for the process to look idle, giving up
    after one second. Work a screen schedules for after its next refresh (the footer's keys, a
    dialog's fields, a list filled once it is laid out) then runs after that second when the
    machine is slow: under load, or under libfaketime, where every clock read is intercepted. A
    test asserting what the user would see next then fails on a slow day only. This pause keeps
    going, up to 30 seconds, while the screen still has such work pending (or the app has work
    waiting for its first frame to reach the terminal); a pause with a delay is left as it is."""
    from textual.pilot import Pilot

    original = Pilot.pause

    def pending(app) -> bool:
        try:
            screen = app.screen
        except Exception:          # no screen (the app is closing): nothing to wait for
            return False
        return bool(screen._callbacks or screen._layout_required or screen._recompose_required
                    or screen._dirty_widgets or getattr(app, "deferred_work", 0))

    async def pause(self, delay: float | None = None) -> None:
        await original(self, delay)
        if delay is not None:
            return
        deadline = time.monotonic() + 30
        while pending(self.app) and time.monotonic() < deadline:
            await original(self, None)

    Pilot.pause = pause


_settling_pause()


def _quicker_idle_checks() -> None:
    """Textual's test pilot decides the app has finished with a key by sleeping 20 ms at a time
    until a sleep passes with under 1 ms of work done: every key and pause costs at least 40 ms
    of waiting, and the suite presses thousands. The same test in 4 ms steps (idle: under
    0.2 ms of work in one) waits a fifth as long. Work still pending on the screen is waited for
    by the pause above whatever these say."""
    import textual._wait as wait

    wait.SLEEP_GRANULARITY = 1 / 250
    wait.SLEEP_IDLE = wait.SLEEP_GRANULARITY / 20


_quicker_idle_checks()


def _css_parsed_once_per_process() -> None:
    """Every test starts a new app: the stylesheets are parsed once per test process, as the app
    does it (gatsby_tui/css_cache.py), and never kept on disk."""
    from gatsby_tui import css_cache

    css_cache.install()


_css_parsed_once_per_process()


SUITE_MOMENT = "2026-11-22T10:00"   # the day every test runs on unless it says otherwise


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """Every test runs on one known day, whatever the machine's date: the program's clock (and any
    command run in a child process, through the environment) reads SUITE_MOMENT."""
    from gatsby_tui import clock as program_clock

    monkeypatch.setenv(program_clock.ENV_VAR, SUITE_MOMENT)
    monkeypatch.setattr(program_clock, "_default", None)
    yield SUITE_MOMENT


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 22, 10, 0))


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Store:
    s = Store.open(tmp_path / "test.db", clock=clock)
    yield s
    s.close()


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory) -> Path:
    """The demo database built from schema.sql once per run (it takes seconds); tests that change
    it work on a copy."""
    from gatsby_tui.sample import data as sample_data

    path = tmp_path_factory.mktemp("sample") / "sample.db"
    sample_data.build(path)
    return path

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

@pytest.fixture(autouse=True)
def config_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test has its own empty config folder: the user's real keymap and theme are never read
    or written."""
    from gatsby_tui import user_config

    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setattr(user_config, "config_dir", lambda: folder)
    return folder


def pytest_xdist_auto_num_workers(config) -> int:
    """``-n auto`` starts one worker more than the machine has cores: a UI test spends part of
    its time waiting (for the pilot's idle checks, a child process, a server), and the extra
    worker runs in those gaps. On 2 cores: 3 workers, 221 s -> 195 s for the suite."""
    return (os.cpu_count() or 1) + 1
