"""Recording a careers activity, or editing one: what happened, when, with whom, which
benchmarks it serves, which providers were there and which points of the 'meaningful' checklist it
met. Opened through gatsby_tui/navigation.py (the activities list and one activity's screen)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.domain import dates, schoolyear
from gatsby_tui.screens.base import AsksBeforeDiscarding
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.fields import field
from gatsby_tui.widgets.plain import Button, Input, Label, Select, Static
from gatsby_tui.widgets.tickbox import TickBox

# Short enough for a quarter of the form's width.
PROVIDER_TICKS = {"sixth_form": "Sixth forms", "college": "Colleges", "university": "Universities",
                  "training": "Apprenticeships"}


class ActivityForm(AsksBeforeDiscarding, ModalScreen[int | None]):
    """Record (activity_id None) or edit an activity; returns its id when saved."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = (
        "What happened, when (day/month/year: it must have happened already), with which employer or "
        "provider, which benchmarks it serves (ticked for the kind; change them as needed) and which points "
        "of the 'meaningful' checklist it met. An activity that is not meaningful is kept, but does not count "
        "where a benchmark asks for meaningful encounters (5, 6 and 7): the form says so before you save."
    )

    def __init__(self, activity_id: int | None, *, preset: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.activity_id = activity_id
        self.preset = preset or {}
        self._loading = True

    def compose(self) -> ComposeResult:
        store = self.app.store
        values = store.activities.form_values(self.activity_id) if self.activity_id else {
            "kind": "employer_talk", "title": "", "held_on": dates.uk(store.today), "organisation": "",
            "subject": "", "notes": "", "benchmarks": list(rules.DEFAULT_BENCHMARKS["employer_talk"]),
            "programme_item_id": None, **{k: False for k, _ in rules.POINTS}, "providers": [], **self.preset}
        self.values = values
        title = "Edit the activity" if self.activity_id else "Record a careers activity"
        with Vertical(id="dialog", classes="form-dialog activity-dialog"):
            yield Static(title, classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                yield field("Kind", Select(rules.KIND_CHOICES, value=values["kind"], allow_blank=False, id="kind",
                                           compact=True))
                yield Static("", id="err-kind", classes="field-error")
                yield field("Title", Input(value=values["title"], placeholder="e.g. Year 10 careers fair",
                                           id="title", compact=True))
                yield Static("", id="err-title", classes="field-error")
                yield field("Date", Input(value=values["held_on"], placeholder="day/month/year", id="held_on",
                                          compact=True))
                yield Static("", id="err-held_on", classes="field-error")
                yield field("Organisation", Input(value=values["organisation"],
                                                  placeholder="employer, college, university or provider",
                                                  id="organisation", compact=True))
                yield Static("", id="err-organisation", classes="field-error")
                yield field("Subject", Input(value=values["subject"], placeholder="for a subject lesson",
                                             id="subject", compact=True))
                yield Static("", id="err-subject", classes="field-error")
                yield Label("Benchmarks it serves", classes="activity-section")
                with Horizontal(classes="checks activity-benchmarks"):
                    for n in range(1, 5):
                        yield TickBox(f"{n} {rules.BENCHMARKS[n][1]}", value=n in values["benchmarks"],
                                      id=f"bm-{n}", compact=True)
                with Horizontal(classes="checks activity-benchmarks"):
                    for n in range(5, 9):
                        yield TickBox(f"{n} {rules.BENCHMARKS[n][1]}", value=n in values["benchmarks"],
                                      id=f"bm-{n}", compact=True)
                yield Static("", id="err-benchmarks", classes="field-error")
                yield Label("Providers there (a careers fair: each counts for Benchmark 7)", classes="activity-section")
                with Horizontal(classes="checks activity-benchmarks"):
                    for key, _, _ in rules.PROVIDER_TYPES:
                        yield TickBox(PROVIDER_TICKS[key], value=key in values.get("providers", ()),
                                      id=f"pt-{key}", compact=True)
                yield Static("", id="err-providers", classes="field-error")
                yield Label("Meaningful: which points did it meet?", classes="activity-section")
                for key, words in rules.POINTS:
                    extra = " (workplace experiences)" if key in ("m_employer_task", "m_employer_feedback") else ""
                    with Horizontal(classes="checks"):
                        yield TickBox(words[0].upper() + words[1:] + extra, value=bool(values[key]), id=key,
                                      compact=True)
                yield field("Planned as", Select([], prompt="Not in the programme", id="programme_item_id",
                                                 compact=True))
                yield field("Notes", Input(value=values["notes"], id="notes", compact=True))
                yield Static("", id="err-notes", classes="field-error")
            yield Static("", id="form-warning")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self._fill_plan()
        self.query_one("#kind", Select).focus()
        self.call_after_refresh(self._loaded)

    def _loaded(self) -> None:
        self._loading = False
        self._check()

    def _fill_plan(self) -> None:
        store = self.app.store
        try:
            day = dates.parse_date(self.query_one("#held_on", Input).value)
        except dates.DateError:
            day = store.today
        sy = schoolyear.school_year_of(day)
        options = [(f"Year {r['year_group']} · B{r['benchmark']}: {r['description'][:50]}", r["id"])
                   for r in store.programme.items(sy)]
        select = self.query_one("#programme_item_id", Select)
        current = select.value if select.value is not Select.NULL else self.values.get("programme_item_id")
        with self.prevent(Select.Changed):
            select.set_options(options)
            if current in {v for _, v in options}:
                select.value = current

    def _raw(self) -> dict[str, Any]:
        plan = self.query_one("#programme_item_id", Select).value
        return {
            "kind": self.query_one("#kind", Select).value,
            **{k: self.query_one(f"#{k}", Input).value for k in ("title", "held_on", "organisation", "subject", "notes")},
            "benchmarks": [n for n in range(1, 9) if self.query_one(f"#bm-{n}", TickBox).value],
            **{k: self.query_one(f"#{k}", TickBox).value for k, _ in rules.POINTS},
            "programme_item_id": None if plan is Select.NULL else plan,
            "providers": [key for key, _, _ in rules.PROVIDER_TYPES if self.query_one(f"#pt-{key}", TickBox).value],
        }

    @on(Select.Changed, "#kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        if self._loading or self.activity_id:
            return
        defaults = rules.DEFAULT_BENCHMARKS.get(str(event.value), ())
        for n in range(1, 9):
            self.query_one(f"#bm-{n}", TickBox).value = n in defaults
        self._check()

    @on(Input.Changed, "#held_on")
    def _date_changed(self) -> None:
        if not self._loading:
            self._fill_plan()
            self._check()

    @on(TickBox.Changed)
    def _ticked(self) -> None:
        if not self._loading:
            self._check()

    def _check(self) -> None:
        """Show, before saving, where the activity will not count."""
        from gatsby_tui.store.activities import ActivityInvalid

        box = self.query_one("#form-warning", Static)
        try:
            checked = self.app.store.activities.check(self._raw())
        except ActivityInvalid:
            box.update("")
            return
        box.update(Text("\n".join(f"⚠ {w}" for w in checked.warnings)))

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        from gatsby_tui.store.activities import ActivityInvalid

        store = self.app.store
        for key in ("kind", "title", "held_on", "organisation", "subject", "benchmarks", "providers", "notes"):
            self.query_one(f"#err-{key}", Static).update("")
        try:
            if self.activity_id:
                store.activities.update(self.activity_id, self._raw())
                activity_id = self.activity_id
            else:
                activity_id = store.activities.add(self._raw())
        except ActivityInvalid as e:
            for key, message in e.errors.items():
                target = self.query(f"#err-{key}")
                if target:
                    target.first(Static).update(Text("✗ " + message))
            self.app.notify("Not saved: see the fields marked ✗.", severity="error")
            return
        except StoreError as e:
            self.app.notify(str(e), severity="error", title="Not saved")
            return
        self.app.notify("Activity saved." if self.activity_id else "Activity recorded: now add who took part.")
        self.dismiss(activity_id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.close_or_ask(lambda: self.dismiss(None))   # unsaved typing is asked about first
