"""The store: creating, opening, migrating and refusing files; pupils and the register query."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest

from gatsby_tui.domain import names
from gatsby_tui.store import OpenError, PupilFilter, PupilInvalid, Store, StoreError
from gatsby_tui.store import db as dbmod

from helpers import make_upn, pupil


def test_new_database_is_owner_only_and_at_the_schema_version(tmp_path, clock):
    path = tmp_path / "new.db"
    s = Store.open(path, clock=clock)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert s.conn.execute("PRAGMA user_version").fetchone()[0] == dbmod.SCHEMA_VERSION >= 1
    assert s.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    tables = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for t in ("pupils", "advisers", "interviews", "meeting_records", "actions", "plans", "destinations",
              "activities", "activity_pupils", "programme_items", "subject_access_requests",
              "exports_given", "audit_log", "nccis_codes"):
        assert t in tables
    s.close()
    assert not list(tmp_path.glob(".*creating")), "no temporary file left behind"


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


@pytest.mark.parametrize("content, words", [
    (b"", "empty file"),
    (b"UPN,Surname\nB801200005001,Smith\n", "not an SQLite database"),
    (b"\x00" * 4096, "not an SQLite database"),
])
def test_bad_files_are_refused_and_left_unchanged(tmp_path, content, words):
    path = tmp_path / "bad.db"
    path.write_bytes(content)
    with pytest.raises(OpenError, match=words):
        Store.open(path)
    assert _bytes(path) == content


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(OpenError, match="is a folder"):
        Store.open(tmp_path)


def test_another_sqlite_database_is_refused_unchanged(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = _bytes(path)
    with pytest.raises(OpenError, match="not a gatsby-tui one"):
        Store.open(path)
    assert _bytes(path) == before


def test_a_newer_database_is_refused_unchanged(tmp_path):
    path = tmp_path / "newer.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {dbmod.SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = _bytes(path)
    with pytest.raises(OpenError, match="newer version of gatsby-tui"):
        Store.open(path)
    assert _bytes(path) == before


def test_a_locked_database_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "locked.db"
    Store.open(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(OpenError, match="in use by another program"):
            Store.open(path, lock_timeout=0.1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_unreadable_file_is_refused(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can read any file")
    path = tmp_path / "secret.db"
    Store.open(path).close()
    os.chmod(path, 0)
    with pytest.raises(OpenError, match="cannot be read"):
        Store.open(path)


def test_missing_folder_gives_a_sentence(tmp_path):
    with pytest.raises(OpenError, match="does not exist"):
        Store.open(tmp_path / "nowhere" / "x.db")


def test_older_database_is_migrated_in_place_after_a_backup(tmp_path, clock):
    path = tmp_path / "old.db"
    Store.open(path).close()
    current = dbmod.SCHEMA_VERSION
    migrations = [(current + 1, ["ALTER TABLE pupils ADD COLUMN nickname TEXT"])]
    # A file at the current version, opened by a (pretend) newer app that knows one more migration:
    s = Store.open(path, migrations=migrations, schema_version=current + 1)
    assert s.conn.execute("PRAGMA user_version").fetchone()[0] == current + 1
    cols = {r[1] for r in s.conn.execute("PRAGMA table_info(pupils)")}
    assert "nickname" in cols
    s.close()
    backups = list((tmp_path / "old-backups").glob(f"old * before-upgrade-to-v{current + 1}.db"))
    assert len(backups) == 1
    assert stat.S_IMODE(os.stat(backups[0]).st_mode) == 0o600
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == current
    old.close()


def test_a_failing_migration_leaves_the_old_version(tmp_path):
    path = tmp_path / "old.db"
    Store.open(path).close()
    current = dbmod.SCHEMA_VERSION
    migrations = [(current + 1, ["ALTER TABLE pupils ADD COLUMN nickname TEXT", "THIS IS NOT SQL"])]
    with pytest.raises(OpenError, match="could not be upgraded"):
        Store.open(path, migrations=migrations, schema_version=current + 1)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == current
    assert "nickname" not in {r[1] for r in conn.execute("PRAGMA table_info(pupils)")}
    conn.close()


# ---------------------------------------------------------------- pupils


def test_add_pupil_derives_year_group_and_writes_audit(store):
    checked = store.pupils.validate(pupil())
    pupil_id = store.pupils.add(checked)
    rows = store.pupils.page(PupilFilter())
    assert [(r.id, r.year_group, r.form) for r in rows] == [(pupil_id, 10, "10B")]
    entry = store.conn.execute("SELECT * FROM audit_log WHERE table_name='pupils'").fetchone()
    assert entry["action"] == "insert" and entry["pupil_id"] == pupil_id
    assert json.loads(entry["after"])["legal_surname"] == "Okafor"


def test_the_audit_log_refuses_changes(store):
    store.pupils.add(store.pupils.validate(pupil()))
    with pytest.raises(sqlite3.DatabaseError, match="audit log cannot be changed"):
        store.conn.execute("UPDATE audit_log SET action = 'delete'")
    with pytest.raises(sqlite3.DatabaseError, match="audit log cannot be changed"):
        store.conn.execute("DELETE FROM audit_log")


def test_duplicate_upn_names_the_pupil_who_has_it(store):
    store.pupils.add(store.pupils.validate(pupil()))
    with pytest.raises(PupilInvalid) as info:
        store.pupils.add(store.pupils.validate(pupil(legal_forename="Ben", legal_surname="Hughes")))
    assert "already belongs to Okafor, Amara (Year 10, 10B)" in info.value.errors["upn"]
    assert store.pupils.count(PupilFilter()) == 1


def test_year_group_mismatch_is_a_warning_not_a_refusal(store):
    checked = store.pupils.validate(pupil(year_group="9"))
    assert checked.warnings and "Year 10" in checked.warnings[0]
    pid = store.pupils.add(checked)
    assert store.pupils.page(PupilFilter(year=9))[0].id == pid


@pytest.mark.parametrize("field, value, words", [
    ("dob", "14/03/2021", "pupils here are 10 to 25"),
    ("dob", "31/02/2012", "February 2012 has no day 31"),
    ("upn", "A801200005001", "should be 'B'"),
    ("sen_status", "maybe", "N (none), K (SEN support) or E (EHCP)"),
    ("year_group", "Year eleven", "not a number"),
    ("legal_surname", "  ", "legal surname"),
])
def test_each_bad_field_gets_its_own_message(store, field, value, words):
    with pytest.raises(PupilInvalid) as info:
        store.pupils.validate(pupil(**{field: value}))
    assert words in info.value.errors[field]


def test_edit_changes_only_what_changed_in_the_audit(store):
    pid = store.pupils.add(store.pupils.validate(pupil()))
    assert store.pupils.update(pid, store.pupils.validate(pupil(form="10C"))) is True
    assert store.pupils.update(pid, store.pupils.validate(pupil(form="10C"))) is False
    last = store.conn.execute("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert json.loads(last["before"]) == {"form": "10B"}
    assert json.loads(last["after"]) == {"form": "10C"}


def test_mark_left_moves_pupil_off_roll_and_keeps_them(store, clock):
    pid = store.pupils.add(store.pupils.validate(pupil()))
    store.pupils.set_left(pid, date(2026, 10, 1))
    assert store.pupils.count(PupilFilter()) == 0
    assert [r.id for r in store.pupils.page(PupilFilter(roll="left"))] == [pid]
    assert store.pupils.count(PupilFilter(roll="all")) == 1
    with pytest.raises(StoreError, match="before the date of birth"):
        store.pupils.set_left(pid, date(2000, 1, 1))


def _add(store, serial, forename, surname, **over):
    return store.pupils.add(store.pupils.validate(pupil(upn=make_upn(serial), legal_forename=forename,
                                                      legal_surname=surname, **over)))


def test_search_handles_accents_apostrophes_upn_and_form(store):
    a = _add(store, 1, "Siobhán", "O'Brien-Ní Bhriain", form="11A", dob="02/02/2010")
    b = _add(store, 2, "Nía", "Jones", form="10C")
    c = _add(store, 3, "Alexander", "Wiśniewski", preferred_forename="Alex")
    d = _add(store, 4, "민준", "김")

    def ids(text):
        return [r.id for r in store.pupils.page(PupilFilter(search=text))]

    assert ids("obrien") == [a]
    assert ids("o'brien") == [a]
    assert ids("bhriain") == [a]
    assert ids("siobhan") == [a]
    assert ids("nia") == [b]
    assert ids("wisn") == [c]
    assert ids("alex") == [c]
    assert ids("김") == [d]
    assert ids(make_upn(2)[:6]) == [b]
    assert ids("11a") == [a]
    assert ids("nia jones") == [b]
    assert ids("zzz") == []
    assert store.pupils.count(PupilFilter(search="o")) == 1


def test_search_folds_letters_unicode_does_not_decompose(store):
    k = _add(store, 1, "Łukasz", "Kozłowski")
    e = _add(store, 2, "Emre", "Kılıç")
    m = _add(store, 3, "Michał", "Nowak")
    o = _add(store, 4, "Ingrid", "Ødegård")
    w = _add(store, 5, "子涵", "王")

    def ids(text):
        return [r.id for r in store.pupils.page(PupilFilter(search=text))]

    assert ids("kozlowski") == [k] and ids("Kozłowski") == [k] and ids("lukasz koz") == [k]
    assert ids("kilic") == [e] and ids("Kılıç") == [e]
    assert ids("michal") == [m]
    assert ids("odegard") == [o] and ids("ode") == [o]
    assert ids("子涵") == [w] and ids("wang") == [w]
    # An edited name is found by its new spelling and no longer by the old one.
    store.pupils.update(k, store.pupils.validate(pupil(upn=make_upn(1), legal_forename="Łukasz",
                                                     legal_surname="Wójcik")))
    assert ids("wojcik") == [k] and ids("kozlowski") == []
    # The register's order folds the same way: Kılıç beside Kilic, Ødegård among the Os.
    order = [r.surname for r in store.pupils.page(PupilFilter())]
    assert order == ["Kılıç", "Nowak", "Ødegård", "王", "Wójcik"]


OLD_FTS = [
    "DROP TRIGGER pupils_fts_insert", "DROP TRIGGER pupils_fts_update", "DROP TRIGGER pupils_fts_delete",
    "DROP TABLE pupils_fts",
    "ALTER TABLE pupils DROP COLUMN search_name",
    """CREATE VIRTUAL TABLE pupils_fts USING fts5 (names, compact, upn, form,
       tokenize = "unicode61 remove_diacritics 2", prefix = '1 2 3')""",
    """CREATE TRIGGER pupils_fts_insert AFTER INSERT ON pupils BEGIN
       INSERT INTO pupils_fts (rowid, names, compact, upn, form) VALUES (NEW.id,
       NEW.legal_forename || ' ' || NEW.legal_surname, replace(NEW.legal_surname, char(39), ''), NEW.upn,
       coalesce(NEW.form, '')); END""",
]


def test_a_version_3_database_gets_the_folded_search_index(tmp_path):
    path = tmp_path / "v3.db"
    s = Store.open(path)
    s.close()
    conn = sqlite3.connect(path)
    for statement in OLD_FTS:
        conn.execute(statement)
    conn.execute("INSERT INTO pupils (upn, legal_forename, legal_surname, dob, intake_year, sort_name, created_at, "
                 "updated_at) VALUES (?, 'Łukasz', 'Kozłowski', '2011-03-14', 2022, 'kołowski łukasz', 'x', 'x')",
                 (make_upn(7),))
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    s = Store.open(path)
    try:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == dbmod.SCHEMA_VERSION
        assert [r.surname for r in s.pupils.page(PupilFilter(search="kozlowski"))] == ["Kozłowski"]
        assert s.conn.execute("SELECT sort_name FROM pupils").fetchone()[0] == "kozlowski lukasz"
        # The triggers were remade: a pupil added after the upgrade is found too.
        new = _add(s, 8, "Ingrid", "Ødegård")
        assert [r.id for r in s.pupils.page(PupilFilter(search="odegard"))] == [new]
        assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        s.conn.execute("INSERT INTO pupils_fts (pupils_fts) VALUES ('integrity-check')")
    finally:
        s.close()


def test_search_survives_hostile_text(store):
    _add(store, 1, "Amara", "Okafor")
    for text in ['"', "'", "*", "AND OR NOT", "NEAR(", "a:b", "[b]", "\x00", "-", "^", "é" * 500]:
        store.pupils.page(PupilFilter(search=text))
        store.pupils.count(PupilFilter(search=text))


def test_register_pages_by_keyset_in_both_orders(store):
    made = []
    for i in range(250):
        year = 7 + i % 5
        dob = f"15/0{1 + i % 8}/{2022 - year}"
        made.append(_add(store, i, f"Pupil{i:03d}", f"Surname{(i * 37) % 250:03d}", dob=dob))
    for sort in ("name", "year"):
        f = PupilFilter(sort=sort)
        seen = []
        after = None
        while True:
            rows = store.pupils.page(f, after=after, limit=60)
            if not rows:
                break
            seen.extend(rows)
            after = rows[-1].key(sort)
        assert sorted(r.id for r in seen) == sorted(made), "every pupil exactly once"
        keys = [(-r.intake_year if sort == "year" else 0, r.sort_name, r.id) for r in seen]
        assert keys == sorted(keys)
    assert store.pupils.count(PupilFilter(year=7)) == 50


def test_filters_combine(store):
    a = _add(store, 1, "Amara", "Okafor", sen_status="E")
    _add(store, 2, "Ben", "Hughes", sen_status="K")
    c = _add(store, 3, "Cara", "Doyle", sen_status="E", form="9A", dob="01/01/2014")
    store.conn.execute("UPDATE pupils SET pupil_premium = 1 WHERE id = ?", (c,))
    assert [r.id for r in store.pupils.page(PupilFilter(sen="E"))] == [c, a]
    assert [r.id for r in store.pupils.page(PupilFilter(sen="E", year=10))] == [a]
    assert [r.id for r in store.pupils.page(PupilFilter(flag="pupil_premium"))] == [c]
    assert store.pupils.page(PupilFilter(flag="pupil_premium"))[0].flags == ("PP",)


def test_a_version_1_database_gains_the_created_at_index(tmp_path):
    path = tmp_path / "v1.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX pupils_by_created")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    s = Store.open(path)
    assert s.conn.execute("PRAGMA user_version").fetchone()[0] == dbmod.SCHEMA_VERSION >= 4
    plan = s.conn.execute("EXPLAIN QUERY PLAN SELECT min(created_at) FROM pupils").fetchall()
    assert "pupils_by_created" in plan[-1][-1]
    s.close()


def test_a_version_2_database_gains_the_foreign_key_indexes_and_matches_a_new_one(tmp_path):
    path = tmp_path / "v2.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    for index in ("actions_by_record", "exports_given_by_record", "exports_given_by_sar", "plan_reviews_by_version"):
        conn.execute(f"DROP INDEX {index}")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    s = Store.open(path)
    fresh = Store.open(tmp_path / "new.db")
    try:
        indexes = lambda st: {r[0] for r in st.conn.execute(  # noqa: E731
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")}
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == dbmod.SCHEMA_VERSION >= 4
        assert indexes(s) == indexes(fresh)
        plan = s.conn.execute("EXPLAIN QUERY PLAN SELECT id FROM actions WHERE record_id = 1").fetchall()
        assert "actions_by_record" in plan[-1][-1]
    finally:
        s.close()
        fresh.close()


# ---------------------------------------------------------------- a form never reverts another's save


def _import_csv(other: Store, tmp_path: Path, row: dict, *, surname: str, form: str) -> None:
    """The command line's import, through a second connection to the same file: a new surname
    and form for the pupil."""
    csv_path = tmp_path / "mis.csv"
    csv_path.write_text(
        "UPN,Legal Surname,Legal Forename,DOB,Reg,Gender,SEN Status\n"
        f"{row['upn']},{surname},{row['legal_forename']},14/03/2012,{form},F,N\n", encoding="utf-8")
    plan = other.pupils.plan_import(csv_path)
    assert plan.updated == 1
    other.pupils.apply_import(plan)


def test_a_pupil_form_saves_only_what_was_changed(store, tmp_path, clock):
    pid = store.pupils.add(store.pupils.validate(pupil()))
    opened, values = store.pupils.for_form(pid)
    other = Store.open(store.path, clock=clock)            # a second copy of the app / the command line
    try:
        _import_csv(other, tmp_path, opened, surname="Okafor-Reid", form="10C")
    finally:
        other.close()
    values["preferred_forename"] = "Mara"                    # the only change made at the form
    assert store.pupils.update(pid, store.pupils.validate(values), original=opened)
    row = store.pupils.get(pid)
    assert (row["preferred_forename"], row["legal_surname"], row["form"]) == ("Mara", "Okafor-Reid", "10C")
    assert row["sort_name"] == names.sort_name("Okafor-Reid", "Amara")
    last = store.conn.execute("SELECT before, after FROM audit_log WHERE table_name = 'pupils' "
                              "ORDER BY id DESC LIMIT 1").fetchone()
    assert json.loads(last["after"]) == {"preferred_forename": "Mara"}


def test_a_change_to_a_field_someone_else_changed_meanwhile_is_refused(store, tmp_path, clock):
    pid = store.pupils.add(store.pupils.validate(pupil()))
    opened, values = store.pupils.for_form(pid)
    other = Store.open(store.path, clock=clock)
    try:
        _import_csv(other, tmp_path, opened, surname="Okafor-Reid", form="10C")
    finally:
        other.close()
    audits = store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    values["form"] = "10D"
    values["preferred_forename"] = "Mara"
    with pytest.raises(StoreError) as e:
        store.pupils.update(pid, store.pupils.validate(values), original=opened)
    words = str(e.value)
    assert "changed by someone else since you opened this form" in words
    assert "the form is now '10C' (you had '10B')" in words
    assert "surname" not in words, "only the fields changed at the form are compared"
    assert "Close the form and open it again." in words
    row = store.pupils.get(pid)
    assert (row["form"], row["preferred_forename"]) == ("10C", None), "nothing written"
    assert store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audits


def test_the_same_change_made_twice_is_not_a_conflict(store, clock):
    pid = store.pupils.add(store.pupils.validate(pupil()))
    opened, values = store.pupils.for_form(pid)
    other = Store.open(store.path, clock=clock)
    try:
        o_opened, o_values = other.pupils.for_form(pid)
        o_values["form"] = "11A"
        other.pupils.update(pid, other.pupils.validate(o_values), original=o_opened)
    finally:
        other.close()
    values["form"] = "11A"
    assert store.pupils.update(pid, store.pupils.validate(values), original=opened) is False
    assert store.pupils.get(pid)["form"] == "11A"


def test_a_plan_form_keeps_what_another_copy_saved_and_refuses_a_clash(store, clock):
    pid = store.pupils.add(store.pupils.validate(pupil(sen_status="E")))
    plan_id = store.plans.create(pid, {"aspirations": "Be a chef", "strengths": "Calm",
                                      "next_review_on": "01/02/2027"})
    target = store.plans.add_target(plan_id, {"area": "employment", "what": "Visit a kitchen", "status": "not_started"})
    opened = store.plans.get(pid)
    opened_target = next(t for t in opened["shown"]["targets"] if t["id"] == target)
    other = Store.open(store.path, clock=clock)
    try:
        other.plans.update(plan_id, {"strengths": "Calm and kind", "next_review_on": "15/02/2027"})
        other.plans.update_target(target, {"status": "in_progress"})
    finally:
        other.close()
    # Only the aspirations changed at this form: the other copy's strengths and date stay.
    form = {"aspirations": "Be a pastry chef", "strengths": "Calm", "needs": "", "support": "",
            "next_review_on": "01/02/2027", "ehcp_annual_review_on": "", "transition_plan_on": ""}
    assert store.plans.update(plan_id, form, original=opened) == ["aspirations"]
    now = store.plans.get(pid)
    assert (now["shown"]["aspirations"], now["shown"]["strengths"], now["next_review_on"]) == (
        "Be a pastry chef", "Calm and kind", "2027-02-15")
    # The same target's status, changed at both: refused, in words, nothing written.
    with pytest.raises(StoreError) as e:
        store.plans.update_target(target, {"area": "employment", "what": "Visit a kitchen", "status": "achieved",
                                          "outcome": "", "by_when": "", "who_helps": "", "evidence": ""},
                                 original=opened_target)
    assert "the status is now 'in progress' (you had 'not started')" in str(e.value)
    assert store.plans.get(pid)["shown"]["targets"][0]["status"] == "in_progress"
    # And the plan's date, changed at both.
    with pytest.raises(StoreError, match="the next review date is now '2027-02-15' .you had '2027-02-01'."):
        store.plans.update(plan_id, {**form, "next_review_on": "01/03/2027"}, original=opened)


def _two(store, clock):
    """A second copy of the app on the same file."""
    return Store.open(store.path, clock=clock)


def test_an_adviser_form_keeps_another_copys_change_and_refuses_a_clash(store, clock):
    helen = store.advisers.add({"name": "Helen Marsh", "organisation": "Northway", "kind": "external"})
    opened = dict(store.advisers.get(helen))
    other = _two(store, clock)
    try:
        other.advisers.update(helen, {"organisation": "Northway Careers Ltd"})
    finally:
        other.close()
    form = {k: ("" if opened[k] is None else str(opened[k])) for k in ("name", "organisation", "kind", "email")}
    assert store.advisers.update(helen, {**form, "email": "helen@example.org"}, original=opened)
    row = store.advisers.get(helen)
    assert (row["organisation"], row["email"]) == ("Northway Careers Ltd", "helen@example.org")
    with pytest.raises(StoreError, match="the organisation is now 'Northway Careers Ltd' .you had 'Northway'."):
        store.advisers.update(helen, {**form, "organisation": "Northway Guidance"}, original=opened)
    assert store.advisers.get(helen)["organisation"] == "Northway Careers Ltd"


def test_a_destination_offer_a_booking_move_an_action_and_settings_refuse_a_clash(store, clock):
    from datetime import datetime as dt

    from gatsby_tui.store import BookingRequest

    helen = store.advisers.add({"name": "Helen Marsh", "kind": "internal"})
    store.advisers.set_current(helen)
    pid = store.pupils.add(store.pupils.validate(pupil(dob="14/03/2011", form="11A")))
    dest = store.destinations.record_intended(pid, {"code": "230", "provider": "Riverside College"})
    meeting = store.bookings.book(BookingRequest(pupil_id=pid, adviser_id=helen, start=dt(2026, 11, 24, 10, 0), minutes=45),
                         confirm=True)
    action = store.actions.add(pupil_id=pid, description="Visit the open day", owner="pupil")
    seen_dest = dict(store.conn.execute("SELECT * FROM destinations WHERE id = ?", (dest,)).fetchone())
    seen_meeting = store.bookings.get(meeting)
    seen_action = dict(store.conn.execute("SELECT * FROM actions WHERE id = ?", (action,)).fetchone())
    keys = ["retention_years_record", "retention_years_send", "retention_years_destinations"]
    seen_settings = store.settings.many(keys)
    other = _two(store, clock)
    try:
        other.advisers.set_current(helen)
        other.destinations.set_offer(dest, {"offer_status": "offered", "offer_provider": "Riverside College"})
        other.bookings.reschedule(meeting, dt(2026, 11, 24, 11, 0), confirm=True)
        other.actions.reassign(action, "parent")
        other.retention.set_policy({"record_years": "30", "send_years": "31", "destination_years": "3"})
    finally:
        other.close()
    with pytest.raises(StoreError, match="the offer is now 'offered' .you had blank."):
        store.destinations.set_offer(dest, {"offer_status": "accepted", "offer_provider": "Riverside College"},
                                    original=seen_dest)
    with pytest.raises(StoreError, match="its start is now '2026-11-24 11:00' .you had '2026-11-24 10:00'."):
        store.bookings.reschedule(meeting, dt(2026, 11, 24, 14, 0), confirm=True, original=seen_meeting)
    with pytest.raises(StoreError, match="its owner is now 'parent/carer' .you had 'pupil'."):
        store.actions.reassign(action, "school", original=seen_action)
    with pytest.raises(StoreError, match="the pupil record period is now '30' .you had blank."):
        store.retention.set_policy({"record_years": "40", "send_years": "31", "destination_years": "3"},
                                   original=seen_settings)
    # Nothing of the refused changes was written.
    assert store.conn.execute("SELECT offer_status FROM destinations WHERE id = ?", (dest,)).fetchone()[0] == "offered"
    assert store.bookings.get(meeting)["starts_at"] == "2026-11-24T11:00"
    assert store.conn.execute("SELECT owner FROM actions WHERE id = ?", (action,)).fetchone()[0] == "parent"
    assert store.settings.get("retention_years_record") == "30"
    # A change to another field still lands: the action marked done, the other copy's owner kept.
    store.actions.set_status(action, "done", original=seen_action)
    assert tuple(store.conn.execute("SELECT status, owner FROM actions WHERE id = ?", (action,)).fetchone()) == (
        "done", "parent")
def test_a_version_3_database_gains_the_date_of_entry_and_named_providers(tmp_path):
    path = tmp_path / "v3.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE pupils DROP COLUMN date_of_entry")
    conn.execute("ALTER TABLE activities DROP COLUMN providers_named")
def test_a_version_3_database_gains_the_moment_each_copy_was_given(tmp_path):
    """Copies given before the moment was kept get it from the audit entry that recorded them."""
    path = tmp_path / "v3.db"
    s = Store.open(path)
    pid = s.pupils.add(s.pupils.validate(pupil()))
    s.conn.execute("INSERT INTO exports_given (pupil_id, kind, format, given_on) VALUES (?, 'record', 'pdf', "
                   "'2026-11-20')", (pid,))
    s.conn.execute("INSERT INTO audit_log (at, action, table_name, row_id, pupil_id) "
                   "VALUES ('2026-11-20T14:05:09', 'insert', 'exports_given', 1, ?)", (pid,))
    s.close()
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE exports_given DROP COLUMN given_at")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    s = Store.open(path)
    fresh = Store.open(tmp_path / "new.db")
    try:
        columns = lambda st, table: [r[1:] for r in st.conn.execute(f"PRAGMA table_info({table})")]  # noqa: E731
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == dbmod.SCHEMA_VERSION
        for table in ("pupils", "activities"):
            assert columns(s, table) == columns(fresh, table)
        s.conn.execute("INSERT INTO schools (name) VALUES ('x')")     # a row to update below
        with pytest.raises(sqlite3.IntegrityError):
            s.conn.execute("INSERT INTO pupils (upn, legal_forename, legal_surname, dob, intake_year, sort_name, "
                           "created_at, updated_at, date_of_entry) VALUES ('B801200005001', 'A', 'B', '2012-01-01', "
                           "2023, 'b a', 'x', 'x', 'soon')")
        with pytest.raises(sqlite3.IntegrityError):
            s.conn.execute("INSERT INTO activities (kind, title, held_on, created_at, providers_named) "
                           "VALUES ('careers_fair', 'Fair', '2026-10-01', '2026-10-01', 99)")
        columns = lambda st: [r[1] for r in st.conn.execute("PRAGMA table_info(exports_given)")]  # noqa: E731
        assert columns(s) == columns(fresh) and "given_at" in columns(s)
        assert s.conn.execute("SELECT given_at FROM exports_given").fetchone()[0] == "2026-11-20T14:05:09"
        assert s.history.for_pupil(pid, kind="export")[0].at == "2026-11-20T14:05:09"
    finally:
        s.close()
        fresh.close()
