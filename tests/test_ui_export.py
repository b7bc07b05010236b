"""Exports through the pilot: a pupil's record with other pupils withheld, a subject access request
logged, shown overdue on the first screen and answered, an action plan from a signed-off record,
and a bulk export with its progress bar."""

from __future__ import annotations

import stat
from datetime import datetime

import pytest
from textual.widgets import Input, ProgressBar, Select, Static

from helpers import make_upn, pupil
from gatsby_tui.app import build_app
from gatsby_tui.screens.export import BulkExportScreen, ExportScreen, SarForm, SarsScreen
from gatsby_tui.screens.pupil import PupilScreen
from gatsby_tui.screens.record import RecordScreen
from gatsby_tui.store import BookingRequest
from gatsby_tui.widgets.tickbox import TickBox
from helpers import screen_text
from gatsby_tui.widgets.paged import PagedTable

SIZE = (120, 40)


@pytest.fixture
def school(store):
    patel = store.advisers.add({"name": "Ms Patel", "qualification_level": "6", "email": "patel@school.example"})
    store.advisers.set_current(patel)
    amara = store.pupils.add(store.pupils.validate(pupil(dob="14/03/2011")))
    chloe = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(2), legal_forename="Chloe", legal_surname="Clarke",
                                                       dob="14/03/2011")))
    iid = store.bookings.book(BookingRequest(pupil_id=amara, adviser_id=patel, start=datetime(2026, 11, 16, 10, 0)), confirm=True)
    rid = store.records.start(interview_id=iid)
    store.records.save(rid, {"confidentiality_explained": "yes", "situation": "Revises with Chloe Clarke after school.",
                            "advice_given": "Explained T Levels.", "decisions": "Apply to Riverside College",
                            "intended_destination": "230", "confidential_notes": "Worried about home."})
    store.actions.add(pupil_id=amara, record_id=rid, description="Book the open evening", owner="pupil", due="30/11/2026")
    store.records.sign_off(rid)
    return {"patel": patel, "amara": amara, "chloe": chloe, "record": rid}


async def open_pupil(app, pilot, pupil_id):
    await pilot.pause()
    app.push_screen(PupilScreen(pupil_id))
    await pilot.pause()
    assert isinstance(app.screen, PupilScreen)
    return app.screen


def set_folder(screen, folder) -> None:
    screen.query_one("#folder", Input).value = str(folder)


async def test_export_a_record_withholding_another_pupil_and_confidential_notes(store, school, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_pupil(app, pilot, school["amara"])
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        text = screen_text(app)
        assert "Other pupils named in the free text (1): ticked names are withheld" in text
        assert "Chloe Clarke — 1 time: Where things stand" in text
        assert dialog.query_one("#mention-0", TickBox).value is True
        assert dialog.query_one("#confidential", TickBox).value is False
        # Nothing claims the copy was handed over until the adviser says so.
        assert dialog.query_one("#how", Select).value == ""
        dialog.query_one("#how", Select).value = "handed over"
        dialog.query_one("#format", Select).value = "html"
        set_folder(dialog, tmp_path / "missing")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "does not exist" in str(dialog.query_one("#export-result", Static).render())
        assert list(out.iterdir()) == [] and store.conn.execute("SELECT count(*) FROM exports_given").fetchone()[0] == 0
        set_folder(dialog, out)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PupilScreen)
        files = list(out.iterdir())
        assert [f.name for f in files] == ["Amara Okafor - careers record - 2026-11-22.html"]
        html = files[0].read_text()
        assert "Chloe" not in html and "[another pupil] after school" in html and "Worried" not in html
        assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
        row = store.conn.execute("SELECT kind, format, how FROM exports_given").fetchone()
        assert tuple(row) == ("record", "html", "handed over")
        assert store.settings.get("export_folder") == str(out)
        assert "Copy of the record given" in screen_text(app)          # in the pupil's history at once
        assert "Details changed" not in screen_text(app)               # the export is not a change of details


async def test_a_request_is_logged_shown_overdue_on_the_first_screen_and_answered(store, school, tmp_path):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_pupil(app, pilot, school["amara"])
        await pilot.press("s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SarForm)
        form.query_one("#requester_kind", Select).value = "parent"
        form.query_one("#received_on", Input).value = "15/10/2026"
        await pilot.pause()
        assert "Due by 16 November 2026 (Monday); 6 days overdue." in screen_text(app)   # 15 Nov is a Sunday
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Give the name of the person who asked." in screen_text(app)
        assert store.conn.execute("SELECT count(*) FROM subject_access_requests").fetchone()[0] == 0
        form.query_one("#requester_name", Input).value = "Grace Okafor"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PupilScreen)
        assert store.requests.page()[0].requester == "A parent or carer (Grace Okafor)"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert ("⚠ 1 subject access request is overdue (the earliest was due 16/11/2026): press r to see and answer it."
                in screen_text(app))
        await pilot.press("r")
        await pilot.pause()
        sars = app.screen
        assert isinstance(sars, SarsScreen)
        table = sars.query_one("#sars-table", PagedTable)
        assert [str(c) for c in table.get_row_at(0)][:3] == ["16/11/2026", "⚠ 6 days overdue", "Okafor, Amara"]
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportScreen) and dialog.query_one("#sar", Select).value == store.requests.page()[0].id
        dialog.query_one("#how", Select).value = "posted home"
        set_folder(dialog, tmp_path)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is sars
        assert "No open subject access requests" in screen_text(app)
        assert store.conn.execute("SELECT status, fulfilled_on FROM subject_access_requests").fetchone()[:] == (
            "fulfilled", "2026-11-22")
        assert store.conn.execute("SELECT how, sar_id FROM exports_given").fetchone()[0] == "posted home"
        await pilot.press("f2")
        await pilot.pause()
        assert "overdue" not in screen_text(app)


async def test_action_plan_from_the_signed_off_record(store, school, tmp_path):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(RecordScreen(school["record"]))
        await pilot.pause()
        await pilot.press("ctrl+y")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportScreen) and dialog.kind == "action_plan"
        assert "Action plan for Amara Okafor" in screen_text(app)
        assert dialog.query_one("#how", Select).value == ""      # not claimed as given until chosen
        dialog.query_one("#how", Select).value = "handed over"
        dialog.query_one("#format", Select).value = "md"
        set_folder(dialog, tmp_path)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        plan = tmp_path / "Amara Okafor - action plan - 2026-11-22.md"
        text = plan.read_text()
        assert "## Your actions" in text and "Book the open evening — you (the pupil), by 30 November 2026" in text
        assert "Worried" not in text and "patel@school\\.example" not in text and "patel@school.example" in text
        assert tuple(store.conn.execute("SELECT kind, record_id FROM exports_given").fetchone()) == (
            "action_plan", school["record"])


async def test_bulk_export_of_the_register_with_a_progress_bar(store, school, tmp_path):
    for n in range(3, 9):
        store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n), legal_forename=f"Pupil{chr(64 + n)}",
                                                   legal_surname="Extra", dob="14/03/2011")))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("X")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, BulkExportScreen)
        assert "Export for the list on screen: 8 pupils" in screen_text(app)
        dialog.query_one("#what", Select).value = "record"
        await pilot.pause()
        dialog.query_one("#format", Select).value = "md"
        set_folder(dialog, tmp_path)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        files = sorted(f.name for f in tmp_path.iterdir() if f.suffix == ".md")
        assert len(files) == 8 and "Chloe Clarke - careers record - 2026-11-22.md" in files
        assert dialog.query_one("#bulk-progress", ProgressBar).progress == 8
        assert "Wrote 8 files to" in str(dialog.query_one("#bulk-result", Static).render())
        amara = (tmp_path / "Amara Okafor - careers record - 2026-11-22.md").read_text()
        assert "Chloe" not in amara and "Worried" not in amara
        assert store.conn.execute("SELECT count(*) FROM exports_given").fetchone()[0] == 0


async def test_extend_then_withdraw_a_request_from_the_list(store, school):
    from gatsby_tui.screens.follow_ups import NoteDialog

    sar_id = store.requests.log(school["amara"], {"requester_kind": "pupil", "received_on": "20/11/2026"})
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, SarsScreen)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        app.screen.query_one("#note", Input).value = "Records from two services"
        await pilot.press("enter")
        await pilot.pause()
        assert store.requests.get(sar_id).extended and "22/02/2027" in screen_text(app)      # 20 Feb 2027 is a Saturday
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert store.requests.get(sar_id).status == "withdrawn"
        assert "No open subject access requests" in screen_text(app)
