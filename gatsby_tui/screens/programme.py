"""The careers programme (Benchmark 1): year groups × benchmarks, each cell the planned activities,
which of them recorded activities delivered, and what was done without being planned. Edit a cell
(Enter), link recorded activities to planned ones, copy last year's programme, and export it as a
web page and Markdown for the school website (x).
"""

from __future__ import annotations

from pathlib import Path

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
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.fields import field
from gatsby_tui.widgets.plain import Button, DataTable, Input, Static
from gatsby_tui.screens.base import AsksBeforeDiscarding
from gatsby_tui.widgets.tickbox import TickBox

BENCHMARKS = tuple(range(1, 9))


def cell_text(items: list, unplanned: int) -> Text:
    """Three short lines: planned, delivered (✓), recorded but unplanned (+)."""
    if not items and not unplanned:
        return Text("—\n\n", style="dim")
    done = sum(1 for i in items if i.delivered)
    lines = [f"{len(items)} planned" if items else "not planned",
             (f"✓ {done} done" if done else "0 done") if items else "",
             f"+{unplanned} unplanned" if unplanned else ""]
    return Text("\n".join(lines))


class ProgrammeScreen(Screen):
    SCOPE = "programme"
    BINDINGS = actions.bindings("programme")
    HELP = (
        "The careers programme for a school year: a row per year group, a column per Gatsby benchmark. Each "
        "cell counts the planned activities, how many were delivered (✓ done: a recorded activity is linked "
        "to them) and activities recorded for that year group and benchmark without being planned (+). Enter edits "
        "the highlighted cell; [ and ] change the school year; c copies last year's programme into an empty "
        "year; x exports it as a web page and Markdown for the school website."
    )

    def __init__(self) -> None:
        super().__init__()
        self.school_year = 0
        self.grid = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="programme-title")
        table: DataTable = DataTable(id="programme-grid", cursor_type="cell")
        table.add_column("Year", key="year", width=4)
        for b in BENCHMARKS:
            table.add_column(f"{b} {rules.BENCHMARKS[b][1]}", key=str(b), width=12)
        yield table
        yield Static(id="programme-cell")
        yield Footer()

    def on_mount(self) -> None:
        self.school_year = schoolyear.school_year_of(self.app.store.today)
        self.reload()
        self.query_one("#programme-grid", DataTable).focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.reload()

    def reload(self) -> None:
        store = self.app.store
        self.grid = store.programme.grid(self.school_year)
        table = self.query_one("#programme-grid", DataTable)
        row, column = table.cursor_coordinate
        table.clear()
        for y in self.grid.years:
            cells = [Text(f"Y{y}", style="bold")]
            for b in BENCHMARKS:
                cells.append(cell_text(self.grid.items(y, b), self.grid.unplanned.get((y, b), 0)))
            table.add_row(*cells, key=str(y), height=3)
        table.move_cursor(row=row, column=max(1, column))
        label = schoolyear.school_year_label(self.school_year)
        self.sub_title = f"Careers programme {label}"
        g = self.grid
        self.query_one("#programme-title", Static).update(Text(
            f"Careers programme {label}: {g.planned} planned activities, {g.delivered} delivered"
            + ("" if g.planned else " — nothing planned yet: Enter on a cell adds one, c copies last year's")))
        self._show_cell()

    def _cell(self) -> tuple[int, int] | None:
        table = self.query_one("#programme-grid", DataTable)
        row, column = table.cursor_coordinate
        if column < 1:
            return None
        years = self.grid.years if self.grid is not None else tuple(range(7, 14))
        return years[min(row, len(years) - 1)], BENCHMARKS[column - 1]

    @on(DataTable.CellHighlighted, "#programme-grid")
    def _show_cell(self) -> None:
        panel = self.query_one("#programme-cell", Static)
        cell = self._cell()
        if cell is None or self.grid is None:
            panel.update("Move to a benchmark's column to see its planned activities.")
            return
        y, b = cell
        out = Text()
        out.append(f"Year {y} · Benchmark {b}: {rules.BENCHMARKS[b][0]}\n", style="bold")
        items = self.grid.items(y, b)
        if not items:
            out.append("Nothing planned. Enter adds a planned activity.\n")
        for n, item in enumerate(items, 1):
            out.append(f"{n}. ")
            out.append(item.description)
            if item.delivered:
                shown = "; ".join(f"{title} ({dates.uk(dates.from_iso(day))})" for _, day, title in item.delivered[:3])
                more = f" and {len(item.delivered) - 3} more" if len(item.delivered) > 3 else ""
                out.append(f"  ✓ delivered: {shown}{more}")
            else:
                out.append("  — not delivered yet")
            out.append("\n")
        unplanned = self.grid.unplanned.get((y, b), 0)
        if unplanned:
            out.append(f"+ {unplanned} recorded activit{'y' if unplanned == 1 else 'ies'} for Year {y} serving "
                       f"Benchmark {b} not linked to the programme.")
        panel.update(out)

    @on(DataTable.CellSelected, "#programme-grid")
    def action_open_cell(self) -> None:
        cell = self._cell()
        if cell is None:
            self.app.notify("Move to a benchmark's column (→) first.", timeout=3)
            return
        self.app.push_screen(CellScreen(self.school_year, *cell), callback=lambda _: self.reload())

    def action_prev_year(self) -> None:
        self.school_year -= 1
        self.reload()

    def action_next_year(self) -> None:
        self.school_year += 1
        self.reload()

    def action_copy_year(self) -> None:
        last = self.school_year - 1
        try:
            count = self.app.store.programme.copy_year(last, self.school_year)
        except StoreError as e:
            self.app.notify(str(e), severity="warning", title="Not copied")
            return
        self.app.notify(f"Copied {count} planned activities from {schoolyear.school_year_label(last)}.")
        self.reload()

    def action_export(self) -> None:
        self.app.push_screen(ExportProgramme(self.school_year))

    def action_page_texts(self) -> None:
        navigation.edit_programme_page(self.app)


class CellScreen(ModalScreen[bool]):
    """One cell: its planned activities in order, what delivered each; add, edit, remove, link."""

    SCOPE = "cell"
    BINDINGS = actions.bindings("cell")
    HELP = ("The planned activities for one year group and benchmark. A adds one, E edits the highlighted "
            "one, X removes it (press twice; recorded activities linked to it stay recorded), L chooses which "
            "recorded activities delivered it.")

    def __init__(self, school_year: int, year_group: int, benchmark: int) -> None:
        super().__init__()
        self.school_year, self.year_group, self.benchmark = school_year, year_group, benchmark
        self._delete_armed: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog cell-dialog"):
            yield Static(Text(f"{schoolyear.school_year_label(self.school_year)} · Year {self.year_group} · "
                              f"Benchmark {self.benchmark}: {rules.BENCHMARKS[self.benchmark][0]}"),
                         classes="dialog-title")
            table: DataTable = DataTable(id="cell-items", cursor_type="row")
            table.add_column("Planned activity", key="what", width=50)
            table.add_column("Delivered", key="done", width=26)
            yield table
            yield Static("", id="cell-hint", classes="dialog-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#cell-items", DataTable).focus()

    def reload(self) -> None:
        grid = self.app.store.programme.grid(self.school_year)
        table = self.query_one("#cell-items", DataTable)
        row = table.cursor_row
        table.clear()
        for item in grid.items(self.year_group, self.benchmark):
            done = (f"✓ {len(item.delivered)}: {item.delivered[0][2]}" if item.delivered else "— not yet")
            table.add_row(Text(item.description), Text(done), key=str(item.id))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self.query_one("#cell-hint", Static).update(
            "A adds · E edits · X removes · L links recorded activities · Escape closes" if table.row_count
            else "Nothing planned here yet: A adds a planned activity. Escape closes.")

    def _current(self) -> int | None:
        table = self.query_one("#cell-items", DataTable)
        if not table.row_count:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(key.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit_item", "delete_item", "link_item") and self.is_mounted:
            return self._current() is not None
        return True

    def action_add_item(self) -> None:
        def saved(text: str | None) -> None:
            if text is None:
                return
            try:
                self.app.store.programme.add_item(self.school_year, self.year_group, self.benchmark, text)
            except StoreError as e:
                self.app.notify(str(e), severity="error", title="Not added")
                return
            self.reload()
            table = self.query_one("#cell-items", DataTable)
            table.move_cursor(row=table.row_count - 1)

        self.app.push_screen(ItemForm("Add a planned activity", ""), callback=saved)

    def action_edit_item(self) -> None:
        item_id = self._current()
        if item_id is None:
            return
        row = self.app.store.programme.item(item_id)

        def saved(text: str | None) -> None:
            if text is None:
                return
            try:
                self.app.store.programme.update_item(item_id, text)
            except StoreError as e:
                self.app.notify(str(e), severity="error", title="Not saved")
                return
            self.reload()

        self.app.push_screen(ItemForm("Edit the planned activity", row["description"]), callback=saved)

    def action_delete_item(self) -> None:
        item_id = self._current()
        if item_id is None:
            return
        if self._delete_armed != item_id:
            self._delete_armed = item_id
            self.app.notify("Press X again to remove it (recorded activities linked to it stay recorded).",
                            severity="warning", timeout=4)
            return
        self._delete_armed = None
        try:
            unlinked = self.app.store.programme.delete_item(item_id)
        except StoreError as e:
            self.app.notify(str(e), severity="error")
            return
        self.app.notify("Removed." + (f" {unlinked} recorded activit{'y was' if unlinked == 1 else 'ies were'} "
                                      "unlinked and stay recorded." if unlinked else ""))
        self.reload()

    def action_link_item(self) -> None:
        item_id = self._current()
        if item_id is not None:
            self.app.push_screen(LinkActivities(item_id), callback=lambda _: self.reload())

    def action_close(self) -> None:
        self.dismiss(True)


class ItemForm(AsksBeforeDiscarding, ModalScreen[str | None]):
    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = "Describe the planned activity as the school website should show it. Ctrl+S saves."

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield field("Planned activity", Input(value=self.text, placeholder="e.g. Careers fair with local employers",
                                                  id="description", compact=True))
            yield Static("", id="err-description", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#description", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        text = " ".join(self.query_one("#description", Input).value.split())
        if not text:
            self.query_one("#err-description", Static).update("✗ Describe the planned activity, or press Escape.")
            return
        if len(text) > 500:
            self.query_one("#err-description", Static).update("✗ Keep it under 500 characters.")
            return
        self.dismiss(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.close_or_ask(lambda: self.dismiss(None))   # unsaved typing is asked about first


class LinkActivities(ModalScreen[bool]):
    """Which recorded activities (same school year, serving the benchmark) delivered a planned one."""

    SCOPE = "choose"
    BINDINGS = actions.bindings("choose")
    HELP = ("Recorded activities of the same school year that serve this benchmark. Space links the "
            "highlighted one to the planned activity (✓), or unlinks it. An activity delivers one planned "
            "activity at most: linking it here moves it from any other.")

    def __init__(self, item_id: int) -> None:
        super().__init__()
        self.item_id = item_id

    def compose(self) -> ComposeResult:
        item = self.app.store.programme.item(self.item_id)
        with Vertical(id="dialog", classes="form-dialog picker-dialog"):
            yield Static(Text(f"What delivered: {item['description']}"), classes="dialog-title")
            table: DataTable = DataTable(id="link-table", cursor_type="row")
            table.add_column("Linked", key="linked", width=12)
            table.add_column("Date", key="date", width=10)
            table.add_column("Activity", key="title", width=40)
            table.add_column("Pupils", key="pupils", width=6)
            yield table
            yield Static("", id="link-hint", classes="dialog-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#link-table", DataTable).focus()

    def reload(self) -> None:
        rows = self.app.store.programme.candidates(self.item_id)
        table = self.query_one("#link-table", DataTable)
        row = table.cursor_row
        table.clear()
        for r in rows:
            mark = "✓ linked" if r["linked_here"] else ("• elsewhere" if r["programme_item_id"] else "")
            table.add_row(Text(mark), Text(dates.uk(dates.from_iso(r["held_on"]))), Text(r["title"]),
                          Text(str(r["pupils"])), key=str(r["id"]))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self.query_one("#link-hint", Static).update(
            "Space links or unlinks · Escape closes" if rows else
            "No recorded activity in this school year serves this benchmark yet: record it on the activities "
            "screen (F8).")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "choose"

    def action_toggle_link(self) -> None:
        table = self.query_one("#link-table", DataTable)
        if not table.row_count:
            return
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        activity_id = int(key.value)
        linked = self.app.store.activities.get(activity_id)["programme_item_id"] == self.item_id
        try:
            self.app.store.programme.link(activity_id, None if linked else self.item_id)
        except StoreError as e:
            self.app.notify(str(e), severity="error")
            return
        self.reload()

    def action_close(self) -> None:
        self.dismiss(True)


class ExportProgramme(ModalScreen[bool]):
    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("Writes two files into the folder: a self-contained web page (.html) and Markdown (.md) of the "
            "published programme (the careers leader, the plan for every year group, what the school does for "
            "each benchmark, its provider access policy, evaluation and next review; the texts are edited with "
            "t on the programme screen), readable by you only until you publish them. No pupil is named in "
            "either. Tick whether to mark delivered activities and whether to add the current benchmark and "
            "destinations figures to the evaluation.")

    def __init__(self, school_year: int) -> None:
        super().__init__()
        self.school_year = school_year

    def compose(self) -> ComposeResult:
        label = schoolyear.school_year_label(self.school_year)
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static(f"Export the {label} careers programme", classes="dialog-title")
            yield field("Folder", Input(value=str(Path.home()), id="folder", compact=True))
            yield field("File name", Input(value=f"careers-programme-{label.replace('/', '-')}", id="name",
                                           compact=True))
            with Horizontal(classes="field checks"):
                yield TickBox("Mark delivered activities (✓ delivered)", value=True, id="delivered", compact=True)
            with Horizontal(classes="field checks"):
                yield TickBox("Add today's benchmark and destinations figures", value=True, id="figures",
                              compact=True)
            yield Static("", id="export-result", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export (Ctrl+S)", id="save", variant="primary")
                yield Button("Close (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#folder", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        folder = Path(self.query_one("#folder", Input).value.strip() or ".").expanduser()
        name = self.query_one("#name", Input).value.strip() or "careers-programme"
        written = []
        delivered = self.query_one("#delivered", TickBox).value
        figures = self.query_one("#figures", TickBox).value
        try:
            for fmt in ("html", "md"):
                written.append(self.app.store.programme.export(self.school_year, folder / f"{name}.{fmt}", fmt,
                                                               delivered=delivered, figures=figures))
        except StoreError as e:
            self.query_one("#export-result", Static).update(Text("✗ " + str(e)))
            return
        self.app.notify("Wrote " + " and ".join(str(p) for p in written) + ".", timeout=8)
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
