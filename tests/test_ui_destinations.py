"""Leavers and destinations driven through the pilot."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Input, Select

from gatsby_tui.app import build_app
from gatsby_tui.screens.destinations import ConsentForm, DestinationForm, DestinationsScreen
from gatsby_tui.screens.leavers import LeaversScreen
from gatsby_tui.widgets.tickbox import TickBox

from helpers import make_upn, pupil
from helpers import screen_text
from gatsby_tui.widgets.paged import PagedTable

SIZE = (120, 40)
LEFT = date(2026, 7, 17)


@pytest.fixture
def leavers(store):
    adviser = store.advisers.add({"name": "Helen Marsh", "kind": "external"})
    store.advisers.set_current(adviser)
    ids = {}
    for n, (fore, sur, consent) in enumerate((("Siobhán", "O'Brien-Ní Bhriain", True), ("Ben", "Hughes", False),
                                              ("[b]Bold[/b]", "Markup", True), ("Cara", "Doyle", True))):
        ids[sur] = store.pupils.add(store.pupils.validate(pupil(
            upn=make_upn(n + 1), legal_forename=fore, legal_surname=sur, dob="14/03/2010", form="",
            destination_consent=consent)))
        store.pupils.set_left(ids[sur], LEFT)
    store.destinations.record_actual(ids["Doyle"], {"code": "619", "method": "phone call", "checked_on": "01/10/2026"})
    return ids


def rows_of(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_leavers_summary_views_and_recording_a_destination(store, leavers):
    siobhan = leavers["O'Brien-Ní Bhriain"]
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, LeaversScreen)
        text = screen_text(app)
        assert "2026 leavers (2025/26): 4 leavers" in text
        assert "Education 0 (0%)" in text and "NEET 1 (25%)" in text and "Not known 3 (75%)" in text
        table = app.screen.query_one("#leavers-table", PagedTable)
        assert [r[0] for r in rows_of(table)] == ["Doyle, Cara", "Hughes, Ben", "Markup, [b]Bold[/b]",
                                                  "O'Brien-Ní Bhriain, Siobhán"]
        await pilot.press("n")
        await pilot.pause()
        assert [r[0] for r in rows_of(table)] == ["Doyle, Cara"]
        assert rows_of(table)[0][2] == "⚠ NEET 619 Seeking employment, education or training"
        await pilot.press("u")
        await pilot.pause()
        assert len(rows_of(table)) == 3 and "Showing all 3 leavers with no known destination" in screen_text(app)

        # Record where Siobhán went, with a typo first: refused with near matches.
        await pilot.press("G")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DestinationsScreen)
        assert "Consent to be contacted about destinations after 16: ✓ given" in screen_text(app)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, DestinationForm)
        form.query_one("#code", Input).value = "apprentiseship"
        await pilot.pause()
        text = screen_text(app)
        assert "✗ 'apprentiseship' is not an NCCIS destination code" in text and "mean 310 Apprenticeship" in text
        form.query_one("#method", Input).value = "phone call"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert store.destinations.for_pupil(siobhan)["actual"] == []
        form.query_one("#code", Input).value = "310"
        await pilot.pause()
        assert "✓ 310 Apprenticeship" in screen_text(app)
        form.query_one("#provider", Input).value = "Calder Engineering"
        form.query_one("#start_date", Input).value = "07/09/2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DestinationsScreen)
        text = screen_text(app)
        assert "Now: 310 Apprenticeship — Calder Engineering (recorded 22/11/2026)" in text
        assert "1 year 17/07/2027 upcoming" in text
        info = store.destinations.for_pupil(siobhan)
        assert info["actual"][0]["code"] == "310" and info["actual"][0]["start_date"] == "2026-09-07"
        assert info["checks"][0]["method"] == "phone call" and info["checks"][0]["checked_on"] == "2026-11-22"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LeaversScreen)
        text = screen_text(app)
        assert "Employment 1 (25%)" in text and "Not known 2 (50%)" in text
    audit = store.conn.execute("SELECT table_name FROM audit_log WHERE pupil_id = ? AND action = 'insert'",
                               (siobhan,)).fetchall()
    assert {r[0] for r in audit} >= {"destinations", "destination_checks"}


async def test_tracking_without_consent_is_refused_then_allowed_once_consent_is_recorded(store, leavers):
    ben = leavers["Hughes"]
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(DestinationsScreen(ben))
        await pilot.pause()
        text = screen_text(app)
        assert "✗ not recorded" in text
        assert "has not consented to be contacted" in text
        for key in ("a", "c"):                 # an actual destination, a check: refused at once
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, DestinationsScreen)
            assert any("tracking them is refused" in n.message for n in app._notifications)
        # Had the form been open (consent withdrawn meanwhile), saving is refused too.
        app.push_screen(DestinationForm(ben, "actual"))
        await pilot.pause()
        form = app.screen
        form.query_one("#code", Input).value = "230"
        form.query_one("#method", Input).value = "phone call"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form, "refused: the form stays open with the reason"
        assert "tracking them is refused" in screen_text(app)
        assert store.destinations.for_pupil(ben)["actual"] == []
        assert store.conn.execute("SELECT count(*) FROM destination_checks WHERE pupil_id = ?", (ben,)).fetchone()[0] == 0
        await pilot.press("escape")          # the form holds typing: asked first, and y discards it
        await pilot.pause()
        assert "not saved it" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        # Record consent, then it is allowed.
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ConsentForm)
        app.screen.query_one("#consent", TickBox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DestinationsScreen)
        assert "✓ given" in screen_text(app)
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#code", Input).value = "further education"
        app.screen.query_one("#method", Input).value = "email"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DestinationsScreen)
        assert "Now: 230 Further education" in screen_text(app)
    assert store.pupils.get(ben)["destination_consent"] == 1
    assert store.destinations.for_pupil(ben)["actual"][0]["code"] == "230"


async def test_intended_destination_with_offer_for_a_year_11_pupil(store, leavers):
    y11 = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(9), legal_forename="Nía",
                                                     legal_surname="Fernández Ruiz", dob="14/03/2011")))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(DestinationsScreen(y11))
        await pilot.pause()
        assert app.screen.check_action("add_check", ()) is False      # checks are for leavers
        await pilot.press("i")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, DestinationForm)
        form.query_one("#code", Input).value = "sixth-form college"
        form.query_one("#provider", Input).value = "Northgate Sixth Form College"
        form.query_one("#offer_status", Select).value = "offered"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DestinationsScreen)
        intended = app.screen.query_one("#dest-intended", DataTable)
        row = [str(c) for c in intended.get_row_at(0)]
        assert row[1:4] == ["Year 11", "220 Sixth-form college", "Northgate Sixth Form College"]
        assert row[5].startswith("offered")
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#offer_status", Select).value = "accepted"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "✓ accepted" in str(app.screen.query_one("#dest-intended", DataTable).get_row_at(0)[5])
    assert store.destinations.for_pupil(y11)["intended"][0]["offer_status"] == "accepted"
