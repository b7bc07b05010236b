"""Subject access requests: logged, extended, withdrawn or fulfilled (by an export), each change in
one transaction with its audit entry. The due-date rule is domain/sar.py."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from gatsby_tui.domain import dates, names
from gatsby_tui.domain import sar as rule
from gatsby_tui.store import audit
from gatsby_tui.store.db import StoreError, transaction
from gatsby_tui.store.records import parse_day

KIND_WORDS = dict(rule.REQUESTER_LABELS)


class SarInvalid(StoreError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Request:
    id: int
    pupil_id: int
    pupil_name: str
    year_group_words: str
    requester_kind: str
    requester_name: str | None
    received_on: date
    due_on: date               # the date in force: extended_to when extended
    extended: bool
    status: str
    fulfilled_on: date | None
    notes: str | None

    def days_left(self, today: date) -> str:
        if self.status != "open":
            return rule.REQUEST_STATUS_WORDS[self.status] + (f" {dates.uk(self.fulfilled_on)}" if self.fulfilled_on else "")
        return rule.days_left_words(self.due_on, today)

    def overdue(self, today: date) -> bool:
        return self.status == "open" and self.due_on < today

    @property
    def requester(self) -> str:
        return KIND_WORDS[self.requester_kind] + (f" ({self.requester_name})" if self.requester_name else "")


_SELECT = ("SELECT r.*, p.legal_surname, p.legal_forename, p.preferred_forename, p.intake_year, p.date_left "
           "FROM subject_access_requests r JOIN pupils p ON p.id = r.pupil_id ")


def _request(row: sqlite3.Row) -> Request:
    from gatsby_tui.domain import schoolyear

    who = names.display_name(row["legal_surname"], row["legal_forename"], row["preferred_forename"])
    received = date.fromisoformat(row["received_on"])
    year = schoolyear.year_group_in(row["intake_year"], schoolyear.school_year_of(received))
    return Request(row["id"], row["pupil_id"], who, f"Year {year}" if not row["date_left"] else "left",
                   row["requester_kind"], row["requester_name"], received,
                   date.fromisoformat(row["extended_to"] or row["due_on"]), row["extended_to"] is not None,
                   row["status"], dates.from_iso(row["fulfilled_on"]), row["notes"])


def get(conn: sqlite3.Connection, sar_id: int) -> Request:
    row = conn.execute(_SELECT + "WHERE r.id = ?", (sar_id,)).fetchone()
    if row is None:
        raise StoreError(f"There is no subject access request number {sar_id}.")
    return _request(row)


def log(conn: sqlite3.Connection, pupil_id: int, values: Mapping[str, Any], *, stamp: str, today: date,
        adviser_id: int | None) -> int:
    """values: requester_kind (pupil, parent, other), requester_name (needed unless the pupil
    asked), received_on (DD/MM/YYYY; default today), notes. The due date is worked out."""
    errors: dict[str, str] = {}
    kind = str(values.get("requester_kind") or "").strip().lower()
    if kind not in KIND_WORDS:
        errors["requester_kind"] = "Choose who asked: the pupil, a parent or carer, or someone else with authority."
    # Control characters go (a terminal would obey them when the request is shown), as elsewhere.
    name = " ".join((names.clean_text(str(values.get("requester_name") or "")) or "").split()) or None
    if kind in ("parent", "other") and not name:
        errors["requester_name"] = "Give the name of the person who asked."
    if name and len(name) > 200:
        errors["requester_name"] = "The requester's name is too long (at most 200 characters)."
    received = None
    try:
        received = parse_day(values.get("received_on"), "date received") or today.isoformat()
        if received > today.isoformat():
            errors["received_on"] = "The date received is in the future: give the day the request arrived."
    except StoreError as e:
        errors["received_on"] = str(e)
    notes = names.clean_text(str(values.get("notes") or ""), multiline=True)
    if notes and len(notes) > 5000:
        errors["notes"] = "The notes are too long (at most 5,000 characters)."
    if errors:
        raise SarInvalid(errors)
    assert received is not None
    row = {"pupil_id": pupil_id, "requester_kind": kind, "requester_name": name, "received_on": received,
           "due_on": rule.due_date(date.fromisoformat(received)).isoformat(), "notes": notes}
    with transaction(conn):
        if conn.execute("SELECT 1 FROM pupils WHERE id = ?", (pupil_id,)).fetchone() is None:
            raise StoreError("That pupil is no longer on the register.")
        sar_id = conn.execute(
            "INSERT INTO subject_access_requests (pupil_id, requester_kind, requester_name, received_on, due_on, notes) "
            "VALUES (:pupil_id, :requester_kind, :requester_name, :received_on, :due_on, :notes)", row).lastrowid
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="subject_access_requests",
                    row_id=sar_id, pupil_id=pupil_id, after=row)
    return sar_id


def _change(conn: sqlite3.Connection, sar_id: int, changes: Mapping[str, Any], *, stamp: str,
            adviser_id: int | None) -> None:
    """Apply ``changes`` to an open request, audited, inside the caller's transaction."""
    before = conn.execute("SELECT * FROM subject_access_requests WHERE id = ?", (sar_id,)).fetchone()
    if before is None:
        raise StoreError(f"There is no subject access request number {sar_id}.")
    if before["status"] != "open":
        raise StoreError(f"That request is already {rule.REQUEST_STATUS_WORDS[before['status']]}.")
    sets = ", ".join(f"{k} = :{k}" for k in changes)
    conn.execute(f"UPDATE subject_access_requests SET {sets} WHERE id = :id", {**changes, "id": sar_id})
    audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="subject_access_requests",
                row_id=sar_id, pupil_id=before["pupil_id"], before={k: before[k] for k in changes}, after=dict(changes))


def _with_note(conn: sqlite3.Connection, sar_id: int, note: str) -> str:
    old = conn.execute("SELECT notes FROM subject_access_requests WHERE id = ?", (sar_id,)).fetchone()
    old_text = old[0] if old and old[0] else ""
    return (old_text + "\n" if old_text else "") + note


def extend(conn: sqlite3.Connection, sar_id: int, reason: str, *, stamp: str, today: date,
           adviser_id: int | None) -> date:
    """Extend a complex request by two further months (three from receipt); the reason is kept."""
    reason = " ".join((names.clean_text(reason) or "").split())
    if len(reason) > 1000:
        raise StoreError("The reason is too long (at most 1,000 characters): keep the details in your own notes.")
    if not reason:
        raise StoreError("Say why the request is complex enough to extend (the requester must be told why).")
    with transaction(conn):
        request = get(conn, sar_id)
        if request.extended:
            raise StoreError(f"This request is already extended, to {dates.uk(request.due_on)}: it cannot be extended again.")
        new_due = rule.extended_due_date(request.received_on)
        _change(conn, sar_id, {"extended_to": new_due.isoformat(),
                               "notes": _with_note(conn, sar_id, f"{dates.uk(today)}: extended to {dates.uk(new_due)}: {reason}")},
                stamp=stamp, adviser_id=adviser_id)
    return new_due


def withdraw(conn: sqlite3.Connection, sar_id: int, reason: str, *, stamp: str, today: date,
             adviser_id: int | None) -> None:
    reason = " ".join((names.clean_text(reason) or "").split()) or "no reason given"
    if len(reason) > 1000:
        raise StoreError("The reason is too long (at most 1,000 characters): keep the details in your own notes.")
    with transaction(conn):
        _change(conn, sar_id, {"status": "withdrawn",
                               "notes": _with_note(conn, sar_id, f"{dates.uk(today)}: withdrawn: {reason}")},
                stamp=stamp, adviser_id=adviser_id)


def mark_fulfilled(conn: sqlite3.Connection, sar_id: int, pupil_id: int, *, stamp: str, today: date,
                   adviser_id: int | None) -> None:
    """Inside the export's transaction: the request is answered today."""
    row = conn.execute("SELECT pupil_id FROM subject_access_requests WHERE id = ?", (sar_id,)).fetchone()
    if row is None:
        raise StoreError(f"There is no subject access request number {sar_id}.")
    if row[0] != pupil_id:
        raise StoreError("That request is about another pupil: choose this pupil's request.")
    _change(conn, sar_id, {"status": "fulfilled", "fulfilled_on": today.isoformat()}, stamp=stamp, adviser_id=adviser_id)


def open_requests(conn: sqlite3.Connection, *, limit: int = 200, offset: int = 0, include_closed: bool = False) -> list[Request]:
    """Open requests, nearest due first (then the answered and withdrawn, newest first, if asked)."""
    where = "" if include_closed else "WHERE r.status = 'open' "
    order = ("ORDER BY r.status != 'open', CASE WHEN r.status = 'open' THEN coalesce(r.extended_to, r.due_on) END, "
             "r.received_on DESC, r.id")
    return [_request(r) for r in conn.execute(_SELECT + where + order + " LIMIT ? OFFSET ?", (limit, offset))]


def count(conn: sqlite3.Connection, *, include_closed: bool = False) -> int:
    where = "" if include_closed else " WHERE status = 'open'"
    return conn.execute("SELECT count(*) FROM subject_access_requests" + where).fetchone()[0]


def overdue(conn: sqlite3.Connection, *, today: date) -> tuple[int, date | None]:
    """How many open requests are past their due date, and the earliest due date among them."""
    row = conn.execute("SELECT count(*), min(coalesce(extended_to, due_on)) FROM subject_access_requests "
                       "WHERE status = 'open' AND coalesce(extended_to, due_on) < ?", (today.isoformat(),)).fetchone()
    return row[0], dates.from_iso(row[1])


def for_pupil(conn: sqlite3.Connection, pupil_id: int) -> list[Request]:
    return [_request(r) for r in conn.execute(_SELECT + "WHERE r.pupil_id = ? ORDER BY r.received_on DESC, r.id DESC",
                                              (pupil_id,))]
