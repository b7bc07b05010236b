"""Mark a pupil as left on a date, or put them back on roll. Nobody is deleted here."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.widgets.fields import field
from gatsby_tui.domain import dates, names
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.plain import Button, Input, Static


class MarkLeftScreen(ModalScreen[bool]):
    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("Type the date the pupil left (day/month/year). Their record stays: pupils are never "
            "deleted, and their destinations can still be tracked. Back on roll clears the date.")

    def __init__(self, pupil_id: int) -> None:
        super().__init__()
        self.pupil_id = pupil_id

    def compose(self) -> ComposeResult:
        row = self.app.store.pupils.get(self.pupil_id)
        who = names.full_name(row["legal_surname"], row["legal_forename"], row["preferred_forename"])
        with Vertical(id="dialog", classes="small-dialog"):
            yield Static(Text(f"{who} has left"), classes="dialog-title")
            current = dates.uk(dates.from_iso(row["date_left"]) if row["date_left"] else self.app.store.today)
            yield field("Date left", Input(value=current, placeholder="day/month/year", id="date_left", compact=True))
            yield Static("", id="err-date_left", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                if row["date_left"]:
                    yield Button("Back on roll", id="on-roll")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#date_left", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        try:
            day = dates.parse_date(self.query_one("#date_left", Input).value, what="leaving date")
            self.app.store.pupils.set_left(self.pupil_id, day)
        except (dates.DateError, StoreError) as e:
            self.query_one("#err-date_left", Static).update(Text("✗ " + str(e)))
            return
        self.app.notify(f"Marked as left on {dates.long_uk(day)}.")
        self.dismiss(True)

    @on(Button.Pressed, "#on-roll")
    def _back_on_roll(self) -> None:
        try:
            self.app.store.pupils.set_left(self.pupil_id, None)
        except StoreError as e:
            self.app.notify(str(e), severity="error")
            return
        self.app.notify("Back on roll.")
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
