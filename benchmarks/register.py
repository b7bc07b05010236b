"""Register speed: launch to first painted screen, and one search keystroke to
results shown, as medians over repeated runs, beside a minimal Textual app
measured in the same run.

    python benchmarks/register.py [--db benchmarks/big-20k.db] [--runs 7]

The database is made by benchmarks/generate.py when it does not exist. Times
are taken inside the app (a key event hook and a call_after_refresh once the
table is filled), never from pilot.press's wall time, which polls.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

# ---------------------------------------------------------------- launch (child processes)

LAUNCH_GATSBY = r"""
import sys, time
from textual import events
from gatsby_tui.store import Store
from gatsby_tui.app import GatsbyApp

class Timed(GatsbyApp):
    def on_mount(self):
        super().on_mount()
        self.set_interval(0.001, self._check)
    def _check(self):
        screen = self.screen
        if getattr(screen, "results_shown_at", 0):
            print(time.time(), flush=True)
            self.exit()

store = Store.open(sys.argv[1])
Timed(store).run(headless=True, size=(120, 40))
"""

LAUNCH_MINIMAL = r"""
import time
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Minimal(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()
    def on_mount(self):
        self.call_after_refresh(self._shown)
    def _shown(self):
        print(time.time(), flush=True)
        self.exit()

Minimal().run(headless=True, size=(120, 40))
"""


def launch_once(script: str, *args: str) -> float:
    start = time.time()
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "TERM": "xterm-256color"})
    if out.returncode != 0:
        raise SystemExit(f"launch failed: {out.stderr[-2000:]}")
    painted = float(out.stdout.strip().splitlines()[-1])
    return (painted - start) * 1000


# ---------------------------------------------------------------- keystrokes (in process)

QUERIES = ["obrien", "smith", "nia", "khan", "11b", "jo"]


async def keystrokes_gatsby(db: Path) -> list[float]:
    from textual import events

    from gatsby_tui.app import GatsbyApp
    from gatsby_tui.store import Store

    class Timed(GatsbyApp):
        key_at = 0.0

        async def on_event(self, event: events.Event) -> None:
            if isinstance(event, events.Key):
                self.key_at = time.perf_counter()
            await super().on_event(event)

    store = Store.open(db)
    app = Timed(store)
    timings: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for query in QUERIES:
            await pilot.press("slash")
            for ch in query:
                screen = app.screen
                before = screen.results_shown_at
                await pilot.press(ch)
                for _ in range(500):
                    if screen.results_shown_at != before:
                        break
                    await asyncio.sleep(0.001)
                timings.append((screen.results_shown_at - app.key_at) * 1000)
            await pilot.press("escape")
            await pilot.pause()
    store.close()
    return timings


async def keystrokes_minimal() -> list[float]:
    from textual import events
    from textual.app import App
    from textual.widgets import Input, Static

    class Minimal(App):
        key_at = 0.0
        shown_at = 0.0

        def compose(self):
            yield Input()
            yield Static()

        async def on_event(self, event: events.Event) -> None:
            if isinstance(event, events.Key):
                self.key_at = time.perf_counter()
            await super().on_event(event)

        def on_input_changed(self, event: Input.Changed) -> None:
            self.query_one(Static).update(event.value)
            self.call_after_refresh(self._shown)

        def _shown(self) -> None:
            self.shown_at = time.perf_counter()

    app = Minimal()
    timings: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for query in QUERIES:
            for ch in query:
                before = app.shown_at
                await pilot.press(ch)
                for _ in range(500):
                    if app.shown_at != before:
                        break
                    await asyncio.sleep(0.001)
                timings.append((app.shown_at - app.key_at) * 1000)
            app.query_one(Input).value = ""
            await pilot.pause()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=HERE / "big-20k.db")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    if not args.db.exists():
        print(f"Generating {args.db} (20,000 pupils, 200,000 interviews) ...", flush=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--pupils", "20000", "--interviews", "200000",
                        "--out", str(args.db)], check=True)
    # Work on a copy so the benchmark never changes the generated file.
    work = Path(tempfile.mkdtemp(prefix="gatsby-bench-")) / "bench.db"
    shutil.copyfile(args.db, work)
    from gatsby_tui.store import PupilFilter, Store

    store = Store.open(work)
    pupils = store.pupils.count(PupilFilter(roll="all"))
    interviews = store.conn.execute("SELECT count(*) FROM interviews").fetchone()[0]
    store.close()
    print(f"Database: {args.db.name}: {pupils:,} pupils, {interviews:,} interviews; {args.runs} runs\n")

    launch_g = [launch_once(LAUNCH_GATSBY, str(work)) for _ in range(args.runs)]
    launch_m = [launch_once(LAUNCH_MINIMAL) for _ in range(args.runs)]
    keys_g: list[float] = []
    keys_m: list[float] = []
    for _ in range(max(1, args.runs // 3)):
        keys_g += asyncio.run(keystrokes_gatsby(work))
        keys_m += asyncio.run(keystrokes_minimal())

    def row(label: str, values: list[float]) -> str:
        values = sorted(values)
        p90 = values[int(len(values) * 0.9) - 1] if len(values) >= 10 else values[-1]
        return f"  {label:<38} median {statistics.median(values):7.1f} ms   p90 {p90:7.1f} ms   (n={len(values)})"

    print("Launch to first painted screen (process start to table shown)")
    print(row("gatsby-tui register", launch_g))
    print(row("minimal Textual app", launch_m))
    print("\nOne search keystroke to results shown")
    print(row("gatsby-tui register (20k pupils)", keys_g))
    print(row("minimal Textual app (echo input)", keys_m))
    if args.json:
        print(json.dumps({"launch_ms": statistics.median(launch_g), "launch_minimal_ms": statistics.median(launch_m),
                          "keystroke_ms": statistics.median(keys_g),
                          "keystroke_minimal_ms": statistics.median(keys_m)}))
    shutil.rmtree(work.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
