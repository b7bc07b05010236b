"""How fast the cohort view (Gatsby benchmark coverage) is on a big database.

    python benchmarks/cohort.py [--db benchmarks/big-20k.db] [--runs 15] [--per-year 12] [--json]

benchmarks/generate.py makes no careers activities, so this script works on a COPY of the
database to which it adds them, deterministically (random.Random(--seed)), by executemany:
for every school year from 2020/21 to this term, ``--per-year`` activities per year group
(assemblies, LMI and subject lessons, employer talks, careers fairs, workplace visits and work
experience, college, university and training-provider encounters, provider-access encounters),
each attended by the whole year group or some of its forms minus about 6% absent, with a mix
of meaningful and not. It also plans a programme for this school year. With the defaults that
is about 1,200 activities and, at 20,000 pupils, roughly a million attendance rows.

It then times, as medians:

* ``Store.benchmark_cohort()`` with its cache cleared each run: the set-based SQL (GROUP BY over
  activity_pupils joined to activities and pupils, one pass over interviews and records) and
  the rules applied to every pupil on roll in Years 7-13;
* the drill-down: ``Store.benchmark_gaps(8, year=11)`` (pupils missing personal guidance);
* in the app: F9 pressed to the cohort view painted with its bars and counts, timed inside the
  app (the key event's arrival to the screen's ``call_after_refresh`` once filled), as
  benchmarks/agenda.py does. The app's cache is cleared before each press.

The target from the cohort view appears within 300 ms at 20,000 pupils.
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
from gatsby_tui.domain import schoolyear  # noqa: E402
from gatsby_tui.store import Store  # noqa: E402

NOW = datetime(2026, 11, 22, 12, 0)
TARGET_MS = 300.0
CORE = ("m_purpose", "m_outcomes", "m_interaction", "m_reflection")
FULL = CORE + ("m_employer_task", "m_employer_feedback")
# kind, benchmarks, points; the year groups it suits
TEMPLATES = (
    ("assembly", (2,), ("m_purpose",), range(7, 14)),
    ("lmi_lesson", (2,), CORE, range(7, 14)),
    ("subject_lesson", (4,), CORE, range(7, 14)),
    ("employer_talk", (5,), CORE, range(7, 14)),
    ("employer_talk", (5,), ("m_purpose", "m_outcomes", "m_interaction"), range(7, 14)),
    ("careers_fair", (2, 5), CORE, range(8, 14)),
    ("enterprise_project", (5,), CORE, range(7, 10)),
    ("workplace_visit", (5, 6), FULL, range(9, 14)),
    ("work_experience", (5, 6), FULL, (10, 12)),
    ("college_encounter", (7,), CORE, range(9, 12)),
    ("sixth_form_encounter", (7,), CORE, range(10, 12)),
    ("university_encounter", (7,), CORE, range(9, 14)),
    ("training_provider_encounter", (7,), CORE, range(9, 14)),
    ("university_visit", (7,), CORE, (12, 13)),
    ("provider_access", (7,), CORE, range(8, 14)),
)


def add_activities(store: Store, per_year: int, seed: int) -> dict:
    rng = random.Random(seed)
    conn = store.conn
    conn.execute("PRAGMA synchronous = OFF")
    today = NOW.date()
    sy_now = schoolyear.school_year_of(today)
    pupils = conn.execute("SELECT id, intake_year, form, date_left FROM pupils").fetchall()
    by_intake: dict[int, list[tuple[int, str | None, str | None]]] = {}
    for p in pupils:
        by_intake.setdefault(p["intake_year"], []).append((p["id"], p["form"], p["date_left"]))
    activity_rows, benchmark_rows, attend_rows = [], [], []
    aid = conn.execute("SELECT coalesce(max(id), 0) FROM activities").fetchone()[0]
    stamp = "2026-11-16T10:30:00"
    for sy in range(2020, sy_now + 1):
        first = date(sy, 9, 3)
        last = min(date(sy + 1, 7, 20), today - timedelta(days=1))
        span = (last - first).days
        if span <= 0:
            continue
        for year in range(7, 14):
            intake = schoolyear.intake_year_for(year, sy)
            group = by_intake.get(intake, [])
            suitable = [t for t in TEMPLATES if year in t[3]]
            # This term gets its share of the year's activities only.
            count = max(1, round(per_year * span / (date(sy + 1, 7, 20) - first).days))
            for _ in range(count):
                kind, bms, points, _years = rng.choice(suitable)
                held = first + timedelta(days=rng.randrange(span + 1))
                while held.weekday() >= 5:
                    held -= timedelta(days=1)
                aid += 1
                activity_rows.append((aid, kind, f"{kind.replace('_', ' ').capitalize()} (Year {year})",
                                      held.isoformat(), "Benchmark employer", None,
                                      *(int(p in points) for p in FULL), stamp))
                benchmark_rows += [(aid, b) for b in bms]
                letters = None if rng.random() < 0.6 else set(rng.sample("ABCDEFGH", 4))
                iso = held.isoformat()
                for pid, form, left in group:
                    if left is not None and left <= iso:
                        continue
                    if letters is not None and not (form and form[-1] in letters):
                        continue
                    if rng.random() < 0.06:
                        continue
                    attend_rows.append((aid, pid))
    from gatsby_tui.store.db import transaction

    with transaction(conn):          # which also works out the attendees' coverage facts
        conn.executemany(
            "INSERT INTO activities (id, kind, title, held_on, organisation, subject, m_purpose, m_outcomes, "
            "m_interaction, m_reflection, m_employer_task, m_employer_feedback, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", activity_rows)
        conn.executemany("INSERT INTO activity_benchmarks (activity_id, benchmark) VALUES (?, ?)", benchmark_rows)
        conn.executemany("INSERT INTO activity_pupils (activity_id, pupil_id) VALUES (?, ?)", attend_rows)
        for year in (7, 8, 9, 10, 11, 13):
            for bm in (1, 2, 5, 7, 8):
                conn.execute("INSERT INTO programme_items (school_year, year_group, benchmark, description) "
                             "VALUES (?, ?, ?, ?)", (sy_now, year, bm, f"Planned for Year {year}, benchmark {bm}"))
    conn.execute("ANALYZE")
    return {"activities": len(activity_rows), "attendances": len(attend_rows)}


UI_CASES = ("warm", "changed", "cold")


def measure_ui(store: Store, runs: int) -> dict[str, list[float]]:
    """F9 to the cohort view painted, timed inside the real app, on a new cohort screen each
    time, in three cases:

    * warm: as a careers leader meets it. The app works the coverage out in the background when
      it starts, so by the time F9 is pressed the figures are known;
    * changed: something was written since (here, a setting), so the screen shows the figures
      it knows at once, marked as being updated, and works them out afresh: both times are kept
      ("changed" to the first paint, "changed_fresh" to the current figures painted);
    * cold: nothing worked out yet (the cache cleared just before F9).
    """
    import asyncio

    from textual import events

    from gatsby_tui.app import GatsbyApp

    class Timed(GatsbyApp):
        key_at = 0.0

        async def on_event(self, event: events.Event) -> None:
            if isinstance(event, events.Key):
                self.key_at = time.perf_counter()
            await super().on_event(event)

    async def run() -> dict[str, list[float]]:
        app = Timed(store)
        out: dict[str, list[float]] = {"warm": [], "changed": [], "changed_fresh": [], "cold": []}

        async def wait_for(attribute: str):
            for _ in range(10000):
                screen = app.screen
                if getattr(screen, attribute, 0.0):
                    return screen
                await asyncio.sleep(0.001)
            raise SystemExit(f"the cohort view never showed ({attribute})")

        async with app.run_test(size=(120, 50)) as pilot:
            await pilot.pause()
            for i in range(runs):
                for case in UI_CASES:
                    await pilot.press("f2")
                    await pilot.pause()
                    # Let the background work (the app's warm-up, or the last screen's) finish.
                    for _ in range(5000):
                        if store.coverage.current() is not None and not app.workers._workers:
                            break
                        await asyncio.sleep(0.002)
                    # A fresh cohort screen each time: the mode is reset, as on first opening.
                    if "cohort" in app._screen_stacks:
                        app.remove_mode("cohort")
                        app.add_mode("cohort", app.MODES["cohort"])
                    if case == "changed":
                        store.settings.set("benchmark.touch", str(i))
                    elif case == "cold":
                        store.coverage.forget()
                    await pilot.press("f9")
                    screen = await wait_for("results_shown_at")
                    out[case].append((screen.results_shown_at - app.key_at) * 1000)
                    screen = await wait_for("fresh_shown_at")
                    if case == "changed":
                        out["changed_fresh"].append((screen.fresh_shown_at - app.key_at) * 1000)
        return out

    return asyncio.run(run())


def measure(db: Path, runs: int, per_year: int, seed: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="gatsby-cohort-bench-"))
    try:
        copy = folder / "bench.db"
        shutil.copyfile(db, copy)
        store = Store.open(copy, clock=FixedClock(NOW), create=False)
        try:
            added = {"activities": 0, "attendances": 0}
            if store.conn.execute("SELECT count(*) FROM activities").fetchone()[0] == 0:
                added = add_activities(store, per_year, seed)
            pupils = store.conn.execute("SELECT count(*) FROM pupils").fetchone()[0]

            def timed(fn, n):
                times = []
                result = None
                for _ in range(n):
                    store.coverage.forget()
                    t0 = time.perf_counter()
                    result = fn()
                    times.append((time.perf_counter() - t0) * 1000)
                return times, result

            first, cohort = timed(store.coverage.cohort, 1)
            cohort_times, cohort = timed(store.coverage.cohort, runs)
            gap_times, (gaps, total) = timed(lambda: store.coverage.gaps(8, year=11), runs)
            ui = measure_ui(store, max(5, runs // 2))
            return {
                "db": str(db), "pupils": pupils, "on_roll_7_13": cohort.pupils, **added, "runs": runs,
                "cohort_first_ms": round(first[0], 1),
                "cohort_median_ms": round(statistics.median(cohort_times), 1),
                "cohort_max_ms": round(max(cohort_times), 1),
                "gaps_median_ms": round(statistics.median(gap_times), 1), "gaps_total": total,
                **{f"ui_{case}_median_ms": round(statistics.median(t), 1) for case, t in ui.items()},
                **{f"ui_{case}_max_ms": round(max(t), 1) for case, t in ui.items()},
            }
        finally:
            store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=HERE / "big-20k.db")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--per-year", type=int, default=12, help="activities per year group per school year")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.db.exists():
        raise SystemExit(f"{args.db} does not exist: make it with benchmarks/generate.py first.")
    r = measure(args.db, args.runs, args.per_year, args.seed)
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    print(f"{r['db']}: {r['pupils']:,} pupils ({r['on_roll_7_13']:,} on roll in Years 7-13); added "
          f"{r['activities']:,} activities and {r['attendances']:,} attendances")
    print(f"  Store.benchmark_cohort: median {r['cohort_median_ms']} ms over {r['runs']} runs "
          f"(first {r['cohort_first_ms']} ms, slowest {r['cohort_max_ms']} ms)")
    print(f"  drill-down (Year 11 missing Benchmark 8, {r['gaps_total']:,} pupils): median {r['gaps_median_ms']} ms")
    words = {"warm": "figures known (worked out when the app started)",
             "changed": "after a change, known figures shown while updating",
             "changed_fresh": "after a change, current figures painted",
             "cold": "nothing known yet (cache cleared)"}
    print("  cohort view in the app, F9 to painted (target 300 ms):")
    for case, what in words.items():
        median, slowest = r[f"ui_{case}_median_ms"], r[f"ui_{case}_max_ms"]
        verdict = "within" if median < TARGET_MS else "OVER"
        print(f"    {what}: median {median} ms (slowest {slowest} ms) — {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
