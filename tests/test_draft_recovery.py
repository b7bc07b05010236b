"""Nothing typed is lost: the app process is killed (SIGKILL, no chance to clean up) after
typing into a meeting record, and the typing is back when the record is opened again."""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from textual.widgets import Static, TextArea

from gatsby_tui.app import build_app
from gatsby_tui.clock import FixedClock
from gatsby_tui.screens.record import RecordScreen
from gatsby_tui.store import BookingRequest, Store

from helpers import make_upn, pupil

CHILD = Path(__file__).with_name("draft_child.py")
TEXT = "Wants to train as an electrician, maybe at Riverside (Level 3)"
READY_TIMEOUT = 120.0  # seconds for the child to start the app, type and see its draft on disk


def make_database(path: Path) -> int:
    store = Store.open(path, clock=FixedClock(datetime(2026, 11, 22, 10, 0)))
    try:
        helen = store.advisers.add({"name": "Helen Marsh", "qualification_level": "6"})
        store.advisers.set_current(helen)
        amara = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1))))
        interview = store.bookings.book(BookingRequest(pupil_id=amara, adviser_id=helen, start=datetime(2026, 11, 20, 10, 0)),
                               confirm=True)
        record_id = store.records.start(interview_id=interview)
        store.records.save(record_id, {"reason": "Post-16 options"})
        return record_id
    finally:
        store.close()


def wait_for_line(proc: subprocess.Popen, wanted: str, timeout: float) -> str:
    """Read the child's output until a line starts with ``wanted``; fail on timeout or exit."""
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + timeout
    buffer = b""
    while True:
        for line in buffer.decode(errors="replace").splitlines():
            if line.startswith(wanted):
                return line
            if line.startswith("NO-DRAFT"):
                raise AssertionError(f"the child never saw its draft on disk: {line}")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"the child did not print {wanted!r} within {timeout:.0f} s; it printed {buffer!r}")
        ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                raise AssertionError(f"the child ended before printing {wanted!r} (exit {proc.wait(5)}): "
                                     f"{buffer!r} {proc.stderr.read()[-2000:]!r}")
            buffer += chunk


async def test_typing_survives_the_app_being_killed(tmp_path):
    path = tmp_path / "school.db"
    record_id = make_database(path)
    proc = subprocess.Popen([sys.executable, str(CHILD), str(path), str(record_id), "aspirations", TEXT],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(CHILD.parent))
    try:
        wait_for_line(proc, "TYPED", READY_TIMEOUT)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "the child was killed, not closed cleanly"

    # (a) The file is sound and the draft holds exactly what was typed.
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        payload = json.loads(conn.execute("SELECT payload FROM drafts WHERE key = ?",
                                          (f"record:{record_id}",)).fetchone()[0])
        assert payload["aspirations"] == TEXT
        assert payload["reason"] == "Post-16 options", "the draft holds the whole form"
        saved = conn.execute("SELECT aspirations FROM meeting_records WHERE id = ?", (record_id,)).fetchone()[0]
        assert saved is None, "the typing was never saved into the record itself"
    finally:
        conn.close()

    # (b) Opening the record again brings the typing back, and says so.
    store = Store.open(path, clock=FixedClock(datetime(2026, 11, 22, 10, 5)))
    try:
        app = build_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.push_screen(RecordScreen(record_id))
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, RecordScreen)
            assert screen.query_one("#aspirations", TextArea).text == TEXT
            assert screen.query_one("#reason", TextArea).text == "Post-16 options"
            banner = str(screen.query_one("#record-banner", Static).render())
            assert "Restored your unsaved typing from 10:00" in banner
            await pilot.press("ctrl+s")
            await pilot.pause()
        saved = store.conn.execute("SELECT aspirations FROM meeting_records WHERE id = ?", (record_id,)).fetchone()
        assert saved[0] == TEXT
        assert store.records.load_draft(f"record:{record_id}") is None
    finally:
        store.close()
