"""Who an agreed action belongs to (the ``actions.owner`` column), once: the keys, what people
type for them, and the words for each wherever a person reads them. Pure: no I/O.
"""

from __future__ import annotations

OWNERS = ("pupil", "adviser", "school", "parent")

# Inside a sentence: "Action passed to the parent/carer", and in lists and CSV columns.
OWNER_WORDS = {"pupil": "pupil", "adviser": "adviser", "school": "school", "parent": "parent/carer"}

# A choice in a form or filter: (label, key), in the order offered.
OWNER_CHOICES = (("Pupil", "pupil"), ("Adviser", "adviser"), ("School", "school"), ("Parent/carer", "parent"))

# Other words accepted for an owner when one is typed.
OWNER_ALIASES = {"parent/carer": "parent", "carer": "parent", "parent or carer": "parent",
                 "student": "pupil", "me": "adviser"}

# On the pupil's own copy, written to the pupil: "Who: you (the pupil)".
OWNER_WORDS_TO_PUPIL = {"pupil": "you (the pupil)", "adviser": "the careers adviser", "school": "the school",
                        "parent": "your parent or carer"}
