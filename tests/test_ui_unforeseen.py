"""An error nobody foresaw: the app goes on, the adviser gets one sentence naming a log file, the
traceback is in that file (owner-only), and what was being typed is kept."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime

from textual.widgets import Input

from gatsby_tui import errorlog
from gatsby_tui.app import build_app
from gatsby_tui.screens.pupil import PupilScreen
from gatsby_tui.screens.record import RecordScreen
from gatsby_tui.screens.register import RegisterScreen
from gatsby_tui.store import BookingRequest

from helpers import fill, make_upn, pupil

SIZE = (120, 40)


def _adviser(store) -> int:
    adviser = store.advisers.add({"name": "Helen Marsh", "kind": "internal"})
    store.advisers.set_current(adviser)
    return adviser


def _said(app) -> list[str]:
    return [n.message for n in app._notifications]


def _check_reported(app, unforeseen_errors, text: str) -> str:
    """One sentence naming the log, the traceback in the log; the app still running."""
    assert app.is_running and app.return_code is None
    path = errorlog.log_path()
    sentences = [m for m in _said(app) if "Something unexpected went wrong" in m]
    assert len(sentences) == 1, _said(app)
    assert str(path) in sentences[0]
    assert "Traceback" not in sentences[0]
    log = path.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and text in log
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [str(e) for e in unforeseen_errors] == [text.split(": ", 1)[1]]
    unforeseen_errors.clear()       # seen, and checked: not a failure of this test
    return sentences[0]


async def test_a_failing_action_is_told_in_a_sentence_and_the_app_goes_on(store, monkeypatch, unforeseen_errors):
    _adviser(store)
    store.pupils.add(store.pupils.validate(pupil()))

    def broken(self):
        raise RuntimeError("sorting broke")

    monkeypatch.setattr(RegisterScreen, "action_toggle_sort", broken)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        _check_reported(app, unforeseen_errors, "RuntimeError: sorting broke")
        # The screen still answers keys: search, then open the pupil.
        await pilot.press("slash")
        await fill(pilot, "Okafor")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PupilScreen)


async def test_a_failing_handler_leaves_its_screen_working(store, monkeypatch, unforeseen_errors):
    _adviser(store)
    pid = store.pupils.add(store.pupils.validate(pupil()))
    real = PupilScreen.load_history
    searches = []

    def load_history(self, *args, **kwargs):
        if self.search:
            searches.append(self.search)
            if len(searches) == 1:
                raise ValueError("search broke")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(PupilScreen, "load_history", load_history)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(PupilScreen(pid))
        await pilot.pause()
        await pilot.press("slash")
        await pilot.pause()
        await fill(pilot, "first", "#history-search")
        _check_reported(app, unforeseen_errors, "ValueError: search broke")
        await fill(pilot, "second", "#history-search")
        assert searches == ["first", "second"], "the screen goes on handling its messages"
        assert app.screen.query_one("#history-search", Input).value == "second"


async def test_the_record_being_typed_is_kept_as_a_draft(store, unforeseen_errors):
    adviser = _adviser(store)
    pid = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1))))
    interview = store.bookings.book(BookingRequest(pupil_id=pid, adviser_id=adviser, start=datetime(2026, 11, 20, 10, 0),
                                          minutes=45), confirm=True)
    record = store.records.start(interview_id=interview)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(RecordScreen(record))
        await pilot.pause()
        await fill(pilot, "Wants to train as a paramedic", "#situation")
        # At once, before the half-second draft timer: an action fails.
        app.screen.action_boom = _boom      # type: ignore[attr-defined]
        await app.run_action("screen.boom")
        await pilot.pause()
        sentence = _check_reported(app, unforeseen_errors, "OSError: disk said no")
        assert "kept as a draft" in sentence
        row = store.conn.execute("SELECT payload FROM drafts WHERE key = ?", (f"record:{record}",)).fetchone()
        assert json.loads(row["payload"])["situation"] == "Wants to train as a paramedic"
        assert isinstance(app.screen, RecordScreen)
        assert app.screen.query_one("#situation").text == "Wants to train as a paramedic"


def _boom() -> None:
    raise OSError("disk said no")


async def test_a_screen_workers_error_goes_to_the_same_handler(store, unforeseen_errors):
    _adviser(store)
    store.pupils.add(store.pupils.validate(pupil()))
    app = build_app(store)

    def failing() -> None:
        raise KeyError("worker broke")

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _finished(pilot, app.screen.run_worker(failing, thread=True, exit_on_error=False))
        _check_reported(app, unforeseen_errors, "KeyError: 'worker broke'")
        # One that would end the app in Textual (exit_on_error), from the App itself this time.
        await _finished(pilot, app.run_worker(failing, thread=True))
        assert app.is_running and app.return_code is None
        assert len(unforeseen_errors) == 1
        assert len([m for m in _said(app) if "Something unexpected went wrong" in m]) == 2
        unforeseen_errors.clear()


async def _finished(pilot, worker) -> None:
    for _ in range(100):
        if worker.is_finished:
            break
        await pilot.pause(0.02)
    await pilot.pause()
