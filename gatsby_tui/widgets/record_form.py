"""The meeting record form's input hints and its values as a person types them, shared by the
record screen (screens/record.py) and the dialog that amends a signed-off record
(screens/record_dialogs.py), neither of which may import the other."""

from __future__ import annotations

from typing import Any, Mapping

from gatsby_tui.domain import dates
from gatsby_tui.domain.record_fields import CONFIDENTIALITY, DATE_FIELDS, FIELDS

PLACEHOLDERS = {
    "reason": "options, post-16 choices, a referral from the SENCO …",
    "situation": "where the pupil is now: subjects, predicted grades, circumstances",
    "aspirations": "what the pupil hopes to do",
    "advice_given": "information and advice given (Ctrl+T inserts a snippet)",
    "decisions": "what the pupil decided, in their words where possible",
    "referrals": "to whom, and why",
    "confidential_notes": "safeguarding pointers, third-party information",
    "intended_destination": "part of its name or its code: 'apprent', 'sixth form', 310",
    "follow_up_date": "day/month/year, e.g. 15/01/2027",
    "copy_given_on": "day/month/year",
    "copy_given_how": "e.g. printed and handed over; emailed to the pupil's school address",
}


def record_values(rec: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values for a record as it stands (amendments applied), as a person types them."""
    effective = rec["effective"]
    out: dict[str, Any] = {}
    for key in FIELDS:
        value = rec[key] if key == CONFIDENTIALITY else effective[key]
        if key == CONFIDENTIALITY:
            out[key] = bool(value)
        elif key in DATE_FIELDS:
            out[key] = dates.uk(dates.from_iso(value))
        else:
            out[key] = value or ""
    return out


def normalised(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values compared as the store would keep them (surrounding spaces do not count)."""
    return {k: (bool(v) if k == CONFIDENTIALITY else str(v or "").strip()) for k, v in values.items()
            if k in FIELDS}
