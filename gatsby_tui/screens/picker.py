"""Choose a pupil by typing part of their name, UPN or form."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static, Footer

from gatsby_tui import actions
from gatsby_tui.store import PupilFilter

LIMIT = 50


class PupilPicker(ModalScreen[int | None]):
    SCOPE = "picker"
    BINDINGS = actions.bindings("picker")
    HELP = "Type part of the pupil's name, their UPN or form; Down moves into the list; Enter chooses."

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog picker-dialog"):
            yield Static(Text(self.question), classes="dialog-title")
            yield Input(placeholder="name, UPN or form", id="picker-search")
            table: DataTable = DataTable(id="picker-table", cursor_type="row")
            table.add_column("Pupil", key="name", width=34)
            table.add_column("Year", key="year", width=5)
            table.add_column("Form", key="form", width=6)
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
        store = self.app.store
        f = PupilFilter(search=text)
        rows = store.register_page(f, limit=LIMIT)
        table = self.query_one("#picker-table", DataTable)
        table.clear()
        for row in rows:
            table.add_row(Text(row.name), Text(str(row.year_group)), Text(row.form or ""), key=str(row.id))
        total = store.register_count(f)
        more = f" (first {LIMIT} of {total:,}: type more to narrow)" if total > LIMIT else ""
        self.query_one("#picker-status", Static).update(f"{total:,} pupils on roll match{more}.")

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
