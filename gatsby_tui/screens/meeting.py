"""One booked meeting: move it, cancel it, mark it held or missed, open the pupil."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions, navigation
from gatsby_tui.widgets.fields import field
from gatsby_tui.domain import dates
from gatsby_tui.domain.codes import MEETING_KIND_SHORT as KIND_WORDS
from gatsby_tui.domain.codes import MEETING_STATUS_MARKED as STATUS_WORDS
from gatsby_tui.domain.codes import MODE_WORDS as MODE_LABELS
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.plain import Input, Static

ALLOWED = {
    "booked": {"move", "held", "did_not_attend", "cancel_meeting", "record"},
    "held": {"record"},
    "cancelled": {"reinstate"},
    "did_not_attend": {"reinstate"},
}


class MeetingScreen(ModalScreen[None]):
    SCOPE = "meeting"
    BINDINGS = actions.bindings("meeting")
    HELP = ("One meeting. m moves it (the history keeps where it was), c cancels it with a reason, "
            "h marks it held, d marks that the pupil did not attend, r puts a cancelled or missed "
            "meeting back, w opens the meeting's record (or starts it), o opens the pupil.")

    def __init__(self, interview_id: int) -> None:
        super().__init__()
        self.interview_id = interview_id

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="small-dialog"):
            yield Static("", id="meeting-title", classes="dialog-title")
            yield Static("", id="meeting-details")
            yield field("Reason", Input(placeholder="why it is cancelled, then Enter", id="cancel-reason",
                                        compact=True, disabled=True), id="cancel-row")
            yield Static("", id="meeting-hint", classes="dialog-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cancel-row").display = False
        self.refresh_meeting()

    def refresh_meeting(self) -> None:
        row = self.app.store.bookings.get(self.interview_id)
        if row is None:
            self.app.notify("That meeting no longer exists.", severity="error")
            self.dismiss(None)
            return
        self.row = row
        start = datetime.fromisoformat(row["starts_at"])
        end = datetime.fromisoformat(row["ends_at"])
        self.query_one("#meeting-title", Static).update(Text(
            f"{KIND_WORDS.get(row['kind'], row['kind'])} with {row['pupil_name']}"))
        details = Text()
        details.append("When: ", style="bold")
        details.append(f"{start:%A} {dates.long_uk(start.date())}, {start:%H:%M}–{end:%H:%M}\n")
        details.append("Where: ", style="bold")
        details.append(f"{row['place'] or '—'} ({MODE_LABELS.get(row['mode'], row['mode'])})\n")
        details.append("Adviser: ", style="bold")
        details.append(f"{row['adviser_name']}\n")
        details.append("Status: ", style="bold")
        details.append(STATUS_WORDS.get(row["status"], row["status"]))
        if row["status_note"]:
            details.append(f" — {row['status_note']}")
        details.append("\nRecord: ", style="bold")
        details.append(self._record_words(row))
        self.query_one("#meeting-details", Static).update(details)
        allowed = ALLOWED.get(row["status"], set())
        keys = [f"{self.app.key_label(a)} {a.title}" for a in actions.in_scope("meeting")
                if a.action in allowed or a.action in ("open_pupil", "close")]
        self.query_one("#meeting-hint", Static).update(" · ".join(keys))
        self.refresh_bindings()

    def _record_words(self, row) -> str:
        record = self.app.store.records.for_interview(self.interview_id)
        can_open = "record" in ALLOWED.get(row["status"], set())
        if record is None:
            return "none yet (W starts it)" if can_open else "none"
        hint = " (W opens it)" if can_open else " (open it from the pupil's history)"
        if record["status"] == "signed_off":
            on = dates.long_uk(dates.from_iso(record["signed_off_at"]))
            return f"✓ signed off on {on} by {record['signed_off_by_name']}{hint}"
        if record["has_draft"]:
            return f"draft, with unsaved typing kept{hint}"
        return f"draft, not yet signed off{hint}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("move", "held", "did_not_attend", "cancel_meeting", "reinstate", "record"):
            row = getattr(self, "row", None)
            return row is not None and action in ALLOWED.get(row["status"], set())
        return True

    def _do(self, label: str, fn, *args) -> None:
        try:
            fn(self.interview_id, *args)
        except StoreError as e:
            self.app.notify(str(e), severity="error", title="Not done")
            return
        self.app.notify(label)
        self.refresh_meeting()

    def action_held(self) -> None:
        self._do("Marked as held.", self.app.store.bookings.mark_held)

    def action_did_not_attend(self) -> None:
        self._do("Marked: did not attend.", self.app.store.bookings.mark_did_not_attend)

    def action_reinstate(self) -> None:
        self._do("Back in the agenda as booked.", self.app.store.bookings.reinstate)

    def _show_reason(self, show: bool) -> None:
        self.query_one("#cancel-row").display = show
        reason = self.query_one("#cancel-reason", Input)
        reason.disabled = not show  # hidden, it must not take the keys meant for this screen
        if show:
            reason.focus()

    def action_cancel_meeting(self) -> None:
        self._show_reason(True)

    @on(Input.Submitted, "#cancel-reason")
    def _cancel_with_reason(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.app.notify("Give a reason for cancelling (e.g. pupil absent, adviser ill).", severity="error")
            return
        self._do("Meeting cancelled.", self.app.store.bookings.cancel, event.value.strip())
        self._show_reason(False)

    def action_move(self) -> None:
        navigation.move_booking(self.app, self.row["pupil_id"], self.interview_id,
                                callback=lambda _: self.refresh_meeting())

    def action_record(self) -> None:
        existing = self.app.store.records.for_interview(self.interview_id)
        try:
            record_id = (existing["id"] if existing is not None
                         else self.app.store.records.start(interview_id=self.interview_id))
        except StoreError as e:
            self.app.notify(str(e), severity="error", title="Not done")
            return
        navigation.open_record(self.app, record_id, callback=lambda _: self.refresh_meeting())

    def action_open_pupil(self) -> None:
        pupil_id = self.row["pupil_id"]
        self.dismiss(None)
        navigation.open_pupil(self.app, pupil_id)

    def action_close(self) -> None:
        if self.query_one("#cancel-row").display:
            self._show_reason(False)
            return
        self.dismiss(None)
