"""Careers activities: the list (F8), one activity, and who took part (recording or editing one is
screens/activity_form.py, opened through navigation).

Attaching pupils: one by one (p, find by name), or in bulk — a year group (y), a form (f) or
the register's current search and filters (r) — in a list where Space marks the absentees
before Ctrl+S attaches everyone else in one go. Every user-typed value is shown as a Text
(never read as markup). Lists page from SQL.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Header
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions, navigation
from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.domain import dates, schoolyear
from gatsby_tui.screens.base import ListKeys, SearchChooser
from gatsby_tui.store import PupilFilter, StoreError
from gatsby_tui.widgets.paged import PagedTable
from gatsby_tui.widgets.plain import Button, DataTable, Input, Label, Select, Static

PAGE = 100
ATTENDEES_PAGE = 200


def benchmark_words(numbers: tuple[int, ...] | list[int]) -> str:
    return ", ".join(f"B{n}" for n in numbers) or "—"


def checklist_words(activity: Any) -> str:
    """'✓ purpose ✓ outcomes ✓ interaction ✗ reflection …' (a tick or a cross, never colour alone)."""
    short = {"m_purpose": "purpose", "m_outcomes": "outcomes", "m_interaction": "interaction",
             "m_reflection": "reflection", "m_employer_task": "employer task", "m_employer_feedback": "employer feedback"}
    return "  ".join(f"{'✓' if activity[k] else '✗'} {w}" for k, w in short.items())


def meaningful_cell(points: int) -> Text:
    return Text(f"✓ {points}/6" if points >= 4 else f"✗ {points}/6")


def _activity_row(r: Any) -> tuple[str, list[Text], int]:
    return str(r.id), [Text(dates.uk(dates.from_iso(r.held_on))), Text(rules.KINDS.get(r.kind, r.kind)),
                       Text(r.title), Text(r.organisation or "—"), Text(benchmark_words(r.benchmarks)),
                       meaningful_cell(r.points), Text(str(r.pupils))], 1


def describe_filter(f: PupilFilter) -> str:
    from gatsby_tui.domain.codes import FLAG_LABELS, SEN_LABELS

    bits = []
    if f.search:
        bits.append(f"search '{f.search}'")
    if f.year is not None:
        bits.append(f"Year {f.year}")
    if f.sen:
        bits.append(SEN_LABELS.get(f.sen, f.sen))
    if f.flag:
        bits.append(FLAG_LABELS.get(f.flag, ("", f.flag))[1])
    if f.roll == "left":
        bits.append("who have left")
    return ", ".join(bits) or "everyone on roll"


# ---------------------------------------------------------------- the list


class ActivitiesScreen(ListKeys, Screen):
    LIST = "#activities"
    SCOPE = "activities"
    BINDINGS = actions.bindings("activities")
    HELP = (
        "Careers activities the school has recorded, newest first: what, when, with whom, which Gatsby "
        "benchmarks each serves and how many of the six 'meaningful' points it met. A records one that has "
        "happened; Enter opens one to add who took part (a year group, a form or the register's filter, "
        "minus absentees). / searches titles, organisations and subjects."
    )

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="activity-filters"):
            yield Input(placeholder="Search title, organisation, subject  /", id="act-search")
            yield Select(rules.KIND_CHOICES, prompt="Any kind", id="act-kind")
            yield Select([(f"B{n} {rules.BENCHMARKS[n][1]}", n) for n in range(1, 9)], prompt="Any benchmark",
                         id="act-benchmark")
            yield Select([], prompt="Any school year", id="act-year")
        table = PagedTable(id="activities", page=PAGE)
        table.add_column("Date", key="date", width=10)
        table.add_column("Kind", key="kind", width=18)
        table.add_column("Title", key="title", width=30)
        table.add_column("Organisation", key="org", width=18)
        table.add_column("Benchmarks", key="bm", width=10)
        table.add_column("Meaningful", key="m", width=10)
        table.add_column("Pupils", key="pupils", width=6)
        yield table
        yield Static(id="act-status")
        yield Footer()

    def on_mount(self) -> None:
        store = self.app.store
        sy = schoolyear.school_year_of(store.today)
        self.sub_title = "Careers activities"
        self.query_one("#act-year", Select).set_options(
            [(schoolyear.school_year_label(y), y) for y in range(sy, sy - 8, -1)])
        table = self.query_one("#activities", PagedTable)
        table.source(count=lambda: store.activities.count(**self._filters()),
                     fetch=lambda after, limit: store.activities.page(**self._filters(), after=after, limit=limit),
                     row=_activity_row, changed=self._status)
        self.reload()
        table.focus()

    @property
    def total(self) -> int:
        return self.query_one("#activities", PagedTable).total

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.reload(keep=self._current())

    def _filters(self) -> dict[str, Any]:
        def sel(widget_id: str) -> Any:
            value = self.query_one(widget_id, Select).value
            return None if value is Select.NULL else value

        return {"search": self.query_one("#act-search", Input).value, "kind": sel("#act-kind"),
                "benchmark": sel("#act-benchmark"), "school_year": sel("#act-year")}

    def reload(self, keep: int | None = None) -> None:
        self.query_one("#activities", PagedTable).reload(keep_key=None if keep is None else str(keep))

    def _status(self) -> None:
        table = self.query_one("#activities", PagedTable)
        if not table.total:
            f = self._filters()
            text = ("No activities recorded yet. Press a to record one." if not any(f.values())
                    else "No activities match. Press Escape to clear the search.")
        else:
            text = table.showing("activities", one="activity")
        self.query_one("#act-status", Static).update(text)

    @on(Input.Changed, "#act-search")
    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self.reload()

    @on(Input.Submitted, "#act-search")
    def _to_table(self) -> None:
        self.query_one("#activities", PagedTable).focus()

    @on(PagedTable.RowSelected, "#activities")
    def _selected(self, event: PagedTable.RowSelected) -> None:
        self.app.push_screen(ActivityScreen(int(event.key)))

    def _current(self) -> int | None:
        return self.query_one("#activities", PagedTable).current_id()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open_activity", "edit_activity") and self.is_mounted:
            return self._current() is not None
        return True

    def action_add_activity(self) -> None:
        def saved(activity_id: int | None) -> None:
            if activity_id is not None:
                self.reload(keep=activity_id)
                self.app.push_screen(ActivityScreen(activity_id))

        navigation.edit_activity(self.app, None, callback=saved)

    def action_open_activity(self) -> None:
        current = self._current()
        if current is not None:
            self.app.push_screen(ActivityScreen(current))

    def action_edit_activity(self) -> None:
        current = self._current()
        if current is not None:
            navigation.edit_activity(self.app, current, callback=lambda _: self.reload(keep=current))

    def action_focus_search(self) -> None:
        self.query_one("#act-search", Input).focus()

    def action_clear(self) -> None:
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#act-search", Input).value = ""
            for widget_id in ("#act-kind", "#act-benchmark", "#act-year"):
                self.query_one(widget_id, Select).clear()
        self.reload()
        self.query_one("#activities", PagedTable).focus()


# ---------------------------------------------------------------- one activity and who took part


class ActivityScreen(Screen):
    SCOPE = "activity"
    BINDINGS = actions.bindings("activity")
    HELP = (
        "One activity and everyone who took part. Add pupils one at a time (p), or a whole year group (y), "
        "form (f) or the register's current search and filters (r): the list that opens lets you mark who "
        "was absent (Space) before Ctrl+S attaches everyone else in one go. X takes the highlighted pupil "
        "off. L links the activity to a planned one in the careers programme."
    )

    def __init__(self, activity_id: int) -> None:
        super().__init__()
        self.activity_id = activity_id

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="activity-body"):
            yield Static(id="activity-title")
            yield Static(id="activity-details")
            yield Static(id="activity-warning")
            yield Static("Who took part", classes="section-title")
            table = PagedTable(id="attendees", page=ATTENDEES_PAGE)
            table.add_column("Pupil", key="name", width=36)
            table.add_column("Year then", key="year", width=9)
            table.add_column("Form now", key="form", width=9)
            yield table
            yield Static(id="attendee-status")
        yield Footer()

    def on_mount(self) -> None:
        store = self.app.store
        table = self.query_one("#attendees", PagedTable)
        table.source(count=lambda: store.activities.get(self.activity_id)["pupils"],
                     fetch=lambda after, limit: store.activities.attendees(self.activity_id, after=after, limit=limit),
                     row=lambda r: (str(r.pupil_id), [Text(r.name), Text(str(r.year_group)), Text(r.form or "—")], 1),
                     after=lambda r: (r.sort_name, r.pupil_id), changed=self._status)
        self.refresh_activity()
        table.focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.refresh_activity()

    def refresh_activity(self) -> None:
        store = self.app.store
        a = store.activities.get(self.activity_id)
        if a is None:
            self.app.notify("That activity is no longer in the database.", severity="error")
            self.dismiss()
            return
        self.activity = a
        self.sub_title = a["title"]
        self.query_one("#activity-title", Static).update(Text(a["title"], style="bold"))
        day = dates.from_iso(a["held_on"])
        lines = Text()
        lines.append("When: ", style="bold")
        lines.append(f"{dates.long_uk(day)} ({schoolyear.school_year_label(schoolyear.school_year_of(day))})")
        lines.append("   ")
        lines.append("What: ", style="bold")
        lines.append(a["kind_label"])
        if a["organisation"]:
            lines.append("   ")
            lines.append("With: ", style="bold")
            lines.append(a["organisation"])
        if a["subject"]:
            lines.append("   ")
            lines.append("Subject: ", style="bold")
            lines.append(a["subject"])
        lines.append("\nBenchmarks: ", style="bold")
        lines.append(", ".join(f"{n} {rules.BENCHMARKS[n][1]}" for n in a["benchmarks"]) or "none")
        named = rules.providers_of(a.get("providers_named") or 0)
        if named:
            lines.append("\nProviders there: ", style="bold")
            lines.append(", ".join(rules.TYPE_WORDS[k] for k, _, _ in rules.PROVIDER_TYPES if k in named))
        lines.append("\nMeaningful: ", style="bold")
        lines.append(checklist_words(a))
        lines.append("\nPlanned as: ", style="bold")
        lines.append(f"Year {a['programme_year']} · B{a['programme_benchmark']}: {a['programme_item']}"
                     if a["programme_item"] else "not linked to the programme (L links it)")
        if a["notes"]:
            lines.append("\nNotes: ", style="bold")
            lines.append(a["notes"])
        self.query_one("#activity-details", Static).update(lines)
        from gatsby_tui.store.activities import ActivityInvalid

        try:
            warnings = store.activities.check(store.activities.form_values(self.activity_id)).warnings
        except ActivityInvalid:
            warnings = ()
        warning = self.query_one("#activity-warning", Static)
        warning.update(Text("\n".join(f"⚠ {w}" for w in warnings)))
        warning.display = bool(warnings)
        self.reload()

    def reload(self) -> None:
        keep = self._current()
        self.query_one("#attendees", PagedTable).reload(keep_key=None if keep is None else str(keep))

    def _status(self) -> None:
        table = self.query_one("#attendees", PagedTable)
        total = table.total
        if not total:
            text = "Nobody attached yet: p adds a pupil; y a year group, f a form, r the register's filter."
        elif table.complete:
            text = f"{total:,} pupil{'s' if total != 1 else ''} took part"
        else:
            text = table.showing("pupils who took part", one="pupil who took part")
        self.query_one("#attendee-status", Static).update(text)

    @on(PagedTable.RowSelected, "#attendees")
    def _selected(self) -> None:
        self.action_open_pupil()

    def _current(self) -> int | None:
        return self.query_one("#attendees", PagedTable).current_id()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("remove_pupil", "open_pupil") and self.is_mounted:
            return self._current() is not None
        return True

    # ------------------------------------------------------------ actions
    def action_add_pupil(self) -> None:
        def chosen(pupil_id: int | None) -> None:
            if pupil_id is None:
                return
            try:
                added = self.app.store.activities.attach(self.activity_id, [pupil_id])
            except StoreError as e:
                self.app.notify(str(e), severity="error", title="Not attached")
                return
            who = self.app.store.pupils.describe(self.app.store.pupils.get(pupil_id))
            self.app.notify(f"Added {who}." if added else f"{who} was already on this activity.")
            self.refresh_activity()

        navigation.choose_pupil(self.app, "Who took part?", callback=chosen)

    def _open_attach(self, mode: str, **kw: Any) -> None:
        self.app.push_screen(AttachScreen(self.activity_id, mode, **kw), callback=lambda _: self.refresh_activity())

    def action_attach_year(self) -> None:
        self._open_attach("year")

    def action_attach_form(self) -> None:
        self._open_attach("form")

    def action_attach_register(self) -> None:
        f = navigation.register_filter(self.app) or PupilFilter()
        ids = self.app.store.pupils.ids(f)
        self._open_attach("ids", ids=ids, label=f"the register's filter ({describe_filter(f)})")

    def action_remove_pupil(self) -> None:
        pupil_id = self._current()
        if pupil_id is None:
            return
        try:
            self.app.store.activities.detach(self.activity_id, [pupil_id])
        except StoreError as e:
            self.app.notify(str(e), severity="error")
            return
        self.app.notify(f"Took {self.app.store.pupils.describe(self.app.store.pupils.get(pupil_id))} off this activity.")
        self.refresh_activity()

    def action_open_pupil(self) -> None:
        pupil_id = self._current()
        if pupil_id is not None:
            navigation.open_pupil(self.app, pupil_id)

    def action_edit_activity(self) -> None:
        navigation.edit_activity(self.app, self.activity_id, callback=lambda _: self.refresh_activity())

    def action_link_plan(self) -> None:
        day = dates.from_iso(self.activity["held_on"])
        sy = schoolyear.school_year_of(day)
        items = self.app.store.programme.items(sy)
        if not items:
            self.app.notify(f"The {schoolyear.school_year_label(sy)} programme has no planned activities yet: "
                            "plan them on the programme screen (Ctrl+P, Careers programme).", severity="warning")
            return
        self.app.push_screen(PlanItemChooser(self.activity_id, sy), callback=lambda _: self.refresh_activity())

    def action_delete_activity(self) -> None:
        a = self.activity

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                count = self.app.store.activities.delete(self.activity_id)
            except StoreError as e:
                self.app.notify(str(e), severity="error")
                return
            self.app.notify(f"Deleted '{a['title']}' and its {count} attendance record{'s' if count != 1 else ''}.")
            self.dismiss()

        self.app.push_screen(Confirm(f"Delete '{a['title']}' ({dates.uk(dates.from_iso(a['held_on']))}) and the "
                                     f"record of the {a['pupils']} pupils who took part?", "Delete"), callback=answered)

    def action_back(self) -> None:
        self.dismiss()

    def action_cursor_down(self) -> None:
        self.query_one("#attendees", PagedTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#attendees", PagedTable).action_cursor_up()


# ---------------------------------------------------------------- attaching a group, minus absentees


class AttachScreen(ModalScreen[int]):
    """Attach a year group, a form or a list of pupils to an activity, minus those marked absent.
    Returns how many were attached."""

    SCOPE = "attach"
    BINDINGS = actions.bindings("attach")
    HELP = (
        "Everyone listed is attached when you press Ctrl+S, except those you mark absent: move to a pupil "
        "(arrows, or type part of their name after /) and press Space. Pupils already on the activity are "
        "shown as such and left as they are. Only pupils on roll on the day are listed."
    )

    def __init__(self, activity_id: int, mode: str, *, ids: list[int] | None = None, label: str = "",
                 year: int | None = None) -> None:
        super().__init__()
        self.activity_id = activity_id
        self.mode = mode              # 'year', 'form' or 'ids'
        self.ids = ids or []
        self.label = label
        self.year = year
        self.absent: set[int] = set()
        self.members: list = []

    def compose(self) -> ComposeResult:
        store = self.app.store
        a = store.activities.get(self.activity_id)
        self.held_on = dates.from_iso(a["held_on"])
        with Vertical(id="dialog", classes="wide-dialog"):
            yield Static(Text(f"Who took part in '{a['title']}' ({dates.uk(self.held_on)})"), classes="dialog-title")
            with Horizontal(classes="bulk-filters"):
                if self.mode == "year":
                    yield Label("Year group", classes="bulk-label")
                    yield Select([(f"Year {y}", y) for y in range(7, 14)], prompt="Choose a year group",
                                 id="attach-year", compact=True, value=self.year if self.year else Select.NULL)
                elif self.mode == "form":
                    yield Label("Form", classes="bulk-label")
                    yield Select([(f, f) for f in store.pupils.forms_on_roll()], prompt="Choose a form", id="attach-form",
                                 compact=True)
                else:
                    yield Label(Text(f"Pupils from {self.label}"), classes="bulk-label")
                yield Input(placeholder="find a pupil  /", id="attach-search", compact=True)
            yield Static("", id="attach-summary")
            table: DataTable = DataTable(id="attach-table", cursor_type="row", zebra_stripes=True)
            table.add_column("Attendance", key="mark", width=18)
            table.add_column("Pupil", key="name", width=36)
            table.add_column("Year then", key="year", width=9)
            table.add_column("Form now", key="form", width=9)
            yield table
            with Horizontal(classes="dialog-buttons"):
                yield Button("Attach (Ctrl+S)", id="commit", variant="primary", disabled=True)
                yield Button("Cancel (Esc)", id="close")
        yield Footer()

    def on_mount(self) -> None:
        if self.mode == "ids":
            self._load()
            self.query_one("#attach-table", DataTable).focus()
        else:
            self.query_one("#attach-year" if self.mode == "year" else "#attach-form", Select).focus()
            if self.mode == "year" and self.year:
                self._load()
        self._summary()

    def _group(self) -> Any:
        from gatsby_tui.store.activities import Group

        if self.mode == "year":
            value = self.query_one("#attach-year", Select).value
            return None if value is Select.NULL else Group(year=int(value))
        if self.mode == "form":
            value = self.query_one("#attach-form", Select).value
            return None if value is Select.NULL else Group(form=str(value))
        return Group(ids=tuple(self.ids))

    @on(Select.Changed)
    def _load(self) -> None:
        group = self._group()
        self.absent = set()
        self.members = self.app.store.activities.group(self.activity_id, group) if group else []
        table = self.query_one("#attach-table", DataTable)
        table.clear()
        for m in self.members:
            table.add_row(self._mark(m), Text(m.name), Text(str(m.year_group)), Text(m.form or "—"),
                          key=str(m.pupil_id))
        self._summary()
        if self.members:
            table.focus()

    def _mark(self, member: Any) -> Text:
        if member.attached:
            return Text("• already on it")
        if member.pupil_id in self.absent:
            return Text("✗ absent", style="bold")
        return Text("✓ present")

    def _summary(self) -> None:
        new = [m for m in self.members if not m.attached]
        present = [m for m in new if m.pupil_id not in self.absent]
        already = len(self.members) - len(new)
        if not self.members:
            text = ("Choose who to attach." if self._group() is None else
                    f"Nobody in that group was on roll on {dates.uk(self.held_on)}.")
        else:
            text = (f"{len(self.members)} pupils: {len(present)} to attach, {len(self.absent)} marked absent"
                    + (f", {already} already on it" if already else "") +
                    ". Space marks the highlighted pupil absent; Ctrl+S attaches the rest.")
        self.query_one("#attach-summary", Static).update(Text(text))
        self.query_one("#commit", Button).disabled = not present

    def _current(self) -> int | None:
        table = self.query_one("#attach-table", DataTable)
        if not table.row_count:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(key.value)

    def action_toggle_absent(self) -> None:
        pupil_id = self._current()
        if pupil_id is None:
            return
        member = next(m for m in self.members if m.pupil_id == pupil_id)
        if member.attached:
            self.app.notify("Already on this activity: take them off on the activity screen (x).", timeout=3)
            return
        self.absent ^= {pupil_id}
        table = self.query_one("#attach-table", DataTable)
        table.update_cell(str(pupil_id), "mark", self._mark(member))
        table.action_cursor_down()
        self._summary()

    def action_focus_search(self) -> None:
        self.query_one("#attach-search", Input).focus()

    @on(Input.Changed, "#attach-search")
    def _find(self, event: Input.Changed) -> None:
        needle = event.value.strip().casefold()
        if not needle:
            return
        for i, m in enumerate(self.members):
            if needle in m.name.casefold():
                self.query_one("#attach-table", DataTable).move_cursor(row=i)
                return

    @on(Input.Submitted, "#attach-search")
    def _back_to_list(self) -> None:
        self.query_one("#attach-table", DataTable).focus()

    @on(Button.Pressed, "#commit")
    def action_commit(self) -> None:
        group = self._group()
        if group is None or self.query_one("#commit", Button).disabled:
            return
        try:
            added = self.app.store.activities.attach_group(self.activity_id, group, absent=sorted(self.absent))
        except StoreError as e:
            self.app.notify(str(e), severity="error", title="Nobody attached")
            return
        absent = f" ({len(self.absent)} absent left off)" if self.absent else ""
        self.app.notify(f"Attached {added} pupil{'s' if added != 1 else ''}{absent}.")
        self.dismiss(added)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(0)


# ---------------------------------------------------------------- choosing an activity or a planned one


class ActivityChooser(SearchChooser):
    """Choose a recorded activity (newest first, searchable): returns its id."""

    SCOPE = "choose"
    BINDINGS = actions.bindings("choose")
    HELP = "Type part of the activity's title or organisation; Down moves into the list; Enter chooses."
    SEARCH_HINT = "title, organisation or subject"
    COLUMNS = (("Date", "date", 10), ("Activity", "title", 44), ("Pupils", "pupils", 6))

    def rows(self, text: str) -> tuple[list[tuple[tuple[str, ...], int]], str]:
        store = self.app.store
        found = [((dates.uk(dates.from_iso(r.held_on)), r.title, str(r.pupils)), r.id)
                 for r in store.activities.page(search=text, limit=100)]
        total = store.activities.count(search=text)
        return found, ("No activities match: record it first on the activities screen (F8)." if not total else
                       f"{total:,} activities" + (" (the newest 100: type to narrow)" if total > 100 else ""))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "toggle_link"


class PlanItemChooser(ModalScreen[bool]):
    """Link an activity to one of its school year's planned activities (or unlink it)."""

    SCOPE = "choose"
    BINDINGS = actions.bindings("choose")
    HELP = "Enter links the activity to the highlighted planned activity; the first line unlinks it."

    def __init__(self, activity_id: int, school_year: int) -> None:
        super().__init__()
        self.activity_id = activity_id
        self.school_year = school_year

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog picker-dialog"):
            yield Static(f"Which planned activity did it deliver? ({schoolyear.school_year_label(self.school_year)})",
                         classes="dialog-title")
            table: DataTable = DataTable(id="choose-table", cursor_type="row")
            table.add_column("Year", key="year", width=5)
            table.add_column("Benchmark", key="bm", width=16)
            table.add_column("Planned activity", key="what", width=50)
            yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#choose-table", DataTable)
        current = self.app.store.activities.get(self.activity_id)["programme_item_id"]
        table.add_row(Text("—"), Text(""), Text("Not in the programme (unlink)"), key="none")
        for r in self.app.store.programme.items(self.school_year):
            mark = "✓ " if r["id"] == current else ""
            table.add_row(Text(str(r["year_group"])), Text(f"B{r['benchmark']} {rules.BENCHMARKS[r['benchmark']][1]}"),
                          Text(mark + r["description"]), key=str(r["id"]))
            if r["id"] == current:
                table.move_cursor(row=table.row_count - 1)
        table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "toggle_link"

    @on(DataTable.RowSelected, "#choose-table")
    def action_choose(self) -> None:
        table = self.query_one("#choose-table", DataTable)
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        try:
            self.app.store.programme.link(self.activity_id, None if key.value == "none" else int(key.value))
        except StoreError as e:
            self.app.notify(str(e), severity="error")
            return
        self.app.notify("Unlinked from the programme." if key.value == "none" else "Linked to the programme.")
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)


class Confirm(ModalScreen[bool]):
    """Yes or no, with the consequence in words. Ctrl+S says yes; Escape no."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = "Ctrl+S (or the button) goes ahead; Escape leaves everything as it is."

    def __init__(self, question: str, yes: str) -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="small-dialog"):
            yield Static(Text(self.question), classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (Ctrl+S)", id="yes", variant="error")
                yield Button("Keep it (Esc)", id="no")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_save(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_cancel(self) -> None:
        self.dismiss(False)
