"""Lists from the app as CSV files a spreadsheet opens safely: the register, follow-ups, the pupils
missing a benchmark, and a leaving cohort's destinations. Pure: no database, no Textual; the store
pages the rows from SQL (store.exports.csv_list) and writes the bytes made here atomically.

* Every cell is guarded against spreadsheet formula injection: text beginning with = + - @, a tab,
  CR, LF or NUL gets a leading apostrophe, so Excel, LibreOffice and Google Sheets show it as text
  (``guard_cell``; the CLI's stdout CSV uses the same guard).
* UTF-8 with a byte-order mark, so Excel reads Łukasz, Zoë and 김민준 correctly; rows end in CRLF
  (RFC 4180, as Excel writes) and a line break inside a cell is always a bare LF, so the file has
  one kind of line ending.
* Dates are DD/MM/YYYY, as the app shows them; a header row of plain column titles.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping

from gatsby_tui.domain.codes import FLAG_CELLS, SEN_CELLS, SEN_WORDS
from gatsby_tui.domain.owners import OWNER_WORDS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
ENDING = "\r\n"
LISTS = ("register", "follow_ups", "gaps", "leavers")


def guard_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def uk_date(iso: str | date | None) -> str:
    """'2026-11-23' (or a date) -> '23/11/2026'; '' for nothing."""
    if not iso:
        return ""
    if isinstance(iso, date):
        return iso.strftime("%d/%m/%Y")
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def uk_when(stamp: str | None) -> str:
    """'2026-11-23T09:30' -> '23/11/2026 09:30' (the day alone when there is no time)."""
    if not stamp:
        return ""
    return f"{uk_date(stamp)} {stamp[11:16]}".strip()


def yes_no(value: Any) -> str:
    return "" if value is None else ("yes" if value else "no")


class CsvText:
    """A CSV file being built: a header row, then guarded rows. ``data()`` is the file's bytes."""

    def __init__(self, columns: Iterable[str]) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator=ENDING)
        self._writer.writerow([guard_cell(title) for title in columns])
        self.rows = 0

    def add(self, cells: Iterable[Any]) -> None:
        guarded = []
        for cell in cells:
            text = guard_cell(cell)
            if "\r" in text:      # one kind of line ending in the file: CRLF ends rows, LF breaks cells
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            guarded.append(text)
        self._writer.writerow(guarded)
        self.rows += 1

    def data(self) -> bytes:
        return self._buffer.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------- the register

ROLL_WORDS = {"on_roll": "on roll", "left": "who have left", "all": "on roll and left"}

REGISTER_COLUMNS = ("Surname", "Forename", "Preferred forename", "UPN", "Year", "Form", "SEN", "Flags",
                    "Date left", "Last guidance", "Next meeting")


def register_row(row: Any) -> list[Any]:
    """One pupils.RegisterRow. A pupil who has left has no year group now (the Year column is blank)."""
    return [row.surname, row.forename, row.preferred or "", row.upn, "" if row.date_left else row.year_group,
            row.form or "", SEN_CELLS.get(row.sen_status, row.sen_status), " ".join(row.flags),
            uk_date(row.date_left), uk_when(row.last_meeting), uk_when(row.next_meeting)]


def _register_words(f: Mapping[str, Any]) -> tuple[str, list[str]]:
    """('Year 11 on roll, SEN support, matching “obr”', ['register', 'Year 11', 'SEN support'])"""
    roll = f.get("roll") or "on_roll"
    year = f.get("year")
    words = f"{f'Year {year}' if year is not None else 'All years'} {ROLL_WORDS.get(roll, roll)}"
    parts = ["register"] + ([f"Year {year}"] if year is not None else [])
    for extra in (SEN_WORDS.get(f.get("sen") or "", ""),
                  FLAG_CELLS.get(f.get("flag") or "", "")):
        if extra:
            words += f", {extra}"
            parts.append(extra)
    if roll != "on_roll":
        parts.append({"left": "left", "all": "on roll and left"}.get(roll, roll))
    if (f.get("search") or "").strip():
        # The search text is never in the file name: it may be a UPN or a pupil's name.
        words += f", matching “{f['search'].strip()}”"
        parts.append("search results")
    return words, parts


# ---------------------------------------------------------------- follow-ups

FOLLOW_UP_COLUMNS = ("Due", "Overdue", "Pupil", "Year", "What", "Owner", "Followed up by")


def follow_up_row(fu: Any, advisers: Mapping[int, str]) -> list[Any]:
    """One records.FollowUp; ``advisers``: adviser id -> name."""
    return [uk_date(fu.due), "overdue" if fu.overdue else "", fu.pupil_display, "left" if fu.left else fu.year_group,
            fu.description, OWNER_WORDS.get(fu.owner, fu.owner), advisers.get(fu.adviser_id, "") if fu.adviser_id
            else ""]


def _follow_up_words(f: Mapping[str, Any], adviser_name: str | None) -> tuple[str, list[str]]:
    parts = ["follow-ups"]
    if f.get("adviser_id") is not None:
        words = f"Open actions followed up by {adviser_name or 'you'}"
        if adviser_name:
            parts.append(adviser_name)
    else:
        words = "Open actions of every adviser"
    owner = f.get("owner")
    if owner:
        words += f", for the {OWNER_WORDS.get(owner, owner)}"
        parts.append(f"for the {OWNER_WORDS.get(owner, owner)}")
    due = f.get("due_before")
    if due:
        words += f", due on or before {uk_date(due)}"
        parts.append(f"due by {due.isoformat() if isinstance(due, date) else str(due)[:10]}")
    return words, parts


# ---------------------------------------------------------------- pupils missing a benchmark

GAP_COLUMNS = ("Pupil", "UPN", "Year", "Form", "SEN", "Flags", "Benchmark", "State", "What is missing")


def gap_row(gap: Any, upn: str, benchmark: str) -> list[Any]:
    """One coverage.Gap, with the pupil's UPN and the benchmark's label ('B8 Guidance')."""
    state = "not yet met" if gap.state == "not_yet" else "not yet due"
    return [gap.name, upn, gap.year_group, gap.form or "", SEN_CELLS.get(gap.sen, gap.sen), " ".join(gap.flags),
            benchmark, state, gap.missing]


def _gap_words(f: Mapping[str, Any], breakdown_words: str | None) -> tuple[str, list[str]]:
    from gatsby_tui.domain import benchmarks as rules

    label = rules.label_of(f["key"])
    year = f.get("year")
    place = f"Year {year}" if year is not None else "Years 7-13"
    parts = [f"missing {label}", place]
    words = f"Missing {label}, {place}"
    if breakdown_words:
        words += f", {breakdown_words}"
        parts.append(breakdown_words)
    if f.get("include_not_due"):
        words += " (not yet met or not yet due)"
        parts.append("incl. not yet due")
    else:
        words += " (not yet met)"
    return words, parts


# ---------------------------------------------------------------- leavers and destinations

LEAVER_VIEWS = {"all": "destinations", "unknown": "no known destination", "neet": "NEET", "checks_due": "checks due"}
LEAVER_COLUMNS = ("Surname", "Forename", "Preferred forename", "UPN", "Date left", "Left from year", "Consent",
                  "NCCIS code", "Destination", "Category", "Provider", "Course or role", "Start date", "Recorded on",
                  "Last checked", "Check due", "Check done", "Check")


def leaver_row(r: Any, today: date) -> list[Any]:
    """One destinations.LeaverRow, as the Leavers screen shows it (and the check in words)."""
    from gatsby_tui.domain import send

    return [r.surname, r.forename, r.preferred or "", r.upn, uk_date(r.date_left), r.year_left_in, yes_no(r.consent),
            r.code or "", r.label or "", dict(send.BUCKETS)[r.bucket], r.provider or "", r.course_or_role or "",
            uk_date(r.start_date), uk_date(r.recorded_on), uk_date(r.last_checked),
            uk_date(r.check_due) if r.consent else "", yes_no(r.check_done) if r.consent else "",
            r.check_words(today)]


def _leaver_words(f: Mapping[str, Any]) -> tuple[str, list[str]]:
    from gatsby_tui.domain import send

    view = f.get("view") or "all"
    cohort = int(f["cohort"])
    words = send.cohort_label(cohort) + ("" if view == "all" else f", {LEAVER_VIEWS.get(view, view)}")
    return words, [f"leavers {cohort}", LEAVER_VIEWS.get(view, view)]


# ---------------------------------------------------------------- what is saved, and its name

NOUNS = {"register": ("pupil", "pupils"), "follow_ups": ("open action", "open actions"),
         "gaps": ("pupil", "pupils"), "leavers": ("leaver", "leavers")}


@dataclass(frozen=True)
class Labels:
    words: str          # 'Year 11 on roll: 243 pupils' (the count when known)
    file_name: str      # 'register - Year 11 - 2026-11-23.csv': what it is and the date, never a UPN


def labels(which: str, filters: Mapping[str, Any], *, today: date, count: int | None = None,
           adviser_name: str | None = None, breakdown_words: str | None = None) -> Labels:
    """What a list's CSV holds, in words, and its default file name (made safe for any file system)."""
    from gatsby_tui.exports.files import safe_name

    if which == "register":
        words, parts = _register_words(filters)
    elif which == "follow_ups":
        words, parts = _follow_up_words(filters, adviser_name)
    elif which == "gaps":
        words, parts = _gap_words(filters, breakdown_words)
    elif which == "leavers":
        words, parts = _leaver_words(filters)
    else:
        raise ValueError(f"unknown list {which!r}")
    if count is not None:
        one, many = NOUNS[which]
        words += f": {count:,} {one if count == 1 else many}"
    name = safe_name(" - ".join([*parts, today.isoformat()]), limit=150)
    return Labels(words, name + ".csv")
