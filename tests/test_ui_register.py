"""The register driven as a person would, through Textual's pilot."""

from __future__ import annotations

from datetime import date

import pytest

from textual.widgets import DataTable, Input, Select, Static

from gatsby_tui.app import build_app
from gatsby_tui.screens.pupil import PupilScreen
from gatsby_tui.screens.pupil_form import PupilForm
from gatsby_tui.screens.register import RegisterScreen
from gatsby_tui.store import PupilFilter

from helpers import fill, insert, make_upn, pupil, screen_text, type_text, wait_for_import
from gatsby_tui.widgets.paged import PagedTable

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def adviser(store):
    """Someone is using the app (on first run the app asks; see test_ui_booking)."""
    adviser_id = store.advisers.add({"name": "Test Adviser", "kind": "external"})
    store.advisers.set_current(adviser_id)
    return adviser_id


def seed(store, n=5):
    people = [("Siobhán", "O'Brien-Ní Bhriain", "11A", "02/02/2011", "E"),
              ("Nía", "Jones", "10C", "14/03/2012", "N"),
              ("Alexander", "Wiśniewski", "9B", "14/03/2013", "K"),
              ("[b]Bold[/b]", "Markup", "8A", "14/03/2014", "N"),
              ("Tomasz", "Nowak", "7D", "14/03/2015", "N")]
    ids = []
    for i, (fore, sur, form, dob, sen) in enumerate(people[:n]):
        ids.append(store.pupils.add(store.pupils.validate(pupil(
            upn=make_upn(i + 1), legal_forename=fore, legal_surname=sur, form=form, dob=dob, sen_status=sen))))
    return ids


def names_shown(app) -> list[str]:
    table = app.screen.query_one("#register", PagedTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def status(app) -> str:
    return str(app.screen.query_one("#status", Static).render())


async def test_register_lists_pupils_and_searches_as_you_type(store):
    seed(store)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert len(names_shown(app)) == 5
        assert "Showing all 5 pupils" in status(app)
        # Markup in a name is shown as typed, not interpreted.
        assert "Markup, [b]Bold[/b]" in names_shown(app)
        await pilot.press("slash")
        await type_text(pilot, "obrien")
        await pilot.pause()
        assert names_shown(app) == ["O'Brien-Ní Bhriain, Siobhán"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(names_shown(app)) == 5
        await pilot.press("slash")
        await insert(pilot, "nia")
        await pilot.pause()
        assert names_shown(app) == ["Jones, Nía"]
        app.screen.query_one("#search", Input).value = "zzzz"
        await pilot.pause()
        assert names_shown(app) == []
        assert "No pupils match" in status(app)


async def test_down_from_the_search_box_moves_into_the_results(store):
    seed(store)
    store.pupils.add(store.pupils.validate(pupil(upn=make_upn(90), legal_forename="Fionn", legal_surname="O'Brien")))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        await insert(pilot, "obrien")
        await pilot.pause()
        assert names_shown(app) == ["O'Brien, Fionn", "O'Brien-Ní Bhriain, Siobhán"]
        await pilot.press("down")          # into the list, on the first match
        await pilot.press("down")          # the second match
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PupilScreen)
        assert "Siobhán O'Brien-Ní Bhriain" in str(app.screen.query_one("#pupil-name").render())


async def test_filters_narrow_the_register(store):
    seed(store)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#sen", Select).value = "E"
        await pilot.pause()
        assert names_shown(app) == ["O'Brien-Ní Bhriain, Siobhán"]
        app.screen.query_one("#sen", Select).clear()
        app.screen.query_one("#year", Select).value = 9
        await pilot.pause()
        assert names_shown(app) == ["Wiśniewski, Alexander"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(names_shown(app)) == 5


async def test_left_pupils_are_filtered_by_roll(store):
    ids = seed(store)
    store.pupils.set_left(ids[0], date(2026, 7, 20))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(names_shown(app)) == 4
        app.screen.query_one("#roll", Select).value = "left"
        await pilot.pause()
        assert names_shown(app) == ["O'Brien-Ní Bhriain, Siobhán"]
        table = app.screen.query_one("#register", PagedTable)
        assert str(table.get_row_at(0)[1]) == "Left 2026"


async def test_register_pages_from_sql_as_you_scroll(store):
    for i in range(230):
        store.pupils.add(store.pupils.validate(pupil(upn=make_upn(i), legal_surname=f"Surname{i:03d}")))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#register", PagedTable)
        assert table.row_count == 100
        assert "Showing 100 of 230 pupils" in status(app)
        table.move_cursor(row=95)
        await pilot.pause()
        assert table.row_count == 200
        await pilot.press("G")
        await pilot.pause()
        assert table.row_count == 230
        assert "Showing all 230 pupils" in status(app)
        await pilot.press("g")
        assert table.cursor_row == 0


async def test_add_a_pupil_through_the_form(store):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "No pupils on the register yet" in status(app)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PupilForm)
        form = app.screen
        await insert(pilot, make_upn(7))
        form.query_one("#legal_surname", Input).value = "O'Brien-Ní Bhriain"
        form.query_one("#legal_forename", Input).value = "Siobhán"
        form.query_one("#dob", Input).value = "02/02/2011"
        form.query_one("#form", Input).value = "11A"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert names_shown(app) == ["O'Brien-Ní Bhriain, Siobhán"]
        row = store.pupils.by_upn(make_upn(7))
        assert row["legal_surname"] == "O'Brien-Ní Bhriain" and row["dob"] == "2011-02-02"
        assert row["form"] == "11A"
        entries = store.conn.execute(
            "SELECT adviser_id FROM audit_log WHERE action = 'insert' AND table_name = 'pupils'").fetchall()
        assert [e["adviser_id"] for e in entries] == [store.adviser_id], "one entry, naming who added the pupil"


async def test_edit_with_a_bad_upn_explains_and_saves_nothing(store):
    ids = seed(store, 2)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, PupilForm)
        assert form.query_one("#legal_surname", Input).value == "Jones"  # first by name
        upn = form.query_one("#upn", Input)
        good = upn.value
        bad = ("A" if good[0] != "A" else "B") + good[1:]
        upn.value = bad
        form.query_one("#dob", Input).value = "31/02/2012"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PupilForm), "the form stays open"
        upn_error = str(form.query_one("#err-upn", Static).render())
        assert f"should be '{good[0]}'" in upn_error
        assert "February 2012 has no day 31" in str(form.query_one("#err-dob", Static).render())
        assert store.pupils.get(ids[1])["upn"] == good
        # Duplicate UPN names the pupil who has it.
        upn.value = store.pupils.get(ids[0])["upn"]
        form.query_one("#dob", Input).value = "14/03/2012"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "already belongs to O'Brien-Ní Bhriain, Siobhán" in str(form.query_one("#err-upn", Static).render())
        # Correct it and change the form: saved.
        upn.value = good
        form.query_one("#form", Input).value = "10D"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert store.pupils.get(ids[1])["form"] == "10D"


async def test_year_group_mismatch_warns_but_saves(store):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        form.query_one("#upn", Input).value = make_upn(3)
        form.query_one("#legal_surname", Input).value = "Doyle"
        form.query_one("#legal_forename", Input).value = "Cara"
        form.query_one("#dob", Input).value = "14/03/2012"
        form.query_one("#year_group", Input).value = "9"
        await pilot.pause()
        assert "differs from Year 10" in str(form.query_one("#form-warning", Static).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert store.pupils.page(PupilFilter(year=9))[0].surname == "Doyle"


async def test_open_a_pupil_mark_left_and_see_history(store):
    ids = seed(store, 2)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down")  # Jones, then O'Brien...
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PupilScreen)
        assert app.screen.pupil_id == ids[0]
        details = str(app.screen.query_one("#pupil-left-col", Static).render())
        assert "2 February 2011" in details and "Year group: 11" in details
        await pilot.press("l")
        await pilot.pause()
        app.screen.query_one("#date_left", Input).value = "20/07/2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PupilScreen)
        assert store.pupils.get(ids[0])["date_left"] == "2026-07-20"
        history = app.screen.query_one("#history", DataTable)
        titles = [str(history.get_row_at(i)[1]) for i in range(history.row_count)]
        assert titles[0] == "Marked as left on 20 July 2026"
        assert "Added to the register" in titles
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert names_shown(app) == ["Jones, Nía"]


async def test_f1_shows_help_for_the_screen(store):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        from gatsby_tui.screens.help import HelpScreen
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Import or update pupils" in text
        assert "Ctrl+P" in text and "F1" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)


async def test_command_palette_offers_the_register_actions(store):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Add", "Import", "Search", "Help", "Theme"} <= set(titles)


async def test_import_preview_then_commit(store, tmp_path):
    csv_path = tmp_path / "mis.csv"
    good1, good2 = make_upn(11), make_upn(12)
    csv_path.write_text(
        "\ufeffUPN,Legal Surname,Legal Forename,DOB,NC Year,Reg,SEN Provision\r\n"
        f"{good1},Okafor,Amara,14/03/2012,10,10B,N\r\n"
        f"{good2},Nowak,Tomasz,2015-03-14,7,7D,K\r\n"
        f"A801200005001,Wrong,Check,14/03/2012,10,10B,N\r\n",
        encoding="utf-8")
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        from gatsby_tui.screens.import_pupils import ImportScreen
        from textual.widgets import Button, Checkbox
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        screen.query_one("#path", Input).value = str(csv_path)
        screen.query_one("#path", Input).focus()              # typed, rather than chosen in the file list
        await pilot.press("enter")
        await wait_for_import(app)
        await pilot.pause()
        summary = str(screen.query_one("#import-summary", Static).render())
        assert "3 rows checked: 2 new, 0 to update, 0 unchanged, 1 rejected" in summary
        preview = screen.query_one("#import-preview", DataTable)
        first = [str(c) for c in preview.get_row_at(0)]
        assert first[0] == "4" and first[1] == "REJECTED" and "should be 'B'" in first[3]
        assert screen.query_one("#commit", Button).disabled, "a bad row blocks the import by default"
        assert store.pupils.count(PupilFilter()) == 0
        screen.query_one("#skip-invalid", Checkbox).value = True
        await pilot.pause()
        assert not screen.query_one("#commit", Button).disabled
        await pilot.press("ctrl+s")
        await wait_for_import(app)
        await pilot.pause()
        assert "Imported: added 2" in str(screen.query_one("#import-summary", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert sorted(names_shown(app)) == ["Nowak, Tomasz", "Okafor, Amara"]
        assert store.pupils.by_upn(good2)["sen_status"] == "K"


async def test_escape_with_unsaved_changes_asks_before_discarding(store):
    seed(store, 1)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#form", Input).value = "11Z"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PupilForm), "the first Escape only warns"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert store.pupils.page(PupilFilter())[0].form == "11A"
        # With nothing changed, one Escape closes.
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)


async def test_search_folds_every_letter_and_namesakes_are_told_apart(store):
    people = [("Łukasz", "Kozłowski", "9A", "01/03/2013"), ("Emre", "Kılıç", "9B", "02/03/2013"),
              ("Michał", "Nowak", "9C", "03/03/2013"), ("Ingrid", "Ødegård", "9D", "04/03/2013"),
              ("Orla", "Ní Shúilleabháin", "7A", "05/10/2014"), ("Orla", "Ní Shúilleabháin", "7D", "09/01/2015")]
    for i, (fore, sur, form, dob) in enumerate(people):
        store.pupils.add(store.pupils.validate(pupil(upn=make_upn(i + 1), legal_forename=fore, legal_surname=sur,
                                                   form=form, dob=dob)))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for typed, shown in (("kozlowski", "Kozłowski, Łukasz"), ("kilic", "Kılıç, Emre"),
                             ("michal", "Nowak, Michał"), ("odegard", "Ødegård, Ingrid")):
            await fill(pilot, typed, "#search")
            await pilot.pause()
            assert names_shown(app) == [shown], typed
        await fill(pilot, "orla ni", "#search")
        await pilot.pause()
        assert names_shown(app) == ["Ní Shúilleabháin, Orla · 5/10/2014", "Ní Shúilleabháin, Orla · 9/1/2015"]
        text = screen_text(app)
        assert "Ní Shúilleabháin, Orla · 5/10/2014" in text and "9/1/2015" in text


# ---------------------------------------------------------------- how often the register is read

def count_calls(store, *names: str) -> dict[str, int]:
    """Count the calls of the store's ``names`` ("area.method"; the register's count query is run once per read
    of the list; the overdue-request query once per read of the alert)."""
    calls = {name: 0 for name in names}
    for name in names:
        area, method = name.split(".")
        service = getattr(store, area)
        original = getattr(service, method)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        setattr(service, method, counted)
    return calls


async def test_the_register_is_read_once_at_start_and_on_return_only_after_a_change(store):
    seed(store)
    calls = count_calls(store, "pupils.count", "requests.overdue")
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert calls == {"pupils.count": 1, "requests.overdue": 1}, "one read at start"
        for _ in range(2):                        # open a pupil and come back, nothing changed
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, PupilScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, RegisterScreen)
        app.action_go_agenda()                    # to the agenda and back
        await pilot.pause()
        app.action_go_register()
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert calls == {"pupils.count": 1, "requests.overdue": 1}, "nothing changed: nothing read again"
        # A pupil added while the pupil screen is open is there on return, read once.
        await pilot.press("enter")
        await pilot.pause()
        store.pupils.add(store.pupils.validate(pupil(upn=make_upn(77), legal_forename="Zed", legal_surname="Aardvark")))
        await pilot.press("escape")
        await pilot.pause()
        assert calls == {"pupils.count": 2, "requests.overdue": 2}
        assert names_shown(app)[0] == "Aardvark, Zed"
        assert "Showing all 6 pupils" in status(app)
        assert store.conn.execute("SELECT count(*) FROM pupils").fetchone()[0] == 6


async def test_typing_a_search_reads_the_list_at_most_once_per_key_and_never_the_alert(store):
    seed(store)
    calls = count_calls(store, "pupils.page", "pupils.count", "requests.overdue")
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        await type_text(pilot, "obrien")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert names_shown(app) == ["O'Brien-Ní Bhriain, Siobhán"]
        # The opening read, then one per key, or fewer where keys came within one frame.
        assert 1 + 1 <= calls["pupils.page"] <= 1 + 6 and calls["requests.overdue"] == 1
        # Every search's pupils fit on one page, so none needed counting.
        assert calls["pupils.count"] == 1
        assert "Showing 1 pupil" in status(app)


async def test_keys_are_echoed_while_a_search_is_still_being_read(store, monkeypatch):
    import threading

    seed(store)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        search = app.screen.query_one("#search", Input)
        painted: list[str] = []                 # the search box's text in each frame drawn
        display = app._display

        def drawn(screen, renderable):
            painted.append(search.value)
            return display(screen, renderable)

        monkeypatch.setattr(app, "_display", drawn)
        started, release, let_go = threading.Event(), threading.Event(), threading.Event()
        original = store.pupils.page

        def held(f, **kwargs):
            if f.search == "o":                 # the first key's search takes as long as we say
                started.set()
                release.wait(3)
                let_go.set()
            return original(f, **kwargs)

        monkeypatch.setattr(store.pupils, "page", held)
        await pilot.press("slash", "o")
        await pilot.pause()
        assert started.wait(5)
        await type_text(pilot, "br")
        await pilot.pause()
        assert painted[-1] == "obr"             # on screen while the first search is still being read
        assert not let_go.is_set()
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert names_shown(app) == ["O'Brien-Ní Bhriain, Siobhán"]


async def test_a_search_stopped_by_the_interrupt_meant_for_the_one_before_reads_again(store, monkeypatch):
    import sqlite3

    seed(store)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        original = store.pupils.page
        stopped: list[str] = []

        def page(f, **kwargs):
            # As SQLite does when the previous key's query is still ending: the new one is stopped too.
            if f.search == "" and not stopped:
                stopped.append(f.search)
                raise sqlite3.OperationalError("interrupted")
            return original(f, **kwargs)

        await pilot.press("slash")
        await type_text(pilot, "obrien")
        await app.workers.wait_for_complete()
        await pilot.pause()
        monkeypatch.setattr(store.pupils, "page", page)
        await pilot.press("ctrl+u")              # clear the search box: every pupil again
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert stopped == [""]
        assert len(names_shown(app)) == 5
        assert "Showing all 5 pupils" in status(app)


async def test_searches_run_in_a_thread_and_the_next_key_cancels_the_running_one(store):
    import threading

    seed(store)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        search = screen.query_one("#search", Input)
        calls = count_calls(store, "pupils.page", "requests.overdue")
        # Six keys within one frame (faster than the frame that echoes them): one search, after it.
        for i in range(1, 7):
            search.value = "obrien"[:i]
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert names_shown(app) == ["O'Brien-Ní Bhriain, Siobhán"]
        assert calls == {"pupils.page": 1, "requests.overdue": 0}
        # A search still running when the next key comes is cancelled, and never shown.
        started, release = threading.Event(), threading.Event()
        original = store.pupils.page

        def slow(f, **kwargs):
            if f.search == "nia":
                started.set()
                release.wait(5)
            return original(f, **kwargs)

        store.pupils.page = slow
        search.value = "nia"
        await pilot.pause()
        assert started.wait(5)
        first = screen._search_worker
        search.value = "markup"                  # the next key, while "nia" is being read
        await pilot.pause()
        release.set()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert first.is_cancelled
        assert search.value == "markup"
        assert names_shown(app) == ["Markup, [b]Bold[/b]"]


async def test_a_search_shows_its_first_page_at_once_and_the_count_when_it_comes(store, monkeypatch):
    """The rows of a search are shown as soon as they are read; a full page's pupils are then
    counted, and the row-count line says so only once it knows."""
    import threading

    seed(store)
    for i in range(130):
        store.pupils.add(store.pupils.validate(pupil(upn=make_upn(200 + i), legal_forename=f"Kai {i:03d}",
                                                     legal_surname="Smithers", form="9S", dob="14/03/2013")))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        counting, release = threading.Event(), threading.Event()
        original = store.pupils.count

        def slow(f):
            if f.search == "smithers":
                counting.set()
                release.wait(5)
            return original(f)

        monkeypatch.setattr(store.pupils, "count", slow)
        await pilot.press("slash")
        await type_text(pilot, "smithers")
        assert counting.wait(5)
        await pilot.pause()
        assert names_shown(app)[0] == "Smithers, Kai 000" and len(names_shown(app)) == 100
        assert status(app).startswith("Showing the first 100 pupils · sorted by name")
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert status(app).startswith("Showing 100 of 130 pupils · sorted by name")
