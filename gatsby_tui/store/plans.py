"""Individual plans for pupils with SEND: versions, targets, reviews, and "Reviews due".

Never imports Textual. Every write is one transaction holding the change and its audit
entries. The rules (due windows, the 12-month annual review, the 31 March deadline, what
counts as PfA outcomes) live in gatsby_tui/domain/send.py; this module applies them.

Decisions:

* One plan per pupil (plans.pupil_id is UNIQUE); any pupil may have one.
* Versions. Creating a plan makes version 1. The latest version is the working copy: its
  text and its targets may be edited (each edit audited with the values before and after).
  Holding a review closes it: the review makes version n+1 from the text agreed at the review
  (the current text unless changed) and a copy of every target, and records which version it
  made. Earlier versions are never changed again (edits to them are refused), so each stays
  readable and can be compared with the current one (domain.send.compare_versions).
* Reviews are recorded once held: the date may not be in the future, nor before the previous
  review. An EHCP annual review sets the next annual review date, at most 12 months on
  (default exactly 12 months); a review may also record that the transition plan (the
  post-16 amendment) was agreed, which sets plans.transition_plan_on.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Mapping

from gatsby_tui.domain import dates, names, schoolyear, send
from gatsby_tui.store import audit, edits
from gatsby_tui.store.db import StoreError, transaction
from gatsby_tui.store.records import parse_day

MAX_TEXT = 20_000
MAX_SHORT = 1_000
TEXT_FIELDS = tuple(k for k, _ in send.PLAN_TEXT_FIELDS)
DATE_FIELDS = (("next_review_on", "next review date"), ("ehcp_annual_review_on", "EHCP annual review date"),
               ("transition_plan_on", "date the transition plan was agreed"))


class PlanInvalid(StoreError):
    """Values that cannot be saved, one message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


# ---------------------------------------------------------------- cleaning what was typed


def _long(value: Any, what: str, limit: int = MAX_TEXT) -> str | None:
    text = names.clean_text(None if value is None else str(value), multiline=True)
    if text is not None and len(text) > limit:
        raise StoreError(f"The {what} is {len(text):,} characters long; the most it holds is {limit:,}: shorten it.")
    return text


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "y", "yes", "true", "x", "on")


def _pupil(conn: sqlite3.Connection, pupil_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM pupils WHERE id = ?", (pupil_id,)).fetchone()
    if row is None:
        raise StoreError("That pupil is no longer on the register.")
    return row


def _who(row: Mapping[str, Any]) -> str:
    return names.full_name(row["legal_surname"], row["legal_forename"], row["preferred_forename"])


def _plan(conn: sqlite3.Connection, plan_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM plans WHERE id = ?", (plan_id,)).fetchone()
    if row is None:
        raise StoreError("That plan no longer exists.")
    return row


def _current_version(conn: sqlite3.Connection, plan_id: int) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM plan_versions WHERE plan_id = ? ORDER BY version DESC LIMIT 1",
                       (plan_id,)).fetchone()
    if row is None:  # a plan is always made with version 1
        raise StoreError("This plan has no version: it is damaged; restore the database from a backup.")
    return row


def _text_values(values: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, label in send.PLAN_TEXT_FIELDS:
        if key in values:
            try:
                out[key] = _long(values[key], label.lower())
            except StoreError as e:
                errors[key] = str(e)
    return out


def _date_values(values: Mapping[str, Any], errors: dict[str, str], today: date | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, what in DATE_FIELDS:
        if key in values:
            try:
                out[key] = parse_day(values[key], what)
            except StoreError as e:
                errors[key] = str(e)
    if out.get("transition_plan_on") and today is not None:
        try:
            send.check_transition_agreed(dates.from_iso(out["transition_plan_on"]), today)
        except send.RuleError as e:
            errors["transition_plan_on"] = str(e)
    return out


def _check_annual_date(conn: sqlite3.Connection, plan_id: int | None, annual: str | None,
                       errors: dict[str, str]) -> None:
    """A next annual review date must be within 12 months of the last annual review held."""
    if not annual or plan_id is None or "ehcp_annual_review_on" in errors:
        return
    last = conn.execute("SELECT max(reviewed_on) FROM plan_reviews WHERE plan_id = ? AND is_ehcp_annual = 1",
                        (plan_id,)).fetchone()[0]
    if last:
        latest = send.latest_next_annual(dates.from_iso(last))
        if dates.from_iso(annual) > latest:
            errors["ehcp_annual_review_on"] = (
                f"The last annual review was on {dates.uk(dates.from_iso(last))}; an EHCP is reviewed at least "
                f"every 12 months, so the next must be by {dates.uk(latest)}.")


# ---------------------------------------------------------------- writing


def create_plan(conn: sqlite3.Connection, pupil_id: int, values: Mapping[str, Any], *, stamp: str,
                adviser_id: int | None, today: date | None = None) -> int:
    """A new plan with version 1 (aspirations, strengths, needs, support) and its dates."""
    errors: dict[str, str] = {}
    text = _text_values(values, errors)
    when = _date_values(values, errors, today)
    if errors:
        raise PlanInvalid(errors)
    with transaction(conn):
        pupil = _pupil(conn, pupil_id)
        if conn.execute("SELECT 1 FROM plans WHERE pupil_id = ?", (pupil_id,)).fetchone():
            raise StoreError(f"{_who(pupil)} already has a plan: open it to change it.")
        row = {"pupil_id": pupil_id, **{k: when.get(k) for k, _ in DATE_FIELDS},
               "created_at": stamp, "updated_at": stamp}
        plan_id = conn.execute(
            f"INSERT INTO plans ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})", row).lastrowid
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="plans", row_id=plan_id,
                    pupil_id=pupil_id, after=row)
        version = {"plan_id": plan_id, "version": 1, **{k: text.get(k) for k in TEXT_FIELDS},
                   "created_at": stamp, "adviser_id": adviser_id}
        version_id = conn.execute(
            f"INSERT INTO plan_versions ({', '.join(version)}) VALUES ({', '.join(':' + k for k in version)})",
            version).lastrowid
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="plan_versions",
                    row_id=version_id, pupil_id=pupil_id, after=version)
        return plan_id


def _plan_words() -> dict[str, str]:
    words = {key: f"the {label.lower()}" for key, label in send.PLAN_TEXT_FIELDS}
    words.update({"next_review_on": "the next review date", "ehcp_annual_review_on": "the EHCP annual review date",
                  "transition_plan_on": "the transition plan date", "area": "the area", "outcome": "the outcome",
                  "what": "the target", "by_when": "the date it is due by", "who_helps": "who helps",
                  "status": "the status", "evidence": "the evidence"})
    return words


def update_plan(conn: sqlite3.Connection, plan_id: int, values: Mapping[str, Any], *, stamp: str,
                adviser_id: int | None, original: Mapping[str, Any] | None = None,
                today: date | None = None) -> list[str]:
    """Change the current version's text and the plan's dates in place; returns what changed
    (field names). Earlier versions are not touched. ``original``: the plan as the form read it
    (``get_plan``) when it opened; then only what was changed at the form is written, and a field
    someone else changed meanwhile is refused (store/edits.py). With ``today``, a transition plan
    agreed in the future is refused."""
    errors: dict[str, str] = {}
    text = _text_values(values, errors)
    when = _date_values(values, errors, today)
    _check_annual_date(conn, plan_id, when.get("ehcp_annual_review_on"), errors)
    if errors:
        raise PlanInvalid(errors)
    changed: list[str] = []
    with transaction(conn):
        plan = _plan(conn, plan_id)
        current = _current_version(conn, plan_id)
        if original is not None:
            return _update_plan_changed(conn, plan, current, original, text, when, stamp=stamp, adviser_id=adviser_id)
        before_v = {k: current[k] for k in text}
        if text and before_v != text:
            conn.execute(f"UPDATE plan_versions SET {', '.join(f'{k} = :{k}' for k in text)} WHERE id = :id",
                         {**text, "id": current["id"]})
            audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="plan_versions",
                        row_id=current["id"], pupil_id=plan["pupil_id"], before=before_v, after=text)
            changed += [k for k in text if text[k] != before_v[k]]
        before_p = {k: plan[k] for k in when}
        if when and before_p != when:
            conn.execute(f"UPDATE plans SET {', '.join(f'{k} = :{k}' for k in when)}, updated_at = :stamp "
                         "WHERE id = :id", {**when, "stamp": stamp, "id": plan_id})
            audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="plans", row_id=plan_id,
                        pupil_id=plan["pupil_id"], before=before_p, after=when)
            changed += [k for k in when if when[k] != before_p[k]]
        elif changed:
            conn.execute("UPDATE plans SET updated_at = ? WHERE id = ?", (stamp, plan_id))
    return changed


def _target_shown(column: str, value: Any) -> str:
    if column == "status":
        value = dict(send.TARGET_STATUSES).get(value, value)
    elif column == "area":
        value = dict(send.AREAS).get(value, value)
    return edits.shown(value)


def _update_plan_changed(conn: sqlite3.Connection, plan: sqlite3.Row, current: sqlite3.Row,
                         original: Mapping[str, Any], text: dict[str, Any], when: dict[str, Any], *,
                         stamp: str, adviser_id: int | None) -> list[str]:
    shown = original.get("shown") or {}
    if shown.get("id") != current["id"]:
        raise StoreError("Not saved: a review has made a new version of this plan since you opened this form. "
                         "Close the form and open it again.")
    words = _plan_words()
    old_v, new_v = edits.update_changed(conn, "plan_versions", current["id"], {k: shown.get(k) for k in text}, text,
                                        what="this plan", missing="That plan no longer exists.", labels=words)
    old_p, new_p = edits.update_changed(conn, "plans", plan["id"], {k: original.get(k) for k in when}, when,
                                        what="this plan", missing="That plan no longer exists.", labels=words,
                                        extra={"updated_at": stamp})
    if new_v:
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="plan_versions",
                    row_id=current["id"], pupil_id=plan["pupil_id"], before=old_v, after=new_v)
        if not new_p:
            conn.execute("UPDATE plans SET updated_at = ? WHERE id = ?", (stamp, plan["id"]))
    if new_p:
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="plans", row_id=plan["id"],
                    pupil_id=plan["pupil_id"], before=old_p, after=new_p)
    return [*new_v, *new_p]


def _target_values(values: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if "area" in values or not partial:
        try:
            out["area"] = send.parse_area(values.get("area"))
        except send.RuleError as e:
            errors["area"] = str(e)
    if "what" in values or not partial:
        try:
            what = _long(values.get("what"), "target", MAX_SHORT)
        except StoreError as e:
            errors["what"] = str(e)
        else:
            if not what:
                errors["what"] = "Say what the target is: what the pupil will do or achieve."
            out["what"] = what
    for key, what, limit in (("outcome", "outcome", MAX_SHORT), ("who_helps", "who helps", 200),
                             ("evidence", "evidence", MAX_TEXT)):
        if key in values:
            try:
                out[key] = _long(values[key], what, limit)
            except StoreError as e:
                errors[key] = str(e)
    if "by_when" in values:
        try:
            out["by_when"] = parse_day(values["by_when"], "date the target is due")
        except StoreError as e:
            errors["by_when"] = str(e)
    if "status" in values or not partial:
        try:
            out["status"] = send.parse_status(values.get("status"))
        except send.RuleError as e:
            errors["status"] = str(e)
    if errors:
        raise PlanInvalid(errors)
    return out


def add_target(conn: sqlite3.Connection, plan_id: int, values: Mapping[str, Any], *, stamp: str,
               adviser_id: int | None) -> int:
    """A target in one of the four PfA areas, on the current version."""
    row = _target_values(values, partial=False)
    with transaction(conn):
        plan = _plan(conn, plan_id)
        current = _current_version(conn, plan_id)
        row = {"plan_version_id": current["id"], "area": row["area"], "outcome": row.get("outcome"),
               "what": row["what"], "by_when": row.get("by_when"), "who_helps": row.get("who_helps"),
               "status": row["status"], "evidence": row.get("evidence")}
        target_id = conn.execute(
            f"INSERT INTO plan_targets ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})", row).lastrowid
        conn.execute("UPDATE plans SET updated_at = ? WHERE id = ?", (stamp, plan_id))
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="plan_targets", row_id=target_id,
                    pupil_id=plan["pupil_id"], after=row)
        return target_id


def update_target(conn: sqlite3.Connection, target_id: int, values: Mapping[str, Any], *, stamp: str,
                  adviser_id: int | None, original: Mapping[str, Any] | None = None) -> list[str]:
    """Change a target of the current version (status, evidence, ...); returns what changed.
    ``original``: the target as the form read it when it opened; then only what was changed at
    the form is written, and a field someone else changed meanwhile is refused."""
    new = _target_values(values, partial=True)
    with transaction(conn):
        target = conn.execute(
            "SELECT t.*, v.plan_id, v.version, p.pupil_id FROM plan_targets t "
            "JOIN plan_versions v ON v.id = t.plan_version_id JOIN plans p ON p.id = v.plan_id "
            "WHERE t.id = ?", (target_id,)).fetchone()
        if target is None:
            raise StoreError("That target no longer exists.")
        current = _current_version(conn, target["plan_id"])
        if current["id"] != target["plan_version_id"]:
            raise StoreError(f"This target belongs to version {target['version']}, which a review has closed: "
                             f"change it in the current version ({current['version']}).")
        if original is not None:
            before, after = edits.update_changed(conn, "plan_targets", target_id, original, new,
                                                 what="this target", missing="That target no longer exists.",
                                                 labels=_plan_words(), show=_target_shown)
            if not after:
                return []
            conn.execute("UPDATE plans SET updated_at = ? WHERE id = ?", (stamp, target["plan_id"]))
            audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="plan_targets",
                        row_id=target_id, pupil_id=target["pupil_id"], before=before, after=after)
            return list(after)
        before = {k: target[k] for k in new}
        if before == new:
            return []
        conn.execute(f"UPDATE plan_targets SET {', '.join(f'{k} = :{k}' for k in new)} WHERE id = :id",
                     {**new, "id": target_id})
        conn.execute("UPDATE plans SET updated_at = ? WHERE id = ?", (stamp, target["plan_id"]))
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="plan_targets", row_id=target_id,
                    pupil_id=target["pupil_id"], before=before, after=new)
        return [k for k in new if new[k] != before[k]]


def hold_review(conn: sqlite3.Connection, plan_id: int, values: Mapping[str, Any], *, stamp: str, today: date,
                adviser_id: int | None) -> tuple[int, int]:
    """Record a review held and make the plan's next version. ``values``: reviewed_on (default
    today), participants (role keys: pupil, parent, senco, adviser), others (text), what_changed,
    next_review_on, is_ehcp_annual, next_annual_review_on (annual only; default 12 months on),
    transition_plan (true: the transition plan for post-16 was agreed at this review), ceased
    (true: the plan ends at this review; otherwise a next review date is required) and any of
    the plan's text fields as agreed at the review. Returns (review id, new version id)."""
    errors: dict[str, str] = {}
    try:
        reviewed = parse_day(values.get("reviewed_on"), "review date") or today.isoformat()
    except StoreError as e:
        errors["reviewed_on"] = str(e)
        reviewed = today.isoformat()
    if reviewed > today.isoformat():
        errors["reviewed_on"] = "A review is recorded once it has been held: the date is in the future."
    try:
        participants = send.parse_participants(values.get("participants") or (), values.get("others"))
    except send.RuleError as e:
        errors["participants"] = str(e)
        participants = []
    try:
        what_changed = _long(values.get("what_changed"), "note of what changed")
    except StoreError as e:
        errors["what_changed"] = str(e)
        what_changed = None
    try:
        next_review = parse_day(values.get("next_review_on"), "next review date")
    except StoreError as e:
        errors["next_review_on"] = str(e)
        next_review = None
    if next_review and next_review <= reviewed:
        errors["next_review_on"] = "The next review must come after this one: give a later date."
    ceased = _bool(values.get("ceased"))
    if ceased and next_review:
        errors["next_review_on"] = "The plan ends at this review, so it has no next review: clear the date."
    elif not ceased and not next_review and "next_review_on" not in errors:
        errors["next_review_on"] = ("Give the next review date (day/month/year), or tick that the plan ends at "
                                    "this review.")
    annual = _bool(values.get("is_ehcp_annual"))
    next_annual = None
    if annual:
        try:
            next_annual = parse_day(values.get("next_annual_review_on"), "next annual review date")
        except StoreError as e:
            errors["next_annual_review_on"] = str(e)
        if "reviewed_on" not in errors and "next_annual_review_on" not in errors:
            held = dates.from_iso(reviewed)
            if next_annual is None:
                next_annual = send.latest_next_annual(held).isoformat()
            try:
                send.check_next_annual(held, dates.from_iso(next_annual))
            except send.RuleError as e:
                errors["next_annual_review_on"] = str(e)
    transition = _bool(values.get("transition_plan"))
    text = _text_values(values, errors)
    if errors:
        raise PlanInvalid(errors)
    with transaction(conn):
        plan = _plan(conn, plan_id)
        pupil = _pupil(conn, plan["pupil_id"])
        if annual and pupil["sen_status"] != "E":
            raise PlanInvalid({"is_ehcp_annual": f"{_who(pupil)} has no EHCP on the register, so this cannot be "
                                                 "an EHCP annual review: untick it, or change their SEN status first."})
        last = conn.execute("SELECT max(reviewed_on) FROM plan_reviews WHERE plan_id = ?", (plan_id,)).fetchone()[0]
        if last and reviewed < last:
            raise PlanInvalid({"reviewed_on": f"The last review was on {dates.uk(dates.from_iso(last))}: a new "
                                              "review cannot be dated before it."})
        current = _current_version(conn, plan_id)
        version = {"plan_id": plan_id, "version": current["version"] + 1,
                   **{k: (text[k] if k in text else current[k]) for k in TEXT_FIELDS},
                   "created_at": stamp, "adviser_id": adviser_id}
        version_id = conn.execute(
            f"INSERT INTO plan_versions ({', '.join(version)}) VALUES ({', '.join(':' + k for k in version)})",
            version).lastrowid
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="plan_versions",
                    row_id=version_id, pupil_id=plan["pupil_id"], after=version)
        copied = conn.execute(
            "INSERT INTO plan_targets (plan_version_id, area, outcome, what, by_when, who_helps, status, evidence) "
            "SELECT ?, area, outcome, what, by_when, who_helps, status, evidence FROM plan_targets "
            "WHERE plan_version_id = ? ORDER BY id", (version_id, current["id"])).rowcount
        review = {"plan_id": plan_id, "reviewed_on": reviewed,
                  "participants": json.dumps(participants, ensure_ascii=False), "what_changed": what_changed,
                  "next_review_on": next_review, "is_ehcp_annual": int(annual), "version_id": version_id,
                  "adviser_id": adviser_id}
        review_id = conn.execute(
            f"INSERT INTO plan_reviews ({', '.join(review)}) VALUES ({', '.join(':' + k for k in review)})",
            review).lastrowid
        audit.write(conn, at=stamp, adviser_id=adviser_id, action="insert", table="plan_reviews", row_id=review_id,
                    pupil_id=plan["pupil_id"], after={**review, "targets_carried_over": copied})
        new_dates = {"next_review_on": next_review}
        if ceased:
            new_dates["ceased_on"] = reviewed
        if annual:
            new_dates["ehcp_annual_review_on"] = next_annual
        if transition:
            new_dates["transition_plan_on"] = reviewed
        before = {k: plan[k] for k in new_dates}
        conn.execute(f"UPDATE plans SET {', '.join(f'{k} = :{k}' for k in new_dates)}, updated_at = :stamp "
                     "WHERE id = :id", {**new_dates, "stamp": stamp, "id": plan_id})
        if before != new_dates:
            audit.write(conn, at=stamp, adviser_id=adviser_id, action="update", table="plans", row_id=plan_id,
                        pupil_id=plan["pupil_id"], before=before, after=new_dates)
        return review_id, version_id


# ---------------------------------------------------------------- reading


def plan_id_for(conn: sqlite3.Connection, pupil_id: int) -> int | None:
    row = conn.execute("SELECT id FROM plans WHERE pupil_id = ?", (pupil_id,)).fetchone()
    return None if row is None else row["id"]


def _targets(conn: sqlite3.Connection, version_id: int) -> list[dict[str, Any]]:
    """The version's targets, area by area in the Code of Practice's order, then as added."""
    order = " ".join(f"WHEN '{a}' THEN {i}" for i, (a, _) in enumerate(send.AREAS))
    rows = conn.execute(f"SELECT * FROM plan_targets WHERE plan_version_id = ? ORDER BY CASE area {order} END, id",
                        (version_id,)).fetchall()
    return [dict(r) for r in rows]


def version(conn: sqlite3.Connection, plan_id: int, number: int | None = None) -> dict[str, Any]:
    """One version (the current one when ``number`` is None): its columns, 'targets', 'is_current',
    and the review that made it ('review', or None for version 1)."""
    current = _current_version(conn, plan_id)
    if number is None or number == current["version"]:
        row = current
    else:
        row = conn.execute("SELECT * FROM plan_versions WHERE plan_id = ? AND version = ?",
                           (plan_id, number)).fetchone()
        if row is None:
            raise StoreError(f"This plan has no version {number}: it has versions 1 to {current['version']}.")
    out = dict(row)
    out["targets"] = _targets(conn, row["id"])
    out["is_current"] = row["id"] == current["id"]
    review = conn.execute("SELECT * FROM plan_reviews WHERE version_id = ?", (row["id"],)).fetchone()
    out["review"] = None if review is None else _review(review)
    return out


def _review(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    try:
        out["participants"] = json.loads(row["participants"])
    except (TypeError, ValueError):
        out["participants"] = [row["participants"]]
    return out


def get_plan(conn: sqlite3.Connection, pupil_id: int, number: int | None = None, *, today: date) -> dict[str, Any] | None:
    """The pupil's plan, or None: the plans columns plus 'pupil' (name, year_group, sen_status,
    intake_year), 'versions' (number, created_at, adviser_name, reviewed_on), 'current_version',
    'shown' (the version asked for, as from ``version``), 'reviews' (newest first), 'due'
    (list of sentences: what is due or overdue) and 'transition_deadline' (Year 11 EHCP only)."""
    plan = conn.execute("SELECT * FROM plans WHERE pupil_id = ?", (pupil_id,)).fetchone()
    if plan is None:
        return None
    pupil = _pupil(conn, pupil_id)
    out = dict(plan)
    sy = schoolyear.school_year_of(today)
    out["pupil"] = {"id": pupil_id, "name": _who(pupil), "year_group": schoolyear.year_group_in(pupil["intake_year"], sy),
                    "sen_status": pupil["sen_status"], "intake_year": pupil["intake_year"],
                    "date_left": pupil["date_left"]}
    out["versions"] = [dict(r) for r in conn.execute(
        "SELECT v.version, v.id, v.created_at, a.name AS adviser_name, r.reviewed_on, r.is_ehcp_annual "
        "FROM plan_versions v LEFT JOIN advisers a ON a.id = v.adviser_id "
        "LEFT JOIN plan_reviews r ON r.version_id = v.id WHERE v.plan_id = ? ORDER BY v.version", (plan["id"],))]
    out["current_version"] = out["versions"][-1]["version"]
    out["shown"] = version(conn, plan["id"], number)
    out["current"] = out["shown"] if out["shown"]["is_current"] else version(conn, plan["id"])
    out["active_targets"] = conn.execute(
        "SELECT count(*) FROM plan_targets WHERE plan_version_id = ? AND status != 'dropped'",
        (out["versions"][-1]["id"],)).fetchone()[0]
    out["reviews"] = [dict(_review(r), version=r["version"], adviser_name=r["adviser_name"]) for r in conn.execute(
        "SELECT r.*, v.version, a.name AS adviser_name FROM plan_reviews r "
        "LEFT JOIN plan_versions v ON v.id = r.version_id LEFT JOIN advisers a ON a.id = r.adviser_id "
        "WHERE r.plan_id = ? ORDER BY r.reviewed_on DESC, r.id DESC", (plan["id"],))]
    out["due"] = due_sentences(out, today=today)
    out["transition_deadline"] = (send.transition_deadline(pupil["intake_year"])
                                  if pupil["sen_status"] == "E" and out["pupil"]["year_group"] == 11 else None)
    return out


def due_sentences(plan: Mapping[str, Any], *, today: date) -> list[str]:
    """What is due about a plan, in words (the same rules as Reviews due)."""
    out = []
    pupil = plan["pupil"]
    due = send.review_due(dates.from_iso(plan["next_review_on"]), today)
    if due:
        out.append("⚠ " + due.words("Review"))
    if pupil["sen_status"] == "E":
        annual = send.review_due(dates.from_iso(plan["ehcp_annual_review_on"]), today)
        if annual:
            out.append("⚠ " + annual.words("EHCP annual review"))
        if not plan["ehcp_annual_review_on"]:
            out.append("⚠ No EHCP annual review date recorded")
        if pupil["year_group"] >= 9:
            if plan["active_targets"] == 0:
                out.append("⚠ No Preparing-for-Adulthood outcomes (Year 9 and above)")
        state = send.transition_state(today, pupil["intake_year"], "E", dates.from_iso(plan["transition_plan_on"]))
        if state:
            words = send.transition_due_words(pupil["intake_year"], today)
            out.append("⚠ " + words[0].upper() + words[1:])
    current = plan.get("current") or plan.get("shown") or {}
    targets = current.get("targets") or []
    late = send.late_targets(targets, today)
    if late:
        out.append(f"⚠ {len(late)} target{'s are' if len(late) != 1 else ' is'} still in progress more than "
                   f"{send.TARGET_LATE_DAYS} days after {'their' if len(late) != 1 else 'its'} date: "
                   + "; ".join(str(t["what"]) for t in late[:3]) + ("…" if len(late) > 3 else ""))
    if send.needs_employment_target(pupil["year_group"], pupil["sen_status"], current.get("aspirations"), targets):
        out.append("⚠ Hopes to work, but the plan has no Employment target (Year 11, EHCP)")
    return out


def compare(conn: sqlite3.Connection, plan_id: int, old: int, new: int | None = None) -> list[send.Change]:
    return send.compare_versions(version(conn, plan_id, old), version(conn, plan_id, new))


# ---------------------------------------------------------------- reviews due (paged from SQL)


@dataclass(frozen=True)
class DueRow:
    pupil_id: int
    plan_id: int | None
    surname: str
    forename: str
    preferred: str | None
    year_group: int
    form: str | None
    sen_status: str
    key: tuple[str, str, int]           # (date, sort_name, id): the keyset for the next page
    reasons: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return names.display_name(self.surname, self.forename, self.preferred)


_DUE_SQL = """
WITH base AS (
    SELECT p.id, p.sort_name, p.legal_surname, p.legal_forename, p.preferred_forename, p.form,
           p.intake_year, p.sen_status, pl.id AS plan_id, pl.next_review_on, pl.ehcp_annual_review_on,
           pl.transition_plan_on,
           CASE WHEN pl.id IS NULL THEN NULL ELSE (
               SELECT count(*) FROM plan_targets t
               WHERE t.plan_version_id = (SELECT v.id FROM plan_versions v WHERE v.plan_id = pl.id
                                          ORDER BY v.version DESC LIMIT 1)
                 AND t.status != 'dropped') END AS pfa
    FROM pupils p LEFT JOIN plans pl ON pl.pupil_id = p.id
    WHERE (p.date_left IS NULL OR p.date_left > :today)
      AND (pl.id IS NOT NULL OR p.sen_status = 'E') AND pl.ceased_on IS NULL
), flagged AS (
    SELECT base.*,
           (next_review_on IS NOT NULL AND next_review_on <= :soon) AS f_review,
           (sen_status = 'E' AND ehcp_annual_review_on IS NOT NULL AND ehcp_annual_review_on <= :soon) AS f_annual,
           (sen_status = 'E' AND plan_id IS NOT NULL AND ehcp_annual_review_on IS NULL) AS f_no_annual,
           (sen_status = 'E' AND plan_id IS NULL) AS f_no_plan,
           (sen_status = 'E' AND plan_id IS NOT NULL AND intake_year <= :y9_intake AND pfa = 0) AS f_no_pfa,
           (sen_status = 'E' AND intake_year = :y11_intake AND transition_plan_on IS NULL
                AND :today >= :transition_from) AS f_transition
    FROM base
), keyed AS (
    -- Most urgent first: statutory deadlines missed (the 31 March transition deadline, an EHCP
    -- annual review overdue), then overdue plan reviews, then everything else by date. The rank
    -- leads the key ("0 2027-03-31") so one keyset pages through all three.
    SELECT flagged.*,
           CASE WHEN (f_transition AND :today > :deadline) OR (f_annual AND ehcp_annual_review_on < :today) THEN '0 '
                WHEN f_review AND next_review_on < :today THEN '1 '
                ELSE '2 ' END ||
           min(CASE WHEN f_review THEN next_review_on ELSE '9999-12-31' END,
               CASE WHEN f_annual THEN ehcp_annual_review_on ELSE '9999-12-31' END,
               CASE WHEN f_no_plan OR f_no_pfa OR f_no_annual THEN :today ELSE '9999-12-31' END,
               CASE WHEN f_transition THEN :deadline ELSE '9999-12-31' END) AS due_key
    FROM flagged
    WHERE f_review OR f_annual OR f_no_annual OR f_no_plan OR f_no_pfa OR f_transition
)
"""


def _due_params(today: date) -> dict[str, Any]:
    sy = schoolyear.school_year_of(today)
    y11 = schoolyear.intake_year_for(11, sy)
    deadline = send.transition_deadline(y11)
    return {"today": today.isoformat(), "soon": send.soon_bound(today).isoformat(),
            "y9_intake": schoolyear.intake_year_for(9, sy), "y11_intake": y11, "deadline": deadline.isoformat(),
            "transition_from": (deadline - timedelta(days=send.TRANSITION_WARNING_DAYS)).isoformat()}


def _reasons(r: sqlite3.Row, today: date) -> tuple[str, ...]:
    out = []
    if r["f_no_plan"]:
        out.append("EHCP, no plan yet")
    if r["f_review"]:
        out.append(send.review_due(dates.from_iso(r["next_review_on"]), today).words("review"))  # type: ignore[union-attr]
    if r["f_annual"]:
        out.append(send.review_due(dates.from_iso(r["ehcp_annual_review_on"]), today).words(  # type: ignore[union-attr]
            "EHCP annual review"))
    if r["f_no_annual"]:
        out.append("no EHCP annual review date")
    if r["f_no_pfa"]:
        out.append("no Preparing-for-Adulthood outcomes")
    if r["f_transition"]:
        deadline = send.transition_deadline(r["intake_year"])
        out.append("no transition plan, deadline today" if today == deadline else
                   f"no transition plan, deadline {dates.uk(deadline)}" if today < deadline
                   else f"no transition plan, {dates.uk(deadline)} deadline passed")
    return tuple(out)


def reviews_due(conn: sqlite3.Connection, *, today: date, after: tuple[str, str, int] | None = None,
                limit: int = 200) -> list[DueRow]:
    """Pupils on roll needing attention, most urgent first (the earliest date: overdue first),
    keyset-paged on (date, sort_name, id). The rules are those of domain.send."""
    params = _due_params(today)
    where = ""
    if after is not None:
        where = "WHERE (due_key, sort_name, id) > (:k0, :k1, :k2)"
        params.update(k0=after[0], k1=after[1], k2=after[2])
    params["limit"] = limit
    rows = conn.execute(f"{_DUE_SQL} SELECT * FROM keyed {where} ORDER BY due_key, sort_name, id LIMIT :limit",
                        params).fetchall()
    sy = schoolyear.school_year_of(today)
    return [DueRow(pupil_id=r["id"], plan_id=r["plan_id"], surname=r["legal_surname"], forename=r["legal_forename"],
                   preferred=r["preferred_forename"], year_group=schoolyear.year_group_in(r["intake_year"], sy),
                   form=r["form"], sen_status=r["sen_status"], key=(r["due_key"], r["sort_name"], r["id"]),
                   reasons=_reasons(r, today)) for r in rows]


def reviews_due_count(conn: sqlite3.Connection, *, today: date) -> int:
    return conn.execute(f"{_DUE_SQL} SELECT count(*) FROM keyed", _due_params(today)).fetchone()[0]
