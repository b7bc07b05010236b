"""Run by tests/test_crash.py and tests/test_two_copies.py in child processes: perform the app's
real write operations through the Store, in a loop, and print one line per committed write
(flushed at once), so a parent that kills this process knows what must be in the file.

Usage: python writer_child.py DB_PATH SEED [COUNT]

Each line is ``OK <kind> <id>``: kind is pupil, interview, record (signed off), amendment,
action or import (the pupil id written by a one-row CSV import). Without COUNT it runs until
killed (at most LIFETIME seconds); with COUNT it stops after that many writes and prints DONE.
A write refused with a StoreError (a clash, a lock held too long) prints ``REFUSED <message>``:
it was not written, and that is allowed.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from gatsby_tui.domain.upn import check_letter
from gatsby_tui.store import BookingRequest, Store, StoreError

LIFETIME = 120.0


def upn(rng: random.Random) -> str:
    body = f"{rng.randint(100, 999)}{rng.randint(0, 9999):04d}{rng.randint(10, 99)}{rng.randint(0, 999):03d}"
    return check_letter(body) + body


OUT = sys.stdout


def say(*words: object) -> None:
    OUT.write(" ".join(str(w) for w in words) + "\n")
    OUT.flush()


def main() -> int:
    return run(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None)


def run(path: str, seed: int, count: int | None = None, out=None) -> int:
    """The loop; ``out`` (a text stream) instead of stdout when run in a forked child."""
    global OUT
    OUT = out or sys.stdout
    rng = random.Random(seed)
    store = Store.open(path, create=False)
    store.advisers.set_current(store.conn.execute("SELECT id FROM advisers ORDER BY id LIMIT 1").fetchone()[0])
    adviser = store.adviser_id
    folder = Path(tempfile.mkdtemp(prefix="gatsby-writer-"))
    began, done = time.monotonic(), 0
    say("READY")
    while time.monotonic() - began < LIFETIME and (count is None or done < count):
        kind = rng.choice(("pupil", "pupil", "meeting", "meeting", "meeting", "import"))
        try:
            if kind == "pupil":
                checked = store.pupils.validate({"upn": upn(rng), "legal_forename": f"Writer{seed}",
                                                "legal_surname": f"Test{rng.randint(0, 10**9)}", "dob": "14/03/2011",
                                                "form": "11A", "sen_status": "N"})
                say("OK pupil", store.pupils.add(checked))
            elif kind == "meeting":
                row = store.conn.execute("SELECT id FROM pupils ORDER BY random() LIMIT 1").fetchone()
                if row is None:
                    continue
                start = datetime(2017, 1, 2, 9, 0) + timedelta(days=rng.randint(0, 3000), minutes=15 * rng.randint(0, 28))
                iid = store.bookings.book(BookingRequest(pupil_id=row[0], adviser_id=adviser, start=start), confirm=True)
                say("OK interview", iid)
                rid = store.records.start(interview_id=iid)
                store.records.save(rid, {"confidentiality_explained": True, "advice_given": f"Advice {seed}-{done}",
                                        "decisions": "Apply to college", "intended_destination": "230"})
                action = store.actions.add(pupil_id=row[0], record_id=rid, description=f"Action {seed}-{done}",
                                          owner="pupil")
                say("OK action", action)
                store.records.sign_off(rid)
                say("OK record", rid)
                say("OK amendment", store.records.amend(rid, "decisions", f"Amended {seed}-{done}", "Pupil changed mind"))
            else:
                csv_path = folder / "import.csv"
                code = upn(rng)
                csv_path.write_text("UPN,Legal Surname,Legal Forename,DOB,Year,Form\n"
                                    f"{code},Imported{rng.randint(0, 10**9)},Ina,14/03/2011,11,11B\n",
                                    encoding="utf-8")
                plan = store.pupils.plan_import(csv_path)
                result = store.pupils.apply_import(plan)
                if result.added:
                    new = store.conn.execute("SELECT id FROM pupils WHERE upn = ?", (code,)).fetchone()[0]
                    say("OK import", new)
        except StoreError as e:
            say("REFUSED", str(e).replace("\n", " ")[:200])
        done += 1
    say("DONE")
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
