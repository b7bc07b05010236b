"""My follow-ups: every open action across pupils, overdue first; and one action with its changes.

The list pages from SQL by (due date, id) — store.actions.follow_ups(after=...) — and loads the next
page as the cursor nears the end, so it stays quick with tens of thousands of open actions.
Overdue actions carry the word "overdue" and a ⚠, never colour alone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Header
from gatsby_tui.widgets.footer import Footer
from textual.widgets.option_list import Option

from gatsby_tui import actions, navigation
from gatsby_tui.screens.base import ListKeys
from gatsby_tui.domain import dates
from gatsby_tui.domain import when as when_rules
from gatsby_tui.domain.codes import ACTION_STATUS_MARKED as STATUS_WORDS
from gatsby_tui.domain.owners import OWNER_CHOICES, OWNER_WORDS
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.paged import PagedTable
from gatsby_tui.widgets.plain import DataTable, Input, Label, OptionList, Select, Static, StatusLine

PAGE = 200


def first_line(text: str | None, limit: int = 200) -> str:
    line = next((part.strip() for part in (text or "").splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def due_text(due: date | None, today: date, status: str = "open") -> Text:
    """'⚠ overdue 12/11/2026', 'due today 22/11/2026', '30/11/2026' or 'no date'."""
    if due is None:
        return Text("no date", style="dim")
    if status == "open" and due < today:
        return Text(f"⚠ overdue {dates.uk(due)}", style="bold")
    if status == "open" and due == today:
        return Text(f"due today {dates.uk(due)}")
    return Text(dates.uk(due))


def _when(stamp: str | None) -> str:
    if not stamp:
        return "—"
    day = dates.from_iso(stamp)
    return f"{day:%d/%m/%Y} {stamp[11:16]}".strip()


# ---------------------------------------------------------------- small dialogs


class OwnerChooser(ModalScreen[str | None]):
    """Who should do the action now: returns 'pupil', 'adviser', 'school' or 'parent'."""

    SCOPE = "picker"
    BINDINGS = actions.bindings("picker")
    HELP = "Choose who the action passes to. The change is kept, with the date, in the action's history."

    def __init__(self, current: str, what: str) -> None:
        super().__init__()
        self.current = current
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="small-dialog"):
            yield Static(Text(f"Give this action to…\n{first_line(self.what, 58)}"), classes="dialog-title")
            yield OptionList(id="owners")
            yield Static("Enter chooses · Escape closes without changing anything.", classes="dialog-hint")
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one("#owners", OptionList)
        for label, key in OWNER_CHOICES:
            now = key == self.current
            options.add_option(Option(f"{label}  (has it now)" if now else label, id=key, disabled=now))
        options.highlighted = next(i for i, (_, key) in enumerate(OWNER_CHOICES) if key != self.current)
        options.focus()

    @on(OptionList.OptionSelected, "#owners")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_choose(self) -> None:
        options = self.query_one("#owners", OptionList)
        if options.highlighted is not None:
            options.action_select()

    def action_close(self) -> None:
        self.dismiss(None)


class NoteDialog(ModalScreen[str | None]):
    """Ask for a short note (e.g. why an action is cancelled). Returns the text ('' if left
    blank), or None when closed with Escape."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = "Type a short note, then Enter (or Ctrl+S). Escape closes without changing anything."

    def __init__(self, title: str, placeholder: str) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="small-dialog"):
            yield Static(Text(self.title_text), classes="dialog-title")
            yield Input(placeholder=self.placeholder, id="note", max_length=1000)
            yield Static("Enter saves · Escape closes without changing anything.", classes="dialog-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def action_save(self) -> None:
        self.dismiss(self.query_one("#note", Input).value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


def cancel_note_dialog(what: str) -> NoteDialog:
    return NoteDialog(f"Cancel this action?\n{first_line(what, 58)}",
                      "why it is cancelled (optional), then Enter")


# ---------------------------------------------------------------- one action


class ActionDialog(ModalScreen[bool]):
    """One action: what, whose, when due, its status, and every status or owner change with
    dates. Dismisses with True when something was changed."""

    SCOPE = "action"
    BINDINGS = actions.bindings("action")
    HELP = ("One action and every change to it, oldest first. d marks it done, c cancels it (with a note), "
            "o reopens a done or cancelled action, r gives it to someone else. Every change is kept with "
            "its date and who made it.")

    def __init__(self, action_id: int) -> None:
        super().__init__()
        self.action_id = action_id
        self.item: dict | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static("", id="action-title", classes="dialog-title")
            yield Static("", id="action-details")
            yield Static("Changes", classes="section-title")
            table: DataTable = DataTable(id="action-events", cursor_type="row", zebra_stripes=True)
            table.add_column("When", key="when", width=17)
            table.add_column("Change", key="change", width=30)
            table.add_column("By", key="by", width=18)
            table.add_column("Note", key="note")
            yield table
            yield Static("", id="action-hint", classes="dialog-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_action()
        self.query_one("#action-events", DataTable).focus()

    def refresh_action(self) -> None:
        store = self.app.store
        item = store.actions.detail(self.action_id)
        if item is None:
            self.app.notify("That action no longer exists.", severity="error")
            self.dismiss(self.changed)
            return
        self.item = item
        today = store.today
        due = dates.from_iso(item["due_date"])
        owner = OWNER_WORDS.get(item["owner"], item["owner"])
        self.query_one("#action-title", Static).update(Text(f"Action for the {owner} · {item['pupil_name']}"))
        details = Text()
        for label, value in (
            ("What", item["description"]),
            ("Pupil", item["pupil_name"]),
            ("Owner", f"the {owner}"),
            ("Due", due_text(due, today, item["status"]).plain),
            ("Status", STATUS_WORDS.get(item["status"], item["status"])),
            ("Followed up by", item["adviser_name"] or "—"),
            ("From", f"the meeting record of {_when(item['record_held_at'])}" if item["record_held_at"]
             else "no meeting record"),
        ):
            if details:
                details.append("\n")
            details.append(f"{label}: ", style="bold")
            details.append(value)
        self.query_one("#action-details", Static).update(details)
        table = self.query_one("#action-events", DataTable)
        table.clear()
        previous = None
        for event in item["events"]:
            table.add_row(Text(_when(event["at"])), Text(_change_words(previous, event)),
                          Text(event["adviser_name"] or "—"), Text(first_line(event["note"]) or ""),
                          key=str(event["id"]))
            previous = event
        if not item["events"]:
            table.add_row(Text(_when(item["created_at"])), Text("added"), Text("—"), Text(""), key="created")
        allowed = self._allowed()
        keys = [f"{self.app.key_label(a)} {a.title}" for a in actions.in_scope("action")
                if a.action in allowed or a.action == "close"]
        self.query_one("#action-hint", Static).update(" · ".join(keys))
        self.refresh_bindings()

    def _allowed(self) -> set[str]:
        if self.item is None:
            return set()
        if self.item["status"] == "open":
            return {"done", "cancel_action", "reassign"}
        return {"reopen"}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("done", "cancel_action", "reopen", "reassign"):
            return action in self._allowed()
        return True

    def _do(self, message: str, fn, *args, **kw) -> None:
        try:
            fn(self.action_id, *args, **kw)
        except StoreError as e:
            self.app.notify(str(e), severity="error", title="Not done")
            return
        self.changed = True
        self.app.notify(message)
        self.refresh_action()

    def action_done(self) -> None:
        self._do("✓ Action marked as done.", self.app.store.actions.set_status, "done", original=self.item)

    def action_reopen(self) -> None:
        self._do("Action reopened.", self.app.store.actions.set_status, "open", original=self.item)

    def action_cancel_action(self) -> None:
        def cancelled(note: str | None) -> None:
            if note is not None:
                self._do("✗ Action cancelled.", self.app.store.actions.set_status, "cancelled", note=note or None,
                         original=self.item)

        self.app.push_screen(cancel_note_dialog(self.item["description"]), callback=cancelled)

    def action_reassign(self) -> None:
        def chosen(owner: str | None) -> None:
            if owner is not None:
                self._do(f"Action passed to the {OWNER_WORDS[owner]}.", self.app.store.actions.reassign, owner,
                         original=self.item)

        self.app.push_screen(OwnerChooser(self.item["owner"], self.item["description"]), callback=chosen)

    def action_close(self) -> None:
        self.dismiss(self.changed)


def _change_words(previous: dict | None, event: dict) -> str:
    owner = OWNER_WORDS.get(event["owner"], event["owner"] or "?")
    if previous is None:
        return f"added, for the {owner}"
    if event["status"] != previous["status"]:
        return {"done": "✓ marked as done", "cancelled": "✗ cancelled", "open": "○ reopened"}.get(
            event["status"], event["status"])
    if event["owner"] != previous["owner"]:
        return f"passed to the {owner}"
    return "noted"


# ---------------------------------------------------------------- my follow-ups


class FollowUpsTable(PagedTable):
    """The list of open actions: Home and End go to the first and the very last row (Textual's
    table scrolls sideways on End)."""

    BINDINGS = actions.bindings("follow_ups_table")


class FollowUpsScreen(ListKeys, Screen):
    LIST = "#follow-ups"
    SCOPE = "follow_ups"
    BINDINGS = actions.bindings("follow_ups")
    HELP = (
        "Every open action across pupils: overdue first (marked ⚠ overdue), then by due date, undated last. "
        "Filter by owner, by due date (on or before a day, typed day first: 30/11/2026), and show yours "
        "only or every adviser's. D marks the highlighted action done, R gives it to someone else, "
        "C cancels it with a note, V shows its changes, Enter or O opens the pupil. U reopens the action "
        "you last marked done here. Home and End go to the first and the last action."
    )

    def __init__(self) -> None:
        super().__init__()
        self.owner: str | None = None
        self.due: date | None = None
        self.mine = True
        self.overdue = 0
        self.last_done: int | None = None          # the action D last marked done here (U reopens it)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="follow-filters"):
            yield Select([(label, key) for label, key in OWNER_CHOICES], prompt="Any owner", id="owner")
            yield Label("Due on or before", classes="follow-label")
            yield Input(placeholder="dd/mm/yyyy", id="due", max_length=12)
            yield Select([("Mine only", "mine"), ("All advisers", "all")], value="mine", allow_blank=False,
                         id="whose")
        yield Static("", id="follow-error")
        table = FollowUpsTable(id="follow-ups", page=PAGE, near_end=20)
        table.add_column("Due", key="due", width=22)
        table.add_column("Pupil", key="pupil", width=30)
        table.add_column("Year", key="year", width=5)
        table.add_column("What", key="what", width=37)
        table.add_column("Owner", key="owner", width=13)
        yield table
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "My follow-ups"
        self.query_one("#follow-error", Static).display = False
        self.query_one("#follow-ups", FollowUpsTable).source(
            count=self._count, fetch=self._page, row=self._row, changed=self._update_status)
        if self.app.store.adviser_id is None:
            self.mine = False
            with self.prevent(Select.Changed):
                self.query_one("#whose", Select).value = "all"
        self.reload()
        self.query_one("#follow-ups", PagedTable).focus()

    def on_screen_resume(self) -> None:
        # Back from a pupil, a dialog or the adviser chooser: actions or "who am I" may have changed.
        if self.is_mounted and self.query("#follow-ups"):
            self.reload(keep_index=self.query_one("#follow-ups", PagedTable).cursor_row)

    # ------------------------------------------------------------ loading
    def _adviser_filter(self) -> int | None:
        return self.app.store.adviser_id if self.mine else None

    @property
    def total(self) -> int:
        return self.query_one("#follow-ups", FollowUpsTable).total

    @property
    def rows(self) -> dict[str, Any]:
        return self.query_one("#follow-ups", FollowUpsTable).items

    def _count(self) -> int:
        total, self.overdue = self.app.store.actions.follow_ups_count(owner=self.owner, due_before=self.due,
                                                              adviser_id=self._adviser_filter())
        return total

    def _page(self, after: tuple | None, limit: int) -> list:
        return self.app.store.actions.follow_ups(owner=self.owner, due_before=self.due, adviser_id=self._adviser_filter(),
                                         limit=limit, after=after)

    def _row(self, fu: Any) -> tuple[str, list[Any], int]:
        today = self.app.store.today
        return str(fu.action_id), [due_text(fu.due, today), Text(fu.pupil_display),
                                   Text("left" if fu.left else str(fu.year_group)),
                                   Text(first_line(fu.description)), Text(OWNER_WORDS.get(fu.owner, fu.owner))], 1

    def reload(self, keep_index: int | None = None, keep_id: int | None = None) -> None:
        self.query_one("#follow-ups", FollowUpsTable).reload(
            keep_key=None if keep_id is None else str(keep_id), keep_index=keep_index)

    def load_more(self) -> bool:
        return self.query_one("#follow-ups", FollowUpsTable).load_more()

    def _update_status(self) -> None:
        store = self.app.store
        whose = "every adviser's"
        if self.mine:
            me = store.advisers.current()
            whose = f"followed up by {me['name']}" if me is not None else "yours (nobody chosen: F4)"
        if self.total == 0:
            if self.owner or self.due or self.mine:
                text = f"No open actions match ({whose}). Esc clears the filters."
            else:
                text = "No open actions: nothing to follow up."
        else:
            overdue = f" · ⚠ {self.overdue:,} overdue" if self.overdue else " · none overdue"
            text = self.query_one("#follow-ups", FollowUpsTable).showing("open actions", f"{overdue} · {whose}", one="open action")
        self.query_one("#status", StatusLine).update(text)

    # ------------------------------------------------------------ filters
    @on(Select.Changed, "#owner")
    def _owner_changed(self, event: Select.Changed) -> None:
        self.owner = None if event.value is Select.NULL else str(event.value)
        self.reload()

    @on(Select.Changed, "#whose")
    def _whose_changed(self, event: Select.Changed) -> None:
        self.mine = event.value == "mine"
        if self.mine and self.app.store.adviser_id is None:
            self.app.notify("Nobody is chosen as the adviser using the app: press F4 to choose, "
                            "or show all advisers.", severity="warning")
        self.reload()

    def _set_due(self, text: str, *, final: bool) -> None:
        """Apply the due-date filter. While typing, only a readable date is applied; on Enter or
        leaving the box an unreadable one gets a message saying what to type."""
        error = self.query_one("#follow-error", Static)
        due_input = self.query_one("#due", Input)
        value: date | None
        if not text.strip():
            value = None
        else:
            try:
                value = when_rules.parse_day(text, today=self.app.store.today, what="due date")
            except when_rules.WhenError as e:
                if final:
                    error.update(Text(f"✗ {e} The list is not filtered by that date."))
                    error.display = True
                    due_input.add_class("invalid")
                return
        error.display = False
        due_input.remove_class("invalid")
        if value != self.due:
            self.due = value
            self.reload()

    @on(Input.Changed, "#due")
    def _due_changed(self, event: Input.Changed) -> None:
        self._set_due(event.value, final=False)

    @on(Input.Submitted, "#due")
    def _due_submitted(self, event: Input.Submitted) -> None:
        self._set_due(event.value, final=True)
        if not self.query_one("#follow-error", Static).display:
            self.query_one("#follow-ups", PagedTable).focus()

    @on(Input.Blurred, "#due")
    def _due_left(self, event: Input.Blurred) -> None:
        self._set_due(event.value, final=True)

    def on_key(self, event) -> None:
        if event.key == "down" and self.focused is self.query_one("#due", Input):
            event.stop()
            event.prevent_default()
            self.query_one("#follow-ups", PagedTable).focus()

    def action_focus_filters(self) -> None:
        self.query_one("#owner", Select).focus()

    def action_clear(self) -> None:
        changed = self.owner is not None or self.due is not None or bool(self.query_one("#due", Input).value)
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#owner", Select).clear()
            self.query_one("#due", Input).value = ""
        self.query_one("#due", Input).remove_class("invalid")
        self.query_one("#follow-error", Static).display = False
        self.query_one("#follow-ups", FollowUpsTable).source(
            count=self._count, fetch=self._page, row=self._row, changed=self._update_status)
        self.owner = None
        self.due = None
        if changed:
            self.reload()
        self.query_one("#follow-ups", PagedTable).focus()

    # ------------------------------------------------------------ the list
    @on(PagedTable.RowSelected, "#follow-ups")
    def _row_selected(self, event: PagedTable.RowSelected) -> None:
        self.action_open_pupil()

    def selected(self):
        return self.query_one("#follow-ups", FollowUpsTable).current()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("done", "reassign", "cancel_action", "open_pupil", "view_action"):
            return self.selected() is not None if self.is_mounted else True
        if action == "undo_done":
            return self.last_done is not None
        return True

    def _change(self, message: str, fn, *args, keep_id: int | None = None, **kw) -> None:
        table = self.query_one("#follow-ups", PagedTable)
        index = table.cursor_row
        try:
            fn(*args, **kw)
        except StoreError as e:
            self.app.notify(str(e), severity="error", title="Not done")
            return
        self.app.notify(message)
        self.reload(keep_index=index, keep_id=keep_id)

    def action_done(self) -> None:
        fu = self.selected()
        if fu is not None:
            self._change(f"✓ Done: {first_line(fu.description, 60)} ({fu.pupil_name}).",
                         self.app.store.actions.set_status, fu.action_id, "done", original=_shown(fu))
            if self.app.store.actions.detail(fu.action_id)["status"] == "done":
                self.last_done = fu.action_id
                self.refresh_bindings()

    def action_undo_done(self) -> None:
        """Reopen the action last marked done here, and put the cursor back on it."""
        action_id, self.last_done = self.last_done, None
        if action_id is None:
            return
        self._change("○ Reopened: it is back in the list.", self.app.store.actions.set_status, action_id, "open",
                     note="Reopened: marked done by mistake.", keep_id=action_id)
        self.refresh_bindings()

    def action_cursor_last(self) -> None:
        """End: every remaining page loaded, then the very last action."""
        table = self.query_one("#follow-ups", FollowUpsTable)
        table.load_all()
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)

    def action_reassign(self) -> None:
        fu = self.selected()
        if fu is None:
            return

        def chosen(owner: str | None) -> None:
            if owner is not None:
                self._change(f"Passed to the {OWNER_WORDS[owner]}: {first_line(fu.description, 60)}.",
                             self.app.store.actions.reassign, fu.action_id, owner, keep_id=fu.action_id,
                             original=_shown(fu))

        self.app.push_screen(OwnerChooser(fu.owner, fu.description), callback=chosen)

    def action_cancel_action(self) -> None:
        fu = self.selected()
        if fu is None:
            return

        def cancelled(note: str | None) -> None:
            if note is not None:
                self._change(f"✗ Cancelled: {first_line(fu.description, 60)}.", self.app.store.actions.set_status,
                             fu.action_id, "cancelled", note=note or None, original=_shown(fu))

        self.app.push_screen(cancel_note_dialog(fu.description), callback=cancelled)

    def action_view_action(self) -> None:
        fu = self.selected()
        if fu is not None:
            self.app.push_screen(ActionDialog(fu.action_id))

    def action_open_pupil(self) -> None:
        fu = self.selected()
        if fu is not None:
            navigation.open_pupil(self.app, fu.pupil_id)

    def action_save_csv(self) -> None:
        """Ctrl+E: every open action the filters show (not only those loaded) as a CSV file."""
        filters = {"owner": self.owner, "due_before": self.due, "adviser_id": self._adviser_filter()}
        navigation.save_csv(self.app, "follow_ups", filters, self.total)


def _shown(fu) -> dict[str, str]:
    """An open action as the list shows it: what a change made from the list was chosen against."""
    return {"status": "open", "owner": fu.owner}
