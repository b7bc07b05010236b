"""Guidance meeting records, drafts, actions and snippets. Never imports Textual.

Every write is one transaction holding the change and its audit entry (drafts excepted: they
are saved as the adviser types and hold nothing that is not also in the record once saved).

Decisions, in one place:

* One record per interview (interviews.id is UNIQUE on meeting_records): ``start_record``
  from an interview returns the existing record if there is one. A record from an interview
  takes the interview's pupil, start time and mode; a cancelled or missed meeting has no record.
  An unplanned conversation gives pupil_id and held_at.
* Only a draft can be saved. Only the record's own adviser can sign it off, and only when
  complete: confidentiality explained, the advice given and the decisions agreed. Sign-off
  marks a still-booked interview as held (interview_events 'held' + audit) and discards the
  record's draft ('record:ID'), in the same transaction. The schema trigger then refuses any
  update of the row.
* A change after sign-off is an amendment (record_amendments) with a reason; its
  original_text is the text in effect just before it (the original for the first amendment),
  so every earlier wording stays readable. The effective text is the latest amendment's.
* Text fields keep newlines and tabs, lose other control characters, and hold at most
  MAX_TEXT characters.
* The intended destination is an NCCIS code, found by its number ('310') or part of its
  label ('apprentice'); several matches or none is a refusal naming the near matches.
* Actions keep every status or owner change in action_events (with the date); the first
  event of an action is its creation. follow_ups lists open actions by due date (so overdue
  first), undated last, keyset-paged on (due_date, id) with the actions_open index.
"""

from __future__ import annotations

import difflib
import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Mapping

from gatsby_tui.domain import dates, names, schoolyear
from gatsby_tui.domain.codes import ACTION_STATUSES
from gatsby_tui.domain.owners import OWNER_ALIASES, OWNER_WORDS, OWNERS
from gatsby_tui.domain.record_fields import (AMENDABLE, DATE_FIELDS, FIELD_WORDS, FIELDS, REQUIRED_FOR_SIGN_OFF,
                                             TEXT_FIELDS)
from gatsby_tui.store import audit, edits
from gatsby_tui.store.db import StoreError, transaction

MAX_TEXT = 20_000
MAX_ACTION = 1000
MAX_DESTINATION_TEXT = 100   # the longest NCCIS label has 43 characters


class RecordInvalid(StoreError):
    """Values that cannot be saved, one message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


# ---------------------------------------------------------------- small helpers


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def _full_name(row: Any) -> str:
    return names.full_name(row["legal_surname"], row["legal_forename"], row["preferred_forename"])


def _clean_long(value: Any, what: str) -> str | None:
    text = names.clean_text(None if value is None else str(value), multiline=True)
    if text is not None and len(text) > MAX_TEXT:
        raise StoreError(f"The {what} is {len(text):,} characters long; the most a field holds is "
                         f"{MAX_TEXT:,}: shorten it or move detail elsewhere.")
    return text


def _parse_bool(value: Any) -> int:
    if isinstance(value, bool) or value in (0, 1):
        return int(value)
    text = str(value or "").strip().lower()
    if text in ("y", "yes", "true", "1", "x", "on"):
        return 1
    if text in ("", "n", "no", "false", "0", "off"):
        return 0
    raise StoreError("Say yes or no for whether confidentiality and its limits were explained.")


def parse_day(value: Any, what: str, *, today: date | None = None) -> str | None:
    """A typed day (DD/MM/YYYY, or a date) as ISO text; blank is None; a wrong date is a StoreError.
    Given ``today``, also a day as meeting times read it: "15/1" (the next 15 January), "fri",
    "tomorrow"."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return None
    if today is not None:
        from gatsby_tui.domain import when

        try:
            return when.parse_day(text, today=today, what=what).isoformat()
        except when.WhenError as e:
            raise StoreError(str(e)) from None
    try:
        return dates.parse_date(text, what=what).isoformat()
    except dates.DateError as e:
        raise StoreError(str(e)) from None


def _load(conn: sqlite3.Connection, record_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM meeting_records WHERE id = ?", (record_id,)).fetchone()
    if row is None:
        raise StoreError("That meeting record no longer exists.")
    return row


def _adviser_name(conn: sqlite3.Connection, adviser_id: int | None) -> str:
    row = conn.execute("SELECT name FROM advisers WHERE id = ?", (adviser_id,)).fetchone()
    return row["name"] if row else "another adviser"


# ---------------------------------------------------------------- NCCIS codes


def nccis_codes(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT code, label, category FROM nccis_codes ORDER BY code").fetchall()


def find_nccis(conn: sqlite3.Connection, text: str) -> list[sqlite3.Row]:
    """Codes whose number starts with ``text`` or whose label contains it (case ignored); an
    exact code or an exact label alone when there is one."""
    key = " ".join((text or "").split()).lower()
    if not key:
        return []
    rows = nccis_codes(conn)
    exact = [r for r in rows if r["code"] == key or r["label"].lower() == key]
    if exact:
        return exact
    return [r for r in rows if r["code"].startswith(key) or key in r["label"].lower()]


def _describe_codes(rows: list[sqlite3.Row]) -> str:
    return ", ".join(f"{r['code']} {r['label']}" for r in rows)


def parse_destination(conn: sqlite3.Connection, value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    shown = names.quote(text)
    if len(text) > MAX_DESTINATION_TEXT:
        # No code or label is this long; looking for near matches of a pasted page of text word by
        # word would hold the screen (which checks as you type) for seconds.
        raise StoreError(f"'{shown}' is not an NCCIS destination code: type its 3-digit code or part of "
                         "its name, e.g. 'apprentice'.")
    found = find_nccis(conn, text)
    if len(found) == 1:
        return found[0]["code"]
    if len(found) > 1:
        return_list = found[:8]
        more = "" if len(found) <= 8 else f" and {len(found) - 8} more"
        raise StoreError(f"'{shown}' matches several destinations: {_describe_codes(return_list)}{more}. "
                         "Type more of the name, or the code.")
    rows = nccis_codes(conn)
    by_label = {r["label"].lower(): r for r in rows}
    near_labels = difflib.get_close_matches(text.lower(), list(by_label), n=4, cutoff=0.5)
    near = [by_label[k] for k in near_labels]
    words = [w for w in text.lower().split() if len(w) >= 3]
    for r in rows:
        if r not in near and any(difflib.get_close_matches(w, r["label"].lower().split(), n=1, cutoff=0.75)
                                 for w in words):
            near.append(r)
    if text.isascii() and text.isdigit():      # not '²': isdigit() is true of it, int() refuses it
        same_group = [r for r in rows if r["code"][:1] == text[:1]] or rows
        near = sorted(same_group, key=lambda r: (abs(int(r["code"]) - int(text[:3].ljust(3, "0"))), r["code"]))
    near = near[:6]
    hint = f" Did you mean {_describe_codes(near)}?" if near else " Type part of the destination's name, e.g. 'apprentice', or its 3-digit NCCIS code."
    raise StoreError(f"'{shown}' is not an NCCIS destination code.{hint}")


def destination_label(conn: sqlite3.Connection, code: str | None) -> str | None:
    if not code:
        return None
    row = conn.execute("SELECT label FROM nccis_codes WHERE code = ?", (code,)).fetchone()
    return row["label"] if row else None


# ---------------------------------------------------------------- meeting records


def start_record(conn: sqlite3.Connection, *, interview_id: int | None = None, pupil_id: int | None = None,
                 adviser_id: int, held_at: datetime | None = None, stamp: str, mode: str = "in_person") -> int:
    """A draft record for an interview (the existing one if there is one) or for an unplanned
    conversation with ``pupil_id`` at ``held_at``. Returns the record's id."""
    with transaction(conn):
        if interview_id is not None:
            existing = conn.execute("SELECT id FROM meeting_records WHERE interview_id = ?",
                                    (interview_id,)).fetchone()
            if existing is not None:
                return existing["id"]
            interview = conn.execute("SELECT * FROM interviews WHERE id = ?", (interview_id,)).fetchone()
            if interview is None:
                raise StoreError("That meeting no longer exists.")
            if interview["status"] == "cancelled":
                raise StoreError("This meeting was cancelled: reinstate it first if it did happen, "
                                 "or start a record for an unplanned conversation.")
            if interview["status"] == "did_not_attend":
                raise StoreError("The pupil did not attend this meeting: reinstate it first if they came after all.")
            if pupil_id is not None and pupil_id != interview["pupil_id"]:
                raise StoreError("That meeting is with another pupil.")
            pupil_id = interview["pupil_id"]
            when = interview["starts_at"]
            mode = interview["mode"]
        else:
            if pupil_id is None:
                raise StoreError("Choose the pupil the conversation was with.")
            if held_at is None:
                raise StoreError("Say when the conversation happened.")
            if conn.execute("SELECT 1 FROM pupils WHERE id = ?", (pupil_id,)).fetchone() is None:
                raise StoreError("That pupil is no longer on the register.")
            when = iso(held_at)
        if conn.execute("SELECT 1 FROM advisers WHERE id = ?", (adviser_id,)).fetchone() is None:
            raise StoreError("Choose the adviser writing the record first.")
        row = {"interview_id": interview_id, "pupil_id": pupil_id, "adviser_id": adviser_id, "held_at": when,
               "mode": mode, "status": "draft", "created_at": stamp, "updated_at": stamp,
               **_defaults(conn, pupil_id, adviser_id, interview if interview_id is not None else None)}
        cols = ", ".join(row)
        record_id = conn.execute(
            f"INSERT INTO meeting_records ({cols}) VALUES ({', '.join(':' + k for k in row)})", row).lastrowid
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="meeting_records",
                    row_id=record_id, pupil_id=pupil_id, after=row)
        return record_id


def _defaults(conn: sqlite3.Connection, pupil_id: int, adviser_id: int,
              interview: sqlite3.Row | None) -> dict[str, Any]:
    """What a new record starts with, so a plain record needs few keys: the reason given when the
    meeting was booked, the pupil's intended destination as their last signed-off record left it
    (amendments applied), and how this adviser last gave the pupil their copy. All can be changed."""
    out: dict[str, Any] = {}
    if interview is not None and interview["reason"]:
        out["reason"] = interview["reason"]
    last = conn.execute(
        "SELECT coalesce((SELECT m.amended_text FROM record_amendments m WHERE m.record_id = r.id "
        "  AND m.field = 'intended_destination' ORDER BY m.amended_at DESC, m.id DESC LIMIT 1), "
        "  r.intended_destination) AS code "
        "FROM meeting_records r WHERE r.pupil_id = ? AND r.status = 'signed_off' "
        "ORDER BY r.held_at DESC, r.id DESC LIMIT 1", (pupil_id,)).fetchone()
    if last is not None and last["code"]:
        out["intended_destination"] = last["code"]
    how = conn.execute(
        "SELECT copy_given_how FROM meeting_records WHERE adviser_id = ? AND copy_given_how IS NOT NULL "
        "AND copy_given_how != '' ORDER BY updated_at DESC, id DESC LIMIT 1", (adviser_id,)).fetchone()
    if how is not None:
        out["copy_given_how"] = how["copy_given_how"]
    return out


def get_record(conn: sqlite3.Connection, record_id: int) -> dict[str, Any] | None:
    """All columns plus pupil_name, pupil_display, upn, year_group (on the meeting's day),
    adviser_name, adviser_qualification, signed_off_by_name, destination_label, interview_status,
    actions (dicts, each with its events), amendments (dicts, oldest first) and ``effective``
    (field -> text in effect, amendments applied)."""
    row = conn.execute(
        "SELECT r.*, p.legal_surname, p.legal_forename, p.preferred_forename, p.intake_year, p.upn, "
        "a.name AS adviser_name, a.qualification AS adviser_qualification, "
        "s.name AS signed_off_by_name, i.status AS interview_status "
        "FROM meeting_records r JOIN pupils p ON p.id = r.pupil_id JOIN advisers a ON a.id = r.adviser_id "
        "LEFT JOIN advisers s ON s.id = r.signed_off_by LEFT JOIN interviews i ON i.id = r.interview_id "
        "WHERE r.id = ?", (record_id,)).fetchone()
    if row is None:
        return None
    out = dict(row)
    out["confidentiality_explained"] = bool(row["confidentiality_explained"])
    out["pupil_name"] = _full_name(row)
    out["pupil_display"] = names.display_name(row["legal_surname"], row["legal_forename"], row["preferred_forename"])
    out["year_group"] = schoolyear.year_group_in(row["intake_year"],
                                                 schoolyear.school_year_of(dates.from_iso(row["held_at"])))
    out["amendments"] = [dict(a) for a in conn.execute(
        "SELECT m.*, a.name AS adviser_name FROM record_amendments m JOIN advisers a ON a.id = m.adviser_id "
        "WHERE m.record_id = ? ORDER BY m.amended_at, m.id", (record_id,))]
    out["actions"] = actions_for_record(conn, record_id)
    out["effective"] = {f: effective_text(out, f) for f in AMENDABLE}
    out["destination_label"] = destination_label(conn, out["effective"]["intended_destination"])
    return out


def effective_text(record: Mapping[str, Any], field: str) -> Any:
    """The text in effect: the latest amendment of ``field``, else the original."""
    for amendment in reversed(record.get("amendments") or []):
        if amendment["field"] == field:
            return amendment["amended_text"]
    return record[field]


def _clean_values(conn: sqlite3.Connection, values: Mapping[str, Any], *, stamp: str) -> dict[str, Any]:
    unknown = [k for k in values if k not in FIELDS]
    if unknown:
        raise StoreError(f"A meeting record has no field {', '.join(sorted(unknown))}.")
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in values.items():
        try:
            if key in TEXT_FIELDS:
                clean[key] = _clean_long(value, FIELD_WORDS[key])
            elif key in DATE_FIELDS:
                clean[key] = parse_day(value, FIELD_WORDS[key], today=date.fromisoformat(stamp[:10]))
            elif key == "confidentiality_explained":
                clean[key] = _parse_bool(value)
            else:
                clean[key] = parse_destination(conn, value)
        except StoreError as e:
            errors[key] = str(e)
    if errors:
        raise RecordInvalid(errors)
    return clean


def _refuse_pre16(conn: sqlite3.Connection, row: Mapping[str, Any], clean: Mapping[str, Any]) -> None:
    """A pre-16 code (110-150) is never an intended destination (domain.send.pre16_refusal)."""
    from gatsby_tui.domain import send

    refusal = send.pre16_refusal(clean.get("intended_destination"), None, intended=True)
    if refusal:
        raise RecordInvalid({"intended_destination": refusal})


def save_record(conn: sqlite3.Connection, record_id: int, values: Mapping[str, Any], *, stamp: str,
                adviser_id: int | None) -> list[str]:
    """Save fields of a draft record; returns the names of the fields that changed. Raises
    RecordInvalid (``.errors`` per field) and writes nothing if any value cannot be saved."""
    with transaction(conn):
        row = _load(conn, record_id)
        if row["status"] != "draft":
            raise StoreError("This meeting record is signed off: add an amendment instead.")
        clean = _clean_values(conn, values, stamp=stamp)
        _refuse_pre16(conn, row, clean)
        changed = [k for k, v in clean.items() if row[k] != v]
        if not changed:
            return []
        before = {k: row[k] for k in changed}
        after = {k: clean[k] for k in changed}
        sets = ", ".join(f"{k} = :{k}" for k in changed)
        conn.execute(f"UPDATE meeting_records SET {sets}, updated_at = :stamp WHERE id = :id",
                     {**after, "stamp": stamp, "id": record_id})
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="meeting_records",
                    row_id=record_id, pupil_id=row["pupil_id"], before=before, after=after)
        return changed


def missing_for_sign_off(row: Mapping[str, Any]) -> list[str]:
    return [FIELD_WORDS[f] for f in REQUIRED_FOR_SIGN_OFF if not row[f]]


def _sign_off_refusal(conn: sqlite3.Connection, row: sqlite3.Row, *, stamp: str,
                      adviser_id: int | None) -> tuple[str | None, sqlite3.Row | None]:
    """(why the record cannot be signed off now, or None; its interview row, if any)."""
    interview = None
    if row["interview_id"] is not None:
        interview = conn.execute("SELECT * FROM interviews WHERE id = ?", (row["interview_id"],)).fetchone()
    if row["status"] == "signed_off":
        return "This meeting record is already signed off.", interview
    if adviser_id != row["adviser_id"]:
        return f"Only {_adviser_name(conn, row['adviser_id'])}, who wrote this record, can sign it off.", interview
    missing = missing_for_sign_off(row)
    if missing:
        listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
        return f"The record cannot be signed off yet: it needs {listed}.", interview
    if interview is not None and interview["status"] == "booked" and interview["starts_at"] > stamp[:16]:
        return "This meeting has not happened yet, so its record cannot be signed off.", interview
    return None, interview


def sign_off_problem(conn: sqlite3.Connection, record_id: int, *, stamp: str, adviser_id: int | None) -> str | None:
    """The sentence ``sign_off`` would refuse with now, or None: lets a screen say so before asking
    for confirmation. Writes nothing."""
    return _sign_off_refusal(conn, _load(conn, record_id), stamp=stamp, adviser_id=adviser_id)[0]


def sign_off(conn: sqlite3.Connection, record_id: int, *, stamp: str, adviser_id: int | None) -> None:
    with transaction(conn):
        row = _load(conn, record_id)
        refusal, interview = _sign_off_refusal(conn, row, stamp=stamp, adviser_id=adviser_id)
        if refusal:
            raise StoreError(refusal)
        conn.execute("UPDATE meeting_records SET status = 'signed_off', signed_off_at = ?, signed_off_by = ?, "
                     "updated_at = ? WHERE id = ?", (stamp, adviser_id, stamp, record_id))
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="meeting_records",
                    row_id=record_id, pupil_id=row["pupil_id"],
                    before={"status": "draft", "signed_off_at": None, "signed_off_by": None},
                    after={"status": "signed_off", "signed_off_at": stamp, "signed_off_by": adviser_id})
        if interview is not None and interview["status"] == "booked":
            conn.execute("UPDATE interviews SET status = 'held', status_note = NULL, updated_at = ? WHERE id = ?",
                         (stamp, interview["id"]))
            conn.execute("INSERT INTO interview_events (interview_id, at, event, adviser_id) VALUES (?, ?, 'held', ?)",
                         (interview["id"], stamp, adviser_id))
            audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="interviews",
                        row_id=interview["id"], pupil_id=row["pupil_id"],
                        before={"status": "booked", "status_note": interview["status_note"]},
                        after={"status": "held", "status_note": None})
        conn.execute("DELETE FROM drafts WHERE key = ?", (f"record:{record_id}",))


def amend(conn: sqlite3.Connection, record_id: int, field: str, new_text: Any, reason: str, *, stamp: str,
          adviser_id: int | None) -> int:
    """Amend a signed-off record; returns the amendment's id. The earlier text stays."""
    if field not in AMENDABLE:
        raise StoreError(f"'{names.quote(str(field))}' cannot be amended: choose one of "
                         f"{', '.join(FIELD_WORDS[f] for f in AMENDABLE)}.")
    why = names.clean_text(reason, multiline=True)
    if not why:
        raise StoreError("Give a reason for the amendment, e.g. 'pupil corrected the college name'.")
    if len(why) > 1000:
        raise StoreError("The reason for the amendment is longer than 1,000 characters: shorten it.")
    if adviser_id is None:
        raise StoreError("Choose the adviser using the app before amending a record.")
    with transaction(conn):
        row = _load(conn, record_id)
        if row["status"] != "signed_off":
            raise StoreError("This record is still a draft: change it directly and save.")
        new = _clean_values(conn, {field: new_text}, stamp=stamp)[field]
        _refuse_pre16(conn, row, {field: new})
        last = conn.execute("SELECT amended_text FROM record_amendments WHERE record_id = ? AND field = ? "
                            "ORDER BY amended_at DESC, id DESC LIMIT 1", (record_id, field)).fetchone()
        current = last["amended_text"] if last is not None else row[field]
        if current == new:
            raise StoreError(f"The {FIELD_WORDS[field]} already reads like that: nothing to amend.")
        values = {"record_id": record_id, "field": field, "original_text": current, "amended_text": new,
                  "reason": why, "amended_at": stamp, "adviser_id": adviser_id}
        amendment_id = conn.execute(
            "INSERT INTO record_amendments (record_id, field, original_text, amended_text, reason, amended_at, "
            "adviser_id) VALUES (:record_id, :field, :original_text, :amended_text, :reason, :amended_at, "
            ":adviser_id)", values).lastrowid
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="record_amendments",
                    row_id=amendment_id, pupil_id=row["pupil_id"], after=values)
        return amendment_id


def record_for_interview(conn: sqlite3.Connection, interview_id: int) -> sqlite3.Row | None:
    """The record of a meeting, if one was started: id, status, signed_off_at, signed_off_by_name,
    and has_draft (1 when unsaved typing is kept for it)."""
    return conn.execute(
        "SELECT r.id, r.status, r.signed_off_at, s.name AS signed_off_by_name, "
        "EXISTS (SELECT 1 FROM drafts d WHERE d.key = 'record:' || r.id) AS has_draft "
        "FROM meeting_records r LEFT JOIN advisers s ON s.id = r.signed_off_by WHERE r.interview_id = ?",
        (interview_id,)).fetchone()


def records_for_pupil(conn: sqlite3.Connection, pupil_id: int, limit: int = 100) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT r.id, r.held_at, r.status, r.interview_id, a.name AS adviser_name FROM meeting_records r "
        "JOIN advisers a ON a.id = r.adviser_id WHERE r.pupil_id = ? ORDER BY r.held_at DESC LIMIT ?",
        (pupil_id, limit)).fetchall()


# ---------------------------------------------------------------- drafts


def save_draft(conn: sqlite3.Connection, key: str, payload: Mapping[str, Any], *, stamp: str) -> None:
    """Upsert the unsaved typing under ``key`` (one small committed transaction; not audited)."""
    text = json.dumps(dict(payload), ensure_ascii=False, default=str)
    with transaction(conn):
        conn.execute("INSERT INTO drafts (key, payload, saved_at) VALUES (?, ?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, saved_at = excluded.saved_at",
                     (key, text, stamp))


def load_draft(conn: sqlite3.Connection, key: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT payload FROM drafts WHERE key = ?", (key,)).fetchone()
    return None if row is None else json.loads(row["payload"])


def draft_saved_at(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT saved_at FROM drafts WHERE key = ?", (key,)).fetchone()
    return None if row is None else row["saved_at"]


def discard_if_untouched(conn: sqlite3.Connection, record_id: int, *, stamp: str, adviser_id: int | None) -> bool:
    """Delete a draft record nobody has written anything in (every field as it started, no action,
    no typing kept as a draft), as when a record is opened by mistake and closed at once. Audited.
    Returns whether it was deleted; a record with anything written in it is always kept.

    A new record starts with what it can take from before (_defaults: the booking's reason, the
    last intended destination, how this adviser gives copies), so a field holding a value is no
    sign of writing: each field is compared with the values its insert was logged with. A record
    whose insert is not in the log (written some other way) is kept."""
    with transaction(conn):
        row = conn.execute("SELECT * FROM meeting_records WHERE id = ?", (record_id,)).fetchone()
        if row is None or row["status"] != "draft":
            return False
        started = conn.execute("SELECT after FROM audit_log WHERE pupil_id = ? AND table_name = 'meeting_records' "
                               "AND row_id = ? AND action = 'insert' ORDER BY id LIMIT 1",
                               (row["pupil_id"], record_id)).fetchone()
        if started is None or not started["after"]:
            return False
        was = json.loads(started["after"])
        if any(str(row[f] or "") != str(was.get(f) or "")
               for f in TEXT_FIELDS + DATE_FIELDS + ("intended_destination", "confidentiality_explained")):
            return False
        if conn.execute("SELECT 1 FROM actions WHERE record_id = ? LIMIT 1", (record_id,)).fetchone():
            return False
        if conn.execute("SELECT 1 FROM drafts WHERE key = ?", (f"record:{record_id}",)).fetchone():
            return False
        conn.execute("DELETE FROM meeting_records WHERE id = ?", (record_id,))
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="delete", table="meeting_records",
                    row_id=record_id, pupil_id=row["pupil_id"], before=dict(row))
        return True


def discard_draft(conn: sqlite3.Connection, key: str) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM drafts WHERE key = ?", (key,))


# ---------------------------------------------------------------- actions


def parse_owner(value: Any) -> str:
    key = " ".join(str(value or "").strip().lower().split())
    key = OWNER_ALIASES.get(key, key)
    if key not in OWNERS:
        raise StoreError("Say who owns the action: the pupil, the adviser, the school or the parent/carer.")
    return key


def _load_action(conn: sqlite3.Connection, action_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM actions WHERE id = ?", (action_id,)).fetchone()
    if row is None:
        raise StoreError("That action no longer exists.")
    return row


def _action_event(conn: sqlite3.Connection, action_id: int, *, at: str, status: str, owner: str | None,
                  note: str | None, adviser_id: int | None) -> None:
    conn.execute("INSERT INTO action_events (action_id, at, status, owner, note, adviser_id) "
                 "VALUES (?, ?, ?, ?, ?, ?)", (action_id, at, status, owner, note, adviser_id))


def _clean_note(note: str | None) -> str | None:
    text = names.clean_text(note, multiline=True)
    if text and len(text) > MAX_ACTION:
        raise StoreError("The note is longer than 1,000 characters: shorten it.")
    return text


def add_action(conn: sqlite3.Connection, *, pupil_id: int, record_id: int | None = None, description: str,
               owner: str, due: Any = None, adviser_id: int | None, stamp: str) -> int:
    text = names.clean_text(description, multiline=True)
    if not text:
        raise StoreError("Say what the action is, e.g. 'Apply to Riverside College by Friday'.")
    if len(text) > MAX_ACTION:
        raise StoreError("The action is longer than 1,000 characters: keep it to what is to be done.")
    owner = parse_owner(owner)
    due_iso = parse_day(due, "due date", today=date.fromisoformat(stamp[:10]))
    with transaction(conn):
        if conn.execute("SELECT 1 FROM pupils WHERE id = ?", (pupil_id,)).fetchone() is None:
            raise StoreError("That pupil is no longer on the register.")
        if record_id is not None:
            rec = conn.execute("SELECT pupil_id FROM meeting_records WHERE id = ?", (record_id,)).fetchone()
            if rec is None:
                raise StoreError("That meeting record no longer exists.")
            if rec["pupil_id"] != pupil_id:
                raise StoreError("That meeting record is about another pupil.")
        row = {"pupil_id": pupil_id, "record_id": record_id, "description": text, "owner": owner,
               "due_date": due_iso, "status": "open", "adviser_id": adviser_id, "created_at": stamp,
               "updated_at": stamp}
        cols = ", ".join(row)
        action_id = conn.execute(f"INSERT INTO actions ({cols}) VALUES ({', '.join(':' + k for k in row)})",
                                 row).lastrowid
        _action_event(conn, action_id, at=stamp, status="open", owner=owner, note=None, adviser_id=adviser_id)
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="actions", row_id=action_id,
                    pupil_id=pupil_id, after=row)
        return action_id


_STATUS_SAME = {"open": "This action is already open.", "done": "This action is already marked as done.",
                "cancelled": "This action is already cancelled."}


def _not_changed_meanwhile(row: sqlite3.Row, original: Mapping[str, Any] | None, mine: Mapping[str, Any]) -> None:
    """``original``: the action as the person saw it (status, owner) when they chose the change."""
    if original is not None:
        edits.check_not_changed_meanwhile(
            row, {k: original[k] for k in mine}, mine, what="this action",
            labels={"status": "its status", "owner": "its owner"},
            show=lambda column, value: edits.shown(OWNER_WORDS.get(value, value) if column == "owner" else value))


def set_action_status(conn: sqlite3.Connection, action_id: int, status: str, *, note: str | None = None,
                      stamp: str, adviser_id: int | None, original: Mapping[str, Any] | None = None) -> None:
    if status not in ACTION_STATUSES:
        raise StoreError("An action is open, done or cancelled.")
    text = _clean_note(note)
    with transaction(conn):
        row = _load_action(conn, action_id)
        _not_changed_meanwhile(row, original, {"status": status})
        if row["status"] == status:
            raise StoreError(_STATUS_SAME[status])
        conn.execute("UPDATE actions SET status = ?, updated_at = ? WHERE id = ?", (status, stamp, action_id))
        _action_event(conn, action_id, at=stamp, status=status, owner=row["owner"], note=text, adviser_id=adviser_id)
        after = {"status": status, **({"note": text} if text else {})}
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="actions", row_id=action_id,
                    pupil_id=row["pupil_id"], before={"status": row["status"]}, after=after)


def reassign_action(conn: sqlite3.Connection, action_id: int, owner: str, *, note: str | None = None,
                    stamp: str, adviser_id: int | None, original: Mapping[str, Any] | None = None) -> None:
    owner = parse_owner(owner)
    text = _clean_note(note)
    with transaction(conn):
        row = _load_action(conn, action_id)
        _not_changed_meanwhile(row, original, {"owner": owner})
        if row["owner"] == owner:
            raise StoreError(f"This action is already the {OWNER_WORDS[owner]}'s.")
        if row["status"] != "open":
            raise StoreError(f"This action is {row['status']}: reopen it before giving it to someone else.")
        conn.execute("UPDATE actions SET owner = ?, updated_at = ? WHERE id = ?", (owner, stamp, action_id))
        _action_event(conn, action_id, at=stamp, status=row["status"], owner=owner, note=text, adviser_id=adviser_id)
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="actions", row_id=action_id,
                    pupil_id=row["pupil_id"], before={"owner": row["owner"]}, after={"owner": owner})


def action_events(conn: sqlite3.Connection, action_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT e.*, a.name AS adviser_name FROM action_events e LEFT JOIN advisers a ON a.id = e.adviser_id "
        "WHERE e.action_id = ? ORDER BY e.at, e.id", (action_id,)).fetchall()


def actions_for_record(conn: sqlite3.Connection, record_id: int) -> list[dict[str, Any]]:
    out = []
    for r in conn.execute("SELECT * FROM actions WHERE record_id = ? ORDER BY id", (record_id,)):
        item = dict(r)
        item["events"] = [dict(e) for e in action_events(conn, r["id"])]
        out.append(item)
    return out


def actions_for_pupil(conn: sqlite3.Connection, pupil_id: int, *, open_only: bool = False) -> list[sqlite3.Row]:
    extra = " AND status = 'open'" if open_only else ""
    return conn.execute(f"SELECT * FROM actions WHERE pupil_id = ?{extra} "
                        "ORDER BY due_date IS NULL, due_date, id", (pupil_id,)).fetchall()


@dataclass(frozen=True)
class FollowUp:
    action_id: int
    pupil_id: int
    pupil_name: str        # 'Amara Okafor'
    pupil_display: str     # 'Okafor, Amara'
    year_group: int
    description: str
    owner: str             # 'pupil', 'adviser', 'school', 'parent'
    due: date | None
    overdue: bool
    record_id: int | None
    adviser_id: int | None
    left: bool = False     # the pupil has left the school (their year group is then only notional)

    @property
    def key(self) -> tuple[str | None, int]:
        """Pass as ``after`` to get the next page."""
        return (None if self.due is None else self.due.isoformat(), self.action_id)


_FOLLOW_COLUMNS = ("a.id, a.pupil_id, a.description, a.owner, a.due_date, a.record_id, a.adviser_id, "
                   "p.legal_surname, p.legal_forename, p.preferred_forename, p.intake_year, p.date_left")


def follow_ups(conn: sqlite3.Connection, *, today: date, owner: str | None = None, due_before: Any = None,
               adviser_id: int | None = None, limit: int = 200,
               after: tuple[str | None, int] | None = None) -> list[FollowUp]:
    """Open actions across pupils: by due date (so overdue first), undated last, then by id.
    ``due_before``: due on or before that day (undated ones are left out). ``after``: the
    ``key`` of the last row of the previous page."""
    where = ["a.status = 'open'"]
    params: dict[str, Any] = {"limit": limit}
    if owner:
        where.append("a.owner = :owner")
        params["owner"] = parse_owner(owner)
    if adviser_id is not None:
        where.append("a.adviser_id = :adviser")
        params["adviser"] = adviser_id
    until = parse_day(due_before, "due date") if due_before is not None else None
    base = " AND ".join(where)
    sql = f"SELECT {_FOLLOW_COLUMNS} FROM actions a JOIN pupils p ON p.id = a.pupil_id WHERE {base} "
    rows: list[sqlite3.Row] = []
    after_due, after_id = after if after is not None else (None, None)
    if after is None or after_due is not None:
        dated = sql + "AND a.due_date IS NOT NULL"
        if until:
            dated += " AND a.due_date <= :until"
            params["until"] = until
        if after is not None:
            dated += " AND (a.due_date > :after_due OR (a.due_date = :after_due AND a.id > :after_id))"
            params.update(after_due=after_due, after_id=after_id)
        rows = conn.execute(dated + " ORDER BY a.due_date, a.id LIMIT :limit", params).fetchall()
    if len(rows) < limit and not until:
        undated = sql + "AND a.due_date IS NULL"
        if after is not None and after_due is None:
            undated += " AND a.id > :after_id"
            params["after_id"] = after_id
        params["limit"] = limit - len(rows)
        rows += conn.execute(undated + " ORDER BY a.id LIMIT :limit", params).fetchall()
    school_year = schoolyear.school_year_of(today)
    today_iso = today.isoformat()
    return [FollowUp(
        action_id=r["id"], pupil_id=r["pupil_id"], pupil_name=_full_name(r),
        pupil_display=names.display_name(r["legal_surname"], r["legal_forename"], r["preferred_forename"]),
        year_group=schoolyear.year_group_in(r["intake_year"], school_year), description=r["description"],
        owner=r["owner"], due=dates.from_iso(r["due_date"]),
        overdue=r["due_date"] is not None and r["due_date"] < today_iso, record_id=r["record_id"],
        adviser_id=r["adviser_id"], left=r["date_left"] is not None) for r in rows]


# ---------------------------------------------------------------- snippets


def snippets(conn: sqlite3.Connection, adviser_id: int | None) -> list[sqlite3.Row]:
    """The adviser's own snippets and those shared by everyone (adviser_id NULL), by title."""
    return conn.execute("SELECT * FROM snippets WHERE adviser_id IS ? OR adviser_id IS NULL "
                        "ORDER BY lower(title), id", (adviser_id,)).fetchall()


def add_snippet(conn: sqlite3.Connection, adviser_id: int | None, title: str, body: str) -> int:
    name = names.clean_text(title)
    if not name:
        raise StoreError("Give the snippet a short title, e.g. 'Apprenticeship levels'.")
    if len(name) > 80:
        raise StoreError("The snippet's title is longer than 80 characters: shorten it.")
    text = names.clean_text(body, multiline=True)
    if not text:
        raise StoreError("The snippet is empty: type the text to insert.")
    if len(text) > 5000:
        raise StoreError("A snippet holds at most 5,000 characters: shorten it.")
    with transaction(conn):
        return conn.execute("INSERT INTO snippets (adviser_id, title, body) VALUES (?, ?, ?)",
                            (adviser_id, name, text)).lastrowid


def delete_snippet(conn: sqlite3.Connection, snippet_id: int) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM snippets WHERE id = ?", (snippet_id,))


# ---------------------------------------------------------------- follow-ups screen: counts and one action


def follow_ups_count(conn: sqlite3.Connection, *, today: date, owner: str | None = None, due_before: Any = None,
                     adviser_id: int | None = None) -> tuple[int, int]:
    """(open actions, of which overdue) matching the same filters as ``follow_ups``."""
    where = ["status = 'open'"]
    params: dict[str, Any] = {"today": today.isoformat()}
    if owner:
        where.append("owner = :owner")
        params["owner"] = parse_owner(owner)
    if adviser_id is not None:
        where.append("adviser_id = :adviser")
        params["adviser"] = adviser_id
    until = parse_day(due_before, "due date") if due_before is not None else None
    if until:
        where.append("due_date <= :until")
        params["until"] = until
    total, overdue = conn.execute(
        f"SELECT count(*), coalesce(sum(due_date < :today), 0) FROM actions WHERE {' AND '.join(where)}",
        params).fetchone()
    return total, overdue


def action_detail(conn: sqlite3.Connection, action_id: int) -> dict[str, Any] | None:
    """One action with its pupil's names, who follows it up, and every status or owner change."""
    row = conn.execute(
        "SELECT a.*, p.legal_surname, p.legal_forename, p.preferred_forename, p.intake_year, "
        "ad.name AS adviser_name, r.held_at AS record_held_at FROM actions a "
        "JOIN pupils p ON p.id = a.pupil_id LEFT JOIN advisers ad ON ad.id = a.adviser_id "
        "LEFT JOIN meeting_records r ON r.id = a.record_id WHERE a.id = ?", (action_id,)).fetchone()
    if row is None:
        return None
    out = dict(row)
    out["pupil_name"] = _full_name(row)
    out["events"] = [dict(e) for e in action_events(conn, action_id)]
    return out
