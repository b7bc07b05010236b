"""The pupil register: the first screen. Search as you type, filter, page from SQL.

The register is read once when it opens, and again on coming back to it only if the database
changed meanwhile (``store.coverage.version()``: this connection's writes and any other's).
A search reads only the list, never the overdue-request alert. Typing is never held up by a
search: each runs in a thread on the screen's connection, started once the key has been taken,
and the next key interrupts it; the main thread only swaps the rows in (about a millisecond).
A search reads its first page before its count, so the rows are on screen first.
"""

from __future__ import annotations

import time
from typing import Any, Callable, TypeVar

from rich.text import Text
from textual import on
from textual.worker import Worker, WorkerState
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions, jobs, navigation
from gatsby_tui.screens.base import ListKeys
from gatsby_tui.domain import dates, schoolyear
from gatsby_tui.store import PupilFilter, RegisterRow, is_interrupted
from gatsby_tui.domain.codes import FLAG_LABELS, SEN_LABELS, SEN_SHORT
from gatsby_tui.widgets.paged import PagedTable
from gatsby_tui.widgets.plain import Input, Select, Static, StatusLine

PAGE = 100
T = TypeVar("T")


def _when(stamp: str | None) -> str:
    if not stamp:
        return "—"
    day = dates.from_iso(stamp)
    return f"{day:%d/%m/%Y} {stamp[11:16]}".strip()


def row_cells(row: RegisterRow) -> list[str]:
    """The cells of one register row, as plain strings: the list shows them as typed (a name
    containing [b] or [/] is never read as markup)."""
    name = row.name
    if row.namesake:            # two pupils of the same name are told apart by their dates of birth
        born = dates.from_iso(row.dob)
        name += f" · {born.day}/{born.month}/{born.year}"
    return [
        name,
        f"Left {row.date_left[:4]}" if row.date_left else str(row.year_group),
        row.form or "—",
        SEN_SHORT[row.sen_status],
        " ".join(row.flags) or "—",
        _when(row.last_meeting),
        _when(row.next_meeting),
    ]


BULK_LIMIT = 5000


class RegisterScreen(ListKeys, Screen):
    LIST = "#register"
    SCOPE = "register"
    # The list has the focus from the moment the screen is built, not a moment later: a key typed
    # while the app starts ('/' then a name) is never taken from the search box by a late focus.
    AUTO_FOCUS = "#register"
    BINDINGS = actions.bindings("register")
    HELP = (
        "The register lists every pupil. Type in the search box to find a pupil by forename, "
        "surname, preferred name, UPN or form — accents and apostrophes don't matter "
        "('obrien' finds O'Brien, 'nia' finds Nía). Use the filters to narrow the list. "
        "Enter opens the highlighted pupil."
    )

    def __init__(self) -> None:
        super().__init__()
        self.filter = PupilFilter()
        self._seen: Any = None                     # the database version the list was read at
        self.search_seconds = 0.0                  # how long the last search took (benchmarks/register.py)
        self._search_queued = False
        self._search_worker: Worker | None = None
        # For benchmarks/register.py: when the latest results were painted.
        self.results_shown_at: float = 0.0

    @property
    def total(self) -> int:
        """The pupils the filter gives (counted now if the search's count has not come yet)."""
        total = self._table().total
        return total if total is not None else self.app.store.pupils.count(self.filter)

    def _table(self) -> PagedTable:
        return self.query_one("#register", PagedTable)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Input(placeholder="Search name, UPN, form  /", id="search")
        table = PagedTable(id="register", page=PAGE)
        table.add_column("Name", key="name", width=35)
        table.add_column("Year", key="year", width=9)
        table.add_column("Form", key="form", width=6)
        table.add_column("SEN", key="sen", width=11)
        table.add_column("Flags", key="flags", width=11)
        table.add_column("Last guidance", key="last", width=16)
        table.add_column("Next meeting", key="next", width=16)
        yield table
        yield StatusLine(id="status")
        yield Static(id="sar-alert")
        yield Footer()

    def on_mount(self) -> None:
        store = self.app.store
        self.sub_title = f"Register · {schoolyear.school_year_label(schoolyear.school_year_of(store.today))}"
        table = self._table()
        table.source(count=lambda: store.pupils.count(self.filter),
                     fetch=lambda after, limit: store.pupils.page(self.filter, after=after, limit=limit),
                     row=lambda row: (str(row.id), row_cells(row), 1),
                     after=lambda row: row.key(self.filter.sort),
                     changed=self._update_status)
        # The filters and the overdue-request alert join the list straight after the first frame:
        # the pupils are what the first frame is for, and the four drop-down lists alone took a
        # tenth of the start-up.
        self._refresh(alert_later=True)
        self.app.after_first_frame(self._mount_filters)

    def _mount_filters(self) -> None:
        self.query_one("#filters").mount_all([
            Select([(f"Year {y}", y) for y in range(7, 14)], prompt="All years", id="year"),
            Select([(label, code) for code, label in SEN_LABELS.items()], prompt="Any SEN", id="sen"),
            Select([(label, key) for key, (_, label) in FLAG_LABELS.items()], prompt="Any flag", id="flag"),
            Select([("On roll", "on_roll"), ("Left", "left"), ("On roll and left", "all")],
                   value="on_roll", allow_blank=False, id="roll"),
        ])

    def on_screen_resume(self) -> None:
        # Back from another screen or dialog: read again only if something was written meanwhile.
        if self.is_mounted and self._seen is not None:
            self.refresh_if_changed()

    def refresh_if_changed(self, keep_id: int | None = None) -> None:
        """Read the list (and the overdue-request alert) again if the database changed since it
        was read; either way keep ``keep_id`` (else the highlighted pupil) under the cursor."""
        if self.app.store.coverage.version() != self._seen:
            self._refresh(keep_id if keep_id is not None else self._current_id())
        elif keep_id is not None:
            self._table().reveal(str(keep_id))

    def _refresh(self, keep_id: int | None = None, *, alert_later: bool = False) -> None:
        self._seen = self.app.store.coverage.version()
        self.reload(keep_id=keep_id)
        if alert_later:
            self.app.after_first_frame(self._sar_alert)
        else:
            self._sar_alert()

    def _sar_alert(self) -> None:
        """Overdue subject access requests stand out on the first screen, in words."""
        overdue, earliest = self.app.store.requests.overdue()
        alert = self.query_one("#sar-alert", Static)
        alert.display = overdue > 0
        if overdue:
            alert.update(Text(f"⚠ {overdue} subject access request{'s are' if overdue != 1 else ' is'} overdue "
                              f"(the earliest was due {earliest:%d/%m/%Y}): press r to see and answer "
                              f"{'them' if overdue != 1 else 'it'}."))

    def action_go_sars(self) -> None:
        self.app.action_go_sars()

    def action_bulk_export(self) -> None:
        if self.total > BULK_LIMIT:
            self.app.notify(f"This list has {self.total:,} pupils: export at most {BULK_LIMIT:,} at a time. Choose a "
                            "year group or search to narrow it.", title="Too many at once", timeout=8)
            return
        ids = self.app.store.pupils.ids(self.filter, limit=BULK_LIMIT)
        if not ids:
            self.app.notify("There are no pupils in the list to export.", timeout=4)
            return
        year = f"Year {self.filter.year}" if self.filter.year else "the list on screen"
        navigation.open_bulk_export(self.app, ids, year)

    # ------------------------------------------------------------ loading
    def reload(self, keep_id: int | None = None) -> None:
        """Show the first page for the current filter (and keep a pupil highlighted if asked)."""
        self._cancel_search()
        start = time.perf_counter()
        self._table().reload(keep_key=None if keep_id is None else str(keep_id))
        self.search_seconds = time.perf_counter() - start
        self.call_after_refresh(self._mark_shown)

    def load_more(self) -> bool:
        return self._table().load_more()

    def _mark_shown(self) -> None:
        self.results_shown_at = time.perf_counter()

    def _update_status(self) -> None:
        table = self._table()
        order = "year group, then name" if self.filter.sort == "year" else "name"
        if table.total == 0:
            f = self.filter
            if not f.search and f.year is None and not f.sen and not f.flag and f.roll == "on_roll":
                text = "No pupils on the register yet. Press a to add a pupil, or i to import a CSV from your MIS."
            else:
                text = "No pupils match. Press Escape to clear the search and filters."
        else:
            text = table.showing("pupils", f" · sorted by {order}", one="pupil")
        self.query_one("#status", StatusLine).update(text)

    # ------------------------------------------------------------ search and filters
    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if event.value == self.filter.search:
            return
        self.filter = self.filter.with_(search=event.value)
        self._cancel_search()
        # Keys typed faster than the app takes them make one search between them.
        if not self._search_queued:
            self._search_queued = True
            self.call_after_refresh(self._search_in_thread)

    def _cancel_search(self) -> None:
        """Interrupt a search running in a thread (one queued runs for the newest filter)."""
        worker, self._search_worker = self._search_worker, None
        if worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
            worker.cancel()
            self.app.store.conn.interrupt()

    def _search_in_thread(self) -> None:
        self._search_queued = False
        wanted = self.filter

        def read(run: jobs.Job, query: Callable[[], T]) -> T:
            # On the screen's own connection, so the next key can interrupt the query.
            while True:
                try:
                    return query()
                except Exception as error:
                    # Interrupted, yet still wanted: the key before this one stopped its own
                    # search, and SQLite stops what begins while that one is ending. Read again.
                    if run.cancelled or not is_interrupted(error):
                        raise

        def search(run: jobs.Job) -> int | None:
            # The first page is shown as soon as it is read, and the pupils are counted after: the
            # rows are what a person typing looks for, and on 200,000 pupils the count of a
            # one-letter search takes as long again. A page that is not full needs no count.
            start = time.perf_counter()
            rows = read(run, lambda: run.store.pupils.page(wanted, limit=PAGE))
            full = len(rows) == PAGE
            run.ui(self._found, wanted, None if full else len(rows), rows, time.perf_counter() - start)
            return read(run, lambda: run.store.pupils.count(wanted)) if full and not run.cancelled else None

        self._search_worker = jobs.start(self, search, group="register-search", own_connection=False,
                                         done=lambda total: self._counted(wanted, total))

    def _found(self, wanted: PupilFilter, total: int | None, rows: list[RegisterRow], seconds: float) -> None:
        if wanted != self.filter:
            return
        self.search_seconds = seconds
        self._table().show(total, rows)
        self.call_after_refresh(self._mark_shown)

    def _counted(self, wanted: PupilFilter, total: int | None) -> None:
        if total is not None and wanted == self.filter:
            self._table().counted(total)

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        table = self._table()
        if table.row_count:
            table.focus()

    def on_key(self, event) -> None:
        # Down (or Page Down) from the search box moves into the results, as in a web search.
        if event.key in ("down", "pagedown") and self.focused is self.query_one("#search", Input):
            table = self._table()
            if table.row_count:
                event.stop()
                event.prevent_default()
                table.focus()

    @on(Select.Changed)
    def _filter_changed(self, event: Select.Changed) -> None:
        value = None if event.value is Select.NULL else event.value
        field = {"year": "year", "sen": "sen", "flag": "flag", "roll": "roll"}.get(event.select.id or "")
        if field is None:
            return
        changed = self.filter.with_(**{field: value if field != "roll" else (value or "on_roll")})
        if changed != self.filter:
            self.filter = changed
            self.reload()

    @on(PagedTable.RowSelected, "#register")
    def _row_selected(self, event: PagedTable.RowSelected) -> None:
        self._open(int(event.key))

    # ------------------------------------------------------------ actions
    def _current_id(self) -> int | None:
        return self._table().current_id()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit_pupil", "open_pupil", "book"):
            return self._current_id() is not None if self.is_mounted else True
        return True

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_filters(self) -> None:
        self.query("#year").focus()          # (nothing to focus in the moment before they are shown)

    def action_clear(self) -> None:
        search = self.query_one("#search", Input)
        changed = bool(search.value) or self.filter != PupilFilter(sort=self.filter.sort)
        with self.prevent(Input.Changed, Select.Changed):
            search.value = ""
            for select in self.query("#filters Select").results(Select):
                if select.id == "roll":
                    select.value = "on_roll"
                else:
                    select.clear()
        self.filter = PupilFilter(sort=self.filter.sort)
        if changed:
            self.reload()
        self._table().focus()

    def action_toggle_sort(self) -> None:
        keep = self._current_id()
        self.filter = self.filter.with_(sort="name" if self.filter.sort == "year" else "year")
        self.reload(keep_id=keep)
        self.notify(f"Sorted by {'year group, then name' if self.filter.sort == 'year' else 'name'}.",
                    timeout=2)

    def action_open_pupil(self) -> None:
        pupil_id = self._current_id()
        if pupil_id is not None:
            self._open(pupil_id)

    def _open(self, pupil_id: int) -> None:
        # Coming back, the list is read again only if something changed (on_screen_resume).
        navigation.open_pupil(self.app, pupil_id)

    def action_add_pupil(self) -> None:
        def added(pupil_id: int | None) -> None:
            if pupil_id is not None:
                self.action_clear()
                self.refresh_if_changed(keep_id=pupil_id)

        navigation.edit_pupil(self.app, None, callback=added)

    def action_edit_pupil(self) -> None:
        pupil_id = self._current_id()
        if pupil_id is None:
            self.notify("No pupil is highlighted.", severity="warning")
            return
        navigation.edit_pupil(self.app, pupil_id, callback=lambda saved: self.refresh_if_changed(keep_id=pupil_id))

    def action_book(self) -> None:
        pupil_id = self._current_id()
        if pupil_id is None:
            self.notify("No pupil is highlighted.", severity="warning")
            return
        navigation.book(self.app, pupil_id)

    def action_import_pupils(self) -> None:
        navigation.import_pupils(self.app, callback=lambda done: self.refresh_if_changed() if done else None)

    def action_save_csv(self) -> None:
        """Ctrl+E: the whole list as filtered (every page, not only those loaded) as a CSV file."""
        from dataclasses import asdict

        navigation.save_csv(self.app, "register", asdict(self.filter), self.total)
