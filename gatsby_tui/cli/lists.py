"""gatsby-tui export list: a list from the app as a CSV file (store.exports.csv_list). Never imports Textual.

    gatsby-tui export list --db PATH --list register|follow-ups|gaps|destinations --out FILE_OR_FOLDER
        register      [--year N] [--search TEXT] [--left]
        follow-ups    [--owner mine|all]
        gaps          --benchmark 1-8|pal [--year N] [--not-due]
        destinations  [--cohort YYYY] [--view all|unknown|neet|checks-due]

Exit codes (cli/output.py): 0 written; 2 the filters do not fit the list; 3 the database or the place
to write cannot be used; 4 the database is locked (one plain sentence on stderr, never a
traceback). Nothing is written unless the whole list is.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

LISTS = {"register": "register", "follow-ups": "follow_ups", "gaps": "gaps", "destinations": "leavers"}
VIEWS = {"all": "all", "unknown": "unknown", "neet": "neet", "checks-due": "checks_due"}
# Which filters belong to which list: any other is refused rather than silently ignored.
APPLIES = {"year": ("register", "gaps"), "search": ("register",), "left": ("register",),
           "owner": ("follow-ups",), "benchmark": ("gaps",), "not_due": ("gaps",), "cohort": ("destinations",),
           "view": ("destinations",)}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", required=True, help="database file")
    p.add_argument("--list", required=True, choices=tuple(LISTS), dest="which", help="which list to write")
    p.add_argument("--out", required=True,
                   help="the CSV file to write, or a folder (then named by the list and today's date)")
    p.add_argument("--year", type=int, help="register, gaps: only this year group (7-13)")
    p.add_argument("--search", help="register: only pupils matching this (name, UPN or form), as in the app")
    p.add_argument("--left", action="store_true", help="register: pupils who have left instead of those on roll")
    p.add_argument("--owner", choices=("mine", "all"),
                   help="follow-ups: those you follow up (the adviser chosen in the app) or every adviser's "
                        "(default: all)")
    p.add_argument("--benchmark", help="gaps (required): the benchmark, 1-8 or pal (provider access)")
    p.add_argument("--not-due", action="store_true", dest="not_due",
                   help="gaps: also pupils for whom the benchmark is not yet due")
    p.add_argument("--cohort", type=int, help="destinations: the leaving cohort, e.g. 2026 for those who left "
                                              "in 2025/26 (default: the latest, as in the app)")
    p.add_argument("--view", choices=tuple(VIEWS),
                   help="destinations: all (default), no known destination, NEET or checks due")


def _given(args: argparse.Namespace, name: str) -> bool:
    value = getattr(args, name, None)
    return value not in (None, False)


def _filters(args: argparse.Namespace, store: Any) -> dict[str, Any]:
    """The store.exports.csv_list filters for the arguments; UsageError in words for ones that do not fit."""
    from gatsby_tui.cli.output import UsageError
    from gatsby_tui.domain import benchmarks as rules

    for name, lists in APPLIES.items():
        if _given(args, name) and args.which not in lists:
            flag = "--" + name.replace("_", "-")
            raise UsageError(f"{flag} applies to --list {' or '.join(lists)} only, not to {args.which}.")
    if args.which == "register":
        if args.year is not None and not 7 <= args.year <= 14:
            raise UsageError(f"--year {args.year} is not a secondary year group: give 7 to 13 (or 14).")
        return {"search": args.search or "", "year": args.year, "roll": "left" if args.left else "on_roll"}
    if args.which == "follow-ups":
        if args.owner == "mine":
            if store.advisers.current() is None:
                raise UsageError("Nobody is chosen as the adviser using the app, so there is no 'mine': "
                                 "use --owner all, or choose who you are in the app (F4).")
            return {"adviser_id": store.adviser_id}
        return {"adviser_id": None}
    if args.which == "gaps":
        wanted = ", ".join(str(k) for k in rules.RULE_KEYS)
        if args.benchmark is None:
            raise UsageError(f"--list gaps needs --benchmark: one of {wanted} (pal is provider access).")
        text = args.benchmark.strip().lower().removeprefix("b")
        key: int | str = int(text) if text.isdigit() else text
        if key not in rules.RULE_KEYS:
            raise UsageError(f"--benchmark {args.benchmark} is not a benchmark: give one of {wanted} "
                             "(pal is provider access).")
        if args.year is not None and not 7 <= args.year <= 13:
            raise UsageError(f"--year {args.year} is not a year group the benchmarks cover: give 7 to 13.")
        return {"key": key, "year": args.year, "include_not_due": bool(args.not_due)}
    if args.cohort is not None and not 2000 <= args.cohort <= 2100:
        raise UsageError(f"--cohort {args.cohort} is not a year: give the year the leavers' last school year "
                         "ended, e.g. 2026 for those who left in 2025/26.")
    return {"cohort": args.cohort, "view": VIEWS[args.view or "all"]}


def run(args: argparse.Namespace) -> int:
    """gatsby-tui export list ...: prints the file written and the number of rows."""
    from gatsby_tui.cli.commands import _out, _tolerant_output, _using_store
    from gatsby_tui.store import StoreError
    from gatsby_tui.store.importer import plain

    _tolerant_output()

    def write(store) -> int:
        which = LISTS[args.which]
        filters = _filters(args, store)
        out = Path(args.out).expanduser()
        if out.is_dir():
            out = out / store.exports.list_labels(which, filters).file_name
        elif str(args.out).endswith(("/", "\\")):
            raise StoreError(f"The folder {out} does not exist: choose another, or create it first.")
        rows = store.exports.csv_list(which, filters, out)
        _out(f"Wrote {rows:,} row{'s' if rows != 1 else ''} to {plain(str(out), 500)}.")
        return 0

    return _using_store(args.db, write)
