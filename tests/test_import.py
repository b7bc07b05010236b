"""Importing pupils from an MIS CSV export: gatsby_tui.store.importer and the Store facade."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from gatsby_tui.clock import FixedClock
from gatsby_tui.domain.upn import check_letter
from gatsby_tui.store import Store, StoreError, audit
from gatsby_tui.store.importer import ImportFileError, ImportPlan

TODAY = date(2026, 11, 22)   # school year 2026/27


def make_upn(n: int) -> str:
    body = f"8012000{n:05d}"
    return check_letter(body) + body


def dob_for(year_group: int, day: int = 15, month: int = 3) -> str:
    """A DD/MM/YYYY date of birth that puts a pupil in ``year_group`` in 2026/27."""
    return f"{day:02d}/{month:02d}/{2026 - year_group - 4}"


def write_csv(path: Path, text: str, *, bom: bool = False, crlf: bool = False, encoding: str = "utf-8") -> Path:
    if crlf:
        text = text.replace("\n", "\r\n")
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "t.db", clock=FixedClock(TODAY))
    yield s
    s.close()


def pupil_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM pupils").fetchone()[0]


def audit_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]


BASIC = (
    "UPN,Legal Surname,Legal Forename,Preferred Forename,DOB,Year,Reg,Gender,SEN Status\n"
    f"{make_upn(1)},Smith,John,Jack,{dob_for(10)},10,10A,M,N\n"
    f"{make_upn(2)},O'Brien,Siobhán,,{dob_for(11)},11,11B,F,K\n"
    f"{make_upn(3)},Khan,Amir,,{dob_for(9)},9,9C,M,EHCP\n"
)


# ---------------------------------------------------------------- headers and formats


def test_basic_import_adds_pupils(store, tmp_path):
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", BASIC))
    assert (plan.added, plan.updated, plan.unchanged, plan.rejected_count) == (3, 0, 0, 0)
    assert [r.line for r in plan.rows] == [2, 3, 4]
    result = store.pupils.apply_import(plan)
    assert (result.added, result.updated, result.unchanged, result.rejected) == (3, 0, 0, 0)
    row = store.pupils.by_upn(make_upn(2))
    assert row["legal_surname"] == "O'Brien" and row["legal_forename"] == "Siobhán"
    assert row["form"] == "11B" and row["sen_status"] == "K" and row["gender"] == "F"
    assert row["dob"] == "2011-03-15"
    assert store.pupils.by_upn(make_upn(3))["sen_status"] == "E"
    assert store.pupils.by_upn(make_upn(1))["preferred_forename"] == "Jack"


def test_header_variants(store, tmp_path):
    text = (
        " surname , Forename,Date_of_Birth,NC  Year,Form, upn ,Ethnicity\n"
        f"Jones,Mia,2012-03-15,10,10C,{make_upn(4)},White British\n"
    )
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", text))
    assert plan.rejected == [] and plan.added == 1
    assert plan.ignored_columns == ["Ethnicity"]
    store.pupils.apply_import(plan)
    row = store.pupils.by_upn(make_upn(4))
    assert (row["legal_surname"], row["legal_forename"], row["dob"], row["form"]) == ("Jones", "Mia", "2012-03-15", "10C")


def test_legal_names_win_over_plain_ones(store, tmp_path):
    text = (
        "UPN,Surname,Legal Surname,Forename,Legal Forename,Date of Birth\n"
        f"{make_upn(5)},Smyth,Smith,Jo,Joanna,{dob_for(8)}\n"
    )
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", text))
    assert plan.rows[0].checked.values["legal_surname"] == "Smith"
    assert plan.rows[0].checked.values["legal_forename"] == "Joanna"
    assert set(plan.ignored_columns) == {"Surname", "Forename"}


def test_bom_and_crlf_and_both_date_styles(store, tmp_path):
    text = (
        "UPN,Legal Surname,Legal Forename,Date of Birth,Year\n"
        f"{make_upn(6)},Ahmed,Sara,01/09/2011,10\n"
        f"{make_upn(7)},Brown,Leo,2011-08-31,11\n"
    )
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", text, bom=True, crlf=True))
    assert plan.rejected == [] and plan.added == 2
    assert [r.checked.values["dob"] for r in plan.rows] == ["2011-09-01", "2011-08-31"]
    store.pupils.apply_import(plan)
    assert store.pupils.by_upn(make_upn(6))["legal_forename"] == "Sara"   # no BOM in the first column


def test_quoted_fields_with_newlines_keep_physical_line_numbers(store, tmp_path):
    text = (
        "UPN,Surname,Forename,DOB\n"
        f'{make_upn(8)},"Smith,\nJones",Ann,{dob_for(9)}\n'
        f"{make_upn(9)},Lee,Bo,not a date\n"
    )
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", text))
    assert plan.rows[0].line == 2
    assert [(r.line, r.upn) for r in plan.rejected] == [(4, make_upn(9))]


def test_blank_lines_are_skipped_but_counted(store, tmp_path):
    text = f"UPN,Surname,Forename,DOB\n\n{make_upn(10)},Lee,Bo,{dob_for(9)}\n,,,\n"
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", text))
    assert [r.line for r in plan.rows] == [3] and plan.rejected == []


# ---------------------------------------------------------------- bad rows


BAD = (
    "UPN,Surname,Forename,DOB,Year\n"
    f"{make_upn(11)},Good,One,{dob_for(10)},10\n"
    f"A{make_upn(12)[1:]},Bad,Upn,{dob_for(10)},10\n"
    f"{make_upn(13)},Good,Two,{dob_for(10)},10\n"
    f"{make_upn(14)},,Nameless,31/02/2012,10\n"
)


def test_bad_rows_are_reported_with_line_and_reason_and_nothing_is_written(store, tmp_path):
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", BAD))
    assert [r.line for r in plan.rejected] == [3, 5]
    assert "check letter" in plan.rejected[0].reason
    assert "surname" in plan.rejected[1].reason and "February" in plan.rejected[1].reason
    assert plan.rejected[1].upn == make_upn(14)
    before = audit_count(store)
    with pytest.raises(StoreError, match="2 rows are invalid: nothing was imported"):
        store.pupils.apply_import(plan)
    assert pupil_count(store) == 0 and audit_count(store) == before


def test_skip_invalid_writes_the_good_rows(store, tmp_path):
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", BAD))
    result = store.pupils.apply_import(plan, skip_invalid=True)
    assert (result.added, result.rejected) == (2, 2)
    assert pupil_count(store) == 2


def test_wrong_number_of_cells_is_rejected(store, tmp_path):
    text = (
        "UPN,Surname,Forename,DOB\n"
        f"{make_upn(15)},Smith,Jo,{dob_for(9)},extra,cells\n"
        f"{make_upn(16)},Short\n"
        f"{make_upn(17)},Fine,Trailing,{dob_for(9)},,\n"
    )
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", text))
    assert [r.line for r in plan.rejected] == [2, 3]
    assert "6 cells but the header has 4" in plan.rejected[0].reason
    assert "2 cells" in plan.rejected[1].reason
    assert plan.added == 1


def test_duplicate_upn_in_file_names_the_first_line(store, tmp_path):
    text = (
        "UPN,Surname,Forename,DOB\n"
        f"{make_upn(18)},Smith,Jo,{dob_for(9)}\n"
        f"{make_upn(19)},Other,Kid,{dob_for(9)}\n"
        f"{make_upn(18).lower()},Smith,Joanne,{dob_for(9)}\n"
    )
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", text))
    assert plan.added == 2
    assert len(plan.rejected) == 1 and plan.rejected[0].line == 4
    assert "line 2" in plan.rejected[0].reason


def test_year_group_mismatch_is_a_warning_not_a_rejection(store, tmp_path):
    text = f"UPN,Surname,Forename,DOB,Year\n{make_upn(20)},Held,Back,{dob_for(10)},9\n"
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", text))
    assert plan.rejected == [] and plan.added == 1
    assert "differs" in plan.rows[0].warnings[0]
    store.pupils.apply_import(plan)
    page = store.pupils.page(store_filter(year=9))
    assert [r.upn for r in page] == [make_upn(20)]


def store_filter(**kw):
    from gatsby_tui.store import PupilFilter

    return PupilFilter(**kw)


def test_hostile_text_does_not_break_anything(store, tmp_path):
    long = "x" * 5000
    text = (
        "UPN,Surname,Forename,DOB,Form\n"
        f"{make_upn(21)},[b]Bold[/b],\x1b[31mRed,{dob_for(9)},[i]9A\n"
        f"{make_upn(22)},{long},Long,{dob_for(9)},9A\n"
        f"{make_upn(23)},Date,Bad,\x1b]0;pwned\x07{long},9A\n"
        f"\x00\x01,Nul,Row,{dob_for(9)},9A\n"
    )
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", text))
    assert plan.added == 1
    assert [r.line for r in plan.rejected] == [3, 4, 5]
    for bad in plan.rejected:
        assert "\x1b" not in bad.reason and "\x00" not in bad.reason and len(bad.reason) <= 400
    store.pupils.apply_import(plan, skip_invalid=True)
    row = store.pupils.by_upn(make_upn(21))
    assert row["legal_surname"] == "[b]Bold[/b]" and "\x1b" not in row["legal_forename"]


# ---------------------------------------------------------------- re-import and updates


def test_reimport_is_all_unchanged_and_writes_nothing(store, tmp_path):
    path = write_csv(tmp_path / "p.csv", BASIC)
    store.pupils.apply_import(store.pupils.plan_import(path))
    before = audit_count(store)
    plan = store.pupils.plan_import(path)
    assert (plan.added, plan.updated, plan.unchanged) == (0, 0, 3)
    result = store.pupils.apply_import(plan)
    assert (result.added, result.updated, result.unchanged) == (0, 0, 3)
    assert audit_count(store) == before


def test_missing_columns_keep_stored_values(store, tmp_path):
    full = (
        "UPN,Surname,Forename,Preferred Forename,DOB,Year,Form,Gender,SEN Status,Pupil Premium,LAC,EAL,Young Carer\n"
        f"{make_upn(24)},Smith,Johnathan,Jon,{dob_for(9)},8,8A,M,K,Y,Yes,1,no\n"
    )
    store.pupils.apply_import(store.pupils.plan_import(write_csv(tmp_path / "full.csv", full)))
    row = store.pupils.by_upn(make_upn(24))
    assert (row["pupil_premium"], row["looked_after"], row["eal"], row["young_carer"]) == (1, 1, 1, 0)
    store.pupils.set_left(row["id"], date(2026, 12, 20))
    before = audit_count(store)
    # A thinner export: no flags, no preferred name, no year, no form, no gender, no SEN.
    thin = f"UPN,Surname,Forename,DOB\n{make_upn(24)},Smith,Johnathan,{dob_for(9)}\n"
    plan = store.pupils.plan_import(write_csv(tmp_path / "thin.csv", thin))
    assert plan.unchanged == 1, plan.rows
    store.pupils.apply_import(plan)
    assert audit_count(store) == before
    after = store.pupils.by_upn(make_upn(24))
    assert dict(after) == dict(row) | {"date_left": "2026-12-20", "updated_at": after["updated_at"]}


def test_blank_year_cell_means_year_from_dob(store, tmp_path):
    store.pupils.apply_import(store.pupils.plan_import(write_csv(
        tmp_path / "a.csv", f"UPN,Surname,Forename,DOB,Year\n{make_upn(25)},Held,Back,{dob_for(10)},9\n")))
    plan = store.pupils.plan_import(write_csv(
        tmp_path / "b.csv", f"UPN,Surname,Forename,DOB,Year\n{make_upn(25)},Held,Back,{dob_for(10)},\n"))
    assert plan.updated == 1
    store.pupils.apply_import(plan)
    assert [r.year_group for r in store.pupils.page(store_filter())] == [10]


def test_newer_file_updates_by_upn_and_adds_new_ones(store, tmp_path):
    store.pupils.apply_import(store.pupils.plan_import(write_csv(tmp_path / "autumn.csv", BASIC)))
    newer = (
        "UPN,Legal Surname,Legal Forename,Preferred Forename,DOB,Year,Reg,Gender,SEN Status\n"
        f"{make_upn(1)},Smith,John,Jack,{dob_for(10)},10,10B,M,K\n"        # changed form and SEN
        f"{make_upn(2)},O'Brien,Siobhán,,{dob_for(11)},11,11B,F,K\n"       # the same
        f"{make_upn(26)},New,Pupil,,{dob_for(7)},7,7A,F,N\n"               # new
    )
    plan = store.pupils.plan_import(write_csv(tmp_path / "spring.csv", newer))
    assert (plan.added, plan.updated, plan.unchanged) == (1, 1, 1)
    result = store.pupils.apply_import(plan)
    assert (result.added, result.updated, result.unchanged) == (1, 1, 1)
    assert pupil_count(store) == 4   # Khan (not in the newer file) stays; nobody duplicated
    row = store.pupils.by_upn(make_upn(1))
    assert (row["form"], row["sen_status"]) == ("10B", "K")
    assert store.conn.execute("SELECT count(DISTINCT upn) = count(*) FROM pupils").fetchone()[0] == 1


def test_audit_entries(store, tmp_path):
    store.adviser_id = None
    store.pupils.apply_import(store.pupils.plan_import(write_csv(tmp_path / "school-export.csv", BASIC)))
    inserts = store.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'insert' AND table_name = 'pupils'").fetchone()[0]
    assert inserts == 3
    entry = store.conn.execute("SELECT * FROM audit_log WHERE action = 'import'").fetchone()
    assert entry["table_name"] == "pupils" and entry["row_id"] is None and entry["pupil_id"] is None
    assert json.loads(entry["after"]) == {"file": "school-export.csv", "added": 3, "updated": 0,
                                          "unchanged": 0, "rejected": 0}


def test_failure_midway_rolls_back_everything(store, tmp_path):
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", BASIC))
    # Someone adds the third pupil between plan and apply: the whole import must roll back.
    other = store.pupils.plan_import(write_csv(tmp_path / "one.csv",
                                        f"UPN,Surname,Forename,DOB\n{make_upn(3)},Khan,Amir,{dob_for(9)}\n"))
    store.pupils.apply_import(other)
    before_pupils, before_audit = pupil_count(store), audit_count(store)
    with pytest.raises(StoreError, match="Line 4: .*Nothing was imported"):
        store.pupils.apply_import(plan)
    assert (pupil_count(store), audit_count(store)) == (before_pupils, before_audit)


def test_progress_is_called_a_bounded_number_of_times(store, tmp_path):
    lines = ["UPN,Surname,Forename,DOB"] + [f"{make_upn(1000 + i)},S{i},F,{dob_for(9)}" for i in range(450)]
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", "\n".join(lines) + "\n"))
    calls = []
    store.pupils.apply_import(plan, progress=lambda done, total: calls.append((done, total)))
    assert 1 <= len(calls) <= 101 and calls[-1] == (450, 450)


def test_progress_runs_at_most_two_batches_ahead_and_ends_with_everything_written(store, tmp_path):
    from gatsby_tui.store.importer import _NEW_AT_ONCE

    lines = ["UPN,Surname,Forename,DOB"] + [f"{make_upn(3000 + i)},S{i},F,{dob_for(9)}" for i in range(5000)]
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", "\n".join(lines) + "\n"))
    seen = []

    def progress(done, total):
        written = store.conn.execute("SELECT count(*) FROM pupils").fetchone()[0]   # inside the transaction
        seen.append((done, written))

    store.pupils.apply_import(plan, progress=progress)
    assert len(seen) == 100 and seen[-1] == (5000, 5000)
    # One batch being written and the next being gathered, at most, and the 1% step.
    assert all(0 <= done - written <= 2 * _NEW_AT_ONCE + 50 for done, written in seen)
    assert 2 * _NEW_AT_ONCE + 50 < 5000 // 2
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_two_thousand_rows_plan_and_apply_quickly(store, tmp_path):
    lines = ["UPN,Legal Surname,Legal Forename,DOB,Year,Reg,SEN Status,Pupil Premium"]
    for i in range(2000):
        year = 7 + i % 7
        lines.append(f"{make_upn(10000 + i)},Surname{i},Forename{i},{dob_for(year, 1 + i % 28)},{year},"
                     f"{year}X,{'NKE'[i % 3]},{i % 2}")
    path = write_csv(tmp_path / "big.csv", "\n".join(lines) + "\n", crlf=True)
    start = time.perf_counter()
    plan = store.pupils.plan_import(path)
    planned = time.perf_counter()
    result = store.pupils.apply_import(plan)
    done = time.perf_counter()
    print(f"\n2,000 rows: plan {planned - start:.3f} s, apply {done - planned:.3f} s, total {done - start:.3f} s")
    assert result.added == 2000 and plan.rejected == []
    assert done - start < 10
    start = time.perf_counter()
    again = store.pupils.plan_import(path)
    print(f"2,000 rows re-planned (all unchanged) in {time.perf_counter() - start:.3f} s")
    assert again.unchanged == 2000


# ---------------------------------------------------------------- whole-file problems


@pytest.mark.parametrize("make, expected", [
    (lambda p: p / "missing.csv", "does not exist"),
    (lambda p: p, "is a folder"),
    (lambda p: write_csv(p / "latin1.csv", "UPN,Surname,Forename,DOB\nB801200005001,Núñez,José,01/01/2012\n",
                         encoding="latin-1"), "save it as 'CSV UTF-8"),
    (lambda p: write_csv(p / "empty.csv", ""), "is empty"),
    (lambda p: write_csv(p / "blank.csv", "\n\n  \n"), "is empty"),
    (lambda p: write_csv(p / "header.csv", "UPN,Surname,Forename,DOB\n"), "no pupils"),
    (lambda p: write_csv(p / "cols.csv", "UPN,Name,Birthday\nB801200005001,Jo,01/01/2012\n"),
     "no forename, surname or date of birth columns"),
    (lambda p: write_csv(p / "book.xlsx", "PK\x03\x04 not really"), "Excel workbook"),
])
def test_file_problems_are_one_plain_sentence(store, tmp_path, make, expected):
    path = make(tmp_path)
    with pytest.raises(ImportFileError) as info:
        store.pupils.plan_import(path)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message and "Traceback" not in message
    assert isinstance(info.value, StoreError)


def test_plan_is_an_import_plan(store, tmp_path):
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", BASIC))
    assert isinstance(plan, ImportPlan) and plan.source.endswith("p.csv")
    assert plan.rows[0].name == "Smith, Jack" and plan.rows[0].action == "add" and plan.rows[0].pupil_id is None


@pytest.mark.parametrize("header", ["Entry Date", "Date of Entry", "Admission Date"])
def test_the_mis_date_of_entry_is_imported_and_checked(store, tmp_path, header):
    text = (f"UPN,Surname,Forename,DOB,Year,{header}\n"
            f"{make_upn(1)},Smith,John,{dob_for(10)},10,04/11/2024\n"
            f"{make_upn(2)},Khan,Amir,{dob_for(9)},9,\n"
            f"{make_upn(3)},Ng,Lily,{dob_for(9)},9,31/02/2025\n")
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", text))
    assert plan.rejected_count == 1 and "February 2025 has no day 31" in plan.rejected[0].reason
    store.pupils.apply_import(plan, skip_invalid=True)
    assert store.pupils.by_upn(make_upn(1))["date_of_entry"] == "2024-11-04"
    assert store.pupils.by_upn(make_upn(2))["date_of_entry"] is None
    # A later file without the column leaves the date as it is.
    plan = store.pupils.plan_import(write_csv(tmp_path / "q.csv", f"UPN,Surname,Forename,DOB,Year\n"
                                                          f"{make_upn(1)},Smith,John,{dob_for(10)},10\n"))
    assert plan.unchanged == 1
    store.pupils.apply_import(plan)
    assert store.pupils.by_upn(make_upn(1))["date_of_entry"] == "2024-11-04"


def test_new_pupils_written_together_are_stored_and_audited_as_if_added_one_by_one(store, tmp_path):
    """New pupils are written in batches between the updates: each keeps its place in the file's
    order, its own audit entry holding exactly the stored row, and its entry in the search."""
    store.pupils.apply_import(store.pupils.plan_import(write_csv(tmp_path / "autumn.csv", BASIC)))
    first_new = store.conn.execute("SELECT max(id) FROM pupils").fetchone()[0] + 1
    newer = (
        "UPN,Legal Surname,Legal Forename,Preferred Forename,DOB,Year,Reg,Gender,SEN Status\n"
        f"{make_upn(30)},Nowak,Zofia,,{dob_for(8)},8,8C,F,N\n"               # new
        f"{make_upn(31)},Adeyemi,Tobi,,{dob_for(9)},9,9A,M,N\n"              # new
        f"{make_upn(1)},Smith,John,Jack,{dob_for(10)},10,10C,M,K\n"          # changed
        f"{make_upn(32)},Ó Briain,Aoife,Eva,{dob_for(12)},12,12H,F,E\n"      # new
    )
    result = store.pupils.apply_import(store.pupils.plan_import(write_csv(tmp_path / "spring.csv", newer)))
    assert (result.added, result.updated) == (3, 1)
    entries = store.conn.execute(
        "SELECT action, row_id, pupil_id, after FROM audit_log WHERE id > (SELECT max(id) FROM audit_log "
        "WHERE action = 'import' AND after LIKE '%autumn%') AND action <> 'import' ORDER BY id").fetchall()
    smith = store.pupils.by_upn(make_upn(1))["id"]
    assert [(e["action"], e["row_id"]) for e in entries] == [
        ("insert", first_new), ("insert", first_new + 1), ("update", smith), ("insert", first_new + 2)]
    for entry, upn in zip([entries[0], entries[1], entries[3]], (make_upn(30), make_upn(31), make_upn(32))):
        row = store.pupils.by_upn(upn)
        assert entry["pupil_id"] == row["id"]
        after = json.loads(entry["after"])
        assert after["upn"] == upn and after["created_at"] == row["created_at"]
        assert {k: row[k] for k in after} == after          # the audit says what was stored
        assert entry["after"] == audit.as_json(after)       # in the same words as an entry written in Python
    found = store.conn.execute("SELECT rowid FROM pupils_fts WHERE pupils_fts MATCH 'aoife'").fetchall()
    assert [r[0] for r in found] == [store.pupils.by_upn(make_upn(32))["id"]]


def test_new_pupils_over_several_statements_are_all_stored_audited_and_searchable(store, tmp_path):
    """New pupils go in several rows to a statement, as many as SQLite's limit on parameters
    allows: with a low limit, a batch takes several statements and every pupil is still there,
    audited, and found by the search, whose index passes FTS5's own check."""
    import sqlite3

    store.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 100)
    lines = ["UPN,Legal Surname,Legal Forename,DOB,Year,Reg"]
    for i in range(620):          # 5 new pupils to a statement under this limit
        lines.append(f"{make_upn(2000 + i)},Surname{i},Forename{i},{dob_for(7 + i % 7)},{7 + i % 7},{7 + i % 7}Q")
    result = store.pupils.apply_import(store.pupils.plan_import(write_csv(tmp_path / "p.csv", "\n".join(lines) + "\n")))
    assert result.added == 620
    rows = store.conn.execute("SELECT id, upn, search_name FROM pupils ORDER BY id").fetchall()
    assert [r["upn"] for r in rows] == [make_upn(2000 + i) for i in range(620)]
    audited = store.conn.execute("SELECT row_id FROM audit_log WHERE action = 'insert' AND table_name = 'pupils' "
                                 "ORDER BY id").fetchall()
    assert [r[0] for r in audited] == [r["id"] for r in rows]
    for i in (0, 4, 5, 6, 7, 619):
        found = store.conn.execute("SELECT rowid FROM pupils_fts WHERE pupils_fts MATCH ?",
                                   (f'"surname{i}"',)).fetchall()
        assert [r[0] for r in found] == [rows[i]["id"]]
    assert len(store.conn.execute("SELECT rowid FROM pupils_fts WHERE pupils_fts MATCH '\"7q\"'").fetchall()) == 89
    store.conn.execute("INSERT INTO pupils_fts (pupils_fts, rank) VALUES ('integrity-check', 1)")


def test_an_import_leaves_the_connection_settings_as_they_were(store, tmp_path):
    """The import gives its transaction more memory (statement journals, page cache) and gives
    the connection its own settings back, whether it succeeds or fails."""
    settings = lambda: [store.conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("temp_store", "cache_size",
                                                                                  "synchronous", "journal_mode")]
    before = settings()
    store.pupils.apply_import(store.pupils.plan_import(write_csv(tmp_path / "p.csv", BASIC)))
    assert settings() == before
    plan = store.pupils.plan_import(write_csv(tmp_path / "q.csv", BASIC.replace("10A", "10Q")))
    store.conn.execute("CREATE TRIGGER refuse BEFORE UPDATE ON pupils BEGIN SELECT RAISE(ABORT, 'no'); END")
    with pytest.raises(StoreError, match="Nothing was imported|nothing was imported"):
        store.pupils.apply_import(plan)
    assert settings() == before


def _import_backups(store: Store) -> list[Path]:
    return [b.path for b in store.backup.copies() if b.reason == "before-import"]


# A large import writes while its backup is checked, a small one waits for the check first: both ways.
BOTH_WAYS = pytest.mark.parametrize("write_while_checking", [True, False], ids=["large", "small"])


def _import_size(monkeypatch, write_while_checking: bool) -> None:
    from gatsby_tui.store.services import pupils as service

    monkeypatch.setattr(service, "WRITE_WHILE_CHECKING", 1 if write_while_checking else 10**9)


@BOTH_WAYS
def test_an_import_is_committed_only_once_its_backup_is_verified(store, tmp_path, monkeypatch, write_while_checking):
    """The backup is copied and checked (while the rows are written, for a large import), and the
    import commits only once it is verified: a copy that fails its check leaves nothing imported."""
    from gatsby_tui.store import backup

    _import_size(monkeypatch, write_while_checking)

    store.pupils.apply_import(store.pupils.plan_import(write_csv(tmp_path / "p.csv", BASIC)))
    older = _import_backups(store)
    before_pupils, before_audit = pupil_count(store), audit_count(store)
    more = BASIC + f"{make_upn(4)},Nowak,Zofia,,{dob_for(8)},8,8C,F,N\n"
    plan = store.pupils.plan_import(write_csv(tmp_path / "q.csv", more))
    monkeypatch.setattr(backup, "check", lambda path, expected=None, **_: "is damaged (a bad sector, say)")
    with pytest.raises(StoreError) as e:
        store.pupils.apply_import(plan)
    words = str(e.value)
    assert words.startswith("The backup was not kept: the copy is damaged") and words.endswith("Nothing was imported.")
    assert (pupil_count(store), audit_count(store)) == (before_pupils, before_audit)
    assert _import_backups(store) == older
    assert not [p for p in older[0].parent.iterdir() if p.name.endswith(".part")]


@BOTH_WAYS
def test_a_write_by_another_program_after_the_backup_began_is_in_the_backup_and_not_the_import(
        store, tmp_path, monkeypatch, write_while_checking):
    """Another program commits after the copy was started: the import's backup is taken again, as
    the database stood before the import (that write in it, the import's rows not), and the import
    is written."""
    import sqlite3

    _import_size(monkeypatch, write_while_checking)

    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", BASIC))
    pending = store.backup.start("before-import")
    other = sqlite3.connect(store.path, isolation_level=None)
    try:
        other.execute("INSERT INTO settings (key, value) VALUES ('school_name', 'Written elsewhere')")
    finally:
        other.close()
    assert store.pupils.apply_import(plan, backup=pending).added == 3
    assert pupil_count(store) == 3
    [kept] = _import_backups(store)
    conn = sqlite3.connect(kept)
    try:
        assert conn.execute("SELECT value FROM settings WHERE key = 'school_name'").fetchone()[0] == "Written elsewhere"
        assert conn.execute("SELECT count(*) FROM pupils").fetchone()[0] == 0
    finally:
        conn.close()
    assert not [p for p in kept.parent.iterdir() if p.name.endswith(".part")]


def test_a_write_failing_after_earlier_batches_were_written_leaves_nothing_imported(store, tmp_path):
    """New pupils are written a batch at a time, one batch while the next is prepared: a failure in
    a later batch is reported with a line of that batch, and the batches before it are undone too."""
    lines = ["UPN,Surname,Forename,DOB"] + [f"{make_upn(5000 + i)},S{i},F,{dob_for(9)}" for i in range(1600)]
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", "\n".join(lines) + "\n"))
    refused = make_upn(5000 + 1400)                   # on line 1402, well after the first batches
    store.conn.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON pupils WHEN NEW.upn = '{refused}' "
                       "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    before_pupils, before_audit = pupil_count(store), audit_count(store)
    with pytest.raises(StoreError) as e:
        store.pupils.apply_import(plan)
    words = str(e.value)
    assert "refused by the test" in words and words.endswith("nothing was imported.")
    line = int(words.split()[1])
    assert 1002 <= line <= 1402, words               # the first line of the batch that held it
    assert (pupil_count(store), audit_count(store)) == (before_pupils, before_audit)
    assert not store.conn.in_transaction


def test_a_upn_added_elsewhere_after_the_plan_is_refused_with_its_own_line(store, tmp_path):
    """Between the plan and the write another copy of the app adds a pupil whose UPN is on a row in
    the middle of a batch: the import names that row and that pupil, and writes nothing."""
    lines = ["UPN,Surname,Forename,DOB"] + [f"{make_upn(4000 + i)},S{i},F,{dob_for(9)}" for i in range(30)]
    plan = store.pupils.plan_import(write_csv(tmp_path / "p.csv", "\n".join(lines) + "\n"))
    assert plan.added == 30
    other = Store.open(store.path, clock=FixedClock(store.clock.now()))
    try:
        other.pupils.add(other.pupils.validate({"upn": make_upn(4017), "legal_surname": "Early",
                                                "legal_forename": "Bird", "dob": dob_for(9)}))
    finally:
        other.close()
    before = pupil_count(store), audit_count(store)
    with pytest.raises(StoreError) as info:
        store.pupils.apply_import(plan)
    assert str(info.value).startswith("Line 19: ")                 # the row of make_upn(4017), after the header
    assert f"UPN {make_upn(4017)} already belongs to Early, Bird" in str(info.value)
    assert str(info.value).endswith("Nothing was imported.")
    assert (pupil_count(store), audit_count(store)) == before


@BOTH_WAYS
def test_only_an_import_writing_beside_its_backup_puts_the_backup_behind_it(store, tmp_path, monkeypatch,
                                                                             write_while_checking):
    """A large import writes while its backup is checked, so the backup's thread goes behind the
    writer (the lowest priority, on Linux); a small one waits for its backup, which keeps its
    priority."""
    from gatsby_tui.store.services.backup import Pending

    _import_size(monkeypatch, write_while_checking)
    behind = []
    monkeypatch.setattr(Pending, "behind_writer", lambda self: behind.append(self))
    store.pupils.apply_import(store.pupils.plan_import(write_csv(tmp_path / "p.csv", BASIC)))
    assert len(behind) == (1 if write_while_checking else 0)
    assert pupil_count(store) == 3 and len(_import_backups(store)) == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread has a priority of its own on Linux")
def test_behind_writer_lowers_the_backup_threads_priority_only(store, monkeypatch):
    import os
    import threading

    from gatsby_tui.store import backup

    release, copying = threading.Event(), threading.Event()
    real = backup.start_copy

    def held(*args, **kwargs):
        copying.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(backup, "start_copy", held)
    pending = store.backup.start("before-import")
    try:
        assert copying.wait(10)
        tid = pending._thread.native_id
        before = os.getpriority(os.PRIO_PROCESS, tid)
        pending.behind_writer()
        assert os.getpriority(os.PRIO_PROCESS, tid) == 19 and before < 19
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before     # the caller's is its own
    finally:
        release.set()
        pending.drop()
