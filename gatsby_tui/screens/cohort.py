"""Benchmark coverage (F9): per year group and for the whole school, the share of pupils on roll
meeting each Gatsby benchmark so far, drawn as bars with counts; breakdowns by SEN status, pupil
premium, looked after and gender; and from any bar (or breakdown cell) the pupils missing it,
to book guidance meetings for them or attach them to an activity.

The coverage is counted in a worker thread on the store's read-only connection from the coverage
facts, which every write keeps current (store/coverage_facts.py): a tenth of a second or so at
200,000 pupils, so the screen never freezes. The app counts it once when it starts, so F9 shows
figures at once. Figures on screen are never out of date: after any change the old ones are taken
down and the current ones counted. ``results_shown_at`` records when figures were first painted
(benchmarks/cohort.py times it; ``fresh_shown_at`` is the same moment). Bars are drawn with █ and ░
beside the percentage and the counts: never colour alone.
"""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions, navigation
from gatsby_tui.domain import benchmarks as rules
from gatsby_tui.domain import dates, schoolyear
from gatsby_tui.domain.codes import SEN_SHORT
from gatsby_tui.screens.base import ListKeys, styled_as_app
from gatsby_tui.store import coverage
from gatsby_tui.widgets.plain import DataTable, Label, Select, Static

BAR = 24


def bar(met: int, total: int, width: int = BAR) -> str:
    """'██████████░░░░░░░░░░░░░░' for 10 of 24 (empty when nobody)."""
    if not total:
        return "·" * width
    full = round(width * met / total)
    return "█" * full + "░" * (width - full)


def where_words(year: int | None, breakdown: str | None = None, value: Any = None) -> str:
    place = f"Year {year}" if year is not None else "the whole school (Years 7-13)"
    if breakdown is None:
        return place
    words = dict(coverage.BREAKDOWNS[breakdown][1]).get(value, str(value))
    return f"{place}, {words.lower() if breakdown != 'gender' else words.lower() + ' pupils'}"


class CohortScreen(Screen):
    SCOPE = "cohort"
    BINDINGS = actions.bindings("cohort")
    HELP = (
        "Each bar is the share met OF THE PUPILS IT IS DUE FOR (met, out of met and not yet), with the counts "
        "of met, not yet (something due now or already missed) and, apart, not yet due: a Year 8 pupil has "
        "not missed the guidance meeting due by the end of Year 11. Choose a year "
        "group (y) or the whole school, and a breakdown (b) to compare groups: SEN status, pupil premium, "
        "looked after, gender. Enter on a bar, or on a breakdown cell, lists the pupils missing it; from "
        "there B books guidance meetings for them all and A attaches them to an activity."
    )

    def __init__(self) -> None:
        super().__init__()
        self.cohort: Any = None
        self.results_shown_at = 0.0      # when figures were first painted (benchmarks/cohort.py)
        styled_as_app(self)

    @property
    def fresh_shown_at(self) -> float:
        """When current figures were first painted: figures shown are always current."""
        return self.results_shown_at

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="cohort-controls"):
            yield Label("Year group", classes="bulk-label")
            yield Select([("Whole school", 0)] + [(f"Year {y}", y) for y in range(7, 14)], value=0,
                         allow_blank=False, id="cohort-year")
            yield Label("Breakdown", classes="bulk-label")
            yield Select([("No breakdown", "")] + [(title, key) for key, (title, _) in coverage.BREAKDOWNS.items()],
                         value="", allow_blank=False, id="cohort-breakdown")
        yield Static("Working out the coverage…", id="cohort-summary")
        bars: DataTable = DataTable(id="cohort-bars", cursor_type="row")
        bars.add_column("Benchmark", key="bm", width=21)
        bars.add_column("Met of those due", key="bar", width=BAR + 6)
        bars.add_column("✓ Met", key="met", width=7)
        bars.add_column("✗ Not yet", key="not_yet", width=9)
        bars.add_column("… Not yet due", key="not_due", width=13)
        bars.add_column("Pupils", key="pupils", width=7)
        yield bars
        yield Static("", id="breakdown-title", classes="section-title")
        table: DataTable = DataTable(id="cohort-breakdown-table", cursor_type="cell")
        yield table
        yield Static(id="cohort-status")
        yield Footer()

    def on_mount(self) -> None:
        store = self.app.store
        self.sub_title = f"Benchmark coverage · {schoolyear.school_year_label(schoolyear.school_year_of(store.today))}"
        self.query_one("#breakdown-title").display = False
        self.query_one("#cohort-breakdown-table").display = False
        self.query_one("#cohort-bars", DataTable).focus()
        self.load()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.cohort is not None:
            self.load()          # kept unless something changed (bookings held, activities added ...)

    # ------------------------------------------------------------ loading
    def load(self) -> None:
        """Show the figures at once if they are current (the app counts them when it starts);
        otherwise take any older ones down and count them afresh."""
        coverage_now = self.app.store.coverage
        version = coverage_now.version()
        current = coverage_now.current(version)
        if current is not None:
            if current is not self.cohort:
                self._loaded(current)
            return
        if self.cohort is not None:
            self.cohort = None
            self.query_one("#cohort-bars", DataTable).clear()
            self.query_one("#breakdown-title").display = False
            self.query_one("#cohort-breakdown-table").display = False
            self.query_one("#cohort-summary", Static).update("Counting the coverage with the latest changes…")
        self._compute(version)

    @work(thread=True, exclusive=True, exit_on_error=False, group="cohort")
    def _compute(self, version: tuple) -> None:
        cohort = self.app.store.coverage.cohort(version=version)
        self.app.call_from_thread(self._loaded, cohort)

    def _loaded(self, cohort: Any) -> None:
        self.cohort = cohort
        self.show()

    def _year(self) -> int | None:
        value = self.query_one("#cohort-year", Select).value
        return None if value in (0, Select.NULL) else int(value)

    def _breakdown(self) -> str | None:
        value = self.query_one("#cohort-breakdown", Select).value
        return None if value in ("", Select.NULL) else str(value)

    def show(self) -> None:
        if self.cohort is None:
            return
        c, year = self.cohort, self._year()
        bars = self.query_one("#cohort-bars", DataTable)
        keep = bars.cursor_row
        bars.clear()
        for key in rules.RULE_KEYS:
            t = c.tally(key, year=year)
            share = f"{t.percent_due:>3}%" if t.due else "  —"
            bars.add_row(Text(rules.label_of(key)), Text(f"{bar(t.met, t.due)} {share}"),
                         Text(str(t.met)), Text(str(t.not_yet)), Text(str(t.not_due)), Text(str(t.total)),
                         key=str(key))
        bars.move_cursor(row=min(keep, bars.row_count - 1))
        size = c.size(year)
        self.query_one("#cohort-summary", Static).update(Text(
            f"{where_words(year)[0].upper() + where_words(year)[1:]}: {size:,} pupils on roll · {schoolyear.school_year_label(c.school_year)} "
            f"· as of {dates.uk(c.today)}. The share is met of those it is due for; not yet = something due "
            "now or missed; not yet due = nothing due yet, counted apart."))
        self._show_breakdown()
        self.query_one("#cohort-status", Static).update(
            "Enter lists who is missing the highlighted benchmark · y year group · b breakdown · p programme"
            if size else "No pupils on roll in Years 7-13: add or import pupils on the register (F2).")
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        self.results_shown_at = self.results_shown_at or time.perf_counter()

    def _show_breakdown(self) -> None:
        name = self._breakdown()
        title = self.query_one("#breakdown-title", Static)
        table = self.query_one("#cohort-breakdown-table", DataTable)
        title.display = table.display = name is not None
        if name is None:
            return
        c, year = self.cohort, self._year()
        heading, groups = coverage.BREAKDOWNS[name]
        title.update(Text(f"By {heading[0].lower() + heading[1:] if heading != 'SEN status' else heading} — "
                          f"{where_words(year)}: share met of those due, met / due, then + not yet due"))
        table.clear(columns=True)
        table.add_column("Group", key="group", width=18)
        table.add_column("Pupils", key="pupils", width=6)
        for key in rules.RULE_KEYS:
            table.add_column(rules.label_of(key).split(" ")[0], key=str(key), width=10)
        for value, words in groups:
            size = c.tally(1, year=year, breakdown=name, value=value).total
            cells = [Text(words), Text(str(size))]
            for key in rules.RULE_KEYS:
                t = c.tally(key, year=year, breakdown=name, value=value)
                if not t.total:
                    cells.append(Text("—"))
                    continue
                cells.append(Text((f"{t.percent_due}%\n{t.met}/{t.due}" if t.due else "—\n")
                                  + (f"\n+{t.not_due} not due" if t.not_due else "")))
            table.add_row(*cells, key=repr(value), height=3)

    @on(Select.Changed)
    def _changed(self) -> None:
        self.show()

    # ------------------------------------------------------------ drilling down
    @on(DataTable.RowSelected, "#cohort-bars")
    def action_drill(self) -> None:
        if self.cohort is None:
            return
        breakdown_table = self.query_one("#cohort-breakdown-table", DataTable)
        if self.focused is breakdown_table and breakdown_table.row_count:
            self._drill_breakdown()
            return
        bars = self.query_one("#cohort-bars", DataTable)
        if not bars.row_count:
            return
        key = rules.RULE_KEYS[bars.cursor_row]
        self.app.push_screen(GapsScreen(key, self._year()))

    @on(DataTable.CellSelected, "#cohort-breakdown-table")
    def _drill_breakdown(self) -> None:
        table = self.query_one("#cohort-breakdown-table", DataTable)
        column = table.cursor_column
        if column < 2:
            self.app.notify("Move to a benchmark's column (→) and press Enter.", timeout=3)
            return
        key = rules.RULE_KEYS[column - 2]
        name = self._breakdown()
        value = coverage.BREAKDOWNS[name][1][table.cursor_row][0]
        self.app.push_screen(GapsScreen(key, self._year(), name, value))

    # ------------------------------------------------------------ keys
    def action_focus_year(self) -> None:
        self.query_one("#cohort-year", Select).focus()

    def action_focus_breakdown(self) -> None:
        self.query_one("#cohort-breakdown", Select).focus()

    def action_programme(self) -> None:
        self.app.action_go_programme()

    def action_refresh(self) -> None:
        self.app.store.coverage.forget()
        self.query_one("#cohort-summary", Static).update("Working out the coverage…")
        self.load()

    def action_cursor_down(self) -> None:
        target = self.focused if isinstance(self.focused, DataTable) else self.query_one("#cohort-bars", DataTable)
        target.action_cursor_down()

    def action_cursor_up(self) -> None:
        target = self.focused if isinstance(self.focused, DataTable) else self.query_one("#cohort-bars", DataTable)
        target.action_cursor_up()


class GapsScreen(ListKeys, Screen):
    LIST = "#gaps-table"
    """The pupils on roll missing one benchmark (in a year group, and a breakdown group)."""

    SCOPE = "gaps"
    BINDINGS = actions.bindings("gaps")
    HELP = (
        "The pupils on roll who do not yet meet this benchmark, with what each is missing. B books "
        "guidance meetings for all of them into your free slots (bulk booking: you see the timetable first); "
        "A attaches them all to an activity (you can still mark absentees). N adds those for whom it is not "
        "yet due. Enter opens a pupil."
    )

    def __init__(self, key: int | str, year: int | None, breakdown: str | None = None, value: Any = None) -> None:
        super().__init__()
        self.key = key
        self.year = year
        self.breakdown = breakdown
        self.value = value
        self.include_not_due = False
        self.gaps: list = []
        self.total = 0
        self.results_shown_at = 0.0

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="gaps-body"):
            yield Static(id="gaps-title")
            yield Static("Finding the pupils…", id="gaps-summary")
            table: DataTable = DataTable(id="gaps-table", cursor_type="row", zebra_stripes=True)
            table.add_column("Pupil", key="name", width=28)
            table.add_column("Year", key="year", width=4)
            table.add_column("Form", key="form", width=6)
            table.add_column("SEN", key="sen", width=11)
            table.add_column("Flags", key="flags", width=9)
            table.add_column("What is missing (first)", key="missing", width=46)
            yield table
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Missing {rules.label_of(self.key)}"
        self.query_one("#gaps-title", Static).update(Text(
            f"{rules.label_of(self.key)}: {rules.title_of(self.key)} — {where_words(self.year, self.breakdown, self.value)}",
            style="bold"))
        self.query_one("#gaps-table", DataTable).focus()
        self.load()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.load()

    def load(self) -> None:
        self._fetch(self.include_not_due)

    @work(thread=True, exclusive=True, exit_on_error=False, group="gaps")
    def _fetch(self, include_not_due: bool) -> None:
        found = self.app.store.coverage.gaps(self.key, year=self.year, breakdown=self.breakdown, value=self.value,
                                              include_not_due=include_not_due)
        self.app.call_from_thread(self._show, *found)

    def _show(self, gaps: list, total: int) -> None:
        self.gaps, self.total = gaps, total
        table = self.query_one("#gaps-table", DataTable)
        table.clear()
        for g in gaps:
            parts = g.missing.split("; ")
            missing = parts[0] + (f" (+{len(parts) - 1} more)" if len(parts) > 1 else "")
            if g.state != rules.NOT_YET:
                missing = f"… not yet due: {missing}"
            table.add_row(Text(g.name), Text(str(g.year_group)), Text(g.form or "—"), Text(SEN_SHORT.get(g.sen, g.sen)),
                          Text(" ".join(g.flags) or "—"), Text(missing), key=str(g.pupil_id))
        which = "not yet met or not yet due" if self.include_not_due else "not yet met"
        if not total:
            text = (f"✓ Nobody here is missing it ({which}). "
                    + ("" if self.include_not_due else "N also lists those for whom it is not yet due."))
        else:
            text = f"{total:,} pupil{'s' if total != 1 else ''} {which}"
            if len(gaps) < total:
                text += f" (the first {len(gaps):,} by name are listed and acted on)"
            text += ". B books guidance meetings for them; A attaches them to an activity."
        self.query_one("#gaps-summary", Static).update(Text(text))
        self.results_shown_at = time.perf_counter()

    def _ids(self) -> list[int]:
        return [g.pupil_id for g in self.gaps]

    def _chosen_words(self) -> str:
        return f"missing {rules.label_of(self.key)} in {where_words(self.year, self.breakdown, self.value)}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("book_all", "attach_all", "open_pupil") and self.is_mounted:
            return bool(self.gaps)
        return True

    def action_book_all(self) -> None:
        if not self.gaps:
            return
        if self.app.store.adviser_id is None:
            self.app.notify("Choose who you are first (F4): pupils are booked into your free slots.",
                            severity="warning")
            return
        navigation.book_many(self.app, pupil_ids=self._ids(), chosen=self._chosen_words())

    def action_attach_all(self) -> None:
        if not self.gaps:
            return
        ids = self._ids()

        def chosen(activity_id: int | None) -> None:
            if activity_id is not None:
                navigation.attach_pupils(self.app, activity_id, "ids", ids=ids, label=self._chosen_words())

        navigation.choose_activity(self.app, f"Attach the {len(ids)} pupils to which activity?", callback=chosen)

    def action_toggle_not_due(self) -> None:
        self.include_not_due = not self.include_not_due
        self.query_one("#gaps-summary", Static).update("Finding the pupils…")
        self.load()

    @on(DataTable.RowSelected, "#gaps-table")
    def action_open_pupil(self) -> None:
        table = self.query_one("#gaps-table", DataTable)
        if table.row_count:
            key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
            navigation.open_pupil(self.app, int(key.value))

    def action_save_csv(self) -> None:
        """Ctrl+E: every pupil missing the benchmark here (not only the first listed) as a CSV file."""
        filters = {"key": self.key, "year": self.year, "breakdown": self.breakdown, "value": self.value,
                   "include_not_due": self.include_not_due}
        navigation.save_csv(self.app, "gaps", filters, self.total if self.results_shown_at else None)

    def action_back(self) -> None:
        self.dismiss()
