"""Save the list on screen as a CSV file (Ctrl+E on the register, follow-ups, pupils missing a benchmark
and leavers): one small dialog for all of them. It says what will be saved, offers the folder used last
time (the ``export_folder`` setting) and a file name made of what the list is and today's date.

The writing runs in a thread worker on its own connection (Store.reopen), so a list of 20,000 pupils never
freezes the screen; from ``PROGRESS_FROM`` rows a progress bar follows it. Problems (no such folder, not
allowed to write there) are shown in the dialog as a sentence, and nothing is written.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Mapping

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import ProgressBar
from gatsby_tui.widgets.footer import Footer

from gatsby_tui import actions, jobs
from gatsby_tui.store import StoreError
from gatsby_tui.widgets.fields import field
from gatsby_tui.widgets.plain import Button, Input, Static

PROGRESS_FROM = 1000     # rows: a progress bar for lists at least this long


class SaveCsvDialog(ModalScreen[Path | None]):
    """Dismisses with the path written, or None."""

    SCOPE = "form"
    BINDINGS = actions.bindings("form")
    HELP = ("Saves the whole list as the screen shows it (its search and filters; every row, not only those "
            "loaded) as a CSV file for Excel, LibreOffice or Google Sheets. Every cell is made safe to open in a "
            "spreadsheet, and the file is readable by you only. The folder is remembered for next time. "
            "Enter or Ctrl+S saves; Escape closes without saving.")

    def __init__(self, which: str, filters: Mapping[str, Any], count: int | None = None) -> None:
        super().__init__()
        self.which = which
        self.filters = dict(filters)
        self.count = count
        self._writing = False
        self._stop = False
        self._replace: Path | None = None     # a file already there, to be replaced on a second Save

    def compose(self) -> ComposeResult:
        store = self.app.store
        labels = store.exports.list_labels(self.which, self.filters, self.count)
        folder = store.settings.get("export_folder") or str(Path.home())
        with Vertical(id="dialog", classes="form-dialog"):
            yield Static("Save as CSV", classes="dialog-title")
            yield Static(Text(labels.words), id="csv-what")
            yield field("Folder", Input(value=folder, id="csv-folder", compact=True))
            yield field("File name", Input(value=labels.file_name, id="csv-name", compact=True))
            yield Static("", id="csv-result", classes="field-error")
            yield ProgressBar(id="csv-progress", show_eta=False)
            yield Static("Every cell is safe to open in a spreadsheet; the file is readable by you only.",
                         classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#csv-progress", ProgressBar).display = False
        self.query_one("#csv-name", Input).focus()

    def _say(self, message: str) -> None:
        self.query_one("#csv-result", Static).update(Text(f"✗ {message}" if message else ""))

    # ------------------------------------------------------------ saving
    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self._writing:
            return
        folder_text = self.query_one("#csv-folder", Input).value.strip().strip("'\"")
        name = self.query_one("#csv-name", Input).value.strip().strip("'\"")
        if not folder_text:
            self._say("Type the folder to save in, e.g. ~/Documents.")
            return
        if not name:
            self._say("Type a name for the file, e.g. register.csv.")
            return
        if "/" in name or "\\" in name:
            self._say("A file name cannot contain / or \\: type the folder in the Folder box.")
            return
        if not name.lower().endswith(".csv"):
            name += ".csv"
        path = Path(folder_text).expanduser() / name
        if path.is_file() and self._replace != path:
            self._replace = path
            self._say(f"{name} is already in that folder: press Enter or Ctrl+S again to replace it.")
            return
        self._writing = True
        self._say("")
        self.query_one("#save", Button).disabled = True
        if (self.count or 0) >= PROGRESS_FROM:
            bar = self.query_one("#csv-progress", ProgressBar)
            bar.display = True
            bar.update(total=self.count, progress=0)
        self._write(path)

    def _write(self, path: Path) -> None:
        def work(run: jobs.Job) -> int:
            def progress(done: int, total: int) -> None:
                if self._stop:
                    raise StoreError("Stopped: no file was written.")
                run.ui(self._progress, done, total)

            return run.store.exports.csv_list(self.which, self.filters, path, progress=progress)

        def words(error: BaseException) -> str:
            if isinstance(error, StoreError):
                return str(error)
            return f"The database could not be read ({error}): no file was written."

        jobs.start(self, work, group="save-csv", done=lambda rows: self._done(path, rows), refused=self._failed,
                   expected=(StoreError, sqlite3.Error), words=words,
                   unforeseen="Something went wrong: no file was written.")

    def _progress(self, done: int, total: int) -> None:
        bar = self.query_one("#csv-progress", ProgressBar)
        if bar.display:
            bar.update(total=max(total, 1), progress=done)

    def _failed(self, message: str) -> None:
        if self._stop:
            self.app.notify("Stopped: no file was saved.")
            self.dismiss(None)
            return
        self._writing = False
        self._replace = None
        self.query_one("#save", Button).disabled = False
        self.query_one("#csv-progress", ProgressBar).display = False
        self._say(message)

    def _done(self, path: Path, rows: int) -> None:
        try:
            self.app.store.settings.set("export_folder", str(path.parent))
        except StoreError:
            pass         # the file is saved; only the folder is not remembered
        self.app.notify(f"Saved {rows:,} row{'s' if rows != 1 else ''} to {path}.", title="CSV saved", timeout=8)
        self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self._writing:
            self._stop = True        # the worker stops at its next page; nothing is written
            self._say("Stopping…")
            return
        self.dismiss(None)
