"""The school and its careers leader (asked on first run, changeable from the command palette), and
the texts the school writes for its published careers programme. The action plans and the
published programme name the careers leader from here, never "the school's careers leader"."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import TextArea
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.domain import dates
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.fields import field
from gatsby_tui.screens.base import AsksBeforeDiscarding
from gatsby_tui.widgets.plain import Button, Input, Label, Static

SCHOOL_FIELDS = (
    ("name", "School", "e.g. Hollins Park Academy"),
    ("leader_name", "Careers leader", "e.g. Daniel Whitaker"),
    ("leader_email", "Their email", "e.g. careers@school.org.uk (optional)"),
    ("leader_phone", "Their telephone", "e.g. 01282 555 0142 (optional)"),
)


def _errors(box: Static, error: StoreError) -> None:
    errors = getattr(error, "errors", None)
    box.update(Text("\n".join(f"✗ {m}" for m in errors.values()) if errors else f"✗ {error}"))


class SchoolForm(AsksBeforeDiscarding, ModalScreen[bool]):
    """Returns True when saved."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("The school's name and its careers leader, as the published careers programme and every pupil's "
            "action plan give them. The name of the school and of the careers leader are required; email and "
            "telephone are shown on the published programme when given.")

    def compose(self) -> ComposeResult:
        school = self.app.store.programme.school()
        values = {"name": school.name, "leader_name": school.leader_name, "leader_email": school.leader_email,
                  "leader_phone": school.leader_phone}
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static("The school and its careers leader", classes="dialog-title")
            for key, label, placeholder in SCHOOL_FIELDS:
                yield field(label, Input(value=values[key] or "", placeholder=placeholder, id=key, compact=True))
            yield Static("", id="school-errors", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        values = {key: self.query_one(f"#{key}", Input).value for key, _, _ in SCHOOL_FIELDS}
        try:
            self.app.store.programme.save_school(values)
        except StoreError as e:
            _errors(self.query_one("#school-errors", Static), e)
            return
        self.app.notify(f"Saved: {values['leader_name'].strip()}, careers leader.", timeout=4, markup=False)
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.close_or_ask(lambda: self.dismiss(False))   # unsaved typing is asked about first


class ProgrammePageForm(AsksBeforeDiscarding, ModalScreen[bool]):
    """What the school writes for its published programme. Returns True when saved."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("What the published careers programme says beside the plan: the provider access policy statement, "
            "how the programme is evaluated and its impact measured, the date of the next review, and for each "
            "benchmark what the school does now and will do next. Each is optional; a text left blank is left "
            "off the page. Ctrl+S saves.")

    def compose(self) -> ComposeResult:
        school = self.app.store.programme.school()
        texts = school.texts
        with Vertical(id="dialog", classes="form-dialog page-dialog"):
            yield Static("The published careers programme: what the school says", classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                yield Label("Provider access policy statement", classes="activity-section")
                yield TextArea(texts.get("provider_access_policy") or "", id="provider_access_policy",
                               classes="page-text")
                yield Label("How the programme is evaluated and its impact measured", classes="activity-section")
                yield TextArea(texts.get("evaluation") or "", id="evaluation", classes="page-text")
                review = dates.uk(dates.from_iso(school.next_review)) if school.next_review else ""
                yield field("Next review", Input(value=review, placeholder="day/month/year", id="next_review",
                                                 compact=True))
                for b in range(1, 9):
                    yield Label(f"Benchmark {b}: {rules.BENCHMARKS[b][0]}", classes="activity-section")
                    yield field("We do now", Input(value=texts.get(f"b{b}_now") or "", id=f"b{b}_now",
                                                   compact=True))
                    yield field("We will do next", Input(value=texts.get(f"b{b}_next") or "", id=f"b{b}_next",
                                                         compact=True))
            yield Static("", id="page-errors", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#provider_access_policy", TextArea).focus()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: self.query_one(f"#{key}", TextArea).text
                               for key in ("provider_access_policy", "evaluation")}
        out["next_review"] = self.query_one("#next_review", Input).value
        for b in range(1, 9):
            for part in ("now", "next"):
                out[f"b{b}_{part}"] = self.query_one(f"#b{b}_{part}", Input).value
        return out

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        try:
            changed = self.app.store.programme.save_page(self.values())
        except StoreError as e:
            _errors(self.query_one("#page-errors", Static), e)
            return
        self.app.notify("Saved the published programme's texts." if changed else "Nothing changed.", timeout=4)
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.close_or_ask(lambda: self.dismiss(False))   # unsaved typing is asked about first
