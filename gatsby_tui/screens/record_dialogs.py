"""The dialogs the meeting record screen (screens/record.py) opens, through
gatsby_tui/navigation.py: confirming a sign-off, adding an action agreed in the meeting, and
amending one field of a signed-off record with a reason."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import TextArea
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.screens.base import AsksBeforeDiscarding
from gatsby_tui.domain import dates
from gatsby_tui.domain import when as when_rules
from gatsby_tui.store import StoreError
from gatsby_tui.domain.record_fields import AMENDABLE, LABELS
from gatsby_tui.domain.record_fields import IN_ORDER as FIELDS_IN_ORDER
from gatsby_tui.domain.record_fields import MULTI_LINE as LONG
from gatsby_tui.domain.owners import OWNER_CHOICES
from gatsby_tui.widgets.fields import field
from gatsby_tui.widgets.plain import Button, Input, Label, Select, Static
from gatsby_tui.widgets.record_form import PLACEHOLDERS, record_values


class SignOffConfirm(ModalScreen[bool]):
    SCOPE = "signoff"
    BINDINGS = actions.bindings("signoff")
    HELP = ("Signing off says the record is complete. It is then locked: a later change is an amendment "
            "with a reason, and the original text stays visible. Y signs off; N or Escape goes back.")

    def __init__(self, pupil_name: str) -> None:
        super().__init__()
        self.pupil_name = pupil_name

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="small-dialog"):
            yield Static("Sign off this record?", classes="dialog-title")
            yield Static(Text(f"The record of the meeting with {self.pupil_name} is complete and saved. "
                              "Once signed off it is locked: any later change is an amendment with a reason, "
                              "and the original text stays visible beside it."))
            yield Static("Y signs off · N or Esc goes back to the record", classes="dialog-hint")
        yield Footer()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ActionForm(AsksBeforeDiscarding, ModalScreen[int | None]):
    """Add an action to a record; returns the action's id, or None."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("An action agreed in the meeting: what is to be done, who owns it (the pupil, the adviser, the "
            "school or a parent/carer) and by when (day/month/year; may be left blank). Ctrl+S saves.")

    def __init__(self, pupil_id: int, record_id: int) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self.record_id = record_id

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static("Add an action", classes="dialog-title")
            yield field("What", Input(placeholder="e.g. Apply to Riverside College", id="action-what",
                                      compact=True))
            yield field("Owner", Select(OWNER_CHOICES, value="pupil", allow_blank=False, id="action-owner",
                                        compact=True))
            yield field("Due", Input(placeholder="15/1, fri, 15/01/2027 (blank: no date)", id="action-due",
                                     compact=True))
            yield Static("", id="action-due-note", classes="field-note action-note")
            yield Static("", id="action-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#action-error", Static).display = False
        self.query_one("#action-what", Input).focus()

    @on(Input.Changed, "#action-due")
    def _understand_due(self, event: Input.Changed) -> None:
        note = self.query_one("#action-due-note", Static)
        text = event.value.strip()
        if not text:
            note.update("")
            return
        try:
            day = when_rules.parse_day(text, today=self.app.store.today, what="due date")
        except when_rules.WhenError as e:
            note.update(Text("✗ " + str(e)))
            return
        note.update(Text(f"✓ {day:%A} {dates.long_uk(day)}"))

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        try:
            action_id = self.app.store.actions.add(
                pupil_id=self.pupil_id, record_id=self.record_id,
                description=self.query_one("#action-what", Input).value,
                owner=self.query_one("#action-owner", Select).value,
                due=self.query_one("#action-due", Input).value.strip() or None)
        except StoreError as e:
            error = self.query_one("#action-error", Static)
            error.update(Text("✗ " + str(e)))
            error.display = True
            return
        self.app.notify("Action added.")
        self.dismiss(action_id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.close_or_ask(lambda: self.dismiss(None))   # unsaved typing is asked about first


class AmendDialog(AsksBeforeDiscarding, ModalScreen[int | None]):
    """Amend one field of a signed-off record, with a reason; returns the amendment's id."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("Choose the field, change its text (it starts as the text now in effect) and say why. Ctrl+S "
            "saves the amendment; the earlier text stays in the record, visible beside the new. Escape "
            "closes without amending.")

    def __init__(self, record_id: int, field_name: str) -> None:
        super().__init__()
        self.record_id = record_id
        self.field_name = field_name if field_name in AMENDABLE else "decisions"

    def compose(self) -> ComposeResult:
        options = [(LABELS[f], f) for f in FIELDS_IN_ORDER if f in AMENDABLE]
        with Vertical(id="dialog", classes="form-dialog amend-dialog"):
            yield Static("Amend the signed-off record", classes="dialog-title")
            yield field("Field", Select(options, value=self.field_name, allow_blank=False, id="amend-field",
                                        compact=True))
            yield Label("New text (starts as the text now in effect)", id="amend-text-label")
            yield TextArea(id="amend-text", soft_wrap=True, tab_behavior="focus")
            yield Input(id="amend-value", compact=True)
            yield field("Reason", Input(placeholder="why it changed, e.g. pupil corrected the college name",
                                        id="amend-reason", compact=True))
            yield Static("", id="amend-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Amend (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#amend-error", Static).display = False
        self._prefill(self.field_name)

    def _long(self, key: str) -> bool:
        return key in LONG or key == "copy_given_how"

    def _prefill(self, key: str) -> None:
        rec = self.app.store.records.get(self.record_id)
        if rec is None:
            self.dismiss(None)
            return
        value = record_values(rec)[key]
        area = self.query_one("#amend-text", TextArea)
        box = self.query_one("#amend-value", Input)
        long = self._long(key)
        area.display = long
        box.display = not long
        if long:
            area.load_text(value)
            area.focus()
        else:
            box.value = value
            box.placeholder = PLACEHOLDERS.get(key, "")
            box.focus()

    @on(Select.Changed, "#amend-field")
    def _field_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and event.value != self.field_name:
            self.field_name = str(event.value)
            self._prefill(self.field_name)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        key = self.field_name
        new = (self.query_one("#amend-text", TextArea).text if self._long(key)
               else self.query_one("#amend-value", Input).value)
        reason = self.query_one("#amend-reason", Input).value
        try:
            amendment_id = self.app.store.records.amend(self.record_id, key, new, reason)
        except StoreError as e:
            error = self.query_one("#amend-error", Static)
            message = " ".join(getattr(e, "errors", {}).values()) or str(e)
            error.update(Text("✗ " + message))
            error.display = True
            if "reason" in message.lower():
                self.query_one("#amend-reason", Input).focus()
            return
        self.app.notify(f"Amended: {LABELS[key].lower()}. The earlier text stays in the record.")
        self.dismiss(amendment_id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.close_or_ask(lambda: self.dismiss(None))   # unsaved typing is asked about first
