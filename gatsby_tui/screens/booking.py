"""Book a meeting for a pupil, or move one: type the time as people do, see what
was understood and any clash before saving, pick from the adviser's next free slots."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from gatsby_tui.widgets.footer import Footer
from textual.widgets.option_list import Option, OptionDoesNotExist

from gatsby_tui import actions
from gatsby_tui.screens.base import AsksBeforeDiscarding
from gatsby_tui.widgets.fields import field
from gatsby_tui.domain import names, when as when_rules
from gatsby_tui.domain.codes import MEETING_KIND_CHOICES as KINDS
from gatsby_tui.domain.codes import MODE_CHOICES as MODES
from gatsby_tui.store import StoreError
from gatsby_tui.store.bookings import BookingRefused, BookingRequest, NeedsConfirmation
from gatsby_tui.widgets.plain import Button, Input, Label, OptionList, Select, Static



def _minutes(interview: Any) -> int:
    start = datetime.fromisoformat(interview["starts_at"])
    end = datetime.fromisoformat(interview["ends_at"])
    return int((end - start).total_seconds() // 60)


def slot_label(start: datetime, end: datetime) -> str:
    return f"{start:%a %d %b}  {start:%H:%M}–{end:%H:%M}"


class BookingForm(AsksBeforeDiscarding, ModalScreen[int | None]):
    """Returns the interview id when booked (or moved), None when closed."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = (
        "Type when, the way you would say it: 'tue 10:30', '24/11 9:15', '24/11/2026 09:15', "
        "'tomorrow 2pm', or 'next' for your next free slot. What was understood is shown before you save. "
        "Or choose one of your next free slots on the right. A clash (you or the pupil already booked, "
        "even by a minute) is refused; outside your clinic hours, a weekend or the past needs a second "
        "Ctrl+S to confirm."
    )

    def __init__(self, pupil_id: int, *, start: datetime | None = None, interview_id: int | None = None) -> None:
        super().__init__()
        self.pupil_id = pupil_id
        self.start_hint = start
        self.interview_id = interview_id      # set: we are moving this meeting
        self._confirm_for: tuple | None = None
        self._opened: dict[str, Any] | None = None

    # ------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        store = self.app.store
        row = store.pupils.get(self.pupil_id)
        who = names.full_name(row["legal_surname"], row["legal_forename"], row["preferred_forename"])
        title = f"Move the meeting with {who}" if self.interview_id else f"Book a meeting with {who}"
        existing = store.bookings.get(self.interview_id) if self.interview_id else None
        self._opened = dict(existing) if existing else None   # the meeting as it was when the form opened
        with Vertical(id="dialog", classes="form-dialog booking-dialog"):
            yield Static(Text(title), classes="dialog-title")
            with Horizontal(id="booking-body"):
                with Vertical(id="booking-fields"):
                    yield field("When", Input(placeholder="tue 10:30 · 24/11 9:15 · tomorrow 2pm · next",
                                             id="when", compact=True))
                    yield Static("", id="understood", classes="field-note")
                    minutes = str(_minutes(existing)) if existing else "45"
                    yield field("Minutes", Input(value=minutes, id="minutes", compact=True))
                    if not self.interview_id:
                        yield field("How", Select(MODES, value="in_person", allow_blank=False, id="mode",
                                                        compact=True))
                        yield field("Place", Input(placeholder="e.g. Careers office (blank: the clinic's room)",
                                                          id="place", compact=True))
                        yield field("Kind", Select(KINDS, value="guidance", allow_blank=False, id="kind",
                                                         compact=True))
                        yield field("Reason", Input(placeholder="options, post-16 choices, referral …",
                                                           id="reason", compact=True))
                    yield Static("", id="booking-problems", classes="field-error")
                with Vertical(id="free-slots-box"):
                    yield Label("Your next free slots")
                    yield OptionList(id="free-slots")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Book (Ctrl+S)" if not self.interview_id else "Move (Ctrl+S)", id="save",
                             variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#booking-problems", Static).display = False
        if self.start_hint is not None:
            self.query_one("#when", Input).value = self.start_hint.strftime("%d/%m/%Y %H:%M")
        self._load_free_slots()
        self.query_one("#when", Input).focus()

    def _adviser_id(self) -> int | None:
        return self.app.store.adviser_id

    def _load_free_slots(self) -> None:
        store = self.app.store
        options = self.query_one("#free-slots", OptionList)
        options.clear_options()
        if store.adviser_id is None:
            options.add_option(Option("Choose who you are first (F4).", disabled=True))
            return
        slots = store.bookings.next_free_slots(store.adviser_id, count=8)
        if not slots:
            options.add_option(Option("No free clinic slots in the next 8 weeks: add clinic hours on the agenda (c).",
                                      disabled=True))
        for slot in slots:
            options.add_option(Option(slot_label(slot.start, slot.end), id=slot.start.isoformat(timespec="minutes")))
        if slots:
            options.highlighted = 0           # a row is always highlighted: Tab there, then Enter takes it

    def _highlight_slot(self, start: datetime) -> None:
        """Highlight the free slot at ``start`` when it is one of those listed."""
        options = self.query_one("#free-slots", OptionList)
        try:
            options.highlighted = options.get_option_index(start.isoformat(timespec="minutes"))
        except OptionDoesNotExist:            # not listed: the highlight stays where it was
            pass

    @on(OptionList.OptionSelected, "#free-slots")
    def _slot_chosen(self, event: OptionList.OptionSelected) -> None:
        start = datetime.fromisoformat(event.option.id)
        self.query_one("#when", Input).value = start.strftime("%d/%m/%Y %H:%M")
        self.query_one("#save", Button).focus()

    # ------------------------------------------------------------ understanding what was typed
    def _resolve(self) -> tuple[datetime, int]:
        """The start and length typed, or raise WhenError/StoreError with a sentence."""
        store = self.app.store
        minutes = when_rules.parse_duration(self.query_one("#minutes", Input).value or "45")
        when = when_rules.parse_when(self.query_one("#when", Input).value, now=store.clock.now())
        if when.next_free:
            if store.adviser_id is None:
                raise StoreError("Choose who you are first (F4): 'next' means your next free slot.")
            slots = store.bookings.next_free_slots(store.adviser_id, count=1, minutes=minutes)
            if not slots:
                raise StoreError("You have no free clinic slot in the next 8 weeks: type a time instead.")
            return slots[0].start, minutes
        return when.start, minutes

    def _request(self, start: datetime, minutes: int) -> BookingRequest:
        store = self.app.store
        if self.interview_id:
            existing = store.bookings.get(self.interview_id)
            return BookingRequest(pupil_id=self.pupil_id, adviser_id=existing["adviser_id"], start=start,
                                  minutes=minutes, mode=existing["mode"], place=existing["place"],
                                  kind=existing["kind"], reason=existing["reason"])
        place = self.query_one("#place", Input).value.strip() or None
        reason = self.query_one("#reason", Input).value.strip() or None
        return BookingRequest(pupil_id=self.pupil_id, adviser_id=store.adviser_id, start=start, minutes=minutes,
                              mode=self.query_one("#mode", Select).value, place=place,
                              kind=self.query_one("#kind", Select).value, reason=reason)

    @on(Input.Changed, "#when, #minutes")
    def _preview(self) -> None:
        """Show what was understood, and any clash or warning, as the time is typed."""
        self._confirm_for = None
        note = self.query_one("#understood", Static)
        if not self.query_one("#when", Input).value.strip():
            note.update("")
            self._show_problems([], [])
            return
        try:
            start, minutes = self._resolve()
        except (when_rules.WhenError, StoreError) as e:
            note.update(Text("✗ " + str(e)))
            self._show_problems([], [])
            return
        end = start + timedelta(minutes=minutes)
        note.update(Text(f"✓ {start:%A %d %B %Y}, {start:%H:%M}–{end:%H:%M}"))
        self._highlight_slot(start)
        if self.app.store.adviser_id is None:
            return
        check = self.app.store.bookings.check(self._request(start, minutes), ignore_interview_id=self.interview_id)
        self._show_problems(check.clashes, check.warnings)

    def _show_problems(self, clashes: list[str], warnings: list[str]) -> None:
        box = self.query_one("#booking-problems", Static)
        lines = [f"✗ {c}" for c in clashes] + [f"⚠ {w}" for w in warnings]
        box.update(Text("\n".join(lines)))
        box.display = bool(lines)
        box.set_class(not clashes and bool(warnings), "warning-only")

    # ------------------------------------------------------------ saving
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        store = self.app.store
        if store.adviser_id is None:
            self.app.notify("Choose who you are first (F4): bookings are made in an adviser's name.",
                            severity="error")
            return
        try:
            start, minutes = self._resolve()
            request = self._request(start, minutes)
            key = (start, minutes)
            confirm = self._confirm_for == key
            if self.interview_id:
                interview_id = store.bookings.reschedule(self.interview_id, start, minutes=minutes, confirm=confirm,
                                                original=self._opened)
                interview_id = self.interview_id
                verb = "Moved to"
            else:
                interview_id = store.bookings.book(request, confirm=confirm)
                verb = "Booked for"
        except NeedsConfirmation as e:
            self._confirm_for = key
            self._show_problems([], list(e.warnings))
            self.app.notify("Press Ctrl+S again to book anyway.", severity="warning", title="Check first")
            return
        except BookingRefused as e:
            self._show_problems(list(e.clashes) or [str(e)], [])
            self.app.notify("Not booked: see the clash.", severity="error")
            return
        except (when_rules.WhenError, StoreError) as e:
            self.query_one("#understood", Static).update(Text("✗ " + str(e)))
            self.app.notify(f"Not booked: {e}", severity="error")
            return
        self.app.notify(f"{verb} {start:%a %d %b %H:%M}.")
        self.dismiss(interview_id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.close_or_ask(lambda: self.dismiss(None))   # unsaved typing is asked about first


class FollowUpBookingForm(BookingForm):
    """The booking form, opened from a record: kind 'Follow-up', the reason filled in."""

    def __init__(self, pupil_id: int, *, start: datetime, reason: str) -> None:
        super().__init__(pupil_id, start=start)
        self.follow_up_reason = reason

    def on_mount(self) -> None:
        # BookingForm.on_mount runs too (Textual calls each class's handler).
        self.query_one("#kind", Select).value = "follow_up"
        self.query_one("#reason", Input).value = self.follow_up_reason
