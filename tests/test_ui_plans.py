"""Individual plans driven through the pilot: Reviews due, a plan, targets, a review, versions."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Select, TextArea

from gatsby_tui.app import build_app
from gatsby_tui.screens.plan import CompareScreen, PlanForm, PlanScreen, ReviewForm, TargetForm
from gatsby_tui.screens.reviews_due import ReviewsDueScreen
from gatsby_tui.widgets.tickbox import TickBox

from helpers import make_upn, pupil
from helpers import screen_text

SIZE = (120, 40)


@pytest.fixture
def school(store):
    adviser = store.advisers.add({"name": "Priya Nair", "kind": "internal"})
    store.advisers.set_current(adviser)
    ids = {}
    for n, (fore, sur, sen, dob) in enumerate((("Siobhán", "O'Brien-Ní Bhriain", "E", "14/03/2012"),
                                                ("[b]Bold[/b]", "Markup", "K", "14/03/2013"),
                                                ("Ben", "Hughes", "N", "14/03/2012"))):
        ids[sur] = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n + 1), legal_forename=fore,
                                                              legal_surname=sur, sen_status=sen, dob=dob)))
    return ids


async def test_plan_from_reviews_due_target_review_and_comparison(store, school):
    siobhan = school["O'Brien-Ní Bhriain"]
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, ReviewsDueScreen)
        text = screen_text(app)
        assert "O'Brien-Ní Bhriain, Siobhán" in text and "EHCP, no plan yet" in text
        assert "Showing 1 pupil · most urgent first" in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        assert "No individual plan yet (EHCP). Press n to start one." in screen_text(app)

        # Start the plan.
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, PlanForm)
        form.query_one("#aspirations", TextArea).text = "To work with animals"
        form.query_one("#needs", TextArea).text = "Finds [crowds] hard"
        form.query_one("#next_review_on", Input).value = "31/02/2027"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form, "a bad date keeps the form open"
        assert "February 2027 has no day 31" in screen_text(app)
        assert store.plans.get(siobhan) is None
        form.query_one("#next_review_on", Input).value = "15/01/2027"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        text = screen_text(app)
        assert "Version 1 of 1 (current)" in text and "To work with animals" in text
        assert "Finds [crowds] hard" in text                      # markup-looking text shown as typed
        assert "⚠ No Preparing-for-Adulthood outcomes (Year 9 and above)" in text   # she is in Year 10
        assert store.plans.get(siobhan)["next_review_on"] == "2027-01-15"

        # Add a target.
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TargetForm)
        app.screen.query_one("#area", Select).value = "independent_living"
        app.screen.query_one("#what", Input).value = "Travel to college by bus with a buddy"
        app.screen.query_one("#by_when", Input).value = "01/03/2027"
        app.screen.query_one("#who_helps", Input).value = "Parent/carer"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        targets = app.screen.query_one("#plan-targets", DataTable)
        assert targets.row_count == 1
        assert str(targets.get_row_at(0)[0]) == "Independent living"
        assert str(targets.get_row_at(0)[5]) == "○ not started"
        assert "No Preparing-for-Adulthood outcomes" not in screen_text(app)

        # Hold a review: version 2, with the aspiration changed.
        await pilot.press("r")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewForm)
        review.query_one("#who-pupil", TickBox).value = True
        review.query_one("#who-senco", TickBox).value = True
        review.query_one("#others", Input).value = "LA caseworker"
        review.query_one("#what_changed", TextArea).text = "Aspiration is now horses."
        review.query_one("#next_review_on", Input).value = "20/05/2027"
        review.query_one("#is_ehcp_annual", TickBox).value = True
        review.query_one("#aspirations", TextArea).text = "To work with horses at a stables"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        text = screen_text(app)
        assert "Version 2 of 2 (current)" in text and "To work with horses at a" in text
        reviews = app.screen.query_one("#plan-reviews", DataTable)
        assert [str(c) for c in reviews.get_row_at(0)[:3]] == ["22/11/2026", "EHCP annual review",
                                                                "pupil, SENCO, LA caseworker"]
        plan = store.plans.get(siobhan)
        assert plan["current_version"] == 2 and plan["ehcp_annual_review_on"] == "2027-11-22"
        assert plan["reviews"][0]["participants"] == ["pupil", "SENCO", "LA caseworker"]
        assert plan["reviews"][0]["what_changed"] == "Aspiration is now horses."

        # The earlier version is still there, read only.
        await pilot.press("left_square_bracket")
        await pilot.pause()
        text = screen_text(app)
        assert "Version 1 of 2 — an earlier version, read only" in text and "To work with animals" in text
        assert app.screen.check_action("hold_review", ()) is None      # dimmed on an old version

        # Compare it with the current one.
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        text = screen_text(app)
        assert "Version 1 compared with version 2 (current)" in text
        assert "Aspirations — ≠ changed" in text
        assert "[−animals−]" in text and "[+horses at a stables+]" in text
        assert "Strengths — = unchanged" in text
        await pilot.press("u")
        await pilot.pause()
        assert "Strengths — = unchanged" not in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)

        # Back to the current version; mark the target achieved (a change to version 2 only).
        await pilot.press("right_square_bracket")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TargetForm)
        app.screen.query_one("#status", Select).value = "achieved"
        app.screen.query_one("#evidence", TextArea).text = "Did the journey on 12/02"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "✓ achieved" in screen_text(app)
        old, new = store.plans.get(siobhan, 1)["shown"], store.plans.get(siobhan)["shown"]
        assert old["targets"][0]["status"] == "not_started" and new["targets"][0]["status"] == "achieved"

        # Reviews due no longer lists her.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewsDueScreen)
        assert "Nothing due" in screen_text(app)
    audit_tables = [r[0] for r in store.conn.execute(
        "SELECT table_name FROM audit_log WHERE pupil_id = ? ORDER BY id", (siobhan,))]
    assert audit_tables.count("plan_versions") == 2 and "plan_reviews" in audit_tables
    assert audit_tables.count("plan_targets") == 2


async def test_review_refused_with_no_participants_keeps_the_form(store, school):
    markup = school["Markup"]
    plan_id = store.plans.create(markup, {"aspirations": "Be a chef"})
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(PlanScreen(markup))
        await pilot.pause()
        assert "Individual plan: [b]Bold[/b] Markup" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewForm)
        assert not app.screen.query("#is_ehcp_annual"), "no EHCP: no annual review box"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReviewForm)
        assert "Say who took part in the review" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
    assert store.conn.execute("SELECT count(*) FROM plan_reviews WHERE plan_id = ?", (plan_id,)).fetchone()[0] == 0


async def test_pupil_screen_opens_the_plan_and_the_destinations(store, school):
    from gatsby_tui.screens.destinations import DestinationsScreen
    from gatsby_tui.screens.pupil import PupilScreen

    hughes = school["Hughes"]
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(PupilScreen(hughes))
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        assert "No individual plan yet (no SEN). Press n to start one." in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PupilScreen)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DestinationsScreen)
        assert "On roll, Year 10" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PupilScreen)


async def test_esc_on_a_form_with_typing_asks_and_a_plan_can_end_at_a_review(store, school):
    siobhan = school["O'Brien-Ní Bhriain"]
    plan_id = store.plans.create(siobhan, {"aspirations": "To work with animals", "next_review_on": "01/12/2026"})
    store.plans.add_target(plan_id, {"area": "employment", "what": "Visit two colleges"})
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(PlanScreen(siobhan))
        await pilot.pause()
        # Escape on an untouched form closes it at once.
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewForm)
        assert "[ ] careers adviser" in screen_text(app)              # not cut off at 120 columns
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        # With typing, Escape asks; n goes back with the typing kept; y discards.
        await pilot.press("r")
        await pilot.pause()
        form = app.screen
        form.query_one("#what_changed", TextArea).text = "Targets reviewed."
        await pilot.press("escape")
        await pilot.pause()
        asked = " ".join(screen_text(app).split())
        assert "You have typed in this form and not saved it." in asked and "Keep typing (n)" in asked
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is form and form.query_one("#what_changed", TextArea).text == "Targets reviewed."
        # No next review date: refused in words, unless the plan ends here.
        form.query_one("#who-pupil", TickBox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and screen_text(app).count("Give the next review date") == 1   # shown once
        form.query_one("#ceased", TickBox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        assert "The plan ended at the review of 22/11/2026: no next review" in screen_text(app)
        assert store.plans.get(siobhan)["ceased_on"] == "2026-11-22"
        # Typing then Escape, then y: the form closes and nothing is saved.
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#aspirations", TextArea).text = "Something else"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        assert store.plans.get(siobhan)["shown"]["aspirations"] == "To work with animals"


async def test_reviews_due_shows_every_reason_whole_at_120_columns(tmp_path):
    from datetime import datetime

    from gatsby_tui.clock import FixedClock
    from gatsby_tui.store import Store

    s = Store.open(tmp_path / "t.db", clock=FixedClock(datetime(2026, 11, 22, 10, 0)))
    s.advisers.set_current(s.advisers.add({"name": "Priya Nair", "kind": "internal"}))
    pid = s.pupils.add(s.pupils.validate(pupil(upn=make_upn(1), legal_forename="Adebola", legal_surname="Okoro",
                                             sen_status="E", dob="14/03/2011")))
    plan = s.plans.create(pid, {"next_review_on": "10/12/2026", "ehcp_annual_review_on": "01/10/2026"})
    s.plans.add_target(plan, {"area": "employment", "what": "Choose a course"})
    app = build_app(s)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("f6")
            await pilot.pause()
            text = screen_text(app)
            for reason in ("EHCP annual review overdue by 52 days (was due 01/10/2026)",
                           "review due 10/12/2026 (in 18 days)", "no transition plan, deadline 31/03/2027"):
                assert reason in text, reason
    finally:
        s.close()
