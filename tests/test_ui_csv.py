"""Ctrl+E, Save CSV, driven through the pilot: the dialog says what will be saved, the file on disk holds
exactly the list on screen, the folder is remembered, and a problem is a sentence in the dialog."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from textual.widgets import Input, Select, Static

from gatsby_tui.app import build_app
from gatsby_tui.screens.cohort import GapsScreen
from gatsby_tui.screens.follow_ups import FollowUpsScreen
from gatsby_tui.screens.leavers import LeaversScreen
from gatsby_tui.screens.register import RegisterScreen
from gatsby_tui.screens.save_csv import SaveCsvDialog

from helpers import make_upn, pupil
from helpers import screen_text

SIZE = (120, 40)


@pytest.fixture
def adviser(store):
    adviser_id = store.advisers.add({"name": "Helen Marsh", "kind": "external", "qualification_level": "6"})
    store.advisers.set_current(adviser_id)
    return adviser_id


@pytest.fixture
def school(store, adviser):
    people = [("Łukasz", "Wiśniewski", "02/02/2011"), ("Zoë", "Brontë", "03/03/2011"), ("민준", "김", "04/04/2011"),
              ("=HYPERLINK(\"x\")", "Adams", "05/05/2011"), ("Ben", "Hughes", "14/03/2012")]
    return [store.pupils.add(store.pupils.validate(pupil(upn=make_upn(i + 1), legal_forename=fore, legal_surname=sur,
                                                       dob=dob, form="11A")))
            for i, (fore, sur, dob) in enumerate(people)]


def read(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def exports(store) -> int:
    return store.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'export'").fetchone()[0]


async def open_dialog(app, pilot) -> SaveCsvDialog:
    await pilot.press("ctrl+e")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, SaveCsvDialog)
    return dialog


async def save(app, pilot, key: str = "ctrl+s") -> None:
    await pilot.press(key)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_register_with_a_year_filter_saves_that_list(store, school, tmp_path):
    store.settings.set("export_folder", str(tmp_path))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        app.screen.query_one("#year", Select).value = 11
        await pilot.pause()
        assert app.screen.total == 4
        dialog = await open_dialog(app, pilot)
        assert "Year 11 on roll: 4 pupils" in screen_text(app)
        assert dialog.query_one("#csv-folder", Input).value == str(tmp_path)
        name = dialog.query_one("#csv-name", Input).value
        assert name == "register - Year 11 - 2026-11-22.csv"
        await save(app, pilot)
        assert isinstance(app.screen, RegisterScreen), "the dialog closes once saved"
        path = tmp_path / name
        rows = read(path)
        assert [r["Surname"] for r in rows] == ["Adams", "Brontë", "김", "Wiśniewski"]   # 김 sorts as "gim"
        assert rows[0]["Forename"] == "'=HYPERLINK(\"x\")" and rows[2]["Forename"] == "민준"
        assert path.stat().st_mode & 0o777 == 0o600
        assert any(f"Saved 4 rows to {path}." in n for n in notices(app))
    assert exports(store) == 1


async def test_the_folder_is_remembered_and_enter_saves(store, school, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dialog = await open_dialog(app, pilot)
        assert dialog.query_one("#csv-folder", Input).value == str(Path.home()), "no setting yet: the home folder"
        dialog.query_one("#csv-folder", Input).value = str(folder)
        dialog.query_one("#csv-name", Input).value = "everyone"
        dialog.query_one("#csv-name", Input).focus()
        await save(app, pilot, "enter")
        assert len(read(folder / "everyone.csv")) == 5, "'.csv' is added to a name without it"
        assert store.settings.get("export_folder") == str(folder)
        dialog = await open_dialog(app, pilot)
        assert dialog.query_one("#csv-folder", Input).value == str(folder)
        # The same name again asks before replacing the file.
        dialog.query_one("#csv-name", Input).value = "everyone.csv"
        (folder / "everyone.csv").write_text("keep me")
        await save(app, pilot)
        assert isinstance(app.screen, SaveCsvDialog)
        assert "everyone.csv is already in that folder" in screen_text(app)
        assert (folder / "everyone.csv").read_text() == "keep me"
        await save(app, pilot)
        assert not isinstance(app.screen, SaveCsvDialog)
        assert len(read(folder / "everyone.csv")) == 5


async def test_a_missing_folder_is_a_sentence_and_nothing_is_written(store, school, tmp_path):
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dialog = await open_dialog(app, pilot)
        dialog.query_one("#csv-folder", Input).value = str(tmp_path / "no such folder")
        await save(app, pilot)
        assert isinstance(app.screen, SaveCsvDialog), "the dialog stays open to fix it"
        said = str(dialog.query_one("#csv-result", Static).render())
        assert f"The folder {tmp_path / 'no such folder'} does not exist" in said
        assert "Traceback" not in screen_text(app)
        assert not (tmp_path / "no such folder").exists()
        assert store.settings.get("export_folder") is None
        # Fixed, it saves; Escape on another attempt closes without writing.
        dialog.query_one("#csv-folder", Input).value = str(tmp_path)
        await save(app, pilot)
        assert len(list(tmp_path.glob("register*.csv"))) == 1
        dialog = await open_dialog(app, pilot)
        dialog.query_one("#csv-name", Input).value = "not-saved.csv"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert not (tmp_path / "not-saved.csv").exists()
    assert exports(store) == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".part") == []


async def test_ctrl_e_works_from_the_search_box(store, school, tmp_path):
    store.settings.set("export_folder", str(tmp_path))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        for ch in "zoe":
            await pilot.press(ch)
        await pilot.pause()
        await open_dialog(app, pilot)
        assert "All years on roll, matching “zoe”: 1 pupil" in screen_text(app)
        await save(app, pilot)
        [path] = tmp_path.glob("*.csv")
        assert path.name == "register - search results - 2026-11-22.csv"
        assert [r["Forename"] for r in read(path)] == ["Zoë"]


async def test_follow_ups_saves_the_open_actions_shown(store, school, adviser, tmp_path):
    store.settings.set("export_folder", str(tmp_path))
    other = store.advisers.add({"name": "Mr Jones"})
    store.actions.add(pupil_id=school[0], description="Bring two apprenticeship adverts", owner="pupil",
                     due="20/11/2026")
    store.actions.add(pupil_id=school[1], description="@Call home", owner="parent", due="10/11/2026")
    store.actions.add(pupil_id=school[2], description="Jones's own", owner="pupil", adviser_id=other)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, FollowUpsScreen)
        await open_dialog(app, pilot)
        assert "Open actions followed up by Helen Marsh: 2 open actions" in screen_text(app)
        await save(app, pilot)
        path = tmp_path / "follow-ups - Helen Marsh - 2026-11-22.csv"
        rows = read(path)
        assert [(r["Due"], r["What"]) for r in rows] == [("10/11/2026", "'@Call home"),
                                                         ("20/11/2026", "Bring two apprenticeship adverts")]
        assert rows[0]["Overdue"] == "overdue" and rows[0]["Pupil"] == "Brontë, Zoë"
        assert any("Saved 2 rows" in n for n in notices(app))
        # Every adviser's, as the screen then shows.
        app.screen.query_one("#whose", Select).value = "all"
        await pilot.pause()
        dialog = await open_dialog(app, pilot)
        assert dialog.query_one("#csv-name", Input).value == "follow-ups - 2026-11-22.csv"
        await save(app, pilot)
        assert len(read(tmp_path / "follow-ups - 2026-11-22.csv")) == 3


async def test_gaps_saves_every_pupil_missing_the_benchmark(store, school, tmp_path):
    store.settings.set("export_folder", str(tmp_path))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(GapsScreen(8, 11))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, GapsScreen) and app.screen.total == 4
        await open_dialog(app, pilot)
        assert "Missing B8 Guidance, Year 11 (not yet met): 4 pupils" in screen_text(app)
        await save(app, pilot)
        assert isinstance(app.screen, GapsScreen)
        rows = read(tmp_path / "missing B8 Guidance - Year 11 - 2026-11-22.csv")
        assert [r["Pupil"] for r in rows] == [g.name for g in app.screen.gaps]
        assert {r["UPN"] for r in rows} == {make_upn(i) for i in (1, 2, 3, 4)}


async def test_leavers_saves_the_cohort_shown(store, adviser, tmp_path):
    from datetime import date

    store.settings.set("export_folder", str(tmp_path))
    for n, surname in enumerate(("Ní Bhriain", "Okafor")):
        pid = store.pupils.add(store.pupils.validate(pupil(upn=make_upn(n + 1), legal_surname=surname,
                                                         dob="14/03/2010", destination_consent=True, form="")))
        store.pupils.set_left(pid, date(2026, 7, 17))
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, LeaversScreen)
        await open_dialog(app, pilot)
        assert "2026 leavers (2025/26): 2 leavers" in screen_text(app)
        await save(app, pilot)
        rows = read(tmp_path / "leavers 2026 - destinations - 2026-11-22.csv")
        assert [r["Surname"] for r in rows] == ["Ní Bhriain", "Okafor"]
        assert {r["Date left"] for r in rows} == {"17/07/2026"}


async def test_save_csv_is_in_the_footer_help_and_palette(store, school):
    from gatsby_tui import actions

    for scope in ("register", "follow_ups", "gaps", "leavers"):
        keys = [a.keys for a in actions.in_scope(scope)]
        assert keys.count("ctrl+e") == 1, scope
    app = build_app(store)
    async with app.run_test(size=(120, 80)) as pilot:      # tall enough for the whole help table
        await pilot.pause()
        assert "Save CSV" in screen_text(app)
        await pilot.press("f1")
        await pilot.pause()
        assert "Save the whole list as shown (search, filters and order)" in screen_text(app)


async def test_a_long_list_shows_a_progress_bar_fed_by_the_worker(store, school, tmp_path, monkeypatch):
    from textual.widgets import ProgressBar

    from gatsby_tui.screens import save_csv

    monkeypatch.setattr(save_csv, "PROGRESS_FROM", 3)       # "long" from three rows, for the test
    store.settings.set("export_folder", str(tmp_path))
    seen: list[tuple[int, int, bool]] = []
    original = SaveCsvDialog._progress

    def watched(self, done, total):
        seen.append((done, total, self.query_one("#csv-progress", ProgressBar).display))
        original(self, done, total)

    monkeypatch.setattr(SaveCsvDialog, "_progress", watched)
    app = build_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#year", Select).value = 11
        await pilot.pause()
        dialog = await open_dialog(app, pilot)
        assert dialog.query_one("#csv-progress", ProgressBar).display is False, "hidden until saving"
        await save(app, pilot)
        assert seen and seen[-1] == (4, 4, True)
        assert len(read(tmp_path / "register - Year 11 - 2026-11-22.csv")) == 4
