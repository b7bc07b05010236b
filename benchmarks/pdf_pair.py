"""Child of run.py: a pupil's record as a PDF by the app (exports/pdf.py) and by plain fpdf2
(plain_pdf.py) from the same Document, alternately, warm, in one process. Prints JSON."""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from gatsby_tui.clock import FixedClock  # noqa: E402
from gatsby_tui.exports import pdf, pupil_record  # noqa: E402
from gatsby_tui.store import Store  # noqa: E402
from gatsby_tui.store import pupil_record as gather  # noqa: E402
from plain_pdf import plain_pdf_bytes  # noqa: E402

db, pid, runs, folder = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
store = Store.open(db, create=False, clock=FixedClock(datetime(2026, 11, 22, 12, 0)))
data = gather.choose(gather.gather(store.conn, pid, today=store.today), include_confidential=False, redact=())
produced = datetime(2026, 11, 22, 12, 0)


def ours() -> float:
    t = time.perf_counter()
    out = pdf.pdf_bytes(pupil_record.record_document(data), produced=produced)
    took = (time.perf_counter() - t) * 1000
    (folder / "ours.pdf").write_bytes(out)
    return took


def theirs() -> float:
    t = time.perf_counter()
    out = plain_pdf_bytes(pupil_record.record_document(data))
    took = (time.perf_counter() - t) * 1000
    (folder / "plain.pdf").write_bytes(out)
    return took


ours(), theirs()                     # fpdf2 imported and the fonts read once for both
a, b = [], []
for _ in range(runs * 2):
    a.append(ours())
    b.append(theirs())
print(json.dumps({"ours": a, "theirs": b, "ratio": statistics.median(x / y for x, y in zip(a, b))}))
