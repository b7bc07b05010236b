"""Snippets: short texts an adviser types often, inserted into a record with a key.

The picker filters by title as you type; Enter returns the highlighted snippet's text (the
record screen inserts it at the cursor). From the picker, Ctrl+N adds a snippet and Ctrl+D (or
Ctrl+Delete) deletes the highlighted one after a second press.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import TextArea
from gatsby_tui.widgets.footer import Footer
from textual.widgets.option_list import Option

from gatsby_tui import actions
from gatsby_tui.screens.base import AsksBeforeDiscarding
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.fields import field
from gatsby_tui.widgets.plain import Button, Input, Label, OptionList, Static


def _preview(body: str, width: int = 60) -> str:
    line = " ".join(body.split())
    return line if len(line) <= width else line[: width - 1] + "…"


class SnippetPicker(ModalScreen[str | None]):
    """Returns the chosen snippet's text, or None."""

    SCOPE = "snippets"
    BINDINGS = actions.bindings("snippets")
    HELP = ("Your snippets, and those shared with everyone. Type to filter by title; Up and Down move; Enter "
            "inserts the highlighted one where your cursor was. Ctrl+N adds a snippet; Ctrl+D (or Ctrl+Delete) "
            "deletes the highlighted one after asking.")

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, object] = {}
        self._delete_armed: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog snippet-dialog"):
            yield Static("Insert a snippet", classes="dialog-title")
            yield field("Title", Input(placeholder="type part of a title", id="snippet-filter", compact=True))
            yield OptionList(id="snippet-list")
            yield Static("", id="snippet-preview")
            hint = " · ".join(f"{self.app.key_label(a)} {a.title}" for a in actions.in_scope("snippets")
                              if a.footer)
            yield Static(hint, classes="dialog-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#snippet-list", OptionList).can_focus = False  # typing stays in the filter
        self.reload()
        self.query_one("#snippet-filter", Input).focus()

    def reload(self, keep: int | None = None) -> None:
        self._delete_armed = None
        text = self.query_one("#snippet-filter", Input).value.strip().lower()
        listing = self.query_one("#snippet-list", OptionList)
        listing.clear_options()
        self.rows = {}
        rows = self.app.store.records.snippets()
        shown = [r for r in rows if text in r["title"].lower()] if text else list(rows)
        for r in shown:
            key = str(r["id"])
            self.rows[key] = r
            label = Text(r["title"], style="bold")
            label.append("  " + _preview(r["body"]), style="")
            if r["adviser_id"] is None:
                label.append("  (shared)")
            listing.add_option(Option(label, id=key))
        if not rows:
            listing.add_option(Option("You have no snippets yet: Ctrl+N adds one.", disabled=True))
        elif not shown:
            listing.add_option(Option("No snippet title contains that: Ctrl+N adds one.", disabled=True))
        if shown:
            index = 0
            if keep is not None and str(keep) in self.rows:
                index = list(self.rows).index(str(keep))
            listing.highlighted = index
        self._show_preview()

    def _current(self):
        listing = self.query_one("#snippet-list", OptionList)
        if listing.highlighted is None:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        return self.rows.get(option.id or "")

    def _show_preview(self) -> None:
        row = self._current()
        self.query_one("#snippet-preview", Static).update(Text(row["body"]) if row else "")

    @on(Input.Changed, "#snippet-filter")
    def _filter(self) -> None:
        self.reload()

    @on(OptionList.OptionHighlighted, "#snippet-list")
    def _highlighted(self) -> None:
        self._delete_armed = None
        self._show_preview()

    def action_cursor_down(self) -> None:
        self.query_one("#snippet-list", OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#snippet-list", OptionList).action_cursor_up()

    @on(Input.Submitted, "#snippet-filter")
    @on(OptionList.OptionSelected, "#snippet-list")
    def action_insert(self) -> None:
        row = self._current()
        if row is None:
            self.app.notify("Choose a snippet first, or add one with Ctrl+N.", severity="warning")
            return
        self.dismiss(row["body"])

    def action_add(self) -> None:
        def added(snippet_id: int | None) -> None:
            if snippet_id is not None:
                self.query_one("#snippet-filter", Input).value = ""
                self.reload(keep=snippet_id)

        self.app.push_screen(SnippetForm(), callback=added)

    def action_delete(self) -> None:
        row = self._current()
        if row is None:
            return
        if self._delete_armed != row["id"]:
            self._delete_armed = row["id"]
            self.app.notify(f"Press Ctrl+D (or Ctrl+Delete) again to delete the snippet '{row['title']}'.",
                            severity="warning", title="Delete?")
            return
        try:
            self.app.store.records.delete_snippet(row["id"])
        except StoreError as e:
            self.app.notify(str(e), severity="error", title="Not done")
            return
        self.app.notify(f"Deleted the snippet '{row['title']}'.")
        self.reload()

    def action_close(self) -> None:
        self.dismiss(None)


class SnippetForm(AsksBeforeDiscarding, ModalScreen[int | None]):
    """Add a snippet; returns its id, or None when closed."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("A snippet is a short text you type often, e.g. a standard explanation of apprenticeship levels. "
            "Give it a title to find it by. Ctrl+S saves, Escape closes without saving.")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static("New snippet", classes="dialog-title")
            yield field("Title", Input(placeholder="e.g. Apprenticeship levels", id="snippet-title", compact=True))
            yield Label("Text to insert")
            yield TextArea(id="snippet-body", classes="snippet-body")
            yield Static("", id="snippet-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#snippet-error", Static).display = False
        self.query_one("#snippet-title", Input).focus()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        title = self.query_one("#snippet-title", Input).value
        body = self.query_one("#snippet-body", TextArea).text
        try:
            snippet_id = self.app.store.records.add_snippet(title, body)
        except StoreError as e:
            error = self.query_one("#snippet-error", Static)
            error.update(Text("✗ " + str(e)))
            error.display = True
            return
        self.app.notify(f"Snippet '{title.strip()}' added.")
        self.dismiss(snippet_id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.close_or_ask(lambda: self.dismiss(None))   # unsaved typing is asked about first
