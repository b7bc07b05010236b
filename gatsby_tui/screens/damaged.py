"""Shown when the database fails its check on opening: what is wrong, that nothing can be saved
(the store is read-only), and the newest good backup, which one key restores."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.plain import Button, Static


class DamagedScreen(ModalScreen[None]):
    SCOPE = "damaged"
    BINDINGS = actions.bindings("damaged")
    HELP = ("The database file failed its integrity check, so it is open read-only: you can look, but "
            "nothing can be saved. r restores the newest backup that passes the check (what is in the file now "
            "is kept as a copy first). Esc keeps looking, read-only; `gatsby-tui restore` does the same "
            "from the command line.")

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem
        self.good: Any = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static("⚠ This database is damaged", classes="dialog-title")
            yield Static(id="damaged-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Restore the backup (r)", id="restore", variant="warning")
                yield Button("Keep looking, read-only (Esc)", id="close")
        yield Footer()

    def on_mount(self) -> None:
        store = self.app.store
        self.good = store.backup.newest_good()
        words = (f"{store.path} {self.problem}. It is open read-only: you can look, but nothing can be saved.\n\n")
        if self.good is None:
            words += (f"No good backup was found in {store.backup.folder()}. Keep a copy of the file as it is, "
                      "and ask for help before changing anything.")
            self.query_one("#restore", Button).display = False
        else:
            words += (f"The newest good backup is from {self.good.words()}. Restoring it replaces what is in the "
                      "file with the backup; anything saved after it is lost, and what is in the file now is kept "
                      "as a copy first.")
        self.query_one("#damaged-text", Static).update(Text(words))

    @on(Button.Pressed, "#restore")
    def action_restore(self) -> None:
        if self.good is None:
            return
        try:
            kept = self.app.store.backup.restore(self.good.path)
        except StoreError as e:
            self.query_one("#damaged-text", Static).update(Text(f"✗ {e}"))
            return
        self.app.sub_title = "careers guidance records"
        where = f" What was there is kept in {kept}." if kept else " The damaged file is kept beside it."
        self.app.notify(f"Restored the backup from {self.good.words()}.{where}", title="Restored", timeout=15)
        self.dismiss(None)
        if hasattr(self.app.screen, "reload"):
            self.app.screen.reload()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
