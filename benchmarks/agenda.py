"""How fast the agenda's week view is for a busy adviser on a big database.

    python benchmarks/agenda.py [--db benchmarks/big-20k.db] [--runs 50] [--json]

Times ``Store.agenda(busy_adviser, Monday 23 November 2026, 7)`` — the call the agenda screen
makes for its week view — as the median of ``--runs`` runs (after one warm-up call, also
reported), on a copy of the database to which clinic hours are added for the busy adviser
(Monday to Friday 09:00–17:00 in 45-minute slots, so ten slots a day of which the generator's
full week leaves the last one free), so that the clinic patterns are expanded and free slots
computed on every call, as in the app. Also times the day view and the next free slots.

The database is ``benchmarks/generate.py``'s (200,000 interviews, an adviser called "Busy
Adviser" whose week of 23-27 November 2026 is full). When no --db is given the script uses
benchmarks/big-20k.db and benchmarks/big-200k.db if they exist; when neither does, it builds
a quick synthetic database of its own (20,000 pupils, 200,000 interviews, by executemany).
The target from well under 50 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from gatsby_tui.clock import FixedClock  # noqa: E402
from gatsby_tui.domain import names  # noqa: E402
from gatsby_tui.domain.upn import check_letter  # noqa: E402
from gatsby_tui.store import Store  # noqa: E402
from gatsby_tui.store.db import create_database  # noqa: E402

NOW = datetime(2026, 11, 22, 12, 0)
MONDAY = date(2026, 11, 23)
TARGET_MS = 50.0


def synthetic(path: Path, pupils: int = 20_000, interviews: int = 200_000, seed: int = 2026) -> None:
    """A quick stand-in for generate.py: no adviser or pupil double-booked, a full busy week."""
    rng = random.Random(seed)
    conn = create_database(path)
    conn.execute("PRAGMA synchronous = OFF")
    advisers = 25
    stamp = "2026-09-01T08:00:00"
    with conn:
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO advisers (id, name) VALUES (?, ?)",
                         [(1, "Busy Adviser")] + [(i, f"Adviser {i}") for i in range(2, advisers + 1)])
        conn.executemany(
            "INSERT INTO pupils (id, upn, legal_forename, legal_surname, dob, intake_year, sort_name, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(i, _upn(i), "Pupil", f"Surname{i}", "2011-03-14", 2022 - i % 5, names.sort_name(f"Surname{i}", "Pupil"),
              stamp, stamp) for i in range(1, pupils + 1)])
        slots = [9 * 60 + 45 * k for k in range(9)]
        days = [date(2018, 9, 3) + timedelta(days=d) for d in range(0, 3100) if
                (date(2018, 9, 3) + timedelta(days=d)).weekday() < 5]
        made = 0
        interview_rows = []
        busy_week = {MONDAY + timedelta(days=i) for i in range(5)}
        fill = min(1.0, interviews / (len(days) * advisers * len(slots)))
        for day in days:
            for adviser in range(1, advisers + 1):
                for minute in slots:
                    if made >= interviews and not (adviser == 1 and day in busy_week):
                        break
                    if not (adviser == 1 and day in busy_week) and rng.random() > fill:
                        continue
                    start = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)
                    made += 1
                    # Pupils rotate so nobody is in two places at once.
                    pupil = (made * 7919) % pupils + 1
                    status = "booked" if start > NOW else rng.choice(("held", "held", "held", "cancelled"))
                    interview_rows.append((made, f"synthetic-{made}@gatsby-tui", pupil, adviser,
                                           start.strftime("%Y-%m-%dT%H:%M"),
                                           (start + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M"),
                                           status, stamp, stamp))
        conn.executemany("INSERT INTO interviews (id, uid, pupil_id, adviser_id, starts_at, ends_at, status, "
                         "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", interview_rows)
        conn.execute("INSERT INTO settings (key, value) VALUES ('current_adviser_id', '1')")
        conn.execute("COMMIT")
    conn.close()


def _upn(n: int) -> str:
    body = f"801{2000 + n // 1000:04d}15{n % 1000:03d}"
    return check_letter(body) + body


def measure_ui(store: Store, runs: int) -> list[float]:
    """Key press to the week view painted, timed inside the real app (key event hook to
    call_after_refresh once the table is filled)."""
    import asyncio

    from textual import events

    from gatsby_tui.app import GatsbyApp

    class Timed(GatsbyApp):
        key_at = 0.0

        async def on_event(self, event: events.Event) -> None:
            if isinstance(event, events.Key):
                self.key_at = time.perf_counter()
            await super().on_event(event)

    async def run() -> list[float]:
        app = Timed(store)
        out: list[float] = []
        async with app.run_test(size=(120, 60)) as pilot:
            await pilot.press("f3")
            await pilot.pause()
            for i in range(runs * 2):
                screen = app.screen
                before = screen.results_shown_at
                await pilot.press("w")
                for _ in range(1000):
                    if screen.results_shown_at != before:
                        break
                    await asyncio.sleep(0.001)
                if screen.week:
                    out.append((screen.results_shown_at - app.key_at) * 1000)
        return out

    return asyncio.run(run())


def measure(db: Path, runs: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="gatsby-agenda-bench-"))
    try:
        copy = folder / "bench.db"
        shutil.copyfile(db, copy)
        store = Store.open(copy, clock=FixedClock(NOW), create=False)
        try:
            busy = store.conn.execute("SELECT id FROM advisers WHERE name = 'Busy Adviser'").fetchone()
            if busy is None:
                raise SystemExit(f"{db} has no adviser called 'Busy Adviser': make it with benchmarks/generate.py.")
            busy = busy[0]
            store.adviser_id = busy
            if not store.bookings.clinic_patterns(busy):
                store.bookings.add_clinic({"adviser_id": busy, "weekdays": "mon-fri", "start": "09:00", "end": "17:00",
                                  "slot_minutes": "45", "place": "Careers office", "valid_from": "01/09/2026"})
                store.bookings.add_clinic_exception({"first_day": "21/12/2026", "last_day": "01/01/2027",
                                            "reason": "Christmas holidays", "everyone": True})
            interviews = store.conn.execute("SELECT count(*) FROM interviews").fetchone()[0]
            pupils = store.conn.execute("SELECT count(*) FROM pupils").fetchone()[0]
            plan = " / ".join(r[-1] for r in store.conn.execute(
                "EXPLAIN QUERY PLAN SELECT i.id FROM interviews i JOIN pupils p ON p.id = i.pupil_id "
                "WHERE i.adviser_id = ? AND i.starts_at >= ? AND i.starts_at < ? ORDER BY i.starts_at, i.id",
                (busy, "2026-11-23", "2026-11-30")))

            def timed(fn, n):
                times = []
                for _ in range(n):
                    t0 = time.perf_counter()
                    result = fn()
                    times.append((time.perf_counter() - t0) * 1000)
                return times, result

            store.advisers.set_current(busy)
            ui_week = measure_ui(store, runs=max(5, runs // 5))
            first, rows = timed(lambda: store.bookings.agenda(busy, MONDAY, 7), 1)
            week, rows = timed(lambda: store.bookings.agenda(busy, MONDAY, 7), runs)
            day, _ = timed(lambda: store.bookings.agenda(busy, MONDAY + timedelta(days=1), 1), runs)
            free, _ = timed(lambda: store.bookings.next_free_slots(busy, count=8), runs)
            return {
                "db": str(db), "pupils": pupils, "interviews": interviews, "runs": runs,
                "week_rows": len(rows), "week_booked": sum(1 for r in rows if not r.free),
                "week_free": sum(1 for r in rows if r.free),
                "week_first_ms": round(first[0], 2),
                "week_median_ms": round(statistics.median(week), 2),
                "week_max_ms": round(max(week), 2),
                "day_median_ms": round(statistics.median(day), 2),
                "next_free_median_ms": round(statistics.median(free), 2),
                "query_plan": plan,
                "ui_week_median_ms": round(statistics.median(ui_week), 2),
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
    dbs = args.db or [p for p in (HERE / "big-20k.db", HERE / "big-200k.db") if p.exists()]
    temp = None
    if not dbs:
        temp = Path(tempfile.mkdtemp(prefix="gatsby-agenda-synthetic-"))
        target = temp / "synthetic.db"
        print("No benchmarks/big-*.db: building a synthetic one (20,000 pupils, 200,000 interviews)…",
              file=sys.stderr)
        synthetic(target)
        dbs = [target]
    try:
        results = [measure(db, args.runs) for db in dbs]
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for r in results:
        verdict = "within" if r["week_median_ms"] < TARGET_MS else "OVER"
        print(f"{r['db']}: {r['pupils']:,} pupils, {r['interviews']:,} interviews")
        print(f"  week view (Store.agenda, 7 days): median {r['week_median_ms']} ms over {r['runs']} runs "
              f"(first call {r['week_first_ms']} ms, slowest {r['week_max_ms']} ms) — {verdict} the "
              f"{TARGET_MS:.0f} ms target; {r['week_booked']} meetings and {r['week_free']} free slots")
        print(f"  day view: median {r['day_median_ms']} ms; next 8 free slots: median {r['next_free_median_ms']} ms")
        print(f"  week view in the app, key press to painted: median {r['ui_week_median_ms']} ms")
        print(f"  query plan: {r['query_plan']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
