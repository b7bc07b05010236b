"""Past retention through the pilot: opened from the palette, pupils marked, erased or
pseudonymised after typing the word, the periods changed; a wrong word changes nothing."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from textual.widgets import Input, Static

from helpers import make_upn, pupil
from gatsby_tui.app import build_app
from gatsby_tui.screens.retention import ConfirmRemoval, RetentionPeriodsForm, RetentionScreen
from test_retention import NAME, UNIQUE_NOTE, _everything, found_in_file
from helpers import fill, insert, screen_text
from gatsby_tui.widgets.paged import PagedTable

SIZE = (120, 40)


@pytest.fixture
def leavers(store, clock, tmp_path):
    """Three leavers past retention on 22/11/2026 (Zebedee with a whole history), one still on roll."""
    store.advisers.set_current(store.advisers.add({"name": "Ms Patel"}))
    ids = {"zeb": _everything(store, clock, tmp_path, n=1, fore=NAME[0], sur=NAME[1], note=UNIQUE_NOTE)["pupil"]}
    clock.moment = datetime(2010, 11, 22, 10, 0)
    for n, (fore, sur) in enumerate((("Ada", "Ashworth"), ("Bram", "Bell"), ("Cy", "Onroll")), start=2):
        ids[sur] = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n), legal_forename=fore, legal_surname=sur,
                                                              dob="14/03/1995", form="")))
        if sur != "Onroll":
            store.pupils.set_left(ids[sur], date(2010, 11, 1))
    clock.moment = datetime(2026, 11, 22, 10, 0)
    return ids


def _table(app) -> PagedTable:
    return app.screen.query_one("#retention-table", PagedTable)


def _names(app) -> list[str]:
    table = _table(app)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


async def _open_from_palette(app, pilot) -> RetentionScreen:
    await pilot.pause()
    await pilot.press("ctrl+p")
    await pilot.pause()
    await insert(pilot, "past retention")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, RetentionScreen)
    return app.screen


async def test_open_from_the_palette_mark_and_erase_with_the_word_typed(store, leavers):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_from_palette(app, pilot)
        assert _names(app) == ["Ashworth, Ada", "Bell, Bram", "Quillfeather, Zeb"]
        text = screen_text(app)
        assert "Leavers past the retention period" in text and "Showing all 3 pupils · none marked" in text
        assert "SEN file: 31 years from birth, until 14/03/2026" in text
        assert "Pupil record: 25 years from birth, until 14/03/2020" in text
        await pilot.press("G")                                 # Zebedee: the last row
        await pilot.press("space")
        await pilot.pause()
        assert screen.marked == {leavers["zeb"]}
        assert "1 marked" in screen_text(app)
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmRemoval)
        text = screen_text(app)
        assert "Erase 1 pupil for good?" in text and "Quillfeather, Zeb" in text
        assert "This cannot be undone." in text
        assert "backup copy taken before now still holds their data until it is rotated out" in text
        # A wrong word does nothing.
        before = store.conn.execute("SELECT count(*) FROM pupils").fetchone()[0]
        await insert(pilot, "erase")
        await pilot.press("enter")
        await pilot.pause()
        assert "Type ERASE in capitals to confirm. Nothing was changed." in str(
            dialog.query_one("#removal-result", Static).render())
        assert isinstance(app.screen, ConfirmRemoval)
        assert store.conn.execute("SELECT count(*) FROM pupils").fetchone()[0] == before
        dialog.query_one("#confirm", Input).value = ""
        await insert(pilot, "ERASE")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RetentionScreen)
        assert _names(app) == ["Ashworth, Ada", "Bell, Bram"]
        assert screen.marked == set()
        assert any(n.message.startswith("Erased 1 pupil (") for n in app._notifications)
    assert store.pupils.get(leavers["zeb"]) is None
    assert store.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'erase' AND pupil_id IS NULL "
                              "AND row_id = ?", (leavers["zeb"],)).fetchone()[0] == 1
    store.conn.close()
    assert found_in_file(store.path, NAME[1], UNIQUE_NOTE) == []


async def test_the_confirmation_lists_the_files_exported_for_them_and_nothing_of_theirs_is_left(store, leavers,
                                                                                                 tmp_path):
    out = tmp_path / "exports"
    out.mkdir()
    record = store.exports.pupil_record(leavers["zeb"], "html", out)
    searched = out / "register - search results.csv"
    store.exports.csv_list("register", {"search": NAME[1], "roll": "all"}, searched)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_go_retention()
        await pilot.pause()
        await pilot.press("G", "space", "x")                  # Zebedee: the last row
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmRemoval)
        words = str(dialog.query_one("#removal-words", Static).render())
        assert "files exported for them (recorded in the audit log) hold their data" in words
        assert str(record) in words and str(searched) in words
        await fill(pilot, "ERASE", "#confirm")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RetentionScreen)
        said = [n for n in app._notifications if "Erased" in n.message]
        assert len(said) == 1 and said[0].message.startswith("Erased 1 pupil (")
        assert "Erased" not in (said[0].title or "")                # not "Erased Erased 1 pupil"
        assert "files exported for them still hold their data" in said[0].message
        listed = str(app.screen.query_one("#retention-files", Static).render())
        assert str(record) in listed and str(searched) in listed
        assert "still hold their data" in screen_text(app)
    assert record.exists()                                       # the app names them; the adviser deletes them
    store.conn.close()
    assert found_in_file(store.path, NAME[0], NAME[1], make_upn(1), UNIQUE_NOTE) == []


async def test_a_wrong_word_or_escape_changes_nothing(store, leavers):
    before = list(store.conn.iterdump())
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_go_retention()
        await pilot.pause()
        await pilot.press("a")                                 # every pupil shown
        await pilot.pause()
        assert app.screen.marked == {leavers["zeb"], leavers["Ashworth"], leavers["Bell"]}
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmRemoval)
        assert "Pseudonymise 3 pupils?" in screen_text(app)
        for wrong in ("Pseudonymise", "ERASE", "PSEUDONYMISE NOW"):
            app.screen.query_one("#confirm", Input).value = ""
            await insert(pilot, wrong)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmRemoval)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RetentionScreen)
        await pilot.press("a")                                 # all marked: a unmarks them
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, RetentionScreen)         # nothing marked: nothing to confirm
        assert any("Mark the pupils first" in n.message for n in app._notifications)
    assert list(store.conn.iterdump()) == before


async def test_pseudonymise_from_the_screen(store, leavers):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_go_retention()
        await pilot.pause()
        await pilot.press("space")                             # Ada Ashworth
        await pilot.press("p")
        await pilot.pause()
        await insert(pilot, "PSEUDONYMISE")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RetentionScreen)
        pid = leavers["Ashworth"]
        assert f"Pseudonymised, Pupil {pid} (pseudonymised)" in _names(app)
        row = _table(app).get_row(str(pid))
        assert str(row[4]) == "already pseudonymised: erasing removes the rest"
    row = store.pupils.get(pid)
    assert (row["legal_surname"], row["dob"], row["date_left"]) == ("Pseudonymised", "1995-01-01", "2010-11-01")


async def test_the_periods_form_checks_and_saves_and_the_list_follows(store, leavers):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_go_retention()
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RetentionPeriodsForm)
        assert form.query_one("#record_years", Input).value == "25"
        form.query_one("#record_years", Input).value = "0"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "must be 1 to 100 years" in str(form.query_one("#periods-result", Static).render())
        assert store.retention.policy().record_years == 25
        form.query_one("#record_years", Input).value = "20"
        form.query_one("#send_years", Input).value = "40"
        await pilot.pause()
        assert "Shorter than the school retention guidance: pupil record 20 years" in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RetentionScreen)
        assert store.retention.policy().record_years == 20 and store.retention.policy().send_years == 40
        assert _names(app) == ["Ashworth, Ada", "Bell, Bram"]         # Zebedee's SEN file: 40 years now
        assert "⚠ Shorter than the school retention guidance" in screen_text(app)
        store.retention.set_policy({"record_years": 90, "send_years": 90, "destination_years": 3})
        app.screen.reload()
        await pilot.pause()
        assert _names(app) == []
        assert "No leaver is past the retention period today" in screen_text(app)


async def test_keys_are_in_the_footer_help_and_palette(store, leavers):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Past retention" in [c.title for c in app.get_system_commands(app.screen)]
        app.action_go_retention()
        await pilot.pause()
        footer = next(line for line in screen_text(app).splitlines() if "space Mark" in line)
        for words in ("Mark", "Mark all shown", "Pseudonymise", "Erase", "Periods"):
            assert words in footer
        await pilot.press("f1")
        await pilot.pause()
        assert "Asks you to type ERASE." in screen_text(app)
        await pilot.press("escape")
        await pilot.press("enter")                             # opens the pupil, to look before removing
        await pilot.pause()
        from gatsby_tui.screens.pupil import PupilScreen

        assert isinstance(app.screen, PupilScreen)
