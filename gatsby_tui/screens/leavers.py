"""Leavers by leaving cohort: a compact summary of where they went, and lists of who has no
known destination, who is NEET and whose check is due, paged from SQL. The per-pupil screen
and the destination forms are in screens/destinations.py."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from gatsby_tui import actions, navigation
from gatsby_tui.screens.base import ListKeys
from gatsby_tui.domain import dates, send
from gatsby_tui.widgets.plain import DataTable, Static

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
        self.total = 0
        self._last_key: tuple | None = None
        self._exhausted = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="leavers-title")
        yield Static(id="leavers-summary")
        yield Static(id="leavers-views")
        table: DataTable = DataTable(id="leavers-table", cursor_type="row", zebra_stripes=True)
        for key, label, width in (("name", "Leaver", 24), ("left", "Left", 14), ("dest", "Destination now", 28),
                                  ("provider", "Provider", 15), ("check", "Check (1, 2, 3 years)", 27)):
            table.add_column(label, key=key, width=width)
        yield table
        yield Static(id="leavers-status")
        yield Footer()

    def on_mount(self) -> None:
        self.cohort = self.app.store.default_cohort()
        self.reload()
        self.query_one("#leavers-table", DataTable).focus()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.cohort is not None:
            self.reload(keep_id=self._current_id())

    # ------------------------------------------------------------ loading
    def reload(self, keep_id: int | None = None) -> None:
        store = self.app.store
        cohort = self.cohort
        assert cohort is not None
        self.sub_title = f"Leavers · {cohort}"
        summary = store.cohort_summary(cohort)
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
        table = self.query_one("#leavers-table", DataTable)
        self.total = store.leavers_count(cohort, self.view)
        table.clear()
        self._last_key = None
        self._exhausted = False
        self._append(store.leavers_page(cohort, self.view, limit=PAGE))
        if keep_id is not None:
            for _ in range(20):
                try:
                    table.move_cursor(row=table.get_row_index(str(keep_id)))
                    break
                except Exception:
                    if not self.load_more():
                        break
        self._status()

    def _append(self, rows) -> None:
        table = self.query_one("#leavers-table", DataTable)
        today = self.app.store.today
        for r in rows:
            if r.code:
                dest = ("⚠ NEET " if send.is_neet(r.code) else "") + f"{r.code} {r.label}"
            else:
                dest = "? nothing recorded"
            table.add_row(Text(r.name), Text(f"{dates.uk(dates.from_iso(r.date_left))} Y{r.year_left_in}"),
                          Text(dest), Text(r.provider or "—"),
                          Text(r.check_words(today)), key=str(r.pupil_id))
        if rows:
            self._last_key = rows[-1].key
        if len(rows) < PAGE:
            self._exhausted = True

    def load_more(self) -> bool:
        if self._exhausted or self.cohort is None:
            return False
        rows = self.app.store.leavers_page(self.cohort, self.view, after=self._last_key, limit=PAGE)
        self._append(rows)
        self._status()
        return bool(rows)

    def _status(self) -> None:
        shown = self.query_one("#leavers-table", DataTable).row_count
        what = send.cohort_label(self.cohort or 0)
        view_words = {"all": "leavers", "unknown": "with no known destination", "neet": "NEET",
                      "checks_due": "with a check due"}[self.view]
        if self.total == 0:
            if self.view == "all":
                known = self.app.store.leaving_cohorts()
                text = (f"No leavers in the {what}." +
                        (f" Cohorts with leavers: {', '.join(map(str, known))}." if known else ""))
            else:
                text = f"✓ None {view_words} in the {what}."
        elif shown >= self.total:
            text = f"Showing all {self.total:,} {view_words if self.view == 'all' else 'leavers ' + view_words}"
        else:
            text = f"Showing {shown:,} of {self.total:,} · more load as you scroll"
        self.query_one("#leavers-status", Static).update(text)

    # ------------------------------------------------------------ keys
    @on(DataTable.RowHighlighted, "#leavers-table")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= event.data_table.row_count - 10:
            self.load_more()

    @on(DataTable.RowSelected, "#leavers-table")
    def _selected(self) -> None:
        self.action_open_destinations()

    def _current_id(self) -> int | None:
        table = self.query_one("#leavers-table", DataTable)
        if not table.row_count:
            return None
        key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(key.value)

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
