"""Who is using the app: chosen on first run, remembered, changeable (F4).
Bookings default to that adviser and the audit log records them."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from gatsby_tui.widgets.footer import Footer
from textual.widgets.option_list import Option

from gatsby_tui import actions
from gatsby_tui.widgets.fields import field
from gatsby_tui.store import StoreError
from gatsby_tui.screens.base import AsksBeforeDiscarding
from gatsby_tui.widgets.plain import Button, Input, OptionList, Select, Static

ADVISER_FIELDS = (
    ("name", "Name", "e.g. Helen Marsh"),
    ("organisation", "Organisation", "e.g. Northway Careers Ltd, or the school"),
    ("qualification_level", "Qualification level", "e.g. 6 (the CDI register asks for 6 or above)"),
    ("qualification", "Qualification", "e.g. Level 6 Diploma in Career Guidance and Development"),
    ("cdi_number", "CDI register number", "if registered"),
    ("email", "Email", "optional"),
)


class AdviserChooser(ModalScreen[int | None]):
    """Returns the chosen adviser's id (also remembered as the current adviser)."""

    SCOPE = "advisers"
    BINDINGS = actions.bindings("advisers")
    HELP = ("Choose who you are. Your bookings are made in your name and every change you make is recorded "
            "against you in the audit log. You can change this at any time with F4.")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="small-dialog"):
            yield Static("Who is using gatsby-tui?", classes="dialog-title")
            yield OptionList(id="advisers")
            yield Static("Enter chooses. Choosing 'Add an adviser' opens a form. P gives the highlighted adviser "
                         "a password for signing in from a browser; X takes it away.", classes="dialog-hint")
        yield Footer()

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        store = self.app.store
        options = self.query_one("#advisers", OptionList)
        keep = self._highlighted_adviser()          # stays highlighted after a password is set
        options.clear_options()
        current = store.adviser_id
        from gatsby_tui.store import users

        can_sign_in = users.with_passwords(store.conn)
        for adviser in store.advisers.all():
            label = adviser["name"]
            if adviser["organisation"]:
                label += f" — {adviser['organisation']}"
            if adviser["id"] == current:
                label += "  (you now)"
            if adviser["id"] in can_sign_in:
                label += "  (password set)"
            options.add_option(Option(Text(label), id=str(adviser["id"])))
        options.add_option(Option("+ Add an adviser", id="new"))
        if keep is not None:
            options.highlighted = options.get_option_index(str(keep))
        options.focus()

    @on(OptionList.OptionSelected, "#advisers")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "new":
            self.app.push_screen(AdviserForm(None), callback=self._added)
            return
        self._use(int(event.option.id))

    def _added(self, adviser_id: int | None) -> None:
        if adviser_id is not None:
            self._use(adviser_id)
        else:
            self._fill()

    def _use(self, adviser_id: int) -> None:
        try:
            self.app.store.advisers.set_current(adviser_id)
        except StoreError as e:
            self.app.notify(str(e), severity="error")
            return
        name = self.app.store.advisers.current()["name"]
        self.app.notify(f"You are {name}: bookings and changes are recorded in your name.")
        self.dismiss(adviser_id)

    def action_choose(self) -> None:
        options = self.query_one("#advisers", OptionList)
        if options.highlighted is not None:
            options.action_select()

    def action_close(self) -> None:
        self.dismiss(None)

    def _highlighted_adviser(self) -> int | None:
        options = self.query_one("#advisers", OptionList)
        if options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return None if option_id in (None, "new") else int(option_id)

    def action_password(self) -> None:
        adviser_id = self._highlighted_adviser()
        if adviser_id is None:
            self.app.notify("Highlight an adviser first.", severity="warning")
            return
        self.app.push_screen(PasswordDialog(adviser_id), callback=lambda _: self._fill())

    def action_remove_password(self) -> None:
        from gatsby_tui.store import users

        adviser_id = self._highlighted_adviser()
        if adviser_id is None:
            self.app.notify("Highlight an adviser first.", severity="warning")
            return
        store = self.app.store
        name = store.advisers.get(adviser_id)["name"]
        try:
            removed = users.remove_password(store.conn, adviser_id, stamp=store.clock.stamp(), by=store.adviser_id)
        except StoreError as e:
            self.app.notify(str(e), severity="error", markup=False)
            return
        self.app.notify(f"{name} can no longer sign in from a browser." if removed
                        else f"{name} has no password to take away.", markup=False)
        self._fill()


class PasswordDialog(ModalScreen[bool]):
    """Set an adviser's password for signing in to the app in a browser (gatsby-tui serve)."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("A password lets this adviser sign in to gatsby-tui from a browser when the school runs "
            "'gatsby-tui serve'. Only a scrypt hash of it is kept in the database.")

    def __init__(self, adviser_id: int) -> None:
        super().__init__()
        self.adviser_id = adviser_id

    def compose(self) -> ComposeResult:
        from gatsby_tui.store import users

        name = self.app.store.advisers.get(self.adviser_id)["name"]
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static(Text(f"Password for {name}"), classes="dialog-title")
            yield field("New password", Input(password=True, id="password", compact=True,
                                              placeholder=f"at least {users.MIN_LENGTH} characters"))
            yield field("Again", Input(password=True, id="again", compact=True))
            yield Static("", id="password-errors", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        from gatsby_tui.store import users

        password = self.query_one("#password", Input).value
        errors = self.query_one("#password-errors", Static)
        if password != self.query_one("#again", Input).value:
            errors.update(Text("✗ The two passwords are not the same: type them again."))
            return
        store = self.app.store
        try:
            first = users.set_password(store.conn, self.adviser_id, password, stamp=store.clock.stamp(),
                                       by=store.adviser_id)
        except StoreError as e:
            errors.update(Text(f"✗ {e}"))
            return
        name = store.advisers.get(self.adviser_id)["name"]
        self.app.notify(f"{name} can now sign in from a browser." if first else f"{name}'s password is changed.",
                        markup=False)
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class AdviserForm(AsksBeforeDiscarding, ModalScreen[int | None]):
    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = "An adviser's details, as they appear on a meeting record. Only the name is required."

    def __init__(self, adviser_id: int | None) -> None:
        super().__init__()
        self.adviser_id = adviser_id
        self._opened: dict[str, Any] | None = None   # the row as it was when the form opened

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static("Add an adviser" if self.adviser_id is None else "Edit adviser", classes="dialog-title")
            for key, label, placeholder in ADVISER_FIELDS:
                yield field(label, Input(placeholder=placeholder, id=key, compact=True))
            yield field("Internal or external", Select(
                [("External (independent) adviser", "external"), ("School staff", "internal")],
                value="external", allow_blank=False, id="kind", compact=True))
            yield Static("", id="adviser-errors", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        if self.adviser_id is not None:
            row = next((a for a in self.app.store.advisers.all() if a["id"] == self.adviser_id), None)
            if row is not None:
                self._opened = dict(row)
                for key, _, _ in ADVISER_FIELDS:
                    value = row[key]
                    self.query_one(f"#{key}", Input).value = "" if value is None else str(value)
                self.query_one("#kind", Select).value = row["kind"]
        self.query_one("#name", Input).focus()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: self.query_one(f"#{key}", Input).value for key, _, _ in ADVISER_FIELDS}
        out["kind"] = self.query_one("#kind", Select).value
        return out

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        store = self.app.store
        try:
            if self.adviser_id is None:
                adviser_id = store.advisers.add(self.values())
            else:
                store.advisers.update(self.adviser_id, self.values(), original=self._opened)
                adviser_id = self.adviser_id
        except StoreError as e:
            errors = getattr(e, "errors", None)
            text = "\n".join(f"✗ {m}" for m in errors.values()) if errors else f"✗ {e}"
            self.query_one("#adviser-errors", Static).update(Text(text))
            return
        self.dismiss(adviser_id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.close_or_ask(lambda: self.dismiss(None))   # unsaved typing is asked about first
