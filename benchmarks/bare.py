"""The yardstick: a bare Textual app doing what the app's screen does, with no data behind it.

    python benchmarks/bare.py

A header, a search box, a DataTable of 100 rows ("Pupil 000" ..), a footer. '/' focuses the search
box; each change of it clears the table and refills it with 100 rows ("Match <text> 000" ..), as a
plain DataTable would be refilled by a search; 'o' pushes a screen with a 50-row table ("Item
000" ..), Escape pops it; ctrl+q quits. run.py times it in a pseudo-terminal exactly as it times
gatsby-tui, by the bytes painted.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input


class Items(Screen):
    BINDINGS = [("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row", id="items")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Item", "When", "What", "Adviser")
        for i in range(50):
            table.add_row(f"Item {i:03d}", "22/11/2026 09:00", "Guidance meeting held", "Busy Adviser")
        table.focus()


class Bare(App):
    BINDINGS = [("ctrl+q", "quit", "Quit"), ("slash", "search", "Search"), ("o", "open", "Open")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Search name, UPN, form  /", id="search")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="rows")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name, width in (("Name", 35), ("Year", 9), ("Form", 6), ("SEN", 11), ("Flags", 11),
                            ("Last guidance", 16), ("Next meeting", 16)):
            table.add_column(name, width=width)
        self.fill("Pupil")
        table.focus()

    def fill(self, prefix: str) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for i in range(100):
            table.add_row(f"{prefix} {i:03d}", "10", "10B", "—", "PP", "21/11/2026 09:00", "—")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill(f"Match {event.value}" if event.value else "Pupil")

    def action_search(self) -> None:
        self.query_one(Input).focus()

    def action_open(self) -> None:
        self.push_screen(Items())


if __name__ == "__main__":
    Bare().run()
