"""The audit log, read only: per pupil (U on the pupil screen) and per adviser (the palette's
"Audit log by adviser"). Nothing here changes or deletes an entry, and the database refuses
it anyway (schema triggers). Entries page from SQL newest first, keyset on (at, id).
"""

from __future__ import annotations

import json
import re
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Header
from gatsby_tui.widgets.footer import Footer
from textual.widgets.option_list import Option

from gatsby_tui import actions
from gatsby_tui.screens.base import ListKeys
from gatsby_tui.domain import dates, names
from gatsby_tui.widgets.paged import PagedTable
from gatsby_tui.widgets.plain import OptionList, Static, StatusLine

PAGE = 200
READ_ONLY = ("The audit log cannot be changed or deleted: not from here, nor anywhere in the app, "
             "and the database itself refuses it.")
ACTION_WORDS = {"insert": "added", "update": "changed", "delete": "deleted", "export": "exported"}
TABLE_WORDS = {
    "pupils": "pupil details", "interviews": "meeting booking", "interview_events": "meeting change",
    "meeting_records": "meeting record", "record_amendments": "record amendment", "actions": "action",
    "action_events": "action change", "advisers": "adviser", "clinic_hours": "clinic hours",
    "clinic_exceptions": "day off / holiday", "settings": "settings", "destinations": "destination",
    "destination_checks": "destination check", "plans": "SEN plan", "plan_versions": "SEN plan version",
    "plan_targets": "SEN plan target", "plan_reviews": "SEN plan review", "activities": "activity",
    "activity_pupils": "activity attendance", "programme_items": "careers programme",
    "subject_access_requests": "subject access request", "exports_given": "export given", "schools": "school",
    "snippets": "snippet",
}
EXTRA_FIELD_WORDS = {
    "status": "status", "owner": "owner", "due_date": "due date", "description": "what",
    "starts_at": "start", "ends_at": "end", "status_note": "status note", "note": "note", "mode": "mode",
    "place": "place", "kind": "kind", "adviser_id": "adviser", "pupil_id": "pupil", "record_id": "record",
    "interview_id": "meeting", "held_at": "held at", "current_adviser_id": "adviser using the app",
    "signed_off_at": "signed off at", "signed_off_by": "signed off by", "field": "field",
    "original_text": "original text", "amended_text": "amended text", "created_at": "created",
    "updated_at": "updated", "what": "what", "file": "file", "events": "events", "full_names": "full names",
    "from": "from", "to": "to", "name": "name",
}
_QUIET = {"id", "created_at", "updated_at", "sort_name", "search_name", "uid"}
# For an addition, the values that say most come first in the one-line summary.
_FIRST = ("description", "legal_surname", "legal_forename", "name", "upn", "starts_at", "held_at", "kind",
          "status", "owner", "due_date", "field", "reason", "what", "code")
_ADVISER_KEYS = ("adviser_id", "signed_off_by", "current_adviser_id")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")


def field_words(key: str) -> str:
    from gatsby_tui.domain import record_fields
    from gatsby_tui.store import history

    return (record_fields.FIELD_WORDS.get(key) or history.FIELD_WORDS.get(key) or EXTRA_FIELD_WORDS.get(key)
            or key.replace("_", " "))


def value_words(value: Any, limit: int | None = 40) -> str:
    """A stored value as people read it: UK dates, yes/no, '—' for nothing; one line when limited."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    if _ISO_DAY.match(text):
        text = dates.uk(dates.from_iso(text))
    elif _ISO_TIME.match(text):
        text = f"{dates.uk(dates.from_iso(text))} {text[11:16]}"
    if limit is None:
        return text
    line = text.strip().splitlines()[0] if text.strip() else text
    if len(line) > limit or line != text.strip():
        line = line[: limit - 1].rstrip() + "…"
    return line


def _load(raw: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return {"value": raw}
    return value if isinstance(value, dict) else {"value": value}


def summary(row: Any, limit: int = 3) -> str:
    """One line: 'status: open → done' for a change; the main values for an addition,
    a deletion or an export."""
    before, after = _load(row["before"]), _load(row["after"])
    if before is not None and after is not None:
        keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
        parts = [f"{field_words(k)}: {value_words(before.get(k), 24)} → {value_words(after.get(k), 24)}"
                 for k in keys[:limit]]
        more = len(keys) - limit
        return "; ".join(parts) + (f"; and {more} more" if more > 0 else "") if parts else "no change in values"
    values = after if after is not None else before
    if not values:
        return ""
    keys = sorted((k for k, v in values.items() if k not in _QUIET and not k.endswith("_id")
                   and v not in (None, "", 0)),
                  key=lambda k: (_FIRST.index(k) if k in _FIRST else len(_FIRST), k))
    parts = [f"{field_words(k)}: {value_words(values[k], 30)}" for k in keys[:limit]]
    more = len(keys) - limit
    prefix = "was " if after is None else ""
    return prefix + "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _who(row: Any) -> str:
    return row["adviser_name"] or "nobody chosen"


def _pupil(row: Any) -> str:
    if row["legal_surname"] is None:
        return "—"
    return names.display_name(row["legal_surname"], row["legal_forename"], row["preferred_forename"])


def _when(stamp: str) -> str:
    return value_words(stamp, None) if stamp else "—"


class AuditScreen(ListKeys, Screen):
    LIST = "#audit"
    SCOPE = "audit"
    BINDINGS = actions.bindings("audit")
    HELP = ("The audit log: who changed what and when, newest first, with the values before and after. "
            "Enter shows a whole entry. " + READ_ONLY)

    def __init__(self, *, pupil_id: int | None = None, adviser_id: int | None = None) -> None:
        super().__init__()
        if (pupil_id is None) == (adviser_id is None):
            raise ValueError("an audit view is for one pupil or one adviser")
        self.pupil_id = pupil_id
        self.adviser_id = adviser_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="audit-title")
        table = PagedTable(id="audit", page=PAGE, near_end=20)
        table.add_column("When", key="when", width=16)
        if self.pupil_id is not None:
            table.add_column("Who", key="who", width=18)
        else:
            table.add_column("Pupil", key="pupil", width=22)
        table.add_column("What", key="what", width=9)
        table.add_column("Of", key="table", width=17)
        # A fixed width, so the table never scrolls sideways at 120 columns; Enter shows it all.
        table.add_column("Before → after", key="summary", width=44 if self.pupil_id is not None else 40)
        yield table
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        store = self.app.store
        if self.pupil_id is not None:
            row = store.pupils.get(self.pupil_id)
            whose = (names.display_name(row["legal_surname"], row["legal_forename"], row["preferred_forename"])
                     if row is not None else "a pupil no longer on the register")
            heading = f"Audit log for {whose}: every change recorded for this pupil"
        else:
            row = store.advisers.get(self.adviser_id)
            whose = row["name"] if row is not None else "an adviser no longer in the database"
            heading = f"Audit log for {whose}: every change made in their name"
        self.sub_title = f"Audit log · {whose}"
        title = Text(heading, style="bold")
        title.append("\nRead only — entries cannot be changed or deleted.", style="italic")
        self.query_one("#audit-title", Static).update(title)
        table = self.query_one("#audit", PagedTable)
        table.source(count=lambda: store.audit.count(pupil_id=self.pupil_id, adviser_id=self.adviser_id),
                     fetch=lambda after, limit: store.audit.entries(pupil_id=self.pupil_id, adviser_id=self.adviser_id,
                                                                    limit=limit, after=after),
                     row=self._row, after=lambda row: (row["at"], row["id"]), changed=self._update_status)
        table.reload()
        table.focus()

    @property
    def total(self) -> int:
        return self.query_one("#audit", PagedTable).total

    def _row(self, row: Any) -> tuple[str, list[Text], int]:
        second = _who(row) if self.pupil_id is not None else _pupil(row)
        return str(row["id"]), [Text(_when(row["at"])), Text(second),
                                Text(ACTION_WORDS.get(row["action"], row["action"])),
                                Text(TABLE_WORDS.get(row["table_name"], row["table_name"].replace("_", " "))),
                                Text(summary(row))], 1

    def _update_status(self) -> None:
        table = self.query_one("#audit", PagedTable)
        text = table.showing("entries", ", newest first · read only", one="entry") if table.total else "Nothing recorded yet."
        self.query_one("#status", StatusLine).update(text)

    @on(PagedTable.RowSelected, "#audit")
    def _row_selected(self) -> None:
        self.action_open_entry()

    def _current_id(self) -> int | None:
        return self.query_one("#audit", PagedTable).current_id()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_entry":
            return self._current_id() is not None if self.is_mounted else True
        return True

    def action_open_entry(self) -> None:
        entry_id = self._current_id()
        if entry_id is not None:
            self.app.push_screen(AuditEntryDialog(entry_id))

    def action_back(self) -> None:
        self.dismiss()


class AuditEntryDialog(ModalScreen[None]):
    """One audit entry in full: when, who, what, and every value before and after."""

    SCOPE = "audit_entry"
    BINDINGS = actions.bindings("audit_entry")
    HELP = "One entry of the audit log, in full. Arrows or Page Up/Down scroll. " + READ_ONLY

    def __init__(self, entry_id: int) -> None:
        super().__init__()
        self.entry_id = entry_id

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog audit-entry-dialog"):
            yield Static("Audit entry", id="audit-entry-title", classes="dialog-title")
            with VerticalScroll(id="audit-entry-body"):
                yield Static(id="audit-entry-head")
                yield Static(id="audit-entry-values")
            yield Static("Read only: the audit log cannot be changed or deleted. Escape closes.",
                         classes="dialog-hint")
        yield Footer()

    def on_mount(self) -> None:
        row = self.app.store.audit.get(self.entry_id)
        if row is None:
            self.app.notify("That audit entry cannot be found.", severity="error")
            self.dismiss(None)
            return
        what = ACTION_WORDS.get(row["action"], row["action"])
        table_words = TABLE_WORDS.get(row["table_name"], row["table_name"].replace("_", " "))
        self.query_one("#audit-entry-title", Static).update(Text(f"{table_words.capitalize()} {what}"))
        head = Text()
        for i, (label, value) in enumerate((
            ("When", _when(row["at"])),
            ("Who", _who(row)),
            ("What", f"{what} — {table_words}" + (f" (number {row['row_id']})" if row["row_id"] else "")),
            ("Pupil", _pupil(row)),
        )):
            if i:
                head.append("\n")
            head.append(f"{label}: ", style="bold")
            head.append(value)
        self.query_one("#audit-entry-head", Static).update(head)
        before, after = _load(row["before"]), _load(row["after"])
        keys = list(dict.fromkeys([*(before or {}), *(after or {})]))
        values = Table(box=None, show_header=True, header_style="bold", expand=True, padding=(0, 1))
        values.add_column("Field", no_wrap=True, ratio=1)
        if before is not None:
            values.add_column("Before", ratio=2)
        if after is not None:
            values.add_column("After" if before is not None else "Values", ratio=2)
        for key in keys:
            cells = [Text(field_words(key))]
            if before is not None:
                cells.append(Text(self._value(key, before.get(key))))
            if after is not None:
                cells.append(Text(self._value(key, after.get(key))))
            values.add_row(*cells)
        self.query_one("#audit-entry-values", Static).update(values if keys else Text("No values recorded."))
        self.query_one("#audit-entry-body", VerticalScroll).focus()

    def _value(self, key: str, value: Any) -> str:
        """The whole value; an adviser's or a pupil's number with their name beside it."""
        text = value_words(value, None)
        store = self.app.store
        number = int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else None
        if number is not None and key in _ADVISER_KEYS:
            row = store.advisers.get(number)
            return f"{text} ({row['name']})" if row is not None else text
        if number is not None and key == "pupil_id":
            row = store.pupils.get(number)
            if row is not None:
                return f"{text} ({names.display_name(row['legal_surname'], row['legal_forename'], row['preferred_forename'])})"
        return text

    def action_close(self) -> None:
        self.dismiss(None)


class AuditAdviserChooser(ModalScreen[int | None]):
    """Pick an adviser (active or not) whose changes to show."""

    SCOPE = "picker"
    BINDINGS = actions.bindings("picker")
    HELP = "Choose an adviser to see every change recorded in their name. " + READ_ONLY

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="small-dialog"):
            yield Static("Whose changes do you want to see?", classes="dialog-title")
            yield OptionList(id="audit-advisers")
            yield Static("Enter shows their audit log · Escape closes.", classes="dialog-hint")
        yield Footer()

    def on_mount(self) -> None:
        store = self.app.store
        options = self.query_one("#audit-advisers", OptionList)
        mine = 0
        for i, adviser in enumerate(store.advisers.all(include_inactive=True)):
            label = adviser["name"]
            if not adviser["active"]:
                label += "  (no longer active)"
            if adviser["id"] == store.adviser_id:
                label += "  (you)"
                mine = i
            options.add_option(Option(Text(label), id=str(adviser["id"])))
        if options.option_count:
            options.highlighted = mine  # the adviser using the app first
        options.focus()

    @on(OptionList.OptionSelected, "#audit-advisers")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_choose(self) -> None:
        options = self.query_one("#audit-advisers", OptionList)
        if options.highlighted is not None:
            options.action_select()

    def action_close(self) -> None:
        self.dismiss(None)


def open_adviser_audit(app: App) -> None:
    """Ask whose changes to show, then show them (the palette's 'Audit log by adviser')."""
    if isinstance(app.screen, ModalScreen):
        return
    if not app.store.advisers.all(include_inactive=True):
        app.notify("There are no advisers yet, so nothing has been recorded in anyone's name.")
        return

    def chosen(adviser_id: int | None) -> None:
        if adviser_id is not None:
            app.push_screen(AuditScreen(adviser_id=adviser_id))

    app.push_screen(AuditAdviserChooser(), callback=chosen)
