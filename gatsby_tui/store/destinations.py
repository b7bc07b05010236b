"""Destinations: intended (Year 11 and 13, with the September Guarantee offer), actual for
leavers, checks at about 1, 2 and 3 years, consent, and the leavers of a cohort.

Never imports Textual. Every write is one transaction holding the change and its audit
entries. NCCIS codes are parsed by store.records.parse_destination (an unknown code is
refused with the near matches). The rules — leaving cohorts, check dates, the consent rule —
are in gatsby_tui/domain/send.py, where the decisions are written down.

Decisions specific to the data:

* Every destination recorded is a new row; the latest (by recorded_on, then id) of each kind
  is the current one, so earlier intentions and earlier activities stay readable. Only the
  September Guarantee offer of an intended destination is updated in place (audited).
* An actual destination is recorded with how and when it was checked: that check is a
  destination_checks row, counted for the 1-, 2- or 3-year check it falls near
  (domain.send.check_for), or an extra confirmation (due_on = the day checked).
* A check that finds the young person doing something else (another code) also records a new
  actual destination, dated the day of the check, in the same transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterator, Mapping

from gatsby_tui.domain import dates, names, schoolyear, send
from gatsby_tui.domain.codes import OFFER_ALIASES
from gatsby_tui.store import audit, edits
from gatsby_tui.store.db import StoreError, transaction
from gatsby_tui.store.records import parse_day, parse_destination

VIEWS = ("all", "unknown", "neet", "checks_due")
VIEW_WORDS = {"all": "all leavers", "unknown": "no known destination", "neet": "NEET (540–680)",
              "checks_due": "checks due"}


class DestinationInvalid(StoreError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class NoConsent(StoreError):
    """Tracking a leaver who has not consented to be contacted is refused."""


# ---------------------------------------------------------------- small helpers


def _who(row: Mapping[str, Any]) -> str:
    return names.full_name(row["legal_surname"], row["legal_forename"], row["preferred_forename"])


def _pupil(conn: sqlite3.Connection, pupil_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM pupils WHERE id = ?", (pupil_id,)).fetchone()
    if row is None:
        raise StoreError("That pupil is no longer on the register.")
    return row


def _text(value: Any, what: str, limit: int = 200, *, multiline: bool = False) -> str | None:
    text = names.clean_text(None if value is None else str(value), multiline=multiline)
    if text is not None and len(text) > limit:
        raise StoreError(f"The {what} is longer than {limit} characters: shorten it.")
    return text


def has_left(pupil: Mapping[str, Any], today: date) -> bool:
    return bool(pupil["date_left"]) and pupil["date_left"] <= today.isoformat()


def year_left_in(pupil: Mapping[str, Any]) -> int | None:
    if not pupil["date_left"]:
        return None
    return schoolyear.year_group_in(pupil["intake_year"], schoolyear.school_year_of(dates.from_iso(pupil["date_left"])))


def tracking_refusal(pupil: Mapping[str, Any], today: date, code: str | None = None) -> str | None:
    """Why an actual destination or a check cannot be recorded for this pupil now (the consent
    rule of domain.send), or None when it can."""
    who = _who(pupil)
    if not has_left(pupil, today):
        year = schoolyear.year_group_in(pupil["intake_year"], schoolyear.school_year_of(today))
        if code == send.SIXTH_FORM_CODE and year >= 12:
            return None
        if code is None and year >= 12:
            return (f"{who} is still on roll: a check is for a leaver. Record their actual destination as 210 "
                    "(school sixth form) if they stayed on after Year 11.")
        return (f"{who} is still on roll: record an intended destination now, and the actual one once they have "
                "left (mark them as left first), or 210 if they stayed in the sixth form.")
    if not pupil["destination_consent"]:
        return (f"{who} left on {dates.uk(dates.from_iso(pupil['date_left']))} and has not consented to be "
                "contacted about what they do next: tracking them is refused. Record their consent first "
                "(Y on their destinations screen) if they give it.")
    return None


def _parse_code(conn: sqlite3.Connection, value: Any, errors: dict[str, str], *, required: bool) -> str | None:
    try:
        code = parse_destination(conn, value)
    except StoreError as e:
        errors["code"] = str(e)
        return None
    if code is None and required:
        errors["code"] = ("Give the destination: its NCCIS code (e.g. 230) or part of its name "
                          "(e.g. 'further education').")
    return code


def _offer(value: Any) -> str | None:
    key = " ".join(str(value or "").strip().lower().split())
    if key in OFFER_ALIASES:
        return OFFER_ALIASES[key]
    raise StoreError("The September Guarantee offer is one of: offered, accepted, none (or blank if not known yet).")


def _insert(conn: sqlite3.Connection, table: str, row: Mapping[str, Any]) -> int:
    cols = ", ".join(row)
    return conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(':' + k for k in row)})", row).lastrowid


# ---------------------------------------------------------------- writing


def record_intended(conn: sqlite3.Connection, pupil_id: int, values: Mapping[str, Any], *, stamp: str,
                    today: date, adviser_id: int | None) -> int:
    """An intended destination for a pupil on roll in Years 10-13 (recorded 'in Year 11' for the
    move at 16, 'in Year 13' for the move at 18), with any September Guarantee offer."""
    errors: dict[str, str] = {}
    code = _parse_code(conn, values.get("code"), errors, required=True)
    row: dict[str, Any] = {}
    for key, what in (("provider", "provider"), ("course_or_role", "course or role"), ("offer_provider", "offer's provider")):
        try:
            row[key] = _text(values.get(key), what)
        except StoreError as e:
            errors[key] = str(e)
    try:
        row["offer_status"] = _offer(values.get("offer_status"))
    except StoreError as e:
        errors["offer_status"] = str(e)
    if row.get("offer_status") in ("offered", "accepted") and not row.get("offer_provider"):
        row["offer_provider"] = row.get("provider")
        if not row["offer_provider"]:
            errors["offer_provider"] = "Name the provider that made the September Guarantee offer."
    try:
        recorded = parse_day(values.get("recorded_on"), "date recorded") or today.isoformat()
    except StoreError as e:
        errors["recorded_on"] = str(e)
        recorded = today.isoformat()
    if recorded > today.isoformat():
        errors["recorded_on"] = "The date recorded is in the future: give today's date or an earlier one."
    if errors:
        raise DestinationInvalid(errors)
    with transaction(conn):
        pupil = _pupil(conn, pupil_id)
        if has_left(pupil, today):
            raise StoreError(f"{_who(pupil)} has left: record where they actually went instead.")
        year = schoolyear.year_group_in(pupil["intake_year"], schoolyear.school_year_of(dates.from_iso(recorded)))
        if year < 10:
            raise StoreError(f"{_who(pupil)} is in Year {year}: intended destinations are recorded in Years 10 and "
                             "11 (for the move at 16) and 12 and 13 (for the move at 18).")
        refusal = send.pre16_refusal(code, year, intended=True)
        if refusal:
            raise DestinationInvalid({"code": refusal})
        at_year = values.get("at_year")
        at_year = int(at_year) if at_year not in (None, "") else (11 if year <= 11 else 13)
        if at_year not in (11, 13):
            raise StoreError("An intended destination is recorded for the move after Year 11 or after Year 13.")
        dest = {"pupil_id": pupil_id, "kind": "intended", "code": code, "provider": row["provider"],
                "course_or_role": row["course_or_role"], "at_year": at_year, "start_date": None,
                "offer_status": row["offer_status"], "offer_provider": row["offer_provider"],
                "recorded_on": recorded, "adviser_id": adviser_id}
        dest_id = _insert(conn, "destinations", dest)
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="destinations", row_id=dest_id,
                    pupil_id=pupil_id, after=dest)
        return dest_id


def set_offer(conn: sqlite3.Connection, destination_id: int, values: Mapping[str, Any], *, stamp: str,
              adviser_id: int | None, original: Mapping[str, Any] | None = None) -> None:
    """Update the September Guarantee offer on an intended destination. ``original``: the
    destination as the form read it when it opened; then only what was changed at the form is
    written, and a field someone else changed meanwhile is refused (store/edits.py)."""
    errors: dict[str, str] = {}
    try:
        status = _offer(values.get("offer_status"))
    except StoreError as e:
        errors["offer_status"] = str(e)
        status = None
    try:
        provider = _text(values.get("offer_provider"), "offer's provider")
    except StoreError as e:
        errors["offer_provider"] = str(e)
        provider = None
    if status in ("offered", "accepted") and not provider and "offer_provider" not in errors:
        errors["offer_provider"] = "Name the provider that made the September Guarantee offer."
    if errors:
        raise DestinationInvalid(errors)
    with transaction(conn):
        row = conn.execute("SELECT * FROM destinations WHERE id = ?", (destination_id,)).fetchone()
        if row is None:
            raise StoreError("That destination no longer exists.")
        if row["kind"] != "intended":
            raise StoreError("The September Guarantee offer belongs to an intended destination.")
        after = {"offer_status": status, "offer_provider": provider if status != "none" else None}
        if original is not None:
            before, after = edits.update_changed(
                conn, "destinations", destination_id, original, after, what="this destination",
                missing="That destination no longer exists.",
                labels={"offer_status": "the offer", "offer_provider": "the offer's provider"})
            if after:
                audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="destinations",
                            row_id=destination_id, pupil_id=row["pupil_id"], before=before, after=after)
            return
        before = {"offer_status": row["offer_status"], "offer_provider": row["offer_provider"]}
        if before == after:
            return
        conn.execute("UPDATE destinations SET offer_status = ?, offer_provider = ? WHERE id = ?",
                     (after["offer_status"], after["offer_provider"], destination_id))
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="destinations",
                    row_id=destination_id, pupil_id=row["pupil_id"], before=before, after=after)


def _check_values(values: Mapping[str, Any], today: date, errors: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        out["checked_on"] = parse_day(values.get("checked_on"), "date checked") or today.isoformat()
    except StoreError as e:
        errors["checked_on"] = str(e)
        out["checked_on"] = today.isoformat()
    if out["checked_on"] > today.isoformat():
        errors["checked_on"] = "The date checked is in the future: a check is recorded once made."
    try:
        out["method"] = _text(values.get("method"), "way it was checked", 120)
    except StoreError as e:
        errors["method"] = str(e)
    else:
        if not out["method"]:
            errors["method"] = "Say how it was checked: e.g. phone call, email, the provider's return."
    try:
        out["note"] = _text(values.get("note"), "note", 2000, multiline=True)
    except StoreError as e:
        errors["note"] = str(e)
    return out


def _refuse_untracked(pupil: Mapping[str, Any], today: date, code: str | None, errors: dict[str, str]) -> None:
    """The consent refusal comes first (nothing typed would change it); then what was typed;
    then the on-roll rule, which depends on the code."""
    if has_left(pupil, today) and not pupil["destination_consent"]:
        raise NoConsent(tracking_refusal(pupil, today, code) or "")
    if errors:
        raise DestinationInvalid(errors)
    refusal = tracking_refusal(pupil, today, code)
    if refusal:
        raise StoreError(refusal)


def _refuse_pre16_actual(pupil: Mapping[str, Any], today: date, code: str | None) -> None:
    """A pre-16 code is refused as where a pupil went after Year 11 or later (send.pre16_refusal)."""
    year = year_left_in(pupil) if has_left(pupil, today) else \
        schoolyear.year_group_in(pupil["intake_year"], schoolyear.school_year_of(today))
    refusal = send.pre16_refusal(code, year, intended=False)
    if refusal:
        raise DestinationInvalid({"code": refusal})


def _due_for(pupil: Mapping[str, Any], checked_on: str) -> str:
    if not pupil["date_left"]:
        return checked_on
    due = send.check_for(dates.from_iso(pupil["date_left"]), dates.from_iso(checked_on))  # type: ignore[arg-type]
    return (due or dates.from_iso(checked_on)).isoformat()  # type: ignore[union-attr]


def record_actual(conn: sqlite3.Connection, pupil_id: int, values: Mapping[str, Any], *, stamp: str, today: date,
                  adviser_id: int | None) -> int:
    """An actual destination (code, provider, course or role, start date) with how and when it
    was checked. Refused without consent for a leaver (NoConsent)."""
    errors: dict[str, str] = {}
    code = _parse_code(conn, values.get("code"), errors, required=True)
    row: dict[str, Any] = {}
    for key, what in (("provider", "provider"), ("course_or_role", "course or role")):
        try:
            row[key] = _text(values.get(key), what)
        except StoreError as e:
            errors[key] = str(e)
    try:
        row["start_date"] = parse_day(values.get("start_date"), "start date")
    except StoreError as e:
        errors["start_date"] = str(e)
    check = _check_values(values, today, errors)
    with transaction(conn):
        pupil = _pupil(conn, pupil_id)
        _refuse_untracked(pupil, today, code, errors)
        _refuse_pre16_actual(pupil, today, code)
        dest = {"pupil_id": pupil_id, "kind": "actual", "code": code, "provider": row["provider"],
                "course_or_role": row["course_or_role"], "at_year": None, "start_date": row["start_date"],
                "offer_status": None, "offer_provider": None, "recorded_on": check["checked_on"],
                "adviser_id": adviser_id}
        dest_id = _insert(conn, "destinations", dest)
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="destinations", row_id=dest_id,
                    pupil_id=pupil_id, after=dest)
        k = {"pupil_id": pupil_id, "due_on": _due_for(pupil, check["checked_on"]), "checked_on": check["checked_on"],
             "method": check["method"], "code": code, "note": check["note"]}
        check_id = _insert(conn, "destination_checks", k)
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="destination_checks",
                    row_id=check_id, pupil_id=pupil_id, after=k)
        return dest_id


def record_check(conn: sqlite3.Connection, pupil_id: int, values: Mapping[str, Any], *, stamp: str, today: date,
                 adviser_id: int | None) -> int:
    """A check of a leaver's destination: when, how, what they are doing (code, optional: blank
    when no answer came), a note. A different code also records a new actual destination."""
    errors: dict[str, str] = {}
    code = _parse_code(conn, values.get("code"), errors, required=False)
    try:
        provider = _text(values.get("provider"), "provider")
    except StoreError as e:
        errors["provider"] = str(e)
        provider = None
    check = _check_values(values, today, errors)
    with transaction(conn):
        pupil = _pupil(conn, pupil_id)
        _refuse_untracked(pupil, today, None, errors)
        _refuse_pre16_actual(pupil, today, code)
        k = {"pupil_id": pupil_id, "due_on": _due_for(pupil, check["checked_on"]), "checked_on": check["checked_on"],
             "method": check["method"], "code": code, "note": check["note"]}
        check_id = _insert(conn, "destination_checks", k)
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="destination_checks",
                    row_id=check_id, pupil_id=pupil_id, after=k)
        current = conn.execute("SELECT code FROM destinations WHERE pupil_id = ? AND kind = 'actual' "
                               "ORDER BY recorded_on DESC, id DESC LIMIT 1", (pupil_id,)).fetchone()
        if code is not None and (current is None or current["code"] != code):
            dest = {"pupil_id": pupil_id, "kind": "actual", "code": code, "provider": provider,
                    "course_or_role": None, "at_year": None, "start_date": None, "offer_status": None,
                    "offer_provider": None, "recorded_on": check["checked_on"], "adviser_id": adviser_id}
            dest_id = _insert(conn, "destinations", dest)
            audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="destinations",
                        row_id=dest_id, pupil_id=pupil_id, after=dest)
        return check_id


def set_consent(conn: sqlite3.Connection, pupil_id: int, consent: bool, *, stamp: str,
                adviser_id: int | None) -> bool:
    """Record (or withdraw) the young person's consent to be contacted about their destination
    after 16. Returns False when nothing changed."""
    with transaction(conn):
        pupil = _pupil(conn, pupil_id)
        value = int(bool(consent))
        if pupil["destination_consent"] == value:
            return False
        conn.execute("UPDATE pupils SET destination_consent = ?, updated_at = ? WHERE id = ?", (value, stamp, pupil_id))
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="pupils", row_id=pupil_id,
                    pupil_id=pupil_id, before={"destination_consent": pupil["destination_consent"]},
                    after={"destination_consent": value})
        return True


# ---------------------------------------------------------------- one pupil


def _dest_rows(conn: sqlite3.Connection, pupil_id: int, kind: str) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(
        "SELECT d.*, n.label, n.category, a.name AS adviser_name FROM destinations d "
        "JOIN nccis_codes n ON n.code = d.code LEFT JOIN advisers a ON a.id = d.adviser_id "
        "WHERE d.pupil_id = ? AND d.kind = ? ORDER BY d.recorded_on DESC, d.id DESC", (pupil_id, kind))]


def schedule(date_left: date, done: Mapping[str, str], today: date) -> list[dict[str, Any]]:
    """The three checks: n, due (date), state ('done', 'due', 'overdue', 'upcoming', 'missed':
    a later check has fallen due), checked_on (for done)."""
    now = send.check_now(date_left, today)
    out = []
    for n, due in zip(send.CHECK_YEARS, send.check_dates(date_left)):
        iso = due.isoformat()
        if iso in done:
            state = "done"
        elif now is None or n > now[0]:
            state = "upcoming"
        elif n < now[0]:
            state = "missed"
        else:
            state = send.review_due(due, today).state  # type: ignore[union-attr]
        out.append({"n": n, "due": due, "state": state, "checked_on": done.get(iso)})
    return out


def for_pupil(conn: sqlite3.Connection, pupil_id: int, *, today: date) -> dict[str, Any]:
    """Everything about one pupil's destinations: 'pupil' (name, year_group, date_left, has_left,
    year_left_in, cohort, consent), 'intended' and 'actual' (newest first, with label and
    category), 'checks' (newest first), 'schedule' (leavers in a cohort) and 'refusal' (why
    an actual destination cannot be tracked now, or None)."""
    p = _pupil(conn, pupil_id)
    left = dates.from_iso(p["date_left"])
    in_cohort = left is not None and (year_left_in(p) or 0) >= 11
    checks = [dict(r) for r in conn.execute(
        "SELECT k.*, n.label FROM destination_checks k LEFT JOIN nccis_codes n ON n.code = k.code "
        "WHERE k.pupil_id = ? ORDER BY coalesce(k.checked_on, k.due_on) DESC, k.id DESC", (pupil_id,))]
    done = {}
    for k in checks:
        if k["checked_on"] and (k["due_on"] not in done or k["checked_on"] < done[k["due_on"]]):
            done[k["due_on"]] = k["checked_on"]
    return {
        "pupil": {"id": pupil_id, "name": _who(p), "upn": p["upn"], "sen_status": p["sen_status"],
                  "year_group": schoolyear.year_group_in(p["intake_year"], schoolyear.school_year_of(today)),
                  "date_left": p["date_left"], "has_left": has_left(p, today), "year_left_in": year_left_in(p),
                  "cohort": send.cohort_of(left) if in_cohort else None,  # type: ignore[arg-type]
                  "consent": bool(p["destination_consent"])},
        "intended": _dest_rows(conn, pupil_id, "intended"),
        "actual": _dest_rows(conn, pupil_id, "actual"),
        "checks": checks,
        "schedule": schedule(left, done, today) if in_cohort and left else [],  # type: ignore[arg-type]
        "refusal": tracking_refusal(p, today, None) if has_left(p, today) else None,
    }


# ---------------------------------------------------------------- leavers of a cohort (SQL)


def _due_sql(n: int) -> str:
    """Check n's date in SQL, as domain.send.add_years: 29 February falls back to 28 February."""
    return (f"(CASE WHEN substr(date_left, 6, 5) = '02-29' THEN date(date_left, '-1 day', '+{n} years') "
            f"ELSE date(date_left, '+{n} years') END)")


_LEAVERS_SQL = f"""
WITH l AS (
    SELECT p.id, p.sort_name, p.legal_surname, p.legal_forename, p.preferred_forename, p.upn, p.date_left,
           p.intake_year, p.destination_consent,
           (SELECT d.id FROM destinations d WHERE d.pupil_id = p.id AND d.kind = 'actual'
             ORDER BY d.recorded_on DESC, d.id DESC LIMIT 1) AS dest_id
    FROM pupils p
    WHERE p.date_left BETWEEN :first AND :last AND p.intake_year <= :max_intake
), c AS (
    SELECT l.*, d.code, n.label, n.category, d.provider, d.course_or_role, d.start_date, d.recorded_on,
           CASE WHEN {_due_sql(3)} <= :soon THEN {_due_sql(3)}
                WHEN {_due_sql(2)} <= :soon THEN {_due_sql(2)}
                WHEN {_due_sql(1)} <= :soon THEN {_due_sql(1)} END AS check_due,
           (SELECT max(k.checked_on) FROM destination_checks k WHERE k.pupil_id = l.id) AS last_checked
    FROM l LEFT JOIN destinations d ON d.id = l.dest_id LEFT JOIN nccis_codes n ON n.code = d.code
), leavers AS (
    SELECT c.*,
           (check_due IS NOT NULL AND EXISTS (SELECT 1 FROM destination_checks k WHERE k.pupil_id = c.id
                AND k.due_on = c.check_due AND k.checked_on IS NOT NULL)) AS check_done
    FROM c
)
"""

_VIEW_WHERE = {
    "all": "1",
    "unknown": "(code IS NULL OR category = 'not_known')",
    "neet": "category = 'neet'",
    "checks_due": "(destination_consent = 1 AND check_due IS NOT NULL AND NOT check_done)",
}


@dataclass(frozen=True)
class LeaverRow:
    pupil_id: int
    upn: str
    surname: str
    forename: str
    preferred: str | None
    sort_name: str
    date_left: str
    year_left_in: int
    consent: bool
    code: str | None
    label: str | None
    category: str | None
    provider: str | None
    course_or_role: str | None
    start_date: str | None
    recorded_on: str | None
    last_checked: str | None
    check_due: str | None          # the check that can be due now (its date), or None
    check_done: bool

    @property
    def name(self) -> str:
        return names.display_name(self.surname, self.forename, self.preferred)

    @property
    def key(self) -> tuple[str, int]:
        return (self.sort_name, self.pupil_id)

    @property
    def bucket(self) -> str:
        return send.bucket(self.category)

    def check_words(self, today: date) -> str:
        """'✓ 1y done · next 18/07/2027', '⚠ 2y overdue (18/07/2026)', '⚠ 1y due 10/12/2026',
        'first 17/07/2027', '✗ no consent'."""
        left = dates.from_iso(self.date_left)
        if not self.consent:
            return "✗ no consent"
        checks = send.check_dates(left)  # type: ignore[arg-type]
        if self.check_due is not None:
            n = [d.isoformat() for d in checks].index(self.check_due) + 1
            if self.check_done:
                nxt = next((d for d in checks if d.isoformat() > self.check_due), None)
                return f"✓ {n}y done" + (f" · next {dates.uk(nxt)}" if nxt else " · all three")
            due = send.review_due(dates.from_iso(self.check_due), today)  # type: ignore[arg-type]
            if due and due.state == "overdue":
                return f"⚠ {n}y overdue ({dates.uk(due.on)})"
            return f"⚠ {n}y due {dates.uk(dates.from_iso(self.check_due))}"
        return f"first {dates.uk(checks[0])}"


def _leaver(r: sqlite3.Row) -> LeaverRow:
    return LeaverRow(
        pupil_id=r["id"], upn=r["upn"], surname=r["legal_surname"], forename=r["legal_forename"],
        preferred=r["preferred_forename"], sort_name=r["sort_name"], date_left=r["date_left"],
        year_left_in=schoolyear.year_group_in(r["intake_year"], schoolyear.school_year_of(dates.from_iso(r["date_left"]))),  # type: ignore[arg-type]
        consent=bool(r["destination_consent"]), code=r["code"], label=r["label"], category=r["category"],
        provider=r["provider"], course_or_role=r["course_or_role"], start_date=r["start_date"],
        recorded_on=r["recorded_on"], last_checked=r["last_checked"], check_due=r["check_due"],
        check_done=bool(r["check_done"]))


def _cohort_params(cohort: int, today: date) -> dict[str, Any]:
    first, last = send.cohort_bounds(cohort)
    return {"first": first.isoformat(), "last": last.isoformat(), "max_intake": send.cohort_max_intake(cohort),
            "soon": send.soon_bound(today).isoformat()}


def leavers_page(conn: sqlite3.Connection, cohort: int, *, today: date, view: str = "all",
                 after: tuple[str, int] | None = None, limit: int = 200) -> list[LeaverRow]:
    """One page of a cohort's leavers in name order (keyset on sort_name, id)."""
    if view not in _VIEW_WHERE:
        raise ValueError(f"unknown view {view!r}")
    params = _cohort_params(cohort, today)
    where = _VIEW_WHERE[view]
    if after is not None:
        where += " AND (sort_name, id) > (:k0, :k1)"
        params.update(k0=after[0], k1=after[1])
    params["limit"] = limit
    rows = conn.execute(f"{_LEAVERS_SQL} SELECT * FROM leavers WHERE {where} ORDER BY sort_name, id LIMIT :limit",
                        params).fetchall()
    return [_leaver(r) for r in rows]


def leavers_count(conn: sqlite3.Connection, cohort: int, *, today: date, view: str = "all") -> int:
    return conn.execute(f"{_LEAVERS_SQL} SELECT count(*) FROM leavers WHERE {_VIEW_WHERE[view]}",
                        _cohort_params(cohort, today)).fetchone()[0]


def all_leavers(conn: sqlite3.Connection, cohort: int, *, today: date, view: str = "all",
                page: int = 500) -> Iterator[LeaverRow]:
    after = None
    while True:
        rows = leavers_page(conn, cohort, today=today, view=view, after=after, limit=page)
        yield from rows
        if len(rows) < page:
            return
        after = rows[-1].key


@dataclass(frozen=True)
class CohortSummary:
    cohort: int
    total: int
    counts: dict[str, int]             # bucket -> count, every bucket of domain.send.BUCKETS
    no_consent: int
    checks_due: int

    def percent(self, bucket: str) -> str:
        return send.percent(self.counts.get(bucket, 0), self.total)


def cohort_summary(conn: sqlite3.Connection, cohort: int, *, today: date) -> CohortSummary:
    params = _cohort_params(cohort, today)
    counts = {b: 0 for b, _ in send.BUCKETS}
    total = 0
    for r in conn.execute(f"{_LEAVERS_SQL} SELECT category, count(*) AS n FROM leavers GROUP BY category", params):
        counts[send.bucket(r["category"])] += r["n"]
        total += r["n"]
    extra = conn.execute(
        f"{_LEAVERS_SQL} SELECT coalesce(sum(destination_consent = 0), 0), "
        f"coalesce(sum({_VIEW_WHERE['checks_due']}), 0) FROM leavers", params).fetchone()
    return CohortSummary(cohort, total, counts, extra[0], extra[1])


def cohorts(conn: sqlite3.Connection) -> list[int]:
    """Leaving cohorts that have leavers (left in Year 11 or later), newest first."""
    rows = conn.execute(
        "SELECT DISTINCT cast(substr(date_left, 1, 4) AS integer) + (substr(date_left, 6, 2) >= '09') AS cohort "
        "FROM pupils WHERE date_left IS NOT NULL "
        "AND intake_year <= cast(substr(date_left, 1, 4) AS integer) + (substr(date_left, 6, 2) >= '09') - 5 "
        "ORDER BY cohort DESC").fetchall()
    return [r[0] for r in rows]


def default_cohort(conn: sqlite3.Connection, today: date) -> int:
    """The latest cohort that has already left (the one whose destinations are being checked),
    else this school year's."""
    current = send.cohort_of(today)
    known = cohorts(conn)
    past = [c for c in known if c < current or (c == current and today >= send.cohort_bounds(c)[1])]
    return past[0] if past else (known[0] if known else current - 1)
