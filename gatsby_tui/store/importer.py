"""Importing pupils from a school's MIS export (a CSV file). Never imports Textual.

Two steps, so a person can see what will happen before anything is written:

* ``plan_import`` reads the file, checks every row with ``pupils.validate`` and
  compares it with the pupil of the same UPN already in the database. It writes
  nothing.
* ``apply_import`` writes the plan in one transaction: either every accepted row
  is written, with its audit entries, or nothing is.

Decisions written down here:

* Pupils are matched by UPN only. Names and dates of birth change (corrections,
  change of name); the UPN does not.
* A column the file does not have leaves the stored value alone (flags,
  preferred forename, form, ...). A column the file has is the truth, even when
  its cell is blank: a blank form clears the form, a blank SEN cell means N.
  A blank year-group cell means "the year group the date of birth gives".
* The import never changes date_left or destination consent: those are decided
  in the app, not in the school's MIS export.
* When several headers name the same thing, the more specific one wins
  ("Legal Surname" over "Surname"); the others are listed as ignored.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import threading
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

from gatsby_tui.domain import dates, names
from gatsby_tui.domain import upn as upn_rules
from gatsby_tui.domain.codes import FLAG_FIELDS
from gatsby_tui.store import audit, pupils
from gatsby_tui.store.db import StoreError, refresh_coverage, transaction
from gatsby_tui.store.pupils import Checked, PupilInvalid

MAX_FILE_BYTES = 50 * 1024 * 1024   # far more than any school's pupil list
MAX_REASON = 300                    # characters of a rejection reason shown to a person

# Field -> the headers that mean it, most specific first. Headers are compared
# after ``_header_key``: lower case, underscores and runs of spaces as one space.
COLUMNS: dict[str, tuple[str, ...]] = {
    "upn": ("upn", "unique pupil number"),
    "legal_surname": ("legal surname", "surname"),
    "legal_forename": ("legal forename", "forename"),
    "preferred_forename": ("preferred forename", "preferred name"),
    "dob": ("dob", "date of birth"),
    "year_group": ("year", "year group", "nc year"),
    "form": ("reg", "reg group", "registration group", "form", "form group", "tutor group"),
    "gender": ("gender", "sex"),
    "sen_status": ("sen status", "sen provision", "sen"),
    "pupil_premium": ("pupil premium", "pp"),
    "looked_after": ("looked after", "lac", "cla"),
    "eal": ("eal",),
    "young_carer": ("young carer",),
    "date_of_entry": ("entry date", "date of entry", "admission date", "date of admission", "doa"),
}
REQUIRED = {
    "upn": "UPN",
    "legal_forename": "forename",
    "legal_surname": "surname",
    "dob": "date of birth",
}
# The stored columns each CSV field feeds: a field without a column in the
# file leaves these columns as they are stored.
STORED_BY_FIELD: dict[str, tuple[str, ...]] = {
    "upn": ("upn",),
    "legal_surname": ("legal_surname",),
    "legal_forename": ("legal_forename",),
    "preferred_forename": ("preferred_forename",),
    "dob": ("dob",),
    "year_group": ("intake_year",),
    "form": ("form",),
    "gender": ("gender",),
    "sen_status": ("sen_status",),
    **{flag: (flag,) for flag in FLAG_FIELDS},
    "date_of_entry": ("date_of_entry",),
}

Action = Literal["add", "update", "unchanged"]
Progress = Callable[[int, int], None]     # progress(done, total)


class ImportFileError(StoreError):
    """The file as a whole cannot be imported; the message is one plain sentence."""


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str
    upn: str | None


@dataclass(frozen=True)
class RowPlan:
    line: int
    action: Action
    pupil_id: int | None
    checked: Checked
    name: str
    warnings: tuple[str, ...] = ()


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    rejected: list[Rejected]
    ignored_columns: list[str]
    source: str

    def _count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def added(self) -> int:
        return self._count("add")

    @property
    def updated(self) -> int:
        return self._count("update")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def rejected_count(self) -> int:
        return len(self.rejected)


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    rejected: int


@dataclass
class CsvFile:
    """A CSV file read and its headers understood, rows not yet checked."""

    source: str
    columns: dict[str, int]                  # field -> index of its column
    ignored_columns: list[str]
    width: int                               # number of header cells
    records: list[tuple[int, list[str]]] = field(default_factory=list)   # (first line, cells)


# ---------------------------------------------------------------- text helpers


_BIDI_CONTROLS = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _header_key(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).lower()


def plain(text: str, limit: int = MAX_REASON) -> str:
    """Text from a file made safe to show: no control characters (a terminal would
    obey them), no bidirectional overrides, and not longer than ``limit``."""
    if text.isascii() and text.isprintable():        # no control character and no override: as it is
        return text if len(text) <= limit else text[: limit - 1] + "…"
    out = []
    for char in text:
        if char in _BIDI_CONTROLS:
            continue
        if unicodedata.category(char) == "Cc":
            out.append(" " if char in "\t\r\n" else "?")
        else:
            out.append(char)
    cleaned = "".join(out)
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# ---------------------------------------------------------------- reading the file


def _read_text(path: Path) -> str:
    shown = plain(str(path), 200)
    try:
        if not path.exists():
            raise ImportFileError(f"{shown} does not exist: check the file name and folder.")
        if path.is_dir():
            raise ImportFileError(f"{shown} is a folder, not a CSV file: give the path of the CSV file inside it.")
        if not path.is_file():
            raise ImportFileError(f"{shown} is not an ordinary file: give the path of a CSV file.")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(f"{shown} is {size // (1024 * 1024)} MB, far too big for a list of pupils: "
                                  "check that it is the right file.")
        data = path.read_bytes()
    except PermissionError:
        raise ImportFileError(f"{shown} cannot be read: you do not have permission to open it.") from None
    except OSError as e:
        raise ImportFileError(f"{shown} cannot be read ({e.strerror or e}): check the path.") from None
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(f"{shown} is an Excel workbook, not a CSV file: open it in Excel and "
                              "save it as 'CSV UTF-8 (Comma delimited)', then import that file.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(f"{shown} is saved as UTF-16 ('Unicode text'): open it in Excel and "
                              "save it as 'CSV UTF-8 (Comma delimited)', then import that file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(f"{shown} is not UTF-8 text: open it in Excel (or your spreadsheet program) and "
                              "save it as 'CSV UTF-8 (Comma delimited)', then import that file.") from None
    if not text.strip():
        raise ImportFileError(f"{shown} is empty: export the pupil list from the school's system again.")
    return text


def _delimiter(text: str) -> str:
    """Comma, unless the header line plainly uses tabs or semicolons instead."""
    first = text.split("\n", 1)[0]
    if "," in first:
        return ","
    for candidate in ("\t", ";"):
        if candidate in first:
            return candidate
    return ","


def _map_headers(header: list[str]) -> tuple[dict[str, int], list[str]]:
    by_key: dict[str, list[int]] = {}
    for index, cell in enumerate(header):
        by_key.setdefault(_header_key(cell), []).append(index)
    columns: dict[str, int] = {}
    used: set[int] = set()
    for fld, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in by_key:
                columns[fld] = by_key[alias][0]
                used.add(by_key[alias][0])
                break
    ignored = [plain(cell.strip(), 60) for i, cell in enumerate(header) if i not in used and cell.strip()]
    return columns, ignored


def read_csv(path: str | Path) -> CsvFile:
    """Read and decode the file and understand its headers; raise ImportFileError
    with one plain sentence when the file as a whole cannot be imported."""
    path = Path(path).expanduser()
    text = _read_text(path)
    shown = plain(path.name, 100)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    records: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    try:
        while True:
            first_line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            if not "".join(cells).strip():
                continue                      # blank lines (often at the end of an export)
            if header is None:
                header = cells
            else:
                records.append((first_line, cells))
    except csv.Error as e:
        raise ImportFileError(f"Line {reader.line_num} of {shown} cannot be read as CSV ({plain(str(e), 80)}): "
                              "check the file, or export it from the school's system again.") from None
    if header is None:
        raise ImportFileError(f"{shown} is empty: export the pupil list from the school's system again.")
    columns, ignored = _map_headers(header)
    missing = [label for fld, label in REQUIRED.items() if fld not in columns]
    if missing:
        found = ", ".join(plain(cell.strip(), 40) for cell in header if cell.strip())
        if len(missing) == 1:
            wanted = f"{missing[0]} column"
        else:
            wanted = f"{', '.join(missing[:-1])} or {missing[-1]} columns"
        raise ImportFileError(
            f"{shown} has no {wanted} (its first line reads: {plain(found, 200) or 'nothing'}): "
            "export the pupils again with UPN, Forename, Surname and Date of Birth columns.")
    if not records:
        raise ImportFileError(f"{shown} has column headings but no pupils: check that the export "
                              "included the pupils you wanted.")
    return CsvFile(str(path), columns, ignored, len(header), records)


# ---------------------------------------------------------------- planning


def _shape_problem(cells: list[str], width: int) -> str | None:
    """A plain sentence when a row has the wrong number of cells (blank extra
    cells at the end, which some programs write, are fine)."""
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        return (f"This row has {len(cells)} cells but the header has {width}: there may be a stray comma "
                "(a name containing a comma must be in quotes).")
    if len(cells) < width:
        return (f"This row has {len(cells)} cells but the header has {width}: the row may be cut short "
                "or split over two lines.")
    return None


def _raw_row(cells: list[str], columns: dict[str, int]) -> dict[str, Any]:
    return {fld: cells[index] for fld, index in columns.items()}


def _stored_columns(columns: dict[str, int]) -> set[str]:
    """The stored columns this file gives a value for."""
    return {col for fld in columns for col in STORED_BY_FIELD[fld]}


def _compare(existing: sqlite3.Row, values: dict[str, Any]) -> bool:
    """True when every value the file gives equals what is stored."""
    return all(existing[key] == value for key, value in values.items())


def plan_row_values(checked: Checked, provided: set[str], *, new: bool) -> Checked:
    """What the import may write for one row: for a new pupil everything the
    validator worked out (it fills the defaults); for an existing pupil only
    what the file has a column for. Never destination consent."""
    if new:
        values = dict(checked.values)
        values.pop("destination_consent", None)
    else:
        values = {k: v for k, v in checked.values.items() if k in provided}
    return Checked(values, checked.warnings)


def plan_import(conn: sqlite3.Connection, path: str | Path, *, today: date) -> ImportPlan:
    """Read the file and say, row by row, what importing it would do. Writes nothing."""
    csv_file = read_csv(path)
    return plan_records(conn, csv_file, today=today)


def plan_records(conn: sqlite3.Connection, csv_file: CsvFile, *, today: date) -> ImportPlan:
    columns = csv_file.columns
    provided = _stored_columns(columns)
    rows: list[RowPlan] = []
    rejected: list[Rejected] = []
    first_seen: dict[str, int] = {}
    checked_rows: list[tuple[int, Checked, str]] = []
    upn_index, width = columns["upn"], csv_file.width
    for line, cells in csv_file.records:
        raw_upn = upn_rules.normalise(cells[upn_index]) if upn_index < len(cells) else ""
        problem = _shape_problem(cells, width) if len(cells) != width else None
        if problem:
            rejected.append(Rejected(line, problem, plain(raw_upn, 20) or None))
            continue
        raw = _raw_row(cells, columns)
        if raw_upn and raw_upn in first_seen:
            shown_upn = plain(raw_upn, 20) or None
            rejected.append(Rejected(
                line, f"UPN {shown_upn} is also on line {first_seen[raw_upn]}: each pupil may appear only "
                      "once in the file.", shown_upn))
            continue
        if raw_upn:
            first_seen[raw_upn] = line
        try:
            checked = pupils.validate(raw, today=today)
        except PupilInvalid as e:
            reason = " ".join(plain(message, 160) for message in e.errors.values())
            rejected.append(Rejected(line, plain(reason), plain(raw_upn, 20) or None))
            continue
        values = checked.values
        name = names.display_name(values["legal_surname"], values["legal_forename"],
                                  values.get("preferred_forename"))
        checked_rows.append((line, checked, name))
    # The pupils already stored, read for the whole file at once (a query per row was a third of
    # the time of a large import).
    stored = _stored_by_upn(conn, [checked.values["upn"] for _, checked, _ in checked_rows])
    for line, checked, name in checked_rows:
        existing = stored.get(checked.values["upn"])
        warnings = tuple(plain(w) for w in checked.warnings) if checked.warnings else ()
        if existing is None:
            rows.append(RowPlan(line, "add", None, plan_row_values(checked, provided, new=True), name, warnings))
            continue
        if existing["date_left"]:
            left = dates.uk(dates.from_iso(existing["date_left"]))
            warnings += (f"{name} is recorded as having left on {left}; the import leaves that as it is.",)
        keep = plan_row_values(checked, provided, new=False)
        action: Action = "unchanged" if _compare(existing, keep.values) else "update"
        rows.append(RowPlan(line, action, existing["id"], keep, name, warnings))
    return ImportPlan(rows, rejected, csv_file.ignored_columns, csv_file.source)


def _variable_limit(conn: sqlite3.Connection) -> int:
    """How many parameters one statement may carry: SQLite's limit (32,766 since 3.32; 999 before)."""
    try:
        limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, sqlite3.Error):
        limit = 999
    return max(1, min(limit, 32_766))


_CHUNK = 500          # UPNs in one IN (...) list at most


def _stored_by_upn(conn: sqlite3.Connection, upns: list[str]) -> dict[str, sqlite3.Row]:
    """The stored pupils with these UPNs, by UPN."""
    out: dict[str, sqlite3.Row] = {}
    per = min(_CHUNK, _variable_limit(conn))
    for i in range(0, len(upns), per):
        chunk = upns[i:i + per]
        for row in conn.execute(f"SELECT * FROM pupils WHERE upn IN ({', '.join('?' * len(chunk))})", chunk):
            out[row["upn"]] = row
    return out


class _RowError(StoreError):
    """A row that cannot be written, with its line in the file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _inserts(head: str, one: str, rows: list[tuple[Any, ...]], variables: int) -> Iterator[tuple[str, list[Any]]]:
    """(SQL, parameters): ``head`` VALUES ``one``, ``one``, ... for ``rows``, in as few statements
    as ``variables`` (SQLite's limit on a statement's parameters) allows. One statement for many
    rows, rather than executemany's one per row, matters for pupils: the search index (an FTS5
    table) writes its pending terms to disk at the end of every statement that fills it through
    the schema's trigger, so row by row it wrote 20,000 tiny segments and then merged them (1.4 s
    of the 1.9 s that 20,000 new pupils took to write)."""
    if not rows:
        return
    per = max(1, variables // len(rows[0]))
    for i in range(0, len(rows), per):
        chunk = rows[i:i + per]
        yield f"{head} VALUES {', '.join([one] * len(chunk))}", [v for row in chunk for v in row]


@dataclass(frozen=True)
class _NewBatch:
    """New pupils worked out in Python and ready to write: INSERT statements with their parameters
    for their pupil rows, grouped by the columns each gives, and for their audit entries."""
    rows: list[RowPlan]
    first_id: int
    statements: list[tuple[str, list[Any]]]


def _new_batch(batch: list[RowPlan], *, first_id: int, stamp: str, adviser_id: int | None,
               variables: int) -> _NewBatch:
    """Add new pupils as pupils.insert_checked adds each (the same row, the same audit entry, the
    same search entry through the schema's trigger), a few statements for the batch instead of
    three per pupil. The ids from ``first_id`` on are the ones SQLite would give one by one: the
    import's transaction is the only writer."""
    values = []
    for offset, row in enumerate(batch):
        value = pupils.row_values(row.checked.values)
        value["created_at"] = value["updated_at"] = stamp
        values.append((first_id + offset, value))
    groups: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = {}
    for pupil_id, value in values:
        groups.setdefault(tuple(value), []).append((pupil_id, value))
    statements = [statement for columns, members in groups.items()
                  for statement in _inserts(f"INSERT INTO pupils (id, {', '.join(columns)})",
                                            f"(?{', ?' * len(columns)})",
                                            [(pupil_id, *value.values()) for pupil_id, value in members], variables)]
    # The audit entries in the pupils' order, each built by SQLite from the row as stored: a run
    # of pupils giving the same columns at a time (in practice the whole batch). The JSON of
    # 20,000 pupils took 0.18 s to make in Python.
    run_start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or tuple(values[i][1]) != tuple(values[run_start][1]):
            statements.append((
                "INSERT INTO audit_log (at, adviser_id, action, table_name, row_id, pupil_id, before, after) "
                f"SELECT ?, ?, 'insert', 'pupils', id, id, NULL, {audit.json_of_columns(values[run_start][1])} "
                "FROM pupils WHERE id BETWEEN ? AND ? ORDER BY id",
                [stamp, adviser_id, values[run_start][0], values[i - 1][0]]))
            run_start = i
    return _NewBatch(list(batch), first_id, statements)


def _write_new(conn: sqlite3.Connection, new: _NewBatch, *, today: date) -> None:
    try:
        for sql, parameters in new.statements:
            conn.execute(sql, parameters)
    except sqlite3.IntegrityError:
        # A row SQLite refused, and the import is undone whole. Most often its UPN was given to a
        # pupil added by someone else since the plan was made: say which row, as adding it by hand
        # would. The batch's own rows are skipped (their ids are known), as the statement that
        # failed wrote none of its rows but an earlier one may have.
        for offset, row in enumerate(new.rows):
            try:
                pupils.check_unique(conn, row.checked.values["upn"], new.first_id + offset, today)
            except StoreError as e:
                raise _RowError(row.line, str(e)) from None
        raise
    # The batch's coverage facts, here rather than all at once before the commit: this runs
    # beside the next batch being worked out in Python instead of after the last one.
    refresh_coverage(conn)


class _Behind:
    """One write at a time in a thread of its own, on the import's connection, while the caller
    works out the next batch in Python: SQLite lets go of the interpreter lock while it writes, so
    the two overlap. The caller touches the connection only after ``wait``, which also raises what
    the write raised, with the first line of the batch it was writing in ``failed_at``."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._line = 0
        self.failed_at: int | None = None

    def run(self, line: int, write: Callable[[], None]) -> None:
        self.wait()

        def target() -> None:
            try:
                write()
            except BaseException as e:        # raised by wait(), in the caller's thread
                self._error = e

        self._line = line
        self._thread = threading.Thread(target=target, name="import writer", daemon=True)
        self._thread.start()

    def join(self) -> None:
        """Wait for the write, keeping what it raised for ``wait``."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def wait(self) -> None:
        self.join()
        if self._error is not None:
            error, self._error = self._error, None
            self.failed_at = getattr(error, "line", self._line)
            raise error


# ---------------------------------------------------------------- writing


@contextmanager
def _room_for_a_big_write(conn: sqlite3.Connection) -> Iterator[None]:
    """For the length of one import, memory for what a big transaction works on; the connection's
    own settings again afterwards. Neither setting changes what is written or how surely: the
    rollback journal and its syncs at commit are the same. Statement journals (a multi-row INSERT
    keeps one, to undo just itself) are kept in memory instead of a temporary file, and the page
    cache holds the pages the import changes instead of spilling them to the database file (each
    spill syncs the journal first) before the commit. Without them the same import made 86,000
    writes to files instead of 6,000. No temporary tables are in use (changing temp_store drops
    them)."""
    temp_store = conn.execute("PRAGMA temp_store").fetchone()[0]
    cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]      # pages, or -KiB
    page_kib = conn.execute("PRAGMA page_size").fetchone()[0] / 1024
    conn.execute("PRAGMA temp_store = MEMORY")
    if (-cache_size if cache_size < 0 else cache_size * page_kib) < _IMPORT_CACHE_KIB:
        conn.execute(f"PRAGMA cache_size = {-_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache_size)}")
        conn.execute(f"PRAGMA temp_store = {int(temp_store)}")


_IMPORT_CACHE_KIB = 32 * 1024     # 20,000 new pupils change about 8 MiB of pages


# New pupils are written a thousand at a time, not every 1% of the file: each statement has its
# own cost, and each flushes what it added to the search index (20,000 new pupils into 200,000:
# 0.08 s more in batches of 500, and again in batches of 200). One batch is written while the
# next is gathered, so progress, told every 1%, is at most two batches ahead of the rows written;
# the last call comes once everything is written.
_NEW_AT_ONCE = 1000


def apply_import(
    conn: sqlite3.Connection,
    plan: ImportPlan,
    *,
    stamp: str,
    today: date,
    adviser_id: int | None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    before_commit: Callable[[], object] | None = None,
) -> ImportResult:
    """Write a plan in one transaction, with an audit entry per pupil changed and
    one for the import. Writes nothing if any row is invalid (unless
    ``skip_invalid``) or if anything fails on the way, ``before_commit`` included
    (the backup the import waits for)."""
    if plan.rejected and not skip_invalid:
        n = plan.rejected_count
        raise StoreError(f"{_plural(n, 'row is', 'rows are')} invalid: nothing was imported. "
                         "Fix them, or use --skip-invalid to import the other rows.")
    added = updated = unchanged = 0
    todo = [row for row in plan.rows if row.action != "unchanged"]
    unchanged = len(plan.rows) - len(todo)
    if not todo:
        if progress:
            progress(len(plan.rows), len(plan.rows))
        return ImportResult(0, 0, unchanged, plan.rejected_count)
    total = len(todo)
    step = -(-total // 100)          # at most 100 calls, the last one at done == total
    line: int | None = 0
    behind = _Behind()
    try:
        with _room_for_a_big_write(conn), transaction(conn, before_commit=before_commit):
            done = 0
            batch: list[RowPlan] = []
            next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM pupils").fetchone()[0]
            variables = _variable_limit(conn)

            def add_batch() -> None:
                nonlocal added, next_id, batch
                if batch:
                    new = _new_batch(batch, first_id=next_id, stamp=stamp, adviser_id=adviser_id,
                                     variables=variables)
                    behind.run(batch[0].line, lambda: _write_new(conn, new, today=today))
                    next_id += len(batch)
                    added += len(batch)
                    batch = []

            try:
                for row in todo:
                    done += 1
                    if row.action == "add":
                        batch.append(row)       # consecutive new pupils go in together, in file order
                    else:
                        add_batch()
                        behind.wait()
                        line = row.line
                        assert row.pupil_id is not None
                        if pupils.update_checked(conn, row.pupil_id, row.checked, stamp=stamp, today=today,
                                                 adviser_id=adviser_id):
                            updated += 1
                        else:
                            unchanged += 1
                    if done % step == 0 or done == total:
                        if len(batch) >= _NEW_AT_ONCE or done == total:
                            add_batch()
                        if done == total:
                            behind.wait()
                        if progress:
                            progress(done, total)
                audit.write(conn, at=stamp, adviser_id=adviser_id, action="import", table="pupils",
                            row_id=None, pupil_id=None,
                            after={"file": Path(plan.source).name, "added": added, "updated": updated,
                                   "unchanged": unchanged, "rejected": plan.rejected_count})
            except BaseException:
                behind.join()         # never roll back under a write still running
                raise
            line = None              # every row is written: what fails now is not a row's fault
    except StoreError as e:
        line = getattr(e, "line", None) or behind.failed_at or line
        raise StoreError(f"Line {line}: {e} Nothing was imported." if line else f"{e} Nothing was imported.") from None
    except sqlite3.Error as e:
        if "locked" in str(e).lower() or "busy" in str(e).lower():
            raise StoreError("The database is in use by another program (perhaps another copy of "
                             "gatsby-tui): close it there and try again. Nothing was imported.") from None
        line = behind.failed_at or line
        where = f"Line {line}" if line else "The import"
        raise StoreError(f"{where} could not be written ({e}): nothing was imported.") from None
    return ImportResult(added, updated, unchanged, plan.rejected_count)
