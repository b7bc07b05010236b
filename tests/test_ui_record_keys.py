"""How many keys a plain guidance record takes, counted by pressing them: from the agenda to a
signed-off record with one action, a follow-up date and advice from a snippet. The free text
(situation, aspirations, decisions, the action's words) is counted apart: it is the record itself.

The defaults that keep the count down: the reason given at booking, the pupil's intended
destination from their last record, how this adviser gives copies, snippets, dates typed as
15/1, and a Tab order that follows the form."""

from __future__ import annotations

from datetime import datetime

import pytest
from textual.widgets import Input, TextArea

from gatsby_tui.app import build_app
from gatsby_tui.screens.record import RecordScreen
from gatsby_tui.screens.record_dialogs import ActionForm, SignOffConfirm
from gatsby_tui.store import BookingRequest

from helpers import make_upn, pupil

SIZE = (120, 40)
BUDGET = 300           # keys besides the free text, for a plain guidance record


class Keyboard:
    """Presses keys through the pilot and counts them: commands and moves apart from free text."""

    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.keys = 0
        self.free_text = 0

    async def press(self, *keys: str) -> None:
        self.keys += len(keys)
        await self.pilot.press(*keys)
        await self.pilot.pause()

    async def write(self, text: str) -> None:
        """Free text: typed a key a character, counted apart."""
        self.free_text += len(text)
        for ch in text:
            await self.pilot.press({" ": "space", "\n": "enter"}.get(ch, ch))
        await self.pilot.pause()


@pytest.fixture
def school(store):
    helen = store.advisers.add({"name": "Helen Marsh", "organisation": "Northway Careers", "kind": "external",
                               "qualification_level": "6"})
    store.advisers.set_current(helen)
    amara = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(1), dob="14/03/2011", form="11A")))
    # Her last guidance meeting, in September: signed off, with her intended destination.
    earlier = store.bookings.book(BookingRequest(pupil_id=amara, adviser_id=helen, start=datetime(2026, 9, 15, 10, 0)),
                         confirm=True)
    store.bookings.mark_held(earlier)
    rid = store.records.start(interview_id=earlier)
    store.records.save(rid, {"reason": "Year 11 guidance", "confidentiality_explained": True,
                            "situation": "Unsure", "advice_given": "Routes after 16", "decisions": "Research",
                            "intended_destination": "230", "copy_given_how": "Printed and handed over"})
    store.records.sign_off(rid)
    store.records.add_snippet("Post-16 routes", "Explained A levels, T levels and apprenticeships, and where each leads.")
    today = store.bookings.book(BookingRequest(pupil_id=amara, adviser_id=helen, start=datetime(2026, 11, 20, 10, 0),
                                      reason="Post-16 options"), confirm=True)
    return {"amara": amara, "interview": today}


async def test_a_plain_guidance_record_takes_fewer_than_300_keys(store, school, capsys):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        kb = Keyboard(pilot)
        await kb.press("f3", "p", "p", "enter")        # the agenda, back to Friday, the meeting
        await kb.press("h", "w")                       # held; write the record
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        assert screen.query_one("#reason", TextArea).text == "Post-16 options"        # from the booking
        assert screen.query_one("#intended_destination", Input).value == "230"        # from her last record
        assert screen.query_one("#copy_given_how", Input).value == "Printed and handed over"
        await kb.press("tab", "space")                 # confidentiality explained: ticked
        await kb.press("tab")
        await kb.write("Year 11, predicted 5s and 6s, enjoys design")
        await kb.press("tab")
        await kb.write("Product design at college")
        await kb.press("tab", "ctrl+t", "enter")       # advice: a snippet
        assert "T levels" in screen.query_one("#advice_given", TextArea).text
        await kb.press("tab")
        await kb.write("Apply to Riverside College")
        await kb.press("tab", "ctrl+n")                # the actions: add one
        assert isinstance(app.screen, ActionForm)
        await kb.write("Send the application")
        await kb.press("tab", "tab")                   # the owner is the pupil already
        await kb.press(*"15/1", "ctrl+s")
        assert isinstance(app.screen, RecordScreen)
        assert app.focused is screen.query_one("#intended_destination", Input)   # moved on past the actions
        await kb.press("tab", "tab")                   # the destination kept; referrals; the follow-up date
        assert app.focused is screen.query_one("#follow_up_date", Input)
        await kb.press(*"15/1")
        await kb.press("ctrl+o")                       # saves, checks, asks
        assert isinstance(app.screen, SignOffConfirm)
        await kb.press("y")
        assert isinstance(app.screen, RecordScreen)
    row = store.conn.execute("SELECT * FROM meeting_records WHERE interview_id = ?", (school["interview"],)).fetchone()
    assert row["status"] == "signed_off" and row["reason"] == "Post-16 options"
    assert row["intended_destination"] == "230" and row["follow_up_date"] == "2027-01-15"
    assert row["confidentiality_explained"] and "apprenticeships" in row["advice_given"]
    action = store.conn.execute("SELECT description, owner, due_date FROM actions WHERE record_id = ?",
                                (row["id"],)).fetchone()
    assert tuple(action) == ("Send the application", "pupil", "2027-01-15")
    with capsys.disabled():
        print(f"\nA plain guidance record: {kb.keys} keys besides {kb.free_text} characters of free text.")
    assert kb.keys < BUDGET


async def test_the_form_says_what_goes_on_the_pupils_copy_and_what_stays_internal(store, school):
    from textual.widgets import Label

    rid = store.records.start(interview_id=school["interview"])
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(RecordScreen(rid))
        await pilot.pause()
        screen = app.screen

        def label(key: str) -> str:
            return str(screen.query_one(f"#label-{key}", Label).render())

        for key in ("situation", "aspirations", "advice_given", "decisions", "intended_destination",
                    "follow_up_date"):
            assert label(key).endswith("on the pupil's copy"), key
        for key in ("reason", "referrals", "copy_given_on", "copy_given_how"):
            assert label(key).endswith("internal"), key
        assert "on the pupil's copy" not in label("confidential_notes")
        assert "Not shared with the pupil" in " ".join(str(w.render()) for w in screen.query(".confidential-label"))
    # And the action plan, the pupil's copy, holds exactly the fields marked so.
    from gatsby_tui.domain.record_fields import ON_PUPILS_COPY
    store.records.save(rid, {"confidentiality_explained": True, "situation": "S1", "aspirations": "A1",
                            "advice_given": "V1", "decisions": "D1", "referrals": "R1-internal"})
    store.records.sign_off(rid)
    plan = store.exports.action_plan(rid, "md", store.path.parent / "plan.md").read_text()
    assert all(text in plan for text in ("S1", "A1", "V1", "D1")) and "R1-internal" not in plan
    assert "Post-16 options" not in plan and set(ON_PUPILS_COPY) >= {"situation", "decisions"}
