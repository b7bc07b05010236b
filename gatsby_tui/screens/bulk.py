"""Bulk booking: "every Year 11 pupil without a guidance meeting this school year into
my free slots from Tuesday". Filter, order by priority, preview, adjust, commit in one go."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.domain import when as when_rules
from gatsby_tui.domain.codes import MEETING_KIND_CHOICES as KINDS
from gatsby_tui.domain.codes import MODE_CHOICES as MODES
from gatsby_tui.store import StoreError
from gatsby_tui.store.bookings import BookingRefused, BulkFilter
from gatsby_tui.domain.codes import FLAG_LABELS, SEN_LABELS
from gatsby_tui.widgets.plain import Button, DataTable, Input, Label, Select, Static
from gatsby_tui.widgets.tickbox import TickBox

PRIORITY_WORDS = {"E": "EHCP", "K": "SEN support"}


def priority_of(candidate) -> str:
    if candidate.sen in PRIORITY_WORDS:
        return PRIORITY_WORDS[candidate.sen]
    for short in ("LAC", "PP"):
        if short in candidate.flags:
            return {"LAC": "Looked after", "PP": "Pupil premium"}[short]
    return ""


class BulkBookingScreen(ModalScreen[int]):
    """Returns how many meetings were booked."""

    SCOPE = "bulk"
    BINDINGS = actions.bindings("bulk")
    HELP = (
        "Choose the pupils with the filters, say from when, then Ctrl+R for a preview: pupils are placed in "
        "your free clinic slots in priority order (EHCP, SEN support, looked after, pupil premium, then by "
        "name). Remove anyone with Delete or X. Ctrl+S books them all in one go: if anything clashes, "
        "nothing is booked and the clash is named."
    )

    def __init__(self, pupil_ids: list[int] | None = None, chosen: str = "") -> None:
        super().__init__()
        # Pupils chosen elsewhere (e.g. those missing a benchmark); the filters narrow them further.
        self.pupil_ids = tuple(pupil_ids) if pupil_ids is not None else None
        self.chosen = chosen
        self.proposals: list = []
        self.unplaced = 0
        self.booked = 0
        self.notice = 0           # hours of notice bulk booking gives
        self.skipped = 0          # free slots left out because they start within the notice

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="wide-dialog"):
            yield Static("Book many pupils at once", classes="dialog-title")
            if self.pupil_ids is not None:
                yield Static(Text(f"{len(self.pupil_ids)} pupils chosen: {self.chosen or 'from another screen'}. "
                                  "The filters below narrow them further."), id="bulk-chosen")
            with Horizontal(classes="bulk-filters"):
                yield Select([(f"Year {y}", y) for y in range(7, 14)], prompt="Any year", id="bulk-year", compact=True)
                yield Input(placeholder="form (any)", id="bulk-form", compact=True)
                yield Select([(label, code) for code, label in SEN_LABELS.items()], prompt="Any SEN",
                             id="bulk-sen", compact=True)
                yield Select([(label, key) for key, (_, label) in FLAG_LABELS.items()], prompt="Any flag",
                             id="bulk-flag", compact=True)
            with Horizontal(classes="bulk-filters"):
                yield TickBox("No guidance meeting yet this school year", id="bulk-none-this-year",
                              value=self.pupil_ids is None, compact=True)  # chosen pupils: already chosen
                yield TickBox("No meeting since Year 9", id="bulk-none-since-9", compact=True)
            with Horizontal(classes="bulk-filters"):
                yield Label("From", classes="bulk-label")
                yield Input(value="next", placeholder="tue 9:00 · 24/11 · next", id="bulk-from", compact=True)
                yield Label("Minutes", classes="bulk-label")
                yield Input(value="45", id="bulk-minutes", compact=True)
                yield Label("Notice (hours)", classes="bulk-label")
                yield Input(value=str(self.app.store.bookings.notice_hours()), id="bulk-notice", compact=True)
                yield Select(MODES, value="in_person", allow_blank=False, id="bulk-mode", compact=True)
                yield Select(KINDS, value="guidance", allow_blank=False, id="bulk-kind", compact=True)
            yield Static("Set the filters, then Ctrl+R (or Preview) to see the timetable.", id="bulk-summary")
            table: DataTable = DataTable(id="bulk-table", cursor_type="row", zebra_stripes=True)
            table.add_column("When", key="when", width=22)
            table.add_column("Pupil", key="pupil", width=34)
            table.add_column("Year", key="year", width=5)
            table.add_column("Priority", key="priority", width=14)
            yield table
            with Horizontal(classes="dialog-buttons"):
                yield Button("Preview (Ctrl+R)", id="preview")
                yield Button("Book all (Ctrl+S)", id="commit", variant="primary", disabled=True)
                yield Button("Close (Esc)", id="close")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#bulk-year", Select).focus()

    def _filter(self) -> BulkFilter:
        def sel(widget_id: str):
            value = self.query_one(widget_id, Select).value
            return None if value is Select.NULL else value

        return BulkFilter(
            year=sel("#bulk-year"), form=self.query_one("#bulk-form", Input).value.strip() or None,
            sen=sel("#bulk-sen"), flag=sel("#bulk-flag"),
            no_meeting_this_year=self.query_one("#bulk-none-this-year", TickBox).value,
            no_meeting_since_year9=self.query_one("#bulk-none-since-9", TickBox).value,
            pupil_ids=self.pupil_ids,
        )

    def _say(self, text: str) -> None:
        self.query_one("#bulk-summary", Static).update(Text(text))

    @on(Button.Pressed, "#preview")
    def action_preview(self) -> None:
        store = self.app.store
        if store.adviser_id is None:
            self._say("✗ Choose who you are first (F4): pupils are booked into your free slots.")
            return
        try:
            minutes = when_rules.parse_duration(self.query_one("#bulk-minutes", Input).value or "45")
            typed = self.query_one("#bulk-from", Input).value.strip() or "next"
            when = when_rules.parse_when(typed, now=store.clock.now()) if typed != "next" else None
            start_from = when.start if when and when.start else store.clock.now()
            self.notice = store.bookings.set_notice_hours(self.query_one("#bulk-notice", Input).value or "0")
            candidates = store.bookings.bulk_candidates(self._filter())
            self.proposals = list(store.bookings.propose_bulk(store.adviser_id, candidates, start_from, minutes=minutes))
            self.skipped = store.bookings.bulk_notice_skipped(store.adviser_id, start_from, minutes=minutes)
        except (when_rules.WhenError, StoreError) as e:
            self._say(f"✗ {e}")
            return
        self.unplaced = len(candidates) - len(self.proposals)
        self._show()

    def _show(self) -> None:
        table = self.query_one("#bulk-table", DataTable)
        table.clear()
        for i, p in enumerate(self.proposals):
            c = p.candidate
            table.add_row(Text(f"{p.slot.start:%a %d %b %H:%M}"), Text(c.name), Text(str(c.year_group)),
                          Text(priority_of(c)), key=str(i))
        text = f"{len(self.proposals)} pupils placed in your free slots"
        if self.proposals:
            first, last = self.proposals[0].slot.start, self.proposals[-1].slot.start
            text += f", {first:%a %d %b} to {last:%a %d %b}"
        if self.skipped:
            text += (f"; {self.skipped} free slot{'s' if self.skipped != 1 else ''} in the next {self.notice} hours "
                     f"{'were' if self.skipped != 1 else 'was'} skipped, so pupils get {self.notice} hours' notice "
                     "(change Notice to change that)")
        if self.unplaced:
            text += (f"; {self.unplaced} more did not fit in the next 8 weeks of clinic slots "
                     "(add clinic hours, or book again later)")
        text += ". Delete or X leaves the highlighted pupil out; Ctrl+S books them all."
        self._say(text)
        self.query_one("#commit", Button).disabled = not self.proposals
        if self.proposals:
            table.focus()

    def action_drop(self) -> None:
        table = self.query_one("#bulk-table", DataTable)
        if not table.row_count:
            return
        row = table.cursor_row
        del self.proposals[row]
        self._show()
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    @on(Button.Pressed, "#commit")
    def action_commit(self) -> None:
        if not self.proposals or self.query_one("#commit", Button).disabled:
            return
        store = self.app.store
        try:
            ids = store.bookings.commit_bulk(self.proposals, mode=self.query_one("#bulk-mode", Select).value,
                                    kind=self.query_one("#bulk-kind", Select).value)
        except BookingRefused as e:
            self._say(f"✗ Nothing was booked: {e} Press Ctrl+R for a fresh preview.")
            return
        except StoreError as e:
            self._say(f"✗ Nothing was booked: {e}")
            return
        self.booked += len(ids)
        self.proposals = []
        self.query_one("#bulk-table", DataTable).clear()
        self.query_one("#commit", Button).disabled = True
        self._say(f"✓ Booked {len(ids)} meetings. They are in your agenda.")
        self.app.notify(f"Booked {len(ids)} meetings.")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(self.booked)
