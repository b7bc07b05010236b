"""The demo database: built deterministically, committed up to date, and plausible."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from gatsby_tui.sample import data as sample_data
from gatsby_tui.domain import schoolyear, upn

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "sample.db"
STALE = "sample.db is stale: run python scripts/build_sample.py"
SCHOOL_YEAR = 2026

# The FTS5 index's own b-tree pages: binary, derived from the pupils table by the
# triggers, and free to differ between SQLite versions. The pupils themselves and
# the index's content table are compared; the index is checked for integrity below.
FTS_INTERNALS = ("pupils_fts_data", "pupils_fts_idx", "pupils_fts_docsize")


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump()
                if not any(line.startswith(f'INSERT INTO "{t}"') for t in FTS_INTERNALS)]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def built(built_sample) -> Path:
    return built_sample


@pytest.fixture(scope="module")
def conn(built: Path):
    c = sqlite3.connect(built)
    c.row_factory = sqlite3.Row
    yield c
    c.close()


@pytest.fixture(scope="module")
def people(conn) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM pupils ORDER BY id").fetchall()


def on_roll(rows: list[sqlite3.Row]) -> list[sqlite3.Row]:
    today = sample_data.REFERENCE_DAY.isoformat()
    return [r for r in rows if r["date_left"] is None or r["date_left"] > today]


def test_committed_sample_db_is_up_to_date(built):
    assert COMMITTED.exists(), STALE
    fresh, committed = dump(built), dump(COMMITTED)
    if fresh != committed:
        first = next((i for i, (a, b) in enumerate(zip(fresh, committed)) if a != b),
                     min(len(fresh), len(committed)))
        pytest.fail(f"{STALE} (first difference at dump line {first}: "
                    f"{len(fresh)} lines built, {len(committed)} committed)", pytrace=False)


def test_build_refuses_to_overwrite(tmp_path):
    existing = tmp_path / "mine.db"
    existing.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        sample_data.build(existing)
    assert existing.read_bytes() == b"precious"


def test_every_upn_is_valid_and_unique(people):
    upns = [r["upn"] for r in people]
    assert all(upn.is_valid(u) for u in upns)
    assert len(set(upns)) == len(upns)
    temporary = [u for u in upns if u[-1].isalpha()]
    assert 1 <= len(temporary) <= len(upns) * 0.02


def test_pupils_in_every_year_group(people):
    years = Counter(schoolyear.year_group_in(r["intake_year"], SCHOOL_YEAR) for r in on_roll(people))
    assert sorted(years) == list(range(7, 14))
    for y in range(7, 12):
        assert 150 <= years[y] <= 190, (y, years[y])
    for y in (12, 13):
        assert 70 <= years[y] <= 110, (y, years[y])
    assert 950 <= sum(years.values()) <= 1150


def test_leavers_from_the_last_three_years(people):
    leavers = [r for r in people if r["date_left"] is not None]
    by_year = Counter(int(r["date_left"][:4]) for r in leavers if r["date_left"][5:7] == "07")
    assert sorted(by_year) == [2024, 2025, 2026]
    assert all(60 <= n <= 100 for n in by_year.values()), by_year
    assert all(r["destination_consent"] in (0, 1) for r in leavers)
    assert sum(r["destination_consent"] for r in leavers) > len(leavers) * 0.8


def test_a_few_are_taught_out_of_their_age_group(people):
    odd = [r for r in on_roll(people)
           if schoolyear.nc_year_from_dob(date.fromisoformat(r["dob"]), SCHOOL_YEAR)
           != schoolyear.year_group_in(r["intake_year"], SCHOOL_YEAR)]
    assert 3 <= len(odd) <= len(people) * 0.02


def test_sen_and_flag_shares_are_plausible(people):
    rows = on_roll(people)
    n = len(rows)
    sen = Counter(r["sen_status"] for r in rows)
    assert 0.10 <= sen["K"] / n <= 0.16
    assert 0.03 <= sen["E"] / n <= 0.06
    assert 0.20 <= sum(r["pupil_premium"] for r in rows) / n <= 0.30
    assert 0.10 <= sum(r["eal"] for r in rows) / n <= 0.20
    assert 0 < sum(r["looked_after"] for r in rows) / n <= 0.03


def test_named_pupils_are_there_and_searchable(conn):
    rows = conn.execute("SELECT * FROM pupils WHERE legal_surname = ?", ("O'Brien-Ní Bhriain",)).fetchall()
    assert [(r["legal_forename"], r["sort_name"]) for r in rows] == [("Siobhán", "obriennibhriain siobhan")]
    assert conn.execute("SELECT count(*) FROM pupils WHERE legal_forename = 'Nía'").fetchone()[0] == 1
    ids = {r[0] for r in conn.execute("SELECT rowid FROM pupils_fts WHERE pupils_fts MATCH '\"obrien\"*'")}
    assert rows[0]["id"] in ids
    nia = {r[0] for r in conn.execute("SELECT rowid FROM pupils_fts WHERE pupils_fts MATCH '\"nia\"*'")}
    assert conn.execute("SELECT id FROM pupils WHERE legal_forename = 'Nía'").fetchone()[0] in nia
    assert conn.execute("SELECT count(*) FROM pupils WHERE legal_surname = '김'").fetchone()[0] == 1


def test_search_index_is_intact(built, tmp_path):
    copy = tmp_path / "copy.db"
    copy.write_bytes(built.read_bytes())
    c = sqlite3.connect(copy)
    try:
        c.execute("INSERT INTO pupils_fts (pupils_fts) VALUES ('integrity-check')")
        assert c.execute("SELECT count(*) FROM pupils_fts").fetchone()[0] == \
            c.execute("SELECT count(*) FROM pupils").fetchone()[0]
    finally:
        c.close()


def test_every_pupil_and_interview_is_audited(conn):
    pupils = conn.execute("SELECT count(*) FROM pupils").fetchone()[0]
    interviews = conn.execute("SELECT count(*) FROM interviews").fetchone()[0]
    audited = dict(conn.execute(
        "SELECT table_name, count(*) FROM audit_log WHERE action = 'insert' GROUP BY table_name").fetchall())
    assert audited["pupils"] == pupils
    assert audited["interviews"] == interviews
    left = conn.execute("SELECT count(*) FROM pupils WHERE date_left IS NOT NULL").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM audit_log WHERE action = 'update' AND table_name = 'pupils' "
                        "AND after LIKE '%date_left%'").fetchone()[0] == left


def test_interviews_are_consistent(conn):
    rows = conn.execute("SELECT * FROM interviews ORDER BY id").fetchall()
    statuses = Counter(r["status"] for r in rows)
    assert statuses["held"] > 300 and statuses["cancelled"] > 0 and statuses["did_not_attend"] > 0
    assert statuses["booked"] > 20
    assert len({r["uid"] for r in rows}) == len(rows)
    # Nobody, adviser or pupil, is in two meetings at once.
    for who in ("adviser_id", "pupil_id"):
        clash = conn.execute(
            f"SELECT count(*) FROM interviews a JOIN interviews b ON a.id < b.id AND a.{who} = b.{who} "
            "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at").fetchone()[0]
        assert clash == 0, who
    # Every booking starts with a 'booked' event; every past one ends with its outcome.
    events = {}
    for e in conn.execute("SELECT * FROM interview_events ORDER BY interview_id, at, id"):
        events.setdefault(e["interview_id"], []).append(e["event"])
    for r in rows:
        expected = ["booked"] if r["status"] == "booked" else ["booked", r["status"]]
        assert events[r["id"]] == expected, r["id"]
    # Future bookings: Tuesdays and Thursdays, 09:00-15:00, 17 November to 18 December 2026.
    for r in rows:
        start, end = datetime.fromisoformat(r["starts_at"]), datetime.fromisoformat(r["ends_at"])
        if r["status"] == "booked":
            assert date(2026, 11, 17) <= start.date() <= date(2026, 12, 18)
            assert start.weekday() in (1, 3)
            assert start.strftime("%H:%M") >= "09:00" and end.strftime("%H:%M") <= "15:00"
        else:
            assert start.date() < sample_data.REFERENCE_DAY


def test_most_of_year_11_seen_this_term(conn, people):
    y11 = [r["id"] for r in on_roll(people) if schoolyear.year_group_in(r["intake_year"], SCHOOL_YEAR) == 11]
    seen = {r[0] for r in conn.execute(
        "SELECT pupil_id FROM interviews WHERE status = 'held' AND kind = 'guidance' AND starts_at >= '2026-09-01'")}
    share = len(seen & set(y11)) / len(y11)
    assert 0.5 <= share <= 0.7


def test_a_default_adviser_is_set(conn):
    value = conn.execute("SELECT value FROM settings WHERE key = 'current_adviser_id'").fetchone()[0]
    assert conn.execute("SELECT name FROM advisers WHERE id = ?", (int(value),)).fetchone() is not None


def test_records_show_every_state_a_record_can_be_in(conn):
    """Signed-off records for held meetings, open and done actions, an amended record,
    a confidential note, an unplanned conversation, and a draft left unfinished."""
    held = conn.execute("SELECT count(*) FROM interviews WHERE status = 'held'").fetchone()[0]
    signed = conn.execute("SELECT count(*) FROM meeting_records WHERE status = 'signed_off' "
                          "AND interview_id IS NOT NULL").fetchone()[0]
    assert 0.8 * held <= signed < held, "most held meetings, not all, have a signed-off record"
    # Records only for meetings that were held, each with its own pupil.
    assert conn.execute("SELECT count(*) FROM meeting_records r JOIN interviews i ON i.id = r.interview_id "
                        "WHERE i.status != 'held' OR i.pupil_id != r.pupil_id").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM meeting_records WHERE status = 'signed_off' AND "
                        "(decisions IS NULL OR advice_given IS NULL OR confidentiality_explained = 0)"
                        ).fetchone()[0] == 0, "a signed-off record is complete"
    statuses = dict(conn.execute("SELECT status, count(*) FROM actions GROUP BY status").fetchall())
    assert statuses.get("open", 0) > 20 and statuses.get("done", 0) > 200
    overdue = conn.execute("SELECT count(*) FROM actions WHERE status = 'open' AND due_date < ?",
                           (sample_data.REFERENCE_DAY.isoformat(),)).fetchone()[0]
    assert 0 < overdue < statuses["open"], "some follow-ups overdue, some still to come"
    assert conn.execute("SELECT count(DISTINCT field) FROM record_amendments").fetchone()[0] == 2
    assert conn.execute("SELECT count(*) FROM meeting_records WHERE confidential_notes IS NOT NULL").fetchone()[0] >= 1
    assert conn.execute("SELECT count(*) FROM meeting_records WHERE interview_id IS NULL").fetchone()[0] == 1
    draft = conn.execute("SELECT r.id, d.payload FROM meeting_records r JOIN drafts d ON d.key = 'record:' || r.id "
                         "WHERE r.status = 'draft'").fetchall()
    assert len(draft) == 1 and "advice_given" in draft[0]["payload"], "an unfinished draft with unsaved typing"
    # Every record, action and amendment has its audit entry.
    for table, sql in (("meeting_records", "SELECT id FROM meeting_records"), ("actions", "SELECT id FROM actions"),
                       ("record_amendments", "SELECT id FROM record_amendments")):
        ids = {r[0] for r in conn.execute(sql)}
        logged = {r[0] for r in conn.execute("SELECT row_id FROM audit_log WHERE table_name = ? AND action = 'insert'",
                                             (table,))}
        assert ids <= logged, f"{table} rows without an audit entry"
