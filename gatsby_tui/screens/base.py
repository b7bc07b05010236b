"""What screens share: the one screen module other screens may import (tests/test_layers.py).
Keys for lists, asking before typing is discarded, the search-and-choose dialog base, and styling
a new screen level with the app (it leans on Textual 8 internals, pinned in pyproject). One screen
opens another through gatsby_tui/navigation.py; the words screens share are in domain/codes.py."""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.widgets.plain import Button, DataTable, Input, Select, Static

def styled_as_app(screen: Screen) -> None:
    """Call in a new screen's __init__. A new screen's widgets are styled as they mount, but
    Textual takes a new screen's CSS counter (-1) as "the theme changed while away": the first
    switch to its mode re-parses the whole stylesheet and restyles every widget, twice (~300 ms
    here). Starting level with the app's counter skips that; a theme change made while the
    screen is in the background still restyles it, as the counter then differs again."""
    try:
        screen._css_update_count = screen.app._css_update_count
    except (RuntimeError, AttributeError):   # no running app (NoActiveAppError): nothing to match
        pass


class ListKeys:
    """Mix into a screen whose main list is ``LIST`` (a CSS id selector of a PagedTable or a
    DataTable): the j / k / g / G actions (see actions.py) move in it; G first loads the next
    page of a paged list (widgets/paged.py: PagedTable)."""

    LIST = ""

    def _list(self) -> Any:
        return self.query_one(self.LIST)  # type: ignore[attr-defined]

    def action_cursor_down(self) -> None:
        self._list().action_cursor_down()

    def action_cursor_up(self) -> None:
        self._list().action_cursor_up()

    def action_cursor_top(self) -> None:
        self._list().move_cursor(row=0)

    def action_cursor_bottom(self) -> None:
        table = self._list()
        load_more = getattr(table, "load_more", None) or getattr(self, "load_more", None)
        if load_more is not None:
            load_more()
        table.move_cursor(row=table.row_count - 1)


class DiscardTyping(ModalScreen[bool]):
    """'Discard what you typed?': y discards, n or Escape goes back to the form."""

    SCOPE = "discard"
    BINDINGS = actions.bindings("discard")
    HELP = "y closes the form and loses what you typed; n or Escape goes back to it, with nothing lost."

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="small-dialog"):
            yield Static(Text("You have typed in this form and not saved it. Discard what you typed?"),
                         classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Discard (y)", id="discard", variant="error")
                yield Button("Keep typing (n)", id="keep")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed, "#discard")
    def action_discard(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)


class AsksBeforeDiscarding:
    """Mix into a form (before ModalScreen): what its fields hold is noted once it is shown, and
    ``close_or_ask`` closes it at once when nothing was typed since, or asks first."""

    def on_mount(self) -> None:
        self.call_after_refresh(self._note_values)  # type: ignore[attr-defined]

    def _field_values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for widget in self.query("Input, TextArea, Select, TickBox, Checkbox"):  # type: ignore[attr-defined]
            if not widget.id:
                continue
            if isinstance(widget, (Input, Select)):
                out[widget.id] = widget.value
            elif hasattr(widget, "document"):     # a TextArea (not imported here: only forms have one)
                out[widget.id] = widget.text
            else:
                out[widget.id] = getattr(widget, "value", None)
        return out

    def _note_values(self) -> None:
        self._noted_values = self._field_values()

    def has_unsaved_typing(self) -> bool:
        noted = getattr(self, "_noted_values", None)
        return noted is not None and self._field_values() != noted

    def close_or_ask(self, close: Callable[[], None]) -> None:
        if not self.has_unsaved_typing():
            close()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                close()

        self.app.push_screen(DiscardTyping(), answered)  # type: ignore[attr-defined]


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
