"""Leavers by leaving cohort: a compact summary of where they went, and lists of who has no
known destination, who is NEET and whose check is due, paged from SQL. The per-pupil screen
and the destination forms are in screens/destinations.py."""

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
from gatsby_tui.domain import dates, send
from gatsby_tui.widgets.paged import PagedTable
from gatsby_tui.widgets.plain import Static

PAGE = 100
VIEWS = (("all", "a", "All"), ("unknown", "u", "Not known"), ("neet", "n", "NEET 540–680"),
         ("checks_due", "c", "Checks due"))


class LeaversScreen(ListKeys, Screen):
    LIST = "#leavers-table"
    SCOPE = "leavers"
    BINDINGS = actions.bindings("leavers")
    HELP = ("The leavers of one cohort (those who left in Year 11 or later during one school year; '2026' is "
            "the school year 2025/26) and where they went: education, employment, training, re-engagement, NEET, not known. "
            "A, U, N and C list all, no known destination, NEET (540–680) and checks due (1, 2 and 3 years "
            "after leaving, for those who consented). [ and ] change the cohort. Enter opens a leaver's "
            "destinations to record what they do now or a check.")

    def __init__(self) -> None:
        super().__init__()
        self.cohort: int | None = None
        self.view = "all"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="leavers-title")
        yield Static(id="leavers-summary")
        yield Static(id="leavers-views")
        table = PagedTable(id="leavers-table", page=PAGE)
        for key, label, width in (("name", "Leaver", 24), ("left", "Left", 14), ("dest", "Destination now", 28),
                                  ("provider", "Provider", 15), ("check", "Check (1, 2, 3 years)", 27)):
            table.add_column(label, key=key, width=width)
        yield table
        yield Static(id="leavers-status")
        yield Footer()

    def on_mount(self) -> None:
        store = self.app.store
        self.cohort = store.destinations.default_cohort()
        table = self.query_one("#leavers-table", PagedTable)
        table.source(count=lambda: store.destinations.leavers_count(self.cohort, self.view),
                     fetch=lambda after, limit: store.destinations.leavers_page(self.cohort, self.view, after=after, limit=limit),
                     row=self._row, changed=self._status)
        self.reload()
        table.focus()

    @property
    def total(self) -> int:
        return self.query_one("#leavers-table", PagedTable).total

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.cohort is not None:
            self.reload(keep_id=self._current_id())

    # ------------------------------------------------------------ loading
    def reload(self, keep_id: int | None = None) -> None:
        store = self.app.store
        cohort = self.cohort
        assert cohort is not None
        self.sub_title = f"Leavers · {cohort}"
        summary = store.destinations.cohort_summary(cohort)
        self.query_one("#leavers-title", Static).update(Text(
            f"{send.cohort_label(cohort)}: {summary.total:,} leaver{'s' if summary.total != 1 else ''}  ·  "
            "[ earlier cohort, ] later", style="bold"))
        line = Text()
        for i, (bucket, label) in enumerate(send.BUCKETS):
            if bucket == "other" and not summary.counts[bucket]:
                continue
            if i:
                line.append(" · ")
            line.append(f"{label} ", style="bold")
            line.append(f"{summary.counts[bucket]} ({summary.percent(bucket)})")
        line.append(f"\nNo consent to contact: {summary.no_consent}  ·  checks due: {summary.checks_due}")
        self.query_one("#leavers-summary", Static).update(line)
        views = Text("Show: ")
        for i, (view, key, label) in enumerate(VIEWS):
            chosen = view == self.view
            if i:
                views.append("  │  ")
            views.append(f"{'▸ ' if chosen else ''}{label} ({key})", style="bold underline" if chosen else "")
        self.query_one("#leavers-views", Static).update(views)
        self.query_one("#leavers-table", PagedTable).reload(keep_key=None if keep_id is None else str(keep_id))

    def _row(self, r: Any) -> tuple[str, list[Text], int]:
        if r.code:
            dest = ("⚠ NEET " if send.is_neet(r.code) else "") + f"{r.code} {r.label}"
        else:
            dest = "? nothing recorded"
        return (str(r.pupil_id), [Text(r.name), Text(f"{dates.uk(dates.from_iso(r.date_left))} Y{r.year_left_in}"),
                                  Text(dest), Text(r.provider or "—"), Text(r.check_words(self.app.store.today))], 1)

    def _status(self) -> None:
        table = self.query_one("#leavers-table", PagedTable)
        total = table.total
        what = send.cohort_label(self.cohort or 0)
        view_words = {"all": "leavers", "unknown": "with no known destination", "neet": "NEET",
                      "checks_due": "with a check due"}[self.view]
        if total == 0:
            if self.view == "all":
                known = self.app.store.destinations.cohorts()
                text = (f"No leavers in the {what}." +
                        (f" Cohorts with leavers: {', '.join(map(str, known))}." if known else ""))
            else:
                text = f"✓ None {view_words} in the {what}."
        else:
            many = view_words if self.view == "all" else f"leavers {view_words}"
            text = table.showing(many, one=many.replace("leavers", "leaver", 1))
        self.query_one("#leavers-status", Static).update(text)

    # ------------------------------------------------------------ keys
    @on(PagedTable.RowSelected, "#leavers-table")
    def _selected(self) -> None:
        self.action_open_destinations()

    def _current_id(self) -> int | None:
        return self.query_one("#leavers-table", PagedTable).current_id()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open_destinations", "open_pupil") and self.is_mounted:
            return self._current_id() is not None
        return True

    def action_view(self, view: str) -> None:
        if view != self.view:
            self.view = view
            self.reload()

    def action_prev_cohort(self) -> None:
        if self.cohort is not None:
            self.cohort -= 1
            self.reload()

    def action_next_cohort(self) -> None:
        if self.cohort is not None:
            self.cohort += 1
            self.reload()

    def action_open_destinations(self) -> None:
        pupil_id = self._current_id()
        if pupil_id is not None:
            navigation.open_destinations(self.app, pupil_id)

    def action_open_pupil(self) -> None:
        pupil_id = self._current_id()
        if pupil_id is not None:
            navigation.open_pupil(self.app, pupil_id)

    def action_save_csv(self) -> None:
        """Ctrl+E: this cohort's leavers in the view shown, with their destinations, as a CSV file."""
        if self.cohort is not None:
            navigation.save_csv(self.app, "leavers", {"cohort": self.cohort, "view": self.view}, self.total)
