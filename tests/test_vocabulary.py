"""Each vocabulary lives once, in gatsby_tui/domain/: a module elsewhere that defines its own table
of the record's fields, the action owners, the requesters or the codes of a meeting or a SEN
status would drift from the others (one screen saying "parent/carer", another "parent").

Read from the source with ``ast``: a module-level name bound to a literal tuple, list, set or dict
whose entries (or keys, or the codes of (label, code) pairs) cover one of the sets below is a
vocabulary table. Tables built inside functions (a demo record's text, a sentence) are not.
"""

from __future__ import annotations

import ast
from pathlib import Path

from gatsby_tui.domain import codes, owners, record_fields, sar

ROOT = Path(__file__).resolve().parent.parent / "gatsby_tui"

VOCABULARIES = {
    "the meeting record's fields": set(record_fields.TEXT_FIELDS[:6]),
    "action owners": set(owners.OWNERS),
    "requesters": {key for key, _ in sar.REQUESTERS},
    "meeting kinds": set(codes.MEETING_KINDS),
    "meeting modes": set(codes.MODES),
    "SEN statuses": set(codes.SEN_LABELS),
    "meeting statuses": set(codes.MEETING_STATUS_WORDS),
}
# Tables that use a vocabulary's keys for something that is not the vocabulary itself.
NOT_VOCABULARIES = {
    ("widgets/record_form.py", "PLACEHOLDERS"),   # the record form's input hints, naming the screen's keys
    ("screens/meeting.py", "ALLOWED"),        # what may be done to a meeting in each status
}


def _entries(node: ast.expr) -> set[str]:
    if isinstance(node, ast.Dict):
        return {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        out = set()
        for e in node.elts:
            if isinstance(e, ast.Constant) and isinstance(e.value, str):
                out.add(e.value)
            elif isinstance(e, ast.Tuple):     # (code, words) or (label, code)
                out.update(x.value for x in e.elts if isinstance(x, ast.Constant) and isinstance(x.value, str))
        return out
    return set()


def vocabulary_tables(source: str) -> list[tuple[str, str]]:
    """(name, which vocabulary) for each module-level table in ``source``."""
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        entries = _entries(value)
        for what, keys in VOCABULARIES.items():
            if keys <= entries:
                found.extend((t.id, what) for t in targets if isinstance(t, ast.Name))
    return found


def test_a_table_of_codes_is_recognised_and_a_function_s_own_dict_is_not():
    source = ('OWNER_WORDS = {"pupil": "pupil", "adviser": "adviser", "school": "school", "parent": "carer"}\n'
              'MODES = [("In person", "in_person"), ("Phone", "phone"), ("Video", "video")]\n'
              'SOME = ("pupil", "adviser")\n'
              'def f():\n'
              '    return {"pupil": 1, "adviser": 2, "school": 3, "parent": 4}\n')
    assert vocabulary_tables(source) == [("OWNER_WORDS", "action owners"), ("MODES", "meeting modes")]


def test_every_vocabulary_is_defined_in_domain_only():
    outside = []
    for path in sorted(ROOT.rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        if where.startswith("domain/"):
            continue
        for name, what in vocabulary_tables(path.read_text(encoding="utf-8")):
            if (where, name) not in NOT_VOCABULARIES:
                outside.append(f"{where}: {name} ({what})")
    assert outside == [], "vocabularies defined outside gatsby_tui/domain/ (import them from there):\n" + \
        "\n".join(outside)


def test_the_domain_defines_each_vocabulary_and_its_words_cover_every_code():
    assert set(record_fields.FIELD_WORDS) == set(record_fields.FIELDS) == set(record_fields.LABELS)
    assert set(record_fields.IN_ORDER) == set(record_fields.FIELDS)
    assert set(record_fields.MULTI_LINE) | set(record_fields.ONE_LINE) | {record_fields.CONFIDENTIALITY} \
        == set(record_fields.FIELDS)
    assert set(record_fields.AMENDABLE) < set(record_fields.FIELDS)
    for table in (owners.OWNER_WORDS, owners.OWNER_WORDS_TO_PUPIL, dict((c, w) for w, c in owners.OWNER_CHOICES)):
        assert set(table) == set(owners.OWNERS)
    assert set(owners.OWNER_ALIASES.values()) <= set(owners.OWNERS)
    for table in (codes.MEETING_KIND_TITLES, codes.MEETING_KIND_WORDS, codes.MEETING_KIND_SHORT,
                  codes.MEETING_KIND_PLAIN, dict((c, w) for w, c in codes.MEETING_KIND_CHOICES)):
        assert set(table) == set(codes.MEETING_KINDS)
    for table in (codes.MODE_WORDS, codes.MODE_WORDS_IN_FULL, codes.MODE_TITLES, codes.MODE_SUFFIX,
                  dict((c, w) for w, c in codes.MODE_CHOICES)):
        assert set(table) == set(codes.MODES)
    for table in (codes.SEN_IN_FULL, codes.SEN_SHORT, codes.SEN_MARKS, codes.SEN_CELLS, codes.SEN_WORDS):
        assert set(table) == set(codes.SEN_LABELS)
    assert set(codes.SEN_ALIASES.values()) <= set(codes.SEN_LABELS)
    assert set(codes.FLAG_LABELS) == set(codes.FLAG_CELLS) == {k for k, _ in codes.FLAGS_IN_FULL} \
        == set(codes.FLAG_FIELDS)
    for table in (codes.ACTION_STATUS_MARKED, codes.ACTION_STATUS_IN_RECORD, codes.ACTION_STATUS_TO_PUPIL):
        assert set(table) == set(codes.ACTION_STATUSES)
    assert set(codes.MEETING_STATUS_MARKED) == set(codes.MEETING_STATUS_WORDS)
    assert set(sar.REQUESTER_WORDS) == {k for k, _ in sar.REQUESTER_LABELS}
