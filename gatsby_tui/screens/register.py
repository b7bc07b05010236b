"""The pupil register: the first screen. Search as you type, filter, page from SQL."""

from __future__ import annotations

import time

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Input

from gatsby_tui import actions
from gatsby_tui.screens.base import ListKeys, FittingFooter
from gatsby_tui.domain import dates, schoolyear
from gatsby_tui.store import PupilFilter, RegisterRow
from gatsby_tui.store.pupils import FLAG_LABELS, SEN_LABELS
from gatsby_tui.widgets.plain import DataTable, Select, Static

PAGE = 100
SEN_SHORT = {"N": "—", "K": "SEN support", "E": "EHCP"}


def _when(stamp: str | None) -> str:
    if not stamp:
        return "—"
    day = dates.from_iso(stamp)
    return f"{day:%d/%m/%Y} {stamp[11:16]}".strip()


def row_cells(row: RegisterRow) -> list[Text]:
    """The cells of one register row. Every user-typed value is a Text, so names
    containing [b] or [/] are shown as typed, never read as markup."""
    if row.date_left:
        year = Text(f"Left {row.date_left[:4]}")
    else:
        year = Text(str(row.year_group))
    name = row.name
    if row.namesake:            # two pupils of the same name are told apart by their dates of birth
        born = dates.from_iso(row.dob)
        name += f" · {born.day}/{born.month}/{born.year}"
    return [
        Text(name),
        year,
        Text(row.form or "—"),
        Text(SEN_SHORT[row.sen_status]),
        Text(" ".join(row.flags) or "—"),
        Text(_when(row.last_meeting)),
        Text(_when(row.next_meeting)),
    ]


BULK_LIMIT = 5000


class RegisterScreen(ListKeys, Screen):
    LIST = "#register"
    SCOPE = "register"
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
        self.total = 0
        self._last_key: tuple | None = None
        self._exhausted = False
        # For benchmarks/register.py: when the latest results were painted.
        self.results_shown_at: float = 0.0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Input(placeholder="Search name, UPN, form  /", id="search")
            yield Select([(f"Year {y}", y) for y in range(7, 14)], prompt="All years", id="year")
            yield Select([(label, code) for code, label in SEN_LABELS.items()], prompt="Any SEN", id="sen")
            yield Select([(label, key) for key, (_, label) in FLAG_LABELS.items()], prompt="Any flag", id="flag")
            yield Select([("On roll", "on_roll"), ("Left", "left"), ("On roll and left", "all")],
                         value="on_roll", allow_blank=False, id="roll")
        table: DataTable = DataTable(id="register", cursor_type="row", zebra_stripes=True)
        table.add_column("Name", key="name", width=35)
        table.add_column("Year", key="year", width=9)
        table.add_column("Form", key="form", width=6)
        table.add_column("SEN", key="sen", width=11)
        table.add_column("Flags", key="flags", width=11)
        table.add_column("Last guidance", key="last", width=16)
        table.add_column("Next meeting", key="next", width=16)
        yield table
        yield Static(id="status")
        yield Static(id="sar-alert")
        yield FittingFooter()

    def on_screen_resume(self) -> None:
        # Back from another screen or dialog: bookings or details may have changed.
        if self.is_mounted and self.query("#register"):
            self.reload(keep_id=self._current_id())

    def on_mount(self) -> None:
        store = self.app.store
        self.sub_title = f"Register · {schoolyear.school_year_label(schoolyear.school_year_of(store.today))}"
        self.reload()
        self.query_one("#register", DataTable).focus()

    def _sar_alert(self) -> None:
        """Overdue subject access requests stand out on the first screen, in words."""
        overdue, earliest = self.app.store.sars_overdue()
        alert = self.query_one("#sar-alert", Static)
        alert.display = overdue > 0
        if overdue:
            alert.update(Text(f"⚠ {overdue} subject access request{'s are' if overdue != 1 else ' is'} overdue "
                              f"(the earliest was due {earliest:%d/%m/%Y}): press r to see and answer "
                              f"{'them' if overdue != 1 else 'it'}."))

    def action_go_sars(self) -> None:
        self.app.action_go_sars()

    def action_bulk_export(self) -> None:
        from gatsby_tui.screens.export import BulkExportScreen

        if self.total > BULK_LIMIT:
            self.app.notify(f"This list has {self.total:,} pupils: export at most {BULK_LIMIT:,} at a time. Choose a "
                            "year group or search to narrow it.", title="Too many at once", timeout=8)
            return
        ids = self.app.store.register_ids(self.filter, limit=BULK_LIMIT)
        if not ids:
            self.app.notify("There are no pupils in the list to export.", timeout=4)
            return
        year = f"Year {self.filter.year}" if self.filter.year else "the list on screen"
        self.app.push_screen(BulkExportScreen(ids, year))

    # ------------------------------------------------------------ loading
    def reload(self, keep_id: int | None = None) -> None:
        """Show the first page for the current filter (and keep a pupil highlighted if asked)."""
        store = self.app.store
        table = self.query_one("#register", DataTable)
        self.total = store.register_count(self.filter)
        rows = store.register_page(self.filter, limit=PAGE)
        table.clear()
        self._last_key = None
        self._exhausted = False
        self._append(rows)
        if keep_id is not None:
            self._reveal(keep_id)
        self._update_status()
        self._sar_alert()
        self.call_after_refresh(self._mark_shown)

    def _append(self, rows: list[RegisterRow]) -> None:
        table = self.query_one("#register", DataTable)
        for row in rows:
            table.add_row(*row_cells(row), key=str(row.id))
        if rows:
            self._last_key = rows[-1].key(self.filter.sort)
        if len(rows) < PAGE:
            self._exhausted = True

    def load_more(self) -> bool:
        if self._exhausted:
            return False
        rows = self.app.store.register_page(self.filter, after=self._last_key, limit=PAGE)
        self._append(rows)
        self._update_status()
        return bool(rows)

    def _reveal(self, pupil_id: int) -> None:
        table = self.query_one("#register", DataTable)
        key = str(pupil_id)
        for _ in range(20):  # never page through more than ~2,000 rows to find it
            try:
                index = table.get_row_index(key)
            except Exception:
                if not self.load_more():
                    return
                continue
            table.move_cursor(row=index)
            return

    def _mark_shown(self) -> None:
        self.results_shown_at = time.perf_counter()

    def _update_status(self) -> None:
        table = self.query_one("#register", DataTable)
        shown = table.row_count
        order = "year group, then name" if self.filter.sort == "year" else "name"
        if self.total == 0:
            f = self.filter
            if not f.search and f.year is None and not f.sen and not f.flag and f.roll == "on_roll":
                text = "No pupils on the register yet. Press a to add a pupil, or i to import a CSV from your MIS."
            else:
                text = "No pupils match. Press Escape to clear the search and filters."
        elif shown >= self.total:
            text = f"Showing all {self.total:,} pupils · sorted by {order}"
        else:
            text = f"Showing {shown:,} of {self.total:,} pupils · sorted by {order} · more load as you scroll"
        self.query_one("#status", Static).update(text)

    # ------------------------------------------------------------ search and filters
    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.filter = self.filter.with_(search=event.value)
        self.reload()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        table = self.query_one("#register", DataTable)
        if table.row_count:
            table.focus()

    def on_key(self, event) -> None:
        # Down (or Page Down) from the search box moves into the results, as in a web search.
        if event.key in ("down", "pagedown") and self.focused is self.query_one("#search", Input):
            table = self.query_one("#register", DataTable)
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
        self.filter = self.filter.with_(**{field: value if field != "roll" else (value or "on_roll")})
        self.reload()

    @on(DataTable.RowHighlighted, "#register")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if event.cursor_row >= table.row_count - 10:
            self.load_more()

    @on(DataTable.RowSelected, "#register")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(int(event.row_key.value))

    # ------------------------------------------------------------ actions
    def _current_id(self) -> int | None:
        table = self.query_one("#register", DataTable)
        if not table.row_count:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(key.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit_pupil", "open_pupil", "book"):
            return self._current_id() is not None if self.is_mounted else True
        return True

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_filters(self) -> None:
        self.query_one("#year", Select).focus()

    def action_clear(self) -> None:
        search = self.query_one("#search", Input)
        changed = bool(search.value) or self.filter != PupilFilter(sort=self.filter.sort)
        with self.prevent(Input.Changed, Select.Changed):
            search.value = ""
            self.query_one("#year", Select).clear()
            self.query_one("#sen", Select).clear()
            self.query_one("#flag", Select).clear()
            self.query_one("#roll", Select).value = "on_roll"
        self.filter = PupilFilter(sort=self.filter.sort)
        if changed:
            self.reload()
        self.query_one("#register", DataTable).focus()

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
        from gatsby_tui.screens.pupil import PupilScreen

        self.app.push_screen(PupilScreen(pupil_id), callback=lambda _=None: self.reload(keep_id=pupil_id))

    def action_add_pupil(self) -> None:
        from gatsby_tui.screens.pupil_form import PupilForm

        def added(pupil_id: int | None) -> None:
            if pupil_id is not None:
                self.action_clear()
                self.reload(keep_id=pupil_id)

        self.app.push_screen(PupilForm(None), callback=added)

    def action_edit_pupil(self) -> None:
        from gatsby_tui.screens.pupil_form import PupilForm

        pupil_id = self._current_id()
        if pupil_id is None:
            self.notify("No pupil is highlighted.", severity="warning")
            return
        self.app.push_screen(PupilForm(pupil_id), callback=lambda saved: self.reload(keep_id=pupil_id))

    def action_book(self) -> None:
        from gatsby_tui.screens.booking import book_with_form

        pupil_id = self._current_id()
        if pupil_id is None:
            self.notify("No pupil is highlighted.", severity="warning")
            return
        book_with_form(self, pupil_id)

    def action_import_pupils(self) -> None:
        from gatsby_tui.screens.import_pupils import ImportScreen

        self.app.push_screen(ImportScreen(), callback=lambda done: self.reload() if done else None)

    def action_save_csv(self) -> None:
        """Ctrl+E: the whole list as filtered (every page, not only those loaded) as a CSV file."""
        from dataclasses import asdict

        from gatsby_tui.screens.save_csv import SaveCsvDialog

        self.app.push_screen(SaveCsvDialog("register", asdict(self.filter), self.total))
