"""The careers programme (Benchmark 1): the grid, planned versus delivered, and the exports."""

from __future__ import annotations

import html
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
    first = store.add_programme_item(2026, 10, 5, "Careers talks with employers")
    second = store.add_programme_item(2026, 10, 5, "Business mentoring")
    store.add_programme_item(2026, 11, 8, "Two 1:1 guidance meetings")
    talk = store.add_activity(TALK)
    assert store.link_activity(talk, first) is True
    assert store.link_activity(talk, first) is False
    grid = store.programme_grid(2026)
    items = grid.items(10, 5)
    assert [i.description for i in items] == ["Careers talks with employers", "Business mentoring"]
    assert items[0].delivered[0][2] == "Engineering talk" and not items[1].delivered
    assert (grid.planned, grid.delivered) == (3, 1)
    assert store.activity(talk)["programme_item"] == "Careers talks with employers"
    assert second != first


def test_unplanned_activities_are_counted_per_cell(store):
    pid = store.add_pupil(store.validate_pupil(pupil(upn=make_upn(1), dob="14/03/2012")))   # Year 10
    talk = store.add_activity(TALK)
    store.attach_pupils(talk, [pid])
    grid = store.programme_grid(2026)
    assert grid.unplanned == {(10, 5): 1}


def test_items_are_edited_and_deleted_and_their_activities_unlinked(store):
    item = store.add_programme_item(2026, 7, 2, "Welcome assembly")
    talk = store.add_activity({**TALK, "benchmarks": [2]})
    store.link_activity(talk, item)
    assert store.update_programme_item(item, "Welcome careers assembly") is True
    assert store.update_programme_item(item, "Welcome careers assembly") is False
    assert store.delete_programme_item(item) == 1
    assert store.activity(talk)["programme_item_id"] is None
    assert store.programme_grid(2026).planned == 0
    actions = [r[0] for r in store.conn.execute(
        "SELECT action FROM audit_log WHERE table_name = 'programme_items' ORDER BY id")]
    assert actions == ["insert", "update", "delete"]


def test_bad_cells_and_links_are_refused_in_a_sentence(store):
    with pytest.raises(StoreError, match="Years 7 to 13"):
        store.add_programme_item(2026, 6, 2, "Too young")
    with pytest.raises(StoreError, match="Describe the planned activity"):
        store.add_programme_item(2026, 7, 2, "   ")
    last_year = store.add_programme_item(2025, 10, 5, "Last year's talks")
    talk = store.add_activity(TALK)
    with pytest.raises(StoreError, match="in 2026/27 but that planned activity is in the 2025/26 programme"):
        store.link_activity(talk, last_year)


def test_copying_last_years_programme(store):
    store.add_programme_item(2025, 10, 5, "Careers talks")
    store.add_programme_item(2025, 11, 8, "Guidance meetings")
    assert store.copy_programme(2025, 2026) == 2
    assert store.programme_grid(2026).planned == 2
    with pytest.raises(StoreError, match="already has planned activities"):
        store.copy_programme(2025, 2026)


def test_benchmark_1_follows_the_programme(store):
    pid = store.add_pupil(store.validate_pupil(pupil(upn=make_upn(1), dob="14/03/2012")))
    assert store.pupil_benchmarks(pid)[1].state == rules.NOT_YET
    store.add_programme_item(2026, 10, 6, "Work experience week")
    assert store.pupil_benchmarks(pid)[1].state == rules.MET


def test_the_web_page_is_self_contained_and_escapes_everything_typed(store, tmp_path):
    store.add_programme_item(2026, 10, 5, HOSTILE)
    item = store.add_programme_item(2026, 11, 7, "Post-16 fair")
    store.link_activity(store.add_activity({**TALK, "benchmarks": [7], "kind": "college_encounter"}), item)
    store.conn.execute("INSERT INTO schools (name) VALUES ('Hollins <Park> & \"Academy\"')")
    path = store.export_programme(2026, tmp_path / "programme.html")
    page = path.read_text(encoding="utf-8")
    assert "<script>" not in page and "alert(" in page
    assert html.escape(HOSTILE, quote=True) in page
    assert "Hollins &lt;Park&gt; &amp; &quot;Academy&quot;" in page
    assert "http" not in page.replace("http://evil", "") and "<link" not in page and "src=" not in page
    assert "Post-16 fair <span class=\"done\">✓ delivered</span>" in page
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    entry = store.conn.execute("SELECT after FROM audit_log WHERE action = 'export'").fetchone()
    assert '"format": "html"' in entry[0]


def test_the_markdown_escapes_everything_typed(store, tmp_path):
    store.add_programme_item(2026, 10, 5, HOSTILE)
    path = store.export_programme(2026, tmp_path / "programme.md")
    text = path.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| 5\\."))
    assert "<script>" not in text and "&lt;script&gt;" in row and "&amp; Tom's" in row
    assert "\\*bold\\*" in row and "\\[link\\]\\(http://evil\\)" in row
    assert row.count(" | ") == 1 and "\\|" in row          # the typed | cannot split the table
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_export_refuses_a_bad_name_or_folder(store, tmp_path):
    with pytest.raises(StoreError, match="ending in .html"):
        store.export_programme(2026, tmp_path / "programme.pdf")
    with pytest.raises(StoreError, match="does not exist"):
        store.export_programme(2026, tmp_path / "missing" / "programme.md")


def test_md_escape_is_one_line():
    assert export.md_escape("a\nb  c") == "a b c"
