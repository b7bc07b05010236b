"""The adviser's clinic hours (recurring) and the days they do not run."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Header
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.widgets.fields import field
from gatsby_tui.domain import dates
from gatsby_tui.domain.slots import describe
from gatsby_tui.store import StoreError
from gatsby_tui.screens.base import AsksBeforeDiscarding
from gatsby_tui.widgets.plain import Button, DataTable, Input, Static

CLINIC_FIELDS = (
    ("weekdays", "Days", "e.g. tue, or tue,thu"),
    ("start", "From", "e.g. 09:00"),
    ("end", "To", "e.g. 15:00"),
    ("slot_minutes", "Slot length", "minutes, e.g. 45"),
    ("break_start", "Break from", "e.g. 12:00 (optional)"),
    ("break_end", "Break to", "e.g. 12:45 (optional)"),
    ("place", "Room", "e.g. Careers office"),
    ("valid_from", "Starting", "day/month/year (blank: today)"),
    ("valid_until", "Until", "day/month/year (blank: no end)"),
)
EXCEPTION_FIELDS = (
    ("first_day", "First day", "day/month/year"),
    ("last_day", "Last day", "day/month/year (blank: same day)"),
    ("reason", "Why", "e.g. half term, training day, adviser ill"),
    ("everyone", "Whole school", "yes: a school holiday for every adviser; blank: just you"),
)


class ClinicsScreen(Screen):
    SCOPE = "clinics"
    BINDINGS = actions.bindings("clinics")
    HELP = ("Your clinic hours are the times pupils can be booked with you, as repeating patterns "
            "(e.g. Tuesdays 09:00–15:00 in 45-minute slots with lunch 12:00–12:45). Days off and school "
            "holidays stop the pattern on those days. A: add hours; O: add a day off; X: remove the "
            "highlighted pattern.")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="clinics-title")
        yield Static("Clinic hours", classes="section-title")
        patterns: DataTable = DataTable(id="patterns", cursor_type="row")
        patterns.add_column("Pattern", key="pattern")
        yield patterns
        yield Static("Days off and holidays (from today)", classes="section-title")
        off: DataTable = DataTable(id="exceptions", cursor_type="row")
        off.add_column("Days", key="days", width=34)
        off.add_column("For", key="who", width=14)
        off.add_column("Why", key="why")
        yield off
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#patterns", DataTable).focus()

    def reload(self) -> None:
        store = self.app.store
        adviser = store.advisers.current()
        title = self.query_one("#clinics-title", Static)
        patterns = self.query_one("#patterns", DataTable)
        off = self.query_one("#exceptions", DataTable)
        patterns.clear()
        off.clear()
        if adviser is None:
            title.update("Choose who you are first (F4).")
            return
        title.update(Text(f"Clinic hours for {adviser['name']}", style="bold"))
        for p in store.bookings.clinic_patterns(adviser["id"]):
            patterns.add_row(Text(describe(p)), key=str(p.id))
        if not patterns.row_count:
            patterns.add_row(Text("No clinic hours yet: press a to add them."), key="none")
        for e in store.bookings.clinic_exceptions(adviser["id"]):
            first, last = dates.from_iso(e["first_day"]), dates.from_iso(e["last_day"])
            days = dates.long_uk(first) if first == last else f"{dates.long_uk(first)} to {dates.long_uk(last)}"
            off.add_row(Text(days), Text("everyone" if e["adviser_id"] is None else "you"),
                        Text(e["reason"] or ""), key=str(e["id"]))

    def action_add_clinic(self) -> None:
        self.app.push_screen(FieldsForm("Add clinic hours", CLINIC_FIELDS, self.app.store.bookings.add_clinic,
                                        extra={"adviser_id": self.app.store.adviser_id}),
                             callback=lambda _: self.reload())

    def action_add_exception(self) -> None:
        self.app.push_screen(FieldsForm("Add a day off or holiday", EXCEPTION_FIELDS,
                                        self.app.store.bookings.add_clinic_exception,
                                        extra={"adviser_id": self.app.store.adviser_id}),
                             callback=lambda _: self.reload())

    def action_remove_clinic(self) -> None:
        table = self.query_one("#patterns", DataTable)
        if not table.row_count:
            return
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        if key.value == "none":
            return
        try:
            self.app.store.bookings.remove_clinic(int(key.value))
        except StoreError as e:
            self.app.notify(str(e), severity="error")
            return
        self.app.notify("Clinic pattern removed; meetings already booked stay booked.")
        self.reload()

    def action_close(self) -> None:
        self.dismiss()


class FieldsForm(AsksBeforeDiscarding, ModalScreen[Any]):
    """A small form of text fields handed to one store function, which validates."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")

    def __init__(self, title: str, fields, save, *, extra: dict | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.save_fn = save
        self.extra = extra or {}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static(self.title_text, classes="dialog-title")
            for key, label, placeholder in self.fields:
                yield field(label, Input(placeholder=placeholder, id=key, compact=True))
            yield Static("", id="fields-errors", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(f"#{self.fields[0][0]}", Input).focus()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        values = {key: self.query_one(f"#{key}", Input).value for key, _, _ in self.fields}
        values.update(self.extra)
        try:
            result = self.save_fn(values)
        except StoreError as e:
            errors = getattr(e, "errors", None)
            text = "\n".join(f"✗ {m}" for m in errors.values()) if errors else f"✗ {e}"
            self.query_one("#fields-errors", Static).update(Text(text))
            return
        self.app.notify("Saved.")
        self.dismiss(result)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.close_or_ask(lambda: self.dismiss(None))   # unsaved typing is asked about first
