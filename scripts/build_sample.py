"""Rebuild the demo database (invented people), deterministically.

    python scripts/build_sample.py [OUT]

OUT defaults to sample.db at the top of the checkout. The database is built
into a temporary file beside OUT and renamed over it only when complete, so a
failed build never leaves a half-made sample.db. The content comes from
gatsby_tui/sample/data.py; tests/test_sample_data.py fails when the committed
sample.db no longer matches it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gatsby_tui.sample import data as sample_data  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", type=Path, default=REPO / "sample.db",
                        help="where to write the database (default: sample.db at the top of the checkout)")
    args = parser.parse_args(argv)
    out: Path = args.out.expanduser().resolve()
    if not out.parent.is_dir():
        print(f"The folder {out.parent} does not exist: create it first.", file=sys.stderr)
        return 2
    tmp = out.with_name(f".{out.name}.building")
    tmp.unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        sample_data.build(tmp)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    elapsed = time.perf_counter() - started
    print(f"Wrote {out} ({out.stat().st_size / 1024:,.0f} KiB) in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
