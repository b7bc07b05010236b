"""F1: the keys for the screen underneath, and help for what has focus."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.keys import key_to_character
from textual.screen import ModalScreen, Screen
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.widgets.plain import Static

WIDGET_HELP = {
    "Input": "A text box: type, Backspace deletes, Home/End move, Tab goes to the next field.",
    "Select": "A list to choose from: Enter or Space opens it, arrows move, Enter chooses.",
    "DataTable": "A list: arrows or j/k move, Enter opens, Page Up/Down jump.",
    "PagedTable": "A list: arrows or j/k move, Enter or a click opens, Page Up/Down jump, Home/End or g/G go "
                  "to the first and last; more rows load as you near the end.",
    "Checkbox": "A tick box: Space ticks and unticks it; Enter moves on to the next field.",
    "Button": "A button: Enter presses it.",
}


class HelpScreen(ModalScreen[None]):
    SCOPE = "help"
    BINDINGS = actions.bindings("help")

    def __init__(self, underneath: Screen) -> None:
        super().__init__()
        self.underneath = underneath

    def compose(self) -> ComposeResult:
        scope = getattr(self.underneath, "SCOPE", "")
        with Vertical(id="dialog", classes="help-dialog"):
            yield Static("Help", classes="dialog-title")
            with VerticalScroll():
                about = getattr(self.underneath, "HELP", "")
                if about:
                    yield Static(Text(about), classes="help-about")
                focused = self.underneath.focused
                if focused is not None:
                    kind = next((c.__name__ for c in type(focused).__mro__ if c.__name__ in WIDGET_HELP), None)
                    own = getattr(focused, "HELP", None)
                    text = own or (WIDGET_HELP[kind] if kind else None)
                    if text:
                        yield Static(Text("In focus: " + text), classes="help-about")
                table = Table(box=None, show_header=True, header_style="bold", expand=True)
                table.add_column("Key", no_wrap=True)
                table.add_column("What it does")
                everywhere = actions.in_scope("app")
                if isinstance(self.underneath, ModalScreen):
                    # A dialog passes only priority keys on to the app: the other keys wait until it closes.
                    everywhere = [act for act in everywhere if act.priority]
                for act in actions.in_scope(scope) + everywhere:
                    table.add_row(self._keys(act), act.help)
                table.add_row("Ctrl+P", "Command palette: search every command, change the theme.")
                table.add_row("Tab / Shift+Tab", "Move between fields.")
                yield Static(table)
            # Always in view, however long the table above: the keys that work everywhere.
            yield Static("Ctrl+P: command palette (every command; themes) · F1: this help · "
                         "Tab / Shift+Tab: next / previous field · Escape closes this help.", classes="dialog-hint")
        yield Footer()

    def _keys(self, act: actions.Act) -> str:
        """The keys for ``act`` as they work underneath: in a dialog, an app-wide key that types a
        character (?) goes to the field instead, so only the others are named."""
        if act.scope == "app" and isinstance(self.underneath, ModalScreen):
            keys = actions.keys_of(act, self.app.user_keymap).split(",")
            untyped = [k for k in keys if key_to_character(k) is None]
            if untyped:
                return actions.key_label(",".join(untyped))
        return self.app.key_label(act)

    def action_close(self) -> None:
        self.dismiss(None)
