"""Write the adviser's bookings in a date range as an iCalendar file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.widgets.fields import field
from gatsby_tui.domain import dates
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.plain import Button, Input, Static
from gatsby_tui.widgets.tickbox import TickBox


class IcsExportScreen(ModalScreen[None]):
    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("Writes your bookings between two dates as an .ics file that Outlook and Google Calendar "
            "read; importing it again updates the same events. Calendars are often synced to the cloud, "
            "so each event names the pupil by initials and year group only, unless you tick full names.")

    def __init__(self, first: date, last: date) -> None:
        super().__init__()
        self.first = first
        self.last = last

    def compose(self) -> ComposeResult:
        store = self.app.store
        folder = store.settings.get("export_folder") or str(Path.home())
        adviser = store.advisers.current()
        name = (adviser["name"] if adviser else "adviser").lower().replace(" ", "-")
        default = Path(folder) / f"bookings-{name}-{self.first:%Y%m%d}.ics"
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static("Export bookings as a calendar file", classes="dialog-title")
            for key, label, value in (("from", "From", dates.uk(self.first)), ("to", "To", dates.uk(self.last)),
                                      ("path", "File", str(default))):
                yield field(label, Input(value=value, id=key, compact=True))
            with Horizontal(classes="field checks"):
                yield TickBox("Full names (only for a calendar that stays on this computer)", id="full-names",
                              compact=True)
            yield Static("", id="ics-result", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export (Ctrl+S)", id="save", variant="primary")
                yield Button("Close (Esc)", id="cancel")
        yield Footer()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        store = self.app.store
        result = self.query_one("#ics-result", Static)
        try:
            first = dates.parse_date(self.query_one("#from", Input).value, what="first day")
            last = dates.parse_date(self.query_one("#to", Input).value, what="last day")
            path = Path(self.query_one("#path", Input).value.strip()).expanduser()
            if store.adviser_id is None:
                raise StoreError("Choose who you are first (F4).")
            count = store.bookings.export_ics(store.adviser_id, first, last, path,
                                     full_names=self.query_one("#full-names", TickBox).value)
            store.settings.set("export_folder", str(path.parent))
        except (dates.DateError, StoreError) as e:
            result.update(Text(f"✗ {e}"))
            return
        self.app.notify(f"Wrote {count} events to {path}.")
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
