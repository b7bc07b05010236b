"""Reviews due: every pupil on roll whose plan needs attention, most urgent first, paged from SQL."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from gatsby_tui import actions, navigation
from gatsby_tui.screens.base import ListKeys
from gatsby_tui.domain import send
from gatsby_tui.widgets.plain import DataTable, Static

PAGE = 100
SEN_SHORT = {"N": "—", "K": "SEN support", "E": "EHCP"}


WHY_WIDTH = 62      # 120 columns less the name, year and SEN columns, their padding and the scrollbar


class ReviewsDueScreen(ListKeys, Screen):
    LIST = "#reviews-due"
    SCOPE = "reviews"
    BINDINGS = actions.bindings("reviews")
    HELP = (f"Pupils on roll whose individual plan needs attention: a plan review or an EHCP annual review "
            f"due within {send.REVIEW_SOON_DAYS} days or overdue; pupils with an EHCP but no plan; EHCP pupils "
            "in Year 9 or above whose plan has no Preparing-for-Adulthood outcomes; Year 11 EHCP pupils nearing "
            f"31 March (from {send.TRANSITION_WARNING_DAYS} days before) with no transition plan recorded. "
            "Most urgent first. Enter opens the plan; O opens the pupil.")

    def __init__(self) -> None:
        super().__init__()
        self.total = 0
        self._last_key: tuple | None = None
        self._exhausted = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="reviews-title")
        table: DataTable = DataTable(id="reviews-due", cursor_type="row", zebra_stripes=True)
        table.add_column("Pupil", key="name", width=30)
        table.add_column("Year", key="year", width=5)
        table.add_column("SEN", key="sen", width=11)
        table.add_column("Why", key="why", width=WHY_WIDTH)
        yield table
        yield Static(id="reviews-status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Reviews due"
        self.reload()
        self.query_one("#reviews-due", DataTable).focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.reload(keep_id=self._current_id())

    def reload(self, keep_id: int | None = None) -> None:
        store = self.app.store
        table = self.query_one("#reviews-due", DataTable)
        self.total = store.reviews_due_count()
        table.clear()
        self._last_key = None
        self._exhausted = False
        self._append(store.reviews_due(limit=PAGE))
        self.query_one("#reviews-title", Static).update(Text(
            f"Reviews due · as of {store.today:%d/%m/%Y} · due within {send.REVIEW_SOON_DAYS} days or overdue, "
            "and plans missing what the EHCP rules ask for", style="bold"))
        if keep_id is not None:
            key = str(keep_id)
            for _ in range(20):
                try:
                    table.move_cursor(row=table.get_row_index(key))
                    break
                except Exception:
                    if not self.load_more():
                        break
        self._status()

    def _append(self, rows) -> None:
        table = self.query_one("#reviews-due", DataTable)
        for r in rows:
            # Several reasons go one to a line, so none is cut off at 120 columns.
            table.add_row(Text(r.name), Text(str(r.year_group)), Text(SEN_SHORT[r.sen_status]),
                          Text("⚠ " + "\n⚠ ".join(r.reasons)), key=str(r.pupil_id), height=len(r.reasons) or 1)
        if rows:
            self._last_key = rows[-1].key
        if len(rows) < PAGE:
            self._exhausted = True

    def load_more(self) -> bool:
        if self._exhausted:
            return False
        rows = self.app.store.reviews_due(after=self._last_key, limit=PAGE)
        self._append(rows)
        self._status()
        return bool(rows)

    def _status(self) -> None:
        shown = self.query_one("#reviews-due", DataTable).row_count
        if self.total == 0:
            text = "✓ Nothing due: no plan or EHCP review is due within 30 days, and no EHCP plan is missing anything."
        elif shown >= self.total:
            text = f"Showing all {self.total:,} pupil{'s' if self.total != 1 else ''} · most urgent first"
        else:
            text = f"Showing {shown:,} of {self.total:,} pupils · most urgent first · more load as you scroll"
        self.query_one("#reviews-status", Static).update(text)

    @on(DataTable.RowHighlighted, "#reviews-due")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= event.data_table.row_count - 10:
            self.load_more()

    @on(DataTable.RowSelected, "#reviews-due")
    def _selected(self) -> None:
        self.action_open_plan()

    def _current_id(self) -> int | None:
        table = self.query_one("#reviews-due", DataTable)
        if not table.row_count:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(key.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open_plan", "open_pupil"):
            return self._current_id() is not None if self.is_mounted else True
        return True

    def action_open_plan(self) -> None:
        pupil_id = self._current_id()
        if pupil_id is not None:
            navigation.open_plan(self.app, pupil_id)

    def action_open_pupil(self) -> None:
        pupil_id = self._current_id()
        if pupil_id is not None:
            navigation.open_pupil(self.app, pupil_id)
