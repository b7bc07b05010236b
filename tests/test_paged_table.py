"""The one list widget (widgets/paged.py): pages, the cursor, keys, the mouse, and what it draws."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from gatsby_tui.widgets.paged import PagedTable
from helpers import screen_text


class Host(App):
    """A PagedTable over ``rows`` (name, form, height), paged 20 at a time by position."""

    def __init__(self, rows: list[tuple[str, str, int]], page: int = 20) -> None:
        super().__init__()
        self.rows = rows
        self.page = page
        self.fetches = 0
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        table = PagedTable(id="list", page=self.page)
        table.add_column("Name", key="name", width=20)
        table.add_column("Form", key="form", width=6)
        table.add_column("Notes", key="notes")
        yield table

    def fetch(self, after, limit):
        self.fetches += 1
        start = 0 if after is None else after + 1
        return [(i, *self.rows[i]) for i in range(start, min(start + limit, len(self.rows)))]

    def on_mount(self) -> None:
        table = self.query_one(PagedTable)
        table.source(count=lambda: len(self.rows), fetch=self.fetch,
                     row=lambda r: (str(r[0]), [Text(r[1]), Text(r[2]), Text(f"note {r[0]}\nmore {r[0]}")], r[3]),
                     after=lambda r: r[0])
        table.reload()
        table.focus()

    def on_paged_table_row_selected(self, event: PagedTable.RowSelected) -> None:
        self.selected.append(event.key)


def pupils(n: int) -> list[tuple[str, str, int]]:
    return [(f"Pupil {i:03d}", f"{7 + i % 7}A", 1) for i in range(n)]


def line_with(app, text: str) -> str:
    return next(line for line in screen_text(app).splitlines() if text in line)


async def test_the_cursor_row_is_marked_in_text_and_moves_with_the_keys():
    app = Host(pupils(100))
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(PagedTable)
        assert table.row_count == 20 and app.fetches == 1
        assert line_with(app, "Pupil 000").startswith("▸Pupil 000")
        assert line_with(app, "Pupil 001").startswith(" Pupil 001")
        await pilot.press("down")
        assert table.cursor_row == 1 and table.current_key() == "1"
        assert line_with(app, "Pupil 001").startswith("▸") and not line_with(app, "Pupil 000").startswith("▸")
        # Page Down moves a screenful (the 11 lines under the header) and keeps the cursor in view.
        await pilot.press("pagedown")
        assert table.cursor_row == 12
        assert line_with(app, "Pupil 012").startswith("▸")
        # Within ten rows of the end of what is loaded, the next page comes.
        assert table.row_count == 40 and app.fetches == 2
        # End goes to the last row loaded (which brings the next page).
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 39 and table.row_count == 60
        await pilot.press("home")
        assert table.cursor_row == 0 and "Pupil 000" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected == ["0"]
        assert table.showing("pupils", one="pupil") == "Showing 60 of 100 pupils · more load as you scroll"


async def test_cells_are_plain_text_cut_to_their_column():
    rows = [("[b]Smith[/b] O'Brien-Ní Bhriain", "[red]", 1), ("Zhang 张伟", "7A", 1), ("Bell\x1b]0;x\x07\tRing", "7A", 1)]
    app = Host(rows)
    async with app.run_test(size=(60, 8)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "[b]Smith[/b] O'Brie…" in text       # shown as typed, cut to 20 cells with an ellipsis
        assert "[red]" in text
        assert "Zhang 张伟" in text
        # Control characters never reach the terminal; a tab is a space.
        assert "Bell]0;x Ring" in text and "\x1b" not in text and "\x07" not in text
        assert app.query_one(PagedTable).total == 3


async def test_a_row_of_several_lines_and_the_mouse():
    rows = [(f"Pupil {i}", "7A", 2) for i in range(6)]
    app = Host(rows)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        first = next(i for i, line in enumerate(lines) if "Pupil 0" in line)
        assert "note 0" in lines[first] and "more 0" in lines[first + 1]
        assert "Pupil 1" in lines[first + 2]
        table = app.query_one(PagedTable)
        # A click on another row (either of its lines) moves the cursor there; a click on the row
        # under the cursor opens it.
        await pilot.click(PagedTable, offset=(3, first + 3))
        assert table.cursor_row == 1 and app.selected == []
        await pilot.click(PagedTable, offset=(3, first + 2))
        await pilot.pause()
        assert app.selected == ["1"]
        await pilot.click(PagedTable, offset=(3, 0))       # the header: nothing happens
        assert table.cursor_row == 1


async def test_scrolling_to_the_end_with_the_wheel_loads_the_next_page_and_a_reload_keeps_the_row():
    app = Host(pupils(100))
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(PagedTable)
        table.scroll_to(y=15, animate=False)
        await pilot.pause()
        await pilot.pause()
        assert table.row_count == 40
        table.move_cursor(row=33)
        app.rows.insert(0, ("Aaron New", "7A", 1))
        table.reload(keep_key="33")
        await pilot.pause()
        assert table.current_key() == "33"
        assert line_with(app, "Pupil 032").startswith("▸")    # the same position now holds the next pupil in the list


class Stacked(Host):
    """The list with a line under it, as the register has its row-count line."""

    def compose(self) -> ComposeResult:
        yield from super().compose()
        from gatsby_tui.widgets.plain import StatusLine
        yield StatusLine("the line under the list", id="under")


async def test_a_list_refilled_keeps_its_place_or_resizes_when_its_rows_need():
    """Refilled with more rows than fit (as after each letter of a search), the list keeps its
    height and the screen is not laid out again, which would hold up the next key, nor for new
    words on the status line under it; refilled with
    fewer, it shrinks and what is under it moves up; with more again, it grows back."""
    app = Stacked(pupils(100))
    async with app.run_test(size=(60, 16)) as pilot:
        table = app.query_one(PagedTable)
        await pilot.pause()
        full = table.region.height
        assert app.query_one("#under").region.y == table.region.bottom
        layouts = 0
        lay_out = app.screen._refresh_layout

        def counted(*args, **kwargs):
            nonlocal layouts
            layouts += 1
            return lay_out(*args, **kwargs)

        app.screen._refresh_layout = counted
        table.show(60, [(i, f"Match {i:03d}", "9B", 1) for i in range(30)])     # 30 rows loaded, not 20
        await pilot.pause()
        app.query_one("#under").update("Showing 30 of 60 pupils, a longer line than before")
        await pilot.pause()
        assert "Match 000" in screen_text(app) and "Pupil 000" not in screen_text(app)
        assert "a longer line" in str(app.query_one("#under").render())
        assert table.region.height == full and layouts == 0
        assert table.vertical_scrollbar.window_virtual_size == table.virtual_size.height
        table.show(2, [(i, f"Few {i}", "9B", 1) for i in range(2)])
        await pilot.pause()
        assert table.region.height == 3                         # the header and two rows
        assert app.query_one("#under").region.y == table.region.bottom
        table.show(60, [(i, f"Again {i:03d}", "9B", 1) for i in range(20)])
        await pilot.pause()
        assert table.region.height == full and "Again 000" in screen_text(app)
        assert app.query_one("#under").region.y == table.region.bottom


async def test_the_row_count_line_reads_right_for_one_row():
    app = Host(pupils(1))
    async with app.run_test(size=(60, 12)):
        table = app.query_one(PagedTable)
        assert table.showing("pupils", " · sorted by name", one="pupil") == "Showing 1 pupil · sorted by name"
        table.show(2, [(0, "Pupil 000", "7A", 1), (1, "Pupil 001", "8A", 1)])
        assert table.showing("pupils", one="pupil") == "Showing all 2 pupils"
