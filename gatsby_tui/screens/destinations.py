"""One pupil's destinations: intended (Year 11 and 13, with the September Guarantee offer),
actual after leaving, the checks at about 1, 2 and 3 years, and consent; and their forms."""

from __future__ import annotations

from typing import Any, Mapping

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Header
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.screens.base import AsksBeforeDiscarding
from gatsby_tui.domain import codes, dates, send
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.fields import field
from gatsby_tui.widgets.plain import Button, DataTable, Input, Select, Static
from gatsby_tui.widgets.tickbox import TickBox

OFFERS = [("Not known yet", ""), ("Offered", "offered"), ("Accepted", "accepted"), ("No offer", "none")]
OFFER_WORDS = {**codes.OFFER_WORDS, "accepted": "✓ accepted"}   # marked, not told by colour alone


def _uk(iso: str | None, blank: str = "—") -> str:
    return dates.uk(dates.from_iso(iso)) if iso else blank


class DestinationsScreen(Screen):
    SCOPE = "destinations"
    BINDINGS = actions.bindings("destinations")
    HELP = ("Where the pupil intends to go and where they went. Intended destinations (i) are recorded in "
            "Years 10-13, with the September Guarantee offer (o). After leaving, the actual destination (a) and "
            "checks (c) at about 1, 2 and 3 years need the young person's consent to be contacted (y records it); "
            "a pupil who stays in the school's sixth form (210) is tracked without it. Destinations are NCCIS "
            "codes: type the number or part of the name.")

    def __init__(self, pupil_id: int) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self.info: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="dest-body"):
            yield Static(id="dest-title")
            yield Static(id="dest-facts")
            yield Static(id="dest-refusal")
            yield Static("Actual destinations (newest first)", classes="section-title")
            actual: DataTable = DataTable(id="dest-actual", cursor_type="row")
            for key, label, width in (("on", "Recorded", 10), ("code", "Destination", 34), ("provider", "Provider", 24),
                                      ("course", "Course or role", 22), ("start", "Starts", 10)):
                actual.add_column(label, key=key, width=width)
            yield actual
            yield Static("Checks", classes="section-title")
            checks: DataTable = DataTable(id="dest-checks", cursor_type="row")
            for key, label, width in (("on", "Checked", 10), ("for", "Counts for", 18), ("how", "How", 20),
                                      ("code", "Found", 30), ("note", "Note", 26)):
                checks.add_column(label, key=key, width=width)
            yield checks
            yield Static("Intended destinations (newest first)", classes="section-title")
            intended: DataTable = DataTable(id="dest-intended", cursor_type="row")
            for key, label, width in (("on", "Recorded", 10), ("year", "For", 8), ("code", "Destination", 30),
                                      ("provider", "Provider", 22), ("course", "Course or role", 20),
                                      ("offer", "Sept. Guarantee", 16)):
                intended.add_column(label, key=key, width=width)
            yield intended
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_info()
        self.query_one("#dest-actual", DataTable).focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.refresh_info()

    def refresh_info(self) -> None:
        store = self.app.store
        try:
            info = store.destinations.for_pupil(self.pupil_id)
        except StoreError as e:
            self.app.notify(str(e), severity="error")
            self.dismiss()
            return
        self.info = info
        p = info["pupil"]
        self.sub_title = f"Destinations · {p['name']}"
        title = Text(f"Destinations: {p['name']}", style="bold")
        self.query_one("#dest-title", Static).update(title)
        facts = Text()
        if p["date_left"]:
            facts.append(f"Left on {dates.long_uk(dates.from_iso(p['date_left']))} from Year {p['year_left_in']}")
            if p["cohort"]:
                facts.append(f" · {send.cohort_label(p['cohort'])}")
        else:
            facts.append(f"On roll, Year {p['year_group']}")
        facts.append("\nConsent to be contacted about destinations after 16: ")
        facts.append("✓ given" if p["consent"] else "✗ not recorded", style="bold")
        current = info["actual"][0] if info["actual"] else None
        facts.append("\nNow: ")
        facts.append(f"{current['code']} {current['label']}" if current else "not known", style="bold")
        if current and current["provider"]:
            facts.append(f" — {current['provider']}")
        if current:
            facts.append(f" (recorded {_uk(current['recorded_on'])})")
        if current and send.is_neet(current["code"]):
            facts.append("  ⚠ NEET", style="bold")
        if info["schedule"]:
            facts.append("\nChecks: ")
            facts.append("  ·  ".join(f"{s['n']} year{'s' if s['n'] > 1 else ''} {dates.uk(s['due'])} "
                                      f"{codes.CHECK_STATE_MARKED[s['state']]}" for s in info["schedule"]))
        self.query_one("#dest-facts", Static).update(facts)
        refusal = self.query_one("#dest-refusal", Static)
        refusal.update(Text("⚠ " + info["refusal"]) if info["refusal"] else "")
        refusal.display = bool(info["refusal"])

        actual = self.query_one("#dest-actual", DataTable)
        actual.clear()
        for d in info["actual"]:
            actual.add_row(Text(_uk(d["recorded_on"])), Text(f"{d['code']} {d['label']}"), Text(d["provider"] or "—"),
                           Text(d["course_or_role"] or "—"), Text(_uk(d["start_date"])), key=str(d["id"]))
        if not info["actual"]:
            actual.add_row(Text("—"), Text("Nothing recorded" + (": press a" if p["has_left"] else "")), Text(""),
                           Text(""), Text(""), key="none")
        checks = self.query_one("#dest-checks", DataTable)
        checks.clear()
        dues = {s["due"].isoformat(): s["n"] for s in info["schedule"]}
        for k in info["checks"]:
            counts = (f"{dues[k['due_on']]}-year check" if k["due_on"] in dues else "extra confirmation")
            checks.add_row(Text(_uk(k["checked_on"])), Text(counts), Text(k["method"] or "—"),
                           Text(f"{k['code']} {k['label']}" if k["code"] else "no answer"), Text(k["note"] or ""),
                           key=str(k["id"]))
        if not info["checks"]:
            checks.add_row(Text("—"), Text("No checks yet"), Text(""), Text(""), Text(""), key="none")
        intended = self.query_one("#dest-intended", DataTable)
        intended.clear()
        for d in info["intended"]:
            offer = OFFER_WORDS.get(d["offer_status"] or "", "not known")
            if d["offer_provider"] and d["offer_status"] in ("offered", "accepted"):
                offer += f" ({d['offer_provider']})"
            intended.add_row(Text(_uk(d["recorded_on"])), Text(f"Year {d['at_year']}" if d["at_year"] else "—"),
                             Text(f"{d['code']} {d['label']}"), Text(d["provider"] or "—"),
                             Text(d["course_or_role"] or "—"), Text(offer), key=str(d["id"]))
        if not info["intended"]:
            intended.add_row(Text("—"), Text(""), Text("Nothing recorded"), Text(""), Text(""), Text(""), key="none")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        info = self.info if self.is_mounted else None
        if info is None:
            return True
        p = info["pupil"]
        if action == "add_intended":
            return not p["has_left"]
        if action == "offer":
            return bool(info["intended"]) and not p["has_left"]
        if action == "add_check":
            return p["has_left"]
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_add_intended(self) -> None:
        self.app.push_screen(DestinationForm(self.pupil_id, "intended"), callback=lambda _: self.refresh_info())

    def action_offer(self) -> None:
        if self.info and self.info["intended"]:
            self.app.push_screen(DestinationForm(self.pupil_id, "offer", self.info["intended"][0]),
                                 callback=lambda _: self.refresh_info())

    def _refused(self) -> bool:
        """A leaver without consent: say so at once rather than open a form that cannot be saved."""
        refusal = self.info["refusal"] if self.info else None
        if refusal:
            self.app.notify(refusal, severity="error", title="Refused: no consent", timeout=10)
        return bool(refusal)

    def action_add_actual(self) -> None:
        if not self._refused():
            self.app.push_screen(DestinationForm(self.pupil_id, "actual"), callback=lambda _: self.refresh_info())

    def action_add_check(self) -> None:
        if not self._refused():
            self.app.push_screen(DestinationForm(self.pupil_id, "check"), callback=lambda _: self.refresh_info())

    def action_consent(self) -> None:
        self.app.push_screen(ConsentForm(self.pupil_id), callback=lambda _: self.refresh_info())


# ---------------------------------------------------------------- forms

FORM_FIELDS = {
    "intended": (("code", "Destination", "NCCIS code or name: 230, 'apprentice', 'sixth form'"),
                 ("provider", "Provider", "e.g. Riverside College"),
                 ("course_or_role", "Course or role", "e.g. Level 3 engineering"),
                 ("offer_status", "Sept. Guarantee", ""),
                 ("offer_provider", "Offer from", "blank: the provider above")),
    "offer": (("offer_status", "Sept. Guarantee", ""),
              ("offer_provider", "Offer from", "the provider that made the offer")),
    "actual": (("code", "Destination", "NCCIS code or name: 230, 'apprentice', 'NEET seeking'"),
               ("provider", "Provider or employer", "e.g. Riverside College"),
               ("course_or_role", "Course or role", "e.g. Level 3 engineering"),
               ("start_date", "Started", "day/month/year"),
               ("checked_on", "Checked on", "day/month/year (blank: today)"),
               ("method", "How it was checked", "e.g. phone call, email, the provider's return"),
               ("note", "Note", "")),
    "check": (("checked_on", "Checked on", "day/month/year (blank: today)"),
              ("method", "How it was checked", "e.g. phone call, email, the provider's return"),
              ("code", "What they do now", "NCCIS code or name; blank if no answer came"),
              ("provider", "Provider or employer", "if it changed"),
              ("note", "Note", "")),
}
TITLES = {"intended": "Record an intended destination", "offer": "The September Guarantee offer",
          "actual": "Record the actual destination", "check": "Record a destination check"}


class DestinationForm(AsksBeforeDiscarding, ModalScreen[Any]):
    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("Type the destination as its NCCIS code (e.g. 230) or part of its name (e.g. 'apprentice'); what it "
            "was understood as is shown below it. Dates are day/month/year. Ctrl+S saves; Escape closes.")

    def __init__(self, pupil_id: int, kind: str, destination: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self.kind = kind
        self.destination = destination

    def compose(self) -> ComposeResult:
        row = self.app.store.pupils.get(self.pupil_id)
        who = f"{row['preferred_forename'] or row['legal_forename']} {row['legal_surname']}"
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static(Text(f"{TITLES[self.kind]}: {who}"), classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                for key, label, hint in FORM_FIELDS[self.kind]:
                    if key == "offer_status":
                        current = (self.destination or {}).get("offer_status") or ""
                        yield field(label, Select(OFFERS, value=current, allow_blank=False, id=key, compact=True))
                    else:
                        value = (self.destination or {}).get(key) or ""
                        yield field(label, Input(value=value, placeholder=hint, id=key, compact=True))
                    if key == "code":
                        yield Static("", id="dest-code-note")
                    error = Static("", id=f"err-{key}", classes="field-error")
                    error.display = False
                    yield error
            yield Static("", id="form-problem", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#form-problem").display = False
        first = FORM_FIELDS[self.kind][0][0]
        self.query_one(f"#{first}").focus()

    @on(Input.Changed, "#code")
    def _understood(self, event: Input.Changed) -> None:
        note = self.query_one("#dest-code-note", Static)
        if not event.value.strip():
            note.update("")
            return
        try:
            code = self.app.store.records.parse_destination(event.value)
        except StoreError as e:
            note.update(Text("✗ " + str(e)))
            return
        label = next((r["label"] for r in self.app.store.records.find_nccis(code)), "") if code else ""
        neet = "  (NEET)" if send.is_neet(code) else ""
        note.update(Text(f"✓ {code} {label}{neet}"))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, _, _ in FORM_FIELDS[self.kind]:
            widget = self.query_one(f"#{key}")
            out[key] = widget.value if not isinstance(widget, Select) else (
                "" if widget.value is Select.NULL else widget.value)
        return out

    def _show(self, errors: Mapping[str, str], problem: str | None = None) -> None:
        for key, _, _ in FORM_FIELDS[self.kind]:
            label = self.query_one(f"#err-{key}", Static)
            label.update(Text("✗ " + errors[key]) if key in errors else "")
            label.display = key in errors
        for widget in self.query(".field-input"):
            widget.set_class(widget.id in errors, "invalid")
        box = self.query_one("#form-problem", Static)
        box.update(Text("✗ " + problem) if problem else "")
        box.display = bool(problem)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        from gatsby_tui.store.destinations import DestinationInvalid, NoConsent

        store = self.app.store
        values = self.values()
        try:
            if self.kind == "intended":
                store.destinations.record_intended(self.pupil_id, values)
                done = "Intended destination recorded."
            elif self.kind == "offer":
                store.destinations.set_offer(self.destination["id"], values,  # type: ignore[index]
                                            original=self.destination)
                done = "September Guarantee offer saved."
            elif self.kind == "actual":
                store.destinations.record_actual(self.pupil_id, values)
                done = "Actual destination recorded."
            else:
                store.destinations.record_check(self.pupil_id, values)
                done = "Check recorded."
        except DestinationInvalid as e:
            self._show(e.errors)
            self.app.notify(f"Not saved: {len(e.errors)} field{'s' if len(e.errors) > 1 else ''} to correct.",
                            severity="error")
            return
        except NoConsent as e:
            self._show({}, str(e))
            self.app.notify(str(e), severity="error", title="Refused: no consent", timeout=10)
            return
        except StoreError as e:
            self._show({}, str(e))
            self.app.notify(str(e), severity="error", title="Not saved")
            return
        self.app.notify(done)
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.close_or_ask(lambda: self.dismiss(None))   # unsaved typing is asked about first


class ConsentForm(ModalScreen[bool]):
    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("Tick when the young person has agreed to be contacted about what they do after 16 (in writing or "
            "as the school's policy asks); untick when they withdraw it. Ctrl+S saves; the change is logged.")

    def __init__(self, pupil_id: int) -> None:
        super().__init__()
        self.pupil_id = pupil_id

    def compose(self) -> ComposeResult:
        row = self.app.store.pupils.get(self.pupil_id)
        who = f"{row['preferred_forename'] or row['legal_forename']} {row['legal_surname']}"
        with Vertical(id="dialog", classes="small-dialog"):
            yield Static(Text(f"Consent: {who}"), classes="dialog-title")
            yield TickBox("Agrees to be asked where they go after 16", value=bool(
                row["destination_consent"]), id="consent")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#consent", TickBox).focus()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        consent = self.query_one("#consent", TickBox).value
        try:
            changed = self.app.store.destinations.set_consent(self.pupil_id, consent)
        except StoreError as e:
            self.app.notify(str(e), severity="error", title="Not saved")
            return
        if changed:
            self.app.notify("Consent recorded." if consent else "Consent withdrawn: they will not be contacted.")
        self.dismiss(changed)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
