"""Run by tests/test_draft_recovery.py in a child process: open the app on a database, open a
meeting record, type into one field with pilot key presses, wait until the draft row holds the
text (read with a separate SQLite connection), print TYPED, then wait to be killed.

Usage: python draft_child.py DB_PATH RECORD_ID FIELD TEXT
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import time
from datetime import datetime

from gatsby_tui.app import build_app
from gatsby_tui.clock import FixedClock
from gatsby_tui.screens.record import RecordScreen
from gatsby_tui.store import Store

KEYS = {" ": "space", "\n": "enter"}
DRAFT_TIMEOUT = 30.0   # seconds to see the draft on disk
LIFETIME = 300.0       # never outlive a parent that failed to kill us


def draft_on_disk(path: str, key: str) -> dict | None:
    try:
        conn = sqlite3.connect(path, timeout=1.0)
        try:
            row = conn.execute("SELECT payload FROM drafts WHERE key = ?", (key,)).fetchone()
        finally:
            conn.close()
    except sqlite3.OperationalError:  # the app is writing at this moment: look again
        return None
    return None if row is None else json.loads(row[0])


async def main(path: str, record_id: int, field: str, text: str) -> int:
    store = Store.open(path, clock=FixedClock(datetime(2026, 11, 22, 10, 0)))
    app = build_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.push_screen(RecordScreen(record_id))
        await pilot.pause()
        app.screen.query_one(f"#{field}").focus()
        await pilot.pause()
        for ch in text:
            await pilot.press(KEYS.get(ch, ch))
        deadline = time.monotonic() + DRAFT_TIMEOUT
        while True:
            payload = draft_on_disk(path, f"record:{record_id}")
            if payload is not None and payload.get(field) == text:
                break
            if time.monotonic() > deadline:
                print(f"NO-DRAFT {payload!r}", flush=True)
                return 1
            await pilot.pause(0.05)
        print("TYPED", flush=True)
        await asyncio.sleep(LIFETIME)  # killed with SIGKILL long before this
    return 2


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])))
