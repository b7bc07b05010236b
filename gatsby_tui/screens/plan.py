"""A pupil's individual plan (SEND): text, Preparing-for-Adulthood targets, reviews and
versions; the forms that change it; and the comparison of two versions."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Header, TextArea
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.domain import dates, send
from gatsby_tui.domain.codes import SEN_WORDS
from gatsby_tui.screens.base import AsksBeforeDiscarding
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.fields import field
from gatsby_tui.widgets.plain import Button, DataTable, Input, Label, Select, Static
from gatsby_tui.widgets.tickbox import TickBox


def _uk(iso: str | None, blank: str = "—") -> str:
    return dates.uk(dates.from_iso(iso)) if iso else blank


def _text_or(value: str | None, blank: str = "(nothing written yet)") -> Text:
    return Text(value) if value else Text(blank, style="dim italic")


class PlanScreen(Screen):
    SCOPE = "plan"
    BINDINGS = actions.bindings("plan")
    HELP = ("The pupil's individual plan: aspirations, strengths, needs and barriers, the support agreed, "
            "and targets in the four Preparing-for-Adulthood areas (employment and higher education, "
            "independent living, participating in society, being healthy). The current version can be "
            "edited (e, t, Enter on a target). A review (r) records who took part and what changed, and makes "
            "a new version; earlier versions stay readable ([ and ]) and c compares one with the current.")

    def __init__(self, pupil_id: int) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self.shown_version: int | None = None       # None: the current one
        self.plan: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="plan-body"):
            yield Static(id="plan-title")
            yield Static(id="plan-version")
            yield Static(id="plan-dates")
            yield Static(id="plan-due")
            with Horizontal(id="plan-text"):
                for key, label in send.PLAN_TEXT_FIELDS:
                    yield Static(id=f"plan-{key}", classes="plan-text-box")
            yield Static("Preparing-for-Adulthood targets", classes="section-title", id="targets-title")
            targets: DataTable = DataTable(id="plan-targets", cursor_type="row", zebra_stripes=True)
            for key, label, width in (("area", "Area", 18), ("outcome", "Outcome", 16), ("what", "What", 23),
                                      ("by", "By when", 10), ("who", "Who helps", 11), ("status", "Status", 13),
                                      ("evidence", "Evidence", 10)):
                targets.add_column(label, key=key, width=width)
            yield targets
            yield Static(id="target-detail")
            yield Static("Reviews", classes="section-title", id="reviews-title")
            reviews: DataTable = DataTable(id="plan-reviews", cursor_type="row")
            for key, label, width in (("on", "Held", 10), ("kind", "Kind", 18), ("who", "Who took part", 26),
                                      ("changed", "What changed", 28), ("next", "Next review", 11),
                                      ("version", "Made", 9)):
                reviews.add_column(label, key=key, width=width)
            yield reviews
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_plan()
        self.query_one("#plan-targets", DataTable).focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.refresh_plan()

    # ------------------------------------------------------------ showing
    def refresh_plan(self) -> None:
        store = self.app.store
        row = store.pupils.get(self.pupil_id)
        if row is None:
            self.app.notify("That pupil is no longer on the register.", severity="error")
            self.dismiss()
            return
        try:
            self.plan = store.plans.get(self.pupil_id, self.shown_version)
        except StoreError:
            self.shown_version = None
            self.plan = store.plans.get(self.pupil_id)
        who = f"{row['preferred_forename'] or row['legal_forename']} {row['legal_surname']}"
        self.sub_title = f"Plan · {who}"
        plan = self.plan
        for widget_id in ("plan-version", "plan-dates", "plan-due", "plan-text", "targets-title", "plan-targets",
                          "target-detail", "reviews-title", "plan-reviews"):
            self.query_one(f"#{widget_id}").display = plan is not None
        title = Text(f"Individual plan: {who}", style="bold")
        if plan is None:
            title.append(f"\n\nNo individual plan yet ({SEN_WORDS[row['sen_status']]}). Press n to start one.")
            self.query_one("#plan-title", Static).update(title)
            self.refresh_bindings()
            return
        pupil = plan["pupil"]
        title.append(f"  ·  Year {pupil['year_group']}  ·  {SEN_WORDS[pupil['sen_status']]}")
        self.query_one("#plan-title", Static).update(title)
        shown = plan["shown"]
        self.shown_version = shown["version"] if not shown["is_current"] else None
        made = (f"made by the review of {_uk(shown['review']['reviewed_on'])}" if shown["review"]
                else f"started {_uk(shown['created_at'][:10])}")
        version_line = Text(f"Version {shown['version']} of {plan['current_version']} ", style="bold")
        if shown["is_current"]:
            version_line.append(f"(current) · {made}")
            if plan["current_version"] > 1:
                version_line.append("  ·  [ shows earlier versions, c compares")
        else:
            version_line.append(f"— an earlier version, read only · {made}  ·  ] newer, c compares with the current")
        self.query_one("#plan-version", Static).update(version_line)
        transition = send.transition_words(pupil["intake_year"], dates.from_iso(plan["transition_plan_on"]))
        if plan.get("ceased_on"):
            parts = [f"The plan ended at the review of {_uk(plan['ceased_on'])}: no next review"]
        else:
            parts = [f"Next review: {_uk(plan['next_review_on'], 'not set')}"]
        if pupil["sen_status"] == "E":
            parts.append(f"EHCP annual review: {_uk(plan['ehcp_annual_review_on'], 'not set')}")
        if plan["transition_plan_on"] or (pupil["sen_status"] == "E" and pupil["year_group"] >= 10):
            parts.append(f"Transition plan (post-16): {transition}")
        if plan["transition_deadline"]:
            parts.append(f"EHCP to be amended by {dates.long_uk(plan['transition_deadline'])}")
        self.query_one("#plan-dates", Static).update(Text("  ·  ".join(parts)))
        due = self.query_one("#plan-due", Static)
        due.update(Text("\n".join(plan["due"])))
        due.display = bool(plan["due"])
        for key, label in send.PLAN_TEXT_FIELDS:
            box = Text()
            box.append(label, style="bold")
            box.append("\n")
            box.append_text(_text_or(shown.get(key)))
            self.query_one(f"#plan-{key}", Static).update(box)
        self._fill_targets(shown)
        self._fill_reviews(plan)
        self.refresh_bindings()

    def _fill_targets(self, shown: Mapping[str, Any]) -> None:
        table = self.query_one("#plan-targets", DataTable)
        keep = table.cursor_row
        table.clear()
        for t in shown["targets"]:
            status = f"{send.STATUS_MARKS[t['status']]} {send.STATUS_WORDS[t['status']]}"
            table.add_row(Text(send.AREA_SHORT[t["area"]]), Text(t["outcome"] or "—"), Text(t["what"]),
                          Text(_uk(t["by_when"])), Text(t["who_helps"] or "—"), Text(status),
                          Text(t["evidence"] or "—"), key=str(t["id"]))
        if not shown["targets"]:
            hint = "No targets yet: press t to add one." if shown["is_current"] else "No targets in this version."
            table.add_row(Text(hint), *[Text("")] * 6, key="none")
        elif keep < table.row_count:
            table.move_cursor(row=keep)
        self._show_target()

    def _fill_reviews(self, plan: Mapping[str, Any]) -> None:
        table = self.query_one("#plan-reviews", DataTable)
        table.clear()
        for r in plan["reviews"]:
            table.add_row(Text(_uk(r["reviewed_on"])), Text("EHCP annual review" if r["is_ehcp_annual"] else "Review"),
                          Text(", ".join(r["participants"])), Text(r["what_changed"] or "—"),
                          Text(_uk(r["next_review_on"])), Text(f"version {r['version']}"), key=str(r["id"]))
        if not plan["reviews"]:
            table.add_row(Text("None yet"), Text("press r when a review has been held"), *[Text("")] * 4, key="none")

    # ------------------------------------------------------------ what applies
    def _current_target(self) -> int | None:
        table = self.query_one("#plan-targets", DataTable)
        if not table.row_count:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return None if key.value == "none" else int(key.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        plan = self.plan if self.is_mounted else None
        if action == "new_plan":
            return plan is None
        if action in ("edit_plan", "add_target", "hold_review", "edit_target"):
            if plan is None:
                return False
            return True if plan["shown"]["is_current"] else None
        if action == "compare":
            return plan is not None and plan["current_version"] > 1
        if action == "older":
            return plan is not None and plan["shown"]["version"] > 1
        if action == "newer":
            return plan is not None and not plan["shown"]["is_current"]
        return True

    # ------------------------------------------------------------ actions
    def action_back(self) -> None:
        self.dismiss()

    def action_cursor_down(self) -> None:
        self.query_one("#plan-targets", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#plan-targets", DataTable).action_cursor_up()

    def action_older(self) -> None:
        if self.plan and self.plan["shown"]["version"] > 1:
            self.shown_version = self.plan["shown"]["version"] - 1
            self.refresh_plan()

    def action_newer(self) -> None:
        if self.plan and not self.plan["shown"]["is_current"]:
            nxt = self.plan["shown"]["version"] + 1
            self.shown_version = None if nxt >= self.plan["current_version"] else nxt
            self.refresh_plan()

    def action_new_plan(self) -> None:
        if self.plan is None:
            self.app.push_screen(PlanForm(self.pupil_id, None), callback=lambda _: self.refresh_plan())

    def action_edit_plan(self) -> None:
        if self.plan is not None and self.plan["shown"]["is_current"]:
            self.app.push_screen(PlanForm(self.pupil_id, self.plan), callback=lambda _: self.refresh_plan())

    def action_add_target(self) -> None:
        if self.plan is not None and self.plan["shown"]["is_current"]:
            self.app.push_screen(TargetForm(self.plan["id"], None), callback=lambda _: self.refresh_plan())

    @on(DataTable.RowHighlighted, "#plan-targets")
    def _show_target(self) -> None:
        """The highlighted target in full, under the table (the cells are cut to fit)."""
        detail = self.query_one("#target-detail", Static)
        target_id = self._current_target()
        target = next((t for t in (self.plan or {}).get("shown", {}).get("targets", []) if t["id"] == target_id), None)
        if target is None:
            detail.update("")
            return
        text = Text()
        text.append(f"{send.AREA_WORDS[target['area']]}: ", style="bold")
        text.append(target["what"])
        if target["outcome"]:
            text.append(f"  ·  outcome: {target['outcome']}")
        text.append(f"  ·  {send.STATUS_MARKS[target['status']]} {send.STATUS_WORDS[target['status']]}")
        if target["evidence"]:
            text.append(f"  ·  evidence: {target['evidence']}")
        detail.update(text)

    @on(DataTable.RowSelected, "#plan-targets")
    def _target_chosen(self) -> None:
        self.action_edit_target()

    def action_edit_target(self) -> None:
        if self.plan is None or not self.plan["shown"]["is_current"]:
            return
        target_id = self._current_target()
        if target_id is None:
            self.action_add_target()
            return
        target = next(t for t in self.plan["shown"]["targets"] if t["id"] == target_id)
        self.app.push_screen(TargetForm(self.plan["id"], target), callback=lambda _: self.refresh_plan())

    def action_hold_review(self) -> None:
        if self.plan is not None and self.plan["shown"]["is_current"]:
            def done(version: int | None) -> None:
                self.shown_version = None
                self.refresh_plan()

            self.app.push_screen(ReviewForm(self.plan), callback=done)

    def action_compare(self) -> None:
        if self.plan is None or self.plan["current_version"] < 2:
            return
        shown = self.plan["shown"]
        old = shown["version"] if not shown["is_current"] else self.plan["current_version"] - 1
        self.app.push_screen(CompareScreen(self.plan["id"], old, self.plan["current_version"]))


# ---------------------------------------------------------------- forms


class _Form(AsksBeforeDiscarding, ModalScreen[Any]):
    """What the plan forms share: Ctrl+S saves, Escape closes, errors beside their fields."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    FIELDS: tuple[str, ...] = ()

    def show_errors(self, errors: Mapping[str, str]) -> None:
        for key in self.FIELDS:
            for label in self.query(f"#err-{key}"):
                label.update(Text("✗ " + errors[key]) if key in errors else "")  # type: ignore[attr-defined]
                label.display = key in errors
        for widget in self.query(".field-input"):
            widget.set_class(widget.id in errors, "invalid")
        first = next((k for k in self.FIELDS if k in errors), None)
        if first:
            try:
                self.query_one(f"#{first}").focus()
            except Exception:
                pass

    def error_slot(self, key: str) -> Static:
        slot = Static("", id=f"err-{key}", classes="field-error")
        slot.display = False
        return slot

    def save_with(self, fn: Callable[[], Any], done: str) -> None:
        from gatsby_tui.store.plans import PlanInvalid

        try:
            result = fn()
        except PlanInvalid as e:
            # Each error is shown once: beside its field, or (with no field on this form) in the
            # notice; never in both, and never nowhere.
            self.show_errors(e.errors)
            beside = [k for k in e.errors if k in self.FIELDS and self.query(f"#err-{k}")]
            elsewhere = [message for k, message in e.errors.items() if k not in beside]
            if elsewhere:
                self.app.notify(" ".join(elsewhere), severity="error", title="Not saved", markup=False)
            else:
                self.app.notify(f"Not saved: {len(beside)} field{'s' if len(beside) > 1 else ''} to correct, "
                                "marked beside each.", severity="error", markup=False)
            return
        except StoreError as e:
            self.app.notify(str(e), severity="error", title="Not saved")
            return
        self.app.notify(done)
        self.dismiss(result if result is not None else True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.close_or_ask(lambda: self.dismiss(None))        # unsaved typing is asked about first

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    def action_save(self) -> None:  # pragma: no cover - every form has its own
        raise NotImplementedError


def _area(label: str, value: str | None, key: str, height: int = 4) -> TextArea:
    area = TextArea(value or "", id=key, soft_wrap=True, compact=True, classes="plan-area")
    area.styles.height = height
    return area


class PlanForm(_Form):
    """Start a plan (version 1) or edit the current version's text and the plan's dates."""

    FIELDS = ("aspirations", "strengths", "needs", "support", "next_review_on", "ehcp_annual_review_on",
              "transition_plan_on")
    HELP = ("Write the plan in the pupil's own words where you can. Dates are day/month/year. "
            "Ctrl+S saves; Escape closes without saving (asking first if you typed something). Editing changes the current version; a review (r on "
            "the plan) makes a new version and keeps this one.")

    def __init__(self, pupil_id: int, plan: Mapping[str, Any] | None) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self.plan = plan

    def compose(self) -> ComposeResult:
        row = self.app.store.pupils.get(self.pupil_id)
        who = f"{row['preferred_forename'] or row['legal_forename']} {row['legal_surname']}"
        title = (f"Start an individual plan for {who}" if self.plan is None
                 else f"Edit {who}'s plan (version {self.plan['current_version']})")
        shown = self.plan["shown"] if self.plan else {}
        with Vertical(id="dialog", classes="form-dialog plan-dialog"):
            yield Static(Text(title), classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                for key, label in send.PLAN_TEXT_FIELDS:
                    yield field(label, _area(label, shown.get(key), key))
                    yield self.error_slot(key)
                for key, label, hint in (("next_review_on", "Next review", "day/month/year"),
                                         ("ehcp_annual_review_on", "EHCP annual review", "next one, day/month/year"),
                                         ("transition_plan_on", "Transition plan agreed",
                                          "day/month/year (post-16 amendment), or blank")):
                    value = _uk(self.plan[key], "") if self.plan else ""
                    yield field(label, Input(value=value, placeholder=hint, id=key, compact=True))
                    yield self.error_slot(key)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#aspirations", TextArea).focus()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: self.query_one(f"#{key}", TextArea).text for key, _ in send.PLAN_TEXT_FIELDS}
        for key in ("next_review_on", "ehcp_annual_review_on", "transition_plan_on"):
            out[key] = self.query_one(f"#{key}", Input).value
        return out

    def action_save(self) -> None:
        store = self.app.store
        if self.plan is None:
            self.save_with(lambda: store.plans.create(self.pupil_id, self.values()), "Plan started: version 1.")
        else:
            self.save_with(lambda: store.plans.update(self.plan["id"], self.values(), original=self.plan) or True,
                           f"Saved version {self.plan['current_version']}.")


class TargetForm(_Form):
    """Add a target to the current version, or change one."""

    FIELDS = ("area", "outcome", "what", "by_when", "who_helps", "status", "evidence")
    HELP = ("A target belongs to one of the four Preparing-for-Adulthood areas. 'Outcome' is what the pupil is "
            "working towards (e.g. 'travels to college independently'); 'What' is this step. Ctrl+S saves.")

    def __init__(self, plan_id: int, target: Mapping[str, Any] | None) -> None:
        super().__init__()
        self.plan_id = plan_id
        self.target = target

    def compose(self) -> ComposeResult:
        t = self.target or {}
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static("Change the target" if self.target else "Add a target", classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                yield field("Area", Select([(label, key) for key, label in send.AREAS], value=t.get("area", "employment"),
                                           allow_blank=False, id="area", compact=True))
                yield self.error_slot("area")
                for key, label, hint in (("outcome", "Outcome", "what the pupil is working towards"),
                                         ("what", "What", "this step: what the pupil will do"),
                                         ("by_when", "By when", "day/month/year"),
                                         ("who_helps", "Who helps", "e.g. SENCO, parent/carer, college link tutor")):
                    value = _uk(t.get(key), "") if key == "by_when" else (t.get(key) or "")
                    yield field(label, Input(value=value, placeholder=hint, id=key, compact=True))
                    yield self.error_slot(key)
                yield field("Status", Select([(words, key) for key, words in send.TARGET_STATUSES],
                                             value=t.get("status", "not_started"), allow_blank=False, id="status",
                                             compact=True))
                yield self.error_slot("status")
                yield field("Evidence", _area("Evidence", t.get("evidence"), "evidence", 3))
                yield self.error_slot("evidence")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#what" if self.target is None else "#status").focus()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: self.query_one(f"#{k}", Input).value for k in ("outcome", "what", "by_when",
                                                                                  "who_helps")}
        out["area"] = self.query_one("#area", Select).value
        out["status"] = self.query_one("#status", Select).value
        out["evidence"] = self.query_one("#evidence", TextArea).text
        return out

    def action_save(self) -> None:
        store = self.app.store
        if self.target is None:
            self.save_with(lambda: store.plans.add_target(self.plan_id, self.values()), "Target added.")
        else:
            self.save_with(lambda: store.plans.update_target(self.target["id"], self.values(),
                                                            original=self.target) or True,
                           "Target saved.")


class ReviewForm(_Form):
    """Record a review held; saving makes the plan's next version."""

    FIELDS = ("reviewed_on", "participants", "what_changed", "next_review_on", "is_ehcp_annual",
              "next_annual_review_on", "aspirations", "strengths", "needs", "support")
    HELP = ("Record a review once it has been held: the date, who took part (tick them, and type any others), "
            "what changed and the next review date. Change the plan's text below as agreed at the review: "
            "saving makes a new version, and the current one is kept as it was. Ctrl+S saves.")

    def __init__(self, plan: Mapping[str, Any]) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        plan = self.plan
        pupil = plan["pupil"]
        shown = plan["shown"]
        ehcp = pupil["sen_status"] == "E"
        with Vertical(id="dialog", classes="form-dialog plan-dialog"):
            yield Static(Text(f"Review of {pupil['name']}'s plan: makes version {plan['current_version'] + 1}"),
                         classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                yield field("Held on", Input(value=dates.uk(self.app.store.today), placeholder="day/month/year",
                                             id="reviewed_on", compact=True))
                yield self.error_slot("reviewed_on")
                # Two to a line, so "careers adviser" is never cut off at 120 columns.
                half = (len(send.PARTICIPANTS) + 1) // 2
                for row, chunk in enumerate((send.PARTICIPANTS[:half], send.PARTICIPANTS[half:])):
                    with Horizontal(classes="field", id="participants" if row == 0 else "participants-more"):
                        yield Label("Who took part" if row == 0 else "", classes="field-label")
                        for key, words in chunk:
                            yield TickBox(words, id=f"who-{key}", compact=True)
                yield field("Others", Input(placeholder="roles, comma-separated: e.g. LA caseworker, college tutor",
                                            id="others", compact=True))
                yield self.error_slot("participants")
                yield field("What changed", _area("What changed", "", "what_changed", 3))
                yield self.error_slot("what_changed")
                yield field("Next review", Input(placeholder="day/month/year", id="next_review_on", compact=True))
                with Horizontal(classes="field checks"):
                    yield TickBox("The plan ends at this review (no next review)", id="ceased", compact=True)
                yield self.error_slot("next_review_on")
                if ehcp:
                    with Horizontal(classes="field checks"):
                        yield TickBox("This was the EHCP annual review", id="is_ehcp_annual", compact=True)
                    yield self.error_slot("is_ehcp_annual")
                    yield field("Next annual review", Input(placeholder="blank: 12 months on (the latest allowed)",
                                                            id="next_annual_review_on", compact=True))
                    yield self.error_slot("next_annual_review_on")
                    if pupil["year_group"] >= 10:
                        with Horizontal(classes="field checks"):
                            yield TickBox("The transition plan (post-16 or post-18) was agreed at this review",
                                          value=False, id="transition_plan", compact=True)
                yield Static("The plan as agreed at this review", classes="section-title")
                for key, label in send.PLAN_TEXT_FIELDS:
                    yield field(label, _area(label, shown.get(key), key))
                    yield self.error_slot(key)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save review (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#who-pupil", TickBox).focus()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "reviewed_on": self.query_one("#reviewed_on", Input).value,
            "participants": [key for key, _ in send.PARTICIPANTS if self.query_one(f"#who-{key}", TickBox).value],
            "others": self.query_one("#others", Input).value,
            "what_changed": self.query_one("#what_changed", TextArea).text,
            "next_review_on": self.query_one("#next_review_on", Input).value,
            "ceased": self.query_one("#ceased", TickBox).value,
        }
        if self.query("#is_ehcp_annual"):
            out["is_ehcp_annual"] = self.query_one("#is_ehcp_annual", TickBox).value
            out["next_annual_review_on"] = self.query_one("#next_annual_review_on", Input).value
            if self.query("#transition_plan"):
                out["transition_plan"] = self.query_one("#transition_plan", TickBox).value
        for key, _ in send.PLAN_TEXT_FIELDS:
            out[key] = self.query_one(f"#{key}", TextArea).text
        return out

    def action_save(self) -> None:
        store = self.app.store
        nxt = self.plan["current_version"] + 1
        self.save_with(lambda: store.plans.hold_review(self.plan["id"], self.values())[1],
                       f"Review recorded: the plan is now version {nxt}; version {nxt - 1} is kept.")


# ---------------------------------------------------------------- comparing versions

CHANGE_MARKS = {"changed": "≠ changed", "added": "+ added", "removed": "− removed", "unchanged": "= unchanged"}


def _diff_text(before: str, after: str) -> Text:
    """A word diff in words and marks: [−removed words−] [+added words+]."""
    out = Text()
    out.append("What changed: ", style="bold")
    for mark, words in send.word_diff(before, after):
        if mark == "=":
            out.append(words + " ")
        elif mark == "-":
            out.append(f"[−{words}−] ", style="strike")
        else:
            out.append(f"[+{words}+] ", style="bold underline")
    return out


class CompareScreen(Screen):
    SCOPE = "compare"
    BINDINGS = actions.bindings("compare")
    HELP = ("An earlier version of the plan beside the current one. Each part says in words whether it "
            "changed, was added or removed, or is unchanged; for text, the words removed are shown as [−…−] "
            "and the words added as [+…+]. [ and ] choose the earlier version; U hides what did not change.")

    def __init__(self, plan_id: int, old: int, current: int) -> None:
        super().__init__()
        self.plan_id = plan_id
        self.old = old
        self.current = current
        self.hide_unchanged = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="compare-title")
        with Horizontal(id="compare-heads"):
            yield Static(id="compare-old-head", classes="compare-head")
            yield Static(id="compare-new-head", classes="compare-head")
        yield VerticalScroll(id="compare-body")
        yield Footer()

    def on_mount(self) -> None:
        self.show()
        self.query_one("#compare-body").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "older":
            return self.old > 1
        if action == "newer":
            return self.old < self.current - 1
        return True

    def show(self) -> None:
        store = self.app.store
        changes = store.plans.compare(self.plan_id, self.old)
        counted = {kind: sum(1 for c in changes if c.change == kind) for kind in CHANGE_MARKS}
        summary = ", ".join(f"{n} {kind}" for kind, n in counted.items() if n)
        self.sub_title = f"Plan versions {self.old} and {self.current}"
        self.query_one("#compare-title", Static).update(
            Text(f"Version {self.old} compared with version {self.current} (current): {summary}.", style="bold"))
        self.query_one("#compare-old-head", Static).update(Text(f"Version {self.old}", style="bold"))
        self.query_one("#compare-new-head", Static).update(Text(f"Version {self.current} (current)", style="bold"))
        body = self.query_one("#compare-body", VerticalScroll)
        body.remove_children()
        blocks = []
        for c in changes:
            if self.hide_unchanged and c.change == "unchanged":
                continue
            head = Text(f"{c.what} — {CHANGE_MARKS[c.change]}", style="bold")
            if c.detail:
                head.append(f": {c.detail}", style="")
            items = [Static(head, classes=f"compare-what compare-{c.change}")]
            items.append(Horizontal(Static(_text_or(c.before, "(blank)"), classes="compare-cell"),
                                    Static(_text_or(c.after, "(blank)"), classes="compare-cell"),
                                    classes="compare-row"))
            if c.change == "changed" and not c.what.startswith("Target"):
                items.append(Static(_diff_text(c.before, c.after), classes="compare-diff"))
            blocks.append(Vertical(*items, classes="compare-block"))
        if not blocks:
            blocks.append(Static("Nothing changed between these versions."))
        body.mount_all(blocks)

    def action_older(self) -> None:
        if self.old > 1:
            self.old -= 1
            self.show()
            self.refresh_bindings()

    def action_newer(self) -> None:
        if self.old < self.current - 1:
            self.old += 1
            self.show()
            self.refresh_bindings()

    def action_toggle_unchanged(self) -> None:
        self.hide_unchanged = not self.hide_unchanged
        self.show()
        self.notify("Showing only what changed." if self.hide_unchanged else "Showing everything.", timeout=2)

    def action_close(self) -> None:
        self.dismiss()
