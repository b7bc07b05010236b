"""The fields of a meeting record (the guidance record an adviser writes after a meeting), once:
their names as the ``meeting_records`` columns hold them, which are text and which are dates, which
may be amended after sign-off and which are needed to sign off, which go on the pupil's copy, and
the words for each wherever a person reads them. Pure: no I/O.
"""

from __future__ import annotations

CONFIDENTIALITY = "confidentiality_explained"   # a tick, not text

# Free text an adviser types (also every column erasure blanks).
TEXT_FIELDS = ("reason", "situation", "aspirations", "advice_given", "decisions", "referrals",
               "copy_given_how", "confidential_notes")
DATE_FIELDS = ("follow_up_date", "copy_given_on")
FIELDS = TEXT_FIELDS + DATE_FIELDS + (CONFIDENTIALITY, "intended_destination")
# What an amendment after sign-off may change (a tick once given stays given).
AMENDABLE = TEXT_FIELDS + DATE_FIELDS + ("intended_destination",)
REQUIRED_FOR_SIGN_OFF = (CONFIDENTIALITY, "advice_given", "decisions")

# The order the fields are laid out in on the record screen: paragraphs (multi-line) and
# one-line fields, and all of them in the order a person reads them.
MULTI_LINE = ("reason", "situation", "aspirations", "advice_given", "decisions", "referrals", "confidential_notes")
ONE_LINE = ("intended_destination", "follow_up_date", "copy_given_on", "copy_given_how")
IN_ORDER = ("reason", CONFIDENTIALITY, "situation", "aspirations", "advice_given", "decisions",
            "intended_destination", "referrals", "follow_up_date", "copy_given_on", "copy_given_how",
            "confidential_notes")

# What of a meeting record goes on the pupil's copy (the action plan given to them), besides the
# actions; the rest stays in the school's record (a subject access request shows it, the
# confidential notes only when deliberately included).
ON_PUPILS_COPY = ("situation", "aspirations", "advice_given", "decisions", "intended_destination", "follow_up_date")

# Inside a sentence: "Fill in the advice given", "Record amended: decisions agreed".
FIELD_WORDS = {
    "reason": "why the meeting happened", CONFIDENTIALITY: "confidentiality explained",
    "situation": "current situation", "aspirations": "aspirations", "advice_given": "advice given",
    "decisions": "decisions agreed", "intended_destination": "intended destination",
    "referrals": "referrals", "follow_up_date": "follow-up date", "copy_given_on": "date the copy was given",
    "copy_given_how": "how the copy was given", "confidential_notes": "confidential notes",
}

# The record screen's labels, one per field.
LABELS = {
    "reason": "Why the meeting happened",
    CONFIDENTIALITY: "Confidentiality and its limits explained to the pupil",
    "situation": "Current situation",
    "aspirations": "Aspirations",
    "advice_given": "Information and advice given",
    "decisions": "Agreed decisions",
    "intended_destination": "Intended destination (NCCIS)",
    "referrals": "Referrals",
    "follow_up_date": "Follow-up date",
    "copy_given_on": "Copy given to the pupil on",
    "copy_given_how": "How the copy was given",
    "confidential_notes": "Confidential notes",
}

# Headings of the paragraphs in a pupil's exported record (the school's full record), in order.
RECORD_HEADINGS = (("reason", "Why we met"), ("situation", "Where things stand"), ("aspirations", "Hopes and ideas"),
                   ("advice_given", "Advice given"), ("decisions", "Decisions agreed"), ("referrals", "Referrals"))

# Headings on the pupil's own copy (the action plan), written to the pupil.
PUPILS_COPY_HEADINGS = (("situation", "What we talked about"), ("aspirations", "Your hopes and ideas"),
                        ("advice_given", "Advice"), ("decisions", "What we decided"))
