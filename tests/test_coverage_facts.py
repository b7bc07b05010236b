"""The coverage facts (store/coverage_facts.py): kept equal to what the records say after every kind
of write, built by the migration for a file that had none, read correctly as at any day, and
never out of date for a reader even when a write went round the store's transactions."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime

import pytest

from gatsby_tui.clock import FixedClock
from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.store import Store, coverage
from gatsby_tui.store import coverage_facts as cf
from gatsby_tui.store import db as dbmod
from gatsby_tui.store.bookings import BookingRequest
from gatsby_tui.store.db import connect, transaction

from helpers import make_upn, pupil

TODAY = date(2026, 11, 22)
TALK = {"kind": "employer_talk", "title": "Engineering talk", "held_on": "01/10/2026", "benchmarks": [5],
        "m_purpose": True, "m_outcomes": True, "m_interaction": True, "m_reflection": True}


@pytest.fixture
def demo(built_sample, tmp_path) -> Store:
    path = tmp_path / "demo.db"
    shutil.copyfile(built_sample, path)
    s = Store.open(path, clock=FixedClock(datetime(2026, 11, 22, 10, 0)))
    yield s
    s.close()


def kept_rows_are_current(conn: sqlite3.Connection) -> None:
    """Nothing is left stale, every pupil's kept row is what the records give now, and
    activity_intakes is what the attendances say."""
    assert conn.execute("SELECT count(*) FROM coverage_stale").fetchone()[0] == 0
    kept = conn.execute(f"SELECT {', '.join(cf.KEPT)} FROM coverage_facts ORDER BY pupil_id").fetchall()
    fresh = conn.execute(f"SELECT * FROM ({cf.kept_sql('(SELECT id FROM pupils)')}) ORDER BY pupil_id").fetchall()
    assert [tuple(r) for r in kept] == [tuple(r) for r in fresh]
    intakes = conn.execute("SELECT activity_id, intake_year FROM activity_intakes ORDER BY 1, 2").fetchall()
    derived = conn.execute("SELECT DISTINCT ap.activity_id, p.intake_year FROM activity_pupils ap "
                           "JOIN pupils p ON p.id = ap.pupil_id ORDER BY 1, 2").fetchall()
    assert [tuple(r) for r in intakes] == [tuple(r) for r in derived]


def year_group(conn: sqlite3.Connection, year: int, n: int) -> list[int]:
    intake = 2026 - year + 7
    return [r[0] for r in conn.execute("SELECT id FROM pupils WHERE intake_year = ? AND date_left IS NULL "
                                       "ORDER BY id LIMIT ?", (intake, n))]


def test_the_sample_file_is_kept_current(demo):
    kept_rows_are_current(demo.conn)


def test_every_kind_of_write_keeps_the_facts_current(demo):
    conn = demo.conn
    y11, y12 = year_group(conn, 11, 6), year_group(conn, 12, 4)
    # Activities: added and attended, changed, a benchmark taken off, pupils taken off, deleted.
    talk = demo.activities.add(TALK)
    demo.activities.attach(talk, y11 + y12)
    kept_rows_are_current(conn)
    with transaction(conn):
        conn.execute("UPDATE activities SET m_reflection = 0, held_on = '2026-09-02' WHERE id = ?", (talk,))
    kept_rows_are_current(conn)
    visit = demo.activities.add({**TALK, "kind": "university_visit", "title": "Campus day", "benchmarks": [7]})
    demo.activities.attach(visit, y12)
    with transaction(conn):
        conn.execute("DELETE FROM activity_benchmarks WHERE activity_id = ?", (visit,))
    kept_rows_are_current(conn)
    demo.activities.detach(talk, y11[:2])
    kept_rows_are_current(conn)
    demo.activities.delete(talk)
    kept_rows_are_current(conn)
    # Guidance meetings: held, and the adviser's level recorded afterwards.
    adviser = demo.advisers.add({"name": "Nolevel Adviser", "kind": "external", "qualification_level": ""})
    demo.bookings.mark_held(demo.bookings.book(BookingRequest(pupil_id=y11[0], adviser_id=adviser,
                                                              start=datetime(2026, 10, 6, 9, 0), minutes=45),
                                               confirm=True))
    kept_rows_are_current(conn)
    with transaction(conn):
        conn.execute("UPDATE advisers SET qualification_level = 6 WHERE id = ?", (adviser,))
    kept_rows_are_current(conn)
    # Meeting records: an amendment takes the agreed decisions out.
    record = conn.execute("SELECT id FROM meeting_records WHERE status = 'signed_off' AND trim(decisions) <> '' "
                          "ORDER BY id LIMIT 1").fetchone()[0]
    demo.records.amend(record, "decisions", "", "Entered against the wrong pupil")
    kept_rows_are_current(conn)
    # Destinations and copies given.
    demo.destinations.record_intended(y12[0], {"code": "240", "recorded_on": "01/10/2026"})
    demo.destinations.record_intended(y12[0], {"code": "310", "recorded_on": "02/10/2026"})
    with transaction(conn):
        conn.execute("INSERT INTO exports_given (pupil_id, kind, format, given_on) "
                     "VALUES (?, 'action_plan', 'pdf', '2026-10-03')", (y12[1],))
    kept_rows_are_current(conn)
    # The pupil's own columns: SEN, date of entry, a new intake year; a pupil added and removed.
    with transaction(conn):
        conn.execute("UPDATE pupils SET sen_status = 'E', date_of_entry = '2025-09-10', gender = NULL WHERE id = ?",
                     (y11[1],))
        conn.execute("UPDATE pupils SET intake_year = intake_year + 1 WHERE id = ?", (y12[2],))
    kept_rows_are_current(conn)
    new = demo.pupils.add(demo.pupils.validate(pupil(upn=make_upn(990), legal_surname="Newcomer")))
    kept_rows_are_current(conn)
    with transaction(conn):
        conn.execute("DELETE FROM audit_log WHERE 0")
        conn.execute("INSERT INTO erasures_in_progress VALUES (?)", (new,))
        conn.execute("DELETE FROM audit_log WHERE pupil_id = ?", (new,))
        conn.execute("DELETE FROM pupils WHERE id = ?", (new,))
        conn.execute("DELETE FROM erasures_in_progress")
    kept_rows_are_current(conn)
    assert conn.execute("SELECT count(*) FROM coverage_facts WHERE pupil_id = ?", (new,)).fetchone()[0] == 0


def test_a_pupil_with_no_evidence_gets_the_row_the_records_give(demo):
    """A pupil with no evidence gets their row without the query over the records; the first piece
    of evidence of each kind puts them back on it, and either way the row is what the records give."""
    conn = demo.conn
    first = demo.pupils.add(demo.pupils.validate(pupil(upn=make_upn(991), legal_surname="Nothingyet", dob="14/03/2011")))
    second = demo.pupils.add(demo.pupils.validate(pupil(upn=make_upn(992), legal_surname="Copyonly", dob="14/03/2011")))
    kept_rows_are_current(conn)
    empty = conn.execute("SELECT latest, final FROM coverage_facts WHERE pupil_id = ?", (first,)).fetchone()
    assert tuple(empty) == (0, 0)
    demo.destinations.record_intended(first, {"code": "240", "recorded_on": "01/10/2026"})
    with transaction(conn):
        conn.execute("INSERT INTO exports_given (pupil_id, kind, format, given_on) "
                     "VALUES (?, 'record', 'pdf', '2026-10-03')", (second,))
    kept_rows_are_current(conn)
    for pid in (first, second):
        assert conn.execute("SELECT latest FROM coverage_facts WHERE pupil_id = ?", (pid,)).fetchone()[0] > 0


def test_every_table_the_facts_read_by_pupil_is_evidence():
    """The no-evidence path looks for a pupil's rows in cf.EVIDENCE: every table the facts query
    reads that holds rows by pupil must be listed there."""
    import re

    conn = sqlite3.connect(":memory:")
    conn.executescript(dbmod.schema_sql())
    by_pupil = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if "pupil_id" in {c[1] for c in conn.execute(f"PRAGMA table_info({name})")}}
    read = set(re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", cf.source_sql(cf.STALE)))
    assert read & by_pupil - {"coverage_stale"} == set(cf.EVIDENCE)


def _as_before_the_facts(path) -> None:
    """The file as schema 9 had it: no coverage tables, triggers or index."""
    conn = sqlite3.connect(path)
    for (kind, name) in conn.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'coverage%' "
                                     "AND type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    for table in ("coverage_facts", "coverage_stale", "activity_intakes"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("PRAGMA user_version = 9")
    conn.commit()
    conn.close()


def test_the_upgrade_works_out_every_pupils_facts(built_sample, tmp_path):
    path = tmp_path / "v9.db"
    shutil.copyfile(built_sample, path)
    _as_before_the_facts(path)
    s = Store.open(path, clock=FixedClock(datetime(2026, 11, 22, 10, 0)))
    try:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == dbmod.SCHEMA_VERSION
        assert s.conn.execute("SELECT count(*) FROM coverage_facts").fetchone()[0] == \
            s.conn.execute("SELECT count(*) FROM pupils").fetchone()[0]
        kept_rows_are_current(s.conn)
        # The triggers came with it: a write after the upgrade is kept too.
        talk = s.activities.add(TALK)
        s.activities.attach(talk, year_group(s.conn, 9, 3))
        kept_rows_are_current(s.conn)
        fresh = Store.open(tmp_path / "fresh.db")
        try:
            names = "SELECT type, name, sql FROM sqlite_master WHERE name LIKE '%coverage%' OR name = 'activity_intakes'"
            made = {(t, n) for t, n, _ in fresh.conn.execute(names)}
            upgraded = {(t, n) for t, n, _ in s.conn.execute(names)}
            assert made == upgraded and len(made) > 20
        finally:
            fresh.close()
    finally:
        s.close()


@pytest.mark.parametrize("day", [date(2024, 3, 5), date(2025, 8, 31), date(2025, 9, 1), date(2026, 9, 30), TODAY])
def test_the_facts_as_at_any_day_equal_the_rules_on_the_evidence_then(demo, day):
    mismatched = []
    for pf in coverage.facts(demo.conn, today=day):
        pupil_, ev = coverage.evidence(demo.conn, pf.pupil_id, today=day)
        if rules.facts_from(pupil_, ev) != pf.facts or pupil_ != pf.pupil:
            mismatched.append(pf.pupil_id)
    assert mismatched == []


def test_a_write_round_the_stores_transactions_is_still_counted(demo):
    """A write made straight on the file (a script, the sqlite3 shell) marks its pupils stale; a
    read-only reader works their facts out from the records as it reads."""
    y11 = year_group(demo.conn, 11, 1)[0]
    adviser = demo.conn.execute("SELECT id FROM advisers WHERE qualification_level >= 6 LIMIT 1").fetchone()[0]
    before = coverage.facts(demo.conn, today=TODAY, where="p.id = :id", params={"id": y11})[0].facts
    demo.conn.execute("INSERT INTO meeting_records (pupil_id, adviser_id, held_at, status, decisions, signed_off_at, "
                      "signed_off_by, created_at, updated_at) VALUES (?, ?, '2026-10-01T09:00', 'signed_off', "
                      "'Apply to college', '2026-10-01T10:00', ?, '2026-10-01T10:00', '2026-10-01T10:00')",
                      (y11, adviser, adviser))
    assert [r[0] for r in demo.conn.execute("SELECT pupil_id FROM coverage_stale")] == [y11]
    reader = connect(demo.path)
    reader.execute("PRAGMA query_only = 1")
    try:
        after = coverage.facts(reader, today=TODAY, where="p.id = :id", params={"id": y11})[0].facts
        assert after.record_made and after.guidance_by16 == min(2, before.guidance_by16 + 1)
        pupil_, ev = coverage.evidence(reader, y11, today=TODAY)
        assert rules.facts_from(pupil_, ev) == after
        counted = coverage.cohort(reader, today=TODAY)
    finally:
        reader.close()
    with transaction(demo.conn):        # the next write of the store's own works the row out
        pass
    kept_rows_are_current(demo.conn)
    assert coverage.cohort(demo.conn, today=TODAY).buckets == counted.buckets


def test_the_packed_row_is_the_facts_in_order():
    fields = tuple(rules.Facts.__dataclass_fields__)
    assert tuple(name for name, _ in cf.PACKED) == tuple(f for f in fields if f not in ("pal_12_13",
                                                                                         "programme_planned"))
    assert sum(bits for _, bits in cf.PACKED) < 63
    assert cf.unwho(9 * 256 + 2 * 64 + 32 + 0 + 3) == (9, "E", 1, 0, "X")
