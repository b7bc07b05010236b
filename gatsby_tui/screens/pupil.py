"""One pupil: their details, a summary (meetings, actions, destination, Benchmark 8) and
their whole history, newest first, filtered by kind and searched as you type.

The history is limited in SQL (HISTORY_LIMIT items, newest first: store/history.py); the kinds
offered come from store.history.KINDS, so a kind added there appears here with no change.
Enter opens an item through store.history.target(ref) and OPENERS below.

Speed (benchmarks/history.py): the screen must paint quickly for a pupil with hundreds of items.
Textual's Input and Select each cost tens of milliseconds to mount here, so the search box is
mounted on the first `/` (a look-alike placeholder stands in until then) and the kind is chosen
in a small dialog (`f`); the table gets the focus by AUTO_FOCUS, so the footer is rebuilt once.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Header
from gatsby_tui.widgets.footer import Footer
from textual.widgets.option_list import Option

from gatsby_tui import actions, navigation
from gatsby_tui.screens.base import ListKeys
from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.domain import dates, names, schoolyear
from gatsby_tui.store import StoreError
from gatsby_tui.store import history as history_store
from gatsby_tui.domain.codes import FLAG_LABELS, GENDER_LABELS, SEN_LABELS
from gatsby_tui.domain.codes import MEETING_KIND_PLAIN as MEETING_KIND_WORDS
from gatsby_tui.widgets.benchmark_strip import BenchmarkStrip
from gatsby_tui.widgets.plain import DataTable, Input, OptionList, Static

HISTORY_LIMIT = 200
KIND_LABELS = {"meeting": "Meetings", "record": "Meeting records", "action": "Actions",
               "register": "Register changes", "plan": "SEN plans", "destination": "Destinations",
               "activity": "Activities", "export": "Exports given"}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def _when(at: str) -> str:
    day = dates.from_iso(at)
    time = at[11:16] if len(at) > 10 else ""
    return f"{day:%d/%m/%Y} {time}".strip()


def _meeting_words(meeting: dict | None, none: str, weekday: bool = True) -> str:
    if meeting is None:
        return none
    day = dates.from_iso(meeting["starts_at"])
    kind = MEETING_KIND_WORDS.get(meeting["kind"], meeting["title"])
    when = f"{day:%a} {_when(meeting['starts_at'])}" if weekday else _when(meeting["starts_at"])
    return f"{when} · {kind} with {meeting['adviser_name']}"


def benchmark8_words(count: int, needed: int, end: date, stage: str, today: date) -> str:
    """Benchmark 8 in words, with a symbol: at least one guidance meeting by 16 (needed=1),
    a further one by 18 (needed=2 in all)."""
    deadline = dates.long_uk(end)
    meetings = f"{count} meeting{'' if count == 1 else 's'}"
    if count >= needed:
        return f"✓ {count} by the end of {stage}"
    if end < today:
        return f"✗ missed — {'none' if not count else f'only {meetings}'} by the end of {stage} ({deadline})"
    if count == 0:
        return f"✗ none yet — {'one' if needed == 1 else 'two'} due by {deadline}"
    return f"✗ {count} so far — a further one due by {deadline}"


def open_record(screen: Screen, record_id: int) -> None:
    navigation.open_record(screen.app, record_id)


def open_meeting(screen: Screen, interview_id: int) -> None:
    navigation.open_meeting(screen.app, interview_id)


def open_action(screen: Screen, action_id: int) -> None:
    navigation.open_action(screen.app, action_id)


def open_audit_entry(screen: Screen, entry_id: int) -> None:
    navigation.open_audit_entry(screen.app, entry_id)


def open_plan(screen: Screen, _plan_or_review_id: int) -> None:
    """A plan or one of its reviews opens the pupil's plan screen (every version is there)."""
    navigation.open_plan(screen.app, screen.pupil_id)  # type: ignore[attr-defined]


def open_destinations(screen: Screen, _destination_or_check_id: int) -> None:
    navigation.open_destinations(screen.app, screen.pupil_id)  # type: ignore[attr-defined]


def open_requests(screen: Screen, _sar_id: int) -> None:
    navigation.open_requests(screen.app, show_all=True)


def open_copy_given(screen: Screen, _export_id: int) -> None:
    screen.app.notify("A copy given is kept as a line of the history; press x to export the record again.",
                      timeout=5)


def open_activity(screen: Screen, activity_id: int) -> None:
    navigation.open_activity(screen.app, activity_id)


# What Enter opens for a history item, by the kind of store.history.target(ref): 'record:5'
# opens the record editor. A new kind of history item adds its opener here.
OPENERS: dict[str, Callable[[Screen, int], None]] = {
    "record": open_record, "interview": open_meeting, "action": open_action, "audit": open_audit_entry,
    "plan": open_plan, "plan_review": open_plan, "destination": open_destinations,
    "destination_check": open_destinations, "activity": open_activity,
    "sar": open_requests, "export": open_copy_given,
}


def joined_words(intake_year: int, entry: str | None) -> str:
    """'04/11/2024: joined in Year 9: Years 7–8 not expected'; with no date of entry, every year
    from Year 7 is expected (nothing is waived without one)."""
    if not entry:
        return "date of entry not recorded: every year from Year 7 expected"
    day = dates.from_iso(entry)
    words = rules.joined_words(rules.joined_year_group(intake_year, day))
    return f"{dates.uk(day)}" + (f": {words}" if words else ": from Year 7")


class KindChooser(ModalScreen[str | None]):
    """Which kind of history item to show: returns a kind from store.history.KINDS, '' for
    every kind, or None when closed."""

    SCOPE = "picker"
    BINDINGS = actions.bindings("picker")
    HELP = "Choose which kind of item the history shows; 'All kinds' shows everything."

    def __init__(self, current: str | None) -> None:
        super().__init__()
        self.current = current or ""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="small-dialog"):
            yield Static("Show which kind of item?", classes="dialog-title")
            yield OptionList(id="kinds")
            yield Static("Enter chooses · Escape closes.", classes="dialog-hint")
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one("#kinds", OptionList)
        choices = [("", "All kinds")] + [(k, kind_label(k)) for k in history_store.KINDS]
        for key, label in choices:
            options.add_option(Option(label + ("  (showing)" if key == self.current else ""), id=key or "-all"))
        options.highlighted = next(i for i, (key, _) in enumerate(choices) if key == self.current)
        options.focus()

    @on(OptionList.OptionSelected, "#kinds")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss("" if event.option.id == "-all" else event.option.id)

    def action_choose(self) -> None:
        options = self.query_one("#kinds", OptionList)
        if options.highlighted is not None:
            options.action_select()

    def action_close(self) -> None:
        self.dismiss(None)


class PupilScreen(ListKeys, Screen):
    LIST = "#history"
    SCOPE = "pupil"
    BINDINGS = actions.bindings("pupil")
    AUTO_FOCUS = "#history"
    HELP = (
        "A pupil's details, a summary (meetings, open actions, intended destination, and Benchmark 8: "
        "a guidance meeting by 16 and a further one by 18) and everything the app knows about them, "
        "newest first. / searches the history as you type; F chooses one kind of item; Enter opens the "
        "highlighted item (a record, a meeting, an action, a plan, a destination, an activity, an audit entry). "
        "The benchmark strip shows the pupil's eight Gatsby benchmarks in words; Tab to it and Enter shows what "
        "is missing and the evidence. N starts a record for an "
        "unplanned conversation; U shows who changed what for this pupil. E edits the details; L marks "
        "the pupil as left (or back on roll). Escape clears the search, then goes back."
    )

    def __init__(self, pupil_id: int) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self.kind: str | None = None
        self.search = ""
        self.refs: dict[str, str] = {}
        self.history_cut = False
        self.history_shown_at = 0.0  # for benchmarks/history.py: when the history was last painted

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="pupil-body"):
            # The details scroll in their own part of the screen, so the history keeps its rows
            # however short the terminal is.
            with VerticalScroll(id="pupil-top", can_focus=False):
                yield Static(id="pupil-name")
                yield Static(id="pupil-warning")
                with Horizontal(id="pupil-details"):
                    yield Static(id="pupil-left-col")
                    yield Static(id="pupil-right-col")
                with Horizontal(id="pupil-summary"):
                    yield Static(id="pupil-summary-left")
                    yield Static(id="pupil-summary-right")
                yield Static(id="pupil-b8")
                yield BenchmarkStrip(self.pupil_id, id="pupil-benchmarks")
            yield Static("History", classes="section-title")
            with Horizontal(id="history-filters"):
                # Stands in for the search box until `/` mounts the real one (see the docstring).
                yield Static("Search the history  /", id="history-search-hint")
                yield Static(self._kind_words(), id="history-kind")
            history: DataTable = DataTable(id="history", cursor_type="row", zebra_stripes=True)
            history.add_column("When", key="when", width=17)
            history.add_column("What", key="what", width=36)
            # A fixed width (details are cut to 120 characters in the store) spares the table from
            # measuring every cell of 200 rows on each open.
            history.add_column("Detail", key="detail", width=120)
            yield history
            yield Static(id="history-status")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_pupil()
        self._just_mounted = True  # the ScreenResume that follows a push needs no second load

    def refresh_pupil(self) -> None:
        store = self.app.store
        row = store.pupils.get(self.pupil_id)
        if row is None:
            self.app.notify("That pupil is no longer on the register.", severity="error")
            self.dismiss()
            return
        today = store.today
        school_year = schoolyear.school_year_of(today)
        year = schoolyear.year_group_in(row["intake_year"], school_year)
        dob = dates.from_iso(row["dob"])
        derived = schoolyear.nc_year_from_dob(dob, school_year)
        name = names.full_name(row["legal_surname"], row["legal_forename"], row["preferred_forename"])
        self.sub_title = name
        title = Text(name, style="bold")
        if row["preferred_forename"]:
            title.append(f"  (legal name: {row['legal_forename']} {row['legal_surname']})", style="dim")
        self.query_one("#pupil-name", Static).update(title)

        warnings = []
        if row["date_left"]:
            warnings.append(f"Left on {dates.long_uk(dates.from_iso(row['date_left']))}.")
        if year != derived and not row["date_left"]:
            warnings.append(f"⚠ Taught in Year {year}; the date of birth gives Year {derived} for "
                            f"{schoolyear.school_year_label(school_year)}.")
        warning = self.query_one("#pupil-warning", Static)
        warning.update(Text(" ".join(warnings)))
        warning.display = bool(warnings)

        flags = [label for key, (_, label) in FLAG_LABELS.items() if row[key]]
        left_lines = [
            ("UPN", row["upn"] + ("  (temporary)" if row["upn"][-1].isalpha() else "")),
            ("Date of birth", f"{dates.long_uk(dob)} (age {schoolyear.age_on(dob, today)})"),
            ("Year group", f"{year} ({schoolyear.key_stage(year) or 'post-19'})" if not row["date_left"]
             else f"left from Year {schoolyear.year_group_in(row['intake_year'], schoolyear.school_year_of(dates.from_iso(row['date_left'])))}"),
            ("Form", row["form"] or "—"),
            ("Gender", GENDER_LABELS.get(row["gender"] or "", "not recorded")),
        ]
        right_lines = [
            ("SEN", SEN_LABELS[row["sen_status"]]),
            ("Flags", ", ".join(flags) or "none"),
            ("Destination contact after 16", "consented" if row["destination_consent"] else "no consent recorded"),
            ("On roll", "no — left" if row["date_left"] else "yes"),
            ("Joined", joined_words(row["intake_year"], row["date_of_entry"])),
        ]
        self.query_one("#pupil-left-col", Static).update(_pairs(left_lines))
        self.query_one("#pupil-right-col", Static).update(_pairs(right_lines))
        self.refresh_summary()
        if hasattr(self, "_just_mounted"):  # on the first call the strip has just worked out its own states
            self.query_one("#pupil-benchmarks", BenchmarkStrip).refresh_states()
        self.load_history(keep=True)

    def refresh_summary(self) -> None:
        store = self.app.store
        s = store.history.summary(self.pupil_id)
        today = store.today
        if s["open_actions"]:
            overdue = f"⚠ {s['overdue_actions']} overdue" if s["overdue_actions"] else "none overdue"
            open_words = f"{s['open_actions']} open ({overdue})"
        else:
            open_words = "none open"
        dest = s["intended_destination"]
        if dest is None:
            dest_words = "not recorded yet"
        else:
            dest_words = (f"{dest['code']} {dest['label'] or '(code not in the NCCIS list)'} "
                          f"({dates.uk(dates.from_iso(dest['on']))})")
        left = [
            ("Last meeting", _meeting_words(s["last_meeting"], "none held yet", weekday=False)),
            ("Next meeting", _meeting_words(s["next_meeting"], "none booked")),
        ]
        right = [
            ("Open actions", open_words),
            ("Intended destination", dest_words),
        ]
        self.query_one("#pupil-summary-left", Static).update(_pairs(left))
        self.query_one("#pupil-summary-right", Static).update(_pairs(right))
        b8 = Text()
        b8.append("Guidance (Benchmark 8): ", style="bold")
        b8.append("by 16 ")
        b8.append(benchmark8_words(s["guidance_by_16"], 1, s["end_of_year_11"], "Year 11", today))
        b8.append(" · by 18 ")
        b8.append(benchmark8_words(s["guidance_by_18"], 2, s["end_of_year_13"], "Year 13", today))
        self.query_one("#pupil-b8", Static).update(b8)

    # ------------------------------------------------------------ the history
    def load_history(self, keep: bool = False) -> None:
        """Fill the history for the kind and search chosen (newest first, HISTORY_LIMIT at most)."""
        store = self.app.store
        table = self.query_one("#history", DataTable)
        old_ref = self._current_ref() if keep else None
        events = store.history.for_pupil(self.pupil_id, limit=HISTORY_LIMIT + 1, kind=self.kind,
                                     search=self.search or None)
        self.history_cut = len(events) > HISTORY_LIMIT
        events = events[:HISTORY_LIMIT]
        table.clear()
        self.refs = {}
        for i, event in enumerate(events):
            key = event.ref if event.ref not in self.refs else f"{event.ref}#{i}"
            self.refs[key] = event.ref
            table.add_row(Text(_when(event.at)), Text(event.title), Text(event.detail), key=key)
        filtered = bool(self.search or self.kind)
        if not events:
            table.add_row(Text("—"), Text("Nothing matches" if filtered else "Nothing recorded yet"), Text(""),
                          key="empty")
        if old_ref is not None and old_ref in self.refs:
            table.move_cursor(row=table.get_row_index(old_ref))
        self.query_one("#history-status", Static).update(self._history_status(len(events), filtered))
        self.call_after_refresh(self._mark_shown)

    def _history_status(self, shown: int, filtered: bool) -> str:
        what = kind_label(self.kind).lower() if self.kind else "items"
        where = f" matching '{names.quote(self.search)}'" if self.search else ""
        if not shown:
            return (f"No {what}{where}. Escape clears the search and kind." if filtered
                    else "Nothing recorded yet: N starts a record, B books a meeting.")
        if self.history_cut:
            return (f"Showing the {HISTORY_LIMIT} most recent {what}{where}, newest first: "
                    "search or choose a kind to find older ones.")
        return f"{shown:,} {what if shown != 1 else what.rstrip('s')}{where}, newest first."

    def _mark_shown(self) -> None:
        self.history_shown_at = time.perf_counter()

    def _current_ref(self) -> str | None:
        table = self.query_one("#history", DataTable)
        if not table.row_count:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return key.value if key.value in self.refs else None

    @on(Input.Changed, "#history-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.search = event.value.strip()
        self.load_history()

    @on(Input.Submitted, "#history-search")
    def _search_submitted(self) -> None:
        self.query_one("#history", DataTable).focus()

    def _kind_words(self) -> Text:
        text = Text("Showing: ", style="bold")
        text.append(f"{kind_label(self.kind).lower()} only" if self.kind else "all kinds")
        text.append("  (f to choose)", style="dim")
        return text

    def _set_kind(self, kind: str | None) -> None:
        if kind is None:  # the chooser was closed
            return
        self.kind = kind or None
        self.query_one("#history-kind", Static).update(self._kind_words())
        self.load_history()

    def _search_box(self) -> Input | None:
        found = self.query("#history-search")
        return found.first(Input) if found else None

    def on_key(self, event) -> None:
        # Down from the search box moves into the history, as in the register.
        if event.key == "down" and self.focused is not None and self.focused is self._search_box():
            event.stop()
            event.prevent_default()
            self.query_one("#history", DataTable).focus()

    def on_click(self, event) -> None:
        # The stand-ins answer a click as the real widgets would.
        if event.widget is not None and event.widget.id == "history-search-hint":
            self.run_worker(self.action_focus_search())
        elif event.widget is not None and event.widget.id == "history-kind":
            self.action_choose_kind()

    @on(DataTable.RowSelected, "#history")
    def _row_selected(self) -> None:
        self.action_open_item()

    def action_open_item(self) -> None:
        key = self._current_ref()
        if key is None:
            return
        target = self.app.store.history.target(self.refs[key])
        what, _, number = target.partition(":")
        opener = OPENERS.get(what)
        if opener is None or not number.isdigit():
            self.app.notify("There is nothing more to open for this item.", timeout=4)
            return
        opener(self, int(number))

    async def action_focus_search(self) -> None:
        search = self._search_box()
        if search is None:
            search = Input(placeholder="Search the history", id="history-search", compact=True)
            await self.query_one("#history-filters", Horizontal).mount(search, before=0)
            self.query_one("#history-search-hint", Static).display = False
        search.focus()

    def action_choose_kind(self) -> None:
        self.app.push_screen(KindChooser(self.kind), callback=self._set_kind)

    def action_new_record(self) -> None:
        """A record for an unplanned conversation (no booking), held now, by the adviser using the app."""
        try:
            record_id = self.app.store.records.start(pupil_id=self.pupil_id)
        except StoreError as e:
            self.app.notify(str(e), severity="error", title="Not done")
            return
        navigation.open_record(self.app, record_id)

    def action_audit(self) -> None:
        navigation.open_audit(self.app, pupil_id=self.pupil_id)

    def action_back(self) -> None:
        search = self._search_box()
        if self.search or self.kind or (search is not None and (search.value or self.focused is search)):
            if search is not None:
                with self.prevent(Input.Changed):
                    search.value = ""
            changed = bool(self.search or self.kind)
            self.search, self.kind = "", None
            self.query_one("#history-kind", Static).update(self._kind_words())
            if changed:
                self.load_history()
            self.query_one("#history", DataTable).focus()
            return
        self.dismiss()

    def action_edit_pupil(self) -> None:
        navigation.edit_pupil(self.app, self.pupil_id, callback=lambda _: self.refresh_pupil())

    def on_screen_resume(self) -> None:
        if getattr(self, "_just_mounted", False):
            self._just_mounted = False
        elif self.is_mounted:
            self.refresh_pupil()

    def action_book(self) -> None:
        navigation.book(self.app, self.pupil_id)

    def action_mark_left(self) -> None:
        navigation.mark_left(self.app, self.pupil_id, callback=lambda _: self.refresh_pupil())

    def action_open_plan(self) -> None:  # the pupil's individual plan (SEND)
        navigation.open_plan(self.app, self.pupil_id)

    def action_open_destinations(self) -> None:  # intended and actual destinations
        navigation.open_destinations(self.app, self.pupil_id)

    def action_export(self) -> None:  # the pupil's whole record
        navigation.open_export(self.app, self.pupil_id)

    def action_log_sar(self) -> None:  # a subject access request
        navigation.log_request(self.app, self.pupil_id)


def _pairs(lines: list[tuple[str, str]]) -> Text:
    out = Text()
    for i, (label, value) in enumerate(lines):
        if i:
            out.append("\n")
        out.append(f"{label}: ", style="bold")
        out.append(value)
    return out

