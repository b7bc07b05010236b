"""``gatsby-tui report benchmarks``: benchmark coverage a careers leader can sign. Never imports Textual.

Two shapes:

* the cohort (default): per year group and for the school, each benchmark as MET OF THOSE IT IS
  DUE FOR, with the pupils it is not yet due for counted apart (a Year 8 pupil who has not had
  the guidance meeting due by the end of Year 11 has not missed it);
* ``--pupils``: every pupil on roll with UPN, name, year group and, for each of B1-B8, ``met``,
  ``not_yet`` or ``not_due`` with what is missing: the upload a school makes to other tools, and
  what checks the rules from outside.

``--on YYYY-MM-DD`` assesses as at that day: the pupils on roll then, the evidence recorded up to
it, the school year it falls in ("how did we stand on 31 August?").
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date
from typing import Any

from gatsby_tui.cli.output import name_json, table_lines
from gatsby_tui.exports.csv_lists import guard_cell

PUPIL_KEYS = tuple(range(1, 9))          # the upload carries B1-B8 (provider access is not a benchmark)


def _day(text: str | None) -> date | None:
    """--on as ISO (2027-08-31) or the UK way (31/08/2027); ValueError with a sentence."""
    from gatsby_tui.domain import dates

    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass
    try:
        return dates.parse_date(text, what="--on date")
    except dates.DateError as e:
        raise ValueError(f"--on {text!r} is not a date: give it as YYYY-MM-DD, e.g. 2027-08-31 ({e}).") from None


def pupil_rows(pupils: list[Any]) -> list[dict[str, Any]]:
    """The upload's objects: upn, name, year_group, benchmarks {"B1": {"state", "missing"}, ...}."""
    from gatsby_tui.domain import benchmarks as rules

    out = []
    for p in pupils:
        marks = {}
        for key in PUPIL_KEYS:
            st = p.states[key]
            marks[f"B{key}"] = {"state": st.state, "missing": st.missing if st.state == rules.NOT_YET else []}
        out.append({"upn": p.upn, "name": name_json(p.surname, p.forename, p.name), "year_group": p.year_group,
                    "benchmarks": marks})
    return out


def _print_table(titles: tuple[str, ...], table: list[tuple[str, ...]]) -> None:
    from gatsby_tui.cli.commands import _out

    for text in table_lines(titles, table):
        _out(text)


def _pupils(store: Any, args: argparse.Namespace, day: date) -> int:
    from gatsby_tui.cli.commands import _out
    from gatsby_tui.domain import benchmarks as rules
    from gatsby_tui.domain import dates
    from gatsby_tui.store.importer import plain

    rows = pupil_rows(store.coverage.pupils(on=day, year=args.year))
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        _out()
        return 0
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["UPN", "Name", "Year group",
                         *(h for k in PUPIL_KEYS for h in (f"B{k}", f"B{k} missing"))])
        for r in rows:
            cells = [r["upn"], r["name"]["display"], r["year_group"]]
            for k in PUPIL_KEYS:
                mark = r["benchmarks"][f"B{k}"]
                cells += [mark["state"], "; ".join(mark["missing"])]
            writer.writerow([guard_cell(c) for c in cells])
        return 0
    _out(f"Gatsby benchmarks pupil by pupil, as at {dates.uk(day)}: {len(rows):,} pupils on roll"
         + (f" in Year {args.year}" if args.year is not None else ""))
    _out("Each benchmark: met, not_yet (something due is missing: listed below the pupil) or not_due "
         "(nothing is due yet).")
    _out("")
    table = []
    for r in rows:
        table.append((r["upn"], plain(r["name"]["display"], 40), str(r["year_group"]),
                      *(r["benchmarks"][f"B{k}"]["state"] for k in PUPIL_KEYS)))
    titles = ("UPN", "Name", "Year", *(f"B{k}" for k in PUPIL_KEYS))
    lines = table_lines(titles, table)
    _out(lines[0])
    _out(lines[1])
    for r, text in zip(rows, lines[2:]):
        _out(text)
        for k in PUPIL_KEYS:
            for what in r["benchmarks"][f"B{k}"]["missing"]:
                _out(f"    B{k} {rules.BENCHMARKS[k][1]}: {plain(what, 300)}")
    return 0


def _cohort(store: Any, args: argparse.Namespace, day: date) -> int:
    from gatsby_tui.cli.commands import _out
    from gatsby_tui.domain import benchmarks as rules
    from gatsby_tui.domain import dates, schoolyear
    from gatsby_tui.store import coverage

    # Once, on the store's own connection: no cache to keep, no reader connections or threads, and
    # no file mapped into memory (a mapped page counts as the process's own once read).
    cohort = coverage.cohort(store.conn, today=day)
    rows = coverage.report_rows(cohort, args.year)
    label = schoolyear.school_year_label(cohort.school_year)
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["Year group", "Benchmark", "Title", "Met", "Not yet", "Due", "Percent met of those due",
                         "Not yet due", "Pupils"])
        for r in rows:
            writer.writerow([guard_cell("" if v is None else v) for v in (
                r["year_group"], r["benchmark"], r["title"], r["met"], r["not_yet"], r["due"],
                r["percent_met_of_due"], r["not_due"], r["pupils"])])
        return 0
    if args.format == "json":
        breakdowns = {}
        for name, (_title, groups) in coverage.BREAKDOWNS.items():
            breakdowns[name] = [
                {"group": words, "value": value,
                 **{str(key): {"met": t.met, "due": t.due, "percent_met_of_due": t.percent_due,
                               "not_due": t.not_due, "pupils": t.total}
                    for key in rules.RULE_KEYS
                    for t in [cohort.tally(key, year=args.year, breakdown=name, value=value)]}}
                for value, words in groups]
        doc = {"school_year": label, "as_of": day.isoformat(), "year_group": args.year,
               "pupils": cohort.size(args.year), "rows": rows, "breakdowns": breakdowns}
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
        _out()
        return 0
    where = f"Year {args.year}" if args.year is not None else "Years 7-13"
    _out(f"Gatsby benchmark coverage, {where}, {label} (as at {dates.uk(day)}): "
         f"{cohort.size(args.year):,} pupils on roll")
    _out("Each cell: the share met OF THE PUPILS IT IS DUE FOR, then met / due; the pupils for whom it is "
         "not yet due are counted apart (+N not yet due), never as not met.")
    _out("")
    if args.year is not None:
        titles = ("Benchmark", "Met", "Not yet", "Due", "% met of due", "Not yet due", "Pupils")
        table = []
        for key in rules.RULE_KEYS:
            t = cohort.tally(key, year=args.year)
            table.append((rules.label_of(key), str(t.met), str(t.not_yet), str(t.due),
                          f"{t.percent_due}%" if t.due else "—", str(t.not_due), str(t.total)))
        _print_table(titles, table)
        return 0
    years: list[int | None] = [*coverage.YEARS, None]
    titles = ("Benchmark", *(f"Year {y}" if y is not None else "School" for y in years))
    table = []
    for key in rules.RULE_KEYS:
        table.append((rules.label_of(key), *(cohort.tally(key, year=y).words() if cohort.tally(key, year=y).total
                                             else "—" for y in years)))
    _print_table(titles, table)
    return 0


def report_benchmarks(args: argparse.Namespace) -> int:
    """gatsby-tui report benchmarks --db PATH [--year N] [--on YYYY-MM-DD] [--pupils] [--format table|csv|json]"""
    from gatsby_tui.cli.commands import _fail, _tolerant_output, _using_store

    _tolerant_output()
    top = 14 if args.pupils else 13
    if args.year is not None and not 7 <= args.year <= top:
        return _fail(f"--year {args.year} is not a year group the benchmarks cover: give 7 to {top}.")
    try:
        on = _day(args.on)
    except ValueError as e:
        return _fail(str(e))

    def run(store: Any) -> int:
        day = on or store.today
        if day > store.today:
            return _fail(f"--on {day.isoformat()} is after today ({store.today.isoformat()}): the figures are "
                         "only known up to today.")
        return _pupils(store, args, day) if args.pupils else _cohort(store, args, day)

    return _using_store(args.db, run)
