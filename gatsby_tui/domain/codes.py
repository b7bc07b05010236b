"""Codes the database holds (a pupil's SEN status and gender, the kind, status and mode of a
meeting, an action's status, a destination's offer) and the words for each, once.

A code is read in several places in different registers: a label on a form, a word inside a
sentence, a title in a calendar, a line written to the pupil. Each table below is one register,
named for where it is read; what people type for a code is here too. Pure: no I/O.

The words for an NCCIS destination code are rows of the ``nccis_codes`` table (schema.sql), read
through ``store.records.destination_label``.
"""

from __future__ import annotations

# ---------------------------------------------------------------- pupils: SEN status, gender, flags

SEN_LABELS = {"N": "None", "K": "SEN support", "E": "EHCP"}
# Inside a sentence: "Year 10 · no SEN".
SEN_WORDS = {"N": "no SEN", "K": "SEN support", "E": "EHCP"}
# A list's column, a dash for none.
SEN_SHORT = {"N": "—", "K": "SEN support", "E": "EHCP"}
# A short mark in a list's column ('' for none), and a cell of a CSV list.
SEN_MARKS = {"E": "EHCP", "K": "SEN", "N": ""}
SEN_CELLS = {"N": "", "K": "SEN support", "E": "EHCP"}
# On the pupil's own record, spelled out.
SEN_IN_FULL = {"N": "No special educational needs recorded", "K": "SEN support",
               "E": "Education, health and care plan (EHCP)"}
# What a person or a school's MIS file may give for each (lower case).
SEN_ALIASES = {
    "": "N", "n": "N", "none": "N", "no": "N", "no sen": "N", "not sen": "N",
    "k": "K", "sen support": "K", "support": "K", "school support": "K", "sen": "K",
    "e": "E", "ehcp": "E", "ehc plan": "E", "education, health and care plan": "E",
    "education health and care plan": "E", "ehc": "E", "s": "E", "statement": "E",
}

GENDER_LABELS = {"F": "Female", "M": "Male", "X": "Another gender"}
GENDER_ALIASES = {
    "f": "F", "female": "F", "girl": "F", "g": "F",
    "m": "M", "male": "M", "boy": "M", "b": "M",
    "x": "X", "other": "X", "non-binary": "X", "nonbinary": "X", "another gender": "X",
    "": None, "unknown": None, "u": None, "not stated": None, "prefer not to say": None,
}

# The yes/no columns of a pupil, with a short mark (register, filters) and a label.
FLAG_FIELDS = ("pupil_premium", "looked_after", "young_carer", "eal")
FLAG_LABELS = {
    "pupil_premium": ("PP", "Pupil premium"),
    "looked_after": ("LAC", "Looked after / care leaver"),
    "young_carer": ("YC", "Young carer"),
    "eal": ("EAL", "English as an additional language"),
}
# A cell of a CSV list.
FLAG_CELLS = {"pupil_premium": "pupil premium", "looked_after": "looked after", "young_carer": "young carer",
              "eal": "EAL"}
# On the pupil's own record, spelled out, in order.
FLAGS_IN_FULL = (("pupil_premium", "Pupil premium"), ("looked_after", "Looked after or care leaver"),
                 ("young_carer", "Young carer"), ("eal", "English as an additional language"))

# ---------------------------------------------------------------- meetings (interviews)

MEETING_KINDS = ("guidance", "follow_up", "group", "ehcp_review")
MODES = ("in_person", "phone", "video")
# A choice in a form: (label, code), in the order offered.
MEETING_KIND_CHOICES = (("Guidance meeting", "guidance"), ("Follow-up", "follow_up"), ("Group session", "group"),
                        ("EHCP review", "ehcp_review"))
MODE_CHOICES = (("In person", "in_person"), ("Phone", "phone"), ("Video", "video"))

# A title: a history line, a calendar event.
MEETING_KIND_TITLES = {"guidance": "Guidance meeting", "follow_up": "Follow-up meeting", "group": "Group session",
                       "ehcp_review": "EHCP review"}
# In a list's column: the agenda, a meeting's details.
MEETING_KIND_SHORT = {"guidance": "Guidance", "follow_up": "Follow-up", "group": "Group", "ehcp_review": "EHCP review"}
# Inside a line about a meeting: "Tue 24/11/2026 09:30 · guidance with Ms Patel".
MEETING_KIND_PLAIN = {"guidance": "guidance", "follow_up": "follow-up", "group": "group session",
                      "ehcp_review": "EHCP review"}
# Inside a sentence on the pupil's own record: "a guidance meeting".
MEETING_KIND_WORDS = {"guidance": "guidance meeting", "follow_up": "follow-up meeting", "group": "group session",
                      "ehcp_review": "EHCP review meeting"}
MEETING_STATUS_WORDS = {"booked": "booked", "held": "held", "cancelled": "cancelled", "did_not_attend": "did not attend"}
# In a list's column, with a mark so the state is not told by colour alone.
MEETING_STATUS_MARKED = {"booked": "booked", "held": "✓ held", "cancelled": "✗ cancelled",
                         "did_not_attend": "✗ did not attend"}

# How a meeting is held, inside a sentence ("held by phone").
MODE_WORDS = {"in_person": "in person", "phone": "by phone", "video": "by video"}
# On the pupil's own record.
MODE_WORDS_IN_FULL = {"in_person": "in person", "phone": "by phone", "video": "by video call"}
# After the kind in a list's column: "Guidance (phone)"; nothing for the usual, in person.
MODE_SUFFIX = {"in_person": "", "phone": " (phone)", "video": " (video)"}
# Standing alone: a calendar event's location.
MODE_TITLES = {"in_person": "In person", "phone": "Phone", "video": "Video call"}

# ---------------------------------------------------------------- actions and destinations

ACTION_STATUSES = ("open", "done", "cancelled")
# In a list's column, with a mark so the state is not told by colour alone: the follow-ups list,
# and a record's actions (where an open action needs no mark beside the due date).
ACTION_STATUS_MARKED = {"open": "○ open", "done": "✓ done", "cancelled": "✗ cancelled"}
ACTION_STATUS_IN_RECORD = {"open": "open", "done": "✓ done", "cancelled": "✗ cancelled"}
# Written to the pupil: "to do".
ACTION_STATUS_TO_PUPIL = {"open": "to do", "done": "done", "cancelled": "cancelled"}

OFFER_WORDS = {"offered": "offered", "accepted": "accepted", "none": "no offer"}
# The state of a leaver's destination check (the schedule after leaving), marked.
CHECK_STATE_MARKED = {"done": "✓ done", "due": "⚠ due", "overdue": "⚠ overdue", "upcoming": "upcoming",
                      "missed": "✗ missed"}
# Written to the pupil.
OFFER_WORDS_TO_PUPIL = {"offered": "offered a place", "accepted": "accepted a place", "none": "no offer yet"}
# What a person may type for each ('' for not known yet).
OFFER_ALIASES = {"": None, "offered": "offered", "offer": "offered", "accepted": "accepted",
                 "none": "none", "no offer": "none", "no": "none"}
