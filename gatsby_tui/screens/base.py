"""What every screen shares: two ways to spare Textual work it would throw away, used by the
cohort screen (measured in benchmarks/cohort.py on a 2-core machine; both lean on Textual 8 internals, pinned in pyproject)."""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, TextArea
from textual.widgets._footer import FooterKey

from gatsby_tui import actions
from gatsby_tui.widgets.plain import Button, DataTable, Select, Static


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


class OnceFooter(Footer):
    """A Footer that redraws its keys once however many times the bindings change before it
    gets to it. Textual's Footer queues a full recompose (every key a new widget) per change,
    and opening a screen changes them several times in a row (focus, mode stack, idle check):
    ~100 ms of rebuilding the same keys here. It reads the bindings when it redraws, so it
    shows the same keys, and its keys are styled once each."""

    _recompose_pending = False

    def compose(self) -> ComposeResult:
        # Each key is made compact (True) and then bound to the footer's (False): two restyles
        # of the key for nothing. Start it at the footer's value.
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_pending = False
        await self.recompose()


class FittingFooter(OnceFooter):
    """A footer for a screen with more keys than an 80-column line holds: its keys go on as many
    lines as they need (in columns), never off the right edge. On one line when they fit."""

    DEFAULT_CSS = """
    FittingFooter {
        layout: grid;
        grid-columns: auto;
        grid-rows: 1;
        height: auto;
    }
    """

    async def recompose(self) -> None:
        # Footer's rebuild itself (OnceFooter only decides when it happens), then the lines it takes.
        await Footer.recompose(self)
        self._fit()

    def on_mount(self) -> None:   # (Footer's own on_mount runs too: Textual calls each class's handler)
        self.call_after_refresh(self._fit)

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        keys = [k for k in self.query_children(FooterKey) if k.display and "-command-palette" not in k.classes]
        if not keys or not self.size.width:
            return
        room = self.size.width - sum(k.outer_size.width for k in self.query_children(FooterKey)
                                     if k.display and "-command-palette" in k.classes)
        widths = [k.get_content_width(self.size, self.size) + k.styles.margin.width for k in keys]
        columns = len(keys)
        while columns > 1 and sum(max(widths[c::columns]) for c in range(columns)) > room:
            columns -= 1
        if self.styles.grid_size_columns != columns:
            self.styles.grid_size_columns = columns


class ListKeys:
    """Mix into a screen whose main list is the DataTable ``LIST`` (a CSS id selector): the
    j / k / g / G actions (see actions.py) move in it; G first loads the rest of a paged list
    when the screen has ``load_more``."""

    LIST = ""

    def _list(self) -> DataTable:
        return self.query_one(self.LIST, DataTable)  # type: ignore[attr-defined]

    def action_cursor_down(self) -> None:
        self._list().action_cursor_down()

    def action_cursor_up(self) -> None:
        self._list().action_cursor_up()

    def action_cursor_top(self) -> None:
        self._list().move_cursor(row=0)

    def action_cursor_bottom(self) -> None:
        table = self._list()
        load_more = getattr(self, "load_more", None)
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
            if isinstance(widget, TextArea):
                out[widget.id] = widget.text
            elif isinstance(widget, (Input, Select)):
                out[widget.id] = widget.value
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
