"""Reviews due: every pupil on roll whose plan needs attention, most urgent first, paged from SQL."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Header
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions, navigation
from gatsby_tui.screens.base import ListKeys
from gatsby_tui.domain import send
from gatsby_tui.domain.codes import SEN_SHORT
from gatsby_tui.widgets.paged import PagedTable
from gatsby_tui.widgets.plain import Static

PAGE = 100


WHY_WIDTH = 62      # 120 columns less the name, year and SEN columns, their padding and the scrollbar


def _row(r: Any) -> tuple[str, list[Text], int]:
    # Several reasons go one to a line, so none is cut off at 120 columns.
    return (str(r.pupil_id), [Text(r.name), Text(str(r.year_group)), Text(SEN_SHORT[r.sen_status]),
                              Text("⚠ " + "\n⚠ ".join(r.reasons))], len(r.reasons) or 1)


class ReviewsDueScreen(ListKeys, Screen):
    LIST = "#reviews-due"
    SCOPE = "reviews"
    BINDINGS = actions.bindings("reviews")
    HELP = (f"Pupils on roll whose individual plan needs attention: a plan review or an EHCP annual review "
            f"due within {send.REVIEW_SOON_DAYS} days or overdue; pupils with an EHCP but no plan; EHCP pupils "
            "in Year 9 or above whose plan has no Preparing-for-Adulthood outcomes; Year 11 EHCP pupils nearing "
            f"31 March (from {send.TRANSITION_WARNING_DAYS} days before) with no transition plan recorded. "
            "Most urgent first. Enter opens the plan; O opens the pupil.")

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="reviews-title")
        table = PagedTable(id="reviews-due", page=PAGE)
        table.add_column("Pupil", key="name", width=30)
        table.add_column("Year", key="year", width=5)
        table.add_column("SEN", key="sen", width=11)
        table.add_column("Why", key="why", width=WHY_WIDTH)
        yield table
        yield Static(id="reviews-status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Reviews due"
        store = self.app.store
        table = self.query_one("#reviews-due", PagedTable)
        table.source(count=lambda: store.plans.reviews_due_count(),
                     fetch=lambda after, limit: store.plans.reviews_due(after=after, limit=limit),
                     row=_row, changed=self._status)
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.reload(keep_id=self._current_id())

    @property
    def total(self) -> int:
        return self.query_one("#reviews-due", PagedTable).total

    def reload(self, keep_id: int | None = None) -> None:
        store = self.app.store
        self.query_one("#reviews-due", PagedTable).reload(keep_key=None if keep_id is None else str(keep_id))
        self.query_one("#reviews-title", Static).update(Text(
            f"Reviews due · as of {store.today:%d/%m/%Y} · due within {send.REVIEW_SOON_DAYS} days or overdue, "
            "and plans missing what the EHCP rules ask for", style="bold"))

    def _status(self) -> None:
        table = self.query_one("#reviews-due", PagedTable)
        if table.total == 0:
            text = "✓ Nothing due: no plan or EHCP review is due within 30 days, and no EHCP plan is missing anything."
        else:
            text = table.showing("pupils", " · most urgent first", one="pupil")
        self.query_one("#reviews-status", Static).update(text)

    @on(PagedTable.RowSelected, "#reviews-due")
    def _selected(self) -> None:
        self.action_open_plan()

    def _current_id(self) -> int | None:
        return self.query_one("#reviews-due", PagedTable).current_id()

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
