"""Write the README's screenshot (docs/register.svg) from a copy of sample.db.

    python scripts/screenshot.py
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from gatsby_tui.app import build_app
from gatsby_tui.clock import FixedClock
from gatsby_tui.store import Store
from gatsby_tui.store.db import sample_path

REPO = Path(__file__).resolve().parents[1]


async def main() -> None:
    folder = Path(tempfile.mkdtemp())
    db = folder / "demo.db"
    shutil.copyfile(sample_path(), db)
    store = Store.open(db, clock=FixedClock(datetime(2026, 11, 23, 9, 0)))
    app = build_app(store)
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.pause()
        app.screen.query_one("#year").value = 11
        await pilot.pause()
        await pilot.press("down", "down", "down")
        await pilot.pause()
        app.save_screenshot(filename="register.svg", path=str(REPO / "docs"))
    store.close()
    shutil.rmtree(folder)


if __name__ == "__main__":
    asyncio.run(main())
