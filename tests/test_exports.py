"""Exports of a pupil's record and action plans: each holds that pupil's data and nobody else's, in
every format (PDF text and metadata too); confidential notes and other pupils' names are withheld
as chosen; hostile text stays escaped; files are atomic and owner-only; what was given is recorded."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import make_upn, pupil
from gatsby_tui.exports.document import md_line
from gatsby_tui.store import BookingRequest, Store, StoreError

FORMATS = ("pdf", "html", "md", "json")
LETTERS = "abcdefghij"


def tag(i: int) -> str:
    """A name-safe, unique, prefix-free code for pupil i: 3 -> 'aad'."""
    return "".join(LETTERS[int(d)] for d in f"{i:03d}")


def marker(i: int, field: str) -> str:
    return f"Qz{tag(i)}{field}"


def text_of(path: Path) -> str:
    """What a reader sees in the file (PDF: the extracted text of every page, and the metadata)."""
    if path.suffix == ".pdf":
        reader = PdfReader(str(path))
        meta = reader.metadata or {}
        return "\n".join([p.extract_text() for p in reader.pages]
                         + [str(meta.get(k, "")) for k in ("/Title", "/Subject", "/Author", "/Keywords")])
    return path.read_text(encoding="utf-8")


@pytest.fixture
def adviser(store: Store) -> int:
    a = store.advisers.add({"name": "Helen Marsh", "qualification_level": "6",
                           "qualification": "Level 6 Diploma in Career Guidance", "email": "h.marsh@school.example"})
    store.advisers.set_current(a)
    return a


def add_marked_pupil(store: Store, adviser: int, i: int) -> dict:
    """A Year 11 pupil with a unique marker in every field an export shows."""
    m = lambda f: marker(i, f)  # noqa: E731
    pid = store.pupils.add(store.pupils.validate(pupil(
        upn=make_upn(100 + i), legal_forename=m("fore"), legal_surname=m("sur"), preferred_forename=m("pref"),
        dob="14/03/2011", form=f"11{LETTERS[i % 10].upper()}", sen_status="E")))
    iid = store.bookings.book(BookingRequest(pupil_id=pid, adviser_id=adviser, start=datetime(2026, 10, 1 + i % 20, 10, 0),
                                    reason=m("reason")), confirm=True)
    store.bookings.mark_held(iid)
    rid = store.records.start(interview_id=iid)
    store.records.save(rid, {"reason": m("why"), "confidentiality_explained": True, "situation": m("situation"),
                            "aspirations": m("aspire"), "advice_given": m("advice"), "decisions": m("decide"),
                            "referrals": m("refer"), "intended_destination": "310",
                            "confidential_notes": m("secret")})
    action = store.actions.add(pupil_id=pid, record_id=rid, description=m("action"), owner="pupil", due="01/12/2026")
    store.records.sign_off(rid)
    store.records.amend(rid, "decisions", m("amended"), m("reasonamend"))
    store.actions.set_status(action, "done", note=m("actionnote"))
    plan = store.plans.create(pid, {"aspirations": m("planasp"), "strengths": m("strength"), "needs": m("needs"),
                                   "support": m("support"), "next_review_on": "15/01/2027"})
    store.plans.add_target(plan, {"area": "employment", "what": m("target"), "who_helps": m("helper"),
                                 "status": "in progress"})
    store.plans.hold_review(plan, {"reviewed_on": "20/11/2026", "participants": ["pupil", "senco"],
                                  "others": m("other"), "what_changed": m("changed"), "next_review_on": "20/05/2027"})
    store.destinations.record_intended(pid, {"code": "310", "provider": m("provider"), "course_or_role": m("course")})
    activity = store.activities.add({"kind": "workplace_visit", "title": m("visit"), "held_on": "12/11/2026",
                                   "organisation": m("employer"), "benchmarks": [5, 6], "m_purpose": True,
                                   "m_outcomes": True, "m_interaction": True, "m_reflection": True})
    store.activities.attach(activity, [pid])
    store.requests.log(pid, {"requester_kind": "parent", "requester_name": m("parent"), "received_on": "20/11/2026"})
    upn = store.conn.execute("SELECT upn FROM pupils WHERE id = ?", (pid,)).fetchone()[0]
    return {"id": pid, "record": rid, "upn": upn}


SHOWN = ("fore", "sur", "pref", "reason", "why", "situation", "aspire", "advice", "decide", "refer", "action",
         "amended", "reasonamend", "actionnote", "planasp", "strength", "needs", "support", "target", "helper",
         "other", "changed", "provider", "course", "visit", "employer", "parent")


def test_each_pupils_export_holds_their_data_and_nobody_elses_in_every_format(store, adviser, tmp_path):
    pupils = [add_marked_pupil(store, adviser, i) for i in range(8)]
    for i, p in enumerate(pupils):
        folder = tmp_path / f"p{i}"
        folder.mkdir()
        for fmt in FORMATS:
            path = store.exports.pupil_record(p["id"], fmt, folder)
            text = text_of(path)
            own = [marker(i, f) for f in SHOWN] + [p["upn"]]
            missing = [m for m in own if m not in text]
            assert not missing, f"{fmt}: pupil {i}'s own data missing: {missing}"
            assert marker(i, "secret") not in text, f"{fmt}: confidential notes included without asking"
            for j, other in enumerate(pupils):
                if j == i:
                    continue
                leaked = [m for m in [marker(j, f) for f in SHOWN + ("secret",)] + [other["upn"]] if m in text]
                assert not leaked, f"{fmt}: pupil {i}'s export holds pupil {j}'s data: {leaked}"
            # Named by the pupil's name and the date, never the UPN.
            assert p["upn"] not in path.name and marker(i, "pref") in path.name and "2026-11-22" in path.name


def test_confidential_notes_only_when_deliberately_included_and_the_copy_says_so(store, adviser, tmp_path):
    p = add_marked_pupil(store, adviser, 1)
    plain = store.exports.pupil_record(p["id"], "md", tmp_path / "plain.md")
    assert marker(1, "secret") not in plain.read_text()
    assert "Withheld from this copy: The adviser's confidential notes from 1 meeting." in plain.read_text()
    full = store.exports.pupil_record(p["id"], "json", tmp_path / "full.json", include_confidential=True)
    data = json.loads(full.read_text())
    assert data["confidential_notes_included"] is True
    assert data["meetings"][0]["record"]["confidential"] == marker(1, "secret")
    audit = json.loads(store.conn.execute(
        "SELECT after FROM audit_log WHERE action = 'export' ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert audit["confidential_notes_included"] is True


def test_other_pupils_named_in_free_text_are_listed_and_withheld(store, adviser, tmp_path):
    a = add_marked_pupil(store, adviser, 1)
    chloe = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(900), legal_forename="Chloe",
                                                       legal_surname="O'Brien", dob="01/02/2011")))
    store.pupils.add(store.pupils.validate(pupil(upn=make_upn(901), legal_forename="Sam", legal_surname="Grace",
                                               dob="01/02/2011")))
    rid = store.records.start(pupil_id=a["id"], held_at=datetime(2026, 11, 20, 9, 0))
    store.records.save(rid, {"situation": "Works well with chloe  o'brien in art. Sam is keen.",
                            "decisions": "Will revise with O'Brien, Chloe and with Sam."})
    _, mentions = store.exports.preview(a["id"])
    # The whole name twice (two spellings, one mention); "Sam" alone is a forename in the same year
    # group, so it is raised too; "Will" (an ordinary word) is not.
    assert [(m.name, m.pupil_name, m.count, m.kind) for m in mentions] == [
        ("chloe o'brien", "O'Brien, Chloe", 2, "full"), ("Sam", "Grace, Sam", 2, "word")]
    assert "Where things stand" in mentions[0].where and "Decisions agreed" in mentions[0].where
    out = store.exports.pupil_record(a["id"], "html", tmp_path, redact=[f for m in mentions for f in m.forms])
    text = out.read_text()
    assert "brien" not in text.lower() and "Chloe" not in text and "Sam" not in text
    assert "[another pupil] in art" in text and "Will revise" in text
    assert "The names of other pupils, 4 times, shown as [another pupil]." in text
    given = store.conn.execute("SELECT withheld FROM exports_given WHERE pupil_id = ?", (a["id"],)).fetchone()[0]
    assert "other pupils" in given and chloe != a["id"]


HOSTILE = ('<script>alert(1)</script> & "quotes" \'single\' [b]bold[/b] **stars** _u_ `code` # heading\n'
           '=HYPERLINK("http://evil") +1 -2 @SUM(A1)\t\x00\x07\x1b[31mred\x1b[0m \u2028 ' + "long " * 400)


SHORT_HOSTILE = '<img src=x onerror=alert(2)> [i]x[/i] =1+1 @me -9 | a | **b**'


def test_hostile_text_stays_escaped_and_every_format_well_formed(store, adviser, tmp_path):
    p = add_marked_pupil(store, adviser, 2)
    rid = store.records.start(pupil_id=p["id"], held_at=datetime(2026, 11, 21, 9, 0))
    store.records.save(rid, {"situation": HOSTILE, "decisions": "- not a list\n1. not a list\n> not a quote",
                            "referrals": SHORT_HOSTILE})
    # The same text in the other kinds of field an export shows.
    store.actions.add(pupil_id=p["id"], record_id=rid, description=SHORT_HOSTILE, owner="school")
    plan = store.conn.execute("SELECT id FROM plans WHERE pupil_id = ?", (p["id"],)).fetchone()[0]
    store.plans.add_target(plan, {"area": "health", "what": SHORT_HOSTILE, "evidence": HOSTILE})
    activity = store.activities.add({"kind": "employer_talk", "title": SHORT_HOSTILE, "held_on": "13/11/2026",
                                   "organisation": SHORT_HOSTILE, "benchmarks": [5]})
    store.activities.attach(activity, [p["id"]])
    store.requests.log(p["id"], {"requester_kind": "other", "requester_name": SHORT_HOSTILE})
    paths = {fmt: store.exports.pupil_record(p["id"], fmt, tmp_path) for fmt in FORMATS}
    html = paths["html"].read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and html.count("&lt;img src=x onerror=alert(2)&gt;") >= 5
    assert "&amp; &quot;quotes&quot;" in html and "\x00" not in html and "\x1b" not in html
    md = paths["md"].read_text()
    assert "<script>" not in md and "&lt;script&gt;" in md and "\\*\\*stars\\*\\*" in md
    assert "<img" not in md and md.count("&lt;img src=x onerror=alert(2)&gt; \\[i\\]x\\[/i\\]") >= 5
    assert "a \\| \\*\\*b\\*\\*" in md
    assert "\\- not a list" in md and "1\\. not a list" in md and "&gt; not a quote" in md
    assert "\x00" not in md and "\x07" not in md
    data = json.loads(paths["json"].read_text())            # well-formed, text kept as typed
    assert any(m["record"] and "<script>" in (m["record"]["text"]["situation"] or "") for m in data["meetings"])
    reader = PdfReader(str(paths["pdf"]))
    text = "".join(pg.extract_text() for pg in reader.pages)
    assert "<script>alert(1)</script>" in text and len(reader.pages) >= 2
    assert md_line("=SUM(A1)") == "\\=SUM(A1)"


def test_every_name_prints_in_the_pdf(store, adviser, tmp_path):
    names = [("Łukasz", "Wójcik"), ("Nía", "Ní Bhriain"), ("Zoë", "Brontë"), ("민준", "김"), ("子浩", "陈")]
    for n, (fore, sur) in enumerate(names):
        pid = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(700 + n), legal_forename=fore,
                                                         legal_surname=sur, dob="01/02/2012")))
        text = text_of(store.exports.pupil_record(pid, "pdf", tmp_path))
        # In the pupil's own order: family name first and run together for Korean and Chinese.
        own = f"{sur}{fore}" if sur in ("김", "陈") else f"{fore} {sur}"
        assert own in text.replace("\n", " "), (fore, sur, text[:200])


def test_files_are_owner_only_atomic_and_a_failed_write_records_nothing(store, adviser, tmp_path, monkeypatch):
    p = add_marked_pupil(store, adviser, 3)
    out = tmp_path / "out"
    out.mkdir()
    old_umask = os.umask(0o022)
    try:
        path = store.exports.pupil_record(p["id"], "pdf", out)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [f.name for f in out.iterdir()] == [path.name]          # no temporary file left
    given = store.conn.execute("SELECT count(*) FROM exports_given").fetchone()[0]
    with pytest.raises(StoreError, match="does not exist"):
        store.exports.pupil_record(p["id"], "md", tmp_path / "nowhere" / "x.md")

    from gatsby_tui.exports import files

    def broken(target, data, mode=0o600):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "write_new", broken)
    with pytest.raises(StoreError, match="No space left on device"):
        store.exports.pupil_record(p["id"], "md", tmp_path / "full.md")
    assert not (tmp_path / "full.md").exists()
    assert store.conn.execute("SELECT count(*) FROM exports_given").fetchone()[0] == given


def test_answering_a_request_records_the_copy_and_closes_the_request(store, adviser, tmp_path):
    p = add_marked_pupil(store, adviser, 4)
    sar_id = store.conn.execute("SELECT id FROM subject_access_requests WHERE pupil_id = ?", (p["id"],)).fetchone()[0]
    store.exports.pupil_record(p["id"], "pdf", tmp_path, sar_id=sar_id, how="posted home")
    request = store.requests.get(sar_id)
    assert request.status == "fulfilled" and request.fulfilled_on.isoformat() == "2026-11-22"
    row = store.conn.execute("SELECT kind, format, given_on, how, sar_id FROM exports_given WHERE pupil_id = ?",
                             (p["id"],)).fetchone()
    assert tuple(row) == ("record", "pdf", "2026-11-22", "posted home", sar_id)
    history = store.history.for_pupil(p["id"], kind="export")
    assert [e.title for e in history][:2] == ["Copy of the record given",
                                              f"Subject access request from a parent or carer ({marker(4, 'parent')})"]
    assert "answered 22/11/2026" in history[1].detail
    # Another pupil's request cannot be answered with this pupil's record.
    q = add_marked_pupil(store, adviser, 5)
    other = store.conn.execute("SELECT id FROM subject_access_requests WHERE pupil_id = ?", (q["id"],)).fetchone()[0]
    with pytest.raises(StoreError, match="another pupil"):
        store.exports.pupil_record(p["id"], "md", tmp_path / "x.md", sar_id=other)
    assert not (tmp_path / "x.md").exists() and store.requests.get(other).status == "open"


def test_action_plan_from_a_signed_off_record_is_one_page_and_recorded_as_given(store, adviser, tmp_path):
    p = add_marked_pupil(store, adviser, 6)
    store.bookings.book(BookingRequest(pupil_id=p["id"], adviser_id=adviser, start=datetime(2026, 12, 3, 11, 0)), confirm=True)
    path = store.exports.action_plan(p["record"], "pdf", tmp_path, how="handed over")
    reader = PdfReader(str(path))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1 and "action plan" in path.name
    for f in ("situation", "aspire", "advice", "amended", "action"):
        assert marker(6, f) in text, f
    assert marker(6, "secret") not in text and "3 December 2026 at 11:00 with Helen Marsh" in text
    assert "h.marsh@school.example" in text
    md = store.exports.action_plan(p["record"], "md", tmp_path).read_text()
    assert "## Your actions" in md and marker(6, "action") in md
    rows = store.conn.execute("SELECT kind, how, record_id FROM exports_given WHERE pupil_id = ? ORDER BY id",
                              (p["id"],)).fetchall()
    assert [tuple(r) for r in rows] == [("action_plan", "handed over", p["record"])] * 2
    assert store.history.for_pupil(p["id"], kind="export")[0].title == "Action plan given"
    # Given at 10:00 today, after the meeting it came from: the history (newest first) keeps that order.
    given = store.conn.execute("SELECT given_on, given_at FROM exports_given WHERE pupil_id = ? ORDER BY id",
                               (p["id"],)).fetchone()
    assert tuple(given) == ("2026-11-22", "2026-11-22T10:00:00")
    # A conversation at 09:00 today, its plan given at 10:00: newest first, the plan comes first.
    rid = store.records.start(pupil_id=p["id"], held_at=datetime(2026, 11, 22, 9, 0))
    store.records.save(rid, {"reason": "Drop-in", "confidentiality_explained": True, "situation": "Unsure",
                            "advice_given": "Look at two colleges", "decisions": "Visit open days"})
    store.records.sign_off(rid)
    store.exports.action_plan(rid, "md", tmp_path / "today.md")
    events = [(e.at, e.title) for e in store.history.for_pupil(p["id"]) if e.at.startswith("2026-11-22")]
    plan_at = next(i for i, (_, title) in enumerate(events) if title == "Action plan given")
    record_at = next(i for i, (at, title) in enumerate(events) if at.startswith("2026-11-22T09:00")
                     and title.startswith("Guidance record"))
    assert plan_at < record_at, events
    draft = store.records.start(pupil_id=p["id"], held_at=datetime(2026, 11, 21, 9, 0))
    with pytest.raises(StoreError, match="Sign the meeting record off first"):
        store.exports.action_plan(draft, "pdf", tmp_path)


def test_bulk_export_writes_one_file_per_pupil_with_progress(store, adviser, tmp_path):
    pupils = [add_marked_pupil(store, adviser, i) for i in range(3)]
    bare = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(950), legal_forename="Nomeet",
                                                      legal_surname="Yet", dob="01/02/2011")))
    seen = []
    out = tmp_path / "out"
    out.mkdir()
    written, skipped = store.exports.many([p["id"] for p in pupils] + [bare], "action_plan", "pdf", out,
                                         progress=lambda done, total: seen.append((done, total)))
    assert len(written) == 3 and skipped == ["Nomeet Yet"]
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in written)
    # Bulk files are not "given": nothing is recorded as given.
    assert store.conn.execute("SELECT count(*) FROM exports_given").fetchone()[0] == 0
    written, _ = store.exports.many([pupils[0]["id"]], "record", "md", tmp_path)
    assert marker(0, "secret") not in written[0].read_text()


def test_the_action_plan_and_the_copy_name_the_careers_leader(store, adviser, tmp_path):
    p = add_marked_pupil(store, adviser, 7)
    store.programme.save_school({"name": "Hollins Park Academy", "leader_name": "Daniel Whitaker",
                       "leader_email": "careers@hollinspark.example.org.uk"})
    plan = store.exports.action_plan(p["record"], "md", tmp_path).read_text()
    copy = store.exports.pupil_record(p["id"], "md", tmp_path / "copy.md").read_text()
    for text in (plan, copy):
        assert "Daniel Whitaker, careers leader" in text.replace("\\", "")
        assert "the school's careers leader" not in text and "Academy's careers leader" not in text


def test_an_action_plan_given_counts_as_a_copy_of_the_record_for_benchmark_3(store, adviser, tmp_path):
    from gatsby_tui.domain import benchmarks as rules

    p = add_marked_pupil(store, adviser, 8)
    copy_part = "a copy of the record, or an action plan, given to the pupil"
    before = next(x for x in store.coverage.pupil(p["id"])[3].parts if x.what == copy_part)
    assert before.status != rules.PART_MET
    store.exports.action_plan(p["record"], "md", tmp_path, how="handed over")
    after = next(x for x in store.coverage.pupil(p["id"])[3].parts if x.what == copy_part)
    assert after.status == rules.PART_MET


def test_namesakes_files_never_overwrite_each_other_and_the_count_is_the_count_on_disk(store, adviser, tmp_path):
    orla_a = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(801), legal_forename="Orla",
                                                        legal_surname="Ní Shúilleabháin", form="7A", dob="05/10/2014")))
    orla_d = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(802), legal_forename="Orla",
                                                        legal_surname="Ní Shúilleabháin", form="7D", dob="09/01/2015")))
    solo = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(803), legal_forename="Sam", legal_surname="Idris",
                                                      form="7A", dob="09/01/2015")))
    out = tmp_path / "out"
    out.mkdir()
    a = store.exports.pupil_record(orla_a, "md", out)
    d = store.exports.pupil_record(orla_d, "md", out)
    assert a.name == "Orla Ní Shúilleabháin (7A) - careers record - 2026-11-22.md"
    assert d.name == "Orla Ní Shúilleabháin (7D) - careers record - 2026-11-22.md"
    assert "7A" in a.read_text() and "7D" in d.read_text()
    # The same pupil again, and a file the app did not write under the next name: both kept.
    again = store.exports.pupil_record(orla_a, "md", out)
    assert again.name == "Orla Ní Shúilleabháin (7A) - careers record - 2026-11-22 (2).md"
    mine = out / "Sam Idris - careers record - 2026-11-22.md"
    mine.write_text("the school's own notes")
    sam = store.exports.pupil_record(solo, "md", out)
    assert sam.name == "Sam Idris - careers record - 2026-11-22 (2).md"
    assert mine.read_text() == "the school's own notes"
    # A file path given by hand that exists is not replaced either.
    chosen = tmp_path / "copy.md"
    chosen.write_text("keep me")
    written = store.exports.pupil_record(solo, "md", chosen)
    assert written == tmp_path / "copy (2).md" and chosen.read_text() == "keep me"
    # Bulk export: as many files on disk as it says it wrote, none replaced.
    bulk = tmp_path / "bulk"
    bulk.mkdir()
    files, _ = store.exports.many([orla_a, orla_d, solo, orla_a], "record", "md", bulk)
    assert len(files) == len(set(files)) == len(list(bulk.iterdir())) == 4
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in bulk.iterdir())


def test_pdf_has_an_outline_per_section_metadata_and_a_bold_cjk_heading(store, adviser, tmp_path):
    import re as regex

    pid = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(850), legal_forename="子涵", legal_surname="王",
                                                     dob="01/02/2011")))
    path = store.exports.pupil_record(pid, "pdf", tmp_path)
    reader = PdfReader(str(path))
    titles = []

    def walk(items, depth=0):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                titles.append((depth, item.title))

    walk(reader.outline)
    assert titles[0] == (0, "Careers guidance record: 王子涵")
    for section in ("Your details", "Guidance meetings", "Actions", "Your plan", "Questions"):
        assert (1, section) in titles, section
    meta = reader.metadata
    assert meta["/Title"] == "Careers guidance record: 王子涵" and meta["/Author"]
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    # No bold CJK font is bundled: the heading holding 王子涵 is drawn filled and outlined (bold).
    assert regex.search(rb"\b2 Tr\b", reader.pages[0].get_contents().get_data())


def test_the_copy_reads_as_one_truth_in_words_a_family_understands(store, adviser, tmp_path):
    pid = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(860), legal_forename="Noor", legal_surname="Ali",
                                                     dob="01/02/2011", sen_status="E")))
    plan = store.plans.create(pid, {"aspirations": "First hopes.", "next_review_on": "15/01/2027"})
    for area, what in (("health", "Book own dentist visit"), ("community", "Join a youth club"),
                       ("independent_living", "Travel to college alone"), ("employment", "Write a CV")):
        store.plans.add_target(plan, {"area": area, "what": what, "status": "in progress",
                                     "evidence": "Seen by the SENCO."})
    store.plans.hold_review(plan, {"reviewed_on": "20/11/2026", "participants": ["pupil", "senco"],
                                  "what_changed": "Targets reviewed.", "next_review_on": "20/05/2027",
                                  "aspirations": "Now hopes to work with animals."})
    store.plans.update(plan, {"next_review_on": "10/06/2027"})          # rescheduled after the review
    sar = store.requests.log(pid, {"requester_kind": "parent", "requester_name": "Mrs Ali", "received_on": "20/11/2026"})
    text = store.exports.pupil_record(pid, "md", tmp_path, sar_id=sar).read_text()
    assert ".." not in text.replace("...", "") and "))" not in text
    # One next-review date: the plan's own, not the one the review set before it was moved.
    assert "10 June 2027" in text and "20 May 2027" not in text
    # The current version in full; earlier versions said to exist, on request.
    assert "Now hopes to work with animals." in text and "First hopes." not in text
    assert "1 earlier version, the first made on 22 November 2026. You can ask the school for any of them." in text
    # PfA targets in the usual order.
    order = [text.index(w) for w in ("Write a CV", "Travel to college alone", "Join a youth club",
                                     "Book own dentist visit")]
    assert order == sorted(order)
    # The request this copy answers is not called open.
    assert "answered by this copy, on 22 November 2026" in text and "not answered yet" not in text
    # Dates in words, what the school did not provide said as such, terms explained.
    assert "(missed)" not in text and not __import__("re").search(r"\d/\d\d/20\d\d", text)
    assert "The school did not provide this in time" in text
    assert "**SENCO:** the school's special educational needs coordinator" in text
    assert "**EHCP:**" in text and "Level 3" not in text.split("## Words used")[1]


def test_an_ehcp_review_with_a_level_7_adviser_is_personal_guidance_in_the_copy(store, tmp_path):
    lead = store.advisers.add({"name": "Daniel Whitaker", "qualification_level": "7",
                              "qualification": "Postgraduate Diploma in Career Guidance (QCG), Level 7"})
    store.advisers.set_current(lead)
    pid = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(870), dob="01/02/2011", sen_status="E")))
    iid = store.bookings.book(BookingRequest(pupil_id=pid, adviser_id=lead, start=datetime(2026, 10, 6, 10, 0),
                                    kind="ehcp_review"), confirm=True)
    store.bookings.mark_held(iid)
    before = store.exports.pupil_record(pid, "md", tmp_path).read_text()
    assert "Benchmark 8, Personal guidance: not yet" in before        # held, but nothing recorded yet
    rid = store.records.start(interview_id=iid)
    store.records.save(rid, {"confidentiality_explained": True, "situation": "Year 11, EHCP review.",
                            "advice_given": "Talked through college courses.", "decisions": "Visit the college."})
    store.records.sign_off(rid)
    text = store.exports.pupil_record(pid, "md", tmp_path).read_text()
    assert "Benchmark 8, Personal guidance: met" in text


def test_long_text_in_a_pdf_wraps_inside_the_margins_and_keeps_every_word():
    """Paragraphs, field values and bullets are laid out line by line: every word printed once,
    in order, over as many pages as it takes, and no line running past the right margin."""
    import io

    from gatsby_tui.exports.document import Bullets, Document, Fields, Para
    from gatsby_tui.exports.pdf import pdf_bytes

    words = [f"word{i}" for i in range(900)]
    long_word = "Llanfairpwllgwyngyll" * 8                          # wider than the column
    doc = Document("Record of Ada Lovelace", "careers record", "School")
    doc.blocks += [Para(" ".join(words[:300]) + " " + long_word),
                   Fields([("Advice given", " ".join(words[300:600])), ("Next steps\nagreed", "Two\nlines")]),
                   Bullets([" ".join(words[600:900])])]
    reader = PdfReader(io.BytesIO(pdf_bytes(doc, produced=datetime(2026, 11, 22, 12, 0))))
    assert len(reader.pages) >= 3
    text = " ".join(page.extract_text() for page in reader.pages)
    found = [w for w in text.split() if w.startswith("word")]
    assert found == words
    assert long_word in text.replace("\n", "").replace(" ", "")
    assert "Two" in text and "lines" in text and "agreed" in text
    # A line of 11-point text across the 174 mm between the margins holds about 90 characters.
    lines = [line for page in reader.pages for line in page.extract_text().splitlines()]
    assert max(len(line) for line in lines) <= 100
    assert sum(len(line) > 70 for line in lines) > 40                    # and the lines are filled
