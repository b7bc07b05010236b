"""The careers programme (Benchmark 1): the grid, planned versus delivered, and the exports."""

from __future__ import annotations

import html
import json
from datetime import datetime
import os
import stat

import pytest

from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.exports import programme as export
from gatsby_tui.store import StoreError

from helpers import make_upn, pupil

HOSTILE = '<script>alert("x")</script> & Tom\'s "fair" | *bold* [link](http://evil)'
TALK = {"kind": "employer_talk", "title": "Engineering talk", "held_on": "01/10/2026", "benchmarks": [5],
        "m_purpose": True, "m_outcomes": True, "m_interaction": True, "m_reflection": True}


def test_the_grid_holds_planned_items_in_order_and_marks_what_was_delivered(store):
    first = store.programme.add_item(2026, 10, 5, "Careers talks with employers")
    second = store.programme.add_item(2026, 10, 5, "Business mentoring")
    store.programme.add_item(2026, 11, 8, "Two 1:1 guidance meetings")
    talk = store.activities.add(TALK)
    assert store.programme.link(talk, first) is True
    assert store.programme.link(talk, first) is False
    grid = store.programme.grid(2026)
    items = grid.items(10, 5)
    assert [i.description for i in items] == ["Careers talks with employers", "Business mentoring"]
    assert items[0].delivered[0][2] == "Engineering talk" and not items[1].delivered
    assert (grid.planned, grid.delivered) == (3, 1)
    assert store.activities.get(talk)["programme_item"] == "Careers talks with employers"
    assert second != first


def test_unplanned_activities_are_counted_per_cell(store):
    pid = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1), dob="14/03/2012")))   # Year 10
    talk = store.activities.add(TALK)
    store.activities.attach(talk, [pid])
    grid = store.programme.grid(2026)
    assert grid.unplanned == {(10, 5): 1}


def test_items_are_edited_and_deleted_and_their_activities_unlinked(store):
    item = store.programme.add_item(2026, 7, 2, "Welcome assembly")
    talk = store.activities.add({**TALK, "benchmarks": [2]})
    store.programme.link(talk, item)
    assert store.programme.update_item(item, "Welcome careers assembly") is True
    assert store.programme.update_item(item, "Welcome careers assembly") is False
    assert store.programme.delete_item(item) == 1
    assert store.activities.get(talk)["programme_item_id"] is None
    assert store.programme.grid(2026).planned == 0
    actions = [r[0] for r in store.conn.execute(
        "SELECT action FROM audit_log WHERE table_name = 'programme_items' ORDER BY id")]
    assert actions == ["insert", "update", "delete"]


def test_bad_cells_and_links_are_refused_in_a_sentence(store):
    with pytest.raises(StoreError, match="Years 7 to 14"):
        store.programme.add_item(2026, 6, 2, "Too young")
    with pytest.raises(StoreError, match="Years 7 to 14"):
        store.programme.add_item(2026, 15, 2, "Too old")
    with pytest.raises(StoreError, match="Describe the planned activity"):
        store.programme.add_item(2026, 7, 2, "   ")
    last_year = store.programme.add_item(2025, 10, 5, "Last year's talks")
    talk = store.activities.add(TALK)
    with pytest.raises(StoreError, match="in 2026/27 but that planned activity is in the 2025/26 programme"):
        store.programme.link(talk, last_year)


def test_copying_last_years_programme(store):
    store.programme.add_item(2025, 10, 5, "Careers talks")
    store.programme.add_item(2025, 11, 8, "Guidance meetings")
    assert store.programme.copy_year(2025, 2026) == 2
    assert store.programme.grid(2026).planned == 2
    with pytest.raises(StoreError, match="already has planned activities"):
        store.programme.copy_year(2025, 2026)


def test_benchmark_1_follows_the_programme(store):
    pid = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1), dob="14/03/2012")))
    assert store.coverage.pupil(pid)[1].state == rules.NOT_YET
    store.programme.add_item(2026, 10, 6, "Work experience week")
    assert store.coverage.pupil(pid)[1].state == rules.MET


def test_the_web_page_is_self_contained_and_escapes_everything_typed(store, tmp_path):
    store.programme.add_item(2026, 10, 5, HOSTILE)
    item = store.programme.add_item(2026, 11, 7, "Post-16 fair")
    store.programme.link(store.activities.add({**TALK, "benchmarks": [7], "kind": "college_encounter"}), item)
    store.programme.save_school({"name": 'Hollins <Park> & "Academy"', "leader_name": "Daniel <b>Whitaker</b>"})
    path = store.programme.export(2026, tmp_path / "programme.html")
    page = path.read_text(encoding="utf-8")
    assert "<script>" not in page and "alert(" in page
    assert html.escape(HOSTILE, quote=True) in page
    assert "Hollins &lt;Park&gt; &amp; &quot;Academy&quot;" in page and "Daniel &lt;b&gt;Whitaker" in page
    assert "http" not in page.replace("http://evil", "") and "<link" not in page and "src=" not in page
    assert "Post-16 fair <span class=\"done\">✓ delivered</span>" in page
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    entry = store.conn.execute("SELECT after FROM audit_log WHERE action = 'export'").fetchone()
    assert json.loads(entry[0])["format"] == "html"


def test_the_markdown_escapes_everything_typed(store, tmp_path):
    store.programme.save_school({"name": "Hollins Park Academy", "leader_name": "Daniel Whitaker"})
    store.programme.save_page({"evaluation": HOSTILE, "b5_now": HOSTILE})
    store.programme.add_item(2026, 10, 5, HOSTILE)
    path = store.programme.export(2026, tmp_path / "programme.md")
    text = path.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| 5\\."))
    assert "<script>" not in text and "&lt;script&gt;" in row and "&amp; Tom's" in row
    assert "\\*bold\\*" in row and "\\[link\\]\\(http://evil\\)" in row
    assert row.count(" | ") == 1 and "\\|" in row          # the typed | cannot split the table
    assert "<script>" not in text.split("How we evaluate")[1]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_export_refuses_a_bad_name_or_folder(store, tmp_path):
    with pytest.raises(StoreError, match="the school's name and the careers leader's name first"):
        store.programme.export(2026, tmp_path / "programme.md")
    assert not (tmp_path / "programme.md").exists()
    store.programme.save_school({"name": "Hollins Park Academy", "leader_name": "Daniel Whitaker"})
    with pytest.raises(StoreError, match="ending in .html"):
        store.programme.export(2026, tmp_path / "programme.pdf")
    with pytest.raises(StoreError, match="does not exist"):
        store.programme.export(2026, tmp_path / "missing" / "programme.md")


def test_md_escape_is_one_line():
    assert export.md_escape("a\nb  c") == "a b c"


# ---------------------------------------------------------------- the school, its careers leader, the published page


def test_the_school_and_its_careers_leader_are_checked_and_audited(store):
    from gatsby_tui.store.programme import SchoolInvalid

    assert store.programme.school().missing == ["the school's name", "the careers leader's name"]
    with pytest.raises(SchoolInvalid) as e:
        store.programme.save_school({"name": " ", "leader_name": "", "leader_email": "careers at school",
                           "leader_phone": "ring me"})
    assert set(e.value.errors) == {"name", "leader_name", "leader_email", "leader_phone"}
    assert "never 'the school's careers leader'" in e.value.errors["leader_name"]
    assert store.conn.execute("SELECT count(*) FROM schools").fetchone()[0] == 0
    assert store.programme.save_school({"name": "Hollins Park Academy", "leader_name": "Daniel Whitaker",
                              "leader_email": "careers@hollinspark.example.org.uk",
                              "leader_phone": "01282 555 0142"}) is True
    s = store.programme.school()
    assert (s.name, s.leader_name, s.leader_phone, s.missing) == ("Hollins Park Academy", "Daniel Whitaker",
                                                                 "01282 555 0142", [])
    assert store.programme.save_school({"name": "Hollins Park Academy", "leader_name": "Daniel Whitaker",
                              "leader_email": "careers@hollinspark.example.org.uk",
                              "leader_phone": "01282 555 0142"}) is False
    entry = store.conn.execute("SELECT after FROM audit_log WHERE table_name = 'schools'").fetchall()
    assert len(entry) == 1 and "Daniel Whitaker" in entry[0][0]


def test_the_page_texts_and_next_review_are_checked(store):
    from gatsby_tui.store.programme import SchoolInvalid

    with pytest.raises(SchoolInvalid) as e:
        store.programme.save_page({"next_review": "01/09/2025", "evaluation": "x" * 5000})
    assert "has passed" in e.value.errors["next_review"] and "shorten it" in e.value.errors["evaluation"]
    assert store.programme.save_page({"next_review": "14/07/2027", "b3_now": "Records of every meeting."})
    s = store.programme.school()
    assert s.next_review == "2027-07-14" and s.statement(3) == ("Records of every meeting.", None)


def test_year_14_is_in_the_programme_as_the_schema_allows(store):
    store.programme.add_item(2026, 14, 6, "Supported internship placements")
    grid = store.programme.grid(2026)
    assert grid.years == tuple(range(7, 15)) and grid.items(14, 6)[0].description == "Supported internship placements"
    assert store.programme.grid(2025).years == tuple(range(7, 14))     # no Year 14 planned or on roll then


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory, built_sample):
    import shutil

    from gatsby_tui.clock import FixedClock
    from gatsby_tui.store import Store

    folder = tmp_path_factory.mktemp("demo-page")
    shutil.copyfile(built_sample, folder / "demo.db")
    s = Store.open(folder / "demo.db", clock=FixedClock(datetime(2026, 11, 22, 10, 0)))
    try:
        yield {fmt: s.programme.export(2026, folder / f"programme.{fmt}", figures=True).read_text(encoding="utf-8")
               for fmt in ("html", "md")}, s.programme.export(2026, folder / "plain.md", delivered=False).read_text(
            encoding="utf-8")
    finally:
        s.close()


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_the_demo_schools_published_page_carries_every_item(demo_page, fmt):
    pages, _ = demo_page
    page = html.unescape(pages[fmt]).replace("\\", "")
    # The careers leader, named, with email and telephone; never "the school's careers leader".
    assert "Daniel Whitaker" in page and "careers@hollinspark.example.org.uk" in page and "01282 555 0142" in page
    assert "the school's careers leader" not in page.lower()
    # The provider access policy statement the school wrote.
    assert "Provider access policy statement" in page and "Provider Access Legislation requires" in page
    # Per benchmark: its own statement, what we do now, what we will do next.
    for b in range(1, 9):
        assert f"Benchmark {b}: {rules.BENCHMARKS[b][0]}" in page
        assert rules.STATEMENTS[b][:60] in page
    assert page.count("What we do now") == 8 and page.count("What we will do next") == 8
    # How the programme is evaluated, with the current coverage and the destinations figures.
    assert "How we evaluate the programme and measure its impact" in page and "Compass+" in page
    assert "of the" in page and "pupils it is due for" in page
    assert "Destinations: 2026 leavers (2025/26)" in page and "Re-engagement" in page
    # The next review, every year group (Year 12 has nothing planned, and says so), delivered marks.
    assert "14 July 2027" in page
    for y in range(7, 14):
        assert f"Year {y}" in page
    assert "Nothing is planned for Year 12 yet." in page
    assert "✓ delivered" in page


def test_delivered_marks_are_optional(demo_page):
    _, plain = demo_page
    assert "delivered" not in plain and "Where we stand" not in plain
    assert "What we do now" in plain
