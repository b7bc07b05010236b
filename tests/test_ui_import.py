"""Importing from the register as a new adviser does it: the file chosen from a list, a preview
that fits 80 columns with its notes wrapped, and Enter that moves on rather than ticking."""

from __future__ import annotations

import pytest
from textual.widgets import Button, DataTable, Input

from gatsby_tui.app import build_app
from gatsby_tui.screens.import_pupils import CsvTree, ImportScreen
from gatsby_tui.store import PupilFilter
from gatsby_tui.widgets.tickbox import TickBox

from helpers import make_upn, wait_for_import


@pytest.fixture(autouse=True)
def adviser(store):
    store.advisers.set_current(store.advisers.add({"name": "Test Adviser", "kind": "external"}))


async def test_choose_the_file_from_a_list_and_preview_it_in_80_columns(store, tmp_path):
    folder = tmp_path / "mis"
    (folder / "old exports").mkdir(parents=True)
    (folder / "notes.docx").write_text("not a CSV")
    (folder / "pupils.csv").write_text(
        "UPN,Legal Surname,Legal Forename,DOB,NC Year,Reg,SEN Provision\n"
        f"{make_upn(11)},Okafor,Amara,14/03/2012,10,10B,N\n"
        "A801200005001,Wrong,Check,14/03/2012,10,10B,N\n", encoding="utf-8")
    store.settings.set("import_folder", f"{folder}/")
    app = build_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        tree = screen.query_one("#import-files", CsvTree)
        assert app.focused is tree
        await pilot.pause()
        shown = [str(node.label) for node in tree.root.children]
        assert shown == ["old exports", "pupils.csv"]                 # folders and CSV files only
        await pilot.press("down", "down", "enter")                   # the root, the folder, the file
        await wait_for_import(app)
        await pilot.pause()
        assert screen.query_one("#path", Input).value == str(folder / "pupils.csv")
        preview = screen.query_one("#import-preview", DataTable)
        assert preview.row_count == 2 and not tree.display
        # Every column fits inside the dialog at 80 columns; the long reason wraps onto more lines.
        used = sum(column.get_render_width(preview) for column in preview.columns.values())
        assert used <= preview.scrollable_content_region.width <= 80
        rejected = [str(cell) for cell in preview.get_row_at(0)]
        assert rejected[1] == "REJECTED" and "\n" in rejected[3] and "should be 'B'" in " ".join(rejected[3].split())
        assert preview.rows[preview.coordinate_to_cell_key((0, 0)).row_key].height == rejected[3].count("\n") + 1
        # Enter on the tick box moves on; Space ticks it.
        box = screen.query_one("#skip-invalid", TickBox)
        box.focus()
        await pilot.press("enter")
        assert not box.value and app.focused is not box
        box.focus()
        await pilot.press("space")
        assert box.value
        assert not screen.query_one("#commit", Button).disabled
        await pilot.press("ctrl+s")
        await wait_for_import(app)
        await pilot.pause()
    assert store.pupils.count(PupilFilter()) == 1
