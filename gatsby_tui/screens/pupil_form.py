"""Add or edit a pupil, with every mistake explained beside its field."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.widgets.fields import field
from gatsby_tui.store import PupilInvalid, StoreError
from gatsby_tui.widgets.plain import Button, Input, Select, Static
from gatsby_tui.widgets.tickbox import TickBox
from gatsby_tui.domain.codes import FLAG_FIELDS, FLAG_LABELS, GENDER_LABELS, SEN_LABELS

TEXT_FIELDS = (
    ("upn", "UPN", "13 characters, e.g. B801200005001"),
    ("legal_surname", "Legal surname", ""),
    ("legal_forename", "Legal forename", ""),
    ("preferred_forename", "Preferred forename", "if different"),
    ("dob", "Date of birth", "day/month/year, e.g. 24/11/2010"),
    ("year_group", "School's year group", "blank: from the date of birth"),
    ("form", "Form", "e.g. 10B"),
)


class PupilForm(ModalScreen[int | None]):
    """Returns the pupil's id when saved, None when cancelled."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = (
        "Type the pupil's details as they appear in the school's records. Dates are day/month/year. "
        "The year group is worked out from the date of birth unless you type the school's own; "
        "a difference is allowed (some pupils are taught out of their age group) and shown as a warning. "
        "The date of entry, when the pupil joined after the start of Year 7, means the benchmarks do not "
        "expect the years before it; left blank, every year from Year 7 is expected. "
        "Ctrl+S saves, Escape closes without saving."
    )

    def __init__(self, pupil_id: int | None) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self._initial: dict[str, Any] = {}
        self._opened: dict[str, Any] | None = None   # the row as it was when the form opened
        self._discard_armed = False

    def compose(self) -> ComposeResult:
        title = "Add a pupil" if self.pupil_id is None else "Edit pupil"
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static(title, classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                for key, label, placeholder in TEXT_FIELDS:
                    yield field(label, Input(placeholder=placeholder, id=key, compact=True))
                    yield Static("", id=f"err-{key}", classes="field-error")
                yield field("Gender", Select([(label, code) for code, label in GENDER_LABELS.items()],
                                             prompt="Not recorded", id="gender", compact=True))
                yield Static("", id="err-gender", classes="field-error")
                yield field("SEN status", Select([(label, code) for code, label in SEN_LABELS.items()], value="N",
                                                 allow_blank=False, id="sen_status", compact=True))
                yield Static("", id="err-sen_status", classes="field-error")
                with Horizontal(classes="field checks"):
                    for flag in FLAG_FIELDS[:2]:
                        yield TickBox(FLAG_LABELS[flag][1], id=flag, compact=True)
                with Horizontal(classes="field checks"):
                    for flag in FLAG_FIELDS[2:]:
                        yield TickBox(FLAG_LABELS[flag][1], id=flag, compact=True)
                with Horizontal(classes="field checks"):
                    yield TickBox("Consents to be contacted about destinations after 16",
                                  id="destination_consent", compact=True)
                yield field("Date of entry", Input(placeholder="the day they joined; blank: from Year 7 or not known",
                                                   id="date_of_entry", compact=True))
                yield Static("", id="err-date_of_entry", classes="field-error")
            yield Static("", id="form-warning")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        for error in self.query(".field-error"):
            error.display = False
        if self.pupil_id is not None:
            try:
                self._opened, values = self.app.store.pupils.for_form(self.pupil_id)
            except StoreError as e:
                self.app.notify(str(e), severity="error")
                self.dismiss(None)
                return
            self._fill(values)
        self.call_after_refresh(self._remember_initial)
        self.query_one("#upn", Input).focus()

    def _remember_initial(self) -> None:
        self._initial = self.values()

    def _fill(self, values: dict[str, Any]) -> None:
        for key, _, _ in TEXT_FIELDS:
            self.query_one(f"#{key}", Input).value = str(values.get(key) or "")
        gender = values.get("gender") or None
        if gender:
            self.query_one("#gender", Select).value = gender
        self.query_one("#sen_status", Select).value = values.get("sen_status") or "N"
        self.query_one("#date_of_entry", Input).value = str(values.get("date_of_entry") or "")
        for flag in (*FLAG_FIELDS, "destination_consent"):
            self.query_one(f"#{flag}", TickBox).value = bool(values.get(flag))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: self.query_one(f"#{key}", Input).value for key, _, _ in TEXT_FIELDS}
        gender = self.query_one("#gender", Select).value
        out["gender"] = "" if gender is Select.NULL else gender
        out["sen_status"] = self.query_one("#sen_status", Select).value
        out["date_of_entry"] = self.query_one("#date_of_entry", Input).value
        for flag in (*FLAG_FIELDS, "destination_consent"):
            out[flag] = self.query_one(f"#{flag}", TickBox).value
        return out

    def _show_errors(self, errors: dict[str, str]) -> None:
        for key in [k for k, _, _ in TEXT_FIELDS] + ["gender", "sen_status", "date_of_entry"]:
            label = self.query_one(f"#err-{key}", Static)
            label.update(Text("✗ " + errors[key]) if key in errors else "")
            label.display = key in errors
        for widget in self.query(".field-input"):
            widget.set_class(widget.id in errors, "invalid")

    @on(Input.Changed, "#dob, #year_group")
    def _preview_year(self) -> None:
        """Show the year-group warning as soon as the date of birth and year are typed."""
        try:
            checked = self.app.store.pupils.validate(self.values())
        except PupilInvalid:
            self.query_one("#form-warning", Static).update("")
            return
        self.query_one("#form-warning", Static).update(Text("⚠ " + " ".join(checked.warnings)) if checked.warnings else "")

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        store = self.app.store
        try:
            checked = store.pupils.validate(self.values())
            if self.pupil_id is None:
                pupil_id = store.pupils.add(checked)
                verb = "Added"
            else:
                store.pupils.update(self.pupil_id, checked, original=self._opened)
                pupil_id = self.pupil_id
                verb = "Saved"
        except PupilInvalid as e:
            self._show_errors(e.errors)
            first = next((k for k, _, _ in TEXT_FIELDS if k in e.errors), None) or next(iter(e.errors))
            try:
                self.query_one(f"#{first}").focus()
            except Exception:
                pass
            self.app.notify(f"Not saved: {len(e.errors)} field{'s' if len(e.errors) > 1 else ''} to correct.",
                            severity="error")
            return
        except StoreError as e:
            self.app.notify(str(e), severity="error", title="Not saved")
            return
        saved = store.pupils.get(pupil_id) or checked.values   # as saved, with any change made elsewhere meanwhile
        message = f"{verb} {saved['legal_forename']} {saved['legal_surname']}."
        if checked.warnings:
            self.app.notify(message + " " + " ".join(checked.warnings), severity="warning", timeout=10)
        else:
            self.app.notify(message)
        self.dismiss(pupil_id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.values() != self._initial and not self._discard_armed:
            self._discard_armed = True
            self.app.notify("You have changes that are not saved: press Escape again to discard them, "
                            "or Ctrl+S to save.", severity="warning", title="Not saved")
            return
        self.dismiss(None)
