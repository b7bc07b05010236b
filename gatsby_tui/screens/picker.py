"""Choose a pupil by typing part of their name, UPN or form."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.store import PupilFilter
from gatsby_tui.widgets.plain import DataTable, Static

LIMIT = 50


class SearchChooser(ModalScreen[int | None]):
    """Choose one row by typing part of it: a search box over a short table, Down moves into the
    list, Enter chooses (Enter in the box chooses when only one row is left). A subclass names
    its columns and fills the table from the store; it returns the chosen row's id."""

    SEARCH_HINT = ""
    COLUMNS: tuple[tuple[str, str, int], ...] = ()   # (label, key, width)

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def rows(self, text: str) -> tuple[list[tuple[tuple[str, ...], int]], str]:
        """(cells and id for each row, the status line) for the search ``text``: each subclass
        says what it lists; this base lists nothing."""
        return [], ""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog picker-dialog"):
            yield Static(Text(self.question), classes="dialog-title")
            yield Input(placeholder=self.SEARCH_HINT, id="picker-search")
            table: DataTable = DataTable(id="picker-table", cursor_type="row")
            for label, key, width in self.COLUMNS:
                table.add_column(label, key=key, width=width)
            yield table
            yield Static("", id="picker-status", classes="dialog-hint")
        yield Footer()

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#picker-search", Input).focus()

    @on(Input.Changed, "#picker-search")
    def _search(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, text: str) -> None:
        rows, status = self.rows(text)
        table = self.query_one("#picker-table", DataTable)
        table.clear()
        for cells, row_id in rows:
            table.add_row(*(Text(c) for c in cells), key=str(row_id))
        self.query_one("#picker-status", Static).update(status)

    @on(Input.Submitted, "#picker-search")
    def _submitted(self) -> None:
        table = self.query_one("#picker-table", DataTable)
        if table.row_count == 1:
            self.action_choose()
        elif table.row_count:
            table.focus()

    def on_key(self, event) -> None:
        if event.key == "down" and self.focused is self.query_one("#picker-search", Input):
            self.query_one("#picker-table", DataTable).focus()
            event.stop()

    @on(DataTable.RowSelected, "#picker-table")
    def action_choose(self) -> None:
        table = self.query_one("#picker-table", DataTable)
        if not table.row_count:
            return
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        self.dismiss(int(key.value))

    def action_close(self) -> None:
        self.dismiss(None)


class PupilPicker(SearchChooser):
    SCOPE = "picker"
    BINDINGS = actions.bindings("picker")
    HELP = "Type part of the pupil's name, their UPN or form; Down moves into the list; Enter chooses."
    SEARCH_HINT = "name, UPN or form"
    COLUMNS = (("Pupil", "name", 34), ("Year", "year", 5), ("Form", "form", 6))

    def rows(self, text: str) -> tuple[list[tuple[tuple[str, ...], int]], str]:
        store = self.app.store
        f = PupilFilter(search=text)
        found = [((row.name, str(row.year_group), row.form or ""), row.id)
                 for row in store.pupils.page(f, limit=LIMIT)]
        total = store.pupils.count(f)
        more = f" (first {LIMIT} of {total:,}: type more to narrow)" if total > LIMIT else ""
        return found, f"{total:,} pupils on roll match{more}."
