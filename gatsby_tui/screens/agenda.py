"""The adviser's agenda: a day or a week of bookings and free clinic slots.

Privacy: the agenda shows only what the adviser needs to run the day — time,
pupil, year group, SEN marker, kind, status — never notes or reasons.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Header
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions, navigation
from gatsby_tui.domain import dates
from gatsby_tui.domain.codes import MEETING_KIND_SHORT, MEETING_STATUS_MARKED, MODE_SUFFIX, SEN_MARKS
from gatsby_tui.widgets.plain import DataTable, Static, StatusLine

STATUS_WORDS = {**MEETING_STATUS_MARKED, None: "free"}   # None: a free clinic slot


class AgendaScreen(Screen):
    SCOPE = "agenda"
    BINDINGS = actions.bindings("agenda")
    HELP = (
        "Your bookings and free clinic slots, a day or a week at a time. N and P (or ] and [) move a day "
        "(a week in the week view), T jumps to today, W switches day and week. Enter on a meeting opens it "
        "(move, cancel, mark held or did-not-attend); Enter on a free slot books a pupil into it. "
        "Shift+B books many pupils at once; C sets your clinic hours; X writes a calendar file."
    )

    def __init__(self) -> None:
        super().__init__()
        self.day: date | None = None
        self.week = False
        self.rows: dict[str, object] = {}
        self.results_shown_at = 0.0  # for benchmarks/agenda.py: when the latest view was painted

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="agenda-title")
        table: DataTable = DataTable(id="agenda", cursor_type="row", zebra_stripes=True)
        yield table
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Agenda"
        self.day = self.app.store.today
        self.query_one("#agenda", DataTable).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.day is not None:
            self.reload(keep=True)

    # ------------------------------------------------------------ loading
    def _range(self) -> tuple[date, int]:
        if self.week:
            monday = self.day - timedelta(days=self.day.weekday())
            return monday, 7
        return self.day, 1

    def reload(self, keep: bool = False) -> None:
        store = self.app.store
        table = self.query_one("#agenda", DataTable)
        old = table.cursor_row if keep else 0
        table.clear(columns=True)
        if self.week:
            table.add_column("Day", key="day", width=10)
        table.add_column("Time", key="time", width=13)
        table.add_column("Pupil", key="pupil", width=34)
        table.add_column("Year", key="year", width=5)
        table.add_column("SEN", key="sen", width=5)
        table.add_column("Kind", key="kind", width=20)
        table.add_column("Status", key="status", width=18)
        first, days = self._range()
        adviser = store.advisers.current()
        title = self.query_one("#agenda-title", Static)
        self.rows = {}
        if adviser is None:
            title.update(Text("Nobody is chosen as the adviser using the app: press F4 to choose or add yourself."))
            self.query_one("#status", StatusLine).update("")
            return
        if self.week:
            last = first + timedelta(days=6)
            heading = f"{adviser['name']} · week of {dates.long_uk(first)} to {dates.long_uk(last)}"
        else:
            heading = f"{adviser['name']} · {first:%A} {dates.long_uk(first)}"
            if first == store.today:
                heading += " (today)"
        title.update(Text(heading, style="bold"))
        rows = store.bookings.agenda(adviser["id"], first, days)
        booked = free = 0
        for i, row in enumerate(rows):
            key = f"i{row.interview_id}" if row.interview_id else f"f{row.start.isoformat()}"
            if key in self.rows:
                key = f"{key}-{i}"
            self.rows[key] = row
            if row.day_off is not None:
                cells = [Text("all day"), Text(f"Day off{': ' if row.day_off else ''}{row.day_off}", style="italic"),
                         Text(""), Text(""), Text(""), Text("no clinic")]
            elif row.interview_id:
                booked += row.status == "booked"
                cells = [
                    Text(f"{row.start:%H:%M}–{row.end:%H:%M}"),
                    Text(row.pupil_name or ""),
                    Text(str(row.year_group) if row.year_group is not None else "—"),
                    Text(SEN_MARKS.get(row.sen, "")),
                    Text(MEETING_KIND_SHORT.get(row.kind, row.kind or "") + MODE_SUFFIX.get(row.mode, "")),
                    Text(STATUS_WORDS.get(row.status, row.status or "")),
                ]
            else:
                free += 1
                cells = [Text(f"{row.start:%H:%M}–{row.end:%H:%M}"), Text("· free ·", style="dim"), Text(""),
                         Text(""), Text(""), Text("free")]
            if self.week:
                cells.insert(0, Text(f"{row.start:%a %d %b}"))
            table.add_row(*cells, key=key)
        if not rows:
            table.add_row(*([Text("")] * (7 if self.week else 6)), key="empty")
            self.query_one("#status", StatusLine).update(
                "Nothing booked and no clinic hours here. N: next day · C: clinic hours · F2: register, B: book.")
        else:
            self.query_one("#status", StatusLine).update(
                f"{booked} booked · {free} free slot{'' if free == 1 else 's'}")
        if keep and table.row_count:
            table.move_cursor(row=min(old, table.row_count - 1))
        self.call_after_refresh(self._mark_shown)

    def _mark_shown(self) -> None:
        self.results_shown_at = time.perf_counter()

    def selected(self):
        table = self.query_one("#agenda", DataTable)
        if not table.row_count:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self.rows.get(key.value)

    # ------------------------------------------------------------ actions
    def action_prev(self) -> None:
        self.day -= timedelta(days=7 if self.week else 1)
        self.reload()

    def action_next(self) -> None:
        self.day += timedelta(days=7 if self.week else 1)
        self.reload()

    def action_today(self) -> None:
        self.day = self.app.store.today
        self.reload()

    def action_toggle_week(self) -> None:
        self.week = not self.week
        self.reload()

    def action_cursor_down(self) -> None:
        self.query_one("#agenda", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#agenda", DataTable).action_cursor_up()

    @on(DataTable.RowSelected, "#agenda")
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        row = self.selected()
        if row is None:
            return
        if row.interview_id:
            navigation.open_meeting(self.app, row.interview_id)
            return
        if row.day_off is not None:
            self.app.notify("A day off: no clinic. C shows your clinic hours and days off.", markup=False)
            return
        self._book_slot(row.start)

    def _book_slot(self, start: datetime) -> None:
        def chosen(pupil_id: int | None) -> None:
            if pupil_id is not None:
                navigation.book(self.app, pupil_id, start=start)

        navigation.choose_pupil(self.app, f"Who is coming at {start:%H:%M} on {start:%a %d %b}?", callback=chosen)

    def action_bulk(self) -> None:
        navigation.book_many(self.app)

    def action_clinics(self) -> None:
        navigation.open_clinics(self.app)

    def action_export_ics(self) -> None:
        # From today (what is past is rarely wanted in a calendar), to four weeks on or the end of
        # the days shown, whichever is later.
        shown, days = self._range()
        today = self.app.store.today
        last = max(shown + timedelta(days=days - 1), today + timedelta(days=27))
        navigation.export_calendar(self.app, today, last)
