"""Exports: a pupil's record and action plan through one pipeline, and any list on screen as CSV.

The pipeline for a pupil's data, used by the export screen, the bulk export, the command line and
the answer to a subject access request alike:

    gather once (``preview``: the record and the other pupils named in it, shown to the adviser)
      -> choose what is given (confidential notes, names withheld)
      -> render (exports/pupil_record.py: PDF, HTML, Markdown or JSON)
      -> write (atomically, owner-only, never over a file it did not write: exports/files.py)
      -> record as given, answer the request, audit (one transaction; the file is removed if it fails)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, NamedTuple, Sequence

from gatsby_tui.store import advisers, audit, pupils
from gatsby_tui.store.db import StoreError, transaction
from gatsby_tui.store.pupils import PupilFilter
from gatsby_tui.store.services import Service

PUPIL_FORMATS = ("pdf", "html", "md", "json")
ACTION_PLAN_FORMATS = ("pdf", "md")


def check_folder(target: Path) -> None:
    """StoreError unless the folder ``target`` is to be written in exists."""
    if not target.parent.is_dir():
        raise StoreError(f"The folder {target.parent} does not exist: choose another, or create it first.")


def write_file(target: Path, data: bytes, ending: str) -> Path:
    """Write an export atomically and owner-only (exports.files.write_atomic); any failure is a
    StoreError in words. ``ending`` ('.pdf', '.csv' ...) is named when ``target`` is a folder."""
    from gatsby_tui.exports import files

    check_folder(target)
    try:
        return files.write_atomic(target, data)
    except IsADirectoryError:
        raise StoreError(f"{target} is a folder: give a file name ending in {ending}.") from None
    except OSError as e:
        raise StoreError(f"Cannot write {target} ({e.strerror or e}): choose another folder.") from None


def write_new_file(target: Path, data: bytes, ending: str) -> Path:
    """Write a pupil's export owner-only without ever replacing a file already there: the name
    gets " (2)", " (3)" ... if taken (exports.files.write_new). Returns the file written; any
    failure is a StoreError in words."""
    from gatsby_tui.exports import files

    check_folder(target)
    try:
        return files.write_new(target, data)
    except IsADirectoryError:
        raise StoreError(f"{target} is a folder: give a file name ending in {ending}.") from None
    except FileExistsError:
        raise StoreError(f"Too many files named like {target.name} are in {target.parent}: "
                         "choose another folder.") from None
    except OSError as e:
        raise StoreError(f"Cannot write {target} ({e.strerror or e}): choose another folder.") from None


def export_format(fmt: str, allowed: Sequence[str]) -> str:
    """'htm' -> 'html', '.MD' -> 'md'; StoreError in words for a format not in ``allowed``."""
    fmt = {"htm": "html", "markdown": "md"}.get((fmt or "").lower().lstrip("."), (fmt or "").lower().lstrip("."))
    if fmt not in allowed:
        raise StoreError(f"Choose one of these formats: {', '.join(allowed)}.")
    return fmt


class Gathered(NamedTuple):
    """A pupil's whole record as gathered once, and the other pupils named in its free text.
    Unpacks as ``data, mentions``; given back to ``pupil_record`` so nothing is gathered twice."""
    data: dict[str, Any]
    mentions: list[Any]


class Exports(Service):
    CSV_PAGE = 500       # rows of a list read from SQL at a time (and between progress reports)

    def file_name(self, pupil_id: int, what: str, fmt: str) -> str:
        """'Asha Ahmed - careers record - 2026-11-23.pdf': the pupil's name and the date, never a
        UPN. A pupil who shares their name with another on the register is told apart by form (or
        year group): 'Orla Ní Shúilleabháin (7A) - careers record - 2026-11-23.pdf'. A name still
        taken in the folder gets a counter when written (write_new_file)."""
        from gatsby_tui.exports.files import safe_name

        who = pupils.name_apart(self.conn, pupil_id, self.today)
        return safe_name(f"{who} - {what} - {self.today.isoformat()}") + f".{fmt}"

    def folder(self) -> Path:
        """The folder exports were last written to (remembered), else the home folder."""
        folder = Path(self.store.settings.get("export_folder") or str(Path.home())).expanduser()
        return folder if folder.is_dir() else Path.home()

    # ------------------------------------------------------------ the pipeline for a pupil's data
    def preview(self, pupil_id: int) -> Gathered:
        """Gather the pupil's whole record once, with the other pupils named in its free text, for
        the adviser to choose what to withhold; give it back to ``pupil_record`` to write it."""
        from gatsby_tui.store import pupil_record

        data = pupil_record.gather(self.conn, pupil_id, today=self.today)
        return Gathered(data, pupil_record.other_pupils_named(self.conn, pupil_id, data))

    def pupil_record(self, pupil_id: int, fmt: str, path: str | os.PathLike[str], *,
                     include_confidential: bool = False, redact: Sequence[str] = (), sar_id: int | None = None,
                     how: str | None = None, record_given: bool = True, gathered: Gathered | None = None) -> Path:
        """Write the pupil's whole record (``fmt`` pdf, html, md or json) to ``path`` (a file, or a
        folder for the default name), atomically and owner-only; confidential notes only when
        ``include_confidential``; each name in ``redact`` withheld. Then, in one transaction: the
        copy is recorded as given (unless ``record_given`` is False), ``sar_id`` marked answered,
        and the export audited. ``gathered``: the record as ``preview`` gathered it (else it is
        gathered now). Returns the file written."""
        from gatsby_tui.store import pupil_record

        fmt = export_format(fmt, PUPIL_FORMATS)
        if gathered is None:
            data = pupil_record.gather(self.conn, pupil_id, today=self.today)
        else:
            data = gathered.data
        data = pupil_record.choose(data, include_confidential=include_confidential, redact=redact)
        for request in data.get("requests") or []:
            if sar_id is not None and request["id"] == sar_id:      # this copy is the answer: say so
                request.update(status="fulfilled", fulfilled_on=self.today.isoformat(), answered_by_this_copy=True)
        withheld = " ".join(data["withheld"]) or None
        given = None
        if record_given or sar_id is not None:
            given = {"how": how, "sar_id": sar_id, "withheld": withheld}
        return self._deliver(pupil_id, "record", fmt, data, path, given=given, sar_id=sar_id,
                             audit_table="pupils", audit_row=pupil_id,
                             audit_after={"what": "pupil record", "format": fmt,
                                          "confidential_notes_included": data["confidential_notes_included"],
                                          "withheld": withheld, "sar_id": sar_id})

    def action_plan(self, record_id: int, fmt: str, path: str | os.PathLike[str], *,
                    how: str | None = "handed over", record_given: bool = True) -> Path:
        """Write the one-page action plan from a signed-off meeting record (``fmt`` pdf or md) and
        record it in the pupil's history as given (date, how), in one transaction with its audit."""
        from gatsby_tui.store import pupil_record

        fmt = export_format(fmt, ACTION_PLAN_FORMATS)
        data = pupil_record.action_plan(self.conn, record_id, today=self.today)
        pupil_id = pupil_record.pupil_of_record(self.conn, record_id)
        given = {"how": how, "record_id": record_id} if record_given else None
        return self._deliver(pupil_id, "action_plan", fmt, data, path, given=given,
                             audit_table="meeting_records", audit_row=record_id,
                             audit_after={"what": "action plan", "format": fmt})

    def many(self, pupil_ids: Sequence[int], kind: str, fmt: str, folder: str | os.PathLike[str], *,
             progress: Any = None, cancelled: Any = None) -> tuple[list[Path], list[str]]:
        """One file per pupil into ``folder``: their whole record (``kind`` 'record'; confidential
        notes left out and every other pupil named withheld) or the action plan of their latest
        signed-off meeting ('action_plan'). Nothing is recorded as given: the files are for the
        school to print or send. ``progress(done, total)`` is called after each pupil;
        ``cancelled()`` True stops after the current one. Returns (files written, the names of the
        pupils skipped for an action plan because they have no signed-off meeting record yet)."""
        from gatsby_tui.store import pupil_record

        target = Path(folder).expanduser()
        if not target.is_dir():
            raise StoreError(f"The folder {target} does not exist: choose another, or create it first.")
        written: list[Path] = []
        skipped: list[str] = []
        total = len(pupil_ids)
        for done, pupil_id in enumerate(pupil_ids, 1):
            if cancelled is not None and cancelled():
                break
            if kind == "record":
                gathered = self.preview(pupil_id)
                written.append(self.pupil_record(pupil_id, fmt, target, record_given=False, gathered=gathered,
                                                 redact=[f for m in gathered.mentions for f in m.forms]))
            else:
                record_id = pupil_record.latest_signed_off(self.conn, pupil_id)
                if record_id is None:
                    skipped.append(pupils.full_name(self.conn, pupil_id))
                else:
                    written.append(self.action_plan(record_id, fmt, target, record_given=False))
            if progress is not None:
                progress(done, total)
        return written, skipped

    def _deliver(self, pupil_id: int, kind: str, fmt: str, data: dict[str, Any], path: str | os.PathLike[str], *,
                 given: dict[str, Any] | None, audit_table: str, audit_row: int, audit_after: dict[str, Any],
                 sar_id: int | None = None) -> Path:
        """Render ``data`` (``kind`` 'record' or 'action_plan') as ``fmt``, write it as a new file,
        then in one transaction record it as ``given`` (None: not given), mark ``sar_id``
        answered and audit the export. A file whose recording fails is removed."""
        from gatsby_tui.exports import pupil_record as render
        from gatsby_tui.store import pupil_record, sar

        target = self._target(path, pupil_id, "careers record" if kind == "record" else "action plan", fmt)
        target = write_new_file(target, render.render(data, fmt, kind=kind, produced=self.clock.now()), f".{fmt}")
        stamp = self.clock.stamp()
        try:
            with transaction(self.conn):
                if given is not None:
                    given_id = pupil_record.record_given(self.conn, pupil_id=pupil_id, kind=kind, fmt=fmt,
                                                         given_on=self.today, adviser_id=self.adviser_id,
                                                         stamp=stamp, **given)
                    audit.write(self.conn, at=stamp, adviser_id=self.adviser_id, action="insert",
                                table="exports_given", row_id=given_id, pupil_id=pupil_id,
                                after={"kind": kind, "format": fmt, **given})
                if sar_id is not None:
                    sar.mark_fulfilled(self.conn, sar_id, pupil_id, stamp=stamp, today=self.today,
                                       adviser_id=self.adviser_id)
                what, fmt_given, *rest = audit_after.items()      # the file named after its format
                audit.write(self.conn, at=stamp, adviser_id=self.adviser_id, action="export",
                            table=audit_table, row_id=audit_row, pupil_id=pupil_id,
                            after=dict([what, fmt_given, ("file", str(target)), *rest]))
        except BaseException:
            target.unlink(missing_ok=True)     # not recorded, so not left behind either
            raise
        return target

    def _target(self, path: str | os.PathLike[str], pupil_id: int, what: str, fmt: str) -> Path:
        target = Path(path).expanduser()
        if target.is_dir():
            return target / self.file_name(pupil_id, what, fmt)
        if target.suffix.lower().lstrip(".") != fmt:
            target = target.with_name(target.name + f".{fmt}")
        return target

    # ------------------------------------------------------------ any list on screen as CSV
    def list_labels(self, which: str, filters: Mapping[str, Any], count: int | None = None) -> Any:
        """csv_lists.Labels for a list's CSV: what it holds, in words ('Year 11 on roll: 243 pupils'),
        and its default file name ('register - Year 11 - 2026-11-23.csv'; never a UPN). ``which`` and
        ``filters`` as for ``store.exports.csv_list``."""
        from gatsby_tui.exports import csv_lists

        filters = self._list_filters(which, filters)
        adviser_name = breakdown_words = None
        if which == "follow_ups" and filters.get("adviser_id") is not None:
            row = advisers.get(self.conn, filters["adviser_id"])
            adviser_name = row["name"] if row is not None else None
        if which == "gaps" and filters.get("breakdown"):
            from gatsby_tui.store import coverage

            breakdown_words = dict(coverage.BREAKDOWNS[filters["breakdown"]][1]).get(filters.get("value"))
        return csv_lists.labels(which, filters, today=self.today, count=count, adviser_name=adviser_name,
                                breakdown_words=breakdown_words)

    def _list_filters(self, which: str, filters: Mapping[str, Any] | PupilFilter) -> dict[str, Any]:
        """The filters for ``which`` as a plain dict, checked; StoreError in words when they cannot be used."""
        from dataclasses import asdict

        from gatsby_tui.domain import benchmarks as rules
        from gatsby_tui.exports import csv_lists

        if which not in csv_lists.LISTS:
            raise StoreError(f"There is no list called '{which}': choose one of {', '.join(csv_lists.LISTS)}.")
        values = asdict(filters) if isinstance(filters, PupilFilter) else dict(filters)
        if which == "gaps" and values.get("key") not in rules.RULE_KEYS:
            raise StoreError(f"'{values.get('key')}' is not a benchmark: give 1 to 8, or pal (provider access).")
        if which == "leavers":
            if values.get("cohort") is None:
                values["cohort"] = self.store.destinations.default_cohort()
            if (values.get("view") or "all") not in csv_lists.LEAVER_VIEWS:
                raise StoreError(f"There is no leavers' view called '{values['view']}': choose one of "
                                 f"{', '.join(csv_lists.LEAVER_VIEWS)}.")
        return values

    def csv_list(self, which: str, filters: Mapping[str, Any] | PupilFilter, path: str | os.PathLike[str],
                 progress: Any = None) -> int:
        """Write a list exactly as its screen shows it (the same filters and order; every row, not only
        those loaded) as a CSV file: exports/csv_lists.py makes the cells (each guarded against spreadsheet
        formulas; UTF-8 with a BOM; dates DD/MM/YYYY). Written atomically and owner-only, with its audit
        entry in the same transaction (no entry if the file could not be written). Returns the rows written.

        ``which`` and its ``filters``:
          'register'    PupilFilter's fields (search, year, sen, flag, roll, sort), or a PupilFilter
          'follow_ups'  owner, due_before, adviser_id (None: every adviser's), as ``store.actions.follow_ups``
          'gaps'        key (1-8 or 'pal'), year, breakdown, value, include_not_due, as ``store.coverage.gaps``
          'leavers'     cohort (default: the current one), view ('all', 'unknown', 'neet', 'checks_due')
        Rows are read ``store.exports.CSV_PAGE`` at a time by keyset paging; ``progress(done, total)`` is called after
        each page, on the calling thread (a worker may use its own ``reopen()``-ed store)."""
        from gatsby_tui.exports import csv_lists

        values = self._list_filters(which, filters)
        target = Path(path).expanduser()
        check_folder(target)
        if target.is_dir():
            raise StoreError(f"{target} is a folder: give a file name ending in .csv.")
        page = self.CSV_PAGE

        def report(done: int, total: int) -> None:
            if progress is not None:
                progress(done, total)

        if which == "register":
            f = PupilFilter(**{k: values[k] for k in PupilFilter.__dataclass_fields__ if k in values})
            book = csv_lists.CsvText(csv_lists.REGISTER_COLUMNS)
            total = self.store.pupils.count(f)
            after = None
            while True:
                rows = self.store.pupils.page(f, after=after, limit=page)
                for row in rows:
                    book.add(csv_lists.register_row(row))
                report(book.rows, total)
                if len(rows) < page:
                    break
                after = rows[-1].key(f.sort)
            table = "pupils"
        elif which == "follow_ups":
            kw = {"owner": values.get("owner"), "due_before": values.get("due_before"),
                  "adviser_id": values.get("adviser_id")}
            names = {r["id"]: r["name"] for r in self.store.advisers.all(include_inactive=True)}
            book = csv_lists.CsvText(csv_lists.FOLLOW_UP_COLUMNS)
            total = self.store.actions.follow_ups_count(**kw)[0]
            key = None
            while True:
                items = self.store.actions.follow_ups(**kw, limit=page, after=key)
                for fu in items:
                    book.add(csv_lists.follow_up_row(fu, names))
                report(book.rows, total)
                if len(items) < page:
                    break
                key = items[-1].key
            table = "actions"
        elif which == "gaps":
            from gatsby_tui.domain import benchmarks as rules

            label = rules.label_of(values["key"])
            book = csv_lists.CsvText(csv_lists.GAP_COLUMNS)
            report(0, 1)
            found, total = self.store.coverage.gaps(values["key"], year=values.get("year"),
                                               breakdown=values.get("breakdown"), value=values.get("value"),
                                               include_not_due=bool(values.get("include_not_due")),
                                               limit=1_000_000)
            for start in range(0, len(found), page):
                chunk = found[start:start + page]
                ids = [g.pupil_id for g in chunk]
                upns = pupils.upns(self.conn, ids)
                for g in chunk:
                    book.add(csv_lists.gap_row(g, upns.get(g.pupil_id, ""), label))
                report(book.rows, total)
            table = "pupils"
        else:  # leavers
            cohort, view = int(values["cohort"]), values.get("view") or "all"
            book = csv_lists.CsvText(csv_lists.LEAVER_COLUMNS)
            total = self.store.destinations.leavers_count(cohort, view)
            today = self.today
            for r in self.store.destinations.all_leavers(cohort, view):
                book.add(csv_lists.leaver_row(r, today))
                if book.rows % page == 0:
                    report(book.rows, total)
            report(book.rows, total)
            table = "destinations"
        with transaction(self.conn):
            audit.write(self.conn, at=self.clock.stamp(), adviser_id=self.adviser_id, action="export",
                        table=table, row_id=None, pupil_id=None,
                        after={"what": "CSV list", "list": which, "filters": values, "rows": book.rows,
                               "file": str(target)})
            write_file(target, book.data(), ".csv")
        return book.rows
