"""How fast a pupil's record exports, and that the PDF library does not slow the app's start.

    python benchmarks/exports.py [--runs 5] [--pages 10]

On a private copy of sample.db it gives one pupil signed-off meeting records (each with advice,
decisions and two actions) until their record runs to ``--pages`` PDF pages, then times, in fresh
processes so nothing is cached:

* the first PDF export in a process (importing fpdf2 and loading the fonts included), and a
  second one in the same process, as an adviser exporting twice in one session sees it;
* the same record as HTML, Markdown and JSON;
* a record holding Korean and Chinese names (the CJK fallback font loaded);
* importing ``gatsby_tui.app`` with and without fpdf2 already imported, and whether starting the
  app imports fpdf2 at all (it should not: the PDF code is imported when a PDF is written).

The target from a 10-page PDF record exports within 1 second.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 1000.0


def prepare(folder: Path, pages: int) -> tuple[Path, int]:
    from pypdf import PdfReader

    from gatsby_tui.clock import FixedClock
    from gatsby_tui.store import BookingRequest, Store

    db = folder / "bench.db"
    shutil.copyfile(ROOT / "sample.db", db)
    store = Store.open(db, create=False, clock=FixedClock(datetime(2026, 11, 22, 12, 0)))
    try:
        pid = store.conn.execute("SELECT pupil_id FROM meeting_records GROUP BY pupil_id "
                                 "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        adviser = store.conn.execute("SELECT id FROM advisers ORDER BY id LIMIT 1").fetchone()[0]
        store.advisers.set_current(adviser)
        start = datetime(2025, 9, 8, 9, 0)
        n = 0
        while True:
            for _ in range(3):
                n += 1
                when = start + timedelta(days=7 * n)
                iid = store.bookings.book(BookingRequest(pupil_id=pid, adviser_id=adviser, start=when), confirm=True)
                rid = store.records.start(interview_id=iid)
                store.records.save(rid, {
                    "reason": "Checking in on applications", "confidentiality_explained": True,
                    "situation": "Settled in Year 11; working towards mock exams. " * 3,
                    "aspirations": "Wants to work in engineering; weighing an apprenticeship against A levels. " * 2,
                    "advice_given": ("Went through the routes after Year 11, the entry requirements for the courses "
                                     "and where to find apprenticeship vacancies. ") * 3,
                    "decisions": "Apply to two colleges and one apprenticeship; visit the open evening.",
                    "intended_destination": "310"})
                for what in ("Send the college application", "Book a place at the open evening"):
                    store.actions.add(pupil_id=pid, record_id=rid, description=what, owner="pupil",
                                     due=(when + timedelta(days=14)).date())
                store.records.sign_off(rid)
            path = store.exports.pupil_record(pid, "pdf", folder / "probe.pdf", record_given=False)
            if len(PdfReader(str(path)).pages) >= pages:
                return db, pid
    finally:
        store.close()


CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from gatsby_tui.store import Store
store = Store.open(sys.argv[1], create=False)
out = {}
for label, fmt in (("pdf_first", "pdf"), ("pdf_second", "pdf"), ("html", "html"), ("md", "md"), ("json", "json")):
    t = time.perf_counter()
    path = store.exports.pupil_record(int(sys.argv[2]), fmt, sys.argv[3], record_given=False)
    out[label] = (time.perf_counter() - t) * 1000
from pypdf import PdfReader
out["pages"] = len(PdfReader(sys.argv[3] + "/" + path.name.replace(".json", ".pdf")).pages)
store.close()
print(json.dumps(out))
"""

CJK_CHILD = r"""
import json, sys, time
from gatsby_tui.store import Store
store = Store.open(sys.argv[1], create=False)
store.conn.execute("UPDATE pupils SET legal_forename = '민준', legal_surname = '김', preferred_forename = '子浩' "
                   "WHERE id = ?", (int(sys.argv[2]),))
store.conn.commit()
t = time.perf_counter()
store.exports.pupil_record(int(sys.argv[2]), "pdf", sys.argv[3], record_given=False)
print(json.dumps({"pdf_cjk_first": (time.perf_counter() - t) * 1000}))
"""

START_CHILD = r"""
import json, sys, time
preload = sys.argv[1] == "with-fpdf"
if preload:
    import fpdf
t = time.perf_counter()
import gatsby_tui.app
elapsed = (time.perf_counter() - t) * 1000
print(json.dumps({"import_app_ms": elapsed, "fpdf_imported_by_app": (not preload) and "fpdf" in sys.modules}))
"""

RUN_APP_CHILD = r"""
import asyncio, json, sys
from gatsby_tui.store import Store
from gatsby_tui.app import build_app
store = Store.open(sys.argv[1], create=False)
async def main():
    app = build_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
asyncio.run(main())
print(json.dumps({"fpdf_imported_by_running_app": "fpdf" in sys.modules}))
"""


def child(code: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=str(ROOT), check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="gatsby-export-bench-"))
    try:
        db, pid = prepare(folder, args.pages)
        out = folder / "out"
        out.mkdir()
        runs = [child(CHILD, str(db), str(pid), str(out)) for _ in range(args.runs)]
        cjk = [child(CJK_CHILD, str(db), str(pid), str(out)) for _ in range(args.runs)]
        plain = [child(START_CHILD, "plain") for _ in range(args.runs)]
        loaded = [child(START_CHILD, "with-fpdf") for _ in range(args.runs)]
        running = child(RUN_APP_CHILD, str(db))
        med = lambda rows, key: round(statistics.median(r[key] for r in rows), 1)  # noqa: E731
        result = {
            "pages": runs[0]["pages"], "runs": args.runs,
            **{f"{k}_ms": med(runs, k) for k in ("pdf_first", "pdf_second", "html", "md", "json")},
            "pdf_cjk_first_ms": med(cjk, "pdf_cjk_first"),
            "import_app_ms": med(plain, "import_app_ms"),
            "import_app_after_fpdf_ms": med(loaded, "import_app_ms"),
            "fpdf_imported_by_app": any(r["fpdf_imported_by_app"] for r in plain),
            "fpdf_imported_by_running_app": running["fpdf_imported_by_running_app"],
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    r = result
    verdict = "within" if r["pdf_first_ms"] < TARGET_MS else "OVER"
    print(f"A {r['pages']}-page record, medians over {r['runs']} fresh processes:")
    print(f"  PDF, first in a process (fpdf2 imported, fonts loaded): {r['pdf_first_ms']} ms — {verdict} the "
          f"{TARGET_MS:.0f} ms target")
    print(f"  PDF, second in the same process: {r['pdf_second_ms']} ms")
    print(f"  HTML {r['html_ms']} ms · Markdown {r['md_ms']} ms · JSON {r['json_ms']} ms")
    print(f"  PDF with Korean and Chinese names (CJK font loaded), first in a process: {r['pdf_cjk_first_ms']} ms")
    print(f"  import gatsby_tui.app: {r['import_app_ms']} ms (with fpdf2 already imported: "
          f"{r['import_app_after_fpdf_ms']} ms)")
    print(f"  fpdf2 imported by importing the app: {r['fpdf_imported_by_app']}; "
          f"by starting it: {r['fpdf_imported_by_running_app']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
