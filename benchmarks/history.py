"""How fast a pupil's history opens, for the pupil with the longest history on a big database.

    python benchmarks/history.py [--db benchmarks/big-200k.db] [--runs 50] [--json]

Finds the pupil with the most meetings, records and actions (benchmarks/generate.py gives a few
pupils — --long-histories, default 3 — several hundred history items each), then reports medians
over ``--runs`` runs (after one warm-up call, also reported) of:

* ``Store.pupil_history(pupil, limit=201)`` + ``Store.pupil_summary(pupil)``: what the pupil
  screen asks the store for when it opens (201: the screen shows 200 and says when there are more);
  also each alone, the history of one kind, and a search within the history;
* opening the PupilScreen inside the app: from ``app.push_screen(PupilScreen(pupil))`` to the
  screen having painted its history (PupilScreen.history_shown_at, set by call_after_refresh once
  the summary and the history are filled), timed inside the app's own event loop as
  benchmarks/agenda.py does; the screen is popped between runs.

It works on a copy of the database, so the file is never changed. The target:
the history opens within 50 ms.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from gatsby_tui.clock import FixedClock  # noqa: E402
from gatsby_tui.store import Store  # noqa: E402

NOW = datetime(2026, 11, 22, 12, 0)
TARGET_MS = 50.0
LIMIT = 201


def longest_history(store: Store) -> tuple[int, int]:
    """(pupil id, number of meetings + records + actions) for the pupil with the most."""
    row = store.conn.execute(
        "SELECT pupil_id, count(*) AS n FROM (SELECT pupil_id FROM interviews UNION ALL "
        "SELECT pupil_id FROM meeting_records UNION ALL SELECT pupil_id FROM actions) "
        "GROUP BY pupil_id ORDER BY n DESC, pupil_id LIMIT 1").fetchone()
    if row is None:
        raise SystemExit("The database has no meetings, records or actions: make it with benchmarks/generate.py.")
    return row[0], row[1]


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def measure_ui(store: Store, pupil_id: int, runs: int) -> list[float]:
    """Push to painted, inside the app: the first run is the cold one (fresh screen, first queries)."""
    import asyncio

    from gatsby_tui.app import build_app
    from gatsby_tui.screens.pupil import PupilScreen

    async def run() -> list[float]:
        app = build_app(store)
        out: list[float] = []
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            for _ in range(runs):
                screen = PupilScreen(pupil_id)
                pushed_at = time.perf_counter()
                app.push_screen(screen)
                for _ in range(5000):
                    if screen.history_shown_at:
                        break
                    await asyncio.sleep(0.001)
                out.append((screen.history_shown_at - pushed_at) * 1000)
                await pilot.pause()
                app.pop_screen()
                await pilot.pause()
        return out

    return asyncio.run(run())


def measure(db: Path, runs: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="gatsby-history-bench-"))
    try:
        copy = folder / "bench.db"
        shutil.copyfile(db, copy)
        store = Store.open(copy, clock=FixedClock(NOW), create=False)
        try:
            pupils = store.conn.execute("SELECT count(*) FROM pupils").fetchone()[0]
            interviews = store.conn.execute("SELECT count(*) FROM interviews").fetchone()[0]
            pupil_id, sources = longest_history(store)
            items = len(store.history.for_pupil(pupil_id, limit=1_000_000))
            name = store.history.summary(pupil_id)["display"]

            first = timed(lambda: (store.history.for_pupil(pupil_id, limit=LIMIT), store.history.summary(pupil_id)), 1)
            both = timed(lambda: (store.history.for_pupil(pupil_id, limit=LIMIT), store.history.summary(pupil_id)), runs)
            history = timed(lambda: store.history.for_pupil(pupil_id, limit=LIMIT), runs)
            summary = timed(lambda: store.history.summary(pupil_id), runs)
            kind = timed(lambda: store.history.for_pupil(pupil_id, limit=LIMIT, kind="action"), runs)
            search = timed(lambda: store.history.for_pupil(pupil_id, limit=LIMIT, search="college"), runs)
            ui = measure_ui(store, pupil_id, max(5, runs // 5))
            return {
                "db": str(db), "pupils": pupils, "interviews": interviews, "runs": runs,
                "pupil_id": pupil_id, "pupil": name, "history_items": items, "shown": min(items, LIMIT - 1),
                "first_ms": round(first[0], 2),
                "history_and_summary_median_ms": round(statistics.median(both), 2),
                "history_and_summary_max_ms": round(max(both), 2),
                "history_median_ms": round(statistics.median(history), 2),
                "summary_median_ms": round(statistics.median(summary), 2),
                "kind_median_ms": round(statistics.median(kind), 2),
                "search_median_ms": round(statistics.median(search), 2),
                "ui_runs": len(ui),
                "ui_first_ms": round(ui[0], 2),
                "ui_median_ms": round(statistics.median(ui), 2),
                "ui_max_ms": round(max(ui), 2),
            }
        finally:
            store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", type=Path, help="database(s) to measure (repeatable)")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    dbs = args.db or [p for p in (HERE / "big-200k.db",) if p.exists()]
    if not dbs:
        raise SystemExit("No benchmarks/big-200k.db: make it first with\n"
                         "  .venv/bin/python benchmarks/generate.py --pupils 200000 --interviews 200000 "
                         "--out benchmarks/big-200k.db")
    results = [measure(db, args.runs) for db in dbs]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for r in results:
        print(f"{r['db']}: {r['pupils']:,} pupils, {r['interviews']:,} interviews")
        print(f"  longest history: pupil {r['pupil_id']} ({r['pupil']}), {r['history_items']:,} items "
              f"(the screen shows the {r['shown']} most recent)")
        verdict = "within" if r["history_and_summary_median_ms"] < TARGET_MS else "OVER"
        print(f"  pupil_history + pupil_summary: median {r['history_and_summary_median_ms']} ms over {r['runs']} runs "
              f"(first call {r['first_ms']} ms, slowest {r['history_and_summary_max_ms']} ms) — {verdict} the "
              f"{TARGET_MS:.0f} ms target")
        print(f"    history alone {r['history_median_ms']} ms · summary alone {r['summary_median_ms']} ms · "
              f"one kind (actions) {r['kind_median_ms']} ms · search 'college' {r['search_median_ms']} ms")
        verdict = "within" if r["ui_median_ms"] < TARGET_MS else "OVER"
        print(f"  PupilScreen in the app, push to history painted: median {r['ui_median_ms']} ms over "
              f"{r['ui_runs']} opens (first {r['ui_first_ms']} ms, slowest {r['ui_max_ms']} ms) — {verdict} the "
              f"{TARGET_MS:.0f} ms target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
