"""One guidance meeting record: written in the order an adviser writes it, saved as a draft
as they type, signed off when complete, amended (with a reason) after that.

Decisions, in one place:

* Nothing typed is lost. Every change starts a short timer (DRAFT_DELAY); when it fires, the
  form's values are written to the drafts table under 'record:ID' (store.save_draft). The
  timer is not restarted by further typing, so during a long burst a draft is still written
  every DRAFT_DELAY seconds. The write (about 1 ms; one small transaction) runs on the UI
  thread on purpose: a worker thread would race Ctrl+S, which saves the record and discards
  the draft, and could bring back a stale draft after it.
* A draft equal to what is saved is not kept. Opening a record whose draft differs from the
  saved text restores the draft into the fields and says so; Ctrl+S saves and discards it;
  Escape keeps it (and says so). Nothing here throws typing away.
* Sign-off saves any unsaved typing first, asks the store whether the record can be signed off
  (the store's own sentence is shown if not), and only then asks for confirmation.
* A signed-off record is read only. Each amended field shows the text in effect, and below
  it the original and every amendment with its reason, who and when.
* User-typed text is shown through rich.text.Text (never as markup): '[b]' stays '[b]'.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, time, timedelta
from typing import Any, Mapping

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, TextArea
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions, navigation
from gatsby_tui.domain import dates
from gatsby_tui.domain import when as when_rules
from gatsby_tui.store import StoreError
from gatsby_tui.domain.record_fields import (AMENDABLE, CONFIDENTIALITY, DATE_FIELDS, FIELD_WORDS, FIELDS, LABELS,
                                             ON_PUPILS_COPY, REQUIRED_FOR_SIGN_OFF)
from gatsby_tui.domain.record_fields import IN_ORDER as FIELDS_IN_ORDER
from gatsby_tui.domain.record_fields import MULTI_LINE as LONG
from gatsby_tui.domain.record_fields import ONE_LINE as SHORT
from gatsby_tui.domain.codes import ACTION_STATUS_IN_RECORD as ACTION_STATUS_WORDS
from gatsby_tui.domain.codes import MODE_WORDS
from gatsby_tui.domain.owners import OWNER_WORDS
from gatsby_tui.store.records import RecordInvalid
from gatsby_tui.widgets.plain import Checkbox, DataTable, Input, Label, Static
from gatsby_tui.widgets.record_form import PLACEHOLDERS, normalised, record_values
from gatsby_tui.widgets.tickbox import TickBox

DRAFT_DELAY = 0.4  # seconds between a change and its draft being written
CONFIDENTIAL_TITLE = "CONFIDENTIAL — not shared with the pupil"


ON_COPY = " · on the pupil's copy"
INTERNAL = " · internal"


def _label(key: str) -> str:
    """The field's name, whether sign-off needs it, and whether it goes on the pupil's copy (the
    action plan) or stays in the school's record."""
    needed = " (needed to sign off)" if key in REQUIRED_FOR_SIGN_OFF else ""
    where = "" if key == "confidential_notes" else (ON_COPY if key in ON_PUPILS_COPY else INTERNAL)
    return LABELS[key] + needed + where


def _moment_words(stamp: str | None, today) -> str:
    """'10:42', or '10:42 on 21 November 2026' when not today."""
    if not stamp:
        return "earlier"
    day = dates.from_iso(stamp)
    clock = stamp[11:16]
    return clock if day == today else f"{clock} on {dates.long_uk(day)}"


class RecordScreen(Screen[None]):
    SCOPE = "record"
    BINDINGS = actions.bindings("record")
    HELP = (
        "A guidance meeting record, in the order you write it. Long fields take as much text as you need. "
        "Everything you type is kept as a draft within half a second, so nothing is lost if the laptop "
        "closes or the app stops; Ctrl+S saves the record. Ctrl+T inserts a snippet where your cursor is. "
        "Ctrl+N adds an action; Ctrl+G marks the highlighted action done or reopens it. Type the follow-up "
        "date, then Ctrl+B books the follow-up meeting. Ctrl+O signs off a complete record (yours only): "
        "it is then locked, and Ctrl+R amends a field with a reason, keeping the earlier text visible. "
        "Each field says whether it goes on the pupil's copy (the action plan they are given) or stays "
        "internal, in the school's record. Confidential notes are never shared with the pupil."
    )

    def __init__(self, record_id: int) -> None:
        super().__init__()
        self.record_id = record_id
        self.draft_key = f"record:{record_id}"
        self.rec: dict[str, Any] | None = None
        self._baseline: dict[str, Any] = {}          # the values as saved (what a draft is compared with)
        self._last_draft: dict[str, Any] | None = None  # normalised values last written as a draft
        self._draft_timer: Timer | None = None
        self._last_text = "advice_given"             # where a snippet goes
        self._last_field: str | None = None          # what Ctrl+R offers to amend first
        self._labels: dict[str, str] = {}
        self._snapshot: dict[str, Any] = {}          # the latest values, kept for on_unmount

    # ------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="record-body"):
            yield Static(id="record-title")
            yield Static(id="record-details")
            yield Static(id="record-banner")
            yield from self._long_field("reason")
            with Vertical(classes="record-field", id=f"box-{CONFIDENTIALITY}"):
                yield TickBox(_label(CONFIDENTIALITY), id=CONFIDENTIALITY)
                yield Static("", id=f"err-{CONFIDENTIALITY}", classes="field-error")
            for key in ("situation", "aspirations", "advice_given", "decisions"):
                yield from self._long_field(key)
            with Vertical(classes="record-field", id="box-actions"):
                yield Label("Actions" + ON_COPY, classes="record-label")
                yield DataTable(id="record-actions", cursor_type="row", zebra_stripes=True)
                yield Static("", id="actions-note", classes="record-note")
            yield from self._short_field("intended_destination", note=True)
            yield from self._long_field("referrals")
            yield from self._short_field("follow_up_date", note=True)
            yield from self._short_field("copy_given_on", note=True)
            yield from self._short_field("copy_given_how")
            box = Vertical(classes="record-field confidential", id="box-confidential_notes")
            box.border_title = CONFIDENTIAL_TITLE
            with box:
                yield Static("⚠ Not shared with the pupil. For what you must not share: safeguarding pointers, "
                             "information about other people. Left out of anything given to the pupil unless you "
                             "deliberately include it.", classes="record-note confidential-label")
                yield from self._long_field("confidential_notes", box=False)
        yield Static(id="record-status")
        yield Footer()

    def _long_field(self, key: str, box: bool = True) -> ComposeResult:
        parts = [
            Label(_label(key), id=f"label-{key}", classes="record-label"),
            TextArea(id=key, soft_wrap=True, tab_behavior="focus", placeholder=PLACEHOLDERS.get(key, "")),
            Static("", id=f"err-{key}", classes="field-error"),
            Static("", id=f"hist-{key}", classes="amendments"),
        ]
        if box:
            yield Vertical(*parts, classes="record-field", id=f"box-{key}")
        else:
            yield from parts

    def _short_field(self, key: str, note: bool = False) -> ComposeResult:
        parts = [Label(_label(key), id=f"label-{key}", classes="record-label"),
                 Input(id=key, placeholder=PLACEHOLDERS.get(key, ""), compact=True)]
        if note:
            parts.append(Static("", id=f"note-{key}", classes="record-note"))
        parts += [Static("", id=f"err-{key}", classes="field-error"),
                  Static("", id=f"hist-{key}", classes="amendments")]
        yield Vertical(*parts, classes="record-field", id=f"box-{key}")

    def on_mount(self) -> None:
        self.sub_title = "Meeting record"
        self._labels = {r["code"]: r["label"] for r in self.app.store.records.nccis_codes()}
        table = self.query_one("#record-actions", DataTable)
        table.add_column("What", key="what", width=54)
        table.add_column("Owner", key="owner", width=13)
        table.add_column("Due", key="due", width=11)
        table.add_column("Status", key="status", width=18)
        for widget in self.query(".field-error, .amendments"):
            widget.display = False
        if not self.load(restore=True):
            return
        if self.rec["status"] == "draft":
            reason = self.query_one("#reason", TextArea)
            reason.focus()
            reason.move_cursor(reason.document.end)   # the booking's reason is there: typing adds to it
        else:
            self.query_one("#record-body").focus()

    # ------------------------------------------------------------ loading and showing
    def load(self, *, restore: bool) -> bool:
        store = self.app.store
        rec = store.records.get(self.record_id)
        if rec is None:
            self.app.notify("That meeting record no longer exists.", severity="error")
            self.dismiss(None)
            return False
        self.rec = rec
        saved = record_values(rec)
        self._baseline = saved
        self._last_draft = None
        values = saved
        restored = None
        if rec["status"] == "draft" and restore:
            draft = store.records.load_draft(self.draft_key)
            if draft:
                merged = {**saved, **{k: draft[k] for k in FIELDS if k in draft}}
                if normalised(merged) != normalised(saved):
                    values = merged
                    self._last_draft = normalised(merged)
                    restored = (f"Restored your unsaved typing from "
                                f"{_moment_words(store.records.draft_saved_at(self.draft_key), store.today)}. "
                                "Ctrl+S saves it into the record.")
                else:
                    store.records.discard_draft(self.draft_key)
        self._fill(values)
        self._show_header()
        self._show_amendments()
        self._show_actions()
        self._lock(rec["status"] != "draft")
        banner = self.query_one("#record-banner", Static)
        banner.set_class(False, "problem")
        if restored:
            self.app.notify(restored, title="Draft restored", timeout=10)
            banner.update(Text("↺ " + restored))
        elif rec["status"] == "signed_off":
            banner.update(Text("✓ Signed off, so locked: Ctrl+R amends a field, with a reason. "
                               "The earlier text stays visible below each amended field."))
        else:
            banner.update("")
        banner.display = bool(restored) or rec["status"] == "signed_off"
        self._show_state()
        self.refresh_bindings()
        return True

    def _fill(self, values: Mapping[str, Any]) -> None:
        self._snapshot = dict(values)
        for key in LONG:
            self.query_one(f"#{key}", TextArea).load_text(str(values.get(key) or ""))
        for key in SHORT:
            self.query_one(f"#{key}", Input).value = str(values.get(key) or "")
        self.query_one(f"#{CONFIDENTIALITY}", TickBox).value = bool(values.get(CONFIDENTIALITY))
        self._understand_destination()
        for key in DATE_FIELDS:
            self._understand_date(key)

    def _show_header(self) -> None:
        rec = self.rec
        store = self.app.store
        title = Text(f"Meeting record: {rec['pupil_name']}", style="bold")
        title.append(f" · Year {rec['year_group']}")
        self.query_one("#record-title", Static).update(title)
        held = datetime.fromisoformat(rec["held_at"])
        details = Text()
        details.append("Held: ", style="bold")
        details.append(f"{held:%A} {dates.long_uk(held.date())} at {held:%H:%M}, "
                       f"{MODE_WORDS.get(rec['mode'], rec['mode'])}")
        details.append(" · booked meeting" if rec["interview_id"] else " · unplanned conversation")
        details.append("\nAdviser: ", style="bold")
        details.append(rec["adviser_name"])
        adviser = store.advisers.get(rec["adviser_id"])
        qualification = []
        named = rec.get("adviser_qualification") or ""
        if adviser is not None and adviser["qualification_level"]:
            level = f"Level {adviser['qualification_level']}"
            if level.lower() not in named.lower():  # 'Level 6 Diploma …' already says it
                qualification.append(level)
        if named:
            qualification.append(named)
        details.append(", " + " — ".join(qualification) if qualification else ", qualification not recorded")
        details.append("\nStatus: ", style="bold")
        details.append(self._status_words())
        self.query_one("#record-details", Static).update(details)

    def _status_words(self) -> str:
        rec = self.rec
        if rec["status"] != "signed_off":
            return "Draft"
        on = dates.long_uk(dates.from_iso(rec["signed_off_at"]))
        return f"✓ Signed off on {on} by {rec['signed_off_by_name']}"

    def _shown(self, key: str, value: Any) -> str:
        """A stored value as a person reads it."""
        if value is None or value == "":
            return "(blank)"
        if key in DATE_FIELDS:
            return dates.uk(dates.from_iso(value))
        if key == "intended_destination":
            return f"{value} {self._labels.get(value, '')}".strip()
        return str(value)

    def _show_amendments(self) -> None:
        amendments = self.rec["amendments"]
        for key in AMENDABLE:
            mine = [a for a in amendments if a["field"] == key]
            hist = self.query_one(f"#hist-{key}", Static)
            label = self.query_one(f"#label-{key}", Label)
            if not mine:
                hist.display = False
                label.update(_label(key))
                continue
            label.update(f"{_label(key)} — amended {len(mine)} time{'' if len(mine) == 1 else 's'} "
                         "(the text in effect is shown; earlier text below)")
            text = Text()
            text.append("Original text, as signed off:\n", style="bold")
            text.append(self._shown(key, mine[0]["original_text"]) + "\n")
            for n, a in enumerate(mine, 1):
                at = datetime.fromisoformat(a["amended_at"])
                text.append(f"\nAmendment {n}, {dates.long_uk(at.date())} {at:%H:%M}, by {a['adviser_name']}. "
                            "Reason: ", style="bold")
                text.append(a["reason"] + "\n")
                text.append(self._shown(key, a["amended_text"]) + "\n")
            hist.update(text)
            hist.display = True

    def _show_actions(self, select: int | None = None) -> None:
        table = self.query_one("#record-actions", DataTable)
        old = table.cursor_row
        table.clear()
        today = self.app.store.today.isoformat()
        for a in self.rec["actions"]:
            status = ACTION_STATUS_WORDS.get(a["status"], a["status"])
            if a["status"] == "open" and a["due_date"] and a["due_date"] < today:
                status = "⚠ open, overdue"
            due = dates.uk(dates.from_iso(a["due_date"])) if a["due_date"] else "—"
            table.add_row(Text(a["description"]), Text(OWNER_WORDS.get(a["owner"], a["owner"])), Text(due),
                          Text(status), key=str(a["id"]))
        count = len(self.rec["actions"])
        note = ("No actions yet: Ctrl+N adds one." if not count else
                "Ctrl+N adds an action · Ctrl+G marks the highlighted one done, or reopens it.")
        self.query_one("#actions-note", Static).update(note)
        table.display = bool(count)
        if count:
            keys = [str(a["id"]) for a in self.rec["actions"]]
            row = keys.index(str(select)) if select is not None and str(select) in keys else min(max(old, 0), count - 1)
            table.move_cursor(row=row)

    def _lock(self, locked: bool) -> None:
        for key in LONG:
            self.query_one(f"#{key}", TextArea).read_only = locked
        for key in SHORT:
            self.query_one(f"#{key}", Input).disabled = locked
        self.query_one(f"#{CONFIDENTIALITY}", TickBox).disabled = locked

    def _show_state(self, typing: bool = False) -> None:
        status = self.query_one("#record-status", Static)
        if self.rec is None:
            return
        if self.rec["status"] == "signed_off":
            status.update(Text(f"{self._status_words()} · read only · Ctrl+R amends"))
            return
        if typing:
            status.update(Text("● Draft · unsaved typing (kept as a draft as you type) · Ctrl+S saves"))
            return
        if self._last_draft is not None:
            at = _moment_words(self.app.store.records.draft_saved_at(self.draft_key), self.app.store.today)
            status.update(Text(f"● Draft · unsaved typing, kept as a draft at {at} · Ctrl+S saves"))
        else:
            status.update(Text("Draft · everything is saved · Ctrl+O signs off when complete"))

    # ------------------------------------------------------------ what was typed
    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: self.query_one(f"#{key}", TextArea).text for key in LONG}
        for key in SHORT:
            out[key] = self.query_one(f"#{key}", Input).value
        out[CONFIDENTIALITY] = self.query_one(f"#{CONFIDENTIALITY}", TickBox).value
        return {key: out[key] for key in FIELDS}

    def dirty(self) -> bool:
        return (self.rec is not None and self.rec["status"] == "draft"
                and normalised(self.values()) != normalised(self._baseline))

    @on(TextArea.Changed)
    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _edited(self, event: TextArea.Changed | Input.Changed | Checkbox.Changed) -> None:
        key = event.control.id if event.control is not None else None
        if key not in FIELDS:
            return
        self._snapshot[key] = event.text_area.text if isinstance(event, TextArea.Changed) else event.value
        if key == "intended_destination":
            self._understand_destination()
        elif key in DATE_FIELDS:
            self._understand_date(key)
        if self.rec is None or self.rec["status"] != "draft":
            return
        if self._draft_timer is None:
            self._draft_timer = self.set_timer(DRAFT_DELAY, self._flush_draft)
            self._show_state(typing=True)

    def _cancel_timer(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None

    def keep_draft(self) -> bool:
        """Write the typing as a draft now (the app does this when something unforeseen went
        wrong); True when a draft is kept."""
        self._flush_draft()
        return self._last_draft is not None

    def _flush_draft(self, values: dict[str, Any] | None = None) -> None:
        """Keep the typing as a draft now (or drop the draft if the typing equals what is saved).
        ``values``: given when the widgets are already gone (the app is closing)."""
        self._cancel_timer()
        if self.rec is None or self.rec["status"] != "draft":
            return
        store = self.app.store
        closing = values is not None
        values = values if closing else self.values()
        now = normalised(values)
        try:
            if now == normalised(self._baseline):
                if self._last_draft is not None:
                    store.records.discard_draft(self.draft_key)
                    self._last_draft = None
            elif now != self._last_draft:
                store.records.save_draft(self.draft_key, values)
                self._last_draft = now
        except (StoreError, sqlite3.Error) as e:
            if not closing:
                self.app.notify(f"Could not keep a draft just now ({e}). Your typing is still here: "
                                "Ctrl+S saves it.", severity="warning", title="Draft not kept")
            return
        if not closing:
            self._show_state()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        key = getattr(event.widget, "id", None)
        if key in FIELDS:
            self._last_field = key
            if key in LONG:
                self._last_text = key

    def on_unmount(self) -> None:
        # The app is closing (Ctrl+Q) with a draft timer still running: keep the last keystrokes.
        # The widgets are gone by now, so the values come from the snapshot kept as they changed.
        if self._draft_timer is not None and set(self._snapshot) >= set(FIELDS):
            self._flush_draft({k: self._snapshot[k] for k in FIELDS})

    def _clear_error(self, key: str) -> None:
        """The live note under a field takes over from an error shown at the last Ctrl+S."""
        self.query_one(f"#err-{key}", Static).display = False
        self.query_one(f"#{key}").set_class(False, "invalid")
        self.query_one(f"#note-{key}", Static).display = True

    def _understand_destination(self) -> None:
        self._clear_error("intended_destination")
        note = self.query_one("#note-intended_destination", Static)
        text = self.query_one("#intended_destination", Input).value.strip()
        note.set_class(False, "problem")
        if not text:
            note.update("Type part of the destination's name or its NCCIS code, e.g. 'apprent' or 310.")
            return
        try:
            code = self.app.store.records.parse_destination(text)
        except StoreError as e:
            note.update(Text("✗ " + str(e)))
            note.set_class(True, "problem")
            return
        note.update(Text(f"✓ understood: {code} {self._labels.get(code, '')}".rstrip()))

    def _understand_date(self, key: str) -> None:
        self._clear_error(key)
        note = self.query_one(f"#note-{key}", Static)
        text = self.query_one(f"#{key}", Input).value.strip()
        note.set_class(False, "problem")
        extra = " · Ctrl+B books the follow-up meeting" if key == "follow_up_date" else ""
        if not text:
            note.update("Day/month, e.g. 15/1 (or 15/01/2027)." + extra)
            return
        try:
            day = when_rules.parse_day(text, today=self.app.store.today, what=FIELD_WORDS[key])
        except when_rules.WhenError as e:
            note.update(Text("✗ " + str(e)))
            note.set_class(True, "problem")
            return
        note.update(Text(f"✓ {day:%A} {dates.long_uk(day)}{extra}"))

    def _show_errors(self, errors: Mapping[str, str]) -> None:
        for key in FIELDS:
            label = self.query_one(f"#err-{key}", Static)
            label.update(Text("✗ " + errors[key]) if key in errors else "")
            label.display = key in errors
            self.query_one(f"#{key}").set_class(key in errors, "invalid")
            if key in SHORT and key != "copy_given_how":  # the live note would say the same again
                self.query_one(f"#note-{key}", Static).display = key not in errors
        first = next((k for k in FIELDS_IN_ORDER if k in errors), None)
        if first is not None:
            widget = self.query_one(f"#{first}")
            if widget.focusable:
                widget.focus()
            widget.scroll_visible()

    # ------------------------------------------------------------ keys
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        status = self.rec["status"] if self.rec is not None else None
        if action in ("save", "sign_off", "snippets"):
            return status == "draft"
        if action == "amend":
            return status == "signed_off"
        return True

    def action_save(self) -> bool:
        """Save the typing into the record; True when saved."""
        if self.rec is None or self.rec["status"] != "draft":
            return False
        self._cancel_timer()
        store = self.app.store
        values = self.values()
        try:
            changed = store.records.save(self.record_id, values)
        except RecordInvalid as e:
            self._show_errors(e.errors)
            n = len(e.errors)
            self.app.notify(f"Not saved: {n} field{'' if n == 1 else 's'} need{'s' if n == 1 else ''} "
                            "attention (see beside each). Your typing is kept as a draft.",
                            severity="error", title="Not saved")
            self._flush_draft()
            return False
        except StoreError as e:
            self.app.notify(str(e), severity="error", title="Not saved")
            return False
        try:
            store.records.discard_draft(self.draft_key)
        except StoreError:
            pass
        self._last_draft = None
        self._baseline = values
        self._show_errors({})
        self.rec = store.records.get(self.record_id) or self.rec
        self.query_one("#record-banner", Static).display = False
        self._show_state()
        self.app.notify("Saved." if changed else "Saved: nothing had changed.")
        return True

    def action_close(self) -> None:
        kept = self.dirty()
        self._flush_draft()
        if not kept and self.app.store.records.discard_if_untouched(self.record_id):
            self.app.notify("Nothing was written, so no record was kept.", timeout=4)
        elif kept:
            self.app.notify("Not saved yet, but nothing is lost: your typing is kept as a draft and comes back "
                            "when you open this record again.", title="Kept as a draft", timeout=8)
        self.dismiss(None)

    # ------------------------------------------------------------ sign-off and amendments
    def action_sign_off(self) -> None:
        if self.rec is None or self.rec["status"] != "draft":
            return
        if self.dirty() and not self.action_save():
            return
        problem = self.app.store.records.sign_off_problem(self.record_id)
        if problem:
            banner = self.query_one("#record-banner", Static)
            banner.update(Text("✗ Not signed off. " + problem))
            banner.set_class(True, "problem")
            banner.display = True
            banner.scroll_visible()
            self.app.notify(problem, severity="error", title="Not signed off")
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.app.store.records.sign_off(self.record_id)
            except StoreError as e:
                self.app.notify(str(e), severity="error", title="Not signed off")
                return
            self.load(restore=False)
            self.app.notify("Signed off: the record is now locked. Ctrl+R amends it, with a reason.")

        navigation.confirm_sign_off(self.app, self.rec["pupil_name"], callback=confirmed)

    def action_action_plan(self) -> None:
        if self.rec is None:
            return
        if self.rec["status"] != "signed_off":
            self.app.notify("Sign the record off first (Ctrl+O): the action plan is made from a finished record.",
                            title="No action plan yet", timeout=6)
            return
        navigation.open_export(self.app, self.rec["pupil_id"], record_id=self.record_id)

    def action_amend(self) -> None:
        if self.rec is None or self.rec["status"] != "signed_off":
            return
        first = self._last_field if self._last_field in AMENDABLE else "decisions"

        def amended(amendment_id: int | None) -> None:
            if amendment_id is not None:
                self.load(restore=False)

        navigation.amend_record(self.app, self.record_id, first, callback=amended)

    # ------------------------------------------------------------ snippets
    def action_snippets(self) -> None:
        if self.rec is None or self.rec["status"] != "draft":
            return
        target = self._last_text

        def chosen(body: str | None) -> None:
            if not body:
                return
            area = self.query_one(f"#{target}", TextArea)
            result = area.insert(body)
            area.move_cursor(result.end_location)
            area.focus()
            self.app.notify(f"Inserted into '{LABELS[target].lower()}'.")

        navigation.pick_snippet(self.app, callback=chosen)

    # ------------------------------------------------------------ actions
    def _reload_actions(self, select: int | None = None) -> None:
        self.rec = self.app.store.records.get(self.record_id) or self.rec
        self._show_actions(select)

    def action_add_action(self) -> None:
        if self.rec is None:
            return

        def added(action_id: int | None) -> None:
            if action_id is not None:
                self._reload_actions(select=action_id)

        navigation.add_record_action(self.app, self.rec["pupil_id"], self.record_id, callback=added)

    def action_toggle_action(self) -> None:
        if self.rec is None:
            return
        table = self.query_one("#record-actions", DataTable)
        if not table.row_count:
            self.app.notify("This record has no actions yet: Ctrl+N adds one.", severity="warning")
            return
        if not table.has_focus:
            table.focus()
            table.scroll_visible()
            self.app.notify("Choose the action with ↑ and ↓, then press Ctrl+G again.")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        action = next(a for a in self.rec["actions"] if str(a["id"]) == key)
        new = "done" if action["status"] == "open" else "open"
        try:
            self.app.store.actions.set_status(action["id"], new, original=action)
        except StoreError as e:
            self.app.notify(str(e), severity="error", title="Not done")
            return
        self._reload_actions(select=action["id"])
        self.app.notify(("Marked done: " if new == "done" else "Reopened: ") + action["description"][:60])

    # ------------------------------------------------------------ follow-up booking
    def action_book_follow_up(self) -> None:
        if self.rec is None:
            return
        box = self.query_one("#follow_up_date", Input)
        text = box.value.strip()
        if not text:
            self.app.notify("Type the follow-up date first (day/month/year), then Ctrl+B books the meeting.",
                            severity="warning")
            if not box.disabled:
                box.focus()
            return
        try:
            day = when_rules.parse_day(text, today=self.app.store.today, what="follow-up date")
        except when_rules.WhenError as e:
            self.app.notify(str(e), severity="error", title="Not booked")
            return
        held = datetime.fromisoformat(self.rec["held_at"])
        reason = f"Follow-up to the meeting of {held:%d/%m/%Y}"
        pupil_id = self.rec["pupil_id"]

        def booked(interview_id: int | None) -> None:
            if interview_id is not None:
                self.app.notify("Follow-up meeting booked: it is in your agenda.")

        navigation.book(self.app, pupil_id, start=self._follow_up_start(day), follow_up_reason=reason,
                        callback=booked)

    def _follow_up_start(self, day) -> datetime:
        """The adviser's first free clinic slot on or after the follow-up date (within a fortnight),
        else 09:00 that day; the booking form shows what was understood before anything is saved."""
        store = self.app.store
        after = max(datetime.combine(day, time.min), store.clock.now())
        try:
            slots = store.bookings.next_free_slots(store.adviser_id, after=after, count=1)
        except StoreError:
            slots = []
        if slots and slots[0].start.date() - day <= timedelta(days=14):
            return slots[0].start
        return datetime.combine(day, time(9, 0))
