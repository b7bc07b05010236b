"""The command-line commands: ``import pupils``, ``pupils``, ``agenda``, ``ics``, ``history`` and the
reports. Never imports Textual.

Exit codes (cli/output.py): 0 done; 1 the file has invalid rows (nothing was written, or a dry run
found some); 2 a usage error; 3 a data error (the file or the database cannot be used, an
unknown UPN or adviser); 4 refused for safety (the database is locked). Every problem is one
plain sentence on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from gatsby_tui.cli.output import (DATA, ROWS_REFUSED, USAGE, UsageError, code_for, code_json, moment_json,
                                   name_json, pad, table_lines, upgrading)
from gatsby_tui.domain.codes import MEETING_KIND_SHORT as AGENDA_KINDS
from gatsby_tui.domain.codes import MEETING_STATUS_WORDS as AGENDA_STATUS
from gatsby_tui.domain.codes import MODE_SUFFIX as AGENDA_MODES
from gatsby_tui.domain.codes import SEN_MARKS as AGENDA_SEN
from gatsby_tui.exports.csv_lists import guard_cell  # the one formula-injection guard
from gatsby_tui.store import OpenError, PupilFilter, RegisterRow, Store, StoreError
from gatsby_tui.store import importer
from gatsby_tui.store.importer import ImportPlan, plain

if TYPE_CHECKING:
    from gatsby_tui.store.services.backup import Pending

PAGE_SIZE = 1000       # rows a query: each page runs the search again, so few large pages
PROGRESS_FROM_ROWS = 500          # show progress on a terminal for files at least this long


def _fail(message: str, code: int = USAGE) -> int:
    print(f"gatsby-tui: {plain(message, 500)}", file=sys.stderr)
    return code


def _out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _counts(added: int, updated: int, unchanged: int, rejected: int) -> str:
    return f"Added {added}, updated {updated}, unchanged {unchanged}, rejected {rejected}."


def _report_plan(plan: ImportPlan) -> None:
    if plan.ignored_columns:
        _out(f"Ignored columns: {', '.join(plan.ignored_columns)}.")
    for row in plan.rows:
        for warning in row.warnings:
            _out(f"note: line {row.line} ({plain(row.name, 80)}): {warning}")
    for bad in plan.rejected:
        _out(f"line {bad.line}: {bad.reason}")


class _Progress:
    """'Importing: 45%' on one line of stderr, for big files on a terminal only."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        sys.stderr.write(f"\rImporting: {percent}%")
        sys.stderr.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _tolerant_output() -> None:
    """Names a terminal cannot show are escaped rather than ending the command."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def import_pupils(args: argparse.Namespace) -> int:
    """gatsby-tui import pupils FILE.csv --db PATH [--dry-run] [--skip-invalid]"""
    # An import holds a few hundred thousand objects (cells, checked rows, the plan) until it ends,
    # and they form no reference cycles: Python's cycle collector would only walk them over and
    # over (a tenth of a second or more for 20,000 pupils). Reference counting still frees
    # everything as before; the collector is back on when the command returns.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        return _import_pupils(args)
    finally:
        if gc_was_on:
            gc.enable()


def _import_pupils(args: argparse.Namespace) -> int:
    _tolerant_output()
    source = Path(args.file).expanduser()
    db_path = Path(args.db).expanduser()
    store: Store | None = None
    pending: "Pending | None" = None
    try:
        try:
            if not args.dry_run and db_path.exists():
                # The backup taken before writing is copied and checked in a thread of its own
                # while the file is read and its rows checked (all of them only read the
                # database); it becomes a backup only if the import writes.
                store = Store.open(db_path, create=False, on_upgrade=upgrading)
                pending = store.backup.start("before-import")
            csv_file = importer.read_csv(source)
            if store is None:
                # Read and check the file before creating the database, so a bad file never
                # leaves an empty new database behind; the plan uses what was read.
                if args.dry_run and not db_path.exists():
                    store = _scratch_store(db_path)
                    _out(f"{db_path} does not exist yet: every valid pupil would be added to a new database.")
                else:
                    store = Store.open(db_path, create=not args.dry_run, on_upgrade=upgrading)
                if not args.dry_run:
                    pending = store.backup.start("before-import")
        except (OpenError, StoreError) as e:
            return _fail(str(e), code_for(e))
        try:
            return _plan_and_apply(store, csv_file, args, pending)
        except StoreError as e:
            return _fail(str(e), code_for(e))
        except sqlite3.Error as e:
            return _fail(f"The database could not be read or written ({e}): nothing was imported.", DATA)
    finally:
        if pending is not None:
            pending.drop()
        if store is not None:
            store.close()


def _scratch_store(db_path: Path) -> Store:
    """An empty database in memory, so a dry run against a new file writes nothing."""
    from gatsby_tui.store.db import configure, schema_sql

    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.executescript("BEGIN;\n" + schema_sql() + "\nCOMMIT;")
    configure(conn)
    return Store(conn, db_path)


def _plan_and_apply(store: Store, csv_file: importer.CsvFile, args: argparse.Namespace,
                    pending: "Pending | None") -> int:
    plan = store.pupils.plan_import(csv_file)
    _report_plan(plan)
    bad = plan.rejected_count
    if args.dry_run:
        _out(f"Dry run: nothing was written. Would add {plan.added}, update {plan.updated}; "
             f"{plan.unchanged} unchanged, {bad} rejected.")
        if bad and not args.skip_invalid:
            return _fail(f"{bad} {'row is' if bad == 1 else 'rows are'} invalid: fix them before importing, "
                         "or use --skip-invalid to import only the other rows.", ROWS_REFUSED)
        return ROWS_REFUSED if bad else 0
    if bad and not args.skip_invalid:
        _out(f"In the file: {plan.added} new, {plan.updated} to update, {plan.unchanged} unchanged, "
             f"{bad} rejected.")
        return _fail(f"{bad} {'row is' if bad == 1 else 'rows are'} invalid: nothing was imported. "
                     "Fix them, or use --skip-invalid to import only the other rows.", ROWS_REFUSED)
    progress = _Progress() if _stderr_is_terminal() and len(plan.rows) >= PROGRESS_FROM_ROWS else None
    try:
        result = store.pupils.apply_import(plan, skip_invalid=args.skip_invalid, progress=progress,
                                           backup=pending)
    finally:
        if progress:
            progress.finish()
    _out(_counts(result.added, result.updated, result.unchanged, result.rejected))
    return ROWS_REFUSED if result.rejected else 0          # done, but some rows were refused


# ---------------------------------------------------------------- pupils


def _all_rows(store: Store, f: PupilFilter) -> Iterator[RegisterRow]:
    """Every matching pupil, a page at a time (keyset paging, never one giant query)."""
    after = None
    while True:
        rows = store.pupils.page(f, after=after, limit=PAGE_SIZE)
        yield from rows
        if len(rows) < PAGE_SIZE:
            return
        after = rows[-1].key(f.sort)


def _as_dict(row: RegisterRow) -> dict[str, Any]:
    return {
        "upn": row.upn,
        "name": row.name,
        "legal_surname": row.surname,
        "legal_forename": row.forename,
        "preferred_forename": row.preferred,
        "year_group": row.year_group,
        "form": row.form,
        "sen_status": row.sen_status,
        "flags": list(row.flags),
        "date_left": row.date_left,
        "last_meeting": row.last_meeting,
        "next_meeting": row.next_meeting,
    }


def _as_json(row: RegisterRow) -> dict[str, Any]:
    """One pupil in the commands' JSON dialect (gatsby_tui/schemas/pupils.json)."""
    from gatsby_tui.domain.codes import SEN_LABELS

    return {
        "upn": row.upn,
        "name": name_json(row.surname, row.forename, row.name),
        "preferred_forename": row.preferred,
        "year_group": row.year_group,
        "form": row.form,
        "sen_status": code_json(row.sen_status, SEN_LABELS.get(row.sen_status)),
        "flags": list(row.flags),
        "date_left": row.date_left,
        "last_meeting": moment_json(row.last_meeting),
        "next_meeting": moment_json(row.next_meeting),
    }


CSV_COLUMNS = (
    ("UPN", "upn"), ("Legal Surname", "legal_surname"), ("Legal Forename", "legal_forename"),
    ("Preferred Forename", "preferred_forename"), ("Year", "year_group"), ("Form", "form"),
    ("SEN Status", "sen_status"), ("Flags", "flags"), ("Date Left", "date_left"),
)


def _write_csv(rows: Iterator[RegisterRow]) -> int:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([title for title, _ in CSV_COLUMNS])
    for row in rows:
        data = _as_dict(row)
        data["flags"] = " ".join(data["flags"])
        writer.writerow([guard_cell(data[key]) for _, key in CSV_COLUMNS])
    return 0


def _write_json(rows: Iterator[RegisterRow]) -> int:
    sys.stdout.write("[")
    first = True
    for row in rows:
        sys.stdout.write("\n  " if first else ",\n  ")
        sys.stdout.write(json.dumps(_as_json(row), ensure_ascii=False))
        first = False
    sys.stdout.write("\n]\n" if not first else "]\n")
    return 0


def _write_table(rows: Iterator[RegisterRow], left: bool) -> int:
    titles = ("Name", "Year", "Form", "SEN", "Flags", "UPN")
    table = [
        (plain(row.name, 60), str(row.year_group), plain(row.form or "", 20), row.sen_status,
         " ".join(row.flags), row.upn)
        for row in rows
    ]
    if not table:
        _out("No pupils who have left match." if left else "No pupils on roll match.")
        return 0
    for text in table_lines(titles, table):
        _out(text)
    _out(f"{len(table)} pupil{'s' if len(table) != 1 else ''}.")
    return 0


def list_pupils(args: argparse.Namespace) -> int:
    """gatsby-tui pupils --db PATH [--year N] [--search TEXT] [--left] [--format table|csv|json]"""
    _tolerant_output()
    if args.year is not None and not 5 <= args.year <= 14:
        return _fail(f"--year {args.year} is not a secondary year group: give 7 to 13 (or 14).")

    def run(store: Store) -> int:
        f = PupilFilter(search=args.search or "", year=args.year, roll="left" if args.left else "on_roll")
        rows = _all_rows(store, f)
        if args.format == "csv":
            return _write_csv(rows)
        if args.format == "json":
            return _write_json(rows)
        return _write_table(rows, args.left)

    return _using_store(args.db, run)


def _quiet_stdout() -> None:
    """The reader went away (``| head``): stop writing without a traceback at exit."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


# ---------------------------------------------------------------- agenda and calendar files


def _open_existing(db: str) -> Store:
    return Store.open(db, create=False, on_upgrade=upgrading)


def _using_store(db: str, work: Callable[[Store], int]) -> int:
    """Open the database ``db`` (it must exist), run ``work`` on it and close it; every problem is
    one sentence on stderr: the file will not open, a StoreError, a read that failed, or the
    reader going away (``| head``, which is not an error)."""
    try:
        store = _open_existing(db)
    except (OpenError, StoreError) as e:
        return _fail(str(e), code_for(e))
    try:
        return work(store)
    except StoreError as e:
        return _fail(str(e), code_for(e))
    except sqlite3.Error as e:
        return _fail(f"The database could not be read ({e}): check it, or restore it from a backup.", DATA)
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    finally:
        store.close()


def _choose_adviser(store: Store, name: str | None) -> Any:
    """The adviser named (by part of the name, case ignored), or the one using the app.
    Raises StoreError with a sentence listing the advisers when that is not one person."""
    from gatsby_tui.store import advisers as adviser_rules

    everyone = store.advisers.all(include_inactive=True)
    listed = adviser_rules.describe_list(everyone)
    if not everyone:
        raise StoreError(f"There are no advisers in {store.path} yet: add one in the app first.")
    if not name or not name.strip():
        row = store.advisers.current()
        if row is None:
            raise StoreError(f"Nobody is chosen as the adviser using the app: give --adviser NAME "
                             f"(the advisers are {listed}).")
        return row
    matches = store.advisers.find(name)
    shown = plain(name, 40)
    if not matches:
        raise StoreError(f"No adviser's name contains '{shown}': the advisers are {listed}.")
    if len(matches) > 1:
        raise StoreError(f"'{shown}' matches more than one adviser ({adviser_rules.describe_list(matches)}): "
                         "give more of the name.")
    return matches[0]


def _day(text: str | None, what: str, default: Any = None) -> Any:
    from gatsby_tui.domain import dates

    if text is None:
        return default
    try:
        return dates.parse_date(text, what=what)
    except dates.DateError as e:
        raise UsageError(str(e)) from None


def _agenda_line(row: Any) -> str:
    time_text = f"{row.start:%H:%M}–{row.end:%H:%M}"
    if row.day_off is not None:
        return f"{'all day':<11}  day off{': ' + plain(row.day_off, 60) if row.day_off else ''}"
    if row.interview_id is None:
        where = f"  {plain(row.place, 40)}" if row.place else ""
        return f"{time_text}  free{where}"
    cells = (
        pad(plain(row.pupil_name or "", 34), 34, cut=True),
        (f"Y{row.year_group}" if row.year_group is not None else "").ljust(4),
        AGENDA_SEN.get(row.sen or "", "").ljust(4),
        (AGENDA_KINDS.get(row.kind, row.kind or "") + AGENDA_MODES.get(row.mode, "")).ljust(20),
        AGENDA_STATUS.get(row.status, row.status or ""),
    )
    return f"{time_text}  " + "  ".join(cells).rstrip()


def agenda(args: argparse.Namespace) -> int:
    """gatsby-tui agenda --db PATH [--adviser NAME] [--date DD/MM/YYYY] [--week]"""
    from datetime import timedelta

    from gatsby_tui.domain.when import long_day

    _tolerant_output()

    def run(store: Store) -> int:
        adviser = _choose_adviser(store, args.adviser)
        day = _day(args.date, "date", store.today)
        first, days = (day - timedelta(days=day.weekday()), 7) if args.week else (day, 1)
        rows = store.bookings.agenda(adviser["id"], first, days)
        last = first + timedelta(days=days - 1)
        if args.week:
            _out(f"{plain(adviser['name'], 80)} · week of {long_day(first)} to {long_day(last)}")
        else:
            _out(f"{plain(adviser['name'], 80)} · {long_day(first)}")
        if not rows:
            _out("Nothing booked and no clinic hours on these days.")
            return 0
        current = None
        for row in rows:
            if args.week and row.start.date() != current:
                current = row.start.date()
                _out("")
                _out(long_day(current))
            _out(("  " if args.week else "") + _agenda_line(row))
        booked = sum(1 for r in rows if r.status == "booked")
        free = sum(1 for r in rows if r.free)
        _out("")
        _out(f"{booked} booked, {free} free slot{'s' if free != 1 else ''}.")
        return 0

    return _using_store(args.db, run)


def export_ics(args: argparse.Namespace) -> int:
    """gatsby-tui ics --db PATH --adviser NAME --from DATE --to DATE --out FILE [--full-names]"""
    from gatsby_tui.domain import dates

    _tolerant_output()
    try:
        first = _day(args.first, "first day")
        last = _day(args.last, "last day")
    except StoreError as e:
        return _fail(str(e), USAGE)

    def run(store: Store) -> int:
        adviser = _choose_adviser(store, args.adviser)
        count = store.bookings.export_ics(adviser["id"], first, last, Path(args.out), full_names=args.full_names)
        _out(f"Wrote {count} event{'s' if count != 1 else ''} for {plain(adviser['name'], 80)} "
             f"({dates.uk(first)} to {dates.uk(last)}) to {args.out}.")
        return 0

    return _using_store(args.db, run)


# ---------------------------------------------------------------- a pupil's history


def _history_when(at: str) -> str:
    """'22/11/2026 10:00' (or the day alone for dated items)."""
    day = f"{at[8:10]}/{at[5:7]}/{at[0:4]}"
    return f"{day} {at[11:16]}" if len(at) >= 16 else day


def history(args: argparse.Namespace) -> int:
    """gatsby-tui history --db PATH --upn UPN [--kind KIND] [--search TEXT] [--format table|json]"""
    from gatsby_tui.domain import upn as upn_rules

    _tolerant_output()
    if args.limit < 1:
        return _fail("--limit must be at least 1.")

    def run(store: Store) -> int:
        row = store.pupils.by_upn(args.upn) if upn_rules.is_valid(upn_rules.normalise(args.upn)) else None
        if row is None:
            return _fail(f"No pupil with UPN '{plain(args.upn, 20)}' is in {args.db}: check the UPN "
                         "(13 characters, e.g. A801200015001).", DATA)
        events = store.history.for_pupil(row["id"], args.limit, kind=args.kind, search=args.search)
        summary = store.history.summary(row["id"])
        if args.format == "json":
            destination = summary["intended_destination"]
            doc = {
                "upn": row["upn"],
                "name": name_json(row["legal_surname"], row["legal_forename"], summary["display"]),
                "year_group": summary["year_group"],
                "sen_status": code_json(summary["sen_status"], summary["sen_label"]), "flags": summary["flags"],
                "open_actions": summary["open_actions"], "guidance_by_16": summary["guidance_by_16"],
                "guidance_by_18": summary["guidance_by_18"],
                "intended_destination": None if destination is None else
                code_json(destination["code"], destination["label"]),
                "events": [{"at": moment_json(e.at), "kind": e.kind, "title": e.title, "detail": e.detail,
                            "ref": e.ref} for e in events],
            }
            json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
            _out()
            return 0
        flags = f", {', '.join(summary['flags'])}" if summary["flags"] else ""
        sen = f", {summary['sen_label']}" if summary["sen_status"] != "N" else ""
        _out(f"{plain(summary['name'], 80)} ({row['upn']}), Year {summary['year_group']}{sen}{flags}")
        _out(f"Open actions: {summary['open_actions']} · guidance meetings by 16: {summary['guidance_by_16']}, "
             f"by 18: {summary['guidance_by_18']}")
        _out("")
        if not events:
            _out("Nothing in the history yet." if not (args.kind or args.search) else "Nothing matches.")
            return 0
        for e in events:
            detail = f"  {plain(e.detail, 100)}" if e.detail else ""
            _out(f"{_history_when(e.at).ljust(16)}  {e.kind.ljust(8)}  {plain(e.title, 60)}{detail}")
        return 0

    return _using_store(args.db, run)


# ---------------------------------------------------------------- destinations report

DESTINATION_CSV_COLUMNS = (
    ("UPN", "upn"), ("Legal Surname", "legal_surname"), ("Legal Forename", "legal_forename"),
    ("Preferred Forename", "preferred_forename"), ("Date Left", "date_left"), ("Left From Year", "left_from_year"),
    ("Consent", "consent"), ("NCCIS Code", "code"), ("Destination", "destination"), ("Category", "category"),
    ("Provider", "provider"), ("Course Or Role", "course_or_role"), ("Start Date", "start_date"),
    ("Recorded On", "recorded_on"), ("Last Checked", "last_checked"), ("Check Due", "check_due"),
    ("Check Done", "check_done"),
)


def _leaver_dict(row: Any) -> dict[str, Any]:
    from gatsby_tui.domain import send

    return {
        "upn": row.upn, "name": row.name, "legal_surname": row.surname, "legal_forename": row.forename,
        "preferred_forename": row.preferred, "date_left": row.date_left, "left_from_year": row.year_left_in,
        "consent": row.consent, "code": row.code, "destination": row.label,
        "category": dict(send.BUCKETS)[row.bucket], "provider": row.provider, "course_or_role": row.course_or_role,
        "start_date": row.start_date, "recorded_on": row.recorded_on, "last_checked": row.last_checked,
        "check_due": row.check_due if row.consent else None, "check_done": row.check_done if row.consent else None,
    }


def _leaver_json(row: Any) -> dict[str, Any]:
    """One leaver in the commands' JSON dialect (gatsby_tui/schemas/report-destinations.json)."""
    from gatsby_tui.domain import send

    return {
        "upn": row.upn, "name": name_json(row.surname, row.forename, row.name),
        "preferred_forename": row.preferred, "date_left": row.date_left, "left_from_year": row.year_left_in,
        "consent": bool(row.consent), "destination": code_json(row.code, row.label),
        "category": dict(send.BUCKETS)[row.bucket], "provider": row.provider, "course_or_role": row.course_or_role,
        "start_date": row.start_date, "recorded_on": row.recorded_on, "last_checked": row.last_checked,
        "check_due": row.check_due if row.consent else None,
        "check_done": bool(row.check_done) if row.consent and row.check_done is not None else None,
    }


def report_destinations(args: argparse.Namespace) -> int:
    """gatsby-tui report destinations --db PATH --cohort YYYY [--format table|csv|json]"""
    from gatsby_tui.domain import dates, send

    _tolerant_output()
    if not 2000 <= args.cohort <= 2100:
        return _fail(f"--cohort {args.cohort} is not a year: give the year the leavers' last school year "
                     "ended, e.g. 2026 for those who left in 2025/26.")

    def run(store: Store) -> int:
        summary = store.destinations.cohort_summary(args.cohort)
        rows = store.destinations.all_leavers(args.cohort)
        if args.format == "csv":
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow([title for title, _ in DESTINATION_CSV_COLUMNS])
            for row in rows:
                data = _leaver_dict(row)
                for key in ("consent", "check_done"):
                    data[key] = "" if data[key] is None else ("yes" if data[key] else "no")
                writer.writerow([guard_cell(data[key]) for _, key in DESTINATION_CSV_COLUMNS])
            return 0
        if args.format == "json":
            doc = {
                "cohort": args.cohort, "label": send.cohort_label(args.cohort), "total": summary.total,
                "summary": {bucket: {"count": summary.counts[bucket],
                                     "percent": round(100 * summary.counts[bucket] / summary.total)
                                     if summary.total else None}
                            for bucket, _ in send.BUCKETS},
                "no_consent": summary.no_consent, "checks_due": summary.checks_due,
                "leavers": [_leaver_json(r) for r in rows],
            }
            json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
            _out()
            return 0
        _out(f"{send.cohort_label(args.cohort)}: {summary.total} leaver{'s' if summary.total != 1 else ''}")
        if not summary.total:
            known = store.destinations.cohorts()
            _out("No leavers in this cohort." + (f" Cohorts with leavers: {', '.join(map(str, known))}." if known else ""))
            return 0
        _out("  ".join(f"{label} {summary.counts[b]} ({summary.percent(b)})" for b, label in send.BUCKETS))
        _out(f"No consent to contact: {summary.no_consent} · checks due: {summary.checks_due}")
        _out("")
        titles = ("Name", "UPN", "Left", "Year", "Consent", "Destination", "Provider", "Check")
        table = [
            (plain(r.name, 40), r.upn, dates.uk(dates.from_iso(r.date_left)), str(r.year_left_in),
             "yes" if r.consent else "no", plain(f"{r.code} {r.label}" if r.code else "not known", 46),
             plain(r.provider or "", 30), plain(r.check_words(store.today), 50))
            for r in rows
        ]
        for text in table_lines(titles, table):
            _out(text)
        return 0

    return _using_store(args.db, run)
